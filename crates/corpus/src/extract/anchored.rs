//! Searching a pattern only near its anchors: the extractors' slow patterns, with the very
//! matches of a plain regex search, at a fraction of its cost on ordinary prose.

/// A regex searched only where a match is possible, with the very matches of
/// [`regex::Regex::captures_iter`].
///
/// Most extraction patterns match rarely and begin with nothing a regex engine can skip to (a
/// word boundary and a digit or capital letter), so a plain search runs its automaton over every
/// byte of the text. Every match of these patterns holds an *anchor*, a piece found much faster
/// (a currency sign, a company suffix, a role word); a match lies within a few words of it. The
/// search therefore hops from anchor to anchor:
///
/// 1. find the first anchor at or after the end of the previous match, with Aho-Corasick (which
///    uses `memchr` or SIMD for such literals), and keep it if `accept` says a match can hold
///    it there (cheap byte checks). Its SIMD search (Teddy) sorts the literals into a few
///    buckets and loses precision as more literals share one, so a long list is split into
///    automata of [`ANCHORS_PER_AUTOMATON`] literals (measured: 4 automata of 10 role words
///    search 3 times faster than one of 40);
/// 2. `window` bounds where a match holding that anchor can start (walking back over the few
///    words allowed before it), and, if the pattern's length after the anchor is bounded, where
///    it ends;
/// 3. with an end, the verifier (the pattern itself, or a looser bounded one) is run over that
///    window only; when it finds nothing, no match holds this anchor and the next one is tried;
/// 4. otherwise the pattern is searched from the window's start in the whole text (so word
///    boundaries see the real neighbours): no match starts between the previous match and the
///    window's start, so the leftmost match from there is the one `captures_iter` yields next.
///
/// A window's text is searched as `&text[..end]`: cut there, a match ending before `end` (its
/// look-ahead included) is still found, so finding none proves there is none. Anchors in a long
/// run of words can make windows overlap; once the walking and verifying done exceeds a few
/// times the text's length, the search falls back to the plain regex, so the cost is never more
/// than a constant factor over a plain search.
///
/// The patterns used this way never match the empty string, so successive matches are simply
/// searched from the previous match's end, as `captures_iter` does. The unit tests of each
/// pattern compare both searches on generated texts.
pub(crate) struct AnchoredRegex {
    regex: regex::Regex,
    verifier: Option<regex::Regex>,
    anchors: Vec<aho_corasick::AhoCorasick>,
    accept: fn(&[u8], usize) -> bool,
    window: fn(&str, usize, usize) -> Window,
}

/// Literals per automaton of anchors (see [`AnchoredRegex`]).
const ANCHORS_PER_AUTOMATON: usize = 10;

/// Where a match holding an anchor can be: it starts at or after `start`, and, when `end` is
/// given, it ends, with any look-ahead at its end, at or before `end`.
pub(crate) struct Window {
    pub(crate) start: usize,
    pub(crate) end: Option<usize>,
}

impl AnchoredRegex {
    /// `anchors` are literals, one of which every match holds; `accept(bytes, at)` may reject an
    /// occurrence at `at` that no match can hold; `window(text, at, floor)` bounds the matches
    /// holding the anchor at `at` (its start never below `floor`, always on char boundaries).
    pub(crate) fn new(
        regex: regex::Regex,
        anchors: &[&str],
        accept: fn(&[u8], usize) -> bool,
        window: fn(&str, usize, usize) -> Window,
    ) -> AnchoredRegex {
        let anchors = anchors
            .chunks(ANCHORS_PER_AUTOMATON)
            .map(|literals| {
                // The prefilter does the searching; a contiguous NFA is quicker to build than
                // the DFA chosen by default and as fast behind it.
                aho_corasick::AhoCorasick::builder()
                    .match_kind(aho_corasick::MatchKind::LeftmostFirst)
                    .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
                    .build(literals)
                    .unwrap_or_else(|e| panic!("invalid built-in anchors: {e}"))
            })
            .collect();
        AnchoredRegex { regex, verifier: None, anchors, accept, window }
    }

    /// Verify windows with `verifier` instead of the pattern: a looser pattern of bounded length
    /// that matches inside every match of the pattern.
    pub(crate) fn with_verifier(mut self, verifier: regex::Regex) -> AnchoredRegex {
        self.verifier = Some(verifier);
        self
    }

    /// The plain pattern, to check the anchored search against.
    #[cfg(test)]
    pub(crate) fn regex(&self) -> &regex::Regex {
        &self.regex
    }

