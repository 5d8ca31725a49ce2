//! Documents of a tenant: ingestion jobs, parsers, the content store, the Tantivy index,
//! entities and timeline extraction.

pub mod agents;
pub mod extract;
pub mod model;
pub mod parse;
pub mod query;

mod context;
mod entities;
mod error;
mod index;
mod ingest;
mod jobs;
mod local;
mod registry;
mod search;
mod service;
mod store;
mod timeline;
mod util;

pub use model::{Attachment, DatePrecision, EntityKind, EntityMention, ExtractedDate, ParsedDocument};
pub use parse::{ParseError, ParseLimits, ParserSandbox};

/// Tenants are billing's identifiers, parsed once at the edge; re-exported for callers of the corpus alone.
pub use docket_billing::TenantId;
pub use entities::{CoOccurrence, EntityDocument, EntityInfo, Neighborhood};
pub use error::CorpusError;
pub use jobs::{JobError, JobMeter, JobReport, JobState, JobStatus, Source};
pub use local::{IngestRoots, RootGrant};
pub use registry::{
    AttachmentInfo, AttachmentStatus, DocumentDetail, DocumentFilter, DocumentInfo, DocumentPage, SourceType,
};
pub use search::{
    AnswerSentence, Citation, Highlight, Passage, SearchEvent, SearchGroup, SearchHit, SearchMode, SearchRequest,
    SearchResponse, SearchStream,
};
pub use service::{Corpus, CorpusConfig, DEFAULT_QUERY_TIMEOUT};
pub use timeline::{EntityHighlight, EventCitation, TimelineEvent, TimelinePage, TimelineRequest};

/// Bounds the service enforces on requests (for API documentation and client-side checks).
pub mod limits {
    pub use crate::entities::MAX_ENTITY_LIMIT;
    pub use crate::jobs::MAX_SOURCES;
    pub use crate::query::limits::{MAX_QUERY_BYTES, MAX_QUERY_DEPTH, MAX_QUERY_TERMS};
    pub use crate::registry::{DEFAULT_DOCUMENT_PAGE_SIZE, MAX_DOCUMENT_PAGE_SIZE};
    pub use crate::search::{DEFAULT_SEARCH_PAGE_SIZE, MAX_SEARCH_PAGE_SIZE};
    pub use crate::timeline::{DEFAULT_TIMELINE_LIMIT, MAX_TIMELINE_LIMIT};
}
