//! `stream=true` over real HTTP: hits leave while the search is still producing them, and a
//! client that hangs up cancels the search.
//!
//! Both tests hold the search back with the client's own reading: a page whose body is far
//! larger than everything between the search and the client can hold (the search's channel,
//! the HTTP buffers and the sockets' buffers), so the search cannot produce its last hit
//! until the client has read most of the first ones.

use std::time::Duration;

use serde_json::{Value, json};

use crate::auth::captured_logs;
use crate::helpers::{TestApp, spawn_app_with};

/// Generous: a request not answered by then hangs.
const ANSWERED_WITHIN: Duration = Duration::from_secs(30);
/// Hits on the page (the most a page holds).
const HITS: usize = 100;
/// The document's title, repeated in every hit, makes each line this long at least.
const TITLE_BYTES: usize = 256 * 1024;
/// Deadline of every search: far longer than the tests, so nothing stops a search but its client.
const QUERY_TIMEOUT_MS: &str = "600000";

/// A tenant holding one HTML document with a huge title and at least [`HITS`] passages
/// matching "turbine"; returns its id and a reader token.
async fn tenant_with_a_heavy_page(app: &TestApp, organization: &str) -> (String, String) {
    let body = app.onboard(organization, 10).await;
    let id = body["tenant_id"].as_str().expect("tenant id").to_owned();
    let writer = app.token(Some(&id), &["CaseCoordinator"], &["ingest:write", "ingest:read"], &["docket-api"]);
    let reader = app.token(Some(&id), &["ResearchAnalyst"], &["ingest:read", "query:read"], &["docket-api"]);
    let paragraphs: String = (0..2 * HITS)
        .map(|i| {
            format!("<p>Turbine {i} was delivered late to the buyer. The buyer withheld payment number {i}.</p>\n")
        })
        .collect();
    let html = format!("<html><head><title>{}</title></head><body>{paragraphs}</body></html>", "x".repeat(TITLE_BYTES));
    let source = json!({"type": "inline", "name": "deliveries.html", "content": html});
    let (status, job) = app.post("/ingest", &json!({ "sources": [source] }), Some(&writer)).await;
    assert_eq!(status, 202, "{job}");
    let job_id = job["job_id"].as_str().expect("job id").to_owned();
    for _ in 0..1200 {
        let (status, job) = app.get(&format!("/ingest/{job_id}"), Some(&reader)).await;
        if status == 200 {
            assert_eq!(job["ingested"], 1, "{job}");
            return (id, reader);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("ingestion did not finish");
}

const PAGE: &str = "/query?q=turbine&group=passage&page_size=100";

/// The most bytes a socket may buffer for sending on this machine (`tcp_wmem`'s maximum).
fn socket_buffer_max() -> usize {
    std::fs::read_to_string("/proc/sys/net/ipv4/tcp_wmem")
        .ok()
        .and_then(|s| s.split_whitespace().last().and_then(|n| n.parse().ok()))
        .unwrap_or(4 << 20)
}

/// Read the body until its first full line; returns that line and what came after it.
async fn first_line(resp: &mut reqwest::Response) -> (Value, String) {
    let mut read = String::new();
    while !read.contains('\n') {
        let chunk = resp.chunk().await.expect("a chunk").expect("the body goes on");
        read.push_str(std::str::from_utf8(&chunk).expect("UTF-8"));
    }
    let (line, rest) = read.split_once('\n').expect("a line");
    (serde_json::from_str(line).expect("a JSON line"), rest.to_owned())
}

async fn open_stream(app: &TestApp, reader: &str) -> reqwest::Response {
    let resp = app
        .client
        .get(app.url(&format!("{PAGE}&stream=true")))
        .bearer_auth(reader)
        .timeout(ANSWERED_WITHIN)
        .send()
        .await
        .expect("answered");
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/x-ndjson");
    resp
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hits_leave_while_the_search_is_still_producing_them() {
    let app = spawn_app_with(&["--query-timeout-ms", QUERY_TIMEOUT_MS]).await;
    let (_, reader) = tenant_with_a_heavy_page(&app, "Streaming Firm").await;
    // Precondition of the proof: all that can sit between the search and this test (the
    // search's 16-event channel, hyper's 16 queued writes on either side, the server's send
    // buffer, and the receive buffer, which the kernel grows only as the client reads) is
    // smaller than the page, so the search stalls until the test reads on.
    let in_flight = 40 * TITLE_BYTES + socket_buffer_max() + (4 << 20);
    assert!(HITS * TITLE_BYTES > in_flight, "the page must not fit in the buffers: {in_flight} bytes");

    let whole = app.client.get(app.url(PAGE)).bearer_auth(&reader).timeout(ANSWERED_WITHIN).send().await;
    let whole: Value = whole.expect("answered").json().await.expect("a JSON page");
    let expected = whole["results"].as_array().expect("results");
    assert_eq!(expected.len(), HITS, "a full page");

    let mut resp = open_stream(&app, &reader).await;
    let (first, mut rest) = first_line(&mut resp).await;
    assert_eq!(first["type"], "hit", "{first}");
    // Nothing is read for a while: a search that streams is held back meanwhile, one that
    // built its whole body before sending would have finished already.
    let pause = Duration::from_secs(3);
    tokio::time::sleep(pause).await;
    while let Some(chunk) = resp.chunk().await.expect("a chunk") {
        rest.push_str(std::str::from_utf8(&chunk).expect("UTF-8"));
    }
    let mut lines: Vec<Value> = vec![first];
    lines.extend(rest.lines().map(|l| serde_json::from_str::<Value>(l).expect("a JSON line")));
    let summary = lines.pop().expect("a summary line");
    assert_eq!(summary["type"], "summary", "{summary}");
    assert_eq!(summary["total_hits"], whole["total_hits"]);
    assert_eq!(summary["answer"], whole["answer"]);
    let took = summary["took_ms"].as_u64().expect("took_ms");
    assert!(
        took >= pause.as_millis() as u64,
        "the search ended {took} ms after it started, before the client read on: its body was built before sending"
    );
    // The same hits, in the same order, as the page answered whole.
    assert!(lines.iter().all(|l| l["type"] == "hit"));
    let streamed: Vec<&Value> = lines.iter().map(|l| &l["hit"]).collect();
    assert_eq!(streamed.len(), HITS);
    for (i, (got, want)) in streamed.iter().zip(expected).enumerate() {
        assert_eq!(*got, want, "hit {i} differs from the whole page's");
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_hanging_up_cancels_its_search_and_the_server_answers_on() {
    let logs = captured_logs();
    let app = spawn_app_with(&["--query-timeout-ms", QUERY_TIMEOUT_MS]).await;
    let (tenant, reader) = tenant_with_a_heavy_page(&app, "Hang-up Firm").await;

    let mut resp = open_stream(&app, &reader).await;
    let (first, _) = first_line(&mut resp).await;
    assert_eq!(first["type"], "hit", "{first}");
    // The search now waits for this client to read; the client goes away instead.
    drop(resp);

    let cancelled = |text: &str| {
        text.lines().any(|l| l.contains("search cancelled: the client went away") && l.contains(tenant.as_str()))
    };
    let mut seen = false;
    for _ in 0..200 {
        if cancelled(&String::from_utf8_lossy(&logs.lock().expect("logs"))) {
            seen = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(seen, "the search of a client that hung up was not cancelled (no log line within 10 s)");

    // The server answers on, the same search included.
    let whole = app.client.get(app.url(PAGE)).bearer_auth(&reader).timeout(ANSWERED_WITHIN).send().await;
    let whole = whole.expect("answered");
    assert_eq!(whole.status(), 200);
    let whole: Value = whole.json().await.expect("a JSON page");
    assert_eq!(whole["results"].as_array().map(Vec::len), Some(HITS));
    app.stop().await;
}
