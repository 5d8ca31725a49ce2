//! Sizing: the intake's workload fields, their validation, and the monthly usage projected from them.

use rust_decimal::prelude::*;
use rust_decimal_macros::dec;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::fields::{FieldError, Fields, decimal_in_range, json_kind, whole_number};
use crate::onboarding::INTAKE_FIELDS;
use crate::plans::{BYTES_PER_GB, Plan, PlanId};

/// Searches a reviewer runs per hour of work moved into Docket (one every six minutes).
pub const QUERIES_PER_AUTOMATED_HOUR: Decimal = dec!(10);
/// Document content a matter adds per month when the intake gives no ingest estimate, in GB.
pub const INGEST_GB_PER_MATTER: Decimal = dec!(2);
/// Hourly rate assumed when the intake gives none, in USD.
pub const DEFAULT_HOURLY_RATE_USD: Decimal = dec!(285);
/// Days in a month for the payback figure.
pub const PAYBACK_DAYS_PER_MONTH: Decimal = dec!(30);
/// Months in a year for the annual value.
pub const MONTHS_PER_YEAR: Decimal = dec!(12);

/// Largest seat count the intake accepts.
pub const MAX_SEATS: u64 = 100_000;
/// Largest matters-per-month figure the intake accepts.
pub const MAX_MATTERS_PER_MONTH: u64 = 100_000;
/// Largest baseline hours per matter the intake accepts.
pub const MAX_BASELINE_HOURS_PER_MATTER: Decimal = dec!(10000);
/// Largest hourly rate the intake accepts, in USD.
pub const MAX_HOURLY_RATE_USD: Decimal = dec!(10000);
/// Largest monthly ingest estimate the intake accepts, in GB.
pub const MAX_INGEST_GB_PER_MONTH: Decimal = dec!(1000000);
/// Slowest support SLA the intake accepts as a requirement, in hours (30 days).
pub const MAX_REQUIRED_SLA_HOURS: u64 = 720;

/// The sizing fields of an intake, as accepted by `POST /billing/recommend`.
pub(crate) const SIZING_FIELDS: [&str; 8] = [
    "seats",
    "estimated_matters_per_month",
    "roi_baseline_hours_per_matter",
    "automation_target_percent",
    "hourly_rate",
    "expected_ingest_gb_per_month",
    "required_sla_hours",
    "selected_plan",
];

/// What a prospect tells us about their team and workload; validated by [`RecommendationRequest::parse`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RecommendationRequest {
    /// People who will use Docket (1..=100000).
    #[schema(minimum = 1, maximum = 100000)]
    pub seats: u64,
    /// New or active matters worked per month (0..=100000).
    #[schema(minimum = 0, maximum = 100000)]
    pub estimated_matters_per_month: u64,
    /// Hours a matter takes today in the work Docket can take over (over 0, at most 10000).
    #[serde(with = "rust_decimal::serde::float")]
    #[schema(value_type = f64, exclusive_minimum = 0, maximum = 10000)]
    pub roi_baseline_hours_per_matter: Decimal,
    /// Share of those hours the team expects Docket to take over, in percent (0..=100).
    #[serde(with = "rust_decimal::serde::float")]
    #[schema(value_type = f64, minimum = 0, maximum = 100)]
    pub automation_target_percent: Decimal,
    /// Loaded cost of one hour of that work, in USD (over 0, at most 10000; 285 when not given).
    #[serde(default = "default_hourly_rate", with = "rust_decimal::serde::float")]
    #[schema(value_type = f64, default = 285, exclusive_minimum = 0, maximum = 10000)]
    pub hourly_rate: Decimal,
    /// Document content expected per month, in GB (0..=1000000); derived from matters when absent.
    #[serde(default, with = "float_option")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1000000)]
    pub expected_ingest_gb_per_month: Option<Decimal>,
    /// Slowest acceptable support response, in hours (1..=720).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 720)]
    pub required_sla_hours: Option<u32>,
    /// The plan the prospect chose, if any; the ROI is then computed for it.
    #[serde(default)]
    pub selected_plan: Option<PlanId>,
}

