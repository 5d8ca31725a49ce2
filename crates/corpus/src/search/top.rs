//! The best documents of a plain query of words without scoring every match.
//!
//! Documents rank by how many of the query's words they hold, then by their best passage's
//! score. Scoring every matching passage costs most of a broad query; instead:
//!
//! 1. every clause's postings are walked unscored, which gives each matching document the
//!    clauses it holds: the exact count of matching documents, and the level (clauses held)
//!    down to which documents reach the page;
//! 2. at the last level that reaches the page only the best documents are needed: one
//!    disjunction of all the words' terms is walked with Tantivy's block-max WAND, which skips
//!    the blocks of postings that cannot beat the page's weakest document so far;
//! 3. the page's candidates are scored exactly as the one-pass matcher scores them, passage by
//!    passage (their passages follow one another), which gives their best passages and counts.
//!
//! A document's passages must follow one another in their segment (they are added as one
//! batch); a segment where they do not falls back to scoring every match.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use tantivy::query::{BooleanQuery, BoostQuery, EnableScoring, Occur, Query, TermQuery, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{COLLECT_BLOCK_BUFFER_LEN, DocAddress, DocId, DocSet, Score, Searcher, SegmentReader, Term};

use super::{CHECK_EVERY, Candidate, Checks, Collected, DocumentMatch, Matcher, best};
use crate::error::CorpusError;
use crate::index::passages::{PassageIndex, SegmentDocuments};
use crate::query::deadline::Deadline;

/// How much below the page's weakest score a passage may be and still be read: the
/// disjunction sums a passage's term scores in another order than the clauses do, and a lone
/// term's score is its unboosted score times its boost, which may move a score by a few units
/// in the last place. (Tantivy's block maxima may be further off: see [`Pruning::walk`].)
const SLACK: Score = 1e-4;

/// What finds a plain query's best documents, built once per search.
pub(super) struct Pruning {
    /// Each clause alone, unscored: which documents hold it.
    clauses: Vec<Box<dyn Weight>>,
    /// All the words' terms as one disjunction, scored: a passage's score is the sum of its
    /// terms' scores, as with the clauses.
    terms: Box<dyn Weight>,
    /// Each term alone, scored without its boost, with its boost (for a segment where only one
    /// of the terms occurs: a disjunction of one scorer is not pruned), and its field's average
    /// length over all segments.
    each: Vec<Word>,
}

/// One term of the words, alone.
struct Word {
    term: Term,
    boost: Score,
    /// Scored, without the boost.
    weight: Box<dyn Weight>,
    /// Its field's average length over all segments.
    average: Option<f64>,
}

impl Pruning {
    pub(super) fn new(
        searcher: &Searcher,
        clauses: &[(String, Box<dyn Query>)],
        words: &[(Term, Score)],
    ) -> tantivy::Result<Pruning> {
        let unscored = EnableScoring::disabled_from_searcher(searcher);
        let query = |(term, boost): &(Term, Score)| -> Box<dyn Query> {
            let query = Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs));
            if (boost - 1.0).abs() > f32::EPSILON { Box::new(BoostQuery::new(query, *boost)) } else { query }
        };
        let scoring = EnableScoring::enabled_from_searcher(searcher);
        let terms = BooleanQuery::new(words.iter().map(|w| (Occur::Should, query(w))).collect());
        let mut each = Vec::with_capacity(words.len());
        for (term, boost) in words {
            let weight = TermQuery::new(term.clone(), IndexRecordOption::WithFreqs).weight(scoring)?;
            let (mut tokens, mut docs) = (0u64, 0u64);
            for reader in searcher.segment_readers() {
                tokens += reader.inverted_index(term.field())?.total_num_tokens();
                docs += u64::from(reader.max_doc());
            }
            each.push(Word { term: term.clone(), boost: *boost, weight, average: average(tokens, docs) });
        }
        Ok(Pruning {
            clauses: clauses.iter().map(|(_, q)| q.weight(unscored)).collect::<tantivy::Result<_>>()?,
            terms: terms.weight(scoring)?,
            each,
        })
    }

    /// Walk the passages of `reader`'s segment scoring above `threshold` with block-max WAND
    /// (and possibly some below it), `callback` giving each one's score and answering the new
    /// threshold.
    pub(super) fn walk(
        &self,
        reader: &SegmentReader,
        threshold: Score,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> Result<(), CorpusError> {
        let mut present = Vec::new();
        let mut margin: Score = 1.0;
        for Word { term, boost, weight, average: all } in &self.each {
            let postings = reader.inverted_index(term.field())?;
            if postings.doc_freq(term).map_err(tantivy::TantivyError::from)? > 0 {
                debug_assert!(*boost > 0.0, "boosts are positive");
                present.push((*boost, weight));
                // A block's best score is stored as the (field length, term frequency) pair
                // that scores best under the segment's own average field length; searches
                // score with the average over all segments. With the two a factor r apart, a
                // pair's length part moves by at most that factor either way, so a block's
                // best is at most max(r, 1/r) times the stored pair's score: the threshold the
                // walk prunes with is divided by that (1 with one segment or alike segments).
                if let (Some(segment), Some(all)) =
                    (average(postings.total_num_tokens(), u64::from(reader.max_doc())), *all)
                {
                    margin = margin.max((segment / all).max(all / segment) as Score);
                }
            }
        }
        match present[..] {
            [] => {}
            // One term's scores are its unboosted scores times its boost.
            [(boost, weight)] => weight.for_each_pruning(threshold / boost / margin, reader, &mut |doc, score| {
                callback(doc, score * boost) / boost / margin
            })?,
            _ => self
                .terms
                .for_each_pruning(threshold / margin, reader, &mut |doc, score| callback(doc, score) / margin)?,
        }
        Ok(())
    }
}

