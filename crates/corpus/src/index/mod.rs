//! The two Tantivy indexes of the corpus and their joint commit: the passage index (what
//! searches read) and the facts index (what the timeline and the entity graph read), both
//! rebuilt from the registry when absent or of an older layout.

pub(crate) mod facts;
pub(crate) mod passages;
pub(crate) mod rebuild;

use std::path::Path;
use std::sync::Arc;

use docket_billing::TenantId;
use tantivy::Index;
use tantivy::schema::Schema;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::CorpusError;
use crate::registry::SourceType;
use facts::{EventFact, FactsIndex, MentionFact};
use passages::PassageIndex;

/// Passages are split by extraction; ingestion reaches the splitter here, beside what it feeds.
pub(crate) use crate::extract::passages_of;

/// What is indexed of one document.
#[derive(Debug, Clone)]
pub(crate) struct IndexDoc {
    pub tenant: TenantId,
    pub document_id: Uuid,
    pub title: Option<String>,
    /// An e-mail's subject.
    pub subject: Option<String>,
    /// The author, or an e-mail's sender.
    pub author: Option<String>,
    /// An e-mail's recipients.
    pub recipients: Vec<String>,
    pub source: String,
    pub source_type: SourceType,
    pub text: String,
    /// The passages of `text` ([`passages`]), as byte ranges.
    pub passages: Vec<(usize, usize)>,
    /// Entity ids and lower-cased normalised forms, each with the byte offset of its mention
    /// in `text` (None for a mention outside the text, such as an e-mail header).
    pub entities: Vec<(Option<usize>, String)>,
    /// Dates, each with the byte offset where the text states it (None: the document's own date).
    pub dates: Vec<(Option<usize>, OffsetDateTime)>,
    /// The document's timeline events, for the facts index.
    pub events: Vec<EventFact>,
    /// The entities the document mentions, each once with its count, for the facts index.
    pub mentions: Vec<MentionFact>,
}

/// Which passage of `passages` (sorted byte ranges, at least one) carries an item at `at`: the
/// passage that holds it, else the closest one before it; items without an offset go with the
/// first passage.
fn passage_of(passages: &[(usize, usize)], at: Option<usize>) -> usize {
    match at {
        None => 0,
        Some(at) => passages.partition_point(|&(s, _)| s <= at).saturating_sub(1),
    }
}

/// The passage index and the facts index, committed together.
pub(crate) struct CorpusIndex {
    pub passages: PassageIndex,
    pub facts: Arc<FactsIndex>,
}

/// Bytes of stored documents compressed together in one doc-store block. Showing a hit
/// decompresses its whole block, so half Tantivy's default of 16 KiB halves that work for
/// about 5 % more index on disk (4 KiB cost 16 %). An index keeps the size it was created
/// with until it is rebuilt.
const DOC_STORE_BLOCK_BYTES: usize = 8 * 1024;

/// Open the Tantivy index in `dir` when it has `schema` (and, when given, was last committed
/// with `layout` as its payload: how documents are laid out in it), else (absent, or of an
/// older schema or layout) create it empty; returns whether it was created. An index of an
/// older schema or layout is rebuilt from the registry, which keeps everything indexed.
pub(crate) fn open_or_create(dir: &Path, schema: Schema, layout: Option<&str>) -> Result<(Index, bool), CorpusError> {
    std::fs::create_dir_all(dir).map_err(|e| CorpusError::storage(&format!("creating {}", dir.display()), e))?;
    if dir.join("meta.json").is_file() {
        let existing = Index::open_in_dir(dir)?;
        let same_layout = match layout {
            Some(layout) => existing.load_metas()?.payload.as_deref() == Some(layout),
            None => true,
        };
        if existing.schema() == schema && same_layout {
            return Ok((existing, false));
        }
        drop(existing);
        tracing::warn!(dir = %dir.display(), "index schema or layout changed; rebuilding the index");
        std::fs::remove_dir_all(dir)
            .and_then(|()| std::fs::create_dir_all(dir))
            .map_err(|e| CorpusError::storage("clearing the old index", e))?;
    }
    let settings = tantivy::IndexSettings { docstore_blocksize: DOC_STORE_BLOCK_BYTES, ..Default::default() };
    Ok((Index::builder().schema(schema).settings(settings).create_in_dir(dir)?, true))
}

impl CorpusIndex {
    /// Open the passage index in `dir` and the facts index in `facts_dir`, creating them when
    /// absent. Returns whether either was (re)created empty, in which case every registered
    /// document must be indexed again.
    pub(crate) fn open(dir: &Path, facts_dir: &Path) -> Result<(CorpusIndex, bool), CorpusError> {
        let (passages, created) = PassageIndex::open(dir)?;
        let (facts, facts_created) = FactsIndex::open(facts_dir)?;
        Ok((CorpusIndex { passages, facts: Arc::new(facts) }, created || facts_created))
    }

    /// Add a document's passages and facts (uncommitted). With `replace`, earlier passages and
    /// facts of the same document are removed first, which makes re-indexing after a restart
    /// idempotent.
    pub(crate) fn add(&self, doc: &IndexDoc, replace: bool) -> Result<usize, CorpusError> {
        let count = self.passages.add(doc, replace)?;
        self.facts.add(&doc.tenant, doc.document_id, &doc.events, &doc.mentions, replace)?;
        Ok(count)
    }

    /// Commit everything added so far to both indexes and make it visible to searches. A
    /// document is marked indexed only after both commits, so a crash in between makes it
    /// indexed again (replacing what either index already has).
    pub(crate) fn commit(&self) -> Result<(), CorpusError> {
        self.passages.commit()?;
        self.facts.commit()
    }

    /// Number of passages visible to searches.
    pub(crate) fn num_passages(&self) -> u64 {
        self.passages.num_passages()
    }
}
