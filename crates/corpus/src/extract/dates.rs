//! Dates: the e-mail Date header and dates written in the text.

use std::sync::LazyLock;

use regex::{Captures, Regex};
use time::{Date, Month};

use super::anchored::{AnchoredRegex, Reach, Window, digit_at, digit_before, utf8_len, walk_back};
use super::spans::SpanSet;
use crate::model::{DatePrecision, ExtractedDate, ORIGIN_BODY, ORIGIN_METADATA, ParsedDocument};
use crate::parse::clean::re;

const MIN_YEAR: i32 = 1900;
const MAX_YEAR: i32 = 2100;

/// Month names and the abbreviations in use, longest first so the alternation prefers them.
const MONTHS: &[(&str, u8)] = &[
    ("September", 9),
    ("February", 2),
    ("November", 11),
    ("December", 12),
    ("January", 1),
    ("October", 10),
    ("August", 8),
    ("March", 3),
    ("April", 4),
    ("June", 6),
    ("July", 7),
    ("Sept", 9),
    ("May", 5),
    ("Jan", 1),
    ("Feb", 2),
    ("Mar", 3),
    ("Apr", 4),
    ("Jun", 6),
    ("Jul", 7),
    ("Aug", 8),
    ("Sep", 9),
    ("Oct", 10),
    ("Nov", 11),
    ("Dec", 12),
];

/// Capitalised or upper-case month names only: "may" and "march" are also ordinary words.
fn month_alternation() -> String {
    let mut names: Vec<String> = Vec::new();
    for (name, _) in MONTHS {
        names.push((*name).to_owned());
        names.push(name.to_uppercase());
    }
    names.join("|")
}

fn month_number(name: &str) -> Option<u8> {
    MONTHS.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, m)| *m)
}

