//! One error type for every handler: a status and a JSON body
//! `{"error": {"code", "message", "details"}}`. Internal causes are logged, never shown.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use docket_billing::FieldError;
use docket_corpus::CorpusError;
use docket_ledger::LedgerError;
use serde::Serialize;
use utoipa::ToSchema;

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
            ApiError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
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
            other => (other.to_string(), serde_json::json!({})),
        };
        let mut response = (status, Json(ErrorBody { error: ErrorDetail { code: code.to_owned(), message, details } }))
            .into_response();
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(axum::http::header::WWW_AUTHENTICATE, axum::http::HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<LedgerError> for ApiError {
    fn from(e: LedgerError) -> Self {
        match e {
            LedgerError::TenantExists(t) => ApiError::Conflict(format!("tenant '{t}' already exists")),
            LedgerError::TenantNotFound(t) => ApiError::NotFound(format!("tenant '{t}' not found")),
            LedgerError::InvalidEvent(m) => ApiError::invalid_field("events", m),
            LedgerError::WriterStopped => ApiError::Unavailable("the server is shutting down".into()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<CorpusError> for ApiError {
    fn from(e: CorpusError) -> Self {
        match &e {
            CorpusError::InvalidQuery { .. } | CorpusError::InvalidCursor => ApiError::BadRequest(e.to_string()),
            CorpusError::SourceTooLarge { .. } => ApiError::PayloadTooLarge(e.to_string()),
            CorpusError::ShuttingDown => ApiError::Unavailable(e.to_string()),
            CorpusError::DeadlineExceeded { .. } => ApiError::Detailed {
                status: StatusCode::SERVICE_UNAVAILABLE,
                code: e.code(),
                message: e.to_string(),
                details: e.details(),
            },
            CorpusError::QueryTooComplex(_) => ApiError::Detailed {
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

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        match r {
            JsonRejection::JsonDataError(e) => ApiError::invalid_field("body", e.body_text()),
            JsonRejection::JsonSyntaxError(e) => ApiError::BadRequest(format!("malformed JSON: {}", e.body_text())),
            JsonRejection::MissingJsonContentType(_) => {
                ApiError::UnsupportedMediaType("expected Content-Type: application/json".into())
            }
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                ApiError::PayloadTooLarge("request body is larger than the limit (DOCKET_MAX_BODY_BYTES)".into())
            }
            other => ApiError::BadRequest(other.body_text()),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::BadRequest(format!("invalid query string: {}", r.body_text()))
    }
}

/// A JSON body whose rejections are [`ApiError`]s: 400 for malformed JSON, 415 for a wrong
/// content type, 413 for a body past the limit, 422 for wrong types or unknown fields.
#[derive(Debug, Clone, Copy, Default, axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        Json(self.0).into_response()
    }
}

/// A query string whose rejections are [`ApiError`]s.
#[derive(Debug, Clone, Copy, Default, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);
