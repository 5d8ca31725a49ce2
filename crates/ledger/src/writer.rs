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
    match write_batch(&mut conn, events).await {
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

async fn write_batch(
    conn: &mut AnyConnection,
    events: &[&UsageEvent],
) -> Result<(HashSet<String>, Committed), LedgerError> {
    let now = millis(OffsetDateTime::now_utc());
    // A repeated id inside one batch is a retry too: keep the first.
    let mut seen = HashSet::with_capacity(events.len());
    let unique: Vec<&UsageEvent> = events.iter().copied().filter(|e| seen.insert(e.event_id.as_str())).collect();

    let mut inserted: HashSet<String> = HashSet::with_capacity(unique.len());
    for chunk in unique.chunks(ROWS_PER_STATEMENT) {
        let sql = multi_row_sql(
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
    let mut periodic: BTreeMap<(String, String), Delta> = BTreeMap::new();
    let mut seats: BTreeSet<(String, String, String)> = BTreeSet::new();
    let mut last_event: HashMap<String, i64> = HashMap::new();
    for e in &fresh {
        let tenant = e.tenant_id.as_str().to_owned();
        let period = e.period().to_string();
        let day = day_of(e.occurred_at);
        daily.entry((tenant.clone(), day, period.clone())).or_default().add(e);
        periodic.entry((tenant.clone(), period.clone())).or_default().add(e);
        if let (true, Some(subject)) = (e.kind.uses_seat(), &e.subject) {
            seats.insert((tenant.clone(), period, subject.clone()));
        }
        let at = millis(e.occurred_at);
        last_event.entry(tenant.clone()).and_modify(|t| *t = (*t).max(at)).or_insert(at);
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

    let mut new_seats: HashMap<(String, String), i64> = HashMap::new();
    let seats: Vec<_> = seats.into_iter().collect();
    for chunk in seats.chunks(ROWS_PER_STATEMENT) {
        let sql = multi_row_sql(
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
            *new_seats.entry((row.try_get(0)?, row.try_get(1)?)).or_default() += 1;
        }
    }

    let mut totals: Vec<(String, String, UsageTotals)> = Vec::with_capacity(periodic.len());
    for ((tenant, period), d) in &periodic {
        let added_seats = new_seats.get(&(tenant.clone(), period.clone())).copied().unwrap_or(0);
        let row = bind_delta(
            sqlx::query::<Any>(
                "INSERT INTO period_usage (tenant_id, period, queries, ingest_bytes, timeline_requests, agent_runs, signups, events, active_seats) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 ON CONFLICT (tenant_id, period) DO UPDATE SET queries = period_usage.queries + excluded.queries, \
                 ingest_bytes = period_usage.ingest_bytes + excluded.ingest_bytes, \
                 timeline_requests = period_usage.timeline_requests + excluded.timeline_requests, \
                 agent_runs = period_usage.agent_runs + excluded.agent_runs, \
                 signups = period_usage.signups + excluded.signups, events = period_usage.events + excluded.events, \
                 active_seats = period_usage.active_seats + excluded.active_seats \
                 RETURNING queries, ingest_bytes, timeline_requests, agent_runs, active_seats",
            )
            .bind(tenant.clone())
            .bind(period.clone()),
            d,
        )
        .bind(added_seats)
        .fetch_one(&mut *conn)
        .await?;
        let get = |i: usize| row.try_get::<i64, _>(i).map(|v| v.max(0) as u64);
        let usage = UsageTotals {
            queries: get(0)?,
            ingest_bytes: get(1)?,
            timeline_requests: get(2)?,
            agent_runs: get(3)?,
            active_seats: get(4)?,
        };
        totals.push((tenant.clone(), period.clone(), usage));
    }

    for (tenant, at) in &last_event {
        sqlx::query::<Any>(
            "UPDATE tenants SET last_event_at = $1 WHERE tenant_id = $2 AND (last_event_at IS NULL OR last_event_at < $1)",
        )
        .bind(*at)
        .bind(tenant.clone())
        .execute(&mut *conn)
        .await?;
    }

    // Alerts are decided from the aggregate this very transaction committed, once per
    // threshold, dimension and period: the primary key makes a second firing a no-op.
    let mut plans: HashMap<String, Option<PlanId>> = HashMap::new();
    for (tenant, period, usage) in &totals {
        if !plans.contains_key(tenant) {
            let plan: Option<String> =
                sqlx::query_scalar::<Any, String>("SELECT plan_id FROM tenants WHERE tenant_id = $1")
                    .bind(tenant.clone())
                    .fetch_optional(&mut *conn)
                    .await?;
            plans.insert(tenant.clone(), plan.and_then(|p| p.parse().ok()));
        }
        let Some(plan) = plans.get(tenant).copied().flatten() else { continue };
        for (dimension, share) in consumption(plan.plan(), usage) {
            for level in [AlertLevel::Soft, AlertLevel::Hard] {
                if level.threshold().is_some_and(|t| share >= t) {
                    let fired = sqlx::query::<Any>(
                        "INSERT INTO quota_alerts (tenant_id, period, dimension, level, consumption, triggered_at) \
                         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, period, dimension, level) DO NOTHING",
                    )
                    .bind(tenant.clone())
                    .bind(period.clone())
                    .bind(dimension.as_str())
                    .bind(level.as_str())
                    .bind(share)
                    .bind(now)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
                    if fired == 1 {
                        committed.alerts.push(alert(tenant, period, dimension, level, share, now)?);
                    }
                }
            }
        }
    }
    Ok((inserted, committed))
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

/// `prefix (...),(...) suffix` with `$n` placeholders for `rows` rows of `cols` columns.
fn multi_row_sql(prefix: &str, cols: usize, rows: usize, suffix: &str) -> String {
    let mut sql = String::with_capacity(prefix.len() + suffix.len() + rows * cols * 5);
    sql.push_str(prefix);
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        sql.push('(');
        for c in 0..cols {
            if c > 0 {
                sql.push(',');
            }
            sql.push('$');
            sql.push_str(&(r * cols + c + 1).to_string());
        }
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
