//! Byte decoding and text sanitising shared by every parser.
//!
//! Citations are byte offsets into the cleaned text, so cleaning happens once, here, before
//! anything else sees the text.

/// Decode a text file: UTF-8 (BOM stripped), UTF-16 with a BOM, else Windows-1252 when the
/// bytes hold no valid multi-byte UTF-8 at all, else lossy UTF-8.
pub(crate) fn decode_text(bytes: &[u8]) -> String {
    // A BOM names the encoding (UTF-8, UTF-16LE or UTF-16BE) and is dropped.
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return text.into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => {
            let lossy = String::from_utf8_lossy(bytes);
            // A file with no valid multi-byte sequence is almost surely a legacy single-byte
            // encoding (smart quotes from Word exports); one with some is damaged UTF-8.
            let has_real_utf8 = lossy.chars().any(|c| !c.is_ascii() && c != char::REPLACEMENT_CHARACTER);
            if has_real_utf8 {
                lossy.into_owned()
            } else {
                encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0.into_owned()
            }
        }
    }
}

/// Sanitise extracted text: unify line breaks, drop control and invisible characters (keeping
/// `\n` and `\t`), turn exotic spaces into plain ones, collapse runs of spaces, trim lines, and
/// keep at most one blank line between paragraphs.
pub(crate) fn clean_text(input: &str) -> String {
    let mut out = Lines { out: String::with_capacity(input.len()), line_start: None, blank_run: 0 };
    let bytes = input.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        // Fast path: printable ASCII other than a space is kept as it is, a run at a time.
        let run = bytes[at..].iter().take_while(|b| (0x21..=0x7E).contains(*b)).count();
        if run > 0 {
            out.push_str(&input[at..at + run]);
            at += run;
            continue;
        }
        let Some(c) = input[at..].chars().next() else { break };
        at += c.len_utf8();
        match c {
            '\r' => {
                if bytes.get(at) == Some(&b'\n') {
                    at += 1;
                }
                out.end_line();
            }
            '\n' | '\u{0B}' | '\u{85}' | '\u{2028}' => out.end_line(),
            // Form feed and paragraph separator end a page or a paragraph: a blank line.
            '\u{0C}' | '\u{2029}' => {
                out.end_line();
                out.blank_run += 1;
            }
            '\t' => out.push_space('\t'),
            c if is_space(c) => out.push_space(' '),
            c if c.is_control() || is_invisible(c) => {}
            c => out.push_str(c.encode_utf8(&mut [0; 4])),
        }
    }
    out.end_line();
    out.out
}

/// The cleaned text, written line by line straight into the output: a line's break goes in
/// before its first char that is not a space, so a line that stays blank leaves no trace.
struct Lines {
    out: String,
    /// Where the current line's text starts, once it has some.
    line_start: Option<usize>,
    /// Blank lines (and page breaks) since the last line with text.
    blank_run: usize,
}

impl Lines {
    fn push_str(&mut self, text: &str) {
        if self.line_start.is_none() {
            if !self.out.is_empty() {
                self.out.push_str(if self.blank_run > 0 { "\n\n" } else { "\n" });
            }
            self.line_start = Some(self.out.len());
        }
        self.out.push_str(text);
    }

    /// Collapse whitespace runs: a lone tab survives, anything longer becomes one space. Spaces
    /// at the start of a line are never written, those at its end are dropped by `end_line`.
    fn push_space(&mut self, c: char) {
        if self.line_start.is_none() {
            return;
        }
        match self.out.as_bytes().last() {
            Some(b' ') => {}
            Some(b'\t') => {
                self.out.pop();
                self.out.push(' ');
            }
            _ => self.out.push(c),
        }
    }

    fn end_line(&mut self) {
        match self.line_start.take() {
            // The line starts with text, so trimming its one trailing space leaves some.
            Some(_) => {
                if self.out.ends_with([' ', '\t']) {
                    self.out.pop();
                }
                self.blank_run = 0;
            }
            None => self.blank_run += 1,
        }
    }
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}')
}

fn is_invisible(c: char) -> bool {
    matches!(c, '\u{AD}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}')
}

