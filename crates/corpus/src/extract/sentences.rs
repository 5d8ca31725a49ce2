//! Sentence boundaries by punctuation and layout, aware of legal and business abbreviations.

use std::sync::LazyLock;

/// A sentence longer than this is cut (at a line break or a space) so that a citation or a
/// summary built from one stays readable even for text without punctuation.
const MAX_SENTENCE_BYTES: usize = 2_000;

/// Words that end in a period without ending a sentence (compared case-insensitively,
/// without the period).
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "mx", "dr", "prof", "sr", "jr", "st", "mt", "hon", "rev", "gen", "col", "capt", "lt", "sgt",
    "gov", "sen", "rep", "pres", "supt", "esq", "messrs", "inc", "ltd", "co", "corp", "bros", "no", "nos", "v", "vs",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mon", "tue", "tues", "wed",
    "thu", "thur", "thurs", "fri", "sat", "sun", "approx", "dept", "est", "fig", "figs", "al", "cf", "ex", "exh",
    "para", "paras", "pp", "p", "sec", "secs", "art", "ch", "cl", "vol", "ed", "eds", "cir", "app", "supp", "civ",
    "crim", "dist", "ct", "cal", "fla", "tex", "mass", "conn", "ill", "pa", "ariz", "colo", "del", "ga", "md", "mich",
    "minn", "wash", "wis", "ave", "blvd", "rd", "ste", "fl", "att", "attn", "tel", "fax", "ref", "re", "viz", "ca",
    "cent", "admin", "assn", "assoc", "intl", "natl", "mfg", "ry",
];

/// Byte ranges of sentences: split after `.`, `!` or `?` (and closing quotes or brackets) when
/// whitespace and then a capital letter, a digit or an opening quote follow; at blank lines;
/// and before bulleted lines. Every range is trimmed, on char boundaries, in order and
/// non-overlapping, and together they cover every non-whitespace character.
pub(crate) fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (start, end) in blocks(text) {
        split_block(text, start, end, &mut out);
    }
    out
}

/// Runs of non-blank lines, as byte ranges.
fn blocks(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, usize)> = None;
    let mut offset = 0;
    for line in text.split('\n') {
        let line_end = offset + line.len();
        if line.trim().is_empty() {
            if let Some(block) = current.take() {
                out.push(block);
            }
        } else {
            current = Some(current.map_or((offset, line_end), |(s, _)| (s, line_end)));
        }
        offset = line_end + 1;
    }
    if let Some(block) = current {
        out.push(block);
    }
    out
}

/// Whether a byte may start a char that can end a sentence or start a bulleted line: `.`, `!`,
/// `?`, a line break, or the first byte of `…` (shared with other chars, checked after).
fn is_candidate_byte(b: u8) -> bool {
    matches!(b, b'.' | b'!' | b'?' | b'\n' | 0xE2)
}

/// Position of the first candidate byte at or after `from`. Eight bytes at a time are tested
/// at once, as a `u64`: a byte of `word ^ [b; 8]` is zero where `word` holds `b`, and
/// `(x - 0x01..01) & !x & 0x80..80` is non-zero exactly when some byte of `x` is zero.
fn next_candidate(bytes: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let holds = |word: u64, b: u8| {
        let x = word ^ (ONES * u64::from(b));
        x.wrapping_sub(ONES) & !x & HIGHS != 0
    };
    let mut at = from;
    while let Some(&block) = bytes.get(at..).and_then(|rest| rest.first_chunk::<8>()) {
        let word = u64::from_ne_bytes(block);
        if holds(word, b'.') | holds(word, b'!') | holds(word, b'?') | holds(word, b'\n') | holds(word, 0xE2) {
            break;
        }
        at += 8;
    }
    bytes[at..].iter().position(|&b| is_candidate_byte(b)).map(|p| at + p)
}

fn split_block(text: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let block = &text[start..end];
    let bytes = block.as_bytes();
    let mut sentence_start = 0;
    // Only the chars starting with a candidate byte matter; the others are skipped bytewise.
    let mut next = 0;
    while let Some(i) = next_candidate(bytes, next) {
        let Some(c) = block[i..].chars().next() else { break };
        next = i + c.len_utf8();
        let boundary = match c {
            '.' | '!' | '?' | '\u{2026}' => {
                let mut after = i + c.len_utf8();
                for following in block[after..].chars() {
                    if is_closing(following) || (following == '.' && c == '.') {
                        after += following.len_utf8();
                    } else {
                        break;
                    }
                }
                next = after;
                let rest = &block[after..];
                let trimmed = rest.trim_start();
                let has_space = trimmed.len() < rest.len();
                let starts_sentence = trimmed.chars().next().is_some_and(|n| {
                    n.is_uppercase() || n.is_ascii_digit() || (is_opening(n) && second_starts(trimmed))
                });
                let abbreviation = c == '.' && after == i + 1 && is_abbreviation(&block[sentence_start..i]);
                (has_space && starts_sentence && !abbreviation).then_some(after)
            }
            '\n' if starts_with_bullet(&block[i + 1..]) => Some(i),
            _ => None,
        };
        if let Some(split_at) = boundary {
            push_trimmed(text, start + sentence_start, start + split_at, out);
            sentence_start = split_at;
        }
    }
    push_trimmed(text, start + sentence_start, end, out);
}

