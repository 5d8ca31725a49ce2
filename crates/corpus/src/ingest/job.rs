//! One job's run: its sources in order, duplicates and failures counted, attachments followed
//! depth-first, documents handed to registration in batches.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use uuid::Uuid;

use crate::context::Inner;
use crate::error::CorpusError;
use crate::jobs::{self, ClaimedJob, Counts, JobError, StoredSource};
use crate::local::Walked;
use crate::model::Attachment;
use crate::registry::{AttachmentNote, AttachmentStatus, SourceType};

use super::fetch::{Analysed, Failure, Fetched, Item, PREFETCH, PREFETCH_BYTES, Ready, fetch, fetch_local};
use super::meter::mark_reporting;
use super::register::{INDEX_BATCH, Indexed, add_to_index, commit_index, register_and_index};

/// How often a running job's counters are written for progress polling.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);

struct Run<'a> {
    inner: &'a Arc<Inner>,
    job: Uuid,
    tenant: crate::TenantId,
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
pub(super) struct Pending {
    pub(super) item: Item,
    pub(super) size: u64,
    pub(super) id: Uuid,
    pub(super) sha: String,
    pub(super) analysed: Analysed,
}

/// Run a job; Ok(true) when it finished, Ok(false) when a shutdown interrupted it.
pub(super) async fn run_job(inner: &Arc<Inner>, job: ClaimedJob) -> Result<bool, CorpusError> {
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
