//! Monthly retention: what is older than the retention, and purging or redacting it.
//!
//! Raw usage events (and the seat subjects of their periods) before the cutoff are deleted;
//! the daily and period aggregates stay, so every past month's totals and cost are unchanged.
//! The personal data of onboarding intakes submitted before the cutoff (contact name, e-mail
//! and the free text) is redacted in place, keeping the intake's shape. Each applied run is
//! recorded in `retention_runs`, and its cutoff becomes the ledger's horizon: the writer refuses
//! events older than it, since such an event may be a retry of one whose id was purged.

use docket_billing::{BillingPeriod, TenantId};
use serde::Serialize;
use serde_json::Value;
use sqlx::{Any, Row};
use time::OffsetDateTime;

use crate::error::LedgerError;
use crate::sql::{WriteConn, from_millis, millis};
use crate::store::Ledger;

/// What replaces a redacted text.
pub const REDACTED: &str = "[redacted]";

/// The intake fields that hold personal data or free text, redacted by retention.
pub const PERSONAL_INTAKE_FIELDS: [&str; 5] =
    ["contact_name", "contact_email", "primary_use_case", "success_criteria", "notes"];

/// Most months a retention may keep (ten years).
pub const MAX_KEEP_MONTHS: u32 = 120;

/// A tenant's raw events of one period, older than the retention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeriodEvents {
    pub tenant_id: TenantId,
    pub period: BillingPeriod,
    pub events: u64,
}

/// An onboarding intake older than the retention that still holds personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IntakeToRedact {
    pub tenant_id: TenantId,
    #[serde(with = "time::serde::rfc3339")]
    pub submitted_at: OffsetDateTime,
    /// The fields that still hold something.
    pub fields: Vec<&'static str>,
}

/// Everything older than the retention: what `--apply` would purge or redact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetentionAudit {
    pub keep_months: u32,
    /// The first billing period kept.
    pub cutoff_period: BillingPeriod,
    /// Its first instant: everything before it is older than the retention.
    #[serde(with = "time::serde::rfc3339")]
    pub cutoff_at: OffsetDateTime,
    /// By tenant, then period.
    pub usage_events: Vec<PeriodEvents>,
    /// Seat subjects (who acted: token subjects, contact e-mails) kept per period.
    pub seat_subjects: u64,
    /// By tenant.
    pub onboarding: Vec<IntakeToRedact>,
    /// Support ticket and response bodies.
    pub support_ticket_bodies: u64,
}

/// One applied retention run, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetentionRun {
    pub run_id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub ran_at: OffsetDateTime,
    pub ran_by: String,
    pub keep_months: u32,
    pub cutoff_period: BillingPeriod,
    #[serde(with = "time::serde::rfc3339")]
    pub cutoff_at: OffsetDateTime,
    pub events_purged: u64,
    pub seat_subjects_purged: u64,
    pub intakes_redacted: u64,
    /// Support ticket and response bodies.
    pub ticket_bodies_redacted: u64,
}

/// The first period a retention of `keep_months` full months keeps at `now`: the current
/// period and the `keep_months` before it stay (at least one, so that the previous period,
/// which still takes late events, is never purged).
pub fn retention_cutoff(keep_months: u32, now: OffsetDateTime) -> BillingPeriod {
    (0..keep_months.clamp(1, MAX_KEEP_MONTHS)).fold(BillingPeriod::containing(now), |p, _| p.previous())
}

fn count(n: i64) -> u64 {
    n.max(0) as u64
}

/// The personal fields of an intake that still hold something.
fn personal_fields(intake: &Value) -> Vec<&'static str> {
    PERSONAL_INTAKE_FIELDS
        .into_iter()
        .filter(|f| match intake.get(*f) {
            Some(Value::String(s)) => s != REDACTED,
            Some(Value::Array(items)) => !items.is_empty(),
            Some(Value::Null) | None => false,
            Some(_) => true,
        })
        .collect()
}

/// Redact an intake's personal fields in place, keeping its shape: texts become
/// [`REDACTED`], lists empty, optional texts null.
fn redact(intake: &mut Value) {
    for field in personal_fields(intake) {
        if let Some(v) = intake.get_mut(field) {
            *v = match v {
                Value::Array(_) => Value::Array(Vec::new()),
                Value::String(_) if field == "notes" => Value::Null,
                _ => Value::String(REDACTED.to_owned()),
            };
        }
    }
}

