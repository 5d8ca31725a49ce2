//! E-mail messages (RFC 5322 / MIME, `.eml`).

use std::collections::HashSet;

use mail_parser::decoders::base64::base64_decode;
use mail_parser::decoders::charsets::map::charset_decoder;
use mail_parser::decoders::quoted_printable::quoted_printable_decode;
use mail_parser::{Addr, Address, HeaderName, Message, MessageParser, MessagePart, MimeHeaders, PartType};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use super::ParseError;
use super::clean::{clean_line, clean_text, decode_text};
use super::html::html_to_text;
use super::mime::{decode_charset, decode_joined_words, is_uuencoding, uudecode};
use crate::model::{Attachment, EMPTY_TEXT, ParsedDocument};

/// An e-mail: headers to metadata, the subject line and every readable text part to `text`,
/// the other parts as raw files for the caller to list on the message and parse as child
/// documents.
///
/// The text starts with the subject on its own line so that a header date has a sentence to
/// cite; the other headers live in the metadata fields only. Charsets are decoded by
/// mail-parser with its `full_encoding` feature (encoding_rs: EUC-KR, Shift_JIS,
/// ISO-2022-JP, ks_c_5601, ...), in bodies and in RFC 2047 encoded words alike.
///
/// A file without any of the usual headers is still a document: whatever mail-parser makes of
/// it, or its bytes as text when it finds no header at all.
pub(crate) fn parse_email(bytes: &[u8]) -> Result<ParsedDocument, ParseError> {
    let corrupt = |reason: &str| ParseError::Corrupt { format: "email", reason: reason.to_owned() };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(corrupt("the file is empty"));
    }
    // Without a single header a file holding NULs is binary data, not a message; with none of
    // the usual headers it is text that was named .eml (or a MIME part saved on its own).
    let binary = bytes[..bytes.len().min(8192)].contains(&0);
    let message = MessageParser::default().parse(bytes).filter(|m| !binary || has_usual_header(m));
    let Some(message) = message else {
        if binary {
            return Err(corrupt("binary data, not a message"));
        }
        return Ok(ParsedDocument {
            media_type: "message/rfc822".into(),
            parser: "email",
            text: clean_text(&decode_text(bytes)),
            ..Default::default()
        });
    };

    let author = message.from().and_then(|a| a.iter().find_map(format_addr));
    let recipients: Vec<String> =
        message.all_to().chain(message.all_cc()).flat_map(Address::iter).filter_map(format_addr).collect();
    let document_date = message.date().and_then(to_offset_date_time);
    let subject = subject(&message);

    // mail-parser's text bodies take the plain alternative of each multipart/alternative; the
    // HTML ones are the other alternatives (or the same parts, where there is no choice).
    let text_bodies: Vec<&MessagePart<'_>> = message.text_bodies().collect();
    let other_alternatives: Vec<&MessagePart<'_>> =
        message.html_bodies().filter(|h| !text_bodies.iter().any(|t| std::ptr::eq(*t, *h))).collect();
    let mut pieces: Vec<String> = text_bodies.iter().filter_map(|part| readable_text(&message, part)).collect();
    // An alternative usually repeats the one taken, but senders (and damaged messages) do not
    // always keep them in step: what only the other alternative says is kept, once.
    for part in &other_alternatives {
        if let Some(extra) = readable_text(&message, part).and_then(|text| not_yet_said(&pieces, &text)) {
            pieces.push(extra);
        }
    }
    let body_parts: Vec<&MessagePart<'_>> = text_bodies.into_iter().chain(other_alternatives).collect();
    let mut attachments = Vec::new();
    for part in message.attachments() {
        // Inline images are body parts for display; they are attachments here all the same.
        if body_parts.iter().any(|b| std::ptr::eq(*b, part)) && readable_text(&message, part).is_some() {
            continue;
        }
        // An unnamed text part (a bounce's delivery report, `Content-Type: text` without a
        // subtype, text/enriched) is part of what the message says; a named one is a file.
        match readable_text(&message, part) {
            Some(text) if part.attachment_name().is_none() => pieces.push(text),
            Some(text) => {
                let index = attachments.len();
                let mut attachment = to_attachment(&message, index, part);
                attachment.parse_as = Some(if part.is_text_html() { "text/html" } else { "text/plain" }.to_owned());
                attachment.bytes = text.into_bytes();
                attachments.push(attachment);
            }
            None => {
                let index = attachments.len();
                attachments.push(to_attachment(&message, index, part));
            }
        }
    }
    let mut raw_text = String::new();
    if let Some(subject) = &subject {
        raw_text.push_str(subject);
        raw_text.push_str("\n\n");
    }
    raw_text.push_str(&pieces.join("\n\n"));

    let mut text = clean_text(&raw_text);
    // Text that mail-parser took for a header block (a forwarded part that is not a message
    // at all) is what the file says.
    if !has_words(&text) && attachments.is_empty() && !has_usual_header(&message) {
        text = clean_text(&decode_text(bytes));
    }
    // A message that says nothing (no subject, no readable part: a damaged MIME structure)
    // is flagged rather than passed as an empty success.
    let warnings = if has_words(&text) { Vec::new() } else { vec![EMPTY_TEXT.to_owned()] };
    Ok(ParsedDocument {
        media_type: "message/rfc822".into(),
        parser: "email",
        title: subject.clone(),
        author,
        recipients,
        document_date,
        subject,
        text,
        attachments,
        warnings,
        ..Default::default()
    })
}

