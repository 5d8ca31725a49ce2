//! The query language a reviewer types: apostrophes, brackets, stray quotes, partial matches
//! ranked by the terms held, one result per document, accent folding, CJK, ligatures, fields,
//! and syntax errors that name their position.

mod common;

use std::sync::Arc;

use common::{Env, RecordingMeter, ingest, inline, tenant_id};
use docket_corpus::{Corpus, CorpusError, SearchGroup, SearchMode, SearchRequest, SearchResponse};

const FIXTURES: [(&str, &str); 5] = [
    ("obrien.txt", include_str!("fixtures/search/obrien.txt")),
    ("frosche.txt", include_str!("fixtures/search/frosche.txt")),
    ("cjk.txt", include_str!("fixtures/search/cjk.txt")),
    ("ligature.txt", include_str!("fixtures/search/ligature.txt")),
    ("mail.eml", include_str!("fixtures/search/mail.eml")),
];

async fn fixtures(env: &Env, meter: &Arc<RecordingMeter>) -> Corpus {
    let corpus = env.open(meter).await;
    let job = ingest(&corpus, &tenant_id("firm"), FIXTURES.iter().map(|(n, c)| inline(n, c)).collect()).await;
    assert_eq!(job.ingested, FIXTURES.len() as u64, "{job:?}");
    corpus
}

async fn search(corpus: &Corpus, q: &str) -> SearchResponse {
    let req = SearchRequest { q: q.into(), ..Default::default() };
    corpus.search(&tenant_id("firm"), &req).await.unwrap_or_else(|e| panic!("{q}: {e}"))
}

