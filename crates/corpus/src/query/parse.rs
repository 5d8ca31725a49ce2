//! The forgiving query language: what a person types is words unless it forms valid syntax.
//!
//! - Words are runs of characters between spaces, parentheses and quotes: `O'Brien`,
//!   `Smith's`, `[PB61]`, `e-mail` and `10:30` are words (the analyzer splits them into terms,
//!   searched as a phrase).
//! - `"a phrase"` (optionally `"a phrase"~2`) when the quote is closed; a quote left open is
//!   ignored.
//! - `+word` requires, `-word` and `NOT word` exclude, `a AND b` requires both, `a OR b` is
//!   what words do anyway; an operator without an operand on each side is a word.
//! - `field:word`, `field:"phrase"` and `field:(group)` for the fields of [`Field`]; any other
//!   `name:` is part of the word.
//! - `word*` matches words starting with `word`.
//! - `(groups)` nest; a parenthesis that does not pair is the one syntax error, reported with
//!   its position.
//!
//! The parser is linear in the query's length and recurses once per group, which
//! [`super::limits`] bounds before it runs.

use std::fmt;

/// A field a query can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// The passage's text.
    Text,
    /// The document's title.
    Title,
    /// An e-mail's subject.
    Subject,
    /// The author, or an e-mail's sender (`from:` and `author:`).
    Author,
    /// An e-mail's recipients (`to:`).
    Recipients,
}

impl Field {
    fn named(name: &str) -> Option<Field> {
        match name.to_ascii_lowercase().as_str() {
            "text" => Some(Field::Text),
            "title" => Some(Field::Title),
            "subject" => Some(Field::Subject),
            "from" | "author" => Some(Field::Author),
            "to" | "recipients" => Some(Field::Recipients),
            _ => None,
        }
    }
}

/// Whether a clause must, may or must not match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occur {
    /// Required (`+word`, either side of `AND`).
    Must,
    /// Optional: ranks by how many optional clauses a result holds.
    Should,
    /// Excluded (`-word`, `NOT word`).
    MustNot,
}

/// A piece of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// A word as typed (the analyzer may split it into several terms).
    Word { field: Option<Field>, text: String, prefix: bool },
    /// A quoted phrase, with how many positions its words may move (`~N`).
    Phrase { field: Option<Field>, text: String, slop: u32 },
    /// A parenthesised group.
    Group(Vec<Clause>),
}

/// A node with whether it must match, and the text the user typed for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub occur: Occur,
    pub node: Node,
    /// What the user typed for this clause (for `matched_terms` / `missing_terms`).
    pub typed: String,
}

/// A syntax error, at a character position (0-based) of the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub position: usize,
    pub message: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at character {})", self.message, self.position)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Lexeme {
    Open,
    Close,
    /// A closed phrase and its slop.
    Phrase(String, u32),
    /// A run of other characters.
    Bare(String),
}

#[derive(Debug, Clone)]
struct Lex {
    lexeme: Lexeme,
    /// Byte range in the query.
    start: usize,
    end: usize,
    /// Whether the next lexeme starts right at `end` (no space between).
    glued: bool,
}

fn lex(q: &str) -> Vec<Lex> {
    let bytes = q.as_bytes();
    let mut out: Vec<Lex> = Vec::new();
    let mut i = 0usize;
    let push = |out: &mut Vec<Lex>, lexeme, start, end| {
        if let Some(last) = out.last_mut() {
            last.glued = last.end == start;
        }
        out.push(Lex { lexeme, start, end, glued: false });
    };
    while i < bytes.len() {
        match bytes[i] {
            b'(' => {
                push(&mut out, Lexeme::Open, i, i + 1);
                i += 1;
            }
            b')' => {
                push(&mut out, Lexeme::Close, i, i + 1);
                i += 1;
            }
            b'"' => match q[i + 1..].find('"') {
                Some(len) => {
                    let close = i + 1 + len;
                    let mut end = close + 1;
                    let mut slop = 0u32;
                    if bytes.get(end) == Some(&b'~') {
                        let digits = q[end + 1..].bytes().take_while(u8::is_ascii_digit).count();
                        if digits > 0 {
                            slop = q[end + 1..end + 1 + digits].parse().unwrap_or(u32::MAX).min(100);
                            end += 1 + digits;
                        }
                    }
                    push(&mut out, Lexeme::Phrase(q[i + 1..close].to_owned(), slop), i, end);
                    i = end;
                }
                // A quote that closes nothing is not syntax.
                None => i += 1,
            },
            b if b.is_ascii_whitespace() => i += 1,
            _ => {
                let start = i;
                let len =
                    q[i..].find(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == '"').unwrap_or(q.len() - i);
                // Unicode spaces are skipped like ASCII ones.
                if len == 0 {
                    i += q[i..].chars().next().map_or(1, char::len_utf8);
                    continue;
                }
                push(&mut out, Lexeme::Bare(q[i..i + len].to_owned()), start, i + len);
                i += len;
            }
        }
    }
    out
}

