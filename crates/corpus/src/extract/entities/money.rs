//! Money amounts with their currency, normalised to two decimals.

use std::sync::LazyLock;

use regex::Regex;

use super::{Found, is_blank};
use crate::extract::anchored::{AnchoredRegex, Reach, Window, digit_at, utf8_len, walk_back, walk_forward};
use crate::model::EntityKind;
use crate::parse::clean::re;

pub(super) const AMOUNT: &str = r"(?P<int>\d{1,3}(?:,\d{3})+|\d{1,15})(?:\.(?P<frac>\d{1,6}))?";
pub(super) const MULTIPLIER: &str = r"(?:[ \t]*(?P<mult>(?i:million|billion|thousand|trillion)|mn|bn|MM|[mMbBkK])\b)?";

/// Anchored on the currency sign when a digit follows it (after at most one space); a match
/// starts at most 4 bytes before it ("U.S.$").
pub(super) static MONEY_SYMBOL: LazyLock<AnchoredRegex> = LazyLock::new(|| {
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
pub(super) static MONEY_CODE: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"\b(?P<cur>USD|EUR|GBP|JPY|CHF|CAD|AUD)[ \t]?{AMOUNT}{MULTIPLIER}")));
/// Anchored on the currency word; before it come only the amount, spaces, a multiplier and
/// "US" (at most 10 letters), after it at most "pounds sterling" and the char the final word
/// boundary looks at.
pub(super) static MONEY_WORDS: LazyLock<AnchoredRegex> = LazyLock::new(|| {
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

pub(super) fn money(text: &str, found: &mut Found) {
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

pub(super) fn currency_code(written: &str) -> &'static str {
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
pub(super) fn scale_decimal(int: &str, frac: &str, zeros: usize) -> String {
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
