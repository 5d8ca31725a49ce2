//! People: by honorific, by role, by header name found again in the text.

use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};
use regex::Regex;

use super::lexicon::*;
use super::{Found, is_blank, title_case_if_upper};
use crate::extract::anchored::{AnchoredRegex, Reach, Window, walk_back, walk_forward};
use crate::model::EntityKind;
use crate::parse::clean::re;

/// Beyond this many distinct full names, later ones are not searched for again in the text
/// (it keeps the automaton small; such documents are directories, not correspondence).
pub(super) const MAX_PROPAGATED_NAMES: usize = 2_000;

pub(super) const NAME_WORD: &str = r"(?:[A-Z]['’])?[A-Z][a-z]+(?:[A-Z][a-z]+)?(?:-[A-Z][a-z]+)?";

pub(super) static HONORIFIC: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"\b(?P<title>Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Chief[ \t]+Judge|Magistrate[ \t]+Judge|Judge|Justice|Hon|Honorable|Honourable|Senator|Sen|Governor|Gov|Capt|Captain|Sir|Dame|Rev)\.?[ \t]+(?P<name>{NAME_WORD}(?:[ \t]+(?:[A-Z]\.|{NAME_WORD})){{0,3}})"
    ))
});

pub(super) const ROLE: &str = r"(?:CEO|CFO|COO|CTO|CIO|CLO|General[ \t]+Counsel|[Cc]ounsel|Chief[ \t]+[A-Z][a-z]+[ \t]+Officer|President|Vice[ \t]+President|VP|[Dd]irector|[Pp]artner|[Aa]ssociate|[Pp]aralegal|[Aa]ttorney|[Ll]awyer|[Cc]hairman|[Cc]hairwoman|[Cc]hair|[Ff]ounder|[Cc]o-founder|[Mm]anager|[Cc]ontroller|[Tt]reasurer|[Ss]ecretary|[Ii]nspector|[Cc]aptain|[Cc]onsultant|[Aa]nalyst|[Cc]lerk|[Aa]djuster|[Bb]roker|Esq\.?)";
pub(super) const ROLE_ADJECTIVE: &str = r"(?:(?:the|our|their|its|his|her|a|an|as)[ \t]+)?(?:(?:Senior|Junior|Deputy|Associate|Assistant|Lead|Regional|Operations|Finance|Legal|Executive|Managing|Outside|outside|In-house|in-house|Chief|General|Port|Fleet|Claims|Sales|Account)[ \t]+)?";

/// Anchors of the patterns with a role: a literal from the last word of every alternative of
/// [`ROLE`] but "VP" ("Chief Financial Officer" holds "Officer", "Co-founder" "founder"). They
/// are chosen to begin with three letters rarely seen together elsewhere ("unsel", not
/// "Counsel"), which keeps the literal search fast; a role ends at most 11 bytes after its
/// anchor ("hairwoman", "Esq."). "VP", too short for that, is searched with a neighbour the
/// pattern requires.
pub(super) const ROLE_WORDS: &[&str] = &[
    "CEO",
    "CFO",
    "COO",
    "CTO",
    "CIO",
    "CLO",
    "unsel",
    "Officer",
    "President",
    "Director",
    "director",
    "rtner",
    "ssociate",
    "alegal",
    "ttorney",
    "awyer",
    "hair",
    "Founder",
    "founder",
    "anager",
    "oller",
    "asurer",
    "ecretary",
    "nspector",
    "aptain",
    "ultant",
    "alyst",
    "lerk",
    "djuster",
    "roker",
    "Esq",
];

/// Chars of names, role words and their separators.
pub(super) fn name_or_role_char(c: char) -> bool {
    c.is_ascii_alphabetic() || matches!(c, '\'' | '’' | '-' | '.' | ',' | '(')
}

