//! Usage aggregates and what is computed from them: usage ratio, cost to date, projected
//! monthly cost, health score and alert level.

use rust_decimal::prelude::*;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::period::BillingPeriod;
use crate::plans::{BYTES_PER_GB, HARD_ALERT_THRESHOLD, Plan, SOFT_ALERT_THRESHOLD};

/// A tenant's usage in one billing period (or one day of it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UsageTotals {
    /// Queries that executed.
    pub queries: u64,
    /// Document content bytes accepted by ingestion (duplicates excluded).
    pub ingest_bytes: u64,
    /// Timeline requests served.
    pub timeline_requests: u64,
    /// Agent runs.
    pub agent_runs: u64,
    /// Distinct people who used the product in the period.
    pub active_seats: u64,
}

/// The quota dimensions that alerts and the usage ratio look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuotaDimension {
    Queries,
    IngestGb,
    Seats,
}

impl QuotaDimension {
    /// Every dimension.
    pub const ALL: [QuotaDimension; 3] = [QuotaDimension::Queries, QuotaDimension::IngestGb, QuotaDimension::Seats];

    /// The identifier used in the API and the ledger.
    pub fn as_str(self) -> &'static str {
        match self {
            QuotaDimension::Queries => "queries",
            QuotaDimension::IngestGb => "ingest_gb",
            QuotaDimension::Seats => "seats",
        }
    }
}

/// How close a tenant is to its quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertLevel {
    None,
    Soft,
    Hard,
}

impl AlertLevel {
    /// The level a consumption share falls in.
    pub fn for_consumption(share: f64) -> AlertLevel {
        if share >= HARD_ALERT_THRESHOLD {
            AlertLevel::Hard
        } else if share >= SOFT_ALERT_THRESHOLD {
            AlertLevel::Soft
        } else {
            AlertLevel::None
        }
    }

    /// The identifier used in the API and the ledger.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertLevel::None => "none",
            AlertLevel::Soft => "soft",
            AlertLevel::Hard => "hard",
        }
    }

    /// The consumption share at which this level fires (none for `None`).
    pub fn threshold(self) -> Option<f64> {
        match self {
            AlertLevel::None => None,
            AlertLevel::Soft => Some(SOFT_ALERT_THRESHOLD),
            AlertLevel::Hard => Some(HARD_ALERT_THRESHOLD),
        }
    }
}

/// Consumption of each quota dimension as a share of the plan's allowance (may exceed 1).
pub fn consumption(plan: &Plan, usage: &UsageTotals) -> [(QuotaDimension, f64); 3] {
    let share = |used: u64, included: u64| if included == 0 { 0.0 } else { used as f64 / included as f64 };
    [
        (QuotaDimension::Queries, share(usage.queries, plan.included_queries)),
        (QuotaDimension::IngestGb, share(usage.ingest_bytes, plan.included_ingest_bytes())),
        (QuotaDimension::Seats, share(usage.active_seats, plan.included_seats)),
    ]
}

/// Usage ratio: the largest consumption share over queries, ingest GB and seats, within 0..=1
/// (a fully consumed quota is 1; how far past it a tenant went is in [`consumption`]).
pub fn usage_ratio(plan: &Plan, usage: &UsageTotals) -> f64 {
    consumption(plan, usage).iter().map(|(_, s)| *s).fold(0.0, f64::max).clamp(0.0, 1.0)
}

/// The highest alert level over every dimension.
pub fn alert_level(plan: &Plan, usage: &UsageTotals) -> AlertLevel {
    consumption(plan, usage).iter().map(|(_, s)| AlertLevel::for_consumption(*s)).max().unwrap_or(AlertLevel::None)
}

