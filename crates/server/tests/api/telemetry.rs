//! Telemetry over real transports: `GET /metrics` after known usage, the token it can
//! require, and the OTLP/HTTP push decoded by a receiver built on the official protobuf
//! definitions (opentelemetry-proto).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::metrics::v1::{metric, number_data_point};
use prost::Message;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app_with};

/// Known usage: a community tenant (500 queries included) with 410 billed queries (a soft
/// alert at 82 %), 2 timeline requests, one inline ingestion, one real query and one real
/// timeline request. Returns the tenant id and the request id of the events request.
async fn known_usage(app: &TestApp, organization: &str) -> (String, String) {
    let body = app.onboard(organization, 3).await;
    let tenant = body["tenant_id"].as_str().expect("tenant id").to_owned();
    let mut events: Vec<Value> = (0..408)
        .map(|i| json!({"event_id": format!("q-{i}"), "tenant_id": tenant, "kind": "query", "latency_ms": 12}))
        .collect();
    events.extend(
        (0..2)
            .map(|i| json!({"event_id": format!("t-{i}"), "tenant_id": tenant, "kind": "timeline", "latency_ms": 30})),
    );
    let batch = json!({ "events": events });
    let resp = app
        .client
        .post(app.url("/billing/events"))
        .bearer_auth(app.service_token())
        .json(&batch)
        .send()
        .await
        .expect("events sent");
    assert_eq!(resp.status(), 200);
    let request_id = resp.headers()["x-request-id"].to_str().expect("request id").to_owned();
    // The same batch again: duplicates, billed once, counted once.
    let (status, again) = app.post("/billing/events", &batch, Some(&app.service_token())).await;
    assert_eq!((status, again), (200, json!({"recorded": 0, "duplicates": 410})));

    let writer = app.token(Some(&tenant), &["CaseCoordinator"], &["ingest:write", "ingest:read"], &["docket-api"]);
    let reader = app.token(Some(&tenant), &["ResearchAnalyst"], &["query:read", "timeline:read"], &["docket-api"]);
    let content = "Settlement of $250,000 agreed on 4 May 2021 with Globex.";
    let inline = json!({"sources": [{"type": "inline", "name": "memo.txt", "content": content}]});
    let (status, job) = app.post("/ingest", &inline, Some(&writer)).await;
    assert_eq!(status, 202, "{job}");
    let job_id = job["job_id"].as_str().expect("job id").to_owned();
    let mut finished = false;
    for _ in 0..400 {
        let (status, job) = app.get(&format!("/ingest/{job_id}"), Some(&writer)).await;
        if status == 200 && job["metered"] == true {
            finished = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(finished, "the ingestion job was not finished and metered in 20 s");
    let (status, found) = app.get("/query?q=settlement", Some(&reader)).await;
    assert_eq!(status, 200, "{found}");
    let (status, timeline) = app.get("/timeline", Some(&reader)).await;
    assert_eq!(status, 200, "{timeline}");
    (tenant, request_id)
}

/// The value of the one sample of `name` carrying every label of `labels`.
pub(crate) fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let mut found = None;
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let Some((series, value)) = line.rsplit_once(' ') else { continue };
        let (metric, rest) = series.split_once('{').unwrap_or((series, ""));
        if metric != name || !labels.iter().all(|(k, v)| rest.contains(&format!("{k}=\"{v}\""))) {
            continue;
        }
        assert!(found.is_none(), "more than one sample of {name} with {labels:?}:\n{text}");
        found = Some(value.parse::<f64>().expect("a number"));
    }
    found
}

