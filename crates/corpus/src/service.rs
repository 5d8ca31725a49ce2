//! The document service: one handle over the store, the registry, the index and the workers.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use docket_billing::TenantId;
use sqlx::Row;
use time::OffsetDateTime;
use tokio::sync::{Notify, watch};
use uuid::Uuid;

use crate::context::Inner;
use crate::entities::{self, EntityInfo, Neighborhood};
use crate::error::CorpusError;
use crate::index::CorpusIndex;
use crate::jobs::{self, JobMeter, JobState, JobStatus, MAX_SOURCES, Source, StoredSource};
use crate::local::{IngestRoots, Roots};
use crate::parse::{ParseLimits, ParserSandbox};
use crate::query::deadline::Deadline;
use crate::registry::{self, DocumentDetail, DocumentFilter, DocumentPage, SourceType};
use crate::search::{self, Progress, SearchEvent, SearchRequest, SearchResponse, SearchStream};
use crate::store::ContentStore;
use crate::timeline::{self, TimelinePage, TimelineRequest};

/// How long a search may take unless configured otherwise.
pub const DEFAULT_QUERY_TIMEOUT: Duration = Duration::from_secs(5);

/// Most workers a corpus runs.
pub const MAX_WORKERS: usize = 64;

/// Where the corpus keeps its data and how it ingests.
#[derive(Debug, Clone)]
pub struct CorpusConfig {
    /// Holds documents/ (content store), corpus/corpus.sqlite3 (registry), index/ and uploads/.
    pub storage_dir: PathBuf,
    /// Folders local sources must lie in, per tenant (never left through a symbolic link).
    pub ingest_roots: IngestRoots,
    /// Ingestion jobs run at once (1..=64).
    pub workers: usize,
    /// Limits applied to each parsed file.
    pub limits: ParseLimits,
    /// Where PDF, DOCX and e-mail files are parsed; None parses them in process.
    pub parser_sandbox: Option<ParserSandbox>,
    /// How long a search (full text, timeline, entity graph) may take before it is stopped.
    pub query_timeout: Duration,
}

impl CorpusConfig {
    /// A configuration with one worker per core (at most 4) and the default parse limits.
    pub fn new(storage_dir: impl Into<PathBuf>, ingest_roots: impl Into<IngestRoots>) -> CorpusConfig {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        CorpusConfig {
            storage_dir: storage_dir.into(),
            ingest_roots: ingest_roots.into(),
            workers: cores.clamp(1, 4),
            limits: ParseLimits::default(),
            parser_sandbox: None,
            query_timeout: DEFAULT_QUERY_TIMEOUT,
        }
    }
}

/// The document service of all tenants: cheap to clone, shared by every request.
#[derive(Clone)]
pub struct Corpus {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Corpus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Corpus").field("roots", &self.inner.roots).finish_non_exhaustive()
    }
}

fn create_dir(path: &Path) -> Result<(), CorpusError> {
    std::fs::create_dir_all(path).map_err(|e| CorpusError::storage(&format!("creating {}", path.display()), e))
}

