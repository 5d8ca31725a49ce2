//! Date extraction: every written form, ambiguity, impossible dates and the e-mail header.

use docket_corpus::extract::{dates, sentences};
use docket_corpus::{DatePrecision, ExtractedDate, ParsedDocument};
use time::macros::{date, datetime};

fn doc(text: &str) -> ParsedDocument {
    ParsedDocument { parser: "text", media_type: "text/plain".into(), text: text.to_owned(), ..Default::default() }
}

fn body(text: &str) -> Vec<ExtractedDate> {
    dates(&doc(text))
}

/// The single date found in `text`: (as written, date, precision, confidence).
fn one(text: &str) -> (String, time::Date, DatePrecision, f32) {
    let found = body(text);
    assert_eq!(found.len(), 1, "expected one date in {text:?}, got {found:?}");
    let d = &found[0];
    let (s, e) = d.span.expect("body dates have a span");
    assert_eq!(d.origin, "body");
    assert!(d.timestamp.is_none());
    (text[s..e].to_owned(), d.date, d.precision, d.confidence)
}

#[test]
fn iso_dates() {
    let (surface, date, precision, confidence) = one("Filed 2021-03-03 in court.");
    assert_eq!((surface.as_str(), date, precision), ("2021-03-03", date!(2021 - 03 - 03), DatePrecision::Day));
    assert!(confidence >= 0.9);
    assert_eq!(one("at 2021-03-03T10:15:00Z").1, date!(2021 - 03 - 03));
    assert_eq!(one("on 2021/3/4.").1, date!(2021 - 03 - 04));
}

#[test]
fn numeric_us_and_european() {
    assert_eq!(one("on 3/3/2021 we met").1, date!(2021 - 03 - 03));
    assert_eq!(one("on 03/03/21 we met").1, date!(2021 - 03 - 03));
    assert_eq!(one("on 3.3.2021 we met").1, date!(2021 - 03 - 03));
    // A part over 12 settles the order either way.
    let (_, d, _, c) = one("due 31/03/2021.");
    assert_eq!(d, date!(2021 - 03 - 31));
    assert!(c >= 0.8);
    assert_eq!(one("due 03/31/2021.").1, date!(2021 - 03 - 31));
    assert_eq!(one("due 31.3.2021.").1, date!(2021 - 03 - 31));
    assert_eq!(one("due 12-25-1999.").1, date!(1999 - 12 - 25));
    assert_eq!(one("in 12/31/99").1, date!(1999 - 12 - 31));
}

#[test]
fn ambiguous_numeric_dates_prefer_us_for_slash_and_day_first_for_dots() {
    let (_, slash, _, slash_conf) = one("signed 4/5/2021");
    assert_eq!(slash, date!(2021 - 04 - 05));
    let (_, dots, _, dots_conf) = one("signed 4.5.2021");
    assert_eq!(dots, date!(2021 - 05 - 04));
    let (_, _, _, clear_conf) = one("signed 4/25/2021");
    assert!(slash_conf < clear_conf && dots_conf < clear_conf);
    // Two-digit years cost a little more confidence.
    let (_, _, _, short_conf) = one("signed 4/5/21");
    assert!(short_conf < slash_conf);
    // Same day and month is not ambiguous.
    let (_, _, _, same_conf) = one("signed 5/5/2021");
    assert_eq!(same_conf, clear_conf);
}

#[test]
fn month_names() {
    for (text, expected) in [
        ("on March 3, 2021 the parties", date!(2021 - 03 - 03)),
        ("on 3 March 2021 the parties", date!(2021 - 03 - 03)),
        ("on Mar. 3, 2021 the parties", date!(2021 - 03 - 03)),
        ("on Sept 3 2021 the parties", date!(2021 - 09 - 03)),
        ("on Sep. 30, 2021 the parties", date!(2021 - 09 - 30)),
        ("on the 3rd of March, 2021 the parties", date!(2021 - 03 - 03)),
        ("on March 3rd, 2021 the parties", date!(2021 - 03 - 03)),
        ("on MARCH 3, 2021 the parties", date!(2021 - 03 - 03)),
        ("on Wednesday, 3 Mar 2021 the parties", date!(2021 - 03 - 03)),
        ("on 03-Mar-2021 the parties", date!(2021 - 03 - 03)),
        ("on 3-MAR-21 the parties", date!(2021 - 03 - 03)),
        ("on February 29, 2020 the parties", date!(2020 - 02 - 29)),
    ] {
        let (surface, date, precision, _) = one(text);
        assert_eq!(date, expected, "{text}");
        assert_eq!(precision, DatePrecision::Day, "{text}");
        assert!(text.contains(&surface));
    }
    assert_eq!(one("on March 3, 2021.").0, "March 3, 2021");
}

#[test]
fn month_and_year() {
    let (surface, date, precision, confidence) = one("The dispute began in June 2021 when the vessel sailed.");
    assert_eq!((surface.as_str(), date, precision), ("June 2021", date!(2021 - 06 - 01), DatePrecision::Month));
    assert!(confidence < 0.9);
    assert_eq!(one("by Dec. 2020").1, date!(2020 - 12 - 01));
    assert_eq!(one("in March, 2019").2, DatePrecision::Month);
}

