//! Organisations named with a legal suffix (Inc., LLC, GmbH ...).

use std::ops::Range;
use std::sync::LazyLock;

use super::lexicon::*;
use super::{Found, is_blank, title_case};
use crate::extract::anchored::{AnchoredRegex, Reach, Window, walk_back};
use crate::model::EntityKind;
use crate::parse::clean::re;

/// Anchored on the suffix; a match ends with it (12 bytes at most) and starts at most 19
/// words before it (7 name words and 12 connectors), all word chars, `&`, quotes, hyphens and a
/// comma.
pub(super) static ORGANIZATION: LazyLock<AnchoredRegex> = LazyLock::new(|| {
    let regex = re(r"(?x)
        (?P<name>
            (?:[A-Z][\w&'’\-]*|&)
            (?:[\x20\t]+(?:(?:of|and|the|for|de|du|von|van|der)[\x20\t]+){0,2}(?:[A-Z][\w&'’\-]*|&)){0,6}?
        )
        (?P<comma>,)?[\x20\t]+
        (?P<suffix>Incorporated|Inc\.?|L\.L\.C\.|LLC|L\.L\.P\.|LLP|Corporation|Corp\.?|Limited|Ltd\.?|GmbH|AG|S\.A\.|
            S\.p\.A\.|PLC|plc|N\.V\.|B\.V\.|L\.P\.|LP|Company|Co\.)
    ");
    let window = |text: &str, at: usize, floor: usize| {
        let counted = |c: char| !c.is_ascii() || c.is_ascii_alphanumeric() || matches!(c, '_' | '&' | '\'' | '-' | ',');
        Window {
            start: walk_back(text, at, floor, is_blank, counted, Reach::Runs(20)),
            end: Some(text.ceil_char_boundary(at + 12)),
        }
    };
    AnchoredRegex::new(regex, ORGANIZATION_SUFFIXES, |_, _| true, window)
});

/// Every suffix of [`ORGANIZATION`], as literals.
pub(super) const ORGANIZATION_SUFFIXES: &[&str] = &[
    "Incorporated",
    "Inc",
    "L.L.C.",
    "LLC",
    "L.L.P.",
    "LLP",
    "Corporation",
    "Corp",
    "Limited",
    "Ltd",
    "GmbH",
    "AG",
    "S.A.",
    "S.p.A.",
    "PLC",
    "plc",
    "N.V.",
    "B.V.",
    "L.P.",
    "LP",
    "Company",
    "Co.",
];

pub(super) fn organizations(text: &str, found: &mut Found) {
    for found_match in ORGANIZATION.find_iter(text) {
        let (name, suffix) = organization_parts(found_match);
        let end = suffix.end;
        if !text[suffix.clone()].ends_with('.') && text[end..].chars().next().is_some_and(|c| c.is_alphanumeric()) {
            continue;
        }
        // Drop leading words that begin the sentence or name a role rather than the company
        // ("Yesterday ACME Corp", "CEO of ACME Corp").
        let mut start = name.start;
        let mut dropped_any = false;
        for word in text[name.clone()].split([' ', '\t']).filter(|w| !w.is_empty()) {
            let bare = word.trim_end_matches(['.', ',']);
            let droppable = LEADING_NON_NAME.contains(&bare)
                || is_month(bare)
                || is_role_title(bare)
                || (dropped_any && matches!(bare, "of" | "and" | "the" | "for" | "at"));
            if !droppable {
                break;
            }
            dropped_any = true;
            start += text[start..].find(word).map_or(0, |p| p + word.len());
            start += text[start..].len() - text[start..].trim_start_matches([' ', '\t']).len();
        }
        // "Gregory Lang of Lang Whitaker LLP": a First Last pair before "of" and a multi-word
        // firm after it is a person and their firm, not "Bank of ..." style naming.
        if let Some(of_at) = text.get(start..name.end).and_then(|n| n.find(" of ")) {
            let before: Vec<&str> = text[start..start + of_at].split_whitespace().collect();
            let after = &text[start + of_at + 4..name.end];
            if before.len() == 2 && before.iter().all(|w| is_name_token(w)) && after.split_whitespace().count() >= 2 {
                start += of_at + 4;
            }
        }
        let Some(name_text) = text.get(start..name.end) else { continue };
        if name_text.is_empty() || !name_text.starts_with(|c: char| c.is_uppercase()) {
            continue;
        }
        if found.overlaps(&[EntityKind::Email, EntityKind::Organization], start, end) {
            continue;
        }
        let normalized = format!("{} {}", normalize_org_name(name_text), canonical_suffix(&text[suffix]));
        found.push(EntityKind::Organization, normalized, &text[start..end], Some((start, end)));
    }
}

/// The byte ranges of the `name` and `suffix` groups of a match of [`ORGANIZATION`], found
/// without the cost of a capturing search (the pattern is large): no suffix holds a space or a
/// tab, so the suffix follows the match's last one; no name ends with a space, a tab or a comma,
/// so the name ends before the run of them ahead of the suffix, less an optional comma.
pub(super) fn organization_parts(found: regex::Match<'_>) -> (Range<usize>, Range<usize>) {
    let matched = found.as_str();
    let suffix_at = matched.rfind([' ', '\t']).map_or(0, |p| p + 1);
    let before = matched[..suffix_at].trim_end_matches([' ', '\t']);
    let name = before.strip_suffix(',').unwrap_or(before);
    (found.start()..found.start() + name.len(), found.start() + suffix_at..found.end())
}

pub(super) fn normalize_org_name(name: &str) -> String {
    name.split_whitespace()
        .map(|w| {
            let letters = w.chars().filter(|c| c.is_alphabetic()).count();
            if letters >= 4 && w.chars().all(|c| !c.is_lowercase()) { title_case(w) } else { w.to_owned() }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub(super) fn canonical_suffix(suffix: &str) -> &'static str {
    match suffix.trim_end_matches('.') {
        "Inc" | "Incorporated" => "Inc",
        "Corp" | "Corporation" => "Corp",
        "Ltd" | "Limited" => "Ltd",
        "Co" | "Company" => "Co",
        "L.L.C" | "LLC" => "LLC",
        "L.L.P" | "LLP" => "LLP",
        "L.P" | "LP" => "LP",
        "S.A" => "SA",
        "S.p.A" => "SpA",
        "N.V" => "NV",
        "B.V" => "BV",
        "PLC" | "plc" => "PLC",
        "GmbH" => "GmbH",
        _ => "AG",
    }
}
