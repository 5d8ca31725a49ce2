//! Ledger throughput: durable usage events per second through `Ledger::record`, against a
//! JSON-file baseline (the whole per-tenant usage document rewritten and fsynced for every
//! event) and a raw-SQLite ceiling (the same rows, in transactions of the ledger's observed
//! batch size, on one connection, without aggregates).
//!
//! Run with `cargo bench -p docket-ledger --bench ledger_throughput`. Every measurement gets a
//! fresh folder under the system temporary directory (or `LEDGER_BENCH_DIR`), which must be
//! on a real disk: on tmpfs an fsync costs nothing and the numbers mean nothing.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use docket_billing::{PlanId, TenantId};
use docket_ledger::{EventKind, Ledger, LedgerOptions, UsageEvent};
use serde::Serialize;
use tokio::sync::broadcast::error::RecvError;

const TENANTS: usize = 100;
const WRITERS: [usize; 3] = [1, 16, 64];
/// Events per configuration: (writers, events per call) -> events. Chosen so that the whole
/// program, baseline and ceiling included, runs in about two minutes on 2 cores with a
/// ~3 ms fsync.
const LEDGER_RUNS: [(usize, usize, usize); 6] =
    [(1, 1, 2_000), (16, 1, 16_000), (64, 1, 64_000), (1, 100, 20_000), (16, 100, 160_000), (64, 100, 320_000)];
/// Events per baseline configuration: every one costs a whole-file rewrite and an fsync.
const BASELINE_EVENTS: usize = 1_024;
/// Distinct users (seats) per tenant.
const USERS_PER_TENANT: u64 = 10;

/// A small, fast, deterministic generator (xorshift64*): the benchmark needs spread, not
/// statistical quality.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

fn tenant_ids() -> Vec<TenantId> {
    (0..TENANTS).map(|i| TenantId::parse(&format!("tenant-{i:03}")).expect("valid tenant id")).collect()
}

/// One metered request: a query by one of the tenant's users, with a fresh unique id.
fn event(tenants: &[TenantId], rng: &mut Rng) -> UsageEvent {
    let tenant = &tenants[rng.below(TENANTS as u64) as usize];
    let mut e = UsageEvent::now(tenant.clone(), EventKind::Query, 1);
    e.subject = Some(format!("user-{}@{}", rng.below(USERS_PER_TENANT), tenant.as_str()));
    e.latency_ms = Some(1 + rng.below(250));
    e
}

/// A fresh folder for one measurement.
fn fresh_dir() -> tempfile::TempDir {
    match std::env::var_os("LEDGER_BENCH_DIR") {
        Some(base) => tempfile::tempdir_in(base),
        None => tempfile::tempdir(),
    }
    .expect("temporary folder")
}

// ---------------------------------------------------------------------------------------
// The machine
// ---------------------------------------------------------------------------------------

struct Machine {
    cpus: usize,
    memory_gib: f64,
    base: PathBuf,
    device: String,
    fs_type: String,
    fsync_ms: f64,
    fsync_p50_ms: f64,
    fsync_p99_ms: f64,
    load: String,
}

/// The 1-, 5- and 15-minute load averages: other work on the machine shows here.
fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// Device and filesystem type of the mount holding `path` (longest matching mount point).
fn mount_of(path: &Path) -> (String, String) {
    let path = path.canonicalize().unwrap_or_else(|_| path.to_owned());
    let mounts = fs::read_to_string("/proc/mounts").unwrap_or_default();
    let mut best: Option<(usize, String, String)> = None;
    for line in mounts.lines() {
        let mut fields = line.split_whitespace();
        let (Some(device), Some(point), Some(fs_type)) = (fields.next(), fields.next(), fields.next()) else {
            continue;
        };
        if path.starts_with(point) && best.as_ref().is_none_or(|(len, _, _)| point.len() > *len) {
            best = Some((point.len(), device.to_owned(), fs_type.to_owned()));
        }
    }
    best.map(|(_, d, t)| (d, t)).unwrap_or_else(|| ("?".into(), "?".into()))
}

/// Average, median and 99th percentile of 200 overwrites of one 4 KiB block, each followed by
/// fdatasync, on a preallocated file.
fn fsync_latency() -> (f64, f64, f64) {
    let dir = fresh_dir();
    let file = OpenOptions::new()
        .create(true)
        .truncate(true)
        .read(true)
        .write(true)
        .open(dir.path().join("probe"))
        .expect("probe file");
    let block = [0x5au8; 4096];
    file.write_all_at(&block, 0).expect("write");
    file.sync_all().expect("fsync");
    let mut samples = Vec::with_capacity(200);
    for i in 0..200u8 {
        let mut b = block;
        b[0] = i;
        let start = Instant::now();
        file.write_all_at(&b, 0).expect("write");
        file.sync_data().expect("fdatasync");
        samples.push(start.elapsed());
    }
    let avg = samples.iter().sum::<Duration>().as_secs_f64() * 1e3 / samples.len() as f64;
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    (avg, ms(samples[samples.len() / 2]), ms(samples[samples.len() * 99 / 100]))
}

