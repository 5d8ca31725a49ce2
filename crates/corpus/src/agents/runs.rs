//! Durable agent runs: queued, running, succeeded or failed, step by step, in the registry; a
//! bounded number at once on the blocking pool; one usage report per succeeded run, marked
//! metered only once the meter acknowledged it and offered again until it does.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use docket_billing::TenantId;
use serde::{Deserialize, Serialize};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::sync::Semaphore;
use uuid::Uuid;

use super::counsel::{self, CounselList};
use super::{AgentContext, Progress, RunCitation, RunRequest, RunScope, RunStep, agent};
use crate::context::Inner;
use crate::error::CorpusError;
use crate::registry::parse_uuid;
use crate::service::Corpus;
use crate::util::{parse_rfc3339, stored_tenant};

/// A run interrupted this many times (the process stopped while it ran) is failed, not resumed.
const MAX_ATTEMPTS: i64 = 3;
/// How long the meter may take to acknowledge a report.
const METER_TIMEOUT: Duration = Duration::from_secs(30);
/// How often reports the meter has not acknowledged are offered again.
const METER_RETRY_EVERY: Duration = Duration::from_secs(30);
/// Most runs listed at once.
pub const MAX_RUNS_LISTED: u32 = 200;

/// Where a run is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    Queued,
    Running,
    Succeeded,
    Failed,
}

impl RunState {
    /// The stored and serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            RunState::Queued => "queued",
            RunState::Running => "running",
            RunState::Succeeded => "succeeded",
            RunState::Failed => "failed",
        }
    }

    /// True once the run will not change any more.
    pub fn is_finished(self) -> bool {
        matches!(self, RunState::Succeeded | RunState::Failed)
    }

    fn parse(s: &str) -> Result<RunState, CorpusError> {
        Ok(match s {
            "queued" => RunState::Queued,
            "running" => RunState::Running,
            "succeeded" => RunState::Succeeded,
            "failed" => RunState::Failed,
            other => return Err(CorpusError::Corrupt(format!("unknown run status '{other}'"))),
        })
    }
}

/// A run as listed: who asked which agent, and how far it got.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RunSummary {
    /// The run's id, as `run_id` in JSON.
    #[serde(rename = "run_id")]
    pub id: Uuid,
    pub tenant_id: TenantId,
    pub agent: String,
    pub submitted_by: String,
    pub status: RunState,
    /// Documents the run has examined so far (the billed attribute once it succeeded).
    pub documents_examined: u64,
    /// Documents in the run's scope, once counted.
    pub documents_total: Option<u64>,
    /// Why the run failed.
    pub error: Option<String>,
    /// How many times the run was started (more than one after a restart interrupted it).
    pub attempts: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub started_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
    /// True once the run's usage event was recorded by the ledger.
    pub metered: bool,
}

/// A run with what it was asked, its steps, its output and its citations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AgentRun {
    #[serde(flatten)]
    pub summary: RunSummary,
    pub question: Option<String>,
    pub scope: RunScope,
    /// The options as given (null when none were).
    #[schema(value_type = Option<Object>)]
    pub options: serde_json::Value,
    /// What the run did, step by step, with counts and durations.
    pub steps: Vec<RunStep>,
    /// The agent's output once the run succeeded (its shape depends on the agent).
    #[schema(value_type = Option<Object>)]
    pub output: Option<serde_json::Value>,
    /// Every passage the output cites.
    pub citations: Vec<RunCitation>,
}

/// The usage of one succeeded run, handed to the [`RunMeter`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunReport {
    /// Also the usage event id (`agent:<run_id>`): a report repeated after a restart counts once.
    pub run_id: Uuid,
    pub tenant_id: TenantId,
    pub agent: String,
    pub submitted_by: String,
    pub documents_examined: u64,
    pub finished_at: OffsetDateTime,
}

