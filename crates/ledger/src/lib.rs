//! Durable state of Docket: the usage-event log (group-committed), per-tenant, per-period
//! aggregates, the tenant registry, onboarding records, quota alerts, and the usage.json
//! snapshot. SQLite by default, PostgreSQL for several instances; one code path for both.

mod error;
mod model;
mod snapshot;
mod store;
mod writer;

pub use error::LedgerError;
pub use model::{
    DailyUsage, EventKind, OnboardingOutcome, QuotaAlert, RecordOutcome, Tenant, TenantSnapshot, UsageEvent,
};
pub use snapshot::{SNAPSHOT_SCHEMA_VERSION, UsageFile, UsageFileContents};
pub use store::{Backend, Ledger, LedgerOptions};
pub use writer::Committed;
