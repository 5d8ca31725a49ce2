//! Support tickets over HTTP: opened by a tenant's people, answered by support agents, each
//! tenant seeing only its own; access rules and validation on every endpoint.

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

fn person(app: &TestApp, tenant: &str) -> String {
    app.token(Some(tenant), &["CaseCoordinator"], &["support:write", "support:read"], &["docket-api"])
}

fn agent(app: &TestApp) -> String {
    app.token(None, &["SupportAgent"], &["support:write", "support:read"], &["docket-api"])
}

fn ticket(subject: &str) -> Value {
    json!({"subject": subject, "severity": "high", "body": "The privilege log export stops at 1,000 rows."})
}

fn fields(body: &Value) -> Vec<String> {
    body["error"]["details"]["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("no fields in {body}"))
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_owned())
        .collect()
}

fn instant(v: &Value) -> time::OffsetDateTime {
    time::OffsetDateTime::parse(v.as_str().unwrap(), &time::format_description::well_known::Rfc3339).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tickets_are_opened_answered_and_seen_only_by_their_tenant() {
    let app = spawn_app().await;
    app.onboard("Busy Firm", 3).await;
    app.onboard("Other Firm", 3).await;
    let (busy, other) = (person(&app, "busy-firm"), person(&app, "other-firm"));

    let (status, opened) = app.post("/support/tickets", &ticket("Export stops"), Some(&busy)).await;
    assert_eq!(status, 201, "{opened}");
    assert_eq!(opened["tenant_id"], "busy-firm");
    assert_eq!(opened["opened_by"], "tester");
    assert_eq!(opened["severity"], "high");
    assert_eq!(opened["support_tier"], "community");
    assert_eq!(opened["sla_hours"], 48);
    assert_eq!(instant(&opened["due_at"]) - instant(&opened["opened_at"]), time::Duration::hours(48));
    assert_eq!(opened["first_response_at"], Value::Null);
    assert_eq!(opened["breach"], Value::Null);
    let id = opened["ticket_id"].as_str().unwrap().to_owned();
    let (status, _) = app.post("/support/tickets", &ticket("Other's issue"), Some(&other)).await;
    assert_eq!(status, 201);

    // Each tenant lists and reads its own only; another tenant's ticket id is unknown to it.
    let (status, list) = app.get("/support/tickets", Some(&other)).await;
    assert_eq!(status, 200);
    let subjects: Vec<&str> =
        list["tickets"].as_array().unwrap().iter().map(|t| t["subject"].as_str().unwrap()).collect();
    assert_eq!(subjects, ["Other's issue"]);
    let (status, body) = app.get(&format!("/support/tickets/{id}"), Some(&other)).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error"]["code"], "not_found");
    let (status, _) = app.get("/support/tickets?tenant_id=busy-firm", Some(&other)).await;
    assert_eq!(status, 403, "a tenant's token cannot ask for another tenant");

    // The agent answers; the first response is measured, within the SLA.
    let path = format!("/support/tickets/{id}/responses");
    let (status, answered) = app.post(&path, &json!({"body": "Fixed in 2.3; please retry."}), Some(&agent(&app))).await;
    assert_eq!(status, 201, "{answered}");
    assert_eq!(answered["response"]["responder"], "tester");
    assert!(answered["ticket"]["first_response_at"].is_string());
    assert_eq!(answered["ticket"]["breach"], Value::Null);
    let (status, _) = app.post(&path, &json!({"body": "Anything else?"}), Some(&agent(&app))).await;
    assert_eq!(status, 201);
    let (_, read) = app.get(&format!("/support/tickets/{id}"), Some(&busy)).await;
    assert_eq!(read["responses"].as_array().unwrap().len(), 2);
    assert_eq!(
        read["first_response_at"], answered["ticket"]["first_response_at"],
        "the first response stays the first"
    );

    // Staff see every tenant, or one.
    for staff in [agent(&app), app.token(None, &["CustomerSuccessManager"], &["support:read"], &["docket-api"])] {
        let (status, all) = app.get("/support/tickets", Some(&staff)).await;
        assert_eq!(status, 200, "{all}");
        assert_eq!(all["tickets"].as_array().unwrap().len(), 2);
        let (_, one) = app.get("/support/tickets?tenant_id=busy-firm&limit=5", Some(&staff)).await;
        assert_eq!(one["tickets"].as_array().unwrap().len(), 1);
    }

    // One first response observed for the tenant, none for the other; no breach.
    let metrics = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    let count = |tenant: &str| {
        metrics
            .lines()
            .find(|l| {
                l.starts_with("docket_support_first_response_duration_seconds_count")
                    && l.contains(&format!("tenant=\"{tenant}\""))
            })
            .map(|l| l.rsplit(' ').next().unwrap().to_owned())
    };
    assert_eq!(count("busy-firm").as_deref(), Some("1"), "{metrics}");
    assert_eq!(count("other-firm"), None);
    assert!(!metrics.contains("docket_support_sla_breaches_total"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_support_endpoint_checks_the_token() {
    let app = spawn_app().await;
    app.onboard("Busy Firm", 3).await;
    let (_, opened) = app.post("/support/tickets", &ticket("x"), Some(&person(&app, "busy-firm"))).await;
    let id = opened["ticket_id"].as_str().unwrap().to_owned();
    let responses = format!("/support/tickets/{id}/responses");
    let one = format!("/support/tickets/{id}");
    let answer = json!({"body": "ok"});

    // No token: 401 everywhere.
    assert_eq!(app.post("/support/tickets", &ticket("x"), None).await.0, 401);
    assert_eq!(app.post(&responses, &answer, None).await.0, 401);
    assert_eq!(app.get("/support/tickets", None).await.0, 401);
    assert_eq!(app.get(&one, None).await.0, 401);

    let billing_aud =
        app.token(Some("busy-firm"), &["SupportAgent"], &["support:write", "support:read"], &["docket-billing"]);
    let no_scope = app.token(Some("busy-firm"), &["SupportAgent"], &["query:read"], &["docket-api"]);
    for token in [&billing_aud, &no_scope] {
        assert_eq!(app.post("/support/tickets", &ticket("x"), Some(token)).await.0, 403);
        assert_eq!(app.post(&responses, &answer, Some(token)).await.0, 403);
        assert_eq!(app.get("/support/tickets", Some(token)).await.0, 403);
        assert_eq!(app.get(&one, Some(token)).await.0, 403);
    }
    // A tenant's person cannot answer; a token without a tenant cannot open.
    let (status, body) = app.post(&responses, &answer, Some(&person(&app, "busy-firm"))).await;
    assert_eq!(status, 403);
    assert!(body["error"]["message"].as_str().unwrap().contains("SupportAgent"), "{body}");
    let (status, body) = app.post("/support/tickets", &ticket("x"), Some(&agent(&app))).await;
    assert_eq!(status, 403);
    assert!(body["error"]["message"].as_str().unwrap().contains("tenant_id"), "{body}");
    // A token with neither a tenant nor a support role reads nothing.
    let plain = app.token(None, &["ResearchAnalyst"], &["support:read"], &["docket-api"]);
    assert_eq!(app.get("/support/tickets", Some(&plain)).await.0, 403);
    assert_eq!(app.get(&one, Some(&plain)).await.0, 403);
    // An unregistered tenant cannot open a ticket.
    assert_eq!(app.post("/support/tickets", &ticket("x"), Some(&person(&app, "ghost-firm"))).await.0, 403);
    // An agent scoped to another tenant does not find this ticket.
    let scoped_agent =
        app.token(Some("other-firm"), &["SupportAgent"], &["support:write", "support:read"], &["docket-api"]);
    assert_eq!(app.post(&responses, &answer, Some(&scoped_agent)).await.0, 404);
    assert_eq!(app.post("/support/tickets/no-such-id/responses", &answer, Some(&agent(&app))).await.0, 404);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_tickets_and_responses_are_422_naming_the_field() {
    let app = spawn_app().await;
    app.onboard("Busy Firm", 3).await;
    let busy = person(&app, "busy-firm");
    let cases = [
        (json!({"subject": "", "severity": "low", "body": "b"}), vec!["subject"]),
        (json!({"subject": "s".repeat(201), "severity": "low", "body": "  "}), vec!["subject", "body"]),
        (json!({"subject": "s".repeat(200), "severity": "low", "body": "b".repeat(20_001)}), vec!["body"]),
        (json!({"subject": "s", "severity": "critical", "body": "b"}), vec!["severity"]),
        (json!({"body": "b"}), vec!["subject", "severity"]),
        (json!({}), vec!["subject", "severity", "body"]),
    ];
    for (request, expected) in cases {
        let (status, body) = app.post("/support/tickets", &request, Some(&busy)).await;
        assert_eq!(status, 422, "{request}: {body}");
        assert_eq!(fields(&body), expected, "{body}");
    }
    // An unknown field: 422 whose details name it.
    let request = json!({"subject": "s", "severity": "low", "body": "b", "priority": 1});
    let (status, body) = app.post("/support/tickets", &request, Some(&busy)).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"]["details"]["fields"][0]["message"].as_str().unwrap().contains("priority"), "{body}");
    let (status, ok) = app
        .post("/support/tickets", &json!({"subject": "s".repeat(200), "severity": "urgent", "body": "b"}), Some(&busy))
        .await;
    assert_eq!(status, 201, "200 characters are allowed: {ok}");
    let path = format!("/support/tickets/{}/responses", ok["ticket_id"].as_str().unwrap());
    let (status, body) = app.post(&path, &json!({"body": ""}), Some(&agent(&app))).await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body), ["body"]);
    let (status, body) = app.get("/support/tickets?limit=0", Some(&agent(&app))).await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body), ["limit"]);
    let (status, body) = app.get("/support/tickets?tenant_id=Not%20An%20Id", Some(&agent(&app))).await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body), ["tenant_id"]);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sweep_records_and_counts_an_unanswered_breach_once() {
    let storage = tempfile::tempdir().unwrap();
    let config = crate::helpers::test_config(storage.path(), &[]);
    let ledger = docket_server::open_ledger(&config).await.unwrap();
    let telemetry = docket_server::telemetry::Telemetry::from_config(&config).unwrap();
    let t = docket_billing::TenantId::parse("quiet-firm").unwrap();
    ledger.create_tenant(&t, "Quiet Firm", docket_billing::PlanId::Enterprise).await.unwrap();
    // Opened three hours ago on premium support (2 hours): past its deadline, unanswered.
    let now = time::OffsetDateTime::now_utc();
    let new = docket_ledger::NewTicket {
        tenant: &t,
        subject: "Hotline unreachable",
        body: "No answer since this morning.",
        severity: docket_ledger::Severity::Urgent,
        opened_by: "ana",
    };
    let opened = ledger.open_ticket(new, now - time::Duration::hours(3)).await.unwrap();
    assert_eq!(docket_server::support::sweep_once(&ledger, &telemetry, now).await, 1);
    assert_eq!(docket_server::support::sweep_once(&ledger, &telemetry, now).await, 0, "recorded once");
    let ticket = ledger.ticket(&opened.ticket_id, None).await.unwrap().unwrap();
    assert_eq!(ticket.breach, Some(docket_ledger::SlaBreach::Unanswered));
    let text = telemetry.prometheus_text().unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("docket_support_sla_breaches_total"))
        .unwrap_or_else(|| panic!("no breach series:\n{text}"));
    for label in ["breach=\"unanswered\"", "support_tier=\"premium\"", "tenant=\"quiet-firm\""] {
        assert!(line.contains(label), "{line}");
    }
    assert!(line.ends_with(" 1"), "{line}");
    ledger.close().await;
}