/// One operand or operator of a level, before operators are applied.
#[derive(Debug)]
enum Item {
    Operand { node: Node, sign: Option<Occur>, typed: String },
    And,
    Or,
    Not,
}

struct Parser<'q> {
    q: &'q str,
    lexemes: Vec<Lex>,
    at: usize,
}

/// Parse `q` into its top-level clauses (none when it holds nothing to search).
pub fn parse(q: &str) -> Result<Vec<Clause>, SyntaxError> {
    let mut p = Parser { q, lexemes: lex(q), at: 0 };
    let clauses = p.level(None)?;
    Ok(clauses)
}

impl Parser<'_> {
    fn position(&self, byte: usize) -> usize {
        self.q[..byte].chars().count()
    }

    /// The clauses up to the `)` closing the group opened at `open` (or to the end).
    fn level(&mut self, open: Option<usize>) -> Result<Vec<Clause>, SyntaxError> {
        let mut items: Vec<Item> = Vec::new();
        loop {
            let Some(lex) = self.lexemes.get(self.at).cloned() else {
                return match open {
                    Some(at) => Err(SyntaxError {
                        position: self.position(at),
                        message: "'(' is not closed: add ')' or put the text in quotes".into(),
                    }),
                    None => Ok(resolve(items)),
                };
            };
            self.at += 1;
            match &lex.lexeme {
                Lexeme::Close => {
                    return match open {
                        Some(_) => Ok(resolve(items)),
                        None => Err(SyntaxError {
                            position: self.position(lex.start),
                            message: "')' closes no '(': remove it or put the text in quotes".into(),
                        }),
                    };
                }
                Lexeme::Open => {
                    let clauses = self.level(Some(lex.start))?;
                    let end = self.lexemes.get(self.at - 1).map_or(self.q.len(), |l| l.end);
                    let typed = self.q[lex.start..end].to_owned();
                    items.push(Item::Operand { node: Node::Group(clauses), sign: None, typed });
                }
                Lexeme::Phrase(text, slop) => items.push(Item::Operand {
                    node: Node::Phrase { field: None, text: text.clone(), slop: *slop },
                    sign: None,
                    typed: self.q[lex.start..lex.end].to_owned(),
                }),
                Lexeme::Bare(text) => {
                    if let Some(item) = self.bare(text, &lex)? {
                        items.push(item);
                    }
                }
            }
        }
    }

    /// A run of characters: an operator, a signed or field-named operand, or a word.
    fn bare(&mut self, text: &str, lex: &Lex) -> Result<Option<Item>, SyntaxError> {
        match text {
            "AND" | "&&" => return Ok(Some(Item::And)),
            "OR" | "||" => return Ok(Some(Item::Or)),
            "NOT" => return Ok(Some(Item::Not)),
            _ => {}
        }
        let (sign, rest) = match text.as_bytes()[0] {
            b'+' => (Some(Occur::Must), &text[1..]),
            b'-' => (Some(Occur::MustNot), &text[1..]),
            _ => (None, text),
        };
        // Any other `name:` is part of the word (`Re:`, `10:30`, `http://`).
        let (field, rest) = match rest.split_once(':').and_then(|(name, after)| Some((Field::named(name)?, after))) {
            Some((field, after)) => (Some(field), after),
            None => (None, rest),
        };
        let typed_end = |p: &Parser<'_>| p.lexemes.get(p.at - 1).map_or(p.q.len(), |l| l.end);
        if rest.is_empty() {
            // `+`, `-` or `field:` glued to a phrase or a group applies to it.
            if lex.glued && (sign.is_some() || field.is_some()) {
                let next = self.lexemes.get(self.at).cloned();
                let node = match next.as_ref().map(|l| &l.lexeme) {
                    Some(Lexeme::Phrase(t, slop)) => {
                        self.at += 1;
                        Some(Node::Phrase { field, text: t.clone(), slop: *slop })
                    }
                    Some(Lexeme::Open) => {
                        self.at += 1;
                        let open = next.as_ref().map_or(0, |l| l.start);
                        let clauses = self.level(Some(open))?;
                        Some(Node::Group(with_field(clauses, field)))
                    }
                    _ => None,
                };
                if let Some(node) = node {
                    let typed = self.q[lex.start..typed_end(self)].to_owned();
                    return Ok(Some(Item::Operand { node, sign, typed }));
                }
            }
            // Nothing to search: a lone sign or field name is punctuation.
            return Ok(None);
        }
        let (word, prefix) = match rest.strip_suffix('*') {
            Some(w) if !w.is_empty() && !w.ends_with('*') => (w, true),
            _ => (rest, false),
        };
        let typed = if sign.is_some() { &text[1..] } else { text };
        Ok(Some(Item::Operand {
            node: Node::Word { field, text: word.to_owned(), prefix },
            sign,
            typed: typed.to_owned(),
        }))
    }
}

