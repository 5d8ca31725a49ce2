//! Support tickets and the first-response SLA on SQLite and PostgreSQL, at the boundaries:
//! answered one second before, at and after the deadline, and never answered (the sweep run
//! with timestamps of our choosing).

#[macro_use]
mod common;

use docket_billing::{PlanId, SupportTier, TenantId};
use docket_ledger::{Ledger, LedgerError, NewTicket, Severity, SlaBreach, SupportTicket, sla_report};
use time::{Duration, OffsetDateTime};

fn tenant(s: &str) -> TenantId {
    TenantId::parse(s).expect("valid tenant id")
}

async fn open(ledger: &Ledger, t: &TenantId, subject: &str, at: OffsetDateTime) -> SupportTicket {
    let new = NewTicket { tenant: t, subject, body: "The export fails.", severity: Severity::High, opened_by: "ana" };
    ledger.open_ticket(new, at).await.unwrap()
}

/// Whole seconds: the ledger keeps milliseconds.
fn second(at: OffsetDateTime) -> OffsetDateTime {
    at.replace_nanosecond(0).unwrap()
}

async fn first_responses_at_the_deadline_boundaries(ledger: Ledger) {
    let t = tenant("hale-ward");
    // Professional: standard support, 12 hours.
    ledger.create_tenant(&t, "Hale & Ward", PlanId::Professional).await.unwrap();
    let opened = second(OffsetDateTime::now_utc()) - Duration::days(2);
    let early = open(&ledger, &t, "answered 1 s early", opened).await;
    assert_eq!((early.support_tier, early.sla_hours), (SupportTier::Standard, 12));
    assert_eq!(early.due_at, opened + Duration::hours(12));
    let on_time = open(&ledger, &t, "answered at the deadline", opened).await;
    let late = open(&ledger, &t, "answered 1 s late", opened).await;
    let due = early.due_at;

    let r = ledger
        .respond_to_ticket(&early.ticket_id, None, "sam", "Fixed.", due - Duration::SECOND)
        .await
        .unwrap()
        .unwrap();
    assert!(r.first);
    assert_eq!(r.breach, None);
    assert_eq!(r.ticket.first_response_at, Some(due - Duration::SECOND));
    assert_eq!(r.ticket.first_response_seconds(), Some(12.0 * 3600.0 - 1.0));
    let r = ledger.respond_to_ticket(&on_time.ticket_id, None, "sam", "Fixed.", due).await.unwrap().unwrap();
    assert_eq!((r.first, r.breach), (true, None), "at the deadline is on time");
    let r = ledger
        .respond_to_ticket(&late.ticket_id, None, "sam", "Sorry.", due + Duration::SECOND)
        .await
        .unwrap()
        .unwrap();
    assert!(r.first);
    assert_eq!(r.breach, Some(SlaBreach::Late));
    assert_eq!(r.ticket.breach, Some(SlaBreach::Late));
    assert_eq!(r.ticket.breach_recorded_at, Some(due + Duration::SECOND));

    // A second response is not a first one and records nothing.
    let again =
        ledger.respond_to_ticket(&late.ticket_id, None, "sam", "More.", due + Duration::HOUR).await.unwrap().unwrap();
    assert_eq!((again.first, again.breach), (false, None));
    assert_eq!(again.ticket.first_response_at, Some(due + Duration::SECOND));
    assert_eq!(again.ticket.responses.len(), 2);
    // The sweep finds nothing: every ticket is answered.
    assert!(ledger.sweep_sla_breaches(due + Duration::days(1)).await.unwrap().is_empty());
}

async fn an_unanswered_ticket_is_breached_by_the_sweep_once(ledger: Ledger) {
    let t = tenant("lowe-partners");
    // Community: 48 hours.
    ledger.create_tenant(&t, "Lowe Partners", PlanId::Community).await.unwrap();
    let opened = second(OffsetDateTime::now_utc()) - Duration::days(5);
    let ticket = open(&ledger, &t, "nobody answers", opened).await;
    assert_eq!(ticket.sla_hours, 48);
    let due = ticket.due_at;
    assert!(ledger.sweep_sla_breaches(due - Duration::SECOND).await.unwrap().is_empty());
    assert!(ledger.sweep_sla_breaches(due).await.unwrap().is_empty(), "not past the deadline yet");
    let swept = ledger.sweep_sla_breaches(due + Duration::SECOND).await.unwrap();
    assert_eq!(swept.len(), 1);
    assert_eq!(swept[0].breach, Some(SlaBreach::Unanswered));
    assert_eq!(swept[0].breach_recorded_at, Some(due + Duration::SECOND));
    assert!(ledger.sweep_sla_breaches(due + Duration::days(3)).await.unwrap().is_empty(), "recorded once");
    // The late answer is the first response, and the breach stays the one recorded.
    let r =
        ledger.respond_to_ticket(&ticket.ticket_id, None, "sam", "Here.", due + Duration::HOUR).await.unwrap().unwrap();
    assert_eq!((r.first, r.breach), (true, None));
    assert_eq!(r.ticket.breach, Some(SlaBreach::Unanswered));
}

