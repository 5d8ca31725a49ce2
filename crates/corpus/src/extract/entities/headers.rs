//! People and addresses of the e-mail headers and a document's author.

use std::sync::LazyLock;

use regex::Regex;

use super::lexicon::*;
use super::{Found, title_case_if_upper};
use crate::model::{EntityKind, ParsedDocument};
use crate::parse::clean::re;

pub(super) static MAILBOX: LazyLock<Regex> =
    LazyLock::new(|| re(r#"^\s*"?(?P<name>[^"<]*?)"?\s*<(?P<addr>[^<>\s]+@[^<>\s]+)>\s*$"#));
pub(super) static BARE_ADDRESS: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*<?(?P<addr>[^<>\s@]+@[^<>\s@]+)>?\s*$"));

/// People and addresses of the From, To and Cc headers (and the author of other documents);
/// returns the people's names as written, to find them again in the text.
pub(super) fn header_entities(doc: &ParsedDocument, found: &mut Found) -> Vec<(String, String)> {
    let mut names = Vec::new();
    let is_email = doc.parser == "email";
    let entries = doc.author.iter().chain(doc.recipients.iter().filter(|_| is_email));
    for entry in entries {
        let (name, address) = if let Some(caps) = MAILBOX.captures(entry) {
            (caps.name("name").map(|m| m.as_str().to_owned()), caps.name("addr").map(|m| m.as_str().to_owned()))
        } else if let Some(caps) = BARE_ADDRESS.captures(entry) {
            (None, caps.name("addr").map(|m| m.as_str().to_owned()))
        } else {
            (Some(entry.clone()), None)
        };
        if let Some(address) = address {
            found.push(EntityKind::Email, address.to_lowercase(), &address, None);
        }
        if let Some(name) = name.as_deref().and_then(person_from_display_name) {
            found.push(EntityKind::Person, name.clone(), &name, None);
            names.push((name.clone(), name));
        }
    }
    names
}

/// "Whitfield, Dana" -> "Dana Whitfield"; "DANA WHITFIELD (HFL)" -> "Dana Whitfield"; None for
/// mailbox names that are not a person ("Meridian Legal Team", "noreply").
pub(super) fn person_from_display_name(raw: &str) -> Option<String> {
    let without_paren = match raw.find('(') {
        Some(p) => &raw[..p],
        None => raw,
    };
    let trimmed = without_paren.trim().trim_matches(|c| c == '"' || c == '\'').trim();
    let reordered = match trimmed.split_once(',') {
        Some((last, first)) if !first.trim().is_empty() && !last.trim().contains(' ') => {
            format!("{} {}", first.trim(), last.trim())
        }
        _ => trimmed.to_owned(),
    };
    let raw_tokens: Vec<&str> = reordered.split_whitespace().collect();
    // A short all-caps token among others is an acronym ("NYSD ECF Notices"), not a name;
    // a name written wholly in capitals is fine.
    let all_caps = |t: &&str| t.chars().any(char::is_alphabetic) && !t.chars().any(char::is_lowercase);
    if raw_tokens.iter().any(|t| all_caps(t) && t.chars().filter(|c| c.is_alphabetic()).count() > 1)
        && !raw_tokens.iter().all(all_caps)
    {
        return None;
    }
    let tokens: Vec<String> = raw_tokens.iter().map(|t| title_case_if_upper(t)).collect();
    let looks_like_name = (2..=4).contains(&tokens.len())
        && tokens.iter().all(|t| is_name_token(t) || is_initial(t))
        && !tokens.iter().any(|t| is_stop_word(t))
        && tokens.last().is_some_and(|t| !is_initial(t));
    looks_like_name.then(|| tokens.join(" "))
}
