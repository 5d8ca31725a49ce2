//! Quota-alert webhooks against real receivers on 127.0.0.1: signed, retried after a 500 and
//! after the receiver was down across a restart, never sent again once delivered.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use docket_ledger::{DeliveryStatus, Ledger, LedgerOptions};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::{TestApp, spawn_app_in, spawn_app_with, test_config};

const SECRET: &str = "whsec_test_0123456789abcdef";

/// What a receiver got: the signature header, the event-id header and the body.
#[derive(Debug, Clone)]
struct Receipt {
    signature: String,
    event_id: String,
    body: String,
}

/// A webhook receiver: answers each request with the next scripted status (200 once the
/// script is spent) and keeps every request.
#[derive(Clone, Default)]
struct Receiver {
    receipts: Arc<Mutex<Vec<Receipt>>>,
    script: Arc<Mutex<VecDeque<u16>>>,
}

impl Receiver {
    /// Serve on `listener` in the background.
    fn serve(&self, listener: tokio::net::TcpListener) -> tokio::task::JoinHandle<()> {
        let me = self.clone();
        let app = axum::Router::new().route(
            "/hooks/docket",
            axum::routing::post(move |headers: HeaderMap, body: String| {
                let me = me.clone();
                async move {
                    let header =
                        |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
                    me.receipts.lock().unwrap().push(Receipt {
                        signature: header("docket-signature"),
                        event_id: header("docket-event-id"),
                        body,
                    });
                    let status = me.script.lock().unwrap().pop_front().unwrap_or(200);
                    StatusCode::from_u16(status).unwrap()
                }
            }),
        );
        tokio::spawn(async move {
            axum::serve(listener, app).await.expect("receiver serves");
        })
    }

    fn receipts(&self) -> Vec<Receipt> {
        self.receipts.lock().unwrap().clone()
    }

