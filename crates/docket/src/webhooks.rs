//! `docket webhooks deliveries`: the quota-alert webhook outbox, each delivery with its attempts.

use std::io::Write;

use anyhow::Result;
use docket_ledger::{DeliveryRecord, DeliveryStatus, WebhookAttempt};
use docket_server::Config;
use time::format_description::well_known::Rfc3339;

use crate::reports::Format;

/// A URL as shown: a password in it replaced by `***`.
fn shown(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

fn instant(at: time::OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_else(|_| at.to_string())
}

/// What an attempt got: the status code, else the error.
fn outcome(a: &WebhookAttempt) -> String {
    match (a.status_code, &a.error) {
        (Some(code), _) => code.to_string(),
        (None, Some(e)) => e.clone(),
        (None, None) => String::new(),
    }
}

/// `docket webhooks deliveries [--status] [--format]`.
pub async fn deliveries(config: &Config, status: Option<DeliveryStatus>, format: Option<Format>) -> Result<()> {
    let ledger = docket_server::open_ledger(config).await?;
    let records = ledger.webhook_deliveries(status).await;
    ledger.close().await;
    let mut records = records?;
    for r in &mut records {
        r.delivery.url = shown(&r.delivery.url);
    }
    let mut out = std::io::stdout().lock();
    match Format::or_default(format) {
        Format::Json => {
            writeln!(out, "{}", serde_json::to_string_pretty(&serde_json::json!({ "deliveries": records }))?)?;
        }
        Format::Csv => write_csv(&mut out, &records)?,
        Format::Table => write_table(&mut out, &records)?,
    }
    Ok(())
}

/// One row per attempt (a delivery not attempted yet: one row with empty attempt columns).
fn write_csv(out: &mut impl Write, records: &[DeliveryRecord]) -> Result<()> {
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record([
        "delivery_id",
        "event_id",
        "url",
        "tenant_id",
        "period",
        "dimension",
        "level",
        "status",
        "attempts",
        "created_at",
        "next_attempt_at",
        "finished_at",
        "attempt",
        "attempt_started_at",
        "duration_ms",
        "status_code",
        "error",
    ])?;
    for r in records {
        let d = &r.delivery;
        let attempts = d.attempts.to_string();
        let head = [
            d.delivery_id.clone(),
            d.event_id.clone(),
            d.url.clone(),
            d.tenant_id.clone(),
            d.period.clone(),
            d.dimension.clone(),
            d.level.clone(),
            d.status.as_str().to_owned(),
            attempts,
            instant(d.created_at),
            if d.status == DeliveryStatus::Pending { instant(d.next_attempt_at) } else { String::new() },
            d.finished_at.map(instant).unwrap_or_default(),
        ];
        if r.attempt_log.is_empty() {
            csv.write_record(head.iter().map(String::as_str).chain(["", "", "", "", ""]))?;
        }
        for a in &r.attempt_log {
            let tail = [
                a.attempt.to_string(),
                instant(a.started_at),
                a.duration_ms.to_string(),
                a.status_code.map(|c| c.to_string()).unwrap_or_default(),
                a.error.clone().unwrap_or_default(),
            ];
            csv.write_record(head.iter().chain(tail.iter()))?;
        }
    }
    csv.flush()?;
    Ok(())
}

fn write_table(out: &mut impl Write, records: &[DeliveryRecord]) -> Result<()> {
    writeln!(out, "{} webhook deliveries", records.len())?;
    writeln!(
        out,
        "{:<24} {:<24} {:<8} {:<10} {:<5} {:<9} {:>8}  url",
        "created", "tenant", "period", "dimension", "level", "status", "attempts"
    )?;
    for r in records {
        let d = &r.delivery;
        writeln!(
            out,
            "{:<24} {:<24} {:<8} {:<10} {:<5} {:<9} {:>8}  {}",
            instant(d.created_at),
            d.tenant_id,
            d.period,
            d.dimension,
            d.level,
            d.status.as_str(),
            d.attempts,
            d.url
        )?;
        for a in &r.attempt_log {
            writeln!(
                out,
                "    attempt {:>3}  {}  {:>6} ms  {}",
                a.attempt,
                instant(a.started_at),
                a.duration_ms,
                outcome(a)
            )?;
        }
        if d.status == DeliveryStatus::Pending {
            writeln!(out, "    next attempt at {}", instant(d.next_attempt_at))?;
        }
    }
    Ok(())
}
