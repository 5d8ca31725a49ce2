//! The ledger suite, run against SQLite and against a real PostgreSQL server.

#[macro_use]
mod common;

use std::collections::HashSet;

use docket_billing::{AlertLevel, BillingPeriod, PlanId, QuotaDimension, TenantId};
use docket_ledger::{EventKind, Ledger, LedgerError, OnboardingOutcome, UsageEvent, UsageFile, UsageQuery};
use serde_json::json;
use time::OffsetDateTime;
use time::macros::datetime;

fn tenant(s: &str) -> TenantId {
    TenantId::parse(s).expect("valid tenant id")
}

fn event(t: &TenantId, kind: EventKind, units: u64, subject: &str) -> UsageEvent {
    let mut e = UsageEvent::now(t.clone(), kind, units);
    e.subject = Some(subject.to_owned());
    e
}

async fn counts_once_and_aggregates(ledger: Ledger) {
    let t = tenant("hale-ward");
    ledger.create_tenant(&t, "Hale & Ward LLP", PlanId::Professional).await.unwrap();
    let mut ingest = event(&t, EventKind::Ingestion, 3, "ana");
    ingest.bytes = 1_500_000_000;
    let events = vec![
        event(&t, EventKind::Query, 1, "ana"),
        event(&t, EventKind::Query, 1, "ben"),
        event(&t, EventKind::Timeline, 1, "ana"),
        event(&t, EventKind::Agent, 1, "ben"),
        ingest,
    ];
    let first = ledger.record(events.clone()).await.unwrap();
    assert_eq!((first.recorded, first.duplicates), (5, 0));
    // A retry of the same events, and a batch repeating an id inside itself, add nothing.
    let again = ledger.record(events.clone()).await.unwrap();
    assert_eq!((again.recorded, again.duplicates), (0, 5));
    let repeated = event(&t, EventKind::Query, 1, "cara");
    let twice = ledger.record(vec![repeated.clone(), repeated]).await.unwrap();
    assert_eq!((twice.recorded, twice.duplicates), (1, 1));

    let now = OffsetDateTime::now_utc();
    let period = BillingPeriod::containing(now);
    let snaps = ledger.snapshots(period, now, Some(&t)).await.unwrap();
    let s = &snaps[0];
    assert_eq!(s.queries, 3);
    assert_eq!(s.ingest_bytes, 1_500_000_000);
    assert_eq!(s.ingest_gb, 1.5);
    assert_eq!(s.timeline_requests, 1);
    assert_eq!(s.agent_runs, 1);
    assert_eq!(s.active_seats, 3);
    assert_eq!(s.plan_id, PlanId::Professional);
    assert_eq!(s.support_sla_hours, 12);
    assert!(s.last_event_at.is_some());
    assert_eq!(ledger.event_count(&t).await.unwrap(), 6);

    let daily = ledger.daily(&t, period).await.unwrap();
    assert_eq!(daily.len(), usize::from(period.days()));
    assert_eq!(daily.iter().map(|d| d.queries).sum::<u64>(), 3);
}

async fn past_events_land_in_their_own_period(ledger: Ledger) {
    let t = tenant("past-co");
    ledger.create_tenant(&t, "Past Co", PlanId::Community).await.unwrap();
    let mut old = event(&t, EventKind::Query, 7, "ana");
    old.occurred_at = datetime!(2024-02-29 23:59:59 UTC);
    ledger.record(vec![old]).await.unwrap();
    let feb: BillingPeriod = "2024-02".parse().unwrap();
    let now = OffsetDateTime::now_utc();
    let past = ledger.snapshots(feb, now, Some(&t)).await.unwrap();
    assert_eq!(past[0].queries, 7);
    let current = ledger.snapshots(BillingPeriod::containing(now), now, Some(&t)).await.unwrap();
    assert_eq!(current[0].queries, 0, "usage resets each period");
    let daily = ledger.daily(&t, feb).await.unwrap();
    assert_eq!(daily.len(), 29);
    assert_eq!(daily[28].queries, 7);
}

