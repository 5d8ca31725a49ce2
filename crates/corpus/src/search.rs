//! Full-text search: query parsing and validation, scoped execution, ranking by the terms a
//! result holds, grouping by document, highlights, answers.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

use serde::{Deserialize, Serialize};
use tantivy::index::SegmentId;
use tantivy::query::{EnableScoring, Query, Scorer, Weight};
use tantivy::schema::Field as IndexField;
use tantivy::tokenizer::{TextAnalyzer, TokenStream};
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED};
use uuid::Uuid;

use crate::error::CorpusError;
use crate::index::passages::{self, Fields, Filter, PassageIndex, SegmentDocuments, StoredPassage};
use crate::query::analysis;
use crate::query::build::{self, Built, Terms};
use crate::query::deadline::Deadline;
use crate::query::limits::{self, QueryLimits, QueryShape};
use crate::query::parse::{self, Occur};
use crate::registry::SourceType;
use crate::util::slice;

/// Largest page of search results.
pub const MAX_SEARCH_PAGE_SIZE: u32 = 100;
/// Results per page when the request gives no page size.
pub const DEFAULT_SEARCH_PAGE_SIZE: u32 = 10;
/// Deepest result reachable by paging (page * page_size).
pub const MAX_SEARCH_DEPTH: u64 = 10_000;
/// Most passages shown per document.
pub const MAX_PASSAGES_PER_DOCUMENT: usize = 3;
/// Most clauses counted when ranking by the terms a result holds (one bit each).
const MAX_COUNTED_CLAUSES: usize = 64;
/// Matches read between two looks at the clock.
const CHECK_EVERY: u32 = 4_096;

/// How typed terms match.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SearchMode {
    /// Terms match as written (after accent folding and normalisation).
    #[default]
    Precision,
    /// Terms of four or more characters also match with one typo.
    Recall,
}

/// What one result is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SearchGroup {
    /// One result per document, with its best passages; `total_hits` counts documents.
    #[default]
    Document,
    /// One result per passage; `total_hits` counts passages.
    Passage,
}

/// A search.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct SearchRequest {
    /// The query: words, "phrases", AND / OR / NOT, +required, -excluded, field:word
    /// (title, subject, from, to, author, text).
    pub q: String,
    /// 1-based page number (default 1).
    pub page: Option<u32>,
    /// Results per page, 1..=100 (default 10).
    pub page_size: Option<u32>,
    /// Only documents of this source type: local, inline, upload or attachment.
    pub source: Option<String>,
    /// Only documents mentioning this entity (an entity id or its normalised form).
    pub entity: Option<String>,
    pub mode: SearchMode,
    /// One result per document (default) or per passage.
    pub group: SearchGroup,
}

/// A byte range within a passage's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Highlight {
    pub start: usize,
    pub end: usize,
}

/// A passage of evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Passage {
    pub text: String,
    /// Byte offset of the passage in the document's text.
    pub start: usize,
    /// Byte offset of the passage's end in the document's text.
    pub end: usize,
    /// Matched terms, as byte ranges within `text`.
    pub highlights: Vec<Highlight>,
}

/// Where a piece of evidence is in the corpus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Citation {
    pub document_id: Uuid,
    pub source: String,
    /// Byte offset in the document's text.
    pub passage_start: usize,
    /// Byte offset of the end in the document's text.
    pub passage_end: usize,
}

/// One matching document (or, with `group=passage`, one matching passage).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SearchHit {
    pub document_id: Uuid,
    pub title: Option<String>,
    /// The document's source: canonical path or file name.
    pub source: String,
    pub source_type: Option<SourceType>,
    /// The best passage (the first of `passages`).
    pub passage: Passage,
    /// The best passages of the document, best first (up to 3; with `group=passage`, the one).
    pub passages: Vec<Passage>,
    /// How many passages of the document match (1 with `group=passage`).
    pub matching_passages: u64,
    /// The query's terms (as typed) this result holds.
    pub matched_terms: Vec<String>,
    /// The query's terms (as typed) this result lacks: empty when it holds every one.
    pub missing_terms: Vec<String>,
    /// Citation of the best passage.
    pub citation: Citation,
    /// BM25 score of the best passage (comparable only within one response). Results are
    /// ordered by how many terms they hold first, then by this score.
    pub score: f32,
}

