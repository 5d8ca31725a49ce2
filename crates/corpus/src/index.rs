//! The Tantivy index: one index for all tenants, one Tantivy document per passage.

use std::path::Path;
use std::sync::Mutex;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, TermQuery, TermSetQuery};
use tantivy::schema::{
    DateOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TEXT, TantivyDocument, Value,
};
use tantivy::{DateTime, DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, Term};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::CorpusError;
use crate::facts::{EventFact, FactsIndex, MentionFact};
use crate::registry::SourceType;
use crate::util::slice;

/// Passages aim for this many bytes...
pub(crate) const PASSAGE_TARGET_BYTES: usize = 600;
/// ...and hold at most this many sentences.
pub(crate) const PASSAGE_MAX_SENTENCES: usize = 3;
/// A single sentence longer than this is cut at whitespace into pieces of about the target.
const PASSAGE_HARD_MAX_BYTES: usize = 1_000;

/// Fields of a passage.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub tenant: Field,
    pub document_id: Field,
    pub start: Field,
    pub end: Field,
    pub text: Field,
    pub title: Field,
    pub source: Field,
    pub source_type: Field,
    pub entity: Field,
    pub date: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        tenant: b.add_text_field("tenant_id", STRING),
        document_id: b.add_text_field("document_id", STRING | STORED),
        start: b.add_u64_field("passage_start", STORED),
        end: b.add_u64_field("passage_end", STORED),
        text: b.add_text_field("text", TEXT | STORED),
        title: b.add_text_field("title", TEXT | STORED),
        source: b.add_text_field("source", STORED),
        source_type: b.add_text_field("source_type", STRING | STORED),
        entity: b.add_text_field("entity", STRING),
        date: b.add_date_field("date", DateOptions::from(INDEXED)),
    };
    (b.build(), fields)
}

