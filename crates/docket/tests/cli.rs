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
    assert_eq!(rows[0], ["community", "0.00", "500", "5", "5", "Community", "48", "0.02", "3.00"]);
    assert_eq!(rows[1], ["professional", "3499.00", "5000", "60", "25", "Standard", "12", "0.015", "2.40"]);
    assert_eq!(rows[2], ["enterprise", "8999.00", "20000", "250", "100", "Premium", "2", "0.010", "1.60"]);
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

#[test]
fn demo_and_ingest_load_documents_with_metering() {
    let dir = tempfile::tempdir().unwrap();
    // No server answers on this port: each command starts one for itself.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
    let bind = format!("127.0.0.1:{port}");
    let out = docket(dir.path(), &["demo", "--bind", &bind]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = stdout(&out);
    assert!(text.contains("succeeded"), "{text}");
    assert!(text.contains("0 failed"), "{text}");

    let matter = tempfile::tempdir().unwrap();
    std::fs::write(matter.path().join("a.txt"), "Counsel met on March 3, 2021 about the invoice.").unwrap();
    std::fs::write(matter.path().join("b.md"), "# Note\nThe hearing moved to 4 May 2021.").unwrap();
    let create =
        docket(dir.path(), &["tenant", "create", "cli-firm", "--plan", "community", "--organization", "CLI Firm"]);
    assert!(create.status.success());
    let out =
        docket(dir.path(), &["ingest", &matter.path().display().to_string(), "--tenant", "cli-firm", "--bind", &bind]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout(&out).contains("2 ingested"), "{}", stdout(&out));

    let list = stdout(&docket(dir.path(), &["tenants"]));
    let demo = list.lines().find(|l| l.starts_with("demo ")).expect("demo tenant listed");
    assert!(demo.contains("professional"), "{demo}");
    let usage: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("billing/usage.json")).unwrap()).unwrap();
    let cli = usage["tenants"].as_array().unwrap().iter().find(|t| t["tenant_id"] == "cli-firm").unwrap();
    assert_eq!(cli["ingest_bytes"], 48 + 38);
    let demo = usage["tenants"].as_array().unwrap().iter().find(|t| t["tenant_id"] == "demo").unwrap();
    assert_eq!(demo["query_count"], 4);
    assert_eq!(demo["timeline_requests"], 1);

    let unknown = docket(
        dir.path(),
        &["ingest", &matter.path().display().to_string(), "--tenant", "nobody-here", "--bind", &bind],
    );
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("not registered"));
}

