//! Named entities by precise patterns: people, organisations, e-mail addresses, money and
//! case numbers. A missed mention costs less than a wrong one, so every pattern leans to
//! precision.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Range;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};
use regex::Regex;

use super::anchored::{AnchoredRegex, Reach, Window, digit_at, digit_before, utf8_len, walk_back, walk_forward};
use super::spans::SpanSet;
use crate::model::{EntityKind, EntityMention, ParsedDocument};
use crate::parse::clean::re;

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

// ---------------------------------------------------------------------------------------------
// Headers

static MAILBOX: LazyLock<Regex> =
    LazyLock::new(|| re(r#"^\s*"?(?P<name>[^"<]*?)"?\s*<(?P<addr>[^<>\s]+@[^<>\s]+)>\s*$"#));
static BARE_ADDRESS: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*<?(?P<addr>[^<>\s@]+@[^<>\s@]+)>?\s*$"));

/// People and addresses of the From, To and Cc headers (and the author of other documents);
/// returns the people's names as written, to find them again in the text.
fn header_entities(doc: &ParsedDocument, found: &mut Found) -> Vec<(String, String)> {
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
fn person_from_display_name(raw: &str) -> Option<String> {
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

// ---------------------------------------------------------------------------------------------
// E-mail addresses

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24}\b",
    )
});

fn emails(text: &str, found: &mut Found) {
    for m in EMAIL.find_iter(text) {
        found.push(EntityKind::Email, m.as_str().to_lowercase(), m.as_str(), Some((m.start(), m.end())));
    }
}

// ---------------------------------------------------------------------------------------------
// Case numbers

