//! Privilege review throughput: documents per second over a generated matter of the ingestion
//! benchmark's shape (60% e-mails of 1 to 16 KB, 40% text documents of 4 to 256 KB, sizes
//! log-uniform), a third of them written with counsel, some marked privileged.
//!
//! `cargo bench -p docket-corpus --bench privilege_review` ingests 10,000 documents, then times
//! one privilege review over all of them (the run's own steps and the wall clock).
//! `DOCKET_BENCH_DOCUMENTS=500` picks another size; `DOCKET_BENCH_DIR=<folder>` works there.

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use docket_corpus::agents::{Agents, CounselList, RunMeter, RunReport, RunRequest, RunState};
use docket_corpus::{Corpus, CorpusConfig, JobMeter, JobReport, ParseLimits, Source, TenantId};

struct NullMeter;

impl JobMeter for NullMeter {
    fn job_finished(&self, _report: JobReport) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + '_>> {
        Box::pin(async { Ok(()) })
    }
}

impl RunMeter for NullMeter {
    fn run_finished(&self, _report: RunReport) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + '_>> {
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
    fn log_uniform(&mut self, lo: usize, hi: usize) -> usize {
        let u = (self.next() % 1_000_000) as f64 / 1_000_000.0;
        ((lo as f64) * ((hi as f64) / (lo as f64)).powf(u)) as usize
    }
}

const SENTENCES: &[&str] = &[
    "The shipment left Rotterdam on schedule and the invoice followed a week later.",
    "Please advise whether we can terminate the agreement for late delivery.",
    "My advice is to send a notice of breach before withholding payment.",
    "The warehouse budget for the quarter is unchanged and headcount stays flat.",
    "Prepared at the direction of counsel in anticipation of litigation.",
    "The surveyor found temperature excursions in eleven reefer containers.",
    "Our pricing for the Antwerp lane includes a discount for the largest customers.",
    "The deposition of the vessel's master is set for the second week of May.",
    "Counsel recommends that the escrow not be mentioned until the notice is served.",
    "Minutes of the operations committee record the capacity figures for April.",
];

/// The one tenant the benchmark ingests for.
fn bench_tenant() -> TenantId {
    TenantId::parse("bench").expect("a valid tenant id")
}

fn body(rng: &mut Rng, target: usize) -> String {
    let mut b = String::with_capacity(target + 128);
    if rng.below(6) == 0 {
        b.push_str("PRIVILEGED & CONFIDENTIAL - ATTORNEY-CLIENT COMMUNICATION\n\n");
    }
    while b.len() < target {
        b.push_str(SENTENCES[rng.below(SENTENCES.len())]);
        b.push(if rng.below(8) == 0 { '\n' } else { ' ' });
    }
    b
}

fn generate(dir: &Path, count: usize, rng: &mut Rng) {
    std::fs::create_dir_all(dir).expect("bench folder");
    for i in 0..count {
        let (name, content) = if i % 5 < 3 {
            let size = rng.log_uniform(1 << 10, 16 << 10);
            let from = if rng.below(3) == 0 {
                format!("Counsel {a} <counsel{a}@firm.example>", a = rng.below(20))
            } else {
                format!("Staff {a} <staff{a}@client.example>", a = rng.below(200))
            };
            let to = match rng.below(10) {
                0 => "Outside Party <someone@other.example>".to_owned(),
                1..=3 => format!("Counsel {a} <counsel{a}@firm.example>", a = rng.below(20)),
                _ => format!("Staff {a} <staff{a}@client.example>", a = rng.below(200)),
            };
            let b = body(rng, size);
            (
                format!("mail-{i:07}.eml"),
                format!(
                    "From: {from}\r\nTo: {to}\r\nSubject: Matter {i}\r\nDate: Mon, 4 Mar 2024 10:{m:02}:00 +0000\r\n\
                     Message-ID: <{i}@bench.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{b} {i}\r\n",
                    m = rng.below(60),
                ),
            )
        } else {
            let size = rng.log_uniform(4 << 10, 256 << 10);
            (format!("doc-{i:07}.txt"), format!("{} {i}", body(rng, size)))
        };
        std::fs::write(dir.join(name), content).expect("bench file");
    }
}

#[tokio::main]
async fn main() {
    let documents: usize =
        std::env::var("DOCKET_BENCH_DOCUMENTS").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(10_000);
    let work = match std::env::var_os("DOCKET_BENCH_DIR") {
        Some(dir) => tempfile::tempdir_in(dir),
        None => tempfile::tempdir(),
    }
    .expect("temp dir");
    let root = work.path().join("root");
    let config = CorpusConfig {
        storage_dir: work.path().join("storage"),
        ingest_roots: vec![root.clone()].into(),
        workers: 2,
        limits: ParseLimits::default(),
        parser_sandbox: None,
        query_timeout: docket_corpus::DEFAULT_QUERY_TIMEOUT,
    };
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let matter = root.join("matter");
    generate(&matter, documents, &mut rng);
    let corpus = Corpus::open(config, Arc::new(NullMeter)).await.expect("open corpus");
    let started = Instant::now();
    let job = corpus.submit(&bench_tenant(), "bench", vec![Source::Local { path: matter }]).await.expect("submit");
    loop {
        let status = corpus.job(&bench_tenant(), job.id).await.expect("job").expect("job exists");
        if status.status.is_finished() {
            println!("ingested {} documents in {:.1} s", status.ingested, started.elapsed().as_secs_f64());
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let agents = Agents::start(&corpus, Arc::new(NullMeter), 1).await.expect("agents");
    let counsel = CounselList {
        domains: vec!["firm.example".into()],
        client_domains: vec!["client.example".into()],
        ..CounselList::default()
    };
    agents.set_counsel(&bench_tenant(), counsel).await.expect("counsel");
    let request = RunRequest {
        agent: "privilege_review".into(),
        question: None,
        scope: Default::default(),
        options: serde_json::Value::Null,
    };
    let started = Instant::now();
    let run = agents.submit(&bench_tenant(), "bench", request).await.expect("submit run");
    let run = loop {
        let run = agents.run(&bench_tenant(), run.summary.id).await.expect("run").expect("run exists");
        if run.summary.status.is_finished() {
            break run;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let wall = started.elapsed().as_secs_f64();
    assert_eq!(run.summary.status, RunState::Succeeded, "{:?}", run.summary.error);
    let examined = run.summary.documents_examined;
    println!(
        "privilege review: {examined} documents in {wall:.2} s: {:.0} documents/s ({:.0} an hour)",
        examined as f64 / wall,
        examined as f64 / wall * 3600.0
    );
    for step in &run.steps {
        println!("  step {:<40} {:>8} documents {:>8} ms", step.name, step.documents, step.duration_ms);
    }
    if let Some(counts) = run.output.as_ref().and_then(|o| o.get("counts")) {
        println!("  calls: {counts}");
    }
    agents.shutdown().await;
    corpus.shutdown().await;
}