#[test]
fn arguments_are_parsed_into_their_types_and_ttl_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let stderr = |o: &Output| String::from_utf8_lossy(&o.stderr).into_owned();
    let ok = docket(dir.path(), &["token", "--aud", "docket-api", "--ttl", "1h 30m"]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    let too_long = docket(dir.path(), &["token", "--aud", "docket-api", "--ttl", "48h"]);
    assert!(!too_long.status.success());
    assert!(stderr(&too_long).contains("DOCKET_JWT_MAX_TTL"), "{}", stderr(&too_long));
    let longer_allowed = docket(dir.path(), &["--jwt-max-ttl", "72h", "token", "--aud", "docket-api", "--ttl", "48h"]);
    assert!(longer_allowed.status.success(), "{}", stderr(&longer_allowed));
    for (args, names) in [
        (&["token", "--aud", "docket-api", "--tenant", "Bad Tenant"][..], "--tenant"),
        (&["token", "--aud", "docket-api", "--ttl", "soon"][..], "--ttl"),
        (&["--log-format", "yaml", "plans"][..], "--log-format"),
        (&["tenant", "create", "acme", "--plan", "platinum", "--organization", "Acme"][..], "--plan"),
        (&["ingest", ".", "--tenant", "NOT OK"][..], "--tenant"),
    ] {
        let out = docket(dir.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: a usage error");
        assert!(stderr(&out).contains(names), "{args:?}: {}", stderr(&out));
    }
    let short = docket(dir.path(), &["--jwt-secret", "short", "token", "--aud", "docket-api"]);
    assert!(!short.status.success());
    assert!(stderr(&short).contains("DOCKET_JWT_SECRET"), "{}", stderr(&short));
}

/// GET /health over a plain socket: true when the server answers 200.
fn healthy(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else { return false };
    let _ = s.set_read_timeout(Some(std::time::Duration::from_secs(2)));
    if s.write_all(b"GET /health HTTP/1.0\r\nHost: localhost\r\n\r\n").is_err() {
        return false;
    }
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    answer.starts_with("HTTP/1.1 200") || answer.starts_with("HTTP/1.0 200")
}

#[test]
fn ingest_into_a_server_not_granted_the_path_fails_clearly_unless_told_to_upload() {
    let dir = tempfile::tempdir().unwrap();
    let create =
        docket(dir.path(), &["tenant", "create", "cli-firm", "--plan", "community", "--organization", "CLI Firm"]);
    assert!(create.status.success());
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let bind = format!("127.0.0.1:{port}");
    let mut server = Command::new(env!("CARGO_BIN_EXE_docket"))
        .env("DOCKET_STORAGE_DIR", dir.path())
        .env("DOCKET_LOG", "warn")
        .env_remove("DOCKET_JWT_SECRET")
        .env_remove("DOCKET_INGEST_ROOTS")
        .args(["serve", "--bind", &bind])
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start docket serve");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !healthy(port) {
        assert!(std::time::Instant::now() < deadline, "the server did not come up");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let matter = tempfile::tempdir().unwrap();
    std::fs::write(matter.path().join("a.txt"), "Counsel met on March 3, 2021 about the invoice.").unwrap();
    std::fs::write(matter.path().join("b.md"), "# Note\nThe hearing moved to 4 May 2021.").unwrap();
    let path = matter.path().display().to_string();

    let refused = docket(dir.path(), &["ingest", &path, "--tenant", "cli-firm", "--bind", &bind]);
    let message = String::from_utf8_lossy(&refused.stderr).into_owned();
    let uploaded = docket(dir.path(), &["ingest", &path, "--tenant", "cli-firm", "--bind", &bind, "--upload"]);
    let _ = server.kill();
    let _ = server.wait();
    assert!(!refused.status.success(), "{}", stdout(&refused));
    assert!(message.contains("DOCKET_INGEST_ROOTS") && message.contains("--upload"), "{message}");
    assert!(!stdout(&refused).contains("ingested"), "{}", stdout(&refused));
    assert!(uploaded.status.success(), "{}", String::from_utf8_lossy(&uploaded.stderr));
    assert!(stdout(&uploaded).contains("2 ingested"), "{}", stdout(&uploaded));
}

#[test]
fn triage_lists_flagged_tenants_as_json_csv_or_a_table() {
    let dir = tempfile::tempdir().unwrap();
    for (tenant, plan) in [("lowe-partners", "community"), ("hale-llp", "enterprise")] {
        let out =
            docket(dir.path(), &["tenant", "create", tenant, "--plan", plan, "--organization", "Firm, \"Quoted\""]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    // Not a terminal: JSON by default.
    let out = docket(dir.path(), &["triage"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let tenants = report["tenants"].as_array().unwrap();
    assert_eq!(tenants.len(), 2, "{report}");
    for t in tenants {
        assert_eq!(t["days_since_activity"], serde_json::Value::Null);
        assert!(t["reasons"].as_array().unwrap().iter().any(|r| r == "no activity recorded yet"), "{t}");
    }

    let out = docket(dir.path(), &["triage", "--format", "csv"]);
    assert!(out.status.success());
    let mut csv = csv::Reader::from_reader(out.stdout.as_slice());
    let headers = csv.headers().unwrap().clone();
    assert_eq!(&headers[0], "tenant_id");
    assert_eq!(&headers[9], "reasons");
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| &r[1] == "Firm, \"Quoted\""), "{rows:?}");

    let table = stdout(&docket(dir.path(), &["triage", "--format", "table"]));
    assert!(table.starts_with("triage of "), "{table}");
    assert!(table.lines().any(|l| l.starts_with("lowe-partners")), "{table}");

    let bad = docket(dir.path(), &["triage", "--period", "2026-13"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--period"));
}
