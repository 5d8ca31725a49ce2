//! The daily, weekly and monthly reports of customer success and finance, read from the ledger.

use std::io::{IsTerminal, Write};

use anyhow::Result;
use docket_billing::money::{amount_string, rate_string};
use docket_billing::{BillingPeriod, OverageLine, PlanId, QuotaDimension, projected_overage};
use docket_ledger::{UsagePage, UsageQuery, formula_safe, triage_list};
use docket_server::Config;
use rust_decimal::Decimal;
use serde::Serialize;
use time::OffsetDateTime;

use crate::exports::{every_tenant, period_or_current};

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

/// `docket report ...`.
#[derive(clap::Subcommand)]
pub enum ReportCommand {
    /// Weekly finance: projected overage per tenant and priced dimension (queries, ingest GB),
    /// with totals per plan and a grand total, to the cent.
    Overages {
        /// Billing period YYYY-MM (default: the current one).
        #[arg(long)]
        period: Option<BillingPeriod>,
        /// Output format (default: a table on a terminal, JSON otherwise).
        #[arg(long, value_enum)]
        format: Option<Format>,
    },
    /// Support first-response SLA adherence per support tier and tenant, for the tickets
    /// opened in one ISO week.
    Sla {
        /// ISO week YYYY-Www, e.g. 2026-W49 (default: the current one).
        #[arg(long)]
        week: Option<crate::support::IsoWeek>,
        /// Output format (default: a table on a terminal, JSON otherwise).
        #[arg(long, value_enum)]
        format: Option<Format>,
    },
}

/// Run a report command.
pub async fn report(config: &Config, cmd: ReportCommand) -> Result<()> {
    match cmd {
        ReportCommand::Overages { period, format } => overages(config, period, format).await,
        ReportCommand::Sla { week, format } => crate::support::report(config, week, format).await,
    }
}

/// A tenant projected past a quota, with its invoice lines (only those over quota).
#[derive(Debug, Serialize)]
struct TenantOverage {
    tenant_id: String,
    organization: String,
    plan: PlanId,
    lines: Vec<OverageLine>,
    #[serde(with = "docket_billing::money::amount")]
    overage_usd: Decimal,
}

/// A plan's overage: the sum of its tenants', per dimension and in all.
#[derive(Debug, Serialize)]
struct PlanOverage {
    plan: PlanId,
    /// Tenants of the plan projected past a quota.
    tenants_over: u64,
    #[serde(with = "docket_billing::money::amount")]
    queries_usd: Decimal,
    #[serde(with = "docket_billing::money::amount")]
    ingest_gb_usd: Decimal,
    #[serde(with = "docket_billing::money::amount")]
    overage_usd: Decimal,
}

#[derive(Debug, Serialize)]
struct OverageReport {
    period: String,
    #[serde(with = "time::serde::rfc3339")]
    generated_at: OffsetDateTime,
    tenants: Vec<TenantOverage>,
    plans: Vec<PlanOverage>,
    #[serde(with = "docket_billing::money::amount")]
    total_usd: Decimal,
}

fn overage_report(page: &UsagePage) -> OverageReport {
    // A closed period is judged at its end, like its snapshot.
    let at = page.generated_at.min(page.period.end());
    let mut plans: Vec<PlanOverage> = PlanId::ALL
        .iter()
        .map(|p| PlanOverage {
            plan: *p,
            tenants_over: 0,
            queries_usd: Decimal::ZERO,
            ingest_gb_usd: Decimal::ZERO,
            overage_usd: Decimal::ZERO,
        })
        .collect();
    let mut tenants = Vec::new();
    for s in &page.tenants {
        let lines: Vec<OverageLine> = projected_overage(s.plan_id.plan(), &s.usage(), page.period, at)
            .into_iter()
            .filter(|l| l.overage_usd > Decimal::ZERO)
            .collect();
        if lines.is_empty() {
            continue;
        }
        let Some(plan) = plans.iter_mut().find(|p| p.plan == s.plan_id) else { continue };
        plan.tenants_over += 1;
        for l in &lines {
            match l.dimension {
                QuotaDimension::Queries => plan.queries_usd += l.overage_usd,
                QuotaDimension::IngestGb => plan.ingest_gb_usd += l.overage_usd,
                // Seats are not priced past their quota: never a line.
                QuotaDimension::Seats => {}
            }
        }
        let overage_usd: Decimal = lines.iter().map(|l| l.overage_usd).sum();
        plan.overage_usd += overage_usd;
        tenants.push(TenantOverage {
            tenant_id: s.tenant_id.to_string(),
            organization: s.organization.clone(),
            plan: s.plan_id,
            lines,
            overage_usd,
        });
    }
    let total_usd = plans.iter().map(|p| p.overage_usd).sum();
    OverageReport { period: page.period.to_string(), generated_at: page.generated_at, tenants, plans, total_usd }
}

