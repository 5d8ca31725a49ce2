//! The daily triage of customer success: flagged tenants, riskiest first, with reasons.

use axum::extract::State;
use docket_ledger::{TriageEntry, UsageQuery, triage_list};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::access::BillingRead;
use super::billing::scoped_tenant;
use super::{PeriodQuery, period_or_current};
use crate::auth::Authorized;
use crate::error::{ApiError, ApiJson, ApiQuery, ErrorBody};
use crate::state::AppState;

/// The triage of one period.
#[derive(Debug, Serialize, ToSchema)]
pub struct TriageReport {
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub generated_at: OffsetDateTime,
    pub period: String,
    /// Tenants with health < 0.75 or usage ratio > 0.95, riskiest first.
    pub tenants: Vec<TriageEntry>,
}

/// Tenants to look at today, riskiest first, each with its reasons in words (role
/// CustomerSuccessManager or PlatformAdmin, scope billing:read, audience docket-billing).
#[utoipa::path(get, path = "/billing/triage", tag = "billing", params(PeriodQuery),
    security(("bearer" = [])),
    responses((status = 200, body = TriageReport), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn triage(
    State(state): State<AppState>,
    principal: Authorized<BillingRead>,
    ApiQuery(query): ApiQuery<PeriodQuery>,
) -> Result<ApiJson<TriageReport>, ApiError> {
    let period = period_or_current(query.period.as_deref())?;
    let tenant = scoped_tenant(&principal, None)?;
    // The flagged tenants from the in-memory usage view, as the dashboard sees them.
    let query = UsageQuery { tenant, flagged: Some(true), ..UsageQuery::default() };
    let page = state.ledger.usage_page(period, &query).await?;
    let tenants = triage_list(&page.tenants, page.generated_at);
    Ok(ApiJson(TriageReport { generated_at: page.generated_at, period: period.to_string(), tenants }))
}