/// Anchored on the end of the role: before it come at most 9 words (a name of 3, a separator, 2
/// adjectives, 2 words and the start of the role's last one), after it the char the final word
/// boundary looks at.
pub(super) static NAME_THEN_ROLE: LazyLock<AnchoredRegex> = LazyLock::new(|| {
    let regex = re(&format!(
        r"(?P<name>{NAME_WORD}(?:[ \t]+[A-Z]\.)?[ \t]+{NAME_WORD})(?:[ \t]*,[ \t]*|[ \t]+|[ \t]*\n[ \t]*|[ \t]*\([ \t]*){ROLE_ADJECTIVE}{ROLE}\b"
    ));
    let window = |text: &str, at: usize, floor: usize| {
        let blank = |c: char| matches!(c, ' ' | '\t' | '\n');
        let start = walk_back(text, at, floor, blank, name_or_role_char, Reach::Runs(10));
        Window { start, end: Some(text.ceil_char_boundary(at + 1 + 11 + 4)) }
    };
    // Before a role: a space, a tab, a line break, a comma or an opening bracket.
    let anchors: Vec<&str> = ROLE_WORDS.iter().copied().chain([" VP", "\tVP", "\nVP", ",VP", "(VP"]).collect();
    AnchoredRegex::new(regex, &anchors, |_, _| true, window)
});
/// Anchored on the end of the role: before it come at most 5 words (2 adjectives, 2 words and
/// the start of the role's last one); after it the rest of that word, a comma and a name of 3
/// words.
pub(super) static ROLE_THEN_NAME: LazyLock<AnchoredRegex> = LazyLock::new(|| {
    let regex = re(&format!(
        r"\b{ROLE_ADJECTIVE}{ROLE}(?:[ \t]*,[ \t]*|[ \t]+)(?P<name>{NAME_WORD}(?:[ \t]+[A-Z]\.)?[ \t]+{NAME_WORD})"
    ));
    let window = |text: &str, at: usize, floor: usize| {
        let start = walk_back(text, at, floor, is_blank, |c| c.is_ascii_alphabetic() || c == '-', Reach::Runs(6));
        let end = walk_forward(text, at, is_blank, name_or_role_char, Reach::Runs(6));
        Window { start, end: Some(end) }
    };
    // After a role: a space, a tab or a comma.
    let anchors: Vec<&str> = ROLE_WORDS.iter().copied().chain(["VP ", "VP\t", "VP,"]).collect();
    AnchoredRegex::new(regex, &anchors, |_, _| true, window)
});

pub(super) fn people(text: &str, header_people: &[(String, String)], found: &mut Found) {
    let blocked = [EntityKind::Organization, EntityKind::Email, EntityKind::Person];
    let mut full_names: Vec<(String, String)> = header_people.to_vec();
    let mut surnames: Vec<(usize, usize, String)> = Vec::new();

    for caps in HONORIFIC.captures_iter(text) {
        let (Some(title), Some(name)) = (caps.name("title"), caps.name("name")) else { continue };
        let Some((start, end)) = trim_name(text, name.start(), name.end()) else { continue };
        let surface_start = title.start();
        if found.overlaps(&blocked, surface_start, end) {
            continue;
        }
        let normalized = normalize_person(&text[start..end]);
        if normalized.contains(' ') {
            full_names.push((text[start..end].to_owned(), normalized.clone()));
            found.push(EntityKind::Person, normalized, &text[surface_start..end], Some((surface_start, end)));
        } else {
            surnames.push((surface_start, end, normalized));
        }
    }
    // The role is beside the name on one side; the other side must not extend the name.
    for (pattern, check_before, check_after) in [(&*NAME_THEN_ROLE, true, false), (&*ROLE_THEN_NAME, false, true)] {
        for caps in pattern.captures_iter(text) {
            let Some(name) = caps.name("name") else { continue };
            let (start, end) = (name.start(), name.end());
            if !standalone_name(text, start, end, check_before, check_after) || found.overlaps(&blocked, start, end) {
                continue;
            }
            let surface = name.as_str();
            let tokens: Vec<&str> = surface.split_whitespace().collect();
            if tokens.iter().any(|t| is_stop_word(t)) {
                continue;
            }
            let normalized = normalize_person(surface);
            full_names.push((surface.to_owned(), normalized.clone()));
            found.push(EntityKind::Person, normalized, surface, Some((start, end)));
        }
    }
    // A name found once (in a header, after a title, beside a role) is the same person wherever
    // it is written out in full. One automaton of all names scans the text once.
    full_names.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.cmp(b)));
    full_names.dedup();
    let by_surface: HashMap<&str, &str> = full_names.iter().map(|(s, n)| (s.as_str(), n.as_str())).collect();
    let surfaces: Vec<&str> = full_names.iter().take(MAX_PROPAGATED_NAMES).map(|(s, _)| s.as_str()).collect();
    if !surfaces.is_empty()
        && let Ok(names) = AhoCorasick::builder().match_kind(MatchKind::LeftmostLongest).build(&surfaces)
    {
        for m in names.find_iter(text) {
            let (start, end) = (m.start(), m.end());
            let surface = &text[start..end];
            let Some(normalized) = by_surface.get(surface) else { continue };
            if standalone_name(text, start, end, true, true) && !found.overlaps(&blocked, start, end) {
                found.push(EntityKind::Person, (*normalized).to_owned(), surface, Some((start, end)));
            }
        }
    }
    // "Judge Alvarez" is "Maria Alvarez" when she is the only Alvarez named in the document.
    let mut by_last_name: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for (_, normalized) in &full_names {
        if let Some(last) = normalized.rsplit(' ').next() {
            by_last_name.entry(last).or_default().insert(normalized.as_str());
        }
    }
    for (start, end, surname) in surnames {
        if found.overlaps(&blocked, start, end) {
            continue;
        }
        let normalized = match by_last_name.get(surname.as_str()).map(|set| set.iter().collect::<Vec<_>>()).as_deref() {
            Some([only]) => (**only).to_owned(),
            _ => surname,
        };
        found.push(EntityKind::Person, normalized, &text[start..end], Some((start, end)));
    }
}

