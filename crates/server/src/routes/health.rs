//! Liveness and readiness.

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

/// Whether the server is up and its ledger answers.
#[utoipa::path(get, path = "/health", tag = "operations",
    responses((status = 200, body = Health), (status = 503, body = crate::error::ErrorBody)))]
pub async fn health(State(state): State<AppState>) -> Result<ApiJson<Health>, ApiError> {
    state.ledger.tenants().await.map_err(|e| ApiError::Unavailable(format!("ledger: {e}")))?;
    Ok(ApiJson(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
        ledger: match state.ledger.backend() {
            docket_ledger::Backend::Sqlite => "sqlite",
            docket_ledger::Backend::Postgres => "postgres",
        },
        period: docket_billing::BillingPeriod::containing(time::OffsetDateTime::now_utc()).to_string(),
        indexed_passages: state.corpus.indexed_passages(),
    }))
}
