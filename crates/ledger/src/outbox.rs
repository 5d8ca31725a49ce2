//! The outbox of quota-alert webhooks. The writer queues one delivery per alert and URL in the
//! transaction that records the alert; a delivery task (the server's) claims due deliveries,
//! sends them and records each attempt here. A claim is a conditional UPDATE that also pushes
//! the delivery past a lease, so that two instances never send it at once and a process that
//! dies mid-attempt leaves it to be tried again once the lease ends.

use std::sync::{Arc, RwLock};

use serde::Serialize;
use sqlx::{Any, AnyConnection, Row};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::LedgerError;
use crate::model::QuotaAlert;
use crate::sql::{Backend, from_millis, millis, placeholders};
use crate::store::Ledger;

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Not delivered yet; tried again at `next_attempt_at`.
    Pending,
    /// A receiver answered 2xx: never sent again.
    Delivered,
    /// Every attempt failed: given up.
    Dead,
}

impl DeliveryStatus {
    /// The word stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Dead => "dead",
        }
    }
}

impl std::str::FromStr for DeliveryStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [DeliveryStatus::Pending, DeliveryStatus::Delivered, DeliveryStatus::Dead]
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| format!("unknown delivery status '{s}': expected pending, delivered or dead"))
    }
}

/// One alert to send to one URL.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WebhookDelivery {
    pub delivery_id: String,
    /// The alert's id, the same for every URL and attempt: receivers de-duplicate on it.
    pub event_id: String,
    pub url: String,
    pub tenant_id: String,
    pub period: String,
    pub dimension: String,
    pub level: String,
    /// The JSON body every attempt sends, byte for byte.
    pub body: String,
    pub status: DeliveryStatus,
    /// Attempts started so far.
    pub attempts: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub next_attempt_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it was delivered or given up.
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
}

/// One attempt to deliver and what came of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WebhookAttempt {
    /// 1 for the first attempt.
    pub attempt: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    pub duration_ms: u64,
    /// The receiver's HTTP status, when it answered.
    pub status_code: Option<u16>,
    /// Why no status came back (connection refused, timeout), or why a status failed.
    pub error: Option<String>,
}

/// A delivery with its attempts, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeliveryRecord {
    #[serde(flatten)]
    pub delivery: WebhookDelivery,
    pub attempt_log: Vec<WebhookAttempt>,
}

/// What an attempt decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// 2xx: done for good.
    Delivered,
    /// Failed; try again at this instant.
    RetryAt(OffsetDateTime),
    /// Failed for the last time.
    Dead,
}

/// The URLs alerts are queued for, shared by the ledger and its writer.
pub(crate) type Targets = Arc<RwLock<Arc<[String]>>>;

/// The URLs in force now.
pub(crate) fn current(targets: &Targets) -> Arc<[String]> {
    targets.read().map(|t| t.clone()).unwrap_or_else(|poisoned| poisoned.into_inner().clone())
}