fn has_usual_header(message: &Message<'_>) -> bool {
    message.from().is_some()
        || message.to().is_some()
        || message.date().is_some()
        || message.subject().is_some()
        || message.message_id().is_some()
        || message.content_type().is_some()
}

/// The text of a part that holds text: any `text/*` (HTML made plain), and any `message/*`
/// other than a whole message (delivery-status, disposition-notification, ...), which
/// mail-parser leaves as bytes. None for anything else.
fn readable_text(message: &Message<'_>, part: &MessagePart<'_>) -> Option<String> {
    // mail-parser keeps a part it cannot decode (bad base64) as text; an image stays an image.
    let declared = part.content_type().map(|ct| ct.ctype());
    if declared.is_some_and(|t| !t.eq_ignore_ascii_case("text") && !t.eq_ignore_ascii_case("message")) {
        return None;
    }
    let charset = part.content_type().and_then(|ct| ct.attribute("charset"));
    if matches!(part.body, PartType::Text(_) | PartType::Html(_))
        && let Some(bytes) = uudecoded(message, part)
    {
        let text = decode_charset(charset, &bytes);
        return Some(if part.is_text_html() { html_to_text(&text) } else { text });
    }
    match &part.body {
        PartType::Text(text) => Some(
            mislabelled_utf8(message, part)
                .or_else(|| undeclared_charset(message, part, text))
                .unwrap_or_else(|| text.to_string()),
        ),
        PartType::Html(html) => {
            Some(html_to_text(&undeclared_charset(message, part, html).unwrap_or_else(|| html.to_string())))
        }
        PartType::Binary(bytes) | PartType::InlineBinary(bytes) if is_message_text(part) => {
            Some(decode_charset(charset, bytes))
        }
        _ => None,
    }
}

/// The text of an unencoded part labelled with a legacy charset whose bytes are valid UTF-8
/// with multi-byte sequences: a common mislabel (the text was re-saved as UTF-8), and legacy
/// multi-byte text is practically never valid UTF-8 by chance.
fn mislabelled_utf8(message: &Message<'_>, part: &MessagePart<'_>) -> Option<String> {
    let charset = part.content_type()?.attribute("charset")?;
    let declared = encoding_rs::Encoding::for_label(charset.as_bytes())?;
    if declared == encoding_rs::UTF_8 || part.encoding != mail_parser::Encoding::None {
        return None;
    }
    let raw = message.raw_message.get(part.raw_body_offset() as usize..part.raw_end_offset() as usize)?;
    let text = std::str::from_utf8(raw).ok()?;
    (!text.is_ascii()).then(|| text.to_owned())
}

