//! HTML pages.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::LazyLock;

use html5ever::TokenizerResult;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts};

use regex::Regex;

use super::clean::{clean_line, clean_text, decode_text, re};
use crate::model::ParsedDocument;

/// Wide enough that prose is never wrapped mid-sentence, narrow enough to bound table layout.
const RENDER_WIDTH: usize = 400;

/// HTML: visible text (script and style dropped), `<title>` as title.
pub(crate) fn parse_html(bytes: &[u8]) -> ParsedDocument {
    let source = decode_text(bytes);
    let title = tokenize(&source, Until::TitleRead).title.and_then(|t| clean_line(&t));
    ParsedDocument {
        media_type: "text/html".into(),
        parser: "html",
        title,
        text: clean_text(&html_to_text(&source)),
        ..Default::default()
    }
}

/// Past this nesting depth the renderer slows down quadratically (seconds at 10,000 levels);
/// real pages stay far below it, so deeper markup is treated as hostile and only its text kept.
const MAX_NESTING: usize = 512;

/// Render HTML as plain text without decoration (no `*emphasis*` marks, no link footnotes).
pub(crate) fn html_to_text(html: &str) -> String {
    if nesting_depth(html) > MAX_NESTING {
        return strip_tags(html);
    }
    let rendered = html2text::config::plain_no_decorate()
        .link_footnotes(false)
        .allow_width_overflow()
        .string_from_read(html.as_bytes(), RENDER_WIDTH);
    match rendered {
        Ok(text) => text,
        // html5ever accepts any input, so this is a rendering failure (e.g. a table too wide):
        // fall back to the text between tags rather than losing the document.
        Err(_) => strip_tags(html),
    }
}

static ANY_TAG: LazyLock<Regex> = LazyLock::new(|| re(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^<>]*?(/?)>"));

/// Upper bound on the depth of the tree html5ever builds, in one linear pass. It follows the
/// HTML rules that matter for depth: `/>` closes nothing on an HTML element (only inside SVG or
/// MathML), and an end tag closes an element only when one of that name is open (then it
/// closes everything opened after it too). Void elements and those whose end tag is optional
/// are not counted (an unclosed `<p>` or `<li>` is common and harmless: their containers are).
fn nesting_depth(html: &str) -> usize {
    // The open elements, and how many of each name are open, so that an end tag finds its
    // element without searching the stack (each element is pushed and popped at most once).
    let mut open: Vec<String> = Vec::new();
    let mut open_by_name: HashMap<String, usize> = HashMap::new();
    let mut foreign = 0usize;
    let mut max = 0usize;
    for caps in ANY_TAG.captures_iter(html) {
        let name = caps.get(2).map_or("", |m| m.as_str()).to_ascii_lowercase();
        let is_end = caps.get(1).is_some_and(|m| !m.as_str().is_empty());
        let self_closing = caps.get(3).is_some_and(|m| !m.as_str().is_empty());
        if NOT_COUNTED.contains(&name.as_str()) {
            continue;
        }
        if is_end {
            let Some(count) = open_by_name.get_mut(&name).filter(|c| **c > 0) else { continue };
            *count -= 1;
            while let Some(top) = open.pop() {
                if top == name {
                    if FOREIGN_ROOTS.contains(&top.as_str()) {
                        foreign = foreign.saturating_sub(1);
                    }
                    break;
                }
                if let Some(c) = open_by_name.get_mut(&top) {
                    *c = c.saturating_sub(1);
                }
                if FOREIGN_ROOTS.contains(&top.as_str()) {
                    foreign = foreign.saturating_sub(1);
                }
            }
            continue;
        }
        if self_closing && foreign > 0 && !BREAKS_OUT_OF_FOREIGN.contains(&name.as_str()) {
            continue;
        }
        if FOREIGN_ROOTS.contains(&name.as_str()) {
            foreign += 1;
        }
        *open_by_name.entry(name.clone()).or_default() += 1;
        open.push(name);
        max = max.max(open.len());
    }
    max
}

/// Elements that start foreign content, where `/>` does close an element.
const FOREIGN_ROOTS: [&str; 2] = ["svg", "math"];

/// HTML elements that end foreign content when they start inside it (so their `/>` is ignored
/// as everywhere else in HTML).
const BREAKS_OUT_OF_FOREIGN: [&str; 44] = [
    "b",
    "big",
    "blockquote",
    "body",
    "br",
    "center",
    "code",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "embed",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "hr",
    "i",
    "img",
    "li",
    "listing",
    "menu",
    "meta",
    "nobr",
    "ol",
    "p",
    "pre",
    "ruby",
    "s",
    "small",
    "span",
    "strong",
    "strike",
    "sub",
    "sup",
    "table",
    "tt",
    "u",
    "ul",
    "var",
];

const NOT_COUNTED: [&str; 29] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr", "p",
    "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead", "tbody", "tfoot", "colgroup", "rt", "rp",
];

