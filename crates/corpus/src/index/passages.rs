//! The passage index: one Tantivy index for all tenants, one Tantivy document per passage.

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

use super::{IndexDoc, open_or_create, passage_of};
use crate::error::CorpusError;
use crate::query::deadline::{Deadline, WithDeadline};
use crate::registry::SourceType;
use crate::util::slice;

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

pub(crate) fn schema() -> (Schema, Fields) {
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

/// The passage index with its single writer and a reader reloaded after each commit.
pub(crate) struct PassageIndex {
    index: Index,
    writer: Mutex<IndexWriter>,
    reader: IndexReader,
    pub fields: Fields,
}

impl PassageIndex {
    /// Open the passage index in `dir`, creating it when absent. Returns whether it was
    /// (re)created empty.
    pub(crate) fn open(dir: &Path) -> Result<(PassageIndex, bool), CorpusError> {
        let (schema, fields) = schema();
        let (index, created) = open_or_create(dir, schema)?;
        let writer = index.writer_with_num_threads(2, 128 * 1024 * 1024)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok((PassageIndex { index, writer: Mutex::new(writer), reader, fields }, created))
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
        Ok(count)
    }

    /// Commit everything added so far and make it visible to searches.
    pub(crate) fn commit(&self) -> Result<(), CorpusError> {
        {
            let mut writer = self.lock()?;
            writer.commit()?;
        }
        self.reader.reload()?;
        Ok(())
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
        deadline: &Deadline,
    ) -> Result<(usize, Vec<(f32, DocAddress)>), CorpusError> {
        let collector = (Count, TopDocs::with_limit(limit.max(1)).and_offset(offset).order_by_score());
        let collector = WithDeadline::new(collector, deadline);
        let (total, top) = searcher.search(query, &collector).map_err(|e| deadline.explain(e))?;
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
