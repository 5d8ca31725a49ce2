//! How text becomes terms, the same way when indexing and when querying: words are runs of
//! letters and digits, each normalised with NFKC (ligatures such as `ﬁ`, full-width and other
//! compatibility characters), lower-cased and folded to ASCII where a letter has an ASCII
//! form (`Frösche` and `Frosche` are one term). Runs of CJK characters, written without
//! spaces, become overlapping bigrams (`東京都` → `東京`, `京都`), so a word inside a run is found
//! by the phrase of its own bigrams.

use std::str::CharIndices;

use tantivy::Index;
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, TextAnalyzer, Token, TokenStream, Tokenizer,
};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// The name the analyzer is registered under in the passage index.
pub(crate) const ANALYZER: &str = "docket_text";

/// Longest term kept, in bytes (longer ones are noise such as base64).
const MAX_TERM_BYTES: usize = 40;

/// The analyzer of every text field of the passage index, and of queries over them.
pub(crate) fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer)
        .filter(RemoveLongFilter::limit(MAX_TERM_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Register [`analyzer`] on `index`: needed after each open, as Tantivy keeps only its name.
pub(crate) fn register(index: &Index) {
    index.tokenizers().register(ANALYZER, analyzer());
}

/// Whether `c` belongs to a script written without spaces between words (Han, kana) or
/// usually searched by syllable pairs (Hangul).
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF        // Hangul Jamo
        | 0x3005..=0x3007      // 々 〆 〇
        | 0x3040..=0x30FF      // Hiragana, Katakana
        | 0x3100..=0x312F      // Bopomofo
        | 0x3130..=0x318F      // Hangul compatibility Jamo
        | 0x31F0..=0x31FF      // Katakana phonetic extensions
        | 0x3400..=0x4DBF      // CJK extension A
        | 0x4E00..=0x9FFF      // CJK unified ideographs
        | 0xA960..=0xA97F      // Hangul Jamo extended A
        | 0xAC00..=0xD7AF      // Hangul syllables
        | 0xF900..=0xFAFF      // CJK compatibility ideographs
        | 0xFF66..=0xFF9F      // half-width Katakana
        | 0x20000..=0x323AF // CJK extensions B..H
    )
}

/// Splits text into words and CJK bigrams (see the module's documentation); token offsets are
/// those of the original text, so highlights land on what the document says.
#[derive(Clone, Default)]
pub(crate) struct WordTokenizer;

/// The tokens of one text, found one at a time into a single reused [`Token`] (as Tantivy's
/// own tokenizers do): indexing runs every word of every passage through here, and a buffer
/// per word would be an allocation per word.
pub(crate) struct Words<'a> {
    text: &'a str,
    chars: CharIndices<'a>,
    /// (start, cjk) of the current stretch of one kind within a word.
    stretch: Option<(usize, bool)>,
    /// The previous CJK character's start (the first half of the next bigram).
    previous_cjk: Option<usize>,
    /// CJK characters in the current stretch so far.
    cjk_run: usize,
    /// Tokens given so far (the next token's position).
    given: usize,
    /// The end of the text was reached (its last stretch finished).
    ended: bool,
    token: Token,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = Words<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Words<'a> {
        Words {
            text,
            chars: text.char_indices(),
            stretch: None,
            previous_cjk: None,
            cjk_run: 0,
            given: 0,
            ended: false,
            token: Token::default(),
        }
    }
}

impl Words<'_> {
    /// Make `text[from..to]`, normalised, the current token.
    fn give(&mut self, from: usize, to: usize) {
        let word = &self.text[from..to];
        let token = &mut self.token;
        token.offset_from = from;
        token.offset_to = to;
        token.position = self.given;
        token.position_length = 1;
        token.text.clear();
        if word.is_ascii() || is_nfkc_quick(word.chars()) == IsNormalized::Yes {
            token.text.push_str(word);
        } else {
            token.text.extend(word.nfkc());
        }
        self.given += 1;
    }

    /// End the current stretch at `end`; true when that gave a token. A lone CJK character is
    /// its own term; longer runs were given as bigrams.
    fn finish(&mut self, end: usize) -> bool {
        match self.stretch.take() {
            Some((start, cjk)) if !cjk || self.cjk_run == 1 => {
                self.give(start, end);
                true
            }
            _ => false,
        }
    }
}

