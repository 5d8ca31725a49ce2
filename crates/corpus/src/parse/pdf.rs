//! PDF: the text layer, plus title, author and creation date from the info dictionary.

use std::io::Read;

use pdf_extract::{Dictionary, Document, Object, PlainTextOutput};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use super::clean::{clean_line, clean_text};
use super::pdf_scan::{self, MAX_PDF_NESTING, ScanError};
use super::{ParseError, ParseLimits};
use crate::model::ParsedDocument;

const FORMAT: &str = "pdf";

fn corrupt(reason: impl Into<String>) -> ParseError {
    ParseError::Corrupt { format: FORMAT, reason: reason.into() }
}

/// A PDF's text layer. A scanned PDF without one yields an empty text, not an error.
pub(crate) fn parse_pdf(bytes: &[u8], limits: &ParseLimits) -> Result<ParsedDocument, ParseError> {
    if !bytes.starts_with(b"%PDF-") && !bytes.get(..1024).is_some_and(|head| contains(head, b"%PDF-")) {
        return Err(corrupt("no %PDF- header"));
    }
    // lopdf recurses once per level of nesting with no limit: refuse deep files before it
    // sees them, in linear time.
    match pdf_scan::check_nesting(bytes, limits.max_expanded_bytes) {
        Ok(()) => {}
        Err(ScanError::TooDeep) => {
            return Err(ParseError::TooDeep { format: FORMAT, limit: MAX_PDF_NESTING });
        }
        Err(ScanError::Expansion) => return Err(ParseError::ExpansionLimit { limit: limits.max_expanded_bytes }),
    }
    parse_inner(bytes, limits)
}

fn parse_inner(bytes: &[u8], limits: &ParseLimits) -> Result<ParsedDocument, ParseError> {
    let mut doc = Document::load_mem(bytes).map_err(|e| corrupt(e.to_string()))?;
    if doc.is_encrypted() {
        // Many PDFs are "encrypted" with an empty user password only to restrict printing.
        doc.decrypt("").map_err(|_| corrupt("encrypted with a password"))?;
    }
    check_expansion(&doc, limits.max_expanded_bytes)?;

    let mut pages = Vec::new();
    for page_num in doc.get_pages().keys() {
        let mut page = String::new();
        let mut output = PlainTextOutput::new(&mut page);
        pdf_extract::output_doc_page(&doc, &mut output, *page_num).map_err(|e| corrupt(format!("{e:?}")))?;
        pages.push(page);
    }
    // A blank line between pages keeps a page break from gluing two sentences together.
    let text = clean_text(&pages.join("\n\n"));

    let info = info_dictionary(&doc);
    let field = |key: &[u8]| info.and_then(|d| d.get(key).ok()).and_then(|o| text_string(&doc, o));
    Ok(ParsedDocument {
        media_type: "application/pdf".into(),
        parser: "pdf",
        title: field(b"Title").and_then(|t| clean_line(&t)),
        author: field(b"Author").and_then(|a| clean_line(&a)),
        document_date: field(b"CreationDate").and_then(|d| parse_pdf_date(&d)),
        text,
        ..Default::default()
    })
}

/// Decompress every Flate stream that text extraction may read, counting through a bounded
/// reader, so that a small file that inflates to gigabytes is refused before pdf-extract
/// inflates it in memory.
fn check_expansion(doc: &Document, limit: u64) -> Result<(), ParseError> {
    let mut total: u64 = 0;
    for object in doc.objects.values() {
        let Object::Stream(stream) = object else { continue };
        let is_image = stream.dict.get(b"Subtype").ok().and_then(|s| s.as_name().ok()) == Some(b"Image".as_slice());
        if is_image || !has_flate_filter(&stream.dict) {
            total = total.saturating_add(stream.content.len() as u64);
        } else {
            let remaining = limit.saturating_sub(total);
            let decoder = flate2::read::ZlibDecoder::new(stream.content.as_slice());
            // A broken stream counts as what was inflated before the break; pdf-extract
            // decides later whether the page is readable.
            let inflated = std::io::copy(&mut decoder.take(remaining.saturating_add(1)), &mut std::io::sink());
            total = total.saturating_add(inflated.unwrap_or(0));
        }
        if total > limit {
            return Err(ParseError::ExpansionLimit { limit });
        }
    }
    Ok(())
}