/// A sentence of the extractive answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AnswerSentence {
    pub sentence: String,
    pub citation: Citation,
}

/// Search results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SearchResponse {
    /// Matching documents over all pages (passages with `group=passage`).
    pub total_hits: u64,
    pub page: u32,
    pub page_size: u32,
    pub results: Vec<SearchHit>,
    /// The best one to three sentences of the top passages that contain query terms.
    pub answer: Vec<AnswerSentence>,
    pub took_ms: u64,
}

fn invalid(reason: impl Into<String>) -> CorpusError {
    CorpusError::InvalidQuery { reason: reason.into(), position: None }
}

/// Check, parse and build `q`: limits first (nothing longer or deeper reaches the parser),
/// then the forgiving parse, then the Tantivy query over the passage fields.
fn prepare(fields: Fields, empty: &[IndexField], q: &str, mode: SearchMode) -> Result<Built, CorpusError> {
    if q.trim().is_empty() {
        return Err(invalid("the query is empty"));
    }
    limits::check(q, &QueryLimits::default()).map_err(CorpusError::QueryTooComplex)?;
    let clauses =
        parse::parse(q).map_err(|e| CorpusError::InvalidQuery { reason: e.to_string(), position: Some(e.position) })?;
    let mut analyzer = analysis::analyzer();
    build::build(&clauses, fields, empty, &mut analyzer, mode == SearchMode::Recall).ok_or_else(|| {
        if clauses.iter().any(|c| c.occur == Occur::MustNot) {
            invalid("the query only excludes terms; add a term to search for")
        } else {
            invalid("the query holds no word to search for")
        }
    })
}

/// The searchable fields without a single term in any segment (no document has a subject,
/// say): searching them costs term lookups in every segment and finds nothing.
fn empty_fields(searcher: &Searcher, fields: &Fields) -> Result<Vec<IndexField>, CorpusError> {
    let mut empty = Vec::new();
    for field in [fields.title, fields.subject, fields.author, fields.recipients] {
        let mut any = false;
        for reader in searcher.segment_readers() {
            any |= reader.inverted_index(field)?.terms().num_terms() > 0;
        }
        if !any {
            empty.push(field);
        }
    }
    Ok(empty)
}

/// Check and parse `q` as [`run`] does, without an index of documents.
pub(crate) fn parse_only(q: &str, mode: SearchMode) -> Result<QueryShape, CorpusError> {
    static FIELDS: OnceLock<Fields> = OnceLock::new();
    let fields = *FIELDS.get_or_init(|| passages::schema().1);
    prepare(fields, &[], q, mode)?;
    limits::check(q, &QueryLimits::default()).map_err(CorpusError::QueryTooComplex)
}

/// Highlights of the query's words in `text`, overlapping ranges (CJK bigrams) merged.
fn highlights(analyzer: &mut TextAnalyzer, terms: &Terms, text: &str) -> Vec<Highlight> {
    let mut out: Vec<Highlight> = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        let token = stream.token();
        if !terms.matches(&token.text) {
            continue;
        }
        let (start, end) = (token.offset_from, token.offset_to);
        match out.last_mut() {
            Some(last) if start < last.end => last.end = last.end.max(end),
            _ => out.push(Highlight { start, end }),
        }
    }
    out
}

/// A matching passage: its score, which counted clauses it holds, where it is.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    score: Score,
    mask: u64,
    addr: DocAddress,
}

impl Candidate {
    /// Better first: more clauses held, then a higher score.
    fn rank(&self, other: &Candidate) -> Ordering {
        other.mask.count_ones().cmp(&self.mask.count_ones()).then(other.score.total_cmp(&self.score))
    }
}

