//! The group-commit writer: one task commits the events of all concurrent callers in one
//! transaction, updates the aggregates in that transaction, and acknowledges only after commit.
//!
//! Each request is judged alone: an event out of its bounds, or one that would push its
//! tenant's period total past its bound, refuses its own request and nothing else. A batch
//! that still fails for a reason of its own is committed again request by request, so that a
//! bad request cannot fail the others; a database that cannot write fails everyone with
//! [`LedgerError::Unavailable`]. The task is supervised: a panic is logged and the writer
//! restarted (the callers of the batch being committed are told to retry).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use docket_billing::{AlertLevel, BillingPeriod, PlanId, QuotaDimension, UsageTotals, consumption};
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, Row};
use time::OffsetDateTime;
use tokio::sync::{Mutex, broadcast, mpsc, oneshot};

use crate::error::LedgerError;
use crate::model::{EventKind, MAX_BYTES_PER_PERIOD, MAX_UNITS_PER_PERIOD, QuotaAlert, RecordOutcome, UsageEvent};
use crate::outbox::{self, Targets};
use crate::sql::{Backend, WriteConn, day_of, millis, multi_row_sql, placeholders};
use crate::view::Dirty;

/// A caller's events and where to send the outcome. No events is a write probe: the batch
/// then also rewrites the heartbeat row, proving the database takes writes.
pub(crate) struct WriteRequest {
    pub events: Vec<UsageEvent>,
    pub ack: oneshot::Sender<Result<RecordOutcome, LedgerError>>,
}

/// What one committed batch changed: sent to subscribers after commit.
#[derive(Debug, Clone, Default)]
pub struct Committed {
    /// Events newly recorded, per tenant and kind: (tenant, kind) -> (units, bytes).
    pub recorded: BTreeMap<(String, EventKind), (u64, u64)>,
    /// How many events were newly recorded, per tenant and kind.
    pub events: BTreeMap<(String, EventKind), u64>,
    /// Events the transaction was asked to write (new ones and duplicates): the batch size.
    pub batch_events: u64,
    /// From the start of the transaction to its commit.
    pub commit_duration: std::time::Duration,
    /// Latencies of the events newly recorded, per kind, in ms.
    pub latencies: Vec<(EventKind, u64)>,
    /// Alerts that fired for the first time in this batch.
    pub alerts: Vec<QuotaAlert>,
}

/// Most events one transaction takes; more wait for the next one.
const MAX_BATCH_EVENTS: usize = 8_192;
/// Rows per multi-row INSERT: 11 parameters each stays far below every backend's limit.
const ROWS_PER_STATEMENT: usize = 256;

/// Run the writer until every sender is gone, restarting it after a panic.
pub(crate) async fn supervise(
    pool: sqlx::AnyPool,
    backend: Backend,
    rx: mpsc::Receiver<WriteRequest>,
    commits: broadcast::Sender<Committed>,
    dirty: Arc<Dirty>,
    targets: Targets,
) {
    let rx = Arc::new(Mutex::new(rx));
    loop {
        let worker =
            tokio::spawn(run(pool.clone(), backend, rx.clone(), commits.clone(), dirty.clone(), targets.clone()));
        match worker.await {
            Ok(()) => return,
            Err(e) if e.is_panic() => {
                tracing::error!("the ledger writer panicked; its batch was rolled back and the writer restarted")
            }
            // Cancelled: the runtime is shutting down.
            Err(_) => return,
        }
    }
}

async fn run(
    pool: sqlx::AnyPool,
    backend: Backend,
    rx: Arc<Mutex<mpsc::Receiver<WriteRequest>>>,
    commits: broadcast::Sender<Committed>,
    dirty: Arc<Dirty>,
    targets: Targets,
) {
    let mut rx = rx.lock().await;
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        let mut count = batch[0].events.len();
        while count < MAX_BATCH_EVENTS {
            match rx.try_recv() {
                Ok(req) => {
                    count += req.events.len();
                    batch.push(req);
                }
                Err(_) => break,
            }
        }
        process(&pool, backend, batch, &commits, &dirty, &outbox::current(&targets)).await;
    }
}

