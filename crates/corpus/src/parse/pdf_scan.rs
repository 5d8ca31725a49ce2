//! A linear pass over a PDF's bytes that measures how deeply arrays and dictionaries nest,
//! before lopdf (whose parser recurses once per level and has no limit of its own) sees them.
//!
//! The pass understands just enough PDF syntax not to count brackets that are not structure:
//! comments, literal and hex strings, and stream data. Streams that lopdf parses as PDF syntax
//! (object streams, page contents, forms, CMaps) are inflated within the expansion budget and
//! scanned in turn; binary streams (images, fonts, colour profiles, cross-reference streams)
//! are skipped.

use std::io::Read;

/// Deepest nesting of arrays and dictionaries accepted. Real documents stay below 10 levels;
/// lopdf uses the same bound for nested parentheses in strings.
pub(crate) const MAX_PDF_NESTING: usize = 100;

/// Why a PDF failed the scan.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ScanError {
    /// Arrays or dictionaries nest deeper than [`MAX_PDF_NESTING`].
    TooDeep,
    /// The streams scanned inflate past the expansion budget.
    Expansion,
}

/// Check `bytes` (a whole file) against [`MAX_PDF_NESTING`], inflating at most `budget` bytes
/// of streams.
pub(crate) fn check_nesting(bytes: &[u8], budget: u64) -> Result<(), ScanError> {
    let mut budget = budget;
    scan(bytes, &mut budget, true)
}

fn scan(bytes: &[u8], budget: &mut u64, follow_streams: bool) -> Result<(), ScanError> {
    let mut depth = 0usize;
    // Where the dictionary that precedes a `stream` keyword starts.
    let mut dict_start = 0usize;
    let mut i = 0usize;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => i = skip_line(bytes, i),
            b'(' => i = skip_literal_string(bytes, i),
            b'<' if bytes.get(i + 1) == Some(&b'<') => {
                if depth == 0 {
                    dict_start = i;
                }
                depth += 1;
                i += 2;
            }
            b'<' => i = find(bytes, i + 1, b">").map_or(bytes.len(), |end| end + 1),
            b'>' if bytes.get(i + 1) == Some(&b'>') => {
                depth = depth.saturating_sub(1);
                i += 2;
            }
            b'[' => {
                depth += 1;
                i += 1;
            }
            b']' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b's' if follow_streams && is_stream_keyword(bytes, i) => {
                let data_start = stream_data_start(bytes, i + b"stream".len());
                let data_end = find(bytes, data_start, b"endstream").unwrap_or(bytes.len());
                let dict = &bytes[dict_start.min(i)..i];
                if parsed_as_syntax(dict) {
                    scan_stream(&bytes[data_start..data_end], dict, budget)?;
                }
                i = data_end + b"endstream".len();
                continue;
            }
            _ => i += 1,
        }
        if depth > MAX_PDF_NESTING {
            return Err(ScanError::TooDeep);
        }
    }
    Ok(())
}

/// Scan a stream's data: inflated when Flate-compressed (within the budget), as it is when
/// not compressed. Streams with other filters are left to the parser's own bounds.
fn scan_stream(data: &[u8], dict: &[u8], budget: &mut u64) -> Result<(), ScanError> {
    let filters = filter_count(dict);
    if filters == 0 {
        return scan(data, budget, false);
    }
    if filters > 1 || find(dict, 0, b"/FlateDecode").is_none() {
        return Ok(());
    }
    let mut inflated = Vec::new();
    let decoder = flate2::read::ZlibDecoder::new(data);
    // A broken stream is scanned as far as it inflates: that is what lopdf will see.
    let _ = decoder.take(budget.saturating_add(1)).read_to_end(&mut inflated);
    let used = inflated.len() as u64;
    if used > *budget {
        return Err(ScanError::Expansion);
    }
    *budget -= used;
    // Object streams hold objects, never further streams.
    scan(&inflated, budget, false)
}

/// True when lopdf parses the stream's content as PDF syntax: object streams, forms, and
/// streams with no type of their own (page contents, CMaps).
fn parsed_as_syntax(dict: &[u8]) -> bool {
    if contains(dict, b"/ObjStm") || contains(dict, b"/Form") {
        return true;
    }
    const BINARY_MARKERS: [&[u8]; 7] = [b"/Type", b"/Subtype", b"/Length1", b"/Length2", b"/Length3", b"/N ", b"/DL"];
    !BINARY_MARKERS.iter().any(|marker| contains(dict, marker))
}

