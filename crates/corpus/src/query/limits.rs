//! Limits on the shape of a search query, checked in one pass over its bytes before any query
//! parser sees it.
//!
//! Tantivy's query grammar (tantivy-query-grammar 0.26) parses each parenthesised group twice
//! when the group holds a single clause: its `ast` rule tries `boolean_expr` first, which parses
//! the leading clause (the whole inner group) and then fails for want of a space and a second
//! clause, and falls back to `single_leaf`, which parses the same clause again. The same
//! happens when the group never closes. Each level of nesting doubles the work, so thirty
//! levels (about a hundred bytes) never finish (upstream issue quickwit-oss/tantivy#2498).
//! Groups are the grammar's only recursion (`(...)` and `field:(...)`); phrases, ranges, sets,
//! regexes and `NOT` chains are parsed in one pass. Bounding the depth of groups therefore
//! bounds the parse to `2^depth` times the length, for every input.
//!
//! The check cannot know which parentheses the grammar takes for groups without parsing:
//! `"a)"`, `'a)'`, `/a)/` and `a\)` hold a `)` the grammar reads as text. So the depth counted
//! here is an upper bound of the grammar's: every `(` opens a group, and a `)` closes one only
//! when no phrase, regex or escape can hold it (no `\` right before it, and no `"`, `'` or `/`
//! both before and after it). A query whose parentheses are all outside such stretches is
//! measured exactly.

use std::fmt;

/// Longest query accepted, in bytes.
pub const MAX_QUERY_BYTES: usize = 1_024;
/// Deepest nesting of parenthesised groups accepted. The grammar's cost grows about 2.2 times
/// per level: around 1 KB of terms it takes 12 ms at depth 6, 73 ms at 8 and 370 ms at 10
/// (release build).
pub const MAX_QUERY_DEPTH: usize = 6;
/// Most terms accepted: runs of letters or digits, and other runs of characters between
/// spaces or parentheses (operators and `*` count too).
pub const MAX_QUERY_TERMS: usize = 64;

/// The bounds a query must stay within.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryLimits {
    /// Longest query, in bytes.
    pub max_bytes: usize,
    /// Deepest nesting of parentheses.
    pub max_depth: usize,
    /// Most terms.
    pub max_terms: usize,
}

impl Default for QueryLimits {
    fn default() -> Self {
        QueryLimits { max_bytes: MAX_QUERY_BYTES, max_depth: MAX_QUERY_DEPTH, max_terms: MAX_QUERY_TERMS }
    }
}

/// Which limit a query is past.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Its length in bytes.
    Length,
    /// The nesting depth of its parentheses.
    Depth,
    /// Its number of terms.
    Terms,
}

impl Limit {
    /// The limit's name in error details: `length`, `depth` or `terms`.
    pub fn as_str(self) -> &'static str {
        match self {
            Limit::Length => "length",
            Limit::Depth => "depth",
            Limit::Terms => "terms",
        }
    }
}

/// A query past one of its limits: which one, the query's value and the most allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitExceeded {
    /// The limit.
    pub limit: Limit,
    /// What the query has (for the depth: the bound counted, see the module's documentation).
    pub value: usize,
    /// The most allowed.
    pub max: usize,
}

impl fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let LimitExceeded { value, max, .. } = *self;
        match self.limit {
            Limit::Length => write!(f, "the query is {value} bytes long, longer than the limit of {max} bytes"),
            Limit::Depth => write!(f, "the query nests parentheses {value} deep, deeper than the limit of {max}"),
            Limit::Terms => write!(f, "the query has {value} terms, more than the limit of {max}"),
        }
    }
}

/// What [`check`] measured of a query within its limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryShape {
    /// Length in bytes.
    pub bytes: usize,
    /// Upper bound of the nesting depth of parenthesised groups.
    pub depth: usize,
    /// Terms, as [`MAX_QUERY_TERMS`] counts them.
    pub terms: usize,
}

/// Check `q` against `limits` in time linear in its length: the length first (so nothing
/// longer is scanned), then the depth, then the terms.
pub fn check(q: &str, limits: &QueryLimits) -> Result<QueryShape, LimitExceeded> {
    let bytes = q.len();
    if bytes > limits.max_bytes {
        return Err(LimitExceeded { limit: Limit::Length, value: bytes, max: limits.max_bytes });
    }
    let depth = depth_bound(q.as_bytes());
    if depth > limits.max_depth {
        return Err(LimitExceeded { limit: Limit::Depth, value: depth, max: limits.max_depth });
    }
    let terms = terms(q);
    if terms > limits.max_terms {
        return Err(LimitExceeded { limit: Limit::Terms, value: terms, max: limits.max_terms });
    }
    Ok(QueryShape { bytes, depth, terms })
}

