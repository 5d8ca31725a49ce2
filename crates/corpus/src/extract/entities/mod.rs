//! Named entities by precise patterns: people, organisations, e-mail addresses, money and
//! case numbers. A missed mention costs less than a wrong one, so every pattern leans to
//! precision.

use std::collections::HashSet;

use crate::extract::spans::SpanSet;
use crate::model::{EntityKind, EntityMention, ParsedDocument};

mod case_numbers;
mod emails;
mod headers;
mod lexicon;
mod money;
mod organizations;
mod people;
#[cfg(test)]
mod tests;

use case_numbers::case_numbers;
use emails::emails;
use headers::header_entities;
use money::money;
use organizations::organizations;
use people::people;
/// See [`crate::extract::entities`].
pub(crate) fn entities(doc: &ParsedDocument) -> Vec<EntityMention> {
    let text = doc.text.as_str();
    let mut found = Found::default();

    let header_people = header_entities(doc, &mut found);
    emails(text, &mut found);
    case_numbers(text, &mut found);
    money(text, &mut found);
    organizations(text, &mut found);
    people(text, &header_people, &mut found);

    let mut seen = HashSet::new();
    let mut out: Vec<EntityMention> =
        found.0.into_iter().filter(|m| seen.insert((m.kind, m.normalized.clone(), m.span))).collect();
    out.sort_by_key(|m| (m.span.is_some(), m.span.map_or(0, |s| s.0), m.kind));
    out
}

/// Mentions found so far, with their spans indexed per kind for overlap checks.
#[derive(Default)]
struct Found(Vec<EntityMention>, [SpanSet; 5]);

fn kind_index(kind: EntityKind) -> usize {
    match kind {
        EntityKind::Person => 0,
        EntityKind::Organization => 1,
        EntityKind::Email => 2,
        EntityKind::Money => 3,
        EntityKind::CaseNumber => 4,
    }
}

impl Found {
    fn push(&mut self, kind: EntityKind, normalized: String, surface: &str, span: Option<(usize, usize)>) {
        if !normalized.trim().is_empty() {
            if let Some((s, e)) = span {
                self.1[kind_index(kind)].insert(s, e);
            }
            self.0.push(EntityMention { kind, normalized, surface: surface.to_owned(), span });
        }
    }

    fn overlaps(&self, kinds: &[EntityKind], start: usize, end: usize) -> bool {
        kinds.iter().any(|k| self.1[kind_index(*k)].overlaps(start, end))
    }
}

/// Space or tab.
fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t')
}

fn title_case(w: &str) -> String {
    let mut out = String::with_capacity(w.len());
    let mut start_of_part = true;
    for c in w.chars() {
        if start_of_part {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start_of_part = !c.is_alphabetic();
    }
    out
}

fn title_case_if_upper(w: &str) -> String {
    let letters = w.chars().filter(|c| c.is_alphabetic()).count();
    if letters >= 2 && w.chars().all(|c| !c.is_lowercase()) { title_case(w) } else { w.to_owned() }
}
