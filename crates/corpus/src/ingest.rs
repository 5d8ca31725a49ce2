//! The ingestion workers: claim a queued job, walk its sources, parse, register, index, meter.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::{QueryBuilder, Sqlite};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::context::Inner;
use crate::entities::entity_id;
use crate::error::CorpusError;
use crate::index::IndexDoc;
use crate::index::facts::{EventFact, MentionFact};
use crate::jobs::{self, ClaimedJob, Counts, JobError, StoredSource};
use crate::local::Walked;
use crate::model::{Attachment, EntityMention, ExtractedDate, ParsedDocument};
use crate::parse::ParseError;
use crate::registry::{self, AttachmentNote, AttachmentStatus, NewAttachment, SourceType};
use crate::store::sha256_hex;
use crate::timeline::{self, NewEvent};
use crate::util::ts_key;

/// Documents indexed between two index commits within one job.
const INDEX_BATCH: usize = 1_000;
/// How often a running job's counters are written for progress polling.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);
/// How long the meter may take to acknowledge a report.
const METER_TIMEOUT: Duration = Duration::from_secs(30);
/// How often unacknowledged reports are offered to the meter again.
const METER_RETRY_EVERY: Duration = Duration::from_secs(30);
/// A job that hits internal faults this many times is given up (and reported as failed).
const MAX_ATTEMPTS: i64 = 3;

