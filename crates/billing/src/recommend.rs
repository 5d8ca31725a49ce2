//! Plan recommendation and ROI: the one implementation behind `POST /onboarding`,
//! `POST /billing/recommend` and the web intake form (see docs/commercial/roi_calculator.md).

use rust_decimal::prelude::*;
use rust_decimal_macros::dec;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::fields::{FieldError, Fields, decimal_in_range, json_kind, whole_number};
use crate::onboarding::INTAKE_FIELDS;
use crate::plans::{BYTES_PER_GB, Plan, PlanId};
use crate::usage::cost_for;

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
mod float_option {
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

/// A plan recommendation and, when a plan applies, its ROI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Evaluation {
    /// The recommended plan and the comparison of every plan.
    pub recommendation: Recommendation,
    /// ROI on the selected plan, else on the recommended one; null when neither exists.
    pub roi: Option<Roi>,
}

/// The recommended plan, the projected usage it was priced on, and every plan compared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Recommendation {
    /// The cheapest eligible plan; absent only when no plan is eligible.
    pub recommended_plan: Option<PlanId>,
    /// Why that plan, in one sentence.
    pub reason: String,
    /// Queries a month projected from the intake.
    pub projected_monthly_queries: u64,
    /// Ingest a month projected from the intake, in GB.
    #[serde(with = "rust_decimal::serde::float")]
    #[schema(value_type = f64)]
    pub projected_monthly_ingest_gb: Decimal,
    /// Every plan, lowest tier first.
    pub comparison: Vec<PlanOption>,
}

/// One plan priced on the projected usage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PlanOption {
    /// The plan.
    pub plan_id: PlanId,
    /// The plan's published name.
    pub label: String,
    /// The plan's published monthly price, in USD.
    #[serde(with = "crate::money::amount")]
    #[schema(value_type = String, example = "3499.00")]
    pub monthly_price_usd: Decimal,
    /// Price plus overage on the projected usage, in USD.
    #[serde(with = "crate::money::amount")]
    #[schema(value_type = String, example = "3499.00")]
    pub projected_monthly_cost_usd: Decimal,
    /// Whether the plan has enough seats and a fast enough support SLA.
    pub eligible: bool,
    /// Whether this is the recommended plan.
    pub recommended: bool,
    /// Why the plan was chosen, passed over or ruled out.
    pub reasons: Vec<String>,
}

/// Which plan an ROI was computed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoiBasis {
    /// The plan the prospect selected.
    Selected,
    /// The recommended plan (nothing was selected).
    Recommended,
}

/// The return on one plan, per month unless named otherwise; money in USD rounded to cents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Roi {
    /// The plan the figures are for.
    pub plan_id: PlanId,
    /// Whether that plan was selected or recommended.
    pub basis: RoiBasis,
    /// matters × baseline hours × automation % / 100, rounded to 2 decimals.
    #[serde(with = "rust_decimal::serde::float")]
    #[schema(value_type = f64)]
    pub monthly_hours_saved: Decimal,
    /// Hours saved × hourly rate.
    #[serde(with = "crate::money::amount")]
    #[schema(value_type = String, example = "3499.00")]
    pub monthly_value_usd: Decimal,
    /// 12 × the monthly value.
    #[serde(with = "crate::money::amount")]
    #[schema(value_type = String, example = "3499.00")]
    pub annual_value_usd: Decimal,
    /// The plan's projected monthly cost (price plus overage).
    #[serde(with = "crate::money::amount")]
    #[schema(value_type = String, example = "3499.00")]
    pub plan_monthly_cost_usd: Decimal,
    /// Monthly value minus the plan's monthly cost (negative when the plan costs more).
    #[serde(with = "crate::money::amount")]
    #[schema(value_type = String, example = "3499.00")]
    pub net_monthly_value_usd: Decimal,
    /// Days of value that cover one month's cost (cost × 30 / value); 0 if free, null if no value.
    #[serde(with = "float_option")]
    #[schema(value_type = Option<f64>)]
    pub payback_days: Option<Decimal>,
    /// Monthly value / monthly cost, 2 decimals; null for a plan that costs nothing.
    #[serde(with = "float_option")]
    #[schema(value_type = Option<f64>)]
    pub roi_multiple: Option<Decimal>,
}

