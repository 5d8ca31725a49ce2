//! What the store and the writer share about the database: which engine it is, how
//! placeholders are spelled on it, and how instants and days are stored.

use sqlx::pool::PoolConnection;
use sqlx::{Any, Connection};
use time::{Date, OffsetDateTime};

use crate::error::LedgerError;

/// Which database the ledger runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The engine a database URL names.
    pub(crate) fn of(url: &str) -> Result<Backend, LedgerError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Backend::Postgres)
        } else {
            Err(LedgerError::UnsupportedUrl(url.split(':').next().unwrap_or_default().to_owned()))
        }
    }

    /// The statement that opens a write transaction. SQLite takes the write lock at once, so
    /// that a concurrent writer (another process) waits instead of failing on upgrade.
    pub(crate) fn begin_write(self) -> &'static str {
        match self {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        }
    }

    /// The name used in the health report.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A pooled connection for one write transaction. One whose work failed is closed instead
/// of going back to the pool: after an I/O error (a full disk) SQLite may roll the
/// transaction back on its own, and the driver would then refuse every later BEGIN on it.
pub(crate) struct WriteConn(PoolConnection<Any>);

impl WriteConn {
    /// A connection from the pool.
    pub(crate) async fn acquire(pool: &sqlx::AnyPool) -> Result<WriteConn, LedgerError> {
        Ok(WriteConn(pool.acquire().await?))
    }

    /// Open a write transaction (rolled back when dropped uncommitted).
    pub(crate) async fn begin(&mut self, backend: Backend) -> Result<sqlx::Transaction<'_, Any>, LedgerError> {
        Ok(self.0.begin_with(backend.begin_write()).await?)
    }

    /// Pass the work's result on, closing the connection if the work failed.
    pub(crate) fn finish<T>(mut self, result: Result<T, LedgerError>) -> Result<T, LedgerError> {
        if result.is_err() {
            self.0.close_on_drop();
        }
        result
    }
}

/// Unix milliseconds of an instant.
pub(crate) fn millis(at: OffsetDateTime) -> i64 {
    // Every instant `time` represents (years -9999..=9999) is within i64 milliseconds.
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// The instant of Unix milliseconds.
pub(crate) fn from_millis(ms: i64) -> Result<OffsetDateTime, LedgerError> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map_err(|e| LedgerError::Corrupt(format!("timestamp {ms}: {e}")))
}

/// A UTC day as stored in `daily_usage`: YYYY-MM-DD.
pub(crate) fn day_string(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

/// The UTC day of an instant, as stored in `daily_usage`.
pub(crate) fn day_of(at: OffsetDateTime) -> String {
    day_string(at.to_offset(time::UtcOffset::UTC).date())
}

/// `count` comma-separated placeholders numbered from `first + 1`. SQLite gets anonymous `?`:
/// sqlx binds a numbered `$n` by looking its name up, which is quadratic in the count.
pub(crate) fn placeholders(backend: Backend, first: usize, count: usize) -> String {
    let mut out = String::with_capacity(count * 5);
    for i in 0..count {
        if i > 0 {
            out.push(',');
        }
        match backend {
            Backend::Sqlite => out.push('?'),
            Backend::Postgres => {
                out.push('$');
                out.push_str(&(first + i + 1).to_string());
            }
        }
    }
    out
}

/// `prefix (...),(...) suffix` for `rows` rows of `cols` columns.
pub(crate) fn multi_row_sql(backend: Backend, prefix: &str, cols: usize, rows: usize, suffix: &str) -> String {
    let mut sql = String::with_capacity(prefix.len() + suffix.len() + rows * cols * 5);
    sql.push_str(prefix);
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        sql.push('(');
        sql.push_str(&placeholders(backend, r * cols, cols));
        sql.push(')');
    }
    sql.push_str(suffix);
    sql
}
