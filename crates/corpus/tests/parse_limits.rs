//! Hostile and broken input: size limits, decompression bombs and corrupt files.

#[path = "fixtures/builders.rs"]
mod builders;

use std::io::Write;
use std::time::Instant;

use builders::{DocxMeta, PdfMeta};
use docket_corpus::parse::parse;
use docket_corpus::{ParseError, ParseLimits};

const MIB: u64 = 1 << 20;

fn small_limits() -> ParseLimits {
    ParseLimits { max_file_bytes: 8 * MIB, max_expanded_bytes: MIB, max_attachment_depth: 3 }
}

fn corrupt_format(result: Result<docket_corpus::ParsedDocument, ParseError>) -> &'static str {
    match result {
        Err(ParseError::Corrupt { format, reason }) => {
            assert!(!reason.is_empty());
            format
        }
        other => panic!("expected a corrupt-file error, got {other:?}"),
    }
}

#[test]
fn file_size_limit() {
    let limits = ParseLimits { max_file_bytes: 10, ..ParseLimits::default() };
    assert_eq!(parse("a.txt", None, b"01234567890", &limits), Err(ParseError::TooLarge { size: 11, limit: 10 }));
    assert!(parse("a.txt", None, b"0123456789", &limits).is_ok());
}

/// A document.xml of `len` bytes that compresses about a thousandfold.
fn bomb_document_xml(len: usize) -> Vec<u8> {
    let head = b"<w:document xmlns:w=\"x\"><w:body><w:p><w:r><w:t>";
    let tail = b"</w:t></w:r></w:p></w:body></w:document>";
    let mut xml = Vec::with_capacity(len);
    xml.extend_from_slice(head);
    xml.resize(len - tail.len(), b'A');
    xml.extend_from_slice(tail);
    xml
}

#[test]
fn docx_zip_bomb_is_refused_quickly() {
    let xml = bomb_document_xml(16 * MIB as usize);
    let bomb = builders::zip_entries(&[("word/document.xml", &xml)]);
    assert!(bomb.len() < 64 * 1024, "the bomb is small on disk: {} bytes", bomb.len());
    let started = Instant::now();
    let result = parse("bomb.docx", None, &bomb, &small_limits());
    assert_eq!(result, Err(ParseError::ExpansionLimit { limit: MIB }));
    // Not a timing assertion on the machine, just a sanity bound against inflating everything.
    assert!(started.elapsed().as_secs() < 30);
}

#[test]
fn docx_bomb_is_refused_by_ratio_even_under_the_size_limit() {
    let xml = bomb_document_xml(4 * MIB as usize);
    let bomb = builders::zip_entries(&[("word/document.xml", &xml)]);
    let limits = ParseLimits { max_expanded_bytes: 64 * MIB, ..small_limits() };
    assert_eq!(parse("bomb.docx", None, &bomb, &limits), Err(ParseError::ExpansionLimit { limit: 64 * MIB }));
}

#[test]
fn docx_total_of_entries_is_limited() {
    // Each part is under the limit and compresses modestly; together they are over it.
    let part: Vec<u8> =
        (0..300_000u32).map(|i| b"abcdefghijklmnopqrstuvwxyz0123456789"[(i * 7919 % 36) as usize]).collect();
    let names = ["word/document.xml", "word/a.xml", "word/b.xml", "word/c.xml"];
    let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (*n, part.as_slice())).collect();
    let archive = builders::zip_entries(&entries);
    assert_eq!(parse("many.docx", None, &archive, &small_limits()), Err(ParseError::ExpansionLimit { limit: MIB }));
}

/// Overwrite the uncompressed-size fields of every local and central header with `size`.
fn lie_about_sizes(mut archive: Vec<u8>, size: u32) -> Vec<u8> {
    let mut i = 0;
    while i + 30 <= archive.len() {
        let field = match &archive[i..i + 4] {
            b"PK\x03\x04" => Some(i + 22),
            b"PK\x01\x02" => Some(i + 24),
            _ => None,
        };
        if let Some(at) = field {
            archive[at..at + 4].copy_from_slice(&size.to_le_bytes());
        }
        i += 1;
    }
    archive
}

