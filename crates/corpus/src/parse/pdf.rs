//! PDF: the text layer, title, author and creation date by poppler's `pdftotext` (Debian's
//! `poppler-utils`), run as a child process with a time limit.
//!
//! Chosen on measured quality (docs/benchmarks.md, "Extraction fidelity"): on real-world PDFs
//! poppler reads encrypted files, columns and fonts that pdf-extract and pdf_oxide garbled or
//! left empty, and a child process bounds what a hostile file can do to the one parsing it.

use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use time::format_description::well_known::Iso8601;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

use super::child;
use super::clean::{clean_line, clean_text};
use super::pdf_scan::{self, MAX_PDF_NESTING, ScanError};
use super::{ParseError, ParseLimits};
use crate::model::{NEEDS_OCR, ParsedDocument};

const FORMAT: &str = "pdf";
/// The text extractor; the PDF arrives on its stdin, the text leaves on its stdout.
const PDFTOTEXT: &str = "pdftotext";
/// The image lister, asked only about pages without text (is the page a scan?).
const PDFIMAGES: &str = "pdfimages";
/// How long one poppler tool may run on one file: under the parser sandbox's 30 s, so that in
/// the server too a slow file usually ends by this limit, with the worker still answering.
pub(crate) const PDF_TOOL_TIMEOUT: Duration = Duration::from_secs(25);
/// The package that holds the tools, named in the error when they are missing.
const PACKAGE: &str = "poppler-utils";

fn corrupt(reason: impl Into<String>) -> ParseError {
    ParseError::Corrupt { format: FORMAT, reason: reason.into() }
}

/// A PDF's text layer and metadata. A PDF (or page) without a text layer is a success with
/// the [`NEEDS_OCR`] warning; one that needs a password is [`ParseError::Encrypted`].
pub(crate) fn parse_pdf(bytes: &[u8], limits: &ParseLimits) -> Result<ParsedDocument, ParseError> {
    if !bytes.starts_with(b"%PDF-") && !bytes.get(..1024).is_some_and(|head| contains(head, b"%PDF-")) {
        return Err(corrupt("no %PDF- header"));
    }
    // The linear scan refuses deep nesting and decompression bombs before any parser holds
    // the file in memory, in linear time.
    match pdf_scan::check_nesting(bytes, limits.max_expanded_bytes) {
        Ok(()) => {}
        Err(ScanError::TooDeep) => return Err(ParseError::TooDeep { format: FORMAT, limit: MAX_PDF_NESTING }),
        Err(ScanError::Expansion) => return Err(ParseError::ExpansionLimit { limit: limits.max_expanded_bytes }),
    }
    // One run gives the text and the metadata: `-htmlmeta` writes the info dictionary as an
    // escaped HTML head, then the text as it is between `<pre>` and the last `</pre>`.
    let output = run_tool(
        PDFTOTEXT,
        &["-htmlmeta", "-enc", "UTF-8", "-eol", "unix", "-", "-"],
        bytes,
        limits.max_expanded_bytes,
    )?;
    let output = String::from_utf8_lossy(&output);
    let (head, text) = split_html_meta(&output).ok_or_else(|| corrupt("pdftotext answered no text"))?;
    // pdftotext ends every page with a form feed.
    let pages: Vec<&str> = text.strip_suffix('\u{c}').unwrap_or(text).split('\u{c}').collect();
    let blank: Vec<usize> = pages.iter().enumerate().filter(|(_, p)| p.trim().is_empty()).map(|(i, _)| i + 1).collect();
    let mut warnings = Vec::new();
    // No text at all, or a blank page that shows an image (a scan), is text for OCR to find;
    // a blank page without an image is just blank.
    if blank.len() == pages.len() || (!blank.is_empty() && images_on(bytes, &blank)) {
        warnings.push(NEEDS_OCR.to_owned());
    }
    // A blank line between pages keeps a page break from gluing two sentences together.
    let text = clean_text(&expand_ligatures(&pages.join("\n\n")));
    // A field with U+FFFD holds bytes poppler could not decode (a title written in a charset
    // the file does not declare): no title beats a garbled one.
    let field = |key: &str| meta_field(head, key).filter(|value| !value.contains('\u{FFFD}'));
    Ok(ParsedDocument {
        media_type: "application/pdf".into(),
        parser: "pdf",
        title: field("Title").and_then(|t| clean_line(&t)),
        author: field("Author").and_then(|a| clean_line(&a)),
        document_date: field("CreationDate").and_then(|d| parse_iso_date(&d)),
        text,
        warnings,
        ..Default::default()
    })
}

