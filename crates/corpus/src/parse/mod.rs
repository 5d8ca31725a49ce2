//! Parsers: one file's bytes in, a [`ParsedDocument`] out.

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

/// Parse one file. The parser is chosen by `media_type` when given, else by the file name's
/// extension.
pub fn parse(
    file_name: &str,
    media_type: Option<&str>,
    bytes: &[u8],
    limits: &ParseLimits,
) -> Result<ParsedDocument, ParseError> {
    // Placeholder until the real parsers land: plain UTF-8 text only.
    let _ = media_type;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(ParseError::TooLarge { size: bytes.len() as u64, limit: limits.max_file_bytes });
    }
    if !file_name.ends_with(".txt") {
        return Err(ParseError::Unsupported(file_name.to_owned()));
    }
    let text = String::from_utf8_lossy(bytes).into_owned();
    Ok(ParsedDocument { media_type: "text/plain".into(), parser: "text", text, ..Default::default() })
}