/// Plan price plus overage for the given usage, in USD rounded to the cent.
pub fn cost_for(plan: &Plan, queries: u64, ingest_bytes: u64) -> Decimal {
    let extra_queries = Decimal::from(queries.saturating_sub(plan.included_queries));
    let extra_bytes = Decimal::from(ingest_bytes.saturating_sub(plan.included_ingest_bytes()));
    let extra_gb = extra_bytes / Decimal::from(BYTES_PER_GB);
    let total =
        plan.monthly_price_usd + extra_queries * plan.overage_per_query_usd + extra_gb * plan.overage_per_gb_usd;
    total.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Cost to date: the plan price plus overage on the usage so far.
pub fn cost_to_date(plan: &Plan, usage: &UsageTotals) -> Decimal {
    cost_for(plan, usage.queries, usage.ingest_bytes)
}

/// Usage projected to the end of the period at its run-rate so far. At least one day counts as
/// elapsed, so that the first minutes of a period do not project absurd figures. Integer
/// arithmetic, so that 17 queries in 17 of 28 days project exactly 28.
pub fn projected_usage(usage: &UsageTotals, period: BillingPeriod, now: OffsetDateTime) -> UsageTotals {
    let start = period.start().unix_timestamp_nanos();
    let length = (period.end().unix_timestamp_nanos() - start) as u128;
    let one_day = 86_400_000_000_000u128;
    // The ledger keeps time in whole milliseconds and judges a closed period at its last one:
    // the millisecond under way counts as elapsed, so that such a period projects exactly what
    // was used (not one unit more).
    let one_ms = 1_000_000i128;
    let elapsed = ((now.unix_timestamp_nanos() - start + one_ms).max(0) as u128).clamp(one_day, length);
    let scale = |v: u64| {
        let projected = (u128::from(v) * length).div_ceil(elapsed);
        u64::try_from(projected).unwrap_or(u64::MAX)
    };
    UsageTotals {
        queries: scale(usage.queries),
        ingest_bytes: scale(usage.ingest_bytes),
        timeline_requests: scale(usage.timeline_requests),
        agent_runs: scale(usage.agent_runs),
        active_seats: usage.active_seats,
    }
}

/// Projected monthly cost: plan price plus overage on the usage projected to the period's end.
pub fn projected_monthly_cost(plan: &Plan, usage: &UsageTotals, period: BillingPeriod, now: OffsetDateTime) -> Decimal {
    let projected = projected_usage(usage, period, now);
    cost_for(plan, projected.queries, projected.ingest_bytes)
}

/// Health below this flags a tenant for triage.
pub const HEALTH_FLAG_BELOW: f64 = 0.75;
/// A usage ratio above this flags a tenant for triage.
pub const USAGE_RATIO_FLAG_ABOVE: f64 = 0.95;

/// The parts of the health score, each within 0..=1 (see docs/commercial/health_score.md).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct HealthComponents {
    /// Projected queries against a quarter of the included queries.
    pub engagement: f64,
    /// Active seats against a fifth of the included seats.
    pub adoption: f64,
    /// 1 up to 80 % of any quota, falling to 0 at 120 %.
    pub headroom: f64,
    /// 1 if the tenant was active in the last 7 days, falling to 0 at 30 days.
    pub recency: f64,
}

/// Weights of the health components; they sum to 1.
pub const HEALTH_WEIGHTS: HealthComponents =
    HealthComponents { engagement: 0.35, adoption: 0.20, headroom: 0.30, recency: 0.15 };

/// The health score's components for a tenant.
pub fn health_components(
    plan: &Plan,
    usage: &UsageTotals,
    period: BillingPeriod,
    now: OffsetDateTime,
    last_event_at: Option<OffsetDateTime>,
) -> HealthComponents {
    let projected = projected_usage(usage, period, now);
    let engagement_target = (plan.included_queries as f64 * 0.25).max(1.0);
    let engagement = (projected.queries as f64 / engagement_target).clamp(0.0, 1.0);
    let adoption_target = (plan.included_seats as f64 * 0.20).ceil().max(1.0);
    let adoption = (usage.active_seats as f64 / adoption_target).clamp(0.0, 1.0);
    let peak = consumption(plan, usage).iter().map(|(_, s)| *s).fold(0.0, f64::max);
    let headroom = (1.0 - (peak - 0.80) / 0.40).clamp(0.0, 1.0);
    let recency = match last_event_at {
        None => 0.0,
        Some(at) => {
            let idle_days = ((now - at).as_seconds_f64() / 86_400.0).max(0.0);
            (1.0 - (idle_days - 7.0) / 23.0).clamp(0.0, 1.0)
        }
    };
    HealthComponents { engagement, adoption, headroom, recency }
}