/// Commit one batch and answer each of its callers.
async fn process(
    pool: &sqlx::AnyPool,
    backend: Backend,
    batch: Vec<WriteRequest>,
    commits: &broadcast::Sender<Committed>,
    dirty: &Dirty,
    webhooks: &[String],
) {
    let mut valid = Vec::with_capacity(batch.len());
    for req in batch {
        match first_invalid(&req.events) {
            Some(e) => {
                let _ = req.ack.send(Err(e));
            }
            None => valid.push(req),
        }
    }
    if valid.is_empty() {
        return;
    }
    let requests: Vec<&[UsageEvent]> = valid.iter().map(|r| r.events.as_slice()).collect();
    match commit(pool, backend, &requests, webhooks).await {
        Ok((outcomes, committed)) => {
            // Marked before anyone is answered, so that a read after the answer sees it.
            dirty.events(valid.iter().flat_map(|r| r.events.iter()));
            for (req, outcome) in valid.into_iter().zip(outcomes) {
                let _ = req.ack.send(outcome);
            }
            // Nobody listening is fine: metrics and snapshots subscribe when they run.
            let _ = commits.send(committed);
        }
        Err(e) if e.is_unavailable() || valid.len() == 1 => {
            tracing::error!(error = %e, requests = valid.len(), "ledger batch not committed; callers told");
            let message = e.to_string();
            let mut error = Some(e);
            for req in valid {
                let err = match error.take() {
                    Some(first) if !first.is_unavailable() => first,
                    _ => LedgerError::Unavailable(message.clone()),
                };
                let _ = req.ack.send(Err(err));
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, requests = valid.len(), "ledger batch failed; committing its requests one by one");
            for req in valid {
                match commit(pool, backend, &[req.events.as_slice()], webhooks).await {
                    Ok((mut outcomes, committed)) => {
                        dirty.events(&req.events);
                        let outcome = outcomes.pop().unwrap_or(Ok(RecordOutcome::default()));
                        let _ = req.ack.send(outcome);
                        let _ = commits.send(committed);
                    }
                    Err(e) => {
                        tracing::error!(error = %e, events = req.events.len(), "ledger request not committed");
                        let _ = req.ack.send(Err(e));
                    }
                }
            }
        }
    }
}

/// The first event of a request that is out of its own bounds.
fn first_invalid(events: &[UsageEvent]) -> Option<LedgerError> {
    events.iter().enumerate().find_map(|(index, e)| {
        e.check().err().map(|(field, message)| LedgerError::InvalidEvent { index, field, message })
    })
}

/// A tenant's totals in one period, as the bounds see them.
#[derive(Debug, Default, Clone, Copy)]
struct PeriodTotals {
    queries: u64,
    ingest_bytes: u64,
    timeline_requests: u64,
    agent_runs: u64,
    signups: u64,
}

impl PeriodTotals {
    /// Add an event, or say which field would pass its bound.
    fn try_add(&mut self, e: &UsageEvent) -> Result<(), (&'static str, String)> {
        let (slot, add, bound, field, what) = match e.kind {
            EventKind::Query => (&mut self.queries, e.units, MAX_UNITS_PER_PERIOD, "units", "queries"),
            EventKind::Ingestion => (&mut self.ingest_bytes, e.bytes, MAX_BYTES_PER_PERIOD, "bytes", "ingest bytes"),
            EventKind::Timeline => {
                (&mut self.timeline_requests, e.units, MAX_UNITS_PER_PERIOD, "units", "timeline requests")
            }
            EventKind::Agent => (&mut self.agent_runs, e.units, MAX_UNITS_PER_PERIOD, "units", "agent runs"),
            EventKind::Signup => (&mut self.signups, e.units, MAX_UNITS_PER_PERIOD, "units", "signups"),
        };
        match slot.checked_add(add).filter(|total| *total <= bound) {
            Some(total) => {
                *slot = total;
                Ok(())
            }
            None => Err((
                field,
                format!(
                    "tenant '{}' would pass {bound} {what} in period {}; the event was refused",
                    e.tenant_id,
                    e.period()
                ),
            )),
        }
    }
}

