//! What the ledger stores and returns.

use std::fmt;
use std::str::FromStr;

use docket_billing::{
    AlertLevel, BillingPeriod, PlanId, QuotaDimension, SupportTier, TenantId, UsageAssessment, UsageTotals,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

/// What a usage event meters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Ingestion,
    Query,
    Timeline,
    Agent,
    Signup,
}

impl EventKind {
    /// Every kind.
    pub const ALL: [EventKind; 5] =
        [EventKind::Ingestion, EventKind::Query, EventKind::Timeline, EventKind::Agent, EventKind::Signup];

    /// The identifier stored in the ledger and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Ingestion => "ingestion",
            EventKind::Query => "query",
            EventKind::Timeline => "timeline",
            EventKind::Agent => "agent",
            EventKind::Signup => "signup",
        }
    }

    /// Whether the event's subject is a person using a seat.
    pub fn uses_seat(self) -> bool {
        !matches!(self, EventKind::Signup)
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EventKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EventKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown kind '{s}': expected ingestion, query, timeline, agent or signup"))
    }
}

/// One billable action. `event_id` makes it idempotent: a retried event is counted once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UsageEvent {
    pub event_id: String,
    #[schema(value_type = String)]
    pub tenant_id: TenantId,
    pub kind: EventKind,
    /// Queries, documents, timeline requests, agent runs or signups, per kind.
    pub units: u64,
    /// Content bytes newly accepted (ingestion); 0 otherwise.
    pub bytes: u64,
    pub latency_ms: Option<u64>,
    /// Who acted (the token's subject); each distinct one is an active seat in the period.
    pub subject: Option<String>,
    /// Free-form details (job id, query mode...), a JSON object.
    #[schema(value_type = Object)]
    pub attributes: serde_json::Value,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub occurred_at: OffsetDateTime,
}

impl UsageEvent {
    /// An event of `kind` for `tenant` happening now, with a fresh time-ordered id.
    pub fn now(tenant: TenantId, kind: EventKind, units: u64) -> UsageEvent {
        UsageEvent {
            event_id: uuid::Uuid::now_v7().to_string(),
            tenant_id: tenant,
            kind,
            units,
            bytes: 0,
            latency_ms: None,
            subject: None,
            attributes: serde_json::Value::Object(Default::default()),
            occurred_at: OffsetDateTime::now_utc(),
        }
    }

    /// The billing period the event falls in.
    pub fn period(&self) -> BillingPeriod {
        BillingPeriod::containing(self.occurred_at)
    }
}

/// Most units (queries, documents, requests, runs, signups) one event may carry.
pub const MAX_UNITS_PER_EVENT: u64 = 10_000_000;
/// Most content bytes one event may carry: 10 TB, a very large ingestion job.
pub const MAX_BYTES_PER_EVENT: u64 = 10_000_000_000_000;
/// Longest latency one event may report: a day, in milliseconds.
pub const MAX_LATENCY_MS: u64 = 86_400_000;
/// Most units of one kind a tenant may accumulate in one period (10^12). Far below what the
/// 64-bit columns hold, so that no sum of accepted events can wrap, even with several
/// instances committing at once.
pub const MAX_UNITS_PER_PERIOD: u64 = 1_000_000_000_000;
/// Most content bytes a tenant may accumulate in one period: 100 PB (10^17).
pub const MAX_BYTES_PER_PERIOD: u64 = 100_000_000_000_000_000;
/// Longest event id, in bytes.
pub const MAX_EVENT_ID_LEN: usize = 128;
/// Longest subject, in bytes.
pub const MAX_SUBJECT_LEN: usize = 256;
/// Largest `attributes` object, as JSON bytes.
pub const MAX_ATTRIBUTES_BYTES: usize = 4096;

impl UsageEvent {
    /// Check the event's own bounds; the field at fault and why otherwise.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        let id_ok = (1..=MAX_EVENT_ID_LEN).contains(&self.event_id.len())
            && self.event_id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
        if !id_ok {
            return Err((
                "event_id",
                format!("use 1 to {MAX_EVENT_ID_LEN} characters of A-Z, a-z, 0-9, '-', '_', '.', ':'"),
            ));
        }
        if self.units > MAX_UNITS_PER_EVENT {
            return Err(("units", format!("{} is more than {MAX_UNITS_PER_EVENT} units in one event", self.units)));
        }
        if self.bytes > MAX_BYTES_PER_EVENT {
            return Err(("bytes", format!("{} is more than {MAX_BYTES_PER_EVENT} bytes in one event", self.bytes)));
        }
        if let Some(ms) = self.latency_ms
            && ms > MAX_LATENCY_MS
        {
            return Err(("latency_ms", format!("{ms} ms is more than {MAX_LATENCY_MS} ms (a day)")));
        }
        if let Some(s) = &self.subject
            && (s.is_empty() || s.len() > MAX_SUBJECT_LEN)
        {
            return Err(("subject", format!("use 1 to {MAX_SUBJECT_LEN} characters")));
        }
        match &self.attributes {
            serde_json::Value::Object(_) if self.attributes.to_string().len() <= MAX_ATTRIBUTES_BYTES => {}
            serde_json::Value::Object(_) => {
                return Err(("attributes", format!("at most {MAX_ATTRIBUTES_BYTES} bytes of JSON")));
            }
            _ => return Err(("attributes", "must be a JSON object".into())),
        }
        Ok(())
    }
}

