//! The billing endpoints: catalogue, usage filters, daily series, service metering.

use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_published_plan_table_is_served_exactly() {
    let app = spawn_app().await;
    let (status, body) = app.get("/billing/plans", None).await;
    assert_eq!(status, 200);
    let rows: Vec<_> = body["plans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["plan_id"].as_str().unwrap().to_owned(),
                p["monthly_price_usd"].as_str().unwrap().to_owned(),
                p["included_queries"].as_u64().unwrap(),
                p["included_ingest_gb"].as_u64().unwrap(),
                p["included_seats"].as_u64().unwrap(),
                p["support_tier"].as_str().unwrap().to_owned(),
                p["support_sla_hours"].as_u64().unwrap(),
                p["overage_per_query_usd"].as_str().unwrap().to_owned(),
                p["overage_per_gb_usd"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    // Money is a decimal string: amounts with two decimals, rates at their published precision.
    let row = |id: &str, price: &str, q, gb, seats, tier: &str, sla, per_query: &str, per_gb: &str| {
        (id.to_owned(), price.to_owned(), q, gb, seats, tier.to_owned(), sla, per_query.to_owned(), per_gb.to_owned())
    };
    let expected = vec![
        row("community", "0.00", 500, 5, 5, "community", 48, "0.02", "3.00"),
        row("professional", "3499.00", 5_000, 60, 25, "standard", 12, "0.015", "2.40"),
        row("enterprise", "8999.00", 20_000, 250, 100, "premium", 2, "0.010", "1.60"),
    ];
    assert_eq!(rows, expected);
    assert_eq!(body["plans"][2]["support_channels"], json!(["24x7 hotline", "Slack Connect"]));
    assert_eq!(body["alert_thresholds"], json!({"soft": 0.8, "hard": 0.95}));
}

fn query_events(tenant: &str, prefix: &str, n: usize) -> serde_json::Value {
    let events: Vec<_> = (0..n)
        .map(|i| json!({"event_id": format!("{prefix}-{i}"), "tenant_id": tenant, "kind": "query", "subject": format!("user-{}", i % 3), "latency_ms": 12}))
        .collect();
    json!({ "events": events })
}

#[tokio::test]
async fn usage_filters_by_flag_tenant_and_period() {
    let app = spawn_app().await;
    app.onboard("Busy Firm", 3).await;
    app.onboard("Quiet Firm", 3).await;
    let service = app.service_token();
    // Busy Firm (community, 500 queries) uses 490: past the hard threshold, so flagged.
    let (status, body) = app.post("/billing/events", &query_events("busy-firm", "busy", 490), Some(&service)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"recorded": 490, "duplicates": 0}));
    let csm = app.csm_token();

    let (_, all) = app.get("/billing/usage", Some(&csm)).await;
    assert_eq!(all["tenants"].as_array().unwrap().len(), 2);
    let busy = all["tenants"].as_array().unwrap().iter().find(|t| t["tenant_id"] == "busy-firm").unwrap();
    assert_eq!(busy["queries"], 490);
    assert_eq!(busy["active_seats"], 3);
    assert_eq!(busy["alert_level"], "hard");
    assert_eq!(busy["usage_ratio"], 0.98);
    assert_eq!(busy["flagged"], true);
    assert_eq!(busy["support_tier"], "community");
    let alerts: Vec<_> =
        all["alerts"].as_array().unwrap().iter().map(|a| (a["dimension"].clone(), a["level"].clone())).collect();
    assert!(alerts.contains(&(json!("queries"), json!("soft"))) && alerts.contains(&(json!("queries"), json!("hard"))));

    let (_, one) = app.get("/billing/usage?tenant_id=quiet-firm", Some(&csm)).await;
    assert_eq!(one["tenants"].as_array().unwrap().len(), 1);
    assert_eq!(one["tenants"][0]["queries"], 0);

    let (_, flagged) = app.get("/billing/usage?flagged=true", Some(&csm)).await;
    assert!(flagged["tenants"].as_array().unwrap().iter().all(|t| t["flagged"] == true));
    assert!(flagged["tenants"].as_array().unwrap().iter().any(|t| t["tenant_id"] == "busy-firm"));

    let (status, past) = app.get("/billing/usage?period=2024-02", Some(&csm)).await;
    assert_eq!(status, 200);
    assert_eq!(past["period"], "2024-02");
    assert!(past["tenants"].as_array().unwrap().iter().all(|t| t["queries"] == 0));

    for bad in ["/billing/usage?period=2024-13", "/billing/usage?tenant_id=Bad_Id"] {
        let (status, body) = app.get(bad, Some(&csm)).await;
        assert_eq!(status, 422, "{bad}: {body}");
    }
    let (status, _) = app.get("/billing/usage?flagged=maybe", Some(&csm)).await;
    assert_eq!(status, 400);
    let (status, _) = app.get("/billing/usage?colour=red", Some(&csm)).await;
    assert_eq!(status, 400);

    let (status, daily) = app.get("/billing/usage/busy-firm/daily", Some(&csm)).await;
    assert_eq!(status, 200);
    let total: u64 = daily["days"].as_array().unwrap().iter().map(|d| d["queries"].as_u64().unwrap()).sum();
    assert_eq!(total, 490);
    let (status, _) = app.get("/billing/usage/nobody-here/daily", Some(&csm)).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn service_events_are_validated_and_idempotent() {
    let app = spawn_app().await;
    app.onboard("Acme Legal", 5).await;
    let service = app.service_token();

    let (status, _) = app.post("/billing/events", &query_events("acme-legal", "x", 1), Some(&app.csm_token())).await;
    assert_eq!(status, 403, "a read token cannot write");

    let (status, body) =
        app.post("/billing/events", &query_events("acme-legal", "too-many", 1_001), Some(&service)).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["details"]["fields"][0]["field"], "events");

    let bad = json!({"events": [
        {"event_id": "ok-1", "tenant_id": "acme-legal", "kind": "query"},
        {"event_id": "has space", "tenant_id": "acme-legal", "kind": "query"},
        {"event_id": "ok-2", "tenant_id": "unknown-firm", "kind": "query"},
        {"event_id": "ok-3", "tenant_id": "acme-legal", "kind": "query", "occurred_at": "2999-01-01T00:00:00Z"},
        {"event_id": "ok-4", "tenant_id": "acme-legal", "kind": "query", "attributes": [1, 2]}
    ]});
    let (status, body) = app.post("/billing/events", &bad, Some(&service)).await;
    assert_eq!(status, 422, "{body}");
    let fields: Vec<_> = body["error"]["details"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        fields,
        vec!["events[1].event_id", "events[2].tenant_id", "events[3].occurred_at", "events[4].attributes"]
    );

    let (status, body) = app
        .post(
            "/billing/events",
            &json!({"events": [{"event_id": "a", "tenant_id": "acme-legal", "kind": "coffee"}]}),
            Some(&service),
        )
        .await;
    assert_eq!(status, 422, "unknown kind: {body}");
    let (status, _) = app.post("/billing/events", &json!({"events": [], "extra": 1}), Some(&service)).await;
    assert_eq!(status, 422, "unknown field");

    // Nothing of the refused batch was counted.
    let (_, usage) = app.get("/billing/usage?tenant_id=acme-legal", Some(&app.csm_token())).await;
    assert_eq!(usage["tenants"][0]["queries"], 0);

    // A token bound to one tenant reports for that tenant only.
    let bound = app.token(Some("acme-legal"), &["AutomationService"], &["billing:write"], &["docket-billing"]);
    app.onboard("Other Firm", 5).await;
    let (status, body) = app.post("/billing/events", &query_events("other-firm", "o", 1), Some(&bound)).await;
    assert_eq!(status, 403, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("events[0].tenant_id"), "{body}");
    let (status, _) = app.post("/billing/events", &query_events("acme-legal", "b", 2), Some(&bound)).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn fifty_clients_of_two_hundred_events_count_exactly_ten_thousand() {
    let app = spawn_app().await;
    app.onboard("Volume Co", 50).await;
    app.client.post(app.url("/billing/events")).send().await.unwrap();
    let service = app.service_token();
    let send_all = || {
        let mut handles = Vec::new();
        for c in 0..50 {
            let client = app.client.clone();
            let url = app.url("/billing/events");
            let token = service.clone();
            handles.push(tokio::spawn(async move {
                let mut recorded = 0u64;
                for i in 0..200 {
                    let body = json!({"events": [{"event_id": format!("c{c}-e{i}"), "tenant_id": "volume-co", "kind": "query", "subject": format!("client-{c}")}]});
                    let resp = client.post(&url).bearer_auth(&token).json(&body).send().await.unwrap();
                    assert_eq!(resp.status(), 200);
                    let v: serde_json::Value = resp.json().await.unwrap();
                    recorded += v["recorded"].as_u64().unwrap();
                }
                recorded
            }));
        }
        async move {
            let mut total = 0;
            for h in handles {
                total += h.await.unwrap();
            }
            total
        }
    };
    assert_eq!(send_all().await, 10_000);
    assert_eq!(send_all().await, 0, "the same events again add nothing");
    let (_, usage) = app.get("/billing/usage?tenant_id=volume-co", Some(&app.csm_token())).await;
    assert_eq!(usage["tenants"][0]["queries"], 10_000);
    assert_eq!(usage["tenants"][0]["active_seats"], 50);
}

#[tokio::test]
async fn a_tenant_admin_sees_only_their_own_usage() {
    let app = spawn_app().await;
    app.onboard("Own Firm", 5).await;
    app.onboard("Rival Firm", 5).await;
    let service = app.service_token();
    app.post("/billing/events", &query_events("own-firm", "own", 7), Some(&service)).await;
    app.post("/billing/events", &query_events("rival-firm", "rival", 9), Some(&service)).await;

    let admin = app.token(Some("own-firm"), &["TenantAdmin"], &["usage:read"], &["docket-api"]);
    let (status, body) = app.get("/usage", Some(&admin)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["snapshot"]["tenant_id"], "own-firm");
    assert_eq!(body["snapshot"]["queries"], 7);
    assert!(!body.to_string().contains("rival"), "nothing of another tenant");
    let days = body["daily"].as_array().unwrap();
    assert_eq!(days.iter().map(|d| d["queries"].as_u64().unwrap()).sum::<u64>(), 7);

    let stranger = app.token(Some("not-onboarded"), &["TenantAdmin"], &["usage:read"], &["docket-api"]);
    assert_eq!(app.get("/usage", Some(&stranger)).await.0, 403);
    let no_tenant = app.token(None, &["TenantAdmin"], &["usage:read"], &["docket-api"]);
    assert_eq!(app.get("/usage", Some(&no_tenant)).await.0, 403);
    let billing_aud = app.token(Some("own-firm"), &["TenantAdmin"], &["usage:read"], &["docket-billing"]);
    assert_eq!(app.get("/usage", Some(&billing_aud)).await.0, 403);
}

#[tokio::test]
async fn openapi_describes_every_endpoint() {
    let app = spawn_app().await;
    let (status, spec) = app.get("/openapi.json", None).await;
    assert_eq!(status, 200);
    for path in [
        "/health",
        "/billing/plans",
        "/billing/recommend",
        "/billing/usage",
        "/billing/usage/{tenant_id}/daily",
        "/billing/events",
        "/onboarding",
        "/usage",
    ] {
        assert!(spec["paths"][path].is_object(), "{path} missing from the OpenAPI description");
    }
    assert!(spec["components"]["schemas"]["ErrorBody"].is_object());
    assert!(spec["components"]["securitySchemes"]["bearer"].is_object());
    let (status, health) = app.get("/health", None).await;
    assert_eq!(status, 200);
    assert_eq!(health["status"], "ok");
}

#[tokio::test]
async fn graceful_shutdown_writes_usage_json() {
    let app = spawn_app_slow_snapshots().await;
    app.onboard("Late Firm", 5).await;
    let file = app.usage_file();
    let storage = app.stop().await;
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert!(v["tenants"].as_array().unwrap().iter().any(|t| t["tenant_id"] == "late-firm"));
    drop(storage);
}

async fn spawn_app_slow_snapshots() -> crate::helpers::TestApp {
    // A delay far past the test's length: only the shutdown write can produce the tenant.
    crate::helpers::spawn_app_with(&["--snapshot-delay-ms", "600000"]).await
}

#[tokio::test]
async fn a_tenant_scoped_billing_token_reads_only_its_tenant() {
    let app = spawn_app().await;
    app.onboard("Mine LLP", 5).await;
    app.onboard("Theirs LLP", 5).await;
    let scoped = app.token(Some("mine-llp"), &["CustomerSuccessManager"], &["billing:read"], &["docket-billing"]);
    let (status, body) = app.get("/billing/usage", Some(&scoped)).await;
    assert_eq!(status, 200, "{body}");
    let ids: Vec<_> = body["tenants"].as_array().unwrap().iter().map(|t| t["tenant_id"].clone()).collect();
    assert_eq!(ids, vec![json!("mine-llp")], "no other tenant's usage or intake");
    let (status, body) = app.get("/billing/usage?tenant_id=theirs-llp", Some(&scoped)).await;
    assert_eq!(status, 403, "{body}");
    let (status, _) = app.get("/billing/usage/theirs-llp/daily", Some(&scoped)).await;
    assert_eq!(status, 403);
    assert_eq!(app.get("/billing/usage/mine-llp/daily", Some(&scoped)).await.0, 200);
    // The provider's staff (no tenant claim) keep the cross-tenant view.
    let (_, all) = app.get("/billing/usage", Some(&app.csm_token())).await;
    assert_eq!(all["tenants"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn event_ids_belong_to_their_tenant() {
    let app = spawn_app().await;
    app.onboard("First Firm", 5).await;
    app.onboard("Second Firm", 5).await;
    let service = app.service_token();
    let (status, body) = app.post("/billing/events", &query_events("first-firm", "shared", 3), Some(&service)).await;
    assert_eq!((status, body["recorded"].clone()), (200, json!(3)), "{body}");
    // The same ids in another tenant are other events, never duplicates.
    let (status, body) = app.post("/billing/events", &query_events("second-firm", "shared", 3), Some(&service)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!((body["recorded"].clone(), body["duplicates"].clone()), (json!(3), json!(0)));
    let (_, usage) = app.get("/billing/usage?tenant_id=second-firm", Some(&app.csm_token())).await;
    assert_eq!(usage["tenants"][0]["queries"], 3);
}

#[tokio::test]
async fn events_outside_the_open_periods_are_refused() {
    let app = spawn_app().await;
    app.onboard("Window Firm", 5).await;
    let service = app.service_token();
    let now = time::OffsetDateTime::now_utc();
    let closed = docket_billing::earliest_accepted(now) - time::Duration::seconds(1);
    let stamp = |at: time::OffsetDateTime| at.format(&time::format_description::well_known::Rfc3339).unwrap();
    let batch = json!({"events": [
        {"event_id": "w-0", "tenant_id": "window-firm", "kind": "query"},
        {"event_id": "w-1", "tenant_id": "window-firm", "kind": "query", "occurred_at": stamp(closed)},
        {"event_id": "w-2", "tenant_id": "window-firm", "kind": "query", "occurred_at": "2000-01-01T00:30:00+01:00"},
        {"event_id": "w-3", "tenant_id": "window-firm", "kind": "query", "occurred_at": stamp(now + time::Duration::minutes(10))}
    ]});
    let (status, body) = app.post("/billing/events", &batch, Some(&service)).await;
    assert_eq!(status, 422, "{body}");
    let fields: Vec<_> =
        body["error"]["details"]["fields"].as_array().unwrap().iter().map(|f| f["field"].clone()).collect();
    assert_eq!(
        fields,
        vec![json!("events[1].occurred_at"), json!("events[2].occurred_at"), json!("events[3].occurred_at")]
    );
    // An offset is only a way of writing an instant: now, written at -05:00, is accepted.
    let local = now.to_offset(time::macros::offset!(-5));
    let ok = json!({"events": [{"event_id": "w-4", "tenant_id": "window-firm", "kind": "query", "occurred_at": stamp(local)}]});
    assert_eq!(app.post("/billing/events", &ok, Some(&service)).await.0, 200);
}

#[tokio::test]
async fn bad_periods_and_bad_field_types_are_named() {
    let app = spawn_app().await;
    app.onboard("Typed Firm", 5).await;
    let csm = app.csm_token();
    for period in ["9999-12", "1999-12", "2101-01"] {
        let (status, body) = app.get(&format!("/billing/usage?period={period}"), Some(&csm)).await;
        assert_eq!(status, 422, "{period}: {body}");
        assert_eq!(body["error"]["details"]["fields"][0]["field"], "period");
        let (status, _) = app.get(&format!("/billing/usage/typed-firm/daily?period={period}"), Some(&csm)).await;
        assert_eq!(status, 422, "{period}");
    }
    let mut events: Vec<_> =
        (0..4).map(|i| json!({"event_id": format!("t-{i}"), "tenant_id": "typed-firm", "kind": "query"})).collect();
    events[3]["units"] = json!("seven");
    let (status, body) = app.post("/billing/events", &json!({"events": events}), Some(&app.service_token())).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["details"]["fields"][0]["field"], "events[3].units");
    let fractional =
        json!({"events": [{"event_id": "f", "tenant_id": "typed-firm", "kind": "query", "latency_ms": 12.5}]});
    let (status, body) = app.post("/billing/events", &fractional, Some(&app.service_token())).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["details"]["fields"][0]["field"], "events[0].latency_ms");
}

#[tokio::test]
async fn an_event_past_its_bounds_is_refused_naming_it() {
    let app = spawn_app().await;
    app.onboard("Bounded Firm", 5).await;
    let batch = json!({"events": [
        {"event_id": "b-0", "tenant_id": "bounded-firm", "kind": "query"},
        {"event_id": "b-1", "tenant_id": "bounded-firm", "kind": "query", "units": 20_000_000u64}
    ]});
    let (status, body) = app.post("/billing/events", &batch, Some(&app.service_token())).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["details"]["fields"][0]["field"], "events[1].units");
    let (_, usage) = app.get("/billing/usage?tenant_id=bounded-firm", Some(&app.csm_token())).await;
    assert_eq!(usage["tenants"][0]["queries"], 0);
}