/// A matching document: what its matching passages come to.
#[derive(Debug, Clone, Copy)]
struct DocumentMatch {
    id: Uuid,
    /// Clauses held by any of its passages.
    mask: u64,
    /// Highest passage score.
    best: Score,
    /// How many of its passages match.
    count: u64,
    /// Its best passages so far, best first: the first `shown` of these.
    top: [Candidate; MAX_PASSAGES_PER_DOCUMENT],
    shown: usize,
}

impl DocumentMatch {
    fn new(id: Uuid, first: Candidate) -> DocumentMatch {
        DocumentMatch {
            id,
            mask: first.mask,
            best: first.score,
            count: 1,
            top: [first; MAX_PASSAGES_PER_DOCUMENT],
            shown: 1,
        }
    }

    /// Better first: more clauses held, then a higher best passage, then the id (stable pages).
    fn rank(&self, other: &DocumentMatch) -> Ordering {
        other
            .mask
            .count_ones()
            .cmp(&self.mask.count_ones())
            .then(other.best.total_cmp(&self.best))
            .then_with(|| self.id.cmp(&other.id))
    }

    /// Count one more matching passage, kept among its best when it is one (ties: the earlier
    /// passage first).
    fn add(&mut self, passage: Candidate) {
        self.mask |= passage.mask;
        self.best = self.best.max(passage.score);
        self.count += 1;
        let mut at = self.shown;
        while at > 0 && passage.rank(&self.top[at - 1]) == Ordering::Less {
            at -= 1;
        }
        if at < MAX_PASSAGES_PER_DOCUMENT {
            self.shown = (self.shown + 1).min(MAX_PASSAGES_PER_DOCUMENT);
            self.top.copy_within(at..self.shown - 1, at + 1);
            self.top[at] = passage;
        }
    }

    /// Its best passages, best first.
    fn passages(&self) -> &[Candidate] {
        &self.top[..self.shown]
    }
}

/// The best `n` of `items`, best first, by `rank` (`Less`: better): a heap of the best so far
/// whose worst is on top, so that most items cost one comparison.
fn best<T: Copy>(items: &[T], n: usize, rank: fn(&T, &T) -> Ordering) -> Vec<T> {
    /// Ordered by `rank`, so that the greatest, the heap's top, is the worst.
    struct Ranked<T>(T, fn(&T, &T) -> Ordering);
    impl<T> Ord for Ranked<T> {
        fn cmp(&self, other: &Self) -> Ordering {
            (self.1)(&self.0, &other.0)
        }
    }
    impl<T> PartialOrd for Ranked<T> {
        fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
            Some(self.cmp(other))
        }
    }
    impl<T> PartialEq for Ranked<T> {
        fn eq(&self, other: &Self) -> bool {
            self.cmp(other) == Ordering::Equal
        }
    }
    impl<T> Eq for Ranked<T> {}

    let mut heap: BinaryHeap<Ranked<T>> = BinaryHeap::with_capacity(n.min(items.len()) + 1);
    for item in items {
        if heap.len() < n {
            heap.push(Ranked(*item, rank));
        } else if let Some(mut worst) = heap.peek_mut()
            && rank(item, &worst.0) == Ordering::Less
        {
            *worst = Ranked(*item, rank);
        }
    }
    heap.into_sorted_vec().into_iter().map(|r| r.0).collect()
}

/// What the matching passages come to: how many documents (or passages) match, and the best
/// `wanted` of them, best first.
enum Collected {
    Documents { total: usize, best: Vec<DocumentMatch> },
    Passages { total: usize, best: Vec<Candidate> },
}

/// What a search reads its matches with, built once per search.
enum Matcher {
    /// Any query: the search's own weight, with the clauses a match holds found by seeking
    /// their scorers to it.
    General { main: Box<dyn Weight>, clauses: Vec<Box<dyn Weight>>, documents: Option<DocumentSet> },
    /// A query whose results need only one of its clauses: the clauses' own scorers walked
    /// together, a match's score the sum of the clauses it holds (as in the whole query); the
    /// excluded clauses and the filters are sought to each match, and a filter keeping every
    /// passage of a segment is not checked there. Either kind keeps to its set of documents,
    /// when given, through [`Places`].
    Disjunction {
        clauses: Vec<Box<dyn Weight>>,
        excluded: Vec<Box<dyn Weight>>,
        filters: Vec<(Filter, Box<dyn Weight>)>,
        documents: Option<DocumentSet>,
        /// When every clause is one word and results are documents: what finds the best
        /// documents without scoring every match ([`top`]).
        pruning: Option<top::Pruning>,
    },
}

