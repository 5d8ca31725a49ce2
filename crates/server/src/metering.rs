//! Metering of the product's flows: every billable action becomes one usage event in the
//! ledger, with an id that makes a retry count once.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use docket_corpus::agents::{RunMeter, RunReport};
use docket_corpus::{JobMeter, JobReport};
use docket_ledger::{EventKind, Ledger, UsageEvent};

use crate::telemetry::Telemetry;

/// Records one ingestion usage event per finished job. The event id is derived from the job
/// id, so a report repeated after a restart is counted once (in telemetry too).
pub struct LedgerMeter {
    pub ledger: Ledger,
    pub telemetry: Arc<Telemetry>,
}

impl JobMeter for LedgerMeter {
    fn job_finished(&self, report: JobReport) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + '_>> {
        Box::pin(async move {
            let mut event = UsageEvent::now(report.tenant_id.clone(), EventKind::Ingestion, report.documents_ingested);
            event.event_id = format!("ingest:{}", report.job_id);
            event.bytes = report.new_bytes;
            event.subject = Some(report.submitted_by.clone());
            event.occurred_at = report.finished_at;
            event.attributes = serde_json::json!({
                "job_id": report.job_id,
                "duplicates": report.duplicates,
                "failed": report.failed,
            });
            let outcome = self.ledger.record(vec![event]).await.map_err(|e| e.to_string())?;
            if outcome.recorded > 0 {
                self.telemetry.job_finished(&report);
            }
            Ok(())
        })
    }
}

impl RunMeter for LedgerMeter {
    fn run_finished(&self, report: RunReport) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + '_>> {
        Box::pin(async move {
            let mut event = UsageEvent::now(report.tenant_id.clone(), EventKind::Agent, 1);
            event.event_id = format!("agent:{}", report.run_id);
            event.subject = Some(report.submitted_by.clone());
            event.occurred_at = report.finished_at;
            event.attributes = serde_json::json!({
                "run_id": report.run_id,
                "agent": report.agent,
                "documents_examined": report.documents_examined,
            });
            self.ledger.record(vec![event]).await.map_err(|e| e.to_string())?;
            Ok(())
        })
    }
}
