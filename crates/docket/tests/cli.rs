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
    assert_eq!(demo["queries"], 4);
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

/// `docket` with the override lists (and who acts) in its environment.
fn docket_with(storage: &std::path::Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_docket"));
    cmd.env("DOCKET_STORAGE_DIR", storage).env("DOCKET_LOG", "warn").env_remove("DOCKET_JWT_SECRET");
    for name in ["DOCKET_PLAN_OVERRIDES", "DOCKET_SUPPORT_OVERRIDES", "DOCKET_OPERATOR", "DOCKET_DEFAULT_PLAN"] {
        cmd.env_remove(name);
    }
    cmd.envs(env.iter().copied()).args(args).output().expect("run docket")
}

/// One rule for tenant ids: a DOCKET_INGEST_ROOTS grant is refused for exactly the ids a
/// token's tenant is, with the same words (it used to accept ids no token could carry).
#[test]
fn ingest_roots_and_tokens_refuse_the_same_tenant_ids() {
    let stderr = |o: &Output| String::from_utf8_lossy(&o.stderr).into_owned();
    let dir = tempfile::tempdir().unwrap();
    for id in ["Acme_Corp", "acme.law", "a", "acme-"] {
        let grant = format!("{id}=/srv/matters");
        let roots = docket_with(dir.path(), &[("DOCKET_INGEST_ROOTS", &grant)], &["tenants"]);
        let token = docket(dir.path(), &["token", "--aud", "docket-api", "--tenant", id]);
        for (what, out) in [("DOCKET_INGEST_ROOTS", &roots), ("--tenant", &token)] {
            assert_eq!(out.status.code(), Some(2), "{what} {id}: {}", stderr(out));
            assert!(stderr(out).contains(&format!("invalid tenant id '{id}'")), "{what} {id}: {}", stderr(out));
        }
    }
    let granted = docket_with(dir.path(), &[("DOCKET_INGEST_ROOTS", "acme-corp=/srv/matters")], &["tenants"]);
    assert!(granted.status.success(), "{}", stderr(&granted));
}

/// Rows of a table in the SQLite ledger, each column as text.
fn ledger_rows(storage: &std::path::Path, sql: &str) -> Vec<Vec<String>> {
    use sqlx::{Connection, Row};
    let url = format!("sqlite://{}", storage.join("billing/ledger.sqlite3").display());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        let mut conn = sqlx::SqliteConnection::connect(&url).await.expect("open the ledger");
        let rows = sqlx::query(sql).fetch_all(&mut conn).await.expect("query");
        rows.iter()
            .map(|r| {
                (0..r.len())
                    .map(|i| {
                        r.try_get::<Option<String>, _>(i)
                            .map(Option::unwrap_or_default)
                            .or_else(|_| r.try_get::<i64, _>(i).map(|n| n.to_string()))
                            .expect("text or integer")
                    })
                    .collect()
            })
            .collect()
    })
}