    /// The matches of the pattern in `text`, as [`regex::Regex::captures_iter`] yields them.
    pub(crate) fn captures_iter<'r, 't>(&'r self, text: &'t str) -> AnchoredMatches<'r, 't, regex::Captures<'t>> {
        AnchoredMatches { re: self, text, cursor: self.cursor(text), search: |re, text, at| re.captures_at(text, at) }
    }

    /// The matches of the pattern in `text`, as [`regex::Regex::find_iter`] yields them.
    pub(crate) fn find_iter<'r, 't>(&'r self, text: &'t str) -> AnchoredMatches<'r, 't, regex::Match<'t>> {
        AnchoredMatches { re: self, text, cursor: self.cursor(text), search: |re, text, at| re.find_at(text, at) }
    }

    fn cursor(&self, text: &str) -> Cursor {
        let next = self.anchors.iter().map(|automaton| Self::find(automaton, text, 0)).collect();
        Cursor { pos: 0, scan: 0, budget: 4 * text.len() + 4096, done: false, next }
    }

    /// Start of the leftmost literal of `automaton` starting at or after `from`.
    fn find(automaton: &aho_corasick::AhoCorasick, text: &str, from: usize) -> Option<usize> {
        automaton.find(aho_corasick::Input::new(text).span(from.min(text.len())..text.len())).map(|m| m.start())
    }

    /// The first accepted anchor starting at or after `from` (which never decreases).
    fn next_anchor(&self, text: &str, mut from: usize, next: &mut [Option<usize>]) -> Option<usize> {
        loop {
            for (automaton, found) in self.anchors.iter().zip(next.iter_mut()) {
                if found.is_some_and(|at| at < from) {
                    *found = Self::find(automaton, text, from);
                }
            }
            let at = next.iter().flatten().copied().min()?;
            if (self.accept)(text.as_bytes(), at) {
                return Some(at);
            }
            from = at + 1;
        }
    }

    /// Where to search for the next match: no match starts between the end of the previous one
    /// and the position returned; None when no match is left.
    fn next_start(&self, text: &str, cursor: &mut Cursor) -> Option<usize> {
        loop {
            if cursor.budget == 0 {
                return Some(cursor.pos);
            }
            let anchor = self.next_anchor(text, cursor.scan, &mut cursor.next)?;
            let window = (self.window)(text, anchor, cursor.pos);
            debug_assert!(cursor.pos <= window.start && window.start <= anchor);
            let walked = anchor - window.start + window.end.map_or(0, |end| end - window.start);
            cursor.budget = cursor.budget.saturating_sub(walked + 16);
            if let Some(end) = window.end {
                let verifier = self.verifier.as_ref().unwrap_or(&self.regex);
                if !verifier.is_match_at(&text[..end], window.start) {
                    cursor.scan = anchor + 1;
                    continue;
                }
            }
            return Some(window.start);
        }
    }
}

/// Progress of a search for successive matches.
struct Cursor {
    /// End of the previous match: where the next one may start.
    pos: usize,
    /// Where to look for the next anchor; anchors between `pos` and here hold no match.
    scan: usize,
    /// Bytes of walking and verifying left before falling back to a plain search.
    budget: usize,
    done: bool,
    /// Per automaton of anchors, its leftmost literal at or after some position not above
    /// `scan`, or None when there is none left.
    next: Vec<Option<usize>>,
}

/// Iterator of [`AnchoredRegex::captures_iter`] and [`AnchoredRegex::find_iter`].
pub(crate) struct AnchoredMatches<'r, 't, M> {
    re: &'r AnchoredRegex,
    text: &'t str,
    cursor: Cursor,
    search: fn(&regex::Regex, &'t str, usize) -> Option<M>,
}

/// What the iterators yield: a match or the captures of one.
pub(crate) trait Matched {
    fn end(&self) -> usize;
}

impl Matched for regex::Match<'_> {
    fn end(&self) -> usize {
        regex::Match::end(self)
    }
}

impl Matched for regex::Captures<'_> {
    fn end(&self) -> usize {
        self.get(0).map_or(0, |m| m.end())
    }
}

impl<M: Matched> Iterator for AnchoredMatches<'_, '_, M> {
    type Item = M;

    fn next(&mut self) -> Option<M> {
        if self.cursor.done {
            return None;
        }
        let found =
            self.re.next_start(self.text, &mut self.cursor).and_then(|at| (self.search)(&self.re.regex, self.text, at));
        match &found {
            Some(m) => {
                self.cursor.pos = m.end();
                self.cursor.scan = m.end();
            }
            None => self.cursor.done = true,
        }
        found
    }
}

/// How far a walk from an anchor may go: over at most this many counted chars, or this many
/// runs of them (words, when the free chars are spaces).
#[derive(Clone, Copy)]
pub(crate) enum Reach {
    Chars(usize),
    Runs(usize),
}

