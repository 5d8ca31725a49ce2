//! DOCX on python-docx's own fixtures (see tests/fixtures/docx/README.md): headers, footers,
//! comments with their author, and the core properties' author and dates.

use docket_corpus::ParseLimits;
use docket_corpus::parse::parse;

fn parse_fixture(name: &str) -> docket_corpus::ParsedDocument {
    let path = format!("{}/tests/fixtures/docx/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    parse(name, None, &bytes, &ParseLimits::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn headers_and_footers_are_read_once() {
    let doc = parse_fixture("hdr-header-footer.docx");
    for line in ["Header for section-1", "Footer for section 1"] {
        assert_eq!(doc.text.matches(line).count(), 1, "{line}: {}", doc.text);
    }
}

#[test]
fn comments_are_read_with_their_author() {
    let doc = parse_fixture("comments-rich-para.docx");
    assert!(
        doc.text.contains("Comment by Steve Canny: Text with hyperlink https://google.com embedded."),
        "{}",
        doc.text
    );
}

#[test]
fn core_properties_keep_author_and_dates() {
    let doc = parse_fixture("doc-coreprops.docx");
    assert_eq!(doc.author.as_deref(), Some("Steve Canny"));
    assert_eq!(doc.document_date.map(|d| d.unix_timestamp()), Some(1_418_508_120));
    assert_eq!(doc.modified_date.map(|d| d.unix_timestamp()), Some(1_418_508_360));
}