/// The sources found by `q`, best first.
async fn found(corpus: &Corpus, q: &str) -> Vec<String> {
    search(corpus, q).await.results.into_iter().map(|h| h.source).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apostrophes_brackets_and_stray_syntax_are_words() {
    let env = Env::new();
    let meter = Arc::new(RecordingMeter::default());
    let corpus = fixtures(&env, &meter).await;
    for q in ["O'Brien", "o'brien", "don't", "Smith's", "[PB61]", "PB61", "\"O'Brien", "O'Brien AND", "exhibit [PB61"] {
        assert_eq!(found(&corpus, q).await, ["obrien.txt"], "{q}");
    }
    // The highlight marks the words as written.
    let res = search(&corpus, "O'Brien").await;
    let p = &res.results[0].passage;
    let marked: Vec<&str> = p.highlights.iter().map(|h| &p.text[h.start..h.end]).collect();
    assert!(marked.contains(&"O") && marked.contains(&"Brien"), "{marked:?}");
    // Words must stay in order, as typed.
    assert!(found(&corpus, "Brien'O").await.is_empty());
    corpus.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accents_ligatures_and_cjk_runs_are_found() {
    let env = Env::new();
    let meter = Arc::new(RecordingMeter::default());
    let corpus = fixtures(&env, &meter).await;
    for q in ["Frosche", "Frösche", "FROSCHE", "wasserqualitat"] {
        assert_eq!(found(&corpus, q).await, ["frosche.txt"], "{q}");
    }
    for q in ["configuration", "file", "flow", "conﬁguration"] {
        assert_eq!(found(&corpus, q).await, ["ligature.txt"], "{q}");
    }
    let res = search(&corpus, "configuration").await;
    let p = &res.results[0].passage;
    assert_eq!(&p.text[p.highlights[0].start..p.highlights[0].end], "conﬁguration");
    // A word inside a run of CJK text, two or three characters long.
    for q in ["東京", "東京都庁", "支払条件", "契約"] {
        assert_eq!(found(&corpus, q).await, ["cjk.txt"], "{q}");
    }
    assert!(found(&corpus, "大阪").await.is_empty());
    assert!(found(&corpus, "京東").await.is_empty());
    let res = search(&corpus, "東京都庁").await;
    let p = &res.results[0].passage;
    let marked: Vec<&str> = p.highlights.iter().map(|h| &p.text[h.start..h.end]).collect();
    assert_eq!(marked, ["東京都庁"]);
    corpus.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sender_recipients_and_subject_are_fields() {
    let env = Env::new();
    let meter = Arc::new(RecordingMeter::default());
    let corpus = fixtures(&env, &meter).await;
    for q in [
        "from:alice",
        "author:baker",
        "to:carol",
        "to:\"bob stone\"",
        "subject:quarterly",
        "quarterly",
        "from:alice figures",
    ] {
        assert_eq!(found(&corpus, q).await, ["mail.eml"], "{q}");
    }
    for q in ["from:bob", "to:alice", "subject:figures", "title:turbine"] {
        assert!(found(&corpus, q).await.is_empty(), "{q}");
    }
    corpus.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn syntax_errors_name_their_position() {
    let env = Env::new();
    let meter = Arc::new(RecordingMeter::default());
    let corpus = fixtures(&env, &meter).await;
    for (q, at) in [("(escrow OR figures", 0), ("Frösche) Teich", 7), ("a (b (c)", 2)] {
        let err =
            corpus.search(&tenant_id("firm"), &SearchRequest { q: q.into(), ..Default::default() }).await.unwrap_err();
        let CorpusError::InvalidQuery { position, .. } = &err else { panic!("{q}: {err:?}") };
        assert_eq!(*position, Some(at), "{q}: {err}");
        assert_eq!(err.details()["position"], at, "{q}");
        assert_eq!(err.details()["fields"][0]["field"], "q", "{q}");
    }
    corpus.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_holding_more_terms_rank_first_and_missing_terms_are_named() {
    let env = Env::new();
    let meter = Arc::new(RecordingMeter::default());
    let corpus = env.open(&meter).await;
    let docs = [
        // Many mentions of one term score high on BM25 but hold one term of three.
        ("one.txt", "Escrow escrow escrow. The escrow escrow escrow."),
        ("two.txt", "The escrow agent signed the release after a long review of the file."),
        ("three.txt", "The escrow agent wired the release on Monday."),
    ];
    let job = ingest(&corpus, &tenant_id("firm"), docs.iter().map(|(n, c)| inline(n, c)).collect()).await;
    assert_eq!(job.ingested, 3, "{job:?}");

    let res = search(&corpus, "escrow agent release wired").await;
    let order: Vec<&str> = res.results.iter().map(|h| h.source.as_str()).collect();
    assert_eq!(order, ["three.txt", "two.txt", "one.txt"], "{res:?}");
    assert!(res.results[0].missing_terms.is_empty());
    assert_eq!(res.results[1].missing_terms, ["wired"]);
    assert_eq!(res.results[2].matched_terms, ["escrow"]);
    assert_eq!(res.results[2].missing_terms, ["agent", "release", "wired"]);

    // Nothing holds every word: still found, and said so.
    let res = search(&corpus, "escrow subpoena").await;
    assert_eq!(res.total_hits, 3);
    assert!(res.results.iter().all(|h| h.missing_terms == ["subpoena"]), "{res:?}");

    // Explicit operators still require.
    assert_eq!(found(&corpus, "+wired escrow").await, ["three.txt"]);
    assert_eq!(found(&corpus, "escrow AND review").await, ["two.txt"]);
    assert_eq!(found(&corpus, "escrow -agent").await, ["one.txt"]);
    corpus.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_result_per_document_with_its_best_passages() {
    let env = Env::new();
    let meter = Arc::new(RecordingMeter::default());
    let corpus = env.open(&meter).await;
    // Thirty sentences naming the deposition: about ten passages of one document.
    let long: String =
        (0..30).map(|i| format!("Point {i} of the deposition transcript was read into the record. ")).collect();
    let mut sources = vec![inline("transcript.txt", &long)];
    for i in 0..5 {
        sources.push(inline(&format!("note-{i}.txt"), &format!("Note {i}: the deposition was rescheduled.")));
    }
    let job = ingest(&corpus, &tenant_id("firm"), sources).await;
    assert_eq!(job.ingested, 6, "{job:?}");

    let req = SearchRequest { q: "deposition".into(), page_size: Some(5), ..Default::default() };
    let res = corpus.search(&tenant_id("firm"), &req).await.unwrap();
    assert_eq!(res.total_hits, 6, "documents are counted");
    assert_eq!(res.results.len(), 5);
    let ids: std::collections::HashSet<_> = res.results.iter().map(|h| h.document_id).collect();
    assert_eq!(ids.len(), 5, "one result per document: {res:?}");
    let page2 = corpus.search(&tenant_id("firm"), &SearchRequest { page: Some(2), ..req.clone() }).await.unwrap();
    assert_eq!(page2.results.len(), 1);
    let transcript = res.results.iter().chain(&page2.results).find(|h| h.source == "transcript.txt").unwrap();
    assert!(transcript.matching_passages >= 8, "{transcript:?}");
    assert_eq!(transcript.passages.len(), 3);
    assert_eq!(transcript.passage, transcript.passages[0]);
    let starts: std::collections::HashSet<_> = transcript.passages.iter().map(|p| p.start).collect();
    assert_eq!(starts.len(), 3, "three different passages");
    for p in &transcript.passages {
        assert!(p.text.contains("deposition") && !p.highlights.is_empty(), "{p:?}");
    }

    // group=passage: today's results, one per passage, counted as passages.
    let by_passage = SearchRequest { group: SearchGroup::Passage, page_size: Some(100), ..req.clone() };
    let res = corpus.search(&tenant_id("firm"), &by_passage).await.unwrap();
    assert_eq!(res.total_hits, transcript.matching_passages + 5);
    assert_eq!(res.results.len() as u64, res.total_hits);
    assert!(res.results.iter().all(|h| h.passages.len() == 1 && h.matching_passages == 1));

    // Recall mode groups the same way.
    let recall = SearchRequest { q: "depositon".into(), mode: SearchMode::Recall, ..req };
    assert_eq!(corpus.search(&tenant_id("firm"), &recall).await.unwrap().total_hits, 6);
    corpus.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_index_of_the_previous_analysis_is_rebuilt_at_open() {
    use tantivy::schema::{DateOptions, INDEXED, STORED, STRING, Schema, TEXT};
    let env = Env::new();
    let meter = Arc::new(RecordingMeter::default());
    let corpus = env.open(&meter).await;
    let job = ingest(&corpus, &tenant_id("firm"), vec![inline("frosche.txt", FIXTURES[1].1)]).await;
    assert_eq!(job.ingested, 1, "{job:?}");
    corpus.shutdown().await;
    drop(corpus);

    // The passage index as the previous release wrote it: Tantivy's default analysis, no
    // e-mail fields.
    let dir = env.storage.join("index");
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::create_dir_all(&dir).unwrap();
    let mut b = Schema::builder();
    b.add_text_field("tenant_id", STRING);
    b.add_text_field("document_id", STRING | STORED);
    b.add_u64_field("passage_start", STORED);
    b.add_u64_field("passage_end", STORED);
    b.add_text_field("text", TEXT | STORED);
    b.add_text_field("title", TEXT | STORED);
    b.add_text_field("source", STORED);
    b.add_text_field("source_type", STRING | STORED);
    b.add_text_field("entity", STRING);
    b.add_date_field("date", DateOptions::from(INDEXED));
    tantivy::Index::create_in_dir(&dir, b.build()).unwrap();

    let corpus = env.open(&meter).await;
    assert_eq!(found(&corpus, "Frosche").await, ["frosche.txt"]);
    corpus.shutdown().await;
}
