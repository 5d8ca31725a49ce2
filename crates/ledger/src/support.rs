//! Support tickets, their responses, and the first-response SLA: each ticket is due its
//! tenant's SLA hours after it was opened (the tier read from the tenant's snapshot, as every
//! other reader of the support tier does). A breach is recorded once per ticket, by whichever
//! comes first: the sweep finding it unanswered past its deadline, or a first response after it.

use std::collections::BTreeMap;

use docket_billing::{BillingPeriod, SupportTier, TenantId};
use serde::{Deserialize, Serialize};
use sqlx::{Any, Row};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::error::LedgerError;
use crate::sql::{WriteConn, from_millis, millis};
use crate::store::Ledger;

/// Longest ticket subject, in characters.
pub const MAX_TICKET_SUBJECT_CHARS: usize = 200;
/// Longest ticket or response body, in characters.
pub const MAX_TICKET_BODY_CHARS: usize = 20_000;

/// How urgent a ticket is, as its author judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Normal,
    High,
    Urgent,
}

impl Severity {
    /// The word stored and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Normal => "normal",
            Severity::High => "high",
            Severity::Urgent => "urgent",
        }
    }
}

/// How a ticket missed its first-response deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SlaBreach {
    /// The deadline passed with no response (found by the sweep).
    Unanswered,
    /// The first response came after the deadline.
    Late,
}

impl SlaBreach {
    /// The word stored and used in the API and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            SlaBreach::Unanswered => "unanswered",
            SlaBreach::Late => "late",
        }
    }
}

/// A response to a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SupportResponse {
    pub response_id: String,
    /// The subject of the token that answered.
    pub responder: String,
    pub body: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub responded_at: OffsetDateTime,
}

/// A support ticket with its SLA state.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SupportTicket {
    pub ticket_id: String,
    #[schema(value_type = String)]
    pub tenant_id: TenantId,
    pub subject: String,
    pub body: String,
    pub severity: Severity,
    /// The subject of the token that opened it.
    pub opened_by: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub opened_at: OffsetDateTime,
    /// The tenant's support tier when the ticket was opened.
    pub support_tier: SupportTier,
    /// First-response SLA of that tier, in hours.
    pub sla_hours: u32,
    /// `opened_at` plus the SLA hours: a first response at or before it meets the SLA.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub due_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub first_response_at: Option<OffsetDateTime>,
    /// The breach recorded, if the SLA was missed.
    pub breach: Option<SlaBreach>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub breach_recorded_at: Option<OffsetDateTime>,
    /// Responses, oldest first (empty in lists).
    pub responses: Vec<SupportResponse>,
}

impl SupportTicket {
    /// Seconds from opening to the first response, once answered.
    pub fn first_response_seconds(&self) -> Option<f64> {
        self.first_response_at.map(|at| (at - self.opened_at).as_seconds_f64().max(0.0))
    }
}

/// What a response did to its ticket.
#[derive(Debug, Clone)]
pub struct Responded {
    pub response: SupportResponse,
    /// The ticket after the response (with every response).
    pub ticket: SupportTicket,
    /// Whether this was the ticket's first response (the one the SLA measures).
    pub first: bool,
    /// A breach this response recorded (a first response after the deadline).
    pub breach: Option<SlaBreach>,
}

/// A ticket to open.
#[derive(Debug, Clone)]
pub struct NewTicket<'a> {
    pub tenant: &'a TenantId,
    pub subject: &'a str,
    pub body: &'a str,
    pub severity: Severity,
    pub opened_by: &'a str,
}

const TICKET_COLUMNS: &str = "ticket_id, tenant_id, subject, body, severity, opened_by, opened_at, support_tier, \
     sla_hours, due_at, first_response_at, breach, breach_recorded_at";

fn word<T: serde::de::DeserializeOwned>(what: &str, s: String) -> Result<T, LedgerError> {
    serde_json::from_value(serde_json::Value::String(s)).map_err(|e| LedgerError::Corrupt(format!("{what}: {e}")))
}

