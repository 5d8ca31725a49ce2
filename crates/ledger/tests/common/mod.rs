//! Opening a fresh ledger on each backend for the shared suite.
// Shared by several test binaries, each using part of it.
#![allow(dead_code)]

use docket_ledger::{Ledger, LedgerOptions};

/// A fresh ledger and whatever keeps it alive (a temporary folder for SQLite).
pub struct Fresh {
    pub ledger: Ledger,
    pub _dir: Option<tempfile::TempDir>,
}

/// A new SQLite ledger in a temporary folder.
pub async fn sqlite() -> Fresh {
    let dir = tempfile::tempdir().expect("temporary folder");
    let url = format!("sqlite://{}", dir.path().join("ledger.sqlite3").display());
    let ledger = Ledger::open(&LedgerOptions { url, max_connections: 8 }).await.expect("open sqlite ledger");
    Fresh { ledger, _dir: Some(dir) }
}

/// A new PostgreSQL ledger in a database of its own on the server named by
/// DOCKET_TEST_POSTGRES_URL (which `.ci/run` starts). Without it the test fails, unless
/// DOCKET_TEST_POSTGRES=skip says this machine has no PostgreSQL on purpose.
pub async fn postgres() -> Option<Fresh> {
    let url = postgres_database().await?;
    let ledger = Ledger::open(&LedgerOptions { url, max_connections: 8 }).await.expect("open postgres ledger");
    Some(Fresh { ledger, _dir: None })
}

/// The URL of a new, empty PostgreSQL database (None when PostgreSQL is skipped on purpose).
pub async fn postgres_database() -> Option<String> {
    let Ok(admin_url) = std::env::var("DOCKET_TEST_POSTGRES_URL") else {
        if std::env::var("DOCKET_TEST_POSTGRES").as_deref() == Ok("skip") {
            eprintln!("PostgreSQL tests skipped: DOCKET_TEST_POSTGRES=skip");
            return None;
        }
        panic!(
            "DOCKET_TEST_POSTGRES_URL is not set: run scripts/test.sh (it starts PostgreSQL) or set DOCKET_TEST_POSTGRES=skip"
        );
    };
    use sqlx::Connection;
    let name = format!("docket_test_{}", uuid::Uuid::now_v7().simple());
    let mut admin = sqlx::PgConnection::connect(&admin_url).await.expect("connect to PostgreSQL");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.expect("create test database");
    let base = admin_url.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin_url);
    Some(format!("{base}/{name}"))
}

/// One test module per backend (`sqlite`, `postgres`), each running every named test
/// function on a fresh ledger of its own.
/// Run each named `async fn(Ledger)` of the calling test file once on SQLite and once on
/// PostgreSQL, as `sqlite::name` and `postgres::name`.
#[allow(unused_macros)]
macro_rules! suite {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let fresh = crate::common::sqlite().await;
                    super::$name(fresh.ledger.clone()).await;
                    fresh.ledger.close().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(fresh) = crate::common::postgres().await else { return };
                    super::$name(fresh.ledger.clone()).await;
                    fresh.ledger.close().await;
                }
            )*
        }
    };
}
