//! Ingestion throughput, index size and search latency of the document service, in-process.
//!
//! `cargo bench -p docket-corpus --bench ingest_query` generates a synthetic matter (e-mails
//! and text documents of realistic sizes), ingests it through a real `Corpus` (SQLite registry,
//! content store, Tantivy index) until the index holds 10,000 and then 100,000 passages, and
//! measures search latency at each size; then small files and PDFs on their own.
//! `DOCKET_BENCH_PASSAGES=2000,20000` picks other sizes; `DOCKET_BENCH_DIR=<folder>` works in
//! that folder instead of the system's temporary folder; `DOCKET_BENCH_SKIP_PDF=1` leaves out
//! the PDF measurement; `DOCKET_BENCH_PARSE_ONLY=1` times only parsing and extraction of 1,000
//! generated small files.

#[path = "../tests/fixtures/builders.rs"]
mod builders;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use docket_corpus::{
    Corpus, CorpusConfig, JobMeter, JobReport, ParseLimits, SearchMode, SearchRequest, Source, TenantId,
    TimelineRequest,
};

/// The one tenant the benchmark ingests for.
fn bench_tenant() -> TenantId {
    TenantId::parse("bench").expect("a valid tenant id")
}

struct NullMeter;

impl JobMeter for NullMeter {
    fn job_finished(&self, _report: JobReport) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + '_>> {
        Box::pin(async { Ok(()) })
    }
}

/// A small deterministic generator so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const LEGAL: &[&str] = &[
    "contract",
    "indemnity",
    "breach",
    "settlement",
    "escrow",
    "deposition",
    "privilege",
    "counsel",
    "damages",
    "warranty",
    "arbitration",
    "termination",
    "invoice",
    "shipment",
    "liability",
    "discovery",
    "subpoena",
    "merger",
    "license",
    "royalty",
    "plaintiff",
    "defendant",
    "exhibit",
    "affidavit",
    "injunction",
    "negligence",
];

fn vocabulary(rng: &mut Rng) -> Vec<String> {
    const SYL: &[&str] = &[
        "ra", "to", "mi", "ka", "ne", "lo", "su", "ve", "di", "par", "con", "tal", "ber", "mon", "sel", "gra", "tri",
        "vin", "dor", "pel",
    ];
    let mut words: Vec<String> = LEGAL.iter().map(|w| (*w).to_owned()).collect();
    while words.len() < 3_000 {
        let n = 2 + rng.below(3);
        let w: String = (0..n).map(|_| SYL[rng.below(SYL.len())]).collect();
        words.push(w);
    }
    words
}

fn sentence(rng: &mut Rng, vocab: &[String]) -> String {
    let n = 8 + rng.below(12);
    let mut s = String::new();
    for i in 0..n {
        // A Zipf-like skew: common words are common, most words are rare.
        let r = rng.below(vocab.len());
        let idx = (r * rng.below(vocab.len()) / vocab.len()).min(vocab.len() - 1);
        if i > 0 {
            s.push(' ');
        }
        s.push_str(&vocab[idx]);
    }
    let mut c = s.chars();
    let mut out: String = c.next().map(|f| f.to_uppercase().collect()).unwrap_or_default();
    out.push_str(c.as_str());
    out.push('.');
    out
}

const PEOPLE: &[&str] =
    &["Daniel Reyes", "Maria Alvarez", "Priya Natarajan", "Tom Becker", "Helen Cho", "Samuel Okafor"];
const ORGS: &[&str] =
    &["Harbor Freight Lines LLC", "Northwind Shipping Inc.", "Calder & Voss LLP", "Meridian Cold Storage Ltd"];

/// Prose of about `target` bytes: sentences in paragraphs, with a date, a name, a company or
/// an amount now and then, as in correspondence and memos.
fn body(rng: &mut Rng, vocab: &[String], target: usize) -> String {
    let mut b = String::new();
    let mut i = 0usize;
    while b.len() < target {
        if i > 0 {
            b.push_str(if i.is_multiple_of(6) { "\n\n" } else { " " });
        }
        i += 1;
        b.push_str(&sentence(rng, vocab));
        match rng.below(10) {
            0 => b.push_str(&format!(
                " The meeting took place on 20{:02}-{:02}-{:02}.",
                10 + rng.below(15),
                1 + rng.below(12),
                1 + rng.below(28)
            )),
            1 => b.push_str(&format!(
                " {} of {} approved the ${},{:03} payment.",
                PEOPLE[rng.below(PEOPLE.len())],
                ORGS[rng.below(ORGS.len())],
                1 + rng.below(900),
                rng.below(1000)
            )),
            _ => {}
        }
    }
    b
}

