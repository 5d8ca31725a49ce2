//! Search through the document service: modes, syntax, highlights, citations, answers, paging.

mod common;

use std::sync::Arc;

use common::{Env, RecordingMeter, ingest, inline, tenant_id};
use docket_corpus::{Corpus, CorpusError, SearchMode, SearchRequest};

const DOCS: [(&str, &str); 4] = [
    (
        "contract.txt",
        "The supply contract was signed in Zurich. Payment terms were net thirty days. \
         The indemnity clause protects the buyer against third-party claims.",
    ),
    ("breach.txt", "Notice of breach of contract. The seller failed to deliver the turbines on time."),
    ("weather.txt", "The weather in Zurich was cold. Nobody mentioned any agreement at the lake."),
    ("letter.md", "# Termination letter\n\nWe hereby terminate the distribution agreement effective immediately.\n"),
];

async fn setup(env: &Env, meter: &Arc<RecordingMeter>) -> Corpus {
    let corpus = env.open(meter).await;
    let sources = DOCS.iter().map(|(n, c)| inline(n, c)).collect();
    let job = ingest(&corpus, &tenant_id("firm"), sources).await;
    assert_eq!(job.ingested, 4, "{job:?}");
    corpus
}

fn req(q: &str, mode: SearchMode) -> SearchRequest {
    SearchRequest { q: q.into(), mode, ..Default::default() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn precision_recall_phrases_and_boolean() {
    let env = Env::new();
    let meter = Arc::new(RecordingMeter::default());
    let corpus = setup(&env, &meter).await;

    // A plain query finds documents holding any term, those holding every term first.
    let p = corpus.search(&tenant_id("firm"), &req("zurich contract", SearchMode::Precision)).await.unwrap();
    assert_eq!(p.total_hits, 3, "{p:?}");
    assert!(p.results[0].source.contains("contract") && p.results[0].missing_terms.is_empty(), "{p:?}");
    assert!(p.results[1..].iter().all(|h| h.missing_terms.len() == 1), "{p:?}");
    let both = corpus.search(&tenant_id("firm"), &req("zurich AND contract", SearchMode::Precision)).await.unwrap();
    assert_eq!(both.total_hits, 1, "{both:?}");
    let r = corpus.search(&tenant_id("firm"), &req("zurich contract", SearchMode::Recall)).await.unwrap();
    assert!(r.total_hits >= 3, "{r:?}");

    // A typo is found only in recall mode.
    let typo_p = corpus.search(&tenant_id("firm"), &req("indemnty", SearchMode::Precision)).await.unwrap();
    assert_eq!(typo_p.total_hits, 0);
    assert!(typo_p.results.is_empty());
    let typo_r = corpus.search(&tenant_id("firm"), &req("indemnty", SearchMode::Recall)).await.unwrap();
    assert_eq!(typo_r.total_hits, 1);
    let hit = &typo_r.results[0];
    let marked: Vec<&str> = hit.passage.highlights.iter().map(|h| &hit.passage.text[h.start..h.end]).collect();
    assert_eq!(marked, vec!["indemnity"]);
    // Short words get no typo tolerance.
    let short = corpus.search(&tenant_id("firm"), &req("lakr", SearchMode::Recall)).await.unwrap();
    assert_eq!(short.total_hits, 1, "four-letter words tolerate one typo");
    let tiny = corpus.search(&tenant_id("firm"), &req("lak", SearchMode::Recall)).await.unwrap();
    assert_eq!(tiny.total_hits, 0, "three-letter words must match exactly");

    // Phrases match words in order only.
    let phrase =
        corpus.search(&tenant_id("firm"), &req("\"breach of contract\"", SearchMode::Precision)).await.unwrap();
    assert_eq!(phrase.total_hits, 1);
    assert!(phrase.results[0].source.contains("breach"));
    let reversed =
        corpus.search(&tenant_id("firm"), &req("\"contract of breach\"", SearchMode::Precision)).await.unwrap();
    assert_eq!(reversed.total_hits, 0);

    // NOT / - exclude, also in recall mode where fuzzy matches are added.
    let not = corpus.search(&tenant_id("firm"), &req("zurich NOT weather", SearchMode::Precision)).await.unwrap();
    assert_eq!(not.total_hits, 1);
    assert!(not.results[0].passage.text.contains("supply contract"));
    let minus = corpus.search(&tenant_id("firm"), &req("zurich -weather", SearchMode::Recall)).await.unwrap();
    assert_eq!(minus.total_hits, 1, "{minus:?}");
    let or = corpus.search(&tenant_id("firm"), &req("turbines OR lake", SearchMode::Precision)).await.unwrap();
    assert_eq!(or.total_hits, 2);

    // Title matches count too.
    let title = corpus.search(&tenant_id("firm"), &req("termination", SearchMode::Precision)).await.unwrap();
    assert_eq!(title.total_hits, 1);
    corpus.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hits_carry_highlights_citations_and_an_answer() {
    let env = Env::new();
    let meter = Arc::new(RecordingMeter::default());
    let corpus = setup(&env, &meter).await;
    let res = corpus.search(&tenant_id("firm"), &req("payment terms", SearchMode::Precision)).await.unwrap();
    assert_eq!(res.total_hits, 1);
    let hit = &res.results[0];
    assert!(hit.score > 0.0);
    assert_eq!(hit.citation.document_id, hit.document_id);
    assert_eq!((hit.citation.passage_start, hit.citation.passage_end), (hit.passage.start, hit.passage.end));
    let doc = corpus.document(&tenant_id("firm"), hit.document_id).await.unwrap().unwrap();
    assert_eq!(&doc.text[hit.passage.start..hit.passage.end], hit.passage.text);
    let marked: Vec<String> =
        hit.passage.highlights.iter().map(|h| hit.passage.text[h.start..h.end].to_lowercase()).collect();
    assert!(marked.contains(&"payment".to_owned()) && marked.contains(&"terms".to_owned()), "{marked:?}");
    assert!(!res.answer.is_empty());
    let a = &res.answer[0];
    assert!(a.sentence.contains("Payment terms"), "{a:?}");
    assert_eq!(&doc.text[a.citation.passage_start..a.citation.passage_end], a.sentence);

    // Nothing found is an empty, successful response.
    let none = corpus.search(&tenant_id("firm"), &req("xylophone", SearchMode::Precision)).await.unwrap();
    assert_eq!((none.total_hits, none.results.len(), none.answer.len()), (0, 0, 0));
    corpus.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_queries_are_client_errors() {
    let env = Env::new();
    let meter = Arc::new(RecordingMeter::default());
    let corpus = setup(&env, &meter).await;
    for q in ["", "   ", "(zurich OR lake", "zurich)", "-weather", "NOT weather", "***", "-"] {
        for mode in [SearchMode::Precision, SearchMode::Recall] {
            let err = corpus.search(&tenant_id("firm"), &req(q, mode)).await.unwrap_err();
            assert!(matches!(err, CorpusError::InvalidQuery { .. }), "{q:?}: {err:?}");
            assert!(err.is_client_error());
            assert_eq!(err.field(), Some("q"));
        }
    }
    // A stray quote is no syntax; an unknown field name is part of its word.
    let res = corpus.search(&tenant_id("firm"), &req("\"unbalanced zurich", SearchMode::Precision)).await.unwrap();
    assert_eq!(res.total_hits, 2, "{res:?}");
    let res = corpus.search(&tenant_id("firm"), &req("nosuchfield:zurich", SearchMode::Precision)).await.unwrap();
    assert_eq!(res.total_hits, 0, "{res:?}");
    // Odd but valid inputs must not panic.
    for q in ["AND", "OR OR", "a AND", "+", "*", "title:", "\"\"", "zurich~", "zurich^", "[a TO", "é∂ƒ©˙∆", "a:b:c"]
    {
        let _ = corpus.search(&tenant_id("firm"), &req(q, SearchMode::Recall)).await;
        let _ = corpus.search(&tenant_id("firm"), &req(q, SearchMode::Precision)).await;
    }
    let big = "x".repeat(5000);
    assert!(corpus.search(&tenant_id("firm"), &req(&big, SearchMode::Precision)).await.is_err());
    let e = corpus
        .search(&tenant_id("firm"), &SearchRequest { q: "zurich".into(), page_size: Some(101), ..Default::default() })
        .await
        .unwrap_err();
    assert_eq!(e.field(), Some("page_size"));
    let e = corpus
        .search(
            &tenant_id("firm"),
            &SearchRequest { q: "zurich".into(), source: Some("fax".into()), ..Default::default() },
        )
        .await
        .unwrap_err();
    assert_eq!(e.field(), Some("source"));
    corpus.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_and_filters() {
    let env = Env::new();
    let meter = Arc::new(RecordingMeter::default());
    let corpus = env.open(&meter).await;
    let sources =
        (0..25).map(|i| inline(&format!("n{i}.txt"), &format!("Deposition number {i} mentions the escrow."))).collect();
    ingest(&corpus, &tenant_id("test-firm"), sources).await;
    let mut seen = std::collections::HashSet::new();
    for page in 1..=3 {
        let res = corpus
            .search(
                &tenant_id("test-firm"),
                &SearchRequest { q: "escrow".into(), page: Some(page), page_size: Some(10), ..Default::default() },
            )
            .await
            .unwrap();
        assert_eq!(res.total_hits, 25);
        assert_eq!(res.results.len(), if page == 3 { 5 } else { 10 });
        for h in res.results {
            assert!(seen.insert(h.document_id));
        }
    }
    assert_eq!(seen.len(), 25);
    let inline_only = corpus
        .search(
            &tenant_id("test-firm"),
            &SearchRequest { q: "escrow".into(), source: Some("inline".into()), ..Default::default() },
        )
        .await
        .unwrap();
    assert_eq!(inline_only.total_hits, 25);
    let uploads = corpus
        .search(
            &tenant_id("test-firm"),
            &SearchRequest { q: "escrow".into(), source: Some("upload".into()), ..Default::default() },
        )
        .await
        .unwrap();
    assert_eq!(uploads.total_hits, 0);
    corpus.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entity_filter_keeps_every_passage_of_documents_that_mention_it() {
    let env = Env::new();
    let meter = Arc::new(RecordingMeter::default());
    let corpus = env.open(&meter).await;
    // The entity is named in the first sentence only; the escrow passage is far from it.
    let filler = "The parties exchanged routine drafts about the schedule. ".repeat(30);
    let named = format!("Harbor Freight Lines LLC signed the charter. {filler} The escrow account was opened last.");
    let unnamed = "The escrow account of the other deal was closed.";
    let also = "Harbor Freight Lines LLC asked where the escrow account stands.";
    let job = ingest(
        &corpus,
        &tenant_id("firm"),
        vec![inline("named.txt", &named), inline("unnamed.txt", unnamed), inline("also.txt", also)],
    )
    .await;
    assert_eq!(job.ingested, 3, "{job:?}");
    let other = ingest(&corpus, &tenant_id("rival"), vec![inline("rival.txt", &named)]).await;
    assert_eq!(other.ingested, 1, "{other:?}");

    let all = corpus.search(&tenant_id("firm"), &req("escrow", SearchMode::Precision)).await.unwrap();
    assert_eq!(all.total_hits, 3, "{all:?}");
    let org = corpus.entities(&tenant_id("firm"), "harbor", 10).await.unwrap();
    assert_eq!(org.len(), 1, "{org:?}");
    // By id and by normalised form (any case): only the naming documents, with the passage of
    // the first that does not itself name the entity; a plain word and a phrase (two ways of
    // matching) alike.
    for reference in [org[0].id.clone(), org[0].normalized.to_uppercase()] {
        for q in ["escrow", "\"escrow account\""] {
            let filtered = corpus
                .search(
                    &tenant_id("firm"),
                    &SearchRequest { q: q.into(), entity: Some(reference.clone()), ..Default::default() },
                )
                .await
                .unwrap();
            assert_eq!(filtered.total_hits, 2, "{reference} {q}: {filtered:?}");
            let mut sources: Vec<&str> = filtered.results.iter().map(|h| h.source.as_str()).collect();
            sources.sort_unstable();
            assert_eq!(sources, ["also.txt", "named.txt"], "{reference} {q}");
            let hit = filtered.results.iter().find(|h| h.source == "named.txt").unwrap();
            assert!(!hit.passage.text.contains("Harbor"), "{hit:?}");
        }
    }
    let nobody = corpus
        .search(
            &tenant_id("firm"),
            &SearchRequest { q: "escrow".into(), entity: Some("org:nobody".into()), ..Default::default() },
        )
        .await
        .unwrap();
    assert_eq!(nobody.total_hits, 0);
    assert!(nobody.results.is_empty());
    corpus.shutdown().await;
}
