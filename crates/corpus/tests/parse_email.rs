//! E-mail parsing on committed fixtures: charsets, messages without the usual headers, text
//! parts of every type and attachments that no parser reads (see tests/fixtures/email/README.md).

use docket_corpus::ParseLimits;
use docket_corpus::parse::parse;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/email/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn parse_mail(name: &str) -> docket_corpus::ParsedDocument {
    parse(name, None, &fixture(name), &ParseLimits::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn cjk_charsets_are_decoded_in_bodies_and_encoded_words() {
    let cases = [
        ("iso-2022-jp.eml", "会議の議事録", "山田太郎 <sender@example.jp>", "明日の会議は午後三時からです。"),
        ("shift_jis.eml", "契約書の確認", "佐藤花子 <sender@example.jp>", "契約書の第五条を確認してください。"),
        ("euc-kr.eml", "계약 검토", "김민수 <sender@example.jp>", "계약서 제5조를 검토해 주십시오."),
        ("ks_c_5601-1987.eml", "합의서 초안", "이지은 <jieun@example.kr>", "합의서 초안을 첨부합니다."),
        (
            "spamscope-mail_test_12.eml",
            "代开各地增值税发票",
            "张先生 <baoguan@hotmail.com>",
            "我公司可代开各类增值税发票",
        ),
    ];
    for (name, subject, author, body) in cases {
        let doc = parse_mail(name);
        assert_eq!(doc.subject.as_deref(), Some(subject), "{name}");
        assert_eq!(doc.author.as_deref(), Some(author), "{name}");
        assert!(doc.text.contains(body), "{name}: {}", doc.text);
        assert!(!doc.text.contains('\u{FFFD}'), "{name}: {}", doc.text);
    }
}

#[test]
fn sender_recipients_subject_and_date_are_fields() {
    let doc = parse_mail("iso-2022-jp.eml");
    assert_eq!(doc.recipients, ["Recipient <to@example.kr>"]);
    let date = doc.document_date.expect("a Date header");
    assert_eq!(date.to_string(), "2024-03-01 23:06:00.0 -04:00:00");
}

#[test]
fn a_message_without_the_usual_headers_is_a_document() {
    // Only a MIME header, no From, To, Date, Subject or Message-ID.
    let bytes = b"MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nMinutes of the meeting of 4 March 2024.\r\n";
    let doc = parse("part.eml", None, bytes, &ParseLimits::default()).expect("still a document");
    assert_eq!(doc.parser, "email");
    assert_eq!(doc.text, "Minutes of the meeting of 4 March 2024.");
    // No header at all: the bytes are the text.
    let doc = parse("body.eml", None, b"\r\nJust a body line.\r\n", &ParseLimits::default()).expect("still a document");
    assert!(doc.text.contains("Just a body line."), "{}", doc.text);
    // Text that is not a header block either (mail-parser 0.11.9's malformed/022.eml attaches
    // this as a message/rfc822 part).
    let bytes = b"this attachment is not a valid eml, sorry!\r\n";
    let doc = parse("broken.eml", None, bytes, &ParseLimits::default()).expect("still a document");
    assert_eq!(doc.text, "this attachment is not a valid eml, sorry!");
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
}

#[test]
fn a_text_body_without_subtype_is_read() {
    let bytes = b"From: a@example.com\r\nSubject: Notice\r\nContent-Type: text\r\n\r\nThe deadline is Friday.\r\n";
    let doc = parse("notice.eml", None, bytes, &ParseLimits::default()).expect("parses");
    assert_eq!(doc.text, "Notice\n\nThe deadline is Friday.");
    assert!(doc.attachments.is_empty(), "{:?}", doc.attachments);
}

#[test]
fn delivery_reports_are_read_as_text() {
    let doc = parse_mail("spamscope-mail_malformed_2.eml");
    // The text/plain part and the unnamed message/rfc822-headers part are the message's text.
    assert!(doc.text.contains("User's mailbox quota exceeded"), "{}", doc.text);
    assert!(doc.text.contains("Subject: Trabajo perfecto a distancia"), "{}", doc.text);
    // The named message/delivery-status part is a text attachment, handed on as UTF-8 text.
    assert_eq!(doc.attachments.len(), 1, "{:?}", doc.attachments);
    let report = &doc.attachments[0];
    assert_eq!(report.file_name, "DSN57BAC498.txt");
    assert_eq!(report.media_type.as_deref(), Some("message/delivery-status"));
    assert_eq!(report.parser_media_type(), Some("text/plain"));
    let text = String::from_utf8(report.bytes.clone()).expect("UTF-8");
    assert!(text.contains("Status: 4.2.2"), "{text}");
}

#[test]
fn enriched_text_is_read_and_media_parts_are_listed() {
    let doc = parse_mail("mail-parser-rfc-000.eml");
    assert!(doc.text.contains("enriched."), "{}", doc.text);
    let types: Vec<Option<&str>> = doc.attachments.iter().map(|a| a.media_type.as_deref()).collect();
    assert_eq!(types, [Some("audio/basic"), Some("image/jpeg"), Some("message/rfc822")], "{:?}", doc.attachments);
}

#[test]
fn a_message_with_no_readable_text_is_flagged_empty() {
    // Nested multiparts whose boundaries leave no part with text, and no subject.
    let doc = parse_mail("mail-parser-malformed-001.eml");
    assert_eq!(doc.text, "");
    assert_eq!(doc.warnings, [docket_corpus::model::EMPTY_TEXT]);
    // A message with text carries no such warning.
    assert!(parse_mail("mail-parser-thirdparty-013.eml").warnings.is_empty());
}

#[test]
fn what_only_the_html_alternative_says_is_kept() {
    // Damaged boundaries leave the plain alternatives empty; the HTML ones hold the text.
    let doc = parse_mail("mail-parser-malformed-019.eml");
    assert!(doc.text.contains("HTML body of the multipar"), "{}", doc.text);
    // The plain alternative says "a", the HTML one "b": both are kept.
    let doc = parse_mail("mail-parser-thirdparty-013.eml");
    assert_eq!(doc.text, "a\n\nb");
    // Alternatives that say the same thing give the text once.
    let doc = parse_mail("spamscope-mail_test_12.eml");
    assert_eq!(doc.text.matches("我公司可代开各类增值税发票").count(), 1, "{}", doc.text);
}

#[test]
fn uuencoded_parts_are_decoded() {
    // A Latin-1 text file sent as `Content-Transfer-Encoding: x-uuencode` (Eudora).
    let doc = parse_mail("mail-parser-legacy-026.eml");
    let fable = &doc.attachments[0];
    // Its name is raw Latin-1 in the header.
    assert_eq!(fable.file_name, "HasenundFrösche.txt");
    assert_eq!(fable.parser_media_type(), Some("text/plain"));
    let text = String::from_utf8(fable.bytes.clone()).expect("UTF-8");
    assert!(text.contains("Die Hasen klagten einst über ihre mißliche Lage"), "{text}");
    assert!(!text.contains("begin 600"), "{text}");
    // Images sent the same way are listed with their decoded bytes.
    let doc = parse_mail("mail-parser-legacy-048.eml");
    let images: Vec<&docket_corpus::model::Attachment> =
        doc.attachments.iter().filter(|a| a.media_type.as_deref() == Some("image/png")).collect();
    assert_eq!(images.len(), 3, "{:?}", doc.attachments.iter().map(|a| &a.file_name).collect::<Vec<_>>());
    for image in images {
        assert!(image.bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{}: {:?}", image.file_name, &image.bytes[..8]);
    }
}

#[test]
fn a_character_split_across_encoded_words_is_decoded_whole() {
    // The subject of a real newsletter (eml_parser's sample_fail_github_issue_38): the runner
    // emoji's four UTF-8 bytes are split over two encoded words at the line fold.
    let bytes = b"From: news@example.com\r\nSubject: =?utf-8?Q?Promo=C3=A7=C3=A3o_Corre!_=F0=9F?=\r\n =?utf-8?Q?=8F=83=E2=80=8D=E2=99=82=EF=B8=8F?=\r\n\r\nBody.\r\n";
    let doc = parse("promo.eml", None, bytes, &ParseLimits::default()).expect("parses");
    let subject = doc.subject.expect("a subject");
    assert!(subject.starts_with("Promoção Corre! \u{1F3C3}"), "{subject}");
    assert!(!subject.contains('\u{FFFD}'), "{subject}");
    // Latin-1 written straight into the header (mail-parser 0.11.9's legacy/052.eml, Outlook).
    let bytes = b"From: a@example.com\r\nSubject: Die Hasen und die Fr\xf6sche\r\n\r\nBody.\r\n";
    let doc = parse("fable.eml", None, bytes, &ParseLimits::default()).expect("parses");
    assert_eq!(doc.subject.as_deref(), Some("Die Hasen und die Frösche"));
}

#[test]
fn eight_bit_text_without_a_known_charset_is_not_replacement_characters() {
    // Latin-1 bytes labelled UTF-8, `unknown-8bit` (mailing-list software writes it), unlabelled,
    // and quoted-printable under an unknown label: Windows-1252, not U+FFFD.
    let cases: [&[u8]; 4] = [
        // Labelled UTF-8, written in Latin-1 (mail-parser 0.11.9's legacy/033.eml, Netscape 4.7).
        b"From: a@example.com\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nDie Fr=F6sche klagten =FCber ihre Lage.\r\n",
        b"From: a@example.com\r\nContent-Type: text/plain; charset=unknown-8bit\r\n\r\nDie Fr\xf6sche klagten \xfcber ihre Lage.\r\n",
        b"From: a@example.com\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: 8bit\r\n\r\nDie Fr\xf6sche klagten \xfcber ihre Lage.\r\n",
        b"From: a@example.com\r\nContent-Type: text/plain; charset=x-unknown\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nDie Fr=F6sche klagten =FCber ihre Lage.\r\n",
    ];
    for bytes in cases {
        let doc = parse("latin.eml", None, bytes, &ParseLimits::default()).expect("parses");
        assert_eq!(doc.text, "Die Frösche klagten über ihre Lage.", "{}", String::from_utf8_lossy(bytes));
    }
    // A known charset is left to mail-parser.
    let bytes = b"From: a@example.com\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\nFr\xf6sche\r\n";
    assert_eq!(parse("known.eml", None, bytes, &ParseLimits::default()).expect("parses").text, "Frösche");
}
