//! Privilege review on the labelled matter under `tests/fixtures/privilege_matter/`: precision
//! and recall for "privileged" of at least 0.9, signals cited to their place, and a privilege
//! log whose descriptions reveal nothing of the documents' content.

mod common;

#[path = "../examples/make_privilege_matter.rs"]
mod make_privilege_matter;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::{Env, RecordingMeter, RecordingRunMeter, local, tenant_id, wait_job, wait_run};
use docket_corpus::agents::{Agents, CounselList, RunRequest, RunState};

const TENANT: &str = "hfl";
const CALLS: [&str; 3] = ["privileged", "needs_review", "not_privileged"];

fn matter_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/privilege_matter")
}

fn counsel() -> CounselList {
    CounselList {
        names: vec!["Dana Whitfield".into(), "Owen Bell".into(), "Priya Natarajan".into()],
        emails: vec!["pnatarajan@hfl.example".into()],
        domains: vec!["whitfieldbell.example".into()],
        client_domains: vec!["hfl.example".into()],
    }
}

#[test]
fn generated_files_are_current() {
    for (name, bytes) in make_privilege_matter::files() {
        let committed = std::fs::read(matter_dir().join(name)).unwrap_or_default();
        assert!(
            committed == bytes,
            "{name} is stale: run `cargo run -p docket-corpus --example make_privilege_matter`"
        );
    }
    let labels = std::fs::read_to_string(matter_dir().join("labels.csv")).unwrap_or_default();
    assert_eq!(labels, make_privilege_matter::labels_csv(), "labels.csv is stale");
}

fn request(agent: &str) -> RunRequest {
    RunRequest { agent: agent.into(), question: None, scope: Default::default(), options: serde_json::Value::Null }
}