/// How many filters a stream dictionary names (0 without a /Filter entry).
fn filter_count(dict: &[u8]) -> usize {
    let Some(at) = find(dict, 0, b"/Filter") else { return 0 };
    let rest = &dict[at + b"/Filter".len()..];
    let rest = &rest[rest.iter().take_while(|b| b.is_ascii_whitespace()).count()..];
    if rest.first() == Some(&b'[') {
        let end = rest.iter().position(|&b| b == b']').unwrap_or(rest.len());
        rest[..end].iter().filter(|&&b| b == b'/').count()
    } else {
        1
    }
}

fn is_stream_keyword(bytes: &[u8], at: usize) -> bool {
    bytes[at..].starts_with(b"stream")
        && (at == 0 || !bytes[at - 1].is_ascii_alphanumeric())
        && matches!(bytes.get(at + b"stream".len()), Some(b'\r' | b'\n'))
}

fn stream_data_start(bytes: &[u8], after_keyword: usize) -> usize {
    match bytes.get(after_keyword..after_keyword + 2) {
        Some(b"\r\n") => after_keyword + 2,
        _ => (after_keyword + 1).min(bytes.len()),
    }
}

fn skip_line(bytes: &[u8], at: usize) -> usize {
    bytes[at..].iter().position(|&b| b == b'\n' || b == b'\r').map_or(bytes.len(), |p| at + p + 1)
}

/// Past a literal string starting at `at` (an opening parenthesis): balanced parentheses,
/// backslash escapes.
fn skip_literal_string(bytes: &[u8], at: usize) -> usize {
    let mut open = 0usize;
    let mut i = at;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'(' => open += 1,
            b')' => {
                open -= 1;
                if open == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

fn find(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let rest = haystack.get(from..)?;
    memchr_find(rest, needle).map(|p| from + p)
}

fn memchr_find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let first = *needle.first()?;
    let mut start = 0;
    while let Some(p) = haystack[start..].iter().position(|&b| b == first) {
        let at = start + p;
        if haystack[at..].starts_with(needle) {
            return Some(at);
        }
        start = at + 1;
    }
    None
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr_find(haystack, needle).is_some()
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn deep(n: usize) -> Vec<u8> {
        format!("1 0 obj\n<< /A {}{} >>\nendobj\n", "[".repeat(n), "]".repeat(n)).into_bytes()
    }

    #[test]
    fn counts_arrays_and_dictionaries() {
        assert_eq!(check_nesting(&deep(MAX_PDF_NESTING - 1), 1 << 20), Ok(()));
        assert_eq!(check_nesting(&deep(MAX_PDF_NESTING), 1 << 20), Err(ScanError::TooDeep));
        let dicts = format!("{}{}", "<< /A ".repeat(200), ">>".repeat(200));
        assert_eq!(check_nesting(dicts.as_bytes(), 1 << 20), Err(ScanError::TooDeep));
    }

    #[test]
    fn brackets_in_strings_comments_and_binary_streams_do_not_count() {
        let brackets = "[".repeat(500);
        let text = format!(
            "1 0 obj ({brackets}) endobj\n% {brackets}\n2 0 obj <{}> endobj\n\
             3 0 obj << /Subtype /Image /Length 500 >>\nstream\n{brackets}\nendstream endobj\n",
            "3C3C".repeat(10)
        );
        assert_eq!(check_nesting(text.as_bytes(), 1 << 20), Ok(()));
    }

    #[test]
    fn compressed_content_streams_are_scanned() {
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(&"[".repeat(1000).into_bytes()).expect("in memory");
        let data = encoder.finish().expect("in memory");
        let mut pdf = b"4 0 obj << /Type /ObjStm /Filter /FlateDecode >>\nstream\n".to_vec();
        pdf.extend_from_slice(&data);
        pdf.extend_from_slice(b"\nendstream\nendobj\n");
        assert_eq!(check_nesting(&pdf, 1 << 20), Err(ScanError::TooDeep));
        assert_eq!(check_nesting(&pdf, 10), Err(ScanError::Expansion));
    }
}
