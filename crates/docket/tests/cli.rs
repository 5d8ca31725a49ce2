//! The operator commands, on the same storage as a running server.

use std::process::{Command, Output};

fn docket(storage: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_docket"))
        .env("DOCKET_STORAGE_DIR", storage)
        .env("DOCKET_LOG", "warn")
        .env_remove("DOCKET_JWT_SECRET")
        .args(args)
        .output()
        .expect("run docket")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn plans_prints_the_published_table() {
    let dir = tempfile::tempdir().unwrap();
    let out = docket(dir.path(), &["plans"]);
    assert!(out.status.success());
    let text = stdout(&out);
    let rows: Vec<Vec<&str>> = text.lines().skip(1).take(3).map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(rows[0], ["community", "0", "500", "5", "5", "Community", "48", "0.02", "3.00"]);
    assert_eq!(rows[1], ["professional", "3499", "5000", "60", "25", "Standard", "12", "0.015", "2.40"]);
    assert_eq!(rows[2], ["enterprise", "8999", "20000", "250", "100", "Premium", "2", "0.010", "1.60"]);
}

#[test]
fn tenants_are_created_moved_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let out = docket(
        dir.path(),
        &["tenant", "create", "lowe-partners", "--plan", "community", "--organization", "Lowe Partners"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let again =
        docket(dir.path(), &["tenant", "create", "lowe-partners", "--plan", "community", "--organization", "Lowe"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    let bad_plan = docket(dir.path(), &["tenant", "set-plan", "lowe-partners", "platinum"]);
    assert!(!bad_plan.status.success());
    assert!(String::from_utf8_lossy(&bad_plan.stderr).contains("unknown plan"));
    let moved = docket(dir.path(), &["tenant", "set-plan", "lowe-partners", "enterprise"]);
    assert!(moved.status.success());
    let list = stdout(&docket(dir.path(), &["tenants"]));
    let row = list.lines().find(|l| l.starts_with("lowe-partners")).expect("tenant listed");
    assert!(row.contains("enterprise"), "{row}");
    let missing = docket(dir.path(), &["tenant", "set-plan", "nobody-here", "community"]);
    assert!(!missing.status.success());
}

#[test]
fn token_is_alone_on_stdout_and_uses_the_generated_secret() {
    let dir = tempfile::tempdir().unwrap();
    let out = docket(
        dir.path(),
        &[
            "token",
            "--tenant",
            "acme",
            "--role",
            "CaseCoordinator",
            "--role",
            "ResearchAnalyst",
            "--scope",
            "query:read",
            "--scope",
            "ingest:write",
            "--aud",
            "docket-api",
            "--ttl",
            "30m",
        ],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1);
    let token = text.trim();
    assert!(dir.path().join("secrets/jwt_secret").exists());
    let secret = std::fs::read(dir.path().join("secrets/jwt_secret")).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.set_audience(&["docket-api"]);
    let data =
        jsonwebtoken::decode::<serde_json::Value>(token, &jsonwebtoken::DecodingKey::from_secret(&secret), &validation)
            .unwrap();
    assert_eq!(data.claims["tenant_id"], "acme");
    assert_eq!(data.claims["roles"], serde_json::json!(["CaseCoordinator", "ResearchAnalyst"]));
    assert_eq!(data.claims["scope"], "query:read ingest:write");
    let ttl = data.claims["exp"].as_i64().unwrap() - data.claims["iat"].as_i64().unwrap();
    assert_eq!(ttl, 1800);
    let bad = docket(dir.path(), &["token", "--aud", "docket-api", "--ttl", "soon"]);
    assert!(!bad.status.success());
}