/// Records one agent usage event per succeeded run (implemented by the server).
pub trait RunMeter: Send + Sync + 'static {
    /// Record the run's usage durably; Ok means it is recorded and will not be asked again.
    fn run_finished(&self, report: RunReport) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + '_>>;
}

struct Shared {
    inner: Arc<Inner>,
    meter: Arc<dyn RunMeter>,
    permits: Arc<Semaphore>,
    concurrent: u32,
    /// Set at shutdown; running agents see it at their next page and stop.
    stopping: Arc<AtomicBool>,
    /// Runs whose report is with the meter right now.
    reporting: Mutex<HashSet<Uuid>>,
    /// The task offering unmetered runs again, stopped at shutdown.
    retry: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

/// The agent runs of all tenants: cheap to clone, shared by every request.
#[derive(Clone)]
pub struct Agents {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Agents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Agents").field("concurrent", &self.shared.concurrent).finish_non_exhaustive()
    }
}

fn now_text() -> String {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(0).unwrap_or(now).format(&Rfc3339).unwrap_or_default()
}

fn json_text<T: Serialize>(value: &T) -> Result<String, CorpusError> {
    serde_json::to_string(value).map_err(|e| CorpusError::Corrupt(format!("writing run JSON: {e}")))
}

fn from_json<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T, CorpusError> {
    serde_json::from_str(text).map_err(|e| CorpusError::Corrupt(format!("bad {what} JSON: {e}")))
}

impl Agents {
    /// Start the agent runner over `corpus`: runs left queued or running by the last process are
    /// queued again (or failed after three attempts), and succeeded runs the meter has not
    /// acknowledged are reported again. At most `concurrent` runs (1..=16) execute at once.
    pub async fn start(corpus: &Corpus, meter: Arc<dyn RunMeter>, concurrent: usize) -> Result<Agents, CorpusError> {
        if !(1..=16).contains(&concurrent) {
            return Err(CorpusError::Config("concurrent agent runs must be between 1 and 16".into()));
        }
        let inner = corpus.inner().clone();
        let given_up = sqlx::query(
            "UPDATE agent_runs SET status = 'failed', finished_at = ?, \
             error = 'interrupted by a restart three times; not resumed again' \
             WHERE status IN ('queued', 'running') AND attempts >= ?",
        )
        .bind(now_text())
        .bind(MAX_ATTEMPTS)
        .execute(&inner.writer)
        .await?
        .rows_affected();
        if given_up > 0 {
            tracing::error!(runs = given_up, "agent runs interrupted three times were failed");
        }
        let resumed = sqlx::query("UPDATE agent_runs SET status = 'queued' WHERE status = 'running'")
            .execute(&inner.writer)
            .await?
            .rows_affected();
        if resumed > 0 {
            tracing::info!(resumed, "resuming agent runs interrupted by a restart");
        }
        let queued: Vec<String> =
            sqlx::query_scalar("SELECT id FROM agent_runs WHERE status = 'queued' ORDER BY created_at, id")
                .fetch_all(&inner.pool)
                .await?;
        let agents = Agents {
            shared: Arc::new(Shared {
                inner,
                meter,
                permits: Arc::new(Semaphore::new(concurrent)),
                concurrent: concurrent as u32,
                stopping: Arc::new(AtomicBool::new(false)),
                reporting: Mutex::new(HashSet::new()),
                retry: Mutex::new(None),
            }),
        };
        for id in queued {
            tokio::spawn(execute(agents.shared.clone(), parse_uuid(&id)?));
        }
        let retry = tokio::spawn(retry_unmetered(agents.shared.clone()));
        if let Ok(mut slot) = agents.shared.retry.lock() {
            *slot = Some(retry);
        }
        Ok(agents)
    }

    fn live(&self) -> Result<&Shared, CorpusError> {
        let shared = &self.shared;
        if shared.stopping.load(Ordering::SeqCst) || shared.inner.is_stopping() {
            Err(CorpusError::ShuttingDown)
        } else {
            Ok(shared)
        }
    }