/// (tenant, event id): what makes an event unique.
type EventKey = (String, String);

fn key_of(e: &UsageEvent) -> EventKey {
    (e.tenant_id.as_str().to_owned(), e.event_id.clone())
}

/// Commit the requests in one transaction. Each request's outcome is its own (a request
/// refused by a bound is an `Err` next to the others' `Ok`); the outer error fails them all.
#[allow(clippy::type_complexity)]
async fn commit(
    pool: &sqlx::AnyPool,
    backend: Backend,
    requests: &[&[UsageEvent]],
    webhooks: &[String],
) -> Result<(Vec<Result<RecordOutcome, LedgerError>>, Committed), LedgerError> {
    let started = std::time::Instant::now();
    let mut conn = WriteConn::acquire(pool).await?;
    let result = commit_on(&mut conn, backend, requests, webhooks).await;
    let (outcomes, mut committed) = conn.finish(result)?;
    committed.batch_events = requests.iter().map(|r| r.len() as u64).sum();
    committed.commit_duration = started.elapsed();
    Ok((outcomes, committed))
}

#[allow(clippy::type_complexity)]
async fn commit_on(
    conn: &mut WriteConn,
    backend: Backend,
    requests: &[&[UsageEvent]],
    webhooks: &[String],
) -> Result<(Vec<Result<RecordOutcome, LedgerError>>, Committed), LedgerError> {
    let mut tx = conn.begin(backend).await?;
    #[cfg(test)]
    if requests.iter().flat_map(|r| r.iter()).any(|e| e.event_id == tests::PANIC_ID) {
        panic!("injected writer panic");
    }
    let now = millis(OffsetDateTime::now_utc());
    if requests.iter().any(|r| r.is_empty()) {
        sqlx::query::<Any>(&format!(
            "INSERT INTO ledger_heartbeat (id, beat_at) VALUES ({}) ON CONFLICT (id) DO UPDATE SET beat_at = excluded.beat_at",
            placeholders(backend, 0, 2)
        ))
        .bind(1i64)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    let all: Vec<&UsageEvent> = requests.iter().flat_map(|r| r.iter()).collect();
    // Raw events before the latest retention cutoff were purged: one that old may be the
    // retry of a purged one, which nothing could tell from a new event, so it is refused.
    let horizon = if all.is_empty() { None } else { crate::retention::horizon(&mut tx).await? };
    let mut seen = existing_events(&mut tx, backend, &all).await?;
    let mut totals = current_totals(&mut tx, backend, &all).await?;

    // Requests in arrival order: an id repeated in a later request (or later in the same one)
    // is a duplicate of the first accepted occurrence.
    let mut accepted: Vec<Option<Vec<&UsageEvent>>> = Vec::with_capacity(requests.len());
    let mut outcomes: Vec<Result<RecordOutcome, LedgerError>> = Vec::with_capacity(requests.len());
    for events in requests {
        let mut trial: HashMap<(String, String), PeriodTotals> = HashMap::new();
        let mut fresh = Vec::new();
        let mut fresh_keys = HashSet::new();
        let mut refused = None;
        for (index, e) in events.iter().enumerate() {
            if let Some(horizon) = horizon.filter(|h| e.occurred_at < *h) {
                let message = format!(
                    "{} falls before {horizon}, whose raw events were purged by retention: it cannot be told from a \
                     retry of a purged event",
                    e.occurred_at
                );
                refused = Some(LedgerError::InvalidEvent { index, field: "occurred_at", message });
                break;
            }
            let key = key_of(e);
            if seen.contains(&key) || !fresh_keys.insert(key) {
                continue;
            }
            let slot = (e.tenant_id.as_str().to_owned(), e.period().to_string());
            let base = totals.get(&slot).copied().unwrap_or_default();
            if let Err((field, message)) = trial.entry(slot).or_insert(base).try_add(e) {
                refused = Some(LedgerError::InvalidEvent { index, field, message });
                break;
            }
            fresh.push(e);
        }
        match refused {
            Some(err) => {
                accepted.push(None);
                outcomes.push(Err(err));
            }
            None => {
                totals.extend(trial);
                seen.extend(fresh_keys);
                accepted.push(Some(fresh));
                outcomes.push(Ok(RecordOutcome::default()));
            }
        }
    }

    let fresh: Vec<&UsageEvent> = accepted.iter().flatten().flatten().copied().collect();
    let inserted = insert_events(&mut tx, backend, &fresh, now).await?;
    let fresh: Vec<&UsageEvent> = fresh.into_iter().filter(|e| inserted.contains(&key_of(e))).collect();
    let committed = update_aggregates(&mut tx, backend, &fresh, now, webhooks).await?;
    tx.commit().await?;

    for ((events, accepted), outcome) in requests.iter().zip(&accepted).zip(outcomes.iter_mut()) {
        if let (Some(mine), Ok(o)) = (accepted, outcome.as_mut()) {
            let recorded = mine.iter().filter(|e| inserted.contains(&key_of(e))).count() as u64;
            *o = RecordOutcome { recorded, duplicates: events.len() as u64 - recorded };
        }
    }
    Ok((outcomes, committed))
}

/// Distinct values of `f` over `events`, for `IN (...)` lists.
fn distinct<'a>(events: &[&'a UsageEvent], f: impl Fn(&'a UsageEvent) -> String) -> Vec<String> {
    events.iter().map(|e| f(e)).collect::<BTreeSet<_>>().into_iter().collect()
}