/// Queue one delivery of `alert` per URL, inside the caller's (the writer's) transaction.
pub(crate) async fn enqueue(
    conn: &mut AnyConnection,
    backend: Backend,
    alert: &QuotaAlert,
    plan: &str,
    urls: &[String],
) -> Result<(), LedgerError> {
    if urls.is_empty() {
        return Ok(());
    }
    let event_id = uuid::Uuid::now_v7().to_string();
    let fired_at = alert
        .triggered_at
        .format(&Rfc3339)
        .map_err(|e| LedgerError::Corrupt(format!("alert time {}: {e}", alert.triggered_at)))?;
    let body = serde_json::json!({
        "event_id": event_id,
        "type": "quota_alert",
        "tenant_id": alert.tenant_id.as_str(),
        "plan": plan,
        "level": alert.level.as_str(),
        "dimension": alert.dimension.as_str(),
        "ratio": alert.consumption,
        "period": alert.period.to_string(),
        "fired_at": fired_at,
    })
    .to_string();
    let now = millis(alert.triggered_at);
    let sql = format!(
        "INSERT INTO webhook_deliveries (delivery_id, event_id, url, tenant_id, period, dimension, level, body, status, \
         attempts, next_attempt_at, created_at) VALUES ({}) \
         ON CONFLICT (tenant_id, period, dimension, level, url) DO NOTHING",
        placeholders(backend, 0, 12)
    );
    for url in urls {
        sqlx::query::<Any>(&sql)
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(event_id.clone())
            .bind(url.clone())
            .bind(alert.tenant_id.as_str().to_owned())
            .bind(alert.period.to_string())
            .bind(alert.dimension.as_str())
            .bind(alert.level.as_str())
            .bind(body.clone())
            .bind(DeliveryStatus::Pending.as_str())
            .bind(0i64)
            .bind(now)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

const DELIVERY_COLUMNS: &str = "delivery_id, event_id, url, tenant_id, period, dimension, level, body, status, \
     attempts, next_attempt_at, created_at, finished_at";

fn delivery_from_row(row: &sqlx::any::AnyRow) -> Result<WebhookDelivery, LedgerError> {
    let status: String = row.try_get(8)?;
    Ok(WebhookDelivery {
        delivery_id: row.try_get(0)?,
        event_id: row.try_get(1)?,
        url: row.try_get(2)?,
        tenant_id: row.try_get(3)?,
        period: row.try_get(4)?,
        dimension: row.try_get(5)?,
        level: row.try_get(6)?,
        body: row.try_get(7)?,
        status: status.parse().map_err(LedgerError::Corrupt)?,
        attempts: u32::try_from(row.try_get::<i64, _>(9)?).unwrap_or(u32::MAX),
        next_attempt_at: from_millis(row.try_get(10)?)?,
        created_at: from_millis(row.try_get(11)?)?,
        finished_at: row.try_get::<Option<i64>, _>(12)?.map(from_millis).transpose()?,
    })
}

impl Ledger {
    /// The URLs every quota alert fired from now on is queued for (none: no deliveries).
    pub fn set_alert_webhooks(&self, urls: Vec<String>) {
        let mut targets = self.targets().write().unwrap_or_else(|poisoned| poisoned.into_inner());
        *targets = urls.into();
    }

    /// Claim up to `limit` pending deliveries due at `now`: each claimed one counts an attempt
    /// started and is not due again before `now + lease` (so no other claim takes it while it
    /// is being sent). Oldest due first.
    pub async fn claim_webhook_deliveries(
        &self,
        now: OffsetDateTime,
        lease: std::time::Duration,
        limit: usize,
    ) -> Result<Vec<WebhookDelivery>, LedgerError> {
        let now_ms = millis(now);
        let until = millis(now + lease);
        let ids: Vec<String> = sqlx::query_scalar::<Any, String>(
            "SELECT delivery_id FROM webhook_deliveries WHERE status = $1 AND next_attempt_at <= $2 \
             ORDER BY next_attempt_at, delivery_id LIMIT $3",
        )
        .bind(DeliveryStatus::Pending.as_str())
        .bind(now_ms)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(self.pool())
        .await?;
        let mut claimed = Vec::with_capacity(ids.len());
        for id in ids {
            // Still pending and due: another instance may have claimed it since the SELECT.
            let row = sqlx::query::<Any>(&format!(
                "UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = $1 \
                 WHERE delivery_id = $2 AND status = $3 AND next_attempt_at <= $4 RETURNING {DELIVERY_COLUMNS}"
            ))
            .bind(until)
            .bind(id)
            .bind(DeliveryStatus::Pending.as_str())
            .bind(now_ms)
            .fetch_optional(self.pool())
            .await?;
            if let Some(row) = row {
                claimed.push(delivery_from_row(&row)?);
            }
        }
        Ok(claimed)
    }

    /// Record an attempt of a claimed delivery and what it decided, in one transaction. A
    /// delivery already delivered or dead stays so.
    pub async fn finish_webhook_attempt(
        &self,
        delivery_id: &str,
        attempt: &WebhookAttempt,
        outcome: AttemptOutcome,
    ) -> Result<(), LedgerError> {
        let finished = millis(attempt.started_at) + i64::try_from(attempt.duration_ms).unwrap_or(0);
        let (status, next, finished_at) = match outcome {
            AttemptOutcome::Delivered => (DeliveryStatus::Delivered, finished, Some(finished)),
            AttemptOutcome::Dead => (DeliveryStatus::Dead, finished, Some(finished)),
            AttemptOutcome::RetryAt(at) => (DeliveryStatus::Pending, millis(at), None),
        };
        let mut conn = crate::sql::WriteConn::acquire(self.pool()).await?;
        let result = async {
            let mut tx = conn.begin(self.backend()).await?;
            sqlx::query::<Any>(
                "INSERT INTO webhook_attempts (delivery_id, attempt, started_at, duration_ms, status_code, error) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (delivery_id, attempt) DO NOTHING",
            )
            .bind(delivery_id.to_owned())
            .bind(i64::from(attempt.attempt))
            .bind(millis(attempt.started_at))
            .bind(i64::try_from(attempt.duration_ms).unwrap_or(i64::MAX))
            .bind(attempt.status_code.map(i64::from))
            .bind(attempt.error.clone())
            .execute(&mut *tx)
            .await?;
            sqlx::query::<Any>(
                "UPDATE webhook_deliveries SET status = $1, next_attempt_at = $2, finished_at = $3 \
                 WHERE delivery_id = $4 AND status = $5",
            )
            .bind(status.as_str())
            .bind(next)
            .bind(finished_at)
            .bind(delivery_id.to_owned())
            .bind(DeliveryStatus::Pending.as_str())
            .execute(&mut *tx)
            .await?;
            Ok(tx.commit().await?)
        }
        .await;
        conn.finish(result)
    }

    /// When the next pending delivery is due, if any is pending.
    pub async fn next_webhook_due(&self) -> Result<Option<OffsetDateTime>, LedgerError> {
        let next: Option<i64> = sqlx::query_scalar::<Any, Option<i64>>(
            "SELECT MIN(next_attempt_at) FROM webhook_deliveries WHERE status = $1",
        )
        .bind(DeliveryStatus::Pending.as_str())
        .fetch_one(self.pool())
        .await?;
        next.map(from_millis).transpose()
    }

    /// Every delivery (or those with `status`), oldest first, each with its attempts.
    pub async fn webhook_deliveries(&self, status: Option<DeliveryStatus>) -> Result<Vec<DeliveryRecord>, LedgerError> {
        let filter = if status.is_some() { "WHERE status = $1" } else { "" };
        let sql =
            format!("SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries {filter} ORDER BY created_at, delivery_id");
        let mut query = sqlx::query::<Any>(&sql);
        if let Some(s) = status {
            query = query.bind(s.as_str());
        }
        let mut out: Vec<DeliveryRecord> = query
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|row| Ok(DeliveryRecord { delivery: delivery_from_row(row)?, attempt_log: Vec::new() }))
            .collect::<Result<_, LedgerError>>()?;
        let sql = format!(
            "SELECT a.delivery_id, a.attempt, a.started_at, a.duration_ms, a.status_code, a.error \
             FROM webhook_attempts a JOIN webhook_deliveries d ON d.delivery_id = a.delivery_id {} \
             ORDER BY a.delivery_id, a.attempt",
            filter.replace("status", "d.status")
        );
        let attempts = sqlx::query::<Any>(&sql);
        let attempts = match status {
            Some(s) => attempts.bind(s.as_str()),
            None => attempts,
        };
        let mut by_id: std::collections::HashMap<String, Vec<WebhookAttempt>> = std::collections::HashMap::new();
        for row in attempts.fetch_all(self.pool()).await? {
            let id: String = row.try_get(0)?;
            by_id.entry(id).or_default().push(WebhookAttempt {
                attempt: u32::try_from(row.try_get::<i64, _>(1)?).unwrap_or(u32::MAX),
                started_at: from_millis(row.try_get(2)?)?,
                duration_ms: u64::try_from(row.try_get::<i64, _>(3)?).unwrap_or(0),
                status_code: row.try_get::<Option<i64>, _>(4)?.and_then(|c| u16::try_from(c).ok()),
                error: row.try_get(5)?,
            });
        }
        for record in &mut out {
            record.attempt_log = by_id.remove(&record.delivery.delivery_id).unwrap_or_default();
        }
        Ok(out)
    }
}
