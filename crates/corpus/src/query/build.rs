//! From parsed clauses to Tantivy queries over the passage fields, through the same analyzer
//! the index uses.

use tantivy::query::{
    BooleanQuery, BoostQuery, FuzzyTermQuery, Occur as TantivyOccur, PhrasePrefixQuery, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field as IndexField, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Score, Term};

use super::parse::{Clause, Field, Node, Occur};
use crate::index::passages::Fields;

/// Shortest term (in characters) that recall mode matches with one typo.
pub const FUZZY_MIN_CHARS: usize = 4;

/// What a query searches: the query itself, its top-level positive clauses (each counted when
/// ranking by how many a result holds), and the terms to highlight.
pub(crate) struct Built {
    /// The whole query (not yet scoped to a tenant).
    pub query: Box<dyn Query>,
    /// Each positive top-level clause: what the user typed, and its query alone.
    pub clauses: Vec<(String, Box<dyn Query>)>,
    /// Whether a result needs only one of `clauses` (none is required), so that the query is
    /// the disjunction of `clauses` without any of `excluded`.
    pub disjunction: bool,
    /// Each negative top-level clause's query.
    pub excluded: Vec<Box<dyn Query>>,
    /// When every positive clause is one word (no phrase, prefix, group or typo tolerance):
    /// all their terms, each over one field with its boost. A passage's score is then the sum
    /// of the scores of the terms it holds, so that one disjunction of these terms scores
    /// passages as the clauses together do.
    pub words: Option<Vec<(Term, Score)>>,
    /// The words to highlight.
    pub terms: Terms,
}

/// The words of a query's positive clauses over the text, to highlight in passages.
#[derive(Debug, Default)]
pub(crate) struct Terms {
    /// Few (a query's words): a list is faster to search than a hash set.
    exact: Vec<String>,
    prefixes: Vec<String>,
    fuzzy: Vec<String>,
}

impl Terms {
    /// Whether an analysed token of a passage matches one of the words.
    pub(crate) fn matches(&self, token: &str) -> bool {
        self.exact.iter().any(|e| e == token)
            || self.prefixes.iter().any(|p| token.starts_with(p.as_str()))
            || self.fuzzy.iter().any(|f| within_one_edit(f, token))
    }
}

/// Optimal-string-alignment distance <= 1 (one insertion, deletion, substitution or
/// transposition), the tolerance recall mode gives each long term.
pub(crate) fn within_one_edit(a: &str, b: &str) -> bool {
    // One edit changes the length by at most one character (four bytes): longer tokens of a
    // passage are not compared at all, which keeps the quadratic distance off them.
    a == b || (a.len().abs_diff(b.len()) <= 4 && strsim::osa_distance(a, b) <= 1)
}

/// Analysed tokens of `text` with their byte ranges.
pub(crate) fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        let t = stream.token();
        out.push((t.text.clone(), t.offset_from, t.offset_to));
    }
    out
}

struct Builder<'a> {
    fields: Fields,
    empty: &'a [IndexField],
    analyzer: &'a mut TextAnalyzer,
    recall: bool,
    terms: Terms,
    /// The terms of the last leaf built, when it was one word.
    word: Option<Vec<(Term, Score)>>,
}

/// Build the query of `clauses`; None when no clause holds anything to search for.
/// `empty` fields hold no term in the index: a word searched in every field skips them (a
/// named field is searched whatever it holds).
pub(crate) fn build(
    clauses: &[Clause],
    fields: Fields,
    empty: &[IndexField],
    analyzer: &mut TextAnalyzer,
    recall: bool,
) -> Option<Built> {
    let mut b = Builder { fields, empty, analyzer, recall, terms: Terms::default(), word: None };
    let mut all: Vec<(TantivyOccur, Box<dyn Query>)> = Vec::new();
    let mut positive: Vec<(String, Box<dyn Query>)> = Vec::new();
    let mut excluded: Vec<Box<dyn Query>> = Vec::new();
    let mut words = Some(Vec::new());
    for clause in clauses {
        b.word = None;
        let Some(query) = b.node(&clause.node, clause.occur == Occur::MustNot) else { continue };
        match clause.occur {
            Occur::MustNot => excluded.push(query.box_clone()),
            _ => {
                positive.push((clause.typed.clone(), query.box_clone()));
                match (&clause.node, b.word.take(), words.as_mut()) {
                    (Node::Word { .. }, Some(terms), Some(words)) => words.extend(terms),
                    _ => words = None,
                }
            }
        }
        all.push((occur(clause.occur), query));
    }
    if positive.is_empty() {
        return None;
    }
    let disjunction = all.iter().all(|(o, _)| *o != TantivyOccur::Must);
    Some(Built {
        query: Box::new(BooleanQuery::new(all)),
        clauses: positive,
        disjunction,
        excluded,
        words,
        terms: b.terms,
    })
}

