//! The ledger: one type over SQLite (embedded default) and PostgreSQL, through sqlx's `Any`
//! driver, so that both backends run the same SQL and the same tests.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use docket_billing::{BillingPeriod, PlanId, SupportTier, TenantId, UsageTotals, assess};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor, Row};
use time::OffsetDateTime;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::error::LedgerError;
use crate::model::{
    DailyUsage, OnboardingOutcome, PlanChange, QuotaAlert, RecordOutcome, SupportTierChange, Tenant, TenantSnapshot,
    UsageEvent,
};
use crate::outbox::Targets;
use crate::sql::{Backend, WriteConn, day_string, from_millis, millis};
use crate::view::UsageView;
use crate::writer::{self, Committed, WriteRequest};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Options for opening the ledger.
#[derive(Debug, Clone)]
pub struct LedgerOptions {
    /// `sqlite:///path/ledger.sqlite3` or `postgres://user@host/db`.
    pub url: String,
    /// Connections in the pool.
    pub max_connections: u32,
}

/// The durable usage ledger and tenant registry.
#[derive(Clone)]
pub struct Ledger {
    inner: Arc<Inner>,
}

struct Inner {
    pool: AnyPool,
    backend: Backend,
    tx: Mutex<Option<mpsc::Sender<WriteRequest>>>,
    commits: broadcast::Sender<Committed>,
    writer: Mutex<Option<JoinHandle<()>>>,
    view: UsageView,
    /// Where quota alerts are queued for delivery (see `outbox.rs`).
    targets: Targets,
    /// Tenants known to be registered. A tenant is never unregistered, so an id once found
    /// stays true and every metered request after the first skips the lookup.
    registered: RwLock<HashSet<TenantId>>,
}

