//! The daily triage list: flagged tenants, riskiest first, each with its reasons.

use docket_billing::{AlertLevel, PlanId, SupportTier, TenantId, TriageAssessment, triage};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::model::TenantSnapshot;

/// One flagged tenant in the triage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TriageEntry {
    #[schema(value_type = String)]
    pub tenant_id: TenantId,
    pub organization: String,
    pub plan_id: PlanId,
    /// The tenant's support tier (its plan's unless overridden) and its SLA: how fast
    /// customer success must answer.
    pub support_tier: SupportTier,
    pub support_sla_hours: u32,
    pub health_score: f64,
    pub usage_ratio: f64,
    pub alert_level: AlertLevel,
    /// Decimal string, two decimals.
    #[serde(with = "docket_billing::money::amount")]
    #[schema(value_type = String, example = "3514.00")]
    pub projected_monthly_cost_usd: Decimal,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_event_at: Option<OffsetDateTime>,
    /// Risk, days since activity and reasons.
    #[serde(flatten)]
    pub triage: TriageAssessment,
}

/// The flagged tenants among `snapshots` (health < 0.75 or usage ratio > 0.95), riskiest
/// first; equal risks by lower health, then by tenant id.
pub fn triage_list(snapshots: &[TenantSnapshot], now: OffsetDateTime) -> Vec<TriageEntry> {
    let mut out: Vec<TriageEntry> = snapshots
        .iter()
        .filter(|s| s.assessment.flagged)
        .map(|s| {
            let usage = s.usage();
            // A closed period is judged at its end, like its snapshot.
            let at = now.min(s.period.end());
            TriageEntry {
                tenant_id: s.tenant_id.clone(),
                organization: s.organization.clone(),
                plan_id: s.plan_id,
                support_tier: s.support_tier,
                support_sla_hours: s.support_sla_hours,
                health_score: s.assessment.health_score,
                usage_ratio: s.assessment.usage_ratio,
                alert_level: s.assessment.alert_level,
                projected_monthly_cost_usd: s.assessment.projected_monthly_cost_usd,
                last_event_at: s.last_event_at,
                triage: triage(s.plan_id.plan(), &usage, &s.assessment, s.last_event_at, at),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.triage
            .risk
            .total_cmp(&a.triage.risk)
            .then(a.health_score.total_cmp(&b.health_score))
            .then_with(|| a.tenant_id.as_str().cmp(b.tenant_id.as_str()))
    });
    out
}