/// Anchored on the separator after the number's first digits (`1:`, `21-`, `2021-`), which
/// is followed by a digit or a letter; a match starts at most a label, "No." and four digits
/// (32 chars besides spaces) before it. A window is verified with the start of the number only
/// (a bounded pattern; the full one may go on with any number of `-ABC`).
static CASE_NUMBER: LazyLock<AnchoredRegex> = LazyLock::new(|| {
    let regex = re(r"(?x)
        (?P<label>\b(?:Case|Civil[\x20\t]+Action|Civ\.[\x20\t]*A\.|Civil[\x20\t]+Case|Criminal[\x20\t]+Case|Criminal[\x20\t]+Action|
            Docket|Index|Cause|Adversary[\x20\t]+Proceeding|Adv\.[\x20\t]*Pro\.|Appeal|Misc\.|Miscellaneous)[\x20\t]+)?
        (?P<no>\bNos?\.?[\x20\t]*:?[\x20\t]*|\#[\x20\t]*)?
        (?P<num>
            \b\d{1,2}:\d{2}-[A-Za-z]{2,4}-\d{2,6}(?:-[A-Z]{2,5})*
          | \b\d{2,4}-[A-Za-z]{1,4}-\d{2,7}(?:-[A-Z]{2,5})*
          | \b\d{2}-\d{3,6}\b
        )
    ");
    let number_start = re(r"\b(?:\d{1,2}:\d{2}-[A-Za-z]{2,4}-\d{2}|\d{2,4}-[A-Za-z]{1,4}-\d{2}|\d{2}-\d{3,6}\b)");
    let accept = |bytes: &[u8], at: usize| {
        digit_before(bytes, at) && bytes.get(at + 1).is_some_and(|b| !b.is_ascii() || b.is_ascii_alphanumeric())
    };
    let window = |text: &str, at: usize, floor: usize| {
        let counted = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '#') || c.is_numeric();
        // After the separator: at most 2 digits, "-", 4 letters, "-" and 2 digits, or "-", 6 digits
        // and the char the final word boundary looks at; a digit takes up to 4 bytes.
        Window {
            start: walk_back(text, at, floor, is_blank, counted, Reach::Chars(32)),
            end: Some(text.ceil_char_boundary(at + 1 + 6 * 4 + 4)),
        }
    };
    AnchoredRegex::new(regex, &["-", ":"], accept, window).with_verifier(number_start)
});

/// Words before "No." that make it something other than a case number.
const NOT_CASE_LABELS: &[&str] = &[
    "invoice",
    "order",
    "po",
    "account",
    "acct",
    "policy",
    "contract",
    "exhibit",
    "item",
    "bill",
    "check",
    "cheque",
    "claim",
    "purchase",
    "reference",
    "ref",
    "serial",
    "part",
    "model",
    "patent",
    "registration",
    "tracking",
    "voyage",
    "booking",
    "file",
    "phone",
    "tel",
    "fax",
    "room",
    "suite",
    "unit",
    "lot",
    "container",
    "seal",
    "flight",
    "license",
    "licence",
    "permit",
    "ticket",
    "receipt",
    "shipment",
    "delivery",
    "charter",
    "job",
    "bl",
];

fn case_numbers(text: &str, found: &mut Found) {
    for caps in CASE_NUMBER.captures_iter(text) {
        let (Some(whole), Some(num)) = (caps.get(0), caps.name("num")) else { continue };
        let labelled = caps.name("label").is_some();
        let has_no = caps.name("no").is_some();
        // Unlabelled, only the court formats are distinctive: "1:21-cv-01234" and "21-cv-1234";
        // "21-1234" alone is any hyphenated number and needs "No." or a case label.
        let distinctive = num.as_str().contains(':')
            || num.as_str().split('-').nth(1).is_some_and(|t| CASE_TYPES.contains(&t.to_lowercase().as_str()));
        if !distinctive && !has_no && !labelled {
            continue;
        }
        if has_no && !labelled && preceded_by_non_case_label(text, whole.start()) {
            continue;
        }
        if !labelled && !has_no && preceded_by_non_case_label(text, whole.start()) {
            continue;
        }
        if text[num.end()..].chars().next().is_some_and(|c| c.is_alphanumeric()) {
            continue;
        }
        let start = if labelled || has_no { whole.start() } else { num.start() };
        found.push(
            EntityKind::CaseNumber,
            normalize_case_number(num.as_str()),
            &text[start..num.end()],
            Some((start, num.end())),
        );
    }
}

/// Case-type codes of US court case numbers (civil, criminal, miscellaneous, bankruptcy, ...).
const CASE_TYPES: &[&str] = &["cv", "civ", "cr", "crim", "mc", "md", "mj", "bk", "ap", "po", "ca", "cf", "sc", "dr"];

fn preceded_by_non_case_label(text: &str, start: usize) -> bool {
    let before = text[..start].trim_end_matches([' ', '\t', ':', '#']);
    let word: String = before.chars().rev().take_while(|c| c.is_alphanumeric() || *c == '.').collect();
    let word: String = word.chars().rev().collect::<String>().trim_end_matches('.').to_lowercase();
    NOT_CASE_LABELS.contains(&word.as_str())
}

/// "1:21-CV-01234-ABC" -> "1:21-cv-01234-ABC": the case-type letters are case-insensitive,
/// the judge's initials are not.
fn normalize_case_number(num: &str) -> String {
    num.split('-')
        .enumerate()
        .map(|(i, part)| {
            if i == 1 && part.chars().all(|c| c.is_ascii_alphabetic()) { part.to_lowercase() } else { part.to_owned() }
        })
        .collect::<Vec<_>>()
        .join("-")
}

// ---------------------------------------------------------------------------------------------
// Money

const AMOUNT: &str = r"(?P<int>\d{1,3}(?:,\d{3})+|\d{1,15})(?:\.(?P<frac>\d{1,6}))?";
const MULTIPLIER: &str = r"(?:[ \t]*(?P<mult>(?i:million|billion|thousand|trillion)|mn|bn|MM|[mMbBkK])\b)?";

/// Anchored on the currency sign when a digit follows it (after at most one space); a match
/// starts at most 4 bytes before it ("U.S.$").
static MONEY_SYMBOL: LazyLock<AnchoredRegex> = LazyLock::new(|| {
    let regex = re(&format!(r"(?P<cur>US\$|U\.S\.\$|C\$|A\$|\$|€|£|¥)[ \t]?{AMOUNT}{MULTIPLIER}"));
    let accept = |bytes: &[u8], at: usize| {
        let mut next = at + utf8_len(bytes[at]);
        if matches!(bytes.get(next), Some(b' ' | b'\t')) {
            next += 1;
        }
        digit_at(bytes, next)
    };
    let window = |text: &str, at: usize, floor: usize| Window {
        start: text.floor_char_boundary(at.saturating_sub(4)).max(floor),
        end: None,
    };
    AnchoredRegex::new(regex, &["$", "€", "£", "¥"], accept, window)
});
static MONEY_CODE: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"\b(?P<cur>USD|EUR|GBP|JPY|CHF|CAD|AUD)[ \t]?{AMOUNT}{MULTIPLIER}")));
/// Anchored on the currency word; before it come only the amount, spaces, a multiplier and
/// "US" (at most 10 letters), after it at most "pounds sterling" and the char the final word
/// boundary looks at.
static MONEY_WORDS: LazyLock<AnchoredRegex> = LazyLock::new(|| {
    let regex = re(&format!(
        r"\b{AMOUNT}(?:[ \t]*(?P<mult>million|billion|thousand|trillion)\b)?[ \t]+(?P<cur>(?:U\.S\.|US)[ \t]+dollars|dollars|euros|pounds[ \t]+sterling|pounds|USD|EUR|GBP)\b"
    ));
    let window = |text: &str, at: usize, floor: usize| {
        let amount_or_blank = |c: char| matches!(c, ' ' | '\t' | ',' | '.') || c.is_numeric();
        let start = walk_back(text, at, floor, amount_or_blank, |c| c.is_ascii_alphabetic(), Reach::Chars(10));
        let end = walk_forward(text, at, is_blank, |c| c.is_ascii_alphabetic(), Reach::Runs(2));
        Window { start, end: Some(text.ceil_char_boundary(end + 1)) }
    };
    AnchoredRegex::new(regex, &["dollars", "euros", "pounds", "USD", "EUR", "GBP"], |_, _| true, window)
});

