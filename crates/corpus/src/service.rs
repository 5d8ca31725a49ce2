//! The document service: one handle over the store, the registry, the index and the workers.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use sqlx::{Row, SqlitePool};
use time::OffsetDateTime;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::entities::{self, EntityInfo, Neighborhood};
use crate::error::CorpusError;
use crate::facts::{EventFact, MentionFact};
use crate::index::{CorpusIndex, IndexDoc};
use crate::jobs::{self, JobMeter, JobState, JobStatus, MAX_SOURCES, Source, StoredSource};
use crate::parse::{ParseLimits, ParserSandbox};
use crate::registry::{self, DocumentDetail, DocumentFilter, DocumentPage, SourceType};
use crate::search::{self, SearchRequest, SearchResponse};
use crate::store::ContentStore;
use crate::timeline::{self, TimelinePage, TimelineRequest};
use crate::util::{check_tenant, parse_rfc3339};

/// Most workers a corpus runs.
pub const MAX_WORKERS: usize = 64;

/// Where the corpus keeps its data and how it ingests.
#[derive(Debug, Clone)]
pub struct CorpusConfig {
    /// Holds documents/ (content store), corpus/corpus.sqlite3 (registry), index/ and uploads/.
    pub storage_dir: PathBuf,
    /// Folders local sources must lie in (after resolving `..` and symlinks).
    pub ingest_roots: Vec<PathBuf>,
    /// Ingestion jobs run at once (1..=64).
    pub workers: usize,
    /// Limits applied to each parsed file.
    pub limits: ParseLimits,
    /// Where PDF, DOCX and e-mail files are parsed; None parses them in process.
    pub parser_sandbox: Option<ParserSandbox>,
}

impl CorpusConfig {
    /// A configuration with one worker per core (at most 4) and the default parse limits.
    pub fn new(storage_dir: impl Into<PathBuf>, ingest_roots: Vec<PathBuf>) -> CorpusConfig {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        CorpusConfig {
            storage_dir: storage_dir.into(),
            ingest_roots,
            workers: cores.clamp(1, 4),
            limits: ParseLimits::default(),
            parser_sandbox: None,
        }
    }
}

/// Shared state of a [`Corpus`].
pub(crate) struct Inner {
    pub roots: Vec<PathBuf>,
    pub upload_dir: PathBuf,
    pub limits: ParseLimits,
    /// Where risky formats are parsed (see [`crate::parse::parse_bounded`]).
    pub sandbox: Option<ParserSandbox>,
    /// Reads (several connections: WAL readers do not block).
    pub pool: SqlitePool,
    /// Writes go through one connection, so writers queue here instead of in SQLite's busy
    /// handler, which sleeps.
    pub writer: SqlitePool,
    pub store: ContentStore,
    pub index: CorpusIndex,
    pub meter: Arc<dyn JobMeter>,
    pub wake: Notify,
    pub stop_tx: watch::Sender<bool>,
    pub stopping: AtomicBool,
    /// Jobs whose report is being handed to the meter right now, so the retry loop does not
    /// report the same job concurrently.
    pub reporting: Mutex<HashSet<Uuid>>,
    handles: Mutex<Vec<JoinHandle<()>>>,
}