    /// Check the request, persist a queued run and return it; it runs when a slot is free.
    pub async fn submit(
        &self,
        tenant: &TenantId,
        submitted_by: &str,
        mut request: RunRequest,
    ) -> Result<AgentRun, CorpusError> {
        let shared = self.live()?;
        request.agent = request.agent.trim().to_owned();
        request.validate()?;
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO agent_runs (id, tenant_id, agent, submitted_by, request, status, created_at) \
             VALUES (?, ?, ?, ?, ?, 'queued', ?)",
        )
        .bind(id.to_string())
        .bind(tenant.as_str())
        .bind(&request.agent)
        .bind(submitted_by)
        .bind(json_text(&request)?)
        .bind(now_text())
        .execute(&shared.inner.writer)
        .await?;
        let run = self.run(tenant, id).await?.ok_or_else(|| CorpusError::Corrupt("a new run vanished".into()))?;
        tokio::spawn(execute(self.shared.clone(), id));
        Ok(run)
    }

    /// A tenant's run, or None when the tenant has no such run.
    pub async fn run(&self, tenant: &TenantId, id: Uuid) -> Result<Option<AgentRun>, CorpusError> {
        let shared = self.live()?;
        let row = sqlx::query("SELECT * FROM agent_runs WHERE tenant_id = ? AND id = ?")
            .bind(tenant.as_str())
            .bind(id.to_string())
            .fetch_optional(&shared.inner.pool)
            .await?;
        row.map(|r| full_from_row(&r)).transpose()
    }

    /// A tenant's most recent runs, newest first (limit 1..=200).
    pub async fn runs(&self, tenant: &TenantId, limit: u32) -> Result<Vec<RunSummary>, CorpusError> {
        let shared = self.live()?;
        if limit == 0 || limit > MAX_RUNS_LISTED {
            return Err(CorpusError::filter("limit", format!("must be between 1 and {MAX_RUNS_LISTED}")));
        }
        let rows = sqlx::query(
            "SELECT id, tenant_id, agent, submitted_by, status, documents_examined, documents_total, error, \
             attempts, created_at, started_at, finished_at, metered_at \
             FROM agent_runs WHERE tenant_id = ? ORDER BY created_at DESC, id DESC LIMIT ?",
        )
        .bind(tenant.as_str())
        .bind(i64::from(limit))
        .fetch_all(&shared.inner.pool)
        .await?;
        rows.iter().map(summary_from_row).collect()
    }

    /// A succeeded run's output exported as `format` (`csv`, `md`): its media type and bytes;
    /// None when the tenant has no such run.
    pub async fn export(
        &self,
        tenant: &TenantId,
        id: Uuid,
        format: &str,
    ) -> Result<Option<(&'static str, Vec<u8>)>, CorpusError> {
        let Some(run) = self.run(tenant, id).await? else { return Ok(None) };
        let agent = agent(&run.summary.agent)
            .ok_or_else(|| CorpusError::Corrupt(format!("run of unknown agent '{}'", run.summary.agent)))?;
        let Some(format) = agent.exports().iter().copied().find(|f| f.name == format) else {
            let known: Vec<&str> = agent.exports().iter().map(|f| f.name).collect();
            return Err(CorpusError::filter(
                "format",
                format!(
                    "{} exports {}",
                    agent.name(),
                    if known.is_empty() { "nothing".into() } else { known.join(", ") }
                ),
            ));
        };
        let Some(output) = run.output.filter(|_| run.summary.status == RunState::Succeeded) else {
            return Err(CorpusError::filter(
                "run_id",
                format!("the run is {}; only a succeeded run has an output", run.summary.status.as_str()),
            ));
        };
        // CSV writing and Markdown layout of a large output are CPU work.
        let bytes = tokio::task::spawn_blocking(move || agent.export(&output, format)).await??;
        Ok(Some((format.media_type, bytes)))
    }

    /// The tenant's counsel list.
    pub async fn counsel(&self, tenant: &TenantId) -> Result<CounselList, CorpusError> {
        let shared = self.live()?;
        counsel::get(&shared.inner.pool, tenant).await
    }

    /// Replace the tenant's counsel list; returns it as stored (trimmed, lower-cased domains).
    pub async fn set_counsel(&self, tenant: &TenantId, list: CounselList) -> Result<CounselList, CorpusError> {
        let shared = self.live()?;
        let list = list.normalized()?;
        counsel::put(&shared.inner.writer, tenant, &list).await?;
        Ok(list)
    }

    /// Stop taking runs and wait for the running ones to stop (they stop at their next page and
    /// resume at the next start). Call before the corpus shuts down.
    pub async fn shutdown(&self) {
        let shared = &self.shared;
        if shared.stopping.swap(true, Ordering::SeqCst) {
            return;
        }
        // Every permit back means no run is executing.
        match shared.permits.acquire_many(shared.concurrent).await {
            Ok(permits) => permits.forget(),
            Err(e) => tracing::warn!(error = %e, "waiting for agent runs to stop failed"),
        }
        shared.permits.close();
        let retry = shared.retry.lock().ok().and_then(|mut r| r.take());
        if let Some(retry) = retry {
            retry.abort();
            let _ = retry.await;
        }
    }
}

