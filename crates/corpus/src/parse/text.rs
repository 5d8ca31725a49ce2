//! Plain text and Markdown.

use std::sync::LazyLock;

use regex::Regex;

use super::clean::{clean_line, clean_text, decode_text, re};
use crate::model::ParsedDocument;

/// Plain text: decoded and cleaned, nothing else.
pub(crate) fn parse_text(bytes: &[u8]) -> ParsedDocument {
    ParsedDocument {
        media_type: "text/plain".into(),
        parser: "text",
        text: clean_text(&decode_text(bytes)),
        ..Default::default()
    }
}

/// Markdown: the text with its markup removed, the first heading as title.
pub(crate) fn parse_markdown(bytes: &[u8]) -> ParsedDocument {
    let (text, title) = markdown_to_text(&decode_text(bytes));
    ParsedDocument {
        media_type: "text/markdown".into(),
        parser: "markdown",
        title,
        text: clean_text(&text),
        ..Default::default()
    }
}

static ATX_HEADING: LazyLock<Regex> = LazyLock::new(|| re(r"^\s{0,3}#{1,6}(?:\s+(.*?))?(?:\s+#+)?\s*$"));
static SETEXT_UNDERLINE: LazyLock<Regex> = LazyLock::new(|| re(r"^\s{0,3}(?:=+|-+)\s*$"));
static RULE: LazyLock<Regex> = LazyLock::new(|| re(r"^\s{0,3}(?:(?:\*\s*){3,}|(?:-\s*){3,}|(?:_\s*){3,})$"));
static FENCE: LazyLock<Regex> = LazyLock::new(|| re(r"^\s{0,3}(?:```|~~~)"));
static TABLE_DIVIDER: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$"));
static QUOTE: LazyLock<Regex> = LazyLock::new(|| re(r"^\s{0,3}(?:>\s?)+"));
static IMAGE: LazyLock<Regex> = LazyLock::new(|| re(r"!\[([^\]]*)\]\([^)]*\)"));
static LINK: LazyLock<Regex> = LazyLock::new(|| re(r"\[([^\]]+)\]\([^)]*\)"));
static AUTOLINK: LazyLock<Regex> = LazyLock::new(|| re(r"<((?:https?|mailto):[^>\s]+)>"));
static STRONG: LazyLock<Regex> = LazyLock::new(|| re(r"(\*\*|__)(\S(?:.*?\S)?)(\*\*|__)"));
static EMPHASIS: LazyLock<Regex> = LazyLock::new(|| re(r"(^|[\s(])[*_](\S(?:[^*_]*?\S)?)[*_]([\s).,;:!?]|$)"));
static CODE: LazyLock<Regex> = LazyLock::new(|| re(r"`([^`]+)`"));

/// Strip the Markdown syntax that would otherwise clutter snippets, line by line.
fn markdown_to_text(source: &str) -> (String, Option<String>) {
    let lines: Vec<&str> = source.lines().collect();
    let mut out = String::with_capacity(source.len());
    let mut title: Option<String> = None;
    let mut in_fence = false;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        i += 1;
        if FENCE.is_match(line) {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        if let Some(caps) = ATX_HEADING.captures(line) {
            let heading = inline(caps.get(1).map_or("", |m| m.as_str()));
            if title.is_none() {
                title = clean_line(&heading);
            }
            out.push_str(&heading);
            out.push_str("\n\n");
            continue;
        }
        let next = lines.get(i).copied().unwrap_or("");
        if !line.trim().is_empty() && SETEXT_UNDERLINE.is_match(next) && !RULE.is_match(line) {
            let heading = inline(line.trim());
            if title.is_none() {
                title = clean_line(&heading);
            }
            out.push_str(&heading);
            out.push_str("\n\n");
            i += 1;
            continue;
        }
        if RULE.is_match(line) || TABLE_DIVIDER.is_match(line) {
            out.push('\n');
            continue;
        }
        let body = QUOTE.replace(line, "");
        let body = body.trim();
        let body = if body.starts_with('|') || body.ends_with('|') { table_row(body) } else { body.to_owned() };
        out.push_str(&inline(&body));
        out.push('\n');
    }
    (out, title)
}

fn table_row(row: &str) -> String {
    let trimmed = row.trim_matches('|');
    trimmed.split('|').map(str::trim).collect::<Vec<_>>().join(" | ")
}

fn inline(text: &str) -> String {
    let t = IMAGE.replace_all(text, "$1");
    let t = LINK.replace_all(&t, "$1");
    let t = AUTOLINK.replace_all(&t, "$1");
    let t = CODE.replace_all(&t, "$1");
    let t = STRONG.replace_all(&t, "$2");
    let t = EMPHASIS.replace_all(&t, "$1$2$3");
    t.into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_headings_and_inline() {
        let md = "Intro line\n\n# Case **Strategy** #\n\nSee [the complaint](c.pdf) and `exhibit 4`.\n\n\
                  | a | b |\n|---|---|\n| 1 | 2 |\n\n> quoted *word* here\n\n```\ncode *stays*\n```\n";
        let (text, title) = markdown_to_text(md);
        assert_eq!(title.as_deref(), Some("Case Strategy"));
        assert!(text.contains("Case Strategy\n"));
        assert!(text.contains("See the complaint and exhibit 4."));
        assert!(text.contains("a | b\n"));
        assert!(!text.contains("---"));
        assert!(text.contains("quoted word here"));
        assert!(text.contains("code *stays*"));
    }

    #[test]
    fn setext_heading_is_title() {
        let (text, title) = markdown_to_text("Memo\n====\n\nBody with 2 * 3 = 6.\n");
        assert_eq!(title.as_deref(), Some("Memo"));
        assert!(text.contains("Body with 2 * 3 = 6."));
    }
}
