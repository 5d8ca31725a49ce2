//! Timeline events keep the local date and offset as written: an e-mail sent at 23:06 -04:00
//! is on the day its sender wrote it, and its Date is a `metadata` event.

mod common;

use std::sync::Arc;

use common::{Env, RecordingMeter, ingest, local, tenant_id};
use docket_corpus::TimelineRequest;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_evening_mail_stays_on_the_day_its_sender_wrote_it() {
    let env = Env::new();
    let meter = Arc::new(RecordingMeter::default());
    let corpus = env.open(&meter).await;
    let fixture = format!("{}/tests/fixtures/email/iso-2022-jp.eml", env!("CARGO_MANIFEST_DIR"));
    env.write("mail/evening.eml", std::fs::read(fixture).unwrap());
    let status = ingest(&corpus, &tenant_id("acme"), vec![local(env.root.join("mail/evening.eml"))]).await;
    assert_eq!(status.ingested, 1, "{status:?}");

    let day = TimelineRequest {
        from_ts: Some("2024-03-01".into()),
        to_ts: Some("2024-03-01".into()),
        ..TimelineRequest::default()
    };
    let page = corpus.timeline(&tenant_id("acme"), &day).await.unwrap();
    let event = page.events.iter().find(|e| e.origin == "metadata").unwrap_or_else(|| panic!("{page:?}"));
    assert_eq!(event.ts, "2024-03-01T23:06:00-04:00");
    assert_eq!(event.local_date, "2024-03-01");
    assert_eq!(event.utc_offset.as_deref(), Some("-04:00"));
    assert_eq!(event.utc.as_deref(), Some("2024-03-02T03:06:00Z"));
    assert_eq!(event.title, "会議の議事録");

    // Not on the next day, where its UTC instant falls.
    let next = TimelineRequest { from_ts: Some("2024-03-02".into()), to_ts: Some("2024-03-02".into()), ..day };
    assert!(corpus.timeline(&tenant_id("acme"), &next).await.unwrap().events.is_empty());
    corpus.shutdown().await;
}
