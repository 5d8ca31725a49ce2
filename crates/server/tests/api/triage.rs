//! The daily triage: flagged tenants, riskiest first, with reasons; its access rule.

use serde_json::json;

use crate::helpers::spawn_app;

fn queries(tenant: &str, n: usize) -> serde_json::Value {
    let events: Vec<_> = (0..n)
        .map(|i| json!({"event_id": format!("{tenant}-{i}"), "tenant_id": tenant, "kind": "query", "subject": format!("user-{}", i % 3)}))
        .collect();
    json!({ "events": events })
}

#[tokio::test]
async fn flagged_tenants_come_riskiest_first_with_their_reasons() {
    let app = spawn_app().await;
    for org in ["Busy Firm", "Quiet Firm", "Calm Firm"] {
        app.onboard(org, 3).await;
    }
    let service = app.service_token();
    // Busy: 490 of the community plan's 500 queries (ratio 0.98); Calm: 200, well inside.
    for (tenant, n) in [("busy-firm", 490), ("calm-firm", 200)] {
        let (status, body) = app.post("/billing/events", &queries(tenant, n), Some(&service)).await;
        assert_eq!(status, 200, "{body}");
    }

    let (status, body) = app.get("/billing/triage", Some(&app.csm_token())).await;
    assert_eq!(status, 200, "{body}");
    let tenants = body["tenants"].as_array().unwrap();
    let ids: Vec<&str> = tenants.iter().map(|t| t["tenant_id"].as_str().unwrap()).collect();
    assert!(!ids.contains(&"calm-firm"), "a healthy tenant is not in the triage: {ids:?}");
    assert_eq!(ids.len(), 2, "{body}");
    let risks: Vec<f64> = tenants.iter().map(|t| t["risk"].as_f64().unwrap()).collect();
    assert!(risks.windows(2).all(|w| w[0] >= w[1]), "riskiest first: {risks:?}");

    let busy = tenants.iter().find(|t| t["tenant_id"] == "busy-firm").unwrap();
    assert_eq!(busy["usage_ratio"], 0.98);
    assert_eq!(busy["alert_level"], "hard");
    assert_eq!(busy["days_since_activity"], 0);
    // 0.98 is 0.03 past 0.95 of the 0.25 to 1.20.
    assert_eq!(busy["risk"], 0.12);
    assert_eq!(busy["reasons"][0], "queries at 98 % of quota (490 of 500 included)");

    let quiet = tenants.iter().find(|t| t["tenant_id"] == "quiet-firm").unwrap();
    let health = quiet["health_score"].as_f64().unwrap();
    assert!(health < 0.75, "{quiet}");
    let expected_risk = ((0.75 - health) / 0.75 * 1000.0).round() / 1000.0;
    assert_eq!(quiet["risk"].as_f64().unwrap(), expected_risk);
    let reasons: Vec<&str> = quiet["reasons"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    assert!(reasons.iter().any(|r| r.starts_with(&format!("health {health:.3} (below 0.75): "))), "{reasons:?}");
}

#[tokio::test]
async fn the_triage_answers_only_to_customer_success_and_a_tenant_token_sees_itself() {
    let app = spawn_app().await;
    app.onboard("Busy Firm", 3).await;
    app.onboard("Quiet Firm", 3).await;
    let (status, _) = app.get("/billing/triage", None).await;
    assert_eq!(status, 401);
    let product = app.token(Some("busy-firm"), &["TenantAdmin"], &["usage:read"], &["docket-api"]);
    let (status, body) = app.get("/billing/triage", Some(&product)).await;
    assert_eq!(status, 403, "{body}");
    let no_scope = app.token(None, &["CustomerSuccessManager"], &["billing:write"], &["docket-billing"]);
    let (status, body) = app.get("/billing/triage", Some(&no_scope)).await;
    assert_eq!(status, 403);
    assert!(body["error"]["message"].as_str().unwrap().contains("billing:read"), "{body}");

    let scoped = app.token(Some("quiet-firm"), &["CustomerSuccessManager"], &["billing:read"], &["docket-billing"]);
    let (status, body) = app.get("/billing/triage", Some(&scoped)).await;
    assert_eq!(status, 200, "{body}");
    let ids: Vec<&str> = body["tenants"].as_array().unwrap().iter().map(|t| t["tenant_id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["quiet-firm"]);

    let (status, body) = app.get("/billing/triage?period=2026-13", Some(&app.csm_token())).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["details"]["fields"][0]["field"], "period", "{body}");
}