#[test]
fn docx_lying_about_its_size_is_caught_while_reading() {
    let xml = bomb_document_xml(16 * MIB as usize);
    let archive = lie_about_sizes(builders::zip_entries(&[("word/document.xml", &xml)]), 4096);
    // The zip reader stops at the declared size and reports the lie; the parser's own bounded
    // read would stop at the limit otherwise. Either way little is inflated.
    let result = parse("liar.docx", None, &archive, &small_limits());
    assert!(
        matches!(&result, Err(ParseError::ExpansionLimit { .. }))
            || matches!(&result, Err(ParseError::Corrupt { format: "docx", reason }) if reason.contains("declared")),
        "{result:?}"
    );
}

#[test]
fn docx_corrupt_inputs() {
    let limits = ParseLimits::default();
    assert_eq!(corrupt_format(parse("a.docx", None, b"this is not a zip file", &limits)), "docx");
    assert_eq!(corrupt_format(parse("a.docx", None, b"", &limits)), "docx");
    let good =
        builders::docx(&["Hello there."], &DocxMeta { title: "t", creator: "c", created: "2021-01-01T00:00:00Z" });
    assert_eq!(corrupt_format(parse("a.docx", None, &good[..good.len() / 2], &limits)), "docx");
    let no_body = builders::zip_entries(&[("docProps/core.xml", b"<x/>")]);
    assert_eq!(corrupt_format(parse("a.docx", None, &no_body, &limits)), "docx");
    let bad_xml = builders::zip_entries(&[("word/document.xml", b"<w:document><w:p><w:t>x</w:p></w:t>")]);
    assert_eq!(corrupt_format(parse("a.docx", None, &bad_xml, &limits)), "docx");
    // A flipped byte inside the deflated data breaks the stream or its checksum.
    let mut flipped = good.clone();
    let at = flipped.windows(17).position(|w| w == b"word/document.xml").expect("entry name") + 40;
    flipped[at] ^= 0xFF;
    assert!(parse("a.docx", None, &flipped, &limits).is_err());
}

fn letter() -> Vec<u8> {
    builders::pdf(&[&["A short letter dated March 3, 2021."]], &PdfMeta { title: "t", author: "a", created: "D:2021" })
}

#[test]
fn pdf_corrupt_inputs_never_panic() {
    let limits = ParseLimits::default();
    assert_eq!(corrupt_format(parse("a.pdf", None, b"not a pdf at all", &limits)), "pdf");
    assert_eq!(corrupt_format(parse("a.pdf", None, b"", &limits)), "pdf");
    assert_eq!(corrupt_format(parse("a.pdf", None, b"%PDF-1.4\n", &limits)), "pdf");
    let good = letter();
    assert!(parse("a.pdf", None, &good, &limits).is_ok());
    // Truncations at many points: each must be an error or a (partial) document, never a panic.
    for cut in (1..good.len()).step_by(37) {
        let result = parse("a.pdf", None, &good[..cut], &limits);
        if let Err(e) = result {
            assert!(matches!(e, ParseError::Corrupt { format: "pdf", .. }), "{e:?}");
        }
    }
    assert_eq!(corrupt_format(parse("a.pdf", None, &good[..good.len() / 2], &limits)), "pdf");
}

#[test]
fn pdf_garbage_with_header_never_panics() {
    let limits = ParseLimits::default();
    let mut seed: u32 = 12345;
    for round in 0..50 {
        let mut bytes = letter();
        for _ in 0..(round % 10 + 1) {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let at = 9 + (seed as usize % (bytes.len() - 9));
            bytes[at] = (seed >> 16) as u8;
        }
        // A panic deep in pdf-extract (an unexpected font encoding) is a crash of the parser,
        // reported in words and never with the panic's own text.
        if let Err(e) = parse("a.pdf", None, &bytes, &limits) {
            assert!(matches!(e, ParseError::Corrupt { format: "pdf", .. } | ParseError::Crashed(_)), "{e:?}");
            assert!(!e.to_string().contains("unwrap") && !e.to_string().contains("unexpected encoding"), "{e}");
        }
    }
}

