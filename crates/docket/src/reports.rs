//! The daily, weekly and monthly reports of customer success and finance, read from the ledger.

use std::io::{IsTerminal, Write};

use anyhow::Result;
use docket_billing::BillingPeriod;
use docket_billing::money::amount_string;
use docket_ledger::{UsageQuery, triage_list};
use docket_server::Config;
use time::OffsetDateTime;

/// How a report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for a person.
    Table,
    /// One JSON document.
    Json,
    /// RFC 4180 CSV with a header row.
    Csv,
}

impl Format {
    /// The format asked for, else a table on a terminal and JSON for a program.
    pub fn or_default(asked: Option<Format>) -> Format {
        asked.unwrap_or(if std::io::stdout().is_terminal() { Format::Table } else { Format::Json })
    }
}

/// `docket triage`: tenants with health < 0.75 or usage ratio > 0.95, riskiest first.
pub async fn triage(config: &Config, period: Option<BillingPeriod>, format: Option<Format>) -> Result<()> {
    let ledger = docket_server::open_ledger(config).await?;
    let period = period.unwrap_or_else(|| BillingPeriod::containing(OffsetDateTime::now_utc()));
    let query = UsageQuery { flagged: Some(true), ..UsageQuery::default() };
    let page = ledger.usage_page(period, &query).await;
    ledger.close().await;
    let page = page?;
    let entries = triage_list(&page.tenants, page.generated_at);
    let mut out = std::io::stdout().lock();
    match Format::or_default(format) {
        Format::Json => {
            let report = serde_json::json!({ "period": period.to_string(), "tenants": entries });
            writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
        }
        Format::Csv => {
            let mut csv = csv::Writer::from_writer(out);
            csv.write_record([
                "tenant_id",
                "organization",
                "plan_id",
                "risk",
                "health_score",
                "usage_ratio",
                "alert_level",
                "projected_monthly_cost_usd",
                "days_since_activity",
                "reasons",
            ])?;
            for e in &entries {
                csv.write_record([
                    e.tenant_id.as_str(),
                    &e.organization,
                    e.plan_id.as_str(),
                    &format!("{:.3}", e.triage.risk),
                    &format!("{:.3}", e.health_score),
                    &format!("{:.3}", e.usage_ratio),
                    e.alert_level.as_str(),
                    &amount_string(e.projected_monthly_cost_usd),
                    &e.triage.days_since_activity.map(|d| d.to_string()).unwrap_or_default(),
                    &e.triage.reasons.join("; "),
                ])?;
            }
            csv.flush()?;
        }
        Format::Table => {
            writeln!(
                out,
                "triage of {period}: {} tenant(s) flagged (health < 0.75 or usage ratio > 0.95)",
                entries.len()
            )?;
            writeln!(
                out,
                "{:<24} {:<13} {:>6} {:>7} {:>6} {:>6} {:>12}  reasons",
                "tenant", "plan", "risk", "health", "ratio", "alert", "projected $"
            )?;
            for e in &entries {
                let mut reasons = e.triage.reasons.iter();
                writeln!(
                    out,
                    "{:<24} {:<13} {:>6.3} {:>7.3} {:>6.3} {:>6} {:>12}  {}",
                    e.tenant_id.as_str(),
                    e.plan_id.as_str(),
                    e.triage.risk,
                    e.health_score,
                    e.usage_ratio,
                    e.alert_level.as_str(),
                    amount_string(e.projected_monthly_cost_usd),
                    reasons.next().map_or("", String::as_str)
                )?;
                for more in reasons {
                    writeln!(out, "{:>88}{more}", "")?;
                }
            }
        }
    }
    Ok(())
}
