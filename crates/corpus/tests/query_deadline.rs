//! Every search of either index has a deadline: past it the search stops with
//! `DeadlineExceeded`, whichever index it reads.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Env, RecordingMeter, ingest, inline, tenant_id};
use docket_corpus::{Corpus, CorpusError, SearchRequest, TimelineRequest};

fn past_deadline<T: std::fmt::Debug>(what: &str, result: Result<T, CorpusError>) {
    assert!(matches!(result, Err(CorpusError::DeadlineExceeded { deadline_ms: 0 })), "{what}: {result:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn searches_of_both_indexes_stop_at_their_deadline() {
    let env = Env::new();
    let meter = Arc::new(RecordingMeter::default());
    let mut config = env.config(1);
    // A deadline already over when any search starts.
    config.query_timeout = Duration::ZERO;
    let corpus = Corpus::open(config, meter.clone()).await.unwrap();
    let text = "On 3 March 2021 Acme Corp sent the invoice to jane.doe@example.com. \
                On 5 April 2021 Acme Corp paid the invoice.";
    let job = ingest(&corpus, &tenant_id("firm"), vec![inline("invoice.txt", text)]).await;
    assert_eq!(job.ingested, 1, "{job:?}");

    let search = SearchRequest { q: "invoice".into(), ..Default::default() };
    past_deadline("search", corpus.search(&tenant_id("firm"), &search).await);
    past_deadline("streamed search", corpus.search_stream(&tenant_id("firm"), &search).await);
    let by_entity = SearchRequest { entity: Some("org:acme-corp".into()), ..search.clone() };
    past_deadline("entity filter", corpus.search(&tenant_id("firm"), &by_entity).await);
    past_deadline("timeline", corpus.timeline(&tenant_id("firm"), &TimelineRequest::default()).await);
    past_deadline("neighbourhood", corpus.neighbors(&tenant_id("firm"), "org:acme-corp").await);
    // Checks that need no index still answer.
    let bad = SearchRequest { q: "(".repeat(40), ..Default::default() };
    assert!(matches!(corpus.search(&tenant_id("firm"), &bad).await, Err(CorpusError::QueryTooComplex(_))));
    corpus.shutdown().await;
}
