//! Support tiers apart from the plan's, who changed a plan or a tier and when, and the
//! reconciliation of the operator's override lists with the registry; on both engines.

#[macro_use]
mod common;

use docket_billing::{BillingPeriod, PlanId, PlanOverrides, SupportOverrides, SupportTier, TenantId};
use docket_ledger::{EventKind, Ledger, OverrideField, UsageEvent, UsageQuery};
use time::OffsetDateTime;

fn tenant(s: &str) -> TenantId {
    TenantId::parse(s).expect("valid tenant id")
}

async fn a_support_tier_override_changes_the_sla_from_now_on(ledger: Ledger) {
    let t = tenant("hale-ward");
    ledger.create_tenant(&t, "Hale & Ward LLP", PlanId::Professional).await.unwrap();
    let now = OffsetDateTime::now_utc();
    let current = BillingPeriod::containing(now);
    let closed = current.previous();
    let mut old = UsageEvent::now(t.clone(), EventKind::Query, 3);
    old.occurred_at = closed.start() + time::Duration::days(2);
    ledger.record(vec![old]).await.unwrap();
    // The view has read the tenant before the change: it must follow it.
    let before = ledger.usage_page(current, &UsageQuery::default()).await.unwrap();
    assert_eq!((before.tenants[0].support_tier, before.tenants[0].support_sla_hours), (SupportTier::Standard, 12));

    let started = OffsetDateTime::now_utc();
    let moved = ledger.set_support_tier(&t, Some(SupportTier::Premium), "dana").await.unwrap();
    assert_eq!((moved.support_tier, moved.support_tier_override), (SupportTier::Premium, Some(SupportTier::Premium)));
    assert_eq!(moved.plan_id, PlanId::Professional, "the plan stays");
    let later = OffsetDateTime::now_utc();
    let snap = ledger.snapshots(current, later, Some(&t)).await.unwrap().remove(0);
    assert_eq!((snap.support_tier, snap.support_sla_hours), (SupportTier::Premium, 2));
    let page = ledger.usage_page(current, &UsageQuery::default()).await.unwrap();
    assert_eq!((page.tenants[0].support_tier, page.tenants[0].support_sla_hours), (SupportTier::Premium, 2));
    // A closed period keeps the tier it had.
    let past = ledger.snapshots(closed, later, Some(&t)).await.unwrap().remove(0);
    assert_eq!((past.support_tier, past.support_sla_hours, past.queries), (SupportTier::Standard, 12, 3));

    // A plan change keeps the override; clearing it gives the plan's tier again.
    let on_community = ledger.set_plan(&t, PlanId::Community, "erin").await.unwrap();
    assert_eq!(on_community.support_tier, SupportTier::Premium);
    let cleared = ledger.set_support_tier(&t, None, "frank").await.unwrap();
    assert_eq!((cleared.support_tier, cleared.support_tier_override), (SupportTier::Community, None));
    let snap = ledger.snapshots(current, OffsetDateTime::now_utc(), Some(&t)).await.unwrap().remove(0);
    assert_eq!(snap.support_sla_hours, 48);

    let history = ledger.support_tier_history(&t).await.unwrap();
    let who: Vec<_> = history.iter().map(|c| (c.support_tier, c.changed_by.as_str())).collect();
    assert_eq!(who, [(Some(SupportTier::Premium), "dana"), (None, "frank")]);
    let finished = OffsetDateTime::now_utc();
    for c in &history {
        assert!(c.effective_at >= started - time::Duration::milliseconds(1) && c.effective_at <= finished);
    }
    let plans = ledger.plan_history(&t).await.unwrap();
    let who: Vec<_> = plans.iter().map(|c| (c.plan_id, c.changed_by.as_deref())).collect();
    assert_eq!(who, [(PlanId::Professional, None), (PlanId::Community, Some("erin"))]);
    assert!(ledger.set_support_tier(&tenant("nobody"), None, "dana").await.is_err());
}

