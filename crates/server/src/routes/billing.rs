//! Billing: the plan catalogue, recommendations, usage snapshots and service metering.

use std::collections::HashSet;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use docket_billing::{
    Catalogue, Evaluation, FieldError, RecommendationRequest, TenantId, accept_event_time, catalogue, evaluate,
};
use docket_ledger::{DailyUsage, EventKind, QuotaAlert, RecordOutcome, TenantSnapshot, UsageEvent};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use super::access::{BillingRead, BillingWrite};
use super::{PeriodQuery, period_or_current};
use crate::auth::{Authorized, Principal};
use crate::error::{ApiError, ApiJson, ApiQuery, ErrorBody};
use crate::state::AppState;

/// Most events one `POST /billing/events` may carry.
pub const MAX_EVENTS_PER_REQUEST: usize = 1_000;

/// The plan catalogue: pricing, quotas, support tiers and alert thresholds.
#[utoipa::path(get, path = "/billing/plans", tag = "billing", responses((status = 200, body = Catalogue)))]
pub async fn plans() -> ApiJson<Catalogue> {
    ApiJson(catalogue())
}

/// Recommend a plan and project ROI from sizing inputs; stores nothing. The same code serves
/// `POST /onboarding`.
#[utoipa::path(post, path = "/billing/recommend", tag = "billing",
    request_body = RecommendationRequest,
    responses((status = 200, body = Evaluation), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn recommend(ApiJson(body): ApiJson<serde_json::Value>) -> Result<ApiJson<Evaluation>, ApiError> {
    let request = RecommendationRequest::parse(&body).map_err(ApiError::invalid)?;
    Ok(ApiJson(evaluate(&request)))
}

/// Filters of `GET /billing/usage`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UsageFilter {
    /// Only tenants flagged for triage (health < 0.75 or usage ratio > 0.95), or only the others.
    pub flagged: Option<bool>,
    /// Only this tenant.
    pub tenant_id: Option<String>,
    /// Billing period YYYY-MM; past periods come from history.
    pub period: Option<String>,
}

/// Every tenant's snapshot for a period.
#[derive(Debug, Serialize, ToSchema)]
pub struct UsageReport {
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub generated_at: OffsetDateTime,
    pub period: String,
    pub tenants: Vec<TenantSnapshot>,
    /// Quota alerts of the period, for the tenants listed.
    pub alerts: Vec<QuotaAlert>,
}

/// Customer health snapshots (role CustomerSuccessManager or PlatformAdmin, scope
/// billing:read, audience docket-billing).
#[utoipa::path(get, path = "/billing/usage", tag = "billing", params(UsageFilter),
    security(("bearer" = [])),
    responses((status = 200, body = UsageReport), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn usage(
    State(state): State<AppState>,
    principal: Authorized<BillingRead>,
    ApiQuery(filter): ApiQuery<UsageFilter>,
) -> Result<ApiJson<UsageReport>, ApiError> {
    let period = period_or_current(filter.period.as_deref())?;
    let asked = filter
        .tenant_id
        .as_deref()
        .map(|t| TenantId::parse(t).map_err(|e| ApiError::invalid_field("tenant_id", e.to_string())))
        .transpose()?;
    let tenant = scoped_tenant(&principal, asked)?;
    let now = OffsetDateTime::now_utc();
    let mut tenants = state.ledger.snapshots(period, now, tenant.as_ref()).await?;
    if let Some(flagged) = filter.flagged {
        tenants.retain(|t| t.assessment.flagged == flagged);
    }
    let listed: HashSet<_> = tenants.iter().map(|t| t.tenant_id.clone()).collect();
    let alerts = state
        .ledger
        .alerts(period, tenant.as_ref())
        .await?
        .into_iter()
        .filter(|a| listed.contains(&a.tenant_id))
        .collect();
    Ok(ApiJson(UsageReport { generated_at: now, period: period.to_string(), tenants, alerts }))
}

/// The tenant a billing read may cover. A token carrying a `tenant_id` claim sees that tenant
/// only: asking for another is a 403 naming the claim, asking for none means its own. A token
/// without the claim (the provider's staff) sees every tenant, or the one asked for.
pub(super) fn scoped_tenant(principal: &Principal, asked: Option<TenantId>) -> Result<Option<TenantId>, ApiError> {
    match (&principal.tenant_id, asked) {
        (Some(own), Some(asked)) if own != &asked => Err(ApiError::Forbidden(format!(
            "this token is scoped to tenant '{own}' (its tenant_id claim) and cannot read tenant '{asked}'"
        ))),
        (Some(own), _) => Ok(Some(own.clone())),
        (None, asked) => Ok(asked),
    }
}

/// A tenant's usage for each day of a period, for charts.
#[derive(Debug, Serialize, ToSchema)]
pub struct DailySeries {
    #[schema(value_type = String)]
    pub tenant_id: TenantId,
    pub period: String,
    pub days: Vec<DailyUsage>,
}

/// A tenant's daily usage series (same access as `GET /billing/usage`).
#[utoipa::path(get, path = "/billing/usage/{tenant_id}/daily", tag = "billing", params(("tenant_id" = String, Path), PeriodQuery),
    security(("bearer" = [])),
    responses((status = 200, body = DailySeries), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn daily(
    State(state): State<AppState>,
    principal: Authorized<BillingRead>,
    Path(tenant): Path<String>,
    ApiQuery(query): ApiQuery<PeriodQuery>,
) -> Result<ApiJson<DailySeries>, ApiError> {
    let tenant = TenantId::parse(&tenant).map_err(|e| ApiError::invalid_field("tenant_id", e.to_string()))?;
    scoped_tenant(&principal, Some(tenant.clone()))?;
    let period = period_or_current(query.period.as_deref())?;
    if state.ledger.tenant(&tenant).await?.is_none() {
        return Err(ApiError::NotFound(format!("tenant '{tenant}' not found")));
    }
    let days = state.ledger.daily(&tenant, period).await?;
    Ok(ApiJson(DailySeries { tenant_id: tenant, period: period.to_string(), days }))
}

/// One usage event as reported by a service.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportedEvent {
    /// Unique id chosen by the reporter; a retry with the same id is counted once.
    pub event_id: String,
    pub tenant_id: String,
    pub kind: EventKind,
    #[serde(default = "one")]
    pub units: u64,
    #[serde(default)]
    pub bytes: u64,
    pub latency_ms: Option<u64>,
    pub subject: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub attributes: Option<serde_json::Value>,
    /// RFC 3339; now when absent.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub occurred_at: Option<OffsetDateTime>,
}

fn one() -> u64 {
    1
}

/// A batch of usage events.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventBatch {
    pub events: Vec<ReportedEvent>,
}