impl Corpus {
    /// Open the corpus under `config.storage_dir`: migrate the registry, open the index,
    /// re-index what a crash left uncommitted, resume interrupted jobs, start the workers and
    /// report finished jobs the meter has not acknowledged.
    pub async fn open(config: CorpusConfig, meter: Arc<dyn JobMeter>) -> Result<Corpus, CorpusError> {
        if config.workers == 0 || config.workers > MAX_WORKERS {
            return Err(CorpusError::Config(format!("workers must be between 1 and {MAX_WORKERS}")));
        }
        let storage = &config.storage_dir;
        let (docs_dir, db_dir, index_dir, facts_dir, upload_dir) = (
            storage.join("documents"),
            storage.join("corpus"),
            storage.join("index"),
            storage.join("facts"),
            storage.join("uploads"),
        );
        for dir in [&docs_dir, &db_dir, &index_dir, &facts_dir, &upload_dir] {
            create_dir(dir)?;
        }
        let roots = Roots::open(&config.ingest_roots)?;
        let store = tokio::task::spawn_blocking(move || ContentStore::open(&docs_dir)).await??;
        let (pool, writer) = registry::open_pools(&db_dir.join("corpus.sqlite3")).await?;
        let (index, created) = tokio::task::spawn_blocking(move || CorpusIndex::open(&index_dir, &facts_dir)).await??;
        if created {
            sqlx::query("UPDATE documents SET indexed = 0").execute(&writer).await?;
        }
        let (stop_tx, _) = watch::channel(false);
        let inner = Arc::new(Inner {
            roots,
            upload_dir,
            limits: config.limits,
            sandbox: config.parser_sandbox,
            query_timeout: config.query_timeout,
            pool,
            writer,
            store,
            index,
            meter,
            wake: Notify::new(),
            stop_tx,
            stopping: AtomicBool::new(false),
            reporting: Mutex::new(HashSet::new()),
            handles: Mutex::new(Vec::new()),
        });
        crate::index::rebuild::reindex_pending(&inner).await?;
        for (job, source) in jobs::mark_crashed_parses(&inner.writer).await? {
            tracing::error!(job = %job, source = %source, "the process stopped while parsing this file; it will be failed");
        }
        let resumed = jobs::requeue_running(&inner.writer).await?;
        if resumed > 0 {
            tracing::info!(resumed, "resuming ingestion jobs interrupted by a restart");
        }
        let mut handles = Vec::with_capacity(config.workers + 1);
        handles.push(tokio::spawn(registry::checkpoints(inner.pool.clone(), inner.stop_tx.subscribe())));
        for n in 0..config.workers {
            handles.push(tokio::spawn(crate::ingest::worker(inner.clone(), n)));
        }
        if let Ok(mut h) = inner.handles.lock() {
            *h = handles;
        }
        Ok(Corpus { inner })
    }

    /// The shared state, for the agent runner.
    pub(crate) fn inner(&self) -> &Arc<Inner> {
        &self.inner
    }

    fn live(&self) -> Result<&Inner, CorpusError> {
        if self.inner.is_stopping() { Err(CorpusError::ShuttingDown) } else { Ok(&self.inner) }
    }

    /// The folder where the server should stage uploads before submitting them.
    pub fn upload_dir(&self) -> &Path {
        &self.inner.upload_dir
    }

    /// Validate the sources, persist a queued job and return it; a worker runs it later.
    pub async fn submit(
        &self,
        tenant: &TenantId,
        submitted_by: &str,
        sources: Vec<Source>,
    ) -> Result<JobStatus, CorpusError> {
        let inner = self.live()?;
        if submitted_by.len() > 256 {
            return Err(CorpusError::InvalidSource {
                field: "submitted_by".into(),
                reason: "longer than 256 bytes".into(),
            });
        }
        if sources.is_empty() {
            return Err(CorpusError::EmptySources);
        }
        if sources.len() > MAX_SOURCES {
            return Err(CorpusError::TooManySources { count: sources.len(), max: MAX_SOURCES });
        }
        let mut stored = Vec::with_capacity(sources.len());
        for (i, source) in sources.into_iter().enumerate() {
            stored.push(self.validate_source(tenant, i, source).await?);
        }
        // Inline and uploaded content must survive a crash once the job is acknowledged.
        let inner2 = self.inner.clone();
        tokio::task::spawn_blocking(move || inner2.store.sync()).await??;
        let id = Uuid::now_v7();
        let created_at = OffsetDateTime::now_utc();
        jobs::insert(&inner.writer, id, tenant, submitted_by, &stored, created_at).await?;
        inner.wake.notify_one();
        // Built here rather than read back: a worker may already have claimed the job.
        Ok(JobStatus {
            id,
            tenant_id: tenant.to_owned(),
            submitted_by: submitted_by.to_owned(),
            status: JobState::Queued,
            discovered: 0,
            ingested: 0,
            duplicates: 0,
            failed: 0,
            bytes: 0,
            errors: Vec::new(),
            created_at: created_at.replace_nanosecond(0).unwrap_or(created_at),
            started_at: None,
            finished_at: None,
            metered: false,
        })
    }

