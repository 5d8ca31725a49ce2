//! The SLA sweep: records an `unanswered` breach on every support ticket whose first-response
//! deadline passed without a response, so that a breach is known when it happens, not only
//! when a late answer comes. Each breach is recorded (and counted) once, whichever instance
//! sweeps first.

use std::sync::Arc;
use std::time::Duration;

use docket_ledger::{Ledger, SlaBreach};
use time::OffsetDateTime;
use tokio::task::JoinHandle;

use crate::telemetry::Telemetry;

/// How often the sweep runs: a breach is recorded at most this long after its deadline.
pub const SLA_SWEEP_EVERY: Duration = Duration::from_secs(60);

/// Record the breaches due at `now`; returns how many were recorded.
pub async fn sweep_once(ledger: &Ledger, telemetry: &Telemetry, now: OffsetDateTime) -> usize {
    match ledger.sweep_sla_breaches(now).await {
        Ok(breached) => {
            for t in &breached {
                telemetry.support_breach(t, SlaBreach::Unanswered);
                tracing::warn!(ticket = %t.ticket_id, tenant = %t.tenant_id, support_tier = t.support_tier.as_str(),
                    due_at = %t.due_at, "support SLA breached: no response by the deadline");
            }
            breached.len()
        }
        Err(e) => {
            tracing::warn!(error = %e, "the support SLA sweep failed; it runs again shortly");
            0
        }
    }
}

/// Sweep at start and every [`SLA_SWEEP_EVERY`].
pub fn spawn_sla_sweep(ledger: Ledger, telemetry: Arc<Telemetry>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(SLA_SWEEP_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            sweep_once(&ledger, &telemetry, OffsetDateTime::now_utc()).await;
        }
    })
}
