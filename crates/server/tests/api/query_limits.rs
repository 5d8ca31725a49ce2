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
    body["tenants"][0]["query_count"].clone()
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
