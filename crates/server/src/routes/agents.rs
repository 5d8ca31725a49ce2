//! Agents: start a run, follow it, read its output and exports; the privilege-review counsel list.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use docket_billing::TenantId;
use docket_corpus::agents::{AgentRun, CounselList, RunRequest, RunSummary};
use serde::Deserialize;
use uuid::Uuid;

use super::access::{AgentsRead, AgentsRun};
use crate::auth::Authorized;
use crate::error::{ApiError, ApiJson, ApiQuery, ErrorBody};
use crate::state::AppState;

/// Start an agent run (scope agents:run): `privilege_review`, `chronology` or `case_brief`.
/// Answers 202 with the queued run; follow it with `GET /agents/runs/{run_id}`.
#[utoipa::path(post, operation_id = "start_agent_run", path = "/agents/run", tag = "agents", request_body = RunRequest, security(("bearer" = [])),
    responses((status = 202, body = AgentRun), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    principal: Authorized<AgentsRun>,
    ApiJson(body): ApiJson<RunRequest>,
) -> Result<(StatusCode, ApiJson<AgentRun>), ApiError> {
    let tenant = state.product_tenant(&principal).await?;
    let run = state.agents.submit(&tenant, &principal.subject, body).await?;
    Ok((StatusCode::ACCEPTED, ApiJson(run)))
}

/// Paging of `GET /agents/runs`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RunsQuery {
    /// Most runs returned, 1..=200 (default 50).
    pub limit: Option<u32>,
}

/// The tenant's recent runs, newest first, without their outputs (scope agents:read).
#[utoipa::path(get, operation_id = "list_agent_runs", path = "/agents/runs", tag = "agents", params(RunsQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<RunSummary>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    principal: Authorized<AgentsRead>,
    ApiQuery(query): ApiQuery<RunsQuery>,
) -> Result<ApiJson<Vec<RunSummary>>, ApiError> {
    let tenant = state.product_tenant(&principal).await?;
    Ok(ApiJson(state.agents.runs(&tenant, query.limit.unwrap_or(50)).await?))
}

fn run_id(id: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(id).map_err(|_| ApiError::BadRequest(format!("'{id}' is not a run id")))
}

fn not_found(id: Uuid) -> ApiError {
    ApiError::NotFound(format!("no agent run '{id}' for this tenant"))
}

/// One run: status, steps, output and citations (scope agents:read). Another tenant's run is a 404.
#[utoipa::path(get, operation_id = "get_agent_run", path = "/agents/runs/{run_id}", tag = "agents", params(("run_id" = Uuid, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = AgentRun), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    principal: Authorized<AgentsRead>,
    Path(id): Path<String>,
) -> Result<ApiJson<AgentRun>, ApiError> {
    let tenant = state.product_tenant(&principal).await?;
    let id = run_id(&id)?;
    let run = state.agents.run(&tenant, id).await?.ok_or_else(|| not_found(id))?;
    Ok(ApiJson(run))
}

async fn export_response(
    state: &AppState,
    tenant: &TenantId,
    id: Uuid,
    format: &str,
    name: &str,
) -> Result<Response, ApiError> {
    let (media_type, bytes) = state.agents.export(tenant, id, format).await?.ok_or_else(|| not_found(id))?;
    let disposition = format!("attachment; filename=\"{name}-{id}.{format}\"");
    Ok(([(header::CONTENT_TYPE, media_type.to_owned()), (header::CONTENT_DISPOSITION, disposition)], bytes)
        .into_response())
}

/// A privilege review's privilege log as CSV (scope agents:read): one row per document called
/// privileged or needing review.
#[utoipa::path(get, operation_id = "get_privilege_log", path = "/agents/runs/{run_id}/privilege-log.csv", tag = "agents",
    params(("run_id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, content_type = "text/csv", body = String), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn privilege_log(
    State(state): State<AppState>,
    principal: Authorized<AgentsRead>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let tenant = state.product_tenant(&principal).await?;
    let id = run_id(&id)?;
    let run = state.agents.run(&tenant, id).await?.ok_or_else(|| not_found(id))?;
    if run.summary.agent != "privilege_review" {
        return Err(ApiError::invalid_field(
            "run_id",
            format!("run '{id}' is a {} run, not a privilege review", run.summary.agent),
        ));
    }
    export_response(&state, &tenant, id, "csv", "privilege-log").await
}

/// A run's output exported as `csv` (privilege log, chronology) or `md` (chronology, case
/// brief) (scope agents:read).
#[utoipa::path(get, operation_id = "export_agent_run", path = "/agents/runs/{run_id}/export/{format}", tag = "agents",
    params(("run_id" = Uuid, Path), ("format" = String, Path, description = "csv or md")), security(("bearer" = [])),
    responses((status = 200, description = "the export", content((String = "text/csv"), (String = "text/markdown"))),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    principal: Authorized<AgentsRead>,
    Path((id, format)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let tenant = state.product_tenant(&principal).await?;
    let id = run_id(&id)?;
    let agent = state.agents.run(&tenant, id).await?.ok_or_else(|| not_found(id))?.summary.agent;
    export_response(&state, &tenant, id, &format, &agent.replace('_', "-")).await
}

/// The tenant's counsel list for privilege review (scope agents:read).
#[utoipa::path(get, operation_id = "get_counsel_list", path = "/agents/privilege_review/counsel", tag = "agents", security(("bearer" = [])),
    responses((status = 200, body = CounselList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn counsel(
    State(state): State<AppState>,
    principal: Authorized<AgentsRead>,
) -> Result<ApiJson<CounselList>, ApiError> {
    let tenant = state.product_tenant(&principal).await?;
    Ok(ApiJson(state.agents.counsel(&tenant).await?))
}

/// Replace the tenant's counsel list (scope agents:run); answers it as stored.
#[utoipa::path(put, operation_id = "set_counsel_list", path = "/agents/privilege_review/counsel", tag = "agents", request_body = CounselList,
    security(("bearer" = [])),
    responses((status = 200, body = CounselList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_counsel(
    State(state): State<AppState>,
    principal: Authorized<AgentsRun>,
    ApiJson(body): ApiJson<CounselList>,
) -> Result<ApiJson<CounselList>, ApiError> {
    let tenant = state.product_tenant(&principal).await?;
    Ok(ApiJson(state.agents.set_counsel(&tenant, body).await?))
}
