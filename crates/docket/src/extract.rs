//! `docket extract FILE`: the text Docket keeps for one file, as JSON on stdout, parsed the way
//! the server parses it (the risky formats in the parser sandbox, attachments followed to the
//! same depth). The fidelity benchmark (`scripts/fidelity.sh`) compares it with reference tools.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use docket_corpus::{ParseLimits, ParserSandbox, parse};
use serde_json::{Value, json};

/// Parse `path` and print the result as one JSON object.
pub fn extract(path: &Path, media_type: Option<&str>) -> Result<()> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let limits = ParseLimits::default();
    let sandbox = ParserSandbox::registered();
    let answer = extract_one(sandbox.as_ref(), &name, media_type, &bytes, &limits, 0);
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{}", serde_json::to_string(&answer)?) {
        // A reader that stopped early (`| head`) wanted no more.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

fn extract_one(
    sandbox: Option<&ParserSandbox>,
    name: &str,
    media_type: Option<&str>,
    bytes: &[u8],
    limits: &ParseLimits,
    depth: u8,
) -> Value {
    match parse::parse_bounded(sandbox, name, media_type, bytes, limits) {
        Err(e) => json!({ "file_name": name, "ok": false, "error": e.to_string() }),
        Ok(doc) => {
            let attachments: Vec<Value> = if depth < limits.max_attachment_depth {
                doc.attachments
                    .iter()
                    .map(|a| extract_one(sandbox, &a.file_name, a.media_type.as_deref(), &a.bytes, limits, depth + 1))
                    .collect()
            } else {
                Vec::new()
            };
            json!({
                "file_name": name,
                "ok": true,
                "media_type": doc.media_type,
                "parser": doc.parser,
                "title": doc.title,
                "author": doc.author,
                "subject": doc.subject,
                "recipients": doc.recipients,
                "warnings": doc.warnings,
                "text": doc.text,
                "attachments": attachments,
            })
        }
    }
}
