//! Full-text search: query parsing and validation, scoped execution, highlights, answers.

use std::collections::HashSet;
use std::panic::AssertUnwindSafe;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use tantivy::query::{BooleanQuery, FuzzyTermQuery, Occur, Query, QueryParser, QueryParserError};
use tantivy::query_grammar::{Delimiter, UserInputAst, UserInputLeaf};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, Searcher, Term};
use uuid::Uuid;

use crate::error::CorpusError;
use crate::index::passages::{self, Fields, PassageIndex, StoredPassage};
use crate::query::deadline::Deadline;
use crate::query::limits::{self, QueryLimits, QueryShape};
use crate::registry::SourceType;
use crate::util::slice;

/// Largest page of search results.
pub const MAX_SEARCH_PAGE_SIZE: u32 = 100;
/// Results per page when the request gives no page size.
pub const DEFAULT_SEARCH_PAGE_SIZE: u32 = 10;
/// Deepest result reachable by paging (page * page_size).
pub const MAX_SEARCH_DEPTH: u64 = 10_000;
/// Shortest term (in characters) that recall mode matches with one typo.
pub const FUZZY_MIN_CHARS: usize = 4;

/// How strictly the terms of a query must match.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SearchMode {
    /// Every term must occur (unless the query says OR).
    #[default]
    Precision,
    /// Any term may occur, and terms of four or more characters also match with one typo.
    Recall,
}

/// A search.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct SearchRequest {
    /// The query: words, "phrases", AND / OR / NOT, +required, -excluded, title:word.
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
}

/// A byte range within a passage's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Highlight {
    pub start: usize,
    pub end: usize,
}

/// The evidence passage of a hit.
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

/// One matching passage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SearchHit {
    pub document_id: Uuid,
    pub title: Option<String>,
    /// The document's source: canonical path or file name.
    pub source: String,
    pub source_type: Option<SourceType>,
    pub passage: Passage,
    pub citation: Citation,
    /// BM25 score (higher is better; comparable only within one response).
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
    /// Matching passages over all pages.
    pub total_hits: u64,
    pub page: u32,
    pub page_size: u32,
    pub results: Vec<SearchHit>,
    /// The best one to three sentences of the top passages that contain query terms.
    pub answer: Vec<AnswerSentence>,
    pub took_ms: u64,
}

fn invalid(reason: impl Into<String>) -> CorpusError {
    CorpusError::InvalidQuery { reason: reason.into() }
}

/// Reject what the query grammar would silently repair or misread.
fn check_syntax(q: &str) -> Result<(), CorpusError> {
    if q.trim().is_empty() {
        return Err(invalid("the query is empty"));
    }
    // Before anything else reads the query: past its limits, Tantivy's grammar can run for
    // ever (see `query::limits`).
    limits::check(q, &QueryLimits::default()).map_err(CorpusError::QueryTooComplex)?;
    let mut in_quote = false;
    let mut escaped = false;
    let mut depth: i64 = 0;
    for c in q.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '"' => in_quote = !in_quote,
            '(' if !in_quote => depth += 1,
            ')' if !in_quote => {
                depth -= 1;
                if depth < 0 {
                    return Err(invalid("unbalanced parenthesis: ')' without '('"));
                }
            }
            _ => {}
        }
    }
    if in_quote {
        return Err(invalid("unbalanced quote: a phrase opened with \" is not closed"));
    }
    if depth != 0 {
        return Err(invalid("unbalanced parenthesis: '(' is not closed"));
    }
    Ok(())
}

fn describe(err: &QueryParserError) -> String {
    match err {
        QueryParserError::FieldDoesNotExist(field) => format!(
            "unknown field '{field}' (searchable fields are text and title; put words containing ':' in quotes)"
        ),
        QueryParserError::AllButQueryForbidden => "the query only excludes terms; add a term to search for".into(),
        QueryParserError::NoDefaultFieldDeclared => "no field to search".into(),
        other => other.to_string(),
    }
}

/// What a query asks for, beyond the Tantivy query itself: the words to highlight.
#[derive(Debug, Default)]
struct Terms {
    exact: HashSet<String>,
    prefixes: Vec<String>,
    fuzzy: Vec<String>,
}

impl Terms {
    fn matches(&self, token: &str) -> bool {
        self.exact.contains(token)
            || self.prefixes.iter().any(|p| token.starts_with(p.as_str()))
            || self.fuzzy.iter().any(|f| within_one_edit(f, token))
    }
}

