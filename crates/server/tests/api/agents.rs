//! Agents over HTTP: runs start with 202, are followed and listed by their own tenant only (another
//! tenant gets 404), bad requests are 422 naming the field, a run survives a restart and is
//! billed once, the counsel list is read and replaced, and the privilege log downloads as CSV.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app, spawn_app_in};

struct Tenant {
    id: String,
    writer: String,
    agents: String,
    admin: String,
}

async fn tenant(app: &TestApp, organization: &str) -> Tenant {
    let body = app.onboard(organization, 10).await;
    let id = body["tenant_id"].as_str().unwrap().to_owned();
    Tenant {
        writer: app.token(Some(&id), &["CaseCoordinator"], &["ingest:write", "ingest:read"], &["docket-api"]),
        agents: app.token(Some(&id), &["CaseCoordinator"], &["agents:run", "agents:read"], &["docket-api"]),
        admin: app.token(Some(&id), &["TenantAdmin"], &["usage:read"], &["docket-api"]),
        id,
    }
}

async fn ingest(app: &TestApp, t: &Tenant) {
    let sources = json!({"sources": [
        {"type": "inline", "name": "advice.txt", "content":
            "From: Dana Whitfield <dana@firm.example>\nTo: Elena Park <elena@client.example>\n\nPrivileged & Confidential. My legal advice is not to terminate the agreement yet."},
        {"type": "inline", "name": "schedule.txt", "content":
            "From: Ravi Shah <ravi@client.example>\nTo: Elena Park <elena@client.example>\n\nThe April shipment schedule has three sailings."},
    ]});
    let (status, job) = app.post("/ingest", &sources, Some(&t.writer)).await;
    assert_eq!(status, 202, "{job}");
    let path = format!("/ingest/{}", job["job_id"].as_str().unwrap());
    for _ in 0..600 {
        let (status, job) = app.get(&path, Some(&t.writer)).await;
        if status == 200 && job["metered"] == true {
            assert_eq!(job["ingested"], 2, "{job}");
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the ingestion job did not finish");
}

async fn wait_for_run(app: &TestApp, token: &str, run_id: &str, metered: bool) -> Value {
    for _ in 0..600 {
        let (status, run) = app.get(&format!("/agents/runs/{run_id}"), Some(token)).await;
        assert_eq!(status, 200, "{run}");
        if (run["status"] == "succeeded" || run["status"] == "failed") && (!metered || run["metered"] == true) {
            return run;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("run {run_id} did not finish");
}

async fn agent_runs_billed(app: &TestApp, t: &Tenant) -> u64 {
    let (status, usage) = app.get("/usage", Some(&t.admin)).await;
    assert_eq!(status, 200, "{usage}");
    usage["snapshot"]["agent_runs"].as_u64().expect("agent_runs in the snapshot")
}

fn fields(body: &Value) -> Vec<String> {
    body["error"]["details"]["fields"]
        .as_array()
        .map_or_else(Vec::new, |f| f.iter().map(|f| f["field"].as_str().unwrap_or_default().to_owned()).collect())
}

#[tokio::test]
async fn a_privilege_review_run_is_tenant_scoped_survives_a_restart_and_is_billed_once() {
    let app = spawn_app().await;
    let firm = tenant(&app, "Whitfield Client").await;
    let rival = tenant(&app, "Rival Firm").await;
    ingest(&app, &firm).await;

    let counsel = json!({"names": ["Dana Whitfield"], "emails": [], "domains": ["Firm.example"],
        "client_domains": ["client.example"]});
    let (status, stored) = app.put("/agents/privilege_review/counsel", &counsel, Some(&firm.agents)).await;
    assert_eq!(status, 200, "{stored}");
    assert_eq!(stored["domains"], json!(["firm.example"]), "domains are stored lower-cased");
    let (status, read) = app.get("/agents/privilege_review/counsel", Some(&firm.agents)).await;
    assert_eq!((status, &read), (200, &stored));
    let (_, other) = app.get("/agents/privilege_review/counsel", Some(&rival.agents)).await;
    assert_eq!(other["names"], json!([]), "each tenant has its own counsel list");

    let (status, run) = app.post("/agents/run", &json!({"agent": "privilege_review"}), Some(&firm.agents)).await;
    assert_eq!(status, 202, "{run}");
    let run_id = run["run_id"].as_str().unwrap().to_owned();
    assert!(["queued", "running", "succeeded"].contains(&run["status"].as_str().unwrap()), "{run}");
    let run = wait_for_run(&app, &firm.agents, &run_id, true).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(run["documents_examined"], 2);
    let steps: Vec<&str> = run["steps"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert!(steps.contains(&"classify documents"), "{steps:?}");
    let calls: Vec<(String, String)> = run["output"]["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["source"].as_str().unwrap().to_owned(), d["call"].as_str().unwrap().to_owned()))
        .collect();
    assert!(calls.contains(&("advice.txt".into(), "privileged".into())), "{calls:?}");
    assert!(calls.contains(&("schedule.txt".into(), "not_privileged".into())), "{calls:?}");
    assert!(!run["citations"].as_array().unwrap().is_empty());

    let resp = app
        .client
        .get(app.url(&format!("/agents/runs/{run_id}/privilege-log.csv")))
        .bearer_auth(&firm.agents)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = resp.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "a header and the one privileged document: {csv}");
    assert!(lines[1].starts_with("PRIV-000001,") && lines[1].contains("advice.txt"), "{csv}");

    // Another tenant sees none of it.
    for path in [format!("/agents/runs/{run_id}"), format!("/agents/runs/{run_id}/privilege-log.csv")] {
        let (status, body) = app.get(&path, Some(&rival.agents)).await;
        assert_eq!(status, 404, "{path}: {body}");
    }
    let (status, list) = app.get("/agents/runs", Some(&rival.agents)).await;
    assert_eq!((status, list), (200, json!([])));
    let (_, list) = app.get("/agents/runs", Some(&firm.agents)).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["run_id"], run_id.as_str());
    assert_eq!(agent_runs_billed(&app, &firm).await, 1);
    assert_eq!(agent_runs_billed(&app, &rival).await, 0);

    // After a restart the run is still there, still succeeded, and still billed once.
    let storage = app.stop().await;
    let app = spawn_app_in(storage, &[]).await;
    let again = wait_for_run(&app, &firm.agents, &run_id, true).await;
    assert_eq!(again["status"], "succeeded");
    assert_eq!(again["output"], run["output"]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(agent_runs_billed(&app, &firm).await, 1);
    let _ = firm.id;
    app.stop().await;
}

#[tokio::test]
async fn bad_runs_and_counsel_lists_are_422_naming_the_field_and_scopes_are_enforced() {
    let app = spawn_app().await;
    let firm = tenant(&app, "Careful Firm").await;
    let cases = [
        (json!({"agent": "astrologer"}), "agent"),
        (json!({"agent": "privilege_review", "scope": {"source": "fax"}}), "scope.source"),
        (json!({"agent": "privilege_review", "scope": {"from_ts": "2021-13-45"}}), "scope.from_ts"),
        (
            json!({"agent": "privilege_review", "scope": {"from_ts": "2021-05-01", "to_ts": "2021-01-01"}}),
            "scope.from_ts",
        ),
        (json!({"agent": "privilege_review", "scope": {"query": "(unpaired"}}), "scope.query"),
        (json!({"agent": "privilege_review", "options": {"control_prefix": "no spaces"}}), "options.control_prefix"),
        (json!({"agent": "case_brief"}), "question"),
    ];
    for (body, field) in cases {
        let (status, answer) = app.post("/agents/run", &body, Some(&firm.agents)).await;
        assert_eq!(status, 422, "{body}: {answer}");
        assert!(fields(&answer).contains(&field.to_owned()), "{body}: {answer}");
    }
    let (status, answer) =
        app.put("/agents/privilege_review/counsel", &json!({"emails": ["not an address"]}), Some(&firm.agents)).await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(fields(&answer), ["emails[0]"]);

    let (status, _) = app.get("/agents/runs/not-a-uuid", Some(&firm.agents)).await;
    assert_eq!(status, 400);
    let (status, _) = app.get("/agents/runs/0190f0f0-0000-7000-8000-000000000000", Some(&firm.agents)).await;
    assert_eq!(status, 404);
    let (status, _) = app.post("/agents/run", &json!({"agent": "privilege_review"}), None).await;
    assert_eq!(status, 401);
    let reader = app.token(Some(&firm.id), &["CaseCoordinator"], &["agents:read"], &["docket-api"]);
    let (status, _) = app.post("/agents/run", &json!({"agent": "privilege_review"}), Some(&reader)).await;
    assert_eq!(status, 403, "agents:read cannot start a run");
    let (status, _) = app.put("/agents/privilege_review/counsel", &json!({}), Some(&reader)).await;
    assert_eq!(status, 403, "agents:read cannot replace the counsel list");
    let runner = app.token(Some(&firm.id), &["CaseCoordinator"], &["agents:run"], &["docket-api"]);
    let (status, _) = app.get("/agents/runs", Some(&runner)).await;
    assert_eq!(status, 403, "agents:run alone cannot read runs");
    app.stop().await;
}