    /// Wait (at most 10 s: a hang, not a speed target) until `n` requests arrived.
    async fn wait_for(&self, n: usize) -> Vec<Receipt> {
        for _ in 0..200 {
            if self.receipts().len() >= n {
                return self.receipts();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {n} webhook requests, got {:#?}", self.receipts());
    }
}

/// Check the signature as a receiver would: recompute the HMAC over "<t>.<body>".
fn verify(receipt: &Receipt, secret: &str) -> Value {
    let (t, v1) = receipt
        .signature
        .split_once(',')
        .and_then(|(t, v)| Some((t.strip_prefix("t=")?, v.strip_prefix("v1=")?)))
        .unwrap_or_else(|| panic!("signature header '{}'", receipt.signature));
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{}", receipt.body).as_bytes());
    mac.verify_slice(&hex::decode(v1).expect("hex signature")).expect("signature verifies with the secret");
    let sent: i64 = t.parse().unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!((now - sent).abs() < 300, "timestamp {sent} is now ({now})");
    let body: Value = serde_json::from_str(&receipt.body).unwrap();
    assert_eq!(body["event_id"], receipt.event_id.as_str());
    body
}

fn query_events(tenant: &str, prefix: &str, n: usize) -> Value {
    let events: Vec<Value> = (0..n)
        .map(|i| json!({"event_id": format!("{prefix}-{i}"), "tenant_id": tenant, "kind": "query", "subject": "ana"}))
        .collect();
    json!({ "events": events })
}

fn webhook_flags(url: &str) -> Vec<String> {
    [
        "--alert-webhooks",
        url,
        "--alert-webhook-secret",
        SECRET,
        "--alert-webhook-backoff-ms",
        "50",
        "--alert-webhook-backoff-max-ms",
        "200",
        "--alert-webhook-max-attempts",
        "100",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect()
}

async fn spawn_with_hooks(url: &str) -> TestApp {
    let flags = webhook_flags(url);
    spawn_app_with(&flags.iter().map(String::as_str).collect::<Vec<_>>()).await
}

/// The ledger's record of every delivery, read after the server stopped.
async fn deliveries(storage: &std::path::Path) -> Vec<docket_ledger::DeliveryRecord> {
    let config = test_config(storage, &[]);
    let ledger = Ledger::open(&LedgerOptions { url: config.ledger_url(), max_connections: 2 }).await.unwrap();
    let all = ledger.webhook_deliveries(None).await.unwrap();
    ledger.close().await;
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_alert_is_retried_after_a_500_and_delivered_once() {
    let receiver = Receiver::default();
    receiver.script.lock().unwrap().push_back(500);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks/docket", listener.local_addr().unwrap());
    let _serving = receiver.serve(listener);
    let app = spawn_with_hooks(&url).await;
    app.onboard("Busy Firm", 3).await;
    let service = app.service_token();
    // 400 of the community plan's 500 queries: the soft alert (80 %).
    let (status, body) = app.post("/billing/events", &query_events("busy-firm", "q", 400), Some(&service)).await;
    assert_eq!(status, 200, "{body}");

    let got = receiver.wait_for(2).await;
    assert_eq!(got[0].body, got[1].body, "a retry sends the same body");
    for r in &got {
        let body = verify(r, SECRET);
        assert_eq!(body["tenant_id"], "busy-firm");
        assert_eq!(body["plan"], "community");
        assert_eq!(body["level"], "soft");
        assert_eq!(body["dimension"], "queries");
        assert_eq!(body["ratio"], 0.8);
        assert!(body["period"].as_str().is_some_and(|p| p.len() == 7), "{body}");
        assert!(body["fired_at"].as_str().is_some(), "{body}");
    }
    // Any other secret fails the check.
    let mut wrong = Hmac::<Sha256>::new_from_slice(b"another-secret-0123456789").unwrap();
    let (t, v1) = got[0].signature.split_once(',').unwrap();
    wrong.update(format!("{}.{}", &t[2..], got[0].body).as_bytes());
    assert!(wrong.verify_slice(&hex::decode(&v1[3..]).unwrap()).is_err());

    // Delivered: nothing more comes, through several backoff periods.
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    assert_eq!(receiver.receipts().len(), 2, "sent again after a 2xx: {:#?}", receiver.receipts());
    let (_, metrics) = {
        let resp = app.client.get(app.url("/metrics")).send().await.unwrap();
        (resp.status(), resp.text().await.unwrap())
    };
    for outcome in ["delivered", "retry"] {
        assert!(
            metrics.lines().any(|l| l.starts_with("docket_alert_webhook_attempts_total")
                && l.contains(&format!("outcome=\"{outcome}\""))
                && l.ends_with(" 1")),
            "{outcome} counted once:\n{metrics}"
        );
    }

    // Nor after a restart.
    let storage = app.stop().await;
    let flags = webhook_flags(&url);
    let app = spawn_app_in(storage, &flags.iter().map(String::as_str).collect::<Vec<_>>()).await;
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    assert_eq!(receiver.receipts().len(), 2, "sent again after a restart");
    let storage = app.stop().await;

    let all = deliveries(storage.path()).await;
    assert_eq!(all.len(), 1);
    let d = &all[0];
    assert_eq!(d.delivery.status, DeliveryStatus::Delivered);
    assert_eq!(d.delivery.url, url);
    let log: Vec<(u32, Option<u16>)> = d.attempt_log.iter().map(|a| (a.attempt, a.status_code)).collect();
    assert_eq!(log, vec![(1, Some(500)), (2, Some(200))]);
    assert_eq!(d.attempt_log[0].error.as_deref(), Some("HTTP 500"));
    assert_eq!(d.attempt_log[1].error, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alert_sent_while_the_receiver_is_down_is_delivered_after_a_restart() {
    // A free port with nobody listening on it yet.
    let addr = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
    let url = format!("http://{addr}/hooks/docket");
    let app = spawn_with_hooks(&url).await;
    app.onboard("Busy Firm", 3).await;
    let service = app.service_token();
    // 480 of 500: both thresholds at once, two alerts.
    let (status, body) = app.post("/billing/events", &query_events("busy-firm", "q", 480), Some(&service)).await;
    assert_eq!(status, 200, "{body}");
    // Let a few attempts fail (connection refused), then stop docket.
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    let storage = app.stop().await;
    let before = deliveries(storage.path()).await;
    assert_eq!(before.len(), 2);
    for d in &before {
        assert_eq!(d.delivery.status, DeliveryStatus::Pending);
        assert!(!d.attempt_log.is_empty(), "attempted while the receiver was down");
        assert!(d.attempt_log.iter().all(|a| a.status_code.is_none() && a.error.is_some()), "{:?}", d.attempt_log);
    }

    // The receiver comes up; docket starts again and resumes the pending deliveries.
    let receiver = Receiver::default();
    let _serving = receiver.serve(tokio::net::TcpListener::bind(addr).await.unwrap());
    let flags = webhook_flags(&url);
    let app = spawn_app_in(storage, &flags.iter().map(String::as_str).collect::<Vec<_>>()).await;
    let got = receiver.wait_for(2).await;
    let mut levels: Vec<String> = got.iter().map(|r| verify(r, SECRET)["level"].as_str().unwrap().to_owned()).collect();
    levels.sort();
    assert_eq!(levels, ["hard", "soft"]);
    assert_ne!(got[0].event_id, got[1].event_id, "two alerts, two event ids");
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(receiver.receipts().len(), 2, "each delivered once");
    let storage = app.stop().await;
    for d in deliveries(storage.path()).await {
        assert_eq!(d.delivery.status, DeliveryStatus::Delivered);
        let last = d.attempt_log.last().unwrap();
        assert_eq!(last.status_code, Some(200));
        assert!(d.attempt_log.len() >= 2, "{:?}", d.attempt_log);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_without_a_secret_or_with_a_bad_url_refuse_to_start() {
    let storage = tempfile::tempdir().unwrap();
    let config = test_config(storage.path(), &["--alert-webhooks", "http://127.0.0.1:9/hook"]);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let err = docket_server::serve(config, listener, async {}).await.unwrap_err();
    assert!(err.to_string().contains("DOCKET_ALERT_WEBHOOK_SECRET is not"), "{err}");
    let config = test_config(
        storage.path(),
        &["--alert-webhooks", "http://127.0.0.1:9/hook", "--alert-webhook-secret", "short-one"],
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let err = docket_server::serve(config, listener, async {}).await.unwrap_err().to_string();
    assert!(err.contains("at least 16 bytes") && !err.contains("short-one"), "{err}");

    #[derive(clap::Parser)]
    struct Args {
        #[command(flatten)]
        config: docket_server::Config,
    }
    use clap::Parser as _;
    for (flags, expected) in [
        (["--alert-webhooks", "ftp://example.com/x"], "not an http(s) URL"),
        (["--alert-webhooks", "http://ok.example.com/a,not a url"], "'not a url' is not a URL"),
    ] {
        let err = Args::try_parse_from([&["docket"][..], &flags[..]].concat()).err().expect("refused");
        let text = err.to_string();
        assert!(text.contains(expected), "{text}");
    }
}
