//! Entity extraction: people, organisations, e-mail addresses, money and case numbers.

use docket_corpus::extract::entities;
use docket_corpus::{EntityKind, EntityMention, ParsedDocument};

fn doc(text: &str) -> ParsedDocument {
    ParsedDocument { parser: "text", media_type: "text/plain".into(), text: text.to_owned(), ..Default::default() }
}

/// (normalized, surface) of the mentions of one kind found in the text, in order.
fn of_kind(text: &str, kind: EntityKind) -> Vec<(String, String)> {
    let found = entities(&doc(text));
    for m in &found {
        let (s, e) = m.span.expect("text mentions have spans");
        assert_eq!(&text[s..e], m.surface, "surface is the spanned text");
    }
    found.into_iter().filter(|m| m.kind == kind).map(|m| (m.normalized, m.surface)).collect()
}

fn normalized(text: &str, kind: EntityKind) -> Vec<String> {
    of_kind(text, kind).into_iter().map(|(n, _)| n).collect()
}

#[test]
fn email_addresses_are_lower_cased() {
    let text = "Write to Dana.Whitfield@HarborFreight.example or ops-desk+claims@meridian-shipping.co.uk.";
    assert_eq!(
        of_kind(text, EntityKind::Email),
        vec![
            ("dana.whitfield@harborfreight.example".into(), "Dana.Whitfield@HarborFreight.example".into()),
            ("ops-desk+claims@meridian-shipping.co.uk".into(), "ops-desk+claims@meridian-shipping.co.uk".into()),
        ]
    );
    assert!(normalized("not an address: a@b, @handle, x@y.z", EntityKind::Email).is_empty());
}

#[test]
fn money_amounts_in_every_form() {
    let cases = [
        ("paid $1,200.50 yesterday", "USD 1200.50", "$1,200.50"),
        ("paid $1,200 yesterday", "USD 1200.00", "$1,200"),
        ("a claim of USD 5 million", "USD 5000000.00", "USD 5 million"),
        ("a claim of €3,000 per day", "EUR 3000.00", "€3,000"),
        ("worth 1.2 million dollars in total", "USD 1200000.00", "1.2 million dollars"),
        ("worth £250k at most", "GBP 250000.00", "£250k"),
        ("a $2.5M settlement", "USD 2500000.00", "$2.5M"),
        ("exactly EUR 12,500.75 due", "EUR 12500.75", "EUR 12,500.75"),
        ("some 40,000 euros owed", "EUR 40000.00", "40,000 euros"),
        ("US$ 900 fee", "USD 900.00", "US$ 900"),
        ("$ 15 Million reserve", "USD 15000000.00", "$ 15 Million"),
        ("500 U.S. dollars", "USD 500.00", "500 U.S. dollars"),
    ];
    for (text, norm, surface) in cases {
        assert_eq!(of_kind(text, EntityKind::Money), vec![(norm.to_owned(), surface.to_owned())], "{text}");
    }
    // The same amount written two ways is one entity.
    let both = normalized("$48,250.00 (USD 48,250) was paid", EntityKind::Money);
    assert_eq!(both, vec!["USD 48250.00", "USD 48250.00"]);
    for text in ["version 1.2", "$1.2345", "room 5 dollars? no: 5dollars", "the year 2021"] {
        assert!(
            normalized(text, EntityKind::Money).iter().all(|n| n == "USD 5.00"),
            "{text}: {:?}",
            normalized(text, EntityKind::Money)
        );
    }
    assert!(normalized("$1.2345 and 20 apples", EntityKind::Money).is_empty());
}

#[test]
fn case_numbers() {
    let cases = [
        ("In Case No. 1:21-cv-01234, the court", "1:21-cv-01234", "Case No. 1:21-cv-01234"),
        ("see No. 21-1234 (2d Cir.)", "21-1234", "No. 21-1234"),
        ("Civil Action No. 3:20-cv-456 was filed", "3:20-cv-456", "Civil Action No. 3:20-cv-456"),
        ("Case 1:21-CV-01234-ABC is set", "1:21-cv-01234-ABC", "Case 1:21-CV-01234-ABC"),
        ("docketed as 2:19-cr-00077 today", "2:19-cr-00077", "2:19-cr-00077"),
        ("Appeal No. 21-55012 was heard", "21-55012", "Appeal No. 21-55012"),
        ("filed under 21-cv-1234 in state court", "21-cv-1234", "21-cv-1234"),
    ];
    for (text, norm, surface) in cases {
        assert_eq!(of_kind(text, EntityKind::CaseNumber), vec![(norm.to_owned(), surface.to_owned())], "{text}");
    }
    for text in ["Invoice No. 21-1234", "PO No. 21-1234", "call 21-1234", "Exhibit No. 21-12", "part 12-AB-3456"] {
        assert!(normalized(text, EntityKind::CaseNumber).is_empty(), "{text}");
    }
}

