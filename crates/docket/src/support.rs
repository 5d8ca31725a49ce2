//! `docket report sla --week YYYY-Www`: first-response SLA adherence per support tier and
//! tenant for the tickets opened in one ISO week.

use std::io::Write;

use anyhow::Result;
use docket_ledger::{SlaRow, sla_report};
use docket_server::Config;
use time::{Date, OffsetDateTime, Time, Weekday};

use crate::reports::Format;

/// An ISO 8601 week, `YYYY-Www` (weeks start on Monday; week 1 holds the year's first Thursday).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IsoWeek {
    year: i32,
    week: u8,
}

impl IsoWeek {
    /// The week holding `at` (UTC).
    pub fn containing(at: OffsetDateTime) -> IsoWeek {
        let (year, week, _) = at.to_offset(time::UtcOffset::UTC).date().to_iso_week_date();
        IsoWeek { year, week }
    }

    /// Its Monday, 00:00 UTC.
    pub fn start(self) -> OffsetDateTime {
        // Checked when parsed: the week exists in its year.
        Date::from_iso_week_date(self.year, self.week, Weekday::Monday)
            .map(|d| d.with_time(Time::MIDNIGHT).assume_utc())
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    /// The next Monday, 00:00 UTC (exclusive end).
    pub fn end(self) -> OffsetDateTime {
        self.start() + time::Duration::weeks(1)
    }
}

impl std::fmt::Display for IsoWeek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-W{:02}", self.year, self.week)
    }
}

impl std::str::FromStr for IsoWeek {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("'{s}' is not an ISO week: expected YYYY-Www, e.g. 2026-W49");
        let (year, week) = s.split_once("-W").ok_or_else(bad)?;
        if year.len() != 4 || week.len() != 2 {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        let week: u8 = week.parse().map_err(|_| bad())?;
        let weeks = time::util::weeks_in_year(year);
        if !(1..=weeks).contains(&week) {
            return Err(format!("{year} has weeks W01 to W{weeks:02}; '{s}' is not one of them"));
        }
        Ok(IsoWeek { year, week })
    }
}

fn ratio(v: Option<f64>) -> String {
    v.map(|r| format!("{r:.3}")).unwrap_or_default()
}

fn hours(v: Option<f64>) -> String {
    v.map(|h| format!("{h:.2}")).unwrap_or_default()
}

/// `docket report sla [--week YYYY-Www] [--format]` (default: the current week).
pub async fn report(config: &Config, week: Option<IsoWeek>, format: Option<Format>) -> Result<()> {
    let now = OffsetDateTime::now_utc();
    let week = week.unwrap_or_else(|| IsoWeek::containing(now));
    let ledger = docket_server::open_ledger(config).await?;
    let tickets = ledger.tickets_opened_between(week.start(), week.end()).await;
    ledger.close().await;
    let rows = sla_report(&tickets?, now);
    let mut out = std::io::stdout().lock();
    match Format::or_default(format) {
        Format::Json => {
            let report = serde_json::json!({
                "week": week.to_string(),
                "from": week.start().format(&time::format_description::well_known::Rfc3339)?,
                "to": week.end().format(&time::format_description::well_known::Rfc3339)?,
                "rows": rows,
            });
            writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
        }
        Format::Csv => {
            let mut csv = csv::Writer::from_writer(out);
            csv.write_record([
                "week",
                "support_tier",
                "tenant_id",
                "sla_hours",
                "tickets",
                "met",
                "late",
                "unanswered",
                "open",
                "adherence",
                "mean_first_response_hours",
            ])?;
            for r in &rows {
                csv.write_record([
                    week.to_string(),
                    r.support_tier.as_str().to_owned(),
                    r.tenant_id.clone().unwrap_or_default(),
                    r.sla_hours.map(|h| h.to_string()).unwrap_or_default(),
                    r.tickets.to_string(),
                    r.met.to_string(),
                    r.late.to_string(),
                    r.unanswered.to_string(),
                    r.open.to_string(),
                    ratio(r.adherence),
                    hours(r.mean_first_response_hours),
                ])?;
            }
            csv.flush()?;
        }
        Format::Table => write_table(&mut out, week, &rows)?,
    }
    Ok(())
}

fn write_table(out: &mut impl Write, week: IsoWeek, rows: &[SlaRow]) -> Result<()> {
    writeln!(
        out,
        "support SLA of {week} ({} to {}), tickets opened that week",
        week.start().date(),
        week.end().date()
    )?;
    writeln!(
        out,
        "{:<10} {:<24} {:>5} {:>7} {:>5} {:>5} {:>10} {:>5} {:>9} {:>10}",
        "tier", "tenant", "SLA h", "tickets", "met", "late", "unanswered", "open", "adherence", "mean h"
    )?;
    for r in rows {
        writeln!(
            out,
            "{:<10} {:<24} {:>5} {:>7} {:>5} {:>5} {:>10} {:>5} {:>9} {:>10}",
            r.support_tier.as_str(),
            r.tenant_id.as_deref().unwrap_or("(all)"),
            r.sla_hours.map(|h| h.to_string()).unwrap_or_default(),
            r.tickets,
            r.met,
            r.late,
            r.unanswered,
            r.open,
            ratio(r.adherence),
            hours(r.mean_first_response_hours)
        )?;
    }
    if rows.is_empty() {
        writeln!(out, "(no ticket opened that week)")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_weeks_parse_and_span_monday_to_monday() {
        let w: IsoWeek = "2026-W49".parse().unwrap();
        assert_eq!(w.start().date(), time::macros::date!(2026 - 11 - 30));
        assert_eq!(w.end().date(), time::macros::date!(2026 - 12 - 07));
        // 2026 has 53 ISO weeks, 2027 has 52; week 1 of 2027 starts on 2027-01-04.
        assert!("2026-W53".parse::<IsoWeek>().is_ok());
        assert!("2027-W53".parse::<IsoWeek>().unwrap_err().contains("W01 to W52"));
        assert_eq!("2027-W01".parse::<IsoWeek>().unwrap().start().date(), time::macros::date!(2027 - 01 - 04));
        for bad in ["2026-49", "2026-W4", "2026-W00", "26-W10", "2026-Wxx", ""] {
            assert!(bad.parse::<IsoWeek>().is_err(), "{bad}");
        }
        assert_eq!(IsoWeek::containing(w.start()).to_string(), "2026-W49");
    }
}
