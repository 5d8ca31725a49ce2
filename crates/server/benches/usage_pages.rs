//! `GET /billing/usage` at scale: 10,000 onboarded tenants with usage, the real server on
//! loopback, one client asking in turn for pages of 100 in several orders and filters, the
//! summary alone (`limit=1`) and the whole list (the export form).
//!
//! Run: `cargo bench -p docket-server --bench usage_pages` (DOCKET_BENCH_TENANTS=10000 and
//! DOCKET_BENCH_REQUESTS=200 change the sizes).

use std::time::{Duration, Instant};

use clap::Parser;
use docket_billing::{PlanId, TenantId};
use docket_ledger::{EventKind, Ledger, LedgerOptions, UsageEvent};
use docket_server::{Authenticator, Config};
use serde_json::{Value, json};

#[derive(Parser)]
struct Args {
    #[command(flatten)]
    config: Config,
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let tenants: usize = std::env::var("DOCKET_BENCH_TENANTS").ok().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let requests: usize = std::env::var("DOCKET_BENCH_REQUESTS").ok().and_then(|s| s.parse().ok()).unwrap_or(200);
    let storage = tempfile::tempdir_in(std::env::var("DOCKET_BENCH_DIR").unwrap_or_else(|_| ".".into()))
        .expect("temporary storage");
    let storage_arg = storage.path().display().to_string();
    let config = Args::try_parse_from([
        "docket",
        "--storage",
        &storage_arg,
        "--jwt-secret",
        "bench-secret-0123456789-abcdefghijklmnopq",
        "--log-format",
        "text",
    ])
    .expect("configuration")
    .config;

    // The tenants and their usage go straight into the ledger the server then opens.
    std::fs::create_dir_all(storage.path().join("billing")).expect("billing folder");
    let started = Instant::now();
    let ledger = Ledger::open(&LedgerOptions { url: config.ledger_url(), max_connections: 8 }).await.expect("ledger");
    let intake = json!({"organization": "Bench Firm", "contact_name": "B", "contact_email": "b@example.com",
        "primary_use_case": "bench", "departments": ["litigation"], "seats": 20, "estimated_matters_per_month": 10,
        "roi_baseline_hours_per_matter": 5, "automation_target_percent": 20, "success_criteria": ["faster review"],
        "go_live_date": "2027-01-01"});
    let mut handles = Vec::new();
    for worker in 0..16 {
        let ledger = ledger.clone();
        let intake = intake.clone();
        handles.push(tokio::spawn(async move {
            for i in (worker..tenants).step_by(16) {
                let id = TenantId::parse(&format!("firm-{i:05}")).expect("tenant id");
                let plan = [PlanId::Community, PlanId::Professional, PlanId::Enterprise][i % 3];
                let organization = format!("Firm {i:05} LLP");
                ledger.onboard(&id, &organization, plan, &intake, &json!({}), None).await.expect("onboard");
            }
        }));
    }
    for h in handles {
        h.await.expect("onboarding worker");
    }
    let mut events = Vec::new();
    for i in 0..tenants {
        let id = TenantId::parse(&format!("firm-{i:05}")).expect("tenant id");
        if i % 5 != 4 {
            let mut e = UsageEvent::now(id.clone(), EventKind::Query, ((i * 7919) % 30_000) as u64 + 1);
            e.subject = Some(format!("user-{}", i % 7));
            events.push(e);
            let mut g = UsageEvent::now(id, EventKind::Ingestion, 1);
            g.bytes = ((i * 104_729) % 300) as u64 * 1_000_000_000;
            events.push(g);
        }
        if events.len() >= 1_000 {
            ledger.record(std::mem::take(&mut events)).await.expect("record");
        }
    }
    ledger.record(events).await.expect("record");
    ledger.close().await;
    let setup = started.elapsed();

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
    let auth = Authenticator::from_config(&config).expect("auth");
    let own = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let token = auth
        .sign(&Authenticator::claims(
            "bench",
            None,
            &own(&["CustomerSuccessManager"]),
            &own(&["billing:read"]),
            &own(&["docket-billing"]),
            time::Duration::hours(4),
        ))
        .expect("token");
    let get = async |path: &str| -> (Duration, usize, Value) {
        let t = Instant::now();
        let resp = client.get(format!("{base}{path}")).bearer_auth(&token).send().await.expect("request");
        assert!(resp.status().is_success(), "{path}: {}", resp.status());
        let body = resp.bytes().await.expect("body");
        let elapsed = t.elapsed();
        (elapsed, body.len(), serde_json::from_slice(&body).expect("json"))
    };
    let (first, _, whole) = get("/billing/usage?limit=1").await;
    assert_eq!(whole["summary"]["tenants"], tenants);
    println!(
        "{tenants} tenants: setup {:.1} s; first request (reads the period into memory) {:.1} ms",
        setup.as_secs_f64(),
        first.as_secs_f64() * 1000.0
    );
    println!();
    println!("| request | requests | p50 ms | p99 ms | max ms | body KB |");
    println!("| --- | --- | --- | --- | --- | --- |");
    let cases = [
        ("page of 100, sort=-health", "/billing/usage?limit=100&sort=-health".to_owned()),
        ("page of 100, sort=usage_ratio", "/billing/usage?limit=100&sort=usage_ratio".to_owned()),
        (
            "page of 100, sort=-projected_cost, plan=professional",
            "/billing/usage?limit=100&sort=-projected_cost&plan=professional".to_owned(),
        ),
        (
            "page of 100, flagged=true, q=firm-0",
            "/billing/usage?limit=100&flagged=true&q=firm-0&sort=-last_activity".to_owned(),
        ),
        ("summary only (limit=1)", "/billing/usage?limit=1".to_owned()),
    ];
    for (name, path) in &cases {
        let mut times = Vec::with_capacity(requests);
        let mut size = 0;
        for _ in 0..requests {
            let (t, n, _) = get(path).await;
            times.push(t);
            size = n;
        }
        times.sort();
        println!(
            "| {name} | {requests} | {:.2} | {:.2} | {:.2} | {} |",
            percentile(&times, 0.5),
            percentile(&times, 0.99),
            percentile(&times, 1.0),
            size / 1000
        );
    }
    // Walking pages with the cursor: every tenant once.
    let mut times = Vec::new();
    let mut cursor: Option<String> = None;
    let mut seen = 0;
    loop {
        let path = match &cursor {
            None => "/billing/usage?limit=100&sort=-health".to_owned(),
            Some(c) => format!("/billing/usage?limit=100&sort=-health&cursor={c}"),
        };
        let (t, _, body) = get(&path).await;
        times.push(t);
        seen += body["tenants"].as_array().map_or(0, Vec::len);
        match body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, tenants);
    times.sort();
    println!(
        "| every page of 100 in turn (cursor), sort=-health | {} | {:.2} | {:.2} | {:.2} | |",
        times.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        percentile(&times, 1.0)
    );
    let mut times = Vec::new();
    let mut size = 0;
    for _ in 0..5 {
        let (t, n, _) = get("/billing/usage").await;
        times.push(t);
        size = n;
    }
    times.sort();
    println!(
        "| whole list (no limit, exports) | 5 | {:.2} | {:.2} | {:.2} | {} |",
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        percentile(&times, 1.0),
        size / 1000
    );
    let _ = stop.send(());
    let _ = server.await;
}
