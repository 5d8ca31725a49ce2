//! Ledger errors.

/// Why a ledger operation failed.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("tenant '{0}' already exists")]
    TenantExists(String),
    #[error("tenant '{0}' not found")]
    TenantNotFound(String),
    /// One event of a request is out of its bounds, or would push a tenant's aggregate past
    /// its bound; nothing of that request was recorded.
    #[error("event {index}: {field}: {message}")]
    InvalidEvent { index: usize, field: &'static str, message: String },
    /// The database cannot take writes or answer now (disk full, server down, I/O error);
    /// nothing was recorded and the same request may be retried later.
    #[error("the ledger is unavailable: {0}")]
    Unavailable(String),
    #[error("the ledger writer has stopped")]
    WriterStopped,
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("migration error: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL scheme '{0}': expected sqlite: or postgres:")]
    UnsupportedUrl(String),
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}

impl LedgerError {
    /// Whether the failure is the database's state rather than the request: worth retrying.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, LedgerError::Unavailable(_))
    }
}

impl From<sqlx::Error> for LedgerError {
    fn from(e: sqlx::Error) -> Self {
        if unavailable(&e) { LedgerError::Unavailable(e.to_string()) } else { LedgerError::Database(e) }
    }
}

/// Errors that say the database cannot work now, not that the statement is wrong.
fn unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(db) => {
            let code = db.code();
            let code = code.as_deref().unwrap_or_default();
            if db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>().is_some() {
                // SQLSTATE classes: 08 connection, 53 insufficient resources (disk full), 57
                // operator intervention (shutdown), 58 system (I/O), 40 serialization.
                ["08", "53", "57", "58", "40"].iter().any(|class| code.starts_with(class))
            } else {
                // SQLite result codes (extended codes keep the primary one in the low byte):
                // BUSY 5, LOCKED 6, NOMEM 7, READONLY 8, IOERR 10, FULL 13, CANTOPEN 14.
                code.parse::<u32>().is_ok_and(|n| matches!(n & 0xff, 5 | 6 | 7 | 8 | 10 | 13 | 14))
            }
        }
        _ => false,
    }
}
