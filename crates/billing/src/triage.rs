//! Daily triage: which flagged tenant to look at first, and why, in words a customer success
//! manager can act on (see docs/commercial/health_score.md).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::plans::{BYTES_PER_GB, Plan};
use crate::usage::{
    HEALTH_FLAG_BELOW, HEALTH_WEIGHTS, HealthComponents, QuotaDimension, USAGE_RATIO_FLAG_ABOVE, UsageAssessment,
    UsageTotals, consumption,
};

/// Usage ratio at which quota risk reaches 1: the health score's headroom is gone there.
const QUOTA_RISK_FULL_AT: f64 = 1.20;
/// Consumption from which a dimension is named among the reasons (the soft alert threshold).
const NAMED_FROM: f64 = 0.80;

/// Why a tenant is in the triage and how urgent it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TriageAssessment {
    /// 0..=1, riskiest first: the larger of how far health is below 0.75 (0 at 0.75, 1 at 0)
    /// and how far the fullest quota is past 0.95 (0 at 0.95, 1 at 1.20), rounded to 3 decimals.
    pub risk: f64,
    /// Whole days since the tenant's last usage event; null when it never had one.
    pub days_since_activity: Option<i64>,
    /// What put the tenant here, most pressing first.
    pub reasons: Vec<String>,
}

/// The triage view of one tenant's assessed usage.
pub fn triage(
    plan: &Plan,
    usage: &UsageTotals,
    assessment: &UsageAssessment,
    last_event_at: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> TriageAssessment {
    let health_risk = ((HEALTH_FLAG_BELOW - assessment.health_score) / HEALTH_FLAG_BELOW).clamp(0.0, 1.0);
    // The usage ratio stops at 1; the unclamped peak share tells 110 % from 150 %.
    let c = assessment.consumption;
    let peak = c.queries.max(c.ingest_gb).max(c.seats);
    let quota_risk = ((peak - USAGE_RATIO_FLAG_ABOVE) / (QUOTA_RISK_FULL_AT - USAGE_RATIO_FLAG_ABOVE)).clamp(0.0, 1.0);
    let risk = (health_risk.max(quota_risk) * 1000.0).round() / 1000.0;
    let days_since_activity = last_event_at.map(|at| (now - at).whole_days().max(0));

    let mut reasons = quota_reasons(plan, usage);
    if assessment.health_score < HEALTH_FLAG_BELOW {
        reasons.push(health_reason(assessment.health_score, &assessment.health_components));
    }
    match days_since_activity {
        None => reasons.push("no activity recorded yet".to_owned()),
        Some(days) if days >= 7 => reasons.push(format!("no activity for {days} days")),
        Some(_) => {}
    }
    TriageAssessment { risk, days_since_activity, reasons }
}

/// One sentence per quota at or past the soft threshold, the fullest first.
fn quota_reasons(plan: &Plan, usage: &UsageTotals) -> Vec<String> {
    let mut shares: Vec<(QuotaDimension, f64)> =
        consumption(plan, usage).into_iter().filter(|(_, share)| *share >= NAMED_FROM).collect();
    shares.sort_by(|a, b| b.1.total_cmp(&a.1));
    shares
        .into_iter()
        .map(|(dimension, share)| {
            let percent = (share * 100.0).round();
            match dimension {
                QuotaDimension::Queries => {
                    format!("queries at {percent} % of quota ({} of {} included)", usage.queries, plan.included_queries)
                }
                QuotaDimension::IngestGb => format!(
                    "ingest at {percent} % of quota ({:.2} of {} GB included)",
                    usage.ingest_bytes as f64 / BYTES_PER_GB as f64,
                    plan.included_ingest_gb
                ),
                QuotaDimension::Seats => format!(
                    "seats at {percent} % of quota ({} of {} included)",
                    usage.active_seats, plan.included_seats
                ),
            }
        })
        .collect()
}

/// The health score and the component that cost it the most (largest weighted shortfall).
fn health_reason(score: f64, c: &HealthComponents) -> String {
    let w = HEALTH_WEIGHTS;
    let parts = [
        ("engagement", c.engagement, w.engagement, "projected queries far below a quarter of the included queries"),
        ("adoption", c.adoption, w.adoption, "few of the included seats in use"),
        ("headroom", c.headroom, w.headroom, "a quota past 80 %"),
        ("recency", c.recency, w.recency, "no recent activity"),
    ];
    let worst = parts.iter().max_by(|a, b| (a.2 * (1.0 - a.1)).total_cmp(&(b.2 * (1.0 - b.1))));
    match worst {
        Some((name, value, _, meaning)) if *value < 1.0 => {
            format!(
                "health {score:.3} (below {HEALTH_FLAG_BELOW}): {name} pulled it down most at {value:.2} ({meaning})"
            )
        }
        _ => format!("health {score:.3} (below {HEALTH_FLAG_BELOW})"),
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::period::BillingPeriod;
    use crate::plans::PlanId;
    use crate::usage::assess;

    const NOW: OffsetDateTime = datetime!(2026-11-20 12:00 UTC);

    fn judged(plan: PlanId, usage: UsageTotals, last: Option<OffsetDateTime>) -> TriageAssessment {
        let plan = plan.plan();
        let period = BillingPeriod::containing(NOW);
        let assessment = assess(plan, &usage, period, NOW, last);
        triage(plan, &usage, &assessment, last, NOW)
    }

    #[test]
    fn a_tenant_over_quota_is_told_which_quota_and_how_far() {
        let usage = UsageTotals { queries: 5_500, active_seats: 10, ..Default::default() };
        let t = judged(PlanId::Professional, usage, Some(NOW));
        assert_eq!(t.reasons[0], "queries at 110 % of quota (5500 of 5000 included)");
        // 1.10 is 0.15 past 0.95 of the 0.25 to 1.20: 0.6.
        assert_eq!(t.risk, 0.6);
        assert_eq!(t.days_since_activity, Some(0));
    }

    #[test]
    fn an_idle_tenant_is_told_what_pulled_its_health_down() {
        let usage = UsageTotals { queries: 10, active_seats: 1, ..Default::default() };
        let last = NOW - time::Duration::days(20);
        let t = judged(PlanId::Professional, usage, Some(last));
        assert!(t.reasons.iter().any(|r| r.starts_with("health ") && r.contains("engagement pulled it down most")));
        assert!(t.reasons.contains(&"no activity for 20 days".to_owned()));
        assert!(t.risk > 0.0 && t.risk <= 1.0);
    }

    #[test]
    fn a_healthy_tenant_has_no_risk_and_no_reason() {
        let usage =
            UsageTotals { queries: 3_000, active_seats: 6, ingest_bytes: 10 * BYTES_PER_GB, ..Default::default() };
        let t = judged(PlanId::Professional, usage, Some(NOW - time::Duration::hours(3)));
        assert_eq!(t.risk, 0.0);
        assert!(t.reasons.is_empty(), "{:?}", t.reasons);
    }

    #[test]
    fn a_tenant_that_never_used_the_product_says_so() {
        let t = judged(PlanId::Community, UsageTotals::default(), None);
        assert_eq!(t.days_since_activity, None);
        assert!(t.reasons.contains(&"no activity recorded yet".to_owned()));
        assert!(t.risk > 0.5, "{}", t.risk);
    }
}
