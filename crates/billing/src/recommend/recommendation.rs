//! Recommendation: every plan priced on the projected usage, the cheapest eligible one chosen,
//! and the reasons for each plan in words.

use rust_decimal::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::roi::{Roi, RoiBasis, cents, roi_for};
use super::sizing::{
    RecommendationRequest, exclusions, ingest_bytes, projected_monthly_ingest_gb, projected_monthly_queries,
};
use crate::plans::{BYTES_PER_GB, Plan, PlanId};
use crate::usage::cost_for;

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