#[test]
fn organizations_with_normalized_suffixes() {
    let cases = [
        ("We sued Acme Corp. last year", "Acme Corp", "Acme Corp."),
        ("We sued ACME Corp last year", "Acme Corp", "ACME Corp"),
        ("Harbor Freight Logistics, LLC signed", "Harbor Freight Logistics LLC", "Harbor Freight Logistics, LLC"),
        ("with Meridian Shipping Corporation.", "Meridian Shipping Corp", "Meridian Shipping Corporation"),
        ("Baltic Trade GmbH and others", "Baltic Trade GmbH", "Baltic Trade GmbH"),
        ("Naviera Sol S.A. chartered it", "Naviera Sol SA", "Naviera Sol S.A."),
        ("Thames Cargo PLC reported", "Thames Cargo PLC", "Thames Cargo PLC"),
        ("Port Services Ltd said", "Port Services Ltd", "Port Services Ltd"),
        ("Pacific Insurance Limited paid", "Pacific Insurance Ltd", "Pacific Insurance Limited"),
        ("Natarajan & Cole LLP represents", "Natarajan & Cole LLP", "Natarajan & Cole LLP"),
        ("Bank of the Ocean Inc. lent", "Bank of the Ocean Inc", "Bank of the Ocean Inc."),
        ("Smith Tools Co. sold", "Smith Tools Co", "Smith Tools Co."),
        ("Yesterday Meridian Shipping Corp. paid", "Meridian Shipping Corp", "Meridian Shipping Corp."),
        ("Marcus Bell, CEO of ACME Corp, said", "Acme Corp", "ACME Corp"),
        (
            "General Counsel of Harbor Freight Logistics LLC",
            "Harbor Freight Logistics LLC",
            "Harbor Freight Logistics LLC",
        ),
        ("Signed for Meridian Shipping Corp.: Marcus Bell", "Meridian Shipping Corp", "Meridian Shipping Corp."),
        ("represented by Gregory Lang of Lang Whitaker LLP, who", "Lang Whitaker LLP", "Lang Whitaker LLP"),
        ("Royal Bank of Scotland PLC lent", "Royal Bank of Scotland PLC", "Royal Bank of Scotland PLC"),
    ];
    for (text, norm, surface) in cases {
        assert_eq!(of_kind(text, EntityKind::Organization), vec![(norm.to_owned(), surface.to_owned())], "{text}");
    }
    let two = normalized("Harbor Freight Logistics LLC v. Meridian Shipping Corp.", EntityKind::Organization);
    assert_eq!(two, vec!["Harbor Freight Logistics LLC", "Meridian Shipping Corp"]);
    for text in ["The Company agreed", "our company Inc", "Co. Counsel", "the Inc. 500 list", "LLC"] {
        assert!(
            normalized(text, EntityKind::Organization).is_empty(),
            "{text}: {:?}",
            normalized(text, EntityKind::Organization)
        );
    }
}

#[test]
fn people_by_title() {
    let cases = [
        ("Later Mr. John Smith arrived.", "John Smith", "Mr. John Smith"),
        ("Ms. Priya Natarajan objected.", "Priya Natarajan", "Ms. Priya Natarajan"),
        ("Dr. Lena Okafor-Price testified.", "Lena Okafor-Price", "Dr. Lena Okafor-Price"),
        ("Mr. John Q. Smith signed.", "John Smith", "Mr. John Q. Smith"),
        ("before the Honorable Judge Maria Alvarez today", "Maria Alvarez", "Honorable Judge Maria Alvarez"),
        ("Judge Alvarez ruled.", "Alvarez", "Judge Alvarez"),
        ("Mr. Smith Then left.", "Smith", "Mr. Smith"),
        ("Mrs. O'Brien called.", "O'Brien", "Mrs. O'Brien"),
    ];
    for (text, norm, surface) in cases {
        assert_eq!(of_kind(text, EntityKind::Person), vec![(norm.to_owned(), surface.to_owned())], "{text}");
    }
}

#[test]
fn people_by_role() {
    let cases = [
        ("Marcus Bell, CEO of Meridian, said no.", "Marcus Bell", "Marcus Bell"),
        ("our CFO Tom Reyes confirmed.", "Tom Reyes", "Tom Reyes"),
        ("outside counsel Priya Natarajan wrote.", "Priya Natarajan", "Priya Natarajan"),
        ("Regards,\nDana Whitfield\nGeneral Counsel", "Dana Whitfield", "Dana Whitfield"),
        ("Dana Whitfield (General Counsel) agreed", "Dana Whitfield", "Dana Whitfield"),
        ("signed by Rebecca Okafor, Esq. on behalf", "Rebecca Okafor", "Rebecca Okafor"),
    ];
    for (text, norm, surface) in cases {
        assert_eq!(of_kind(text, EntityKind::Person), vec![(norm.to_owned(), surface.to_owned())], "{text}");
    }
    // Capitalised pairs that are places, companies or headings are not people.
    for text in [
        "Harbor Freight Logistics counsel agreed.",
        "Meridian Shipping, CEO office",
        "counsel Harbor Freight Logistics",
        "Master Services Agreement",
        "New York counsel",
        "Privileged Confidential Attorney Client",
    ] {
        assert!(normalized(text, EntityKind::Person).is_empty(), "{text}: {:?}", normalized(text, EntityKind::Person));
    }
}

