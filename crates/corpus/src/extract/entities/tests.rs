use std::ops::Range;

use proptest::prelude::*;

use super::case_numbers::*;
use super::headers::*;
use super::money::*;
use super::organizations::*;
use super::people::*;
use crate::extract::anchored::{AnchoredRegex, test_text};

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