/// The average length of a field over `docs` passages holding `tokens` words in it.
fn average(tokens: u64, docs: u64) -> Option<f64> {
    (docs > 0 && tokens > 0).then(|| tokens as f64 / docs as f64)
}

/// One segment's documents as the passes find them.
struct Segment<'a> {
    reader: &'a SegmentReader,
    documents: std::sync::Arc<SegmentDocuments>,
    /// Per place: the clauses its matching passages hold (none: no match).
    held: Vec<u64>,
    /// Per place: the best disjunction score read in the second pass.
    best: Vec<Score>,
    /// The places the second pass read a passage of, in order.
    read: Vec<usize>,
}

impl Segment<'_> {
    fn place(&self, doc: DocId) -> Option<usize> {
        self.documents.of_passage.get(doc as usize).map(|&p| p as usize).filter(|&p| p < self.held.len())
    }
}

/// A score the heap orders.
#[derive(PartialEq)]
struct Ranked(Score);
impl Eq for Ranked {}
impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// The best `wanted` documents of a plain query and how many match; None when a segment's
/// documents do not keep their passages together (the caller scores every match instead).
pub(super) fn documents(
    index: &PassageIndex,
    searcher: &Searcher,
    matcher: &Matcher,
    pruning: &Pruning,
    wanted: usize,
    deadline: &Deadline,
) -> Result<Option<Collected>, CorpusError> {
    let mut segments = Vec::new();
    for reader in searcher.segment_readers() {
        let documents = index.segment_documents(reader)?;
        if !documents.contiguous {
            return Ok(None);
        }
        let places = documents.ids.len();
        segments.push(Segment {
            reader,
            documents,
            held: vec![0; places],
            best: vec![Score::MIN; places],
            read: Vec::new(),
        });
    }

    // 1. The clauses each document holds.
    let mut levels = [0usize; 65];
    for segment in &mut segments {
        hold(matcher, pruning, segment, deadline)?;
        for held in &segment.held {
            levels[held.count_ones() as usize] += 1;
        }
    }
    let total = levels[1..].iter().sum();
    // The level whose documents complete the page (0: every matching document is on it), and
    // how many of them it takes.
    let (mut level, mut above) = (0, 0);
    for l in (1..levels.len()).rev() {
        if above + levels[l] >= wanted {
            level = l;
            break;
        }
        above += levels[l];
    }
    let needed = wanted.saturating_sub(above);

    // 2. The best `needed` documents at that level, by the disjunction's score.
    let mut threshold = Score::MIN;
    let ranked = level > 0 && levels[level] > needed;
    if ranked {
        let mut page: BinaryHeap<Reverse<Ranked>> = BinaryHeap::with_capacity(needed + 1);
        for segment in &mut segments {
            deadline.check()?;
            threshold = prune(matcher, pruning, segment, level, needed, &mut page, threshold, deadline)?;
        }
    }

    // 3. The candidates scored passage by passage.
    let mut found: Vec<DocumentMatch> = Vec::new();
    for (number, segment) in segments.iter().enumerate() {
        let level_of = |p: usize| segment.held[p].count_ones() as usize;
        // Documents above the level (when some are), or from it too when the page takes them all.
        let mut candidates: Vec<usize> = if above > 0 || !ranked {
            let lowest = if ranked { level + 1 } else { level.max(1) };
            (0..segment.held.len()).filter(|&p| level_of(p) >= lowest).collect()
        } else {
            Vec::new()
        };
        if ranked {
            candidates.extend(segment.read.iter().copied().filter(|&p| segment.best[p] >= threshold));
        }
        if candidates.is_empty() {
            continue;
        }
        candidates.sort_unstable_by_key(|&p| segment.documents.first[p]);
        score(matcher, segment, number as u32, &candidates, &mut found, deadline)?;
    }
    Ok(Some(Collected::Documents { total, best: best(&found, wanted, DocumentMatch::rank) }))
}

/// Whether passage `doc` of `reader`'s segment (asked in increasing order) is a match of a
/// clause's postings: alive, and kept by `checks`.
fn kept(reader: &SegmentReader, checks: &mut Checks, doc: DocId) -> bool {
    !reader.alive_bitset().is_some_and(|a| a.is_deleted(doc)) && checks.keep(doc)
}