impl TokenStream for Words<'_> {
    fn advance(&mut self) -> bool {
        // Each character gives at most one token, so the scan stops at the first one.
        while let Some((at, c)) = self.chars.next() {
            // Most characters continue a word of letters and digits: nothing to do.
            if c.is_ascii_alphanumeric() && matches!(self.stretch, Some((_, false))) {
                continue;
            }
            if !c.is_alphanumeric() {
                let given = self.finish(at);
                self.previous_cjk = None;
                self.cjk_run = 0;
                if given {
                    return true;
                }
                continue;
            }
            let cjk = !c.is_ascii() && is_cjk(c);
            let mut given = false;
            match self.stretch {
                Some((_, kind)) if kind == cjk => {}
                _ => {
                    given = self.finish(at);
                    self.stretch = Some((at, cjk));
                    self.previous_cjk = None;
                    self.cjk_run = 0;
                }
            }
            if cjk {
                self.cjk_run += 1;
                if let Some(first) = self.previous_cjk {
                    self.give(first, at + c.len_utf8());
                    given = true;
                }
                self.previous_cjk = Some(at);
            }
            if given {
                return true;
            }
        }
        if self.ended {
            return false;
        }
        self.ended = true;
        self.finish(self.text.len())
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<String> {
        let mut a = analyzer();
        let mut stream = a.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        out
    }

    #[test]
    fn words_are_folded_and_normalised() {
        assert_eq!(terms("Die Frösche, O'Brien's"), ["die", "frosche", "o", "brien", "s"]);
        assert_eq!(terms("conﬁguration ﬂow"), ["configuration", "flow"]);
        assert_eq!(terms("ＡＢＣ１２３ Straße"), ["abc123", "strasse"]);
        assert_eq!(terms("[PB61]"), ["pb61"]);
    }

    #[test]
    fn cjk_runs_become_bigrams() {
        assert_eq!(terms("東京都庁"), ["東京", "京都", "都庁"]);
        assert_eq!(terms("東"), ["東"]);
        assert_eq!(terms("Tokyo東京2024"), ["tokyo", "東京", "2024"]);
        assert_eq!(terms("회의록 작성"), ["회의", "의록", "작성"]);
        assert_eq!(terms("ｶﾀｶﾅ"), ["カタ", "タカ", "カナ"]);
    }

    #[test]
    fn offsets_point_into_the_original_text() {
        let text = "a conﬁguration 東京都";
        let mut a = analyzer();
        let mut stream = a.token_stream(text);
        let mut spans = Vec::new();
        while stream.advance() {
            let t = stream.token();
            spans.push(&text[t.offset_from..t.offset_to]);
        }
        assert_eq!(spans, ["a", "conﬁguration", "東京", "京都"]);
    }

    /// The tokens the module's documentation describes, by another route: each run of letters
    /// and digits is cut where it passes between CJK and other characters; a CJK piece of two
    /// characters or more gives its overlapping bigrams, any other piece itself.
    fn described(text: &str) -> Vec<(usize, usize, usize, String)> {
        let mut spans = Vec::new();
        let mut piece: Vec<(usize, char)> = Vec::new();
        let close = |piece: &mut Vec<(usize, char)>, spans: &mut Vec<(usize, usize)>| {
            let end = |(at, c): (usize, char)| at + c.len_utf8();
            match piece.as_slice() {
                [] => {}
                [(_, c), _, ..] if is_cjk(*c) => spans.extend(piece.windows(2).map(|w| (w[0].0, end(w[1])))),
                [first, ..] => spans.push((first.0, end(piece[piece.len() - 1]))),
            }
            piece.clear();
        };
        for (at, c) in text.char_indices() {
            let kind_changes = piece.last().is_some_and(|&(_, last)| is_cjk(last) != is_cjk(c));
            if !c.is_alphanumeric() || kind_changes {
                close(&mut piece, &mut spans);
            }
            if c.is_alphanumeric() {
                piece.push((at, c));
            }
        }
        close(&mut piece, &mut spans);
        spans.into_iter().enumerate().map(|(n, (from, to))| (from, to, n, text[from..to].nfkc().collect())).collect()
    }

    fn streamed(text: &str) -> Vec<(usize, usize, usize, String)> {
        let mut tokenizer = WordTokenizer;
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            let t = stream.token();
            out.push((t.offset_from, t.offset_to, t.position, t.text.clone()));
        }
        // Once ended, the stream stays ended.
        assert!(!stream.advance());
        out
    }

    proptest::proptest! {
        #[test]
        fn the_stream_gives_the_described_tokens(
            mixed in proptest::collection::vec(proptest::sample::select(vec![
                'a', 'Z', '7', ' ', '\'', '-', '.', 'ö', 'ß', 'ﬁ', 'Ａ', '１', '東', '京', '々', 'カ', 'ｶ', '회',
                '의', '\u{301}', '\n', '𠀀',
            ]), 0..40),
            any_text in "\\PC{0,40}",
        ) {
            let mixed: String = mixed.into_iter().collect();
            for text in [mixed.as_str(), any_text.as_str()] {
                proptest::prop_assert_eq!(streamed(text), described(text));
            }
        }
    }
}
