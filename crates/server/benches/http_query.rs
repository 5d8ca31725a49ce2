//! Query latency over HTTP: the real server on loopback, a tenant with N indexed passages,
//! 16 concurrent clients. Also ingestion throughput of inline text through the API.
//!
//! Run: `cargo bench -p docket-server --bench http_query` (DOCKET_BENCH_PASSAGES=10000,100000
//! and DOCKET_BENCH_QUERIES=4000 change the sizes; DOCKET_BENCH_VOCABULARY=narrow writes with
//! 40 words only, the worst case for broad queries).

use std::time::{Duration, Instant};

use clap::Parser;
use docket_server::{Authenticator, Config};
use serde_json::{Value, json};

#[derive(Parser)]
struct Args {
    #[command(flatten)]
    config: Config,
}

const WORDS: &[&str] = &[
    "contract",
    "delivery",
    "invoice",
    "vessel",
    "cargo",
    "breach",
    "damages",
    "warranty",
    "arbitration",
    "notice",
    "payment",
    "schedule",
    "amendment",
    "survey",
    "inspection",
    "container",
    "freight",
    "charter",
    "demurrage",
    "claim",
    "settlement",
    "deposition",
    "counsel",
    "exhibit",
    "witness",
    "hearing",
    "motion",
    "discovery",
    "privilege",
    "memo",
    "shipment",
    "port",
    "customs",
    "insurance",
    "liability",
    "indemnity",
    "termination",
    "clause",
    "party",
    "agreement",
];

/// A deterministic pseudo-random stream, so that runs are comparable.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() as usize) % n
    }
}

/// The words passages are written with. `Wide` (the default): the 40 legal words first, then
/// 3,000 generated words, drawn with a Zipf-like skew, so that a legal word is in about one
/// passage in ten, as in real correspondence. `Narrow` (`DOCKET_BENCH_VOCABULARY=narrow`): the 40
/// legal words only, drawn evenly, so that every word is in three passages out of four: the worst
/// case, where each query matches most of the index.
struct Vocabulary {
    words: Vec<String>,
    skewed: bool,
}

impl Vocabulary {
    fn new(rng: &mut Lcg) -> Vocabulary {
        let mut words: Vec<String> = WORDS.iter().map(|w| (*w).to_owned()).collect();
        let narrow = std::env::var("DOCKET_BENCH_VOCABULARY").is_ok_and(|v| v == "narrow");
        if !narrow {
            const SYLLABLES: &[&str] = &[
                "ra", "to", "mi", "ka", "ne", "lo", "su", "ve", "di", "par", "con", "tal", "ber", "mon", "sel", "gra",
            ];
            while words.len() < WORDS.len() + 3_000 {
                let n = 2 + rng.below(3);
                words.push((0..n).map(|_| SYLLABLES[rng.below(SYLLABLES.len())]).collect());
            }
        }
        Vocabulary { words, skewed: !narrow }
    }

    /// A word of the text.
    fn word(&self, rng: &mut Lcg) -> &str {
        let n = self.words.len();
        let i = if self.skewed { rng.below(n) * rng.below(n) / n } else { rng.below(n) };
        &self.words[i]
    }

    /// A query word: one of the legal words.
    fn query_word(&self, rng: &mut Lcg) -> &str {
        &self.words[rng.below(WORDS.len())]
    }
}

/// One passage: three sentences of about 150 bytes each (the index makes one passage of it).
fn passage(rng: &mut Lcg, vocabulary: &Vocabulary, n: usize) -> String {
    let mut p = String::new();
    for s in 0..3 {
        let words: Vec<&str> = (0..18).map(|_| vocabulary.word(rng)).collect();
        p.push_str(&format!("Item {n}.{s}: The {} {}.\n", words.join(" "), rng.next() % 10_000));
    }
    p.push('\n');
    p
}

/// CPU time this process has used (user and system), from /proc/self/stat: latency on a
/// shared machine moves with the other load, the CPU a query costs much less.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces), closed by the last ')'.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of stat; `rest` starts at field 3 (the state).
    let field = |n: usize| fields.get(n - 3).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
    let ticks = field(14) + field(15);
    Duration::from_millis(ticks * 10)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let sizes: Vec<u64> = std::env::var("DOCKET_BENCH_PASSAGES")
        .unwrap_or_else(|_| "10000,100000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let queries: usize = std::env::var("DOCKET_BENCH_QUERIES").ok().and_then(|s| s.parse().ok()).unwrap_or(4_000);
    println!(
        "| passages | ingest MB/s (API, inline text) | queries | clients | p50 ms | p99 ms | queries/s | CPU ms/query |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for passages in sizes {
        run(passages, queries).await;
    }
}

