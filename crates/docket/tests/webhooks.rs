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