/// First pass over one segment: each clause's postings, unscored, in blocks.
fn hold(
    matcher: &Matcher,
    pruning: &Pruning,
    segment: &mut Segment<'_>,
    deadline: &Deadline,
) -> Result<(), CorpusError> {
    let mut buffer = [0; COLLECT_BLOCK_BUFFER_LEN];
    let mut read = 0u32;
    for (i, clause) in pruning.clauses.iter().enumerate() {
        let mut checks = matcher.checks(segment.reader, &segment.documents)?;
        let mut postings = clause.scorer(segment.reader, 1.0)?;
        loop {
            let n = postings.fill_buffer(&mut buffer);
            for &doc in &buffer[..n] {
                if kept(segment.reader, &mut checks, doc)
                    && let Some(place) = segment.place(doc)
                {
                    segment.held[place] |= 1 << i;
                }
            }
            read += n as u32;
            if read >= CHECK_EVERY {
                read = 0;
                deadline.check()?;
            }
            if n < buffer.len() {
                break;
            }
        }
    }
    Ok(())
}

/// Second pass over one segment: the passages of documents at `level` that may reach the page,
/// through block-max WAND; `page` holds the best `needed` document scores so far. Returns the
/// threshold: the page's weakest score, less the slack, once the page is full.
#[allow(clippy::too_many_arguments)]
fn prune(
    matcher: &Matcher,
    pruning: &Pruning,
    segment: &mut Segment<'_>,
    level: usize,
    needed: usize,
    page: &mut BinaryHeap<Reverse<Ranked>>,
    threshold: Score,
    deadline: &Deadline,
) -> Result<Score, CorpusError> {
    let mut checks = matcher.checks(segment.reader, &segment.documents)?;
    let mut threshold = threshold;
    // The document being read: its passages follow one another.
    let mut current: Option<usize> = None;
    let mut read = 0u32;
    let mut expired = false;
    let reader = segment.reader;
    pruning.walk(reader, threshold, &mut |doc, score| {
        // The clock is read every CHECK_EVERY passages given here; the walk between them is
        // bounded by the postings the first pass already read within the deadline.
        read += 1;
        if expired || (read.is_multiple_of(CHECK_EVERY) && deadline.check().is_err()) {
            // Nothing passes this threshold: the walk ends.
            expired = true;
            return Score::MAX;
        }
        let Some(place) = segment.place(doc) else { return threshold };
        if segment.held[place].count_ones() as usize != level || !kept(reader, &mut checks, doc) {
            return threshold;
        }
        if current != Some(place) {
            segment.read.push(place);
            if let Some(t) = current.replace(place).and_then(|p| finish(segment.best[p], page, needed)) {
                threshold = threshold.max(t);
            }
        }
        segment.best[place] = segment.best[place].max(score);
        threshold
    })?;
    deadline.check()?;
    if let Some(t) = current.and_then(|p| finish(segment.best[p], page, needed)) {
        threshold = threshold.max(t);
    }
    Ok(threshold)
}

/// Put a finished document's best score on the page when it belongs there; once the page is
/// full, the threshold: its weakest score less the slack.
fn finish(score: Score, page: &mut BinaryHeap<Reverse<Ranked>>, needed: usize) -> Option<Score> {
    if page.len() < needed {
        page.push(Reverse(Ranked(score)));
    } else if let Some(mut weakest) = page.peek_mut()
        && score > weakest.0.0
    {
        *weakest = Reverse(Ranked(score));
    }
    (page.len() >= needed).then(|| page.peek().map_or(Score::MIN, |w| w.0.0 - w.0.0.abs() * SLACK))
}

/// Third pass over one segment: the candidates' passages scored as the one-pass matcher scores
/// them, the candidates in the order of their passages.
fn score(
    matcher: &Matcher,
    segment: &Segment<'_>,
    number: u32,
    candidates: &[usize],
    found: &mut Vec<DocumentMatch>,
    deadline: &Deadline,
) -> Result<(), CorpusError> {
    let mut matches = matcher.segment(segment.reader, &segment.documents)?;
    let alive = segment.reader.alive_bitset();
    // A match read past the end of the previous candidate's passages.
    let mut pending: Option<(DocId, u64, Score)> = None;
    for &place in candidates {
        deadline.check()?;
        let first = segment.documents.first[place];
        if pending.is_some_and(|(doc, ..)| doc < first) {
            pending = None;
        }
        if pending.is_none() {
            matches.skip_to(first);
        }
        let mut document: Option<DocumentMatch> = None;
        while let Some(m @ (doc, mask, score)) = pending.take().or_else(|| matches.next()) {
            if segment.place(doc) != Some(place) {
                pending = Some(m);
                break;
            }
            if alive.is_some_and(|a| a.is_deleted(doc)) {
                continue;
            }
            let passage = Candidate { score, mask, addr: DocAddress::new(number, doc) };
            match &mut document {
                Some(d) => d.add(passage),
                None => document = Some(DocumentMatch::new(segment.documents.ids[place], passage)),
            }
        }
        found.extend(document);
    }
    Ok(())
}
