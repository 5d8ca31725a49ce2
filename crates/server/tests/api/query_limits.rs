//! Query limits, deadlines and streaming over real HTTP.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app_with};

/// Generous: a request not answered by then hangs (a correct answer takes milliseconds).
const ANSWERED_WITHIN: Duration = Duration::from_secs(10);

/// A tenant with documents to search; returns its id and a reader token.
async fn searchable_tenant(app: &TestApp, organization: &str, documents: usize) -> (String, String) {
    let body = app.onboard(organization, 10).await;
    let id = body["tenant_id"].as_str().unwrap().to_owned();
    let writer = app.token(Some(&id), &["CaseCoordinator"], &["ingest:write", "ingest:read"], &["docket-api"]);
    let reader = app.token(Some(&id), &["ResearchAnalyst"], &["ingest:read", "query:read"], &["docket-api"]);
    let sources: Vec<Value> = (0..documents)
        .map(|i| {
            json!({"type": "inline", "name": format!("invoice-{i}.txt"),
                "content": format!("Invoice {i} for the turbines was paid late. The invoice names the buyer.")})
        })
        .collect();
    let (status, job) = app.post("/ingest", &json!({ "sources": sources }), Some(&writer)).await;
    assert_eq!(status, 202, "{job}");
    let job_id = job["job_id"].as_str().unwrap().to_owned();
    for _ in 0..600 {
        let (status, job) = app.get(&format!("/ingest/{job_id}"), Some(&reader)).await;
        if status == 200 {
            assert_eq!(job["ingested"], documents, "{job}");
            return (id, reader);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("ingestion did not finish");
}

async fn search(app: &TestApp, token: &str, q: &str) -> (u16, Value) {
    let request = app.client.get(app.url("/query")).query(&[("q", q)]).bearer_auth(token).timeout(ANSWERED_WITHIN);
    let resp = request.send().await.expect("answered in time");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn queries_billed(app: &TestApp, tenant: &str) -> Value {
    let (_, body) = app.get(&format!("/billing/usage?tenant_id={tenant}"), Some(&app.csm_token())).await;
    body["tenants"][0]["queries"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_past_a_limit_is_refused_at_once_naming_it_and_not_billed() {
    let app = spawn_app_with(&[]).await;
    let (tenant, reader) = searchable_tenant(&app, "Limits Firm", 1).await;

    // Thirty levels: about a hundred bytes that Tantivy's grammar would parse for ever.
    let deep = format!("{}title:invoice{}", "(".repeat(30), ")".repeat(30));
    let (status, body) = search(&app, &reader, &deep).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "query_too_complex");
    assert_eq!(body["error"]["details"]["limit"], "depth");
    assert_eq!(body["error"]["details"]["value"], 30);
    assert_eq!(body["error"]["details"]["max"], 6);
    assert_eq!(body["error"]["details"]["fields"][0]["field"], "q");

    // The deepest nesting allowed is searched.
    let (status, body) = search(&app, &reader, "((((((invoice))))))").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["total_hits"], 1);

    let (status, body) = search(&app, &reader, &"invoice ".repeat(200)).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        (&body["error"]["details"]["limit"], &body["error"]["details"]["max"]),
        (&json!("length"), &json!(1024))
    );
    let (status, body) = search(&app, &reader, &"invoice ".repeat(65)).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!((&body["error"]["details"]["limit"], &body["error"]["details"]["value"]), (&json!("terms"), &json!(65)));

    // Only the query that executed is billed.
    assert_eq!(queries_billed(&app, &tenant).await, 1);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_past_its_deadline_answers_503_naming_it_and_is_not_billed() {
    // One millisecond: less than parsing the query below takes.
    let app = spawn_app_with(&["--query-timeout-ms", "1"]).await;
    let (tenant, reader) = searchable_tenant(&app, "Deadline Firm", 1).await;
    let heavy = format!("{}{}{}", "(".repeat(6), vec!["indemnification"; 60].join(" "), ")".repeat(6));
    let (status, body) = search(&app, &reader, &heavy).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "query_deadline_exceeded");
    assert_eq!(body["error"]["details"]["deadline_ms"], 1);
    assert_eq!(queries_billed(&app, &tenant).await, 0);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_search_sends_hits_as_lines_then_the_summary() {
    let app = spawn_app_with(&[]).await;
    let (tenant, reader) = searchable_tenant(&app, "Stream Firm", 30).await;
    let mut resp = app
        .client
        .get(app.url("/query?q=invoice&page_size=30&stream=true"))
        .bearer_auth(&reader)
        .timeout(ANSWERED_WITHIN)
        .send()
        .await
        .expect("answered in time");
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/x-ndjson");
    assert!(resp.headers().get("content-length").is_none(), "a streamed body has no length up front");
    // The first line arrives as a chunk of its own, before the body ends.
    let first = resp.chunk().await.expect("a chunk").expect("the first chunk");
    let first = std::str::from_utf8(&first).expect("UTF-8");
    assert!(first.ends_with('\n'), "{first}");
    let line: Value = serde_json::from_str(first.lines().next().expect("a line")).expect("JSON");
    assert_eq!(line["type"], "hit", "{line}");
    let mut rest = String::from(first);
    while let Some(chunk) = resp.chunk().await.expect("a chunk") {
        rest.push_str(std::str::from_utf8(&chunk).expect("UTF-8"));
    }
    let lines: Vec<Value> = rest.lines().map(|l| serde_json::from_str(l).expect("JSON line")).collect();
    assert_eq!(lines.len(), 31);
    assert!(lines[..30].iter().all(|l| l["type"] == "hit"));
    assert_eq!(lines[30]["type"], "summary");
    assert_eq!(lines[30]["total_hits"], 30);
    assert_eq!(queries_billed(&app, &tenant).await, 1);
    app.stop().await;
}