/// Support ticket and response bodies written before `cutoff_ms` and not yet redacted:
/// counted, or redacted when `apply` (subjects, tiers and times stay, so SLA reports of past
/// weeks are unchanged).
async fn support_ticket_bodies(
    conn: &mut sqlx::AnyConnection,
    cutoff_ms: i64,
    apply: bool,
) -> Result<u64, LedgerError> {
    let mut n = 0;
    for (table, at) in [("support_tickets", "opened_at"), ("support_responses", "responded_at")] {
        n += if apply {
            sqlx::query::<Any>(&format!("UPDATE {table} SET body = $1 WHERE {at} < $2 AND body <> $1"))
                .bind(REDACTED)
                .bind(cutoff_ms)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        } else {
            count(
                sqlx::query_scalar::<Any, i64>(&format!("SELECT COUNT(*) FROM {table} WHERE {at} < $1 AND body <> $2"))
                    .bind(cutoff_ms)
                    .bind(REDACTED)
                    .fetch_one(&mut *conn)
                    .await?,
            )
        };
    }
    Ok(n)
}

/// The latest retention cutoff (events before it were purged), if retention ever ran.
pub(crate) async fn horizon(conn: &mut sqlx::AnyConnection) -> Result<Option<OffsetDateTime>, LedgerError> {
    let ms: Option<i64> = sqlx::query_scalar::<Any, Option<i64>>("SELECT MAX(cutoff_at) FROM retention_runs")
        .fetch_one(&mut *conn)
        .await?;
    ms.map(from_millis).transpose()
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> LedgerError {
    LedgerError::Corrupt(format!("{what}: {e}"))
}

impl Ledger {
    /// What a retention of `keep_months` at `now` would purge or redact. Reads only.
    pub async fn retention_audit(&self, keep_months: u32, now: OffsetDateTime) -> Result<RetentionAudit, LedgerError> {
        let cutoff_period = retention_cutoff(keep_months, now);
        let cutoff_ms = millis(cutoff_period.start());
        let mut conn = self.pool().acquire().await?;
        let rows = sqlx::query::<Any>(
            "SELECT tenant_id, period, COUNT(*) FROM usage_events WHERE period < $1 \
             GROUP BY tenant_id, period ORDER BY tenant_id, period",
        )
        .bind(cutoff_period.to_string())
        .fetch_all(&mut *conn)
        .await?;
        let mut usage_events = Vec::with_capacity(rows.len());
        for r in rows {
            usage_events.push(PeriodEvents {
                tenant_id: r.try_get::<String, _>(0)?.parse().map_err(|e| corrupt("tenant id", e))?,
                period: r.try_get::<String, _>(1)?.parse().map_err(|e| corrupt("period", e))?,
                events: count(r.try_get(2)?),
            });
        }
        let seat_subjects = count(
            sqlx::query_scalar::<Any, i64>("SELECT COUNT(*) FROM period_seats WHERE period < $1")
                .bind(cutoff_period.to_string())
                .fetch_one(&mut *conn)
                .await?,
        );
        let mut onboarding = Vec::new();
        for (tenant, submitted_at, intake) in old_intakes(&mut conn, cutoff_ms).await? {
            let fields = personal_fields(&intake);
            if !fields.is_empty() {
                onboarding.push(IntakeToRedact { tenant_id: tenant, submitted_at, fields });
            }
        }
        let support_ticket_bodies = support_ticket_bodies(&mut conn, cutoff_ms, false).await?;
        Ok(RetentionAudit {
            keep_months: keep_months.clamp(1, MAX_KEEP_MONTHS),
            cutoff_period,
            cutoff_at: cutoff_period.start(),
            usage_events,
            seat_subjects,
            onboarding,
            support_ticket_bodies,
        })
    }

    /// Purge and redact what is older than a retention of `keep_months` at `now`, in one
    /// transaction, and record the run as made by `ran_by`.
    pub async fn apply_retention(
        &self,
        keep_months: u32,
        now: OffsetDateTime,
        ran_by: &str,
    ) -> Result<RetentionRun, LedgerError> {
        let cutoff_period = retention_cutoff(keep_months, now);
        let cutoff_ms = millis(cutoff_period.start());
        let ran_at = from_millis(millis(OffsetDateTime::now_utc()))?;
        let backend = self.backend();
        let mut conn = WriteConn::acquire(self.pool()).await?;
        let result = async {
            let mut tx = conn.begin(backend).await?;
            let events_purged = sqlx::query::<Any>("DELETE FROM usage_events WHERE period < $1")
                .bind(cutoff_period.to_string())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            let seat_subjects_purged = sqlx::query::<Any>("DELETE FROM period_seats WHERE period < $1")
                .bind(cutoff_period.to_string())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            let mut intakes_redacted = 0;
            for (tenant, _, mut intake) in old_intakes(&mut tx, cutoff_ms).await? {
                if personal_fields(&intake).is_empty() {
                    continue;
                }
                redact(&mut intake);
                sqlx::query::<Any>("UPDATE onboarding SET intake = $1 WHERE tenant_id = $2")
                    .bind(intake.to_string())
                    .bind(tenant.as_str().to_owned())
                    .execute(&mut *tx)
                    .await?;
                intakes_redacted += 1;
            }
            let ticket_bodies_redacted = support_ticket_bodies(&mut tx, cutoff_ms, true).await?;
            let run = RetentionRun {
                run_id: uuid::Uuid::now_v7().to_string(),
                ran_at,
                ran_by: ran_by.to_owned(),
                keep_months: keep_months.clamp(1, MAX_KEEP_MONTHS),
                cutoff_period,
                cutoff_at: cutoff_period.start(),
                events_purged,
                seat_subjects_purged,
                intakes_redacted,
                ticket_bodies_redacted,
            };
            sqlx::query::<Any>(
                "INSERT INTO retention_runs (run_id, ran_at, ran_by, keep_months, cutoff_period, cutoff_at, events_purged, \
                 seat_subjects_purged, intakes_redacted, ticket_bodies_redacted) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(run.run_id.clone())
            .bind(millis(run.ran_at))
            .bind(run.ran_by.clone())
            .bind(i64::from(run.keep_months))
            .bind(run.cutoff_period.to_string())
            .bind(cutoff_ms)
            .bind(stored(run.events_purged))
            .bind(stored(run.seat_subjects_purged))
            .bind(stored(run.intakes_redacted))
            .bind(stored(run.ticket_bodies_redacted))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(run)
        }
        .await;
        let run = conn.finish(result)?;
        // Snapshots carry the intake: every tenant's row is read again.
        for tenant in self.tenants().await? {
            self.view().dirty().tenant(&tenant.tenant_id);
        }
        Ok(run)
    }

    /// Every applied retention run, oldest first.
    pub async fn retention_runs(&self) -> Result<Vec<RetentionRun>, LedgerError> {
        let rows = sqlx::query::<Any>(
            "SELECT run_id, ran_at, ran_by, keep_months, cutoff_period, events_purged, seat_subjects_purged, \
             intakes_redacted, ticket_bodies_redacted FROM retention_runs ORDER BY ran_at, run_id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let cutoff_period: BillingPeriod =
                    r.try_get::<String, _>(4)?.parse().map_err(|e| corrupt("retention cutoff", e))?;
                Ok(RetentionRun {
                    run_id: r.try_get(0)?,
                    ran_at: from_millis(r.try_get(1)?)?,
                    ran_by: r.try_get(2)?,
                    keep_months: u32::try_from(r.try_get::<i64, _>(3)?).map_err(|e| corrupt("keep_months", e))?,
                    cutoff_period,
                    cutoff_at: cutoff_period.start(),
                    events_purged: count(r.try_get(5)?),
                    seat_subjects_purged: count(r.try_get(6)?),
                    intakes_redacted: count(r.try_get(7)?),
                    ticket_bodies_redacted: count(r.try_get::<Option<i64>, _>(8)?.unwrap_or(0)),
                })
            })
            .collect()
    }
}

fn stored(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Intakes submitted before `cutoff_ms`: tenant, submission time, intake.
async fn old_intakes(
    conn: &mut sqlx::AnyConnection,
    cutoff_ms: i64,
) -> Result<Vec<(TenantId, OffsetDateTime, Value)>, LedgerError> {
    let rows = sqlx::query::<Any>(
        "SELECT tenant_id, submitted_at, intake FROM onboarding WHERE submitted_at < $1 ORDER BY tenant_id",
    )
    .bind(cutoff_ms)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let intake: String = r.try_get(2)?;
            Ok((
                r.try_get::<String, _>(0)?.parse().map_err(|e| corrupt("tenant id", e))?,
                from_millis(r.try_get(1)?)?,
                serde_json::from_str(&intake).map_err(|e| corrupt("stored onboarding intake", e))?,
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::datetime;

    #[test]
    fn the_cutoff_keeps_whole_months_and_never_the_open_previous_one() {
        let now = datetime!(2026-12-02 13:00 UTC);
        assert_eq!(retention_cutoff(3, now).to_string(), "2026-09");
        assert_eq!(retention_cutoff(1, now).to_string(), "2026-11");
        assert_eq!(retention_cutoff(0, now).to_string(), "2026-11", "at least the previous period stays");
        assert_eq!(retention_cutoff(13, now).to_string(), "2025-11");
    }

    #[test]
    fn redaction_keeps_the_shape_and_only_touches_personal_fields() {
        let mut intake = json!({
            "organization": "Hale & Ward LLP", "contact_name": "Ana Ruiz", "contact_email": "ana@hale.example",
            "primary_use_case": "privilege review", "departments": ["Litigation"],
            "success_criteria": ["cut review time"], "notes": "call after 5", "sizing": {"seats": 5}
        });
        assert_eq!(personal_fields(&intake), PERSONAL_INTAKE_FIELDS);
        redact(&mut intake);
        assert_eq!(
            intake,
            json!({
                "organization": "Hale & Ward LLP", "contact_name": REDACTED, "contact_email": REDACTED,
                "primary_use_case": REDACTED, "departments": ["Litigation"],
                "success_criteria": [], "notes": null, "sizing": {"seats": 5}
            })
        );
        assert!(personal_fields(&intake).is_empty(), "a second run finds nothing");
    }
}
