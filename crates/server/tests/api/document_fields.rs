//! The fields a document and its events carry, over HTTP on public fixtures: an e-mail's
//! attachments (name, type, size, hash, the document each became), metadata dates, warnings,
//! and the timeline's local dates and metadata events.

use std::path::Path;

use serde_json::Value;

use crate::documents::{Tenant, tenant, wait_for_job};
use crate::helpers::{TestApp, spawn_app_with};

/// A committed fixture of the corpus crate (see its README for the origin of each).
fn fixture(relative: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/tests/fixtures").join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Uploads the files in one job and waits for it; answers the finished job.
async fn upload(app: &TestApp, who: &Tenant, files: &[(&str, Vec<u8>)]) -> Value {
    let mut form = reqwest::multipart::Form::new();
    for (name, bytes) in files {
        form = form.part("file", reqwest::multipart::Part::bytes(bytes.clone()).file_name(name.to_string()));
    }
    let resp = app.client.post(app.url("/documents")).bearer_auth(&who.writer).multipart(form).send().await.unwrap();
    assert_eq!(resp.status(), 202);
    let job: Value = resp.json().await.unwrap();
    wait_for_job(app, &who.reader, job["job_id"].as_str().unwrap()).await
}

/// The detail of the tenant's document whose source is `source`.
async fn document(app: &TestApp, who: &Tenant, source: &str) -> Value {
    let (status, page) = app.get("/documents?page_size=200", Some(&who.reader)).await;
    assert_eq!(status, 200, "{page}");
    let listed = page["documents"].as_array().unwrap().iter().find(|d| d["source"] == source);
    let id = listed.unwrap_or_else(|| panic!("no document '{source}': {page}"))["id"].as_str().unwrap().to_owned();
    let (status, detail) = app.get(&format!("/documents/{id}"), Some(&who.reader)).await;
    assert_eq!(status, 200, "{detail}");
    detail
}

#[tokio::test]
async fn an_emails_attachments_are_listed_with_the_documents_they_became() {
    let app = spawn_app_with(&[]).await;
    let a = tenant(&app, "Attachment Firm").await;
    // RFC 2046's example message (audio, an image, a nested message) and a Eudora message with
    // two text files, one of them uuencoded under a raw Latin-1 name.
    let rfc = fixture("email/mail-parser-rfc-000.eml");
    let eudora = fixture("email/mail-parser-legacy-026.eml");
    let job = upload(&app, &a, &[("rfc2046.eml", rfc), ("fables.eml", eudora)]).await;
    assert_eq!(job["status"], "succeeded", "images and sound are listed, not failures: {job}");
    assert_eq!(job["failed"], 0, "{job}");

    let parent = document(&app, &a, "rfc2046.eml").await;
    let listed: Vec<(&str, &str, &str)> = parent["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["file_name"].as_str().unwrap(), x["media_type"].as_str().unwrap(), x["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        listed,
        [
            ("attachment-1.bin", "audio/basic", "not_parsed"),
            ("attachment-2.bin", "image/jpeg", "not_parsed"),
            ("attachment-3.eml", "message/rfc822", "ingested"),
        ],
        "{parent}"
    );
    for attachment in parent["attachments"].as_array().unwrap() {
        assert!(attachment["bytes"].as_u64().unwrap() > 0, "{attachment}");
        let sha256 = attachment["sha256"].as_str().unwrap();
        assert!(sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit()), "{attachment}");
        match attachment["status"].as_str().unwrap() {
            "not_parsed" => {
                assert!(attachment["document_id"].is_null(), "{attachment}");
                assert!(attachment["error"].as_str().unwrap().contains("unsupported"), "{attachment}");
            }
            _ => assert!(attachment["error"].is_null(), "{attachment}"),
        }
    }
    // The nested message is a document of its own, linked both ways, with its own size and hash.
    let nested = &parent["attachments"][2];
    let nested_id = nested["document_id"].as_str().expect("the nested message became a document");
    assert_eq!(parent["attachment_ids"], serde_json::json!([nested_id]), "{parent}");
    let (status, child) = app.get(&format!("/documents/{nested_id}"), Some(&a.reader)).await;
    assert_eq!(status, 200, "{child}");
    assert_eq!(child["parent_id"], parent["id"], "{child}");
    assert_eq!(child["source_type"], "attachment");
    assert_eq!(child["parser"], "email");
    assert_eq!(child["sha256"], nested["sha256"]);
    assert_eq!(child["bytes"], nested["bytes"]);

    // Text attachments: decoded from uuencoding, named as written, sized as their UTF-8 text.
    let fables = document(&app, &a, "fables.eml").await;
    let names: Vec<&str> =
        fables["attachments"].as_array().unwrap().iter().map(|x| x["file_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["HasenundFrösche.txt", "farmerandstork.txt"], "{fables}");
    let hasen = &fables["attachments"][0];
    assert_eq!(hasen["status"], "ingested", "{hasen}");
    assert_eq!(hasen["media_type"], "text/plain");
    let (_, text_doc) =
        app.get(&format!("/documents/{}", hasen["document_id"].as_str().unwrap()), Some(&a.reader)).await;
    let text = text_doc["text"].as_str().unwrap();
    assert!(text.contains("Die Hasen klagten einst über ihre mißliche Lage"), "{text}");
    assert_eq!(hasen["bytes"], text_doc["bytes"]);
    assert_eq!(hasen["sha256"], text_doc["sha256"]);
    assert_eq!(text_doc["parent_id"], fables["id"]);

    // Another tenant sees neither the parents nor the attachments.
    let b = tenant(&app, "Other Firm").await;
    assert_eq!(app.get(&format!("/documents/{nested_id}"), Some(&b.reader)).await.0, 404);
}

#[tokio::test]
async fn metadata_dates_and_warnings_are_on_the_document() {
    let app = spawn_app_with(&[]).await;
    let a = tenant(&app, "Metadata Firm").await;
    let coreprops = fixture("docx/doc-coreprops.docx");
    let scan = fixture("pdf/scan.pdf");
    let empty_mail = fixture("email/mail-parser-malformed-001.eml");
    let job = upload(&app, &a, &[("coreprops.docx", coreprops), ("scan.pdf", scan), ("damaged.eml", empty_mail)]).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!(job["ingested"], 3, "{job}");

    // python-docx's fixture: created 2014-12-13 22:02, last modified 22:06 (UTC), by Steve Canny.
    let docx = document(&app, &a, "coreprops.docx").await;
    assert_eq!(docx["author"], "Steve Canny", "{docx}");
    assert_eq!(docx["document_date"], "2014-12-13T22:02:00Z", "{docx}");
    assert_eq!(docx["modified_date"], "2014-12-13T22:06:00Z", "{docx}");
    assert_eq!(docx["warnings"], serde_json::json!([]), "{docx}");

    // A page without a text layer is a document with the needs_ocr warning, in the list too.
    let pdf = document(&app, &a, "scan.pdf").await;
    assert_eq!(pdf["warnings"], serde_json::json!(["needs_ocr"]), "{pdf}");
    assert_eq!(pdf["text"], "", "{pdf}");
    let (_, page) = app.get("/documents", Some(&a.reader)).await;
    let listed = page["documents"].as_array().unwrap().iter().find(|d| d["source"] == "scan.pdf").unwrap();
    assert_eq!(listed["warnings"], serde_json::json!(["needs_ocr"]));

    // An e-mail too damaged to yield any text says so instead of passing as empty.
    let mail = document(&app, &a, "damaged.eml").await;
    assert_eq!(mail["warnings"], serde_json::json!(["empty"]), "{mail}");
}

#[tokio::test]
async fn the_timeline_keeps_the_local_date_and_metadata_events() {
    let app = spawn_app_with(&[]).await;
    let a = tenant(&app, "Timeline Firm").await;
    // Sent Friday 1 March 2024 at 23:06 -04:00: Saturday 03:06 in UTC.
    let job = upload(
        &app,
        &a,
        &[("evening.eml", fixture("email/iso-2022-jp.eml")), ("coreprops.docx", fixture("docx/doc-coreprops.docx"))],
    )
    .await;
    assert_eq!(job["status"], "succeeded", "{job}");
    let mail = document(&app, &a, "evening.eml").await;
    let docx = document(&app, &a, "coreprops.docx").await;

    let (status, page) = app.get("/timeline?limit=200", Some(&a.reader)).await;
    assert_eq!(status, 200, "{page}");
    let events = page["events"].as_array().unwrap();
    let sent = events.iter().find(|e| e["document_id"] == mail["id"]).unwrap_or_else(|| panic!("{page}"));
    assert_eq!(sent["origin"], "metadata", "{sent}");
    assert_eq!(sent["ts"], "2024-03-01T23:06:00-04:00", "{sent}");
    assert_eq!(sent["local_date"], "2024-03-01", "{sent}");
    assert_eq!(sent["utc_offset"], "-04:00", "{sent}");
    assert_eq!(sent["utc"], "2024-03-02T03:06:00Z", "{sent}");
    assert_eq!(sent["title"], "会議の議事録", "{sent}");

    // Filtered by the day as written: on Friday the 1st, not on Saturday the 2nd.
    let on = |day: &str| format!("/timeline?from_ts={day}&to_ts={day}");
    let (_, friday) = app.get(&on("2024-03-01"), Some(&a.reader)).await;
    assert!(friday["events"].as_array().unwrap().iter().any(|e| e["id"] == sent["id"]), "{friday}");
    let (_, saturday) = app.get(&on("2024-03-02"), Some(&a.reader)).await;
    assert!(!saturday["events"].as_array().unwrap().iter().any(|e| e["id"] == sent["id"]), "{saturday}");

    // The DOCX core properties' dates are metadata events of that document, in UTC as written.
    let from_docx: Vec<&Value> = events.iter().filter(|e| e["document_id"] == docx["id"]).collect();
    let metadata: Vec<&str> =
        from_docx.iter().filter(|e| e["origin"] == "metadata").map(|e| e["ts"].as_str().unwrap()).collect();
    assert!(metadata.contains(&"2014-12-13T22:02:00Z"), "{from_docx:?}");
    for e in from_docx.iter().filter(|e| e["origin"] == "metadata") {
        assert_eq!(e["local_date"], "2014-12-13", "{e}");
        assert_eq!(e["utc_offset"], "+00:00", "{e}");
    }
}