async fn concurrent_writers_count_exactly(ledger: Ledger) {
    let t = tenant("busy-firm");
    ledger.create_tenant(&t, "Busy Firm", PlanId::Enterprise).await.unwrap();
    let batches: Vec<Vec<UsageEvent>> =
        (0..50).map(|c| (0..200).map(|_| event(&t, EventKind::Query, 1, &format!("user-{c}"))).collect()).collect();
    let run = |batches: Vec<Vec<UsageEvent>>| {
        let ledger = ledger.clone();
        async move {
            let mut handles = Vec::new();
            for events in batches {
                let ledger = ledger.clone();
                handles.push(tokio::spawn(async move {
                    let mut recorded = 0;
                    for e in events {
                        recorded += ledger.record(vec![e]).await.unwrap().recorded;
                    }
                    recorded
                }));
            }
            let mut total = 0;
            for h in handles {
                total += h.await.unwrap();
            }
            total
        }
    };
    assert_eq!(run(batches.clone()).await, 10_000);
    assert_eq!(run(batches).await, 0, "the same events sent again add nothing");
    let now = OffsetDateTime::now_utc();
    let s = &ledger.snapshots(BillingPeriod::containing(now), now, Some(&t)).await.unwrap()[0];
    assert_eq!(s.queries, 10_000);
    assert_eq!(s.active_seats, 50);
    assert_eq!(ledger.event_count(&t).await.unwrap(), 10_000);
}

async fn alerts_fire_once_per_threshold_and_dimension(ledger: Ledger) {
    let t = tenant("small-shop");
    ledger.create_tenant(&t, "Small Shop", PlanId::Community).await.unwrap();
    let mut rx = ledger.subscribe();
    // 399 of 500 queries: below 80 %.
    ledger.record(vec![event(&t, EventKind::Query, 399, "ana")]).await.unwrap();
    let period = BillingPeriod::containing(OffsetDateTime::now_utc());
    assert!(ledger.alerts(period, Some(&t)).await.unwrap().is_empty());
    ledger.record(vec![event(&t, EventKind::Query, 1, "ana")]).await.unwrap();
    let alerts = ledger.alerts(period, Some(&t)).await.unwrap();
    assert_eq!(alerts.len(), 1);
    assert_eq!((alerts[0].dimension, alerts[0].level), (QuotaDimension::Queries, AlertLevel::Soft));
    for _ in 0..3 {
        ledger.record(vec![event(&t, EventKind::Query, 100, "ana")]).await.unwrap();
    }
    let alerts = ledger.alerts(period, Some(&t)).await.unwrap();
    let kinds: Vec<_> = alerts.iter().map(|a| (a.dimension, a.level)).collect();
    assert_eq!(kinds, vec![(QuotaDimension::Queries, AlertLevel::Soft), (QuotaDimension::Queries, AlertLevel::Hard)]);
    // Subscribers heard of each alert exactly once.
    let mut heard = Vec::new();
    while let Ok(c) = rx.try_recv() {
        heard.extend(c.alerts.into_iter().map(|a| (a.dimension, a.level)));
    }
    assert_eq!(heard, kinds);
    // Seats: "ana" and 3 more are 4 of 5 seats, 80 %.
    let people: Vec<_> = ["b", "c", "d"].iter().map(|p| event(&t, EventKind::Timeline, 1, p)).collect();
    ledger.record(people).await.unwrap();
    let seats: Vec<_> = ledger
        .alerts(period, Some(&t))
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.dimension == QuotaDimension::Seats)
        .collect();
    assert_eq!(seats.len(), 1);
}

async fn a_smaller_plan_fires_the_alerts_its_usage_already_crossed(ledger: Ledger) {
    let t = tenant("shrinking-co");
    ledger.create_tenant(&t, "Shrinking Co", PlanId::Professional).await.unwrap();
    ledger.record(vec![event(&t, EventKind::Query, 490, "ana")]).await.unwrap();
    let period = BillingPeriod::containing(OffsetDateTime::now_utc());
    assert!(ledger.alerts(period, Some(&t)).await.unwrap().is_empty(), "490 of 5,000");
    ledger.set_plan(&t, PlanId::Community, "test-operator").await.unwrap();
    ledger.record(vec![event(&t, EventKind::Query, 1, "ana")]).await.unwrap();
    let mut levels: Vec<_> = ledger.alerts(period, Some(&t)).await.unwrap().into_iter().map(|a| a.level).collect();
    levels.sort();
    assert_eq!(levels, vec![AlertLevel::Soft, AlertLevel::Hard], "491 of 500 crosses both");
}

