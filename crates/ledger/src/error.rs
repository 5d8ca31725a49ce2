//! Ledger errors.

/// Why a ledger operation failed.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("tenant '{0}' already exists")]
    TenantExists(String),
    #[error("tenant '{0}' not found")]
    TenantNotFound(String),
    #[error("invalid usage event: {0}")]
    InvalidEvent(String),
    #[error("the ledger writer has stopped")]
    WriterStopped,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}
