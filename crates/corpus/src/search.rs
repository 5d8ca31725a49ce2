//! Full-text search: query parsing and validation, scoped execution, ranking by the terms a
//! result holds, grouping by document, highlights, answers.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use tantivy::query::{EnableScoring, Query, Weight};
use tantivy::{DocAddress, DocSet, Score, Searcher, TERMINATED};
use uuid::Uuid;

use crate::error::CorpusError;
use crate::index::passages::{self, DOCUMENT_ID, Fields, PassageIndex, StoredPassage};
use crate::query::analysis;
use crate::query::build::{self, Built, Terms, tokens};
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
fn prepare(fields: Fields, q: &str, mode: SearchMode) -> Result<Built, CorpusError> {
    if q.trim().is_empty() {
        return Err(invalid("the query is empty"));
    }
    limits::check(q, &QueryLimits::default()).map_err(CorpusError::QueryTooComplex)?;
    let clauses =
        parse::parse(q).map_err(|e| CorpusError::InvalidQuery { reason: e.to_string(), position: Some(e.position) })?;
    let mut analyzer = analysis::analyzer();
    build::build(&clauses, fields, &mut analyzer, mode == SearchMode::Recall).ok_or_else(|| {
        if clauses.iter().any(|c| c.occur == Occur::MustNot) {
            invalid("the query only excludes terms; add a term to search for")
        } else {
            invalid("the query holds no word to search for")
        }
    })
}

/// Check and parse `q` as [`run`] does, without an index of documents.
pub(crate) fn parse_only(q: &str, mode: SearchMode) -> Result<QueryShape, CorpusError> {
    static FIELDS: OnceLock<Fields> = OnceLock::new();
    let fields = *FIELDS.get_or_init(|| passages::schema().1);
    prepare(fields, q, mode)?;
    limits::check(q, &QueryLimits::default()).map_err(CorpusError::QueryTooComplex)
}

