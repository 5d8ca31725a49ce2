//! `docket report sla`: adherence per support tier and tenant for one ISO week, with tickets
//! answered one second before and after their deadlines and one never answered.

use std::process::{Command, Output};

use docket_billing::{PlanId, TenantId};
use docket_ledger::{Ledger, LedgerOptions, NewTicket, Severity};
use time::Duration;
use time::macros::datetime;

fn docket(storage: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_docket"))
        .env("DOCKET_STORAGE_DIR", storage)
        .env("DOCKET_LOG", "warn")
        .args(args)
        .output()
        .expect("run docket")
}

async fn tickets(storage: &std::path::Path) {
    std::fs::create_dir_all(storage.join("billing")).unwrap();
    let url = format!("sqlite://{}", storage.join("billing/ledger.sqlite3").display());
    let ledger = Ledger::open(&LedgerOptions { url, max_connections: 2 }).await.unwrap();
    let (pro, small) = (TenantId::parse("pro-firm").unwrap(), TenantId::parse("small-firm").unwrap());
    ledger.create_tenant(&pro, "Pro Firm", PlanId::Professional).await.unwrap();
    ledger.create_tenant(&small, "Small Firm", PlanId::Community).await.unwrap();
    // Monday of 2026-W45.
    let monday = datetime!(2026-11-02 10:00 UTC);
    let open = |tenant, subject, at| {
        let ledger = ledger.clone();
        async move {
            let new = NewTicket { tenant, subject, body: "help", severity: Severity::Normal, opened_by: "ana" };
            ledger.open_ticket(new, at).await.unwrap()
        }
    };
    let early = open(&pro, "answered 1 s early", monday).await;
    let late = open(&pro, "answered 1 s late", monday).await;
    open(&pro, "never answered", monday).await;
    let small_one = open(&small, "answered in 47 h", monday + Duration::days(2)).await;
    // Opened the next week: not in W45.
    open(&pro, "next week", monday + Duration::days(7)).await;
    for (t, at) in [
        (&early, early.due_at - Duration::SECOND),
        (&late, late.due_at + Duration::SECOND),
        (&small_one, small_one.opened_at + Duration::hours(47)),
    ] {
        ledger.respond_to_ticket(&t.ticket_id, None, "sam", "answer", at).await.unwrap().unwrap();
    }
    ledger.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_weekly_sla_report_counts_each_tier_and_tenant() {
    let dir = tempfile::tempdir().unwrap();
    tickets(dir.path()).await;

    let out = docket(dir.path(), &["report", "sla", "--week", "2026-W45"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON when not on a terminal");
    assert_eq!(report["week"], "2026-W45");
    assert_eq!(report["from"], "2026-11-02T00:00:00Z");
    assert_eq!(report["to"], "2026-11-09T00:00:00Z");
    let rows: Vec<(String, String, u64, u64, u64, u64, u64)> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let n = |k: &str| r[k].as_u64().unwrap();
            (
                r["support_tier"].as_str().unwrap().to_owned(),
                r["tenant_id"].as_str().unwrap_or("(all)").to_owned(),
                n("tickets"),
                n("met"),
                n("late"),
                n("unanswered"),
                n("open"),
            )
        })
        .collect();
    let row = |tier: &str, tenant: &str, t, m, l, u, o| (tier.to_owned(), tenant.to_owned(), t, m, l, u, o);
    assert_eq!(
        rows,
        vec![
            row("community", "small-firm", 1, 1, 0, 0, 0),
            row("community", "(all)", 1, 1, 0, 0, 0),
            row("standard", "pro-firm", 3, 1, 1, 1, 0),
            row("standard", "(all)", 3, 1, 1, 1, 0),
        ]
    );
    assert_eq!(report["rows"][0]["adherence"], 1.0);
    assert_eq!(report["rows"][0]["sla_hours"], 48);
    assert_eq!(report["rows"][0]["mean_first_response_hours"], 47.0);
    assert_eq!(report["rows"][2]["adherence"].as_f64().unwrap(), 1.0 / 3.0);
    assert_eq!(report["rows"][2]["sla_hours"], 12);

    let out = docket(dir.path(), &["report", "sla", "--week", "2026-W45", "--format", "csv"]);
    let mut csv = csv::Reader::from_reader(out.stdout.as_slice());
    assert_eq!(&csv.headers().unwrap()[9], "adherence");
    let csv_rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    assert_eq!(csv_rows.len(), 4);
    assert_eq!((&csv_rows[2][2], &csv_rows[2][9]), ("pro-firm", "0.333"));

    let table = String::from_utf8_lossy(
        &docket(dir.path(), &["report", "sla", "--week", "2026-W45", "--format", "table"]).stdout,
    )
    .into_owned();
    assert!(table.starts_with("support SLA of 2026-W45"), "{table}");
    assert!(
        table.lines().any(|l| l.starts_with("standard") && l.contains("pro-firm") && l.contains("0.333")),
        "{table}"
    );

    let empty = docket(dir.path(), &["report", "sla", "--week", "2026-W40", "--format", "json"]);
    let empty: serde_json::Value = serde_json::from_slice(&empty.stdout).unwrap();
    assert_eq!(empty["rows"], serde_json::json!([]));

    for bad in ["2026-45", "2027-W53"] {
        let out = docket(dir.path(), &["report", "sla", "--week", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("--week"), "{}", String::from_utf8_lossy(&out.stderr));
    }
}
