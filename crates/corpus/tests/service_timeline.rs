//! Timeline and entities through the document service.

mod common;

use std::collections::HashSet;
use std::sync::Arc;

use common::{Env, RecordingMeter, ingest, inline, tenant_id};
use docket_corpus::TenantId;
use docket_corpus::{Corpus, CorpusError, EntityKind, TimelineEvent, TimelineRequest};

const CHRONOLOGY: &str = "On 2024-01-15 Acme Corp signed the lease with Globex Inc. \
    The first payment of $12,000 was due on 2024-02-01. \
    Jane Roe (jane.roe@acme.example) sent the notice of default on 2024-03-03.";

async fn all_events(corpus: &Corpus, tenant: &TenantId, req: TimelineRequest, limit: u32) -> Vec<TimelineEvent> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = corpus
            .timeline(tenant, &TimelineRequest { cursor: cursor.clone(), limit: Some(limit), ..req.clone() })
            .await
            .unwrap();
        assert!(page.events.len() <= limit as usize);
        out.extend(page.events);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return out,
        }
    }
}

fn assert_chronological(events: &[TimelineEvent]) {
    for pair in events.windows(2) {
        // Dates sort before timestamps of the same day; both are ISO text, so compare the day.
        assert!(pair[0].ts[..10] <= pair[1].ts[..10], "{} then {}", pair[0].ts, pair[1].ts);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_carry_citations_and_entities() {
    let env = Env::new();
    let meter = Arc::new(RecordingMeter::default());
    let corpus = env.open(&meter).await;
    ingest(&corpus, &tenant_id("test-firm"), vec![inline("chronology.txt", CHRONOLOGY)]).await;
    let doc = corpus.documents(&tenant_id("test-firm"), &Default::default()).await.unwrap().documents[0].clone();
    let detail = corpus.document(&tenant_id("test-firm"), doc.id).await.unwrap().unwrap();

    let events = all_events(&corpus, &tenant_id("test-firm"), TimelineRequest::default(), 50).await;
    let days: Vec<&str> = events.iter().map(|e| &e.ts[..10]).collect();
    for day in ["2024-01-15", "2024-02-01", "2024-03-03"] {
        assert!(days.contains(&day), "{day} missing from {days:?}");
    }
    assert_chronological(&events);
    for e in &events {
        assert_eq!(e.document_id, doc.id);
        assert_eq!(e.title, "chronology.txt");
        assert!((0.0..=1.0).contains(&e.confidence));
        for c in &e.citations {
            assert_eq!(c.document_id, doc.id);
            let cited = &detail.text[c.start..c.end];
            assert!(
                cited.contains(e.summary.trim()) || e.summary.contains(cited.trim()),
                "{cited:?} vs {:?}",
                e.summary
            );
        }
        for h in &e.entity_highlights {
            assert_eq!(&e.summary[h.start..h.end], h.text);
        }
    }
    let notice = events.iter().find(|e| e.ts.starts_with("2024-03-03")).unwrap();
    let email = notice.entity_highlights.iter().find(|h| h.kind == EntityKind::Email).expect("e-mail highlighted");
    assert_eq!(email.text, "jane.roe@acme.example");

    // Entity filter and date range.
    let by_entity = corpus
        .timeline(
            &tenant_id("test-firm"),
            &TimelineRequest { entity: Some(email.entity_id.clone()), ..Default::default() },
        )
        .await
        .unwrap();
    assert!(!by_entity.events.is_empty());
    assert!(by_entity.events.iter().all(|e| e.entity_highlights.iter().any(|h| h.entity_id == email.entity_id)));
    let by_normalized = corpus
        .timeline(
            &tenant_id("test-firm"),
            &TimelineRequest { entity: Some("JANE.ROE@acme.example".into()), ..Default::default() },
        )
        .await
        .unwrap();
    assert_eq!(by_normalized.events, by_entity.events);
    let feb = corpus
        .timeline(
            &tenant_id("test-firm"),
            &TimelineRequest {
                from_ts: Some("2024-02-01".into()),
                to_ts: Some("2024-02-29".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(!feb.events.is_empty());
    assert!(feb.events.iter().all(|e| e.ts.starts_with("2024-02")), "{feb:?}");

    // Entities: search by substring, then the neighbourhood.
    let found = corpus.entities(&tenant_id("test-firm"), "ACME.EXAMPLE", 10).await.unwrap();
    let jane = found.iter().find(|e| e.kind == EntityKind::Email).expect("e-mail entity");
    assert_eq!(jane.id, email.entity_id);
    assert_eq!((jane.documents, jane.mentions), (1, 1));
    let hood = corpus.neighbors(&tenant_id("test-firm"), &jane.id).await.unwrap().expect("neighbourhood");
    assert_eq!(hood.documents.len(), 1);
    assert_eq!(hood.documents[0].id, doc.id);
    assert!(!hood.co_occurring.is_empty(), "other entities share the document");
    assert!(hood.co_occurring.iter().all(|c| c.shared_documents == 1 && c.entity.id != jane.id));
    assert!(corpus.neighbors(&tenant_id("test-firm"), "email:nobody@nowhere").await.unwrap().is_none());
    let money = corpus.entities(&tenant_id("test-firm"), "12000", 10).await.unwrap();
    assert!(money.iter().any(|e| e.kind == EntityKind::Money), "{money:?}");
    corpus.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cursor_paging_returns_every_event_once_even_when_events_are_added() {
    let env = Env::new();
    let meter = Arc::new(RecordingMeter::default());
    let corpus = env.open(&meter).await;
    let sources = (0..12)
        .map(|i| {
            let m = i % 12 + 1;
            inline(
                &format!("d{i}.txt"),
                &format!(
                    "The hearing was held on 2023-{m:02}-10. The brief was filed on 2023-{m:02}-20. \
                     The court ruled on 2023-{m:02}-28."
                ),
            )
        })
        .collect();
    ingest(&corpus, &tenant_id("test-firm"), sources).await;
    let everything = corpus
        .timeline(&tenant_id("test-firm"), &TimelineRequest { limit: Some(200), ..Default::default() })
        .await
        .unwrap();
    assert!(everything.next_cursor.is_none());
    let total = everything.events.len();
    assert!(total >= 36, "{total}");

    let paged = all_events(&corpus, &tenant_id("test-firm"), TimelineRequest::default(), 7).await;
    assert_eq!(paged.len(), total);
    let ids: HashSet<_> = paged.iter().map(|e| e.id).collect();
    assert_eq!(ids.len(), total);
    assert_chronological(&paged);
    assert_eq!(paged, everything.events);

    // Read two pages, add later events, read on: each event exactly once, new ones at the end.
    let first = corpus
        .timeline(&tenant_id("test-firm"), &TimelineRequest { limit: Some(10), ..Default::default() })
        .await
        .unwrap();
    let second = corpus
        .timeline(
            &tenant_id("test-firm"),
            &TimelineRequest { limit: Some(10), cursor: first.next_cursor.clone(), ..Default::default() },
        )
        .await
        .unwrap();
    ingest(&corpus, &tenant_id("test-firm"), vec![inline("late.txt", "The appeal was decided on 2025-06-30.")]).await;
    let mut seen: Vec<TimelineEvent> = first.events.into_iter().chain(second.events).collect();
    let mut cursor = second.next_cursor;
    while let Some(c) = cursor {
        let page = corpus
            .timeline(
                &tenant_id("test-firm"),
                &TimelineRequest { limit: Some(10), cursor: Some(c), ..Default::default() },
            )
            .await
            .unwrap();
        seen.extend(page.events);
        cursor = page.next_cursor;
    }
    let unique: HashSet<_> = seen.iter().map(|e| e.id).collect();
    assert_eq!(unique.len(), seen.len());
    assert!(seen.len() > total);
    assert!(seen.last().unwrap().ts.starts_with("2025-06-30"));

    // Cursor and range errors are the caller's.
    for bad in ["garbage", "dDF8MjAyNHx4", "!!"] {
        let err = corpus
            .timeline(&tenant_id("test-firm"), &TimelineRequest { cursor: Some(bad.into()), ..Default::default() })
            .await
            .unwrap_err();
        assert!(matches!(err, CorpusError::InvalidCursor), "{err:?}");
        assert_eq!(err.field(), Some("cursor"));
    }
    let err = corpus
        .timeline(&tenant_id("test-firm"), &TimelineRequest { limit: Some(0), ..Default::default() })
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("limit"));
    let err = corpus
        .timeline(
            &tenant_id("test-firm"),
            &TimelineRequest { from_ts: Some("2024-13-45".into()), ..Default::default() },
        )
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("from_ts"));
    let unknown = corpus
        .timeline(&tenant_id("test-firm"), &TimelineRequest { entity: Some("org:nobody".into()), ..Default::default() })
        .await
        .unwrap();
    assert!(unknown.events.is_empty() && unknown.next_cursor.is_none());
    corpus.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_crosses_crowded_days_empty_decades_and_ranges() {
    let env = Env::new();
    let meter = Arc::new(RecordingMeter::default());
    let corpus = env.open(&meter).await;
    // A day with more events than a page, days before 1970, and decades without any event.
    let crowded: String = (0..25).map(|k| format!("Item {k} was logged on 1969-12-31. ")).collect();
    let sparse = "The deed was recorded on 1912-03-04. The mill burned on 1901-07-01. The lease ends on 2100-01-01.";
    let year: String = (1..=12).map(|m| format!("The report for month {m} was filed on 2023-{m:02}-15. ")).collect();
    let sources = vec![inline("crowded.txt", &crowded), inline("sparse.txt", sparse), inline("year.txt", &year)];
    ingest(&corpus, &tenant_id("test-firm"), sources).await;

    let everything = corpus
        .timeline(&tenant_id("test-firm"), &TimelineRequest { limit: Some(200), ..Default::default() })
        .await
        .unwrap();
    assert!(everything.next_cursor.is_none());
    assert_eq!(everything.events.len(), 40);
    assert_chronological(&everything.events);
    assert!(everything.events[0].ts.starts_with("1901-07-01"));
    assert!(everything.events.last().unwrap().ts.starts_with("2100-01-01"));
    for limit in [1, 4, 30] {
        assert_eq!(
            all_events(&corpus, &tenant_id("test-firm"), TimelineRequest::default(), limit).await,
            everything.events
        );
    }

    let range =
        TimelineRequest { from_ts: Some("1905-01-01".into()), to_ts: Some("2023-06-30".into()), ..Default::default() };
    let within: Vec<TimelineEvent> =
        everything.events.iter().filter(|e| ("1905-01-01".."2023-07-01").contains(&&e.ts[..10])).cloned().collect();
    assert_eq!(within.len(), 1 + 25 + 6);
    assert_eq!(all_events(&corpus, &tenant_id("test-firm"), range, 4).await, within);
}
