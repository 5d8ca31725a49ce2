//! Files before registration: read (local files within the roots), hashed, looked up in the
//! registry and, when new, parsed, analysed and kept in the content store.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use uuid::Uuid;

use crate::context::Inner;
use crate::error::CorpusError;
use crate::jobs;
use crate::model::{EntityMention, ExtractedDate, ParsedDocument};
use crate::parse::ParseError;
use crate::registry::{self, NewAttachment, SourceType};
use crate::store::sha256_hex;

/// A file or attachment waiting to be ingested.
pub(super) struct Item {
    /// Name given to the parser (its extension picks the parser when no media type is known).
    pub(super) name: String,
    /// Provenance: canonical path, file name or attachment name.
    pub(super) source: String,
    /// How errors name it.
    pub(super) label: String,
    pub(super) source_type: SourceType,
    pub(super) media_type: Option<String>,
    pub(super) bytes: Vec<u8>,
    pub(super) parent: Option<Uuid>,
    /// Its place among its parent's attachments.
    pub(super) position: Option<u32>,
    pub(super) depth: u8,
}

/// What one file yields after the blocking work.
pub(super) struct Analysed {
    pub(super) parsed: ParsedDocument,
    pub(super) dates: Vec<ExtractedDate>,
    pub(super) mentions: Vec<EntityMention>,
    /// The text's passages for the index, found here so that it happens in parallel.
    pub(super) passages: Vec<(usize, usize)>,
    /// SHA-256 of the text in the content store, once stored there.
    pub(super) text_sha256: Option<String>,
    /// The attachments as the document lists them (hashed here, off the async threads).
    pub(super) attachments: Vec<NewAttachment>,
}

/// Why a file was not analysed.
#[derive(Clone)]
pub(super) struct Failure {
    pub(super) error: String,
    /// No parser reads its type: for an attachment, a fact to list on the parent, not a failure.
    pub(super) unsupported: bool,
}

/// Files read, hashed, parsed and stored ahead of the one being registered: storing waits on
/// fsync, so overlapping many files is what keeps ingestion of small files fast...
pub(super) const PREFETCH: usize = 16;

/// ...within this many bytes of file content held in memory at once.
pub(super) const PREFETCH_BYTES: u64 = 128 * 1024 * 1024;

/// A file after the work that does not depend on the registry's next state.
pub(super) enum Fetched {
    /// The file could not be read.
    Failed { label: String, error: String },
    /// Boxed: an analysed document is large, a failure small.
    Ready(Box<Ready>),
}

/// A file hashed, looked up and (when needed) analysed.
pub(super) struct Ready {
    pub(super) item: Item,
    pub(super) sha: String,
    /// The tenant's document with this content when the file was fetched.
    pub(super) existing: Option<registry::Existing>,
    /// None when the tenant already had the content from another job (no need to parse).
    pub(super) analysed: Option<Result<Analysed, Failure>>,
}

/// Read a local file (within the size limit, without following links), then [`fetch`] it.
pub(super) async fn fetch_local(
    inner: &Arc<Inner>,
    tenant: &crate::TenantId,
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
pub(super) async fn fetch(
    inner: &Arc<Inner>,
    tenant: &crate::TenantId,
    job: Uuid,
    item: Item,
) -> Result<Fetched, CorpusError> {
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
    tenant: &crate::TenantId,
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

fn file_name_of(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string())
}