fn summary_from_row(row: &SqliteRow) -> Result<RunSummary, CorpusError> {
    let count =
        |name: &str| -> Result<u64, CorpusError> { Ok(u64::try_from(row.try_get::<i64, _>(name)?).unwrap_or(0)) };
    let time = |name: &str| -> Result<Option<OffsetDateTime>, CorpusError> {
        row.try_get::<Option<String>, _>(name)?.as_deref().map(parse_rfc3339).transpose()
    };
    let total: Option<i64> = row.try_get("documents_total")?;
    Ok(RunSummary {
        id: parse_uuid(&row.try_get::<String, _>("id")?)?,
        tenant_id: stored_tenant(row.try_get("tenant_id")?)?,
        agent: row.try_get("agent")?,
        submitted_by: row.try_get("submitted_by")?,
        status: RunState::parse(&row.try_get::<String, _>("status")?)?,
        documents_examined: count("documents_examined")?,
        documents_total: total.map(|t| u64::try_from(t).unwrap_or(0)),
        error: row.try_get("error")?,
        attempts: u32::try_from(row.try_get::<i64, _>("attempts")?).unwrap_or(u32::MAX),
        created_at: parse_rfc3339(&row.try_get::<String, _>("created_at")?)?,
        started_at: time("started_at")?,
        finished_at: time("finished_at")?,
        metered: row.try_get::<Option<String>, _>("metered_at")?.is_some(),
    })
}

fn full_from_row(row: &SqliteRow) -> Result<AgentRun, CorpusError> {
    let request: RunRequest = from_json("request", &row.try_get::<String, _>("request")?)?;
    let output: Option<String> = row.try_get("output")?;
    Ok(AgentRun {
        summary: summary_from_row(row)?,
        question: request.question,
        scope: request.scope,
        options: request.options,
        steps: from_json("steps", &row.try_get::<String, _>("steps")?)?,
        output: output.as_deref().map(|o| from_json("output", o)).transpose()?,
        citations: from_json("citations", &row.try_get::<String, _>("citations")?)?,
    })
}

/// Claim a queued run (queued → running), returning its tenant and request.
async fn claim(pool: &SqlitePool, id: Uuid) -> Result<Option<(TenantId, RunRequest)>, CorpusError> {
    let row = sqlx::query(
        "UPDATE agent_runs SET status = 'running', attempts = attempts + 1, started_at = ?, steps = '[]', \
         documents_examined = 0 WHERE id = ? AND status = 'queued' RETURNING tenant_id, request",
    )
    .bind(now_text())
    .bind(id.to_string())
    .fetch_optional(pool)
    .await?;
    match row {
        Some(row) => Ok(Some((
            stored_tenant(row.try_get("tenant_id")?)?,
            from_json("request", &row.try_get::<String, _>("request")?)?,
        ))),
        None => Ok(None),
    }
}

