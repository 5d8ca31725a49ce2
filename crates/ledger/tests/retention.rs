//! Monthly retention on both engines: raw events and personal data older than the retention go,
//! every month's totals and cost stay, each run is recorded, and an event older than the purge
//! is refused rather than counted again.

#[macro_use]
mod common;

use docket_billing::{BillingPeriod, PlanId, TenantId};
use docket_ledger::{EventKind, Ledger, LedgerError, REDACTED, TenantSnapshot, UsageEvent};
use serde_json::json;
use time::{Duration, OffsetDateTime};

fn tenant(s: &str) -> TenantId {
    TenantId::parse(s).expect("valid tenant id")
}

fn event(t: &TenantId, id: &str, kind: EventKind, units: u64, at: OffsetDateTime) -> UsageEvent {
    let mut e = UsageEvent::now(t.clone(), kind, units);
    e.event_id = id.to_owned();
    e.subject = Some(format!("{id}@firm.example"));
    e.occurred_at = at;
    if kind == EventKind::Ingestion {
        e.bytes = 700_000_000 * units;
    }
    e
}

/// Every tenant's snapshot of each period, without the intake (which retention redacts).
async fn months(ledger: &Ledger, periods: &[BillingPeriod], at: OffsetDateTime) -> Vec<TenantSnapshot> {
    let mut out = Vec::new();
    for p in periods {
        for mut s in ledger.snapshots(*p, at, None).await.unwrap() {
            s.onboarding = None;
            out.push(s);
        }
    }
    out
}

async fn retention_purges_old_raw_events_and_keeps_every_months_totals(ledger: Ledger) {
    let (hale, lowe) = (tenant("hale-ward"), tenant("lowe-partners"));
    let intake = json!({
        "organization": "Hale & Ward LLP", "tenant_id": "hale-ward", "contact_name": "Ana Ruiz",
        "contact_email": "ana@hale.example", "primary_use_case": "privilege review of a merger",
        "departments": ["Litigation"], "success_criteria": ["review in half the time"],
        "go_live_date": "2026-01-15", "notes": "call after 5", "sizing": {"seats": 5}
    });
    ledger.onboard(&hale, "Hale & Ward LLP", PlanId::Professional, &intake, &json!({}), None).await.unwrap();
    ledger.create_tenant(&lowe, "Lowe Partners", PlanId::Community).await.unwrap();

    let now = OffsetDateTime::now_utc();
    let current = BillingPeriod::containing(now);
    let periods = [current.previous().previous(), current.previous(), current, current.next()];
    let mut events = Vec::new();
    for (i, p) in periods.iter().enumerate() {
        let at = p.start() + Duration::days(2) + Duration::hours(i as i64);
        events.push(event(&hale, &format!("q-{i}"), EventKind::Query, 40 + i as u64, at));
        events.push(event(&hale, &format!("i-{i}"), EventKind::Ingestion, 3, at + Duration::hours(1)));
        events.push(event(&lowe, &format!("q-{i}"), EventKind::Query, 600, at));
        events.push(event(&lowe, &format!("t-{i}"), EventKind::Timeline, 2, at + Duration::days(1)));
    }
    ledger.record(events.clone()).await.unwrap();

    // A retention run 13 months from now, keeping 12: every period up to the current one is
    // older than the retention, the next one (events stamped ahead) is kept.
    let run_at = (0..13).fold(current, |p, _| p.next()).start() + Duration::days(1);
    let judged = periods[3].end() + Duration::days(40);
    let before = months(&ledger, &periods, judged).await;
    let daily_before: Vec<_> =
        [&hale, &lowe].iter().flat_map(|t| periods.iter().map(move |p| ((*t).clone(), *p))).collect();
    let mut days_before = Vec::new();
    for (t, p) in &daily_before {
        days_before.push(ledger.daily(t, *p).await.unwrap());
    }

    let audit = ledger.retention_audit(12, run_at).await.unwrap();
    assert_eq!(audit.cutoff_period, periods[3]);
    let listed: Vec<_> = audit.usage_events.iter().map(|e| (e.tenant_id.as_str(), e.period, e.events)).collect();
    let expected: Vec<_> =
        ["hale-ward", "lowe-partners"].into_iter().flat_map(|t| periods[..3].iter().map(move |p| (t, *p, 2))).collect();
    assert_eq!(listed, expected);
    assert_eq!(audit.seat_subjects, 12, "two subjects per tenant and period");
    assert_eq!(audit.onboarding.len(), 1);
    assert_eq!(audit.onboarding[0].fields.len(), 5);
    assert_eq!(audit.support_ticket_bodies, 0);
    assert_eq!(ledger.event_count(&hale).await.unwrap(), 8, "an audit changes nothing");

    let run = ledger.apply_retention(12, run_at, "dana").await.unwrap();
    assert_eq!((run.events_purged, run.seat_subjects_purged, run.intakes_redacted), (12, 12, 1));
    assert_eq!((run.ran_by.as_str(), run.cutoff_period, run.ticket_bodies_redacted), ("dana", periods[3], 0));
    assert_eq!(ledger.retention_runs().await.unwrap(), std::slice::from_ref(&run));

    // Every month's totals and cost, and every day, as before.
    assert_eq!(months(&ledger, &periods, judged).await, before);
    for ((t, p), days) in daily_before.iter().zip(&days_before) {
        assert_eq!(&ledger.daily(t, *p).await.unwrap(), days, "{t} {p}");
    }
    assert_eq!(ledger.event_count(&hale).await.unwrap(), 2, "only the kept period's raw events remain");
    let snap = ledger.snapshots(current, now, Some(&hale)).await.unwrap().remove(0);
    let kept = snap.onboarding.expect("intake kept");
    assert_eq!(
        (kept["contact_email"].as_str(), kept["organization"].as_str()),
        (Some(REDACTED), Some("Hale & Ward LLP"))
    );
    assert_eq!(
        (&kept["notes"], &kept["success_criteria"], &kept["departments"]),
        (&json!(null), &json!([]), &json!(["Litigation"]))
    );

    // A retry of a purged event is refused, not counted again; a kept one is a duplicate.
    let retry = ledger.record(vec![events[4].clone()]).await;
    assert!(matches!(retry, Err(LedgerError::InvalidEvent { field: "occurred_at", .. })), "{retry:?}");
    assert_eq!(months(&ledger, &periods, judged).await, before);
    let kept_retry = ledger.record(vec![events[12].clone()]).await.unwrap();
    assert_eq!((kept_retry.recorded, kept_retry.duplicates), (0, 1));

    // A second run finds nothing left to do, and is recorded too.
    let again = ledger.retention_audit(12, run_at).await.unwrap();
    assert!(again.usage_events.is_empty() && again.onboarding.is_empty() && again.seat_subjects == 0, "{again:?}");
    let second = ledger.apply_retention(12, run_at, "dana").await.unwrap();
    assert_eq!((second.events_purged, second.seat_subjects_purged, second.intakes_redacted), (0, 0, 0));
    assert_eq!(ledger.retention_runs().await.unwrap().len(), 2);
}