/// Which of these events are already in the ledger, as (tenant, event id).
async fn existing_events(
    conn: &mut AnyConnection,
    backend: Backend,
    events: &[&UsageEvent],
) -> Result<HashSet<EventKey>, LedgerError> {
    let mut found = HashSet::new();
    for chunk in events.chunks(ROWS_PER_STATEMENT) {
        // One probe of the (tenant_id, event_id) primary key per event: `tenant_id IN (...) AND
        // event_id IN (...)` would probe every tenant with every id of the chunk (SQLite plans
        // the ORs as one index search each, PostgreSQL as a bitmap OR).
        let pairs: Vec<String> = (0..chunk.len())
            .map(|i| {
                let (tenant, id) = (placeholders(backend, 2 * i, 1), placeholders(backend, 2 * i + 1, 1));
                format!("(tenant_id = {tenant} AND event_id = {id})")
            })
            .collect();
        let sql = format!("SELECT tenant_id, event_id FROM usage_events WHERE {}", pairs.join(" OR "));
        let mut q = sqlx::query::<Any>(&sql);
        for e in chunk {
            q = q.bind(e.tenant_id.as_str()).bind(e.event_id.as_str());
        }
        for row in q.fetch_all(&mut *conn).await? {
            found.insert((row.try_get(0)?, row.try_get(1)?));
        }
    }
    Ok(found)
}

/// The stored totals of every (tenant, period) these events touch.
async fn current_totals(
    conn: &mut AnyConnection,
    backend: Backend,
    events: &[&UsageEvent],
) -> Result<HashMap<(String, String), PeriodTotals>, LedgerError> {
    let periods = distinct(events, |e| e.period().to_string());
    let tenants = distinct(events, |e| e.tenant_id.as_str().to_owned());
    let mut out = HashMap::new();
    for chunk in tenants.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "SELECT tenant_id, period, queries, ingest_bytes, timeline_requests, agent_runs, signups FROM period_usage \
             WHERE tenant_id IN ({}) AND period IN ({})",
            placeholders(backend, 0, chunk.len()),
            placeholders(backend, chunk.len(), periods.len())
        );
        let mut q = sqlx::query::<Any>(&sql);
        for v in chunk.iter().chain(&periods) {
            q = q.bind(v.clone());
        }
        for row in q.fetch_all(&mut *conn).await? {
            let n = |i: usize| row.try_get::<i64, _>(i).map(|v| u64::try_from(v).unwrap_or(0));
            let totals = PeriodTotals {
                queries: n(2)?,
                ingest_bytes: n(3)?,
                timeline_requests: n(4)?,
                agent_runs: n(5)?,
                signups: n(6)?,
            };
            out.insert((row.try_get(0)?, row.try_get(1)?), totals);
        }
    }
    Ok(out)
}

