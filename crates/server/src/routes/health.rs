//! Liveness and readiness.

use std::time::Duration;

use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiJson};
use crate::state::AppState;

/// The server's state.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub version: &'static str,
    /// sqlite or postgres.
    pub ledger: &'static str,
    /// The current billing period.
    pub period: String,
    /// Passages in the search index (all tenants).
    pub indexed_passages: u64,
}

/// How long the ledger's write probe may take before the ledger counts as unhealthy.
const LEDGER_PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// Whether the server is up and its ledger takes writes (a heartbeat committed through the
/// writer): 503 naming the component (`details.component`) otherwise, with `Retry-After`.
#[utoipa::path(get, path = "/health", tag = "operations",
    responses((status = 200, body = Health), (status = 503, body = crate::error::ErrorBody)))]
pub async fn health(State(state): State<AppState>) -> Result<ApiJson<Health>, ApiError> {
    let down = |message: String| ApiError::ComponentUnavailable { component: "ledger", message };
    match tokio::time::timeout(LEDGER_PROBE_TIMEOUT, state.ledger.check_writable()).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "health: the ledger cannot write");
            return Err(down("the usage ledger cannot write (storage full or database unreachable)".into()));
        }
        Err(_) => return Err(down(format!("the usage ledger did not answer within {LEDGER_PROBE_TIMEOUT:?}"))),
    }
    Ok(ApiJson(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
        ledger: state.ledger.backend().as_str(),
        period: docket_billing::BillingPeriod::containing(time::OffsetDateTime::now_utc()).to_string(),
        indexed_passages: state.corpus.indexed_passages(),
    }))
}
