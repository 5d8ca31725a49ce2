//! Each supported format parsed from a fixture built here or committed under tests/fixtures/.

#[path = "fixtures/builders.rs"]
mod builders;

use builders::{DocxMeta, Mail, MailAttachment, PdfMeta};
use docket_corpus::parse::parse;
use docket_corpus::{ParseError, ParseLimits};

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

fn limits() -> ParseLimits {
    ParseLimits::default()
}

#[test]
fn plain_text_is_cleaned_and_bom_stripped() {
    let bytes = b"\xEF\xBB\xBFMeeting notes\r\n\r\n\r\nAttendees:\tDana\x00  Whitfield   \x07and others.\r\n";
    let doc = parse("notes.TXT", None, bytes, &limits()).expect("parses");
    assert_eq!(doc.parser, "text");
    assert_eq!(doc.media_type, "text/plain");
    assert_eq!(doc.text, "Meeting notes\n\nAttendees:\tDana Whitfield and others.");
    assert_eq!(doc.title, None);
}

#[test]
fn invalid_utf8_falls_back() {
    let doc = parse("legacy.txt", None, b"\x93Smart quotes\x94 cost \x8012", &limits()).expect("parses");
    assert_eq!(doc.text, "\u{201C}Smart quotes\u{201D} cost \u{20AC}12");
    let doc = parse("damaged.txt", None, "caf\u{e9} \u{2014} ok".as_bytes(), &limits()).expect("parses");
    assert_eq!(doc.text, "caf\u{e9} \u{2014} ok");
    let mut damaged = "caf\u{e9} ".as_bytes().to_vec();
    damaged.push(0xFF);
    let doc = parse("damaged.txt", None, &damaged, &limits()).expect("parses");
    assert_eq!(doc.text, "caf\u{e9} \u{FFFD}");
}

#[test]
fn markdown_keeps_text_and_takes_first_heading() {
    let md = "# Privileged & Confidential: Case Strategy\n\n## Summary\n\nWe **strongly** recommend \
              [settlement](https://example.com) before *trial*.\n\n- item one\n- item two\n";
    let doc = parse("memo.md", None, md.as_bytes(), &limits()).expect("parses");
    assert_eq!(doc.parser, "markdown");
    assert_eq!(doc.title.as_deref(), Some("Privileged & Confidential: Case Strategy"));
    assert!(doc.text.starts_with("Privileged & Confidential: Case Strategy\n\nSummary\n\n"));
    assert!(doc.text.contains("We strongly recommend settlement before trial."));
    assert!(doc.text.contains("- item one\n- item two"));
}

#[test]
fn markdown_is_read_by_a_commonmark_parser() {
    // Parentheses inside a link target, nested emphasis and numbered lists: what line-by-line
    // patterns got wrong.
    let md = "Read [the brief](https://example.com/brief_(final)) and ***all*** exhibits.\n\n\
              3. first\n4. second\n\n<div>raw html</div>\n";
    let doc = parse("memo.md", None, md.as_bytes(), &limits()).expect("parses");
    assert!(doc.text.contains("Read the brief and all exhibits."), "{}", doc.text);
    assert!(doc.text.contains("3. first\n4. second"), "{}", doc.text);
    assert!(!doc.text.contains("<div>"), "{}", doc.text);
}

#[test]
fn html_title_is_read_by_the_html_tokenizer() {
    let html = "<!-- <title>Draft</title> --><html><head><title>Smith &amp; Jones &mdash; caf&eacute; memo</title>\
                </head><body><p>Body</p></body></html>";
    let doc = parse("page.html", None, html.as_bytes(), &limits()).expect("parses");
    assert_eq!(doc.title.as_deref(), Some("Smith & Jones \u{2014} caf\u{e9} memo"));
    // Past the nesting limit only the text between tags is kept, with its entities decoded.
    let deep = format!("<p>caf&eacute; &amp; bar</p>{}<script>x = '<b>';</script>", "<div>".repeat(600));
    let doc = parse("deep.html", None, deep.as_bytes(), &limits()).expect("parses");
    assert_eq!(doc.text, "caf\u{e9} & bar");
}

#[test]
fn html_title_body_and_no_script() {
    let html = "<!doctype html><html><head><title>Meridian &amp; Partners \u{2014} Press</title>\
                <style>body { color: red }</style><script>var secret = 1;</script></head>\
                <body><h1>Announcement</h1><p>On March 3, 2021 the <b>board</b> met.</p>\
                <script>alert('x')</script><ul><li>First</li><li>Second</li></ul></body></html>";
    let doc = parse("page.HTM", None, html.as_bytes(), &limits()).expect("parses");
    assert_eq!(doc.parser, "html");
    assert_eq!(doc.title.as_deref(), Some("Meridian & Partners \u{2014} Press"));
    assert!(doc.text.contains("Announcement"));
    assert!(doc.text.contains("On March 3, 2021 the board met."));
    assert!(doc.text.contains("First"));
    assert!(!doc.text.contains("secret"));
    assert!(!doc.text.contains("alert"));
    assert!(!doc.text.contains("color"));
}

