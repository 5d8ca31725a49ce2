//! Properties of the extractors over arbitrary text: no panics, and every range usable as a
//! citation (in bounds, on char boundaries, ordered).

use docket_corpus::ParsedDocument;
use docket_corpus::extract::{dates, entities, sentences};
use proptest::prelude::*;

/// Pieces that exercise the patterns: abbreviations, dates, money, names, odd Unicode.
const TOKENS: &[&str] = &[
    "Mr.",
    "Dr.",
    "Judge",
    "John",
    "Smith",
    "Alvarez",
    "Inc.",
    "Corp",
    "LLC",
    ",",
    ".",
    "!",
    "?",
    "...",
    "\"",
    "(",
    ")",
    "v.",
    "No.",
    "U.S.",
    "J.",
    "March",
    "Mar.",
    "Sept",
    "3",
    "31",
    "2021",
    "21",
    "1900",
    "2100",
    "3/3/2021",
    "31.12.2020",
    "2021-02-30",
    "2021-03-03",
    "in",
    "fiscal year",
    "FY",
    "$",
    "€",
    "£",
    "1,200.50",
    "5",
    "million",
    "dollars",
    "USD",
    "1:21-cv-01234",
    "21-1234",
    "Case",
    "a@b.example",
    "Dana.Whitfield@HF.example",
    "CEO",
    "counsel",
    "of",
    "the",
    "é",
    "ü",
    "—",
    "🚢",
    "\u{200B}",
    "\u{A0}",
    "ǅ",
    "İ",
    "ß",
    "\t",
    "\n",
    "\n\n",
    " ",
    "  ",
    "-",
    "/",
    ":",
    "'",
    "’",
    "&",
];

fn token_text() -> impl Strategy<Value = String> {
    prop::collection::vec((prop::sample::select(TOKENS), prop::sample::select(&[" ", "", "\n", ".", " "][..])), 0..60)
        .prop_map(|parts| parts.into_iter().flat_map(|(t, sep)| [t, sep]).collect())
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), token_text(), "[ -~\\n]{0,200}"]
}

fn check_range(text: &str, (s, e): (usize, usize)) {
    assert!(s <= e && e <= text.len(), "range {s}..{e} out of bounds for {} bytes", text.len());
    assert!(text.is_char_boundary(s) && text.is_char_boundary(e), "range {s}..{e} not on char boundaries");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn sentences_are_ordered_trimmed_and_cover_the_text(text in any_text()) {
        let ranges = sentences(&text);
        let mut covered = vec![false; text.len()];
        let mut previous_end = 0;
        for &(s, e) in &ranges {
            check_range(&text, (s, e));
            prop_assert!(s < e, "empty sentence");
            prop_assert!(s >= previous_end, "sentences overlap or are out of order");
            let piece = &text[s..e];
            prop_assert_eq!(piece.trim(), piece, "sentence not trimmed");
            covered[s..e].iter_mut().for_each(|c| *c = true);
            previous_end = e;
        }
        for (i, c) in text.char_indices() {
            if !c.is_whitespace() {
                prop_assert!(covered[i], "char {:?} at {} not in any sentence", c, i);
            }
        }
    }

    #[test]
    fn dates_never_panic_and_cite_valid_ranges(text in any_text(), email in any::<bool>()) {
        let doc = ParsedDocument {
            parser: if email { "email" } else { "text" },
            subject: email.then(|| text.chars().take(10).collect()),
            document_date: email.then_some(time::macros::datetime!(2021-03-03 10:00 UTC)),
            text: text.clone(),
            ..Default::default()
        };
        for d in dates(&doc) {
            check_range(&text, d.sentence);
            if let Some(span) = d.span {
                check_range(&text, span);
                prop_assert!(d.sentence.0 <= span.0 && span.1 <= d.sentence.1, "date {:?} outside its sentence {:?}", span, d.sentence);
            }
            prop_assert!((1900..=2100).contains(&d.date.year()));
            prop_assert!((0.0..=1.0).contains(&d.confidence));
        }
    }

    #[test]
    fn entities_never_panic_and_cite_valid_ranges(text in any_text(), header in any_text()) {
        let doc = ParsedDocument {
            parser: "email",
            author: Some(header.clone()),
            recipients: vec![header, "Whitfield, Dana <d@x.example>".into()],
            text: text.clone(),
            ..Default::default()
        };
        let found = entities(&doc);
        let mut keys = std::collections::HashSet::new();
        for m in &found {
            prop_assert!(!m.normalized.trim().is_empty());
            prop_assert!(keys.insert((m.kind, m.normalized.clone(), m.span)), "duplicate mention");
            if let Some(span) = m.span {
                check_range(&text, span);
                prop_assert_eq!(&text[span.0..span.1], m.surface.as_str());
            }
        }
    }
}