/// What the generated corpus looks like.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Profile {
    /// A litigation collection: 60% e-mails (body 1 to 16 KB, log-uniform, as with quoted
    /// replies) and 40% text documents (memos, contracts, transcripts: 4 to 256 KB, log-uniform).
    Matter,
    /// Small files only: 70% text, 30% e-mail, 0.5 to 4 KB each.
    Small,
}

/// A size drawn log-uniformly between `lo` and `hi` bytes.
fn log_uniform(rng: &mut Rng, lo: usize, hi: usize) -> usize {
    let u = (rng.next() % 1_000_000) as f64 / 1_000_000.0;
    ((lo as f64) * ((hi as f64) / (lo as f64)).powf(u)) as usize
}

/// Write `count` documents of `profile` into a fresh folder; returns their bytes.
fn generate(dir: &Path, start: usize, count: usize, rng: &mut Rng, vocab: &[String], profile: Profile) -> u64 {
    std::fs::create_dir_all(dir).expect("bench folder");
    let mut bytes = 0u64;
    for i in start..start + count {
        let (email, size) = match profile {
            Profile::Matter if i % 5 < 3 => (true, log_uniform(rng, 1 << 10, 16 << 10)),
            Profile::Matter => (false, log_uniform(rng, 4 << 10, 256 << 10)),
            Profile::Small => (i % 10 >= 7, 500 + rng.below(3_500)),
        };
        let (name, content) = if !email {
            (format!("doc-{i:07}.txt"), body(rng, vocab, size))
        } else {
            let b = body(rng, vocab, size);
            (
                format!("mail-{i:07}.eml"),
                format!(
                    "From: Counsel {a} <counsel{a}@firm.example>\r\nTo: Client {c} <client{c}@corp.example>\r\n\
                     Subject: Re: {s} matter {i}\r\nDate: Mon, 4 Mar 2024 10:{m:02}:00 +0000\r\n\
                     Message-ID: <{i}@firm.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{b}\r\n",
                    a = rng.below(50),
                    c = rng.below(200),
                    s = LEGAL[rng.below(LEGAL.len())],
                    m = rng.below(60),
                ),
            )
        };
        bytes += content.len() as u64;
        std::fs::write(dir.join(name), content).expect("bench file");
    }
    bytes
}

