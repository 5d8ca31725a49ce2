//! Plain text and Markdown.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::clean::{clean_line, clean_text, decode_text};
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

/// Markdown to plain text with pulldown-cmark (CommonMark, with tables): the text of every
/// block, list items as "- " or "N. " lines, table cells joined by " | ", markup dropped.
fn markdown_to_text(source: &str) -> (String, Option<String>) {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut out = String::with_capacity(source.len());
    let mut title: Option<String> = None;
    // Where the heading being read starts in `out`.
    let mut heading: Option<usize> = None;
    // The next number of each open list (None: a bulleted list).
    let mut lists: Vec<Option<u64>> = Vec::new();
    let mut cells = 0usize;
    for event in Parser::new_ext(source, options) {
        match event {
            Event::Start(Tag::Heading { .. }) => {
                start_line(&mut out);
                heading = Some(out.len());
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(start) = heading.take()
                    && title.is_none()
                {
                    title = clean_line(&out[start..]);
                }
                out.push_str("\n\n");
            }
            Event::Start(Tag::List(first)) => lists.push(first),
            Event::End(TagEnd::List(_)) => {
                lists.pop();
                out.push('\n');
            }
            Event::Start(Tag::Item) => {
                start_line(&mut out);
                match lists.last_mut() {
                    Some(Some(n)) => {
                        out.push_str(&format!("{n}. "));
                        *n = n.saturating_add(1);
                    }
                    _ => out.push_str("- "),
                }
            }
            Event::End(TagEnd::Item | TagEnd::TableHead | TagEnd::TableRow) => out.push('\n'),
            Event::Start(Tag::TableHead | Tag::TableRow) => cells = 0,
            Event::Start(Tag::TableCell) => {
                if cells > 0 {
                    out.push_str(" | ");
                }
                cells += 1;
            }
            Event::End(TagEnd::Paragraph | TagEnd::CodeBlock | TagEnd::BlockQuote(_) | TagEnd::Table) | Event::Rule => {
                out.push_str("\n\n");
            }
            Event::Text(text) | Event::Code(text) | Event::InlineMath(text) | Event::DisplayMath(text) => {
                out.push_str(&text);
            }
            Event::SoftBreak | Event::HardBreak => out.push('\n'),
            _ => {}
        }
    }
    (out, title)
}

fn start_line(out: &mut String) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
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
