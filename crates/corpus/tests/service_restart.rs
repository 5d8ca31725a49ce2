//! Restarts: interrupted jobs resume with the same counts and bytes, and every finished job
//! reaches the meter exactly once.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Env, RecordingMeter, ingest, inline, local, tenant_id, wait_job, wait_metered};
use docket_corpus::TenantId;
use docket_corpus::{Corpus, CorpusError, DocumentFilter, JobState, SearchRequest};

fn write_many(env: &Env, dir: &str, n: usize) -> u64 {
    let mut bytes = 0;
    for i in 0..n {
        let body = format!("Exhibit {i}. The escrow agent released tranche {i} to the vendor.\n");
        bytes += body.len() as u64;
        env.write(&format!("{dir}/doc-{i:04}.txt"), body);
    }
    bytes
}

async fn count_hits(corpus: &Corpus, tenant: &TenantId) -> u64 {
    corpus.search(tenant, &SearchRequest { q: "escrow".into(), ..Default::default() }).await.unwrap().total_hits
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_interrupted_by_shutdown_resumes_and_is_metered_once() {
    let env = Env::new();
    // Enough files that the job is still running when the shutdown comes.
    let files = 3_000;
    let expected_bytes = write_many(&env, "big", files);
    let meter = Arc::new(RecordingMeter::default());
    let corpus = Corpus::open(env.config(1), meter.clone()).await.unwrap();
    let job = corpus.submit(&tenant_id("test-firm"), "u", vec![local(env.root.join("big"))]).await.unwrap();
    assert_eq!(job.status, JobState::Queued);
    // Let the worker get going, then stop in the middle of the job.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let s = corpus.job(&tenant_id("test-firm"), job.id).await.unwrap().unwrap();
        if s.ingested >= 32 || s.status.is_finished() || std::time::Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    corpus.shutdown().await;
    assert!(matches!(corpus.job(&tenant_id("test-firm"), job.id).await, Err(CorpusError::ShuttingDown)));
    drop(corpus);
    {
        // The job was stopped part-way (or before it started): it waits in the queue.
        let db = env.storage.join("corpus/corpus.sqlite3");
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display())).await.unwrap();
        let (status, ingested): (String, i64) = sqlx::query_as("SELECT status, ingested FROM jobs WHERE id = ?")
            .bind(job.id.to_string())
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(status, "queued");
        assert!((1..files as i64).contains(&ingested), "{ingested}");
        eprintln!("interrupted after {ingested} documents");
        pool.close().await;
    }

    let corpus = Corpus::open(env.config(1), meter.clone()).await.unwrap();
    let done = wait_job(&corpus, &tenant_id("test-firm"), job.id).await;
    assert_eq!(done.status, JobState::Succeeded);
    assert_eq!((done.discovered, done.ingested, done.duplicates, done.failed), (files as u64, files as u64, 0, 0));
    assert_eq!(done.bytes, expected_bytes);
    let report = wait_metered(&meter, job.id).await;
    assert_eq!(report.new_bytes, expected_bytes);
    assert_eq!(report.documents_ingested, files as u64);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(meter.reports_for(job.id).len(), 1);
    assert_eq!(
        corpus.documents(&tenant_id("test-firm"), &DocumentFilter::default()).await.unwrap().total,
        files as u64
    );
    assert_eq!(count_hits(&corpus, &tenant_id("test-firm")).await, files as u64);
    corpus.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_mid_job_resumes_with_the_same_counts() {
    let env = Env::new();
    let expected_bytes = write_many(&env, "set", 40);
    env.write("set/copy.txt", "Exhibit 0. The escrow agent released tranche 0 to the vendor.\n");
    let meter = Arc::new(RecordingMeter::default());
    let corpus = env.open(&meter).await;
    let first = ingest(&corpus, &tenant_id("test-firm"), vec![local(env.root.join("set"))]).await;
    assert_eq!((first.ingested, first.duplicates, first.bytes), (40, 1, expected_bytes));
    let original = wait_metered(&meter, first.id).await;
    corpus.shutdown().await;
    drop(corpus);

    // Make the storage look like the process died a third of the way through the job: the
    // job still running and unmetered, the later documents never registered, and the index
    // commit lost.
    {
        let db = env.storage.join("corpus/corpus.sqlite3");
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display())).await.unwrap();
        sqlx::query(
            "UPDATE jobs SET status = 'running', finished_at = NULL, metered_at = NULL, ingested = 13 WHERE id = ?",
        )
        .bind(first.id.to_string())
        .execute(&pool)
        .await
        .unwrap();
        sqlx::query("DELETE FROM documents WHERE source > ?")
            .bind(env.root.join("set/doc-0012.txt").canonicalize().unwrap().display().to_string())
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
        std::fs::remove_dir_all(env.storage.join("index")).unwrap();
    }

    let meter2 = Arc::new(RecordingMeter::default());
    let corpus = env.open(&meter2).await;
    let resumed = wait_job(&corpus, &tenant_id("test-firm"), first.id).await;
    assert_eq!(
        (resumed.discovered, resumed.ingested, resumed.duplicates, resumed.failed, resumed.bytes),
        (first.discovered, first.ingested, first.duplicates, first.failed, first.bytes)
    );
    let again = wait_metered(&meter2, first.id).await;
    assert_eq!(again.new_bytes, original.new_bytes);
    assert_eq!(again.documents_ingested, original.documents_ingested);
    assert_eq!(corpus.documents(&tenant_id("test-firm"), &DocumentFilter::default()).await.unwrap().total, 40);
    assert_eq!(count_hits(&corpus, &tenant_id("test-firm")).await, 40, "the index is rebuilt without duplicates");
    corpus.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_the_meter_refused_are_sent_again_at_open() {
    let env = Env::new();
    let meter = Arc::new(RecordingMeter::default());
    meter.refuse.store(true, std::sync::atomic::Ordering::SeqCst);
    let corpus = env.open(&meter).await;
    let job = ingest(&corpus, &tenant_id("test-firm"), vec![inline("a.txt", "Escrow instructions, signed.")]).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!corpus.job(&tenant_id("test-firm"), job.id).await.unwrap().unwrap().metered);
    corpus.shutdown().await;
    drop(corpus);

    let meter2 = Arc::new(RecordingMeter::default());
    let corpus = env.open(&meter2).await;
    let report = wait_metered(&meter2, job.id).await;
    assert_eq!(report.new_bytes, "Escrow instructions, signed.".len() as u64);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !corpus.job(&tenant_id("test-firm"), job.id).await.unwrap().unwrap().metered {
        assert!(std::time::Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    corpus.shutdown().await;
    drop(corpus);
    // Once acknowledged, never reported again.
    let meter3 = Arc::new(RecordingMeter::default());
    let corpus = env.open(&meter3).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(meter3.reports().is_empty());
    assert_eq!(meter2.reports_for(job.id).len(), 1);
    corpus.shutdown().await;
}