/// What is indexed of one document.
#[derive(Debug, Clone)]
pub(crate) struct IndexDoc {
    pub tenant: String,
    pub document_id: Uuid,
    pub title: Option<String>,
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

/// The passage index with its single writer and a reader reloaded after each commit, and the
/// facts index committed with it.
pub(crate) struct CorpusIndex {
    index: Index,
    writer: Mutex<IndexWriter>,
    reader: IndexReader,
    pub fields: Fields,
    pub facts: FactsIndex,
}

/// Open the Tantivy index in `dir` when it has `schema`, else (absent, or of an older layout)
/// create it empty; returns whether it was created. An index of an older layout is rebuilt
/// from the registry, which keeps everything indexed.
pub(crate) fn open_or_create(dir: &Path, schema: Schema) -> Result<(Index, bool), CorpusError> {
    std::fs::create_dir_all(dir).map_err(|e| CorpusError::storage(&format!("creating {}", dir.display()), e))?;
    if dir.join("meta.json").is_file() {
        let existing = Index::open_in_dir(dir)?;
        if existing.schema() == schema {
            return Ok((existing, false));
        }
        drop(existing);
        tracing::warn!(dir = %dir.display(), "index schema changed; rebuilding the index");
        std::fs::remove_dir_all(dir)
            .and_then(|()| std::fs::create_dir_all(dir))
            .map_err(|e| CorpusError::storage("clearing the old index", e))?;
    }
    Ok((Index::create_in_dir(dir, schema)?, true))
}

/// Split `text` into passages of one to three sentences (about 600 bytes), as byte ranges.
pub(crate) fn passages(text: &str) -> Vec<(usize, usize)> {
    passages_of(text, &crate::extract::sentences(text))
}

/// [`passages`] of `text` from its sentences, already found.
pub(crate) fn passages_of(text: &str, sentences: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut pieces: Vec<(usize, usize)> = Vec::new();
    for &(s, e) in sentences {
        // Sentence ranges come from another module; only well-formed, in-order ranges are used
        // so a bad range can never make slicing panic or passages overlap.
        let Some(sentence) = slice(text, s, e) else { continue };
        if sentence.trim().is_empty() || pieces.last().is_some_and(|&(_, pe)| s < pe) {
            continue;
        }
        if e - s > PASSAGE_HARD_MAX_BYTES {
            split_long(text, s, e, &mut pieces);
        } else {
            pieces.push((s, e));
        }
    }
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut current: Option<(usize, usize, usize)> = None;
    for (s, e) in pieces {
        current = match current {
            Some((cs, _, n)) if n < PASSAGE_MAX_SENTENCES && e - cs <= PASSAGE_TARGET_BYTES => Some((cs, e, n + 1)),
            Some((cs, ce, _)) => {
                out.push((cs, ce));
                Some((s, e, 1))
            }
            None => Some((s, e, 1)),
        };
    }
    if let Some((cs, ce, _)) = current {
        out.push((cs, ce));
    }
    out
}

fn split_long(text: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let mut s = start;
    while s < end {
        if end - s <= PASSAGE_HARD_MAX_BYTES {
            out.push((s, end));
            return;
        }
        let mut cut = s + PASSAGE_TARGET_BYTES;
        while cut < end && !text.is_char_boundary(cut) {
            cut += 1;
        }
        // Prefer to cut after a space within the next stretch, so words stay whole.
        let mut window_end = (s + PASSAGE_HARD_MAX_BYTES).min(end);
        while window_end > cut && !text.is_char_boundary(window_end) {
            window_end -= 1;
        }
        if let Some(window) = slice(text, cut, window_end)
            && let Some((rel, c)) = window.char_indices().find(|(_, c)| c.is_whitespace())
        {
            cut += rel + c.len_utf8();
        }
        if cut >= end {
            out.push((s, end));
            return;
        }
        out.push((s, cut));
        s = cut;
    }
}

impl CorpusIndex {
    /// Open the passage index in `dir` and the facts index in `facts_dir`, creating them when
    /// absent. Returns whether either was (re)created empty, in which case every registered
    /// document must be indexed again.
    pub(crate) fn open(dir: &Path, facts_dir: &Path) -> Result<(CorpusIndex, bool), CorpusError> {
        let (schema, fields) = schema();
        let (index, created) = open_or_create(dir, schema)?;
        let (facts, facts_created) = FactsIndex::open(facts_dir)?;
        let writer = index.writer_with_num_threads(2, 128 * 1024 * 1024)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok((CorpusIndex { index, writer: Mutex::new(writer), reader, fields, facts }, created || facts_created))
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, IndexWriter>, CorpusError> {
        self.writer.lock().map_err(|_| CorpusError::Index("index writer lock poisoned".into()))
    }

    /// Add a document's passages (uncommitted). With `replace`, earlier passages of the same
    /// document are removed first, which makes re-indexing after a restart idempotent.
    pub(crate) fn add(&self, doc: &IndexDoc, replace: bool) -> Result<usize, CorpusError> {
        let f = self.fields;
        let id = doc.document_id.to_string();
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
            d.add_u64(f.start, s as u64);
            d.add_u64(f.end, e as u64);
            d.add_text(f.text, passage);
            if let Some(title) = &doc.title {
                d.add_text(f.title, title);
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
            let writer = self.lock()?;
            if replace {
                writer.delete_term(Term::from_field_text(f.document_id, &id));
            }
            for d in docs {
                writer.add_document(d)?;
            }
        }
        self.facts.add(&doc.tenant, doc.document_id, &doc.events, &doc.mentions, replace)?;
        Ok(count)
    }

    /// Commit everything added so far to both indexes and make it visible to searches. A
    /// document is marked indexed only after both commits, so a crash in between makes it
    /// indexed again (replacing what either index already has).
    pub(crate) fn commit(&self) -> Result<(), CorpusError> {
        {
            let mut writer = self.lock()?;
            writer.commit()?;
        }
        self.reader.reload()?;
        self.facts.commit()
    }

    /// A searcher over the last committed state.
    pub(crate) fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// The underlying index (for the query parser and tokenizers).
    pub(crate) fn index(&self) -> &Index {
        &self.index
    }

    /// Number of passages visible to searches.
    pub(crate) fn num_passages(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// `query` restricted to one tenant (and optionally to a source type and to a set of
    /// documents) — every search goes through here so no query can reach another tenant's
    /// passages.
    pub(crate) fn scoped(
        &self,
        tenant: &str,
        query: Box<dyn Query>,
        source_type: Option<SourceType>,
        documents: Option<&[Uuid]>,
    ) -> Box<dyn Query> {
        let f = self.fields;
        // Filters must not change the ranking, only the candidate set.
        let filter =
            |q: Box<dyn Query>| -> (Occur, Box<dyn Query>) { (Occur::Must, Box::new(ConstScoreQuery::new(q, 0.0))) };
        let term = |field: Field, value: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(Term::from_field_text(field, value), IndexRecordOption::Basic))
        };
        let mut clauses = vec![(Occur::Must, query), filter(term(f.tenant, tenant))];
        if let Some(st) = source_type {
            clauses.push(filter(term(f.source_type, st.as_str())));
        }
        if let Some(documents) = documents {
            let terms = documents.iter().map(|d| Term::from_field_text(f.document_id, &d.to_string()));
            clauses.push(filter(Box::new(TermSetQuery::new(terms))));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// Run a scoped query: total hits and one page of (score, address).
    pub(crate) fn top(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        offset: usize,
        limit: usize,
    ) -> Result<(usize, Vec<(f32, DocAddress)>), CorpusError> {
        let collector = (Count, TopDocs::with_limit(limit.max(1)).and_offset(offset).order_by_score());
        let (total, top) = searcher.search(query, &collector)?;
        Ok((total, top))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_into_bounded_passages_on_char_boundaries() {
        let text = "Zoë signed the agreement on behalf of the company. ".repeat(200);
        let ps = passages(&text);
        assert!(ps.len() > 10);
        let mut prev_end = 0;
        for &(s, e) in &ps {
            assert!(s >= prev_end && e > s);
            assert!(e - s <= PASSAGE_HARD_MAX_BYTES, "{}", e - s);
            assert!(text.get(s..e).is_some());
            prev_end = e;
        }
        assert_eq!(ps.last().map(|p| p.1), Some(text.trim_end().len()));
    }

    #[test]
    fn blank_text_has_no_passages() {
        assert!(passages("  \n ").is_empty());
        assert_eq!(passages("Short."), vec![(0, 6)]);
    }
}