fn ticket_from_row(row: &sqlx::any::AnyRow) -> Result<SupportTicket, LedgerError> {
    Ok(SupportTicket {
        ticket_id: row.try_get(0)?,
        tenant_id: row.try_get::<String, _>(1)?.parse().map_err(|e| LedgerError::Corrupt(format!("tenant id: {e}")))?,
        subject: row.try_get(2)?,
        body: row.try_get(3)?,
        severity: word("ticket severity", row.try_get(4)?)?,
        opened_by: row.try_get(5)?,
        opened_at: from_millis(row.try_get(6)?)?,
        support_tier: word("support tier", row.try_get(7)?)?,
        sla_hours: u32::try_from(row.try_get::<i64, _>(8)?).unwrap_or(0),
        due_at: from_millis(row.try_get(9)?)?,
        first_response_at: row.try_get::<Option<i64>, _>(10)?.map(from_millis).transpose()?,
        breach: row.try_get::<Option<String>, _>(11)?.map(|b| word("breach", b)).transpose()?,
        breach_recorded_at: row.try_get::<Option<i64>, _>(12)?.map(from_millis).transpose()?,
        responses: Vec::new(),
    })
}

/// `AND tenant_id = $n` when a read is limited to one tenant.
fn tenant_filter(only: Option<&TenantId>, n: usize) -> String {
    only.map(|_| format!(" AND tenant_id = ${n}")).unwrap_or_default()
}

