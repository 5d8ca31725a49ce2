//! Chronology and case brief: the same event stated in three documents is one row citing all
//! three, the exports parse; every sentence of a case brief cites an existing passage that
//! shares its key terms.

mod common;

#[path = "../examples/make_privilege_matter.rs"]
mod make_privilege_matter;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use common::{Env, RecordingMeter, RecordingRunMeter, inline, local, tenant_id, wait_job, wait_run};
use docket_corpus::Corpus;
use docket_corpus::agents::words::content_words;
use docket_corpus::agents::{AgentRun, Agents, RunRequest, RunScope, RunState};

const TENANT: &str = "hfl";

async fn open(env: &Env, sources: Vec<docket_corpus::Source>) -> (Corpus, Agents) {
    let corpus = env.open(&Arc::new(RecordingMeter::default())).await;
    let job = corpus.submit(&tenant_id(TENANT), "tester", sources).await.unwrap();
    let job = wait_job(&corpus, &tenant_id(TENANT), job.id).await;
    assert_eq!(job.failed, 0, "{:?}", job.errors);
    let agents = Agents::start(&corpus, Arc::new(RecordingRunMeter::default()), 2).await.unwrap();
    (corpus, agents)
}

async fn run(agents: &Agents, request: RunRequest) -> AgentRun {
    let run = agents.submit(&tenant_id(TENANT), "tester", request).await.unwrap();
    let run = wait_run(agents, &tenant_id(TENANT), run.summary.id).await;
    assert_eq!(run.summary.status, RunState::Succeeded, "{:?}", run.summary.error);
    run
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chronology_merges_one_event_stated_in_three_documents_and_exports_csv_and_markdown() {
    let env = Env::new();
    let (corpus, agents) = open(
        &env,
        vec![
            inline("harbor_log.txt", "On March 3, 2021 the MV Cape Orion arrived late at Port Newark."),
            inline(
                "ops_report.txt",
                "The MV Cape Orion arrived at Port Newark late on 3 March 2021, nine days behind schedule.",
            ),
            inline("claim_notes.txt", "Port Newark logged the late arrival of the MV Cape Orion on 2021-03-03."),
            inline("payments.txt", "On March 3, 2021 Harbor Freight paid invoice 2291 to Meridian Shipping."),
            inline("survey.txt", "The surveyor inspected the reefer containers on March 5, 2021."),
        ],
    )
    .await;
    let run = run(
        &agents,
        RunRequest {
            agent: "chronology".into(),
            question: None,
            scope: RunScope {
                from_ts: Some("2021-03-01".into()),
                to_ts: Some("2021-03-31".into()),
                ..Default::default()
            },
            options: serde_json::Value::Null,
        },
    )
    .await;
    let output = run.output.unwrap();
    let rows = output["rows"].as_array().unwrap();
    let descriptions: Vec<&str> = rows.iter().map(|r| r["description"].as_str().unwrap()).collect();
    assert_eq!(rows.len(), 3, "arrival (three documents), payment, survey: {descriptions:#?}");
    let arrival = rows.iter().find(|r| r["description"].as_str().unwrap().contains("Cape Orion")).unwrap();
    assert_eq!(arrival["date"], "2021-03-03");
    assert_eq!(arrival["document_ids"].as_array().unwrap().len(), 3, "{arrival}");
    assert_eq!(arrival["citations"].as_array().unwrap().len(), 3);
    for c in arrival["citations"].as_array().unwrap() {
        let id = c["document_id"].as_str().unwrap().parse().unwrap();
        let text = corpus.document(&tenant_id(TENANT), id).await.unwrap().unwrap().text;
        let cited = &text[c["start"].as_u64().unwrap() as usize..c["end"].as_u64().unwrap() as usize];
        assert!(cited.contains("Cape Orion"), "{cited}");
    }
    let payment = rows.iter().find(|r| r["description"].as_str().unwrap().contains("invoice")).unwrap();
    assert_eq!(payment["date"], "2021-03-03", "same day, another event: its own row");
    assert_eq!(run.summary.documents_examined, 5);

    let (media, bytes) = agents.export(&tenant_id(TENANT), run.summary.id, "csv").await.unwrap().unwrap();
    assert!(media.starts_with("text/csv"));
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        ["date", "time", "event", "documents", "document_ids", "citations", "entities"]
    );
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(records.len(), 3);
    let merged = records.iter().find(|r| r[2].contains("Cape Orion")).unwrap();
    assert_eq!(&merged[3], "3");
    assert_eq!(merged[4].split(';').count(), 3);

    let (media, bytes) = agents.export(&tenant_id(TENANT), run.summary.id, "md").await.unwrap().unwrap();
    assert!(media.starts_with("text/markdown"));
    let md = String::from_utf8(bytes).unwrap();
    let table: Vec<&str> = md.lines().filter(|l| l.starts_with('|')).collect();
    assert_eq!(table.len(), 2 + 3, "header, rule and one line per row:\n{md}");
    assert!(table.iter().skip(2).all(|l| l.matches(" | ").count() == 3), "four cells per line:\n{md}");

    let err = agents.export(&tenant_id(TENANT), run.summary.id, "xlsx").await.unwrap_err();
    assert_eq!(err.field(), Some("format"));
    agents.shutdown().await;
    corpus.shutdown().await;
}