/// Health score, 0..=1: the weighted sum of [`health_components`], rounded to 3 decimals.
pub fn health_score(components: &HealthComponents) -> f64 {
    let w = HEALTH_WEIGHTS;
    let raw = w.engagement * components.engagement
        + w.adoption * components.adoption
        + w.headroom * components.headroom
        + w.recency * components.recency;
    ((raw * 1000.0).round() / 1000.0).clamp(0.0, 1.0)
}

/// Whether a tenant belongs in the daily triage.
pub fn is_flagged(health_score: f64, usage_ratio: f64) -> bool {
    health_score < HEALTH_FLAG_BELOW || usage_ratio > USAGE_RATIO_FLAG_ABOVE
}

/// Everything computed from a tenant's usage in a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UsageAssessment {
    pub usage_ratio: f64,
    pub consumption: ConsumptionView,
    pub health_score: f64,
    pub health_components: HealthComponents,
    /// Decimal string, two decimals ("3499.00").
    #[serde(with = "crate::money::amount")]
    #[schema(value_type = String, example = "3499.00")]
    pub cost_to_date_usd: Decimal,
    /// Decimal string, two decimals.
    #[serde(with = "crate::money::amount")]
    #[schema(value_type = String, example = "3514.00")]
    pub projected_monthly_cost_usd: Decimal,
    pub alert_level: AlertLevel,
    pub flagged: bool,
}

/// Consumption of each quota as a share of the plan's allowance (not clamped).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ConsumptionView {
    pub queries: f64,
    pub ingest_gb: f64,
    pub seats: f64,
}

