//! Parsers: one file's bytes in, a [`ParsedDocument`] out.

mod child;
pub(crate) mod clean;
mod docx;
mod email;
mod html;
mod mime;
mod pdf;
mod pdf_scan;
mod pool;
pub mod sandbox;
mod text;

pub use pdf::pdf_tools_available;
pub use sandbox::ParserSandbox;

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::model::ParsedDocument;

/// Limits a parser enforces on one file.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
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
    #[error("{format} structures nest deeper than {limit} levels; refused as hostile")]
    TooDeep { format: &'static str, limit: usize },
    /// The parser stopped without an answer (a panic in process; a signal or an abnormal
    /// exit in the sandbox).
    #[error("crashed the parser: {0}")]
    Crashed(String),
    #[error("timed out after {secs} s in the parser")]
    TimedOut { secs: u64 },
    /// A PDF whose user password is not empty: its text cannot be read without it.
    #[error("encrypted: needs a password")]
    Encrypted,
    /// The external tool a format needs is not installed on this machine.
    #[error("{tool} is not installed (Debian package {package}): this file type cannot be read")]
    ToolMissing { tool: &'static str, package: &'static str },
    /// The sandboxed parser reported this failure (its text, as the parser worded it).
    #[error("{0}")]
    Reported(String),
}

/// Media type of a DOCX file.
const DOCX_MEDIA_TYPE: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// The formats there is a parser for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
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
            "text/markdown" | "text/x-markdown" => Format::Markdown,
            "text/html" | "application/xhtml+xml" => Format::Html,
            // Any other text type (text/plain, text/csv, text/x-log, ...) reads as plain text.
            other if other.starts_with("text/") => Format::Text,
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

/// The format `parse` would pick for a file, or the error it would answer: the media type
/// when it names a format, else the file name's extension, else the content (many real files
/// carry no extension: `README.Debian`, `copyright`, `NOTES`).
fn format_of(file_name: &str, media_type: Option<&str>, bytes: &[u8]) -> Result<Format, ParseError> {
    // A generic media type (application/octet-stream) says nothing: fall back to the name.
    // A declared type we have no parser for (image/png) is believed; only an unknown or
    // generic one lets the content decide.
    // So is a name whose extension says image, sound, video or font (`image.bmp`).
    let declared = media_type.is_some_and(|m| !is_generic_media_type(m)) || names_a_media_file(file_name);
    media_type
        .and_then(Format::from_media_type)
        .or_else(|| Format::from_file_name(file_name))
        .or_else(|| if declared { None } else { Format::from_content(bytes) })
        .ok_or_else(|| ParseError::Unsupported(media_type.map_or_else(|| file_name.to_owned(), str::to_owned)))
}

/// True when the file name's extension is that of an image, sound, video or font: never a
/// document, whatever its first bytes look like.
fn names_a_media_file(file_name: &str) -> bool {
    mime_guess::from_path(file_name)
        .first()
        .is_some_and(|m| matches!(m.type_().as_str(), "image" | "audio" | "video" | "font"))
}

/// True for a media type that leaves the format to the content: none, a generic one, or a
/// `message/*` part other than a whole message (`message/partial`, `message/delivery-status`
/// hold headers or a piece of a message: mail or text, as the content shows).
fn is_generic_media_type(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence.is_empty() || essence == "application/octet-stream" || essence.starts_with("message/")
}

/// How much of a file the content sniffing reads.
const SNIFF_BYTES: usize = 8 * 1024;

impl Format {
    /// The format a file's first bytes show, when its name and media type say nothing.
    fn from_content(bytes: &[u8]) -> Option<Format> {
        let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
        // The header may follow some junk (as PDF readers allow), as in `parse_pdf`.
        if head.get(..1024).is_some_and(|start| start.windows(5).any(|w| w == b"%PDF-")) {
            return Some(Format::Pdf);
        }
        if !looks_like_text(head) {
            return None;
        }
        Some(if looks_like_mail_headers(head) { Format::Email } else { Format::Text })
    }
}

/// True when the text starts with a block of RFC 5322 header lines holding at least two of the
/// headers every mail carries (a message saved without an extension, as in a Maildir).
fn looks_like_mail_headers(head: &[u8]) -> bool {
    const KNOWN: [&str; 9] =
        ["from", "to", "subject", "date", "received", "message-id", "mime-version", "return-path", "content-type"];
    let text = String::from_utf8_lossy(head);
    let mut known = 0;
    for line in text.lines() {
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) || line.starts_with("From ") {
            continue;
        }
        let Some((name, _)) = line.split_once(':') else { return false };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return false;
        }
        known += usize::from(KNOWN.contains(&name.to_ascii_lowercase().as_str()));
    }
    known >= 2
}