/// Insert the events; returns those actually inserted (another instance may have won a race).
async fn insert_events(
    conn: &mut AnyConnection,
    backend: Backend,
    events: &[&UsageEvent],
    now: i64,
) -> Result<HashSet<EventKey>, LedgerError> {
    let mut inserted = HashSet::with_capacity(events.len());
    for chunk in events.chunks(ROWS_PER_STATEMENT) {
        let sql = multi_row_sql(
            backend,
            "INSERT INTO usage_events (event_id, tenant_id, kind, units, bytes, latency_ms, subject, attributes, occurred_at, period, recorded_at) VALUES ",
            11,
            chunk.len(),
            " ON CONFLICT (tenant_id, event_id) DO NOTHING RETURNING tenant_id, event_id",
        );
        let mut q = sqlx::query::<Any>(&sql);
        for e in chunk {
            q = q
                .bind(e.event_id.clone())
                .bind(e.tenant_id.as_str().to_owned())
                .bind(e.kind.as_str())
                .bind(stored(e.units))
                .bind(stored(e.bytes))
                .bind(e.latency_ms.map(stored))
                .bind(e.subject.clone())
                .bind(e.attributes.to_string())
                .bind(millis(e.occurred_at))
                .bind(e.period().to_string())
                .bind(now);
        }
        for row in q.fetch_all(&mut *conn).await? {
            inserted.insert((row.try_get(0)?, row.try_get(1)?));
        }
    }
    Ok(inserted)
}

