//! Projected overage per priced quota dimension, as the lines of an invoice: each line is
//! rounded to the cent on its own, so that a tenant's total is the sum of its lines and a
//! plan's total the sum of its tenants' totals, to the cent.
//!
//! Only queries and ingest are priced past their quota; seats are not (the catalogue has no
//! per-seat rate), so they never make a line.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::period::BillingPeriod;
use crate::plans::{BYTES_PER_GB, Plan};
use crate::usage::{QuotaDimension, UsageTotals, projected_usage};

/// The projected overage of one priced dimension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct OverageLine {
    pub dimension: QuotaDimension,
    /// Included in the plan: queries, or GB (10^9 bytes).
    #[serde(serialize_with = "quantity")]
    #[schema(value_type = String, example = "5000")]
    pub included: Decimal,
    /// Projected to the end of the period at the run-rate so far.
    #[serde(serialize_with = "quantity")]
    #[schema(value_type = String, example = "6200")]
    pub projected: Decimal,
    /// Projected past the quota (0 when inside it).
    #[serde(serialize_with = "quantity")]
    #[schema(value_type = String, example = "1200")]
    pub over: Decimal,
    /// Price of one query or GB past the quota.
    #[serde(with = "crate::money::rate")]
    #[schema(value_type = String, example = "0.015")]
    pub rate_usd: Decimal,
    /// `over × rate`, rounded half away from zero to the cent.
    #[serde(with = "crate::money::amount")]
    #[schema(value_type = String, example = "18.00")]
    pub overage_usd: Decimal,
}

/// The dimensions priced past their quota, in report order.
pub const PRICED_DIMENSIONS: [QuotaDimension; 2] = [QuotaDimension::Queries, QuotaDimension::IngestGb];

/// The projected overage of each priced dimension (queries, then ingest GB) for `usage` in
/// `period` as seen at `now` (a closed period: what was used).
pub fn projected_overage(
    plan: &Plan,
    usage: &UsageTotals,
    period: BillingPeriod,
    now: OffsetDateTime,
) -> [OverageLine; 2] {
    let projected = projected_usage(usage, period, now);
    let gb = |bytes: u64| (Decimal::from(bytes) / Decimal::from(BYTES_PER_GB)).normalize();
    [
        line(
            QuotaDimension::Queries,
            Decimal::from(plan.included_queries),
            Decimal::from(projected.queries),
            plan.overage_per_query_usd,
        ),
        line(
            QuotaDimension::IngestGb,
            Decimal::from(plan.included_ingest_gb),
            gb(projected.ingest_bytes),
            plan.overage_per_gb_usd,
        ),
    ]
}

/// A quantity as its exact decimal string ("2.5", "1003"): a float could round it.
fn quantity<S: serde::Serializer>(value: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&value.normalize().to_string())
}

fn line(dimension: QuotaDimension, included: Decimal, projected: Decimal, rate: Decimal) -> OverageLine {
    let over = (projected - included).max(Decimal::ZERO);
    let overage_usd = (over * rate).round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    OverageLine { dimension, included, projected, over, rate_usd: rate, overage_usd }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plans::PlanId;
    use rust_decimal_macros::dec;
    use time::macros::datetime;

    #[test]
    fn lines_are_rounded_to_the_cent_each() {
        let pro = PlanId::Professional.plan();
        let period: BillingPeriod = "2026-10".parse().unwrap();
        let closed = datetime!(2026-11-15 00:00 UTC);
        // 1,003 queries over at 0.015 = 15.045 → 15.05; 2.000000001 GB over at 2.40 → 4.80.
        let usage = UsageTotals { queries: 6_003, ingest_bytes: 62_000_000_001, ..Default::default() };
        let [q, g] = projected_overage(pro, &usage, period, closed);
        assert_eq!((q.over, q.overage_usd), (dec!(1003), dec!(15.05)));
        assert_eq!(g.projected, dec!(62.000000001));
        assert_eq!((g.over, g.overage_usd), (dec!(2.000000001), dec!(4.80)));
        let inside = UsageTotals { queries: 10, ..Default::default() };
        let [q, g] = projected_overage(pro, &inside, period, closed);
        assert_eq!((q.over, q.overage_usd, g.overage_usd), (dec!(0), dec!(0), dec!(0)));
    }

    #[test]
    fn a_closed_period_judged_in_its_last_millisecond_projects_what_was_used() {
        // The ledger judges a closed period at its last millisecond.
        let pro = PlanId::Professional.plan();
        let period: BillingPeriod = "2026-10".parse().unwrap();
        let last = period.end() - time::Duration::milliseconds(1);
        let usage = UsageTotals { queries: 6_000, ingest_bytes: 61 * BYTES_PER_GB, ..Default::default() };
        let [q, g] = projected_overage(pro, &usage, period, last);
        assert_eq!((q.projected, q.overage_usd), (dec!(6000), dec!(15.00)));
        assert_eq!((g.projected, g.overage_usd), (dec!(61), dec!(2.40)));
    }

    #[test]
    fn an_open_period_is_projected_at_its_run_rate() {
        let community = PlanId::Community.plan();
        let period: BillingPeriod = "2026-06".parse().unwrap();
        // 300 queries in half of June project 600: 100 over at 0.02.
        let [q, _] = projected_overage(
            community,
            &UsageTotals { queries: 300, ..Default::default() },
            period,
            datetime!(2026-06-16 00:00 UTC),
        );
        assert_eq!((q.projected, q.overage_usd), (dec!(600), dec!(2.00)));
    }
}
