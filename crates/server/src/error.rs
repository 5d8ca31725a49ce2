//! One error type for every handler: a status and a JSON body
//! `{"error": {"code", "message", "details"}}`. Internal causes are logged, never shown.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use docket_billing::FieldError;
use docket_corpus::CorpusError;
use docket_ledger::LedgerError;
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;

/// Seconds a client is told to wait (`Retry-After`) when the service is unavailable.
pub const RETRY_AFTER_SECONDS: u64 = 5;

/// The error body every endpoint answers with.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong: a stable code, a sentence, and details (e.g. the fields at fault).
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

/// An error answered to the client.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("authentication required: {0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{message}")]
    Invalid { message: String, fields: Vec<FieldError> },
    #[error("too many requests: {0}")]
    TooManyRequests(String),
    #[error("internal error")]
    Internal(String),
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// A corpus error with its own code and machine-readable details.
    #[error("{message}")]
    Detailed { status: StatusCode, code: &'static str, message: String, details: serde_json::Value },
    /// A part of the server cannot work now; the body names it in `details.component`.
    #[error("{component} unavailable: {message}")]
    ComponentUnavailable { component: &'static str, message: String },
}

impl ApiError {
    /// 422 naming each field at fault.
    pub fn invalid(fields: Vec<FieldError>) -> ApiError {
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        ApiError::Invalid { message: format!("invalid fields: {}", names.join(", ")), fields }
    }

    /// 422 for one field.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::invalid(vec![FieldError::new(field, message)])
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            ApiError::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            ApiError::UnsupportedMediaType(_) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
            ApiError::Invalid { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
            ApiError::TooManyRequests(_) => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
            ApiError::Unavailable(_) | ApiError::ComponentUnavailable { .. } => {
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
            }
            ApiError::Detailed { status, code, .. } => (*status, code),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let (message, details) = match &self {
            ApiError::Invalid { message, fields } => (message.clone(), serde_json::json!({ "fields": fields })),
            ApiError::Detailed { message, details, .. } => (message.clone(), details.clone()),
            ApiError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                ("internal error; the cause is in the server log".to_owned(), serde_json::json!({}))
            }
            ApiError::ComponentUnavailable { component, .. } => {
                (self.to_string(), serde_json::json!({ "component": component }))
            }
            other => (other.to_string(), serde_json::json!({})),
        };
        let mut response = (status, Json(ErrorBody { error: ErrorDetail { code: code.to_owned(), message, details } }))
            .into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, axum::http::HeaderValue::from_static("Bearer"));
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(header::RETRY_AFTER, axum::http::HeaderValue::from(RETRY_AFTER_SECONDS));
        }
        response
    }
}

impl From<LedgerError> for ApiError {
    fn from(e: LedgerError) -> Self {
        match e {
            LedgerError::TenantExists(t) => ApiError::Conflict(format!("tenant '{t}' already exists")),
            LedgerError::TenantNotFound(t) => ApiError::NotFound(format!("tenant '{t}' not found")),
            LedgerError::InvalidEvent { index, field, message } => {
                ApiError::invalid_field(&format!("events[{index}].{field}"), message)
            }
            LedgerError::Unavailable(cause) => {
                tracing::warn!(%cause, "the ledger cannot record; answering 503");
                ApiError::Unavailable(
                    "the usage ledger cannot record now (storage full or database unreachable); retry later".into(),
                )
            }
            LedgerError::WriterStopped => ApiError::Unavailable("the server is shutting down".into()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<CorpusError> for ApiError {
    fn from(e: CorpusError) -> Self {
        match &e {
            CorpusError::InvalidCursor => ApiError::BadRequest(e.to_string()),
            CorpusError::SourceTooLarge { .. } => ApiError::PayloadTooLarge(e.to_string()),
            CorpusError::ShuttingDown => ApiError::Unavailable(e.to_string()),
            CorpusError::DeadlineExceeded { .. } => ApiError::Detailed {
                status: StatusCode::SERVICE_UNAVAILABLE,
                code: e.code(),
                message: e.to_string(),
                details: e.details(),
            },
            CorpusError::QueryTooComplex(_) | CorpusError::InvalidQuery { .. } => ApiError::Detailed {
                status: StatusCode::BAD_REQUEST,
                code: e.code(),
                message: e.to_string(),
                details: e.details(),
            },
            _ if e.is_client_error() => ApiError::invalid_field(e.field().unwrap_or("request"), e.to_string()),
            _ => ApiError::Internal(e.to_string()),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::BadRequest(format!("invalid query string: {}", r.body_text()))
    }
}

/// A JSON body whose rejections are [`ApiError`]s: 400 for malformed JSON, 415 for a wrong
/// content type, 413 for a body past the limit, 422 for wrong types or unknown fields, naming
/// the field's path (`events[3].units`) in `details.fields`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(req.headers()) {
            return Err(ApiError::UnsupportedMediaType("expected Content-Type: application/json".into()));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|r| {
            if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge("request body is larger than the limit (DOCKET_MAX_BODY_BYTES)".into())
            } else {
                ApiError::BadRequest(r.body_text())
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Deserialize a JSON body, naming the path of the field at fault.
fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let field = if path == "." { "body".to_owned() } else { path };
                ApiError::invalid_field(&field, inner.to_string())
            }
            _ => ApiError::BadRequest(format!("malformed JSON: {inner}")),
        }
    })?;
    de.end().map_err(|e| ApiError::BadRequest(format!("malformed JSON: {e}")))?;
    Ok(value)
}

/// Whether the request says its body is JSON (`application/json` or `application/*+json`).
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else { return false };
    let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        Json(self.0).into_response()
    }
}

/// A query string whose rejections are [`ApiError`]s.
#[derive(Debug, Clone, Copy, Default, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);
