//! The weekly and monthly exports and reports, on a scratch storage with known usage recorded
//! through the ledger in a closed period (so projections are exactly what was used).

use std::process::{Command, Output};

use clap::Parser;
use docket_billing::{PlanId, TenantId};
use docket_ledger::{CRM_COLUMNS, EventKind, UsageEvent};
use serde_json::{Value, json};
use time::macros::datetime;

const PERIOD: &str = "2026-10";

fn docket(storage: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_docket"))
        .env("DOCKET_STORAGE_DIR", storage)
        .env("DOCKET_LOG", "warn")
        .env_remove("DOCKET_JWT_SECRET")
        .env_remove("DOCKET_DATABASE_URL")
        .args(args)
        .output()
        .expect("run docket")
}

fn ok(o: Output) -> Vec<u8> {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    o.stdout
}

#[derive(Parser)]
struct Args {
    #[command(flatten)]
    config: docket_server::Config,
}

/// A tenant with its intake (free text included) and its usage in October 2026.
struct Known {
    tenant: &'static str,
    organization: &'static str,
    plan: PlanId,
    contact_name: &'static str,
    contact_email: &'static str,
    free_text: [&'static str; 4],
    queries: u64,
    ingest_bytes: u64,
    agent_runs: u64,
}

const KNOWN: [Known; 4] = [
    // 1,003 queries over at 0.015 = 15.045 → 15.05; 2.5 GB over at 2.40 = 6.00.
    Known {
        tenant: "hale-llp",
        organization: "Hale Barrister LLP",
        plan: PlanId::Professional,
        contact_name: "Ana Ortiz",
        contact_email: "ana.ortiz@hale.example",
        free_text: ["Privilege review for discovery", "Litigation Support", "Privilege log in a day", "Ask for Ines"],
        queries: 6_003,
        ingest_bytes: 62_500_000_000,
        agent_runs: 7,
    },
    // 150 queries over at 0.02 = 3.00; 0.333333333 GB over at 3.00 = 0.999999999 → 1.00.
    Known {
        tenant: "lowe-partners",
        organization: "=HYPERLINK(\"http://evil.example\")",
        plan: PlanId::Community,
        contact_name: "@Bram Lowe",
        contact_email: "bram@lowe.example",
        free_text: ["Deposition prep", "Trial Team", "Find every exhibit fast", "Budget approved"],
        queries: 650,
        ingest_bytes: 5_333_333_333,
        agent_runs: 0,
    },
    // 1 query over at 0.02.
    Known {
        tenant: "busy-co",
        organization: "Busy Cooperative",
        plan: PlanId::Community,
        contact_name: "Chidi Obi",
        contact_email: "chidi@busy.example",
        free_text: ["Contract disputes", "Disputes Desk", "Answers under a minute", "Pilot first"],
        queries: 501,
        ingest_bytes: 0,
        agent_runs: 2,
    },
    // Well inside its quotas.
    Known {
        tenant: "quiet-firm",
        organization: "Quiet Chambers",
        plan: PlanId::Enterprise,
        contact_name: "Dana Ruiz",
        contact_email: "dana@quiet.example",
        free_text: ["Regulatory investigations", "Antitrust Group", "Fewer review hours", "Renewal in spring"],
        queries: 100,
        ingest_bytes: 1_000_000_000,
        agent_runs: 0,
    },
];

/// A scratch storage with the known tenants and their October usage.
fn storage() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let storage = dir.path().display().to_string();
    let config = Args::try_parse_from(["docket", "--storage", &storage]).unwrap().config;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let ledger = docket_server::open_ledger(&config).await.unwrap();
        for k in &KNOWN {
            let tenant = TenantId::parse(k.tenant).unwrap();
            let [use_case, department, criterion, notes] = k.free_text;
            let intake = json!({
                "organization": k.organization, "tenant_id": k.tenant, "contact_name": k.contact_name,
                "contact_email": k.contact_email, "primary_use_case": use_case,
                "departments": [department], "success_criteria": [criterion], "go_live_date": "2026-09-01",
                "notes": notes, "seats": 12,
            });
            ledger.onboard(&tenant, k.organization, k.plan, &intake, &json!({}), None).await.unwrap();
            let at = datetime!(2026-10-15 12:00 UTC);
            let mut events = Vec::new();
            for (kind, units, bytes) in [
                (EventKind::Query, k.queries, 0),
                (EventKind::Ingestion, 1, k.ingest_bytes),
                (EventKind::Agent, k.agent_runs, 0),
            ] {
                let mut e = UsageEvent::now(tenant.clone(), kind, units);
                e.bytes = bytes;
                e.occurred_at = at;
                e.subject = Some("analyst".into());
                events.push(e);
            }
            ledger.record(events).await.unwrap();
        }
        ledger.close().await;
    });
    dir
}