/// Words a brief's own frame adds around an entity's name.
const FRAME: &[&str] = &["person", "organisation", "named", "documents", "retrieved"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_case_brief_sentence_cites_an_existing_passage_sharing_its_key_terms() {
    let env = Env::new();
    let folder = env.root.join("matter");
    std::fs::create_dir_all(&folder).unwrap();
    let matter = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/privilege_matter");
    for (name, _) in make_privilege_matter::files() {
        std::fs::copy(matter.join(name), folder.join(name)).unwrap();
    }
    let (corpus, agents) = open(&env, vec![local(&folder)]).await;
    let question = "Why did the Cape Orion arrive late, and what happened to the reefer containers?";
    let run = run(
        &agents,
        RunRequest {
            agent: "case_brief".into(),
            question: Some(question.into()),
            scope: RunScope::default(),
            options: serde_json::Value::Null,
        },
    )
    .await;
    let output = run.output.unwrap();
    let sections = output["sections"].as_array().unwrap();
    let titles: Vec<&str> = sections.iter().map(|s| s["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Summary", "Key facts", "Chronology", "People and organisations", "Open questions"]);
    let mut checked = 0;
    for section in sections {
        for sentence in section["sentences"].as_array().unwrap() {
            let text = sentence["text"].as_str().unwrap();
            let citations = sentence["citations"].as_array().unwrap();
            assert!(!citations.is_empty(), "uncited: {text}");
            let key: BTreeSet<String> =
                content_words(text).into_iter().filter(|w| !FRAME.contains(&w.as_str())).collect();
            for c in citations {
                let id = c["document_id"].as_str().unwrap().parse().unwrap();
                let doc = corpus
                    .document(&tenant_id(TENANT), id)
                    .await
                    .unwrap()
                    .unwrap_or_else(|| panic!("cited document {id} exists"));
                let (start, end) = (c["start"].as_u64().unwrap() as usize, c["end"].as_u64().unwrap() as usize);
                let cited =
                    doc.text.get(start..end).unwrap_or_else(|| panic!("citation {start}..{end} lies in the text"));
                let shared = key.intersection(&content_words(cited)).count();
                assert!(shared > 0 && shared * 2 >= key.len().min(4), "'{text}' is not supported by '{cited}'");
            }
            checked += 1;
        }
    }
    let summary = &sections[0]["sentences"];
    assert!(!summary.as_array().unwrap().is_empty(), "the question has an answer in the matter");
    assert!(sections[2]["sentences"].as_array().unwrap().len() >= 2, "dated events of the evidence");
    assert!(checked >= 8, "{checked} sentences");
    let terms = content_words(question);
    let first = summary[0]["text"].as_str().unwrap();
    assert!(content_words(first).intersection(&terms).count() >= 2, "the summary opens on the question: {first}");

    let (media, bytes) = agents.export(&tenant_id(TENANT), run.summary.id, "md").await.unwrap().unwrap();
    assert!(media.starts_with("text/markdown"));
    let md = String::from_utf8(bytes).unwrap();
    assert!(md.starts_with("# Case brief\n"));
    let bullets = md.lines().filter(|l| l.starts_with("- ")).count();
    assert_eq!(bullets, checked, "one bullet per sentence");
    assert!(md.lines().filter(|l| l.starts_with("- ")).all(|l| l.contains("[^")), "every bullet cites");
    agents.shutdown().await;
    corpus.shutdown().await;
}
