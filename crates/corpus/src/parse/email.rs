//! E-mail messages (RFC 5322 / MIME, `.eml`).

use mail_parser::{Addr, Address, MessageParser, MessagePart, MimeHeaders, PartType};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use super::ParseError;
use super::clean::{clean_line, clean_text};
use super::html::html_to_text;
use crate::model::{Attachment, ParsedDocument};

const FORMAT: &str = "email";

/// An e-mail: headers to metadata, the subject line and text body to `text`, attachments as
/// raw files for the caller to parse as child documents.
///
/// The text starts with the subject on its own line so that a header date has a sentence to
/// cite; the other headers live in the metadata fields only.
pub(crate) fn parse_email(bytes: &[u8]) -> Result<ParsedDocument, ParseError> {
    let corrupt = |reason: &str| ParseError::Corrupt { format: FORMAT, reason: reason.to_owned() };
    let message = MessageParser::default().parse(bytes).ok_or_else(|| corrupt("no message headers found"))?;
    let known_header = message.from().is_some()
        || message.to().is_some()
        || message.date().is_some()
        || message.subject().is_some()
        || message.message_id().is_some();
    if !known_header {
        return Err(corrupt("none of From, To, Date, Subject or Message-ID is present"));
    }

    let author = message.from().and_then(|a| a.iter().find_map(format_addr));
    let recipients: Vec<String> =
        message.all_to().chain(message.all_cc()).flat_map(Address::iter).filter_map(format_addr).collect();
    let document_date = message.date().and_then(to_offset_date_time);
    let subject = message.subject().and_then(clean_line);

    let mut body_parts: Vec<&MessagePart<'_>> = message.text_bodies().collect();
    if body_parts.is_empty() {
        body_parts = message.html_bodies().collect();
    }
    let mut body = String::new();
    for part in &body_parts {
        let piece = match &part.body {
            PartType::Text(text) => text.to_string(),
            PartType::Html(html) => html_to_text(html),
            _ => continue,
        };
        if !body.is_empty() {
            body.push_str("\n\n");
        }
        body.push_str(&piece);
    }
    let mut raw_text = String::new();
    if let Some(subject) = &subject {
        raw_text.push_str(subject);
        raw_text.push_str("\n\n");
    }
    raw_text.push_str(&body);

    let attachments = message
        .attachments()
        .filter(|part| !body_parts.iter().any(|b| std::ptr::eq(*b, *part)))
        .enumerate()
        .map(|(i, part)| to_attachment(i, part))
        .collect();

    Ok(ParsedDocument {
        media_type: "message/rfc822".into(),
        parser: "email",
        title: subject.clone(),
        author,
        recipients,
        document_date,
        subject,
        text: clean_text(&raw_text),
        attachments,
        ..Default::default()
    })
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

fn to_attachment(index: usize, part: &MessagePart<'_>) -> Attachment {
    let media_type = if matches!(part.body, PartType::Message(_)) {
        Some("message/rfc822".to_owned())
    } else {
        part.content_type().map(|ct| match ct.subtype() {
            Some(sub) => format!("{}/{}", ct.ctype(), sub).to_ascii_lowercase(),
            None => ct.ctype().to_ascii_lowercase(),
        })
    };
    let file_name = part
        .attachment_name()
        .and_then(safe_file_name)
        .unwrap_or_else(|| format!("attachment-{}{}", index + 1, extension_for(media_type.as_deref())));
    Attachment { file_name, media_type, bytes: part.contents().to_vec() }
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
