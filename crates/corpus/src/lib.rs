//! Documents of a tenant: ingestion jobs, parsers, the content store, the Tantivy index,
//! entities and timeline extraction.

pub mod extract;
pub mod model;
pub mod parse;

pub mod entities;
pub mod error;
mod index;
mod ingest;
pub mod jobs;
pub mod registry;
pub mod search;
mod service;
pub mod store;
pub mod timeline;
mod util;

pub use model::{Attachment, DatePrecision, EntityKind, EntityMention, ExtractedDate, ParsedDocument};
pub use parse::{ParseError, ParseLimits};

pub use entities::{CoOccurrence, EntityDocument, EntityInfo, Neighborhood};
pub use error::CorpusError;
pub use jobs::{JobError, JobMeter, JobReport, JobState, JobStatus, Source};
pub use registry::{DocumentDetail, DocumentFilter, DocumentInfo, DocumentPage, SourceType};
pub use search::{AnswerSentence, Citation, Highlight, Passage, SearchHit, SearchMode, SearchRequest, SearchResponse};
pub use service::{Corpus, CorpusConfig};
pub use timeline::{EntityHighlight, EventCitation, TimelineEvent, TimelinePage, TimelineRequest};