#[test]
fn email_headers_body_and_attachments() {
    let docx = builders::docx(
        &["Draft amendment", "Clause 4 is replaced."],
        &DocxMeta { title: "Amendment", creator: "R. Okafor", created: "2021-03-10T12:00:00Z" },
    );
    let bytes = builders::mail(&Mail {
        headers: &[
            ("From", "\"Whitfield, Dana\" <Dana.Whitfield@harborfreight.example>"),
            ("To", "Marcus Bell <mbell@meridianshipping.example>, legal@meridianshipping.example"),
            ("Cc", "Priya Natarajan <pnatarajan@lawfirm.example>"),
            ("Date", "Wed, 03 Mar 2021 10:15:00 -0500"),
            ("Subject", "Overdue invoice =?utf-8?q?=E2=80=94?= payment demand"),
            ("Message-ID", "<abc@harborfreight.example>"),
        ],
        text: Some("Marcus,\n\nInvoice 2291 for $48,250.00 is now 30 days overdue.\n\nDana"),
        html: Some("<p>Marcus,</p><p>Invoice 2291 (HTML copy)</p>"),
        attachments: &[
            MailAttachment {
                file_name: "invoice-2291.txt",
                media_type: "text/plain",
                bytes: b"Invoice 2291\nTotal: $48,250.00\n",
            },
            MailAttachment { file_name: "amendment.docx", media_type: DOCX, bytes: &docx },
        ],
    });
    let doc = parse("message.eml", None, &bytes, &limits()).expect("parses");
    assert_eq!(doc.parser, "email");
    assert_eq!(doc.media_type, "message/rfc822");
    assert_eq!(doc.subject.as_deref(), Some("Overdue invoice \u{2014} payment demand"));
    assert_eq!(doc.title, doc.subject);
    assert_eq!(doc.author.as_deref(), Some("Whitfield, Dana <Dana.Whitfield@harborfreight.example>"));
    assert_eq!(
        doc.recipients,
        vec![
            "Marcus Bell <mbell@meridianshipping.example>".to_owned(),
            "legal@meridianshipping.example".to_owned(),
            "Priya Natarajan <pnatarajan@lawfirm.example>".to_owned(),
        ]
    );
    let date = doc.document_date.expect("date header");
    assert_eq!(date.unix_timestamp(), 1_614_784_500);
    assert_eq!(date.offset().whole_hours(), -5);
    assert!(doc.text.starts_with("Overdue invoice \u{2014} payment demand\n\nMarcus,\n\nInvoice 2291 for $48,250.00"));
    // The text alternative comes first; of the HTML one only what it alone says is added.
    assert!(doc.text.ends_with("Dana\n\nInvoice 2291 (HTML copy)"), "{}", doc.text);
    assert_eq!(doc.text.matches("Marcus,").count(), 1, "{}", doc.text);

    assert_eq!(doc.attachments.len(), 2);
    assert_eq!(doc.attachments[0].file_name, "invoice-2291.txt");
    assert_eq!(doc.attachments[0].media_type.as_deref(), Some("text/plain"));
    assert_eq!(doc.attachments[0].bytes, b"Invoice 2291\nTotal: $48,250.00\n");
    assert_eq!(doc.attachments[1].file_name, "amendment.docx");
    assert_eq!(doc.attachments[1].media_type.as_deref(), Some(DOCX));
    assert_eq!(doc.attachments[1].bytes, docx);
    // An attachment is a file like any other.
    let child = parse(
        &doc.attachments[1].file_name,
        doc.attachments[1].media_type.as_deref(),
        &doc.attachments[1].bytes,
        &limits(),
    )
    .expect("attachment parses");
    assert_eq!(child.text, "Draft amendment\nClause 4 is replaced.");
}

#[test]
fn html_only_email_is_converted() {
    let bytes = builders::mail(&Mail {
        headers: &[
            ("From", "ops@meridianshipping.example"),
            ("Subject", "Status"),
            ("Date", "Thu, 1 Apr 2021 08:00:00 +0000"),
        ],
        text: None,
        html: Some("<html><body><p>Vessel <b>Cape Orion</b> departed.</p><script>x()</script></body></html>"),
        attachments: &[],
    });
    let doc = parse("status.eml", Some("message/rfc822"), &bytes, &limits()).expect("parses");
    assert_eq!(doc.author.as_deref(), Some("ops@meridianshipping.example"));
    assert!(doc.text.contains("Vessel Cape Orion departed."), "{}", doc.text);
    assert!(!doc.text.contains("x()"));
    assert!(doc.recipients.is_empty());
}

#[test]
fn nested_message_attachment_is_kept_raw() {
    let inner = builders::mail(&Mail {
        headers: &[("From", "a@x.example"), ("Subject", "Original")],
        text: Some("Inner body."),
        html: None,
        attachments: &[],
    });
    let outer = builders::mail(&Mail {
        headers: &[("From", "b@x.example"), ("Subject", "Fwd: Original")],
        text: Some("See below."),
        html: None,
        attachments: &[MailAttachment { file_name: "original.eml", media_type: "message/rfc822", bytes: &inner }],
    });
    let doc = parse("fwd.eml", None, &outer, &limits()).expect("parses");
    assert_eq!(doc.attachments.len(), 1);
    assert_eq!(doc.attachments[0].media_type.as_deref(), Some("message/rfc822"));
    let child = parse(
        &doc.attachments[0].file_name,
        doc.attachments[0].media_type.as_deref(),
        &doc.attachments[0].bytes,
        &limits(),
    )
    .expect("nested message parses");
    assert_eq!(child.subject.as_deref(), Some("Original"));
    assert!(child.text.contains("Inner body."));
}