async fn reconciliation_reports_applies_and_then_finds_nothing(ledger: Ledger) {
    for (id, org, plan) in [
        ("acme", "Acme Legal", PlanId::Community),
        ("globex", "Globex Counsel", PlanId::Professional),
        ("initech", "Initech LLP", PlanId::Enterprise),
    ] {
        ledger.create_tenant(&tenant(id), org, plan).await.unwrap();
    }
    let plans = PlanOverrides::parse("acme:enterprise,globex:professional,ghost-co:community,initech:gold");
    let support = SupportOverrides::parse("globex:premium,phantom:standard");
    let found = ledger.reconcile_plans(&plans, &support).await.unwrap();
    let rows: Vec<_> = found
        .differences
        .iter()
        .map(|d| (d.tenant_id.as_str(), d.field, d.registry_value.as_str(), d.override_value.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            ("acme", OverrideField::Plan, "community", "enterprise"),
            ("globex", OverrideField::SupportTier, "standard (plan default)", "premium"),
        ]
    );
    let unknown: Vec<_> = found.unknown_tenants.iter().map(|u| (u.tenant_id.as_str(), u.field)).collect();
    assert_eq!(unknown, [("ghost-co", OverrideField::Plan), ("phantom", OverrideField::SupportTier)]);
    assert_eq!(plans.problems()[0].kind, "unknown_plan", "the unknown plan is the list's problem, not a change");

    // Reporting changed nothing.
    assert_eq!(ledger.tenant(&tenant("acme")).await.unwrap().unwrap().plan_id, PlanId::Community);
    let applied = ledger.apply_reconciliation(&found, "ops-oncall").await.unwrap();
    assert_eq!(applied.len(), 2);
    assert!(applied.iter().all(|a| a.changed_by == "ops-oncall"));
    let acme = ledger.tenant(&tenant("acme")).await.unwrap().unwrap();
    assert_eq!((acme.plan_id, acme.support_tier), (PlanId::Enterprise, SupportTier::Premium));
    let globex = ledger.tenant(&tenant("globex")).await.unwrap().unwrap();
    assert_eq!((globex.plan_id, globex.support_tier), (PlanId::Professional, SupportTier::Premium));
    let last = ledger.plan_history(&tenant("acme")).await.unwrap().pop().unwrap();
    assert_eq!((last.plan_id, last.changed_by.as_deref()), (PlanId::Enterprise, Some("ops-oncall")));
    assert_eq!(last.effective_at, applied[0].changed_at);
    let tier = ledger.support_tier_history(&tenant("globex")).await.unwrap().pop().unwrap();
    assert_eq!((tier.support_tier, tier.changed_by.as_str()), (Some(SupportTier::Premium), "ops-oncall"));

    // A second run finds nothing to change.
    let again = ledger.reconcile_plans(&plans, &support).await.unwrap();
    assert!(again.differences.is_empty(), "{:?}", again.differences);
    assert!(ledger.apply_reconciliation(&again, "ops-oncall").await.unwrap().is_empty());
    assert_eq!(ledger.plan_history(&tenant("acme")).await.unwrap().len(), 2);

    // Dropping globex from the support list takes its tier back to the plan's.
    let dropped = ledger.reconcile_plans(&plans, &SupportOverrides::parse("")).await.unwrap();
    let rows: Vec<_> = dropped
        .differences
        .iter()
        .map(|d| (d.tenant_id.as_str(), d.registry_value.as_str(), d.override_value.as_str()))
        .collect();
    assert_eq!(rows, [("globex", "premium", "standard (plan default)")]);
    ledger.apply_reconciliation(&dropped, "ops-oncall").await.unwrap();
    assert_eq!(ledger.tenant(&tenant("globex")).await.unwrap().unwrap().support_tier, SupportTier::Standard);
}

suite!(a_support_tier_override_changes_the_sla_from_now_on, reconciliation_reports_applies_and_then_finds_nothing);