impl Matcher {
    /// The matcher of `built` restricted by `filters` and, when given, to a set of documents.
    fn new(
        searcher: &Searcher,
        built: &Built,
        filters: Vec<Filter>,
        documents: Option<DocumentSet>,
        group: SearchGroup,
    ) -> Result<Matcher, CorpusError> {
        let scoring = EnableScoring::enabled_from_searcher(searcher);
        let unscored = EnableScoring::disabled_from_searcher(searcher);
        if built.disjunction && built.clauses.len() <= MAX_COUNTED_CLAUSES {
            let pruning = match &built.words {
                Some(words) if group == SearchGroup::Document => {
                    Some(top::Pruning::new(searcher, &built.clauses, words)?)
                }
                _ => None,
            };
            return Ok(Matcher::Disjunction {
                pruning,
                documents,
                clauses: built.clauses.iter().map(|(_, q)| q.weight(scoring)).collect::<tantivy::Result<_>>()?,
                excluded: built.excluded.iter().map(|q| q.weight(unscored)).collect::<tantivy::Result<_>>()?,
                filters: filters
                    .into_iter()
                    .map(|f| {
                        let weight = f.query.weight(unscored)?;
                        Ok((f, weight))
                    })
                    .collect::<tantivy::Result<_>>()?,
            });
        }
        Ok(Matcher::General {
            main: passages::scoped(built.query.box_clone(), &filters).weight(scoring)?,
            clauses: built
                .clauses
                .iter()
                .take(MAX_COUNTED_CLAUSES)
                .map(|(_, q)| q.weight(unscored))
                .collect::<tantivy::Result<_>>()?,
            documents,
        })
    }

    /// The passages of `reader`'s segment (whose documents are `documents`) the search's set of
    /// documents keeps; None without a set.
    fn places(&self, reader: &SegmentReader, documents: &Arc<SegmentDocuments>) -> Result<Option<Places>, CorpusError> {
        let (Matcher::General { documents: set, .. } | Matcher::Disjunction { documents: set, .. }) = self;
        set.as_ref().map(|set| set.places(reader, documents)).transpose()
    }

    /// The matches in one segment (whose documents are `documents`).
    fn segment(
        &self,
        reader: &SegmentReader,
        documents: &Arc<SegmentDocuments>,
    ) -> Result<SegmentMatches, CorpusError> {
        let scorers = |weights: &[Box<dyn Weight>]| -> tantivy::Result<Vec<Box<dyn Scorer>>> {
            weights.iter().map(|w| w.scorer(reader, 1.0)).collect()
        };
        Ok(match self {
            Matcher::General { main, clauses, .. } => SegmentMatches::General {
                main: main.scorer(reader, 1.0)?,
                // One clause: every match holds it.
                clauses: if clauses.len() <= 1 { Vec::new() } else { scorers(clauses)? },
                places: self.places(reader, documents)?,
            },
            Matcher::Disjunction { clauses, .. } => {
                SegmentMatches::Disjunction { clauses: scorers(clauses)?, checks: self.checks(reader, documents)? }
            }
        })
    }

    /// What a plain query's matches in `reader`'s segment (whose documents are `documents`)
    /// are checked against besides their clauses, fresh; nothing for any other query, whose
    /// whole weight holds its filters and exclusions.
    fn checks(&self, reader: &SegmentReader, documents: &Arc<SegmentDocuments>) -> Result<Checks, CorpusError> {
        let mut checks = Checks { places: None, filters: Vec::new(), excluded: Vec::new() };
        if let Matcher::Disjunction { excluded, filters, .. } = self {
            checks.places = self.places(reader, documents)?;
            for (filter, weight) in filters {
                if !filter.keeps_all(reader)? {
                    checks.filters.push(weight.scorer(reader, 1.0)?);
                }
            }
            for weight in excluded {
                checks.excluded.push(weight.scorer(reader, 1.0)?);
            }
        }
        Ok(checks)
    }
}