async fn onboarding_is_idempotent_by_key(ledger: Ledger) {
    let t = tenant("new-client");
    let intake = json!({"organization": "New Client LLP", "seats": 10});
    let answer = json!({"tenant_id": "new-client", "recommended_plan": "professional"});
    let first =
        ledger.onboard(&t, "New Client LLP", PlanId::Professional, &intake, &answer, Some("key-1")).await.unwrap();
    assert_eq!(first, OnboardingOutcome::Created);
    let replay =
        ledger.onboard(&t, "New Client LLP", PlanId::Professional, &intake, &json!({}), Some("key-1")).await.unwrap();
    assert_eq!(replay, OnboardingOutcome::Replayed(answer));
    let other = ledger.onboard(&t, "New Client LLP", PlanId::Professional, &intake, &json!({}), Some("key-2")).await;
    assert!(matches!(other, Err(LedgerError::TenantExists(_))));
    let no_key = ledger.onboard(&t, "New Client LLP", PlanId::Professional, &intake, &json!({}), None).await;
    assert!(matches!(no_key, Err(LedgerError::TenantExists(_))));
    let now = OffsetDateTime::now_utc();
    let s = &ledger.snapshots(BillingPeriod::containing(now), now, Some(&t)).await.unwrap()[0];
    assert_eq!(s.onboarding.as_ref().unwrap()["seats"], 10);
}

async fn registry_operations(ledger: Ledger) {
    let a = tenant("alpha");
    let b = tenant("beta");
    ledger.create_tenant(&a, "Alpha", PlanId::Community).await.unwrap();
    ledger.create_tenant(&b, "Beta", PlanId::Enterprise).await.unwrap();
    assert!(matches!(ledger.create_tenant(&a, "Alpha", PlanId::Community).await, Err(LedgerError::TenantExists(_))));
    let moved = ledger.set_plan(&a, PlanId::Professional, "test-operator").await.unwrap();
    assert_eq!(moved.plan_id, PlanId::Professional);
    assert!(matches!(
        ledger.set_plan(&tenant("nobody"), PlanId::Community, "test-operator").await,
        Err(LedgerError::TenantNotFound(_))
    ));
    let ids: Vec<_> = ledger.tenants().await.unwrap().into_iter().map(|t| t.tenant_id.to_string()).collect();
    assert_eq!(ids, vec!["alpha", "beta"]);
    assert!(ledger.tenant(&tenant("nobody")).await.unwrap().is_none());
    // Registration is remembered once seen, an unknown id is asked again each time.
    let g = tenant("gamma");
    assert!(ledger.is_registered(&a).await.unwrap());
    assert!(ledger.is_registered(&a).await.unwrap());
    assert!(!ledger.is_registered(&g).await.unwrap());
    ledger.create_tenant(&g, "Gamma", PlanId::Community).await.unwrap();
    assert!(ledger.is_registered(&g).await.unwrap());
}

async fn usage_file_round_trips_and_survives_corruption(ledger: Ledger) {
    let dir = tempfile::tempdir().unwrap();
    let file = UsageFile::new(dir.path().join("billing/usage.json"));
    let t = tenant("file-co");
    ledger.create_tenant(&t, "File Co", PlanId::Community).await.unwrap();
    ledger.record(vec![event(&t, EventKind::Query, 2, "ana")]).await.unwrap();
    assert_eq!(file.set_aside_if_corrupt().unwrap(), None);
    file.write(&ledger).await.unwrap();
    let read = file.read().unwrap();
    assert_eq!(read.schema_version, 2);
    assert_eq!(read.tenants[0].queries, 2);
    std::fs::write(file.path(), b"{\"schema_version\": 1, \"tena").unwrap();
    let aside = file.set_aside_if_corrupt().unwrap().expect("corrupt file kept aside");
    assert!(aside.exists());
    assert_eq!(std::fs::read(&aside).unwrap(), b"{\"schema_version\": 1, \"tena");
    assert!(!file.path().exists());
    file.write(&ledger).await.unwrap();
    assert_eq!(file.read().unwrap().tenants.len(), 1);
    // A file of the first layout (`query_count`) is read, not set aside, and then replaced.
    let mut first: serde_json::Value = serde_json::from_slice(&std::fs::read(file.path()).unwrap()).unwrap();
    first["schema_version"] = 1.into();
    let count = first["tenants"][0].as_object_mut().unwrap().remove("queries").unwrap();
    first["tenants"][0]["query_count"] = count;
    std::fs::write(file.path(), serde_json::to_vec(&first).unwrap()).unwrap();
    assert_eq!(file.read().unwrap().tenants[0].queries, 2);
    assert_eq!(file.set_aside_if_corrupt().unwrap(), None);
    file.write(&ledger).await.unwrap();
    let rewritten: serde_json::Value = serde_json::from_slice(&std::fs::read(file.path()).unwrap()).unwrap();
    assert_eq!((&rewritten["schema_version"], &rewritten["tenants"][0]["queries"]), (&2.into(), &2.into()));
    assert!(rewritten["tenants"][0].get("query_count").is_none(), "{rewritten}");
    let leftovers: HashSet<_> =
        std::fs::read_dir(dir.path().join("billing")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 2, "no temporary files left behind: {leftovers:?}");
}

