//! The document core over HTTP: ingestion of every format, dedup and billing, path escapes,
//! tenant isolation, search, timeline and entities, each metered exactly.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app_with};

fn demo_matter() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/matter")
}

/// A matter folder: the demo matter, a duplicate, a corrupt PDF and an unsupported file.
fn matter(root: &Path) -> PathBuf {
    let dir = root.join("matter");
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(demo_matter()).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name == "README.md" {
            continue;
        }
        std::fs::copy(entry.path(), dir.join(&name)).unwrap();
    }
    std::fs::copy(dir.join("05_2021-03-10_hfl_meeting_notes.txt"), dir.join("copy_of_notes.txt")).unwrap();
    std::fs::write(dir.join("broken.pdf"), b"%PDF-1.4\n1 0 obj << /Type /Catalog").unwrap();
    std::fs::write(dir.join("image.bmp"), b"BM not a document").unwrap();
    dir
}

pub(crate) struct Tenant {
    pub(crate) writer: String,
    pub(crate) reader: String,
}

pub(crate) async fn tenant(app: &TestApp, organization: &str) -> Tenant {
    let body = app.onboard(organization, 10).await;
    let id = body["tenant_id"].as_str().unwrap().to_owned();
    Tenant {
        writer: app.token(Some(&id), &["CaseCoordinator"], &["ingest:write", "ingest:read"], &["docket-api"]),
        reader: app.token(
            Some(&id),
            &["ResearchAnalyst"],
            &["ingest:read", "query:read", "timeline:read"],
            &["docket-api"],
        ),
    }
}

pub(crate) async fn wait_for_job(app: &TestApp, token: &str, job_id: &str) -> Value {
    for _ in 0..600 {
        let (status, job) = app.get(&format!("/ingest/{job_id}"), Some(token)).await;
        match status {
            // A finished job is metered just after; its usage is read only once it was.
            200 if job["metered"] == true => return job,
            200 | 202 => tokio::time::sleep(Duration::from_millis(50)).await,
            other => panic!("job status {other}: {job}"),
        }
    }
    panic!("job {job_id} did not finish and get metered");
}

async fn usage(app: &TestApp, tenant: &str) -> Value {
    // Read after `wait_for_job`, which waits for the job's usage to be recorded.
    let (_, body) = app.get(&format!("/billing/usage?tenant_id={tenant}"), Some(&app.csm_token())).await;
    body["tenants"][0].clone()
}