async fn run(target_passages: u64, queries: usize) {
    let storage = tempfile::tempdir_in(std::env::var("DOCKET_BENCH_DIR").unwrap_or_else(|_| ".".into()))
        .expect("temporary storage");
    let storage_arg = storage.path().display().to_string();
    let config = Args::try_parse_from([
        "docket",
        "--storage",
        &storage_arg,
        "--jwt-secret",
        "bench-secret-0123456789-abcdefghijklmnopq",
        "--max-body-bytes",
        "67108864",
        "--log-format",
        "text",
    ])
    .expect("configuration")
    .config;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(docket_server::serve(config.clone(), listener, async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();
    while client.get(format!("{base}/health")).send().await.is_err() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let intake = json!({"organization": "Bench Firm", "contact_name": "B", "contact_email": "b@example.com",
        "primary_use_case": "bench", "departments": ["x"], "seats": 20, "estimated_matters_per_month": 10,
        "roi_baseline_hours_per_matter": 5, "automation_target_percent": 20, "success_criteria": ["x"],
        "go_live_date": "2027-01-01"});
    let resp = client.post(format!("{base}/onboarding")).json(&intake).send().await.expect("onboard");
    assert!(resp.status().is_success(), "onboarding failed");
    let auth = Authenticator::from_config(&config).expect("auth");
    let own = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let token = auth
        .sign(&Authenticator::claims(
            "bench",
            Some("bench-firm"),
            &own(&["CaseCoordinator"]),
            &own(&["ingest:write", "ingest:read", "query:read"]),
            &own(&["docket-api"]),
            time::Duration::hours(4),
        ))
        .expect("token");

    // Documents of 20 passages each, submitted 250 to a job.
    let mut rng = Lcg(42);
    let vocabulary = std::sync::Arc::new(Vocabulary::new(&mut rng));
    let per_doc = 20u64;
    let docs = target_passages.div_ceil(per_doc);
    let mut bytes = 0usize;
    let started = Instant::now();
    let mut jobs = Vec::new();
    let mut n = 0usize;
    for chunk_start in (0..docs).step_by(250) {
        let sources: Vec<Value> = (chunk_start..(chunk_start + 250).min(docs))
            .map(|d| {
                let content: String = (0..per_doc)
                    .map(|_| {
                        n += 1;
                        passage(&mut rng, &vocabulary, n)
                    })
                    .collect();
                bytes += content.len();
                json!({"type": "inline", "name": format!("doc-{d}.txt"), "content": content})
            })
            .collect();
        let resp = client
            .post(format!("{base}/ingest"))
            .bearer_auth(&token)
            .json(&json!({"sources": sources}))
            .send()
            .await
            .expect("ingest");
        let job: Value = resp.json().await.expect("job");
        jobs.push(job["job_id"].as_str().expect("job id").to_owned());
    }
    for id in &jobs {
        loop {
            let resp = client.get(format!("{base}/ingest/{id}")).bearer_auth(&token).send().await.expect("status");
            if resp.status() == reqwest::StatusCode::OK {
                let job: Value = resp.json().await.expect("job");
                assert_eq!(job["failed"], 0, "{job}");
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let ingest_secs = started.elapsed().as_secs_f64();
    // The index settles first (its segments' merges, which run after the jobs end, finish), so
    // that the queries measure themselves and not the merges: until the process spends under a
    // tenth of a core over half a second, for at most a minute.
    let settling = Instant::now();
    while settling.elapsed() < Duration::from_secs(60) {
        let before = cpu_time();
        tokio::time::sleep(Duration::from_millis(500)).await;
        if cpu_time() - before < Duration::from_millis(50) {
            break;
        }
    }
    eprintln!("settled in {:.1} s", settling.elapsed().as_secs_f64());
    let health: Value = client.get(format!("{base}/health")).send().await.expect("health").json().await.expect("json");
    let indexed = health["indexed_passages"].as_u64().unwrap_or(0);

    // 16 clients, each its share of one- and two-word queries.
    let clients = 16;
    let started = Instant::now();
    let cpu_before = cpu_time();
    let mut handles = Vec::new();
    for c in 0..clients {
        let client = client.clone();
        let base = base.clone();
        let token = token.clone();
        let vocabulary = vocabulary.clone();
        handles.push(tokio::spawn(async move {
            let mut rng = Lcg(1000 + c as u64);
            let mut latencies = Vec::new();
            for i in 0..queries / clients {
                let q = if i % 2 == 0 {
                    vocabulary.query_word(&mut rng).to_owned()
                } else {
                    format!("{} {}", vocabulary.query_word(&mut rng), vocabulary.word(&mut rng))
                };
                let t = Instant::now();
                let resp = client
                    .get(format!("{base}/query"))
                    .bearer_auth(&token)
                    .query(&[("q", q.as_str())])
                    .send()
                    .await
                    .expect("query");
                let status = resp.status();
                let body = resp.bytes().await.expect("body");
                assert!(status.is_success(), "query {q:?}: {status} {}", String::from_utf8_lossy(&body));
                latencies.push(t.elapsed());
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for h in handles {
        all.extend(h.await.expect("client"));
    }
    let query_secs = started.elapsed().as_secs_f64();
    let cpu_per_query = (cpu_time() - cpu_before).as_secs_f64() * 1000.0 / all.len() as f64;
    all.sort();
    println!(
        "| {indexed} | {:.1} | {} | {clients} | {:.2} | {:.2} | {:.0} | {cpu_per_query:.2} |",
        bytes as f64 / 1e6 / ingest_secs,
        all.len(),
        percentile(&all, 0.50),
        percentile(&all, 0.99),
        all.len() as f64 / query_secs
    );
    let _ = stop.send(());
    let _ = server.await;
}
