//! The passage index: one Tantivy index for all tenants, one Tantivy document per passage.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::indexer::UserOperation;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    DateOptions, FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TantivyDocument, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::{
    DateTime, DocAddress, DocId, IndexReader, IndexWriter, ReloadPolicy, Searcher, SegmentReader, TERMINATED, Term,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{IndexDoc, open_or_create, passage_of};
use crate::error::CorpusError;
use crate::query::analysis;
use crate::registry::SourceType;
use crate::util::slice;

/// Fields of a passage.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub tenant: Field,
    pub document_id: Field,
    /// The document id's high and low 64 bits, as fast columns: a search reads the id of each
    /// matching document from them without touching the id column's dictionary.
    pub document_hi: Field,
    pub document_lo: Field,
    pub start: Field,
    pub end: Field,
    pub text: Field,
    pub title: Field,
    /// An e-mail's subject.
    pub subject: Field,
    /// The author, or an e-mail's sender.
    pub author: Field,
    /// An e-mail's recipients, one value each.
    pub recipients: Field,
    pub source: Field,
    pub source_type: Field,
    pub entity: Field,
    pub date: Field,
}

/// Name of the document id field, whose fast column groups passages by document.
pub(crate) const DOCUMENT_ID: &str = "document_id";
/// Names of the fast columns holding the document id's high and low 64 bits.
pub(crate) const DOCUMENT_HI: &str = "document_id_hi";
pub(crate) const DOCUMENT_LO: &str = "document_id_lo";

/// How passages are laid out in the index, kept as the payload of each commit: an index laid
/// out otherwise is rebuilt at open. Version 2: all passages of a document are added as one
/// batch, so they sit in one segment (merges keep segments whole); a search groups passages by
/// document within each segment and never across segments.
const LAYOUT: &str = "docket passages 2: each document's passages in one segment";

/// The passage schema. Every searchable text field goes through [`analysis::analyzer`]; a
/// change of analysis changes the schema (the analyzer's name), which rebuilds older indexes
/// from the registry at open.
pub(crate) fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let analysed = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analysis::ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        tenant: b.add_text_field("tenant_id", STRING),
        document_id: b.add_text_field(DOCUMENT_ID, STRING | STORED | FAST),
        document_hi: b.add_u64_field(DOCUMENT_HI, FAST),
        document_lo: b.add_u64_field(DOCUMENT_LO, FAST),
        start: b.add_u64_field("passage_start", STORED),
        end: b.add_u64_field("passage_end", STORED),
        text: b.add_text_field("text", analysed.clone() | STORED),
        title: b.add_text_field("title", analysed.clone() | STORED),
        subject: b.add_text_field("subject", analysed.clone()),
        author: b.add_text_field("author", analysed.clone()),
        recipients: b.add_text_field("recipients", analysed),
        source: b.add_text_field("source", STORED),
        source_type: b.add_text_field("source_type", STRING | STORED),
        entity: b.add_text_field("entity", STRING),
        date: b.add_date_field("date", DateOptions::from(INDEXED)),
    };
    (b.build(), fields)
}

/// The passage index with its single writer and a reader reloaded after each commit.
pub(crate) struct PassageIndex {
    writer: Mutex<IndexWriter>,
    reader: IndexReader,
    pub fields: Fields,
    /// [`SegmentDocuments`] of the segments searched lately.
    documents: Mutex<HashMap<SegmentId, Arc<SegmentDocuments>>>,
}

/// Which document each passage of one segment belongs to, read once from the fast columns
/// (segments never change): grouping a search's matches by document is then two array reads
/// per match instead of decoding columns.
pub(crate) struct SegmentDocuments {
    /// Per passage (by its id in the segment): its document's place in `ids` (the ordinal of
    /// the document's id in the segment's dictionary), `u32::MAX` for none.
    pub of_passage: Vec<u32>,
    /// Per place: the document's id.
    pub ids: Vec<Uuid>,
    /// Per place: the document's first passage (deleted or not).
    pub first: Vec<DocId>,
    /// Whether each document's passages follow one another. They are added as one batch; a
    /// document replaced before its segment was written, with other documents added between
    /// the two copies, is the exception.
    pub contiguous: bool,
}

impl SegmentDocuments {
    fn read(reader: &SegmentReader) -> Result<SegmentDocuments, CorpusError> {
        let fast = reader.fast_fields();
        let missing = || CorpusError::Index("passage index without its document id columns".into());
        let ords = fast.str(DOCUMENT_ID)?.ok_or_else(missing)?;
        let (his, los) = (fast.u64(DOCUMENT_HI)?, fast.u64(DOCUMENT_LO)?);
        let mut ids = vec![Uuid::nil(); ords.dictionary().num_terms()];
        let mut of_passage = vec![u32::MAX; reader.max_doc() as usize];
        let mut first = vec![TERMINATED; ids.len()];
        let mut contiguous = true;
        let mut previous = u32::MAX;
        for (doc, place) in (0..reader.max_doc()).zip(of_passage.iter_mut()) {
            let Some(ord) = ords.ords().first(doc) else { continue };
            let Some(id) = ids.get_mut(ord as usize) else { continue };
            if id.is_nil() {
                let (Some(hi), Some(lo)) = (his.first(doc), los.first(doc)) else { continue };
                *id = Uuid::from_u64_pair(hi, lo);
            }
            *place = ord as u32;
            if *place != previous {
                match first.get_mut(ord as usize) {
                    Some(at) if *at == TERMINATED => *at = doc,
                    _ => contiguous = false,
                }
                previous = *place;
            }
        }
        Ok(SegmentDocuments { of_passage, ids, first, contiguous })
    }
}

