//! The public intake: validation, 409, idempotency, rate limit, and what it stores.

use serde_json::json;

use crate::helpers::{intake, spawn_app, spawn_app_with};

#[tokio::test]
async fn onboarding_creates_the_tenant_and_records_a_signup() {
    let app = spawn_app().await;
    let body = app.onboard("Hale & Ward LLP", 12).await;
    assert_eq!(body["tenant_id"], "hale-ward-llp");
    assert_eq!(body["recommended_plan"], "professional");
    assert_eq!(body["plan_id"], "professional");
    assert!(body["submitted_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(body["recommendation"]["comparison"].as_array().unwrap().len(), 3);
    let value: rust_decimal::Decimal = body["roi"]["monthly_value_usd"].as_str().unwrap().parse().unwrap();
    assert!(value > rust_decimal::Decimal::ZERO);

    // The recommendation is the one POST /billing/recommend gives for the same sizing.
    let sizing = json!({"seats": 12, "estimated_matters_per_month": 20, "roi_baseline_hours_per_matter": 12, "automation_target_percent": 35});
    let (status, rec) = app.post("/billing/recommend", &sizing, None).await;
    assert_eq!(status, 200, "{rec}");
    assert_eq!(rec["recommendation"], body["recommendation"]);

    let (_, usage) = app.get("/billing/usage?tenant_id=hale-ward-llp", Some(&app.csm_token())).await;
    let t = &usage["tenants"][0];
    assert_eq!(t["organization"], "Hale & Ward LLP");
    assert_eq!(t["onboarding"]["departments"], json!(["Litigation", "Compliance"]));
    assert_eq!(t["onboarding"]["go_live_date"], "2027-01-15");
    assert_eq!(t["onboarding"]["success_criteria"], json!(["Privilege log in a day"]));
    assert!(t["last_event_at"].is_string(), "the signup event was recorded");

    // usage.json catches up within the snapshot delay.
    let file = app.usage_file();
    let mut found = false;
    for _ in 0..50 {
        if let Ok(text) = std::fs::read_to_string(&file) {
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            if v["tenants"].as_array().is_some_and(|a| a.iter().any(|t| t["tenant_id"] == "hale-ward-llp")) {
                assert_eq!(v["schema_version"], 2);
                assert!(v["generated_at"].is_string());
                found = true;
                break;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(found, "usage.json lists the new tenant");
}

#[tokio::test]
async fn every_bad_field_is_named() {
    let app = spawn_app().await;
    let bad = json!({
        "organization": "",
        "contact_email": "not-an-email",
        "departments": "Litigation",
        "seats": -3,
        "estimated_matters_per_month": "many",
        "automation_target_percent": 140,
        "go_live_date": "15/01/2027",
        "selected_plan": "gold",
        "favourite_colour": "blue"
    });
    let (status, body) = app.post("/onboarding", &bad, None).await;
    assert_eq!(status, 422, "{body}");
    let fields: Vec<&str> =
        body["error"]["details"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    for f in [
        "organization",
        "contact_name",
        "contact_email",
        "departments",
        "seats",
        "estimated_matters_per_month",
        "automation_target_percent",
        "go_live_date",
        "selected_plan",
        "favourite_colour",
    ] {
        assert!(fields.contains(&f), "{f} missing from {fields:?}");
    }
    // Nothing was created.
    let (_, usage) = app.get("/billing/usage", Some(&app.csm_token())).await;
    assert_eq!(usage["tenants"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn malformed_wrong_type_and_huge_bodies_are_4xx() {
    let app = spawn_app_with(&["--max-body-bytes", "65536"]).await;
    let resp = app
        .client
        .post(app.url("/onboarding"))
        .header("content-type", "application/json")
        .body("{\"organization\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_request");

    let resp = app.client.post(app.url("/onboarding")).body("{}").send().await.unwrap();
    assert_eq!(resp.status(), 415, "no JSON content type");

    let (status, _) = app.post("/onboarding", &json!(["a", "list"]), None).await;
    assert_eq!(status, 422);

    let huge = json!({"organization": "x".repeat(100_000)});
    let resp = app.client.post(app.url("/onboarding")).json(&huge).send().await.unwrap();
    assert_eq!(resp.status(), 413);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "payload_too_large");

    let (status, body) = app.post("/billing/recommend", &json!({"seats": "ten"}), None).await;
    assert_eq!(status, 422, "{body}");
    let (status, _) = app.get("/no/such/endpoint", None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_second_submission_is_409_unless_it_repeats_the_idempotency_key() {
    let app = spawn_app().await;
    let send = |key: Option<&'static str>| {
        let req = app.client.post(app.url("/onboarding")).json(&intake("Baker Stone", 8));
        let req = match key {
            Some(k) => req.header("Idempotency-Key", k),
            None => req,
        };
        async move {
            let resp = req.send().await.unwrap();
            (resp.status().as_u16(), resp.json::<serde_json::Value>().await.unwrap())
        }
    };
    let (s1, first) = send(Some("intake-42")).await;
    assert_eq!(s1, 201);
    let (s2, again) = send(Some("intake-42")).await;
    assert_eq!(s2, 201);
    assert_eq!(again, first, "the first answer, again");
    let (s3, conflict) = send(Some("intake-43")).await;
    assert_eq!(s3, 409, "{conflict}");
    assert_eq!(send(None).await.0, 409);

    // One signup counted, however many retries.
    let (_, usage) = app.get("/billing/usage?tenant_id=baker-stone", Some(&app.csm_token())).await;
    assert_eq!(usage["tenants"].as_array().unwrap().len(), 1);
    let (_, daily) = app.get("/billing/usage/baker-stone/daily", Some(&app.csm_token())).await;
    let signups: u64 = daily["days"].as_array().unwrap().iter().map(|d| d["signups"].as_u64().unwrap()).sum();
    assert_eq!(signups, 1);
}

#[tokio::test]
async fn onboarding_is_rate_limited_per_client_address() {
    let app = spawn_app_with(&["--onboarding-rate", "3"]).await;
    let mut statuses = Vec::new();
    for i in 0..5 {
        statuses.push(app.post("/onboarding", &intake(&format!("Firm {i}"), 3), None).await.0);
    }
    assert_eq!(statuses, vec![201, 201, 201, 429, 429]);
    let (_, body) = app.post("/onboarding", &intake("Firm 9", 3), None).await;
    assert_eq!(body["error"]["code"], "rate_limited");
}
