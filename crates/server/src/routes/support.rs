//! Support tickets: a tenant's people open them, support agents answer them, and the first
//! response is measured against the tenant's SLA hours (48 / 12 / 2 by support tier).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use docket_billing::{FieldError, TenantId};
use docket_ledger::{
    MAX_TICKET_BODY_CHARS, MAX_TICKET_SUBJECT_CHARS, NewTicket, Severity, SupportResponse, SupportTicket,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::access::{SupportOpen, SupportRead, SupportRespond};
use super::billing::scoped_tenant;
use crate::auth::{Authorized, Principal, roles};
use crate::error::{ApiError, ApiJson, ApiQuery, ErrorBody};
use crate::state::AppState;

/// Most tickets one list returns.
const MAX_LIST: usize = 1_000;

/// A ticket to open.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenTicket {
    /// 1 to 200 characters.
    #[schema(required)]
    pub subject: Option<String>,
    #[schema(required)]
    pub severity: Option<Severity>,
    /// 1 to 20,000 characters.
    #[schema(required)]
    pub body: Option<String>,
}

/// A response to a ticket.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RespondToTicket {
    /// 1 to 20,000 characters.
    #[schema(required)]
    pub body: Option<String>,
}

/// The response recorded and the ticket after it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketResponse {
    pub response: SupportResponse,
    pub ticket: SupportTicket,
}

/// Tickets, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketList {
    pub tickets: Vec<SupportTicket>,
}

/// `GET /support/tickets` parameters.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TicketQuery {
    /// Only this tenant's tickets (staff tokens; a tenant's token always sees its own).
    pub tenant_id: Option<String>,
    /// Most tickets returned, 1 to 1000 (default 100).
    pub limit: Option<usize>,
}

/// A required field's error when it is absent (serde would name only the body).
fn required<T>(field: &str, value: &Option<T>) -> Option<FieldError> {
    value.is_none().then(|| FieldError::new(field, "is required"))
}

/// A text field of 1 to `max` characters (not only blanks), else its error.
fn text(field: &str, value: &Option<String>, max: usize) -> Option<FieldError> {
    let Some(value) = value else { return required(field, value) };
    let chars = value.chars().count();
    if value.trim().is_empty() {
        Some(FieldError::new(field, "must not be empty"))
    } else if chars > max {
        Some(FieldError::new(field, format!("is {chars} characters long; at most {max}")))
    } else {
        None
    }
}

fn check(errors: Vec<Option<FieldError>>) -> Result<(), ApiError> {
    let errors: Vec<FieldError> = errors.into_iter().flatten().collect();
    if errors.is_empty() { Ok(()) } else { Err(ApiError::invalid(errors)) }
}

/// The tenant a support call is limited to: the token's own tenant when it names one; none
/// (every tenant) for a staff token without one; 403 for anyone else.
fn support_scope(principal: &Principal) -> Result<Option<&TenantId>, ApiError> {
    let staff = [roles::SUPPORT_AGENT, roles::CUSTOMER_SUCCESS_MANAGER, roles::PLATFORM_ADMIN];
    match &principal.tenant_id {
        Some(own) => Ok(Some(own)),
        None if principal.roles.iter().any(|r| staff.contains(&r.as_str())) => Ok(None),
        None => Err(ApiError::Forbidden(
            "token carries no tenant_id claim (only SupportAgent, CustomerSuccessManager and PlatformAdmin see every tenant)"
                .into(),
        )),
    }
}

fn not_found(id: &str) -> ApiError {
    ApiError::NotFound(format!("ticket '{id}' not found"))
}