/// The connection pool on the database `options` names, read-only or not.
async fn connect(options: &LedgerOptions, read_only: bool) -> Result<(AnyPool, Backend), LedgerError> {
    sqlx::any::install_default_drivers();
    let backend = Backend::of(&options.url)?;
    let mut url = options.url.clone();
    if backend == Backend::Sqlite && !url.contains("mode=") {
        let mode = if read_only { "mode=ro" } else { "mode=rwc" };
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(mode);
    }
    let connect: AnyConnectOptions = url.parse()?;
    let pool = AnyPoolOptions::new()
        .max_connections(options.max_connections.max(2))
        .acquire_timeout(Duration::from_secs(30))
        .after_connect(move |conn, _| {
            Box::pin(async move {
                match backend {
                    // A read-only connection must not try to switch the journal mode: a
                    // ledger is put in WAL mode by its first read-write opening.
                    Backend::Sqlite if read_only => {
                        conn.execute("PRAGMA query_only = ON").await?;
                        conn.execute("PRAGMA busy_timeout = 15000").await?;
                    }
                    Backend::Sqlite => {
                        // WAL lets readers run beside the writer; FULL makes every commit
                        // durable before it is acknowledged; the busy timeout lets the CLI
                        // and the server share the file.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA synchronous = FULL").await?;
                        conn.execute("PRAGMA busy_timeout = 15000").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                    }
                    Backend::Postgres if read_only => {
                        conn.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY").await?;
                    }
                    Backend::Postgres => {}
                }
                Ok(())
            })
        })
        .connect_with(connect)
        .await?;
    Ok((pool, backend))
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> LedgerError {
    LedgerError::Corrupt(format!("{what}: {e}"))
}

impl Ledger {
    /// Open (and migrate) the ledger, and start its writer.
    pub async fn open(options: &LedgerOptions) -> Result<Ledger, LedgerError> {
        let (pool, backend) = connect(options, false).await?;
        MIGRATOR.run(&pool).await?;
        let (tx, rx) = mpsc::channel(4096);
        let (commits, _) = broadcast::channel(1024);
        let view = UsageView::default();
        let targets = Targets::default();
        let writer =
            tokio::spawn(writer::supervise(pool.clone(), backend, rx, commits.clone(), view.dirty(), targets.clone()));
        Ok(Ledger {
            inner: Arc::new(Inner {
                pool,
                backend,
                tx: Mutex::new(Some(tx)),
                commits,
                writer: Mutex::new(Some(writer)),
                view,
                targets,
                registered: RwLock::default(),
            }),
        })
    }

    /// Open an existing ledger for reading only: no migration, no writer, and the database
    /// refuses writes (SQLite opened read-only, PostgreSQL sessions read-only), so that an
    /// audit leaves even the SQLite file's bytes as they were. Writes fail.
    pub async fn open_read_only(options: &LedgerOptions) -> Result<Ledger, LedgerError> {
        let (pool, backend) = connect(options, true).await?;
        let (commits, _) = broadcast::channel(1);
        Ok(Ledger {
            inner: Arc::new(Inner {
                pool,
                backend,
                tx: Mutex::new(None),
                commits,
                writer: Mutex::new(None),
                view: UsageView::default(),
                targets: Targets::default(),
                registered: RwLock::default(),
            }),
        })
    }

    /// The connection pool, for the modules that read or write beside the writer.
    pub(crate) fn pool(&self) -> &AnyPool {
        &self.inner.pool
    }

    /// The in-memory usage view (see `view.rs`).
    pub(crate) fn view(&self) -> &UsageView {
        &self.inner.view
    }

    /// The alert webhook URLs shared with the writer.
    pub(crate) fn targets(&self) -> &Targets {
        &self.inner.targets
    }

    /// The database this ledger runs on.
    pub fn backend(&self) -> Backend {
        self.inner.backend
    }

    /// Subscribe to committed batches (for metrics, alerts and the usage.json snapshot).
    pub fn subscribe(&self) -> broadcast::Receiver<Committed> {
        self.inner.commits.subscribe()
    }

    /// Record events durably. Returns once their transaction committed; a repeated
    /// `event_id` is counted once.
    pub async fn record(&self, events: Vec<UsageEvent>) -> Result<RecordOutcome, LedgerError> {
        if events.is_empty() {
            return Ok(RecordOutcome::default());
        }
        self.send(events).await
    }

    /// Whether the ledger takes writes now: a heartbeat row committed through the writer,
    /// with the batch of whoever else is writing. `Unavailable` when the database cannot
    /// write (disk full, server down), `WriterStopped` while shutting down.
    pub async fn check_writable(&self) -> Result<(), LedgerError> {
        self.send(Vec::new()).await.map(|_| ())
    }

    /// Hand events (none: a write probe) to the writer and wait for its answer.
    async fn send(&self, events: Vec<UsageEvent>) -> Result<RecordOutcome, LedgerError> {
        let tx = self.inner.tx.lock().map_err(|_| LedgerError::WriterStopped)?.clone();
        let tx = tx.ok_or(LedgerError::WriterStopped)?;
        let (ack, done) = oneshot::channel();
        tx.send(WriteRequest { events, ack }).await.map_err(|_| LedgerError::WriterStopped)?;
        // A dropped answer means the writer panicked while committing: its transaction was
        // rolled back and it was restarted.
        done.await.map_err(|_| {
            LedgerError::Unavailable("the ledger writer failed during the commit; retry with the same event ids".into())
        })?
    }

    /// Stop taking events, commit what is queued, and wait for the writer to finish.
    pub async fn close(&self) {
        let tx = self.inner.tx.lock().ok().and_then(|mut t| t.take());
        drop(tx);
        let writer = self.inner.writer.lock().ok().and_then(|mut w| w.take());
        if let Some(handle) = writer {
            let _ = handle.await;
        }
        self.inner.pool.close().await;
    }

    /// Create a tenant on a plan.
    pub async fn create_tenant(
        &self,
        tenant: &TenantId,
        organization: &str,
        plan: PlanId,
    ) -> Result<Tenant, LedgerError> {
        let mut conn = WriteConn::acquire(&self.inner.pool).await?;
        let result = async {
            let mut tx = conn.begin(self.inner.backend).await?;
            insert_tenant(&mut tx, tenant, organization, plan, millis(OffsetDateTime::now_utc())).await?;
            Ok(tx.commit().await?)
        }
        .await;
        conn.finish(result)?;
        self.inner.view.dirty().tenant(tenant);
        self.tenant(tenant).await?.ok_or_else(|| LedgerError::TenantNotFound(tenant.to_string()))
    }

    /// Store an onboarding submission: create the tenant and keep the intake and the answer
    /// given, in one transaction. A repeat with the same idempotency key replays the answer.
    pub async fn onboard(
        &self,
        tenant: &TenantId,
        organization: &str,
        plan: PlanId,
        intake: &serde_json::Value,
        response: &serde_json::Value,
        idempotency_key: Option<&str>,
    ) -> Result<OnboardingOutcome, LedgerError> {
        let now = millis(OffsetDateTime::now_utc());
        let mut conn = WriteConn::acquire(&self.inner.pool).await?;
        let result = async {
            let mut tx = conn.begin(self.inner.backend).await?;
            let existing = sqlx::query::<Any>("SELECT response, idempotency_key FROM onboarding WHERE tenant_id = $1")
                .bind(tenant.as_str().to_owned())
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(row) = existing {
                let stored_key: Option<String> = row.try_get(1)?;
                return match (stored_key.as_deref(), idempotency_key) {
                    (Some(a), Some(b)) if a == b => {
                        let body: String = row.try_get(0)?;
                        Ok(OnboardingOutcome::Replayed(
                            serde_json::from_str(&body).map_err(|e| corrupt("stored onboarding answer", e))?,
                        ))
                    }
                    _ => Err(LedgerError::TenantExists(tenant.to_string())),
                };
            }
            insert_tenant(&mut tx, tenant, organization, plan, now).await?;
            sqlx::query::<Any>(
                "INSERT INTO onboarding (tenant_id, intake, response, idempotency_key, submitted_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(tenant.as_str().to_owned())
            .bind(intake.to_string())
            .bind(response.to_string())
            .bind(idempotency_key.map(str::to_owned))
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(OnboardingOutcome::Created)
        }
        .await;
        let outcome = conn.finish(result)?;
        self.inner.view.dirty().tenant(tenant);
        Ok(outcome)
    }

    /// Move a tenant to another plan from now on, recording the change, and who made it, in
    /// the plan history (periods are priced with the plan in force at their end).
    pub async fn set_plan(&self, tenant: &TenantId, plan: PlanId, changed_by: &str) -> Result<Tenant, LedgerError> {
        self.set_plan_at(tenant, plan, changed_by, OffsetDateTime::now_utc()).await
    }

    /// [`Ledger::set_plan`] from `at` on.
    pub(crate) async fn set_plan_at(
        &self,
        tenant: &TenantId,
        plan: PlanId,
        changed_by: &str,
        at: OffsetDateTime,
    ) -> Result<Tenant, LedgerError> {
        let now = millis(at);
        let mut conn = WriteConn::acquire(&self.inner.pool).await?;
        let result = async {
            let mut tx = conn.begin(self.inner.backend).await?;
            let done = sqlx::query::<Any>("UPDATE tenants SET plan_id = $1, plan_changed_at = $2 WHERE tenant_id = $3")
                .bind(plan.as_str())
                .bind(now)
                .bind(tenant.as_str().to_owned())
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 0 {
                return Err(LedgerError::TenantNotFound(tenant.to_string()));
            }
            record_plan(&mut tx, tenant, plan, now, Some(changed_by)).await?;
            Ok(tx.commit().await?)
        }
        .await;
        conn.finish(result)?;
        self.inner.view.dirty().tenant(tenant);
        self.tenant(tenant).await?.ok_or_else(|| LedgerError::TenantNotFound(tenant.to_string()))
    }

    /// Give a tenant a support tier other than its plan's from now on (`None`: back to the
    /// plan's), recording the change and who made it in the support-tier history.
    pub async fn set_support_tier(
        &self,
        tenant: &TenantId,
        support_tier: Option<SupportTier>,
        changed_by: &str,
    ) -> Result<Tenant, LedgerError> {
        self.set_support_tier_at(tenant, support_tier, changed_by, OffsetDateTime::now_utc()).await
    }

    /// [`Ledger::set_support_tier`] from `at` on.
    pub(crate) async fn set_support_tier_at(
        &self,
        tenant: &TenantId,
        support_tier: Option<SupportTier>,
        changed_by: &str,
        at: OffsetDateTime,
    ) -> Result<Tenant, LedgerError> {
        let now = millis(at);
        let tier = support_tier.map(|t| t.as_str().to_owned());
        let mut conn = WriteConn::acquire(&self.inner.pool).await?;
        let result = async {
            let mut tx = conn.begin(self.inner.backend).await?;
            let done = sqlx::query::<Any>("UPDATE tenants SET support_tier = $1 WHERE tenant_id = $2")
                .bind(tier.clone())
                .bind(tenant.as_str().to_owned())
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 0 {
                return Err(LedgerError::TenantNotFound(tenant.to_string()));
            }
            sqlx::query::<Any>(
                "INSERT INTO support_tier_changes (tenant_id, effective_at, support_tier, changed_by) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (tenant_id, effective_at) DO UPDATE SET support_tier = excluded.support_tier, changed_by = excluded.changed_by",
            )
            .bind(tenant.as_str().to_owned())
            .bind(now)
            .bind(tier)
            .bind(changed_by.to_owned())
            .execute(&mut *tx)
            .await?;
            Ok(tx.commit().await?)
        }
        .await;
        conn.finish(result)?;
        self.inner.view.dirty().tenant(tenant);
        self.tenant(tenant).await?.ok_or_else(|| LedgerError::TenantNotFound(tenant.to_string()))
    }

    /// A tenant's plan history, oldest first.
    pub async fn plan_history(&self, tenant: &TenantId) -> Result<Vec<PlanChange>, LedgerError> {
        let rows = sqlx::query::<Any>(
            "SELECT plan_id, effective_at, changed_by FROM plan_changes WHERE tenant_id = $1 ORDER BY effective_at",
        )
        .bind(tenant.as_str().to_owned())
        .fetch_all(&self.inner.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PlanChange {
                    tenant_id: tenant.clone(),
                    plan_id: r.try_get::<String, _>(0)?.parse().map_err(|e| corrupt("plan", e))?,
                    effective_at: from_millis(r.try_get(1)?)?,
                    changed_by: r.try_get(2)?,
                })
            })
            .collect()
    }

    /// A tenant's support-tier history, oldest first.
    pub async fn support_tier_history(&self, tenant: &TenantId) -> Result<Vec<SupportTierChange>, LedgerError> {
        let rows = sqlx::query::<Any>(
            "SELECT support_tier, effective_at, changed_by FROM support_tier_changes WHERE tenant_id = $1 ORDER BY effective_at",
        )
        .bind(tenant.as_str().to_owned())
        .fetch_all(&self.inner.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SupportTierChange {
                    tenant_id: tenant.clone(),
                    support_tier: r
                        .try_get::<Option<String>, _>(0)?
                        .map(|t| t.parse::<SupportTier>().map_err(|e| corrupt("support tier", e)))
                        .transpose()?,
                    effective_at: from_millis(r.try_get(1)?)?,
                    changed_by: r.try_get(2)?,
                })
            })
            .collect()
    }

    /// One tenant, if registered.
    pub async fn tenant(&self, tenant: &TenantId) -> Result<Option<Tenant>, LedgerError> {
        let row = sqlx::query::<Any>(
            "SELECT t.tenant_id, t.organization, t.plan_id, t.created_at, (SELECT MAX(pu.last_event_at) FROM period_usage pu WHERE pu.tenant_id = t.tenant_id), t.support_tier FROM tenants t WHERE t.tenant_id = $1",
        )
        .bind(tenant.as_str().to_owned())
        .fetch_optional(&self.inner.pool)
        .await?;
        row.map(|r| tenant_from_row(&r)).transpose()
    }

    /// Whether `tenant` is registered. Answers from memory once a tenant has been seen.
    pub async fn is_registered(&self, tenant: &TenantId) -> Result<bool, LedgerError> {
        if self.inner.registered.read().unwrap_or_else(PoisonError::into_inner).contains(tenant) {
            return Ok(true);
        }
        let found = sqlx::query::<Any>("SELECT 1 FROM tenants WHERE tenant_id = $1")
            .bind(tenant.as_str().to_owned())
            .fetch_optional(&self.inner.pool)
            .await?
            .is_some();
        if found {
            self.inner.registered.write().unwrap_or_else(PoisonError::into_inner).insert(tenant.clone());
        }
        Ok(found)
    }

    /// Every tenant, by id.
    pub async fn tenants(&self) -> Result<Vec<Tenant>, LedgerError> {
        let rows = sqlx::query::<Any>(
            "SELECT t.tenant_id, t.organization, t.plan_id, t.created_at, (SELECT MAX(pu.last_event_at) FROM period_usage pu WHERE pu.tenant_id = t.tenant_id), t.support_tier FROM tenants t ORDER BY t.tenant_id",
        )
        .fetch_all(&self.inner.pool)
        .await?;
        rows.iter().map(tenant_from_row).collect()
    }

    /// Snapshots of every tenant (or one) for `period`, as seen at `now`.
    pub async fn snapshots(
        &self,
        period: BillingPeriod,
        now: OffsetDateTime,
        only: Option<&TenantId>,
    ) -> Result<Vec<TenantSnapshot>, LedgerError> {
        self.snapshots_of(period, now, only.map(std::slice::from_ref)).await
    }

    /// Snapshots of every tenant (`None`) or of the tenants listed, for `period` as seen at
    /// `now`, by tenant id.
    pub(crate) async fn snapshots_of(
        &self,
        period: BillingPeriod,
        now: OffsetDateTime,
        only: Option<&[TenantId]>,
    ) -> Result<Vec<TenantSnapshot>, LedgerError> {
        let at = judged_at(period, now);
        let mut out = Vec::new();
        for chunk in chunks(only) {
            // A closed period is judged as it stood at its end, and priced with the plan in
            // force then (a tenant that did not exist yet: its first plan); the current one
            // with the plan in force now. The support tier likewise: the override in force
            // at that instant, else (none, or reset) the plan's.
            let sql = format!(
                "SELECT t.tenant_id, t.organization, \
                    COALESCE((SELECT pc.plan_id FROM plan_changes pc WHERE pc.tenant_id = t.tenant_id AND pc.effective_at <= $2 \
                              ORDER BY pc.effective_at DESC LIMIT 1), \
                             (SELECT pc.plan_id FROM plan_changes pc WHERE pc.tenant_id = t.tenant_id \
                              ORDER BY pc.effective_at LIMIT 1), t.plan_id), \
                    t.created_at, (SELECT MAX(pu.last_event_at) FROM period_usage pu WHERE pu.tenant_id = t.tenant_id), \
                    (SELECT sc.support_tier FROM support_tier_changes sc WHERE sc.tenant_id = t.tenant_id AND sc.effective_at <= $2 \
                     ORDER BY sc.effective_at DESC LIMIT 1), \
                    p.queries, p.ingest_bytes, p.timeline_requests, p.agent_runs, p.active_seats, o.intake \
             FROM tenants t \
             LEFT JOIN period_usage p ON p.tenant_id = t.tenant_id AND p.period = $1 \
             LEFT JOIN onboarding o ON o.tenant_id = t.tenant_id \
             {} \
             ORDER BY t.tenant_id",
                tenant_clause("t.tenant_id", chunk, 3)
            );
            let mut query = sqlx::query::<Any>(&sql).bind(period.to_string()).bind(millis(at));
            for t in chunk.unwrap_or_default() {
                query = query.bind(t.as_str().to_owned());
            }
            for row in query.fetch_all(&self.inner.pool).await? {
                let tenant = tenant_from_row(&row)?;
                let n = |i: usize| -> Result<u64, LedgerError> {
                    Ok(row.try_get::<Option<i64>, _>(i)?.unwrap_or(0).max(0) as u64)
                };
                let usage = UsageTotals {
                    queries: n(6)?,
                    ingest_bytes: n(7)?,
                    timeline_requests: n(8)?,
                    agent_runs: n(9)?,
                    active_seats: n(10)?,
                };
                let onboarding: Option<String> = row.try_get(11)?;
                let onboarding = onboarding
                    .map(|s| serde_json::from_str(&s).map_err(|e| corrupt("stored onboarding intake", e)))
                    .transpose()?;
                out.push(snapshot_of(tenant, period, at, usage, onboarding));
            }
        }
        Ok(out)
    }

    /// A tenant's usage for each day of `period` (days without usage are zeros).
    pub async fn daily(&self, tenant: &TenantId, period: BillingPeriod) -> Result<Vec<DailyUsage>, LedgerError> {
        let rows = sqlx::query::<Any>(
            "SELECT day, queries, ingest_bytes, timeline_requests, agent_runs, signups FROM daily_usage \
             WHERE tenant_id = $1 AND period = $2",
        )
        .bind(tenant.as_str().to_owned())
        .bind(period.to_string())
        .fetch_all(&self.inner.pool)
        .await?;
        let mut by_day = std::collections::HashMap::new();
        for row in rows {
            let n = |i: usize| -> Result<u64, LedgerError> { Ok(row.try_get::<i64, _>(i)?.max(0) as u64) };
            let day: String = row.try_get(0)?;
            by_day.insert(
                day.clone(),
                DailyUsage {
                    day,
                    queries: n(1)?,
                    ingest_bytes: n(2)?,
                    timeline_requests: n(3)?,
                    agent_runs: n(4)?,
                    signups: n(5)?,
                },
            );
        }
        Ok(period
            .dates()
            .map(|d| {
                let day = day_string(d);
                by_day.remove(&day).unwrap_or(DailyUsage {
                    day,
                    queries: 0,
                    ingest_bytes: 0,
                    timeline_requests: 0,
                    agent_runs: 0,
                    signups: 0,
                })
            })
            .collect())
    }

    /// Quota alerts of `period`, oldest first, optionally for one tenant.
    pub async fn alerts(&self, period: BillingPeriod, only: Option<&TenantId>) -> Result<Vec<QuotaAlert>, LedgerError> {
        self.alerts_of(period, only.map(std::slice::from_ref)).await
    }

    /// Quota alerts of `period` for every tenant (`None`) or the tenants listed, oldest first.
    pub(crate) async fn alerts_of(
        &self,
        period: BillingPeriod,
        only: Option<&[TenantId]>,
    ) -> Result<Vec<QuotaAlert>, LedgerError> {
        let mut out = Vec::new();
        for chunk in chunks(only) {
            let sql = format!(
                "SELECT tenant_id, period, dimension, level, consumption, triggered_at FROM quota_alerts \
                 WHERE period = $1 {} ORDER BY triggered_at, tenant_id, dimension, level",
                tenant_clause("tenant_id", chunk, 2).replacen("WHERE", "AND", 1)
            );
            let mut query = sqlx::query::<Any>(&sql).bind(period.to_string());
            for t in chunk.unwrap_or_default() {
                query = query.bind(t.as_str().to_owned());
            }
            for r in query.fetch_all(&self.inner.pool).await? {
                let dimension: String = r.try_get(2)?;
                let level: String = r.try_get(3)?;
                out.push(QuotaAlert {
                    tenant_id: r.try_get::<String, _>(0)?.parse().map_err(|e| corrupt("tenant id", e))?,
                    period: r.try_get::<String, _>(1)?.parse().map_err(|e| corrupt("period", e))?,
                    dimension: serde_json::from_value(serde_json::Value::String(dimension))
                        .map_err(|e| corrupt("alert dimension", e))?,
                    level: serde_json::from_value(serde_json::Value::String(level))
                        .map_err(|e| corrupt("alert level", e))?,
                    consumption: r.try_get(4)?,
                    triggered_at: from_millis(r.try_get(5)?)?,
                });
            }
        }
        if only.is_some_and(|o| o.len() > TENANTS_PER_STATEMENT) {
            out.sort_by(|a, b| alert_order(a).cmp(&alert_order(b)));
        }
        Ok(out)
    }

    /// Number of events stored for a tenant (all periods).
    pub async fn event_count(&self, tenant: &TenantId) -> Result<u64, LedgerError> {
        let n: i64 = sqlx::query_scalar::<Any, i64>("SELECT COUNT(*) FROM usage_events WHERE tenant_id = $1")
            .bind(tenant.as_str().to_owned())
            .fetch_one(&self.inner.pool)
            .await?;
        Ok(n.max(0) as u64)
    }

    /// Whether a tenant's event id is in the ledger (ids are unique per tenant).
    pub async fn has_event(&self, tenant: &TenantId, event_id: &str) -> Result<bool, LedgerError> {
        let n: i64 =
            sqlx::query_scalar::<Any, i64>("SELECT COUNT(*) FROM usage_events WHERE tenant_id = $1 AND event_id = $2")
                .bind(tenant.as_str().to_owned())
                .bind(event_id.to_owned())
                .fetch_one(&self.inner.pool)
                .await?;
        Ok(n > 0)
    }
}