/// `docket report overages`.
async fn overages(config: &Config, period: Option<BillingPeriod>, format: Option<Format>) -> Result<()> {
    let page = every_tenant(config, period_or_current(period)).await?;
    let report = overage_report(&page);
    let mut out = std::io::stdout().lock();
    match Format::or_default(format) {
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?,
        Format::Csv => {
            let mut csv = csv::Writer::from_writer(out);
            csv.write_record([
                "record",
                "plan",
                "tenant_id",
                "organization",
                "dimension",
                "included",
                "projected",
                "over",
                "rate_usd",
                "overage_usd",
            ])?;
            for t in &report.tenants {
                let org = formula_safe(&t.organization);
                for l in &t.lines {
                    csv.write_record([
                        "line",
                        t.plan.as_str(),
                        &t.tenant_id,
                        &org,
                        l.dimension.as_str(),
                        &l.included.to_string(),
                        &l.projected.to_string(),
                        &l.over.to_string(),
                        &rate_string(l.rate_usd),
                        &amount_string(l.overage_usd),
                    ])?;
                }
                let total = amount_string(t.overage_usd);
                csv.write_record(["tenant", t.plan.as_str(), &t.tenant_id, &org, "", "", "", "", "", &total])?;
            }
            for p in &report.plans {
                let total = amount_string(p.overage_usd);
                csv.write_record(["plan", p.plan.as_str(), "", "", "", "", "", "", "", &total])?;
            }
            csv.write_record(["total", "", "", "", "", "", "", "", "", &amount_string(report.total_usd)])?;
            csv.flush()?;
        }
        Format::Table => {
            writeln!(out, "projected overage of {} (USD, each line rounded to the cent)", report.period)?;
            writeln!(
                out,
                "{:<24} {:<13} {:<10} {:>14} {:>14} {:>14} {:>8} {:>12}",
                "tenant", "plan", "dimension", "included", "projected", "over", "rate", "overage $"
            )?;
            for t in &report.tenants {
                for l in &t.lines {
                    writeln!(
                        out,
                        "{:<24} {:<13} {:<10} {:>14} {:>14} {:>14} {:>8} {:>12}",
                        t.tenant_id,
                        t.plan.as_str(),
                        l.dimension.as_str(),
                        l.included.to_string(),
                        l.projected.to_string(),
                        l.over.to_string(),
                        rate_string(l.rate_usd),
                        amount_string(l.overage_usd)
                    )?;
                }
            }
            writeln!(out)?;
            writeln!(
                out,
                "{:<13} {:>7} {:>12} {:>12} {:>12}",
                "plan", "tenants", "queries $", "ingest $", "overage $"
            )?;
            for p in &report.plans {
                writeln!(
                    out,
                    "{:<13} {:>7} {:>12} {:>12} {:>12}",
                    p.plan.as_str(),
                    p.tenants_over,
                    amount_string(p.queries_usd),
                    amount_string(p.ingest_gb_usd),
                    amount_string(p.overage_usd)
                )?;
            }
            writeln!(out, "{:<13} {:>7} {:>12} {:>12} {:>12}", "total", "", "", "", amount_string(report.total_usd))?;
        }
    }
    Ok(())
}