/// Highlights of the query's words in `text`, overlapping ranges (CJK bigrams) merged.
fn highlights(terms: &Terms, text: &str) -> Vec<Highlight> {
    let mut analyzer = analysis::analyzer();
    let mut out: Vec<Highlight> = Vec::new();
    for (_, start, end) in tokens(&mut analyzer, text).into_iter().filter(|(tok, _, _)| terms.matches(tok)) {
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

/// The matching passages of one document.
#[derive(Debug, Default)]
struct Group {
    /// Clauses held by any of its passages.
    mask: u64,
    /// Highest passage score.
    best: Score,
    count: u64,
    /// The best passages, best first.
    top: Vec<Candidate>,
}

impl Group {
    fn add(&mut self, c: Candidate) {
        self.mask |= c.mask;
        self.best = if self.count == 0 { c.score } else { self.best.max(c.score) };
        self.count += 1;
        self.top.push(c);
        self.top.sort_by(Candidate::rank);
        self.top.truncate(MAX_PASSAGES_PER_DOCUMENT);
    }

    fn merge(&mut self, other: Group) {
        let count = self.count + other.count;
        for c in other.top {
            self.add(c);
        }
        self.mask |= other.mask;
        self.best = self.best.max(other.best);
        self.count = count;
    }
}

/// What the matching passages come to: documents with their passages, or passages alone.
enum Collected {
    Documents(Vec<(String, Group)>),
    Passages(Vec<Candidate>),
}

/// Read every match of `query`, with which of `clauses` each holds (clause i sets bit i), and
/// rank them: documents (or passages) holding more clauses first, then by BM25.
fn collect(
    searcher: &Searcher,
    query: &dyn Query,
    clauses: &[Box<dyn Query>],
    group: SearchGroup,
    deadline: &Deadline,
) -> Result<Collected, CorpusError> {
    let main = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
    let clause_weights = clauses
        .iter()
        .take(MAX_COUNTED_CLAUSES)
        .map(|q| q.weight(EnableScoring::disabled_from_searcher(searcher)))
        .collect::<tantivy::Result<Vec<Box<dyn Weight>>>>()?;
    let mut groups: HashMap<String, Group> = HashMap::new();
    let mut passages: Vec<Candidate> = Vec::new();
    for (segment, reader) in searcher.segment_readers().iter().enumerate() {
        deadline.check()?;
        let mut masks = vec![0u64; reader.max_doc() as usize];
        for (i, weight) in clause_weights.iter().enumerate() {
            let mut scorer = weight.scorer(reader, 1.0)?;
            let mut doc = scorer.doc();
            let mut read = 0u32;
            while doc != TERMINATED {
                if let Some(mask) = masks.get_mut(doc as usize) {
                    *mask |= 1 << i;
                }
                doc = scorer.advance();
                read += 1;
                if read.is_multiple_of(CHECK_EVERY) {
                    deadline.check()?;
                }
            }
        }
        let ids = reader
            .fast_fields()
            .str(DOCUMENT_ID)?
            .ok_or_else(|| CorpusError::Index("passage index without a document id column".into()))?;
        let alive = reader.alive_bitset();
        let mut in_segment: HashMap<u64, Group> = HashMap::new();
        let (mut read, mut over) = (0u32, false);
        main.for_each(reader, &mut |doc, score| {
            read += 1;
            if over || (read.is_multiple_of(CHECK_EVERY) && deadline.is_over()) {
                over = true;
                return;
            }
            if alive.is_some_and(|a| a.is_deleted(doc)) {
                return;
            }
            let c = Candidate {
                score,
                mask: masks.get(doc as usize).copied().unwrap_or(0),
                addr: DocAddress::new(segment as u32, doc),
            };
            match group {
                SearchGroup::Passage => passages.push(c),
                SearchGroup::Document => {
                    if let Some(ord) = ids.ords().first(doc) {
                        in_segment.entry(ord).or_default().add(c);
                    }
                }
            }
        })?;
        if over {
            return Err(deadline.exceeded());
        }
        let mut id = String::new();
        for (ord, g) in in_segment {
            id.clear();
            if ids.ord_to_str(ord, &mut id).map_err(|e| CorpusError::Index(e.to_string()))? {
                groups.entry(id.clone()).or_default().merge(g);
            }
        }
    }
    Ok(match group {
        SearchGroup::Passage => {
            passages.sort_by(Candidate::rank);
            Collected::Passages(passages)
        }
        SearchGroup::Document => {
            let mut documents: Vec<(String, Group)> = groups.into_iter().collect();
            documents.sort_by(|(a_id, a), (b_id, b)| {
                b.mask
                    .count_ones()
                    .cmp(&a.mask.count_ones())
                    .then(b.best.total_cmp(&a.best))
                    .then_with(|| a_id.cmp(b_id))
            });
            Collected::Documents(documents)
        }
    })
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
    tenant: &str,
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
    let built = prepare(index.fields, &req.q, req.mode)?;
    deadline.check()?;
    let query = index.scoped(tenant, built.query.box_clone(), source_type, documents);
    let clause_queries: Vec<Box<dyn Query>> = built.clauses.iter().map(|(_, q)| q.box_clone()).collect();
    let searcher: Searcher = index.searcher();
    let collected = collect(&searcher, query.as_ref(), &clause_queries, req.group, deadline)?;
    let offset = ((page - 1) * page_size) as usize;
    // Each page entry: the passages to show (best first), how many match, the clauses held.
    let (total, entries): (usize, Vec<(Vec<Candidate>, u64, u64)>) = match collected {
        Collected::Documents(docs) => (
            docs.len(),
            docs.into_iter().skip(offset).take(page_size as usize).map(|(_, g)| (g.top, g.count, g.mask)).collect(),
        ),
        Collected::Passages(all) => {
            (all.len(), all.into_iter().skip(offset).take(page_size as usize).map(|c| (vec![c], 1, c.mask)).collect())
        }
    };
    progress(Progress::Total(total as u64))?;

    let mut results = Vec::with_capacity(entries.len());
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
                highlights: highlights(&built.terms, &p.text),
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