/// Record usage reported by another component (role AutomationService or PlatformAdmin,
/// scope billing:write). Answers once every event is durable.
#[utoipa::path(post, path = "/billing/events", tag = "billing", request_body = EventBatch,
    security(("bearer" = [])),
    responses((status = 200, body = RecordOutcome), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn events(
    State(state): State<AppState>,
    principal: Authorized<BillingWrite>,
    ApiJson(batch): ApiJson<EventBatch>,
) -> Result<(StatusCode, ApiJson<RecordOutcome>), ApiError> {
    if batch.events.is_empty() {
        return Err(ApiError::invalid_field("events", "at least one event is required"));
    }
    if batch.events.len() > MAX_EVENTS_PER_REQUEST {
        return Err(ApiError::invalid_field(
            "events",
            format!("{} events sent; at most {MAX_EVENTS_PER_REQUEST} per request", batch.events.len()),
        ));
    }
    if let Some(own) = &principal.tenant_id
        && let Some(i) = batch.events.iter().position(|e| e.tenant_id != own.as_str())
    {
        return Err(ApiError::Forbidden(format!(
            "events[{i}].tenant_id: this token is scoped to tenant '{own}' (its tenant_id claim) and reports for it only"
        )));
    }
    let now = OffsetDateTime::now_utc();
    let mut errors = Vec::new();
    let mut events = Vec::with_capacity(batch.events.len());
    let mut known: HashSet<String> = HashSet::new();
    for (i, e) in batch.events.into_iter().enumerate() {
        let field = |name: &str| format!("events[{i}].{name}");
        match validate_event(e, now) {
            Err((name, message)) => errors.push(FieldError::new(field(name), message)),
            Ok(event) => {
                let t = event.tenant_id.to_string();
                if !known.contains(&t) {
                    if state.ledger.tenant(&event.tenant_id).await?.is_none() {
                        errors.push(FieldError::new(field("tenant_id"), format!("tenant '{t}' is not registered")));
                        continue;
                    }
                    known.insert(t);
                }
                events.push(event);
            }
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let outcome = state.ledger.record(events).await?;
    Ok((StatusCode::OK, ApiJson(outcome)))
}

fn validate_event(e: ReportedEvent, now: OffsetDateTime) -> Result<UsageEvent, (&'static str, String)> {
    let tenant = TenantId::parse(&e.tenant_id).map_err(|err| ("tenant_id", err.to_string()))?;
    let occurred_at = accept_event_time(e.occurred_at.unwrap_or(now), now).map_err(|m| ("occurred_at", m))?;
    let event = UsageEvent {
        event_id: e.event_id,
        tenant_id: tenant,
        kind: e.kind,
        units: e.units,
        bytes: e.bytes,
        latency_ms: e.latency_ms,
        subject: e.subject,
        attributes: e.attributes.unwrap_or_else(|| serde_json::Value::Object(Default::default())),
        occurred_at,
    };
    event.check()?;
    Ok(event)
}
