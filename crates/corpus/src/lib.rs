//! Documents of a tenant: ingestion jobs, parsers, the content store, the Tantivy index,
//! entities and timeline extraction.

pub mod model;

pub use model::{Attachment, DatePrecision, EntityKind, EntityMention, ExtractedDate, ParsedDocument};