    async fn validate_source(&self, tenant: &TenantId, i: usize, source: Source) -> Result<StoredSource, CorpusError> {
        let inner = &self.inner;
        let limit = inner.limits.max_file_bytes;
        match source {
            Source::Local { path } => {
                let (inner2, tenant) = (self.inner.clone(), tenant.to_owned());
                let field = format!("sources[{i}].path");
                let (path, given) =
                    tokio::task::spawn_blocking(move || inner2.roots.resolve(&tenant, &field, &path)).await??;
                Ok(StoredSource::Local { path, given })
            }
            Source::Inline { name, content, media_type } => {
                let name = check_name(&format!("sources[{i}].name"), &name)?;
                if content.len() as u64 > limit {
                    return Err(CorpusError::SourceTooLarge {
                        field: format!("sources[{i}].content"),
                        size: content.len() as u64,
                        limit,
                    });
                }
                let media_type = media_type.filter(|m| !m.trim().is_empty()).or_else(|| {
                    // Inline content is text by nature; without an extension or a media type
                    // the parser could not tell, so say so.
                    (!name.contains('.')).then(|| "text/plain".to_owned())
                });
                let inner2 = self.inner.clone();
                let put = tokio::task::spawn_blocking(move || inner2.store.put(content.as_bytes())).await??;
                Ok(StoredSource::Content {
                    source_type: SourceType::Inline,
                    name,
                    media_type,
                    sha256: put.sha256,
                    bytes: put.bytes,
                })
            }
            Source::Upload { file_name, media_type, staged_path } => {
                let name = check_name(&format!("sources[{i}].file_name"), &file_name)?;
                let field = format!("sources[{i}].staged_path");
                if !staged_path.is_file() {
                    return Err(CorpusError::InvalidSource {
                        field,
                        reason: "the staged upload does not exist".into(),
                    });
                }
                let inner2 = self.inner.clone();
                let put = tokio::task::spawn_blocking(move || inner2.store.put_file(&staged_path, limit)).await??;
                match put {
                    Ok(put) => Ok(StoredSource::Content {
                        source_type: SourceType::Upload,
                        name,
                        media_type: media_type.filter(|m| !m.trim().is_empty()),
                        sha256: put.sha256,
                        bytes: put.bytes,
                    }),
                    Err(size) => Err(CorpusError::SourceTooLarge { field, size, limit }),
                }
            }
        }
    }

    /// A tenant's job, or None when the tenant has no such job.
    pub async fn job(&self, tenant: &TenantId, job_id: Uuid) -> Result<Option<JobStatus>, CorpusError> {
        let inner = self.live()?;
        jobs::get(&inner.pool, tenant, job_id).await
    }

    /// A tenant's most recent jobs, newest first (limit 1..=200).
    pub async fn jobs(&self, tenant: &TenantId, limit: u32) -> Result<Vec<JobStatus>, CorpusError> {
        let inner = self.live()?;
        if limit == 0 || limit > 200 {
            return Err(CorpusError::filter("limit", "must be between 1 and 200"));
        }
        jobs::recent(&inner.pool, tenant, limit).await
    }

    /// One page of a tenant's documents.
    pub async fn documents(&self, tenant: &TenantId, filter: &DocumentFilter) -> Result<DocumentPage, CorpusError> {
        let inner = self.live()?;
        registry::list(&inner.pool, tenant, filter).await
    }

    /// One document of a tenant with its text, or None when the tenant has no such document.
    pub async fn document(&self, tenant: &TenantId, id: Uuid) -> Result<Option<DocumentDetail>, CorpusError> {
        self.live()?;
        let Some((mut detail, text_sha256)) = registry::detail(&self.inner.pool, tenant, id).await? else {
            return Ok(None);
        };
        if let Some(sha) = text_sha256 {
            detail.text = self.inner.stored_text(sha).await?;
        }
        Ok(Some(detail))
    }