impl Inner {
    pub(crate) fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    pub(crate) fn within_roots(&self, canonical: &Path) -> bool {
        self.roots.iter().any(|r| canonical.starts_with(r))
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
        let mut roots = Vec::new();
        for root in &config.ingest_roots {
            match std::fs::canonicalize(root) {
                Ok(canonical) if canonical.is_dir() => roots.push(canonical),
                Ok(_) => tracing::warn!(root = %root.display(), "ingest root is not a folder; ignored"),
                Err(e) => tracing::warn!(root = %root.display(), error = %e, "ingest root cannot be resolved; ignored"),
            }
        }
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
        reindex_pending(&inner).await?;
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

    fn live(&self) -> Result<&Inner, CorpusError> {
        if self.inner.is_stopping() { Err(CorpusError::ShuttingDown) } else { Ok(&self.inner) }
    }

    /// The folder where the server should stage uploads before submitting them.
    pub fn upload_dir(&self) -> &Path {
        &self.inner.upload_dir
    }

    /// The canonical ingest roots in force (roots that could not be resolved are left out).
    pub fn ingest_roots(&self) -> &[PathBuf] {
        &self.inner.roots
    }

    /// Validate the sources, persist a queued job and return it; a worker runs it later.
    pub async fn submit(
        &self,
        tenant: &str,
        submitted_by: &str,
        sources: Vec<Source>,
    ) -> Result<JobStatus, CorpusError> {
        let inner = self.live()?;
        check_tenant(tenant)?;
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
            stored.push(self.validate_source(i, source).await?);
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

    async fn validate_source(&self, i: usize, source: Source) -> Result<StoredSource, CorpusError> {
        let inner = &self.inner;
        let limit = inner.limits.max_file_bytes;
        match source {
            Source::Local { path } => {
                let field = format!("sources[{i}].path");
                let given = path.display().to_string();
                if given.trim().is_empty() {
                    return Err(CorpusError::InvalidSource { field, reason: "the path is empty".into() });
                }
                let candidates: Vec<PathBuf> = if path.is_absolute() {
                    vec![path.clone()]
                } else {
                    inner.roots.iter().map(|r| r.join(&path)).collect()
                };
                if candidates.is_empty() {
                    return Err(CorpusError::PathOutsideRoots { field, path: given });
                }
                let mut not_found = true;
                for candidate in candidates {
                    let Ok(canonical) = tokio::fs::canonicalize(&candidate).await else { continue };
                    not_found = false;
                    if inner.within_roots(&canonical) {
                        return Ok(StoredSource::Local { path: canonical, given });
                    }
                }
                if not_found {
                    Err(CorpusError::PathNotFound { field, path: given })
                } else {
                    Err(CorpusError::PathOutsideRoots { field, path: given })
                }
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
    pub async fn job(&self, tenant: &str, job_id: Uuid) -> Result<Option<JobStatus>, CorpusError> {
        let inner = self.live()?;
        check_tenant(tenant)?;
        jobs::get(&inner.pool, tenant, job_id).await
    }

    /// A tenant's most recent jobs, newest first (limit 1..=200).
    pub async fn jobs(&self, tenant: &str, limit: u32) -> Result<Vec<JobStatus>, CorpusError> {
        let inner = self.live()?;
        check_tenant(tenant)?;
        if limit == 0 || limit > 200 {
            return Err(CorpusError::filter("limit", "must be between 1 and 200"));
        }
        jobs::recent(&inner.pool, tenant, limit).await
    }

    /// One page of a tenant's documents.
    pub async fn documents(&self, tenant: &str, filter: &DocumentFilter) -> Result<DocumentPage, CorpusError> {
        let inner = self.live()?;
        check_tenant(tenant)?;
        registry::list(&inner.pool, tenant, filter).await
    }

    /// One document of a tenant with its text, or None when the tenant has no such document.
    pub async fn document(&self, tenant: &str, id: Uuid) -> Result<Option<DocumentDetail>, CorpusError> {
        self.live()?;
        check_tenant(tenant)?;
        let Some((mut detail, text_sha256)) = registry::detail(&self.inner.pool, tenant, id).await? else {
            return Ok(None);
        };
        if let Some(sha) = text_sha256 {
            detail.text = stored_text(&self.inner, sha).await?;
        }
        Ok(Some(detail))
    }

    /// The original bytes of a tenant's document, or None when the tenant has no such document.
    pub async fn document_content(&self, tenant: &str, id: Uuid) -> Result<Option<(String, Vec<u8>)>, CorpusError> {
        let inner = self.live()?;
        check_tenant(tenant)?;
        let row = sqlx::query("SELECT sha256, media_type FROM documents WHERE tenant_id = ? AND id = ?")
            .bind(tenant)
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
    pub async fn search(&self, tenant: &str, req: &SearchRequest) -> Result<SearchResponse, CorpusError> {
        self.live()?;
        check_tenant(tenant)?;
        let started = Instant::now();
        // The entity filter keeps the documents that mention the entity, from the facts index.
        let documents = match req.entity.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
            Some(reference) => Some(
                entities::documents_mentioning(&self.inner.pool, &self.inner.index.facts, tenant, reference).await?,
            ),
            None => None,
        };
        let inner = self.inner.clone();
        let tenant = tenant.to_owned();
        let req = req.clone();
        let mut response =
            tokio::task::spawn_blocking(move || search::run(&inner.index, &tenant, &req, documents.as_deref()))
                .await??;
        response.took_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        Ok(response)
    }

    /// One page of a tenant's timeline, in chronological order.
    pub async fn timeline(&self, tenant: &str, req: &TimelineRequest) -> Result<TimelinePage, CorpusError> {
        let inner = self.live()?;
        check_tenant(tenant)?;
        timeline::page(&inner.pool, &inner.index.facts, tenant, req).await
    }

    /// A tenant's entities whose normalised form contains `q` (case-insensitive), limit 1..=200.
    pub async fn entities(&self, tenant: &str, q: &str, limit: usize) -> Result<Vec<EntityInfo>, CorpusError> {
        let inner = self.live()?;
        check_tenant(tenant)?;
        entities::search(&inner.pool, tenant, q, limit).await
    }

    /// An entity with its documents and co-occurring entities, or None.
    pub async fn neighbors(&self, tenant: &str, entity_id: &str) -> Result<Option<Neighborhood>, CorpusError> {
        let inner = self.live()?;
        check_tenant(tenant)?;
        entities::neighbors(&inner.pool, &inner.index.facts, tenant, entity_id).await
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

/// A document's extracted text, kept in the content store under `sha256`.
async fn stored_text(inner: &Arc<Inner>, sha256: String) -> Result<String, CorpusError> {
    let inner = inner.clone();
    let bytes = tokio::task::spawn_blocking(move || inner.store.get(&sha256)).await??;
    String::from_utf8(bytes).map_err(|e| CorpusError::Corrupt(format!("stored text is not UTF-8: {e}")))
}

/// What the index needs of a registered document, read back from the registry.
pub(crate) async fn index_doc_from_registry(inner: &Arc<Inner>, id: Uuid) -> Result<Option<IndexDoc>, CorpusError> {
    let pool = &inner.pool;
    let row = sqlx::query(
        "SELECT tenant_id, title, subject, source, source_type, text, text_sha256 FROM documents WHERE id = ?",
    )
    .bind(id.to_string())
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let tenant: String = row.try_get("tenant_id")?;
    let title: Option<String> = row.try_get("title")?;
    let subject: Option<String> = row.try_get("subject")?;
    let source_type: String = row.try_get("source_type")?;
    let source: String = row.try_get("source")?;
    let ents = sqlx::query(
        "SELECT e.id, e.normalized, ed.mentions, ed.spans FROM entity_documents ed \
         JOIN entities e ON e.tenant_id = ed.tenant_id AND e.id = ed.entity_id \
         WHERE ed.tenant_id = ? AND ed.document_id = ?",
    )
    .bind(&tenant)
    .bind(id.to_string())
    .fetch_all(pool)
    .await?;
    let mut entities = Vec::with_capacity(ents.len() * 2);
    let mut mentions = Vec::with_capacity(ents.len());
    for e in &ents {
        let id: String = e.try_get("id")?;
        let normalized = e.try_get::<String, _>("normalized")?.to_lowercase();
        let spans: String = e.try_get("spans")?;
        let count = u64::try_from(e.try_get::<i64, _>("mentions")?).unwrap_or(0);
        let mut places: Vec<Option<usize>> = crate::entities::span_starts(&spans).map(Some).collect();
        // Mentions without a place in the text (e-mail headers) go with the first passage.
        if count > places.len() as u64 {
            places.push(None);
        }
        for at in places {
            entities.push((at, id.clone()));
            entities.push((at, normalized.clone()));
        }
        mentions.push(MentionFact { entity_id: id, mentions: count });
    }
    // An event's date is indexed on the passage of its sentence (its first citation).
    let event_rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT id, ts_key, citations, entity_highlights FROM events WHERE tenant_id = ? AND document_id = ?",
    )
    .bind(&tenant)
    .bind(id.to_string())
    .fetch_all(pool)
    .await?;
    let mut dates = Vec::with_capacity(event_rows.len());
    let mut events = Vec::with_capacity(event_rows.len());
    for (event_id, key, citations, highlights) in &event_rows {
        let date = parse_rfc3339(key)?;
        let at = serde_json::from_str::<Vec<crate::timeline::EventCitation>>(citations)
            .ok()
            .and_then(|c| c.first().map(|c| c.start));
        dates.push((at, date));
        let highlights: Vec<crate::timeline::EntityHighlight> =
            serde_json::from_str(highlights).map_err(|e| CorpusError::Corrupt(format!("entity highlights: {e}")))?;
        let mut entity_ids: Vec<String> = highlights.into_iter().map(|h| h.entity_id).collect();
        entity_ids.sort();
        entity_ids.dedup();
        events.push(EventFact { id: registry::parse_uuid(event_id)?, ts: date.unix_timestamp(), entity_ids });
    }
    let text = match row.try_get::<Option<String>, _>("text_sha256")? {
        Some(sha) => stored_text(inner, sha).await?,
        None => row.try_get("text")?,
    };
    Ok(Some(IndexDoc {
        tenant,
        document_id: id,
        title: Some(crate::util::display_title(title.as_deref(), subject.as_deref(), &source)),
        source,
        source_type: source_type.parse().map_err(CorpusError::Corrupt)?,
        passages: crate::index::passages(&text),
        text,
        entities,
        dates,
        events,
        mentions,
    }))
}

/// Index documents registered but not committed to the index (a crash between the registry
/// commit and the index commit, or an index rebuilt from scratch).
async fn reindex_pending(inner: &Arc<Inner>) -> Result<(), CorpusError> {
    let mut total = 0usize;
    loop {
        let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM documents WHERE indexed = 0 ORDER BY id LIMIT 200")
            .fetch_all(&inner.pool)
            .await?;
        if ids.is_empty() {
            break;
        }
        let mut done = Vec::with_capacity(ids.len());
        for id in &ids {
            let id = registry::parse_uuid(id)?;
            if let Some(doc) = index_doc_from_registry(inner, id).await? {
                let inner2 = inner.clone();
                tokio::task::spawn_blocking(move || inner2.index.add(&doc, true)).await??;
            }
            done.push(id);
        }
        let inner2 = inner.clone();
        tokio::task::spawn_blocking(move || inner2.index.commit()).await??;
        registry::mark_indexed(&inner.writer, &done).await?;
        total += done.len();
    }
    if total > 0 {
        tracing::info!(documents = total, "re-indexed documents missing from the index");
    }
    Ok(())
}
