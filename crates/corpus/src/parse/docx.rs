//! Word documents (Office Open XML, `.docx`).

use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::Event;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use zip::ZipArchive;

use super::clean::{clean_line, clean_text};
use super::{ParseError, ParseLimits};
use crate::model::ParsedDocument;

const FORMAT: &str = "docx";
const DOCUMENT_PART: &str = "word/document.xml";
const CORE_PART: &str = "docProps/core.xml";
/// Parts appended after the body and its headers and footers, in this order, when present.
const NOTE_PARTS: [&str; 3] = ["word/footnotes.xml", "word/endnotes.xml", "word/comments.xml"];
/// Word XML compresses 5-20x; beyond this ratio an entry is treated as a decompression bomb.
const MAX_COMPRESSION_RATIO: u64 = 100;
/// Entries smaller than this are never judged by ratio (tiny parts compress oddly).
const RATIO_FLOOR_BYTES: u64 = 1 << 20;

fn corrupt(reason: impl Into<String>) -> ParseError {
    ParseError::Corrupt { format: FORMAT, reason: reason.into() }
}

/// A DOCX: paragraphs of the body (then footnotes and endnotes) as lines, title, creator and
/// created date from the core properties.
pub(crate) fn parse_docx(bytes: &[u8], limits: &ParseLimits) -> Result<ParsedDocument, ParseError> {
    let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(|e| corrupt(format!("not a zip archive: {e}")))?;
    let limit = limits.max_expanded_bytes;
    check_declared_sizes(&mut archive, limit)?;

    let mut budget = limit;
    let document = read_part(&mut archive, DOCUMENT_PART, &mut budget)?
        .ok_or_else(|| corrupt(format!("{DOCUMENT_PART} is missing")))?;
    let mut text = paragraphs(&document)?;
    // Headers and footers (one part per kind of page: default, first, even), in name order.
    let mut page_parts: Vec<String> = archive
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .filter(|n| {
            let base = n.strip_prefix("word/").unwrap_or("");
            (base.starts_with("header") || base.starts_with("footer")) && base.ends_with(".xml") && !base.contains('/')
        })
        .collect();
    page_parts.sort_by(|a, b| (a.len(), a).cmp(&(b.len(), b)));
    for part in page_parts.iter().map(String::as_str).chain(NOTE_PARTS) {
        if let Some(xml) = read_part(&mut archive, part, &mut budget)? {
            // A damaged notes part should not cost the reader the body text.
            if let Ok(notes) = paragraphs(&xml) {
                text.push_str("\n\n");
                text.push_str(&notes);
            }
        }
    }
    let core = match read_part(&mut archive, CORE_PART, &mut budget)? {
        Some(xml) => core_properties(&xml),
        None => CoreProperties::default(),
    };
    Ok(ParsedDocument {
        media_type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document".into(),
        parser: "docx",
        title: core.title.and_then(|t| clean_line(&t)),
        author: core.creator.and_then(|a| clean_line(&a)),
        document_date: core.created.and_then(|c| OffsetDateTime::parse(c.trim(), &Rfc3339).ok()),
        modified_date: core.modified.and_then(|c| OffsetDateTime::parse(c.trim(), &Rfc3339).ok()),
        text: clean_text(&text),
        ..Default::default()
    })
}

/// Refuse from the central directory alone what would certainly expand too far: one entry or
/// all entries together over the limit, or a large entry with a bomb-like compression ratio.
fn check_declared_sizes(archive: &mut ZipArchive<Cursor<&[u8]>>, limit: u64) -> Result<(), ParseError> {
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let entry = archive.by_index_data(index).map_err(|e| corrupt(format!("bad zip entry: {e}")))?;
        let size = entry.size();
        total = total.saturating_add(size);
        if size > limit || total > limit || suspicious_ratio(size, entry.compressed_size()) {
            return Err(ParseError::ExpansionLimit { limit });
        }
    }
    Ok(())
}