    /// The original bytes of a tenant's document, or None when the tenant has no such document.
    pub async fn document_content(
        &self,
        tenant: &TenantId,
        id: Uuid,
    ) -> Result<Option<(String, Vec<u8>)>, CorpusError> {
        let inner = self.live()?;
        let row = sqlx::query("SELECT sha256, media_type FROM documents WHERE tenant_id = ? AND id = ?")
            .bind(tenant.as_str())
            .bind(id.to_string())
            .fetch_optional(&inner.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let sha: String = row.try_get("sha256")?;
        let media_type: String = row.try_get("media_type")?;
        let inner2 = self.inner.clone();
        let bytes = tokio::task::spawn_blocking(move || inner2.store.get(&sha)).await??;
        Ok(Some((media_type, bytes)))
    }

    /// Full-text search over a tenant's passages.
    pub async fn search(&self, tenant: &TenantId, req: &SearchRequest) -> Result<SearchResponse, CorpusError> {
        self.live()?;
        let started = Instant::now();
        // Dropped with this future (a client hanging up), the guard stops the search.
        let (deadline, _searching) = Deadline::start(self.inner.query_timeout);
        let documents = self.documents_of_entity(tenant, req, &deadline).await?;
        let inner = self.inner.clone();
        let tenant = tenant.to_owned();
        let req = req.clone();
        let budget = self.inner.query_timeout;
        let mut response = tokio::task::spawn_blocking(move || {
            let result =
                search::run(&inner.index.passages, &tenant, &req, documents.as_deref(), &deadline, &mut |_| Ok(()));
            note_if_abandoned(&result, &tenant, started, budget);
            result
        })
        .await??;
        response.took_ms = elapsed_ms(started);
        Ok(response)
    }

    /// Full-text search whose hits come as they are read: answers once the number of matches
    /// is known (or the search failed before), then streams the hits and the answer. Dropping
    /// the stream stops the search.
    pub async fn search_stream(&self, tenant: &TenantId, req: &SearchRequest) -> Result<SearchStream, CorpusError> {
        self.live()?;
        let started = Instant::now();
        let (deadline, searching) = Deadline::start(self.inner.query_timeout);
        let documents = self.documents_of_entity(tenant, req, &deadline).await?;
        let (tx, events) = tokio::sync::mpsc::channel(16);
        let (total_tx, total_rx) = tokio::sync::oneshot::channel::<Result<u64, CorpusError>>();
        let inner = self.inner.clone();
        let owned_tenant = tenant.to_owned();
        let owned_req = req.clone();
        let budget = self.inner.query_timeout;
        tokio::task::spawn_blocking(move || {
            let mut total_tx = Some(total_tx);
            // A send that fails means the caller dropped the stream: stop like a deadline.
            let result = search::run(
                &inner.index.passages,
                &owned_tenant,
                &owned_req,
                documents.as_deref(),
                &deadline,
                &mut |progress| match progress {
                    Progress::Total(total) => match total_tx.take() {
                        Some(t) => t.send(Ok(total)).map_err(|_| deadline.exceeded()),
                        None => Ok(()),
                    },
                    Progress::Hit(hit) => {
                        tx.blocking_send(SearchEvent::Hit(Box::new(hit.clone()))).map_err(|_| deadline.exceeded())
                    }
                },
            );
            note_if_abandoned(&result, &owned_tenant, started, budget);
            let last = match result {
                Ok(response) => SearchEvent::Done { answer: response.answer, took_ms: elapsed_ms(started) },
                Err(e) => match total_tx.take() {
                    Some(t) => {
                        let _ = t.send(Err(e));
                        return;
                    }
                    None => SearchEvent::Failed(e),
                },
            };
            let _ = tx.blocking_send(last);
        });
        let total_hits =
            total_rx.await.map_err(|_| CorpusError::Index("the search ended without an answer".into()))??;
        Ok(SearchStream {
            total_hits,
            page: req.page.unwrap_or(1),
            page_size: req.page_size.unwrap_or(search::DEFAULT_SEARCH_PAGE_SIZE),
            events,
            _searching: searching,
        })
    }

    /// The documents the search's entity filter keeps (those that mention the entity, from
    /// the facts index), or None without a filter.
    async fn documents_of_entity(
        &self,
        tenant: &TenantId,
        req: &SearchRequest,
        deadline: &Deadline,
    ) -> Result<Option<Vec<Uuid>>, CorpusError> {
        match req.entity.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
            Some(reference) => {
                let facts = &self.inner.index.facts;
                Ok(Some(entities::documents_mentioning(&self.inner.pool, facts, tenant, reference, deadline).await?))
            }
            None => Ok(None),
        }
    }

