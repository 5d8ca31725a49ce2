//! The demo matter under demo/matter/: generated files are current, every file and attachment
//! parses, and the extractors find the matter's people, companies, money, case number and dates.

#[path = "../examples/make_demo_matter.rs"]
mod make_demo_matter;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use docket_corpus::extract::{dates, entities};
use docket_corpus::parse::parse;
use docket_corpus::{EntityKind, ParseLimits, ParsedDocument};

fn matter_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/matter")
}

#[test]
fn generated_files_are_current() {
    for (name, bytes) in make_demo_matter::files() {
        let committed = std::fs::read(matter_dir().join(name)).unwrap_or_default();
        assert!(
            committed == bytes,
            "demo/matter/{name} is stale: run `cargo run -p docket-corpus --example make_demo_matter`"
        );
    }
}

/// Every document of the matter, attachments included, as (path, parsed).
fn parse_matter() -> Vec<(String, ParsedDocument)> {
    let limits = ParseLimits::default();
    let mut names: Vec<PathBuf> = std::fs::read_dir(matter_dir())
        .expect("demo/matter exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.file_name().is_some_and(|n| n != "README.md" && !n.to_string_lossy().starts_with('.')))
        .collect();
    names.sort();
    let mut out = Vec::new();
    let mut queue: Vec<(String, Option<String>, Vec<u8>)> = names
        .iter()
        .map(|p| {
            (
                p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                None,
                std::fs::read(p).expect("read"),
            )
        })
        .collect();
    while let Some((name, media_type, bytes)) = queue.pop() {
        let doc = parse(&name, media_type.as_deref(), &bytes, &limits).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!doc.text.trim().is_empty(), "{name} has no text");
        for a in &doc.attachments {
            queue.push((format!("{name}/{}", a.file_name), a.media_type.clone(), a.bytes.clone()));
        }
        out.push((name, doc));
    }
    out
}

#[test]
fn every_file_and_attachment_parses() {
    let docs = parse_matter();
    let parsers: BTreeSet<&str> = docs.iter().map(|(_, d)| d.parser).collect();
    assert_eq!(parsers, BTreeSet::from(["docx", "email", "html", "markdown", "pdf", "text"]));
    let attachments: BTreeSet<&str> =
        docs.iter().filter(|(n, _)| n.contains(".eml/")).map(|(n, _)| n.as_str()).collect();
    assert_eq!(attachments.len(), 3, "{attachments:?}");
    assert!(docs.len() >= 13);
}

#[test]
fn the_matter_is_rich_in_entities_and_dates() {
    let docs = parse_matter();
    let mut entity_set: BTreeSet<(EntityKind, String)> = BTreeSet::new();
    let mut date_count = 0;
    let mut header_dates = 0;
    for (_, doc) in &docs {
        entity_set.extend(entities(doc).into_iter().map(|m| (m.kind, m.normalized)));
        for d in dates(doc) {
            date_count += 1;
            header_dates += usize::from(d.origin == "metadata" && doc.parser == "email");
        }
    }
    for (kind, name) in [
        (EntityKind::Person, "Dana Whitfield"),
        (EntityKind::Person, "Marcus Bell"),
        (EntityKind::Person, "Priya Natarajan"),
        (EntityKind::Person, "Maria Alvarez"),
        (EntityKind::Person, "Sofia Grant"),
        (EntityKind::Organization, "Harbor Freight Logistics LLC"),
        (EntityKind::Organization, "Meridian Shipping Corp"),
        (EntityKind::Organization, "Baltic Trade GmbH"),
        (EntityKind::Organization, "Natarajan & Cole LLP"),
        (EntityKind::Money, "USD 48250.00"),
        (EntityKind::Money, "USD 1202300.00"),
        (EntityKind::Money, "EUR 1012000.00"),
        (EntityKind::CaseNumber, "1:21-cv-01234"),
        (EntityKind::Email, "dana.whitfield@harborfreight.example"),
    ] {
        assert!(entity_set.contains(&(kind, name.to_owned())), "missing {kind:?} {name}");
    }
    assert_eq!(header_dates, 5);
    assert!(date_count >= 60, "{date_count} dates");
}