/// The escaped HTML head and the raw text of `pdftotext -htmlmeta`'s answer.
fn split_html_meta(output: &str) -> Option<(&str, &str)> {
    // The head is escaped, so its first `<pre>` is the text's; the text is not, so its end is
    // the last `</pre>`.
    let start = output.find("<pre>\n")?;
    let end = output.rfind("</pre>").filter(|&end| end >= start + 6)?;
    Some((&output[..start], &output[start + 6..end]))
}

/// One field of the head: `Title` from `<title>`, the others from `<meta name=... content=...>`.
fn meta_field(head: &str, key: &str) -> Option<String> {
    let value = if key == "Title" {
        let start = head.find("<title>")? + "<title>".len();
        &head[start..start + head[start..].find("</title>")?]
    } else {
        let marker = format!("<meta name=\"{key}\" content=\"");
        let start = head.find(&marker)? + marker.len();
        &head[start..start + head[start..].find("\"/>")?]
    };
    let value = value.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'");
    Some(value.replace("&amp;", "&"))
}

/// Typographic ligatures (U+FB00 "ﬀ" to U+FB06 "ﬆ", as fonts map them) spelled out, so that
/// "conﬁguration" is found as "configuration".
fn expand_ligatures(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    if !text.chars().any(is_ligature) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_ligature(c) {
            out.extend(std::iter::once(c).nfkc());
        } else {
            out.push(c);
        }
    }
    out
}

fn is_ligature(c: char) -> bool {
    ('\u{FB00}'..='\u{FB06}').contains(&c)
}

/// True when any of `pages` (1-based) shows an image. An answer that cannot be had counts as
/// an image: a warning too many beats a scan taken for a blank page.
fn images_on(bytes: &[u8], pages: &[usize]) -> bool {
    let Ok(list) = run_tool(PDFIMAGES, &["-list", "-"], bytes, 16 << 20) else { return true };
    // Two header lines, then one line per image whose first column is its page.
    String::from_utf8_lossy(&list)
        .lines()
        .skip(2)
        .filter_map(|line| line.split_whitespace().next()?.parse::<usize>().ok())
        .any(|page| pages.contains(&page))
}

/// Run one poppler tool on the PDF (given on stdin) and answer its stdout.
fn run_tool(program: &str, args: &[&str], pdf: &[u8], max_output: u64) -> Result<Vec<u8>, ParseError> {
    let mut command = Command::new(program);
    command.args(args);
    let finished = match child::run(command, &[pdf], max_output, PDF_TOOL_TIMEOUT, false) {
        Ok(finished) => finished,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(tools_missing()),
        Err(e) => return Err(ParseError::Crashed(format!("the PDF tool {program} could not be started: {e}"))),
    };
    if finished.timed_out {
        return Err(ParseError::TimedOut { secs: PDF_TOOL_TIMEOUT.as_secs() });
    }
    if finished.overflowed {
        return Err(ParseError::ExpansionLimit { limit: max_output });
    }
    log_warnings(program, &finished.stderr);
    match finished.status {
        Some(status) if status.success() => Ok(finished.stdout),
        Some(status) => Err(tool_failure(program, status, &finished.stderr)),
        None => Err(ParseError::Crashed(format!("the exit of the PDF tool {program} could not be observed"))),
    }
}

/// The failure a poppler tool's exit and messages describe.
fn tool_failure(program: &str, status: std::process::ExitStatus, stderr: &str) -> ParseError {
    use std::os::unix::process::ExitStatusExt;
    if stderr.contains("Incorrect password") {
        return ParseError::Encrypted;
    }
    if let Some(signal) = status.signal() {
        return ParseError::Crashed(format!("the PDF tool {program} stopped on signal {signal}"));
    }
    // Its last error line says why ("Syntax Error: Couldn't find trailer dictionary").
    let reason = stderr
        .lines()
        .rev()
        .find(|l| l.contains("Error"))
        .map(|l| l.trim().chars().take(200).collect::<String>())
        .unwrap_or_else(|| format!("{program} exited with status {}", status.code().unwrap_or(-1)));
    corrupt(reason)
}

