//! A support tier apart from the plan's reaches every place the tier is read (usage API,
//! triage, usage.json, metrics), and a bad override list stops the server naming each bad entry.

use docket_billing::{PlanId, SupportTier, TenantId};
use serde_json::json;

use crate::helpers::{spawn_app_in, test_config};
use crate::telemetry::{metrics_when, sample};

#[tokio::test]
async fn usage_json_and_metrics_show_a_support_tier_apart_from_the_plan() {
    let storage = tempfile::tempdir().expect("storage");
    let ledger = docket_server::open_ledger(&test_config(storage.path(), &[])).await.expect("ledger");
    let t = TenantId::parse("hale-ward").expect("tenant id");
    ledger.create_tenant(&t, "Hale & Ward LLP", PlanId::Professional).await.expect("tenant");
    ledger.set_support_tier(&t, Some(SupportTier::Premium), "dana").await.expect("support tier");
    ledger.close().await;

    let app = spawn_app_in(storage, &[]).await;
    let (status, body) = app.get("/billing/usage?tenant_id=hale-ward", Some(&app.csm_token())).await;
    assert_eq!(status, 200, "{body}");
    let s = &body["tenants"][0];
    assert_eq!(
        (&s["plan_id"], &s["support_tier"], &s["support_sla_hours"]),
        (&json!("professional"), &json!("premium"), &json!(2))
    );

    // A tenant without activity is in the triage, with the tier customer success must meet.
    let (status, body) = app.get("/billing/triage", Some(&app.csm_token())).await;
    assert_eq!(status, 200, "{body}");
    let entry = &body["tenants"][0];
    assert_eq!(
        (&entry["tenant_id"], &entry["support_tier"], &entry["support_sla_hours"]),
        (&json!("hale-ward"), &json!("premium"), &json!(2))
    );

    let events = json!({"events": [{"event_id": "q-1", "tenant_id": "hale-ward", "kind": "query", "subject": "ana"}]});
    let (status, body) = app.post("/billing/events", &events, Some(&app.service_token())).await;
    assert_eq!(status, 200, "{body}");
    let labels = [("tenant", "hale-ward"), ("plan", "professional"), ("support_tier", "premium")];
    let text = metrics_when(&app, |text| {
        sample(text, "docket_tenant_support_response_sla_seconds", &labels).is_some()
            && sample(text, "docket_usage_events_total", &labels).is_some()
    })
    .await;
    assert_eq!(sample(&text, "docket_tenant_support_response_sla_seconds", &labels), Some(2.0 * 3600.0));
    assert_eq!(
        sample(
            &text,
            "docket_usage_events_total",
            &[("tenant", "hale-ward"), ("kind", "query"), ("support_tier", "premium")]
        ),
        Some(1.0)
    );

    // usage.json is written a last time at shutdown.
    let storage = app.stop().await;
    let usage = std::fs::read(storage.path().join("billing/usage.json")).expect("usage.json");
    let usage: serde_json::Value = serde_json::from_slice(&usage).expect("JSON");
    let s = &usage["tenants"][0];
    assert_eq!((&s["support_tier"], &s["support_sla_hours"]), (&json!("premium"), &json!(2)));
}

#[tokio::test]
async fn a_bad_override_list_stops_the_server_naming_each_entry() {
    let storage = tempfile::tempdir().expect("storage");
    let config = test_config(
        storage.path(),
        &[
            "--plan-overrides",
            "acme:gold, globex ,initech:enterprise,initech:community",
            "--support-overrides",
            "acme:platinum",
        ],
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let refused = docket_server::serve(config, listener, std::future::pending()).await;
    let message = refused.expect_err("the server refuses to start").to_string();
    for part in [
        "DOCKET_PLAN_OVERRIDES entry 'acme:gold': unknown plan 'gold'",
        "DOCKET_PLAN_OVERRIDES entry 'globex': expected tenant:plan",
        "DOCKET_PLAN_OVERRIDES entry 'initech:community': tenant 'initech' is listed twice",
        "DOCKET_SUPPORT_OVERRIDES entry 'acme:platinum': unknown support tier 'platinum'",
    ] {
        assert!(message.contains(part), "{part} in: {message}");
    }
    // Nothing was created: the refusal comes before the storage is touched.
    assert!(!storage.path().join("billing").exists());
}