#[test]
fn year_alone_only_in_context() {
    let (surface, date, precision, confidence) = one("In 2019 the parties first met.");
    assert_eq!((surface.as_str(), date, precision), ("2019", date!(2019 - 01 - 01), DatePrecision::Year));
    assert!(confidence <= 0.4);
    assert_eq!(one("Our fiscal year 2020 results were weak.").0, "fiscal year 2020");
    assert_eq!(one("FY2022 guidance").0, "FY2022");
    assert_eq!(one("since mid-2018, prices rose").0, "mid-2018");
    for text in [
        "The 2019 report",
        "invoice 2021 was paid",
        "in 2000 cases",
        "room 2020",
        "a total of 2021 units",
        "in 1850 the firm",
    ] {
        assert!(body(text).is_empty(), "no date expected in {text:?}: {:?}", body(text));
    }
}

#[test]
fn impossible_and_out_of_range_dates_are_rejected() {
    for text in [
        "Feb 30, 2021",
        "February 29, 2021",
        "April 31, 2021",
        "13/13/2021",
        "2021-02-30",
        "2021-13-01",
        "00/10/2021",
        "32.1.2021",
        "March 3, 1850",
        "3 March 2150",
        "1899-12-31",
        "in 2101",
    ] {
        assert!(body(text).is_empty(), "no date expected in {text:?}: {:?}", body(text));
    }
}

#[test]
fn numbers_that_only_look_like_dates() {
    for text in ["version 1.2.2021.5", "call 555-12-2021-7", "ratio 1/2/3", "path /3/3/2021/x", "12021-03-03", "1.2.21"]
    {
        assert!(body(text).is_empty(), "no date expected in {text:?}: {:?}", body(text));
    }
}

#[test]
fn each_date_once_even_when_patterns_overlap() {
    let text = "On March 3, 2021 (3/3/2021) and in March 2021 and in 2021.";
    let found = body(text);
    let surfaces: Vec<&str> = found.iter().filter_map(|d| d.span).map(|(s, e)| &text[s..e]).collect();
    assert_eq!(surfaces, vec!["March 3, 2021", "3/3/2021", "March 2021", "2021"]);
}

#[test]
fn sentences_around_dates() {
    let text = "First sentence here. The hearing is on March 3, 2021 in Boston. Last one.";
    let found = body(text);
    assert_eq!(found.len(), 1);
    let (s, e) = found[0].sentence;
    assert_eq!(&text[s..e], "The hearing is on March 3, 2021 in Boston.");
    assert!(sentences(text).contains(&found[0].sentence));
}

#[test]
fn email_header_date() {
    let ts = datetime!(2021-03-03 10:15:00 -5);
    let text = "Overdue invoice\n\nMarcus, the invoice of 2/1/2021 is overdue.";
    let mail = ParsedDocument {
        parser: "email",
        media_type: "message/rfc822".into(),
        subject: Some("Overdue invoice".into()),
        document_date: Some(ts),
        text: text.to_owned(),
        ..Default::default()
    };
    let found = dates(&mail);
    assert_eq!(found.len(), 2);
    let header = &found[0];
    assert_eq!(header.origin, "metadata");
    assert_eq!(header.timestamp, Some(ts));
    assert_eq!(header.date, date!(2021 - 03 - 03));
    assert_eq!(header.precision, DatePrecision::Day);
    assert_eq!(header.span, None);
    assert_eq!(header.confidence, 1.0);
    assert_eq!(&text[header.sentence.0..header.sentence.1], "Overdue invoice");
    assert_eq!(found[1].origin, "body");

    // Without the subject in the text, the first sentence stands in.
    let no_subject = ParsedDocument { subject: None, text: "Short note. More text.".into(), ..mail.clone() };
    assert_eq!(dates(&no_subject)[0].sentence, (0, 11));
    let empty = ParsedDocument { subject: Some("x".into()), text: String::new(), ..mail.clone() };
    assert_eq!(dates(&empty)[0].sentence, (0, 0));
    // Other documents' own dates (DOCX core properties, PDF info) are metadata events too, the
    // modified date as well when it differs.
    let modified = datetime!(2021-03-04 08:00 -5);
    let docx = ParsedDocument { parser: "docx", modified_date: Some(modified), ..mail };
    let metadata: Vec<_> = dates(&docx).into_iter().filter(|d| d.origin == "metadata").collect();
    assert_eq!(metadata.iter().map(|d| d.timestamp).collect::<Vec<_>>(), [Some(ts), Some(modified)]);
}

#[test]
fn offsets_are_byte_offsets_in_unicode_text() {
    let text = "Ünïcödé — «Le 3 mars» 🚢 on 3 März… and 5 March 2021 — fin.";
    let found = body(text);
    assert_eq!(found.len(), 1);
    let (s, e) = found[0].span.expect("span");
    assert_eq!(&text[s..e], "5 March 2021");
}
