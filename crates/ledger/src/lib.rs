//! Durable state of Docket: the usage-event log (group-committed), per-tenant, per-period
//! aggregates, the tenant registry, onboarding records, quota alerts, and the usage.json
//! snapshot. SQLite by default, PostgreSQL for several instances; one code path for both.

mod error;
mod exports;
mod model;
mod outbox;
mod reconcile;
mod retention;
mod snapshot;
mod sql;
mod store;
mod support;
mod triage;
mod view;
mod writer;

pub use error::LedgerError;
pub use exports::{CRM_COLUMNS, CSV_LIST_SEPARATOR, CrmFormat, CrmRow, crm_rows, formula_safe, write_crm};
pub use model::{
    DailyUsage, EventKind, MAX_ATTRIBUTES_BYTES, MAX_BYTES_PER_EVENT, MAX_BYTES_PER_PERIOD, MAX_EVENT_ID_LEN,
    MAX_LATENCY_MS, MAX_SUBJECT_LEN, MAX_UNITS_PER_EVENT, MAX_UNITS_PER_PERIOD, OnboardingOutcome, PlanChange,
    QuotaAlert, RecordOutcome, SupportTierChange, Tenant, TenantSnapshot, UsageEvent,
};
pub use outbox::{AttemptOutcome, DeliveryRecord, DeliveryStatus, WebhookAttempt, WebhookDelivery};
pub use reconcile::{AppliedChange, OverrideField, PlanDifference, Reconciliation, UnknownTenant, differences};
pub use retention::{
    IntakeToRedact, MAX_KEEP_MONTHS, PERSONAL_INTAKE_FIELDS, PeriodEvents, REDACTED, RetentionAudit, RetentionRun,
    retention_cutoff,
};
pub use snapshot::{SNAPSHOT_SCHEMA_VERSION, UsageFile, UsageFileContents};
pub use sql::Backend;
pub use store::{Ledger, LedgerOptions};
pub use support::{
    MAX_TICKET_BODY_CHARS, MAX_TICKET_SUBJECT_CHARS, NewTicket, Responded, Severity, SlaBreach, SlaRow,
    SupportResponse, SupportTicket, sla_report,
};
pub use triage::{TriageEntry, triage_list};
pub use view::{FULL_RELOAD, GENERATIONS_KEPT, SortKey, UsageCursor, UsageOrder, UsagePage, UsageQuery, UsageSummary};
pub use writer::Committed;