/// Collapse a one-line value (title, subject, name) to single spaces, or None when empty.
pub(crate) fn clean_line(value: &str) -> Option<String> {
    let joined = value
        .split(|c: char| c.is_whitespace() || c.is_control() || is_invisible(c))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if joined.is_empty() { None } else { Some(joined) }
}

/// Compile a pattern written in this crate's source. Only a typo in a literal can fail, and
/// every pattern is exercised by the tests, so failing loudly is right.
pub(crate) fn re(pattern: &str) -> regex::Regex {
    regex::Regex::new(pattern).unwrap_or_else(|e| panic!("invalid built-in pattern {pattern}: {e}"))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// `clean_text` as first written, a char at a time through a line buffer: the reference
    /// for the faster one.
    fn clean_text_reference(input: &str) -> String {
        let mut out = String::with_capacity(input.len());
        let mut line = String::new();
        let mut blank_run = 0usize;
        let mut chars = input.chars().peekable();
        let flush = |line: &mut String, out: &mut String, blank_run: &mut usize| {
            let trimmed = line.trim_matches(|c| c == ' ' || c == '\t');
            if trimmed.is_empty() {
                *blank_run += 1;
            } else {
                if !out.is_empty() {
                    out.push_str(if *blank_run > 0 { "\n\n" } else { "\n" });
                }
                out.push_str(trimmed);
                *blank_run = 0;
            }
            line.clear();
        };
        let push_space = |line: &mut String, c: char| match line.chars().last() {
            Some(' ') => {}
            Some('\t') => {
                line.pop();
                line.push(' ');
            }
            _ => line.push(c),
        };
        while let Some(c) = chars.next() {
            match c {
                '\r' => {
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    flush(&mut line, &mut out, &mut blank_run);
                }
                '\n' | '\u{0B}' | '\u{85}' | '\u{2028}' => flush(&mut line, &mut out, &mut blank_run),
                '\u{0C}' | '\u{2029}' => {
                    flush(&mut line, &mut out, &mut blank_run);
                    blank_run += 1;
                }
                '\t' => push_space(&mut line, '\t'),
                c if is_space(c) => push_space(&mut line, ' '),
                c if c.is_control() || is_invisible(c) => {}
                c => line.push(c),
            }
        }
        flush(&mut line, &mut out, &mut blank_run);
        out
    }

    proptest! {
        #[test]
        fn clean_text_matches_reference(text in crate::extract::anchored::test_text::texts()) {
            prop_assert_eq!(clean_text(&text), clean_text_reference(&text));
        }

        #[test]
        fn clean_text_matches_reference_on_any_chars(text in "(?s).{0,200}") {
            prop_assert_eq!(clean_text(&text), clean_text_reference(&text));
        }
    }

    #[test]
    fn clean_text_edge_cases() {
        for text in [
            "",
            " ",
            "\n\n",
            "\u{0C}",
            "a\u{0C}",
            "\u{0C}a",
            "a\u{0C}\u{0C}b",
            "a \t\u{a0}\n\t b\t",
            "\r\r\n\ra",
            "é \u{200b} ü",
        ] {
            assert_eq!(clean_text(text), clean_text_reference(text), "{text:?}");
        }
    }

    #[test]
    fn cleans_controls_and_spacing() {
        let raw = "\u{FEFF}Title\r\n\r\n\r\n\r\nA\u{0}B  \t C\u{A0}\u{A0}D\t\n  indented  \n\u{0C}next";
        assert_eq!(clean_text(raw), "Title\n\nAB C D\nindented\n\nnext");
    }

    #[test]
    fn keeps_single_tab() {
        assert_eq!(clean_text("a\tb"), "a\tb");
    }

    #[test]
    fn decodes_boms_and_legacy() {
        assert_eq!(decode_text(b"\xEF\xBB\xBFhi"), "hi");
        assert_eq!(decode_text(b"\xFF\xFEh\0i\0"), "hi");
        assert_eq!(decode_text(b"\x93quoted\x94 \x80 5"), "\u{201C}quoted\u{201D} € 5");
        assert_eq!(decode_text("caf\u{e9} \u{ff}".as_bytes()), "caf\u{e9} \u{ff}");
        assert_eq!(decode_text(b"caf\xC3\xA9 \xFF"), "caf\u{e9} \u{FFFD}");
    }
}
