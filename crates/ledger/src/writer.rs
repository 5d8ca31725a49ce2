//! The group-commit writer: one task commits the events of all concurrent callers in one
//! transaction, updates the aggregates in that transaction, and acknowledges only after commit.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use docket_billing::{AlertLevel, BillingPeriod, PlanId, QuotaDimension, UsageTotals, consumption};
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, Row};
use time::OffsetDateTime;
use tokio::sync::{broadcast, mpsc, oneshot};

use crate::error::LedgerError;
use crate::model::{EventKind, QuotaAlert, RecordOutcome, UsageEvent};
use crate::store::{Backend, millis};

/// A caller's events and where to send the outcome.
pub(crate) struct WriteRequest {
    pub events: Vec<UsageEvent>,
    pub ack: oneshot::Sender<Result<RecordOutcome, LedgerError>>,
}

/// What one committed batch changed: sent to subscribers after commit.
#[derive(Debug, Clone, Default)]
pub struct Committed {
    /// Events newly recorded, per tenant and kind: (tenant, kind) -> (units, bytes).
    pub recorded: BTreeMap<(String, EventKind), (u64, u64)>,
    /// Latencies of the events newly recorded, per kind, in ms.
    pub latencies: Vec<(EventKind, u64)>,
    /// Alerts that fired for the first time in this batch.
    pub alerts: Vec<QuotaAlert>,
}

/// Most events one transaction takes; more wait for the next one.
const MAX_BATCH_EVENTS: usize = 8_192;
/// Rows per multi-row INSERT: 11 parameters each stays far below every backend's limit.
const ROWS_PER_STATEMENT: usize = 256;

pub(crate) async fn run(
    pool: sqlx::AnyPool,
    backend: Backend,
    mut rx: mpsc::Receiver<WriteRequest>,
    commits: broadcast::Sender<Committed>,
) {
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
        let events: Vec<&UsageEvent> = batch.iter().flat_map(|r| r.events.iter()).collect();
        let result = commit_batch(&pool, backend, &events).await;
        match result {
            Ok((mut inserted, committed)) => {
                for req in batch {
                    // Each new id is credited to its first occurrence only; repeats are duplicates.
                    let recorded = req.events.iter().filter(|e| inserted.remove(e.event_id.as_str())).count() as u64;
                    let outcome = RecordOutcome { recorded, duplicates: req.events.len() as u64 - recorded };
                    let _ = req.ack.send(Ok(outcome));
                }
                // Nobody listening is fine: metrics and snapshots subscribe when they run.
                let _ = commits.send(committed);
            }
            Err(e) => {
                tracing::error!(error = %e, events = events.len(), "ledger batch failed; callers told");
                let message = e.to_string();
                for req in batch {
                    let _ = req.ack.send(Err(LedgerError::Corrupt(format!("batch not committed: {message}"))));
                }
            }
        }
    }
}

/// Per-(tenant, day) or per-(tenant, period) deltas.
#[derive(Default, Clone, Copy)]
struct Delta {
    queries: i64,
    ingest_bytes: i64,
    timeline_requests: i64,
    agent_runs: i64,
    signups: i64,
    events: i64,
}

impl Delta {
    fn add(&mut self, e: &UsageEvent) {
        let units = e.units as i64;
        match e.kind {
            EventKind::Query => self.queries += units,
            EventKind::Ingestion => self.ingest_bytes += e.bytes as i64,
            EventKind::Timeline => self.timeline_requests += units,
            EventKind::Agent => self.agent_runs += units,
            EventKind::Signup => self.signups += units,
        }
        self.events += 1;
    }
}

async fn commit_batch(
    pool: &sqlx::AnyPool,
    backend: Backend,
    events: &[&UsageEvent],
) -> Result<(HashSet<String>, Committed), LedgerError> {
    let mut conn = pool.acquire().await?;
    sqlx::query(backend.begin_write()).execute(&mut *conn).await?;
    match write_batch(&mut conn, backend, events).await {
        Ok(done) => {
            sqlx::query("COMMIT").execute(&mut *conn).await?;
            Ok(done)
        }
        Err(e) => {
            let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
            Err(e)
        }
    }
}

/// What a batch adds to one tenant's period.
struct PeriodDelta {
    delta: Delta,
    new_seats: i64,
    last_event_at: i64,
}

