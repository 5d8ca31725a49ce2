//! The query language and the result shape over real HTTP: what reviewers type, one result per
//! document, e-mail fields, syntax errors naming their position.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app_with};

const MAIL: &str = "From: Alice Baker <alice.baker@harbor.example>\r\n\
To: Bob Stone <bob.stone@freight.example>\r\n\
Subject: Quarterly escrow reconciliation\r\n\
Date: Tue, 3 Mar 2026 10:15:00 -0500\r\n\
Content-Type: text/plain; charset=utf-8\r\n\r\n\
Please find the figures below. The numbers match last month's statement.\r\n";

/// A tenant holding `sources` (inline name, content); returns a reader token.
async fn tenant_with(app: &TestApp, organization: &str, sources: &[(&str, String)]) -> String {
    let body = app.onboard(organization, 10).await;
    let id = body["tenant_id"].as_str().unwrap().to_owned();
    let writer = app.token(Some(&id), &["CaseCoordinator"], &["ingest:write", "ingest:read"], &["docket-api"]);
    let reader = app.token(Some(&id), &["ResearchAnalyst"], &["ingest:read", "query:read"], &["docket-api"]);
    let sources: Vec<Value> =
        sources.iter().map(|(name, content)| json!({"type": "inline", "name": name, "content": content})).collect();
    let (status, job) = app.post("/ingest", &json!({ "sources": sources }), Some(&writer)).await;
    assert_eq!(status, 202, "{job}");
    let job_id = job["job_id"].as_str().unwrap().to_owned();
    for _ in 0..600 {
        let (status, job) = app.get(&format!("/ingest/{job_id}"), Some(&reader)).await;
        if status == 200 {
            assert_eq!(job["ingested"], sources.len(), "{job}");
            return reader;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("ingestion did not finish");
}

async fn search(app: &TestApp, token: &str, params: &[(&str, &str)]) -> (u16, Value) {
    let request = app.client.get(app.url("/query")).query(params).bearer_auth(token).timeout(Duration::from_secs(10));
    let resp = request.send().await.expect("answered");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

fn sources_of(body: &Value) -> Vec<String> {
    body["results"].as_array().unwrap().iter().map(|h| h["source"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_reviewers_type_is_searched_and_documents_come_once() {
    let app = spawn_app_with(&[]).await;
    let long: String = (0..30).map(|i| format!("Point {i} of the O'Brien deposition was read. ")).collect();
    let reader = tenant_with(
        &app,
        "Query Firm",
        &[
            ("transcript.txt", long),
            ("memo.txt", "Smith's memo cites exhibit [PB61]. Die Frösche and the conﬁguration ﬁle.".into()),
            ("other.txt", "The deposition of Mr. Smith was postponed.".into()),
            ("mail.eml", MAIL.into()),
        ],
    )
    .await;

    for (q, expected) in [
        ("O'Brien", "transcript.txt"),
        ("Smith's", "memo.txt"),
        ("[PB61]", "memo.txt"),
        ("Frosche", "memo.txt"),
        ("configuration", "memo.txt"),
        ("from:alice", "mail.eml"),
        ("subject:quarterly", "mail.eml"),
        ("to:stone", "mail.eml"),
    ] {
        let (status, body) = search(&app, &reader, &[("q", q)]).await;
        assert_eq!(status, 200, "{q}: {body}");
        assert_eq!(sources_of(&body), [expected], "{q}: {body}");
    }

    // One result per document; the transcript's many passages do not fill the page.
    let (status, body) = search(&app, &reader, &[("q", "deposition O'Brien")]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["total_hits"], 2, "{body}");
    assert_eq!(sources_of(&body), ["transcript.txt", "other.txt"]);
    let top = &body["results"][0];
    assert_eq!(top["passages"].as_array().unwrap().len(), 3, "{top}");
    assert!(top["matching_passages"].as_u64().unwrap() >= 8, "{top}");
    assert_eq!(top["missing_terms"], json!([]));
    assert_eq!(body["results"][1]["missing_terms"], json!(["O'Brien"]));

    // group=passage keeps one result per passage.
    let (status, body) =
        search(&app, &reader, &[("q", "deposition"), ("group", "passage"), ("page_size", "100")]).await;
    assert_eq!(status, 200, "{body}");
    let passages = body["results"].as_array().unwrap();
    assert_eq!(body["total_hits"].as_u64().unwrap(), passages.len() as u64);
    assert!(passages.len() >= 9, "{body}");
    let (status, body) = search(&app, &reader, &[("q", "deposition"), ("group", "chapter")]).await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_syntax_error_is_a_400_naming_its_position() {
    let app = spawn_app_with(&[]).await;
    let reader = tenant_with(&app, "Syntax Firm", &[("a.txt", "The escrow was released.".into())]).await;
    for (q, at) in [("escrow (released", 7), ("Frösche) escrow", 7)] {
        let (status, body) = search(&app, &reader, &[("q", q)]).await;
        assert_eq!(status, 400, "{q}: {body}");
        assert_eq!(body["error"]["code"], "invalid_query", "{body}");
        assert_eq!(body["error"]["details"]["position"], at, "{q}: {body}");
        assert_eq!(body["error"]["details"]["fields"][0]["field"], "q", "{body}");
    }
    let (status, body) = search(&app, &reader, &[("q", "-escrow")]).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "invalid_query", "{body}");
}
