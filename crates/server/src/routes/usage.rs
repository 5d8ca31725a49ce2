//! A tenant's own consumption, for its administrators.

use axum::extract::State;
use docket_ledger::{DailyUsage, QuotaAlert, TenantSnapshot};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::access::UsageRead;
use super::{PeriodQuery, period_or_current};
use crate::auth::Authorized;
use crate::error::{ApiError, ApiJson, ApiQuery, ErrorBody};
use crate::state::AppState;

/// The calling tenant's snapshot, daily series and alerts.
#[derive(Debug, Serialize, ToSchema)]
pub struct OwnUsage {
    pub snapshot: TenantSnapshot,
    pub daily: Vec<DailyUsage>,
    pub alerts: Vec<QuotaAlert>,
}

/// The caller's own tenant usage (audience docket-api, role TenantAdmin, scope usage:read).
#[utoipa::path(get, path = "/usage", tag = "usage", params(PeriodQuery), security(("bearer" = [])),
    responses((status = 200, body = OwnUsage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn own_usage(
    State(state): State<AppState>,
    principal: Authorized<UsageRead>,
    ApiQuery(query): ApiQuery<PeriodQuery>,
) -> Result<ApiJson<OwnUsage>, ApiError> {
    let tenant = principal.tenant()?;
    state.registered_tenant(tenant).await?;
    let period = period_or_current(query.period.as_deref())?;
    let now = OffsetDateTime::now_utc();
    let snapshot = state
        .ledger
        .snapshots(period, now, Some(tenant))
        .await?
        .pop()
        .ok_or_else(|| ApiError::Forbidden(format!("tenant '{tenant}' is not registered")))?;
    let daily = state.ledger.daily(tenant, period).await?;
    let alerts = state.ledger.alerts(period, Some(tenant)).await?;
    Ok(ApiJson(OwnUsage { snapshot, daily, alerts }))
}
