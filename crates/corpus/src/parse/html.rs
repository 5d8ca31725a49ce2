//! HTML pages.

use std::sync::LazyLock;

use regex::Regex;

use super::clean::{clean_line, clean_text, decode_text, re};
use crate::model::ParsedDocument;

/// Wide enough that prose is never wrapped mid-sentence, narrow enough to bound table layout.
const RENDER_WIDTH: usize = 400;

static TITLE: LazyLock<Regex> = LazyLock::new(|| re(r"(?is)<title[^>]*>(.*?)</title\s*>"));

/// HTML: visible text (script and style dropped), `<title>` as title.
pub(crate) fn parse_html(bytes: &[u8]) -> ParsedDocument {
    let source = decode_text(bytes);
    let title = TITLE.captures(&source).and_then(|c| c.get(1)).and_then(|m| clean_line(&html_to_text(m.as_str())));
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

static SCRIPT_OR_STYLE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?is)<script\b.*?</script\s*>|<style\b.*?</style\s*>|<head\b.*?</head\s*>"));
static TAG: LazyLock<Regex> = LazyLock::new(|| re(r"(?s)<[^>]*>"));

static ANY_TAG: LazyLock<Regex> = LazyLock::new(|| re(r"<(/?)([A-Za-z][A-Za-z0-9]*)[^<>]*?(/?)>"));

/// Upper bound on element nesting, ignoring void elements and those whose end tag is optional
/// (an unclosed `<p>` or `<li>` is common and harmless).
fn nesting_depth(html: &str) -> usize {
    let mut depth = 0usize;
    let mut max = 0usize;
    for caps in ANY_TAG.captures_iter(html) {
        let name = caps.get(2).map_or("", |m| m.as_str()).to_ascii_lowercase();
        let self_closing = caps.get(3).is_some_and(|m| !m.as_str().is_empty());
        if self_closing || NOT_COUNTED.contains(&name.as_str()) {
            continue;
        }
        if caps.get(1).is_some_and(|m| !m.as_str().is_empty()) {
            depth = depth.saturating_sub(1);
        } else {
            depth += 1;
            max = max.max(depth);
        }
    }
    max
}

const NOT_COUNTED: [&str; 29] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr", "p",
    "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead", "tbody", "tfoot", "colgroup", "rt", "rp",
];

fn strip_tags(html: &str) -> String {
    let without_code = SCRIPT_OR_STYLE.replace_all(html, " ");
    let text = TAG.replace_all(&without_code, " ");
    text.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_estimate() {
        assert_eq!(nesting_depth("<div><p>a<p>b<br><img src=x/><span>c</span></div>"), 2);
        assert_eq!(nesting_depth(&"<ul><li>".repeat(600)), 600);
        assert_eq!(nesting_depth("</div></div><div>"), 1);
    }

    #[test]
    fn strip_tags_fallback() {
        let t = strip_tags("<head><title>x</title></head><script>bad()</script><p>A &amp; B</p>");
        assert_eq!(t.split_whitespace().collect::<Vec<_>>().join(" "), "A & B");
    }
}