fn suspicious_ratio(expanded: u64, compressed: u64) -> bool {
    expanded > RATIO_FLOOR_BYTES && expanded / compressed.max(1) > MAX_COMPRESSION_RATIO
}

/// Read one part, trusting none of its declared sizes: at most `budget + 1` bytes are ever
/// inflated, so a lying header is caught after a bounded amount of work.
fn read_part(
    archive: &mut ZipArchive<Cursor<&[u8]>>,
    name: &str,
    budget: &mut u64,
) -> Result<Option<String>, ParseError> {
    let limit_error = ParseError::ExpansionLimit { limit: *budget };
    let mut file = match archive.by_name(name) {
        Ok(file) => file,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(corrupt(format!("cannot open {name}: {e}"))),
    };
    let compressed = file.compressed_size();
    let mut buffer = Vec::with_capacity(usize::try_from(file.size().min(*budget).min(1 << 24)).unwrap_or(0));
    let read = (&mut file).take(budget.saturating_add(1)).read_to_end(&mut buffer);
    match read {
        Ok(n) if n as u64 > *budget => return Err(limit_error),
        Ok(_) => {}
        Err(e) => return Err(corrupt(format!("cannot inflate {name}: {e}"))),
    }
    let inflated = buffer.len() as u64;
    if suspicious_ratio(inflated, compressed) {
        return Err(limit_error);
    }
    *budget -= inflated;
    Ok(Some(String::from_utf8_lossy(&buffer).into_owned()))
}