fn dir_size(path: &Path) -> u64 {
    let mut total = 0;
    if let Ok(rd) = std::fs::read_dir(path) {
        for e in rd.flatten() {
            match e.metadata() {
                Ok(m) if m.is_dir() => total += dir_size(&e.path()),
                Ok(m) => total += m.len(),
                Err(_) => {}
            }
        }
    }
    total
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

fn queries(rng: &mut Rng, vocab: &[String]) -> Vec<String> {
    let mut qs = Vec::new();
    for i in 0..200 {
        let q = match i % 4 {
            0 => LEGAL[rng.below(LEGAL.len())].to_owned(),
            1 => format!("{} {}", LEGAL[rng.below(LEGAL.len())], vocab[rng.below(200)]),
            2 => format!("\"{} {}\"", vocab[rng.below(50)], vocab[rng.below(50)]),
            _ => format!("{} -{}", vocab[rng.below(100)], vocab[rng.below(100)]),
        };
        qs.push(q);
    }
    qs
}

struct Row {
    passages: u64,
    documents: usize,
    mb_per_s: f64,
    docs_per_s: f64,
    index_mb_per_gb: f64,
    /// CPU seconds (all threads) per 100 MB ingested: 200 / this is the MB/s two fully used
    /// cores would give, a figure steadier than the wall clock's.
    cpu_per_100_mb: f64,
    latency: Vec<(SearchMode, f64, f64)>,
}

async fn measure_search(corpus: &Corpus, qs: &[String]) -> Vec<(SearchMode, f64, f64)> {
    let mut out = Vec::new();
    for mode in [SearchMode::Precision, SearchMode::Recall] {
        // Warm the caches once so the numbers describe steady state.
        for q in qs.iter().take(20) {
            let _ = corpus.search(&bench_tenant(), &SearchRequest { q: q.clone(), mode, ..Default::default() }).await;
        }
        let mut times = Vec::with_capacity(qs.len());
        for q in qs {
            let t = Instant::now();
            let r = corpus.search(&bench_tenant(), &SearchRequest { q: q.clone(), mode, ..Default::default() }).await;
            times.push(t.elapsed());
            if let Err(e) = r {
                eprintln!("query {q:?} failed: {e}");
            }
        }
        times.sort();
        out.push((mode, percentile(&times, 0.50), percentile(&times, 0.99)));
    }
    out
}

#[tokio::main]
async fn main() {
    let targets: Vec<u64> = std::env::var("DOCKET_BENCH_PASSAGES")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .filter(|v: &Vec<u64>| !v.is_empty())
        .unwrap_or_else(|| vec![10_000, 100_000]);
    // DOCKET_BENCH_DIR puts the working folder on a chosen file system (default: the system's
    // temporary folder).
    let work = match std::env::var_os("DOCKET_BENCH_DIR") {
        Some(dir) => tempfile::tempdir_in(dir),
        None => tempfile::tempdir(),
    }
    .expect("temp dir");
    let root = work.path().join("root");
    let storage = work.path().join("storage");
    std::fs::create_dir_all(&root).expect("root");
    let config = CorpusConfig {
        storage_dir: storage.clone(),
        ingest_roots: vec![root.clone()].into(),
        workers: 2,
        limits: ParseLimits::default(),
        parser_sandbox: None,
        query_timeout: docket_corpus::DEFAULT_QUERY_TIMEOUT,
    };
    let corpus = Corpus::open(config, Arc::new(NullMeter)).await.expect("open corpus");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let vocab = vocabulary(&mut rng);
    let qs = queries(&mut rng, &vocab);

    if std::env::var("DOCKET_BENCH_PARSE_ONLY").is_ok() {
        let dir = root.join("parse-only");
        generate(&dir, 0, 1000, &mut rng, &vocab, Profile::Small);
        let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).collect();
        files.sort();
        let limits = ParseLimits::default();
        let (mut tp, mut td, mut te, mut ts) = (0.0, 0.0, 0.0, 0.0);
        for f in &files {
            let bytes = std::fs::read(f).unwrap();
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            let t = Instant::now();
            let doc = docket_corpus::parse::parse(&name, None, &bytes, &limits).unwrap();
            tp += t.elapsed().as_secs_f64();
            let t = Instant::now();
            let _ = docket_corpus::extract::dates(&doc);
            td += t.elapsed().as_secs_f64();
            let t = Instant::now();
            let _ = docket_corpus::extract::entities(&doc);
            te += t.elapsed().as_secs_f64();
            let t = Instant::now();
            let _ = docket_corpus::extract::sentences(&doc.text);
            ts += t.elapsed().as_secs_f64();
        }
        let per = |t: f64| t * 1e6 / files.len().max(1) as f64;
        println!(
            "per document (µs): parse {:.0}, dates {:.0}, entities {:.0}, sentences {:.0}",
            per(tp),
            per(td),
            per(te),
            per(ts)
        );
        return;
    }
    let mut rows = Vec::new();
    let mut documents = 0usize;
    let mut total_bytes = 0u64;
    let mut ingest_secs = 0.0f64;
    let mut batch = 0usize;
    for target in targets {
        while corpus.indexed_passages() < target {
            // Size the batch from the passages per document seen so far (about 10 at first).
            let have = corpus.indexed_passages();
            let per_doc = if documents > 0 { (have / documents as u64).max(1) } else { 40 };
            let count = (((target - have) / per_doc) as usize + 1).clamp(50, 20_000);
            // Two jobs per batch so both workers are busy, as with two teams ingesting at once.
            let half = count / 2;
            let dirs: Vec<PathBuf> = (0..2).map(|h| root.join(format!("batch-{batch}-{h}"))).collect();
            batch += 1;
            let bytes = generate(&dirs[0], documents, half, &mut rng, &vocab, Profile::Matter)
                + generate(&dirs[1], documents + half, count - half, &mut rng, &vocab, Profile::Matter);
            ingest_secs += ingest(&corpus, dirs).await;
            documents += count;
            total_bytes += bytes;
        }
        let index_bytes = dir_size(&storage.join("index"));
        let latency = measure_search(&corpus, &qs).await;
        rows.push(Row {
            passages: corpus.indexed_passages(),
            documents,
            mb_per_s: total_bytes as f64 / 1e6 / ingest_secs.max(1e-9),
            docs_per_s: documents as f64 / ingest_secs.max(1e-9),
            index_mb_per_gb: index_bytes as f64 / 1e6 / (total_bytes as f64 / 1e9),
            cpu_per_100_mb: ingest_cpu() / (total_bytes as f64 / 1e8),
            latency,
        });
    }
    let matter = measure_matter(&corpus, &root, &mut rng, &vocab).await;
    let timeline = measure_timeline(&corpus, &mut rng).await;
    let small = measure_small(&corpus, &root, &mut rng, &vocab).await;
    let pdf = if std::env::var("DOCKET_BENCH_SKIP_PDF").is_ok() {
        Load::default()
    } else {
        measure_pdf(&corpus, &root, &mut rng, &vocab).await
    };
    let facts_mb_per_gb = dir_size(&storage.join("facts")) as f64 / 1e6 / ((total_bytes + matter.bytes) as f64 / 1e9);
    corpus.shutdown().await;

    println!();
    println!(
        "| passages | documents | ingest MB/s | ingest docs/s | index MB per GB ingested | CPU s per 100 MB | precision p50 ms | precision p99 ms | recall p50 ms | recall p99 ms |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for r in rows {
        let get = |m: SearchMode| r.latency.iter().find(|l| l.0 == m).map(|l| (l.1, l.2)).unwrap_or((0.0, 0.0));
        let (pp50, pp99) = get(SearchMode::Precision);
        let (rp50, rp99) = get(SearchMode::Recall);
        println!(
            "| {} | {} | {:.2} | {:.0} | {:.0} | {:.1} | {:.2} | {:.2} | {:.2} | {:.2} |",
            r.passages,
            r.documents,
            r.mb_per_s,
            r.docs_per_s,
            r.index_mb_per_gb,
            r.cpu_per_100_mb,
            pp50,
            pp99,
            rp50,
            rp99
        );
    }
    println!();
    println!(
        "{} queries per mode (terms, two terms, phrases, exclusions); ingestion through local-folder jobs, 2 workers; \
         60% e-mails (1-16 KB bodies), 40% text documents (4-256 KB).",
        qs.len()
    );
    println!();
    println!(
        "Matter load ({} files: 60% e-mails, 40% text documents, two jobs, into the index above): {}",
        matter.files, matter
    );
    println!();
    println!(
        "Timeline of that tenant, pages of 50 (ms, p50 / p99): first 100 pages in turn {:.2} / {:.2}; \
         100 pages from a random date {:.2} / {:.2}; 100 pages of one of the 5 most documented entities {:.2} / {:.2}. \
         Neighbourhoods of those entities {:.2} / {:.2}; searches of two legal words filtered by one of them {:.2} / {:.2}",
        timeline[0].0,
        timeline[0].1,
        timeline[1].0,
        timeline[1].1,
        timeline[2].0,
        timeline[2].1,
        timeline[3].0,
        timeline[3].1,
        timeline[4].0,
        timeline[4].1
    );
    println!();
    println!("Facts index (events and mentions, after the matter load): {facts_mb_per_gb:.0} MB per GB ingested");
    println!();
    println!("Small files ({} files of 0.5-4 KB, 70% text, 30% e-mail, two jobs): {}", small.files, small);
    println!();
    println!("PDF (text layer, {} files of 4 pages): {}", pdf.files, pdf);
}