/// Cut trailing words that are not part of the name ("Mr. Smith Then ..."), and a trailing
/// initial; None when nothing name-like is left.
pub(super) fn trim_name(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let mut words: Vec<(usize, usize)> = Vec::new();
    let mut offset = start;
    for word in text[start..end].split([' ', '\t']) {
        if !word.is_empty() {
            words.push((offset, offset + word.len()));
        }
        offset += word.len() + 1;
    }
    // A title repeated inside ("Honorable Judge Maria Alvarez") is not part of the name.
    while words.len() > 1 && words.first().is_some_and(|&(s, e)| is_title_word(&text[s..e])) {
        words.remove(0);
    }
    if let Some(cut) = words.iter().position(|&(s, e)| is_stop_word(&text[s..e])) {
        words.truncate(cut);
    }
    while words.last().is_some_and(|&(s, e)| is_initial(&text[s..e])) {
        words.pop();
    }
    match (words.first(), words.last()) {
        (Some(&(s, _)), Some(&(_, e))) => Some((s, e)),
        _ => None,
    }
}

/// A two-word name that is part of a longer run of capitalised words ("Harbor Freight
/// Logistics") is probably not a person; a capitalised sentence opener before it is fine.
pub(super) fn standalone_name(text: &str, start: usize, end: usize, check_before: bool, check_after: bool) -> bool {
    let before = text[..start].strip_suffix([' ', '\t']).map(|b| {
        let word: String =
            b.chars().rev().take_while(|c| c.is_alphanumeric()).collect::<Vec<_>>().into_iter().rev().collect();
        word
    });
    let after = text[end..]
        .strip_prefix([' ', '\t'])
        .map(|a| a.chars().take_while(|c| c.is_alphanumeric()).collect::<String>());
    let capitalised = |w: &String| w.chars().next().is_some_and(char::is_uppercase);
    let before_ok =
        before.as_ref().is_none_or(|w| !capitalised(w) || LEADING_NON_NAME.contains(&w.as_str()) || is_stop_word(w));
    let after_ok = after.as_ref().is_none_or(|w| !capitalised(w) || is_role_word(w));
    let inside_word = text[..start].chars().next_back().is_some_and(char::is_alphanumeric)
        || text[end..].chars().next().is_some_and(char::is_alphanumeric);
    (before_ok || !check_before) && (after_ok || !check_after) && !inside_word
}

/// Identity of a person: words title-cased, middle initials dropped ("John Q. Smith" -> "John Smith").
pub(super) fn normalize_person(name: &str) -> String {
    let tokens: Vec<String> = name.split_whitespace().map(title_case_if_upper).collect();
    let count = tokens.len();
    tokens
        .into_iter()
        .enumerate()
        .filter(|(i, t)| !(is_initial(t) && *i > 0 && *i + 1 < count))
        .map(|(_, t)| t)
        .collect::<Vec<_>>()
        .join(" ")
}