#[tokio::test]
async fn a_matter_is_ingested_searched_and_billed_once() {
    let roots = tempfile::tempdir().unwrap();
    let folder = matter(roots.path());
    let app = spawn_app_with(&["--ingest-roots", &format!("*={}", roots.path().display())]).await;
    let a = tenant(&app, "Harbor Counsel").await;

    let (status, job) =
        app.post("/ingest", &json!({"sources": [{"type": "local", "path": folder}]}), Some(&a.writer)).await;
    assert_eq!(status, 202, "{job}");
    let job = wait_for_job(&app, &a.reader, job["job_id"].as_str().unwrap()).await;
    assert_eq!(job["status"], "partially_failed", "{job}");
    assert_eq!(job["duplicates"], 1, "{job}");
    assert_eq!(job["failed"], 2, "the corrupt PDF and the unsupported file: {job}");
    let errors = job["errors"].to_string();
    assert!(errors.contains("broken.pdf") && errors.contains("image.bmp"), "{errors}");
    let ingested = job["ingested"].as_u64().unwrap();
    assert!(ingested >= 10, "every demo file and the attachments: {job}");

    // Every format is there, attachments as children with their parent.
    let (_, docs) = app.get("/documents?page_size=200", Some(&a.reader)).await;
    let list = docs["documents"].as_array().unwrap();
    assert_eq!(list.len() as u64, ingested);
    for parser in ["text", "markdown", "html", "email", "pdf", "docx"] {
        assert!(list.iter().any(|d| d["parser"] == parser), "no {parser} document: {docs}");
    }
    let child = list.iter().find(|d| d["source_type"] == "attachment").expect("an attachment");
    assert!(child["parent_id"].is_string());
    let (status, detail) = app.get(&format!("/documents/{}", list[0]["id"].as_str().unwrap()), Some(&a.reader)).await;
    assert_eq!(status, 200);
    assert!(!detail["text"].as_str().unwrap().is_empty());

    // Billed: the bytes of the documents stored, once; the duplicate is not.
    let stored: u64 =
        list.iter().filter(|d| d["source_type"] != "attachment").map(|d| d["bytes"].as_u64().unwrap()).sum();
    let u = usage(&app, "harbor-counsel").await;
    assert_eq!(u["ingest_bytes"].as_u64().unwrap(), job["bytes"].as_u64().unwrap());
    assert!(u["ingest_bytes"].as_u64().unwrap() >= stored);

    // The same folder again: all duplicates, nothing more billed.
    let (_, again) =
        app.post("/ingest", &json!({"sources": [{"type": "local", "path": folder}]}), Some(&a.writer)).await;
    let again = wait_for_job(&app, &a.reader, again["job_id"].as_str().unwrap()).await;
    assert_eq!(again["ingested"], 0, "{again}");
    assert_eq!(again["bytes"], 0);
    assert_eq!(usage(&app, "harbor-counsel").await["ingest_bytes"], u["ingest_bytes"]);

    // Search: evidence with highlights and citations, an answer, and one metered query each.
    let (status, found) = app.get("/query?q=invoice", Some(&a.reader)).await;
    assert_eq!(status, 200, "{found}");
    assert!(found["total_hits"].as_u64().unwrap() > 0);
    let hit = &found["results"][0];
    assert!(hit["citation"]["document_id"].is_string());
    assert!(!hit["passage"]["highlights"].as_array().unwrap().is_empty());
    assert!(!found["answer"].as_array().unwrap().is_empty());
    let (status, none) = app.get("/query?q=zeppelinxyz", Some(&a.reader)).await;
    assert_eq!(status, 200);
    assert_eq!(none["total_hits"], 0);
    let (status, bad) = app.get("/query?q=%28unbalanced", Some(&a.reader)).await;
    assert_eq!(status, 400, "{bad}");
    let (status, _) = app.get("/query?q=", Some(&a.reader)).await;
    assert_eq!(status, 400);
    let resp = app.client.get(app.url("/query?q=invoice&stream=true")).bearer_auth(&a.reader).send().await.unwrap();
    assert_eq!(resp.headers()["content-type"], "application/x-ndjson");
    let text = resp.text().await.unwrap();
    let last: Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(last["type"], "summary");
    assert_eq!(text.lines().count() as u64, 1 + found["results"].as_array().unwrap().len() as u64);
    assert_eq!(
        usage(&app, "harbor-counsel").await["queries"],
        3,
        "three executed queries; the malformed ones are not billed"
    );

    // Timeline: every event exactly once across pages, each request metered.
    let mut cursor: Option<String> = None;
    let mut ids = std::collections::HashSet::new();
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/timeline?limit=3&cursor={c}"),
            None => "/timeline?limit=3".to_owned(),
        };
        let (status, page) = app.get(&path, Some(&a.reader)).await;
        assert_eq!(status, 200, "{page}");
        pages += 1;
        for e in page["events"].as_array().unwrap() {
            assert!(ids.insert(e["id"].as_str().unwrap().to_owned()), "event twice: {e}");
            assert!(!e["citations"].as_array().unwrap().is_empty());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert!(ids.len() >= 5, "{} events", ids.len());
    assert_eq!(usage(&app, "harbor-counsel").await["timeline_requests"], pages);
    let (status, _) = app.get("/timeline?cursor=garbage", Some(&a.reader)).await;
    assert_eq!(status, 400);

    // Entities and their graph.
    let (status, entities) = app.get("/entities?q=meridian", Some(&a.reader)).await;
    assert_eq!(status, 200);
    let first = &entities.as_array().unwrap()[0];
    let (status, graph) =
        app.get(&format!("/graph/neighbor?id={}", first["id"].as_str().unwrap()), Some(&a.reader)).await;
    assert_eq!(status, 200, "{graph}");
    assert!(!graph["documents"].as_array().unwrap().is_empty());
    assert_eq!(app.get("/graph/neighbor?id=nope", Some(&a.reader)).await.0, 404);

    // Another tenant sees none of it.
    let b = tenant(&app, "Other Chambers").await;
    let (_, docs_b) = app.get("/documents", Some(&b.reader)).await;
    assert_eq!(docs_b["total"], 0);
    let (_, hits_b) = app.get("/query?q=invoice", Some(&b.reader)).await;
    assert_eq!(hits_b["total_hits"], 0);
    let (_, events_b) = app.get("/timeline", Some(&b.reader)).await;
    assert_eq!(events_b["events"].as_array().unwrap().len(), 0);
    let (_, entities_b) = app.get("/entities?q=meridian", Some(&b.reader)).await;
    assert_eq!(entities_b.as_array().unwrap().len(), 0);
    let doc_a = list[0]["id"].as_str().unwrap();
    assert_eq!(app.get(&format!("/documents/{doc_a}"), Some(&b.reader)).await.0, 404);
    assert_eq!(app.get(&format!("/ingest/{}", job["job_id"].as_str().unwrap()), Some(&b.reader)).await.0, 404);
}