/// What a plain query's matches in one segment are checked against besides their clauses: the
/// passages of the search's set of documents, the filters that do not keep the whole segment (a
/// filter on the tenant of a one-tenant segment is left out) and the excluded clauses, as
/// scorers moving forward.
struct Checks {
    places: Option<Places>,
    filters: Vec<Box<dyn Scorer>>,
    excluded: Vec<Box<dyn Scorer>>,
}

impl Checks {
    /// Whether passage `doc` (asked in increasing order) is kept by the filters and holds no
    /// excluded clause.
    fn keep(&mut self, doc: DocId) -> bool {
        self.places.as_ref().is_none_or(|p| p.keep(doc))
            && self.filters.iter_mut().all(|f| holds(f.as_mut(), doc))
            && !self.excluded.iter_mut().any(|e| holds(e.as_mut(), doc))
    }
}

/// The documents a search keeps to (those of an entity filter, often thousands), checked per
/// passage through its segment's documents ([`SegmentDocuments`]): which of a segment's
/// documents are in the set is read once per search. (A Tantivy term set would build an FST
/// of the ids and walk every segment's term dictionary with it, which cost more than the
/// search itself.)
struct DocumentSet {
    ids: HashSet<Uuid>,
    /// Per segment: per place, whether its document is in the set.
    kept: Mutex<HashMap<SegmentId, Arc<[bool]>>>,
}

impl DocumentSet {
    /// How a search keeps to `documents`: one document (an entity named in one) is a term
    /// filter the search seeks to, more are a set.
    fn restriction(documents: Option<&[Uuid]>) -> (Option<Uuid>, Option<DocumentSet>) {
        match documents {
            Some([one]) => (Some(*one), None),
            Some(many) => (None, Some(DocumentSet { ids: many.iter().copied().collect(), kept: Mutex::default() })),
            None => (None, None),
        }
    }

    /// The passages of `reader`'s segment (whose documents are `documents`) in the set.
    fn places(&self, reader: &SegmentReader, documents: &Arc<SegmentDocuments>) -> Result<Places, CorpusError> {
        let mut kept = self.kept.lock().map_err(|_| CorpusError::Index("document set lock poisoned".into()))?;
        let kept = kept
            .entry(reader.segment_id())
            .or_insert_with(|| documents.ids.iter().map(|id| self.ids.contains(id)).collect())
            .clone();
        Ok(Places { documents: documents.clone(), kept })
    }
}

/// The passages of one segment a set of documents keeps.
struct Places {
    documents: Arc<SegmentDocuments>,
    /// Per place: whether its document is in the set.
    kept: Arc<[bool]>,
}

impl Places {
    fn keep(&self, doc: DocId) -> bool {
        self.documents.of_passage.get(doc as usize).and_then(|&place| self.kept.get(place as usize)) == Some(&true)
    }
}

/// The matches of a search in one segment, read in increasing passage order.
enum SegmentMatches {
    General { main: Box<dyn Scorer>, clauses: Vec<Box<dyn Scorer>>, places: Option<Places> },
    Disjunction { clauses: Vec<Box<dyn Scorer>>, checks: Checks },
}

/// Move `scorer` to `doc` or past it when it is before; whether it holds `doc`.
fn holds(scorer: &mut dyn Scorer, doc: DocId) -> bool {
    if scorer.doc() < doc {
        scorer.seek(doc);
    }
    scorer.doc() == doc
}

impl SegmentMatches {
    /// Move to the first match at or after `target` (never back).
    fn skip_to(&mut self, target: DocId) {
        match self {
            SegmentMatches::General { main, .. } => {
                if main.doc() < target {
                    main.seek(target);
                }
            }
            SegmentMatches::Disjunction { clauses, .. } => {
                for clause in clauses {
                    if clause.doc() < target {
                        clause.seek(target);
                    }
                }
            }
        }
    }

