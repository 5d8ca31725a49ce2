//! Parsers: one file's bytes in, a [`ParsedDocument`] out.

pub(crate) mod clean;
mod docx;
mod email;
mod html;
mod pdf;
mod text;

use crate::model::ParsedDocument;

/// Limits a parser enforces on one file.
#[derive(Debug, Clone, Copy)]
pub struct ParseLimits {
    /// Largest file accepted, in bytes.
    pub max_file_bytes: u64,
    /// Largest total a compressed container (DOCX, PDF streams) may expand to.
    pub max_expanded_bytes: u64,
    /// Deepest nesting of attachments followed.
    pub max_attachment_depth: u8,
}

impl Default for ParseLimits {
    fn default() -> Self {
        ParseLimits { max_file_bytes: 64 * 1024 * 1024, max_expanded_bytes: 256 * 1024 * 1024, max_attachment_depth: 3 }
    }
}

/// Why one file could not be parsed. The job records it and goes on with the rest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("unsupported file type '{0}': expected .txt, .md, .html, .eml, .pdf or .docx")]
    Unsupported(String),
    #[error("file is {size} bytes, over the limit of {limit} bytes")]
    TooLarge { size: u64, limit: u64 },
    #[error("archive expands past the limit of {limit} bytes (possible decompression bomb)")]
    ExpansionLimit { limit: u64 },
    #[error("corrupt {format} file: {reason}")]
    Corrupt { format: &'static str, reason: String },
}

/// Media type of a DOCX file.
const DOCX_MEDIA_TYPE: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// The formats there is a parser for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Markdown,
    Html,
    Email,
    Pdf,
    Docx,
}

impl Format {
    fn from_media_type(media_type: &str) -> Option<Format> {
        // Parameters such as "; charset=utf-8" do not change the parser.
        let essence = media_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        Some(match essence.as_str() {
            "text/plain" => Format::Text,
            "text/markdown" | "text/x-markdown" => Format::Markdown,
            "text/html" | "application/xhtml+xml" => Format::Html,
            "message/rfc822" => Format::Email,
            "application/pdf" => Format::Pdf,
            DOCX_MEDIA_TYPE => Format::Docx,
            _ => return None,
        })
    }

    fn from_file_name(file_name: &str) -> Option<Format> {
        let (_, extension) = file_name.rsplit_once('.')?;
        Some(match extension.to_ascii_lowercase().as_str() {
            "txt" | "text" => Format::Text,
            "md" | "markdown" => Format::Markdown,
            "html" | "htm" => Format::Html,
            "eml" => Format::Email,
            "pdf" => Format::Pdf,
            "docx" => Format::Docx,
            _ => return None,
        })
    }
}

/// Parse one file. The parser is chosen by `media_type` when given, else by the file name's
/// extension.
pub fn parse(
    file_name: &str,
    media_type: Option<&str>,
    bytes: &[u8],
    limits: &ParseLimits,
) -> Result<ParsedDocument, ParseError> {
    let size = bytes.len() as u64;
    if size > limits.max_file_bytes {
        return Err(ParseError::TooLarge { size, limit: limits.max_file_bytes });
    }
    // A generic media type (application/octet-stream) says nothing: fall back to the name.
    let format = media_type
        .and_then(Format::from_media_type)
        .or_else(|| Format::from_file_name(file_name))
        .ok_or_else(|| ParseError::Unsupported(media_type.map_or_else(|| file_name.to_owned(), str::to_owned)))?;
    match format {
        Format::Text => Ok(text::parse_text(bytes)),
        Format::Markdown => Ok(text::parse_markdown(bytes)),
        Format::Html => Ok(html::parse_html(bytes)),
        Format::Email => email::parse_email(bytes),
        Format::Pdf => pdf::parse_pdf(bytes, limits),
        Format::Docx => docx::parse_docx(bytes, limits),
    }
}