#[test]
fn overages_are_reported_per_tenant_dimension_and_plan_to_the_cent() {
    let dir = storage();
    let report: Value =
        serde_json::from_slice(&ok(docket(dir.path(), &["report", "overages", "--period", PERIOD]))).unwrap();
    assert_eq!(report["period"], PERIOD, "{report}");
    let lines: Vec<(String, String, String, String, String)> = report["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| {
            t["lines"].as_array().unwrap().iter().map(move |l| {
                (
                    t["tenant_id"].as_str().unwrap().to_owned(),
                    l["dimension"].as_str().unwrap().to_owned(),
                    l["over"].as_str().unwrap().to_owned(),
                    l["rate_usd"].as_str().unwrap().to_owned(),
                    l["overage_usd"].as_str().unwrap().to_owned(),
                )
            })
        })
        .collect();
    let own = |t: &str, d: &str, o: &str, r: &str, a: &str| (t.into(), d.into(), o.into(), r.into(), a.into());
    assert_eq!(
        lines,
        vec![
            own("busy-co", "queries", "1", "0.02", "0.02"),
            own("hale-llp", "queries", "1003", "0.015", "15.05"),
            own("hale-llp", "ingest_gb", "2.5", "2.40", "6.00"),
            own("lowe-partners", "queries", "150", "0.02", "3.00"),
            own("lowe-partners", "ingest_gb", "0.333333333", "3.00", "1.00"),
        ]
    );
    let tenant_totals: Vec<(&str, &str)> = report["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["tenant_id"].as_str().unwrap(), t["overage_usd"].as_str().unwrap()))
        .collect();
    assert_eq!(tenant_totals, [("busy-co", "0.02"), ("hale-llp", "21.05"), ("lowe-partners", "4.00")]);
    let plans: Vec<Value> = report["plans"].as_array().unwrap().clone();
    assert_eq!(
        plans,
        [
            json!({"plan": "community", "tenants_over": 2, "queries_usd": "3.02", "ingest_gb_usd": "1.00", "overage_usd": "4.02"}),
            json!({"plan": "professional", "tenants_over": 1, "queries_usd": "15.05", "ingest_gb_usd": "6.00", "overage_usd": "21.05"}),
            json!({"plan": "enterprise", "tenants_over": 0, "queries_usd": "0.00", "ingest_gb_usd": "0.00", "overage_usd": "0.00"}),
        ]
    );
    assert_eq!(report["total_usd"], "25.07");

    let csv_out = ok(docket(dir.path(), &["report", "overages", "--period", PERIOD, "--format", "csv"]));
    let mut csv = csv::Reader::from_reader(csv_out.as_slice());
    assert_eq!(&csv.headers().unwrap()[9], "overage_usd");
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    let last = rows.last().unwrap();
    assert_eq!((&last[0], &last[9]), ("total", "25.07"));
    let lowe = rows.iter().find(|r| &r[2] == "lowe-partners").unwrap();
    assert!(lowe[3].starts_with("'="), "a formula is neutralised: {lowe:?}");

    let table =
        String::from_utf8(ok(docket(dir.path(), &["report", "overages", "--period", PERIOD, "--format", "table"])))
            .unwrap();
    assert!(table.lines().any(|l| l.starts_with("total") && l.ends_with("25.07")), "{table}");

    let bad = docket(dir.path(), &["report", "overages", "--period", "2026-13"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--period"));
}

#[test]
fn the_crm_export_has_the_documented_columns_in_csv_and_json_lines() {
    let dir = storage();
    let out = dir.path().join("crm.csv");
    let out_arg = out.display().to_string();
    ok(docket(dir.path(), &["export", "crm", "--out", &out_arg, "--period", PERIOD]));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
    let mut csv = csv::Reader::from_path(&out).unwrap();
    let header: Vec<String> = csv.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(header, CRM_COLUMNS);
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    let ids: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(ids, ["busy-co", "hale-llp", "lowe-partners", "quiet-firm"]);
    let cell =
        |row: &csv::StringRecord, column: &str| row[CRM_COLUMNS.iter().position(|c| *c == column).unwrap()].to_owned();
    let hale = &rows[1];
    for (column, expected) in [
        ("period", PERIOD),
        ("organization", "Hale Barrister LLP"),
        ("contact_name", "Ana Ortiz"),
        ("contact_email", "ana.ortiz@hale.example"),
        ("plan", "professional"),
        ("seats", "12"),
        ("active_seats", "1"),
        ("departments", "Litigation Support"),
        ("go_live_date", "2026-09-01"),
        ("success_criteria", "Privilege log in a day"),
        ("usage_ratio", "1.000"),
        // 3,499 + 15.045 + 6.00, rounded once.
        ("cost_to_date_usd", "3520.05"),
        ("projected_cost_usd", "3520.05"),
        ("projected_overage_usd", "21.05"),
        ("alert_level", "hard"),
        ("last_activity_at", "2026-10-15T12:00:00Z"),
    ] {
        assert_eq!(cell(hale, column), expected, "{column}");
    }
    let lowe = &rows[2];
    assert_eq!(cell(lowe, "organization"), "'=HYPERLINK(\"http://evil.example\")");
    assert_eq!(cell(lowe, "contact_name"), "'@Bram Lowe");

    let jsonl = dir.path().join("crm.jsonl");
    let jsonl_arg = jsonl.display().to_string();
    ok(docket(dir.path(), &["export", "crm", "--out", &jsonl_arg, "--format", "jsonl", "--period", PERIOD]));
    let text = std::fs::read_to_string(&jsonl).unwrap();
    let lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).expect("a JSON object per line")).collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[1]["departments"], json!(["Litigation Support"]));
    assert_eq!(lines[1]["projected_overage_usd"], "21.05");
    assert_eq!(lines[2]["organization"], "=HYPERLINK(\"http://evil.example\")", "JSON keeps the text as given");

    let bad = docket(dir.path(), &["export", "crm", "--out", &out_arg, "--format", "xml"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("expected csv or jsonl"));
}