fn second_starts(s: &str) -> bool {
    s.chars().nth(1).is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
}

fn is_closing(c: char) -> bool {
    matches!(c, '"' | '\'' | ')' | ']' | '\u{201D}' | '\u{2019}' | '\u{BB}')
}

fn is_opening(c: char) -> bool {
    matches!(c, '"' | '\'' | '(' | '[' | '\u{201C}' | '\u{2018}' | '\u{AB}')
}

/// Whether the word just before a period is an abbreviation, an initial ("J.") or a dotted
/// short form ("U.S", "e.g", "S.A").
fn is_abbreviation(before: &str) -> bool {
    let word = before.rsplit(char::is_whitespace).next().unwrap_or("");
    let word = word.trim_start_matches(|c: char| !c.is_alphanumeric());
    if word.is_empty() {
        return false;
    }
    let mut chars = word.chars();
    if let (Some(first), None) = (chars.next(), chars.next()) {
        return first.is_alphabetic();
    }
    if word.contains('.') {
        return word
            .split('.')
            .all(|part| (1..=2).contains(&part.chars().count()) && part.chars().all(char::is_alphabetic));
    }
    is_listed_abbreviation(word)
}

/// Length of the longest of [`ABBREVIATIONS`] ("messrs").
const LONGEST_ABBREVIATION: usize = 6;

/// Whether `word` is in [`ABBREVIATIONS`], ignoring ASCII case.
fn is_listed_abbreviation(word: &str) -> bool {
    /// [`ABBREVIATIONS`] sorted, for a binary search.
    static SORTED: LazyLock<Vec<&str>> = LazyLock::new(|| {
        let mut sorted = ABBREVIATIONS.to_vec();
        sorted.sort_unstable();
        sorted
    });
    // The list is ASCII: a longer word or one with other chars is not in it.
    if word.len() > LONGEST_ABBREVIATION || !word.is_ascii() {
        return false;
    }
    let mut lower = [0u8; LONGEST_ABBREVIATION];
    lower[..word.len()].copy_from_slice(word.as_bytes());
    lower.make_ascii_lowercase();
    let lower = std::str::from_utf8(&lower[..word.len()]).unwrap_or_default();
    SORTED.binary_search(&lower).is_ok()
}

/// A line starting with "-", "*", "•" or "1." / "1)" followed by a space.
fn starts_with_bullet(line: &str) -> bool {
    let line = line.trim_start_matches([' ', '\t']);
    let mut chars = line.chars();
    match chars.next() {
        Some('-' | '*' | '\u{2022}' | '\u{2013}') => chars.next() == Some(' '),
        Some(c) if c.is_ascii_digit() => {
            let digits = line.bytes().take_while(u8::is_ascii_digit).count();
            digits <= 3 && matches!(line.as_bytes().get(digits..digits + 2), Some([b'.' | b')', b' ']))
        }
        _ => false,
    }
}

fn push_trimmed(text: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let piece = &text[start..end];
    let lead = piece.len() - piece.trim_start().len();
    let trail = piece.len() - piece.trim_end().len();
    let (mut s, e) = (start + lead, end - trail);
    while e > s {
        if e - s <= MAX_SENTENCE_BYTES {
            out.push((s, e));
            return;
        }
        let cut = long_cut(text, s, s + MAX_SENTENCE_BYTES);
        let head = &text[s..cut];
        out.push((s, s + head.trim_end().len()));
        let rest = &text[cut..e];
        s = cut + (rest.len() - rest.trim_start().len());
    }
}