/// Optional decimals as JSON numbers. rust_decimal's own `float_option` refuses the `null`
/// that a `#[serde(flatten)]` parent hands over as a unit, so `Option`'s own impl does the work.
pub(super) mod float_option {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};

    #[derive(Deserialize)]
    struct Float(#[serde(with = "rust_decimal::serde::float")] Decimal);

    pub fn serialize<S: Serializer>(value: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        rust_decimal::serde::float_option::serialize(value, s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        Ok(Option::<Float>::deserialize(d)?.map(|Float(v)| v))
    }
}

fn default_hourly_rate() -> Decimal {
    DEFAULT_HOURLY_RATE_USD
}

impl RecommendationRequest {
    /// Validate the body of `POST /billing/recommend`, reporting every bad or unknown field.
    /// The body may be a whole onboarding intake, as a form posts it while the person types: its
    /// other fields are ignored here (they are checked by `POST /onboarding`), and a field that
    /// neither body defines is still an error.
    pub fn parse(value: &Value) -> Result<Self, Vec<FieldError>> {
        let mut fields = Fields::of(value)?;
        let request = read_sizing(&mut fields);
        let known: Vec<&str> = SIZING_FIELDS.iter().chain(INTAKE_FIELDS.iter()).copied().collect();
        fields.reject_unknown(&known);
        fields.finish(request)
    }
}

fn seats(v: &Value) -> Result<u64, String> {
    whole_number(v, 1, MAX_SEATS)
}

fn matters_per_month(v: &Value) -> Result<u64, String> {
    whole_number(v, 0, MAX_MATTERS_PER_MONTH)
}

fn baseline_hours(v: &Value) -> Result<Decimal, String> {
    decimal_in_range(v, Decimal::ZERO, false, MAX_BASELINE_HOURS_PER_MATTER)
}

fn automation_percent(v: &Value) -> Result<Decimal, String> {
    decimal_in_range(v, Decimal::ZERO, true, Decimal::ONE_HUNDRED)
}

fn hourly_rate(v: &Value) -> Result<Decimal, String> {
    decimal_in_range(v, Decimal::ZERO, false, MAX_HOURLY_RATE_USD)
}

fn ingest_gb(v: &Value) -> Result<Decimal, String> {
    decimal_in_range(v, Decimal::ZERO, true, MAX_INGEST_GB_PER_MONTH)
}

fn sla_hours(v: &Value) -> Result<u32, String> {
    // The bound keeps the value far inside u32, so the conversion cannot fail.
    whole_number(v, 1, MAX_REQUIRED_SLA_HOURS).map(|h| u32::try_from(h).unwrap_or(u32::MAX))
}

fn plan_id(v: &Value) -> Result<PlanId, String> {
    match v {
        Value::String(s) => s.parse::<PlanId>().map_err(|e| e.to_string()),
        other => Err(format!("must be a string, not {}", json_kind(other))),
    }
}

/// Read and check the sizing fields; shared by both request bodies that carry them.
pub(crate) fn read_sizing(fields: &mut Fields<'_>) -> Option<RecommendationRequest> {
    let seats = fields.required("seats", seats);
    let matters = fields.required("estimated_matters_per_month", matters_per_month);
    let hours = fields.required("roi_baseline_hours_per_matter", baseline_hours);
    let automation = fields.required("automation_target_percent", automation_percent);
    let rate = fields.optional("hourly_rate", hourly_rate).map(|r| r.unwrap_or(DEFAULT_HOURLY_RATE_USD));
    let ingest = fields.optional("expected_ingest_gb_per_month", ingest_gb);
    let sla = fields.optional("required_sla_hours", sla_hours);
    let selected = fields.optional("selected_plan", plan_id);

    // A chosen plan that cannot serve the team is a mistake in the intake, not a preference:
    // say so on the field rather than quietly recommending something else.
    if let (Some(seats), Some(sla), Some(Some(plan))) = (seats, sla, selected) {
        let why = exclusions(plan.plan(), seats, sla);
        if !why.is_empty() {
            fields.reject("selected_plan", why.join("; "));
            return None;
        }
    }

    Some(RecommendationRequest {
        seats: seats?,
        estimated_matters_per_month: matters?,
        roi_baseline_hours_per_matter: hours?,
        automation_target_percent: automation?,
        hourly_rate: rate?,
        expected_ingest_gb_per_month: ingest?,
        required_sla_hours: sla?,
        selected_plan: selected?,
    })
}

/// Hours of work a month Docket is expected to take over, unrounded.
pub fn monthly_hours_saved(req: &RecommendationRequest) -> Decimal {
    // Saturating and clamped so that a request built without `parse` still evaluates.
    Decimal::from(req.estimated_matters_per_month)
        .saturating_mul(req.roi_baseline_hours_per_matter.max(Decimal::ZERO))
        .saturating_mul(req.automation_target_percent.clamp(Decimal::ZERO, Decimal::ONE_HUNDRED))
        / Decimal::ONE_HUNDRED
}

/// Queries a month: the hours moved into Docket times the queries run per such hour, rounded up.
pub fn projected_monthly_queries(req: &RecommendationRequest) -> u64 {
    monthly_hours_saved(req).saturating_mul(QUERIES_PER_AUTOMATED_HOUR).ceil().to_u64().unwrap_or(u64::MAX)
}

/// Ingest a month in GB: the intake's own estimate, else matters × [`INGEST_GB_PER_MATTER`].
pub fn projected_monthly_ingest_gb(req: &RecommendationRequest) -> Decimal {
    match req.expected_ingest_gb_per_month {
        Some(gb) => gb.max(Decimal::ZERO),
        None => Decimal::from(req.estimated_matters_per_month).saturating_mul(INGEST_GB_PER_MATTER),
    }
}

/// GB to billable bytes, rounded up: a started byte is a byte accepted.
pub(super) fn ingest_bytes(gb: Decimal) -> u64 {
    gb.saturating_mul(Decimal::from(BYTES_PER_GB)).ceil().to_u64().unwrap_or(u64::MAX)
}

/// Why a plan cannot serve a team of `seats` needing answers within `required_sla_hours`
/// (empty when it can).
pub fn exclusions(plan: &Plan, seats: u64, required_sla_hours: Option<u32>) -> Vec<String> {
    let mut why = Vec::new();
    if plan.included_seats < seats {
        why.push(format!("{} includes {} seats; {} requested", plan.id, plan.included_seats, seats));
    }
    if let Some(required) = required_sla_hours {
        let sla = plan.support_tier.sla_hours();
        if sla > required {
            why.push(format!("{} support answers within {} h; {} h required", plan.id, sla, required));
        }
    }
    why
}