/// The matter ingested for TENANT, and the agent runner over it.
async fn matter() -> (Env, docket_corpus::Corpus, Agents, Arc<RecordingRunMeter>) {
    let env = Env::new();
    let folder = env.root.join("matter");
    std::fs::create_dir_all(&folder).unwrap();
    for (name, _) in make_privilege_matter::files() {
        std::fs::copy(matter_dir().join(name), folder.join(name)).unwrap();
    }
    let corpus = env.open(&Arc::new(RecordingMeter::default())).await;
    let job = corpus.submit(&tenant_id(TENANT), "tester", vec![local(&folder)]).await.unwrap();
    let job = wait_job(&corpus, &tenant_id(TENANT), job.id).await;
    assert_eq!(job.failed, 0, "{:?}", job.errors);
    let run_meter = Arc::new(RecordingRunMeter::default());
    let agents = Agents::start(&corpus, run_meter.clone(), 2).await.unwrap();
    (env, corpus, agents, run_meter)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn privilege_review_reaches_the_labels_and_cites_its_signals() {
    let (_env, corpus, agents, run_meter) = matter().await;
    agents.set_counsel(&tenant_id(TENANT), counsel()).await.unwrap();
    let run = agents.submit(&tenant_id(TENANT), "reviewer", request("privilege_review")).await.unwrap();
    let run = wait_run(&agents, &tenant_id(TENANT), run.summary.id).await;
    assert_eq!(run.summary.status, RunState::Succeeded, "{:?}", run.summary.error);
    let output = run.output.clone().expect("output");

    let labels: HashMap<String, String> = make_privilege_matter::labels()
        .into_iter()
        .map(|(name, label, _)| (name.to_owned(), label.to_owned()))
        .collect();
    let mut matrix: BTreeMap<(String, String), u32> = BTreeMap::new();
    let mut seen = HashSet::new();
    let mut wrong = Vec::new();
    let documents = output["documents"].as_array().expect("documents");
    assert_eq!(documents.len(), labels.len(), "every document of the matter reviewed once");
    assert_eq!(run.summary.documents_examined, labels.len() as u64);
    for d in documents {
        let source = d["source"].as_str().unwrap();
        let name = source.rsplit('/').next().unwrap();
        let expected = labels.get(name).unwrap_or_else(|| panic!("no label for {name}"));
        let call = d["call"].as_str().unwrap();
        seen.insert(name.to_owned());
        *matrix.entry((expected.clone(), call.to_owned())).or_default() += 1;
        if call != expected {
            wrong.push(format!("{name}: expected {expected}, called {call} ({})", d["reason"]));
        }
        // Every signal cited in the text points at the words it names.
        let id = d["document_id"].as_str().unwrap().parse().unwrap();
        let text = corpus.document(&tenant_id(TENANT), id).await.unwrap().unwrap().text;
        for s in d["signals"].as_array().unwrap() {
            if let Some(c) = s["citation"].as_object() {
                let (start, end) = (c["start"].as_u64().unwrap() as usize, c["end"].as_u64().unwrap() as usize);
                let cited =
                    text.get(start..end).unwrap_or_else(|| panic!("{name}: citation {start}..{end} out of the text"));
                assert_eq!(cited.trim(), s["evidence"].as_str().unwrap(), "{name}");
            } else {
                assert!(s["field"].is_string(), "{name}: a signal is cited to the text or to a header: {s}");
            }
        }
        if call == "privileged" {
            assert!(!d["basis"].as_array().unwrap().is_empty(), "{name}: a privileged call names its basis");
        }
    }
    assert_eq!(seen.len(), labels.len());

    println!("confusion matrix (rows: expected, columns: called)");
    println!("{:>16} {:>12} {:>14} {:>16}", "", CALLS[0], CALLS[1], CALLS[2]);
    for expected in CALLS {
        let row: Vec<u32> =
            CALLS.iter().map(|c| matrix.get(&(expected.to_owned(), (*c).to_owned())).copied().unwrap_or(0)).collect();
        println!("{expected:>16} {:>12} {:>14} {:>16}", row[0], row[1], row[2]);
    }
    let count = |e: Option<&str>, c: Option<&str>| -> u32 {
        matrix
            .iter()
            .filter(|((ex, ca), _)| e.is_none_or(|e| e == ex) && c.is_none_or(|c| c == ca))
            .map(|(_, n)| n)
            .sum()
    };
    let tp = count(Some("privileged"), Some("privileged")) as f64;
    let precision = tp / count(None, Some("privileged")) as f64;
    let recall = tp / count(Some("privileged"), None) as f64;
    println!("privileged: precision {precision:.3}, recall {recall:.3}; {} documents", labels.len());
    for w in &wrong {
        println!("  {w}");
    }
    assert!(precision >= 0.9 && recall >= 0.9, "precision {precision:.3}, recall {recall:.3}: {wrong:#?}");

    // The privilege log: one row per withheld document, through the CSV export.
    let (media_type, csv_bytes) = agents.export(&tenant_id(TENANT), run.summary.id, "csv").await.unwrap().unwrap();
    assert!(media_type.starts_with("text/csv"));
    let mut reader = csv::Reader::from_reader(csv_bytes.as_slice());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        [
            "control_number",
            "document_id",
            "source_file",
            "date",
            "author",
            "recipients",
            "document_type",
            "privilege_basis",
            "call",
            "description"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let withheld = count(None, Some("privileged")) + count(None, Some("needs_review"));
    assert_eq!(rows.len() as u32, withheld);
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(&row[0], format!("PRIV-{:06}", i + 1));
        let description = &row[9];
        assert!(!description.chars().any(|c| c.is_ascii_digit()), "a description states no figure: {description}");
        let id = row[1].parse().unwrap();
        let text = corpus.document(&tenant_id(TENANT), id).await.unwrap().unwrap().text.to_lowercase();
        let words: Vec<String> =
            text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_owned).collect();
        let trigrams: HashSet<String> = words.windows(3).map(|w| w.join(" ")).collect();
        let own: Vec<String> = description
            .to_lowercase()
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect();
        for w in own.windows(3) {
            let phrase = w.join(" ");
            // Generic legal phrases may occur in a document; quoting it may not.
            let generic = [
                "in anticipation of",
                "anticipation of litigation",
                "legal advice of",
                "of counsel in",
                "at the direction",
                "the direction of",
                "direction of counsel",
                "counsel in anticipation",
                "by or at",
                "or at the",
            ];
            assert!(
                generic.contains(&phrase.as_str()) || !trigrams.contains(&phrase),
                "the description of {} quotes the document: '{phrase}'",
                &row[2]
            );
        }
    }

    // Billed once, with the agent and the documents examined.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !agents.run(&tenant_id(TENANT), run.summary.id).await.unwrap().unwrap().summary.metered {
        assert!(std::time::Instant::now() < deadline, "the run was never marked metered");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let reports = run_meter.reports.lock().unwrap().clone();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].agent, "privilege_review");
    assert_eq!(reports[0].documents_examined, labels.len() as u64);
    agents.shutdown().await;
    corpus.shutdown().await;
}