/// Register a tenant; `TenantExists` when the id is taken.
async fn insert_tenant(
    conn: &mut sqlx::AnyConnection,
    tenant: &TenantId,
    organization: &str,
    plan: PlanId,
    now_ms: i64,
) -> Result<(), LedgerError> {
    let done = sqlx::query::<Any>(
        "INSERT INTO tenants (tenant_id, organization, plan_id, created_at, plan_changed_at) VALUES ($1, $2, $3, $4, $4) \
         ON CONFLICT (tenant_id) DO NOTHING",
    )
    .bind(tenant.as_str().to_owned())
    .bind(organization.to_owned())
    .bind(plan.as_str())
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(LedgerError::TenantExists(tenant.to_string()));
    }
    record_plan(conn, tenant, plan, now_ms, None).await
}

/// Record that `plan` is in force for `tenant` from `at_ms` on, set by `changed_by` (none:
/// the plan the tenant is created on).
async fn record_plan(
    conn: &mut sqlx::AnyConnection,
    tenant: &TenantId,
    plan: PlanId,
    at_ms: i64,
    changed_by: Option<&str>,
) -> Result<(), LedgerError> {
    sqlx::query::<Any>(
        "INSERT INTO plan_changes (tenant_id, effective_at, plan_id, changed_by) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (tenant_id, effective_at) DO UPDATE SET plan_id = excluded.plan_id, changed_by = excluded.changed_by",
    )
    .bind(tenant.as_str().to_owned())
    .bind(at_ms)
    .bind(plan.as_str())
    .bind(changed_by.map(str::to_owned))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// How alerts are listed: by time, tenant, then dimension and level by name (as the SQL
/// orders them).
pub(crate) fn alert_order(a: &QuotaAlert) -> (OffsetDateTime, &str, &'static str, &'static str) {
    (a.triggered_at, a.tenant_id.as_str(), a.dimension.as_str(), a.level.as_str())
}

/// Tenant ids per statement when a read names its tenants: far below every backend's limit
/// on parameters.
const TENANTS_PER_STATEMENT: usize = 500;

/// The tenant lists one read runs: one statement for every tenant (`None`), or the listed
/// tenants in slices of [`TENANTS_PER_STATEMENT`].
fn chunks(only: Option<&[TenantId]>) -> Vec<Option<&[TenantId]>> {
    match only {
        None => vec![None],
        Some(list) => list.chunks(TENANTS_PER_STATEMENT).map(Some).collect(),
    }
}

/// `WHERE column IN ($first, ...)` for the tenants listed, nothing for every tenant.
fn tenant_clause(column: &str, tenants: Option<&[TenantId]>, first: usize) -> String {
    match tenants {
        None => String::new(),
        Some(list) => {
            let params: Vec<String> = (first..first + list.len()).map(|i| format!("${i}")).collect();
            format!("WHERE {column} IN ({})", params.join(", "))
        }
    }
}

/// The instant a period's snapshot is computed at: `now`, or the period's last millisecond
/// once it has ended.
pub(crate) fn judged_at(period: BillingPeriod, now: OffsetDateTime) -> OffsetDateTime {
    if now >= period.end() { period.end() - time::Duration::milliseconds(1) } else { now }
}

/// A tenant from columns: id, organization, plan, created_at, last event, support-tier
/// override.
fn tenant_from_row(row: &sqlx::any::AnyRow) -> Result<Tenant, LedgerError> {
    let id: String = row.try_get(0)?;
    let plan: PlanId = row.try_get::<String, _>(2)?.parse().map_err(|e| corrupt("plan", e))?;
    let support_tier_override = row
        .try_get::<Option<String>, _>(5)?
        .map(|t| t.parse::<SupportTier>().map_err(|e| corrupt("support tier", e)))
        .transpose()?;
    Ok(Tenant {
        tenant_id: id.parse().map_err(|e| corrupt("tenant id", e))?,
        organization: row.try_get(1)?,
        plan_id: plan,
        support_tier: support_tier_override.unwrap_or(plan.plan().support_tier),
        support_tier_override,
        created_at: from_millis(row.try_get(3)?)?,
        last_event_at: row.try_get::<Option<i64>, _>(4)?.map(from_millis).transpose()?,
    })
}

pub(crate) fn snapshot_of(
    tenant: Tenant,
    period: BillingPeriod,
    now: OffsetDateTime,
    usage: UsageTotals,
    onboarding: Option<serde_json::Value>,
) -> TenantSnapshot {
    let plan = tenant.plan_id.plan();
    let assessment = assess(plan, &usage, period, now, tenant.last_event_at);
    TenantSnapshot {
        tenant_id: tenant.tenant_id,
        organization: tenant.organization,
        period,
        plan_id: tenant.plan_id,
        support_tier: tenant.support_tier,
        support_sla_hours: tenant.support_tier.sla_hours(),
        queries: usage.queries,
        ingest_bytes: usage.ingest_bytes,
        ingest_gb: usage.ingest_bytes as f64 / docket_billing::BYTES_PER_GB as f64,
        timeline_requests: usage.timeline_requests,
        agent_runs: usage.agent_runs,
        active_seats: usage.active_seats,
        assessment,
        onboarding,
        last_event_at: tenant.last_event_at,
    }
}