/// Where to cut a too-long sentence before `limit`: the last line break, else the last space,
/// else the last char boundary.
fn long_cut(text: &str, start: usize, limit: usize) -> usize {
    let mut limit = limit.min(text.len());
    while !text.is_char_boundary(limit) {
        limit -= 1;
    }
    let window = &text[start..limit];
    let half = window.len() / 2;
    window
        .rfind('\n')
        .filter(|&p| p > half)
        .or_else(|| window.rfind(char::is_whitespace).filter(|&p| p > half))
        .map_or(limit, |p| start + p)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::extract::anchored::test_text;

    /// The sentences as first split, a char at a time: the reference for the faster scan.
    fn sentences_reference(text: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for (start, end) in blocks(text) {
            let block = &text[start..end];
            let mut sentence_start = 0;
            let mut iter = block.char_indices().peekable();
            while let Some((i, c)) = iter.next() {
                let boundary = match c {
                    '.' | '!' | '?' | '\u{2026}' => {
                        let mut after = i + c.len_utf8();
                        while let Some(&(j, next)) = iter.peek() {
                            if is_closing(next) || (next == '.' && c == '.') {
                                after = j + next.len_utf8();
                                iter.next();
                            } else {
                                break;
                            }
                        }
                        let rest = &block[after..];
                        let trimmed = rest.trim_start();
                        let has_space = trimmed.len() < rest.len();
                        let starts_sentence = trimmed.chars().next().is_some_and(|n| {
                            n.is_uppercase() || n.is_ascii_digit() || (is_opening(n) && second_starts(trimmed))
                        });
                        let abbreviation = c == '.' && after == i + 1 && is_abbreviation(&block[sentence_start..i]);
                        (has_space && starts_sentence && !abbreviation).then_some(after)
                    }
                    '\n' if starts_with_bullet(&block[i + 1..]) => Some(i),
                    _ => None,
                };
                if let Some(split_at) = boundary {
                    push_trimmed(text, start + sentence_start, start + split_at, &mut out);
                    sentence_start = split_at;
                }
            }
            push_trimmed(text, start + sentence_start, end, &mut out);
        }
        out
    }

    proptest! {
        #[test]
        fn sentences_match_reference(text in test_text::texts()) {
            prop_assert_eq!(sentences(&text), sentences_reference(&text));
        }

        #[test]
        fn candidates_are_found_bytewise(
            bytes in prop::collection::vec(prop::sample::select(&b"..!?\n\xE2\x80\xA6ab  12"[..]), 0..100),
            from in 0usize..100,
        ) {
            let bytes = bytes.as_slice();
            let from = from.min(bytes.len());
            let naive = bytes[from..].iter().position(|&b| is_candidate_byte(b)).map(|p| from + p);
            prop_assert_eq!(next_candidate(bytes, from), naive);
        }
    }

    fn split(text: &str) -> Vec<&str> {
        sentences(text).into_iter().map(|(s, e)| &text[s..e]).collect()
    }

    #[test]
    fn basic_and_abbreviations() {
        assert_eq!(
            split("Mr. John Smith met Dr. Lee at Acme Inc. on Mar. 3. He left! Did he? Yes."),
            vec!["Mr. John Smith met Dr. Lee at Acme Inc. on Mar. 3.", "He left!", "Did he?", "Yes."]
        );
        assert_eq!(
            split("See Harbor v. Meridian, No. 21-1234. The U.S. Court agreed."),
            vec!["See Harbor v. Meridian, No. 21-1234.", "The U.S. Court agreed."]
        );
        assert_eq!(split("Signed by J. R. Smith. Then filed."), vec!["Signed by J. R. Smith.", "Then filed."]);
        assert_eq!(split("It cost $1.5 million. 2021 was hard."), vec!["It cost $1.5 million.", "2021 was hard."]);
        assert_eq!(
            split("He said \"stop.\" Then \"Go.\" (Really.) Done"),
            vec!["He said \"stop.\"", "Then \"Go.\"", "(Really.)", "Done"]
        );
        assert_eq!(split("lower. case does not split"), vec!["lower. case does not split"]);
        assert_eq!(split("Wait... Then go"), vec!["Wait...", "Then go"]);
    }

    #[test]
    fn abbreviation_lookup() {
        // The lookup lower-cases words of at most LONGEST_ABBREVIATION ASCII chars.
        assert!(
            ABBREVIATIONS.iter().all(|a| a.len() <= LONGEST_ABBREVIATION && a.is_ascii() && *a == a.to_lowercase())
        );
        assert!(is_listed_abbreviation("Messrs") && is_listed_abbreviation("INC") && is_listed_abbreviation("v"));
        assert!(
            !is_listed_abbreviation("messrs.") && !is_listed_abbreviation("Décembre") && !is_listed_abbreviation("")
        );
    }

    #[test]
    fn blank_lines_and_bullets() {
        assert_eq!(
            split("Subject line\n\n  Body one\ncontinues.  \n\n\n- a\n- b\n1. c"),
            vec!["Subject line", "Body one\ncontinues.", "- a", "- b", "1. c"]
        );
        assert!(split(" \n\t\n ").is_empty());
    }

    #[test]
    fn long_runs_are_cut() {
        let text = "word ".repeat(1000);
        let ranges = sentences(&text);
        assert!(ranges.len() >= 3);
        assert!(ranges.iter().all(|(s, e)| e - s <= MAX_SENTENCE_BYTES));
        let no_spaces = "é".repeat(3000);
        let ranges = sentences(&no_spaces);
        assert_eq!(ranges.first().map(|r| r.0), Some(0));
        assert_eq!(ranges.last().map(|r| r.1), Some(no_spaces.len()));
    }
}
