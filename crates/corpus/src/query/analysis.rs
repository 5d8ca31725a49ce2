//! How text becomes terms, the same way when indexing and when querying: words are runs of
//! letters and digits, each normalised with NFKC (ligatures such as `ﬁ`, full-width and other
//! compatibility characters), lower-cased and folded to ASCII where a letter has an ASCII
//! form (`Frösche` and `Frosche` are one term). Runs of CJK characters, written without
//! spaces, become overlapping bigrams (`東京都` → `東京`, `京都`), so a word inside a run is found
//! by the phrase of its own bigrams.

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

/// The tokens of one text, computed at once.
pub(crate) struct Words {
    tokens: Vec<Token>,
    next: usize,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = Words;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Words {
        Words { tokens: words(text), next: 0 }
    }
}

impl TokenStream for Words {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

fn nfkc(s: &str) -> String {
    if s.is_ascii() || is_nfkc_quick(s.chars()) == IsNormalized::Yes { s.to_owned() } else { s.nfkc().collect() }
}

fn words(text: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let push = |from: usize, to: usize, out: &mut Vec<Token>| {
        let position = out.len();
        out.push(Token { offset_from: from, offset_to: to, position, text: nfkc(&text[from..to]), position_length: 1 });
    };
    // (start, cjk) of the current stretch of one kind within a word, and the previous CJK
    // character's start (the first half of the next bigram).
    let mut stretch: Option<(usize, bool)> = None;
    let mut previous_cjk: Option<usize> = None;
    let mut cjk_run = 0usize;
    let finish = |stretch: Option<(usize, bool)>, end: usize, cjk_run: usize, out: &mut Vec<Token>| {
        // A lone CJK character is its own term; longer runs were emitted as bigrams.
        if let Some((start, cjk)) = stretch
            && (!cjk || cjk_run == 1)
        {
            push(start, end, out);
        }
    };
    for (at, c) in text.char_indices() {
        if !c.is_alphanumeric() {
            finish(stretch.take(), at, cjk_run, &mut out);
            previous_cjk = None;
            cjk_run = 0;
            continue;
        }
        let cjk = is_cjk(c);
        match stretch {
            Some((_, kind)) if kind == cjk => {}
            _ => {
                finish(stretch.take(), at, cjk_run, &mut out);
                stretch = Some((at, cjk));
                previous_cjk = None;
                cjk_run = 0;
            }
        }
        if cjk {
            cjk_run += 1;
            if let Some(first) = previous_cjk {
                push(first, at + c.len_utf8(), &mut out);
            }
            previous_cjk = Some(at);
        }
    }
    finish(stretch, text.len(), cjk_run, &mut out);
    out
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
}
