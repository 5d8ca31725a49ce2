//! The query language: limits checked before the parser, the forgiving parse, the analysis
//! shared with the index, and the Tantivy query built from the parse.

pub(crate) mod analysis;
pub(crate) mod build;
pub(crate) mod deadline;
pub mod limits;
pub mod parse;

pub use limits::{Limit, LimitExceeded, QueryLimits, QueryShape};

use crate::error::CorpusError;
use crate::search::SearchMode;

/// Check `q` against the default limits and parse it as a search would (syntax checks, the
/// grammar, the query parser over the passage fields), without running it: the entry point of
/// the query fuzz target. Every input answers, with a parsed query or a client error.
pub fn check_and_parse(q: &str, mode: SearchMode) -> Result<QueryShape, CorpusError> {
    crate::search::parse_only(q, mode)
}