/// A bounded count as the BIGINT it is stored as. Every stored count is checked against a
/// bound far below `i64::MAX` first, so the fallback never applies.
fn stored(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// Per-(tenant, day) or per-(tenant, period) deltas.
#[derive(Default, Clone, Copy)]
struct Delta {
    queries: u64,
    ingest_bytes: u64,
    timeline_requests: u64,
    agent_runs: u64,
    signups: u64,
    events: u64,
}

impl Delta {
    /// Events reach here within their own and their period's bounds, so no sum saturates.
    fn add(&mut self, e: &UsageEvent) {
        let slot = match e.kind {
            EventKind::Query => &mut self.queries,
            EventKind::Ingestion => &mut self.ingest_bytes,
            EventKind::Timeline => &mut self.timeline_requests,
            EventKind::Agent => &mut self.agent_runs,
            EventKind::Signup => &mut self.signups,
        };
        let amount = if e.kind == EventKind::Ingestion { e.bytes } else { e.units };
        *slot = slot.saturating_add(amount);
        self.events = self.events.saturating_add(1);
    }
}

/// What a batch adds to one tenant's period.
struct PeriodDelta {
    delta: Delta,
    new_seats: i64,
    last_event_at: i64,
}

/// The aggregate statements of one batch: a fixed handful whatever the number of tenants,
/// each a multi-row statement, so that a batch costs one round trip per table and chunk.
async fn update_aggregates(
    conn: &mut AnyConnection,
    backend: Backend,
    fresh: &[&UsageEvent],
    now: i64,
    webhooks: &[String],
) -> Result<Committed, LedgerError> {
    let mut committed = Committed::default();
    if fresh.is_empty() {
        return Ok(committed);
    }
    let mut daily: BTreeMap<(String, String, String), Delta> = BTreeMap::new();
    let mut periodic: BTreeMap<(String, String), PeriodDelta> = BTreeMap::new();
    let mut seats: BTreeSet<(String, String, String)> = BTreeSet::new();
    for e in fresh {
        let tenant = e.tenant_id.as_str().to_owned();
        let period = e.period().to_string();
        let at = millis(e.occurred_at);
        daily.entry((tenant.clone(), day_of(e.occurred_at), period.clone())).or_default().add(e);
        let p = periodic.entry((tenant.clone(), period.clone())).or_insert(PeriodDelta {
            delta: Delta::default(),
            new_seats: 0,
            last_event_at: at,
        });
        p.delta.add(e);
        p.last_event_at = p.last_event_at.max(at);
        if let (true, Some(subject)) = (e.kind.uses_seat(), &e.subject) {
            seats.insert((tenant.clone(), period, subject.clone()));
        }
        let slot = committed.recorded.entry((tenant, e.kind)).or_default();
        slot.0 = slot.0.saturating_add(e.units);
        slot.1 = slot.1.saturating_add(e.bytes);
        *committed.events.entry((e.tenant_id.as_str().to_owned(), e.kind)).or_default() += 1;
        if let Some(ms) = e.latency_ms {
            committed.latencies.push((e.kind, ms));
        }
    }

    let daily: Vec<_> = daily.into_iter().collect();
    for chunk in daily.chunks(ROWS_PER_STATEMENT) {
        let sql = multi_row_sql(
            backend,
            "INSERT INTO daily_usage (tenant_id, day, period, queries, ingest_bytes, timeline_requests, agent_runs, signups, events) VALUES ",
            9,
            chunk.len(),
            " ON CONFLICT (tenant_id, day) DO UPDATE SET queries = daily_usage.queries + excluded.queries, \
             ingest_bytes = daily_usage.ingest_bytes + excluded.ingest_bytes, \
             timeline_requests = daily_usage.timeline_requests + excluded.timeline_requests, \
             agent_runs = daily_usage.agent_runs + excluded.agent_runs, \
             signups = daily_usage.signups + excluded.signups, events = daily_usage.events + excluded.events",
        );
        let mut q = sqlx::query::<Any>(&sql);
        for ((tenant, day, period), d) in chunk {
            q = bind_delta(q.bind(tenant.clone()).bind(day.clone()).bind(period.clone()), d);
        }
        q.execute(&mut *conn).await?;
    }

    let seats: Vec<_> = seats.into_iter().collect();
    for chunk in seats.chunks(ROWS_PER_STATEMENT) {
        let sql = multi_row_sql(
            backend,
            "INSERT INTO period_seats (tenant_id, period, subject, first_seen) VALUES ",
            4,
            chunk.len(),
            " ON CONFLICT (tenant_id, period, subject) DO NOTHING RETURNING tenant_id, period",
        );
        let mut q = sqlx::query::<Any>(&sql);
        for (tenant, period, subject) in chunk {
            q = q.bind(tenant.clone()).bind(period.clone()).bind(subject.clone()).bind(now);
        }
        for row in q.fetch_all(&mut *conn).await? {
            let key: (String, String) = (row.try_get(0)?, row.try_get(1)?);
            if let Some(p) = periodic.get_mut(&key) {
                p.new_seats += 1;
            }
        }
    }

    let periodic: Vec<_> = periodic.into_iter().collect();
    let mut totals: Vec<(String, String, UsageTotals)> = Vec::with_capacity(periodic.len());
    for chunk in periodic.chunks(ROWS_PER_STATEMENT) {
        let sql = multi_row_sql(
            backend,
            "INSERT INTO period_usage (tenant_id, period, queries, ingest_bytes, timeline_requests, agent_runs, signups, events, active_seats, last_event_at) VALUES ",
            10,
            chunk.len(),
            " ON CONFLICT (tenant_id, period) DO UPDATE SET queries = period_usage.queries + excluded.queries, \
             ingest_bytes = period_usage.ingest_bytes + excluded.ingest_bytes, \
             timeline_requests = period_usage.timeline_requests + excluded.timeline_requests, \
             agent_runs = period_usage.agent_runs + excluded.agent_runs, \
             signups = period_usage.signups + excluded.signups, events = period_usage.events + excluded.events, \
             active_seats = period_usage.active_seats + excluded.active_seats, \
             last_event_at = CASE WHEN excluded.last_event_at > period_usage.last_event_at \
                 THEN excluded.last_event_at ELSE period_usage.last_event_at END \
             RETURNING tenant_id, period, queries, ingest_bytes, timeline_requests, agent_runs, active_seats",
        );
        let mut q = sqlx::query::<Any>(&sql);
        for ((tenant, period), p) in chunk {
            q = bind_delta(q.bind(tenant.clone()).bind(period.clone()), &p.delta)
                .bind(p.new_seats)
                .bind(p.last_event_at);
        }
        for row in q.fetch_all(&mut *conn).await? {
            let get = |i: usize| row.try_get::<i64, _>(i).map(|v| u64::try_from(v).unwrap_or(0));
            let usage = UsageTotals {
                queries: get(2)?,
                ingest_bytes: get(3)?,
                timeline_requests: get(4)?,
                agent_runs: get(5)?,
                active_seats: get(6)?,
            };
            totals.push((row.try_get(0)?, row.try_get(1)?, usage));
        }
    }

    // Alerts are decided from the aggregate this very transaction committed. Each fires once
    // per period, dimension and threshold: those already recorded are looked up in one
    // statement (only for tenants past a threshold), and the primary key makes a firing from
    // another instance a no-op.
    let tenants: BTreeSet<&str> = totals.iter().map(|(t, ..)| t.as_str()).collect();
    let plans = plans_of(conn, backend, &tenants).await?;
    let mut due: Vec<(String, String, QuotaDimension, AlertLevel, f64)> = Vec::new();
    for (tenant, period, usage) in &totals {
        let Some(plan) = plans.get(tenant.as_str()) else { continue };
        for (dimension, share) in consumption(plan.plan(), usage) {
            for level in [AlertLevel::Soft, AlertLevel::Hard] {
                if level.threshold().is_some_and(|t| share >= t) {
                    due.push((tenant.clone(), period.clone(), dimension, level, share));
                }
            }
        }
    }
    if due.is_empty() {
        return Ok(committed);
    }
    let over: BTreeSet<&str> = due.iter().map(|(t, ..)| t.as_str()).collect();
    let recorded = recorded_alerts(conn, backend, &over).await?;
    for (tenant, period, dimension, level, share) in due {
        if recorded.contains(&(
            tenant.clone(),
            period.clone(),
            dimension.as_str().to_owned(),
            level.as_str().to_owned(),
        )) {
            continue;
        }
        let done = sqlx::query::<Any>(&format!(
            "INSERT INTO quota_alerts (tenant_id, period, dimension, level, consumption, triggered_at) VALUES ({}) \
             ON CONFLICT (tenant_id, period, dimension, level) DO NOTHING",
            placeholders(backend, 0, 6)
        ))
        .bind(tenant.clone())
        .bind(period.clone())
        .bind(dimension.as_str())
        .bind(level.as_str())
        .bind(share)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() == 1 {
            let fired = alert(&tenant, &period, dimension, level, share, now)?;
            // Queued in this transaction: the alert and its deliveries commit together or not at all.
            let plan = plans.get(tenant.as_str()).map_or("unknown", |p| p.as_str());
            outbox::enqueue(conn, backend, &fired, plan, webhooks).await?;
            committed.alerts.push(fired);
        }
    }
    Ok(committed)
}

/// Alerts already recorded for these tenants: (tenant, period, dimension, level).
async fn recorded_alerts(
    conn: &mut AnyConnection,
    backend: Backend,
    tenants: &BTreeSet<&str>,
) -> Result<HashSet<(String, String, String, String)>, LedgerError> {
    let mut out = HashSet::new();
    let tenants: Vec<&str> = tenants.iter().copied().collect();
    for chunk in tenants.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "SELECT tenant_id, period, dimension, level FROM quota_alerts WHERE tenant_id IN ({})",
            placeholders(backend, 0, chunk.len())
        );
        let mut q = sqlx::query::<Any>(&sql);
        for t in chunk {
            q = q.bind((*t).to_owned());
        }
        for row in q.fetch_all(&mut *conn).await? {
            out.insert((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?, row.try_get(3)?));
        }
    }
    Ok(out)
}