/// Optimal-string-alignment distance <= 1 (one insertion, deletion, substitution or
/// transposition), the tolerance recall mode gives each long term.
fn within_one_edit(a: &str, b: &str) -> bool {
    // One edit changes the length by at most one character (four bytes): longer tokens of a
    // passage are not compared at all, which keeps the quadratic distance off them.
    a == b || (a.len().abs_diff(b.len()) <= 4 && strsim::osa_distance(a, b) <= 1)
}

fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        let t = stream.token();
        out.push((t.text.clone(), t.offset_from, t.offset_to));
    }
    out
}

fn literal_field_is_text(field: &Option<String>) -> bool {
    matches!(field.as_deref(), None | Some("text") | Some("title"))
}

/// Collect the positive (not excluded) words of the query.
fn collect_terms(ast: &UserInputAst, negated: bool, analyzer: &mut TextAnalyzer, recall: bool, out: &mut Terms) {
    match ast {
        UserInputAst::Clause(clauses) => {
            for (occur, sub) in clauses {
                collect_terms(sub, negated || *occur == Some(Occur::MustNot), analyzer, recall, out);
            }
        }
        UserInputAst::Boost(sub, _) => collect_terms(sub, negated, analyzer, recall, out),
        UserInputAst::Leaf(leaf) => {
            let UserInputLeaf::Literal(lit) = leaf.as_ref() else { return };
            if negated || !literal_field_is_text(&lit.field_name) {
                return;
            }
            for (tok, _, _) in tokens(analyzer, &lit.phrase) {
                if lit.prefix && lit.delimiter == Delimiter::None {
                    out.prefixes.push(tok);
                } else {
                    if recall && lit.delimiter == Delimiter::None && tok.chars().count() >= FUZZY_MIN_CHARS {
                        out.fuzzy.push(tok.clone());
                    }
                    out.exact.insert(tok);
                }
            }
        }
    }
}

struct Prepared {
    query: Box<dyn Query>,
    terms: Terms,
}

fn prepare(index: &Index, f: Fields, q: &str, mode: SearchMode) -> Result<Prepared, CorpusError> {
    check_syntax(q)?;
    let mut parser = QueryParser::for_index(index, vec![f.text, f.title]);
    parser.set_field_boost(f.title, 2.0);
    if mode == SearchMode::Precision {
        parser.set_conjunction_by_default();
    }
    // The grammar is third-party code fed with arbitrary input; a panic in it must become a
    // client error, not take the request (or a worker) down.
    // The grammar runs once (its cost is what the limits bound); the query is built from the
    // tree it returns.
    let parsed = std::panic::catch_unwind(AssertUnwindSafe(|| {
        let ast = tantivy::query_grammar::parse_query(q)
            .map_err(|_| invalid(describe(&QueryParserError::SyntaxError(q.to_owned()))))?;
        let query = parser.build_query_from_user_input_ast(ast.clone()).map_err(|e| invalid(describe(&e)))?;
        Ok::<_, CorpusError>((ast, query))
    }))
    .map_err(|_| invalid("the query cannot be parsed"))?;
    let (ast, base) = parsed?;

    let mut analyzer = index.tokenizer_for_field(f.text)?;
    let mut terms = Terms::default();
    collect_terms(&ast, false, &mut analyzer, mode == SearchMode::Recall, &mut terms);

    if mode == SearchMode::Precision || terms.fuzzy.is_empty() {
        return Ok(Prepared { query: base, terms });
    }

    // Recall: the parsed query OR a one-typo match of each long word, while keeping what the
    // user required (+) and excluded (-/NOT) at the top level binding for the fuzzy matches too.
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, base)];
    for word in &terms.fuzzy {
        for field in [f.text, f.title] {
            let fuzzy = FuzzyTermQuery::new(Term::from_field_text(field, word), 1, true);
            clauses.push((Occur::Should, Box::new(fuzzy)));
        }
    }
    if let UserInputAst::Clause(top) = &ast {
        for (occur, sub) in top {
            if matches!(occur, Some(Occur::Must) | Some(Occur::MustNot)) {
                let sub_query =
                    parser.build_query_from_user_input_ast(sub.clone()).map_err(|e| invalid(describe(&e)))?;
                clauses.push((occur.unwrap_or(Occur::Should), sub_query));
            }
        }
    }
    Ok(Prepared { query: Box::new(BooleanQuery::new(clauses)), terms })
}