    /// The next match: the passage, which clauses it holds (clause i sets bit i), its score.
    fn next(&mut self) -> Option<(DocId, u64, Score)> {
        match self {
            SegmentMatches::General { main, clauses, places } => loop {
                let doc = main.doc();
                if doc == TERMINATED {
                    return None;
                }
                if places.as_ref().is_some_and(|p| !p.keep(doc)) {
                    main.advance();
                    continue;
                }
                let found = (doc, held(clauses, doc), main.score());
                main.advance();
                return Some(found);
            },
            SegmentMatches::Disjunction { clauses, checks } => loop {
                let doc = clauses.iter().map(|c| c.doc()).min().unwrap_or(TERMINATED);
                if doc == TERMINATED {
                    return None;
                }
                let (mut mask, mut score) = (0u64, 0.0);
                for (i, clause) in clauses.iter_mut().enumerate() {
                    if clause.doc() == doc {
                        mask |= 1 << i;
                        score += clause.score();
                        clause.advance();
                    }
                }
                if checks.keep(doc) {
                    return Some((doc, mask, score));
                }
            },
        }
    }
}

/// Read every match, with which clauses each holds, and rank them: documents (or passages)
/// holding more clauses first, then by BM25. Only the best `wanted` are sorted; grouping keeps
/// per document what ranks it and its best passages. A document's passages are all in one
/// segment (the index's layout), so documents are grouped per segment.
fn collect(
    index: &PassageIndex,
    searcher: &Searcher,
    matcher: &Matcher,
    group: SearchGroup,
    wanted: usize,
    deadline: &Deadline,
) -> Result<Collected, CorpusError> {
    if let Matcher::Disjunction { pruning: Some(pruning), .. } = matcher
        && group == SearchGroup::Document
        && let Some(found) = top::documents(index, searcher, matcher, pruning, wanted, deadline)?
    {
        return Ok(found);
    }
    let mut documents: Vec<DocumentMatch> = Vec::new();
    let mut passages: Vec<Candidate> = Vec::new();
    for (segment, reader) in searcher.segment_readers().iter().enumerate() {
        deadline.check()?;
        let segment_documents = index.segment_documents(reader)?;
        let mut matches = matcher.segment(reader, &segment_documents)?;
        let alive = reader.alive_bitset();
        // A slot per document of the segment (its index in `documents` plus one; zero, a zeroed
        // allocation, for none yet), so that grouping a match is an array access.
        let mut slot_of = vec![0u32; if group == SearchGroup::Document { segment_documents.ids.len() } else { 0 }];
        documents.reserve(slot_of.len());
        let mut read = 0u32;
        while let Some((doc, mask, score)) = matches.next() {
            read += 1;
            if read.is_multiple_of(CHECK_EVERY) {
                deadline.check()?;
            }
            if alive.is_some_and(|a| a.is_deleted(doc)) {
                continue;
            }
            let passage = Candidate { score, mask, addr: DocAddress::new(segment as u32, doc) };
            match group {
                SearchGroup::Passage => passages.push(passage),
                SearchGroup::Document => {
                    let Some(&place) = segment_documents.of_passage.get(doc as usize) else { continue };
                    let (Some(slot), Some(&id)) =
                        (slot_of.get_mut(place as usize), segment_documents.ids.get(place as usize))
                    else {
                        continue;
                    };
                    match (*slot as usize).checked_sub(1) {
                        Some(i) => documents[i].add(passage),
                        None => {
                            documents.push(DocumentMatch::new(id, passage));
                            *slot = documents.len() as u32;
                        }
                    }
                }
            }
        }
    }
    Ok(match group {
        SearchGroup::Passage => {
            Collected::Passages { total: passages.len(), best: best(&passages, wanted, Candidate::rank) }
        }
        SearchGroup::Document => {
            Collected::Documents { total: documents.len(), best: best(&documents, wanted, DocumentMatch::rank) }
        }
    })
}

