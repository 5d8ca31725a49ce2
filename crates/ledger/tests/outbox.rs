//! The quota-alert webhook outbox, on SQLite and on PostgreSQL: deliveries queued with the
//! alert, claimed once, retried, finished for good.

#[macro_use]
mod common;

use std::collections::HashSet;
use std::time::Duration;

use docket_billing::{PlanId, TenantId};
use docket_ledger::{AttemptOutcome, DeliveryStatus, EventKind, Ledger, UsageEvent, WebhookAttempt};
use time::OffsetDateTime;

fn tenant(s: &str) -> TenantId {
    TenantId::parse(s).expect("valid tenant id")
}

fn queries(t: &TenantId, units: u64) -> UsageEvent {
    let mut e = UsageEvent::now(t.clone(), EventKind::Query, units);
    e.subject = Some("ana".into());
    e
}

const A: &str = "http://127.0.0.1:9/a";
const B: &str = "https://hooks.example.com/docket";

fn attempt(n: u32, status: Option<u16>) -> WebhookAttempt {
    WebhookAttempt {
        attempt: n,
        started_at: OffsetDateTime::now_utc(),
        duration_ms: 12,
        status_code: status,
        error: status.is_none().then(|| "connection refused".to_owned()),
    }
}

async fn each_alert_is_queued_once_per_url(ledger: Ledger) {
    let t = tenant("small-shop");
    ledger.create_tenant(&t, "Small Shop", PlanId::Community).await.unwrap();
    // No URL configured: the alert fires, nothing is queued.
    ledger.record(vec![queries(&t, 400)]).await.unwrap();
    assert!(ledger.webhook_deliveries(None).await.unwrap().is_empty());

    ledger.set_alert_webhooks(vec![A.into(), B.into()]);
    // 475 of 500 is 95 %: the hard alert, once per URL, with one event id for both.
    ledger.record(vec![queries(&t, 75)]).await.unwrap();
    // More usage fires nothing again.
    ledger.record(vec![queries(&t, 10)]).await.unwrap();
    let all = ledger.webhook_deliveries(None).await.unwrap();
    assert_eq!(all.len(), 2, "{all:#?}");
    let urls: HashSet<&str> = all.iter().map(|d| d.delivery.url.as_str()).collect();
    assert_eq!(urls, HashSet::from([A, B]));
    assert_eq!(all[0].delivery.event_id, all[1].delivery.event_id);
    for d in &all {
        assert_eq!(d.delivery.status, DeliveryStatus::Pending);
        assert_eq!(d.delivery.attempts, 0);
        assert!(d.attempt_log.is_empty());
        let body: serde_json::Value = serde_json::from_str(&d.delivery.body).unwrap();
        assert_eq!(body["event_id"], d.delivery.event_id.as_str());
        assert_eq!(body["tenant_id"], "small-shop");
        assert_eq!(body["plan"], "community");
        assert_eq!(body["level"], "hard");
        assert_eq!(body["dimension"], "queries");
        assert_eq!(body["ratio"], 0.95);
        assert_eq!(body["period"], d.delivery.period.as_str());
        let fired = body["fired_at"].as_str().unwrap();
        OffsetDateTime::parse(fired, &time::format_description::well_known::Rfc3339).expect("RFC 3339 fired_at");
    }
}

async fn a_claimed_delivery_is_not_claimed_again_until_its_lease_ends(ledger: Ledger) {
    let t = tenant("busy-firm");
    ledger.create_tenant(&t, "Busy Firm", PlanId::Community).await.unwrap();
    ledger.set_alert_webhooks(vec![A.into()]);
    ledger.record(vec![queries(&t, 400)]).await.unwrap();
    let now = OffsetDateTime::now_utc();
    let lease = Duration::from_secs(60);
    let first = ledger.claim_webhook_deliveries(now, lease, 10).await.unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].attempts, 1);
    assert!(ledger.claim_webhook_deliveries(now, lease, 10).await.unwrap().is_empty(), "claimed: leased");
    // The process that claimed it died: once the lease is over it is due again.
    let later = now + Duration::from_secs(61);
    let again = ledger.claim_webhook_deliveries(later, lease, 10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 2);
    assert_eq!(
        ledger.next_webhook_due().await.unwrap().map(|d| d.unix_timestamp()),
        Some((later + lease).unix_timestamp())
    );
}