static ISO: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b(?P<y>\d{4})(?P<sep>[-/])(?P<m>\d{1,2})(?P<sep2>[-/])(?P<d>\d{1,2})"));
static MONTH_DAY_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"\b(?P<mon>{})\.?[ \t]+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:,[ \t]*|[ \t]+)(?P<y>\d{{4}})",
        month_alternation()
    ))
});
static DAY_MONTH_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:[ \t]+of)?[ \t]+(?P<mon>{})\.?,?[ \t]+(?P<y>\d{{4}})",
        month_alternation()
    ))
});
static DAY_MON_YEAR_DASHED: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"\b(?P<d>\d{{1,2}})-(?P<mon>{})-(?P<y>\d{{4}}|\d{{2}})", month_alternation())));
/// Anchored on the first separator, between two digits; a match starts at most 2 digits before
/// it and ends at most 2 digits, a separator and 4 digits after it (a `\d` takes up to 4 bytes).
static NUMERIC: LazyLock<AnchoredRegex> = LazyLock::new(|| {
    let regex = re(r"\b(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P<sep2>[/.-])(?P<y>\d{4}|\d{2})");
    let accept = |bytes: &[u8], at: usize| digit_before(bytes, at) && digit_at(bytes, at + 1);
    let window = |text: &str, at: usize, floor: usize| Window {
        start: text.floor_char_boundary(at.saturating_sub(2 * 4)).max(floor),
        end: Some(text.ceil_char_boundary(at + 1 + 2 * 4 + 1 + 4 * 4)),
    };
    AnchoredRegex::new(regex, &["/", ".", "-"], accept, window)
});
static MONTH_YEAR: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"\b(?P<mon>{})\.?,?[ \t]+(?P<y>\d{{4}})", month_alternation())));
/// Anchored on the year's "19" or "20" followed by two digits; a match ends with the year, and
/// starts at most 13 letters before it ("financial year"), besides spaces, tabs, hyphens and an
/// apostrophe. Case-insensitive letters may be non-ASCII ("ſ" matches "s").
static YEAR_IN_CONTEXT: LazyLock<AnchoredRegex> = LazyLock::new(|| {
    let regex = re(r"(?x)
        \b(?:
            (?P<phrase>(?i:fiscal|calendar|financial|tax|model)[\x20\t]+(?i:year)[\x20\t]+|FY[\x20\t]?'?|(?i:early|late|mid|end[\x20\t]+of|beginning[\x20\t]+of|spring|summer|fall|autumn|winter)[ \t-]+)
            |
            (?i:in|during|since|by|until|through|throughout|before|after|from)[\x20\t]+
        )
        (?P<y>(?:19|20)\d{2})
    ");
    let accept = |bytes: &[u8], at: usize| digit_at(bytes, at + 2) && digit_at(bytes, at + 2 + utf8_len(bytes[at + 2]));
    let window = |text: &str, at: usize, floor: usize| {
        let free = |c: char| matches!(c, ' ' | '\t' | '-');
        let counted = |c: char| c.is_ascii_alphabetic() || c == '\'' || !c.is_ascii();
        let start = walk_back(text, at, floor, free, counted, Reach::Chars(16));
        Window { start, end: Some(text.ceil_char_boundary(at + 2 + 2 * 4)) }
    };
    AnchoredRegex::new(regex, &["19", "20"], accept, window)
});

/// Words that may follow "in 2019" when 2019 is a year ("in 2019 the board met"); any other
/// lower-case word suggests a quantity ("in 2000 cases").
const AFTER_YEAR: &[&str] = &[
    "the", "a", "an", "and", "or", "but", "when", "while", "we", "it", "they", "he", "she", "i", "you", "there",
    "this", "that", "to", "as", "at", "for", "of", "with", "was", "were", "had", "has", "is", "will", "would", "alone",
    "only", "through", "until", "onward", "onwards", "on", "after", "before",
];

struct Candidate {
    start: usize,
    end: usize,
    date: Date,
    precision: DatePrecision,
    confidence: f32,
}

/// See [`crate::extract::dates`].
pub(crate) fn dates(doc: &ParsedDocument, ranges: &[(usize, usize)]) -> Vec<ExtractedDate> {
    let text = doc.text.as_str();
    let mut out = Vec::new();
    // Metadata dates (e-mail Date, DOCX core properties, PDF info) are events of every format;
    // the day is the one the author wrote, in the offset they wrote it with.
    for ts in [doc.document_date, doc.modified_date.filter(|m| Some(*m) != doc.document_date)].into_iter().flatten() {
        out.push(ExtractedDate {
            date: ts.date(),
            timestamp: Some(ts),
            precision: DatePrecision::Day,
            span: None,
            sentence: header_sentence(doc, ranges),
            confidence: 1.0,
            origin: ORIGIN_METADATA,
        });
    }
    let mut found = body_dates(text);
    found.sort_by_key(|c| c.start);
    for c in found {
        let sentence = enclosing_sentence(ranges, c.start, c.end);
        out.push(ExtractedDate {
            date: c.date,
            timestamp: None,
            precision: c.precision,
            span: Some((c.start, c.end)),
            sentence,
            confidence: c.confidence,
            origin: ORIGIN_BODY,
        });
    }
    out
}

/// The sentence holding a date, widened to the following sentences should a sentence
/// boundary fall inside the date expression.
fn enclosing_sentence(ranges: &[(usize, usize)], start: usize, end: usize) -> (usize, usize) {
    let first = ranges.partition_point(|r| r.0 <= start).checked_sub(1).map_or(start, |i| ranges[i].0);
    let last = ranges.partition_point(|r| r.0 < end).checked_sub(1).map_or(end, |i| ranges[i].1);
    (first.min(start), last.max(end))
}

/// The subject line when the text carries it, else the start of the text.
fn header_sentence(doc: &ParsedDocument, ranges: &[(usize, usize)]) -> (usize, usize) {
    let text = doc.text.as_str();
    if let Some(subject) = doc.subject.as_deref().filter(|s| !s.is_empty())
        && let Some(at) = text.find(subject)
    {
        let line_start = text[..at].rfind('\n').map_or(0, |p| p + 1);
        let line_end = text[at..].find('\n').map_or(text.len(), |p| at + p);
        return (line_start, line_end);
    }
    (0, ranges.first().map_or(0, |r| r.1).min(text.len()))
}

/// Every pattern in order of specificity; a later match overlapping an earlier one is dropped.
fn body_dates(text: &str) -> Vec<Candidate> {
    let mut accepted: Vec<Candidate> = Vec::new();
    let mut taken = SpanSet::default();
    let mut take = |c: Candidate| {
        if !taken.overlaps(c.start, c.end) {
            taken.insert(c.start, c.end);
            accepted.push(c);
        }
    };
    for caps in ISO.captures_iter(text) {
        if let Some(c) = iso(text, &caps) {
            take(c);
        }
    }
    for pattern in [&*MONTH_DAY_YEAR, &*DAY_MONTH_YEAR, &*DAY_MON_YEAR_DASHED] {
        for caps in pattern.captures_iter(text) {
            if let Some(c) = named_month_day(text, &caps) {
                take(c);
            }
        }
    }
    for caps in NUMERIC.captures_iter(text) {
        if let Some(c) = numeric(text, &caps) {
            take(c);
        }
    }
    for caps in MONTH_YEAR.captures_iter(text) {
        if let Some(c) = month_year(text, &caps) {
            take(c);
        }
    }
    for caps in YEAR_IN_CONTEXT.captures_iter(text) {
        if let Some(c) = year_in_context(text, &caps) {
            take(c);
        }
    }
    accepted
}

fn number<T: std::str::FromStr>(caps: &Captures<'_>, name: &str) -> Option<T> {
    caps.name(name)?.as_str().parse().ok()
}

fn whole(caps: &Captures<'_>) -> Option<(usize, usize)> {
    caps.get(0).map(|m| (m.start(), m.end()))
}

fn make_date(year: i32, month: u8, day: u8) -> Option<Date> {
    if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
        return None;
    }
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

/// The char before a numeric match must not continue a number or a path ("v1.2.2021", "/3/3/2021").
fn clean_before(text: &str, start: usize) -> bool {
    let mut before = text[..start].chars().rev();
    match before.next() {
        None => true,
        Some(c) if c.is_alphanumeric() || c == '/' || c == '\\' => false,
        Some('.' | '-' | ':' | ',') => !before.next().is_some_and(|c| c.is_ascii_digit()),
        Some(_) => true,
    }
}

/// The text after a numeric match must not continue it ("3/3/20211", "1.2.2021.5", "3-3-2021-7").
fn clean_after(text: &str, end: usize) -> bool {
    let mut after = text[end..].chars();
    match after.next() {
        None => true,
        Some(c) if c.is_ascii_digit() || c == '/' || c == '\\' => false,
        Some('.' | '-' | ',') => !after.next().is_some_and(|c| c.is_ascii_digit()),
        Some(_) => true,
    }
}

fn two_digit_year(y: i32, written: &str) -> i32 {
    if written.len() == 2 { if y < 70 { 2000 + y } else { 1900 + y } } else { y }
}

fn iso(text: &str, caps: &Captures<'_>) -> Option<Candidate> {
    let (start, end) = whole(caps)?;
    let same_separator = caps.name("sep")?.as_str() == caps.name("sep2")?.as_str();
    if !same_separator || !clean_before(text, start) || !clean_after(text, end) {
        return None;
    }
    let date = make_date(number(caps, "y")?, number(caps, "m")?, number(caps, "d")?)?;
    Some(Candidate { start, end, date, precision: DatePrecision::Day, confidence: 0.95 })
}

fn named_month_day(text: &str, caps: &Captures<'_>) -> Option<Candidate> {
    let (start, end) = whole(caps)?;
    if !clean_after(text, end) {
        return None;
    }
    let y_written = caps.name("y")?.as_str();
    let year = two_digit_year(number(caps, "y")?, y_written);
    let date = make_date(year, month_number(caps.name("mon")?.as_str())?, number(caps, "d")?)?;
    let confidence = if y_written.len() == 2 { 0.8 } else { 0.9 };
    Some(Candidate { start, end, date, precision: DatePrecision::Day, confidence })
}

/// "3/3/2021", "03/03/21", "31/03/2021", "3.3.2021", "3-3-2021". A part over 12 settles the
/// order; otherwise "/" and "-" are read month first (US) and "." day first (European), with
/// a lower confidence.
fn numeric(text: &str, caps: &Captures<'_>) -> Option<Candidate> {
    let (start, end) = whole(caps)?;
    let sep = caps.name("sep")?.as_str();
    if sep != caps.name("sep2")?.as_str() || !clean_before(text, start) || !clean_after(text, end) {
        return None;
    }
    let y_written = caps.name("y")?.as_str();
    // Two-digit years with dots are too often section or version numbers ("1.2.21").
    if sep == "." && y_written.len() == 2 {
        return None;
    }
    let year = two_digit_year(number(caps, "y")?, y_written);
    let (a, b): (u8, u8) = (number(caps, "a")?, number(caps, "b")?);
    let day_first = sep == ".";
    let (month, day, ambiguous) = match (a > 12, b > 12) {
        (true, true) => return None,
        (true, false) => (b, a, false),
        (false, true) => (a, b, false),
        (false, false) => {
            let (m, d) = if day_first { (b, a) } else { (a, b) };
            (m, d, a != b)
        }
    };
    let date = make_date(year, month, day)?;
    let mut confidence: f32 = if ambiguous { 0.5 } else { 0.8 };
    if y_written.len() == 2 {
        confidence -= 0.1;
    }
    Some(Candidate { start, end, date, precision: DatePrecision::Day, confidence })
}

fn month_year(text: &str, caps: &Captures<'_>) -> Option<Candidate> {
    let (start, end) = whole(caps)?;
    if !clean_after(text, end) {
        return None;
    }
    let date = make_date(number(caps, "y")?, month_number(caps.name("mon")?.as_str())?, 1)?;
    Some(Candidate { start, end, date, precision: DatePrecision::Month, confidence: 0.6 })
}

fn year_in_context(text: &str, caps: &Captures<'_>) -> Option<Candidate> {
    let year_match = caps.name("y")?;
    let end = year_match.end();
    let next = text[end..].chars().next();
    if next.is_some_and(|c| c.is_alphanumeric() || c == '%' || c == '$') || !clean_after(text, end) {
        return None;
    }
    let following = text[end..].trim_start_matches([' ', '\t']);
    let next_word: String = following.chars().take_while(|c| c.is_alphabetic()).collect();
    let quantity_like =
        next_word.chars().next().is_some_and(char::is_lowercase) && !AFTER_YEAR.contains(&next_word.as_str());
    // "fiscal year 2020 results" is a year whatever follows; "in 2000 cases" is not.
    if quantity_like && caps.name("phrase").is_none() {
        return None;
    }
    let (start, confidence) = match caps.name("phrase") {
        Some(phrase) => (phrase.start(), 0.35),
        None => (year_match.start(), 0.3),
    };
    let date = make_date(year_match.as_str().parse().ok()?, 1, 1)?;
    Some(Candidate { start, end, date, precision: DatePrecision::Year, confidence })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::extract::anchored::test_text;

    /// The anchored searches find exactly what the plain patterns find.
    fn assert_same_matches(text: &str) {
        let spans = |matches: &mut dyn Iterator<Item = Captures<'_>>| -> Vec<Vec<Option<std::ops::Range<usize>>>> {
            matches.map(|caps| caps.iter().map(|group| group.map(|m| m.range())).collect()).collect()
        };
        for (name, pattern) in [("NUMERIC", &*NUMERIC), ("YEAR_IN_CONTEXT", &*YEAR_IN_CONTEXT)] {
            let plain = spans(&mut pattern.regex().captures_iter(text));
            assert_eq!(spans(&mut pattern.captures_iter(text)), plain, "{name} in {text:?}");
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
        let dense = format!("{} in 2020", "1.2 2019x ".repeat(3000));
        let texts = [
            "on ٣/٣/٢٠٢١ and 3.3.20٢١ and 1.2.3.4.2021 and 31-12-99",
            "in fiſcal year 2020, in FY'21 and FY2021, mid-----2019 and end  \t of 2018 and 20٢١",
            "since 1999 and throughout 2000 cases in 2019",
            &dense,
        ];
        for text in texts {
            assert_same_matches(text);
        }
    }

    fn found(text: &str) -> Vec<(String, String, DatePrecision)> {
        body_dates(text)
            .into_iter()
            .map(|c| (text[c.start..c.end].to_owned(), c.date.to_string(), c.precision))
            .collect()
    }

    #[test]
    fn boundaries_reject_longer_numbers() {
        assert!(found("version 1.2.2021.5 and 13/3/20211 and 0.3.3.2021").is_empty());
        assert!(found("ISBN 12021-03-03").is_empty());
        assert_eq!(found("on 2021-03-03T10:00Z").len(), 1);
    }

    #[test]
    fn quantities_are_not_years() {
        assert!(found("in 2000 cases the court agreed").is_empty());
        assert!(found("in 2019, the board met").len() == 1);
        assert!(found("by 2020% growth").is_empty());
    }
}
