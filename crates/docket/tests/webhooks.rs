//! `docket webhooks deliveries` over an outbox with a delivered, a retried and a dead delivery.

use std::process::{Command, Output};
use std::time::Duration;

use docket_billing::{PlanId, TenantId};
use docket_ledger::{AttemptOutcome, EventKind, Ledger, LedgerOptions, UsageEvent, WebhookAttempt};
use time::OffsetDateTime;

fn docket(storage: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_docket"))
        .env("DOCKET_STORAGE_DIR", storage)
        .env("DOCKET_LOG", "warn")
        .env_remove("DOCKET_ALERT_WEBHOOKS")
        .args(args)
        .output()
        .expect("run docket")
}

fn attempt(n: u32, status: Option<u16>, error: Option<&str>) -> WebhookAttempt {
    WebhookAttempt {
        attempt: n,
        started_at: OffsetDateTime::now_utc(),
        duration_ms: 7,
        status_code: status,
        error: error.map(str::to_owned),
    }
}

/// Two URLs, one alert: the first delivered after a 500, the second still pending after a
/// refused connection.
async fn outbox(storage: &std::path::Path) {
    std::fs::create_dir_all(storage.join("billing")).unwrap();
    let url = format!("sqlite://{}", storage.join("billing/ledger.sqlite3").display());
    let ledger = Ledger::open(&LedgerOptions { url, max_connections: 2 }).await.unwrap();
    ledger.set_alert_webhooks(vec![
        "https://hooks.example.com/a".into(),
        "http://ops:hunter2-password@127.0.0.1:9/b".into(),
    ]);
    let t = TenantId::parse("lowe-partners").unwrap();
    ledger.create_tenant(&t, "Lowe Partners", PlanId::Community).await.unwrap();
    ledger.record(vec![UsageEvent::now(t, EventKind::Query, 400)]).await.unwrap();
    let now = OffsetDateTime::now_utc();
    let claimed = ledger.claim_webhook_deliveries(now, Duration::from_secs(30), 10).await.unwrap();
    assert_eq!(claimed.len(), 2);
    for d in &claimed {
        let (a, retry) = if d.url.contains("hooks.example.com") {
            (attempt(1, Some(500), Some("HTTP 500")), now)
        } else {
            (attempt(1, None, Some("connection refused")), now + Duration::from_secs(3600))
        };
        ledger.finish_webhook_attempt(&d.delivery_id, &a, AttemptOutcome::RetryAt(retry)).await.unwrap();
    }
    let d = ledger.claim_webhook_deliveries(now, Duration::from_secs(30), 10).await.unwrap().remove(0);
    ledger
        .finish_webhook_attempt(&d.delivery_id, &attempt(2, Some(204), None), AttemptOutcome::Delivered)
        .await
        .unwrap();
    ledger.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_are_listed_with_their_attempts_as_json_csv_or_a_table() {
    let dir = tempfile::tempdir().unwrap();
    outbox(dir.path()).await;

    let out = docket(dir.path(), &["webhooks", "deliveries"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let all: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON when not on a terminal");
    let list = all["deliveries"].as_array().unwrap();
    assert_eq!(list.len(), 2, "{all}");
    let delivered = list.iter().find(|d| d["status"] == "delivered").expect("one delivered");
    let codes: Vec<&serde_json::Value> =
        delivered["attempt_log"].as_array().unwrap().iter().map(|a| &a["status_code"]).collect();
    assert_eq!(codes, [&serde_json::json!(500), &serde_json::json!(204)]);
    let pending = list.iter().find(|d| d["status"] == "pending").expect("one pending");
    assert_eq!(pending["attempt_log"][0]["error"], "connection refused");
    assert_eq!(pending["url"], "http://ops:***@127.0.0.1:9/b", "the password is not shown");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("hunter2"));

    let only = docket(dir.path(), &["webhooks", "deliveries", "--status", "pending", "--format", "json"]);
    let only: serde_json::Value = serde_json::from_slice(&only.stdout).unwrap();
    assert_eq!(only["deliveries"].as_array().unwrap().len(), 1);
    assert_eq!(only["deliveries"][0]["status"], "pending");

    let out = docket(dir.path(), &["webhooks", "deliveries", "--format", "csv"]);
    assert!(out.status.success());
    let mut csv = csv::Reader::from_reader(out.stdout.as_slice());
    assert_eq!(&csv.headers().unwrap()[0], "delivery_id");
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    // One row per attempt: two for the delivered one, one for the pending one.
    assert_eq!(rows.len(), 3, "{rows:?}");
    let status_codes: Vec<&str> = rows.iter().map(|r| &r[15]).collect();
    assert_eq!(status_codes.iter().filter(|c| c.is_empty()).count(), 1, "{status_codes:?}");

    let table = String::from_utf8_lossy(&docket(dir.path(), &["webhooks", "deliveries", "--format", "table"]).stdout)
        .into_owned();
    assert!(table.starts_with("2 webhook deliveries"), "{table}");
    assert!(table.lines().any(|l| l.contains("lowe-partners") && l.contains("delivered")), "{table}");
    assert!(table.lines().any(|l| l.contains("attempt   2") && l.contains("204")), "{table}");

    let bad = docket(dir.path(), &["webhooks", "deliveries", "--status", "lost"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("expected pending, delivered or dead"));
}

const WEBHOOK_SECRET: &str = "whsec_never_in_a_log_0123456789";

fn serve_cmd(storage: &std::path::Path, port: u16, hook: &str, log: &std::path::Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_docket"))
        .env("DOCKET_STORAGE_DIR", storage)
        .env("DOCKET_LOG", "debug,sqlx=warn,tantivy=warn,hyper=info,reqwest=info")
        .env("DOCKET_ALERT_WEBHOOKS", hook)
        .env("DOCKET_ALERT_WEBHOOK_SECRET", WEBHOOK_SECRET)
        .env("DOCKET_ALERT_WEBHOOK_TIMEOUT_MS", "2000")
        .env("DOCKET_ALERT_WEBHOOK_BACKOFF_MS", "100")
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .expect("start docket serve")
}

async fn healthy(port: u16) {
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if client.get(format!("http://127.0.0.1:{port}/health")).send().await.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("docket did not come up on port {port}");
}

/// Poll (at most 30 s: a hang, not a speed target) until `check` holds.
async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    for _ in 0..300 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_attempt_sends_again_after_its_lease_and_never_logs_the_secret() {
    let dir = tempfile::tempdir().unwrap();
    let storage = dir.path();
    let out = docket(storage, &["tenant", "create", "hooked-firm", "--plan", "community", "--organization", "Hooked"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = docket(
        storage,
        &["token", "--aud", "docket-billing", "--role", "AutomationService", "--scope", "billing:write"],
    );
    let token = String::from_utf8(token.stdout).unwrap().trim().to_owned();

    // A receiver that never answers its first request (docket dies waiting) and answers 200 after.
    let bodies = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let seen = bodies.clone();
    let receiver = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: String| {
            let seen = seen.clone();
            async move {
                let first = {
                    let mut b = seen.lock().unwrap();
                    b.push(body);
                    b.len() == 1
                };
                if first {
                    std::future::pending::<()>().await;
                }
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, receiver).await.unwrap() });

    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let first_log = storage.join("first.log");
    let mut server = serve_cmd(storage, port, &hook, &first_log);
    healthy(port).await;
    let events: Vec<serde_json::Value> = (0..400)
        .map(|i| serde_json::json!({"event_id": format!("q-{i}"), "tenant_id": "hooked-firm", "kind": "query"}))
        .collect();
    let answer = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/billing/events"))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "events": events }))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    eventually("the first attempt to reach the receiver", || bodies.lock().unwrap().len() == 1).await;
    // Killed while the receiver holds the request: the attempt's outcome is never recorded.
    server.kill().unwrap();
    server.wait().unwrap();

    let second_log = storage.join("second.log");
    let mut server = serve_cmd(storage, port, &hook, &second_log);
    healthy(port).await;
    // Sent again once the claim's lease (2 x 2 s + 5 s) has run out, and delivered.
    eventually("the delivery after the restart", || bodies.lock().unwrap().len() == 2).await;
    let url = format!("sqlite://{}", storage.join("billing/ledger.sqlite3").display());
    let ledger = Ledger::open(&LedgerOptions { url, max_connections: 2 }).await.unwrap();
    let mut delivered = Vec::new();
    for _ in 0..100 {
        delivered = ledger.webhook_deliveries(Some(docket_ledger::DeliveryStatus::Delivered)).await.unwrap();
        if !delivered.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    ledger.close().await;
    server.kill().unwrap();
    server.wait().unwrap();

    let got = bodies.lock().unwrap().clone();
    assert_eq!(got[0], got[1], "the same body and event id: the receiver de-duplicates");
    assert_eq!(delivered.len(), 1, "{delivered:#?}");
    let d = &delivered[0];
    assert_eq!(d.delivery.attempts, 2, "the interrupted attempt counts");
    let log: Vec<(u32, Option<u16>)> = d.attempt_log.iter().map(|a| (a.attempt, a.status_code)).collect();
    assert_eq!(log, vec![(2, Some(200))], "the killed attempt left no outcome");

    let logs = std::fs::read_to_string(&first_log).unwrap() + &std::fs::read_to_string(&second_log).unwrap();
    assert!(logs.contains("alert webhook delivered"), "{logs}");
    assert!(!logs.contains(WEBHOOK_SECRET), "the secret is in the log:\n{logs}");
}