#[test]
fn committed_pdf_fixture_has_a_text_layer() {
    let bytes = include_bytes!("fixtures/letter.pdf");
    let doc = parse("letter.pdf", None, bytes, &limits()).expect("parses");
    assert_eq!(doc.parser, "pdf");
    assert_eq!(doc.media_type, "application/pdf");
    assert_eq!(doc.title.as_deref(), Some("Demand for Payment"));
    assert_eq!(doc.author.as_deref(), Some("Priya Natarajan"));
    assert_eq!(doc.document_date.map(|d| d.unix_timestamp()), Some(1_616_077_800));
    assert!(doc.text.contains("Demand for Payment"), "{}", doc.text);
    assert!(
        doc.text.contains("Meridian Shipping Corp. owes $48,250.00 under the agreement of March 3, 2021."),
        "{}",
        doc.text
    );
    assert!(doc.text.contains("Second page."), "{}", doc.text);
}

#[test]
fn generated_pdf_matches_committed_fixture() {
    // The fixture is committed so the test does not depend on the builder alone; rebuilding it
    // must give the same bytes.
    assert_eq!(letter_pdf(), include_bytes!("fixtures/letter.pdf").to_vec());
}

/// The committed fixture `tests/fixtures/letter.pdf`; regenerate with
/// `DOCKET_WRITE_FIXTURES=1 cargo test -p docket-corpus --test parse_formats`.
fn letter_pdf() -> Vec<u8> {
    builders::pdf(
        &[
            &[
                "Demand for Payment",
                "",
                "Meridian Shipping Corp. owes $48,250.00 under the agreement of March 3, 2021.",
                "Payment (in full) is due within 10 days.",
            ],
            &["Second page."],
        ],
        &PdfMeta { title: "Demand for Payment", author: "Priya Natarajan", created: "D:20210318093000-05'00'" },
    )
}

#[test]
fn write_fixtures_when_asked() {
    if std::env::var_os("DOCKET_WRITE_FIXTURES").is_some() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/letter.pdf");
        std::fs::write(path, letter_pdf()).expect("write fixture");
    }
}

#[test]
fn docx_paragraphs_and_core_properties() {
    let bytes = builders::docx(
        &[
            "MASTER SERVICES AGREEMENT",
            "",
            "This Agreement is made on January 15, 2021.",
            "Rate\tUSD 12,500 per voyage",
        ],
        &DocxMeta { title: "Master Services Agreement", creator: "Rebecca Okafor", created: "2021-01-15T09:00:00Z" },
    );
    let doc = parse("msa.DOCX", None, &bytes, &limits()).expect("parses");
    assert_eq!(doc.parser, "docx");
    assert_eq!(doc.media_type, DOCX);
    assert_eq!(doc.title.as_deref(), Some("Master Services Agreement"));
    assert_eq!(doc.author.as_deref(), Some("Rebecca Okafor"));
    assert_eq!(doc.document_date.map(|d| d.unix_timestamp()), Some(1_610_701_200));
    assert_eq!(
        doc.text,
        "MASTER SERVICES AGREEMENT\n\nThis Agreement is made on January 15, 2021.\nRate\tUSD 12,500 per voyage"
    );
}

#[test]
fn media_type_wins_over_extension() {
    let doc =
        parse("upload.bin", Some("text/markdown; charset=utf-8"), b"# Heading\n\ntext", &limits()).expect("parses");
    assert_eq!(doc.parser, "markdown");
    let doc = parse("notes.md", Some("text/plain"), b"# Heading", &limits()).expect("parses");
    assert_eq!(doc.parser, "text");
    // A generic media type defers to the extension.
    let doc = parse("notes.md", Some("application/octet-stream"), b"# Heading", &limits()).expect("parses");
    assert_eq!(doc.parser, "markdown");
}

#[test]
fn unsupported_types_are_named() {
    // Without a type the parser knows, the content decides: these are binary.
    let jpeg = b"\xFF\xD8\xFF\xE0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0";
    assert_eq!(parse("photo.jpg", None, jpeg, &limits()), Err(ParseError::Unsupported("photo.jpg".into())));
    assert_eq!(
        parse("noextension", None, b"\0\x01\x02", &limits()),
        Err(ParseError::Unsupported("noextension".into()))
    );
    let exe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xFF\xFF\0\0";
    assert_eq!(parse("a.txt.exe", None, exe, &limits()), Err(ParseError::Unsupported("a.txt.exe".into())));
    // A declared media type without a parser is believed, whatever the bytes look like.
    assert_eq!(parse("x", Some("image/png"), b"x", &limits()), Err(ParseError::Unsupported("image/png".into())));
}
