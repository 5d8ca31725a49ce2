//! Runs at the corpus level: a run whose usage the meter refused is offered again at the next
//! start and reported once; a run interrupted three times is failed, not resumed forever.

mod common;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use common::{Env, RecordingMeter, RecordingRunMeter, inline, tenant_id, wait_job, wait_run};
use docket_corpus::agents::{Agents, RunRequest, RunState};

const TENANT: &str = "firm";

fn review() -> RunRequest {
    RunRequest {
        agent: "privilege_review".into(),
        question: None,
        scope: Default::default(),
        options: serde_json::Value::Null,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_report_is_offered_again_at_start_and_counted_once() {
    let env = Env::new();
    let corpus = env.open(&Arc::new(RecordingMeter::default())).await;
    let job =
        corpus.submit(&tenant_id(TENANT), "t", vec![inline("a.txt", "Please advise on the indemnity.")]).await.unwrap();
    wait_job(&corpus, &tenant_id(TENANT), job.id).await;
    let meter = Arc::new(RecordingRunMeter::default());
    meter.refuse.store(true, Ordering::SeqCst);
    let agents = Agents::start(&corpus, meter.clone(), 1).await.unwrap();
    let run = agents.submit(&tenant_id(TENANT), "t", review()).await.unwrap();
    let run = wait_run(&agents, &tenant_id(TENANT), run.summary.id).await;
    assert_eq!(run.summary.status, RunState::Succeeded);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let again = agents.run(&tenant_id(TENANT), run.summary.id).await.unwrap().unwrap();
    assert!(!again.summary.metered, "not marked metered while the meter refuses");
    assert!(meter.reports.lock().unwrap().is_empty());
    agents.shutdown().await;
    corpus.shutdown().await;
    drop((agents, corpus));

    // The next start offers it again; the meter now takes it.
    meter.refuse.store(false, Ordering::SeqCst);
    let corpus = env.open(&Arc::new(RecordingMeter::default())).await;
    let agents = Agents::start(&corpus, meter.clone(), 1).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !agents.run(&tenant_id(TENANT), run.summary.id).await.unwrap().unwrap().summary.metered {
        assert!(Instant::now() < deadline, "never metered after the restart");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let reports = meter.reports.lock().unwrap().clone();
    assert_eq!(reports.len(), 1);
    assert_eq!((reports[0].run_id, reports[0].documents_examined), (run.summary.id, 1));
    agents.shutdown().await;
    corpus.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_interrupted_three_times_is_failed_and_another_tenant_cannot_see_it() {
    let env = Env::new();
    let corpus = env.open(&Arc::new(RecordingMeter::default())).await;
    let meter = Arc::new(RecordingRunMeter::default());
    let agents = Agents::start(&corpus, meter.clone(), 1).await.unwrap();
    let run = agents.submit(&tenant_id(TENANT), "t", review()).await.unwrap();
    wait_run(&agents, &tenant_id(TENANT), run.summary.id).await;
    assert!(
        agents.run(&tenant_id("other-firm"), run.summary.id).await.unwrap().is_none(),
        "another tenant's run is none of its"
    );
    assert!(agents.runs(&tenant_id("other-firm"), 10).await.unwrap().is_empty());
    let deadline = Instant::now() + Duration::from_secs(30);
    while meter.reports.lock().unwrap().is_empty() {
        assert!(Instant::now() < deadline, "never metered");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    agents.shutdown().await;
    corpus.shutdown().await;
    drop((agents, corpus));

    // As a process killed three times mid-run would leave it.
    let url = format!("sqlite://{}", env.storage.join("corpus/corpus.sqlite3").display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::query(
        "UPDATE agent_runs SET status = 'running', attempts = 3, output = NULL, metered_at = NULL WHERE id = ?",
    )
    .bind(run.summary.id.to_string())
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let corpus = env.open(&Arc::new(RecordingMeter::default())).await;
    let agents = Agents::start(&corpus, meter.clone(), 1).await.unwrap();
    let failed = agents.run(&tenant_id(TENANT), run.summary.id).await.unwrap().unwrap();
    assert_eq!(failed.summary.status, RunState::Failed);
    assert!(failed.summary.error.unwrap().contains("three times"));
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(meter.reports.lock().unwrap().len(), 1, "billed for the first success only, not for the failure");
    agents.shutdown().await;
    corpus.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scan_without_a_text_layer_needs_review_whatever_its_headers_say() {
    let env = Env::new();
    let scan = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pdf/scan.pdf");
    let path = env.write("matter/scan.pdf", std::fs::read(scan).unwrap());
    let corpus = env.open(&Arc::new(RecordingMeter::default())).await;
    let job = corpus.submit(&tenant_id(TENANT), "t", vec![common::local(&path)]).await.unwrap();
    assert_eq!(wait_job(&corpus, &tenant_id(TENANT), job.id).await.ingested, 1);
    let agents = Agents::start(&corpus, Arc::new(RecordingRunMeter::default()), 1).await.unwrap();
    let run = agents.submit(&tenant_id(TENANT), "t", review()).await.unwrap();
    let run = wait_run(&agents, &tenant_id(TENANT), run.summary.id).await;
    let doc = &run.output.unwrap()["documents"][0];
    assert_eq!(doc["call"], "needs_review", "{doc}");
    assert!(doc["signals"].as_array().unwrap().iter().any(|s| s["kind"] == "no_text"), "{doc}");
    agents.shutdown().await;
    corpus.shutdown().await;
}