#[test]
fn the_kpi_export_aggregates_per_plan_and_names_no_one() {
    let dir = storage();
    let json_out = ok(docket(dir.path(), &["export", "kpis", "--period", PERIOD]));
    let report: Value = serde_json::from_slice(&json_out).unwrap();
    let plan = |id: &str| report["plans"].as_array().unwrap().iter().find(|p| p["plan"] == id).unwrap().clone();
    let pick = |p: &Value| {
        json!([
            p["tenants"],
            p["monthly_recurring_revenue_usd"],
            p["overage_revenue_usd"],
            p["queries"],
            p["ingest_gb"],
            p["agent_runs"]
        ])
    };
    assert_eq!(pick(&plan("community")), json!([2, "0.00", "4.02", 1151, 5.333, 2]));
    assert_eq!(pick(&plan("professional")), json!([1, "3499.00", "21.05", 6003, 62.5, 7]));
    assert_eq!(pick(&plan("enterprise")), json!([1, "8999.00", "0.00", 100, 1.0, 0]));
    assert_eq!(pick(&report["total"]), json!([4, "12498.00", "25.07", 7254, 68.833, 9]));
    for p in report["plans"].as_array().unwrap().iter().chain([&report["total"]]) {
        for share in ["average_health", "flagged_share"] {
            assert!((0.0..=1.0).contains(&p[share].as_f64().unwrap()), "{p}");
        }
    }
    let keys: Vec<&str> = report["tenants"].as_array().unwrap().iter().map(|t| t["key"].as_str().unwrap()).collect();
    assert_eq!(keys.len(), 4);
    assert!(keys.iter().all(|k| k.len() == 64 && k.bytes().all(|b| b.is_ascii_hexdigit())), "{keys:?}");

    let salt = dir.path().join("secrets/kpi_salt");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&salt).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(std::fs::read(&salt).unwrap().len(), 32);

    // The same salt next time: the same keys.
    let out = dir.path().join("kpis.csv");
    let out_arg = out.display().to_string();
    ok(docket(dir.path(), &["export", "kpis", "--period", PERIOD, "--format", "csv", "--out", &out_arg]));
    let csv_text = std::fs::read_to_string(&out).unwrap();
    let mut csv = csv::Reader::from_reader(csv_text.as_bytes());
    assert_eq!(&csv.headers().unwrap()[0], "record");
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    let mut csv_keys: Vec<&str> = rows.iter().filter(|r| &r[0] == "tenant").map(|r| &r[1]).collect();
    csv_keys.sort_unstable();
    assert_eq!(csv_keys, keys, "tenant rows are by key, and keys are stable");

    let json_text = String::from_utf8(json_out).unwrap();
    for export in [&json_text, &csv_text] {
        let lower = export.to_lowercase();
        for k in &KNOWN {
            let mut needles = vec![k.tenant, k.organization, k.contact_name, k.contact_email];
            needles.extend(k.free_text);
            for needle in needles {
                assert!(!lower.contains(&needle.to_lowercase()), "the export contains {needle:?}");
            }
            // Not even one word of a name or address.
            let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).collect();
            for word in k.contact_name.split_whitespace().chain(k.contact_email.split(['@', '.'])) {
                let word = word.trim_start_matches('@').to_lowercase();
                if word != "example" {
                    assert!(!words.contains(&word.as_str()), "the export contains {word:?}");
                }
            }
        }
    }

    let bad = docket(dir.path(), &["export", "kpis"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--period"));
}