/// Run one queued run when a slot is free, record its outcome, then report its usage.
async fn execute(shared: Arc<Shared>, id: Uuid) {
    let Ok(_permit) = shared.permits.clone().acquire_owned().await else { return };
    if shared.stopping.load(Ordering::SeqCst) || shared.inner.is_stopping() {
        return;
    }
    let (tenant, request) = match claim(&shared.inner.writer, id).await {
        Ok(Some(claimed)) => claimed,
        Ok(None) => return,
        Err(e) => {
            tracing::error!(run = %id, error = %e, "claiming an agent run failed; it runs at the next start");
            return;
        }
    };
    let inner = shared.inner.clone();
    let stop = shared.stopping.clone();
    let handle = tokio::runtime::Handle::current();
    let outcome = tokio::task::spawn_blocking(move || {
        let agent = request.validate()?;
        let ctx = AgentContext::new(inner.clone(), tenant, handle.clone(), stop);
        let writer = inner.writer.clone();
        let mut progress = Progress::new(Box::new(move |steps: &[RunStep], examined: u64, total: Option<u64>| {
            let steps = serde_json::to_string(steps).unwrap_or_else(|_| "[]".into());
            let saved = handle.block_on(
                sqlx::query(
                    "UPDATE agent_runs SET steps = ?, documents_examined = ?, documents_total = ? WHERE id = ?",
                )
                .bind(steps)
                .bind(i64::try_from(examined).unwrap_or(i64::MAX))
                .bind(total.map(|t| i64::try_from(t).unwrap_or(i64::MAX)))
                .bind(id.to_string())
                .execute(&writer),
            );
            if let Err(e) = saved {
                tracing::warn!(run = %id, error = %e, "saving a run's progress failed");
            }
        }));
        let output = agent.run(&ctx, &request, &mut progress)?;
        let (steps, examined) = progress.finish();
        Ok::<_, CorpusError>((output, steps, examined))
    })
    .await;
    let stopping = shared.stopping.load(Ordering::SeqCst) || shared.inner.is_stopping();
    let finished = match outcome {
        Ok(Ok((output, steps, examined))) => {
            let mut citations = output.citations;
            citations.sort();
            citations.dedup();
            let saved = async {
                sqlx::query(
                    "UPDATE agent_runs SET status = 'succeeded', output = ?, citations = ?, steps = ?, \
                     documents_examined = ?, finished_at = ?, error = NULL WHERE id = ?",
                )
                .bind(json_text(&output.output)?)
                .bind(json_text(&citations)?)
                .bind(json_text(&steps)?)
                .bind(i64::try_from(examined).unwrap_or(i64::MAX))
                .bind(now_text())
                .bind(id.to_string())
                .execute(&shared.inner.writer)
                .await?;
                Ok::<_, CorpusError>(())
            }
            .await;
            match saved {
                Ok(()) => true,
                Err(e) => {
                    tracing::error!(run = %id, error = %e, "recording a finished agent run failed; it runs again at the next start");
                    return;
                }
            }
        }
        // An interrupted run resumes at the next start; failing it would lose the request.
        Ok(Err(_)) | Err(_) if stopping => return,
        Ok(Err(e)) => {
            let message = if e.is_client_error() {
                e.to_string()
            } else {
                tracing::error!(run = %id, error = %e, "agent run failed");
                format!("the run failed: {e}")
            };
            fail(&shared, id, &message).await;
            false
        }
        Err(e) => {
            tracing::error!(run = %id, error = %e, "agent run panicked");
            fail(&shared, id, "the agent stopped on an internal fault").await;
            false
        }
    };
    if finished {
        report(&shared, id).await;
    }
}

