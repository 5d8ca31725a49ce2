//! Reporting a finished job to the meter: once acknowledged it is marked metered; reports the
//! meter did not take are offered again.

use std::sync::Arc;
use std::time::Duration;

use uuid::Uuid;

use crate::context::Inner;
use crate::jobs;

/// How long the meter may take to acknowledge a report.
const METER_TIMEOUT: Duration = Duration::from_secs(30);

/// How often unacknowledged reports are offered to the meter again.
pub(super) const METER_RETRY_EVERY: Duration = Duration::from_secs(30);

pub(super) fn mark_reporting(inner: &Inner, id: Uuid, on: bool) {
    if let Ok(mut set) = inner.reporting.lock() {
        if on {
            set.insert(id);
        } else {
            set.remove(&id);
        }
    }
}

/// Hand a finished job's report to the meter; mark it metered only when the meter says Ok.
pub(super) async fn report(inner: &Arc<Inner>, id: Uuid) {
    mark_reporting(inner, id, true);
    report_marked(inner, id).await;
}

pub(super) async fn report_marked(inner: &Arc<Inner>, id: Uuid) {
    match jobs::report(&inner.pool, id).await {
        Ok(Some(report)) => match tokio::time::timeout(METER_TIMEOUT, call_meter(inner, report)).await {
            Ok(Ok(())) => {
                if let Err(e) = jobs::mark_metered(&inner.writer, id).await {
                    // The meter has it; a repeat after restart is counted once by event id.
                    tracing::warn!(job = %id, error = %e, "recording that a job was metered failed");
                }
            }
            Ok(Err(e)) => tracing::warn!(job = %id, error = %e, "the meter refused a job report; it will be retried"),
            Err(_) => tracing::warn!(job = %id, "the meter timed out on a job report; it will be retried"),
        },
        Ok(None) => {}
        Err(e) => tracing::warn!(job = %id, error = %e, "reading a job report failed; it will be retried"),
    }
    mark_reporting(inner, id, false);
}

/// Call the meter in its own task so that a panic in it is an error, not a dead worker.
async fn call_meter(inner: &Arc<Inner>, report: jobs::JobReport) -> Result<(), String> {
    let meter = inner.meter.clone();
    match tokio::spawn(async move { meter.job_finished(report).await }).await {
        Ok(result) => result,
        Err(e) => Err(format!("the meter failed: {e}")),
    }
}

pub(super) async fn retry_unmetered(inner: &Arc<Inner>) {
    let ids = match jobs::unmetered(&inner.pool).await {
        Ok(ids) => ids,
        Err(e) => {
            tracing::warn!(error = %e, "listing unmetered jobs failed");
            return;
        }
    };
    for id in ids {
        if inner.is_stopping() {
            return;
        }
        let busy = inner.reporting.lock().map(|mut s| !s.insert(id)).unwrap_or(true);
        if !busy {
            report_marked(inner, id).await;
        }
    }
}