fn money(text: &str, found: &mut Found) {
    let by_symbol = MONEY_SYMBOL.captures_iter(text);
    let by_code = MONEY_CODE.captures_iter(text);
    let by_words = MONEY_WORDS.captures_iter(text);
    for caps in by_symbol.chain(by_code).chain(by_words) {
        let Some(whole) = caps.get(0) else { continue };
        let (start, end) = (whole.start(), whole.end());
        if found.overlaps(&[EntityKind::Money], start, end) {
            continue;
        }
        if text[end..].chars().next().is_some_and(|c| c.is_ascii_digit()) {
            continue;
        }
        let Some(currency) = caps.name("cur").map(|m| currency_code(m.as_str())) else { continue };
        let Some(int) = caps.name("int") else { continue };
        let frac = caps.name("frac").map_or("", |m| m.as_str());
        let mult = caps.name("mult").map(|m| m.as_str().to_lowercase());
        let zeros = match mult.as_deref() {
            Some("thousand" | "k") => 3,
            Some("million" | "mn" | "mm" | "m") => 6,
            Some("billion" | "bn" | "b") => 9,
            Some("trillion") => 12,
            _ => 0,
        };
        // Without a multiplier more than two decimals is not an amount of money ("$1.2345").
        if zeros == 0 && frac.len() > 2 {
            continue;
        }
        let amount = scale_decimal(&int.as_str().replace(',', ""), frac, zeros);
        found.push(EntityKind::Money, format!("{currency} {amount}"), whole.as_str(), Some((start, end)));
    }
}

fn currency_code(written: &str) -> &'static str {
    match written {
        "€" | "EUR" | "euros" => "EUR",
        "£" | "GBP" | "pounds" => "GBP",
        "¥" | "JPY" => "JPY",
        "CHF" => "CHF",
        "C$" | "CAD" => "CAD",
        "A$" | "AUD" => "AUD",
        w if w.starts_with("pounds") => "GBP",
        _ => "USD",
    }
}

/// `int.frac * 10^zeros` written with exactly two decimals, in exact decimal arithmetic.
fn scale_decimal(int: &str, frac: &str, zeros: usize) -> String {
    let mut digits = format!("{int}{frac}");
    let point = int.len() + zeros;
    while digits.len() < point + 2 {
        digits.push('0');
    }
    let whole = digits[..point].trim_start_matches('0');
    let whole = if whole.is_empty() { "0" } else { whole };
    let cents = &digits[point..point + 2];
    format!("{whole}.{cents}")
}