fn occur(o: Occur) -> TantivyOccur {
    match o {
        Occur::Must => TantivyOccur::Must,
        Occur::Should => TantivyOccur::Should,
        Occur::MustNot => TantivyOccur::MustNot,
    }
}

impl Builder<'_> {
    /// The fields a leaf searches, with their boosts: a named field alone, else all of them.
    fn targets(&self, field: Option<Field>) -> Vec<(IndexField, Score)> {
        let f = self.fields;
        match field {
            Some(Field::Text) => vec![(f.text, 1.0)],
            Some(Field::Title) => vec![(f.title, 1.0)],
            Some(Field::Subject) => vec![(f.subject, 1.0)],
            Some(Field::Author) => vec![(f.author, 1.0)],
            Some(Field::Recipients) => vec![(f.recipients, 1.0)],
            None => {
                let all = [(f.text, 1.0), (f.title, 2.0), (f.subject, 1.5), (f.author, 1.0), (f.recipients, 1.0)];
                // The text field stays, so that a word over an empty index is still a query.
                all.into_iter().filter(|(field, _)| *field == f.text || !self.empty.contains(field)).collect()
            }
        }
    }

    fn node(&mut self, node: &Node, negated: bool) -> Option<Box<dyn Query>> {
        match node {
            Node::Group(clauses) => {
                let mut parts: Vec<(TantivyOccur, Box<dyn Query>)> = Vec::new();
                for c in clauses {
                    if let Some(q) = self.node(&c.node, negated || c.occur == Occur::MustNot) {
                        parts.push((occur(c.occur), q));
                    }
                }
                if parts.iter().all(|(o, _)| *o == TantivyOccur::MustNot) {
                    return None;
                }
                Some(Box::new(BooleanQuery::new(parts)))
            }
            Node::Word { field, text, prefix } => self.leaf(*field, text, *prefix, 0, negated, true),
            Node::Phrase { field, text, slop } => self.leaf(*field, text, false, *slop, negated, false),
        }
    }

    fn leaf(
        &mut self,
        field: Option<Field>,
        text: &str,
        prefix: bool,
        slop: u32,
        negated: bool,
        word: bool,
    ) -> Option<Box<dyn Query>> {
        let toks: Vec<String> = tokens(self.analyzer, text).into_iter().map(|(t, _, _)| t).collect();
        if toks.is_empty() {
            return None;
        }
        let fuzzy = self.recall
            && word
            && !prefix
            && toks.len() == 1
            && toks[0].chars().count() >= FUZZY_MIN_CHARS
            && matches!(field, None | Some(Field::Text) | Some(Field::Title));
        if !negated && matches!(field, None | Some(Field::Text) | Some(Field::Title)) {
            let last = toks.len() - 1;
            for (i, t) in toks.iter().enumerate() {
                if prefix && i == last {
                    self.terms.prefixes.push(t.clone());
                } else if !self.terms.exact.contains(t) {
                    self.terms.exact.push(t.clone());
                }
            }
            if fuzzy {
                self.terms.fuzzy.push(toks[0].clone());
            }
        }
        let mut alternatives: Vec<(TantivyOccur, Box<dyn Query>)> = Vec::new();
        let mut one_word = (word && !prefix && !fuzzy && toks.len() == 1).then(Vec::new);
        for (target, boost) in self.targets(field) {
            let terms: Vec<Term> = toks.iter().map(|t| Term::from_field_text(target, t)).collect();
            if let Some(word) = one_word.as_mut() {
                word.push((terms[0].clone(), boost));
            }
            let query: Box<dyn Query> = match (terms.len(), prefix) {
                (1, false) => Box::new(TermQuery::new(terms[0].clone(), IndexRecordOption::WithFreqs)),
                (_, true) => Box::new(PhrasePrefixQuery::new(terms)),
                (_, false) => {
                    let mut phrase = PhraseQuery::new(terms);
                    phrase.set_slop(slop);
                    Box::new(phrase)
                }
            };
            let query: Box<dyn Query> =
                if (boost - 1.0).abs() > f32::EPSILON { Box::new(BoostQuery::new(query, boost)) } else { query };
            alternatives.push((TantivyOccur::Should, query));
            if fuzzy && (target == self.fields.text || target == self.fields.title) {
                let term = Term::from_field_text(target, &toks[0]);
                alternatives.push((TantivyOccur::Should, Box::new(FuzzyTermQuery::new(term, 1, true))));
            }
        }
        self.word = one_word;
        if alternatives.len() == 1 {
            return alternatives.pop().map(|(_, q)| q);
        }
        Some(Box::new(BooleanQuery::new(alternatives)))
    }
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
}
