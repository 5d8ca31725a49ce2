//! `docket reconcile plans`: the operator's plan and support-tier overrides
//! (`DOCKET_PLAN_OVERRIDES`, `DOCKET_SUPPORT_OVERRIDES`) against the tenant registry.

use std::io::Write;

use anyhow::Result;
use docket_billing::OverrideProblem;
use docket_ledger::{AppliedChange, PlanDifference, UnknownTenant, UsageFile};
use docket_server::Config;
use serde::Serialize;
use time::format_description::well_known::Rfc3339;

use crate::reports::Format;

/// What `docket reconcile` compares.
#[derive(clap::Subcommand)]
pub enum ReconcileCommand {
    /// Compare DOCKET_PLAN_OVERRIDES and DOCKET_SUPPORT_OVERRIDES with the tenant registry:
    /// unknown plans and tenants, and every difference. Exits 1 while anything is left to
    /// fix (a difference not applied, an unknown tenant, a bad entry), 0 when all matches.
    Plans {
        /// Change the registry to match, recording who and when for each change.
        #[arg(long)]
        apply: bool,
        #[command(flatten)]
        out: ChangeArgs,
    },
}

/// The output and the operator of a command that changes the ledger.
#[derive(clap::Args)]
pub struct ChangeArgs {
    /// Output format (default: a table on a terminal, JSON otherwise).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Who the changes are recorded as (default: DOCKET_OPERATOR, else the OS user).
    #[arg(long, env = "DOCKET_OPERATOR")]
    pub operator: Option<String>,
}

/// Who an operator command acts as: the name given, else `DOCKET_OPERATOR`, else the OS user
/// (`USER`, `LOGNAME`, else the numeric user id: cron and containers often set no name).
pub fn operator(given: Option<String>) -> String {
    given
        .into_iter()
        .chain(["DOCKET_OPERATOR", "USER", "LOGNAME"].into_iter().filter_map(|v| std::env::var(v).ok()))
        .map(|s| s.trim().to_owned())
        .find(|s| !s.is_empty())
        .unwrap_or_else(|| format!("uid {}", rustix::process::getuid().as_raw()))
}

/// An unusable entry, with the variable it is in.
#[derive(Serialize)]
struct ListProblem<'a> {
    variable: &'static str,
    #[serde(flatten)]
    problem: &'a OverrideProblem,
}

/// The whole report, as JSON.
#[derive(Serialize)]
struct Report<'a> {
    applied: bool,
    /// Whether the registry matches the lists and the lists are clean.
    in_line: bool,
    operator: Option<&'a str>,
    differences: &'a [PlanDifference],
    changed: &'a [AppliedChange],
    unknown_tenants: &'a [UnknownTenant],
    problems: Vec<ListProblem<'a>>,
}

/// One line of the table and of the CSV.
struct Line {
    kind: &'static str,
    tenant: String,
    field: &'static str,
    registry: String,
    wanted: String,
    note: String,
}

/// Run `docket reconcile ...`; exits 1 when something is left to fix.
pub async fn run(config: &Config, cmd: ReconcileCommand) -> Result<()> {
    let ReconcileCommand::Plans { apply, out: ChangeArgs { format, operator: given } } = cmd;
    let ledger = docket_server::open_ledger(config).await?;
    let result = reconcile(config, &ledger, apply, format, given).await;
    ledger.close().await;
    if !result? {
        std::process::exit(1);
    }
    Ok(())
}

