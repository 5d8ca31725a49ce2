//! Full-text search: query parsing and validation, scoped execution, ranking by the terms a
//! result holds, grouping by document, highlights, answers.

use std::cmp::Ordering;
use std::collections::HashSet;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use tantivy::query::{EnableScoring, Query, Scorer, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED, Term};
use uuid::Uuid;

use crate::error::CorpusError;
use crate::index::passages::{self, DOCUMENT_HI, DOCUMENT_ID, DOCUMENT_LO, Fields, PassageIndex, StoredPassage};
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
    /// The segments holding them (segment i sets bit i mod 64), so that its passages are read
    /// again from those alone.
    segments: u64,
}

impl DocumentMatch {
    /// Better first: more clauses held, then a higher best passage, then the id (stable pages).
    fn rank(&self, other: &DocumentMatch) -> Ordering {
        other
            .mask
            .count_ones()
            .cmp(&self.mask.count_ones())
            .then(other.best.total_cmp(&self.best))
            .then_with(|| self.id.cmp(&other.id))
    }

    fn merge(&mut self, other: &DocumentMatch) {
        self.mask |= other.mask;
        self.best = self.best.max(other.best);
        self.count += other.count;
        self.segments |= other.segments;
    }
}

/// Sort the best `n` of `items` to the front (in order); the rest stay behind, unordered.
fn rank_first<T>(items: &mut [T], n: usize, rank: impl Fn(&T, &T) -> Ordering) {
    if n == 0 {
        return;
    }
    if n < items.len() {
        items.select_nth_unstable_by(n - 1, &rank);
    }
    let n = n.min(items.len());
    items[..n].sort_by(rank);
}

/// What the matching passages come to: documents, or passages alone; the best `wanted` first.
enum Collected {
    Documents(Vec<DocumentMatch>),
    Passages(Vec<Candidate>),
}

/// Read every match of `query`, with which of `clauses` each holds, and rank them: documents
/// (or passages) holding more clauses first, then by BM25. Only the best `wanted` are sorted;
/// grouping keeps per document only what ranks it (its passages are read for the page alone).
fn collect(
    searcher: &Searcher,
    main: &dyn Weight,
    clauses: &[Box<dyn Weight>],
    group: SearchGroup,
    wanted: usize,
    deadline: &Deadline,
) -> Result<Collected, CorpusError> {
    let mut documents: Vec<DocumentMatch> = Vec::new();
    let mut passages: Vec<Candidate> = Vec::new();
    for (segment, reader) in searcher.segment_readers().iter().enumerate() {
        deadline.check()?;
        let mut clause_scorers = clause_scorers(reader, clauses)?;
        let fast = reader.fast_fields();
        let missing = || CorpusError::Index("passage index without its document id columns".into());
        let ids = fast.str(DOCUMENT_ID)?.ok_or_else(missing)?;
        let (his, los) = (fast.u64(DOCUMENT_HI)?, fast.u64(DOCUMENT_LO)?);
        let alive = reader.alive_bitset();
        // The segment's documents by the ordinal of their id in the column's dictionary: a
        // slot per ordinal (its index in `in_segment` plus one; zero, a zeroed allocation, for
        // none yet), so that grouping a match is an array access.
        let mut slot_of = vec![0u32; if group == SearchGroup::Document { ids.dictionary().num_terms() } else { 0 }];
        let mut in_segment: Vec<DocumentMatch> = Vec::new();
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
            let mask = held(&mut clause_scorers, doc);
            match group {
                SearchGroup::Passage => {
                    passages.push(Candidate { score, mask, addr: DocAddress::new(segment as u32, doc) })
                }
                SearchGroup::Document => {
                    let Some(ord) = ids.ords().first(doc) else { return };
                    let Some(slot) = slot_of.get_mut(ord as usize) else { return };
                    let one =
                        DocumentMatch { id: Uuid::nil(), mask, best: score, count: 1, segments: 1 << (segment % 64) };
                    match (*slot as usize).checked_sub(1) {
                        Some(i) => in_segment[i].merge(&one),
                        None => {
                            let (Some(hi), Some(lo)) = (his.first(doc), los.first(doc)) else { return };
                            in_segment.push(DocumentMatch { id: Uuid::from_u64_pair(hi, lo), ..one });
                            *slot = in_segment.len() as u32;
                        }
                    }
                }
            }
        })?;
        if over {
            return Err(deadline.exceeded());
        }
        documents.append(&mut in_segment);
    }
    Ok(match group {
        SearchGroup::Passage => {
            rank_first(&mut passages, wanted, Candidate::rank);
            Collected::Passages(passages)
        }
        SearchGroup::Document => {
            if searcher.segment_readers().len() > 1 {
                // A document's passages in several segments: one match.
                documents.sort_unstable_by_key(|m| m.id);
                documents.dedup_by(|later, kept| {
                    let same = later.id == kept.id;
                    if same {
                        kept.merge(later);
                    }
                    same
                });
            }
            rank_first(&mut documents, wanted, DocumentMatch::rank);
            Collected::Documents(documents)
        }
    })
}