impl PassageIndex {
    /// Open the passage index in `dir`, creating it when absent. Returns whether it was
    /// (re)created empty.
    pub(crate) fn open(dir: &Path) -> Result<(PassageIndex, bool), CorpusError> {
        let (schema, fields) = schema();
        let (index, created) = open_or_create(dir, schema, Some(LAYOUT))?;
        analysis::register(&index);
        let mut writer = index.writer_with_num_threads(2, 128 * 1024 * 1024)?;
        if created {
            commit_with_layout(&mut writer)?;
        }
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok((PassageIndex { writer: Mutex::new(writer), reader, fields, documents: Mutex::default() }, created))
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, IndexWriter>, CorpusError> {
        self.writer.lock().map_err(|_| CorpusError::Index("index writer lock poisoned".into()))
    }

    /// Add a document's passages (uncommitted). With `replace`, earlier passages of the same
    /// document are removed first, which makes re-indexing after a restart idempotent.
    pub(crate) fn add(&self, doc: &IndexDoc, replace: bool) -> Result<usize, CorpusError> {
        let f = self.fields;
        let id = doc.document_id.to_string();
        let (hi, lo) = doc.document_id.as_u64_pair();
        let ranges: Vec<(usize, usize)> =
            doc.passages.iter().copied().filter(|&(s, e)| slice(&doc.text, s, e).is_some()).collect();
        // Each entity and date is indexed on the passage that states it, not on every passage
        // of the document: the index grows with the mentions, not with mentions x passages.
        let mut entities: Vec<Vec<&str>> = vec![Vec::new(); ranges.len()];
        let mut dates: Vec<Vec<OffsetDateTime>> = vec![Vec::new(); ranges.len()];
        if !ranges.is_empty() {
            for (at, entity) in &doc.entities {
                entities[passage_of(&ranges, *at)].push(entity);
            }
            for (at, date) in &doc.dates {
                dates[passage_of(&ranges, *at)].push(*date);
            }
        }
        // The Tantivy documents are built before the writer is locked, so that jobs indexing
        // at the same time wait on each other only for the hand-over.
        let mut docs = Vec::with_capacity(ranges.len());
        for (i, &(s, e)) in ranges.iter().enumerate() {
            let Some(passage) = slice(&doc.text, s, e) else { continue };
            let mut d = TantivyDocument::default();
            d.add_text(f.tenant, &doc.tenant);
            d.add_text(f.document_id, &id);
            d.add_u64(f.document_hi, hi);
            d.add_u64(f.document_lo, lo);
            d.add_u64(f.start, s as u64);
            d.add_u64(f.end, e as u64);
            d.add_text(f.text, passage);
            // The document's own fields go on every passage, so that `from:alice contract`
            // finds the passage that says "contract" in Alice's mail.
            if let Some(title) = &doc.title {
                d.add_text(f.title, title);
            }
            if let Some(subject) = &doc.subject {
                d.add_text(f.subject, subject);
            }
            if let Some(author) = &doc.author {
                d.add_text(f.author, author);
            }
            for recipient in &doc.recipients {
                d.add_text(f.recipients, recipient);
            }
            d.add_text(f.source, &doc.source);
            d.add_text(f.source_type, doc.source_type.as_str());
            let passage_entities = &mut entities[i];
            passage_entities.sort_unstable();
            passage_entities.dedup();
            for entity in passage_entities.iter() {
                d.add_text(f.entity, entity);
            }
            let passage_dates = &mut dates[i];
            passage_dates.sort_unstable();
            passage_dates.dedup();
            for date in passage_dates.iter() {
                d.add_date(f.date, DateTime::from_utc(*date));
            }
            docs.push(d);
        }
        let count = docs.len();
        {
            // One batch: the document's passages go to one indexing thread, hence one segment
            // (see [`LAYOUT`]), after the removal of its earlier passages.
            let removal = replace.then(|| UserOperation::Delete(Term::from_field_text(f.document_id, &id)));
            let operations: Vec<UserOperation> =
                removal.into_iter().chain(docs.into_iter().map(UserOperation::Add)).collect();
            self.lock()?.run(operations)?;
        }
        Ok(count)
    }

    /// Commit everything added so far and make it visible to searches.
    pub(crate) fn commit(&self) -> Result<(), CorpusError> {
        {
            let mut writer = self.lock()?;
            commit_with_layout(&mut writer)?;
        }
        self.reader.reload()?;
        Ok(())
    }

    /// A searcher over the last committed state.
    pub(crate) fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// The [`SegmentDocuments`] of `reader`'s segment, read at its first search.
    pub(crate) fn segment_documents(&self, reader: &SegmentReader) -> Result<Arc<SegmentDocuments>, CorpusError> {
        let poisoned = || CorpusError::Index("segment documents lock poisoned".into());
        let key = reader.segment_id();
        if let Some(found) = self.documents.lock().map_err(|_| poisoned())?.get(&key) {
            return Ok(found.clone());
        }
        let read = Arc::new(SegmentDocuments::read(reader)?);
        let live: HashSet<SegmentId> = self.searcher().segment_readers().iter().map(|r| r.segment_id()).collect();
        let mut cache = self.documents.lock().map_err(|_| poisoned())?;
        // Segments merged away are forgotten.
        cache.retain(|id, _| live.contains(id));
        cache.insert(key, read.clone());
        Ok(read)
    }

    /// Number of passages visible to searches.
    pub(crate) fn num_passages(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// What restricts a search to one tenant (and optionally to a source type and to one
    /// document): every search goes through these, so no query can reach another tenant's
    /// passages. A set of documents is checked by the search itself, through each segment's
    /// [`SegmentDocuments`].
    pub(crate) fn filters(
        &self,
        tenant: &crate::TenantId,
        source_type: Option<SourceType>,
        document: Option<Uuid>,
    ) -> Vec<Filter> {
        let f = self.fields;
        let term = |field: Field, value: &str| Filter::term(Term::from_field_text(field, value));
        let mut filters = vec![term(f.tenant, tenant.as_str())];
        if let Some(st) = source_type {
            filters.push(term(f.source_type, st.as_str()));
        }
        if let Some(document) = document {
            filters.push(term(f.document_id, &document.to_string()));
        }
        filters
    }

    /// Read a stored passage.
    pub(crate) fn passage(&self, searcher: &Searcher, addr: DocAddress) -> Result<StoredPassage, CorpusError> {
        let f = self.fields;
        let doc: TantivyDocument = searcher.doc(addr)?;
        let text_of = |field: Field| doc.get_first(field).and_then(|v| v.as_str().map(str::to_owned));
        let document_id = text_of(f.document_id)
            .and_then(|s| Uuid::parse_str(&s).ok())
            .ok_or_else(|| CorpusError::Index("passage without a document id".into()))?;
        Ok(StoredPassage {
            document_id,
            start: doc.get_first(f.start).and_then(|v| v.as_u64()).unwrap_or(0) as usize,
            end: doc.get_first(f.end).and_then(|v| v.as_u64()).unwrap_or(0) as usize,
            text: text_of(f.text).unwrap_or_default(),
            title: text_of(f.title),
            source: text_of(f.source).unwrap_or_default(),
            source_type: text_of(f.source_type).and_then(|s| s.parse().ok()),
        })
    }
}

/// A filter of a search: the query of the passages holding its term.
pub(crate) struct Filter {
    pub query: Box<dyn Query>,
    term: Term,
}

impl Filter {
    fn term(term: Term) -> Filter {
        Filter { query: Box::new(TermQuery::new(term.clone(), IndexRecordOption::Basic)), term }
    }

    /// Whether the filter keeps every passage of `reader`'s segment (one tenant's segment):
    /// then it need not be checked there.
    pub(crate) fn keeps_all(&self, reader: &tantivy::SegmentReader) -> Result<bool, CorpusError> {
        let term = &self.term;
        let freq = reader.inverted_index(term.field())?.doc_freq(term).map_err(tantivy::TantivyError::from)?;
        Ok(freq == reader.max_doc())
    }
}

/// `query` restricted by `filters` (see [`PassageIndex::filters`]); the filters change the
/// candidate set, never the ranking.
pub(crate) fn scoped(query: Box<dyn Query>, filters: &[Filter]) -> Box<dyn Query> {
    let filters = filters.iter().map(|f| -> (Occur, Box<dyn Query>) {
        (Occur::Must, Box::new(ConstScoreQuery::new(f.query.box_clone(), 0.0)))
    });
    Box::new(BooleanQuery::new(std::iter::once((Occur::Must, query)).chain(filters).collect()))
}

/// Commit `writer` with the index's [`LAYOUT`] as the commit's payload.
fn commit_with_layout(writer: &mut IndexWriter) -> Result<(), CorpusError> {
    let mut commit = writer.prepare_commit()?;
    commit.set_payload(LAYOUT);
    commit.commit()?;
    Ok(())
}

/// A passage as stored in the index.
#[derive(Debug, Clone)]
pub(crate) struct StoredPassage {
    pub document_id: Uuid,
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub title: Option<String>,
    pub source: String,
    pub source_type: Option<SourceType>,
}