/// Open a ticket for the caller's tenant (audience docket-api, scope support:write, a token
/// naming the tenant). Its first response is due the tenant's SLA hours later.
#[utoipa::path(post, path = "/support/tickets", tag = "support", request_body = OpenTicket,
    security(("bearer" = [])),
    responses((status = 201, body = SupportTicket), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn open(
    State(state): State<AppState>,
    principal: Authorized<SupportOpen>,
    ApiJson(req): ApiJson<OpenTicket>,
) -> Result<(StatusCode, ApiJson<SupportTicket>), ApiError> {
    let tenant = state.product_tenant(&principal).await?;
    check(vec![
        text("subject", &req.subject, MAX_TICKET_SUBJECT_CHARS),
        required("severity", &req.severity),
        text("body", &req.body, MAX_TICKET_BODY_CHARS),
    ])?;
    let (Some(subject), Some(severity), Some(body)) = (req.subject, req.severity, req.body) else {
        return Err(ApiError::Internal("a checked ticket field is missing".into()));
    };
    let new =
        NewTicket { tenant: &tenant, subject: subject.trim(), body: &body, severity, opened_by: &principal.subject };
    let ticket = state.ledger.open_ticket(new, OffsetDateTime::now_utc()).await?;
    tracing::info!(ticket = %ticket.ticket_id, tenant = %tenant, severity = ticket.severity.as_str(),
        due_at = %ticket.due_at, "support ticket opened");
    Ok((StatusCode::CREATED, ApiJson(ticket)))
}

/// Answer a ticket (role SupportAgent, scope support:write). The first response is measured
/// against the ticket's deadline; after it, a `late` breach is recorded.
#[utoipa::path(post, path = "/support/tickets/{ticket_id}/responses", tag = "support",
    params(("ticket_id" = String, Path)), request_body = RespondToTicket, security(("bearer" = [])),
    responses((status = 201, body = TicketResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn respond(
    State(state): State<AppState>,
    principal: Authorized<SupportRespond>,
    Path(ticket_id): Path<String>,
    ApiJson(req): ApiJson<RespondToTicket>,
) -> Result<(StatusCode, ApiJson<TicketResponse>), ApiError> {
    check(vec![text("body", &req.body, MAX_TICKET_BODY_CHARS)])?;
    let body = req.body.unwrap_or_default();
    let scope = support_scope(&principal)?;
    let responded = state
        .ledger
        .respond_to_ticket(&ticket_id, scope, &principal.subject, &body, OffsetDateTime::now_utc())
        .await?
        .ok_or_else(|| not_found(&ticket_id))?;
    if responded.first {
        state.telemetry.support_first_response(&responded.ticket);
    }
    if let Some(breach) = responded.breach {
        state.telemetry.support_breach(&responded.ticket, breach);
        tracing::warn!(ticket = %ticket_id, tenant = %responded.ticket.tenant_id, due_at = %responded.ticket.due_at,
            "support SLA breached: first response after the deadline");
    }
    Ok((StatusCode::CREATED, ApiJson(TicketResponse { response: responded.response, ticket: responded.ticket })))
}

/// Tickets, newest first (audience docket-api, scope support:read): a tenant's token sees its
/// own; SupportAgent, CustomerSuccessManager and PlatformAdmin tokens without a tenant see all.
#[utoipa::path(get, path = "/support/tickets", tag = "support", params(TicketQuery), security(("bearer" = [])),
    responses((status = 200, body = TicketList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    principal: Authorized<SupportRead>,
    ApiQuery(query): ApiQuery<TicketQuery>,
) -> Result<ApiJson<TicketList>, ApiError> {
    let limit = query.limit.unwrap_or(100);
    if !(1..=MAX_LIST).contains(&limit) {
        return Err(ApiError::invalid_field("limit", format!("must be 1 to {MAX_LIST}")));
    }
    let asked = query
        .tenant_id
        .as_deref()
        .map(TenantId::parse)
        .transpose()
        .map_err(|e| ApiError::invalid_field("tenant_id", e.to_string()))?;
    support_scope(&principal)?;
    let tenant = scoped_tenant(&principal, asked)?;
    let tickets = state.ledger.tickets(tenant.as_ref(), limit).await?;
    Ok(ApiJson(TicketList { tickets }))
}

/// One ticket with its responses (same access as the list; another tenant's ticket is a 404).
#[utoipa::path(get, path = "/support/tickets/{ticket_id}", tag = "support", params(("ticket_id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = SupportTicket), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    principal: Authorized<SupportRead>,
    Path(ticket_id): Path<String>,
) -> Result<ApiJson<SupportTicket>, ApiError> {
    let scope = support_scope(&principal)?;
    let ticket = state.ledger.ticket(&ticket_id, scope).await?.ok_or_else(|| not_found(&ticket_id))?;
    Ok(ApiJson(ticket))
}