fn has_flate_filter(dict: &Dictionary) -> bool {
    match dict.get(b"Filter") {
        Ok(Object::Name(name)) => name == b"FlateDecode",
        Ok(Object::Array(filters)) => filters.iter().any(|f| f.as_name().ok() == Some(b"FlateDecode".as_slice())),
        _ => false,
    }
}

fn info_dictionary(doc: &Document) -> Option<&Dictionary> {
    let info = doc.trailer.get(b"Info").ok()?;
    match info {
        Object::Reference(id) => doc.get_object(*id).ok()?.as_dict().ok(),
        Object::Dictionary(d) => Some(d),
        _ => None,
    }
}

/// A PDF text string: UTF-16BE with a byte-order mark, else PDFDocEncoding (close enough to
/// Latin-1 for titles and names).
fn text_string(doc: &Document, object: &Object) -> Option<String> {
    let object = match object {
        Object::Reference(id) => doc.get_object(*id).ok()?,
        other => other,
    };
    let bytes = object.as_str().ok()?;
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return Some(encoding_rs::UTF_16BE.decode_without_bom_handling(rest).0.into_owned());
    }
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return Some(String::from_utf8_lossy(rest).into_owned());
    }
    Some(bytes.iter().map(|&b| char::from(b)).collect())
}

/// `D:YYYYMMDDHHmmSSOHH'mm'`, every part after the year optional.
fn parse_pdf_date(value: &str) -> Option<OffsetDateTime> {
    let s = value.trim().strip_prefix("D:").unwrap_or(value.trim());
    let digits = |from: usize, len: usize, default: u32| -> Option<u32> {
        match s.get(from..from + len) {
            Some(part) if part.bytes().all(|b| b.is_ascii_digit()) => part.parse().ok(),
            Some(_) => None,
            None => Some(default),
        }
    };
    let year = i32::try_from(digits(0, 4, 0)?).ok()?;
    if s.len() < 4 {
        return None;
    }
    let month = Month::try_from(u8::try_from(digits(4, 2, 1)?).ok()?).ok()?;
    let day = u8::try_from(digits(6, 2, 1)?).ok()?;
    let hour = u8::try_from(digits(8, 2, 0)?).ok()?;
    let minute = u8::try_from(digits(10, 2, 0)?).ok()?;
    let second = u8::try_from(digits(12, 2, 0)?).ok()?;
    let date = Date::from_calendar_date(year, month, day).ok()?;
    let time = Time::from_hms(hour, minute, second).ok()?;
    let offset = match s.get(14..15) {
        Some(sign @ ("+" | "-")) => {
            let rest: String = s[15..].chars().filter(char::is_ascii_digit).collect();
            let h: i8 = rest.get(0..2).and_then(|v| v.parse().ok()).unwrap_or(0);
            let m: i8 = rest.get(2..4).and_then(|v| v.parse().ok()).unwrap_or(0);
            let sign = if sign == "-" { -1 } else { 1 };
            UtcOffset::from_hms(sign * h, sign * m, 0).ok()?
        }
        _ => UtcOffset::UTC,
    };
    Some(PrimitiveDateTime::new(date, time).assume_offset(offset))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_dates() {
        let d = parse_pdf_date("D:20210318093000-05'00'").map(|d| d.to_string());
        assert_eq!(d.as_deref(), Some("2021-03-18 9:30:00.0 -05:00:00"));
        assert!(parse_pdf_date("D:2021").is_some());
        assert!(parse_pdf_date("D:20210230").is_none());
        assert!(parse_pdf_date("garbage").is_none());
        assert!(parse_pdf_date("D:2021031809300").is_some());
    }
}
