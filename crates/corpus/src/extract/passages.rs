//! Passages: the units the passage index holds and searches return, one to three sentences
//! of a document's text.

use crate::util::slice;

/// Passages aim for this many bytes...
const PASSAGE_TARGET_BYTES: usize = 600;
/// ...and hold at most this many sentences.
const PASSAGE_MAX_SENTENCES: usize = 3;
/// A single sentence longer than this is cut at whitespace into pieces of about the target.
const PASSAGE_HARD_MAX_BYTES: usize = 1_000;

/// Split `text` into passages of one to three sentences (about 600 bytes), as byte ranges.
pub(crate) fn passages(text: &str) -> Vec<(usize, usize)> {
    passages_of(text, &super::sentences(text))
}

/// [`passages`] of `text` from its sentences, already found.
pub(crate) fn passages_of(text: &str, sentences: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut pieces: Vec<(usize, usize)> = Vec::new();
    for &(s, e) in sentences {
        // Sentence ranges come from another module; only well-formed, in-order ranges are used
        // so a bad range can never make slicing panic or passages overlap.
        let Some(sentence) = slice(text, s, e) else { continue };
        if sentence.trim().is_empty() || pieces.last().is_some_and(|&(_, pe)| s < pe) {
            continue;
        }
        if e - s > PASSAGE_HARD_MAX_BYTES {
            split_long(text, s, e, &mut pieces);
        } else {
            pieces.push((s, e));
        }
    }
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut current: Option<(usize, usize, usize)> = None;
    for (s, e) in pieces {
        current = match current {
            Some((cs, _, n)) if n < PASSAGE_MAX_SENTENCES && e - cs <= PASSAGE_TARGET_BYTES => Some((cs, e, n + 1)),
            Some((cs, ce, _)) => {
                out.push((cs, ce));
                Some((s, e, 1))
            }
            None => Some((s, e, 1)),
        };
    }
    if let Some((cs, ce, _)) = current {
        out.push((cs, ce));
    }
    out
}

fn split_long(text: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let mut s = start;
    while s < end {
        if end - s <= PASSAGE_HARD_MAX_BYTES {
            out.push((s, end));
            return;
        }
        let mut cut = s + PASSAGE_TARGET_BYTES;
        while cut < end && !text.is_char_boundary(cut) {
            cut += 1;
        }
        // Prefer to cut after a space within the next stretch, so words stay whole.
        let mut window_end = (s + PASSAGE_HARD_MAX_BYTES).min(end);
        while window_end > cut && !text.is_char_boundary(window_end) {
            window_end -= 1;
        }
        if let Some(window) = slice(text, cut, window_end)
            && let Some((rel, c)) = window.char_indices().find(|(_, c)| c.is_whitespace())
        {
            cut += rel + c.len_utf8();
        }
        if cut >= end {
            out.push((s, end));
            return;
        }
        out.push((s, cut));
        s = cut;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_into_bounded_passages_on_char_boundaries() {
        let text = "Zoë signed the agreement on behalf of the company. ".repeat(200);
        let ps = passages(&text);
        assert!(ps.len() > 10);
        let mut prev_end = 0;
        for &(s, e) in &ps {
            assert!(s >= prev_end && e > s);
            assert!(e - s <= PASSAGE_HARD_MAX_BYTES, "{}", e - s);
            assert!(text.get(s..e).is_some());
            prev_end = e;
        }
        assert_eq!(ps.last().map(|p| p.1), Some(text.trim_end().len()));
    }

    #[test]
    fn blank_text_has_no_passages() {
        assert!(passages("  \n ").is_empty());
        assert_eq!(passages("Short."), vec![(0, 6)]);
    }
}