/// Compare, apply when asked, print; whether everything is in line afterwards.
async fn reconcile(
    config: &Config,
    ledger: &docket_ledger::Ledger,
    apply: bool,
    format: Option<Format>,
    given: Option<String>,
) -> Result<bool> {
    let found = ledger.reconcile_plans(&config.plan_overrides, &config.support_overrides).await?;
    let who = apply.then(|| operator(given));
    let changed = match &who {
        Some(who) => ledger.apply_reconciliation(&found, who).await?,
        None => Vec::new(),
    };
    if !changed.is_empty() {
        // The server rewrites it too, within a minute; without a server nobody else would.
        UsageFile::new(config.usage_file()).write(ledger).await?;
    }
    let differences: &[PlanDifference] = if apply { &[] } else { &found.differences };
    let problems: Vec<ListProblem> = config
        .plan_overrides
        .problems()
        .iter()
        .map(|problem| ListProblem { variable: "DOCKET_PLAN_OVERRIDES", problem })
        .chain(
            config
                .support_overrides
                .problems()
                .iter()
                .map(|problem| ListProblem { variable: "DOCKET_SUPPORT_OVERRIDES", problem }),
        )
        .collect();
    let in_line = differences.is_empty() && found.unknown_tenants.is_empty() && problems.is_empty();
    let report = Report {
        applied: apply,
        in_line,
        operator: who.as_deref(),
        differences,
        changed: &changed,
        unknown_tenants: &found.unknown_tenants,
        problems,
    };
    let mut out = std::io::stdout().lock();
    match Format::or_default(format) {
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?,
        Format::Csv => {
            let mut csv = csv::Writer::from_writer(out);
            csv.write_record(["kind", "tenant_id", "field", "registry_value", "override_value", "note"])?;
            for l in lines(&report) {
                csv.write_record([l.kind, &l.tenant, l.field, &l.registry, &l.wanted, &l.note])?;
            }
            csv.flush()?;
        }
        Format::Table => {
            let verb = if apply { "changed" } else { "to change" };
            let count = if apply { changed.len() } else { differences.len() };
            writeln!(
                out,
                "plan and support overrides: {count} {verb}, {} unknown tenant(s), {} bad entr{}",
                found.unknown_tenants.len(),
                report.problems.len(),
                if report.problems.len() == 1 { "y" } else { "ies" }
            )?;
            writeln!(
                out,
                "{:<21} {:<20} {:<13} {:<24} {:<24} note",
                "kind", "tenant", "field", "registry", "override"
            )?;
            for l in lines(&report) {
                writeln!(
                    out,
                    "{:<21} {:<20} {:<13} {:<24} {:<24} {}",
                    l.kind, l.tenant, l.field, l.registry, l.wanted, l.note
                )?;
            }
            if !apply && !differences.is_empty() {
                writeln!(out, "run `docket reconcile plans --apply` to make the registry match")?;
            }
        }
    }
    Ok(in_line)
}

/// The report as flat lines: differences or changes, unknown tenants, then bad entries.
fn lines(r: &Report<'_>) -> Vec<Line> {
    let difference = |kind, d: &PlanDifference, note: String| Line {
        kind,
        tenant: d.tenant_id.to_string(),
        field: d.field.as_str(),
        registry: d.registry_value.clone(),
        wanted: d.override_value.clone(),
        note,
    };
    let mut out: Vec<Line> = r.differences.iter().map(|d| difference("difference", d, String::new())).collect();
    out.extend(r.changed.iter().map(|c| {
        let at = c.changed_at.format(&Rfc3339).unwrap_or_default();
        difference("changed", &c.difference, format!("by {} at {at}", c.changed_by))
    }));
    out.extend(r.unknown_tenants.iter().map(|u| Line {
        kind: "unknown_tenant",
        tenant: u.tenant_id.to_string(),
        field: u.field.as_str(),
        registry: String::new(),
        wanted: u.override_value.clone(),
        note: "not registered".to_owned(),
    }));
    out.extend(r.problems.iter().map(|p| Line {
        kind: p.problem.kind,
        tenant: p.problem.tenant_id.as_ref().map(ToString::to_string).unwrap_or_default(),
        field: if p.variable == "DOCKET_PLAN_OVERRIDES" { "plan" } else { "support_tier" },
        registry: String::new(),
        wanted: String::new(),
        note: format!("{} {}", p.variable, p.problem),
    }));
    out
}
