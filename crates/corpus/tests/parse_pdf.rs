//! PDF text as a reader needs it (encryption, scans, columns, ligatures), a PDF that once
//! never finished parsing, and file types found from the content when the name says nothing.
//! The fixtures are described in `tests/fixtures/pdf/README.md`.

use std::sync::mpsc;
use std::time::Duration;

use docket_corpus::parse::parse;
use docket_corpus::{ParseError, ParseLimits, ParsedDocument};

fn parse_fixture(name: &str) -> Result<ParsedDocument, ParseError> {
    let path = format!("{}/tests/fixtures/pdf/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).expect("fixture");
    parse(name, None, &bytes, &ParseLimits::default())
}

/// The text with every run of whitespace as one space.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn a_pdf_encrypted_with_an_empty_user_password_is_read() {
    let doc = parse_fixture("encrypted-empty-user-password.pdf").expect("opens without a password");
    assert_eq!(flat(&doc.text), "Settlement offer for Meridian Shipping. Strictly confidential.");
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
}

#[test]
fn a_pdf_that_needs_a_password_fails_saying_so() {
    let err = parse_fixture("encrypted-user-password.pdf").expect_err("needs its password");
    assert_eq!(err, ParseError::Encrypted);
    assert_eq!(err.to_string(), "encrypted: needs a password");
}

#[test]
fn a_scanned_page_is_marked_as_needing_ocr() {
    let doc = parse_fixture("scan.pdf").expect("a scan is a document");
    assert_eq!(doc.text, "");
    assert_eq!(doc.warnings, vec!["needs_ocr".to_owned()]);
}

#[test]
fn a_scanned_page_after_a_text_page_is_marked_too() {
    let doc = parse_fixture("scan-after-text.pdf").expect("parses");
    assert_eq!(flat(&doc.text), "Cover letter with a text layer.");
    assert_eq!(doc.warnings, vec!["needs_ocr".to_owned()]);
}

#[test]
fn a_pdf_with_a_text_layer_on_every_page_has_no_warning() {
    let bytes = include_bytes!("fixtures/letter.pdf");
    let doc = parse("letter.pdf", None, bytes, &ParseLimits::default()).expect("parses");
    assert!(doc.text.contains("Meridian Shipping Corp."), "{}", doc.text);
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
}

#[test]
fn two_columns_are_read_one_after_the_other() {
    let doc = parse_fixture("two-columns.pdf").expect("parses");
    let text = flat(&doc.text);
    let left = "The left column opens the argument of the claimant about the shipping contract signed in March.";
    let right = "The right column answers with the defence of the respondent about the late delivery of goods.";
    assert_eq!(text, format!("{left} {right}"));
}

#[test]
fn ligatures_are_spelled_out() {
    let doc = parse_fixture("ligatures.pdf").expect("parses");
    assert_eq!(flat(&doc.text), "The configuration file was flagged as confidential and efficient.");
}

#[test]
fn the_pdf_that_never_finished_parsing_in_process_now_finishes() {
    let bytes = include_bytes!("../../../fuzz/hangs/pdf/lopdf-endless-loop.pdf").to_vec();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(parse("endless.pdf", None, &bytes, &ParseLimits::default()));
    });
    let result = rx.recv_timeout(Duration::from_secs(10)).expect("the PDF parse answered within 10 s");
    // The file holds no readable text: a document marked for OCR, not an empty success.
    let doc = result.expect("poppler reads what there is");
    assert_eq!(doc.text, "");
    assert_eq!(doc.warnings, vec!["needs_ocr".to_owned()]);
}

#[test]
fn text_files_without_a_known_extension_are_text() {
    let limits = ParseLimits::default();
    let files: [(&str, &[u8]); 4] = [
        ("README.Debian", b"Notes for Debian\n\nThe configuration lives in /etc/docket.\n"),
        (
            "copyright",
            b"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: docket\n",
        ),
        ("NOTES", b"Call with opposing counsel on 3 March 2021.\r\n"),
        // Windows-1252 (not UTF-8): still text.
        ("memo", b"Caf\xe9 meeting notes \x96 privileged.\n"),
    ];
    for (name, bytes) in files {
        let doc = parse(name, None, bytes, &limits).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(doc.parser, "text", "{name}");
        assert!(!doc.text.is_empty(), "{name}");
    }
    let memo = parse("memo", None, b"Caf\xe9 meeting notes \x96 privileged.\n", &limits).expect("text");
    assert_eq!(memo.text, "Café meeting notes – privileged.");
}

#[test]
fn a_mail_saved_without_an_extension_is_an_email() {
    let mail =
        b"From: Ann Lee <ann@example.com>\r\nTo: Bob <bob@example.com>\r\nSubject: Draft\r\n\r\nSee the draft.\r\n";
    let doc = parse("1597.mbox-part", None, mail, &ParseLimits::default()).expect("parses");
    assert_eq!(doc.parser, "email");
    // A `message/*` part that is not a whole message: the content decides.
    let doc =
        parse("attachment-1.bin", Some("Message/Partial; number=1"), mail, &ParseLimits::default()).expect("parses");
    assert_eq!(doc.parser, "email");
    let status = b"Reporting-MTA: dns; mail.example.com\r\n\r\nFinal-Recipient: rfc822; bob@example.com\r\n";
    let doc = parse("status", Some("message/delivery-status"), status, &ParseLimits::default()).expect("parses");
    assert_eq!(doc.parser, "text");
}

#[test]
fn binary_junk_without_a_known_extension_stays_unsupported() {
    let limits = ParseLimits::default();
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend((0..2000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    let noise: Vec<u8> = (1..4000u32).map(|i| (i.wrapping_mul(2_246_822_519) >> 11) as u8).collect();
    // An image's extension is believed even when the bytes look like text.
    let bmp = b"BM not a document".as_slice();
    for (name, bytes) in
        [("photo", png.as_slice()), ("blob.bin", noise.as_slice()), ("empty", &[][..]), ("image.bmp", bmp)]
    {
        match parse(name, None, bytes, &limits) {
            Err(ParseError::Unsupported(what)) => assert_eq!(what, name),
            other => panic!("{name}: expected unsupported, got {other:?}"),
        }
    }
}

#[test]
fn a_pdf_without_an_extension_is_found_by_its_header() {
    let bytes = include_bytes!("fixtures/letter.pdf");
    let doc = parse("scan-0001", None, bytes, &ParseLimits::default()).expect("parses");
    assert_eq!(doc.parser, "pdf");
}
