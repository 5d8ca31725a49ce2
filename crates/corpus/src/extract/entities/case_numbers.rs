//! Court case numbers (`1:21-cv-01234-ABC`, `Case No. 2021-000123`).

use std::sync::LazyLock;

use super::lexicon::*;
use super::{Found, is_blank};
use crate::extract::anchored::{AnchoredRegex, Reach, Window, digit_before, walk_back};
use crate::model::EntityKind;
use crate::parse::clean::re;

/// Anchored on the separator after the number's first digits (`1:`, `21-`, `2021-`), which
/// is followed by a digit or a letter; a match starts at most a label, "No." and four digits
/// (32 chars besides spaces) before it. A window is verified with the start of the number only
/// (a bounded pattern; the full one may go on with any number of `-ABC`).
pub(super) static CASE_NUMBER: LazyLock<AnchoredRegex> = LazyLock::new(|| {
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

pub(super) fn case_numbers(text: &str, found: &mut Found) {
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
pub(super) fn preceded_by_non_case_label(text: &str, start: usize) -> bool {
    let before = text[..start].trim_end_matches([' ', '\t', ':', '#']);
    let word: String = before.chars().rev().take_while(|c| c.is_alphanumeric() || *c == '.').collect();
    let word: String = word.chars().rev().collect::<String>().trim_end_matches('.').to_lowercase();
    NOT_CASE_LABELS.contains(&word.as_str())
}

/// "1:21-CV-01234-ABC" -> "1:21-cv-01234-ABC": the case-type letters are case-insensitive,
/// the judge's initials are not.
pub(super) fn normalize_case_number(num: &str) -> String {
    num.split('-')
        .enumerate()
        .map(|(i, part)| {
            if i == 1 && part.chars().all(|c| c.is_ascii_alphabetic()) { part.to_lowercase() } else { part.to_owned() }
        })
        .collect::<Vec<_>>()
        .join("-")
}