#[tokio::test]
async fn paths_outside_the_roots_are_refused_and_named() {
    let roots = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "not yours").unwrap();
    let inside = roots.path().join("inside");
    std::fs::create_dir_all(&inside).unwrap();
    std::os::unix::fs::symlink(outside.path(), inside.join("escape")).unwrap();
    let app = spawn_app_with(&["--ingest-roots", &format!("*={}", roots.path().display())]).await;
    let a = tenant(&app, "Careful Firm").await;
    for path in [
        outside.path().join("secret.txt"),
        roots.path().join("inside/../../").join(outside.path().file_name().unwrap()).join("secret.txt"),
        inside.join("escape/secret.txt"),
    ] {
        let (status, body) =
            app.post("/ingest", &json!({"sources": [{"type": "local", "path": path}]}), Some(&a.writer)).await;
        assert_eq!(status, 422, "{}: {body}", path.display());
        assert_eq!(body["error"]["details"]["fields"][0]["field"], "sources[0].path", "{body}");
    }
}

#[tokio::test]
async fn uploads_and_inline_text_are_ingested() {
    let app = spawn_app_with(&[]).await;
    let a = tenant(&app, "Upload Firm").await;
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"The deposition of Mr. John Smith is set for March 3, 2021.".to_vec())
                .file_name("notice.txt"),
        )
        .part(
            "file",
            reqwest::multipart::Part::bytes(
                std::fs::read(demo_matter().join("07_2021-03-18_demand_letter.pdf")).unwrap(),
            )
            .file_name("demand.pdf"),
        );
    let resp = app.client.post(app.url("/documents")).bearer_auth(&a.writer).multipart(form).send().await.unwrap();
    assert_eq!(resp.status(), 202);
    let job: Value = resp.json().await.unwrap();
    let job = wait_for_job(&app, &a.reader, job["job_id"].as_str().unwrap()).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!(job["ingested"], 2);

    let inline = json!({"sources": [{"type": "inline", "name": "memo.md", "content": "# Memo\nSettlement of $250,000 agreed on 4 May 2021."}]});
    let (status, job) = app.post("/ingest", &inline, Some(&a.writer)).await;
    assert_eq!(status, 202);
    let job = wait_for_job(&app, &a.reader, job["job_id"].as_str().unwrap()).await;
    assert_eq!(job["ingested"], 1);
    let (_, found) = app.get("/query?q=settlement", Some(&a.reader)).await;
    assert_eq!(found["total_hits"], 1);

    // Role, scope and registration are enforced.
    let analyst = app.token(Some("upload-firm"), &["ResearchAnalyst"], &["ingest:write"], &["docket-api"]);
    assert_eq!(app.post("/ingest", &inline, Some(&analyst)).await.0, 403);
    let stranger = app.token(Some("never-onboarded"), &["CaseCoordinator"], &["ingest:write"], &["docket-api"]);
    assert_eq!(app.post("/ingest", &inline, Some(&stranger)).await.0, 403);
    let (status, body) = app.post("/ingest", &json!({"sources": []}), Some(&a.writer)).await;
    assert_eq!(status, 422, "{body}");
    let (status, _) = app.post("/ingest", &json!({"sources": [{"type": "ftp", "path": "x"}]}), Some(&a.writer)).await;
    assert_eq!(status, 422);
}