async fn metrics_text(app: &TestApp, token: Option<&str>) -> (u16, String) {
    let mut req = app.client.get(app.url("/metrics"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.expect("metrics request");
    (resp.status().as_u16(), resp.text().await.expect("metrics body"))
}

/// Poll `/metrics` until `ready` holds (the gauges are observed shortly after a commit).
pub(crate) async fn metrics_when(app: &TestApp, ready: impl Fn(&str) -> bool) -> String {
    let mut text = String::new();
    for _ in 0..100 {
        text = metrics_text(app, None).await.1;
        if ready(&text) {
            return text;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the expected series did not appear in 10 s:\n{text}");
}

#[tokio::test]
async fn metrics_show_known_usage_counted_once() {
    let app = spawn_app_with(&[]).await;
    let (tenant, _) = known_usage(&app, "Metrics Firm").await;
    let t = tenant.as_str();
    let text = metrics_when(&app, |text| {
        sample(text, "docket_tenant_usage_ratio", &[("tenant", t)]) == Some(0.818)
            && sample(text, "docket_query_duration_seconds_count", &[]) == Some(409.0)
            && sample(text, "docket_timeline_duration_seconds_count", &[]) == Some(3.0)
    })
    .await;
    let events = |kind: &str| {
        sample(
            &text,
            "docket_usage_events_total",
            &[("tenant", t), ("kind", kind), ("plan", "community"), ("support_tier", "community")],
        )
    };
    // 408 reported + 1 real query; the repeated batch is not counted again.
    assert_eq!(events("query"), Some(409.0));
    assert_eq!(events("timeline"), Some(3.0));
    assert_eq!(events("signup"), Some(1.0));
    assert_eq!(events("ingestion"), Some(1.0));
    assert_eq!(sample(&text, "docket_ingest_documents_total", &[("tenant", t)]), Some(1.0));
    assert_eq!(sample(&text, "docket_ingest_volume_bytes_total", &[("tenant", t)]), Some(56.0));
    assert_eq!(sample(&text, "docket_ingest_job_duration_seconds_count", &[("outcome", "succeeded")]), Some(1.0));
    assert_eq!(sample(&text, "docket_timeline_duration_seconds_count", &[]), Some(3.0));
    assert_eq!(sample(&text, "docket_quota_alerts_total", &[("level", "soft"), ("dimension", "queries")]), Some(1.0));
    assert_eq!(sample(&text, "docket_quota_alerts_total", &[("level", "hard")]), None);
    let labels = [("tenant", t), ("plan", "community"), ("support_tier", "community")];
    assert_eq!(sample(&text, "docket_tenant_usage_ratio", &labels), Some(0.818));
    assert_eq!(sample(&text, "docket_tenant_support_response_sla_seconds", &labels), Some(48.0 * 3600.0));
    assert_eq!(sample(&text, "docket_tenant_alert_level", &labels), Some(1.0));
    assert_eq!(
        sample(&text, "docket_tenant_consumption_ratio", &[("tenant", t), ("dimension", "queries")]),
        Some(0.818)
    );
    assert_eq!(sample(&text, "docket_tenant_cost_to_date_usd", &labels), Some(0.0));
    assert!(sample(&text, "docket_tenant_health_score", &labels).is_some_and(|h| (0.0..=1.0).contains(&h)));
    assert!(sample(&text, "docket_tenant_projected_monthly_cost_usd", &labels).is_some());
    // Routes by template, never by raw path; one request each of these.
    let route = |r: &str, status: &str| {
        sample(
            &text,
            "http_server_request_duration_seconds_count",
            &[("http_route", r), ("http_response_status_code", status)],
        )
    };
    assert_eq!(route("/billing/events", "200"), Some(2.0));
    assert!(route("/ingest/{job_id}", "200").is_some_and(|n| n >= 1.0), "{text}");
    assert!(!text.contains(&format!("http_route=\"/ingest/{}", "0")), "a raw path became a label");
    assert!(sample(&text, "docket_ledger_commit_duration_seconds_count", &[]).is_some_and(|n| n >= 3.0));
    // 410 events in the reported batch (and again as duplicates) went through one commit each at least.
    assert!(sample(&text, "docket_ledger_batch_size_sum", &[]).is_some_and(|n| n >= 820.0 + 4.0));
    app.stop().await;
}

#[tokio::test]
async fn unmatched_paths_share_one_label() {
    let app = spawn_app_with(&[]).await;
    for path in ["/no/such/thing-1", "/no/such/thing-2"] {
        let (status, _) = app.get(path, None).await;
        assert_eq!(status, 404);
    }
    let text = metrics_text(&app, None).await.1;
    assert_eq!(
        sample(
            &text,
            "http_server_request_duration_seconds_count",
            &[("http_route", "unmatched"), ("http_response_status_code", "404")]
        ),
        Some(2.0)
    );
    assert!(!text.contains("thing-1"));
    app.stop().await;
}

#[tokio::test]
async fn metrics_need_a_metrics_read_token_when_configured() {
    let app = spawn_app_with(&["--metrics-token-required", "true"]).await;
    let (status, body) = metrics_text(&app, None).await;
    assert_eq!(status, 401, "{body}");
    let wrong = app.csm_token();
    let (status, body) = metrics_text(&app, Some(&wrong)).await;
    assert_eq!(status, 403);
    assert!(body.contains("metrics:read"), "{body}");
    let other_audience = app.token(None, &[], &["metrics:read"], &["docket-api"]);
    assert_eq!(metrics_text(&app, Some(&other_audience)).await.0, 403);
    let good = app.token(None, &[], &["metrics:read"], &["docket-billing"]);
    let (status, body) = metrics_text(&app, Some(&good)).await;
    assert_eq!(status, 200);
    assert!(body.contains("http_server_request_duration_seconds_bucket"), "{body}");
    app.stop().await;

    let open = spawn_app_with(&[]).await;
    let (status, body) = metrics_text(&open, None).await;
    assert_eq!(status, 200, "open by default: {body}");
    open.stop().await;
}

/// What an OTLP/HTTP receiver got, decoded.
#[derive(Default)]
struct Received {
    metrics: Vec<ExportMetricsServiceRequest>,
    traces: Vec<ExportTraceServiceRequest>,
    content_types: Vec<String>,
}

async fn otlp_receiver() -> (String, Arc<Mutex<Received>>) {
    use axum::routing::post;
    let received = Arc::new(Mutex::new(Received::default()));
    let (m, t) = (received.clone(), received.clone());
    let app = axum::Router::new()
        .route(
            "/v1/metrics",
            post(move |headers: axum::http::HeaderMap, body: Bytes| async move {
                let request = ExportMetricsServiceRequest::decode(body).expect("an OTLP metrics export");
                let mut r = m.lock().unwrap();
                r.content_types.push(headers[axum::http::header::CONTENT_TYPE].to_str().unwrap_or("").to_owned());
                r.metrics.push(request);
            }),
        )
        .route(
            "/v1/traces",
            post(move |body: Bytes| async move {
                let request = ExportTraceServiceRequest::decode(body).expect("an OTLP trace export");
                t.lock().unwrap().traces.push(request);
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("receiver") });
    (base, received)
}

fn text_of(v: &Option<AnyValue>) -> String {
    match v.as_ref().and_then(|v| v.value.as_ref()) {
        Some(any_value::Value::StringValue(s)) => s.clone(),
        Some(any_value::Value::IntValue(i)) => i.to_string(),
        Some(any_value::Value::DoubleValue(d)) => d.to_string(),
        Some(any_value::Value::BoolValue(b)) => b.to_string(),
        _ => String::new(),
    }
}

fn has(attributes: &[KeyValue], wanted: &[(&str, &str)]) -> bool {
    wanted.iter().all(|(k, v)| attributes.iter().any(|a| a.key == *k && text_of(&a.value) == *v))
}

/// A point of the last export that carried `name` with these attributes: a number (sums
/// and gauges) or a histogram's (count, sum).
#[derive(Debug, PartialEq)]
enum Point {
    Number(f64),
    Histogram(u64, f64),
}

fn last_point(r: &Received, name: &str, wanted: &[(&str, &str)]) -> Option<Point> {
    let mut last = None;
    for export in &r.metrics {
        let metrics = export.resource_metrics.iter().flat_map(|rm| &rm.scope_metrics).flat_map(|sm| &sm.metrics);
        for m in metrics.filter(|m| m.name == name) {
            let number = |p: &opentelemetry_proto::tonic::metrics::v1::NumberDataPoint| match p.value {
                Some(number_data_point::Value::AsDouble(d)) => d,
                Some(number_data_point::Value::AsInt(i)) => i as f64,
                None => f64::NAN,
            };
            match &m.data {
                Some(metric::Data::Sum(s)) => {
                    if let Some(p) = s.data_points.iter().find(|p| has(&p.attributes, wanted)) {
                        last = Some(Point::Number(number(p)));
                    }
                }
                Some(metric::Data::Gauge(g)) => {
                    if let Some(p) = g.data_points.iter().find(|p| has(&p.attributes, wanted)) {
                        last = Some(Point::Number(number(p)));
                    }
                }
                Some(metric::Data::Histogram(h)) => {
                    if let Some(p) = h.data_points.iter().find(|p| has(&p.attributes, wanted)) {
                        last = Some(Point::Histogram(p.count, p.sum.unwrap_or(f64::NAN)));
                    }
                }
                _ => {}
            }
        }
    }
    last
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_and_traces_arrive_over_otlp_with_the_right_values() {
    let (endpoint, received) = otlp_receiver().await;
    let app = spawn_app_with(&["--otlp-endpoint", &endpoint, "--metric-export-interval-ms", "500"]).await;
    let (tenant, request_id) = known_usage(&app, "Otlp Firm").await;
    // The gauges are observed shortly after the last commit; the stop then flushes a last export.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    app.stop().await;

    let r = received.lock().unwrap();
    assert!(!r.metrics.is_empty(), "no OTLP metrics export arrived");
    assert!(r.content_types.iter().all(|c| c == "application/x-protobuf"), "{:?}", r.content_types);
    let service = r.metrics[0].resource_metrics[0]
        .resource
        .as_ref()
        .map(|res| has(&res.attributes, &[("service.name", "docket")]));
    assert_eq!(service, Some(true), "resource names the service");
    let t = tenant.as_str();
    let events = |kind: &str| {
        last_point(
            &r,
            "docket.usage.events",
            &[("tenant", t), ("kind", kind), ("plan", "community"), ("support_tier", "community")],
        )
    };
    assert_eq!(events("query"), Some(Point::Number(409.0)));
    assert_eq!(events("timeline"), Some(Point::Number(3.0)));
    assert_eq!(events("signup"), Some(Point::Number(1.0)));
    assert_eq!(events("ingestion"), Some(Point::Number(1.0)));
    assert_eq!(last_point(&r, "docket.ingest.documents", &[("tenant", t)]), Some(Point::Number(1.0)));
    assert_eq!(last_point(&r, "docket.ingest.volume", &[("tenant", t)]), Some(Point::Number(56.0)));
    assert!(matches!(
        last_point(&r, "docket.ingest.job.duration", &[("outcome", "succeeded")]),
        Some(Point::Histogram(1, s)) if s >= 0.0
    ));
    match last_point(&r, "docket.query.duration", &[]) {
        // 408 reported at 12 ms each, and one real query of some duration.
        Some(Point::Histogram(409, sum)) => assert!(sum >= 408.0 * 0.012 - 1e-9, "{sum}"),
        other => panic!("query latency: {other:?}"),
    }
    assert!(matches!(last_point(&r, "docket.timeline.duration", &[]), Some(Point::Histogram(3, _))));
    assert_eq!(
        last_point(&r, "docket.quota.alerts", &[("level", "soft"), ("dimension", "queries")]),
        Some(Point::Number(1.0))
    );
    let labels = [("tenant", t), ("plan", "community"), ("support_tier", "community")];
    assert_eq!(last_point(&r, "docket.tenant.usage_ratio", &labels), Some(Point::Number(0.818)));
    assert_eq!(last_point(&r, "docket.tenant.support_response_sla", &labels), Some(Point::Number(48.0 * 3600.0)));
    assert_eq!(last_point(&r, "docket.tenant.alert_level", &labels), Some(Point::Number(1.0)));
    assert_eq!(
        last_point(&r, "docket.tenant.consumption_ratio", &[("tenant", t), ("dimension", "queries")]),
        Some(Point::Number(0.818))
    );
    assert!(
        matches!(last_point(&r, "docket.tenant.health_score", &labels), Some(Point::Number(h)) if (0.0..=1.0).contains(&h))
    );
    assert!(last_point(&r, "docket.tenant.cost_to_date_usd", &labels).is_some());
    assert!(last_point(&r, "docket.tenant.projected_monthly_cost_usd", &labels).is_some());
    assert!(matches!(
        last_point(
            &r,
            "http.server.request.duration",
            &[("http.route", "/billing/events"), ("http.response.status_code", "200")]
        ),
        Some(Point::Histogram(2, _))
    ));
    assert!(matches!(last_point(&r, "docket.ledger.commit.duration", &[]), Some(Point::Histogram(n, _)) if n >= 3));
    assert!(matches!(last_point(&r, "docket.ledger.batch.size", &[]), Some(Point::Histogram(_, s)) if s >= 824.0));

    // The events request's span carries its request id, route and status.
    let spans: Vec<_> = r
        .traces
        .iter()
        .flat_map(|e| &e.resource_spans)
        .flat_map(|rs| &rs.scope_spans)
        .flat_map(|ss| &ss.spans)
        .collect();
    let span = spans
        .iter()
        .find(|s| has(&s.attributes, &[("docket.request_id", &request_id)]))
        .unwrap_or_else(|| panic!("no span with request id {request_id} among {} spans", spans.len()));
    assert_eq!(span.name, "POST /billing/events");
    assert!(has(&span.attributes, &[("http.route", "/billing/events"), ("http.response.status_code", "200")]));
    let by_route: HashMap<String, usize> = spans.iter().fold(HashMap::new(), |mut m, s| {
        *m.entry(s.name.clone()).or_default() += 1;
        m
    });
    assert_eq!(by_route.get("POST /billing/events"), Some(&2), "{by_route:?}");
}

#[tokio::test]
async fn an_https_or_malformed_otlp_endpoint_is_refused_at_start() {
    for endpoint in ["https://collector:4318", "collector:4318"] {
        let storage = tempfile::tempdir().unwrap();
        let config = crate::helpers::test_config(storage.path(), &["--otlp-endpoint", endpoint]);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let err = docket_server::serve(config, listener, async {}).await.expect_err("refused");
        assert!(err.to_string().contains("OTEL_EXPORTER_OTLP_ENDPOINT"), "{err}");
    }
}