/// The text between tags, entities decoded, script and style content dropped: html5ever's
/// tokenizer alone, which is linear (no tree, so no nesting to pay for).
fn strip_tags(html: &str) -> String {
    tokenize(html, Until::End).text
}

/// How far [`tokenize`] reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Until {
    /// Stop after the first `</title>`: only the title is wanted.
    TitleRead,
    End,
}

/// What the tokenizer found.
#[derive(Default)]
struct Tokens {
    text: String,
    title: Option<String>,
}

/// Collects character tokens, switching the tokenizer to raw text inside `<script>`,
/// `<style>` and `<title>` as the tree builder would.
struct TextSink {
    found: RefCell<Tokens>,
    in_title: Cell<bool>,
    in_code: Cell<bool>,
    until: Until,
}

impl TokenSink for TextSink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        match token {
            Token::TagToken(tag) => {
                let start = tag.kind == TagKind::StartTag;
                match &*tag.name {
                    "script" if start => {
                        self.in_code.set(true);
                        return TokenSinkResult::RawData(RawKind::ScriptData);
                    }
                    "style" if start => {
                        self.in_code.set(true);
                        return TokenSinkResult::RawData(RawKind::Rawtext);
                    }
                    "script" | "style" => self.in_code.set(false),
                    "title" if start => {
                        let mut found = self.found.borrow_mut();
                        if found.title.is_none() {
                            found.title = Some(String::new());
                            self.in_title.set(true);
                        }
                        return TokenSinkResult::RawData(RawKind::Rcdata);
                    }
                    "title" => {
                        self.in_title.set(false);
                        if self.until == Until::TitleRead {
                            // Pauses the tokenizer for good: nothing after the title is needed.
                            return TokenSinkResult::Script(());
                        }
                    }
                    _ => {}
                }
                // A tag separates words ("<td>a</td><td>b</td>" is "a b").
                self.found.borrow_mut().text.push(' ');
            }
            Token::CharacterTokens(chars) => {
                let mut found = self.found.borrow_mut();
                if self.in_title.get() {
                    if let Some(title) = found.title.as_mut() {
                        title.push_str(&chars);
                    }
                } else if !self.in_code.get() && self.until == Until::End {
                    found.text.push_str(&chars);
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

fn tokenize(html: &str, until: Until) -> Tokens {
    let sink = TextSink { found: RefCell::default(), in_title: Cell::new(false), in_code: Cell::new(false), until };
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    if let TokenizerResult::Done = tokenizer.feed(&input) {
        tokenizer.end();
    }
    tokenizer.sink.found.take()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_estimate() {
        assert_eq!(nesting_depth("<div><p>a<p>b<br><img src=x/><span>c</span></div>"), 2);
        assert_eq!(nesting_depth(&"<ul><li>".repeat(600)), 600);
        assert_eq!(nesting_depth("</div></div><div>"), 1);
        // `/>` on an HTML element closes nothing, and an end tag with no open element of its
        // name closes nothing either.
        assert_eq!(nesting_depth(&"<div/>".repeat(600)), 600);
        assert_eq!(nesting_depth(&"<div></span>".repeat(600)), 600);
        assert_eq!(nesting_depth(&"<section><div></section>".repeat(600)), 2);
        // Inside SVG, `/>` does close.
        assert_eq!(nesting_depth(&format!("<svg>{}</svg>", "<path/>".repeat(600))), 1);
        assert_eq!(nesting_depth(&format!("<svg>{}</svg>", "<div/>".repeat(600))), 601);
    }

    #[test]
    fn strip_tags_fallback() {
        let t = strip_tags("<head><title>x</title></head><script>bad()</script><p>A &amp; B</p>");
        assert_eq!(t.split_whitespace().collect::<Vec<_>>().join(" "), "A & B");
    }
}
