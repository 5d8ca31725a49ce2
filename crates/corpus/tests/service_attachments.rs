//! Attachments through the document service: every attachment listed on its parent, those no
//! parser reads recorded there instead of failing the job, duplicates linked to every parent,
//! and copies of a failed file failing with it.

#[path = "fixtures/builders.rs"]
mod builders;
mod common;

use std::sync::Arc;

use builders::{Mail, MailAttachment, mail};
use common::{Env, RecordingMeter, ingest, local, tenant_id};
use docket_corpus::TenantId;
use docket_corpus::{AttachmentStatus, Corpus, DocumentDetail, DocumentFilter, JobState};

const MEMO: &[u8] = b"Indemnity memo. The indemnity cap is two million dollars.";
/// The first bytes of a PNG: an inline image no parser reads.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

fn message(subject: &str, attachments: &[MailAttachment<'_>]) -> Vec<u8> {
    mail(&Mail {
        headers: &[
            ("From", "Dana Whitfield <dana@harborfreight.example>"),
            ("To", "Priya Natarajan <pnatarajan@natarajancole.example>"),
            ("Subject", subject),
            ("Date", "Fri, 01 Mar 2024 23:06:00 -0400"),
        ],
        text: Some("Please see the attached."),
        html: None,
        attachments,
    })
}

async fn detail_of(corpus: &Corpus, tenant: &TenantId, source_suffix: &str) -> DocumentDetail {
    let page = corpus.documents(tenant, &DocumentFilter::default()).await.unwrap();
    let doc = page.documents.iter().find(|d| d.source.ends_with(source_suffix)).unwrap_or_else(|| panic!("{page:?}"));
    corpus.document(tenant, doc.id).await.unwrap().expect("detail")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_attachment_is_listed_and_an_image_does_not_fail_the_job() {
    let env = Env::new();
    let meter = Arc::new(RecordingMeter::default());
    let corpus = env.open(&meter).await;
    let first = message(
        "Indemnity",
        &[
            MailAttachment { file_name: "memo.txt", media_type: "text/plain", bytes: MEMO },
            MailAttachment { file_name: "logo.png", media_type: "image/png", bytes: PNG },
        ],
    );
    env.write("mail/first.eml", &first);
    let status = ingest(&corpus, &tenant_id("acme"), vec![local(env.root.join("mail/first.eml"))]).await;
    assert_eq!(status.status, JobState::Succeeded, "{status:?}");
    assert_eq!((status.discovered, status.ingested, status.failed), (2, 2, 0), "{status:?}");

    let parent = detail_of(&corpus, &tenant_id("acme"), "first.eml").await;
    assert_eq!(parent.document.author.as_deref(), Some("Dana Whitfield <dana@harborfreight.example>"));
    assert_eq!(parent.document.recipients, ["Priya Natarajan <pnatarajan@natarajancole.example>"]);
    assert_eq!(parent.document.subject.as_deref(), Some("Indemnity"));
    let listed: Vec<(&str, Option<&str>, u64, AttachmentStatus)> =
        parent.attachments.iter().map(|a| (a.file_name.as_str(), a.media_type.as_deref(), a.bytes, a.status)).collect();
    assert_eq!(
        listed,
        [
            ("memo.txt", Some("text/plain"), MEMO.len() as u64, AttachmentStatus::Ingested),
            ("logo.png", Some("image/png"), PNG.len() as u64, AttachmentStatus::NotParsed),
        ]
    );
    let memo = &parent.attachments[0];
    assert_eq!(memo.sha256.len(), 64);
    assert_eq!(parent.attachment_ids, [memo.document_id.expect("memo is a document")]);
    let logo = &parent.attachments[1];
    assert_eq!(logo.document_id, None);
    assert!(logo.error.as_deref().is_some_and(|e| e.contains("unsupported")), "{logo:?}");

    // The same memo attached to another message is linked to that parent too.
    let second = message(
        "Indemnity, again",
        &[MailAttachment { file_name: "memo-copy.txt", media_type: "text/plain", bytes: MEMO }],
    );
    env.write("mail/second.eml", &second);
    let status = ingest(&corpus, &tenant_id("acme"), vec![local(env.root.join("mail/second.eml"))]).await;
    assert_eq!((status.ingested, status.duplicates, status.failed), (1, 1, 0), "{status:?}");
    let other = detail_of(&corpus, &tenant_id("acme"), "second.eml").await;
    assert_eq!(other.attachments.len(), 1);
    assert_eq!(other.attachments[0].file_name, "memo-copy.txt");
    assert_eq!(other.attachments[0].status, AttachmentStatus::Ingested);
    assert_eq!(other.attachments[0].document_id, memo.document_id);
    assert_eq!(other.attachment_ids, parent.attachment_ids);

    // Another tenant's parent never links to this tenant's document.
    env.write("mail/other-tenant.eml", &second);
    ingest(&corpus, &tenant_id("globex"), vec![local(env.root.join("mail/other-tenant.eml"))]).await;
    let theirs = detail_of(&corpus, &tenant_id("globex"), "other-tenant.eml").await;
    assert_ne!(theirs.attachments[0].document_id, memo.document_id);
    corpus.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attachment_that_fails_to_parse_is_recorded_on_its_parent() {
    let env = Env::new();
    let meter = Arc::new(RecordingMeter::default());
    let corpus = env.open(&meter).await;
    let bytes = message(
        "Draft",
        &[MailAttachment {
            file_name: "draft.pdf",
            media_type: "application/pdf",
            bytes: b"%PDF-1.7 not a pdf at all",
        }],
    );
    env.write("mail/draft.eml", &bytes);
    let status = ingest(&corpus, &tenant_id("acme"), vec![local(env.root.join("mail/draft.eml"))]).await;
    assert_eq!(status.status, JobState::PartiallyFailed, "{status:?}");
    assert_eq!(status.failed, 1);
    let parent = detail_of(&corpus, &tenant_id("acme"), "draft.eml").await;
    let draft = &parent.attachments[0];
    assert_eq!(draft.status, AttachmentStatus::Failed, "{draft:?}");
    assert_eq!(draft.error.as_deref(), Some(status.errors[0].error.as_str()));
    assert!(parent.attachment_ids.is_empty());
    corpus.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copy_of_a_failed_file_stays_failed_with_its_error() {
    let env = Env::new();
    let meter = Arc::new(RecordingMeter::default());
    let corpus = env.open(&meter).await;
    let broken = b"%PDF-1.7 this is not really a pdf \x00\x01\x02";
    env.write("case/broken.pdf", broken);
    env.write("case/copy-of-broken.pdf", broken);
    let status = ingest(&corpus, &tenant_id("acme"), vec![local(env.root.join("case"))]).await;
    assert_eq!((status.discovered, status.ingested, status.duplicates, status.failed), (2, 0, 0, 2), "{status:?}");
    assert_eq!(status.status, JobState::Failed);
    assert_eq!(status.errors.len(), 2);
    assert_eq!(status.errors[0].error, status.errors[1].error);

    // Submitted again: failed again, with the same error, not a duplicate.
    let again = ingest(&corpus, &tenant_id("acme"), vec![local(env.root.join("case/copy-of-broken.pdf"))]).await;
    assert_eq!((again.ingested, again.duplicates, again.failed), (0, 0, 1), "{again:?}");
    assert_eq!(again.errors[0].error, status.errors[0].error);
    corpus.shutdown().await;
}