/// The statements of one batch: a fixed handful whatever the number of tenants, each a
/// multi-row statement, so that a batch costs one round trip per table and chunk.
async fn write_batch(
    conn: &mut AnyConnection,
    backend: Backend,
    events: &[&UsageEvent],
) -> Result<(HashSet<String>, Committed), LedgerError> {
    let now = millis(OffsetDateTime::now_utc());
    // A repeated id inside one batch is a retry too: keep the first.
    let mut seen = HashSet::with_capacity(events.len());
    let unique: Vec<&UsageEvent> = events.iter().copied().filter(|e| seen.insert(e.event_id.as_str())).collect();

    let mut inserted: HashSet<String> = HashSet::with_capacity(unique.len());
    for chunk in unique.chunks(ROWS_PER_STATEMENT) {
        let sql = multi_row_sql(
            backend,
            "INSERT INTO usage_events (event_id, tenant_id, kind, units, bytes, latency_ms, subject, attributes, occurred_at, period, recorded_at) VALUES ",
            11,
            chunk.len(),
            " ON CONFLICT (event_id) DO NOTHING RETURNING event_id",
        );
        let mut q = sqlx::query::<Any>(&sql);
        for e in chunk {
            q = q
                .bind(e.event_id.clone())
                .bind(e.tenant_id.as_str().to_owned())
                .bind(e.kind.as_str())
                .bind(e.units as i64)
                .bind(e.bytes as i64)
                .bind(e.latency_ms.map(|v| v as i64))
                .bind(e.subject.clone())
                .bind(e.attributes.to_string())
                .bind(millis(e.occurred_at))
                .bind(e.period().to_string())
                .bind(now);
        }
        for row in q.fetch_all(&mut *conn).await? {
            inserted.insert(row.try_get::<String, _>(0)?);
        }
    }
    let fresh: Vec<&UsageEvent> = unique.into_iter().filter(|e| inserted.contains(&e.event_id)).collect();
    let mut committed = Committed::default();
    if fresh.is_empty() {
        return Ok((inserted, committed));
    }

    let mut daily: BTreeMap<(String, String, String), Delta> = BTreeMap::new();
    let mut periodic: BTreeMap<(String, String), PeriodDelta> = BTreeMap::new();
    let mut seats: BTreeSet<(String, String, String)> = BTreeSet::new();
    for e in &fresh {
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
        slot.0 += e.units;
        slot.1 += e.bytes;
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
            let get = |i: usize| row.try_get::<i64, _>(i).map(|v| v.max(0) as u64);
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
        return Ok((inserted, committed));
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
            committed.alerts.push(alert(&tenant, &period, dimension, level, share, now)?);
        }
    }
    Ok((inserted, committed))
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

/// The plan of each tenant, in one statement.
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
        tenant_id: tenant.parse().map_err(|e| LedgerError::Corrupt(format!("{e}")))?,
        period: period.parse::<BillingPeriod>().map_err(|e| LedgerError::Corrupt(e.to_string()))?,
        dimension,
        level,
        consumption: share,
        triggered_at: crate::store::from_millis(now)?,
    })
}

fn bind_delta<'q>(q: Query<'q, Any, AnyArguments<'q>>, d: &Delta) -> Query<'q, Any, AnyArguments<'q>> {
    q.bind(d.queries).bind(d.ingest_bytes).bind(d.timeline_requests).bind(d.agent_runs).bind(d.signups).bind(d.events)
}

/// `count` comma-separated placeholders numbered from `first + 1`. SQLite gets anonymous `?`:
/// sqlx binds a numbered `$n` by looking its name up, which is quadratic in the count.
fn placeholders(backend: Backend, first: usize, count: usize) -> String {
    let mut out = String::with_capacity(count * 5);
    for i in 0..count {
        if i > 0 {
            out.push(',');
        }
        match backend {
            Backend::Sqlite => out.push('?'),
            Backend::Postgres => {
                out.push('$');
                out.push_str(&(first + i + 1).to_string());
            }
        }
    }
    out
}

/// `prefix (...),(...) suffix` for `rows` rows of `cols` columns.
fn multi_row_sql(backend: Backend, prefix: &str, cols: usize, rows: usize, suffix: &str) -> String {
    let mut sql = String::with_capacity(prefix.len() + suffix.len() + rows * cols * 5);
    sql.push_str(prefix);
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        sql.push('(');
        sql.push_str(&placeholders(backend, r * cols, cols));
        sql.push(')');
    }
    sql.push_str(suffix);
    sql
}

/// The UTC day of an instant, as YYYY-MM-DD.
pub(crate) fn day_of(at: OffsetDateTime) -> String {
    let d = at.to_offset(time::UtcOffset::UTC).date();
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}
