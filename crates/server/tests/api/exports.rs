//! The weekly CRM export: its columns in CSV and JSON Lines, its access rule, its parameters.

use docket_ledger::CRM_COLUMNS;
use serde_json::{Value, json};

use crate::helpers::{TestApp, intake, spawn_app};

const PATH: &str = "/billing/export/crm";

fn export_token(app: &TestApp) -> String {
    app.token(None, &["CustomerSuccessManager"], &["billing:export"], &["docket-billing"])
}

/// GET returning status, content type and the body as text.
async fn fetch(app: &TestApp, path: &str, token: Option<&str>, accept: Option<&str>) -> (u16, String, String) {
    let mut req = app.client.get(app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(a) = accept {
        req = req.header("accept", a);
    }
    let resp = req.send().await.expect("request sent");
    let status = resp.status().as_u16();
    let content_type = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    (status, content_type, resp.text().await.expect("body"))
}

async fn two_tenants(app: &TestApp) {
    app.onboard("Hale Barrister", 12).await;
    let mut risky = intake("=SUM(A1:A9)", 3);
    risky["tenant_id"] = json!("sum-firm");
    risky["contact_name"] = json!("+Bram Lowe");
    risky["departments"] = json!(["-Trial", "Appeals"]);
    let (status, body) = app.post("/onboarding", &risky, None).await;
    assert_eq!(status, 201, "{body}");
    let events: Vec<_> = (0..40)
        .map(|i| json!({"event_id": format!("hale-{i}"), "tenant_id": "hale-barrister", "kind": "query", "subject": format!("user-{}", i % 2)}))
        .collect();
    let (status, body) = app.post("/billing/events", &json!({ "events": events }), Some(&app.service_token())).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn the_csv_export_has_the_documented_header_and_one_row_per_tenant() {
    let app = spawn_app().await;
    two_tenants(&app).await;
    let (status, content_type, text) = fetch(&app, PATH, Some(&export_token(&app)), None).await;
    assert_eq!(status, 200, "{text}");
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    let mut csv = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = csv.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(header, CRM_COLUMNS);
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2, "{text}");
    let cell =
        |row: &csv::StringRecord, column: &str| row[CRM_COLUMNS.iter().position(|c| *c == column).unwrap()].to_owned();
    let hale = &rows[0];
    for (column, expected) in [
        ("tenant_id", "hale-barrister"),
        ("organization", "Hale Barrister"),
        ("contact_name", "Ana Ortiz"),
        ("contact_email", "ana@example.com"),
        // 12 seats: the recommended plan.
        ("plan", "professional"),
        ("seats", "12"),
        ("active_seats", "2"),
        ("departments", "Litigation; Compliance"),
        ("go_live_date", "2027-01-15"),
        ("success_criteria", "Privilege log in a day"),
        ("cost_to_date_usd", "3499.00"),
        ("projected_overage_usd", "0.00"),
        ("alert_level", "none"),
    ] {
        assert_eq!(cell(hale, column), expected, "{column}");
    }
    assert!(!cell(hale, "last_activity_at").is_empty());
    // Free text a spreadsheet would run as a formula is made text.
    let risky = &rows[1];
    assert_eq!(cell(risky, "organization"), "'=SUM(A1:A9)");
    assert_eq!(cell(risky, "contact_name"), "'+Bram Lowe");
    assert_eq!(cell(risky, "departments"), "'-Trial; Appeals");
    assert_eq!(cell(risky, "plan"), "community");
}

#[tokio::test]
async fn json_lines_are_chosen_by_accept_or_format_and_each_line_parses() {
    let app = spawn_app().await;
    two_tenants(&app).await;
    let token = export_token(&app);
    for (path, accept) in [(PATH.to_owned(), Some("application/x-ndjson")), (format!("{PATH}?format=jsonl"), None)] {
        let (status, content_type, text) = fetch(&app, &path, Some(&token), accept).await;
        assert_eq!(status, 200, "{text}");
        assert_eq!(content_type, "application/x-ndjson");
        let lines: Vec<Value> =
            text.lines().map(|l| serde_json::from_str(l).expect("one JSON object per line")).collect();
        assert_eq!(lines.len(), 2);
        for line in &lines {
            let keys: Vec<&str> = line.as_object().unwrap().keys().map(String::as_str).collect();
            let mut expected = CRM_COLUMNS.to_vec();
            expected.sort_unstable();
            assert_eq!(keys, expected, "{line}");
        }
        assert_eq!(lines[0]["departments"], json!(["Litigation", "Compliance"]));
        assert_eq!(lines[1]["organization"], "=SUM(A1:A9)", "JSON keeps the text as given");
    }
    // ?format= wins over Accept.
    let (_, content_type, _) =
        fetch(&app, &format!("{PATH}?format=csv"), Some(&token), Some("application/x-ndjson")).await;
    assert!(content_type.starts_with("text/csv"), "{content_type}");
}

#[tokio::test]
async fn the_export_answers_only_to_the_export_scope_of_customer_success() {
    let app = spawn_app().await;
    two_tenants(&app).await;
    let (status, _, _) = fetch(&app, PATH, None, None).await;
    assert_eq!(status, 401);
    for (token, names) in [
        (app.token(None, &["TenantAdmin"], &["billing:export"], &["docket-billing"]), "role"),
        (app.csm_token(), "billing:export"),
        (app.token(None, &["CustomerSuccessManager"], &["billing:export"], &["docket-api"]), "audience"),
    ] {
        let (status, body) = app.get(PATH, Some(&token)).await;
        assert_eq!(status, 403, "{names}: {body}");
        assert!(body["error"]["message"].as_str().unwrap().contains(names), "{names}: {body}");
    }
    let admin = app.token(None, &["PlatformAdmin"], &["billing:export"], &["docket-billing"]);
    let (status, _, _) = fetch(&app, PATH, Some(&admin), None).await;
    assert_eq!(status, 200);
    // A tenant-scoped token gets its own row only.
    let scoped = app.token(Some("sum-firm"), &["CustomerSuccessManager"], &["billing:export"], &["docket-billing"]);
    let (status, _, text) = fetch(&app, &format!("{PATH}?format=jsonl"), Some(&scoped), None).await;
    assert_eq!(status, 200, "{text}");
    let ids: Vec<Value> =
        text.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()["tenant_id"].clone()).collect();
    assert_eq!(ids, [json!("sum-firm")]);
}

#[tokio::test]
async fn a_bad_period_or_format_is_named() {
    let app = spawn_app().await;
    let token = export_token(&app);
    for (query, field) in [("period=2026-13", "period"), ("period=last-week", "period"), ("format=xml", "format")] {
        let (status, body) = app.get(&format!("{PATH}?{query}"), Some(&token)).await;
        assert_eq!(status, 422, "{query}: {body}");
        assert_eq!(body["error"]["details"]["fields"][0]["field"], field, "{body}");
    }
    let (status, body) = app.get(&format!("{PATH}?colour=red"), Some(&token)).await;
    assert!(status == 400 || status == 422, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("colour"), "{body}");
    // No tenants yet: the header alone.
    let (status, _, text) = fetch(&app, &format!("{PATH}?period=2026-10"), Some(&token), None).await;
    assert_eq!(status, 200);
    assert_eq!(text.trim_end(), CRM_COLUMNS.join(","));
}