/// WordprocessingML to text: one line per paragraph, `w:tab` as a tab, breaks as newlines.
/// Deleted text (`w:delText`) and field codes (`w:instrText`) are not visible text and are
/// skipped because only `w:t` content is kept. A text box is written twice (a DrawingML
/// `mc:Choice` and a VML `mc:Fallback` for older readers): the fallback is skipped. A comment
/// starts with its author.
fn paragraphs(xml: &str) -> Result<String, ParseError> {
    let mut reader = Reader::from_str(xml);
    let mut out = String::with_capacity(xml.len() / 4);
    let mut in_text = false;
    let mut fallback_depth = 0usize;
    // Right after a comment's "Comment by ...: ", whose first paragraph continues the line.
    let mut comment_lead = false;
    loop {
        let event =
            reader.read_event().map_err(|e| corrupt(format!("bad XML at byte {}: {e}", reader.error_position())))?;
        if fallback_depth > 0 {
            match &event {
                Event::Start(e) if e.local_name().as_ref() == "Fallback" => fallback_depth += 1,
                Event::End(e) if e.local_name().as_ref() == "Fallback" => fallback_depth -= 1,
                Event::Eof => break,
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(e) if e.local_name().as_ref() == "Fallback" => fallback_depth = 1,
            Event::Start(e) if e.local_name().as_ref() == "comment" => {
                if !out.is_empty() && !out.ends_with('\n') {
                    out.push('\n');
                }
                let author = e.attributes().flatten().find(|a| a.key.local_name().as_ref() == "author").map(|a| {
                    let raw = a.value.to_string();
                    quick_xml::escape::unescape(&raw).map(|v| v.into_owned()).unwrap_or(raw)
                });
                match author.as_deref().and_then(clean_line) {
                    Some(author) => out.push_str(&format!("Comment by {author}: ")),
                    None => out.push_str("Comment: "),
                }
                comment_lead = true;
            }
            Event::Start(e) if comment_lead && e.local_name().as_ref() == "p" => comment_lead = false,
            Event::Start(e) => match e.local_name().as_ref() {
                "t" => in_text = true,
                "p" if !out.is_empty() && !out.ends_with(['\n', '\t']) => out.push('\n'),
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                "tab" => out.push('\t'),
                "br" | "cr" => out.push('\n'),
                "p" => out.push('\n'),
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                "t" => in_text = false,
                "p" => out.push('\n'),
                // Table cells on one row read better side by side than one per line.
                "tc" if out.ends_with('\n') => {
                    out.pop();
                    out.push('\t');
                }
                "tr" => {
                    if out.ends_with('\t') {
                        out.pop();
                    }
                    out.push('\n');
                }
                _ => {}
            },
            Event::Text(t) if in_text => out.push_str(&t.xml10_content()),
            Event::CData(t) if in_text => out.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_text => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    out.push(c);
                } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r.xml10_content()) {
                    out.push_str(s);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

#[derive(Default)]
struct CoreProperties {
    title: Option<String>,
    creator: Option<String>,
    created: Option<String>,
    modified: Option<String>,
}

/// `dc:title`, `dc:creator` and `dcterms:created`; a broken core part just yields less metadata.
fn core_properties(xml: &str) -> CoreProperties {
    let mut props = CoreProperties::default();
    let mut reader = Reader::from_str(xml);
    let mut current: Option<String> = None;
    let mut value = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                current = Some(e.local_name().as_ref().to_owned());
                value.clear();
            }
            Ok(Event::Text(t)) if current.is_some() => value.push_str(&t.xml10_content()),
            Ok(Event::GeneralRef(r)) if current.is_some() => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    value.push(c);
                } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r.xml10_content()) {
                    value.push_str(s);
                }
            }
            Ok(Event::End(_)) => {
                let slot = match current.take().as_deref() {
                    Some("title") => &mut props.title,
                    Some("creator") => &mut props.creator,
                    Some("created") => &mut props.created,
                    Some("modified") => &mut props.modified,
                    _ => continue,
                };
                if !value.trim().is_empty() {
                    *slot = Some(std::mem::take(&mut value));
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    props
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_tabs_tables_and_entities() {
        let xml = r#"<w:document xmlns:w="x"><w:body>
            <w:p><w:r><w:t>First &amp; </w:t></w:r><w:r><w:t xml:space="preserve">para&#46;</w:t></w:r></w:p>
            <w:p><w:r><w:t>A</w:t><w:tab/><w:t>B</w:t><w:br/><w:t>C</w:t></w:r></w:p>
            <w:p><w:r><w:delText>gone</w:delText><w:instrText>PAGE</w:instrText></w:r></w:p>
            <w:tbl><w:tr><w:tc><w:p><w:r><w:t>x</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>y</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
            </w:body></w:document>"#;
        let text = paragraphs(xml).map(|t| clean_text(&t));
        assert_eq!(text.as_deref(), Ok("First & para.\nA\tB\nC\n\nx\ty"));
    }

    #[test]
    fn a_text_box_is_read_once() {
        let xml = r#"<w:document xmlns:w="x" xmlns:mc="m"><w:body><w:p><w:r><mc:AlternateContent>
            <mc:Choice Requires="wps"><w:drawing><w:txbxContent><w:p><w:r><w:t>Boxed note</w:t></w:r></w:p></w:txbxContent></w:drawing></mc:Choice>
            <mc:Fallback><w:pict><v:textbox><w:txbxContent><w:p><w:r><w:t>Boxed note</w:t></w:r></w:p></w:txbxContent></v:textbox></w:pict></mc:Fallback>
            </mc:AlternateContent></w:r></w:p><w:p><w:r><w:t>After</w:t></w:r></w:p></w:body></w:document>"#;
        let text = paragraphs(xml).map(|t| clean_text(&t));
        assert_eq!(text.as_deref(), Ok("Boxed note\n\nAfter"));
    }

    #[test]
    fn core_props() {
        let xml = r#"<cp:coreProperties xmlns:cp="a" xmlns:dc="b" xmlns:dcterms="c">
            <dc:title>Master Services Agreement</dc:title><dc:creator>R. Okafor</dc:creator>
            <dcterms:created>2021-01-15T09:00:00Z</dcterms:created></cp:coreProperties>"#;
        let p = core_properties(xml);
        assert_eq!(p.title.as_deref(), Some("Master Services Agreement"));
        assert_eq!(p.creator.as_deref(), Some("R. Okafor"));
        assert_eq!(p.created.as_deref(), Some("2021-01-15T09:00:00Z"));
    }
}