/// The text of a part that mail-parser read as UTF-8 and that is not: its charset is missing,
/// unknown (`unknown-8bit`, `x-unknown`) or says UTF-8 over Latin-1 bytes (old Netscape and
/// Eudora mail), and U+FFFD took the place of its accented letters. Its bytes are decoded as
/// [`decode_text`] does for files: UTF-8 when they hold valid multi-byte sequences, else
/// Windows-1252, which 8-bit mail without a true label almost always is.
fn undeclared_charset(message: &Message<'_>, part: &MessagePart<'_>, decoded: &str) -> Option<String> {
    if !decoded.contains(char::REPLACEMENT_CHARACTER) {
        return None;
    }
    let charset = part.content_type().and_then(|ct| ct.attribute("charset"));
    if charset.is_some_and(|c| charset_decoder(c.as_bytes()).is_some()) {
        return None;
    }
    let raw = message.raw_message.get(part.raw_body_offset() as usize..part.raw_end_offset() as usize)?;
    let bytes = match part.encoding {
        mail_parser::Encoding::Base64 => base64_decode(raw)?,
        mail_parser::Encoding::QuotedPrintable => quoted_printable_decode(raw)?,
        mail_parser::Encoding::None => raw.to_vec(),
    };
    let text = decode_text(&bytes);
    (!text.contains(char::REPLACEMENT_CHARACTER)).then_some(text)
}

/// A `message/*` part that is text (status reports, headers), not a message of its own.
fn is_message_text(part: &MessagePart<'_>) -> bool {
    part.content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case("message")
            && !ct.subtype().is_some_and(|s| {
                ["rfc822", "global", "partial", "external-body"].iter().any(|m| s.eq_ignore_ascii_case(m))
            })
    })
}

/// The decoded body of a part sent with a uuencoding transfer encoding, from the raw message
/// (mail-parser hands such a body on undecoded).
fn uudecoded(message: &Message<'_>, part: &MessagePart<'_>) -> Option<Vec<u8>> {
    if !part.content_transfer_encoding().is_some_and(is_uuencoding) {
        return None;
    }
    uudecode(message.raw_message.get(part.raw_body_offset() as usize..part.raw_end_offset() as usize)?)
}

/// The subject on one line. When mail-parser's reading leaves U+FFFD the raw header is decoded
/// again: RFC 2047 words with adjacent ones joined (senders split a character across two
/// words), and raw 8-bit bytes as [`decode_text`] does (Latin-1 written straight into the
/// header by old mailers).
fn subject(message: &Message<'_>) -> Option<String> {
    let decoded = message.subject()?;
    if decoded.contains(char::REPLACEMENT_CHARACTER)
        && let Some(raw) = message.parts.first().and_then(|p| p.headers.iter().find(|h| h.name == HeaderName::Subject))
        && let Some(bytes) = message.raw_message.get(raw.offset_start as usize..raw.offset_end as usize)
    {
        let raw = decode_text(bytes);
        let again = decode_joined_words(&raw).unwrap_or(raw);
        if !again.contains(char::REPLACEMENT_CHARACTER) {
            return clean_line(&again);
        }
    }
    clean_line(decoded)
}

/// The lines of `text` that hold a word none of `said` holds, or None when there are none.
fn not_yet_said(said: &[String], text: &str) -> Option<String> {
    let known: HashSet<String> = said.iter().flat_map(|p| words(p)).collect();
    let novel: Vec<&str> = text.lines().filter(|line| words(line).any(|w| !known.contains(&w))).collect();
    if novel.is_empty() { None } else { Some(novel.join("\n")) }
}

/// Lower-cased runs of letters and digits.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase)
}

fn has_words(text: &str) -> bool {
    text.chars().any(char::is_alphanumeric)
}