fn machine() -> Machine {
    let load = load_average();
    let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let memory_gib = fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
        })
        .map(|kb| kb / (1024.0 * 1024.0))
        .unwrap_or(0.0);
    let probe = fresh_dir();
    let base = probe.path().parent().map(Path::to_owned).unwrap_or_default();
    let (device, fs_type) = mount_of(probe.path());
    drop(probe);
    let (fsync_ms, fsync_p50_ms, fsync_p99_ms) = fsync_latency();
    Machine { cpus, memory_gib, base, device, fs_type, fsync_ms, fsync_p50_ms, fsync_p99_ms, load }
}

// ---------------------------------------------------------------------------------------
// Docket's ledger
// ---------------------------------------------------------------------------------------

struct LedgerRun {
    writers: usize,
    per_call: usize,
    events: usize,
    seconds: f64,
    commits: u64,
    ack_p50_ms: f64,
    ack_p99_ms: f64,
}

impl LedgerRun {
    fn rate(&self) -> f64 {
        self.events as f64 / self.seconds
    }

    fn per_commit(&self) -> f64 {
        self.events as f64 / self.commits.max(1) as f64
    }
}

async fn run_ledger(writers: usize, per_call: usize, events: usize) -> LedgerRun {
    let dir = fresh_dir();
    let url = format!("sqlite://{}", dir.path().join("ledger.sqlite3").display());
    let ledger = Ledger::open(&LedgerOptions { url, max_connections: 4 }).await.expect("open ledger");
    let tenants = Arc::new(tenant_ids());
    for (i, t) in tenants.iter().enumerate() {
        ledger
            .create_tenant(t, &format!("Organisation {i}"), PlanId::ALL[i % PlanId::ALL.len()])
            .await
            .expect("tenant");
    }

    // One `Committed` per committed batch (all ids are unique, so every batch has new events).
    let mut commits = ledger.subscribe();
    let counter = tokio::spawn(async move {
        let mut n = 0u64;
        loop {
            match commits.recv().await {
                Ok(_) => n += 1,
                Err(RecvError::Lagged(missed)) => n += missed,
                Err(RecvError::Closed) => return n,
            }
        }
    });

    let calls = events / (writers * per_call);
    assert_eq!(calls * writers * per_call, events, "events must split evenly over writers and calls");
    let start = Instant::now();
    let mut handles = Vec::with_capacity(writers);
    for w in 0..writers {
        let ledger = ledger.clone();
        let tenants = Arc::clone(&tenants);
        handles.push(tokio::spawn(async move {
            let mut rng = Rng::new(w as u64 + 1);
            let mut acks = Vec::with_capacity(calls);
            for _ in 0..calls {
                let batch: Vec<UsageEvent> = (0..per_call).map(|_| event(&tenants, &mut rng)).collect();
                let sent = Instant::now();
                let outcome = ledger.record(batch).await.expect("record");
                acks.push(sent.elapsed());
                assert_eq!(outcome.recorded, per_call as u64, "every event is new");
            }
            acks
        }));
    }
    let mut acks = Vec::with_capacity(events / per_call);
    for h in handles {
        acks.extend(h.await.expect("writer"));
    }
    let seconds = start.elapsed().as_secs_f64();
    ledger.close().await;
    drop(ledger);
    let commits = counter.await.expect("commit counter");
    acks.sort();
    let pct = |p: usize| acks[(acks.len() * p / 100).min(acks.len() - 1)].as_secs_f64() * 1e3;
    LedgerRun { writers, per_call, events, seconds, commits, ack_p50_ms: pct(50), ack_p99_ms: pct(99) }
}

// ---------------------------------------------------------------------------------------
// Baseline: one JSON document of per-tenant usage, rewritten durably for every event
// ---------------------------------------------------------------------------------------

#[derive(Default, Serialize)]
struct TenantUsage {
    queries: u64,
    ingest_bytes: u64,
    timeline_requests: u64,
    agent_runs: u64,
    signups: u64,
    events: u64,
    last_event_at: Option<String>,
}

#[derive(Serialize)]
struct UsageDocument {
    period: String,
    tenants: BTreeMap<String, TenantUsage>,
}

struct JsonStore {
    dir: PathBuf,
    doc: UsageDocument,
}