#[test]
fn reconcile_plans_reports_applies_with_who_and_when_then_finds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let stderr = |o: &Output| String::from_utf8_lossy(&o.stderr).into_owned();
    // Without --plan a tenant gets DOCKET_DEFAULT_PLAN.
    for (tenant, default_plan) in [("acme", "community"), ("globex", "professional")] {
        let out = docket_with(
            dir.path(),
            &[("DOCKET_DEFAULT_PLAN", default_plan)],
            &["tenant", "create", tenant, "--organization", "Firm"],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).contains(&format!("on {default_plan}")), "{}", stdout(&out));
    }
    let lists = [
        ("DOCKET_PLAN_OVERRIDES", "acme:enterprise,globex:professional,ghost-co:community,initech:gold"),
        ("DOCKET_SUPPORT_OVERRIDES", "globex:premium"),
    ];
    let report = docket_with(dir.path(), &lists, &["reconcile", "plans", "--format", "json"]);
    assert_eq!(report.status.code(), Some(1), "differences remain: {}", stderr(&report));
    let json: serde_json::Value = serde_json::from_slice(&report.stdout).expect("JSON report");
    let rows: Vec<_> = json["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| format!("{} {} {} -> {}", d["tenant_id"], d["field"], d["registry_value"], d["override_value"]))
        .collect();
    assert_eq!(
        rows,
        [
            r#""acme" "plan" "community" -> "enterprise""#,
            r#""globex" "support_tier" "standard (plan default)" -> "premium""#
        ]
    );
    assert_eq!(json["unknown_tenants"][0]["tenant_id"], "ghost-co");
    assert_eq!(json["problems"][0]["kind"], "unknown_plan");
    assert_eq!(json["problems"][0]["variable"], "DOCKET_PLAN_OVERRIDES");
    assert_eq!(json["problems"][0]["entry"], "initech:gold");
    assert_eq!(json["applied"], false);
    let plans = "SELECT tenant_id, plan_id FROM tenants ORDER BY tenant_id";
    assert_eq!(
        ledger_rows(dir.path(), plans),
        [["acme", "community"], ["globex", "professional"]],
        "a report changes nothing"
    );

    // Applied, with the bad entries still listed: the good ones are applied, and the exit
    // code still says something is left to fix.
    let before = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
    let applied = docket_with(
        dir.path(),
        &[lists[0], lists[1], ("DOCKET_OPERATOR", "dana")],
        &["reconcile", "plans", "--apply", "--format", "csv"],
    );
    let after = time::OffsetDateTime::now_utc().unix_timestamp() * 1000 + 1000;
    assert_eq!(applied.status.code(), Some(1), "{}", stderr(&applied));
    let mut csv = csv::Reader::from_reader(applied.stdout.as_slice());
    let kinds: Vec<(String, String)> =
        csv.records().map(Result::unwrap).map(|r| (r[0].to_owned(), r[1].to_owned())).collect();
    let kinds: Vec<(&str, &str)> = kinds.iter().map(|(k, t)| (k.as_str(), t.as_str())).collect();
    assert_eq!(
        kinds,
        [("changed", "acme"), ("changed", "globex"), ("unknown_tenant", "ghost-co"), ("unknown_plan", "initech")]
    );
    assert_eq!(ledger_rows(dir.path(), plans), [["acme", "enterprise"], ["globex", "professional"]]);
    let who = ledger_rows(
        dir.path(),
        "SELECT tenant_id, plan_id, changed_by, effective_at FROM plan_changes WHERE changed_by IS NOT NULL \
         UNION ALL SELECT tenant_id, support_tier, changed_by, effective_at FROM support_tier_changes ORDER BY 1",
    );
    assert_eq!(who.len(), 2, "{who:?}");
    assert_eq!(who[0][..3], ["acme", "enterprise", "dana"]);
    assert_eq!(who[1][..3], ["globex", "premium", "dana"]);
    for row in &who {
        let at: i64 = row[3].parse().unwrap();
        assert!((before..=after).contains(&at), "{at} not within {before}..{after}");
    }
    // usage.json follows at once, without a server.
    let usage: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("billing/usage.json")).unwrap()).unwrap();
    let globex = usage["tenants"].as_array().unwrap().iter().find(|t| t["tenant_id"] == "globex").unwrap();
    assert_eq!(
        (&globex["support_tier"], &globex["support_sla_hours"]),
        (&serde_json::json!("premium"), &serde_json::json!(2))
    );

    // With clean lists, a second --apply changes nothing and the run is clean.
    let clean = [("DOCKET_PLAN_OVERRIDES", "acme:enterprise"), ("DOCKET_SUPPORT_OVERRIDES", "globex:premium")];
    let again = docket_with(dir.path(), &clean, &["reconcile", "plans", "--apply", "--format", "json"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    let json: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(json["changed"], serde_json::json!([]));
    assert_eq!(json["in_line"], true);
    assert_eq!(ledger_rows(dir.path(), "SELECT COUNT(*) FROM plan_changes").concat(), ["3"]);
    let table = docket_with(dir.path(), &clean, &["reconcile", "plans", "--format", "table"]);
    assert_eq!(table.status.code(), Some(0));
    assert!(stdout(&table).starts_with("plan and support overrides: 0 to change"), "{}", stdout(&table));
}

/// `docket serve` on a free loopback port with `env` (and no other override list), its log
/// on a pipe.
fn serve_with(storage: &std::path::Path, env: &[(&str, &str)]) -> (std::process::Child, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let server = Command::new(env!("CARGO_BIN_EXE_docket"))
        .env("DOCKET_STORAGE_DIR", storage)
        .env("DOCKET_LOG", "warn")
        .env_remove("DOCKET_PLAN_OVERRIDES")
        .env_remove("DOCKET_SUPPORT_OVERRIDES")
        .envs(env.iter().copied())
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start docket serve");
    (server, port)
}

#[test]
fn a_bad_override_list_stops_docket_serve_with_the_entry_named() {
    let dir = tempfile::tempdir().unwrap();
    let (mut server, _) =
        serve_with(dir.path(), &[("DOCKET_PLAN_OVERRIDES", "acme:platinum"), ("DOCKET_SUPPORT_OVERRIDES", "acme")]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let status = loop {
        if let Some(status) = server.try_wait().expect("wait") {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = server.kill();
            let _ = server.wait();
            panic!("docket serve started with a bad DOCKET_PLAN_OVERRIDES");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let mut message = String::new();
    std::io::Read::read_to_string(&mut server.stderr.take().unwrap(), &mut message).unwrap();
    assert!(!status.success());
    assert!(message.contains("DOCKET_PLAN_OVERRIDES entry 'acme:platinum': unknown plan 'platinum'"), "{message}");
    assert!(message.contains("DOCKET_SUPPORT_OVERRIDES entry 'acme': expected tenant:support_tier"), "{message}");
    // A bad default plan is a usage error naming the variable's flag.
    let bad = docket_with(dir.path(), &[("DOCKET_DEFAULT_PLAN", "gold")], &["tenants"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("--default-plan"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

/// A file's bytes, or none when it does not exist.
fn bytes_of(path: &std::path::Path) -> Option<Vec<u8>> {
    std::fs::read(path).ok()
}

#[test]
fn audit_retention_lists_without_changing_a_byte_then_purges_and_records_the_run() {
    use docket_billing::{BillingPeriod, PlanId, TenantId};
    use docket_ledger::{EventKind, Ledger, LedgerOptions, UsageEvent};
    let dir = tempfile::tempdir().unwrap();
    let stderr = |o: &Output| String::from_utf8_lossy(&o.stderr).into_owned();
    let now = time::OffsetDateTime::now_utc();
    let current = BillingPeriod::containing(now);
    let old = [current.previous().previous().previous(), current.previous().previous()];
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        std::fs::create_dir_all(dir.path().join("billing")).unwrap();
        let url = format!("sqlite://{}", dir.path().join("billing/ledger.sqlite3").display());
        let ledger = Ledger::open(&LedgerOptions { url, max_connections: 2 }).await.unwrap();
        let hale = TenantId::parse("hale-ward").unwrap();
        let intake = serde_json::json!({"organization": "Hale & Ward LLP", "contact_name": "Ana Ruiz",
            "contact_email": "ana@hale.example", "primary_use_case": "merger review", "departments": ["Litigation"],
            "success_criteria": ["faster review"], "notes": "call after 5"});
        ledger
            .onboard(&hale, "Hale & Ward LLP", PlanId::Community, &intake, &serde_json::json!({}), None)
            .await
            .unwrap();
        let mut events = Vec::new();
        for (i, p) in old.iter().chain([&current]).enumerate() {
            for kind in [EventKind::Query, EventKind::Timeline] {
                let mut e = UsageEvent::now(hale.clone(), kind, 300 + i as u64);
                e.event_id = format!("{}-{i}", kind.as_str());
                e.subject = Some("ana@hale.example".into());
                e.occurred_at = if *p == current { now } else { p.start() + time::Duration::days(4) };
                events.push(e);
            }
        }
        ledger.record(events).await.unwrap();
        ledger.close().await;
    });
    // The intake was submitted three months ago.
    let submitted = old[0].start().unix_timestamp() * 1000 + 5_000;
    ledger_rows(dir.path(), &format!("UPDATE onboarding SET submitted_at = {submitted} RETURNING tenant_id"));
    // Support tickets: one opened and answered three months ago, one recent.
    let opened = |id: &str, body: &str, at: i64| {
        format!(
            "('{id}', 'hale-ward', 'slow search', '{body}', 'normal', 'ana', {at}, 'community', 48, {}, NULL, NULL, NULL)",
            at + 48 * 3_600_000
        )
    };
    ledger_rows(
        dir.path(),
        &format!(
            "INSERT INTO support_tickets VALUES {}, {} RETURNING ticket_id",
            opened("t-old", "my phone is 555-0100", submitted),
            opened("t-new", "still slow", now.unix_timestamp() * 1000)
        ),
    );
    ledger_rows(
        dir.path(),
        &format!(
            "INSERT INTO support_responses VALUES ('r-old', 't-old', 'sam', 'call me on 555-0199', {}) RETURNING response_id",
            submitted + 60_000
        ),
    );
    let months = || -> Vec<String> {
        old.iter()
            .chain([&current])
            .map(|p| stdout(&docket(dir.path(), &["tenants", "--period", &p.to_string()])))
            .collect()
    };
    let before = months();
    let ledger_file = dir.path().join("billing/ledger.sqlite3");
    let (db, wal) = (bytes_of(&ledger_file), bytes_of(&dir.path().join("billing/ledger.sqlite3-wal")));

    let look = docket(dir.path(), &["audit", "retention", "--keep-months", "1", "--format", "json"]);
    assert!(look.status.success(), "{}", stderr(&look));
    assert_eq!(bytes_of(&ledger_file), db, "a look leaves the database file byte-identical");
    assert!(wal.is_none() || bytes_of(&dir.path().join("billing/ledger.sqlite3-wal")) == wal);
    assert!(!dir.path().join("billing/usage.json").exists(), "nor writes usage.json");
    let report: serde_json::Value = serde_json::from_slice(&look.stdout).unwrap();
    assert_eq!(report["applied"], false);
    assert_eq!(report["audit"]["cutoff_period"], current.previous().to_string());
    let listed: Vec<_> = report["audit"]["usage_events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{} {} {}", e["tenant_id"].as_str().unwrap(), e["period"].as_str().unwrap(), e["events"]))
        .collect();
    assert_eq!(listed, [format!("hale-ward {} 2", old[0]), format!("hale-ward {} 2", old[1])]);
    assert_eq!(report["audit"]["seat_subjects"], 2);
    assert_eq!(report["audit"]["onboarding"][0]["fields"].as_array().unwrap().len(), 5);
    assert_eq!(report["audit"]["support_ticket_bodies"], 2, "the old ticket's body and its response's");
    assert_eq!(report["run"], serde_json::Value::Null);

    let applied = docket_with(
        dir.path(),
        &[("DOCKET_OPERATOR", "dana")],
        &["audit", "retention", "--keep-months", "1", "--apply", "--format", "json"],
    );
    assert!(applied.status.success(), "{}", stderr(&applied));
    let report: serde_json::Value = serde_json::from_slice(&applied.stdout).unwrap();
    let run = &report["run"];
    assert_eq!(
        (&run["events_purged"], &run["seat_subjects_purged"], &run["intakes_redacted"]),
        (&4.into(), &2.into(), &1.into())
    );
    assert_eq!(run["ran_by"], "dana");
    assert_eq!(run["ticket_bodies_redacted"], 2);
    let bodies = ledger_rows(dir.path(), "SELECT ticket_id, body FROM support_tickets ORDER BY ticket_id");
    assert_eq!(bodies, [["t-new", "still slow"], ["t-old", "[redacted]"]]);
    assert_eq!(ledger_rows(dir.path(), "SELECT body FROM support_responses"), [["[redacted]"]]);
    assert_eq!(months(), before, "every month's totals, health and cost as before");
    let recorded = ledger_rows(dir.path(), "SELECT ran_by, cutoff_period, events_purged FROM retention_runs");
    assert_eq!(recorded, [["dana".to_owned(), current.previous().to_string(), "4".to_owned()]]);
    assert_eq!(ledger_rows(dir.path(), "SELECT COUNT(*) FROM usage_events"), [["2"]]);
    let usage: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("billing/usage.json")).expect("usage.json rewritten"))
            .unwrap();
    let intake = &usage["tenants"][0]["onboarding"];
    assert_eq!((&intake["contact_email"], &intake["organization"]), (&"[redacted]".into(), &"Hale & Ward LLP".into()));
    let text = String::from_utf8_lossy(&std::fs::read(dir.path().join("billing/usage.json")).unwrap()).into_owned();
    assert!(!text.contains("ana@hale.example") && !text.contains("Ana Ruiz"), "no personal data left in usage.json");

    let table = docket(dir.path(), &["audit", "retention", "--keep-months", "1", "--format", "table"]);
    assert!(
        stdout(&table).contains("0 raw usage event(s), 0 seat subject(s), 0 onboarding intake(s)"),
        "{}",
        stdout(&table)
    );
    let bad = docket(dir.path(), &["audit", "retention", "--keep-months", "0"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("--keep-months"), "{}", stderr(&bad));
}

#[test]
fn the_server_only_warns_of_override_differences_and_set_plan_records_who() {
    let dir = tempfile::tempdir().unwrap();
    let create = docket_with(dir.path(), &[], &["tenant", "create", "acme", "--organization", "Acme"]);
    assert!(create.status.success());
    let moved =
        docket_with(dir.path(), &[("DOCKET_OPERATOR", "erin")], &["tenant", "set-plan", "acme", "professional"]);
    assert!(moved.status.success());
    let who = ledger_rows(dir.path(), "SELECT plan_id, changed_by FROM plan_changes ORDER BY effective_at");
    assert_eq!(who, [["community", ""], ["professional", "erin"]]);

    let (mut server, port) = serve_with(
        dir.path(),
        &[("DOCKET_LOG_FORMAT", "json"), ("DOCKET_PLAN_OVERRIDES", "acme:enterprise,ghost-co:community")],
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !healthy(port) {
        if std::time::Instant::now() > deadline {
            let _ = server.kill();
            let _ = server.wait();
            panic!("the server did not come up");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = server.kill();
    let _ = server.wait();
    let mut log = String::new();
    std::io::Read::read_to_string(&mut server.stderr.take().unwrap(), &mut log).unwrap();
    let warning = log.lines().find(|l| l.contains("DOCKET_PLAN_OVERRIDES")).unwrap_or_else(|| panic!("{log}"));
    let warning: serde_json::Value = serde_json::from_str(warning).expect("a JSON log line");
    assert_eq!((&warning["fields"]["differences"], &warning["fields"]["unknown_tenants"]), (&1.into(), &1.into()));
    // Only a warning: the registry is as it was.
    assert_eq!(ledger_rows(dir.path(), "SELECT plan_id FROM tenants"), [["professional"]]);
}

#[test]
fn tenant_ids_plans_and_periods_are_refused_by_the_argument_parser() {
    let stderr = |o: &Output| String::from_utf8_lossy(&o.stderr).into_owned();
    let dir = tempfile::tempdir().unwrap();
    for (args, names) in [
        (&["tenant", "set-plan", "Acme_Corp", "community"][..], "invalid tenant id 'Acme_Corp'"),
        (&["tenant", "set-plan", "acme-corp", "platinum"][..], "platinum"),
        (&["tenants", "--period", "2026-13"][..], "2026-13"),
    ] {
        let out = docket(dir.path(), args);
        // Exit 2 is clap's usage error: refused before the ledger is opened.
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(names), "{args:?}: {}", stderr(&out));
    }
    assert!(!dir.path().join("billing").exists(), "nothing was opened for a refused argument");
}