/// One worker: runs queued jobs until the corpus shuts down.
pub(crate) async fn worker(inner: Arc<Inner>, n: usize) {
    let mut stop = inner.stop_tx.subscribe();
    let mut next_meter_retry = Instant::now();
    loop {
        if inner.is_stopping() {
            break;
        }
        if n == 0 && Instant::now() >= next_meter_retry {
            retry_unmetered(&inner).await;
            next_meter_retry = Instant::now() + METER_RETRY_EVERY;
        }
        match jobs::claim(&inner.writer).await {
            Ok(Some(job)) => {
                // A panic while running a job (a bug) must not take the worker with it: the
                // job goes back to the queue and the worker carries on.
                let id = job.id;
                if let Err(e) = tokio::spawn(run_claimed(inner.clone(), job)).await {
                    tracing::error!(job = %id, error = %e, "ingestion job task failed; re-queued");
                    mark_reporting(&inner, id, false);
                    let _ = jobs::requeue(&inner.writer, id).await;
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
            Ok(None) => {
                tokio::select! {
                    _ = inner.wake.notified() => {}
                    _ = stop.changed() => {}
                    _ = tokio::time::sleep(Duration::from_secs(2)) => {}
                }
            }
            Err(e) => {
                if inner.is_stopping() {
                    break;
                }
                tracing::error!(error = %e, "claiming an ingestion job failed");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

async fn run_claimed(inner: Arc<Inner>, job: ClaimedJob) {
    let inner = &inner;
    let id = job.id;
    let attempts = job.attempts;
    let tenant = job.tenant.clone();
    match run_job(inner, job).await {
        Ok(true) => report(inner, id).await,
        Ok(false) => {
            if let Err(e) = jobs::requeue(&inner.writer, id).await {
                tracing::error!(job = %id, error = %e, "re-queueing an interrupted job failed; it resumes at the next start");
            }
        }
        Err(e) => {
            tracing::error!(job = %id, tenant = %tenant, attempt = attempts, error = %e, "ingestion job hit an internal fault");
            if inner.is_stopping() {
                let _ = jobs::requeue(&inner.writer, id).await;
            } else if attempts >= MAX_ATTEMPTS {
                give_up(inner, id, &e).await;
            } else {
                let _ = jobs::requeue(&inner.writer, id).await;
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// A job that keeps failing for internal reasons is closed as failed, keeping whatever it
/// registered, so it does not block the queue forever; its usage is still reported.
async fn give_up(inner: &Arc<Inner>, id: Uuid, err: &CorpusError) {
    let errors = vec![JobError {
        source: "job".into(),
        error: format!("internal error, gave up after {MAX_ATTEMPTS} attempts: {err}"),
    }];
    let row = sqlx::query_as::<_, (i64, i64, i64, i64, i64)>(
        "SELECT discovered, ingested, duplicates, failed, bytes FROM jobs WHERE id = ?",
    )
    .bind(id.to_string())
    .fetch_optional(&inner.pool)
    .await;
    let counts = match row {
        Ok(Some((d, i, du, f, b))) => Counts {
            discovered: u64::try_from(d).unwrap_or(0),
            ingested: u64::try_from(i).unwrap_or(0),
            duplicates: u64::try_from(du).unwrap_or(0),
            failed: u64::try_from(f).unwrap_or(0) + 1,
            bytes: u64::try_from(b).unwrap_or(0),
        },
        _ => Counts { failed: 1, ..Counts::default() },
    };
    mark_reporting(inner, id, true);
    match jobs::finish(&inner.writer, id, jobs::JobState::Failed, &counts, &errors).await {
        Ok(()) => report_marked(inner, id).await,
        Err(e) => {
            mark_reporting(inner, id, false);
            tracing::error!(job = %id, error = %e, "closing a failing job failed");
        }
    }
}

fn mark_reporting(inner: &Inner, id: Uuid, on: bool) {
    if let Ok(mut set) = inner.reporting.lock() {
        if on {
            set.insert(id);
        } else {
            set.remove(&id);
        }
    }
}

/// Hand a finished job's report to the meter; mark it metered only when the meter says Ok.
async fn report(inner: &Arc<Inner>, id: Uuid) {
    mark_reporting(inner, id, true);
    report_marked(inner, id).await;
}

async fn report_marked(inner: &Arc<Inner>, id: Uuid) {
    match jobs::report(&inner.pool, id).await {
        Ok(Some(report)) => match tokio::time::timeout(METER_TIMEOUT, call_meter(inner, report)).await {
            Ok(Ok(())) => {
                if let Err(e) = jobs::mark_metered(&inner.writer, id).await {
                    // The meter has it; a repeat after restart is counted once by event id.
                    tracing::warn!(job = %id, error = %e, "recording that a job was metered failed");
                }
            }
            Ok(Err(e)) => tracing::warn!(job = %id, error = %e, "the meter refused a job report; it will be retried"),
            Err(_) => tracing::warn!(job = %id, "the meter timed out on a job report; it will be retried"),
        },
        Ok(None) => {}
        Err(e) => tracing::warn!(job = %id, error = %e, "reading a job report failed; it will be retried"),
    }
    mark_reporting(inner, id, false);
}

/// Call the meter in its own task so that a panic in it is an error, not a dead worker.
async fn call_meter(inner: &Arc<Inner>, report: jobs::JobReport) -> Result<(), String> {
    let meter = inner.meter.clone();
    match tokio::spawn(async move { meter.job_finished(report).await }).await {
        Ok(result) => result,
        Err(e) => Err(format!("the meter failed: {e}")),
    }
}

async fn retry_unmetered(inner: &Arc<Inner>) {
    let ids = match jobs::unmetered(&inner.pool).await {
        Ok(ids) => ids,
        Err(e) => {
            tracing::warn!(error = %e, "listing unmetered jobs failed");
            return;
        }
    };
    for id in ids {
        if inner.is_stopping() {
            return;
        }
        let busy = inner.reporting.lock().map(|mut s| !s.insert(id)).unwrap_or(true);
        if !busy {
            report_marked(inner, id).await;
        }
    }
}

/// A file or attachment waiting to be ingested.
struct Item {
    /// Name given to the parser (its extension picks the parser when no media type is known).
    name: String,
    /// Provenance: canonical path, file name or attachment name.
    source: String,
    /// How errors name it.
    label: String,
    source_type: SourceType,
    media_type: Option<String>,
    bytes: Vec<u8>,
    parent: Option<Uuid>,
    /// Its place among its parent's attachments.
    position: Option<u32>,
    depth: u8,
}

/// What one file yields after the blocking work.
struct Analysed {
    parsed: ParsedDocument,
    dates: Vec<ExtractedDate>,
    mentions: Vec<EntityMention>,
    /// The text's passages for the index, found here so that it happens in parallel.
    passages: Vec<(usize, usize)>,
    /// SHA-256 of the text in the content store, once stored there.
    text_sha256: Option<String>,
    /// The attachments as the document lists them (hashed here, off the async threads).
    attachments: Vec<NewAttachment>,
}

/// Why a file was not analysed.
#[derive(Clone)]
struct Failure {
    error: String,
    /// No parser reads its type: for an attachment, a fact to list on the parent, not a failure.
    unsupported: bool,
}

/// Files read, hashed, parsed and stored ahead of the one being registered: storing waits on
/// fsync, so overlapping many files is what keeps ingestion of small files fast...
const PREFETCH: usize = 16;
/// ...within this many bytes of file content held in memory at once.
const PREFETCH_BYTES: u64 = 128 * 1024 * 1024;

/// A file after the work that does not depend on the registry's next state.
enum Fetched {
    /// The file could not be read.
    Failed { label: String, error: String },
    /// Boxed: an analysed document is large, a failure small.
    Ready(Box<Ready>),
}

/// A file hashed, looked up and (when needed) analysed.
struct Ready {
    item: Item,
    sha: String,
    /// The tenant's document with this content when the file was fetched.
    existing: Option<registry::Existing>,
    /// None when the tenant already had the content from another job (no need to parse).
    analysed: Option<Result<Analysed, Failure>>,
}

/// Read a local file (within the size limit, without following links), then [`fetch`] it.
async fn fetch_local(
    inner: &Arc<Inner>,
    tenant: &str,
    job: Uuid,
    root: usize,
    rel: PathBuf,
) -> Result<Fetched, CorpusError> {
    let limit = inner.limits.max_file_bytes;
    let reader = inner.clone();
    // One blocking call for the file system work and the hash of a file.
    let read = tokio::task::spawn_blocking(move || {
        let Some(root) = reader.roots.get(root) else {
            return Err(Fetched::Failed { label: rel.display().to_string(), error: "no such ingest root".into() });
        };
        let label = root.display(&rel);
        match crate::local::read(root, &rel, limit) {
            Ok(bytes) => {
                let sha = sha256_hex(&bytes);
                let item = Item {
                    name: file_name_of(&rel),
                    source: label.clone(),
                    label,
                    source_type: SourceType::Local,
                    media_type: None,
                    bytes,
                    parent: None,
                    position: None,
                    depth: 0,
                };
                Ok((item, sha))
            }
            Err(error) => Err(Fetched::Failed { label, error }),
        }
    })
    .await?;
    match read {
        Ok((item, sha)) => fetch_hashed(inner, tenant, job, item, sha).await,
        Err(failed) => Ok(failed),
    }
}

/// Hash an item, look its content up in the tenant's registry and, unless another job already
/// brought it, parse and extract it and keep its bytes in the content store.
async fn fetch(inner: &Arc<Inner>, tenant: &str, job: Uuid, item: Item) -> Result<Fetched, CorpusError> {
    let (item, sha) = tokio::task::spawn_blocking(move || {
        let sha = sha256_hex(&item.bytes);
        (item, sha)
    })
    .await?;
    fetch_hashed(inner, tenant, job, item, sha).await
}

/// [`fetch`] of an item whose SHA-256 is known.
async fn fetch_hashed(
    inner: &Arc<Inner>,
    tenant: &str,
    job: Uuid,
    item: Item,
    sha: String,
) -> Result<Fetched, CorpusError> {
    let existing = registry::find_by_hash(&inner.pool, tenant, &sha).await?;
    if existing.as_ref().is_some_and(|e| e.job_id != job) {
        return Ok(Fetched::Ready(Box::new(Ready { item, sha, existing, analysed: None })));
    }
    // A parse that could take the process down is marked first, so that the next start fails
    // the file instead of parsing it again (and going down again).
    let marked = crate::parse::needs_isolation(&item.name, item.media_type.as_deref(), &item.bytes);
    if marked && !jobs::mark_parsing(&inner.writer, job, &sha, &item.label).await? {
        let failure = Failure { error: jobs::CRASHED_PARSER.into(), unsupported: false };
        return Ok(Fetched::Ready(Box::new(Ready { item, sha, existing, analysed: Some(Err(failure)) })));
    }
    let limits = inner.limits;
    let store = existing.is_none();
    let inner2 = inner.clone();
    let (item, analysed) = tokio::task::spawn_blocking(move || {
        let inner = inner2;
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let (name, media_type) = (&item.name, item.media_type.as_deref());
            crate::parse::parse_bounded(inner.sandbox.as_ref(), name, media_type, &item.bytes, &limits).map(|parsed| {
                let sentences = crate::extract::sentences(&parsed.text);
                let dates = crate::extract::dates_in(&parsed, &sentences);
                let mentions = crate::extract::entities(&parsed);
                let passages = crate::index::passages_of(&parsed.text, &sentences);
                let attachments = parsed
                    .attachments
                    .iter()
                    .map(|a| NewAttachment {
                        file_name: a.file_name.clone(),
                        media_type: a.media_type.clone(),
                        bytes: a.bytes.len() as u64,
                        sha256: sha256_hex(&a.bytes),
                    })
                    .collect();
                Analysed { parsed, dates, mentions, passages, text_sha256: None, attachments }
            })
        }));
        // A panic on some input is a parser bug; it fails that document, not the job.
        let result = match result {
            Ok(Ok(a)) => Ok(a),
            Ok(Err(e)) => Err(Failure { unsupported: matches!(e, ParseError::Unsupported(_)), error: e.to_string() }),
            Err(_) => {
                Err(Failure { error: "the parser failed unexpectedly on this file".to_owned(), unsupported: false })
            }
        };
        let mut result = result;
        if store && let Ok(analysed) = &mut result {
            inner.store.put(&item.bytes)?;
            analysed.text_sha256 = Some(inner.store.put(analysed.parsed.text.as_bytes())?.sha256);
        }
        Ok::<_, CorpusError>((item, result))
    })
    .await??;
    if marked {
        jobs::clear_parsing(&inner.writer, job, &sha).await?;
    }
    Ok(Fetched::Ready(Box::new(Ready { item, sha, existing, analysed: Some(analysed) })))
}

struct Run<'a> {
    inner: &'a Arc<Inner>,
    job: Uuid,
    tenant: String,
    counts: Counts,
    errors: Vec<JobError>,
    /// Content hashes met in this run: a second copy within one job is a duplicate...
    seen: HashSet<String>,
    /// ...unless the first copy failed: then the copy fails with the same error.
    failed_content: HashMap<String, Failure>,
    /// What became of attachments that are not documents, for the next registration.
    notes: Vec<AttachmentNote>,
    /// Documents added to the index since its last commit (handed to the registration in flight
    /// while one runs).
    pending: Vec<Uuid>,
    /// Documents analysed and waiting for the next registry transaction.
    batch: Vec<Pending>,
    batch_bytes: usize,
    /// When the first document of `batch` was added.
    batch_since: Instant,
    /// Documents another job registered first (and so their attachments are not registered).
    lost: HashSet<Uuid>,
    /// The registration (and indexing) in flight, if any (see [`Run::start_registration`]).
    registering: Option<tokio::task::JoinHandle<Result<Indexed, CorpusError>>>,
    last_progress: Instant,
}

/// Documents registered in one registry transaction. Large transactions are what makes the
/// registry fast: a commit writes every page it changed, and the rows of a batch (timeline
/// events by date, entities by name) land all over their indexes, so many rows per commit
/// share each written page.
const REGISTER_BATCH: usize = 1024;
/// A batch is also registered once its text reaches this size, to bound memory...
const REGISTER_BATCH_BYTES: usize = 32 << 20;
/// ...and once its first document has waited this long, so that progress stays current on
/// slow files.
const REGISTER_AFTER: Duration = Duration::from_secs(3);

/// A document analysed and waiting for the next registry transaction.
struct Pending {
    item: Item,
    size: u64,
    id: Uuid,
    sha: String,
    analysed: Analysed,
}

/// Run a job; Ok(true) when it finished, Ok(false) when a shutdown interrupted it.
async fn run_job(inner: &Arc<Inner>, job: ClaimedJob) -> Result<bool, CorpusError> {
    let mut run = Run {
        inner,
        job: job.id,
        tenant: job.tenant.clone(),
        counts: Counts::default(),
        errors: Vec::new(),
        seen: HashSet::new(),
        failed_content: HashMap::new(),
        notes: Vec::new(),
        pending: Vec::new(),
        batch: Vec::new(),
        batch_bytes: 0,
        batch_since: Instant::now(),
        lost: HashSet::new(),
        registering: None,
        last_progress: Instant::now(),
    };
    // A resumed job starts counting from zero: documents it registered before the restart are
    // recognised by their job id and counted again as ingested.
    jobs::save_progress(&inner.writer, job.id, &run.counts, &run.errors).await?;
    for source in &job.sources {
        match source {
            StoredSource::Local { path, given } => {
                if !run.local(path, given).await? {
                    run.flush().await?;
                    return Ok(false);
                }
            }
            StoredSource::Content { source_type, name, media_type, sha256, .. } => {
                if inner.is_stopping() {
                    run.flush().await?;
                    return Ok(false);
                }
                run.counts.discovered += 1;
                let inner2 = inner.clone();
                let sha = sha256.clone();
                match tokio::task::spawn_blocking(move || inner2.store.get(&sha)).await? {
                    Ok(bytes) => {
                        let item = Item {
                            name: name.clone(),
                            source: name.clone(),
                            label: name.clone(),
                            source_type: *source_type,
                            media_type: media_type.clone(),
                            bytes,
                            parent: None,
                            position: None,
                            depth: 0,
                        };
                        let fetched = fetch(inner, &run.tenant, run.job, item).await?;
                        run.process(fetched).await?;
                    }
                    Err(e) => run.fail(name, format!("stored content is missing: {e}")),
                }
                run.progress(false).await?;
            }
        }
    }
    run.flush().await?;
    let state = run.counts.final_state();
    mark_reporting(inner, job.id, true);
    if let Err(e) = jobs::finish(&inner.writer, job.id, state, &run.counts, &run.errors).await {
        mark_reporting(inner, job.id, false);
        return Err(e);
    }
    tracing::info!(job = %job.id, tenant = %job.tenant, status = state.as_str(), ingested = run.counts.ingested,
        duplicates = run.counts.duplicates, failed = run.counts.failed, bytes = run.counts.bytes, "ingestion job finished");
    Ok(true)
}

/// What a registration did: the batch back, which of its documents were added, and the
/// documents lost to other jobs so far.
struct Registered {
    batch: Vec<Pending>,
    inserted: Vec<bool>,
    lost: HashSet<Uuid>,
    /// The events of the inserted documents, by document.
    events: HashMap<Uuid, Vec<EventFact>>,
}

/// Register a batch of documents, with their events and mentions, in one transaction. `lost`
/// holds the documents another job registered first (whose attachments are that job's too);
/// it is returned with this batch's added.
async fn register(
    inner: &Arc<Inner>,
    tenant: &str,
    job: Uuid,
    batch: Vec<Pending>,
    notes: &[AttachmentNote],
    mut lost: HashSet<Uuid>,
) -> Result<Registered, CorpusError> {
    // The batch's content must be durable before any row refers to it.
    let store = inner.clone();
    tokio::task::spawn_blocking(move || store.store.sync()).await??;
    let now = ts_key(OffsetDateTime::now_utc());
    // The attachments of a document another job registered first are that job's.
    let mut eligible = Vec::with_capacity(batch.len());
    for (i, pending) in batch.iter().enumerate() {
        if pending.item.parent.is_some_and(|parent| lost.contains(&parent)) {
            lost.insert(pending.id);
        } else {
            eligible.push(i);
        }
    }
    let mut rows = Vec::with_capacity(eligible.len());
    for &i in &eligible {
        let Pending { item, size, id, sha, analysed: a } = &batch[i];
        let p = &a.parsed;
        let recipients = serde_json::to_string(&p.recipients).map_err(|e| CorpusError::Corrupt(e.to_string()))?;
        let media_type =
            if p.media_type.is_empty() { item.media_type.clone().unwrap_or_default() } else { p.media_type.clone() };
        let date = p.document_date.filter(|d| (1..=9999).contains(&d.year())).map(ts_key);
        let modified = p.modified_date.filter(|d| (1..=9999).contains(&d.year())).map(ts_key);
        // The text is in the content store; the row only names it.
        let (text, text_sha256) = match &a.text_sha256 {
            Some(sha) => ("", Some(sha.as_str())),
            None => (p.text.as_str(), None),
        };
        rows.push((item, *size, id.to_string(), sha, p, recipients, media_type, (date, modified), text, text_sha256));
    }
    let mut tx = inner.writer.begin().await?;
    // The batch's documents in one statement; a content another job of the same tenant
    // registered a moment ago is not inserted and not returned.
    let mut returned: HashSet<String> = HashSet::with_capacity(rows.len());
    for chunk in rows.chunks(registry::rows_per_statement(21)) {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "INSERT INTO documents (id, tenant_id, source_type, source, sha256, bytes, media_type, parser, job_id, \
             ingested_at, title, author, recipients, document_date, modified_date, subject, parent_id, text, \
             text_sha256, indexed, warnings) ",
        );
        qb.push_values(chunk, |mut b, (item, size, id, sha, p, recipients, media_type, dates, text, text_sha256)| {
            b.push_bind(id.as_str())
                .push_bind(tenant)
                .push_bind(item.source_type.as_str())
                .push_bind(item.source.as_str())
                .push_bind(sha.as_str())
                .push_bind(i64::try_from(*size).unwrap_or(i64::MAX))
                .push_bind(media_type.as_str())
                .push_bind(p.parser)
                .push_bind(job.to_string())
                .push_bind(now.as_str())
                .push_bind(p.title.as_deref())
                .push_bind(p.author.as_deref())
                .push_bind(recipients.as_str())
                .push_bind(dates.0.as_deref())
                .push_bind(dates.1.as_deref())
                .push_bind(p.subject.as_deref())
                .push_bind(item.parent.map(|u| u.to_string()))
                .push_bind(*text)
                .push_bind(*text_sha256)
                .push_bind(0i64)
                .push_bind(registry::warnings_json(&p.warnings));
        });
        qb.push(" ON CONFLICT (tenant_id, sha256) DO NOTHING RETURNING id");
        returned.extend(qb.build_query_scalar::<String>().persistent(false).fetch_all(&mut *tx).await?);
    }
    drop(rows);
    let mut inserted = vec![false; batch.len()];
    let mut orphans: Vec<String> = Vec::new();
    let mut batch_events: Vec<NewEvent> = Vec::new();
    let mut batch_mentions: Vec<(uuid::Uuid, &crate::model::EntityMention)> = Vec::new();
    let mut batch_attachments: Vec<(Uuid, u32, &NewAttachment)> = Vec::new();
    // In batch order, so a parent's fate is known before its attachments'.
    for &i in &eligible {
        let Pending { item, id, analysed: a, .. } = &batch[i];
        if !returned.contains(&id.to_string()) {
            lost.insert(*id);
            continue;
        }
        if item.parent.is_some_and(|parent| lost.contains(&parent)) {
            // Its parent lost the race within this batch: the attachment is not ours either.
            lost.insert(*id);
            orphans.push(id.to_string());
            continue;
        }
        let title = crate::util::display_title(None, None, &item.source);
        batch_events.extend(timeline::build_events(*id, &title, &a.parsed, &a.dates, &a.mentions));
        batch_mentions.extend(a.mentions.iter().map(|m| (*id, m)));
        batch_attachments
            .extend(a.attachments.iter().enumerate().map(|(n, att)| (*id, u32::try_from(n).unwrap_or(u32::MAX), att)));
        inserted[i] = true;
    }
    if !orphans.is_empty() {
        let mut qb = QueryBuilder::<Sqlite>::new("DELETE FROM documents WHERE id IN");
        registry::push_in_list(&mut qb, orphans);
        qb.build().persistent(false).execute(&mut *tx).await?;
    }
    // The whole batch's mentions and events in a few multi-row statements.
    crate::entities::record_mentions(&mut tx, tenant, &batch_mentions).await?;
    timeline::record_events(&mut tx, tenant, &batch_events).await?;
    registry::insert_attachments(&mut tx, tenant, &batch_attachments).await?;
    registry::note_attachments(&mut tx, tenant, notes).await?;
    tx.commit().await?;
    let mut events: HashMap<Uuid, Vec<EventFact>> = HashMap::new();
    for e in batch_events {
        events.entry(e.event.document_id).or_default().push(e.fact);
    }
    Ok(Registered { batch, inserted, lost, events })
}

fn file_name_of(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string())
}

impl Run<'_> {
    fn fail(&mut self, label: &str, error: String) {
        self.counts.failed += 1;
        self.errors.push(JobError { source: label.to_owned(), error });
    }

    /// A file that is not a document. An attachment's fate is also noted on its parent; one
    /// that no parser reads (an image, a delivery report's binary part) is only that: not a
    /// document, so neither found nor failed.
    fn fail_item(&mut self, item: &Item, failure: Failure) {
        if let (Some(parent_id), Some(position)) = (item.parent, item.position) {
            let status = if failure.unsupported { AttachmentStatus::NotParsed } else { AttachmentStatus::Failed };
            self.notes.push(AttachmentNote { parent_id, position, status, error: failure.error.clone() });
            if failure.unsupported {
                self.counts.discovered = self.counts.discovered.saturating_sub(1);
                return;
            }
        }
        self.fail(&item.label, failure.error);
    }

    async fn progress(&mut self, force: bool) -> Result<(), CorpusError> {
        if force || self.last_progress.elapsed() >= PROGRESS_EVERY {
            jobs::save_progress(&self.inner.writer, self.job, &self.counts, &self.errors).await?;
            self.last_progress = Instant::now();
        }
        if self.pending.len() >= INDEX_BATCH {
            commit_index(self.inner, &mut self.pending).await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), CorpusError> {
        self.start_registration().await?;
        self.finish_registration().await?;
        commit_index(self.inner, &mut self.pending).await?;
        self.progress(true).await
    }

    /// Ingest a local file or folder; Ok(false) when interrupted by a shutdown.
    async fn local(&mut self, path: &Path, given: &str) -> Result<bool, CorpusError> {
        // Mapped, not resolved: the walk and every read go down from the opened root without
        // following links, so whatever the folder holds now, nothing outside it is read.
        let Some((root, rel)) = self.inner.roots.locate(&self.tenant, path) else {
            self.counts.discovered += 1;
            self.fail(given, "path is outside the ingest roots granted to this tenant".into());
            return Ok(true);
        };
        let inner = self.inner.clone();
        let files: Vec<Walked> = tokio::task::spawn_blocking(move || match inner.roots.get(root) {
            Some(r) => crate::local::walk(r, &rel),
            None => Vec::new(),
        })
        .await?;
        self.counts.discovered += files.len() as u64;
        self.progress(true).await?;
        // Reading, hashing, parsing and storing the next few files overlaps with registering
        // the current one; decisions (duplicate or not) are still taken in file order.
        let mut ahead: VecDeque<(tokio::task::JoinHandle<Result<Fetched, CorpusError>>, u64)> = VecDeque::new();
        let mut in_flight: u64 = 0;
        let mut files = files.into_iter().peekable();
        loop {
            while let Some(file) = files.peek() {
                // Files over the size limit are refused without being read, so they cost nothing.
                let size = match file {
                    Ok((_, size)) if *size <= self.inner.limits.max_file_bytes => *size,
                    _ => 0,
                };
                let room = ahead.len() < PREFETCH && in_flight + size <= PREFETCH_BYTES;
                if !ahead.is_empty() && !room {
                    break;
                }
                let Some(file) = files.next() else { break };
                let (inner, tenant, job) = (self.inner.clone(), self.tenant.clone(), self.job);
                let task = tokio::spawn(async move {
                    match file {
                        Ok((rel, _)) => fetch_local(&inner, &tenant, job, root, rel).await,
                        Err((label, error)) => Ok(Fetched::Failed { label, error }),
                    }
                });
                in_flight += size;
                ahead.push_back((task, size));
            }
            let Some((next, size)) = ahead.pop_front() else { break };
            in_flight -= size;
            if self.inner.is_stopping() {
                return Ok(false);
            }
            let fetched = next.await??;
            self.process(fetched).await?;
            self.progress(false).await?;
        }
        Ok(true)
    }

    /// Ingest one fetched file and, depth-first, its attachments.
    async fn process(&mut self, first: Fetched) -> Result<(), CorpusError> {
        let mut stack: Vec<Item> = Vec::new();
        let mut next = Some(first);
        loop {
            let fetched = match next.take() {
                Some(f) => f,
                None => match stack.pop() {
                    Some(item) => fetch(self.inner, &self.tenant, self.job, item).await?,
                    None => return Ok(()),
                },
            };
            let (item, sha, existing, analysed) = match fetched {
                Fetched::Failed { label, error } => {
                    self.fail(&label, error);
                    continue;
                }
                Fetched::Ready(ready) => {
                    let Ready { item, sha, existing, analysed } = *ready;
                    (item, sha, existing, analysed)
                }
            };
            if !self.seen.insert(sha.clone()) {
                // A copy of a file that failed earlier in this job fails the same way: counting
                // it a duplicate would hide that its content is nowhere in the corpus.
                match self.failed_content.get(&sha).cloned() {
                    Some(failure) => self.fail_item(&item, failure),
                    None => self.counts.duplicates += 1,
                }
                continue;
            }
            if let Some(existing) = existing {
                if existing.job_id != self.job {
                    self.counts.duplicates += 1;
                    continue;
                }
                // Registered by an earlier run of this very job (before a restart): it counts
                // as this job's document, and its attachments and index entry are completed.
                self.counts.ingested += 1;
                if item.depth == 0 {
                    self.counts.bytes += existing.bytes;
                }
                match analysed {
                    Some(Ok(mut analysed)) => {
                        let attachments = std::mem::take(&mut analysed.parsed.attachments);
                        if !existing.indexed {
                            // The registration in flight holds the documents awaiting commit.
                            self.finish_registration().await?;
                            // From the registry: it holds the events (and their ids) stored then.
                            if let Some(doc) =
                                crate::index::rebuild::index_doc_from_registry(self.inner, existing.id).await?
                            {
                                add_to_index(self.inner, vec![doc], true, &mut self.pending).await?;
                            }
                        }
                        self.push_attachments(&mut stack, &item, existing.id, attachments);
                    }
                    _ => tracing::warn!(job = %self.job, source = %item.label,
                        "a document registered before a restart no longer parses"),
                }
                continue;
            }
            let analysed = match analysed {
                Some(Ok(a)) => a,
                Some(Err(failure)) => {
                    self.failed_content.insert(sha, failure.clone());
                    self.fail_item(&item, failure);
                    continue;
                }
                None => {
                    let failure = Failure { error: "the file was not analysed".into(), unsupported: false };
                    self.fail_item(&item, failure);
                    continue;
                }
            };
            let mut analysed = analysed;
            let mut item = item;
            let id = Uuid::now_v7();
            let attachments = std::mem::take(&mut analysed.parsed.attachments);
            self.push_attachments(&mut stack, &item, id, attachments);
            let size = item.bytes.len() as u64;
            // The bytes are in the content store; only the text is needed from here on.
            item.bytes = Vec::new();
            if self.batch.is_empty() {
                self.batch_since = Instant::now();
            }
            self.batch_bytes += analysed.parsed.text.len();
            self.batch.push(Pending { item, size, id, sha, analysed });
            if self.batch.len() >= REGISTER_BATCH
                || self.batch_bytes >= REGISTER_BATCH_BYTES
                || self.batch_since.elapsed() >= REGISTER_AFTER
            {
                self.start_registration().await?;
            }
        }
    }

    fn push_attachments(
        &mut self,
        stack: &mut Vec<Item>,
        parent: &Item,
        parent_id: Uuid,
        attachments: Vec<Attachment>,
    ) {
        if attachments.is_empty() {
            return;
        }
        let depth = parent.depth.saturating_add(1);
        if depth > self.inner.limits.max_attachment_depth {
            tracing::info!(job = %self.job, source = %parent.label, "attachments nested deeper than the limit are not ingested");
            let limit = self.inner.limits.max_attachment_depth;
            let error = format!("nested deeper than {limit} attachment levels; not opened");
            for position in 0..attachments.len() {
                let position = u32::try_from(position).unwrap_or(u32::MAX);
                let status = AttachmentStatus::NotFollowed;
                self.notes.push(AttachmentNote { parent_id, position, status, error: error.clone() });
            }
            return;
        }
        self.counts.discovered += attachments.len() as u64;
        // Reversed so the stack yields attachments in their order in the parent.
        for (position, att) in attachments.into_iter().enumerate().rev() {
            let name = if att.file_name.trim().is_empty() { "attachment".to_owned() } else { att.file_name.clone() };
            stack.push(Item {
                label: format!("{} > {}", parent.label, name),
                source: name.clone(),
                name,
                source_type: SourceType::Attachment,
                media_type: att.parser_media_type().map(str::to_owned),
                bytes: att.bytes,
                parent: Some(parent_id),
                position: u32::try_from(position).ok(),
                depth,
            });
        }
    }

    /// Hand the waiting documents to a registration that runs while the job goes on with the
    /// next files (after the previous registration has finished: one at a time, in order).
    async fn start_registration(&mut self) -> Result<(), CorpusError> {
        if self.batch.is_empty() && self.notes.is_empty() {
            return Ok(());
        }
        self.finish_registration().await?;
        let batch = std::mem::take(&mut self.batch);
        let notes = std::mem::take(&mut self.notes);
        self.batch_bytes = 0;
        let lost = std::mem::take(&mut self.lost);
        let pending = std::mem::take(&mut self.pending);
        let (inner, tenant, job) = (self.inner.clone(), self.tenant.clone(), self.job);
        self.registering =
            Some(tokio::spawn(
                async move { register_and_index(&inner, &tenant, job, batch, notes, lost, pending).await },
            ));
        Ok(())
    }

    /// Wait for the registration in flight, if any, and count the documents it added.
    async fn finish_registration(&mut self) -> Result<(), CorpusError> {
        let Some(handle) = self.registering.take() else { return Ok(()) };
        let Indexed { outcomes, lost, pending } = handle.await??;
        self.lost = lost;
        self.pending = pending;
        for outcome in outcomes {
            if outcome.added {
                self.counts.ingested += 1;
                if outcome.top_level {
                    self.counts.bytes += outcome.size;
                }
            } else {
                self.counts.duplicates += 1;
            }
        }
        Ok(())
    }
}

/// What became of one document of a registered batch.
struct Outcome {
    /// Registered (else another job registered the same content first).
    added: bool,
    /// A file of the job's sources, not an attachment: its bytes count as the job's.
    top_level: bool,
    size: u64,
}

/// A batch registered and indexed: what became of each document, the documents lost to other
/// jobs so far, and the documents indexed but not yet committed.
struct Indexed {
    outcomes: Vec<Outcome>,
    lost: HashSet<Uuid>,
    pending: Vec<Uuid>,
}

/// Register a batch, add its new documents to the index, and commit the index once
/// [`INDEX_BATCH`] documents await it. Runs beside the job, which goes on reading and analysing
/// the next files meanwhile.
async fn register_and_index(
    inner: &Arc<Inner>,
    tenant: &str,
    job: Uuid,
    batch: Vec<Pending>,
    notes: Vec<AttachmentNote>,
    lost: HashSet<Uuid>,
    mut pending: Vec<Uuid>,
) -> Result<Indexed, CorpusError> {
    let Registered { batch, inserted, lost, mut events } = register(inner, tenant, job, batch, &notes, lost).await?;
    let mut outcomes = Vec::with_capacity(batch.len());
    let mut docs = Vec::with_capacity(batch.len());
    for (p, added) in batch.into_iter().zip(inserted) {
        outcomes.push(Outcome { added, top_level: p.item.depth == 0, size: p.size });
        if added {
            let events = events.remove(&p.id).unwrap_or_default();
            docs.push(index_doc(tenant, &p.item, p.id, p.analysed, events));
        }
    }
    add_to_index(inner, docs, false, &mut pending).await?;
    if pending.len() >= INDEX_BATCH {
        commit_index(inner, &mut pending).await?;
    }
    Ok(Indexed { outcomes, lost, pending })
}

/// What the indexes need of an analysed document and its events.
fn index_doc(tenant: &str, item: &Item, id: Uuid, a: Analysed, events: Vec<EventFact>) -> IndexDoc {
    let p = &a.parsed;
    let mut entities: Vec<(Option<usize>, String)> = Vec::with_capacity(a.mentions.len() * 2);
    let mut mentions: BTreeMap<String, u64> = BTreeMap::new();
    for m in &a.mentions {
        if m.normalized.trim().is_empty() {
            continue;
        }
        let at = m.span.map(|(start, _)| start);
        let id = entity_id(m.kind, &m.normalized);
        *mentions.entry(id.clone()).or_default() += 1;
        entities.push((at, id));
        entities.push((at, m.normalized.to_lowercase()));
    }
    let dates: Vec<(Option<usize>, OffsetDateTime)> = a
        .dates
        .iter()
        .map(|d| (d.span.map(|(start, _)| start), d.timestamp.unwrap_or_else(|| d.date.midnight().assume_utc())))
        .chain(p.document_date.map(|date| (None, date)))
        .collect();
    IndexDoc {
        tenant: tenant.to_owned(),
        document_id: id,
        title: Some(crate::util::display_title(p.title.as_deref(), p.subject.as_deref(), &item.source)),
        subject: p.subject.clone(),
        author: p.author.clone(),
        recipients: p.recipients.clone(),
        source: item.source.clone(),
        source_type: item.source_type,
        text: a.parsed.text,
        passages: a.passages,
        entities,
        dates,
        events,
        mentions: mentions.into_iter().map(|(entity_id, mentions)| MentionFact { entity_id, mentions }).collect(),
    }
}

/// Add documents to the index (uncommitted) in one blocking call; their ids join `pending`.
async fn add_to_index(
    inner: &Arc<Inner>,
    docs: Vec<IndexDoc>,
    replace: bool,
    pending: &mut Vec<Uuid>,
) -> Result<(), CorpusError> {
    if docs.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = docs.iter().map(|d| d.document_id).collect();
    let inner = inner.clone();
    tokio::task::spawn_blocking(move || {
        for doc in &docs {
            inner.index.add(doc, replace)?;
        }
        Ok::<_, CorpusError>(())
    })
    .await??;
    pending.extend(ids);
    Ok(())
}

/// Commit the index and mark the `pending` documents as indexed (the content store is synced
/// first, also when nothing is pending).
async fn commit_index(inner: &Arc<Inner>, pending: &mut Vec<Uuid>) -> Result<(), CorpusError> {
    let store = inner.clone();
    if pending.is_empty() {
        return tokio::task::spawn_blocking(move || store.store.sync()).await?;
    }
    tokio::task::spawn_blocking(move || {
        store.store.sync()?;
        store.index.commit()
    })
    .await??;
    registry::mark_indexed(&inner.writer, pending).await?;
    pending.clear();
    Ok(())
}