/// Which clauses passage `doc` holds (clause i sets bit i), seeking each clause's scorer to it:
/// called in increasing `doc` order, so that every scorer only moves forward (a walk of the
/// clauses' postings limited to the matches, with their skip lists). No scorers: one clause,
/// which every match holds.
fn held(scorers: &mut [Box<dyn Scorer>], doc: DocId) -> u64 {
    if scorers.is_empty() {
        return 1;
    }
    let mut mask = 0;
    for (i, scorer) in scorers.iter_mut().enumerate() {
        if holds(scorer.as_mut(), doc) {
            mask |= 1 << i;
        }
    }
    mask
}

/// What a running search has produced so far, as it produces it.
pub(crate) enum Progress<'a> {
    /// The number of matching results, known before the first hit is read.
    Total(u64),
    /// The next hit of the page.
    Hit(&'a SearchHit),
}

/// One line of a streamed search, in the order they come: the hits of the page as each is
/// read, then the answer (or the error that ended the search).
#[derive(Debug)]
pub enum SearchEvent {
    /// The next hit.
    Hit(Box<SearchHit>),
    /// The search is over: the answer drawn from the hits, and the time it took.
    Done { answer: Vec<AnswerSentence>, took_ms: u64 },
    /// The search failed after its first hits (its deadline passed, or the index failed).
    Failed(CorpusError),
}

/// A search whose hits are sent as they are read: the totals, then [`SearchEvent`]s.
/// Dropping it stops the search.
#[derive(Debug)]
pub struct SearchStream {
    /// Matching results over all pages.
    pub total_hits: u64,
    pub page: u32,
    pub page_size: u32,
    pub(crate) events: tokio::sync::mpsc::Receiver<SearchEvent>,
    pub(crate) _searching: crate::query::deadline::CancelOnDrop,
}

impl SearchStream {
    /// The next event, or None after `Done` or `Failed`.
    pub async fn next(&mut self) -> Option<SearchEvent> {
        self.events.recv().await
    }
}

/// The typed clauses a mask holds, and those it lacks.
fn split_terms(clauses: &[(String, Box<dyn Query>)], mask: u64) -> (Vec<String>, Vec<String>) {
    let (mut held, mut missing) = (Vec::new(), Vec::new());
    for (i, (typed, _)) in clauses.iter().enumerate() {
        if i < MAX_COUNTED_CLAUSES && mask & (1 << i) == 0 {
            missing.push(typed.clone());
        } else {
            held.push(typed.clone());
        }
    }
    (held, missing)
}