#[test]
fn pdf_flate_bomb_is_refused() {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = vec![b' '; 1 << 16];
    for _ in 0..64 {
        encoder.write_all(&chunk).expect("compress");
    }
    let stream = encoder.finish().expect("compress");
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>".to_vec(),
        [format!("<< /Length {} /Filter /FlateDecode >>\nstream\n", stream.len()).as_bytes(), &stream, b"\nendstream"]
            .concat(),
    ];
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        pdf.extend_from_slice(body);
        pdf.extend_from_slice(b"\nendobj\n");
    }
    let xref = pdf.len();
    pdf.extend_from_slice(b"xref\n0 5\n0000000000 65535 f \n");
    for o in offsets {
        pdf.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(format!("trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes());
    assert_eq!(parse("bomb.pdf", None, &pdf, &small_limits()), Err(ParseError::ExpansionLimit { limit: MIB }));
    // Under a generous limit the same file is just a blank page.
    let roomy = ParseLimits { max_expanded_bytes: 16 * MIB, ..small_limits() };
    assert_eq!(parse("bomb.pdf", None, &pdf, &roomy).map(|d| d.text), Ok(String::new()));
}

#[test]
fn email_that_is_not_mail() {
    let limits = ParseLimits::default();
    assert_eq!(corrupt_format(parse("a.eml", None, b"", &limits)), "email");
    assert_eq!(corrupt_format(parse("a.eml", None, b" \r\n", &limits)), "email");
    assert_eq!(corrupt_format(parse("a.eml", None, b"\x00\x01\x02\xFF\xFE binary", &limits)), "email");
}

#[test]
fn email_without_the_usual_headers_is_still_a_document() {
    let limits = ParseLimits::default();
    let doc = parse("a.eml", None, b"just a sentence, no headers at all\n", &limits).expect("a document");
    assert_eq!(doc.text, "just a sentence, no headers at all");
    let doc = parse("a.eml", None, b"X-Custom: 1\n\nbody", &limits).expect("a document");
    assert_eq!(doc.text, "body");
}

#[test]
fn email_with_broken_mime_still_parses_what_it_can() {
    let raw = b"From: a@x.example\r\nSubject: Cut\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n\
Content-Type: text/plain\r\n\r\nThe body before the cut.\r\n--b\r\nContent-Type: application/pdf; name=\"x.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK%%%";
    let doc = parse("cut.eml", None, raw, &ParseLimits::default()).expect("best effort");
    assert!(doc.text.contains("The body before the cut."));
}

#[test]
fn text_formats_accept_any_bytes() {
    let limits = ParseLimits::default();
    let mut seed: u64 = 7;
    for _ in 0..200 {
        let bytes: Vec<u8> = (0..256)
            .map(|_| {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                (seed >> 33) as u8
            })
            .collect();
        for name in ["a.txt", "a.md", "a.html"] {
            let doc = parse(name, None, &bytes, &limits).expect("text formats never fail");
            assert!(!doc.text.chars().any(|c| c.is_control() && c != '\n' && c != '\t'), "{:?}", doc.text);
        }
        let _ = parse("a.eml", None, &bytes, &limits);
        let _ = parse("a.docx", None, &bytes, &limits);
        let _ = parse("a.pdf", None, &bytes, &limits);
    }
}

#[test]
fn deeply_nested_html_does_not_overflow() {
    let html = format!("{}deep text{}", "<div>".repeat(20_000), "</div>".repeat(20_000));
    let doc = parse("deep.html", None, html.as_bytes(), &ParseLimits::default()).expect("parses");
    assert!(doc.text.contains("deep text"));
}