impl JsonStore {
    /// Apply one event and make the whole document durable: serialise, write a temporary
    /// file, fsync it, rename it over the previous one.
    fn record(&mut self, e: &UsageEvent) {
        let usage = self.doc.tenants.entry(e.tenant_id.as_str().to_owned()).or_default();
        match e.kind {
            EventKind::Query => usage.queries += e.units,
            EventKind::Ingestion => usage.ingest_bytes += e.bytes,
            EventKind::Timeline => usage.timeline_requests += e.units,
            EventKind::Agent => usage.agent_runs += e.units,
            EventKind::Signup => usage.signups += e.units,
        }
        usage.events += 1;
        usage.last_event_at = Some(e.occurred_at.to_string());
        let body = serde_json::to_vec_pretty(&self.doc).expect("serialise");
        let tmp = self.dir.join("usage.json.tmp");
        let mut f = File::create(&tmp).expect("temporary file");
        f.write_all(&body).expect("write");
        f.sync_all().expect("fsync");
        fs::rename(&tmp, self.dir.join("usage.json")).expect("rename");
    }
}

struct BaselineRun {
    writers: usize,
    events: usize,
    seconds: f64,
}

async fn run_baseline(writers: usize, events: usize) -> BaselineRun {
    let dir = fresh_dir();
    let tenants = Arc::new(tenant_ids());
    let period = docket_billing::BillingPeriod::containing(time::OffsetDateTime::now_utc()).to_string();
    let doc = UsageDocument {
        period,
        tenants: tenants.iter().map(|t| (t.as_str().to_owned(), TenantUsage::default())).collect(),
    };
    let store = Arc::new(Mutex::new(JsonStore { dir: dir.path().to_owned(), doc }));
    let per_writer = events / writers;
    assert_eq!(per_writer * writers, events, "events must split evenly over writers");
    let start = Instant::now();
    let mut handles = Vec::with_capacity(writers);
    for w in 0..writers {
        let store = Arc::clone(&store);
        let tenants = Arc::clone(&tenants);
        handles.push(tokio::spawn(async move {
            let mut rng = Rng::new(w as u64 + 1);
            for _ in 0..per_writer {
                let e = event(&tenants, &mut rng);
                let store = Arc::clone(&store);
                // File I/O blocks: run it off the async workers, like a careful service would.
                tokio::task::spawn_blocking(move || store.lock().expect("store lock").record(&e))
                    .await
                    .expect("baseline write");
            }
        }));
    }
    for h in handles {
        h.await.expect("writer");
    }
    BaselineRun { writers, events, seconds: start.elapsed().as_secs_f64() }
}

// ---------------------------------------------------------------------------------------
// Ceiling: raw SQLite inserts of the same rows, no aggregates
// ---------------------------------------------------------------------------------------

struct CeilingRun {
    txn_size: usize,
    seconds: f64,
}

fn run_ceiling(events: usize, txn_size: usize) -> CeilingRun {
    let dir = fresh_dir();
    let mut conn = rusqlite::Connection::open(dir.path().join("ceiling.sqlite3")).expect("open sqlite");
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).expect("WAL");
    assert_eq!(mode, "wal");
    conn.execute_batch(
        "PRAGMA synchronous = FULL;
         CREATE TABLE usage_events (
             event_id    TEXT PRIMARY KEY,
             tenant_id   TEXT NOT NULL,
             kind        TEXT NOT NULL,
             units       BIGINT NOT NULL,
             bytes       BIGINT NOT NULL,
             latency_ms  BIGINT,
             subject     TEXT,
             attributes  TEXT NOT NULL,
             occurred_at BIGINT NOT NULL,
             period      TEXT NOT NULL,
             recorded_at BIGINT NOT NULL
         );
         CREATE INDEX usage_events_by_tenant ON usage_events (tenant_id, occurred_at);",
    )
    .expect("schema");
    let tenants = tenant_ids();
    let mut rng = Rng::new(7);
    let rows: Vec<UsageEvent> = (0..events).map(|_| event(&tenants, &mut rng)).collect();
    let millis = |at: time::OffsetDateTime| (at.unix_timestamp_nanos() / 1_000_000) as i64;

    let start = Instant::now();
    for chunk in rows.chunks(txn_size) {
        let now = millis(time::OffsetDateTime::now_utc());
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).expect("begin");
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO usage_events (event_id, tenant_id, kind, units, bytes, latency_ms, subject, attributes, occurred_at, period, recorded_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                )
                .expect("prepare");
            for e in chunk {
                insert
                    .execute(rusqlite::params![
                        e.event_id,
                        e.tenant_id.as_str(),
                        e.kind.as_str(),
                        e.units as i64,
                        e.bytes as i64,
                        e.latency_ms.map(|v| v as i64),
                        e.subject,
                        e.attributes.to_string(),
                        millis(e.occurred_at),
                        e.period().to_string(),
                        now,
                    ])
                    .expect("insert");
            }
        }
        tx.commit().expect("commit");
    }
    CeilingRun { txn_size, seconds: start.elapsed().as_secs_f64() }
}