async fn event_ids_are_unique_per_tenant(ledger: Ledger) {
    let (a, b) = (tenant("ids-a"), tenant("ids-b"));
    ledger.create_tenant(&a, "A", PlanId::Community).await.unwrap();
    ledger.create_tenant(&b, "B", PlanId::Community).await.unwrap();
    let mut ea = event(&a, EventKind::Signup, 1, "ana");
    ea.event_id = "signup:acme".into();
    let mut eb = ea.clone();
    eb.tenant_id = b.clone();
    let first = ledger.record(vec![ea.clone()]).await.unwrap();
    assert_eq!((first.recorded, first.duplicates), (1, 0));
    // The same id in another tenant is another event, even in the same request.
    let other = ledger.record(vec![eb.clone(), ea.clone()]).await.unwrap();
    assert_eq!((other.recorded, other.duplicates), (1, 1));
    assert!(ledger.has_event(&b, "signup:acme").await.unwrap());
    assert!(!ledger.has_event(&tenant("ids-c"), "signup:acme").await.unwrap());
    assert_eq!(ledger.event_count(&a).await.unwrap(), 1);
    assert_eq!(ledger.event_count(&b).await.unwrap(), 1);
}

async fn a_request_past_a_bound_fails_alone(ledger: Ledger) {
    use docket_ledger::{MAX_BYTES_PER_EVENT, MAX_BYTES_PER_PERIOD};
    let (big, other) = (tenant("big-co"), tenant("other-co"));
    ledger.create_tenant(&big, "Big", PlanId::Enterprise).await.unwrap();
    ledger.create_tenant(&other, "Other", PlanId::Enterprise).await.unwrap();
    let ingest = |t: &TenantId, bytes: u64| {
        let mut e = event(t, EventKind::Ingestion, 1, "ana");
        e.bytes = bytes;
        e
    };
    // Fill big-co's period to exactly its bound.
    let full: Vec<_> =
        (0..MAX_BYTES_PER_PERIOD / MAX_BYTES_PER_EVENT).map(|_| ingest(&big, MAX_BYTES_PER_EVENT)).collect();
    ledger.record(full).await.unwrap();
    let query = event(&big, EventKind::Query, 1, "ana");
    // Past an event's bound (a u64 that would wrap the BIGINT), past the period's bound, and
    // a good request from another tenant, all in flight at once: only the bad ones fail.
    let mut wrap = event(&big, EventKind::Query, 1, "ana");
    wrap.units = u64::MAX;
    let (wrapped, overflow, good) = tokio::join!(
        ledger.record(vec![query.clone(), wrap]),
        ledger.record(vec![ingest(&big, 1)]),
        ledger.record(vec![event(&other, EventKind::Query, 1, "ben")]),
    );
    match wrapped {
        Err(LedgerError::InvalidEvent { index: 1, field: "units", .. }) => {}
        other => panic!("expected event 1's units refused, got {other:?}"),
    }
    match overflow {
        Err(LedgerError::InvalidEvent { index: 0, field: "bytes", message }) => {
            assert!(message.contains("big-co"), "{message}")
        }
        other => panic!("expected the period bound to refuse the event, got {other:?}"),
    }
    assert_eq!(good.unwrap().recorded, 1);
    let now = OffsetDateTime::now_utc();
    let period = BillingPeriod::containing(now);
    let snap = ledger.snapshots(period, now, Some(&big)).await.unwrap().remove(0);
    assert_eq!(snap.ingest_bytes, MAX_BYTES_PER_PERIOD);
    assert_eq!(snap.queries, 0, "nothing of a refused request is recorded");
    // The tenant still works below its bounds.
    assert_eq!(ledger.record(vec![query]).await.unwrap().recorded, 1);
}

async fn a_closed_period_keeps_the_plan_it_had(ledger: Ledger) {
    let t = tenant("plan-change");
    ledger.create_tenant(&t, "Plan Change LLP", PlanId::Professional).await.unwrap();
    let now = OffsetDateTime::now_utc();
    let current = BillingPeriod::containing(now);
    let closed = current.previous();
    let mut old = event(&t, EventKind::Query, 10, "ana");
    old.occurred_at = closed.start() + time::Duration::days(3);
    ledger.record(vec![old]).await.unwrap();
    let before = ledger.snapshots(closed, now, Some(&t)).await.unwrap().remove(0);
    ledger.set_plan(&t, PlanId::Enterprise, "test-operator").await.unwrap();
    let later = OffsetDateTime::now_utc();
    let after = ledger.snapshots(closed, later, Some(&t)).await.unwrap().remove(0);
    assert_eq!(after.plan_id, PlanId::Professional);
    assert_eq!(after.assessment.cost_to_date_usd, before.assessment.cost_to_date_usd);
    // The current period is priced with the plan in force now.
    let this_month = ledger.snapshots(current, later, Some(&t)).await.unwrap().remove(0);
    assert_eq!(this_month.plan_id, PlanId::Enterprise);
}