/// `field` applied to every clause of a group that names none.
fn with_field(clauses: Vec<Clause>, field: Option<Field>) -> Vec<Clause> {
    let Some(field) = field else { return clauses };
    clauses
        .into_iter()
        .map(|mut c| {
            c.node = match c.node {
                Node::Word { field: None, text, prefix } => Node::Word { field: Some(field), text, prefix },
                Node::Phrase { field: None, text, slop } => Node::Phrase { field: Some(field), text, slop },
                Node::Group(inner) => Node::Group(with_field(inner, Some(field))),
                other => other,
            };
            c
        })
        .collect()
}

/// Apply the operators of a level: `NOT x` excludes x, `x AND y` requires both, `OR` leaves
/// both optional; an operator without an operand on each side becomes a word.
fn resolve(items: Vec<Item>) -> Vec<Clause> {
    let is_operand = |i: Option<&Item>| matches!(i, Some(Item::Operand { .. }));
    let word = |text: &str| Item::Operand {
        node: Node::Word { field: None, text: text.to_owned(), prefix: false },
        sign: None,
        typed: text.to_owned(),
    };
    // Operators that bind nothing are words: AND/OR need an operand (or NOT) after and an
    // operand before; NOT needs an operand after.
    let mut cleaned: Vec<Item> = Vec::with_capacity(items.len());
    let n = items.len();
    let mut items: Vec<Option<Item>> = items.into_iter().map(Some).collect();
    for i in 0..n {
        let Some(item) = items[i].take() else { continue };
        let next_is_operand = |items: &[Option<Item>], from: usize| {
            let mut j = from;
            while matches!(items.get(j), Some(Some(Item::Not))) {
                j += 1;
            }
            is_operand(items.get(j).and_then(Option::as_ref))
        };
        let item = match item {
            Item::And | Item::Or => {
                let before = is_operand(cleaned.last());
                if before && next_is_operand(&items, i + 1) {
                    item
                } else {
                    word(if matches!(item, Item::And) { "AND" } else { "OR" })
                }
            }
            Item::Not => {
                if next_is_operand(&items, i + 1) {
                    item
                } else {
                    word("NOT")
                }
            }
            operand => operand,
        };
        cleaned.push(item);
    }
    let mut clauses: Vec<Clause> = Vec::new();
    let mut negate = false;
    let mut and_pending = false;
    for item in cleaned {
        match item {
            Item::Not => negate = !negate,
            Item::And => {
                and_pending = true;
                if let Some(last) = clauses.last_mut()
                    && last.occur == Occur::Should
                {
                    last.occur = Occur::Must;
                }
            }
            Item::Or => and_pending = false,
            Item::Operand { node, sign, typed } => {
                let mut occur = sign.unwrap_or(Occur::Should);
                if negate {
                    occur = Occur::MustNot;
                } else if and_pending && occur == Occur::Should {
                    occur = Occur::Must;
                }
                negate = false;
                and_pending = false;
                clauses.push(Clause { occur, node, typed });
            }
        }
    }
    clauses
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(q: &str) -> Vec<(Occur, String)> {
        parse(q).unwrap().into_iter().map(|c| (c.occur, c.typed)).collect()
    }

    #[test]
    fn what_people_type_is_words() {
        use Occur::*;
        assert_eq!(
            words("O'Brien don't Smith's"),
            [(Should, "O'Brien".into()), (Should, "don't".into()), (Should, "Smith's".into())]
        );
        assert_eq!(
            words("[PB61] a:b 10:30"),
            [(Should, "[PB61]".into()), (Should, "a:b".into()), (Should, "10:30".into())]
        );
        assert_eq!(words("\"open quote"), [(Should, "open".into()), (Should, "quote".into())]);
        assert_eq!(words("AND or OR"), [(Should, "AND".into()), (Should, "or".into()), (Should, "OR".into())]);
        assert_eq!(words("a AND"), [(Should, "a".into()), (Should, "AND".into())]);
        assert_eq!(words("+ - title:"), []);
    }

    #[test]
    fn valid_syntax_is_syntax() {
        use Occur::*;
        assert_eq!(words("a AND b c"), [(Must, "a".into()), (Must, "b".into()), (Should, "c".into())]);
        assert_eq!(words("+a -b NOT c"), [(Must, "a".into()), (MustNot, "b".into()), (MustNot, "c".into())]);
        assert_eq!(words("(a OR b) AND \"c d\"~2"), [(Must, "(a OR b)".into()), (Must, "\"c d\"~2".into())]);
        let parsed = parse("from:alice subject:\"due diligence\" title:(x y*)").unwrap();
        assert!(matches!(&parsed[0].node, Node::Word { field: Some(Field::Author), text, .. } if text == "alice"));
        assert!(
            matches!(&parsed[1].node, Node::Phrase { field: Some(Field::Subject), text, .. } if text == "due diligence")
        );
        let Node::Group(inner) = &parsed[2].node else { panic!("{parsed:?}") };
        assert!(matches!(&inner[1].node, Node::Word { field: Some(Field::Title), prefix: true, .. }));
    }

    #[test]
    fn unpaired_parentheses_name_their_position() {
        assert_eq!(parse("a (b OR c").unwrap_err().position, 2);
        assert_eq!(parse("Frösche) b").unwrap_err().position, 7);
        assert!(parse("(a) \")\"").is_ok());
    }
}