fn cents(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
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
fn ingest_bytes(gb: Decimal) -> u64 {
    gb.saturating_mul(Decimal::from(BYTES_PER_GB)).ceil().to_u64().unwrap_or(u64::MAX)
}

fn usd(d: Decimal) -> String {
    format!("${:.2}", cents(d))
}

/// Recommend a plan for the intake and compute the ROI.
pub fn evaluate(req: &RecommendationRequest) -> Evaluation {
    let queries = projected_monthly_queries(req);
    let ingest_gb = projected_monthly_ingest_gb(req);
    let bytes = ingest_bytes(ingest_gb);

    let priced: Vec<(&Plan, Decimal, Vec<String>)> = PlanId::ALL
        .iter()
        .map(|id| {
            let plan = id.plan();
            (plan, cost_for(plan, queries, bytes), exclusions(plan, req.seats, req.required_sla_hours))
        })
        .collect();

    // Lowest tier first and a strict `<`, so a tie goes to the lower tier.
    let mut best: Option<(PlanId, Decimal)> = None;
    for (plan, cost, why) in &priced {
        if why.is_empty() && best.is_none_or(|(_, c)| *cost < c) {
            best = Some((plan.id, *cost));
        }
    }

    let comparison = priced
        .iter()
        .map(|(plan, cost, why)| PlanOption {
            plan_id: plan.id,
            label: plan.label.to_owned(),
            monthly_price_usd: plan.monthly_price_usd,
            projected_monthly_cost_usd: *cost,
            eligible: why.is_empty(),
            recommended: best.is_some_and(|(id, _)| id == plan.id),
            reasons: option_reasons(plan, *cost, why, best, req, queries, bytes),
        })
        .collect();

    let reason = match best {
        Some((id, cost)) => {
            let mut s = format!(
                "{} has the lowest projected monthly cost ({}) of the plans that include {} seats",
                id.plan().label,
                usd(cost),
                req.seats
            );
            if let Some(h) = req.required_sla_hours {
                s.push_str(&format!(" and answer within {h} h"));
            }
            let tied: Vec<&str> = priced
                .iter()
                .filter(|(p, c, w)| w.is_empty() && p.id != id && *c == cost)
                .map(|(p, _, _)| p.label)
                .collect();
            if !tied.is_empty() {
                s.push_str(&format!("; {} costs the same and the lower tier is preferred", tied.join(" and ")));
            }
            s
        }
        None => {
            let sla =
                req.required_sla_hours.map(|h| format!(" with support answering within {h} h")).unwrap_or_default();
            format!(
                "No plan fits: none includes {} seats{sla}; the comparison shows why each plan is ruled out",
                req.seats
            )
        }
    };

    let roi_plan = match (req.selected_plan, best) {
        (Some(id), _) => Some((id, RoiBasis::Selected)),
        (None, Some((id, _))) => Some((id, RoiBasis::Recommended)),
        (None, None) => None,
    };
    let roi = roi_plan.map(|(id, basis)| {
        let cost = priced.iter().find(|(p, _, _)| p.id == id).map_or(id.plan().monthly_price_usd, |(_, c, _)| *c);
        roi_for(req, id, basis, cost)
    });

    Evaluation {
        recommendation: Recommendation {
            recommended_plan: best.map(|(id, _)| id),
            reason,
            projected_monthly_queries: queries,
            projected_monthly_ingest_gb: ingest_gb,
            comparison,
        },
        roi,
    }
}

fn option_reasons(
    plan: &Plan,
    cost: Decimal,
    why: &[String],
    best: Option<(PlanId, Decimal)>,
    req: &RecommendationRequest,
    queries: u64,
    bytes: u64,
) -> Vec<String> {
    let mut reasons: Vec<String> = why.to_vec();
    if req.selected_plan == Some(plan.id) {
        reasons.push("selected in the intake".to_owned());
    }
    let over_queries = queries.saturating_sub(plan.included_queries);
    let over_bytes = bytes.saturating_sub(plan.included_ingest_bytes());
    if over_queries > 0 || over_bytes > 0 {
        let mut parts = Vec::new();
        if over_queries > 0 {
            parts.push(format!("{over_queries} queries over the {} included", plan.included_queries));
        }
        if over_bytes > 0 {
            let gb = Decimal::from(over_bytes) / Decimal::from(BYTES_PER_GB);
            parts.push(format!("{} GB over the {} included", gb.normalize(), plan.included_ingest_gb));
        }
        reasons.push(format!("{}: {} overage", parts.join(" and "), usd(cost - plan.monthly_price_usd)));
    } else {
        reasons.push("projected usage fits the included queries and ingest".to_owned());
    }
    if why.is_empty() {
        match best {
            Some((id, _)) if id == plan.id => {
                reasons.push(format!("lowest projected monthly cost of the eligible plans ({})", usd(cost)))
            }
            Some((id, best_cost)) if cost == best_cost => {
                reasons.push(format!("costs the same as {}, which is the lower tier", id))
            }
            Some((id, best_cost)) => {
                reasons.push(format!("eligible, but {} a month more than {}", usd(cost - best_cost), id))
            }
            None => {}
        }
    }
    reasons
}

fn roi_for(req: &RecommendationRequest, plan_id: PlanId, basis: RoiBasis, cost: Decimal) -> Roi {
    let hours = monthly_hours_saved(req);
    let value = hours.saturating_mul(req.hourly_rate.max(Decimal::ZERO));
    let payback_days = if cost.is_zero() {
        Some(Decimal::ZERO)
    } else if value.is_zero() {
        None
    } else {
        cost.saturating_mul(PAYBACK_DAYS_PER_MONTH).checked_div(value).map(cents)
    };
    let roi_multiple = if cost.is_zero() { None } else { value.checked_div(cost).map(cents) };
    Roi {
        plan_id,
        basis,
        monthly_hours_saved: cents(hours),
        monthly_value_usd: cents(value),
        annual_value_usd: cents(value.saturating_mul(MONTHS_PER_YEAR)),
        plan_monthly_cost_usd: cents(cost),
        net_monthly_value_usd: cents(value.saturating_sub(cost)),
        payback_days,
        roi_multiple,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plans::SupportTier;
    use proptest::prelude::*;
    use serde_json::json;

    fn request(seats: u64, matters: u64, hours: Decimal, automation: Decimal) -> RecommendationRequest {
        RecommendationRequest {
            seats,
            estimated_matters_per_month: matters,
            roi_baseline_hours_per_matter: hours,
            automation_target_percent: automation,
            hourly_rate: DEFAULT_HOURLY_RATE_USD,
            expected_ingest_gb_per_month: None,
            required_sla_hours: None,
            selected_plan: None,
        }
    }

    fn costs(e: &Evaluation) -> Vec<Decimal> {
        e.recommendation.comparison.iter().map(|o| o.projected_monthly_cost_usd).collect()
    }

    fn eligible(e: &Evaluation) -> Vec<bool> {
        e.recommendation.comparison.iter().map(|o| o.eligible).collect()
    }

    #[test]
    fn projections_follow_the_documented_constants() {
        let req = request(3, 20, dec!(10), dec!(40));
        assert_eq!(monthly_hours_saved(&req), dec!(80));
        assert_eq!(projected_monthly_queries(&req), 800);
        assert_eq!(projected_monthly_ingest_gb(&req), dec!(40));
        let given = RecommendationRequest { expected_ingest_gb_per_month: Some(dec!(7.5)), ..req };
        assert_eq!(projected_monthly_ingest_gb(&given), dec!(7.5));
        // 3 × 2.5 × 33.3 % = 2.4975 hours: 24.975 queries, and a started query counts.
        assert_eq!(projected_monthly_queries(&request(1, 3, dec!(2.5), dec!(33.3))), 25);
        assert_eq!(projected_monthly_queries(&request(1, 10, dec!(10), dec!(0))), 0);
    }

    #[test]
    fn every_plan_is_priced_with_the_published_overage() {
        // 800 queries, 40 GB: community pays 300 × 0.02 + 35 × 3.00.
        let e = evaluate(&request(3, 20, dec!(10), dec!(40)));
        assert_eq!(costs(&e), vec![dec!(111), dec!(3499), dec!(8999)]);
        let ids: Vec<PlanId> = e.recommendation.comparison.iter().map(|o| o.plan_id).collect();
        assert_eq!(ids, PlanId::ALL.to_vec());
        assert_eq!(e.recommendation.recommended_plan, Some(PlanId::Community));
        assert!(e.recommendation.comparison[0].recommended);
        assert!(e.recommendation.comparison.iter().all(|o| !o.reasons.is_empty()));
    }

    #[test]
    fn plans_with_too_few_seats_are_ruled_out() {
        let e = evaluate(&request(12, 20, dec!(10), dec!(40)));
        assert_eq!(eligible(&e), vec![false, true, true]);
        assert_eq!(e.recommendation.recommended_plan, Some(PlanId::Professional));
        assert_eq!(e.recommendation.comparison[0].reasons[0], "community includes 5 seats; 12 requested");
        let e = evaluate(&request(26, 20, dec!(10), dec!(40)));
        assert_eq!(eligible(&e), vec![false, false, true]);
        assert_eq!(e.recommendation.recommended_plan, Some(PlanId::Enterprise));
        // Exactly the included seats is enough.
        assert_eq!(evaluate(&request(5, 1, dec!(1), dec!(1))).recommendation.recommended_plan, Some(PlanId::Community));
        assert_eq!(
            evaluate(&request(25, 1, dec!(1), dec!(1))).recommendation.recommended_plan,
            Some(PlanId::Professional)
        );
        assert_eq!(
            evaluate(&request(100, 1, dec!(1), dec!(1))).recommendation.recommended_plan,
            Some(PlanId::Enterprise)
        );
    }

    #[test]
    fn plans_with_a_slower_sla_are_ruled_out() {
        let with_sla = |h| RecommendationRequest { required_sla_hours: Some(h), ..request(2, 2, dec!(5), dec!(10)) };
        let pick = |h| evaluate(&with_sla(h)).recommendation.recommended_plan;
        assert_eq!(pick(48), Some(PlanId::Community));
        assert_eq!(pick(47), Some(PlanId::Professional));
        assert_eq!(pick(12), Some(PlanId::Professional));
        assert_eq!(pick(11), Some(PlanId::Enterprise));
        assert_eq!(pick(2), Some(PlanId::Enterprise));
        let e = evaluate(&with_sla(24));
        assert_eq!(e.recommendation.comparison[0].reasons[0], "community support answers within 48 h; 24 h required");
        assert_eq!(SupportTier::Premium.sla_hours(), 2);
    }

    #[test]
    fn when_no_plan_is_eligible_nothing_is_recommended() {
        let too_many = evaluate(&request(101, 50, dec!(10), dec!(50)));
        assert_eq!(too_many.recommendation.recommended_plan, None);
        assert_eq!(eligible(&too_many), vec![false, false, false]);
        assert!(too_many.recommendation.comparison.iter().all(|o| !o.recommended));
        assert!(too_many.recommendation.reason.starts_with("No plan fits: none includes 101 seats"));
        assert_eq!(too_many.roi, None);
        let too_fast =
            evaluate(&RecommendationRequest { required_sla_hours: Some(1), ..request(2, 2, dec!(5), dec!(10)) });
        assert_eq!(too_fast.recommendation.recommended_plan, None);
        assert!(too_fast.recommendation.reason.contains("within 1 h"));
        // A selected plan still gets its ROI, so the figures are there to explain the refusal.
        let selected = evaluate(&RecommendationRequest {
            selected_plan: Some(PlanId::Enterprise),
            ..request(101, 1, dec!(1), dec!(1))
        });
        assert_eq!(selected.recommendation.recommended_plan, None);
        assert_eq!(selected.roi.map(|r| r.plan_id), Some(PlanId::Enterprise));
    }

    #[test]
    fn a_tie_goes_to_the_lower_tier() {
        // 653,800 queries and 60 GB cost 13,231.00 on community and on professional.
        let req = RecommendationRequest {
            expected_ingest_gb_per_month: Some(dec!(60)),
            ..request(5, 1000, dec!(65.38), dec!(100))
        };
        let e = evaluate(&req);
        assert_eq!(costs(&e), vec![dec!(13231), dec!(13231), dec!(15337)]);
        assert_eq!(e.recommendation.recommended_plan, Some(PlanId::Community));
        assert!(e.recommendation.reason.contains("Professional costs the same"), "{}", e.recommendation.reason);
        assert!(
            e.recommendation.comparison[1]
                .reasons
                .iter()
                .any(|r| r == "costs the same as community, which is the lower tier")
        );
        // 1,075,000 queries cost 19,549.00 on professional and on enterprise.
        let req = RecommendationRequest {
            expected_ingest_gb_per_month: Some(dec!(50)),
            ..request(10, 1000, dec!(107.5), dec!(100))
        };
        let e = evaluate(&req);
        assert_eq!(costs(&e)[1..], [dec!(19549), dec!(19549)]);
        assert_eq!(e.recommendation.recommended_plan, Some(PlanId::Professional));
    }

    #[test]
    fn overage_can_make_a_higher_tier_cheaper() {
        let req = RecommendationRequest {
            expected_ingest_gb_per_month: Some(dec!(6000)),
            ..request(5, 200, dec!(25), dec!(40))
        };
        let e = evaluate(&req);
        assert_eq!(costs(&e), vec![dec!(18375), dec!(17980), dec!(18199)]);
        assert_eq!(e.recommendation.recommended_plan, Some(PlanId::Professional));
        let community = &e.recommendation.comparison[0];
        assert!(community.reasons.iter().any(|r| r.contains("19500 queries over the 500 included")));
        assert!(community.reasons.iter().any(|r| r == "eligible, but $395.00 a month more than professional"));
    }

    #[test]
    fn roi_is_for_the_selected_plan_else_the_recommended_one() {
        let req = RecommendationRequest { hourly_rate: dec!(300), ..request(12, 20, dec!(10), dec!(40)) };
        let roi = evaluate(&req).roi.unwrap();
        assert_eq!(roi.plan_id, PlanId::Professional);
        assert_eq!(roi.basis, RoiBasis::Recommended);
        assert_eq!(roi.monthly_hours_saved, dec!(80));
        assert_eq!(roi.monthly_value_usd, dec!(24000));
        assert_eq!(roi.annual_value_usd, dec!(288000));
        assert_eq!(roi.plan_monthly_cost_usd, dec!(3499));
        assert_eq!(roi.net_monthly_value_usd, dec!(20501));
        // 3,499 × 30 / 24,000 = 4.37375 days; 24,000 / 3,499 = 6.8591…
        assert_eq!(roi.payback_days, Some(dec!(4.37)));
        assert_eq!(roi.roi_multiple, Some(dec!(6.86)));
        let selected = RecommendationRequest { selected_plan: Some(PlanId::Enterprise), ..req };
        let roi = evaluate(&selected).roi.unwrap();
        assert_eq!((roi.plan_id, roi.basis), (PlanId::Enterprise, RoiBasis::Selected));
        assert_eq!(roi.plan_monthly_cost_usd, dec!(8999));
        assert_eq!(roi.net_monthly_value_usd, dec!(15001));
    }

    #[test]
    fn payback_and_multiple_handle_zero_cost_and_zero_value() {
        // Community at no overage costs nothing: nothing to pay back, and no multiple of zero.
        let free = evaluate(&request(2, 2, dec!(10), dec!(50))).roi.unwrap();
        assert_eq!(free.plan_monthly_cost_usd, Decimal::ZERO);
        assert_eq!(free.payback_days, Some(Decimal::ZERO));
        assert_eq!(free.roi_multiple, None);
        // No automation: there is a cost and never any value to cover it.
        let idle = evaluate(&request(2, 10, dec!(10), dec!(0))).roi.unwrap();
        assert_eq!(idle.plan_monthly_cost_usd, dec!(45));
        assert_eq!(idle.monthly_value_usd, Decimal::ZERO);
        assert_eq!(idle.net_monthly_value_usd, dec!(-45));
        assert_eq!(idle.payback_days, None);
        assert_eq!(idle.roi_multiple, Some(Decimal::ZERO));
    }

    #[test]
    fn money_is_rounded_only_at_the_output() {
        // 2.4975 hours × 285 = 711.7875: the annual figure comes from the unrounded month.
        let req = RecommendationRequest {
            expected_ingest_gb_per_month: Some(dec!(7.255)),
            ..request(3, 3, dec!(2.5), dec!(33.3))
        };
        let e = evaluate(&req);
        // 2.255 GB over at 3.00 = 6.765, rounded half away from zero by cost_for.
        assert_eq!(costs(&e)[0], dec!(6.77));
        let roi = e.roi.unwrap();
        assert_eq!(roi.monthly_hours_saved, dec!(2.50));
        assert_eq!(roi.monthly_value_usd, dec!(711.79));
        assert_eq!(roi.annual_value_usd, dec!(8541.45));
        assert_eq!(roi.net_monthly_value_usd, dec!(705.02));
        assert_eq!(roi.payback_days, Some(dec!(0.29)));
        assert_eq!(roi.roi_multiple, Some(dec!(105.14)));
    }

    #[test]
    fn evaluation_stays_total_for_requests_built_without_parse() {
        let wild = RecommendationRequest {
            seats: u64::MAX,
            estimated_matters_per_month: u64::MAX,
            roi_baseline_hours_per_matter: Decimal::MAX,
            automation_target_percent: dec!(-5),
            hourly_rate: Decimal::MAX,
            expected_ingest_gb_per_month: Some(Decimal::MAX),
            required_sla_hours: Some(0),
            selected_plan: Some(PlanId::Community),
        };
        let e = evaluate(&wild);
        assert_eq!(e.recommendation.recommended_plan, None);
        let wild = RecommendationRequest { automation_target_percent: dec!(100), ..wild };
        assert!(evaluate(&wild).roi.is_some());
    }

    #[test]
    fn the_recommend_body_takes_the_intake_and_refuses_unknown_fields() {
        let ok = json!({
            "seats": 12, "estimated_matters_per_month": 20, "roi_baseline_hours_per_matter": 10,
            "automation_target_percent": 40
        });
        let req = RecommendationRequest::parse(&ok).unwrap();
        assert_eq!(req, request(12, 20, dec!(10), dec!(40)));
        // A whole intake, as the form posts it while the person types: the rest is ignored,
        // even when not yet valid (the intake itself is checked by POST /onboarding).
        let mut intake = ok.clone();
        intake["organization"] = json!("Hale & Ward LLP");
        intake["contact_email"] = json!("not yet an address");
        intake["departments"] = json!([]);
        assert_eq!(RecommendationRequest::parse(&intake).unwrap(), req);
        let mut extra = ok.clone();
        extra["colour"] = json!("blue");
        let errors = RecommendationRequest::parse(&extra).unwrap_err();
        assert_eq!(errors, vec![FieldError::new("colour", "unknown field")]);
        let errors = RecommendationRequest::parse(&json!([1])).unwrap_err();
        assert_eq!(errors[0].field, "body");
        let mut mismatch = ok;
        mismatch["selected_plan"] = json!("community");
        let errors = RecommendationRequest::parse(&mismatch).unwrap_err();
        assert_eq!(errors, vec![FieldError::new("selected_plan", "community includes 5 seats; 12 requested")]);
    }

    fn any_request() -> impl Strategy<Value = RecommendationRequest> {
        (
            1u64..=150,
            0u64..=5_000,
            1i64..=100_000,
            0i64..=10_000,
            1i64..=1_000_000,
            proptest::option::of(0i64..=2_000_000),
            proptest::option::of(prop::sample::select(vec![1u32, 2, 4, 11, 12, 24, 47, 48, 72, 720])),
            proptest::option::of(prop::sample::select(PlanId::ALL.to_vec())),
        )
            .prop_map(|(seats, matters, hours, automation, rate, ingest, sla, plan)| RecommendationRequest {
                seats,
                estimated_matters_per_month: matters,
                roi_baseline_hours_per_matter: Decimal::new(hours, 2),
                automation_target_percent: Decimal::new(automation, 2),
                hourly_rate: Decimal::new(rate, 2),
                expected_ingest_gb_per_month: ingest.map(|g| Decimal::new(g, 1)),
                required_sla_hours: sla,
                selected_plan: plan,
            })
    }

    proptest! {
        #[test]
        fn the_recommendation_is_the_cheapest_plan_that_can_serve_the_team(req in any_request()) {
            let e = evaluate(&req);
            let r = &e.recommendation;
            prop_assert_eq!(r.comparison.len(), 3);
            let eligible: Vec<&PlanOption> = r.comparison.iter().filter(|o| o.eligible).collect();
            match r.recommended_plan {
                None => prop_assert!(eligible.is_empty()),
                Some(id) => {
                    let plan = id.plan();
                    prop_assert!(plan.included_seats >= req.seats);
                    if let Some(h) = req.required_sla_hours {
                        prop_assert!(plan.support_tier.sla_hours() <= h);
                    }
                    let chosen = r.comparison.iter().find(|o| o.plan_id == id).map(|o| o.projected_monthly_cost_usd);
                    let cheapest = eligible.iter().map(|o| o.projected_monthly_cost_usd).min();
                    prop_assert_eq!(chosen, cheapest);
                    // Among equally cheap plans, the lowest tier.
                    let first_cheapest = eligible.iter().find(|o| Some(o.projected_monthly_cost_usd) == cheapest).map(|o| o.plan_id);
                    prop_assert_eq!(first_cheapest, Some(id));
                }
            }
            prop_assert_eq!(r.comparison.iter().filter(|o| o.recommended).count(), usize::from(r.recommended_plan.is_some()));
            for o in &r.comparison {
                let plan = o.plan_id.plan();
                let fits = plan.included_seats >= req.seats
                    && req.required_sla_hours.is_none_or(|h| plan.support_tier.sla_hours() <= h);
                prop_assert_eq!(o.eligible, fits);
                prop_assert!(o.projected_monthly_cost_usd >= o.monthly_price_usd);
            }
        }

        #[test]
        fn roi_value_grows_with_matters(req in any_request(), more in 0u64..=1_000) {
            let bigger = RecommendationRequest {
                estimated_matters_per_month: req.estimated_matters_per_month + more,
                selected_plan: Some(PlanId::Enterprise),
                ..req.clone()
            };
            let base = RecommendationRequest { selected_plan: Some(PlanId::Enterprise), ..req };
            let (a, b) = (evaluate(&base).roi, evaluate(&bigger).roi);
            prop_assert!(a.is_some() && b.is_some());
            if let (Some(a), Some(b)) = (a, b) {
                prop_assert!(b.monthly_hours_saved >= a.monthly_hours_saved);
                prop_assert!(b.monthly_value_usd >= a.monthly_value_usd);
                prop_assert!(b.annual_value_usd >= a.annual_value_usd);
            }
        }

        #[test]
        fn a_serialised_request_parses_back_to_itself(req in any_request()) {
            // Only requests `parse` would accept: drop a selection the team does not fit.
            let fits = req.selected_plan.is_none_or(|p| exclusions(p.plan(), req.seats, req.required_sla_hours).is_empty());
            let req = if fits { req } else { RecommendationRequest { selected_plan: None, ..req } };
            let value = serde_json::to_value(&req).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(RecommendationRequest::parse(&value), Ok(req));
        }
    }
}