/// The in-memory usage view answers what the database holds, after every kind of write:
/// events (in the current and the previous period), a new tenant, a plan change; more than
/// one statement's worth of tenants changing at once.
async fn the_usage_view_follows_every_write(ledger: Ledger) {
    let now = OffsetDateTime::now_utc();
    let current = BillingPeriod::containing(now);
    let ids: Vec<TenantId> = (0..510).map(|i| tenant(&format!("view-{i:03}"))).collect();
    for (i, t) in ids.iter().enumerate() {
        let plan = [PlanId::Community, PlanId::Professional, PlanId::Enterprise][i % 3];
        ledger.create_tenant(t, &format!("View Firm {i:03}"), plan).await.unwrap();
    }
    let all = UsageQuery::default();
    let first = ledger.usage_page(current, &all).await.unwrap();
    assert_eq!(first.matching, 510);
    assert!(first.tenants.iter().all(|t| t.queries == 0));

    // Every tenant changes in one commit: the view reads them again in several statements.
    let events: Vec<UsageEvent> =
        ids.iter().enumerate().map(|(i, t)| event(t, EventKind::Query, (i as u64 * 7) % 900 + 1, "ana")).collect();
    ledger.record(events).await.unwrap();
    let late = tenant("view-late");
    ledger.create_tenant(&late, "Late Arrival LLP", PlanId::Community).await.unwrap();
    ledger.set_plan(&ids[0], PlanId::Enterprise, "test-operator").await.unwrap();
    let page = ledger.usage_page(current, &all).await.unwrap();
    let truth = ledger.snapshots(current, OffsetDateTime::now_utc(), None).await.unwrap();
    let key = |s: &docket_ledger::TenantSnapshot| (s.tenant_id.clone(), s.plan_id, s.queries, s.assessment.alert_level);
    assert_eq!(page.tenants.iter().map(key).collect::<Vec<_>>(), truth.iter().map(key).collect::<Vec<_>>());
    assert_eq!(page.alerts, ledger.alerts(current, None).await.unwrap());
    assert_eq!(page.tenants[0].plan_id, PlanId::Enterprise);
    assert_eq!(page.summary.tenants, 511);

    // Pages of 37 by usage ratio, descending, cover everyone once, in order.
    let mut query = UsageQuery { order: "-usage_ratio".parse().unwrap(), limit: Some(37), ..UsageQuery::default() };
    let mut seen = Vec::new();
    loop {
        let page = ledger.usage_page(current, &query).await.unwrap();
        seen.extend(page.tenants.iter().map(|t| (t.assessment.usage_ratio, t.tenant_id.clone())));
        match page.next_cursor {
            Some(c) => query.after = Some(c),
            None => break,
        }
    }
    assert_eq!(seen.iter().map(|(_, t)| t.clone()).collect::<HashSet<_>>().len(), 511);
    assert_eq!(seen.len(), 511);
    assert!(seen.windows(2).all(|w| w[0].0 >= w[1].0), "descending usage ratio");

    // The previous period, read once, follows a late event of its own.
    let previous = current.previous();
    let one = UsageQuery { tenant: Some(ids[1].clone()), ..UsageQuery::default() };
    let before = ledger.usage_page(previous, &one).await.unwrap();
    let mut old = event(&ids[1], EventKind::Query, 42, "ana");
    old.occurred_at = previous.start() + time::Duration::days(3);
    ledger.record(vec![old]).await.unwrap();
    let after = ledger.usage_page(previous, &one).await.unwrap();
    assert_eq!(after.tenants[0].queries, before.tenants[0].queries + 42);
}

suite!(
    counts_once_and_aggregates,
    past_events_land_in_their_own_period,
    concurrent_writers_count_exactly,
    alerts_fire_once_per_threshold_and_dimension,
    a_smaller_plan_fires_the_alerts_its_usage_already_crossed,
    onboarding_is_idempotent_by_key,
    registry_operations,
    usage_file_round_trips_and_survives_corruption,
    event_ids_are_unique_per_tenant,
    a_request_past_a_bound_fails_alone,
    a_closed_period_keeps_the_plan_it_had,
    the_usage_view_follows_every_write,
);