async fn fail(shared: &Shared, id: Uuid, message: &str) {
    let result = sqlx::query("UPDATE agent_runs SET status = 'failed', error = ?, finished_at = ? WHERE id = ?")
        .bind(message)
        .bind(now_text())
        .bind(id.to_string())
        .execute(&shared.inner.writer)
        .await;
    if let Err(e) = result {
        tracing::error!(run = %id, error = %e, "recording a failed agent run failed");
    }
}

/// Hand a succeeded run's report to the meter; mark it metered only when the meter says Ok.
async fn report(shared: &Arc<Shared>, id: Uuid) {
    let fresh = shared.reporting.lock().map(|mut s| s.insert(id)).unwrap_or(false);
    if !fresh {
        return;
    }
    match read_report(&shared.inner.pool, id).await {
        Ok(Some(report)) => {
            let meter = shared.meter.clone();
            // In its own task, so a panic in the meter is an error, not a lost runner.
            let call = tokio::spawn(async move { meter.run_finished(report).await });
            match tokio::time::timeout(METER_TIMEOUT, call).await {
                Ok(Ok(Ok(()))) => {
                    let marked = sqlx::query("UPDATE agent_runs SET metered_at = ? WHERE id = ?")
                        .bind(now_text())
                        .bind(id.to_string())
                        .execute(&shared.inner.writer)
                        .await;
                    if let Err(e) = marked {
                        // The ledger has it; a repeat after restart counts once by event id.
                        tracing::warn!(run = %id, error = %e, "recording that a run was metered failed");
                    }
                }
                Ok(Ok(Err(e))) => {
                    tracing::warn!(run = %id, error = %e, "the meter refused a run report; it will be retried")
                }
                Ok(Err(e)) => {
                    tracing::warn!(run = %id, error = %e, "the meter failed on a run report; it will be retried")
                }
                Err(_) => tracing::warn!(run = %id, "the meter timed out on a run report; it will be retried"),
            }
        }
        Ok(None) => {}
        Err(e) => tracing::warn!(run = %id, error = %e, "reading a run report failed; it will be retried"),
    }
    if let Ok(mut s) = shared.reporting.lock() {
        s.remove(&id);
    }
}

async fn read_report(pool: &SqlitePool, id: Uuid) -> Result<Option<RunReport>, CorpusError> {
    let row = sqlx::query(
        "SELECT tenant_id, agent, submitted_by, documents_examined, finished_at FROM agent_runs \
         WHERE id = ? AND status = 'succeeded' AND metered_at IS NULL",
    )
    .bind(id.to_string())
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let finished: Option<String> = row.try_get("finished_at")?;
    Ok(Some(RunReport {
        run_id: id,
        tenant_id: stored_tenant(row.try_get("tenant_id")?)?,
        agent: row.try_get("agent")?,
        submitted_by: row.try_get("submitted_by")?,
        documents_examined: u64::try_from(row.try_get::<i64, _>("documents_examined")?).unwrap_or(0),
        finished_at: match finished {
            Some(f) => parse_rfc3339(&f)?,
            None => OffsetDateTime::now_utc(),
        },
    }))
}

/// Offer the meter every succeeded run it has not acknowledged: at start (a run that finished
/// just before the process died) and then every 30 seconds.
async fn retry_unmetered(shared: Arc<Shared>) {
    let mut stop = shared.inner.stop_tx.subscribe();
    loop {
        if shared.stopping.load(Ordering::SeqCst) || shared.inner.is_stopping() {
            return;
        }
        let ids: Result<Vec<String>, sqlx::Error> = sqlx::query_scalar(
            "SELECT id FROM agent_runs WHERE status = 'succeeded' AND metered_at IS NULL ORDER BY finished_at LIMIT 1000",
        )
        .fetch_all(&shared.inner.pool)
        .await;
        match ids {
            Ok(ids) => {
                for id in ids.iter().filter_map(|id| Uuid::parse_str(id).ok()) {
                    report(&shared, id).await;
                }
            }
            Err(e) => tracing::warn!(error = %e, "listing unmetered agent runs failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(METER_RETRY_EVERY) => {}
            _ = stop.changed() => return,
        }
    }
}