/// The clauses' scorers on a segment, to tell which of them each match holds; none when there
/// is one clause, which every match holds.
fn clause_scorers(reader: &SegmentReader, clauses: &[Box<dyn Weight>]) -> Result<Vec<Box<dyn Scorer>>, CorpusError> {
    if clauses.len() <= 1 {
        return Ok(Vec::new());
    }
    Ok(clauses.iter().map(|c| c.scorer(reader, 1.0)).collect::<tantivy::Result<Vec<_>>>()?)
}

/// Which clauses passage `doc` holds (clause i sets bit i), seeking each clause's scorer to it:
/// called in increasing `doc` order, so that every scorer only moves forward (a walk of the
/// clauses' postings limited to the matches, with their skip lists).
fn held(scorers: &mut [Box<dyn Scorer>], doc: DocId) -> u64 {
    if scorers.is_empty() {
        return 1;
    }
    let mut mask = 0;
    for (i, scorer) in scorers.iter_mut().enumerate() {
        if scorer.doc() < doc {
            scorer.seek(doc);
        }
        if scorer.doc() == doc {
            mask |= 1 << i;
        }
    }
    mask
}

/// The best passages (up to [`MAX_PASSAGES_PER_DOCUMENT`], best first) of each document of
/// a page. Its passages are found through the document id's postings in the segments holding
/// them, and scored by `main`, the search's own weight, sought to each of them (so that a
/// passage scores as it ranked), with the clauses each holds sought the same way.
fn page_passages(
    searcher: &Searcher,
    fields: &Fields,
    main: &dyn Weight,
    clauses: &[Box<dyn Weight>],
    page: &[DocumentMatch],
    deadline: &Deadline,
) -> Result<Vec<Vec<Candidate>>, CorpusError> {
    let mut out: Vec<Vec<Candidate>> = vec![Vec::new(); page.len()];
    for (segment, reader) in searcher.segment_readers().iter().enumerate() {
        let bit = 1u64 << (segment % 64);
        let inverted = reader.inverted_index(fields.document_id)?;
        // The page's passages in this segment, in index order, with their document's place.
        let mut wanted: Vec<(DocId, usize)> = Vec::new();
        for (i, d) in page.iter().enumerate().filter(|(_, d)| d.segments & bit != 0) {
            let term = Term::from_field_text(fields.document_id, &d.id.to_string());
            if let Some(mut postings) =
                inverted.read_postings(&term, IndexRecordOption::Basic).map_err(tantivy::TantivyError::from)?
            {
                let mut doc = postings.doc();
                while doc != TERMINATED {
                    wanted.push((doc, i));
                    doc = postings.advance();
                }
            }
        }
        if wanted.is_empty() {
            continue;
        }
        deadline.check()?;
        wanted.sort_unstable();
        let alive = reader.alive_bitset();
        let mut scorer = main.scorer(reader, 1.0)?;
        let mut clause_scorers = clause_scorers(reader, clauses)?;
        for (doc, i) in wanted {
            if alive.is_some_and(|a| a.is_deleted(doc)) || scorer.doc() > doc || scorer.seek(doc) != doc {
                continue;
            }
            let mask = held(&mut clause_scorers, doc);
            out[i].push(Candidate { score: scorer.score(), mask, addr: DocAddress::new(segment as u32, doc) });
        }
    }
    for passages in &mut out {
        rank_first(passages, MAX_PASSAGES_PER_DOCUMENT, Candidate::rank);
        passages.truncate(MAX_PASSAGES_PER_DOCUMENT);
    }
    Ok(out)
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
    let built = prepare(index.fields, &req.q, req.mode)?;
    deadline.check()?;
    let query = index.scoped(tenant, built.query.box_clone(), source_type, documents);
    let searcher: Searcher = index.searcher();
    let main = query.weight(EnableScoring::enabled_from_searcher(&searcher))?;
    let clauses = built
        .clauses
        .iter()
        .take(MAX_COUNTED_CLAUSES)
        .map(|(_, q)| q.weight(EnableScoring::disabled_from_searcher(&searcher)))
        .collect::<tantivy::Result<Vec<Box<dyn Weight>>>>()?;
    let offset = ((page - 1) * page_size) as usize;
    let wanted = offset + page_size as usize;
    // Each page entry: the passages to show (best first), how many match, the clauses held.
    let (total, entries): (usize, Vec<(Vec<Candidate>, u64, u64)>) =
        match collect(&searcher, main.as_ref(), &clauses, req.group, wanted, deadline)? {
            Collected::Documents(docs) => {
                let page: Vec<DocumentMatch> = docs.iter().skip(offset).take(page_size as usize).copied().collect();
                let passages = page_passages(&searcher, &index.fields, main.as_ref(), &clauses, &page, deadline)?;
                let entries = passages.into_iter().zip(&page).map(|(top, d)| (top, d.count, d.mask)).collect();
                (docs.len(), entries)
            }
            Collected::Passages(all) => (
                all.len(),
                all.into_iter().skip(offset).take(page_size as usize).map(|c| (vec![c], 1, c.mask)).collect(),
            ),
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