impl Ledger {
    /// Open a ticket at `now`, due the tenant's SLA hours later (the support tier as the
    /// tenant's snapshot states it). `TenantNotFound` for an unknown tenant.
    pub async fn open_ticket(&self, new: NewTicket<'_>, now: OffsetDateTime) -> Result<SupportTicket, LedgerError> {
        let snapshot = self
            .snapshots(BillingPeriod::containing(now), now, Some(new.tenant))
            .await?
            .pop()
            .ok_or_else(|| LedgerError::TenantNotFound(new.tenant.to_string()))?;
        let due = now + time::Duration::hours(i64::from(snapshot.support_sla_hours));
        let id = uuid::Uuid::now_v7().to_string();
        sqlx::query::<Any>(
            "INSERT INTO support_tickets (ticket_id, tenant_id, subject, body, severity, opened_by, opened_at, \
             support_tier, sla_hours, due_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(id.clone())
        .bind(new.tenant.as_str().to_owned())
        .bind(new.subject.to_owned())
        .bind(new.body.to_owned())
        .bind(new.severity.as_str())
        .bind(new.opened_by.to_owned())
        .bind(millis(now))
        .bind(snapshot.support_tier.as_str())
        .bind(i64::from(snapshot.support_sla_hours))
        .bind(millis(due))
        .execute(self.pool())
        .await?;
        self.ticket(&id, None).await?.ok_or_else(|| LedgerError::Corrupt(format!("ticket {id} vanished")))
    }

    /// Answer a ticket at `now` (`None`: no such ticket, or not `only`'s). The first response
    /// sets `first_response_at` and, past the deadline, records a `late` breach unless the
    /// sweep already recorded `unanswered`: all in one transaction.
    pub async fn respond_to_ticket(
        &self,
        ticket_id: &str,
        only: Option<&TenantId>,
        responder: &str,
        body: &str,
        now: OffsetDateTime,
    ) -> Result<Option<Responded>, LedgerError> {
        let at = millis(now);
        let response_id = uuid::Uuid::now_v7().to_string();
        let mut conn = WriteConn::acquire(self.pool()).await?;
        let result = async {
            let mut tx = conn.begin(self.backend()).await?;
            let sql = format!("SELECT due_at FROM support_tickets WHERE ticket_id = $1{}", tenant_filter(only, 2));
            let mut exists = sqlx::query::<Any>(&sql).bind(ticket_id.to_owned());
            if let Some(t) = only {
                exists = exists.bind(t.as_str().to_owned());
            }
            if exists.fetch_optional(&mut *tx).await?.is_none() {
                return Ok(None);
            }
            sqlx::query::<Any>(
                "INSERT INTO support_responses (response_id, ticket_id, responder, body, responded_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(response_id.clone())
            .bind(ticket_id.to_owned())
            .bind(responder.to_owned())
            .bind(body.to_owned())
            .bind(at)
            .execute(&mut *tx)
            .await?;
            // SET sees the row as it was: `breach IS NULL` is the state before this response.
            let first = sqlx::query::<Any>(
                "UPDATE support_tickets SET first_response_at = $1, \
                 breach = CASE WHEN breach IS NULL AND $1 > due_at THEN $2 ELSE breach END, \
                 breach_recorded_at = CASE WHEN breach IS NULL AND $1 > due_at THEN $1 ELSE breach_recorded_at END \
                 WHERE ticket_id = $3 AND first_response_at IS NULL RETURNING breach",
            )
            .bind(at)
            .bind(SlaBreach::Late.as_str())
            .bind(ticket_id.to_owned())
            .fetch_optional(&mut *tx)
            .await?;
            tx.commit().await?;
            // Only a first response records `late`: finding it here means this one did.
            let breach = match &first {
                Some(row) => row
                    .try_get::<Option<String>, _>(0)?
                    .map(|b| word::<SlaBreach>("breach", b))
                    .transpose()?
                    .filter(|b| *b == SlaBreach::Late),
                None => None,
            };
            Ok(Some((first.is_some(), breach)))
        }
        .await;
        let Some((first, breach)) = conn.finish(result)? else { return Ok(None) };
        let ticket = self
            .ticket(ticket_id, None)
            .await?
            .ok_or_else(|| LedgerError::Corrupt(format!("ticket {ticket_id} vanished")))?;
        let response = ticket
            .responses
            .iter()
            .find(|r| r.response_id == response_id)
            .cloned()
            .ok_or_else(|| LedgerError::Corrupt(format!("response {response_id} vanished")))?;
        Ok(Some(Responded { response, ticket, first, breach }))
    }

    /// One ticket with its responses (`None`: no such ticket, or not `only`'s).
    pub async fn ticket(&self, ticket_id: &str, only: Option<&TenantId>) -> Result<Option<SupportTicket>, LedgerError> {
        let sql =
            format!("SELECT {TICKET_COLUMNS} FROM support_tickets WHERE ticket_id = $1{}", tenant_filter(only, 2));
        let mut query = sqlx::query::<Any>(&sql).bind(ticket_id.to_owned());
        if let Some(t) = only {
            query = query.bind(t.as_str().to_owned());
        }
        let Some(row) = query.fetch_optional(self.pool()).await? else { return Ok(None) };
        let mut ticket = ticket_from_row(&row)?;
        let rows = sqlx::query::<Any>(
            "SELECT response_id, responder, body, responded_at FROM support_responses WHERE ticket_id = $1 \
             ORDER BY responded_at, response_id",
        )
        .bind(ticket_id.to_owned())
        .fetch_all(self.pool())
        .await?;
        for r in rows {
            ticket.responses.push(SupportResponse {
                response_id: r.try_get(0)?,
                responder: r.try_get(1)?,
                body: r.try_get(2)?,
                responded_at: from_millis(r.try_get(3)?)?,
            });
        }
        Ok(Some(ticket))
    }

    /// Tickets, newest first, of every tenant or `only`'s (responses not included).
    pub async fn tickets(&self, only: Option<&TenantId>, limit: usize) -> Result<Vec<SupportTicket>, LedgerError> {
        let filter = only.map(|_| "WHERE tenant_id = $2").unwrap_or_default();
        let sql = format!(
            "SELECT {TICKET_COLUMNS} FROM support_tickets {filter} ORDER BY opened_at DESC, ticket_id DESC LIMIT $1"
        );
        let mut query = sqlx::query::<Any>(&sql).bind(i64::try_from(limit).unwrap_or(i64::MAX));
        if let Some(t) = only {
            query = query.bind(t.as_str().to_owned());
        }
        query.fetch_all(self.pool()).await?.iter().map(ticket_from_row).collect()
    }

    /// Tickets opened in `[start, end)`, oldest first.
    pub async fn tickets_opened_between(
        &self,
        start: OffsetDateTime,
        end: OffsetDateTime,
    ) -> Result<Vec<SupportTicket>, LedgerError> {
        let sql = format!(
            "SELECT {TICKET_COLUMNS} FROM support_tickets WHERE opened_at >= $1 AND opened_at < $2 ORDER BY opened_at, ticket_id"
        );
        let rows = sqlx::query::<Any>(&sql).bind(millis(start)).bind(millis(end)).fetch_all(self.pool()).await?;
        rows.iter().map(ticket_from_row).collect()
    }

    /// Record an `unanswered` breach on every ticket past its deadline at `now` with no
    /// response and no breach yet; returns those tickets (each is returned once, ever).
    pub async fn sweep_sla_breaches(&self, now: OffsetDateTime) -> Result<Vec<SupportTicket>, LedgerError> {
        let sql = format!(
            "UPDATE support_tickets SET breach = $1, breach_recorded_at = $2 \
             WHERE first_response_at IS NULL AND breach IS NULL AND due_at < $2 RETURNING {TICKET_COLUMNS}"
        );
        let rows = sqlx::query::<Any>(&sql)
            .bind(SlaBreach::Unanswered.as_str())
            .bind(millis(now))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(ticket_from_row).collect()
    }
}

/// SLA adherence of one tenant, or of a whole support tier (`tenant_id` empty).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlaRow {
    pub support_tier: SupportTier,
    /// The tenant, or `None` on a tier's total row.
    pub tenant_id: Option<String>,
    pub sla_hours: Option<u32>,
    /// Tickets opened in the week.
    pub tickets: u64,
    /// First response at or before the deadline.
    pub met: u64,
    /// First response after the deadline.
    pub late: u64,
    /// No response and the deadline passed.
    pub unanswered: u64,
    /// No response yet, deadline still ahead.
    pub open: u64,
    /// `met / (met + late + unanswered)`; `None` when no ticket is decided yet.
    pub adherence: Option<f64>,
    /// Mean hours to the first response, over the answered tickets.
    pub mean_first_response_hours: Option<f64>,
}

impl SlaRow {
    fn new(support_tier: SupportTier, tenant_id: Option<String>, sla_hours: Option<u32>) -> SlaRow {
        SlaRow {
            support_tier,
            tenant_id,
            sla_hours,
            tickets: 0,
            met: 0,
            late: 0,
            unanswered: 0,
            open: 0,
            adherence: None,
            mean_first_response_hours: None,
        }
    }
}

/// Adherence per support tier and tenant of `tickets` as they stand at `now`: a row per
/// (tier, tenant), tenants by id, each tier followed by its total. Judged from the
/// timestamps (a ticket past its deadline counts as unanswered even before the sweep ran).
pub fn sla_report(tickets: &[SupportTicket], now: OffsetDateTime) -> Vec<SlaRow> {
    // Tiers from the longest SLA to the shortest, tenants by id.
    type Key = (std::cmp::Reverse<u32>, &'static str, String);
    let mut groups: BTreeMap<Key, (SupportTier, Vec<&SupportTicket>)> = BTreeMap::new();
    for t in tickets {
        let tier = t.support_tier;
        let key = (std::cmp::Reverse(tier.sla_hours()), tier.as_str(), t.tenant_id.as_str().to_owned());
        groups.entry(key).or_insert_with(|| (tier, Vec::new())).1.push(t);
    }
    let mut out = Vec::with_capacity(groups.len() + 3);
    let mut tier_total: Option<(SupportTier, Vec<&SupportTicket>)> = None;
    for ((_, _, tenant), (tier, list)) in groups {
        if let Some((previous, all)) = tier_total.take_if(|(previous, _)| *previous != tier) {
            out.push(tally(SlaRow::new(previous, None, Some(previous.sla_hours())), &all, now));
        }
        let hours = list.first().map(|t| t.sla_hours);
        out.push(tally(SlaRow::new(tier, Some(tenant), hours), &list, now));
        tier_total.get_or_insert_with(|| (tier, Vec::new())).1.extend(list);
    }
    if let Some((tier, all)) = tier_total {
        out.push(tally(SlaRow::new(tier, None, Some(tier.sla_hours())), &all, now));
    }
    out
}

fn tally(mut row: SlaRow, tickets: &[&SupportTicket], now: OffsetDateTime) -> SlaRow {
    let mut hours = Vec::new();
    for t in tickets {
        row.tickets += 1;
        match t.first_response_at {
            Some(at) if at <= t.due_at => row.met += 1,
            Some(_) => row.late += 1,
            None if now > t.due_at => row.unanswered += 1,
            None => row.open += 1,
        }
        hours.extend(t.first_response_seconds().map(|s| s / 3600.0));
    }
    let decided = row.met + row.late + row.unanswered;
    row.adherence = (decided > 0).then(|| row.met as f64 / decided as f64);
    row.mean_first_response_hours = (!hours.is_empty()).then(|| hours.iter().sum::<f64>() / hours.len() as f64);
    row
}
