//! Ingestion jobs: what a caller submits, how a job is reported, and the job table.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

use docket_billing::TenantId;
use serde::{Deserialize, Serialize};
use sqlx::{Row, SqlitePool};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::CorpusError;
use crate::registry::{SourceType, parse_uuid};
use crate::util::{parse_rfc3339, stored_tenant};

/// Most sources accepted in one submission.
pub const MAX_SOURCES: usize = 1_000;
/// Most files one job walks under its directories; the rest are reported, not ingested.
pub const MAX_FILES_PER_JOB: usize = 200_000;

/// One thing to ingest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Source {
    /// A file or a folder (walked recursively) under one of the configured ingest roots.
    /// A relative path is taken relative to the first root under which it exists.
    Local {
        #[schema(value_type = String)]
        path: PathBuf,
    },
    /// Text sent by the caller; `name`'s extension picks the parser (plain text when it has none).
    Inline {
        name: String,
        content: String,
        #[serde(default)]
        media_type: Option<String>,
    },
    /// A file the server has received and written to `staged_path`; the content is copied into
    /// the store at submission, so the caller may delete the staged file afterwards. Never
    /// accepted from JSON: a client must not name files on the server.
    #[serde(skip_deserializing)]
    Upload {
        file_name: String,
        media_type: Option<String>,
        #[schema(value_type = String)]
        staged_path: PathBuf,
    },
}

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Queued,
    Running,
    /// Every document was ingested or recognised as a duplicate.
    Succeeded,
    /// Some documents failed, others were ingested.
    PartiallyFailed,
    /// Documents were found and every one of them failed.
    Failed,
}

impl JobState {
    /// The stored and serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Succeeded => "succeeded",
            JobState::PartiallyFailed => "partially_failed",
            JobState::Failed => "failed",
        }
    }

    /// True once the job will not change any more.
    pub fn is_finished(self) -> bool {
        matches!(self, JobState::Succeeded | JobState::PartiallyFailed | JobState::Failed)
    }

    fn parse(s: &str) -> Result<JobState, CorpusError> {
        Ok(match s {
            "queued" => JobState::Queued,
            "running" => JobState::Running,
            "succeeded" => JobState::Succeeded,
            "partially_failed" => JobState::PartiallyFailed,
            "failed" => JobState::Failed,
            other => return Err(CorpusError::Corrupt(format!("unknown job status '{other}'"))),
        })
    }
}

/// Why one document of a job was not ingested.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct JobError {
    /// The path, file name or attachment ("parent > attachment") that failed.
    pub source: String,
    pub error: String,
}

/// A job and its progress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct JobStatus {
    /// The job's id, as `job_id` in JSON (the name every endpoint and report uses).
    #[serde(rename = "job_id")]
    pub id: Uuid,
    pub tenant_id: TenantId,
    pub submitted_by: String,
    pub status: JobState,
    /// Documents found so far (files under folders, inline and uploaded sources, attachments).
    pub discovered: u64,
    /// Documents newly registered for the tenant.
    pub ingested: u64,
    /// Documents whose content the tenant already had (not billed, not indexed again).
    pub duplicates: u64,
    pub failed: u64,
    /// Bytes of new content accepted for the tenant (the billed quantity); attachments are
    /// inside their parent's bytes and are not counted twice.
    pub bytes: u64,
    pub errors: Vec<JobError>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub started_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
    /// True once the usage of this job was recorded by the meter.
    pub metered: bool,
}

/// The usage of one finished job, handed to the [`JobMeter`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct JobReport {
    /// Also the usage event id: a report repeated after a restart must be counted once.
    pub job_id: Uuid,
    pub tenant_id: TenantId,
    pub submitted_by: String,
    pub documents_ingested: u64,
    pub duplicates: u64,
    pub failed: u64,
    /// Bytes of new content for the tenant: the ingestion quantity billed.
    pub new_bytes: u64,
    #[serde(with = "time::serde::rfc3339")]
    pub finished_at: OffsetDateTime,
    /// When the job started running (its duration, for telemetry); none if it never ran.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub started_at: Option<OffsetDateTime>,
    /// True when the job as a whole failed (not only some of its files).
    #[serde(default)]
    pub job_failed: bool,
}

