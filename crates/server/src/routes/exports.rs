//! The weekly CRM export: one row per tenant, as CSV or JSON Lines.

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use docket_ledger::{CrmFormat, CrmRow, UsageQuery, crm_rows, write_crm};
use serde::Deserialize;
use utoipa::IntoParams;

use super::access::BillingExport;
use super::billing::scoped_tenant;
use super::period_or_current;
use crate::auth::Authorized;
use crate::error::{ApiError, ApiQuery, ErrorBody};
use crate::state::AppState;

/// `GET /billing/export/crm` parameters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CrmExportQuery {
    /// Billing period, YYYY-MM (UTC); the current one when absent.
    pub period: Option<String>,
    /// csv or jsonl; when absent, jsonl if `Accept` asks for application/x-ndjson, else csv.
    pub format: Option<String>,
}

/// The format asked for: `?format=` first, then `Accept`, else CSV.
fn format_of(asked: Option<&str>, headers: &HeaderMap) -> Result<CrmFormat, ApiError> {
    if let Some(f) = asked {
        return f.parse().map_err(|e: String| ApiError::invalid_field("format", e));
    }
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let wants_lines = accept.split(',').any(|m| {
        let media = m.split(';').next().unwrap_or_default().trim();
        media.eq_ignore_ascii_case("application/x-ndjson") || media.eq_ignore_ascii_case("application/jsonl")
    });
    Ok(if wants_lines { CrmFormat::Jsonl } else { CrmFormat::Csv })
}

/// Weekly CRM sync: one row per tenant, as CSV or JSON Lines.
///
/// Organisation, contact, plan, seats, departments, go-live, success criteria, health, usage
/// ratio, costs, alert level and last activity, in the columns listed in docs/api.md. CSV has
/// a header row, and free text starting with = + - @ gets a leading apostrophe so that a
/// spreadsheet shows it as text. Role CustomerSuccessManager or PlatformAdmin, scope
/// billing:export, audience docket-billing; a tenant-scoped token gets its own row only.
#[utoipa::path(get, path = "/billing/export/crm", tag = "billing", params(CrmExportQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "the export: text/csv with a header row, or one JSON object per line",
            content((String = "text/csv"), (CrmRow = "application/x-ndjson"))),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn export_crm(
    State(state): State<AppState>,
    principal: Authorized<BillingExport>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<CrmExportQuery>,
) -> Result<Response, ApiError> {
    let period = period_or_current(query.period.as_deref())?;
    let format = format_of(query.format.as_deref(), &headers)?;
    let tenant = scoped_tenant(&principal, None)?;
    let page = state.ledger.usage_page(period, &UsageQuery { tenant, ..UsageQuery::default() }).await?;
    let rows = crm_rows(&page.tenants);
    let mut body = Vec::new();
    write_crm(&rows, format, &mut body).map_err(|e| ApiError::Internal(format!("writing the CRM export: {e}")))?;
    let disposition = format!("attachment; filename=\"docket-crm-{period}.{}\"", format.extension());
    Ok(([(header::CONTENT_TYPE, format.content_type().to_owned()), (header::CONTENT_DISPOSITION, disposition)], body)
        .into_response())
}
