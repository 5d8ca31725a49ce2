//! The JSON shapes the server exposes, and concurrent jobs of one tenant.

mod common;

use std::sync::Arc;

use common::{Env, RecordingMeter, inline, tenant_id, wait_job};
use docket_corpus::{CorpusError, DocumentFilter, SearchMode, SearchRequest, Source, TimelineRequest};
use serde_json::json;

#[test]
fn requests_and_sources_deserialize_from_snake_case_json() {
    let sources: Vec<Source> = serde_json::from_value(json!([
        {"type": "local", "path": "case-1/inbox"},
        {"type": "inline", "name": "note.txt", "content": "hello"},
        {"type": "inline", "name": "page.html", "content": "<p>x</p>", "media_type": "text/html"}
    ]))
    .unwrap();
    assert_eq!(sources.len(), 3);
    // A client must never name a file on the server.
    let upload =
        serde_json::from_value::<Source>(json!({"type": "upload", "file_name": "a.txt", "staged_path": "/etc/passwd"}));
    assert!(upload.is_err());

    let search: SearchRequest =
        serde_json::from_value(json!({"q": "escrow", "mode": "recall", "page_size": 5})).unwrap();
    assert_eq!((search.mode, search.page_size, search.page), (SearchMode::Recall, Some(5), None));
    let search: SearchRequest = serde_json::from_value(json!({"q": "escrow"})).unwrap();
    assert_eq!(search.mode, SearchMode::Precision);
    let tl: TimelineRequest = serde_json::from_value(json!({"limit": 10, "entity": "org:acme"})).unwrap();
    assert_eq!(tl.limit, Some(10));
    let filter: DocumentFilter = serde_json::from_value(json!({"source_type": "attachment", "page": 2})).unwrap();
    assert_eq!(filter.page, Some(2));
    assert!(serde_json::from_value::<DocumentFilter>(json!({"source_type": "fax"})).is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responses_serialize_with_the_documented_fields() {
    let env = Env::new();
    let meter = Arc::new(RecordingMeter::default());
    let corpus = env.open(&meter).await;
    let job = corpus
        .submit(
            &tenant_id("test-firm"),
            "u",
            vec![inline("m.txt", "On 2024-05-06 Acme Corp paid the escrow to jane@acme.example.")],
        )
        .await
        .unwrap();
    let job_json = serde_json::to_value(&job).unwrap();
    assert_eq!(job_json["status"], "queued");
    for key in [
        "job_id",
        "tenant_id",
        "submitted_by",
        "discovered",
        "ingested",
        "duplicates",
        "failed",
        "bytes",
        "errors",
        "created_at",
        "started_at",
        "finished_at",
        "metered",
    ] {
        assert!(job_json.get(key).is_some(), "job field {key} missing: {job_json}");
    }
    let done = wait_job(&corpus, &tenant_id("test-firm"), job.id).await;
    let done_json = serde_json::to_value(&done).unwrap();
    assert_eq!(done_json["status"], "succeeded");
    assert!(done_json["finished_at"].as_str().unwrap().ends_with('Z'));

    let res = corpus
        .search(&tenant_id("test-firm"), &SearchRequest { q: "escrow".into(), ..Default::default() })
        .await
        .unwrap();
    let v = serde_json::to_value(&res).unwrap();
    for key in ["total_hits", "page", "page_size", "results", "answer", "took_ms"] {
        assert!(v.get(key).is_some(), "{key}: {v}");
    }
    let hit = &v["results"][0];
    for key in [
        "document_id",
        "title",
        "source",
        "source_type",
        "passage",
        "passages",
        "matching_passages",
        "matched_terms",
        "missing_terms",
        "citation",
        "score",
    ] {
        assert!(hit.get(key).is_some(), "{key}: {hit}");
    }
    assert!(hit["passage"]["highlights"][0]["start"].is_u64());
    assert!(hit["citation"]["passage_end"].is_u64());
    assert!(v["answer"][0]["citation"]["document_id"].is_string());

    let doc = serde_json::to_value(
        corpus.document(&tenant_id("test-firm"), res.results[0].document_id).await.unwrap().unwrap(),
    )
    .unwrap();
    for key in [
        "id",
        "source_type",
        "source",
        "sha256",
        "bytes",
        "media_type",
        "parser",
        "job_id",
        "ingested_at",
        "text",
        "attachment_ids",
        "recipients",
        "parent_id",
    ] {
        assert!(doc.get(key).is_some(), "{key}: {doc}");
    }
    let tl =
        serde_json::to_value(corpus.timeline(&tenant_id("test-firm"), &Default::default()).await.unwrap()).unwrap();
    let ev = &tl["events"][0];
    for key in
        ["id", "document_id", "ts", "precision", "title", "summary", "citations", "entity_highlights", "confidence"]
    {
        assert!(ev.get(key).is_some(), "{key}: {ev}");
    }
    assert!(tl.get("next_cursor").is_some());
    let ents = serde_json::to_value(corpus.entities(&tenant_id("test-firm"), "acme", 10).await.unwrap()).unwrap();
    assert!(ents[0]["kind"].is_string() && ents[0]["documents"].is_u64());

    let err = corpus
        .search(&tenant_id("test-firm"), &SearchRequest { q: "(open".into(), ..Default::default() })
        .await
        .unwrap_err();
    assert_eq!((err.code(), err.field(), err.is_client_error()), ("invalid_query", Some("q"), true));
    assert_eq!(err.details()["position"], 0);
    corpus.shutdown().await;
    let after = corpus.documents(&tenant_id("test-firm"), &DocumentFilter::default()).await.unwrap_err();
    assert!(matches!(after, CorpusError::ShuttingDown) && !after.is_client_error());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_jobs_of_one_tenant_bill_shared_content_once() {
    let env = Env::new();
    let meter = Arc::new(RecordingMeter::default());
    let corpus = env.open(&meter).await;
    let shared: Vec<String> =
        (0..40).map(|i| format!("Shared exhibit {i}: the escrow agent confirmed receipt.")).collect();
    let sources = |tag: &str| -> Vec<Source> {
        shared.iter().enumerate().map(|(i, c)| inline(&format!("{tag}-{i}.txt"), c)).collect()
    };
    let a = corpus.submit(&tenant_id("test-firm"), "u", sources("a")).await.unwrap();
    let b = corpus.submit(&tenant_id("test-firm"), "u", sources("b")).await.unwrap();
    let (a, b) = (
        wait_job(&corpus, &tenant_id("test-firm"), a.id).await,
        wait_job(&corpus, &tenant_id("test-firm"), b.id).await,
    );
    assert_eq!(a.ingested + b.ingested, 40, "{a:?} {b:?}");
    assert_eq!(a.duplicates + b.duplicates, 40);
    let expected: u64 = shared.iter().map(|c| c.len() as u64).sum();
    assert_eq!(a.bytes + b.bytes, expected);
    assert_eq!(corpus.documents(&tenant_id("test-firm"), &DocumentFilter::default()).await.unwrap().total, 40);
    let hits = corpus
        .search(
            &tenant_id("test-firm"),
            &SearchRequest { q: "escrow".into(), page_size: Some(100), ..Default::default() },
        )
        .await;
    assert_eq!(hits.unwrap().total_hits, 40);
    corpus.shutdown().await;
}
