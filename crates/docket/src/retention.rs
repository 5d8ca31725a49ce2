//! `docket audit retention`: what is older than the retention, and with `--apply` purging raw
//! usage events and redacting personal data (`docket_ledger::Ledger::apply_retention`).

use std::io::Write;

use anyhow::{Context, Result};
use docket_ledger::{Ledger, LedgerOptions, MAX_KEEP_MONTHS, RetentionAudit, RetentionRun, UsageFile};
use docket_server::Config;
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::reconcile::ChangeArgs;
use crate::reports::Format;

/// What `docket audit` checks.
#[derive(clap::Subcommand)]
pub enum AuditCommand {
    /// Raw usage events, seat subjects, onboarding personal data and support ticket bodies
    /// older than the retention; with --apply, purge and redact them (aggregates stay, so past
    /// months' totals and cost do not change), rewrite usage.json and record the run.
    Retention {
        /// Full months kept before the current one (1 to 120).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_KEEP_MONTHS)))]
        keep_months: u32,
        /// Purge and redact; without it nothing changes.
        #[arg(long)]
        apply: bool,
        #[command(flatten)]
        out: ChangeArgs,
    },
}

/// The report, as JSON: what was older than the retention, and the run when applied.
#[derive(Serialize)]
struct Report<'a> {
    applied: bool,
    audit: &'a RetentionAudit,
    run: Option<&'a RetentionRun>,
}

/// Run `docket audit ...`.
pub async fn run(config: &Config, cmd: AuditCommand) -> Result<()> {
    let AuditCommand::Retention { keep_months, apply, out: ChangeArgs { format, operator } } = cmd;
    let ledger = if apply {
        docket_server::open_ledger(config).await?
    } else {
        // Read-only, so that a look changes nothing, not even the SQLite file's bytes.
        let url = config.ledger_url();
        Ledger::open_read_only(&LedgerOptions { url: url.clone(), max_connections: 2 })
            .await
            .with_context(|| format!("opening the ledger at {} to read it", docket_server::redact(&url)))?
    };
    let result = retention(config, &ledger, keep_months, apply, format, operator).await;
    ledger.close().await;
    result
}

async fn retention(
    config: &Config,
    ledger: &Ledger,
    keep_months: u32,
    apply: bool,
    format: Option<Format>,
    operator: Option<String>,
) -> Result<()> {
    let now = OffsetDateTime::now_utc();
    let audit = ledger.retention_audit(keep_months, now).await?;
    let run = match apply {
        true => {
            let run = ledger.apply_retention(keep_months, now, &crate::reconcile::operator(operator)).await?;
            // Snapshots carry the intakes just redacted.
            UsageFile::new(config.usage_file()).write(ledger).await?;
            Some(run)
        }
        false => None,
    };
    let mut out = std::io::stdout().lock();
    match Format::or_default(format) {
        Format::Json => {
            let report = Report { applied: apply, audit: &audit, run: run.as_ref() };
            writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
        }
        Format::Csv => {
            let mut csv = csv::Writer::from_writer(out);
            csv.write_record(["kind", "tenant_id", "period", "count", "detail"])?;
            for l in lines(&audit) {
                csv.write_record([l.kind, &l.tenant, &l.when, &l.count, &l.detail])?;
            }
            if let Some(r) = &run {
                csv.write_record(["run", "", &r.cutoff_period.to_string(), "", &run_line(r)])?;
            }
            csv.flush()?;
        }
        Format::Table => {
            let events: u64 = audit.usage_events.iter().map(|e| e.events).sum();
            writeln!(
                out,
                "retention of {keep_months} month(s): before {} ({}), {events} raw usage event(s), {} seat subject(s), \
                 {} onboarding intake(s) with personal data, {}",
                audit.cutoff_period,
                audit.cutoff_at.format(&Rfc3339).unwrap_or_default(),
                audit.seat_subjects,
                audit.onboarding.len(),
                tickets(audit.support_ticket_bodies, "")
            )?;
            writeln!(out, "{:<14} {:<24} {:<10} {:>8}  detail", "kind", "tenant", "period", "count")?;
            for l in lines(&audit) {
                writeln!(out, "{:<14} {:<24} {:<10} {:>8}  {}", l.kind, l.tenant, l.when, l.count, l.detail)?;
            }
            match &run {
                Some(r) => writeln!(out, "applied: {}", run_line(r))?,
                None => writeln!(out, "nothing changed: run with --apply to purge and redact")?,
            }
        }
    }
    Ok(())
}

/// One line of the table and of the CSV.
struct Line {
    kind: &'static str,
    tenant: String,
    when: String,
    count: String,
    detail: String,
}

fn lines(audit: &RetentionAudit) -> Vec<Line> {
    let mut out: Vec<Line> = audit
        .usage_events
        .iter()
        .map(|e| Line {
            kind: "usage_events",
            tenant: e.tenant_id.to_string(),
            when: e.period.to_string(),
            count: e.events.to_string(),
            detail: String::new(),
        })
        .collect();
    out.extend(audit.onboarding.iter().map(|o| Line {
        kind: "onboarding",
        tenant: o.tenant_id.to_string(),
        when: o.submitted_at.format(&Rfc3339).unwrap_or_default(),
        count: o.fields.len().to_string(),
        detail: o.fields.join(" "),
    }));
    out
}

fn run_line(r: &RetentionRun) -> String {
    format!(
        "run {} by {} at {}: {} raw event(s) purged, {} seat subject(s) purged, {} intake(s) redacted, {}",
        r.run_id,
        r.ran_by,
        r.ran_at.format(&Rfc3339).unwrap_or_default(),
        r.events_purged,
        r.seat_subjects_purged,
        r.intakes_redacted,
        tickets(r.ticket_bodies_redacted, " redacted")
    )
}

/// Support ticket bodies counted, or that there is no ticket table yet.
fn tickets(n: u64, done: &str) -> String {
    format!("{n} support ticket and response bod{}{done}", if n == 1 { "y" } else { "ies" })
}