/// Records one ingestion usage event per finished job (implemented by the server).
pub trait JobMeter: Send + Sync + 'static {
    /// Record the job's usage durably; Ok means it is recorded and will not be asked again.
    fn job_finished(&self, report: JobReport) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + '_>>;
}

/// A validated source as persisted with its job, so the job can run again after a restart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum StoredSource {
    /// A canonical path inside the roots; `given` is what the caller wrote, used in messages.
    Local { path: PathBuf, given: String },
    /// Content already in the store.
    Content { source_type: SourceType, name: String, media_type: Option<String>, sha256: String, bytes: u64 },
}

/// A job claimed by a worker.
#[derive(Debug, Clone)]
pub(crate) struct ClaimedJob {
    pub id: Uuid,
    pub tenant: TenantId,
    pub sources: Vec<StoredSource>,
    pub attempts: i64,
}

/// Counters of a running job.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub discovered: u64,
    pub ingested: u64,
    pub duplicates: u64,
    pub failed: u64,
    pub bytes: u64,
}

impl Counts {
    /// The final state of a job with these counts.
    pub(crate) fn final_state(&self) -> JobState {
        if self.failed == 0 {
            JobState::Succeeded
        } else if self.ingested + self.duplicates == 0 {
            JobState::Failed
        } else {
            JobState::PartiallyFailed
        }
    }
}

fn now_text() -> String {
    crate::util::ts_key(OffsetDateTime::now_utc())
}

