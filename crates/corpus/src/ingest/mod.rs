//! The ingestion workers: claim a queued job, walk its sources, parse, register, index, meter.

mod fetch;
mod job;
mod meter;
mod register;

use std::sync::Arc;
use std::time::{Duration, Instant};

use uuid::Uuid;

use crate::context::Inner;
use crate::error::CorpusError;
use crate::jobs::{self, ClaimedJob, Counts, JobError};

use job::run_job;
use meter::{METER_RETRY_EVERY, mark_reporting, report, report_marked, retry_unmetered};

/// One worker: runs queued jobs until the corpus shuts down.
pub(crate) async fn worker(inner: Arc<Inner>, n: usize) {
    let mut stop = inner.stop_tx.subscribe();
    let mut next_meter_retry = Instant::now();
    loop {
        if inner.is_stopping() {
            break;
        }
        if n == 0 && Instant::now() >= next_meter_retry {
            retry_unmetered(&inner).await;
            next_meter_retry = Instant::now() + METER_RETRY_EVERY;
        }
        match jobs::claim(&inner.writer).await {
            Ok(Some(job)) => {
                // A panic while running a job (a bug) must not take the worker with it: the
                // job goes back to the queue and the worker carries on.
                let id = job.id;
                if let Err(e) = tokio::spawn(run_claimed(inner.clone(), job)).await {
                    tracing::error!(job = %id, error = %e, "ingestion job task failed; re-queued");
                    mark_reporting(&inner, id, false);
                    let _ = jobs::requeue(&inner.writer, id).await;
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
            Ok(None) => {
                tokio::select! {
                    _ = inner.wake.notified() => {}
                    _ = stop.changed() => {}
                    _ = tokio::time::sleep(Duration::from_secs(2)) => {}
                }
            }
            Err(e) => {
                if inner.is_stopping() {
                    break;
                }
                tracing::error!(error = %e, "claiming an ingestion job failed");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

async fn run_claimed(inner: Arc<Inner>, job: ClaimedJob) {
    let inner = &inner;
    let id = job.id;
    let attempts = job.attempts;
    let tenant = job.tenant.clone();
    match run_job(inner, job).await {
        Ok(true) => report(inner, id).await,
        Ok(false) => {
            if let Err(e) = jobs::requeue(&inner.writer, id).await {
                tracing::error!(job = %id, error = %e, "re-queueing an interrupted job failed; it resumes at the next start");
            }
        }
        Err(e) => {
            tracing::error!(job = %id, tenant = %tenant, attempt = attempts, error = %e, "ingestion job hit an internal fault");
            if inner.is_stopping() {
                let _ = jobs::requeue(&inner.writer, id).await;
            } else if attempts >= MAX_ATTEMPTS {
                give_up(inner, id, &e).await;
            } else {
                let _ = jobs::requeue(&inner.writer, id).await;
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// A job that keeps failing for internal reasons is closed as failed, keeping whatever it
/// registered, so it does not block the queue forever; its usage is still reported.
async fn give_up(inner: &Arc<Inner>, id: Uuid, err: &CorpusError) {
    let errors = vec![JobError {
        source: "job".into(),
        error: format!("internal error, gave up after {MAX_ATTEMPTS} attempts: {err}"),
    }];
    let row = sqlx::query_as::<_, (i64, i64, i64, i64, i64)>(
        "SELECT discovered, ingested, duplicates, failed, bytes FROM jobs WHERE id = ?",
    )
    .bind(id.to_string())
    .fetch_optional(&inner.pool)
    .await;
    let counts = match row {
        Ok(Some((d, i, du, f, b))) => Counts {
            discovered: u64::try_from(d).unwrap_or(0),
            ingested: u64::try_from(i).unwrap_or(0),
            duplicates: u64::try_from(du).unwrap_or(0),
            failed: u64::try_from(f).unwrap_or(0) + 1,
            bytes: u64::try_from(b).unwrap_or(0),
        },
        _ => Counts { failed: 1, ..Counts::default() },
    };
    mark_reporting(inner, id, true);
    match jobs::finish(&inner.writer, id, jobs::JobState::Failed, &counts, &errors).await {
        Ok(()) => report_marked(inner, id).await,
        Err(e) => {
            mark_reporting(inner, id, false);
            tracing::error!(job = %id, error = %e, "closing a failing job failed");
        }
    }
}

/// A job that hits internal faults this many times is given up (and reported as failed).
const MAX_ATTEMPTS: i64 = 3;