async fn a_tenant_reaches_only_its_own_tickets(ledger: Ledger) {
    let (a, b) = (tenant("firm-a"), tenant("firm-b"));
    ledger.create_tenant(&a, "Firm A", PlanId::Enterprise).await.unwrap();
    ledger.create_tenant(&b, "Firm B", PlanId::Community).await.unwrap();
    let now = OffsetDateTime::now_utc();
    let ta = open(&ledger, &a, "A's problem", now).await;
    assert_eq!((ta.support_tier, ta.sla_hours), (SupportTier::Premium, 2));
    open(&ledger, &b, "B's problem", now).await;
    assert!(ledger.ticket(&ta.ticket_id, Some(&b)).await.unwrap().is_none());
    assert!(ledger.ticket(&ta.ticket_id, Some(&a)).await.unwrap().is_some());
    assert!(ledger.respond_to_ticket(&ta.ticket_id, Some(&b), "x", "y", now).await.unwrap().is_none());
    assert!(ledger.respond_to_ticket("no-such-ticket", None, "x", "y", now).await.unwrap().is_none());
    let only_b: Vec<_> = ledger.tickets(Some(&b), 100).await.unwrap().into_iter().map(|t| t.tenant_id).collect();
    assert_eq!(only_b, vec![b.clone()]);
    assert_eq!(ledger.tickets(None, 100).await.unwrap().len(), 2);
    let unknown =
        NewTicket { tenant: &tenant("nobody"), subject: "s", body: "b", severity: Severity::Low, opened_by: "x" };
    assert!(matches!(ledger.open_ticket(unknown, now).await, Err(LedgerError::TenantNotFound(_))));
}

async fn the_weekly_report_counts_adherence_per_tier_and_tenant(ledger: Ledger) {
    let (pro, com) = (tenant("pro-firm"), tenant("small-firm"));
    ledger.create_tenant(&pro, "Pro Firm", PlanId::Professional).await.unwrap();
    ledger.create_tenant(&com, "Small Firm", PlanId::Community).await.unwrap();
    let monday = second(OffsetDateTime::now_utc()) - Duration::days(10);
    let met = open(&ledger, &pro, "met", monday).await;
    let late = open(&ledger, &pro, "late", monday).await;
    open(&ledger, &pro, "unanswered", monday).await;
    let waiting = open(&ledger, &com, "still open", monday + Duration::days(1)).await;
    ledger.respond_to_ticket(&met.ticket_id, None, "s", "ok", met.due_at - Duration::SECOND).await.unwrap();
    ledger.respond_to_ticket(&late.ticket_id, None, "s", "ok", late.due_at + Duration::SECOND).await.unwrap();
    // Before the community ticket's deadline.
    let now = waiting.due_at - Duration::HOUR;
    let week = ledger.tickets_opened_between(monday, monday + Duration::days(7)).await.unwrap();
    assert_eq!(week.len(), 4);
    assert!(
        ledger
            .tickets_opened_between(monday + Duration::days(7), monday + Duration::days(14))
            .await
            .unwrap()
            .is_empty()
    );
    let rows = sla_report(&week, now);
    let shape: Vec<_> = rows
        .iter()
        .map(|r| (r.support_tier, r.tenant_id.as_deref(), r.tickets, r.met, r.late, r.unanswered, r.open))
        .collect();
    assert_eq!(
        shape,
        vec![
            (SupportTier::Community, Some("small-firm"), 1, 0, 0, 0, 1),
            (SupportTier::Community, None, 1, 0, 0, 0, 1),
            (SupportTier::Standard, Some("pro-firm"), 3, 1, 1, 1, 0),
            (SupportTier::Standard, None, 3, 1, 1, 1, 0),
        ]
    );
    assert_eq!(rows[0].adherence, None, "nothing decided yet");
    assert_eq!(rows[2].adherence, Some(1.0 / 3.0));
    assert_eq!(rows[2].mean_first_response_hours, Some(12.0));
}

suite!(
    first_responses_at_the_deadline_boundaries,
    an_unanswered_ticket_is_breached_by_the_sweep_once,
    a_tenant_reaches_only_its_own_tickets,
    the_weekly_report_counts_adherence_per_tier_and_tenant,
);