fn i64_of(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn u64_of(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

/// Persist a new queued job.
pub(crate) async fn insert(
    pool: &SqlitePool,
    id: Uuid,
    tenant: &TenantId,
    submitted_by: &str,
    sources: &[StoredSource],
    created_at: OffsetDateTime,
) -> Result<(), CorpusError> {
    let sources = serde_json::to_string(sources).map_err(|e| CorpusError::Corrupt(e.to_string()))?;
    sqlx::query(
        "INSERT INTO jobs (id, tenant_id, submitted_by, status, sources, created_at) VALUES (?, ?, ?, 'queued', ?, ?)",
    )
    .bind(id.to_string())
    .bind(tenant.as_str())
    .bind(submitted_by)
    .bind(sources)
    .bind(crate::util::ts_key(created_at))
    .execute(pool)
    .await?;
    Ok(())
}

const STATUS_COLUMNS: &str = "id, tenant_id, submitted_by, status, discovered, ingested, duplicates, failed, bytes, \
     errors, created_at, started_at, finished_at, metered_at";

fn status_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<JobStatus, CorpusError> {
    let errors: String = row.try_get("errors")?;
    let started: Option<String> = row.try_get("started_at")?;
    let finished: Option<String> = row.try_get("finished_at")?;
    let metered: Option<String> = row.try_get("metered_at")?;
    Ok(JobStatus {
        id: parse_uuid(&row.try_get::<String, _>("id")?)?,
        tenant_id: stored_tenant(row.try_get("tenant_id")?)?,
        submitted_by: row.try_get("submitted_by")?,
        status: JobState::parse(&row.try_get::<String, _>("status")?)?,
        discovered: u64_of(row.try_get("discovered")?),
        ingested: u64_of(row.try_get("ingested")?),
        duplicates: u64_of(row.try_get("duplicates")?),
        failed: u64_of(row.try_get("failed")?),
        bytes: u64_of(row.try_get("bytes")?),
        errors: serde_json::from_str(&errors).map_err(|e| CorpusError::Corrupt(format!("job errors: {e}")))?,
        created_at: parse_rfc3339(&row.try_get::<String, _>("created_at")?)?,
        started_at: started.as_deref().map(parse_rfc3339).transpose()?,
        finished_at: finished.as_deref().map(parse_rfc3339).transpose()?,
        metered: metered.is_some(),
    })
}

/// A tenant's job, or None.
pub(crate) async fn get(pool: &SqlitePool, tenant: &TenantId, id: Uuid) -> Result<Option<JobStatus>, CorpusError> {
    let row = sqlx::query(&format!("SELECT {STATUS_COLUMNS} FROM jobs WHERE tenant_id = ? AND id = ?"))
        .bind(tenant.as_str())
        .bind(id.to_string())
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(status_from_row).transpose()
}

/// A tenant's most recent jobs, newest first.
pub(crate) async fn recent(pool: &SqlitePool, tenant: &TenantId, limit: u32) -> Result<Vec<JobStatus>, CorpusError> {
    let rows = sqlx::query(&format!(
        "SELECT {STATUS_COLUMNS} FROM jobs WHERE tenant_id = ? ORDER BY created_at DESC, id DESC LIMIT ?"
    ))
    .bind(tenant.as_str())
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    rows.iter().map(status_from_row).collect()
}

/// Claim the oldest queued job for a worker.
pub(crate) async fn claim(pool: &SqlitePool) -> Result<Option<ClaimedJob>, CorpusError> {
    let row = sqlx::query(
        "UPDATE jobs SET status = 'running', attempts = attempts + 1, started_at = COALESCE(started_at, ?) \
         WHERE id = (SELECT id FROM jobs WHERE status = 'queued' ORDER BY created_at, id LIMIT 1) AND status = 'queued' \
         RETURNING id, tenant_id, sources, attempts",
    )
    .bind(now_text())
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let sources: String = row.try_get("sources")?;
    Ok(Some(ClaimedJob {
        id: parse_uuid(&row.try_get::<String, _>("id")?)?,
        tenant: stored_tenant(row.try_get("tenant_id")?)?,
        sources: serde_json::from_str(&sources).map_err(|e| CorpusError::Corrupt(format!("job sources: {e}")))?,
        attempts: row.try_get("attempts")?,
    }))
}

/// Save a running job's progress.
pub(crate) async fn save_progress(
    pool: &SqlitePool,
    id: Uuid,
    counts: &Counts,
    errors: &[JobError],
) -> Result<(), CorpusError> {
    let errors = serde_json::to_string(errors).map_err(|e| CorpusError::Corrupt(e.to_string()))?;
    sqlx::query(
        "UPDATE jobs SET discovered = ?, ingested = ?, duplicates = ?, failed = ?, bytes = ?, errors = ? WHERE id = ?",
    )
    .bind(i64_of(counts.discovered))
    .bind(i64_of(counts.ingested))
    .bind(i64_of(counts.duplicates))
    .bind(i64_of(counts.failed))
    .bind(i64_of(counts.bytes))
    .bind(errors)
    .bind(id.to_string())
    .execute(pool)
    .await?;
    Ok(())
}

/// Record a job's end.
pub(crate) async fn finish(
    pool: &SqlitePool,
    id: Uuid,
    state: JobState,
    counts: &Counts,
    errors: &[JobError],
) -> Result<(), CorpusError> {
    save_progress(pool, id, counts, errors).await?;
    sqlx::query("UPDATE jobs SET status = ?, finished_at = ? WHERE id = ?")
        .bind(state.as_str())
        .bind(now_text())
        .bind(id.to_string())
        .execute(pool)
        .await?;
    clear_job_markers(pool, id).await
}

/// Put a job back in the queue (interrupted by a shutdown or a transient fault).
pub(crate) async fn requeue(pool: &SqlitePool, id: Uuid) -> Result<(), CorpusError> {
    sqlx::query("UPDATE jobs SET status = 'queued' WHERE id = ? AND status = 'running'")
        .bind(id.to_string())
        .execute(pool)
        .await?;
    Ok(())
}

/// Jobs left running by a process that stopped: queue them again.
pub(crate) async fn requeue_running(pool: &SqlitePool) -> Result<u64, CorpusError> {
    let done = sqlx::query("UPDATE jobs SET status = 'queued' WHERE status = 'running'").execute(pool).await?;
    Ok(done.rows_affected())
}

/// Finished jobs whose usage the meter has not acknowledged.
pub(crate) async fn unmetered(pool: &SqlitePool) -> Result<Vec<Uuid>, CorpusError> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM jobs WHERE metered_at IS NULL AND status IN ('succeeded', 'partially_failed', 'failed') \
         ORDER BY finished_at, id LIMIT 1000",
    )
    .fetch_all(pool)
    .await?;
    ids.iter().map(|s| parse_uuid(s)).collect()
}

