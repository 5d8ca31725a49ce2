//! Documents of a tenant: ingestion jobs, parsers, the content store, the Tantivy index,
//! entities and timeline extraction.

pub mod extract;
pub mod model;
pub mod parse;

pub use model::{Attachment, DatePrecision, EntityKind, EntityMention, ExtractedDate, ParsedDocument};
pub use parse::{ParseError, ParseLimits};