/// Walk back from `from` (a char boundary) towards `floor` while the chars may belong to a match
/// before its anchor: `free` chars cost nothing, `counted` ones spend `reach`, any other char
/// stops the walk. No match holding an anchor at `from` starts before the position returned.
pub(crate) fn walk_back(
    text: &str,
    from: usize,
    floor: usize,
    free: fn(char) -> bool,
    counted: fn(char) -> bool,
    reach: Reach,
) -> usize {
    let mut pos = from;
    let mut walker = Walker::new(reach);
    for c in text[floor..from].chars().rev() {
        if !walker.step(c, free, counted) {
            break;
        }
        pos -= c.len_utf8();
    }
    pos
}

/// Walk forward from `from` (a char boundary), as [`walk_back`] does backwards; no match holding
/// an anchor at `from` extends past the position returned.
pub(crate) fn walk_forward(
    text: &str,
    from: usize,
    free: fn(char) -> bool,
    counted: fn(char) -> bool,
    reach: Reach,
) -> usize {
    let mut pos = from;
    let mut walker = Walker::new(reach);
    for c in text[from..].chars() {
        if !walker.step(c, free, counted) {
            break;
        }
        pos += c.len_utf8();
    }
    pos
}

/// State of one walk: what is left of its reach.
struct Walker {
    left: usize,
    runs: bool,
    in_run: bool,
}

impl Walker {
    fn new(reach: Reach) -> Walker {
        match reach {
            Reach::Chars(n) => Walker { left: n, runs: false, in_run: false },
            Reach::Runs(n) => Walker { left: n, runs: true, in_run: false },
        }
    }

    /// Whether the walk goes over `c`.
    fn step(&mut self, c: char, free: fn(char) -> bool, counted: fn(char) -> bool) -> bool {
        if free(c) {
            self.in_run = false;
            return true;
        }
        if !counted(c) {
            return false;
        }
        if self.runs && self.in_run {
            return true;
        }
        if self.left == 0 {
            return false;
        }
        self.left -= 1;
        self.in_run = true;
        true
    }
}

/// Length of the UTF-8 sequence that starts with `lead`.
pub(crate) fn utf8_len(lead: u8) -> usize {
    match lead {
        0xF0.. => 4,
        0xE0.. => 3,
        0xC0.. => 2,
        _ => 1,
    }
}

/// Whether the char starting at `at` may be a `\d` (any Unicode digit).
pub(crate) fn digit_at(bytes: &[u8], at: usize) -> bool {
    match bytes.get(at) {
        Some(b) if b.is_ascii() => b.is_ascii_digit(),
        Some(&lead) => {
            let end = (at + utf8_len(lead)).min(bytes.len());
            std::str::from_utf8(&bytes[at..end]).ok().and_then(|s| s.chars().next()).is_none_or(char::is_numeric)
        }
        None => false,
    }
}

/// Whether the char ending at `at` may be a `\d` (any Unicode digit).
pub(crate) fn digit_before(bytes: &[u8], at: usize) -> bool {
    let Some(&last) = at.checked_sub(1).and_then(|i| bytes.get(i)) else { return false };
    if last.is_ascii() {
        return last.is_ascii_digit();
    }
    let mut start = at - 1;
    while start > 0 && bytes[start] & 0xC0 == 0x80 {
        start -= 1;
    }
    std::str::from_utf8(&bytes[start..at]).ok().and_then(|s| s.chars().next()).is_none_or(char::is_numeric)
}

/// Texts for property tests of the extractors' fast paths: words the patterns look for
/// (names, roles, companies, amounts, case numbers, dates, addresses), in every spacing, with
/// odd Unicode and control chars.
#[cfg(test)]
pub(crate) mod test_text {
    use proptest::prelude::*;

