//! A server killed with SIGKILL under load keeps every event it acknowledged, and usage.json
//! parses at every moment while it is being rewritten.

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use docket_billing::{BillingPeriod, TenantId};
use docket_ledger::{Ledger, LedgerOptions};

const SECRET: &str = "crash-test-secret-0123456789-abcdefghij";

fn docket(storage: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_docket"));
    cmd.env("DOCKET_STORAGE_DIR", storage)
        .env("DOCKET_JWT_SECRET", SECRET)
        .env("DOCKET_SNAPSHOT_DELAY_MS", "20")
        .env("DOCKET_LOG", "warn");
    cmd
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn start(storage: &std::path::Path, port: u16) -> Child {
    let mut child = docket(storage)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start docket serve");
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if client.get(format!("http://127.0.0.1:{port}/health")).send().await.is_ok_and(|r| r.status().is_success()) {
            return child;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("server did not come up");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_under_load_loses_no_acknowledged_event() {
    let dir = tempfile::tempdir().unwrap();
    let storage = dir.path().to_path_buf();
    let out = docket(&storage)
        .args(["tenant", "create", "crash-co", "--plan", "enterprise", "--organization", "Crash Co"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token_out = docket(&storage)
        .args(["token", "--aud", "docket-billing", "--role", "AutomationService", "--scope", "billing:write"])
        .output()
        .unwrap();
    let token = String::from_utf8(token_out.stdout).unwrap().trim().to_owned();
    assert_eq!(token.split('.').count(), 3, "token alone on stdout");

    let port = free_port();
    let mut server = start(&storage, port).await;

    // A reader that parses usage.json as fast as it can while the server rewrites it.
    let usage_file = storage.join("billing/usage.json");
    let stop_reader = Arc::new(AtomicBool::new(false));
    // Distinct `generated_at` values the reader saw: the start-up write alone is one.
    let versions: Arc<Mutex<std::collections::HashSet<String>>> = Arc::default();
    let reader = {
        let stop = stop_reader.clone();
        let versions = versions.clone();
        let path = usage_file.clone();
        std::thread::spawn(move || {
            let mut bad = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                match std::fs::read(&path) {
                    Ok(bytes) => match serde_json::from_slice::<serde_json::Value>(&bytes) {
                        Ok(v) => {
                            let at = v["generated_at"].as_str().unwrap_or_default().to_owned();
                            versions.lock().unwrap().insert(at);
                        }
                        Err(e) => bad.push(e.to_string()),
                    },
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => bad.push(e.to_string()),
                }
            }
            bad
        })
    };

    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut clients = Vec::new();
    for c in 0..16 {
        let acked = acked.clone();
        let token = token.clone();
        let url = format!("http://127.0.0.1:{port}/billing/events");
        clients.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            for i in 0.. {
                let ids: Vec<String> = (0..10).map(|k| format!("c{c}-r{i}-e{k}")).collect();
                let events: Vec<_> = ids
                    .iter()
                    .map(|id| serde_json::json!({"event_id": id, "tenant_id": "crash-co", "kind": "query", "subject": format!("client-{c}")}))
                    .collect();
                let sent = client.post(&url).bearer_auth(&token).json(&serde_json::json!({"events": events})).send().await;
                match sent {
                    Ok(resp) if resp.status().is_success() => acked.lock().unwrap().extend(ids),
                    _ => return,
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    server.kill().expect("SIGKILL the server");
    server.wait().unwrap();
    for c in clients {
        c.await.unwrap();
    }
    stop_reader.store(true, Ordering::Relaxed);
    let bad_reads = reader.join().unwrap();
    assert!(bad_reads.is_empty(), "usage.json was unreadable {} times: {:?}", bad_reads.len(), &bad_reads[..1]);
    let seen = versions.lock().unwrap().len();
    assert!(seen >= 2, "the reader saw usage.json rewritten under load ({seen} versions)");

    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 1_000, "load was real: {} events acknowledged", acked.len());

    // Restart on the same storage: the server comes up and the ledger has every ack.
    let mut again = start(&storage, free_port()).await;
    let ledger = Ledger::open(&LedgerOptions {
        url: format!("sqlite://{}", storage.join("billing/ledger.sqlite3").display()),
        max_connections: 2,
    })
    .await
    .unwrap();
    let tenant = TenantId::parse("crash-co").unwrap();
    for id in &acked {
        assert!(ledger.has_event(&tenant, id).await.unwrap(), "acknowledged event {id} was lost");
    }
    let now = time::OffsetDateTime::now_utc();
    let snap = ledger.snapshots(BillingPeriod::containing(now), now, Some(&tenant)).await.unwrap().remove(0);
    let stored = ledger.event_count(&tenant).await.unwrap();
    assert!(stored >= acked.len() as u64);
    assert_eq!(snap.queries, stored, "aggregates match the event log exactly");
    ledger.close().await;
    again.kill().unwrap();
    again.wait().unwrap();
}