/// "Name <address>", or whichever of the two is present.
fn format_addr(addr: &Addr<'_>) -> Option<String> {
    let name = addr.name().and_then(clean_line).map(|n| n.trim_matches(|c| c == '"' || c == '\'').to_owned());
    let address = addr.address().and_then(clean_line);
    match (name.filter(|n| !n.is_empty()), address) {
        (Some(name), Some(address)) if !name.eq_ignore_ascii_case(&address) => Some(format!("{name} <{address}>")),
        (_, Some(address)) => Some(address),
        (Some(name), None) => Some(name),
        (None, None) => None,
    }
}

fn to_offset_date_time(dt: &mail_parser::DateTime) -> Option<OffsetDateTime> {
    let month = Month::try_from(dt.month).ok()?;
    let date = Date::from_calendar_date(i32::from(dt.year), month, dt.day).ok()?;
    let time = Time::from_hms(dt.hour, dt.minute, dt.second).ok()?;
    let sign: i8 = if dt.tz_before_gmt { -1 } else { 1 };
    let hours = i8::try_from(dt.tz_hour).ok()?;
    let minutes = i8::try_from(dt.tz_minute).ok()?;
    let offset = UtcOffset::from_hms(sign * hours, sign * minutes, 0).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_offset(offset))
}

fn to_attachment(message: &Message<'_>, index: usize, part: &MessagePart<'_>) -> Attachment {
    let media_type = if matches!(part.body, PartType::Message(_)) {
        Some("message/rfc822".to_owned())
    } else {
        part.content_type().map(|ct| match ct.subtype() {
            Some(sub) => format!("{}/{}", ct.ctype(), sub).to_ascii_lowercase(),
            None => ct.ctype().to_ascii_lowercase(),
        })
    };
    let file_name = attachment_name(message, part)
        .as_deref()
        .and_then(safe_file_name)
        .unwrap_or_else(|| format!("attachment-{}{}", index + 1, extension_for(media_type.as_deref())));
    let bytes = uudecoded(message, part).unwrap_or_else(|| part.contents().to_vec());
    Attachment { file_name, media_type, parse_as: None, bytes }
}

/// The attachment's name. A name written in raw 8-bit bytes (old mailers put Latin-1 straight
/// into `name="..."`) comes out of mail-parser with U+FFFD; its header block is then read again
/// decoded as Windows-1252 when it is not UTF-8.
fn attachment_name(message: &Message<'_>, part: &MessagePart<'_>) -> Option<String> {
    let name = part.attachment_name()?;
    if !name.contains(char::REPLACEMENT_CHARACTER) {
        return Some(name.to_owned());
    }
    let raw = message.raw_message.get(part.raw_header_offset() as usize..part.raw_body_offset() as usize)?;
    let headers = decode_text(raw);
    let reread = MessageParser::default().parse(headers.as_bytes());
    reread
        .and_then(|m| m.attachment_name().map(str::to_owned))
        .filter(|n| !n.contains(char::REPLACEMENT_CHARACTER))
        .or_else(|| Some(name.to_owned()))
}

/// The last path component, without control characters: attachment names are attacker input.
fn safe_file_name(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base.chars().filter(|c| !c.is_control()).collect();
    let cleaned = cleaned.trim().trim_start_matches('.');
    if cleaned.is_empty() { None } else { Some(cleaned.to_owned()) }
}

fn extension_for(media_type: Option<&str>) -> &'static str {
    match media_type {
        Some("text/plain") => ".txt",
        Some("text/markdown") => ".md",
        Some("text/html") => ".html",
        Some("message/rfc822") => ".eml",
        Some("application/pdf") => ".pdf",
        Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document") => ".docx",
        _ => ".bin",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_made_safe() {
        assert_eq!(safe_file_name("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(safe_file_name("C:\\x\\memo.docx").as_deref(), Some("memo.docx"));
        assert_eq!(safe_file_name("..."), None);
    }
}
