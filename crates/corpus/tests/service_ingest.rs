//! Ingestion through the document service: folders, dedup, failures, path checks, tenants.

mod common;

use std::sync::Arc;

use common::{Env, RecordingMeter, ingest, inline, local, tenant_id, wait_metered};
use docket_corpus::{CorpusError, DocumentFilter, JobState, SearchRequest, Source, SourceType};

const MEMO: &str = "Settlement memo. The parties discussed the indemnity clause at length.";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn folder_with_duplicates_and_a_corrupt_file() {
    let env = Env::new();
    let meter = Arc::new(RecordingMeter::default());
    let corpus = env.open(&meter).await;
    env.write("case/a.txt", MEMO);
    env.write("case/copy-of-a.txt", MEMO);
    env.write("case/b.md", "# Board minutes\n\nThe board approved the **merger** with Globex.\n");
    env.write(
        "case/sub/c.html",
        "<html><head><title>Press release</title></head><body><p>Acme announces the merger.</p></body></html>",
    );
    env.write("case/broken.pdf", b"%PDF-1.7 this is not really a pdf \x00\x01\x02");
    // An unknown extension is read by its content: text would be ingested, binary is not.
    env.write("case/notes.xyz", b"\x00\x01\x02 unsupported format");
    env.write("case/.hidden.txt", "hidden files are skipped");

    let status = ingest(&corpus, &tenant_id("acme"), vec![local(env.root.join("case"))]).await;
    assert_eq!(status.status, JobState::PartiallyFailed, "{status:?}");
    assert_eq!(status.discovered, 6);
    assert_eq!(status.ingested, 3);
    assert_eq!(status.duplicates, 1);
    assert_eq!(status.failed, 2);
    let expected_bytes = MEMO.len() as u64
        + std::fs::metadata(env.root.join("case/b.md")).unwrap().len()
        + std::fs::metadata(env.root.join("case/sub/c.html")).unwrap().len();
    assert_eq!(status.bytes, expected_bytes);
    let failed: Vec<&str> = status.errors.iter().map(|e| e.source.as_str()).collect();
    assert!(failed.iter().any(|s| s.ends_with("broken.pdf")), "{failed:?}");
    assert!(failed.iter().any(|s| s.ends_with("notes.xyz")), "{failed:?}");
    assert!(status.errors.iter().all(|e| !e.error.is_empty()));
    assert!(status.started_at.is_some() && status.finished_at.is_some());

    let report = wait_metered(&meter, status.id).await;
    assert_eq!(report.tenant_id.as_str(), "acme");
    assert_eq!(report.submitted_by, "tester");
    assert_eq!((report.documents_ingested, report.duplicates, report.failed), (3, 1, 2));
    assert_eq!(report.new_bytes, expected_bytes);

    let page = corpus.documents(&tenant_id("acme"), &DocumentFilter::default()).await.unwrap();
    assert_eq!(page.total, 3);
    assert!(page.documents.iter().all(|d| d.source_type == SourceType::Local && d.job_id == status.id));
    let html = page.documents.iter().find(|d| d.source.ends_with("c.html")).expect("html registered");
    assert_eq!(html.parser, "html");
    assert_eq!(html.sha256.len(), 64);
    let detail = corpus.document(&tenant_id("acme"), html.id).await.unwrap().expect("detail");
    assert!(detail.text.contains("Acme announces the merger"), "{}", detail.text);
    let (_, bytes) = corpus.document_content(&tenant_id("acme"), html.id).await.unwrap().unwrap();
    assert_eq!(bytes, std::fs::read(env.root.join("case/sub/c.html")).unwrap());

    // The same folder again: every document is a duplicate, nothing new is billed.
    let again = ingest(&corpus, &tenant_id("acme"), vec![local(env.root.join("case"))]).await;
    assert_eq!((again.ingested, again.duplicates, again.failed, again.bytes), (0, 4, 2, 0));
    assert_eq!(wait_metered(&meter, again.id).await.new_bytes, 0);
    assert_eq!(corpus.documents(&tenant_id("acme"), &DocumentFilter::default()).await.unwrap().total, 3);
    corpus.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dedup_is_per_tenant_and_billed_once_per_tenant() {
    let env = Env::new();
    let meter = Arc::new(RecordingMeter::default());
    let corpus = env.open(&meter).await;
    let a1 =
        ingest(&corpus, &tenant_id("tenant-a"), vec![inline("memo.txt", MEMO), inline("memo-again.txt", MEMO)]).await;
    assert_eq!((a1.ingested, a1.duplicates, a1.bytes), (1, 1, MEMO.len() as u64));
    assert_eq!(a1.status, JobState::Succeeded);
    let a2 = ingest(&corpus, &tenant_id("tenant-a"), vec![inline("memo.txt", MEMO)]).await;
    assert_eq!((a2.ingested, a2.duplicates, a2.bytes), (0, 1, 0));
    let b = ingest(&corpus, &tenant_id("tenant-b"), vec![inline("memo.txt", MEMO)]).await;
    assert_eq!((b.ingested, b.duplicates, b.bytes), (1, 0, MEMO.len() as u64));

    let docs_a = corpus.documents(&tenant_id("tenant-a"), &DocumentFilter::default()).await.unwrap();
    let docs_b = corpus.documents(&tenant_id("tenant-b"), &DocumentFilter::default()).await.unwrap();
    assert_eq!((docs_a.total, docs_b.total), (1, 1));
    assert_ne!(docs_a.documents[0].id, docs_b.documents[0].id);
    assert_eq!(docs_a.documents[0].sha256, docs_b.documents[0].sha256);
    assert_eq!(docs_a.documents[0].source_type, SourceType::Inline);
    // One copy of the bytes in the content store: one record (a 44-byte header and the
    // content) in its packs; the memo's extracted text is the memo itself, the same record.
    let packs: u64 = std::fs::read_dir(env.storage.join("documents").join("packs"))
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    assert_eq!(packs, 44 + MEMO.len() as u64);
    corpus.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paths_outside_the_roots_are_refused() {
    let env = Env::new();
    let meter = Arc::new(RecordingMeter::default());
    let corpus = env.open(&meter).await;
    env.write("inside/ok.txt", MEMO);

    let traversal = env.root.join("inside/../../outside/secret.txt");
    let err = corpus.submit(&tenant_id("test-firm"), "u", vec![local(&traversal)]).await.unwrap_err();
    assert!(matches!(err, CorpusError::PathOutsideRoots { .. }), "{err:?}");
    assert!(err.is_client_error());
    assert_eq!(err.field(), Some("sources[0].path"));
    assert!(err.to_string().contains("secret.txt"));

    let relative = corpus.submit(&tenant_id("test-firm"), "u", vec![local("../outside")]).await.unwrap_err();
    assert!(matches!(relative, CorpusError::PathOutsideRoots { .. }), "{relative:?}");

    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&env.outside, env.root.join("link-out")).unwrap();
        let err =
            corpus.submit(&tenant_id("test-firm"), "u", vec![local(env.root.join("link-out"))]).await.unwrap_err();
        assert!(matches!(err, CorpusError::PathOutsideRoots { .. }), "{err:?}");

        // A symlink inside a walked folder that leads out is refused for that file only.
        std::os::unix::fs::symlink(env.outside.join("secret.txt"), env.root.join("inside/evil.txt")).unwrap();
        let status = ingest(&corpus, &tenant_id("test-firm"), vec![local(env.root.join("inside"))]).await;
        assert_eq!(status.status, JobState::PartiallyFailed);
        assert_eq!((status.ingested, status.failed), (1, 1));
        assert!(status.errors[0].source.ends_with("evil.txt"), "{:?}", status.errors);
        assert!(status.errors[0].error.contains("outside"), "{:?}", status.errors);
        let hits = corpus
            .search(&tenant_id("test-firm"), &SearchRequest { q: "privileged".into(), ..Default::default() })
            .await
            .unwrap();
        assert_eq!(hits.total_hits, 0);
    }

    let missing = corpus.submit(&tenant_id("test-firm"), "u", vec![local(env.root.join("nope"))]).await.unwrap_err();
    assert!(matches!(missing, CorpusError::PathNotFound { .. }), "{missing:?}");
    assert!(missing.is_client_error());

    let empty = corpus.submit(&tenant_id("test-firm"), "u", vec![]).await.unwrap_err();
    assert!(matches!(empty, CorpusError::EmptySources));
    assert_eq!(empty.field(), Some("sources"));

    let too_many = corpus
        .submit(&tenant_id("test-firm"), "u", (0..1001).map(|i| inline(&format!("{i}.txt"), "x")).collect())
        .await;
    assert!(matches!(too_many, Err(CorpusError::TooManySources { count: 1001, .. })));

    let bad_name = corpus.submit(&tenant_id("test-firm"), "u", vec![inline("../etc/passwd", "x")]).await.unwrap_err();
    assert_eq!(bad_name.field(), Some("sources[0].name"));
    corpus.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_and_filters() {
    let env = Env::new();
    let meter = Arc::new(RecordingMeter::default());
    let corpus = env.open(&meter).await;
    let staged = corpus.upload_dir().join("staged-1");
    std::fs::write(&staged, "Uploaded exhibit about the escrow account.").unwrap();
    let job = ingest(
        &corpus,
        &tenant_id("test-firm"),
        vec![
            Source::Upload { file_name: "exhibit.txt".into(), media_type: None, staged_path: staged.clone() },
            inline("note", "An inline note without an extension is plain text."),
        ],
    )
    .await;
    assert_eq!((job.ingested, job.failed), (2, 0), "{job:?}");
    let uploads = corpus
        .documents(
            &tenant_id("test-firm"),
            &DocumentFilter { source_type: Some(SourceType::Upload), ..Default::default() },
        )
        .await
        .unwrap();
    assert_eq!(uploads.total, 1);
    assert_eq!(uploads.documents[0].source, "exhibit.txt");
    let by_job = corpus
        .documents(&tenant_id("test-firm"), &DocumentFilter { job_id: Some(job.id), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(by_job.total, 2);
    let paged = corpus
        .documents(&tenant_id("test-firm"), &DocumentFilter { page: Some(2), page_size: Some(1), ..Default::default() })
        .await
        .unwrap();
    assert_eq!((paged.documents.len(), paged.total, paged.page), (1, 2, 2));

    let err = corpus
        .documents(&tenant_id("test-firm"), &DocumentFilter { page_size: Some(201), ..Default::default() })
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("page_size"));
    let err = corpus
        .documents(
            &tenant_id("test-firm"),
            &DocumentFilter { date_from: Some("last tuesday".into()), ..Default::default() },
        )
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("date_from"));
    assert!(err.is_client_error());
    corpus.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenants_never_see_each_other() {
    let env = Env::new();
    let meter = Arc::new(RecordingMeter::default());
    let corpus = env.open(&meter).await;
    let a = ingest(
        &corpus,
        &tenant_id("tenant-a"),
        vec![inline("a.txt", "On 2024-03-01 Jane Roe (jane@alpha.example) wired the retainer to Alpha LLC.")],
    )
    .await;
    let b = ingest(
        &corpus,
        &tenant_id("tenant-b"),
        vec![inline("b.txt", "On 2024-04-02 John Poe (john@beta.example) wired the retainer to Beta Inc.")],
    )
    .await;
    assert_eq!((a.ingested, b.ingested), (1, 1));

    let doc_b = corpus.documents(&tenant_id("tenant-b"), &DocumentFilter::default()).await.unwrap().documents[0].id;
    assert!(corpus.document(&tenant_id("tenant-a"), doc_b).await.unwrap().is_none());
    assert!(corpus.document_content(&tenant_id("tenant-a"), doc_b).await.unwrap().is_none());
    assert!(corpus.job(&tenant_id("tenant-a"), b.id).await.unwrap().is_none());

    let hits = corpus
        .search(&tenant_id("tenant-a"), &SearchRequest { q: "retainer".into(), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(hits.total_hits, 1);
    assert!(hits.results.iter().all(|h| h.passage.text.contains("Alpha")));
    let none =
        corpus.search(&tenant_id("tenant-a"), &SearchRequest { q: "beta".into(), ..Default::default() }).await.unwrap();
    assert_eq!(none.total_hits, 0);
    // A field query cannot widen the tenant scope.
    let sneaky = corpus
        .search(&tenant_id("tenant-a"), &SearchRequest { q: "tenant_id:tenant-b".into(), ..Default::default() })
        .await;
    assert!(sneaky.map(|r| r.total_hits == 0).unwrap_or(true));

    let events = corpus.timeline(&tenant_id("tenant-a"), &Default::default()).await.unwrap();
    assert!(events.events.iter().all(|e| e.summary.contains("Alpha")), "{events:?}");
    assert!(!events.events.is_empty());
    let ents = corpus.entities(&tenant_id("tenant-a"), "", 200).await.unwrap();
    assert!(!ents.is_empty());
    assert!(ents.iter().all(|e| !e.normalized.to_lowercase().contains("beta")), "{ents:?}");
    let b_entities = corpus.entities(&tenant_id("tenant-b"), "beta.example", 10).await.unwrap();
    assert!(!b_entities.is_empty());
    assert!(corpus.neighbors(&tenant_id("tenant-a"), &b_entities[0].id).await.unwrap().is_none());
    corpus.shutdown().await;
}

const EMAIL: &str = "From: Alice Smith <alice@firm.example>\r\n\
To: Bob Jones <bob@client.example>\r\n\
Subject: Draft settlement\r\n\
Date: Tue, 5 Mar 2024 09:30:00 +0000\r\n\
Message-ID: <draft-1@firm.example>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"XYZ\"\r\n\
\r\n\
--XYZ\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
Please find the draft settlement attached.\r\n\
--XYZ\r\n\
Content-Type: text/plain; name=\"terms.txt\"\r\n\
Content-Disposition: attachment; filename=\"terms.txt\"\r\n\
\r\n\
The settlement amount is payable within thirty days.\r\n\
--XYZ--\r\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_attachments_become_child_documents() {
    let env = Env::new();
    let meter = Arc::new(RecordingMeter::default());
    let corpus = env.open(&meter).await;
    env.write("mail/draft.eml", EMAIL);
    let job = ingest(&corpus, &tenant_id("test-firm"), vec![local(env.root.join("mail"))]).await;
    assert_eq!((job.discovered, job.ingested, job.failed), (2, 2, 0), "{job:?}");
    assert_eq!(job.bytes, EMAIL.len() as u64, "attachments are inside the parent's bytes");

    let local_only = DocumentFilter { source_type: Some(SourceType::Local), ..Default::default() };
    let parent = corpus.documents(&tenant_id("test-firm"), &local_only).await.unwrap().documents.remove(0);
    assert_eq!(parent.parser, "email");
    assert_eq!(parent.subject.as_deref(), Some("Draft settlement"));
    assert!(parent.author.as_deref().unwrap_or("").contains("alice@firm.example"));
    assert!(parent.recipients.iter().any(|r| r.contains("bob@client.example")));
    assert!(parent.document_date.is_some());
    let detail = corpus.document(&tenant_id("test-firm"), parent.id).await.unwrap().unwrap();
    assert_eq!(detail.attachment_ids.len(), 1);
    let children = corpus
        .documents(&tenant_id("test-firm"), &DocumentFilter { parent_id: Some(parent.id), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(children.total, 1);
    let child = &children.documents[0];
    assert_eq!(
        (child.id, child.source_type, child.source.as_str()),
        (detail.attachment_ids[0], SourceType::Attachment, "terms.txt")
    );
    assert_eq!(child.parent_id, Some(parent.id));

    let hits = corpus
        .search(&tenant_id("test-firm"), &SearchRequest { q: "payable".into(), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(hits.total_hits, 1);
    assert_eq!(hits.results[0].document_id, child.id);
    let attachments_only = corpus
        .search(
            &tenant_id("test-firm"),
            &SearchRequest { q: "settlement".into(), source: Some("attachment".into()), ..Default::default() },
        )
        .await
        .unwrap();
    assert!(attachments_only.results.iter().all(|h| h.document_id == child.id));

    // The e-mail's Date header is an event with its time of day.
    let events = corpus.timeline(&tenant_id("test-firm"), &Default::default()).await.unwrap().events;
    assert!(events.iter().any(|e| e.document_id == parent.id && e.ts == "2024-03-05T09:30:00Z"), "{events:?}");
    corpus.shutdown().await;

    // With no attachment depth allowed, only the e-mail itself is ingested.
    let env = Env::new();
    let mut config = env.config(1);
    config.limits.max_attachment_depth = 0;
    let corpus = docket_corpus::Corpus::open(config, meter.clone()).await.unwrap();
    env.write("mail/draft.eml", EMAIL);
    let job = ingest(&corpus, &tenant_id("test-firm"), vec![local(env.root.join("mail"))]).await;
    assert_eq!((job.discovered, job.ingested), (1, 1));
    corpus.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn size_limits_apply_per_document_and_per_source() {
    let env = Env::new();
    let meter = Arc::new(RecordingMeter::default());
    let mut config = env.config(1);
    config.limits.max_file_bytes = 100;
    let corpus = docket_corpus::Corpus::open(config, meter.clone()).await.unwrap();
    env.write("mixed/small.txt", "A short note about the escrow.");
    env.write("mixed/large.txt", "x ".repeat(200));
    let job = ingest(&corpus, &tenant_id("test-firm"), vec![local(env.root.join("mixed"))]).await;
    assert_eq!((job.status, job.ingested, job.failed), (JobState::PartiallyFailed, 1, 1));
    assert!(job.errors[0].source.ends_with("large.txt"));
    assert!(job.errors[0].error.contains("limit"), "{:?}", job.errors);

    let err = corpus.submit(&tenant_id("test-firm"), "u", vec![inline("big.txt", &"y".repeat(101))]).await.unwrap_err();
    assert!(matches!(err, CorpusError::SourceTooLarge { size: 101, limit: 100, .. }), "{err:?}");
    assert_eq!(err.field(), Some("sources[0].content"));

    // Every document failing makes the job failed, and it is still metered (zero bytes).
    let all_bad = ingest(&corpus, &tenant_id("test-firm"), vec![local(env.root.join("mixed/large.txt"))]).await;
    assert_eq!((all_bad.status, all_bad.failed, all_bad.bytes), (JobState::Failed, 1, 0));
    assert_eq!(wait_metered(&meter, all_bad.id).await.new_bytes, 0);
    corpus.shutdown().await;
}