/// Run a search for one tenant (blocking: call from a blocking thread).
/// `documents`, when given, keeps only hits in those documents (the entity filter, resolved).
pub(crate) fn run(
    index: &PassageIndex,
    tenant: &crate::TenantId,
    req: &SearchRequest,
    documents: Option<&[Uuid]>,
    deadline: &Deadline,
    progress: &mut dyn FnMut(Progress<'_>) -> Result<(), CorpusError>,
) -> Result<SearchResponse, CorpusError> {
    let page = req.page.unwrap_or(1);
    if page == 0 {
        return Err(CorpusError::filter("page", "pages are numbered from 1"));
    }
    let page_size = req.page_size.unwrap_or(DEFAULT_SEARCH_PAGE_SIZE);
    if page_size == 0 || page_size > MAX_SEARCH_PAGE_SIZE {
        return Err(CorpusError::filter("page_size", format!("must be between 1 and {MAX_SEARCH_PAGE_SIZE}")));
    }
    if u64::from(page) * u64::from(page_size) > MAX_SEARCH_DEPTH {
        return Err(CorpusError::filter("page", format!("results beyond the first {MAX_SEARCH_DEPTH} are not paged")));
    }
    let source_type = match req.source.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(s.parse::<SourceType>().map_err(|reason| CorpusError::filter("source", reason))?),
        None => None,
    };
    let searcher: Searcher = index.searcher();
    let built = prepare(index.fields, &empty_fields(&searcher, &index.fields)?, &req.q, req.mode)?;
    deadline.check()?;
    let (document, set) = DocumentSet::restriction(documents);
    let matcher = Matcher::new(&searcher, &built, index.filters(tenant, source_type, document), set, req.group)?;
    let offset = ((page - 1) * page_size) as usize;
    let wanted = offset + page_size as usize;
    // Each page entry: the passages to show (best first), how many match, the clauses held.
    let (total, entries): (usize, Vec<(Vec<Candidate>, u64, u64)>) =
        match collect(index, &searcher, &matcher, req.group, wanted, deadline)? {
            Collected::Documents { total, best } => {
                (total, best.iter().skip(offset).map(|d| (d.passages().to_vec(), d.count, d.mask)).collect())
            }
            Collected::Passages { total, best } => {
                (total, best.into_iter().skip(offset).map(|c| (vec![c], 1, c.mask)).collect())
            }
        };
    progress(Progress::Total(total as u64))?;

    let mut results = Vec::with_capacity(entries.len());
    let mut analyzer = analysis::analyzer();
    for (top, count, mask) in entries {
        deadline.check()?;
        let mut shown: Vec<(StoredPassage, Score)> = Vec::with_capacity(top.len());
        for c in &top {
            shown.push((index.passage(&searcher, c.addr)?, c.score));
        }
        let Some((best, score)) = shown.first().map(|(p, s)| (p.clone(), *s)) else { continue };
        let passages: Vec<Passage> = shown
            .into_iter()
            .map(|(p, _)| Passage {
                highlights: highlights(&mut analyzer, &built.terms, &p.text),
                text: p.text,
                start: p.start,
                end: p.end,
            })
            .collect();
        let (matched_terms, missing_terms) = split_terms(&built.clauses, mask);
        results.push(SearchHit {
            document_id: best.document_id,
            title: best.title,
            citation: Citation {
                document_id: best.document_id,
                source: best.source.clone(),
                passage_start: best.start,
                passage_end: best.end,
            },
            source: best.source,
            source_type: best.source_type,
            passage: passages[0].clone(),
            passages,
            matching_passages: count,
            matched_terms,
            missing_terms,
            score,
        });
        if let Some(hit) = results.last() {
            progress(Progress::Hit(hit))?;
        }
    }
    let answer = answer(&results);
    Ok(SearchResponse { total_hits: total as u64, page, page_size, results, answer, took_ms: 0 })
}

/// Pick the best one to three sentences of the top passages: the most distinct query words,
/// earlier passages first on ties.
fn answer(results: &[SearchHit]) -> Vec<AnswerSentence> {
    let mut candidates: Vec<(usize, usize, AnswerSentence)> = Vec::new();
    let shown = results.iter().flat_map(|hit| hit.passages.iter().map(move |p| (hit, p)));
    for (rank, (hit, passage)) in shown.take(5).enumerate() {
        let text = &passage.text;
        for (s, e) in crate::extract::sentences(text) {
            let Some(raw) = slice(text, s, e) else { continue };
            let lead = raw.len() - raw.trim_start().len();
            let sentence = raw.trim();
            if sentence.is_empty() {
                continue;
            }
            let (ss, se) = (s + lead, s + lead + sentence.len());
            let mut words: HashSet<&str> = HashSet::new();
            for h in &passage.highlights {
                if h.start >= ss
                    && h.end <= se
                    && let Some(w) = slice(text, h.start, h.end)
                {
                    words.insert(w);
                }
            }
            if words.is_empty() {
                continue;
            }
            candidates.push((
                words.len(),
                rank,
                AnswerSentence {
                    sentence: sentence.to_owned(),
                    citation: Citation {
                        document_id: hit.document_id,
                        source: hit.source.clone(),
                        passage_start: passage.start + ss,
                        passage_end: passage.start + se,
                    },
                },
            ));
        }
    }
    candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut seen = HashSet::new();
    candidates.into_iter().filter(|(_, _, a)| seen.insert(a.sentence.clone())).take(3).map(|(_, _, a)| a).collect()
}

mod top;

#[cfg(test)]
mod tests;
