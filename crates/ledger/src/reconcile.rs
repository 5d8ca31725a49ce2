//! Reconciliation of the operator's plan and support-tier overrides with the tenant registry:
//! what differs, and making the registry match, each change recorded with who made it.
//!
//! The lists are the truth for the tenants they name. A support-tier override stored for a
//! tenant the support list no longer names is a difference too (back to the plan's tier):
//! overrides are set only through these lists, so removing an entry must undo it.

use docket_billing::{PlanId, PlanOverrides, SupportOverrides, SupportTier, TenantId};
use serde::Serialize;
use time::OffsetDateTime;

use crate::error::LedgerError;
use crate::model::Tenant;
use crate::sql::{from_millis, millis};
use crate::store::Ledger;

/// Which registry field an override sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OverrideField {
    Plan,
    SupportTier,
}

impl OverrideField {
    /// The field's name in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            OverrideField::Plan => "plan",
            OverrideField::SupportTier => "support_tier",
        }
    }
}

/// What a difference would set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Plan(PlanId),
    SupportTier(Option<SupportTier>),
}

/// One field of one tenant where the registry and the overrides disagree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanDifference {
    pub tenant_id: TenantId,
    pub field: OverrideField,
    /// The registry's value now.
    pub registry_value: String,
    /// The value the overrides ask for.
    pub override_value: String,
    #[serde(skip)]
    target: Target,
}

/// A tenant named by an override list but not registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnknownTenant {
    pub tenant_id: TenantId,
    pub field: OverrideField,
    /// The value listed for it.
    pub override_value: String,
}

/// Everything that differs between the overrides and the registry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Reconciliation {
    /// By tenant id, the plan before the support tier.
    pub differences: Vec<PlanDifference>,
    /// In the order listed, plans first.
    pub unknown_tenants: Vec<UnknownTenant>,
}

/// A difference made good.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppliedChange {
    #[serde(flatten)]
    pub difference: PlanDifference,
    pub changed_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub changed_at: OffsetDateTime,
}

/// A support tier as the registry holds it: the override, or the plan's tier.
fn support_value(tier: Option<SupportTier>, plan: PlanId) -> String {
    match tier {
        Some(t) => t.as_str().to_owned(),
        None => format!("{} (plan default)", plan.plan().support_tier),
    }
}

/// Compare the overrides with the registered tenants (pure: no I/O).
pub fn differences(tenants: &[Tenant], plans: &PlanOverrides, support: &SupportOverrides) -> Reconciliation {
    let mut out = Reconciliation::default();
    for t in tenants {
        let wanted_plan = plans.get(&t.tenant_id);
        if let Some(plan) = wanted_plan.filter(|p| *p != t.plan_id) {
            out.differences.push(PlanDifference {
                tenant_id: t.tenant_id.clone(),
                field: OverrideField::Plan,
                registry_value: t.plan_id.to_string(),
                override_value: plan.to_string(),
                target: Target::Plan(plan),
            });
        }
        let wanted_tier = support.get(&t.tenant_id);
        if wanted_tier != t.support_tier_override {
            out.differences.push(PlanDifference {
                tenant_id: t.tenant_id.clone(),
                field: OverrideField::SupportTier,
                registry_value: support_value(t.support_tier_override, t.plan_id),
                override_value: support_value(wanted_tier, wanted_plan.unwrap_or(t.plan_id)),
                target: Target::SupportTier(wanted_tier),
            });
        }
    }
    let registered = |id: &TenantId| tenants.iter().any(|t| t.tenant_id == *id);
    for (id, plan) in plans.entries().iter().filter(|(id, _)| !registered(id)) {
        out.unknown_tenants.push(UnknownTenant {
            tenant_id: id.clone(),
            field: OverrideField::Plan,
            override_value: plan.to_string(),
        });
    }
    for (id, tier) in support.entries().iter().filter(|(id, _)| !registered(id)) {
        out.unknown_tenants.push(UnknownTenant {
            tenant_id: id.clone(),
            field: OverrideField::SupportTier,
            override_value: tier.to_string(),
        });
    }
    out
}

impl Ledger {
    /// What differs between the overrides and the registry now.
    pub async fn reconcile_plans(
        &self,
        plans: &PlanOverrides,
        support: &SupportOverrides,
    ) -> Result<Reconciliation, LedgerError> {
        Ok(differences(&self.tenants().await?, plans, support))
    }

    /// Make the registry match the overrides: each difference becomes a plan or support-tier
    /// change recorded with `changed_by` and the time. Returns the changes made, in order.
    pub async fn apply_reconciliation(
        &self,
        reconciliation: &Reconciliation,
        changed_by: &str,
    ) -> Result<Vec<AppliedChange>, LedgerError> {
        // One instant for the run, as stored (milliseconds), so the report and the histories
        // agree.
        let at = from_millis(millis(OffsetDateTime::now_utc()))?;
        let mut applied = Vec::with_capacity(reconciliation.differences.len());
        for d in &reconciliation.differences {
            match d.target {
                Target::Plan(plan) => self.set_plan_at(&d.tenant_id, plan, changed_by, at).await?,
                Target::SupportTier(tier) => self.set_support_tier_at(&d.tenant_id, tier, changed_by, at).await?,
            };
            applied.push(AppliedChange { difference: d.clone(), changed_by: changed_by.to_owned(), changed_at: at });
        }
        Ok(applied)
    }
}