/// The report of a finished job, read back from the table.
pub(crate) async fn report(pool: &SqlitePool, id: Uuid) -> Result<Option<JobReport>, CorpusError> {
    let row = sqlx::query(&format!("SELECT {STATUS_COLUMNS} FROM jobs WHERE id = ?"))
        .bind(id.to_string())
        .fetch_optional(pool)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let status = status_from_row(&row)?;
    let Some(finished_at) = status.finished_at.filter(|_| status.status.is_finished()) else { return Ok(None) };
    Ok(Some(JobReport {
        job_id: status.id,
        tenant_id: status.tenant_id,
        submitted_by: status.submitted_by,
        documents_ingested: status.ingested,
        duplicates: status.duplicates,
        failed: status.failed,
        new_bytes: status.bytes,
        finished_at,
        started_at: status.started_at,
        job_failed: status.status == JobState::Failed,
    }))
}

/// Note that the meter acknowledged a job's report.
pub(crate) async fn mark_metered(pool: &SqlitePool, id: Uuid) -> Result<(), CorpusError> {
    sqlx::query("UPDATE jobs SET metered_at = ? WHERE id = ?")
        .bind(now_text())
        .bind(id.to_string())
        .execute(pool)
        .await?;
    Ok(())
}

/// What a job is told about a file whose parse took the process down.
pub(crate) const CRASHED_PARSER: &str =
    "crashed the parser: the server stopped while parsing this file; it is not parsed again";

/// Mark a file as being parsed for a job, durably, before parsing it. Returns false when a
/// previous run of the job crashed on this very file: it must not be parsed again.
pub(crate) async fn mark_parsing(
    pool: &SqlitePool,
    job: Uuid,
    sha256: &str,
    source: &str,
) -> Result<bool, CorpusError> {
    let crashed: i64 = sqlx::query_scalar(
        "INSERT INTO parse_markers (job_id, sha256, source, started_at) VALUES (?, ?, ?, ?) \
         ON CONFLICT (job_id, sha256) DO UPDATE SET started_at = excluded.started_at RETURNING crashed",
    )
    .bind(job.to_string())
    .bind(sha256)
    .bind(source)
    .bind(now_text())
    .fetch_one(pool)
    .await?;
    Ok(crashed == 0)
}

/// Clear the mark of a file whose parse ended (whatever its outcome).
pub(crate) async fn clear_parsing(pool: &SqlitePool, job: Uuid, sha256: &str) -> Result<(), CorpusError> {
    sqlx::query("DELETE FROM parse_markers WHERE job_id = ? AND sha256 = ? AND crashed = 0")
        .bind(job.to_string())
        .bind(sha256)
        .execute(pool)
        .await?;
    Ok(())
}

/// At start, before any job runs: every mark left is a file whose parse the previous process
/// did not survive. They are kept as crashed, so the resumed job fails them instead of parsing.
pub(crate) async fn mark_crashed_parses(pool: &SqlitePool) -> Result<Vec<(String, String)>, CorpusError> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("UPDATE parse_markers SET crashed = 1 WHERE crashed = 0 RETURNING job_id, source")
            .fetch_all(pool)
            .await?;
    Ok(rows)
}

/// Forget the marks of a finished job.
pub(crate) async fn clear_job_markers(pool: &SqlitePool, job: Uuid) -> Result<(), CorpusError> {
    sqlx::query("DELETE FROM parse_markers WHERE job_id = ?").bind(job.to_string()).execute(pool).await?;
    Ok(())
}

/// At an orderly stop: the files still being parsed did not crash anything; forget them.
pub(crate) async fn clear_interrupted_parses(pool: &SqlitePool) -> Result<(), CorpusError> {
    sqlx::query("DELETE FROM parse_markers WHERE crashed = 0").execute(pool).await?;
    Ok(())
}