/// The current plan of each tenant, in one statement (alerts compare usage with the plan in
/// force now).
async fn plans_of(
    conn: &mut AnyConnection,
    backend: Backend,
    tenants: &BTreeSet<&str>,
) -> Result<HashMap<String, PlanId>, LedgerError> {
    let mut plans = HashMap::with_capacity(tenants.len());
    let tenants: Vec<&str> = tenants.iter().copied().collect();
    for chunk in tenants.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "SELECT tenant_id, plan_id FROM tenants WHERE tenant_id IN ({})",
            placeholders(backend, 0, chunk.len())
        );
        let mut q = sqlx::query::<Any>(&sql);
        for t in chunk {
            q = q.bind((*t).to_owned());
        }
        for row in q.fetch_all(&mut *conn).await? {
            let plan: String = row.try_get(1)?;
            if let Ok(plan) = plan.parse() {
                plans.insert(row.try_get(0)?, plan);
            }
        }
    }
    Ok(plans)
}

fn alert(
    tenant: &str,
    period: &str,
    dimension: QuotaDimension,
    level: AlertLevel,
    share: f64,
    now: i64,
) -> Result<QuotaAlert, LedgerError> {
    Ok(QuotaAlert {
        tenant_id: tenant.parse().map_err(|e| LedgerError::Corrupt(format!("tenant id '{tenant}': {e}")))?,
        period: period.parse::<BillingPeriod>().map_err(|e| LedgerError::Corrupt(e.to_string()))?,
        dimension,
        level,
        consumption: share,
        triggered_at: crate::sql::from_millis(now)?,
    })
}