/// Upper bound of the nesting depth the grammar can reach in `q` (see the module's
/// documentation). Every delimiter is ASCII, so bytes are scanned: a byte of a multi-byte
/// character never equals one.
fn depth_bound(q: &[u8]) -> usize {
    const DELIMITERS: [u8; 3] = [b'"', b'\'', b'/'];
    // How many of each delimiter lie after the current position.
    let mut after = DELIMITERS.map(|d| q.iter().filter(|&&b| b == d).count());
    let mut before = [0usize; 3];
    let (mut depth, mut max) = (0usize, 0usize);
    let mut previous = 0u8;
    for &b in q {
        if let Some(i) = DELIMITERS.iter().position(|&d| d == b) {
            after[i] -= 1;
        }
        match b {
            b'(' => {
                depth += 1;
                max = max.max(depth);
            }
            b')' => {
                let maybe_text = previous == b'\\' || (0..DELIMITERS.len()).any(|i| before[i] > 0 && after[i] > 0);
                if !maybe_text {
                    depth = depth.saturating_sub(1);
                }
            }
            _ => {}
        }
        if let Some(i) = DELIMITERS.iter().position(|&d| d == b) {
            before[i] += 1;
        }
        previous = b;
    }
    max
}

/// Terms of `q`: each run of letters or digits, and each run of other characters between
/// spaces or parentheses that holds no letter or digit.
fn terms(q: &str) -> usize {
    let mut count = 0usize;
    for chunk in q.split(|c: char| c.is_whitespace() || c == '(' || c == ')').filter(|c| !c.is_empty()) {
        let mut runs = 0usize;
        let mut in_run = false;
        for c in chunk.chars() {
            let alnum = c.is_alphanumeric();
            if alnum && !in_run {
                runs += 1;
            }
            in_run = alnum;
        }
        count += runs.max(1);
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth(q: &str) -> usize {
        depth_bound(q.as_bytes())
    }

    #[test]
    fn depth_counts_groups_and_field_groups() {
        assert_eq!(depth("a b"), 0);
        assert_eq!(depth("(a OR b) AND (c OR d)"), 1);
        assert_eq!(depth("((a))"), 2);
        assert_eq!(depth("title:(a OR (b c))"), 2);
        assert_eq!(depth(&format!("{}a{}", "(".repeat(30), ")".repeat(30))), 30);
        // Unclosed groups cost as much as closed ones.
        assert_eq!(depth(&"(".repeat(12)), 12);
    }

    #[test]
    fn a_close_paren_that_may_be_text_does_not_lower_the_depth() {
        // Real depth 3 behind quoted, single-quoted, regex and escaped ')'.
        for q in [
            "( \")\" ( \")\" ( x ) \"(\" ) \"(\" )",
            "( ')' ( ')' ( x ) ) )",
            "( /)/ ( /)/ ( x ) ) )",
            "( a\\) ( b\\) ( x ) ) )",
        ] {
            assert!(depth(q) >= 3, "{q}: {}", depth(q));
        }
        // Parentheses outside any possible phrase are counted exactly; a '(' in a phrase
        // counts as an open group.
        assert_eq!(depth("\"a b\" (c) (d)"), 1);
        assert_eq!(depth("\"a (b\" (c) (d)"), 2);
    }

    #[test]
    fn terms_count_words_and_operators() {
        assert_eq!(terms("a b"), 2);
        assert_eq!(terms("(a OR b) AND -c"), 5);
        assert_eq!(terms("\"breach of contract\"~2"), 4);
        assert_eq!(terms("foo.bar.baz"), 3);
        assert_eq!(terms("* +"), 2);
        assert_eq!(terms("   "), 0);
    }

    #[test]
    fn each_limit_is_named() {
        let l = QueryLimits::default();
        let long = "a ".repeat(600);
        assert_eq!(check(&long, &l).unwrap_err().limit, Limit::Length);
        let deep = format!("{}a{}", "(".repeat(7), ")".repeat(7));
        assert_eq!(check(&deep, &l).unwrap_err(), LimitExceeded { limit: Limit::Depth, value: 7, max: 6 });
        let many = "w ".repeat(65);
        assert_eq!(check(&many, &l).unwrap_err(), LimitExceeded { limit: Limit::Terms, value: 65, max: 64 });
        let ok = format!("{}a{}", "(".repeat(6), ")".repeat(6));
        assert_eq!(check(&ok, &l).map(|s| s.depth), Ok(6));
    }
}
