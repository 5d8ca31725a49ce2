//! A registry written by an earlier release is migrated at open and keeps its entities and events.

mod common;

use std::sync::Arc;

use common::{Env, RecordingMeter, tenant_id};
use docket_corpus::{SearchMode, SearchRequest, TimelineRequest};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

/// An `events` row as the first migration defined it; `jane` adds a highlight of Jane Doe.
fn event(id: &str, document: &str, ts: &str, summary: &str, jane: bool) -> String {
    let highlights = if jane {
        r#"[{"entity_id":"person:jane-doe","kind":"person","text":"Jane Doe","start":0,"end":8}]"#
    } else {
        "[]"
    };
    format!(
        "INSERT INTO events (id, tenant_id, document_id, ts_key, ts, precision, title, summary, citations, \
         entity_highlights, confidence, origin) VALUES ('{id}', 'test-firm', '{document}', '{ts}', '{}', 'day', 'Memo', \
         '{summary}', '[{{\"document_id\":\"{document}\",\"start\":0,\"end\":{}}}]', '{highlights}', 0.9, 'body')",
        &ts[..10],
        summary.len()
    )
}

/// Create the registry as the first two migrations left it, with one mention per row and
/// events linked to entities through `event_entities`.
async fn registry_before_entity_totals(env: &Env) {
    let dir = env.storage.join("corpus");
    std::fs::create_dir_all(&dir).unwrap();
    let mut conn = SqliteConnectOptions::new()
        .filename(dir.join("corpus.sqlite3"))
        .create_if_missing(true)
        .connect()
        .await
        .unwrap();
    let mut migrator = sqlx::migrate!("./migrations");
    migrator.migrations = migrator.migrations.iter().filter(|m| m.version <= 2).cloned().collect::<Vec<_>>().into();
    migrator.run(&mut conn).await.unwrap();
    let doc = |id: &str, text: &str| {
        format!(
            "INSERT INTO documents (id, tenant_id, source_type, source, sha256, bytes, media_type, parser, job_id, \
             ingested_at, title, text, indexed) VALUES ('{id}', 'test-firm', 'inline', '{id}.txt', 'sha-{id}', {}, \
             'text/plain', 'text', '00000000-0000-7000-8000-000000000000', '2026-01-01T00:00:00Z', NULL, '{text}', 0)",
            text.len()
        )
    };
    let d1 = "01900000-0000-7000-8000-000000000001";
    let d2 = "01900000-0000-7000-8000-000000000002";
    for sql in [
        doc(d1, "Jane Doe met Acme Corp. Jane Doe signed the lease."),
        doc(d2, "Jane Doe called about the pallets."),
        "INSERT INTO entities (tenant_id, id, kind, normalized) VALUES \
         ('test-firm', 'person:jane-doe', 'person', 'Jane Doe'), ('test-firm', 'org:acme-corp', 'org', 'Acme Corp')"
            .to_owned(),
        format!(
            "INSERT INTO mentions (tenant_id, entity_id, document_id, span_start, span_end, surface) VALUES \
             ('test-firm', 'person:jane-doe', '{d1}', 0, 8, 'Jane Doe'), ('test-firm', 'person:jane-doe', '{d1}', 24, 32, 'Jane Doe'), \
             ('test-firm', 'person:jane-doe', '{d1}', NULL, NULL, 'Jane Doe'), ('test-firm', 'org:acme-corp', '{d1}', 13, 22, 'Acme Corp'), \
             ('test-firm', 'person:jane-doe', '{d2}', 0, 8, 'Jane Doe')"
        ),
        event("01900000-0000-7000-8000-0000000000e1", d1, "2021-03-03T09:00:00Z", "Jane Doe signed the lease.", true),
        event("01900000-0000-7000-8000-0000000000e2", d2, "1965-05-01T00:00:00Z", "Pallets were ordered.", false),
        event("01900000-0000-7000-8000-0000000000e3", d2, "2021-03-03T09:00:00Z", "Jane Doe called.", true),
        "INSERT INTO event_entities (tenant_id, entity_id, event_id) VALUES \
         ('test-firm', 'person:jane-doe', '01900000-0000-7000-8000-0000000000e1'), \
         ('test-firm', 'person:jane-doe', '01900000-0000-7000-8000-0000000000e3')"
            .to_owned(),
    ] {
        sqlx::query(&sql).execute(&mut conn).await.unwrap();
    }
    conn.close().await.unwrap();
}