/// What recording a batch of events did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RecordOutcome {
    /// Events newly committed.
    pub recorded: u64,
    /// Events whose id was already in the ledger (counted once, earlier).
    pub duplicates: u64,
}

/// A tenant in the registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Tenant {
    #[schema(value_type = String)]
    pub tenant_id: TenantId,
    pub organization: String,
    pub plan_id: PlanId,
    /// The support tier in force: the override when one is set, else the plan's.
    pub support_tier: SupportTier,
    /// The support tier set for this tenant instead of its plan's (`DOCKET_SUPPORT_OVERRIDES`).
    pub support_tier_override: Option<SupportTier>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_event_at: Option<OffsetDateTime>,
}

/// One entry of a tenant's plan history: the plan in force from `effective_at` on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PlanChange {
    #[schema(value_type = String)]
    pub tenant_id: TenantId,
    pub plan_id: PlanId,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub effective_at: OffsetDateTime,
    /// Who made the change; none for the plan a tenant was created on and for changes made
    /// before who was recorded.
    pub changed_by: Option<String>,
}

/// One entry of a tenant's support-tier history: the override in force from `effective_at`
/// on (none: back to the plan's tier).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SupportTierChange {
    #[schema(value_type = String)]
    pub tenant_id: TenantId,
    pub support_tier: Option<SupportTier>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub effective_at: OffsetDateTime,
    /// Who made the change.
    pub changed_by: String,
}

/// A quota alert: the first time in a period a tenant crossed a threshold on one dimension.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct QuotaAlert {
    #[schema(value_type = String)]
    pub tenant_id: TenantId,
    #[schema(value_type = String, example = "2026-11")]
    pub period: BillingPeriod,
    pub dimension: QuotaDimension,
    pub level: AlertLevel,
    /// Consumption share when the alert fired.
    pub consumption: f64,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub triggered_at: OffsetDateTime,
}

/// A tenant's usage on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DailyUsage {
    /// YYYY-MM-DD (UTC).
    pub day: String,
    pub queries: u64,
    pub ingest_bytes: u64,
    pub timeline_requests: u64,
    pub agent_runs: u64,
    pub signups: u64,
}

/// A tenant's current standing: usage in the period and everything computed from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TenantSnapshot {
    #[schema(value_type = String)]
    pub tenant_id: TenantId,
    pub organization: String,
    #[schema(value_type = String, example = "2026-11")]
    pub period: BillingPeriod,
    pub plan_id: PlanId,
    pub support_tier: SupportTier,
    pub support_sla_hours: u32,
    /// Queries executed in the period: the `queries` usage dimension.
    // Read under its former name too, so that a usage.json of schema 1 still parses.
    #[serde(alias = "query_count")]
    pub queries: u64,
    pub ingest_bytes: u64,
    /// Ingest in GB (10^9 bytes).
    pub ingest_gb: f64,
    pub timeline_requests: u64,
    pub agent_runs: u64,
    pub active_seats: u64,
    /// Usage ratio, health score, cost to date, projected cost, alert level and triage flag.
    #[serde(flatten)]
    pub assessment: UsageAssessment,
    /// The onboarding intake, when the tenant came through it.
    #[schema(value_type = Option<Object>)]
    pub onboarding: Option<serde_json::Value>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_event_at: Option<OffsetDateTime>,
}

impl TenantSnapshot {
    /// The period's usage totals the assessment is computed from.
    pub fn usage(&self) -> UsageTotals {
        UsageTotals {
            queries: self.queries,
            ingest_bytes: self.ingest_bytes,
            timeline_requests: self.timeline_requests,
            agent_runs: self.agent_runs,
            active_seats: self.active_seats,
        }
    }
}

/// The result of storing an onboarding submission.
#[derive(Debug, Clone, PartialEq)]
pub enum OnboardingOutcome {
    /// A new tenant was created; the stored response is the one given.
    Created,
    /// The same Idempotency-Key was seen before: here is the first answer.
    Replayed(serde_json::Value),
}