    /// One page of a tenant's timeline, in chronological order.
    pub async fn timeline(&self, tenant: &TenantId, req: &TimelineRequest) -> Result<TimelinePage, CorpusError> {
        let inner = self.live()?;
        let (deadline, _searching) = Deadline::start(inner.query_timeout);
        timeline::page(&inner.pool, &inner.index.facts, tenant, req, &deadline).await
    }

    /// A tenant's entities whose normalised form contains `q` (case-insensitive), limit 1..=200.
    pub async fn entities(&self, tenant: &TenantId, q: &str, limit: usize) -> Result<Vec<EntityInfo>, CorpusError> {
        let inner = self.live()?;
        entities::search(&inner.pool, tenant, q, limit).await
    }

    /// An entity with its documents and co-occurring entities, or None.
    pub async fn neighbors(&self, tenant: &TenantId, entity_id: &str) -> Result<Option<Neighborhood>, CorpusError> {
        let inner = self.live()?;
        let (deadline, _searching) = Deadline::start(inner.query_timeout);
        entities::neighbors(&inner.pool, &inner.index.facts, tenant, entity_id, &deadline).await
    }

    /// Passages visible to searches, over all tenants (for metrics and benchmarks).
    pub fn indexed_passages(&self) -> u64 {
        self.inner.index.num_passages()
    }

    /// Stop the workers (a running job stops between documents and resumes at the next open),
    /// commit the index and close the registry. Later calls return `ShuttingDown`.
    pub async fn shutdown(&self) {
        let inner = &self.inner;
        if inner.stopping.swap(true, Ordering::SeqCst) {
            return;
        }
        let _ = inner.stop_tx.send(true);
        inner.wake.notify_waiters();
        let handles = inner.handles.lock().map(|mut h| std::mem::take(&mut *h)).unwrap_or_default();
        for handle in handles {
            if let Err(e) = handle.await {
                tracing::error!(error = %e, "ingestion worker ended abnormally");
            }
        }
        let inner2 = self.inner.clone();
        match tokio::task::spawn_blocking(move || inner2.index.commit()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "committing the index at shutdown failed"),
            Err(e) => tracing::error!(error = %e, "committing the index at shutdown failed"),
        }
        // A parse still running at an orderly stop did not take the process down.
        if let Err(e) = jobs::clear_interrupted_parses(&inner.writer).await {
            tracing::warn!(error = %e, "clearing the marks of interrupted parses failed");
        }
        inner.pool.close().await;
        inner.writer.close().await;
    }
}

/// Log a search stopped before its deadline: its caller went away (a client hanging up), so
/// the search was cancelled rather than left to run on the blocking pool.
fn note_if_abandoned<T>(result: &Result<T, CorpusError>, tenant: &TenantId, started: Instant, budget: Duration) {
    if matches!(result, Err(CorpusError::DeadlineExceeded { .. })) && started.elapsed() < budget {
        tracing::info!(%tenant, elapsed_ms = elapsed_ms(started), "search cancelled: the client went away");
    }
}

fn elapsed_ms(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

fn check_name(field: &str, name: &str) -> Result<String, CorpusError> {
    let name = name.trim();
    let bad = |reason: &str| Err(CorpusError::InvalidSource { field: field.to_owned(), reason: reason.to_owned() });
    if name.is_empty() {
        return bad("the name is empty");
    }
    if name.len() > 255 {
        return bad("the name is longer than 255 bytes");
    }
    if name.chars().any(|c| c.is_control() || c == '/' || c == '\\') {
        return bad("the name must be a file name, without path separators or control characters");
    }
    Ok(name.to_owned())
}