#[test]
fn names_found_once_are_found_again_and_surnames_resolved() {
    let text = "Judge Maria Alvarez presided. Maria Alvarez asked for briefs. Judge Alvarez then adjourned.";
    let people = of_kind(text, EntityKind::Person);
    assert_eq!(
        people,
        vec![
            ("Maria Alvarez".into(), "Judge Maria Alvarez".into()),
            ("Maria Alvarez".into(), "Maria Alvarez".into()),
            ("Maria Alvarez".into(), "Judge Alvarez".into()),
        ]
    );
    // Two people share the surname: the bare surname stays as written.
    let text = "Mr. John Smith and Ms. Jane Smith came; Mr. Smith spoke.";
    assert_eq!(normalized(text, EntityKind::Person), vec!["John Smith", "Jane Smith", "Smith"]);
}

#[test]
fn email_headers_give_people_and_addresses() {
    let text = "Overdue invoice\n\nMarcus,\n\nPlease pay.\n\nDana Whitfield\nGeneral Counsel";
    let mail = ParsedDocument {
        parser: "email",
        media_type: "message/rfc822".into(),
        author: Some("Whitfield, Dana <Dana.Whitfield@harborfreight.example>".into()),
        recipients: vec![
            "Marcus Bell <mbell@meridianshipping.example>".into(),
            "Meridian Legal Team <legal@meridianshipping.example>".into(),
            "ops@meridianshipping.example".into(),
        ],
        subject: Some("Overdue invoice".into()),
        text: text.into(),
        ..Default::default()
    };
    let found = entities(&mail);
    let header: Vec<(EntityKind, &str)> =
        found.iter().filter(|m| m.span.is_none()).map(|m| (m.kind, m.normalized.as_str())).collect();
    assert_eq!(
        header,
        vec![
            (EntityKind::Person, "Dana Whitfield"),
            (EntityKind::Person, "Marcus Bell"),
            (EntityKind::Email, "dana.whitfield@harborfreight.example"),
            (EntityKind::Email, "mbell@meridianshipping.example"),
            (EntityKind::Email, "legal@meridianshipping.example"),
            (EntityKind::Email, "ops@meridianshipping.example"),
        ]
    );
    let in_text: Vec<&EntityMention> = found.iter().filter(|m| m.span.is_some()).collect();
    assert_eq!(in_text.len(), 1);
    assert_eq!(in_text[0].normalized, "Dana Whitfield");
    let (s, e) = in_text[0].span.expect("span");
    assert_eq!(&text[s..e], "Dana Whitfield");
}

#[test]
fn document_authors_are_people_when_they_look_like_names() {
    let d = ParsedDocument { parser: "docx", author: Some("Rebecca Okafor".into()), ..doc("Text.") };
    assert_eq!(entities(&d).iter().map(|m| m.normalized.as_str()).collect::<Vec<_>>(), vec!["Rebecca Okafor"]);
    let d = ParsedDocument { parser: "docx", author: Some("Microsoft Office User".into()), ..doc("Text.") };
    assert!(entities(&d).is_empty());
    let d = ParsedDocument { parser: "pdf", author: Some("rokafor".into()), ..doc("Text.") };
    assert!(entities(&d).is_empty());
}

#[test]
fn mentions_are_deduplicated_and_ordered() {
    let text = "Pay $5 to a@b.example. Pay $5 to a@b.example.";
    let found = entities(&doc(text));
    let spans: Vec<usize> = found.iter().filter_map(|m| m.span).map(|s| s.0).collect();
    assert!(spans.windows(2).all(|w| w[0] <= w[1]));
    let mut keys: Vec<_> = found.iter().map(|m| (m.kind, m.normalized.clone(), m.span)).collect();
    let before = keys.len();
    keys.dedup();
    assert_eq!(keys.len(), before);
    assert_eq!(found.len(), 4);
}

#[test]
fn a_realistic_paragraph() {
    let text = "On March 3, 2021, Dana Whitfield, General Counsel of Harbor Freight Logistics, LLC, wrote to \
                Marcus Bell, CEO of Meridian Shipping Corp., demanding $48,250.00. Judge Maria Alvarez later \
                heard Case No. 1:21-cv-01234. Contact dana.whitfield@harborfreight.example.";
    let found = entities(&doc(text));
    let summary: Vec<(EntityKind, &str)> = found.iter().map(|m| (m.kind, m.normalized.as_str())).collect();
    assert_eq!(
        summary,
        vec![
            (EntityKind::Person, "Dana Whitfield"),
            (EntityKind::Organization, "Harbor Freight Logistics LLC"),
            (EntityKind::Person, "Marcus Bell"),
            (EntityKind::Organization, "Meridian Shipping Corp"),
            (EntityKind::Money, "USD 48250.00"),
            (EntityKind::Person, "Maria Alvarez"),
            (EntityKind::CaseNumber, "1:21-cv-01234"),
            (EntityKind::Email, "dana.whitfield@harborfreight.example"),
        ]
    );
}