// ---------------------------------------------------------------------------------------------
// Organisations

/// Anchored on the suffix; a match ends with it (12 bytes at most) and starts at most 19
/// words before it (7 name words and 12 connectors), all word chars, `&`, quotes, hyphens and a
/// comma.
static ORGANIZATION: LazyLock<AnchoredRegex> = LazyLock::new(|| {
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
const ORGANIZATION_SUFFIXES: &[&str] = &[
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

/// Capitalised words that start a sentence or a clause and are not part of a company's name.
const LEADING_NON_NAME: &[&str] = &[
    "The",
    "A",
    "An",
    "And",
    "Or",
    "But",
    "Yesterday",
    "Today",
    "Tomorrow",
    "On",
    "In",
    "At",
    "By",
    "For",
    "From",
    "To",
    "With",
    "Per",
    "Dear",
    "Re",
    "Fwd",
    "Fw",
    "Subject",
    "Both",
    "Neither",
    "Either",
    "When",
    "While",
    "If",
    "As",
    "Our",
    "Their",
    "Its",
    "His",
    "Her",
    "My",
    "Your",
    "This",
    "That",
    "These",
    "Those",
    "Between",
    "Against",
    "Under",
    "Pursuant",
    "Whereas",
    "Also",
    "Then",
    "After",
    "Before",
    "Since",
    "Meanwhile",
    "However",
    "Accordingly",
    "Thereafter",
    "Cc",
    "Attn",
    "Counsel",
    "Plaintiff",
    "Plaintiffs",
    "Defendant",
    "Defendants",
    "Respondent",
    "Petitioner",
    "Appellant",
    "Appellee",
    "Claimant",
    "Client",
    "Customer",
    "Vendor",
    "Supplier",
    "Buyer",
    "Seller",
    "Carrier",
    "Shipper",
    "Party",
    "Parties",
    "Each",
    "Every",
    "Any",
    "All",
    "No",
    "Neither",
    "Note",
    "Please",
    "See",
    "Called",
    "Emailed",
    "Told",
    "Asked",
    "Wrote",
    "Contact",
    "Tell",
    "Ask",
    "Notify",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "Judge",
    "Signed",
    "Executed",
    "Agreed",
    "Accepted",
    "Approved",
    "Witnessed",
    "Dated",
    "Issued",
    "Prepared",
    "Received",
    "Sent",
    "Attention",
    "Regarding",
    "Including",
    "Represented",
    "Between",
    "Sued",
    "Paid",
    "Invoiced",
];

fn organizations(text: &str, found: &mut Found) {
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
fn organization_parts(found: regex::Match<'_>) -> (Range<usize>, Range<usize>) {
    let matched = found.as_str();
    let suffix_at = matched.rfind([' ', '\t']).map_or(0, |p| p + 1);
    let before = matched[..suffix_at].trim_end_matches([' ', '\t']);
    let name = before.strip_suffix(',').unwrap_or(before);
    (found.start()..found.start() + name.len(), found.start() + suffix_at..found.end())
}

fn normalize_org_name(name: &str) -> String {
    name.split_whitespace()
        .map(|w| {
            let letters = w.chars().filter(|c| c.is_alphabetic()).count();
            if letters >= 4 && w.chars().all(|c| !c.is_lowercase()) { title_case(w) } else { w.to_owned() }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn canonical_suffix(suffix: &str) -> &'static str {
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

// ---------------------------------------------------------------------------------------------
// People

/// Beyond this many distinct full names, later ones are not searched for again in the text
/// (it keeps the automaton small; such documents are directories, not correspondence).
const MAX_PROPAGATED_NAMES: usize = 2_000;

const NAME_WORD: &str = r"(?:[A-Z]['’])?[A-Z][a-z]+(?:[A-Z][a-z]+)?(?:-[A-Z][a-z]+)?";

static HONORIFIC: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"\b(?P<title>Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Chief[ \t]+Judge|Magistrate[ \t]+Judge|Judge|Justice|Hon|Honorable|Honourable|Senator|Sen|Governor|Gov|Capt|Captain|Sir|Dame|Rev)\.?[ \t]+(?P<name>{NAME_WORD}(?:[ \t]+(?:[A-Z]\.|{NAME_WORD})){{0,3}})"
    ))
});

const ROLE: &str = r"(?:CEO|CFO|COO|CTO|CIO|CLO|General[ \t]+Counsel|[Cc]ounsel|Chief[ \t]+[A-Z][a-z]+[ \t]+Officer|President|Vice[ \t]+President|VP|[Dd]irector|[Pp]artner|[Aa]ssociate|[Pp]aralegal|[Aa]ttorney|[Ll]awyer|[Cc]hairman|[Cc]hairwoman|[Cc]hair|[Ff]ounder|[Cc]o-founder|[Mm]anager|[Cc]ontroller|[Tt]reasurer|[Ss]ecretary|[Ii]nspector|[Cc]aptain|[Cc]onsultant|[Aa]nalyst|[Cc]lerk|[Aa]djuster|[Bb]roker|Esq\.?)";
const ROLE_ADJECTIVE: &str = r"(?:(?:the|our|their|its|his|her|a|an|as)[ \t]+)?(?:(?:Senior|Junior|Deputy|Associate|Assistant|Lead|Regional|Operations|Finance|Legal|Executive|Managing|Outside|outside|In-house|in-house|Chief|General|Port|Fleet|Claims|Sales|Account)[ \t]+)?";

/// Anchors of the patterns with a role: a literal from the last word of every alternative of
/// [`ROLE`] but "VP" ("Chief Financial Officer" holds "Officer", "Co-founder" "founder"). They
/// are chosen to begin with three letters rarely seen together elsewhere ("unsel", not
/// "Counsel"), which keeps the literal search fast; a role ends at most 11 bytes after its
/// anchor ("hairwoman", "Esq."). "VP", too short for that, is searched with a neighbour the
/// pattern requires.
const ROLE_WORDS: &[&str] = &[
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
fn name_or_role_char(c: char) -> bool {
    c.is_ascii_alphabetic() || matches!(c, '\'' | '’' | '-' | '.' | ',' | '(')
}

/// Anchored on the end of the role: before it come at most 9 words (a name of 3, a separator, 2
/// adjectives, 2 words and the start of the role's last one), after it the char the final word
/// boundary looks at.
static NAME_THEN_ROLE: LazyLock<AnchoredRegex> = LazyLock::new(|| {
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
static ROLE_THEN_NAME: LazyLock<AnchoredRegex> = LazyLock::new(|| {
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

/// Space or tab.
fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t')
}

fn people(text: &str, header_people: &[(String, String)], found: &mut Found) {
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
fn trim_name(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
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
fn standalone_name(text: &str, start: usize, end: usize, check_before: bool, check_after: bool) -> bool {
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
fn normalize_person(name: &str) -> String {
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

fn is_title_word(w: &str) -> bool {
    matches!(
        w.trim_end_matches('.'),
        "Judge" | "Justice" | "Chief" | "Magistrate" | "Hon" | "Honorable" | "Dr" | "Mr" | "Ms" | "Mrs"
    )
}

/// Words of job titles that precede "of <Company>".
fn is_role_title(w: &str) -> bool {
    is_role_word(w)
        || matches!(
            w,
            "General"
                | "Counsel"
                | "President"
                | "Vice"
                | "Director"
                | "Chairman"
                | "Chair"
                | "Partner"
                | "Associate"
                | "Chief"
                | "Executive"
                | "Officer"
                | "Financial"
                | "Operating"
                | "Legal"
                | "Senior"
                | "Head"
                | "Manager"
                | "Founder"
                | "Secretary"
                | "Treasurer"
                | "Deputy"
                | "Assistant"
                | "Managing"
                | "Member"
                | "Members"
                | "Board"
                | "Shareholders"
                | "Employees"
                | "Staff"
                | "Attorneys"
                | "Lawyers"
        )
}

fn is_role_word(w: &str) -> bool {
    matches!(w, "CEO" | "CFO" | "COO" | "CTO" | "CIO" | "CLO" | "VP" | "Esq")
}

fn is_initial(w: &str) -> bool {
    let mut chars = w.chars();
    matches!((chars.next(), chars.next(), chars.next()), (Some(c), Some('.'), None) if c.is_uppercase())
}

fn is_name_token(w: &str) -> bool {
    let mut chars = w.chars();
    chars.next().is_some_and(char::is_uppercase)
        && w.chars().all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '’' | '.'))
}

fn is_month(w: &str) -> bool {
    matches!(
        w,
        "January"
            | "February"
            | "March"
            | "April"
            | "May"
            | "June"
            | "July"
            | "August"
            | "September"
            | "October"
            | "November"
            | "December"
            | "Jan"
            | "Feb"
            | "Mar"
            | "Apr"
            | "Jun"
            | "Jul"
            | "Aug"
            | "Sep"
            | "Sept"
            | "Oct"
            | "Nov"
            | "Dec"
    )
}

/// Capitalised words that are not (part of) a person's name in these documents.
fn is_stop_word(w: &str) -> bool {
    const WORDS: &[&str] = &[
        "The",
        "This",
        "That",
        "These",
        "Those",
        "Then",
        "There",
        "Dear",
        "Subject",
        "Re",
        "Fwd",
        "Regards",
        "Best",
        "Thanks",
        "Thank",
        "Sincerely",
        "Kind",
        "Hi",
        "Hello",
        "Team",
        "All",
        "Please",
        "Note",
        "Attorney",
        "Client",
        "Privileged",
        "Confidential",
        "Court",
        "District",
        "County",
        "State",
        "States",
        "United",
        "Agreement",
        "Section",
        "Exhibit",
        "Plaintiff",
        "Defendant",
        "Company",
        "Corp",
        "Inc",
        "Shipping",
        "Logistics",
        "Freight",
        "Group",
        "Holdings",
        "Bank",
        "Street",
        "Avenue",
        "Road",
        "Suite",
        "Floor",
        "North",
        "South",
        "East",
        "West",
        "New",
        "Invoice",
        "Payment",
        "Contract",
        "Amendment",
        "Master",
        "Services",
        "Service",
        "Notice",
        "Demand",
        "Letter",
        "Memo",
        "Memorandum",
        "Meeting",
        "Notes",
        "Draft",
        "Final",
        "Board",
        "Directors",
        "Office",
        "Department",
        "University",
        "Law",
        "Firm",
        "Partners",
        "Associates",
        "Counsel",
        "General",
        "Chief",
        "Executive",
        "Officer",
        "Vice",
        "President",
        "Senior",
        "Port",
        "Vessel",
        "Legal",
        "Support",
        "Sales",
        "Operations",
        "Accounts",
        "Payable",
        "Receivable",
        "Finance",
        "Billing",
        "Admin",
        "Info",
        "Noreply",
        "Mailer",
        "Daemon",
        "Postmaster",
        "Desk",
        "Help",
        "Customer",
        "Care",
        "Report",
        "Summary",
        "Case",
        "Action",
        "Civil",
        "Judge",
        "Justice",
        "Esq",
        "LLC",
        "LLP",
        "Ltd",
        "Limited",
        "Corporation",
        "Incorporated",
        "And",
        "Or",
        "Of",
        "For",
        "On",
        "In",
        "At",
        "By",
        "To",
        "From",
        "With",
        "As",
        "If",
        "When",
        "While",
        "After",
        "Before",
        "Since",
        "Per",
        "Our",
        "Their",
        "Your",
        "His",
        "Her",
        "Its",
        "We",
        "They",
        "He",
        "She",
        "It",
        "Yesterday",
        "Today",
        "Tomorrow",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "Harbor",
        "Terminal",
        "Cargo",
        "Charter",
        "Claims",
        "Insurance",
        "Capital",
        "Partners",
        "Notices",
        "Alerts",
        "Updates",
        "Newsletter",
        "Clerk",
        "Registry",
        "Filing",
        "Filings",
        "Orders",
    ];
    let bare = w.trim_end_matches(['.', ',']);
    WORDS.contains(&bare) || is_month(bare)
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::extract::anchored::test_text;

    /// The span of every group of every match.
    fn spans<'t>(matches: impl Iterator<Item = regex::Captures<'t>>) -> Vec<Vec<Option<Range<usize>>>> {
        matches.map(|caps| caps.iter().map(|group| group.map(|m| m.range())).collect()).collect()
    }

    /// The anchored searches find exactly what the plain patterns find, and the groups of an
    /// organisation are those the pattern captures.
    fn assert_same_matches(text: &str) {
        let anchored: [(&str, &AnchoredRegex); 6] = [
            ("CASE_NUMBER", &CASE_NUMBER),
            ("MONEY_SYMBOL", &MONEY_SYMBOL),
            ("MONEY_WORDS", &MONEY_WORDS),
            ("ORGANIZATION", &ORGANIZATION),
            ("NAME_THEN_ROLE", &NAME_THEN_ROLE),
            ("ROLE_THEN_NAME", &ROLE_THEN_NAME),
        ];
        for (name, pattern) in anchored {
            let plain = spans(pattern.regex().captures_iter(text));
            assert_eq!(spans(pattern.captures_iter(text)), plain, "{name} in {text:?}");
            let found: Vec<Range<usize>> = pattern.find_iter(text).map(|m| m.range()).collect();
            assert_eq!(found, plain.iter().map(|groups| groups[0].clone().unwrap_or_default()).collect::<Vec<_>>());
        }
        for caps in ORGANIZATION.regex().captures_iter(text) {
            let (Some(whole), Some(name), Some(suffix)) = (caps.get(0), caps.name("name"), caps.name("suffix")) else {
                panic!("an organisation has a name and a suffix");
            };
            assert_eq!(organization_parts(whole), (name.range(), suffix.range()), "{text:?}");
        }
    }

    proptest! {
        #[test]
        fn anchored_searches_find_what_plain_ones_do(text in test_text::texts()) {
            assert_same_matches(&text);
        }
    }

    #[test]
    fn anchored_searches_on_edge_cases() {
        let long_blank = format!(
            "Case No.{}21-1234 and{}USD 5 and 5{}pounds{}sterling",
            " ".repeat(300),
            "\t".repeat(50),
            " ".repeat(99),
            " ".repeat(70)
        );
        // Dense anchors without matches exhaust the walking budget: the plain search takes over.
        let dense = format!("{} Harbor AG {} Mr Bell counsel John Smith", "xAG ".repeat(3000), "counsel ".repeat(2000));
        let texts = [
            "Case No. ٢١-١٢٣٤, Civil Action No. １２-３４５ and 1:21-cv-01234-ABC-DEF-GHI.",
            "paid $١٢ and € ٣ and £4 and $ 5 and $  6 and US$7 and U.S.$ 8",
            "ACME, LLC and Calder & Voss LLP, Meridian Cold Storage Ltd. and Ünal Ağ GmbH",
            "John Smith\nCEO; Mary Q. Jones (the Senior VP) and VP, John Smith; Co-founder Ann Lee-Park",
            "General Counsel Dana O’Brien, Chairwoman Ann McDonald and Esq. Tom Lee",
            &long_blank,
            &dense,
        ];
        for text in texts {
            assert_same_matches(text);
        }
    }

    #[test]
    fn decimal_scaling_is_exact() {
        assert_eq!(scale_decimal("1200", "5", 0), "1200.50");
        assert_eq!(scale_decimal("1", "2", 6), "1200000.00");
        assert_eq!(scale_decimal("0", "05", 0), "0.05");
        assert_eq!(scale_decimal("007", "", 3), "7000.00");
        assert_eq!(scale_decimal("2", "5", 9), "2500000000.00");
    }

    #[test]
    fn display_names() {
        assert_eq!(person_from_display_name("Whitfield, Dana").as_deref(), Some("Dana Whitfield"));
        assert_eq!(person_from_display_name("DANA WHITFIELD (HFL)").as_deref(), Some("Dana Whitfield"));
        assert_eq!(person_from_display_name("Meridian Legal Team"), None);
        assert_eq!(person_from_display_name("noreply"), None);
        assert_eq!(person_from_display_name("NYSD ECF Notices"), None);
        assert_eq!(person_from_display_name("PRIYA NATARAJAN").as_deref(), Some("Priya Natarajan"));
        assert_eq!(person_from_display_name("J. R. Smith").as_deref(), Some("J. R. Smith"));
    }

    #[test]
    fn case_number_normalization() {
        assert_eq!(normalize_case_number("1:21-CV-01234-ABC"), "1:21-cv-01234-ABC");
        assert_eq!(normalize_case_number("21-1234"), "21-1234");
    }
}