    const TOKENS: &[&str] = &[
        "Mr.",
        "Dr.",
        "Judge",
        "Hon.",
        "John",
        "Smith",
        "O'Brien",
        "McDonald",
        "Smith-Jones",
        "Maria",
        "Alvarez",
        "J.",
        "Q.",
        "The",
        "Yesterday",
        "CEO",
        "CFO",
        "VP",
        "General Counsel",
        "counsel",
        "Counsel",
        "Vice President",
        "partner",
        "Esq.",
        "Chief Financial Officer",
        "outside counsel",
        "the",
        "our",
        "Senior",
        "director",
        "Co-founder",
        "chairwoman",
        "paralegal",
        "of",
        "and",
        "Inc.",
        "Inc",
        "Corp",
        "LLC",
        "L.L.C.",
        "Ltd",
        "GmbH",
        "AG",
        "S.A.",
        "S.p.A.",
        "plc",
        "Company",
        "Co.",
        "Incorporated",
        "Harbor",
        "Freight",
        "Northwind",
        "&",
        "ACME",
        "AGREEMENT",
        ",",
        ".",
        ";",
        ":",
        "!",
        "?",
        "...",
        "\"",
        "'",
        "(",
        ")",
        "No.",
        "Nos.",
        "#",
        "U.S.",
        "Case",
        "Civil Action",
        "Civ. A.",
        "Adversary Proceeding",
        "Invoice",
        "1:21-cv-01234",
        "1:21-CV-01234-ABC",
        "21-cv-1234",
        "21-1234",
        "2021-CR-00012-JMF",
        "12-345678",
        "3:20-mc-5",
        "٢١-١٢٣٤",
        "１２-３４５",
        "March",
        "Mar.",
        "MARCH",
        "Sept",
        "May",
        "may",
        "Dec",
        "3",
        "31",
        "1st",
        "22nd",
        "2021",
        "21",
        "1900",
        "2100",
        "99",
        "3/3/2021",
        "31.12.2020",
        "12/31/20",
        "2021-02-30",
        "2021-03-03",
        "2021/3/3",
        "13-13-2021",
        "1.2.21",
        "3-Mar-2021",
        "v1.2.2021",
        "/3/3/2021",
        "13/3/20211",
        "2021-03-03T10:00Z",
        "20٢١",
        "in",
        "In",
        "during",
        "since",
        "by",
        "fiscal year",
        "FISCAL YEAR",
        "fiſcal year",
        "FY",
        "FY'",
        "FY20",
        "early",
        "mid-",
        "end of",
        "winter",
        "cases",
        "%",
        "$",
        "€",
        "£",
        "¥",
        "US$",
        "C$",
        "U.S.$",
        "USD",
        "EUR",
        "GBP",
        "1,200.50",
        "1,200",
        "12,500.75",
        "5",
        "1.2",
        "2.5",
        "1.2345",
        "0.05",
        "007",
        "million",
        "Million",
        "bn",
        "MM",
        "m",
        "k",
        "dollars",
        "U.S. dollars",
        "euros",
        "pounds",
        "pounds sterling",
        "dana@example.com",
        "a@b",
        "ops-desk+claims@meridian-shipping.co.uk",
        "é",
        "日本",
        "Ünal",
        "Łukasz",
        "\u{a0}",
        "\u{2009}",
        "\u{200b}",
        "\u{feff}",
        "\u{ad}",
        "\u{85}",
        "\u{2028}",
        "\u{2029}",
        "\u{0c}",
        "\u{0b}",
        "\u{0}",
        "\u{1b}",
        "\r",
        "\r\n",
        "\n",
        "\n\n",
        "\t",
        "\t\t",
        "   ",
        " \t ",
        "’",
        "“",
        "”",
        "…",
        "•",
        "- ",
        "1. ",
        "2) ",
        "10:00",
        "x",
        "paid",
        "approved",
        "the",
        "payment",
        "filed",
        "contract",
        "tel",
        "Room",
    ];

    /// Tokens and now and then an arbitrary char, joined by spaces, tabs, line breaks or nothing.
    pub(crate) fn texts() -> impl Strategy<Value = String> {
        let token = prop_oneof![8 => prop::sample::select(TOKENS).prop_map(str::to_owned), 1 => any::<char>().prop_map(String::from)];
        let gap = prop::sample::select(&["", " ", " ", " ", "  ", "\t", "\n"][..]);
        prop::collection::vec((gap, token), 0..80)
            .prop_map(|parts| parts.into_iter().map(|(g, t)| format!("{g}{t}")).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_stop_at_their_reach() {
        let text = "x; one two  three four";
        let letters = |c: char| c.is_ascii_alphabetic();
        let blank = |c: char| c == ' ';
        // Free chars are walked over up to the first char over the reach.
        assert_eq!(walk_back(text, text.len(), 0, blank, letters, Reach::Runs(2)), text.find("  ").unwrap());
        assert_eq!(walk_back(text, text.len(), 0, blank, letters, Reach::Runs(9)), text.find("one").unwrap() - 1);
        assert_eq!(walk_back(text, text.len(), 8, blank, letters, Reach::Runs(9)), 8);
        assert_eq!(walk_back(text, text.len(), 0, blank, letters, Reach::Chars(6)), text.find("ee four").unwrap());
        assert_eq!(walk_forward(text, 3, blank, letters, Reach::Runs(2)), text.find("three").unwrap());
        assert_eq!(walk_forward(text, 3, blank, letters, Reach::Chars(100)), text.len());
    }
}
