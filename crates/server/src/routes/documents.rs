//! Documents with their provenance.

use axum::extract::{Path, State};
use docket_corpus::{DocumentDetail, DocumentFilter, DocumentPage};
use uuid::Uuid;

use super::access::IngestRead;
use crate::auth::Authorized;
use crate::error::{ApiError, ApiJson, ApiQuery, ErrorBody};
use crate::state::AppState;

/// The tenant's documents with provenance, filtered and paginated (scope ingest:read).
#[utoipa::path(get, path = "/documents", tag = "documents", params(DocumentFilter), security(("bearer" = [])),
    responses((status = 200, body = DocumentPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    principal: Authorized<IngestRead>,
    ApiQuery(filter): ApiQuery<DocumentFilter>,
) -> Result<ApiJson<DocumentPage>, ApiError> {
    let tenant = state.product_tenant(&principal).await?;
    Ok(ApiJson(state.corpus.documents(&tenant, &filter).await?))
}

/// One document: provenance, extracted text and attachments (scope ingest:read).
#[utoipa::path(get, path = "/documents/{id}", tag = "documents", params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = DocumentDetail), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    principal: Authorized<IngestRead>,
    Path(id): Path<String>,
) -> Result<ApiJson<DocumentDetail>, ApiError> {
    let tenant = state.product_tenant(&principal).await?;
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::BadRequest(format!("'{id}' is not a document id")))?;
    let doc = state
        .corpus
        .document(&tenant, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no document '{id}' for this tenant")))?;
    Ok(ApiJson(doc))
}
