//! Ingestion: jobs over local folders and inline text, multipart uploads, job status.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use docket_corpus::{JobState, JobStatus, Source};
use serde::Deserialize;
use tokio::io::AsyncWriteExt;
use utoipa::ToSchema;
use uuid::Uuid;

use super::access::{IngestRead, IngestWrite};
use crate::auth::Authorized;
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::state::AppState;

/// What to ingest.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IngestRequest {
    /// `{"type": "local", "path"}` (`root-name/sub/file`, inside a root DOCKET_INGEST_ROOTS
    /// grants the caller's tenant) or
    /// `{"type": "inline", "name", "content", "media_type"?}`.
    pub sources: Vec<Source>,
}

/// Start an ingestion job (role CaseCoordinator or PlatformAdmin, scope ingest:write).
/// Answers 202 at once; follow it with `GET /ingest/{job_id}`.
#[utoipa::path(post, path = "/ingest", tag = "documents", request_body = IngestRequest, security(("bearer" = [])),
    responses((status = 202, body = JobStatus), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    principal: Authorized<IngestWrite>,
    ApiJson(body): ApiJson<IngestRequest>,
) -> Result<(StatusCode, ApiJson<JobStatus>), ApiError> {
    let tenant = state.product_tenant(&principal).await?;
    let job = state.corpus.submit(&tenant, &principal.subject, body.sources).await?;
    Ok((StatusCode::ACCEPTED, ApiJson(job)))
}

/// Upload files (multipart/form-data, one or more `file` parts) as one ingestion job.
#[utoipa::path(post, path = "/documents", tag = "documents", security(("bearer" = [])),
    request_body(content_type = "multipart/form-data", description = "one or more parts named `file`"),
    responses((status = 202, body = JobStatus), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upload(
    State(state): State<AppState>,
    principal: Authorized<IngestWrite>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, ApiJson<JobStatus>), ApiError> {
    // axum answers a body that is not multipart in plain text: say it in our JSON instead.
    let mut multipart =
        multipart.map_err(|r| ApiError::BadRequest(format!("malformed multipart body: {}", r.body_text())))?;
    let tenant = state.product_tenant(&principal).await?;
    let staging = state.corpus.upload_dir().to_path_buf();
    tokio::fs::create_dir_all(&staging).await.map_err(|e| ApiError::Internal(format!("upload folder: {e}")))?;
    let mut staged = Vec::new();
    let result = async {
        let mut sources = Vec::new();
        while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
            if field.name() != Some("file") {
                return Err(ApiError::invalid_field(
                    field.name().unwrap_or("part"),
                    "unexpected part: send files in parts named 'file'",
                ));
            }
            let file_name = field
                .file_name()
                .map(str::to_owned)
                .filter(|n| !n.trim().is_empty())
                .ok_or_else(|| ApiError::invalid_field("file", "each file part needs a file name"))?;
            let media_type = field.content_type().map(str::to_owned).filter(|m| m != "application/octet-stream");
            let path = staging.join(format!("{}.part", Uuid::now_v7()));
            staged.push(path.clone());
            let mut out = tokio::fs::File::create(&path).await.map_err(|e| ApiError::Internal(e.to_string()))?;
            while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                out.write_all(&chunk).await.map_err(|e| ApiError::Internal(e.to_string()))?;
            }
            out.flush().await.map_err(|e| ApiError::Internal(e.to_string()))?;
            sources.push(Source::Upload { file_name, media_type, staged_path: path });
        }
        if sources.is_empty() {
            return Err(ApiError::invalid_field("file", "no file parts in the upload"));
        }
        let job = state.corpus.submit(&tenant, &principal.subject, sources).await?;
        Ok((StatusCode::ACCEPTED, ApiJson(job)))
    }
    .await;
    // The store has its own copy once the job is submitted; staged files are never kept.
    for path in staged {
        let _ = tokio::fs::remove_file(path).await;
    }
    result
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge("upload is larger than the limit (DOCKET_MAX_UPLOAD_BYTES)".into())
    } else {
        ApiError::BadRequest(format!("malformed multipart body: {}", e.body_text()))
    }
}

/// A job's status and counts (scope ingest:read): 202 while queued or running, 200 once done.
#[utoipa::path(get, path = "/ingest/{job_id}", tag = "documents", params(("job_id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = JobStatus), (status = 202, body = JobStatus), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn status(
    State(state): State<AppState>,
    principal: Authorized<IngestRead>,
    Path(job_id): Path<String>,
) -> Result<(StatusCode, ApiJson<JobStatus>), ApiError> {
    let tenant = state.product_tenant(&principal).await?;
    let id = Uuid::parse_str(&job_id).map_err(|_| ApiError::BadRequest(format!("'{job_id}' is not a job id")))?;
    let job = state
        .corpus
        .job(&tenant, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no job '{id}' for this tenant")))?;
    let code = match job.status {
        JobState::Queued | JobState::Running => StatusCode::ACCEPTED,
        _ => StatusCode::OK,
    };
    Ok((code, ApiJson(job)))
}

/// The tenant's recent jobs, newest first (scope ingest:read).
#[utoipa::path(get, path = "/ingest", tag = "documents", security(("bearer" = [])),
    responses((status = 200, body = Vec<JobStatus>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    principal: Authorized<IngestRead>,
) -> Result<ApiJson<Vec<JobStatus>>, ApiError> {
    let tenant = state.product_tenant(&principal).await?;
    Ok(ApiJson(state.corpus.jobs(&tenant, 50).await?))
}
