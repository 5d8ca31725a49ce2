//! Errors of the document service, split into the caller's mistakes and internal faults.

/// Why a corpus operation failed.
///
/// Variants up to `InvalidFilter` are the caller's mistakes (a 4xx naming the field); the rest
/// are internal faults (a 5xx, logged, never shown in detail).
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// The submission carried no sources.
    #[error("no sources given: submit at least one local path, upload or inline document")]
    EmptySources,
    /// The submission carried more sources than one job accepts.
    #[error("{count} sources given, at most {max} are accepted in one job")]
    TooManySources { count: usize, max: usize },
    /// A local path resolves outside every configured ingest root.
    #[error("path '{path}' is outside the configured ingest roots")]
    PathOutsideRoots { field: String, path: String },
    /// A local path does not exist (or cannot be read).
    #[error("path '{path}' does not exist or cannot be read")]
    PathNotFound { field: String, path: String },
    /// A source is malformed (empty name, unreadable upload, ...).
    #[error("invalid source: {reason}")]
    InvalidSource { field: String, reason: String },
    /// A source is larger than one document may be.
    #[error("source is {size} bytes, over the limit of {limit} bytes")]
    SourceTooLarge { field: String, size: u64, limit: u64 },
    /// The search query cannot be parsed or holds nothing to search for; `position` is the
    /// character (0-based) where the syntax fails, when one place does.
    #[error("invalid query: {reason}")]
    InvalidQuery { reason: String, position: Option<usize> },
    /// The search query is past one of its limits (length, nesting depth, terms).
    #[error("query too complex: {0}")]
    QueryTooComplex(crate::query::LimitExceeded),
    /// The pagination cursor was not produced by this service.
    #[error("invalid cursor: pass back the next_cursor of a previous page unchanged")]
    InvalidCursor,
    /// A filter or paging parameter is out of range or malformed.
    #[error("invalid {field}: {reason}")]
    InvalidFilter { field: String, reason: String },

    /// The content store (files under storage_dir) failed.
    #[error("content store error: {0}")]
    Storage(String),
    /// The registry database failed.
    #[error("registry database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The registry schema could not be migrated.
    #[error("registry migration error: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// The search index failed.
    #[error("search index error: {0}")]
    Index(String),
    /// The configuration cannot be used.
    #[error("configuration error: {0}")]
    Config(String),
    /// Data read back from the registry is inconsistent.
    #[error("corrupt registry data: {0}")]
    Corrupt(String),
    /// The service is shutting down and accepts no more work.
    #[error("the document service is shutting down")]
    ShuttingDown,
    /// The search did not finish within its deadline (or its caller went away): a 503.
    #[error("the search did not finish within its deadline of {deadline_ms} ms; narrow the query or try again")]
    DeadlineExceeded { deadline_ms: u64 },
}

impl CorpusError {
    /// True when the caller can fix the request (maps to a 4xx), false for internal faults.
    pub fn is_client_error(&self) -> bool {
        matches!(
            self,
            CorpusError::EmptySources
                | CorpusError::TooManySources { .. }
                | CorpusError::PathOutsideRoots { .. }
                | CorpusError::PathNotFound { .. }
                | CorpusError::InvalidSource { .. }
                | CorpusError::SourceTooLarge { .. }
                | CorpusError::InvalidQuery { .. }
                | CorpusError::QueryTooComplex(_)
                | CorpusError::InvalidCursor
                | CorpusError::InvalidFilter { .. }
        )
    }

    /// The request field the error is about, for client errors that concern one field.
    pub fn field(&self) -> Option<&str> {
        match self {
            CorpusError::EmptySources | CorpusError::TooManySources { .. } => Some("sources"),
            CorpusError::PathOutsideRoots { field, .. }
            | CorpusError::PathNotFound { field, .. }
            | CorpusError::InvalidSource { field, .. }
            | CorpusError::SourceTooLarge { field, .. }
            | CorpusError::InvalidFilter { field, .. } => Some(field),
            CorpusError::InvalidQuery { .. } | CorpusError::QueryTooComplex(_) => Some("q"),
            CorpusError::InvalidCursor => Some("cursor"),
            _ => None,
        }
    }

    /// A short machine-readable code for the error (snake_case variant name).
    pub fn code(&self) -> &'static str {
        match self {
            CorpusError::EmptySources => "empty_sources",
            CorpusError::TooManySources { .. } => "too_many_sources",
            CorpusError::PathOutsideRoots { .. } => "path_outside_roots",
            CorpusError::PathNotFound { .. } => "path_not_found",
            CorpusError::InvalidSource { .. } => "invalid_source",
            CorpusError::SourceTooLarge { .. } => "source_too_large",
            CorpusError::InvalidQuery { .. } => "invalid_query",
            CorpusError::QueryTooComplex(_) => "query_too_complex",
            CorpusError::DeadlineExceeded { .. } => "query_deadline_exceeded",
            CorpusError::InvalidCursor => "invalid_cursor",
            CorpusError::InvalidFilter { .. } => "invalid_filter",
            CorpusError::Storage(_) => "storage",
            CorpusError::Database(_) => "database",
            CorpusError::Migration(_) => "migration",
            CorpusError::Index(_) => "index",
            CorpusError::Config(_) => "config",
            CorpusError::Corrupt(_) => "corrupt",
            CorpusError::ShuttingDown => "shutting_down",
        }
    }

    /// Machine-readable details of the error, for the error body (an empty object when the
    /// message says it all).
    pub fn details(&self) -> serde_json::Value {
        match self {
            CorpusError::QueryTooComplex(e) => serde_json::json!({
                "fields": [{ "field": "q", "message": e.to_string() }],
                "limit": e.limit.as_str(), "value": e.value, "max": e.max,
            }),
            CorpusError::DeadlineExceeded { deadline_ms } => serde_json::json!({ "deadline_ms": deadline_ms }),
            CorpusError::InvalidQuery { reason, position } => {
                let mut details = serde_json::json!({ "fields": [{ "field": "q", "message": reason }] });
                if let Some(position) = position {
                    details["position"] = serde_json::json!(position);
                }
                details
            }
            _ => serde_json::json!({}),
        }
    }

    pub(crate) fn filter(field: &str, reason: impl Into<String>) -> CorpusError {
        CorpusError::InvalidFilter { field: field.to_owned(), reason: reason.into() }
    }

    pub(crate) fn storage(context: &str, err: impl std::fmt::Display) -> CorpusError {
        CorpusError::Storage(format!("{context}: {err}"))
    }
}

impl From<tantivy::TantivyError> for CorpusError {
    fn from(err: tantivy::TantivyError) -> Self {
        CorpusError::Index(err.to_string())
    }
}

impl From<tokio::task::JoinError> for CorpusError {
    fn from(err: tokio::task::JoinError) -> Self {
        // A panic in blocking work is a bug; report it as an internal fault instead of
        // propagating the panic into the caller's task.
        CorpusError::Storage(format!("background task failed: {err}"))
    }
}
