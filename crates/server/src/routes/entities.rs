//! Entities found in the documents and the graph of their co-occurrence.

use axum::extract::State;
use docket_corpus::{EntityInfo, Neighborhood};
use serde::Deserialize;
use utoipa::IntoParams;

use super::access::QueryRead;
use crate::auth::Authorized;
use crate::error::{ApiError, ApiJson, ApiQuery, ErrorBody};
use crate::state::AppState;

/// `GET /entities` parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EntityQuery {
    /// Part of the entity's name (case-insensitive); all entities when empty.
    #[serde(default)]
    pub q: String,
    /// Most entities returned, 1..=200 (default 50).
    pub limit: Option<usize>,
}

/// People, organisations, e-mail addresses, money amounts and case numbers (scope query:read).
#[utoipa::path(get, path = "/entities", tag = "query", params(EntityQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<EntityInfo>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn entities(
    State(state): State<AppState>,
    principal: Authorized<QueryRead>,
    ApiQuery(query): ApiQuery<EntityQuery>,
) -> Result<ApiJson<Vec<EntityInfo>>, ApiError> {
    let tenant = state.product_tenant(&principal).await?;
    let limit = query.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::invalid_field("limit", "must be from 1 to 200"));
    }
    Ok(ApiJson(state.corpus.entities(&tenant, &query.q, limit).await?))
}

/// `GET /graph/neighbor` parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NeighborQuery {
    /// The entity's id.
    pub id: String,
}

/// An entity's documents and the entities that co-occur with it (scope query:read).
#[utoipa::path(get, path = "/graph/neighbor", tag = "query", params(NeighborQuery), security(("bearer" = [])),
    responses((status = 200, body = Neighborhood), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn neighbor(
    State(state): State<AppState>,
    principal: Authorized<QueryRead>,
    ApiQuery(query): ApiQuery<NeighborQuery>,
) -> Result<ApiJson<Neighborhood>, ApiError> {
    let tenant = state.product_tenant(&principal).await?;
    let found = state.corpus.neighbors(&tenant, &query.id).await?;
    found.map(ApiJson).ok_or_else(|| ApiError::NotFound(format!("no entity '{}' for this tenant", query.id)))
}