/// True when `head` (the start of a file) reads as text: a UTF-16 byte-order mark, or no NUL
/// and almost no control characters (binary data has about one in eight).
fn looks_like_text(head: &[u8]) -> bool {
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return true;
    }
    if head.is_empty() || head.contains(&0) {
        return false;
    }
    let controls =
        head.iter().filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1B)) || b == 0x7F).count();
    if controls * 100 > head.len() {
        return false;
    }
    match std::str::from_utf8(head) {
        Ok(_) => true,
        // A sample cut inside a character is still UTF-8.
        Err(e) if e.error_len().is_none() => true,
        // Not UTF-8: text in a single-byte charset has mostly ASCII letters.
        Err(_) => head.iter().filter(|b| b.is_ascii()).count() * 10 >= head.len() * 7,
    }
}

/// True when the file goes to a third-party parser that recurses over its input (PDF through
/// lopdf, DOCX through zip and quick-xml, e-mail through mail-parser): those are the parses
/// isolated in a [`ParserSandbox`] and marked while they run. Plain text, Markdown and HTML
/// are bounded by construction and always parse in process.
pub fn needs_isolation(file_name: &str, media_type: Option<&str>, bytes: &[u8]) -> bool {
    matches!(format_of(file_name, media_type, bytes), Ok(Format::Pdf | Format::Docx | Format::Email))
}

/// Parse one file. The parser is chosen by `media_type` when given, else by the file name's
/// extension, else by the content. A panic inside a parser is caught and answered as [`ParseError::Crashed`].
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
    let format = format_of(file_name, media_type, bytes)?;
    let parsed = catch_unwind(AssertUnwindSafe(|| match format {
        Format::Text => Ok(text::parse_text(bytes)),
        Format::Markdown => Ok(text::parse_markdown(bytes)),
        Format::Html => Ok(html::parse_html(bytes)),
        Format::Email => email::parse_email(bytes),
        Format::Pdf => pdf::parse_pdf(bytes, limits),
        Format::Docx => docx::parse_docx(bytes, limits),
    }));
    // The panic's own text ("called `Option::unwrap()` on a `None` value") means nothing to the
    // person who sent the file; the hook has already logged it for whoever fixes the parser.
    parsed.unwrap_or_else(|_| {
        Err(ParseError::Crashed(format!("the {} parser failed on this file (an internal error)", format.name())))
    })
}

impl Format {
    pub(crate) const ALL: [Format; 6] =
        [Format::Text, Format::Markdown, Format::Html, Format::Email, Format::Pdf, Format::Docx];

    /// The parser's name, as in [`ParsedDocument::parser`].
    pub(crate) fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Email => "email",
            Format::Pdf => "pdf",
            Format::Docx => "docx",
        }
    }
}

/// Stack of the thread an in-process parse runs on: far more than the deepest input the
/// pre-checks let through needs, so that a parser's recursion never reaches the guard page.
pub const PARSE_STACK_BYTES: usize = 256 << 20;

/// [`parse`] on a thread of its own with a [`PARSE_STACK_BYTES`] stack (the stack is reserved,
/// not used: untouched pages cost nothing).
pub fn parse_on_large_stack(
    file_name: &str,
    media_type: Option<&str>,
    bytes: &[u8],
    limits: &ParseLimits,
) -> Result<ParsedDocument, ParseError> {
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("docket-parse".into())
            .stack_size(PARSE_STACK_BYTES)
            .spawn_scoped(scope, || parse(file_name, media_type, bytes, limits));
        match worker {
            Ok(handle) => handle.join().unwrap_or_else(|_| Err(ParseError::Crashed("the parser thread failed".into()))),
            // No thread to be had (resource limits): the caller's stack is the next best thing.
            Err(_) => parse(file_name, media_type, bytes, limits),
        }
    })
}

/// Parse one file with the risky formats in `sandbox` when there is one, the rest (and
/// everything without a sandbox) in process on a large stack.
pub fn parse_bounded(
    sandbox: Option<&ParserSandbox>,
    file_name: &str,
    media_type: Option<&str>,
    bytes: &[u8],
    limits: &ParseLimits,
) -> Result<ParsedDocument, ParseError> {
    match sandbox {
        Some(sandbox) if needs_isolation(file_name, media_type, bytes) => {
            sandbox.parse(file_name, media_type, bytes, limits)
        }
        // Plain text is decoded and cleaned by this crate's own loops: no recursion to guard.
        _ if format_of(file_name, media_type, bytes) == Ok(Format::Text) => parse(file_name, media_type, bytes, limits),
        _ => parse_on_large_stack(file_name, media_type, bytes, limits),
    }
}