#[tokio::test]
async fn an_earlier_registry_keeps_its_entities_and_timeline() {
    let env = Env::new();
    registry_before_entity_totals(&env).await;
    let meter = Arc::new(RecordingMeter::default());
    let corpus = env.open(&meter).await;

    let jane = corpus.entities(&tenant_id("test-firm"), "jane", 10).await.unwrap();
    assert_eq!(jane.len(), 1, "{jane:?}");
    assert_eq!((jane[0].mentions, jane[0].documents), (4, 2));

    let hood = corpus.neighbors(&tenant_id("test-firm"), "person:jane-doe").await.unwrap().expect("neighbourhood");
    let mentions: Vec<(String, u64)> = hood.documents.iter().map(|d| (d.source.clone(), d.mentions)).collect();
    assert_eq!(
        mentions,
        vec![
            ("01900000-0000-7000-8000-000000000001.txt".to_owned(), 3),
            ("01900000-0000-7000-8000-000000000002.txt".to_owned(), 1)
        ]
    );
    assert_eq!(hood.co_occurring.len(), 1);
    assert_eq!(hood.co_occurring[0].entity.id, "org:acme-corp");
    assert_eq!((hood.co_occurring[0].shared_documents, hood.co_occurring[0].entity.mentions), (1, 1));

    // The documents were indexed at open from the migrated rows, entity filter included.
    let mut req = SearchRequest {
        q: "pallets".into(),
        page: None,
        page_size: None,
        source: None,
        entity: Some("Jane Doe".into()),
        mode: SearchMode::Precision,
        group: Default::default(),
    };
    let found = corpus.search(&tenant_id("test-firm"), &req).await.unwrap();
    assert_eq!(found.total_hits, 1);
    req.entity = Some("org:acme-corp".into());
    assert_eq!(corpus.search(&tenant_id("test-firm"), &req).await.unwrap().total_hits, 0);

    // The timeline reads the migrated events in order, by pages, by entity and by date.
    let e = |n: u32| format!("01900000-0000-7000-8000-0000000000e{n}");
    let page = |cursor: Option<String>, entity: Option<&str>, from_ts: Option<&str>| TimelineRequest {
        cursor,
        limit: Some(2),
        from_ts: from_ts.map(str::to_owned),
        entity: entity.map(str::to_owned),
        ..Default::default()
    };
    let first = corpus.timeline(&tenant_id("test-firm"), &page(None, None, None)).await.unwrap();
    let second = corpus.timeline(&tenant_id("test-firm"), &page(first.next_cursor.clone(), None, None)).await.unwrap();
    let ids = |events: &[docket_corpus::TimelineEvent]| events.iter().map(|ev| ev.id.to_string()).collect::<Vec<_>>();
    assert_eq!(ids(&first.events), vec![e(2), e(1)]);
    assert_eq!(ids(&second.events), vec![e(3)]);
    assert!(second.next_cursor.is_none());
    let jane = corpus.timeline(&tenant_id("test-firm"), &page(None, Some("person:jane-doe"), None)).await.unwrap();
    assert_eq!(ids(&jane.events), vec![e(1), e(3)]);
    let recent = corpus.timeline(&tenant_id("test-firm"), &page(None, None, Some("2000-01-01"))).await.unwrap();
    assert_eq!(ids(&recent.events), vec![e(1), e(3)]);
    corpus.shutdown().await;
}
