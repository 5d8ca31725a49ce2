//! Files built to take a parser down: deep nesting, tag soup, and the sandbox's supervision of
//! a parser that crashes, hangs or answers nonsense.

#[path = "fixtures/builders.rs"]
mod builders;

use std::io::Write;
use std::sync::mpsc;
use std::time::Duration;

use docket_corpus::parse::{parse, parse_on_large_stack};
use docket_corpus::{ParseError, ParseLimits, ParserSandbox};

/// A one-page PDF whose page dictionary holds `extra`, and `more` appended as further objects
/// (numbered from 4).
fn pdf(extra: &str, more: &[Vec<u8>]) -> Vec<u8> {
    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] {extra} >>").into_bytes(),
    ];
    objects.extend(more.iter().cloned());
    builders::pdf_file(&objects, "")
}

fn too_deep(result: Result<docket_corpus::ParsedDocument, ParseError>) {
    match result {
        Err(e @ ParseError::TooDeep { format: "pdf", limit: 100 }) => {
            assert_eq!(e.to_string(), "pdf structures nest deeper than 100 levels; refused as hostile");
        }
        other => panic!("expected the nesting limit, got {other:?}"),
    }
}

#[test]
fn deeply_nested_pdf_is_refused_without_overflowing_the_stack() {
    for (open, close) in [("[", "]"), ("<< /A ", ">>")] {
        let bytes = pdf(&format!("/Deep {}{}", open.repeat(5_000), close.repeat(5_000)), &[]);
        assert!(bytes.len() < 64_000, "a few tens of kilobytes: {}", bytes.len());
        too_deep(parse("deep.pdf", None, &bytes, &ParseLimits::default()));
    }
}

#[test]
fn deep_nesting_inside_a_compressed_object_stream_is_refused() {
    let objects = format!("6 0 {}{}", "[".repeat(5_000), "]".repeat(5_000));
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(objects.as_bytes()).unwrap();
    let data = encoder.finish().unwrap();
    let mut stream =
        format!("<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length {} >>\nstream\n", data.len()).into_bytes();
    stream.extend_from_slice(&data);
    stream.extend_from_slice(b"\nendstream");
    too_deep(parse_on_large_stack("objstm.pdf", None, &pdf("/X 6 0 R", &[stream]), &ParseLimits::default()));
}

#[test]
fn nesting_under_the_limit_still_parses() {
    let bytes = pdf(&format!("/Shallow {}{}", "[".repeat(90), "]".repeat(90)), &[]);
    assert!(parse_on_large_stack("ok.pdf", None, &bytes, &ParseLimits::default()).is_ok());
}

/// Parse on a thread, failing the test (instead of hanging it) past a generous 10 s.
fn parse_html_within_10_s(html: String) -> docket_corpus::ParsedDocument {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(parse("hostile.html", None, html.as_bytes(), &ParseLimits::default()));
    });
    rx.recv_timeout(Duration::from_secs(10)).expect("the HTML parser answered within 10 s").expect("parses")
}

#[test]
fn self_closing_tags_do_not_escape_the_html_nesting_limit() {
    let html = format!("<html><body><p>Opening brief</p>{}<p>Closing words</p></body></html>", "<div/>".repeat(40_000));
    let doc = parse_html_within_10_s(html);
    assert!(doc.text.contains("Opening brief") && doc.text.contains("Closing words"), "{}", doc.text);
}

#[test]
fn mismatched_end_tags_do_not_escape_the_html_nesting_limit() {
    let html =
        format!("<html><body><p>Opening brief</p>{}<p>Closing words</p></body></html>", "<div></span>".repeat(40_000));
    let doc = parse_html_within_10_s(html);
    assert!(doc.text.contains("Opening brief") && doc.text.contains("Closing words"), "{}", doc.text);
}

fn shell(script: &str) -> ParserSandbox {
    ParserSandbox::new("/bin/sh", &["-c", script])
}

#[test]
fn a_parser_killed_by_a_signal_fails_the_file_with_the_signal() {
    let result = shell("read -r h; kill -ABRT $$").parse("a.pdf", None, b"%PDF-1.4", &ParseLimits::default());
    assert_eq!(result.map(|_| ()).map_err(|e| e.to_string()), Err("crashed the parser: signal 6".to_owned()));
}

#[test]
fn a_parser_out_of_memory_is_named() {
    let result = shell("read -r h; echo 'memory allocation of 4096 bytes failed' >&2; kill -ABRT $$").parse(
        "a.pdf",
        None,
        b"%PDF-1.4",
        &ParseLimits::default(),
    );
    let message = result.err().map(|e| e.to_string()).unwrap_or_default();
    assert_eq!(message, "crashed the parser: signal 6 (out of memory: limit 4096 MiB)");
}

#[test]
fn a_hanging_parser_is_killed_at_the_time_limit() {
    let mut sandbox = shell("sleep 30");
    sandbox.timeout = Duration::from_secs(1);
    // More than a pipe holds: the writer blocks on a child that never reads until the kill.
    let bytes = vec![b'a'; 1 << 20];
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(sandbox.parse("a.pdf", None, &bytes, &ParseLimits::default()));
    });
    let result = rx.recv_timeout(Duration::from_secs(10)).expect("the sandbox answered within 10 s");
    assert_eq!(result.map(|_| ()).map_err(|e| e.to_string()), Err("timed out after 1 s in the parser".to_owned()));
}

#[test]
fn a_parser_answering_nonsense_or_failing_is_reported() {
    let garbage = shell("read -r h; echo not json").parse("a.pdf", None, b"x", &ParseLimits::default());
    assert!(
        matches!(&garbage, Err(ParseError::Crashed(m)) if m.starts_with("the parser's answer is unreadable")),
        "{garbage:?}"
    );
    let exit = shell("read -r h; exit 3").parse("a.pdf", None, b"x", &ParseLimits::default());
    assert_eq!(exit, Err(ParseError::Crashed("exit status 3".into())));
    let missing = ParserSandbox::new("/nonexistent/parser", &[]).parse("a.pdf", None, b"x", &ParseLimits::default());
    assert!(
        matches!(&missing, Err(ParseError::Crashed(m)) if m.starts_with("the parser could not be started")),
        "{missing:?}"
    );
    let reported = shell(r#"read -r h; printf '{"err":"corrupt pdf file: no trailer"}'"#).parse(
        "a.pdf",
        None,
        b"x",
        &ParseLimits::default(),
    );
    assert_eq!(reported, Err(ParseError::Reported("corrupt pdf file: no trailer".into())));
}

/// Found by the `email` fuzz target: mail-parser 0.11.9 panics ("Invalid part ID, could not
/// find multipart") on this message. The panic fails the file, in words, and goes no further.
#[test]
fn a_panic_inside_mail_parser_fails_the_file_in_words() {
    let bytes = include_bytes!("fixtures/fuzz/email-invalid-part-id.eml");
    let result = parse_on_large_stack("fuzzed.eml", None, bytes, &ParseLimits::default());
    assert_eq!(result, Err(ParseError::Crashed("the email parser failed on this file (an internal error)".into())));
}