// ---------------------------------------------------------------------------------------

/// `LEDGER_BENCH_ONLY=ledger` (or `baseline`, `ledger 64w`, `ledger 16w 100/call`...) runs only
/// the configurations whose name contains it.
fn selected(name: &str) -> bool {
    std::env::var("LEDGER_BENCH_ONLY").map_or(true, |only| name.contains(only.as_str()))
}

fn mode_name(per_call: usize) -> &'static str {
    if per_call == 1 { "1 event/call" } else { "100 events/call" }
}

#[tokio::main]
async fn main() {
    // `cargo bench` passes `--bench`; nothing here takes arguments.
    let total = Instant::now();
    let m = machine();
    println!("# Ledger throughput");
    println!();
    println!(
        "machine: {} CPUs, {:.1} GiB RAM; data in fresh folders under {} ({} {}); \
         fsync (4 KiB write + fdatasync, 200 runs): avg {:.2} ms, p50 {:.2} ms, p99 {:.2} ms; SQLite {}",
        m.cpus,
        m.memory_gib,
        m.base.display(),
        m.device,
        m.fs_type,
        m.fsync_ms,
        m.fsync_p50_ms,
        m.fsync_p99_ms,
        rusqlite::version()
    );
    if m.fs_type == "tmpfs" || m.fs_type == "ramfs" {
        println!("WARNING: the temporary folder is in memory; set LEDGER_BENCH_DIR to a folder on a disk");
    }
    println!();

    // Each writer count's baseline runs right before its ledger runs, and each ceiling right
    // after its ledger run, so that every ratio compares runs made under the same disk weather.
    let mut baselines = Vec::new();
    let mut runs = Vec::new();
    for writers in WRITERS {
        if selected(&format!("baseline {writers}w")) {
            let b = run_baseline(writers, BASELINE_EVENTS).await;
            eprintln!("baseline, {writers} writers: {:.0} events/s", b.events as f64 / b.seconds);
            baselines.push(b);
        }
        for (w, per_call, events) in LEDGER_RUNS {
            if w != writers || !selected(&format!("ledger {writers}w {per_call}/call")) {
                continue;
            }
            let run = run_ledger(writers, per_call, events).await;
            let txn_size = run.per_commit().round().max(1.0) as usize;
            let ceiling = tokio::task::spawn_blocking(move || run_ceiling(events, txn_size)).await.expect("ceiling");
            eprintln!(
                "ledger, {writers} writers, {}: {:.0} events/s, {:.1} events/commit; ceiling {:.0} events/s",
                mode_name(per_call),
                run.rate(),
                run.per_commit(),
                events as f64 / ceiling.seconds
            );
            runs.push((run, ceiling));
        }
    }

    let baseline_rate = |writers: usize| {
        let b = baselines.iter().find(|b| b.writers == writers);
        b.map_or(f64::NAN, |b| b.events as f64 / b.seconds)
    };
    println!("| configuration | events | seconds | events/s | x baseline | % of ceiling |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for b in &baselines {
        println!(
            "| baseline JSON file, {} writer{} | {} | {:.2} | {:.0} | 1.0 | - |",
            b.writers,
            if b.writers == 1 { "" } else { "s" },
            b.events,
            b.seconds,
            b.events as f64 / b.seconds
        );
    }
    for (run, ceiling) in &runs {
        let ceiling_rate = run.events as f64 / ceiling.seconds;
        println!(
            "| ledger, {} writer{}, {} | {} | {:.2} | {:.0} | {:.1} | {:.0}% |",
            run.writers,
            if run.writers == 1 { "" } else { "s" },
            mode_name(run.per_call),
            run.events,
            run.seconds,
            run.rate(),
            run.rate() / baseline_rate(run.writers),
            100.0 * run.rate() / ceiling_rate
        );
    }
    println!();
    println!(
        "| configuration | commits | events/commit | ack p50 ms | ack p99 ms | ceiling txn size | ceiling events/s |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (run, ceiling) in &runs {
        println!(
            "| ledger, {} writer{}, {} | {} | {:.1} | {:.2} | {:.2} | {} | {:.0} |",
            run.writers,
            if run.writers == 1 { "" } else { "s" },
            mode_name(run.per_call),
            run.commits,
            run.per_commit(),
            run.ack_p50_ms,
            run.ack_p99_ms,
            ceiling.txn_size,
            run.events as f64 / ceiling.seconds
        );
    }
    println!();
    println!(
        "total time: {:.0} s; load average at start {}, at end {}",
        total.elapsed().as_secs_f64(),
        m.load,
        load_average()
    );
}
