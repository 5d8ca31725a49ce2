//! Billing: the plan catalogue, recommendations, usage snapshots and service metering.

use std::collections::HashSet;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use docket_billing::{
    AlertLevel, Catalogue, Evaluation, FieldError, PlanId, RecommendationRequest, TenantId, accept_event_time,
    catalogue, evaluate,
};
use docket_ledger::{
    DailyUsage, EventKind, QuotaAlert, RecordOutcome, TenantSnapshot, UsageCursor, UsageEvent, UsageOrder, UsageQuery,
    UsageSummary,
};
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

/// Most tenants one page of `GET /billing/usage` may ask for.
pub const MAX_USAGE_LIMIT: usize = 1_000;
/// Longest `q` search string, in characters.
pub const MAX_USAGE_SEARCH_CHARS: usize = 200;

/// Paging, sorting and filters of `GET /billing/usage`.
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
    /// Only tenants on this plan: community, professional or enterprise.
    pub plan: Option<String>,
    /// Only tenants at this alert level: none, soft or hard.
    pub alert_level: Option<String>,
    /// Only tenants whose organisation name or tenant id contains this text, ignoring case
    /// (at most 200 characters).
    pub q: Option<String>,
    /// Sort order: health, usage_ratio, projected_cost, last_activity, tenant or organization;
    /// a leading '-' sorts descending (`-projected_cost`). Ties go by tenant id. Default: tenant.
    pub sort: Option<String>,
    /// Tenants per page, 1 to 1000. Without it every matching tenant is returned (exports).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page, with the same `sort` and filters.
    pub cursor: Option<String>,
}

/// The tenants of a period matching the filters: one page of them (all without `limit`), and
/// the summary of every matching tenant.
#[derive(Debug, Serialize, ToSchema)]
pub struct UsageReport {
    /// When the tenants' assessments were computed.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub generated_at: OffsetDateTime,
    pub period: String,
    /// The sort order applied.
    #[schema(example = "-health")]
    pub sort: String,
    pub tenants: Vec<TenantSnapshot>,
    /// Quota alerts of the period, for the tenants listed.
    pub alerts: Vec<QuotaAlert>,
    /// Tenants matching the filters, over every page.
    pub matching: u64,
    /// Summary over every tenant matching the filters (all pages, not only this one).
    pub summary: UsageSummary,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// Customer health snapshots (role CustomerSuccessManager or PlatformAdmin, scope
/// billing:read, audience docket-billing), paged, sorted and filtered on the server.
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
    let query = usage_query(filter, tenant)?;
    let page = state.ledger.usage_page(period, &query).await?;
    Ok(ApiJson(UsageReport {
        generated_at: page.generated_at,
        period: page.period.to_string(),
        sort: query.order.to_string(),
        tenants: page.tenants,
        alerts: page.alerts,
        matching: page.matching,
        summary: page.summary,
        next_cursor: page.next_cursor.map(|c| c.to_string()),
    }))
}

/// Check the paging, sorting and filter parameters; each error names its parameter.
fn usage_query(filter: UsageFilter, tenant: Option<TenantId>) -> Result<UsageQuery, ApiError> {
    let order: UsageOrder = match filter.sort.as_deref() {
        None => UsageOrder::default(),
        Some(s) => s.parse().map_err(|e: String| ApiError::invalid_field("sort", e))?,
    };
    let limit = filter
        .limit
        .as_deref()
        .map(|l| match l.parse::<usize>() {
            Ok(n) if (1..=MAX_USAGE_LIMIT).contains(&n) => Ok(n),
            _ => Err(ApiError::invalid_field(
                "limit",
                format!("'{l}' is not a page size: use a whole number from 1 to {MAX_USAGE_LIMIT}, or leave limit out for every tenant"),
            )),
        })
        .transpose()?;
    let after = filter
        .cursor
        .as_deref()
        .map(|c| {
            let cursor: UsageCursor = c.parse().map_err(|e: String| ApiError::invalid_field("cursor", e))?;
            if cursor.order() != order {
                return Err(ApiError::invalid_field(
                    "cursor",
                    format!(
                        "this cursor continues a list sorted by '{}', not '{order}': ask with the same sort",
                        cursor.order()
                    ),
                ));
            }
            Ok(cursor)
        })
        .transpose()?;
    let plan = filter
        .plan
        .as_deref()
        .map(|p| p.parse::<PlanId>().map_err(|e| ApiError::invalid_field("plan", e.to_string())))
        .transpose()?;
    let alert_level = filter
        .alert_level
        .as_deref()
        .map(|l| {
            serde_json::from_value::<AlertLevel>(serde_json::Value::String(l.to_owned())).map_err(|_| {
                ApiError::invalid_field(
                    "alert_level",
                    format!("unknown alert level '{l}': expected none, soft or hard"),
                )
            })
        })
        .transpose()?;
    let search = filter.q.map(|q| q.trim().to_owned()).filter(|q| !q.is_empty());
    if let Some(q) = &search
        && q.chars().count() > MAX_USAGE_SEARCH_CHARS
    {
        return Err(ApiError::invalid_field("q", format!("at most {MAX_USAGE_SEARCH_CHARS} characters")));
    }
    Ok(UsageQuery { tenant, flagged: filter.flagged, plan, alert_level, search, order, limit, after })
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