suite!(retention_purges_old_raw_events_and_keeps_every_months_totals);

/// A read-only ledger (what `docket audit retention` looks through) reads and refuses writes.
async fn a_read_only_ledger_reads_and_refuses_writes(url: String) {
    let writable = docket_ledger::Ledger::open(&docket_ledger::LedgerOptions { url: url.clone(), max_connections: 2 })
        .await
        .unwrap();
    let t = tenant("hale-ward");
    writable.create_tenant(&t, "Hale & Ward LLP", PlanId::Community).await.unwrap();
    writable.close().await;
    let options = docket_ledger::LedgerOptions { url, max_connections: 2 };
    let ledger = Ledger::open_read_only(&options).await.unwrap();
    assert_eq!(ledger.tenants().await.unwrap().len(), 1);
    assert!(ledger.retention_audit(1, OffsetDateTime::now_utc()).await.unwrap().usage_events.is_empty());
    assert!(ledger.create_tenant(&tenant("lowe-partners"), "Lowe", PlanId::Community).await.is_err());
    assert!(ledger.apply_retention(1, OffsetDateTime::now_utc(), "dana").await.is_err());
    assert!(matches!(
        ledger.record(vec![UsageEvent::now(t, EventKind::Query, 1)]).await,
        Err(LedgerError::WriterStopped)
    ));
    ledger.close().await;
}

#[tokio::test]
async fn sqlite_read_only() {
    let dir = tempfile::tempdir().unwrap();
    a_read_only_ledger_reads_and_refuses_writes(format!("sqlite://{}", dir.path().join("l.sqlite3").display())).await;
}

#[tokio::test]
async fn postgres_read_only() {
    if let Some(url) = common::postgres_database().await {
        a_read_only_ledger_reads_and_refuses_writes(url).await;
    }
}