/// Assess a tenant's usage in `period` as seen at `now`.
pub fn assess(
    plan: &Plan,
    usage: &UsageTotals,
    period: BillingPeriod,
    now: OffsetDateTime,
    last_event_at: Option<OffsetDateTime>,
) -> UsageAssessment {
    let [(_, q), (_, g), (_, s)] = consumption(plan, usage);
    let usage_ratio = usage_ratio(plan, usage);
    let components = health_components(plan, usage, period, now, last_event_at);
    let health = health_score(&components);
    UsageAssessment {
        usage_ratio,
        consumption: ConsumptionView { queries: q, ingest_gb: g, seats: s },
        health_score: health,
        health_components: components,
        cost_to_date_usd: cost_to_date(plan, usage),
        projected_monthly_cost_usd: projected_monthly_cost(plan, usage, period, now),
        alert_level: alert_level(plan, usage),
        flagged: is_flagged(health, usage_ratio),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plans::PlanId;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;
    use time::macros::datetime;

    fn usage(queries: u64, ingest_bytes: u64, seats: u64) -> UsageTotals {
        UsageTotals { queries, ingest_bytes, active_seats: seats, ..Default::default() }
    }

    #[test]
    fn cost_is_price_plus_overage() {
        let pro = PlanId::Professional.plan();
        assert_eq!(cost_to_date(pro, &usage(5_000, 60 * BYTES_PER_GB, 3)), dec!(3499));
        // 1,000 extra queries at 0.015 and 2.5 GB extra at 2.40.
        assert_eq!(cost_to_date(pro, &usage(6_000, 62_500_000_000, 3)), dec!(3499) + dec!(15) + dec!(6));
        let community = PlanId::Community.plan();
        assert_eq!(cost_to_date(community, &usage(501, 0, 1)), dec!(0.02));
    }

    #[test]
    fn usage_ratio_takes_the_largest_dimension() {
        let ent = PlanId::Enterprise.plan();
        assert_eq!(usage_ratio(ent, &usage(2_000, 0, 50)), 0.5);
        assert_eq!(usage_ratio(ent, &usage(40_000, 0, 1)), 1.0);
        assert_eq!(alert_level(ent, &usage(16_000, 0, 1)), AlertLevel::Soft);
        assert_eq!(alert_level(ent, &usage(19_000, 0, 1)), AlertLevel::Hard);
        assert_eq!(alert_level(ent, &usage(15_999, 0, 79)), AlertLevel::None);
    }

    #[test]
    fn projection_uses_the_run_rate() {
        let pro = PlanId::Professional.plan();
        let period: BillingPeriod = "2025-06".parse().unwrap();
        // Half-way through June with 3,000 queries projects 6,000: 1,000 over at 0.015.
        let now = datetime!(2025-06-16 00:00 UTC);
        assert_eq!(projected_monthly_cost(pro, &usage(3_000, 0, 1), period, now), dec!(3514));
        // A closed period projects what was used.
        let later = datetime!(2025-08-01 00:00 UTC);
        assert_eq!(projected_monthly_cost(pro, &usage(3_000, 0, 1), period, later), dec!(3499));
    }

    #[test]
    fn projection_has_no_float_noise() {
        let feb: BillingPeriod = "2026-02".parse().unwrap();
        let now = datetime!(2026-02-18 00:00 UTC);
        assert_eq!(projected_usage(&usage(17, 0, 1), feb, now).queries, 28);
    }

    #[test]
    fn an_idle_new_tenant_is_flagged_and_a_busy_one_is_not() {
        let pro = PlanId::Professional.plan();
        let period: BillingPeriod = "2025-06".parse().unwrap();
        let now = datetime!(2025-06-16 00:00 UTC);
        let idle = assess(pro, &UsageTotals::default(), period, now, None);
        assert!(idle.flagged);
        assert_eq!(idle.health_score, 0.3);
        let busy = assess(pro, &usage(1_500, BYTES_PER_GB, 6), period, now, Some(now));
        assert_eq!(busy.health_score, 1.0);
        assert!(!busy.flagged);
    }

    fn any_usage() -> impl Strategy<Value = UsageTotals> {
        (0u64..100_000, 0u64..1_000 * BYTES_PER_GB, 0u64..10_000, 0u64..10_000, 0u64..500).prop_map(
            |(queries, ingest_bytes, timeline_requests, agent_runs, active_seats)| UsageTotals {
                queries,
                ingest_bytes,
                timeline_requests,
                agent_runs,
                active_seats,
            },
        )
    }

    fn any_plan() -> impl Strategy<Value = &'static Plan> {
        prop::sample::select(PlanId::ALL.to_vec()).prop_map(PlanId::plan)
    }

    proptest! {
        #[test]
        fn ratio_and_health_stay_in_range(
            plan in any_plan(), u in any_usage(), secs in 1_600_000_000i64..1_900_000_000, idle in proptest::option::of(0i64..10_000_000)
        ) {
            let now = OffsetDateTime::from_unix_timestamp(secs).unwrap();
            let period = BillingPeriod::containing(now);
            let last = idle.map(|i| now - time::Duration::seconds(i));
            let a = assess(plan, &u, period, now, last);
            prop_assert!((0.0..=1.0).contains(&a.usage_ratio));
            prop_assert!((0.0..=1.0).contains(&a.health_score));
            prop_assert!(a.cost_to_date_usd >= plan.monthly_price_usd);
            prop_assert!(a.projected_monthly_cost_usd >= a.cost_to_date_usd);
        }

        #[test]
        fn cost_is_monotonic_in_usage(plan in any_plan(), u in any_usage(), dq in 0u64..10_000, db in 0u64..100 * BYTES_PER_GB) {
            let more = UsageTotals { queries: u.queries + dq, ingest_bytes: u.ingest_bytes + db, ..u };
            prop_assert!(cost_to_date(plan, &more) >= cost_to_date(plan, &u));
            let period: BillingPeriod = "2025-03".parse().unwrap();
            let now = datetime!(2025-03-10 12:00 UTC);
            prop_assert!(projected_monthly_cost(plan, &more, period, now) >= projected_monthly_cost(plan, &u, period, now));
        }
    }
}