/// CPU time (user and system) this process has used so far, in seconds, from /proc.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces) : utime is the 14th field, stime the 15th.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    // Clock ticks are 1/100 s on Linux.
    (ticks(11) + ticks(12)) / 100.0
}

/// Bytes this process has handed to write calls so far (content store, registry and its
/// write-ahead log, index), from /proc.
fn written_bytes() -> f64 {
    let io = std::fs::read_to_string("/proc/self/io").unwrap_or_default();
    io.lines().find_map(|l| l.strip_prefix("wchar:")).and_then(|v| v.trim().parse().ok()).unwrap_or(0.0)
}

/// CPU seconds spent on ingestion so far (all threads: parsing, registry, index, merges).
static INGEST_CPU: std::sync::Mutex<f64> = std::sync::Mutex::new(0.0);
/// Bytes written during ingestion so far.
static INGEST_WRITTEN: std::sync::Mutex<f64> = std::sync::Mutex::new(0.0);

fn ingest_cpu() -> f64 {
    INGEST_CPU.lock().map(|t| *t).unwrap_or(0.0)
}

fn ingest_written() -> f64 {
    INGEST_WRITTEN.lock().map(|t| *t).unwrap_or(0.0)
}

/// Run one local-folder job per folder, at once, until all finish; returns the seconds taken.
async fn ingest(corpus: &Corpus, dirs: Vec<PathBuf>) -> f64 {
    let t = Instant::now();
    let cpu = cpu_seconds();
    let written = written_bytes();
    let mut ids = Vec::new();
    for dir in dirs {
        ids.push(corpus.submit(&bench_tenant(), "bench", vec![Source::Local { path: dir }]).await.expect("submit").id);
    }
    for id in ids {
        loop {
            let s = corpus.job(&bench_tenant(), id).await.expect("job").expect("job exists");
            if s.status.is_finished() {
                if s.failed > 0 {
                    eprintln!("{} documents failed, e.g. {:?}", s.failed, s.errors.first());
                }
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    if let Ok(mut total) = INGEST_CPU.lock() {
        *total += cpu_seconds() - cpu;
    }
    if let Ok(mut total) = INGEST_WRITTEN.lock() {
        *total += written_bytes() - written;
    }
    t.elapsed().as_secs_f64().max(1e-9)
}

/// One measured load.
#[derive(Default)]
struct Load {
    files: usize,
    bytes: u64,
    secs: f64,
    cpu_secs: f64,
    written: f64,
}

impl Load {
    /// Ingest `dirs` (holding `files` files of `bytes` bytes), one job per folder, and measure it.
    async fn measure(corpus: &Corpus, dirs: Vec<PathBuf>, files: usize, bytes: u64) -> Load {
        let (cpu, written) = (ingest_cpu(), ingest_written());
        let secs = ingest(corpus, dirs).await;
        Load { files, bytes, secs, cpu_secs: ingest_cpu() - cpu, written: ingest_written() - written }
    }
}

impl std::fmt::Display for Load {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mb = self.bytes as f64 / 1e6;
        let secs = self.secs.max(1e-9);
        write!(
            f,
            "ingest {:.2} MB/s, {:.0} docs/s ({:.1} MB, {:.1} CPU s per 100 MB, {:.1} bytes written per byte)",
            mb / secs,
            self.files as f64 / secs,
            mb,
            self.cpu_secs / (mb / 100.0).max(1e-9),
            self.written / (self.bytes as f64).max(1.0)
        )
    }
}

/// Ingest 10,000 documents of the matter profile (about 280 MB, long enough that the start and
/// end of the jobs and the index merges weigh what they do in a real load) in two jobs.
async fn measure_matter(corpus: &Corpus, root: &Path, rng: &mut Rng, vocab: &[String]) -> Load {
    measure_load(corpus, root, rng, vocab, Profile::Matter, 10_000, 20_000_000).await
}

/// Time timeline pages (p50 and p99 in ms): the first 100 in turn, 100 from random dates, and
/// 100 filtered by one of the most documented entities; then 100 neighbourhoods of those, and
/// 100 searches of two legal words filtered by one of those entities.
async fn measure_timeline(corpus: &Corpus, rng: &mut Rng) -> Vec<(f64, f64)> {
    let page = |cursor: Option<String>, from_ts: Option<String>, entity: Option<String>| TimelineRequest {
        cursor,
        limit: Some(50),
        from_ts,
        entity,
        ..Default::default()
    };
    let mut out = Vec::new();
    let mut times = Vec::new();
    let mut cursor = None;
    for _ in 0..100 {
        let t = Instant::now();
        let p = corpus.timeline(&bench_tenant(), &page(cursor.take(), None, None)).await.expect("timeline");
        times.push(t.elapsed());
        cursor = p.next_cursor;
    }
    times.sort();
    out.push((percentile(&times, 0.5), percentile(&times, 0.99)));
    times.clear();
    for _ in 0..100 {
        let from = format!("20{:02}-{:02}-{:02}", 10 + rng.below(15), 1 + rng.below(12), 1 + rng.below(28));
        let t = Instant::now();
        corpus.timeline(&bench_tenant(), &page(None, Some(from), None)).await.expect("timeline");
        times.push(t.elapsed());
    }
    times.sort();
    out.push((percentile(&times, 0.5), percentile(&times, 0.99)));
    times.clear();
    let top = corpus.entities(&bench_tenant(), "", 5).await.expect("entities");
    for i in 0..100 {
        let entity = top.get(i % top.len().max(1)).map(|e| e.id.clone());
        let t = Instant::now();
        corpus.timeline(&bench_tenant(), &page(None, None, entity)).await.expect("timeline");
        times.push(t.elapsed());
    }
    times.sort();
    out.push((percentile(&times, 0.5), percentile(&times, 0.99)));
    times.clear();
    for i in 0..100 {
        let Some(entity) = top.get(i % top.len().max(1)) else { break };
        let t = Instant::now();
        corpus.neighbors(&bench_tenant(), &entity.id).await.expect("neighbors");
        times.push(t.elapsed());
    }
    times.sort();
    out.push((percentile(&times, 0.5), percentile(&times, 0.99)));
    times.clear();
    for i in 0..100 {
        let Some(entity) = top.get(i % top.len().max(1)) else { break };
        let q = format!("{} {}", LEGAL[rng.below(LEGAL.len())], LEGAL[rng.below(LEGAL.len())]);
        let req = SearchRequest { q, entity: Some(entity.id.clone()), ..Default::default() };
        let t = Instant::now();
        corpus.search(&bench_tenant(), &req).await.expect("search");
        times.push(t.elapsed());
    }
    times.sort();
    out.push((percentile(&times, 0.5), percentile(&times, 0.99)));
    out
}

/// Ingest 4,000 small files in two jobs.
async fn measure_small(corpus: &Corpus, root: &Path, rng: &mut Rng, vocab: &[String]) -> Load {
    measure_load(corpus, root, rng, vocab, Profile::Small, 4_000, 10_000_000).await
}

/// Generate `files` documents of `profile`, numbered from `first` (so that no content repeats
/// earlier ones), in two folders, and ingest them as two jobs at once.
async fn measure_load(
    corpus: &Corpus,
    root: &Path,
    rng: &mut Rng,
    vocab: &[String],
    profile: Profile,
    files: usize,
    first: usize,
) -> Load {
    let dirs: Vec<PathBuf> = (0..2).map(|h| root.join(format!("{profile:?}-{h}"))).collect();
    let bytes = generate(&dirs[0], first, files / 2, rng, vocab, profile)
        + generate(&dirs[1], first + files / 2, files - files / 2, rng, vocab, profile);
    Load::measure(corpus, dirs, files, bytes).await
}

/// Ingest generated PDFs (4 pages of about 40 lines each) as one job.
async fn measure_pdf(corpus: &Corpus, root: &Path, rng: &mut Rng, vocab: &[String]) -> Load {
    let dir = root.join("pdf");
    std::fs::create_dir_all(&dir).expect("pdf folder");
    let files = 300;
    let mut bytes = 0u64;
    for i in 0..files {
        let pages: Vec<Vec<String>> = (0..4).map(|_| (0..40).map(|_| sentence(rng, vocab)).collect()).collect();
        let page_refs: Vec<Vec<&str>> = pages.iter().map(|p| p.iter().map(String::as_str).collect()).collect();
        let slices: Vec<&[&str]> = page_refs.iter().map(Vec::as_slice).collect();
        let meta = builders::PdfMeta { title: "Bench", author: "Bench", created: "D:20210318093000Z" };
        let pdf = builders::pdf(&slices, &meta);
        bytes += pdf.len() as u64;
        std::fs::write(dir.join(format!("doc-{i}.pdf")), pdf).expect("write pdf");
    }
    Load::measure(corpus, vec![dir], files, bytes).await
}