/// The error for a machine without poppler-utils, logged once as well: every PDF fails until
/// the package is installed.
fn tools_missing() -> ParseError {
    static LOGGED: OnceLock<()> = OnceLock::new();
    LOGGED.get_or_init(|| {
        tracing::error!("PDF files cannot be read: {PDFTOTEXT} is not installed (Debian package {PACKAGE})");
    });
    ParseError::ToolMissing { tool: PDFTOTEXT, package: PACKAGE }
}

/// True when this machine can read PDFs (poppler's tools answer).
pub fn pdf_tools_available() -> bool {
    Command::new(PDFTOTEXT).arg("-v").output().is_ok_and(|o| o.status.success())
}

/// poppler writes one line per problem it recovers from, which for a damaged file can be
/// millions: the log gets one line per file, with the count and the first message.
fn log_warnings(program: &str, stderr: &str) {
    let mut lines = stderr.lines().filter(|l| !l.trim().is_empty());
    if let Some(first) = lines.next() {
        let more = lines.count();
        let first: String = first.chars().take(200).collect();
        tracing::debug!(tool = program, more, "PDF tool warning: {first}");
    }
}

/// The date form of `pdftotext -htmlmeta` (as `pdfinfo -isodates`): `2021-03-18T09:30:00-05` (offset as Z, ±HH or ±HH:MM).
fn parse_iso_date(value: &str) -> Option<OffsetDateTime> {
    let value = value.trim();
    let (local, offset) = match value.find(['+', 'Z']).or_else(|| value.rfind('-').filter(|&i| i > 10)) {
        Some(i) => (&value[..i], &value[i..]),
        None => (value, "Z"),
    };
    let local = PrimitiveDateTime::parse(local, &Iso8601::DEFAULT).ok()?;
    let offset = if offset == "Z" {
        UtcOffset::UTC
    } else {
        let sign: i8 = if offset.starts_with('-') { -1 } else { 1 };
        let digits: String = offset[1..].chars().filter(char::is_ascii_digit).collect();
        let hours: i8 = digits.get(0..2)?.parse().ok()?;
        let minutes: i8 = digits.get(2..4).map_or(Some(0), |m| m.parse().ok())?;
        UtcOffset::from_hms(sign * hours, sign * minutes, 0).ok()?
    };
    Some(local.assume_offset(offset))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_as_poppler_writes_them() {
        let d = |s: &str| parse_iso_date(s).map(|d| d.to_string());
        assert_eq!(d("2021-03-18T09:30:00-05").as_deref(), Some("2021-03-18 9:30:00.0 -05:00:00"));
        assert_eq!(d("2022-04-15T09:32:43+02").as_deref(), Some("2022-04-15 9:32:43.0 +02:00:00"));
        assert_eq!(d("2022-04-15T09:32:43+05:30").as_deref(), Some("2022-04-15 9:32:43.0 +05:30:00"));
        assert_eq!(d("2015-06-04T13:34:06Z").as_deref(), Some("2015-06-04 13:34:06.0 +00:00:00"));
        assert_eq!(d("2015-06-04T13:34:06").as_deref(), Some("2015-06-04 13:34:06.0 +00:00:00"));
        assert!(d("garbage").is_none());
        assert!(d("2021-02-30T00:00:00Z").is_none());
    }

    #[test]
    fn html_meta_head_is_unescaped_and_the_text_kept_as_written() {
        let output = "<html>\n<head>\n<title>Smith &amp; Sons &lt;v&gt; &quot;q&quot;</title>\n\
                      <meta name=\"Author\" content=\"A&amp;B\"/>\n</head>\n<body>\n<pre>\n\
                      Smith & Sons <pre> </pre> text\u{c}\n</pre>\n</body>\n</html>\n";
        let (head, text) = split_html_meta(output).expect("splits");
        assert_eq!(text, "Smith & Sons <pre> </pre> text\u{c}\n");
        assert_eq!(meta_field(head, "Title").as_deref(), Some("Smith & Sons <v> \"q\""));
        assert_eq!(meta_field(head, "Author").as_deref(), Some("A&B"));
        assert_eq!(meta_field(head, "CreationDate"), None);
        assert_eq!(split_html_meta("no text"), None);
    }
}