fn bind_delta<'q>(q: Query<'q, Any, AnyArguments<'q>>, d: &Delta) -> Query<'q, Any, AnyArguments<'q>> {
    q.bind(stored(d.queries))
        .bind(stored(d.ingest_bytes))
        .bind(stored(d.timeline_requests))
        .bind(stored(d.agent_runs))
        .bind(stored(d.signups))
        .bind(stored(d.events))
}

#[cfg(test)]
mod tests {
    use docket_billing::{PlanId, TenantId};

    use crate::error::LedgerError;
    use crate::model::{EventKind, UsageEvent};
    use crate::store::{Ledger, LedgerOptions};

    /// An event id that makes the writer panic mid-transaction (test builds only).
    pub(super) const PANIC_ID: &str = "panic-in-the-writer";

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_writer_that_panics_is_restarted_and_loses_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("ledger.sqlite3").display());
        let ledger = Ledger::open(&LedgerOptions { url, max_connections: 4 }).await.unwrap();
        let t = TenantId::parse("panicky").unwrap();
        ledger.create_tenant(&t, "Panicky", PlanId::Community).await.unwrap();
        let mut bad = UsageEvent::now(t.clone(), EventKind::Query, 1);
        bad.event_id = PANIC_ID.into();
        let good = UsageEvent::now(t.clone(), EventKind::Query, 1);
        match ledger.record(vec![good.clone(), bad]).await {
            Err(LedgerError::Unavailable(_)) => {}
            other => panic!("expected a retryable failure, got {other:?}"),
        }
        assert_eq!(ledger.event_count(&t).await.unwrap(), 0, "the panicked batch was rolled back");
        // The restarted writer takes the retry.
        assert_eq!(ledger.record(vec![good]).await.unwrap().recorded, 1);
        ledger.check_writable().await.unwrap();
        ledger.close().await;
    }
}