/// Check and parse `q` as [`run`] does, without an index of documents: the parser reads the
/// passage schema of an empty index kept in memory.
pub(crate) fn parse_only(q: &str, mode: SearchMode) -> Result<QueryShape, CorpusError> {
    static EMPTY: OnceLock<(Index, Fields)> = OnceLock::new();
    let (index, fields) = EMPTY.get_or_init(|| {
        let (schema, fields) = passages::schema();
        (Index::create_in_ram(schema), fields)
    });
    prepare(index, *fields, q, mode)?;
    limits::check(q, &QueryLimits::default()).map_err(CorpusError::QueryTooComplex)
}

fn highlights(analyzer: &mut TextAnalyzer, terms: &Terms, text: &str) -> Vec<Highlight> {
    tokens(analyzer, text)
        .into_iter()
        .filter(|(tok, _, _)| terms.matches(tok))
        .map(|(_, start, end)| Highlight { start, end })
        .collect()
}

/// What a running search has produced so far, as it produces it.
pub(crate) enum Progress<'a> {
    /// The number of matching passages, known before the first hit is read.
    Total(u64),
    /// The next hit of the page.
    Hit(&'a SearchHit),
}

/// One line of a streamed search, in the order they come: the hits of the page as each is
/// read, then the answer (or the error that ended the search).
#[derive(Debug)]
pub enum SearchEvent {
    /// The next hit.
    Hit(SearchHit),
    /// The search is over: the answer drawn from the hits, and the time it took.
    Done { answer: Vec<AnswerSentence>, took_ms: u64 },
    /// The search failed after its first hits (its deadline passed, or the index failed).
    Failed(CorpusError),
}

/// A search whose hits are sent as they are read: the totals, then [`SearchEvent`]s.
/// Dropping it stops the search.
#[derive(Debug)]
pub struct SearchStream {
    /// Matching passages over all pages.
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
    let prepared = prepare(index.index(), index.fields, &req.q, req.mode)?;
    deadline.check()?;
    let query = index.scoped(tenant, prepared.query, source_type, documents);
    let searcher: Searcher = index.searcher();
    let offset = ((page - 1) * page_size) as usize;
    let (total, top) = index.top(&searcher, query.as_ref(), offset, page_size as usize, deadline)?;
    progress(Progress::Total(total as u64))?;

    let mut analyzer = index.index().tokenizer_for_field(index.fields.text)?;
    let mut results = Vec::with_capacity(top.len());
    for (score, addr) in top {
        deadline.check()?;
        let p: StoredPassage = index.passage(&searcher, addr)?;
        let marks = highlights(&mut analyzer, &prepared.terms, &p.text);
        let citation = Citation {
            document_id: p.document_id,
            source: p.source.clone(),
            passage_start: p.start,
            passage_end: p.end,
        };
        results.push(SearchHit {
            document_id: p.document_id,
            title: p.title,
            source: p.source,
            source_type: p.source_type,
            passage: Passage { text: p.text, start: p.start, end: p.end, highlights: marks },
            citation,
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
    for (rank, hit) in results.iter().take(5).enumerate() {
        let text = &hit.passage.text;
        for (s, e) in crate::extract::sentences(text) {
            let Some(raw) = slice(text, s, e) else { continue };
            let lead = raw.len() - raw.trim_start().len();
            let sentence = raw.trim();
            if sentence.is_empty() {
                continue;
            }
            let (ss, se) = (s + lead, s + lead + sentence.len());
            let mut words: HashSet<&str> = HashSet::new();
            for h in &hit.passage.highlights {
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
                        passage_start: hit.passage.start + ss,
                        passage_end: hit.passage.start + se,
                    },
                },
            ));
        }
    }
    candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut seen = HashSet::new();
    candidates.into_iter().filter(|(_, _, a)| seen.insert(a.sentence.clone())).take(3).map(|(_, _, a)| a).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_edit() {
        assert!(within_one_edit("contract", "contrakt"));
        assert!(within_one_edit("contract", "contracts"));
        assert!(within_one_edit("contract", "contrat"));
        assert!(within_one_edit("contract", "cnotract"));
        assert!(!within_one_edit("contract", "cnotrcat"));
        assert!(!within_one_edit("contract", "control"));
        assert!(within_one_edit("ab", "ba"));
    }

    #[test]
    fn syntax_checks() {
        assert!(check_syntax("").is_err());
        assert!(check_syntax("\"open phrase").is_err());
        assert!(check_syntax("(a OR b").is_err());
        assert!(check_syntax("a) OR (b").is_err());
        assert!(check_syntax("\"a (b\" c").is_ok());
        assert!(check_syntax("a \\\" b").is_ok());
    }
}