async fn retries_then_delivery_then_never_again(ledger: Ledger) {
    let t = tenant("retry-co");
    ledger.create_tenant(&t, "Retry Co", PlanId::Community).await.unwrap();
    ledger.set_alert_webhooks(vec![A.into()]);
    ledger.record(vec![queries(&t, 400)]).await.unwrap();
    let now = OffsetDateTime::now_utc();
    let lease = Duration::from_secs(30);
    let d = ledger.claim_webhook_deliveries(now, lease, 10).await.unwrap().remove(0);
    let retry_at = now + Duration::from_secs(2);
    ledger
        .finish_webhook_attempt(&d.delivery_id, &attempt(1, Some(500)), AttemptOutcome::RetryAt(retry_at))
        .await
        .unwrap();
    assert!(ledger.claim_webhook_deliveries(now, lease, 10).await.unwrap().is_empty(), "not before the backoff");
    let d = ledger.claim_webhook_deliveries(retry_at, lease, 10).await.unwrap().remove(0);
    assert_eq!(d.attempts, 2);
    ledger.finish_webhook_attempt(&d.delivery_id, &attempt(2, Some(204)), AttemptOutcome::Delivered).await.unwrap();
    // Delivered: never due again, and a late outcome cannot reopen it.
    let far = now + Duration::from_secs(86_400 * 40);
    assert!(ledger.claim_webhook_deliveries(far, lease, 10).await.unwrap().is_empty());
    ledger.finish_webhook_attempt(&d.delivery_id, &attempt(3, None), AttemptOutcome::RetryAt(now)).await.unwrap();
    assert!(ledger.claim_webhook_deliveries(far, lease, 10).await.unwrap().is_empty());
    assert_eq!(ledger.next_webhook_due().await.unwrap(), None);

    let delivered = ledger.webhook_deliveries(Some(DeliveryStatus::Delivered)).await.unwrap();
    assert_eq!(delivered.len(), 1);
    let codes: Vec<(u32, Option<u16>)> = delivered[0].attempt_log.iter().map(|a| (a.attempt, a.status_code)).collect();
    assert_eq!(codes, vec![(1, Some(500)), (2, Some(204)), (3, None)]);
    assert!(delivered[0].delivery.finished_at.is_some());
    assert!(ledger.webhook_deliveries(Some(DeliveryStatus::Pending)).await.unwrap().is_empty());
}

async fn a_dead_delivery_is_given_up(ledger: Ledger) {
    let t = tenant("gone-co");
    ledger.create_tenant(&t, "Gone Co", PlanId::Community).await.unwrap();
    ledger.set_alert_webhooks(vec![A.into()]);
    ledger.record(vec![queries(&t, 400)]).await.unwrap();
    let now = OffsetDateTime::now_utc();
    let d = ledger.claim_webhook_deliveries(now, Duration::from_secs(5), 10).await.unwrap().remove(0);
    ledger.finish_webhook_attempt(&d.delivery_id, &attempt(1, None), AttemptOutcome::Dead).await.unwrap();
    let far = now + Duration::from_secs(86_400);
    assert!(ledger.claim_webhook_deliveries(far, Duration::from_secs(5), 10).await.unwrap().is_empty());
    let dead = ledger.webhook_deliveries(Some(DeliveryStatus::Dead)).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].attempt_log[0].error.as_deref(), Some("connection refused"));
}

async fn concurrent_claims_take_each_delivery_once(ledger: Ledger) {
    let urls: Vec<String> = (0..20).map(|i| format!("http://127.0.0.1:9/{i}")).collect();
    ledger.set_alert_webhooks(urls);
    let t = tenant("many-hooks");
    ledger.create_tenant(&t, "Many Hooks", PlanId::Community).await.unwrap();
    // Both thresholds at once: 2 alerts x 20 URLs.
    ledger.record(vec![queries(&t, 480)]).await.unwrap();
    let now = OffsetDateTime::now_utc();
    let claims = (0..8).map(|_| {
        let l = ledger.clone();
        tokio::spawn(async move { l.claim_webhook_deliveries(now, Duration::from_secs(60), 100).await.unwrap() })
    });
    let mut seen = HashSet::new();
    let mut total = 0;
    for c in claims {
        for d in c.await.unwrap() {
            total += 1;
            assert!(seen.insert(d.delivery_id), "a delivery was claimed twice");
        }
    }
    assert_eq!(total, 40);
}

suite!(
    each_alert_is_queued_once_per_url,
    a_claimed_delivery_is_not_claimed_again_until_its_lease_ends,
    retries_then_delivery_then_never_again,
    a_dead_delivery_is_given_up,
    concurrent_claims_take_each_delivery_once,
);
