//! Types shared by the parsers, the extractors and the store.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

/// What a parser made of one file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedDocument {
    /// Media type the parser handled (e.g. "message/rfc822", "application/pdf").
    pub media_type: String,
    /// Name of the parser ("text", "markdown", "html", "email", "pdf", "docx").
    pub parser: &'static str,
    pub title: Option<String>,
    /// Author, or the e-mail's From.
    pub author: Option<String>,
    /// E-mail To and Cc, as written (name and address).
    pub recipients: Vec<String>,
    /// The document's own date (e-mail Date header, DOCX core properties, PDF info), with the
    /// offset it was written with.
    pub document_date: Option<OffsetDateTime>,
    /// When the document was last modified, from its metadata (DOCX core properties, PDF info).
    pub modified_date: Option<OffsetDateTime>,
    /// E-mail subject, when there is one.
    pub subject: Option<String>,
    /// The plain text that is indexed and cited; offsets in citations are byte offsets into it.
    pub text: String,
    /// Attachments, which become child documents.
    pub attachments: Vec<Attachment>,
    /// What a reader should know about the text, as codes (e.g. [`NEEDS_OCR`]): the parse
    /// succeeded but the text is not the whole document.
    pub warnings: Vec<String>,
}

/// Warning: a page (or the whole file) has no text layer; its text needs OCR.
pub const NEEDS_OCR: &str = "needs_ocr";

/// Warning: the file was read but holds no text at all (an e-mail whose MIME structure is too
/// damaged to yield a readable part), so an empty result is not taken for an empty document.
pub const EMPTY_TEXT: &str = "empty";

/// A file carried inside another (an e-mail attachment).
#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    pub file_name: String,
    /// The media type the parent declares for it (listed on the parent as written).
    pub media_type: Option<String>,
    /// The media type to parse it as, when not the declared one (a text part in any charset is
    /// handed on as UTF-8 `text/plain`).
    pub parse_as: Option<String>,
    pub bytes: Vec<u8>,
}

impl Attachment {
    /// The media type the parser is chosen by.
    pub fn parser_media_type(&self) -> Option<&str> {
        self.parse_as.as_deref().or(self.media_type.as_deref())
    }
}

/// How precisely a date is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DatePrecision {
    Day,
    Month,
    Year,
}

/// A date found in a document, with where it was found.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtractedDate {
    /// The first day the date denotes (the 1st of the month for month precision, etc.).
    pub date: Date,
    /// A full timestamp, with the offset it was written with, when one is known (metadata
    /// dates), else None.
    pub timestamp: Option<OffsetDateTime>,
    pub precision: DatePrecision,
    /// Byte range of the date expression in the text (None for header dates).
    pub span: Option<(usize, usize)>,
    /// Byte range of the sentence around it (for summary and citation).
    pub sentence: (usize, usize),
    /// 0..1: how sure the extractor is that this is an event date.
    pub confidence: f32,
    /// [`ORIGIN_METADATA`] or [`ORIGIN_BODY`].
    pub origin: &'static str,
}

/// Origin of a date from the document's metadata (e-mail Date, DOCX core properties, PDF info).
pub const ORIGIN_METADATA: &str = "metadata";
/// Origin of a date written in the document's text.
pub const ORIGIN_BODY: &str = "body";

/// Kind of a named entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Person,
    Organization,
    Email,
    Money,
    CaseNumber,
}

/// An entity mention in a document's text.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityMention {
    pub kind: EntityKind,
    /// Normalised form used as the entity's identity within a tenant
    /// (e.g. lower-cased e-mail, "Acme Corp." -> "Acme Corp", "$1,200.00" -> "USD 1200.00").
    pub normalized: String,
    /// The text as written.
    pub surface: String,
    /// Byte range in the text (None when found in headers only).
    pub span: Option<(usize, usize)>,
}
