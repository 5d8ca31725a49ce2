//! Local ingestion: roots granted per tenant, client-facing sources relative to their root,
//! and no way out of a root through a symbolic link, even one swapped in while a job runs.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::{Env, RecordingMeter, ingest, local, tenant_id};
use docket_corpus::TenantId;
use docket_corpus::{Corpus, CorpusConfig, CorpusError, DocumentFilter, IngestRoots, SearchRequest};

const SECRET_WORD: &str = "zanzibarclassified";

async fn hits(corpus: &Corpus, tenant: &TenantId, q: &str) -> u64 {
    corpus.search(tenant, &SearchRequest { q: q.into(), ..Default::default() }).await.unwrap().total_hits
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_swapped_for_a_link_in_a_loop_never_reads_outside() {
    let env = Env::new();
    let meter = Arc::new(RecordingMeter::default());
    let corpus = env.open(&meter).await;
    // The same file names inside and outside: a read that follows the link finds a file.
    const FILES: usize = 40;
    for i in 0..FILES {
        env.write(&format!("case/sub/f{i:02}.txt"), format!("Inside memo {i} about the shipping contract."));
        std::fs::write(env.outside.join(format!("f{i:02}.txt")), format!("{SECRET_WORD} strategy {i}.")).unwrap();
    }
    let (sub, parked, outside) = (env.root.join("case/sub"), env.root.join("parked"), env.outside.clone());
    let stop = Arc::new(AtomicBool::new(false));
    let swapper = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut swaps = 0u64;
            while !stop.load(Ordering::Relaxed) {
                if std::fs::rename(&sub, &parked).is_ok() {
                    let _ = std::os::unix::fs::symlink(&outside, &sub);
                    std::thread::yield_now();
                    let _ = std::fs::remove_file(&sub);
                    let _ = std::fs::rename(&parked, &sub);
                    swaps += 1;
                }
                // The real folder stays in place most of the time, so jobs do find files.
                std::thread::sleep(std::time::Duration::from_micros(200));
            }
            swaps
        })
    };
    let (mut ingested, mut errors) = (0, Vec::new());
    for _ in 0..25 {
        let status = ingest(&corpus, &tenant_id("acme"), vec![local(env.root.join("case"))]).await;
        ingested += status.ingested;
        errors.extend(status.errors);
    }
    stop.store(true, Ordering::Relaxed);
    let swaps = swapper.join().unwrap();
    assert!(swaps > 100, "the folder was swapped only {swaps} times");
    assert!(ingested > 0, "nothing was ingested at all");
    assert_eq!(hits(&corpus, &tenant_id("acme"), SECRET_WORD).await, 0, "content from outside the root was ingested");
    let page = corpus
        .documents(&tenant_id("acme"), &DocumentFilter { page_size: Some(200), ..Default::default() })
        .await
        .unwrap();
    for d in &page.documents {
        assert!(d.source.starts_with("root/case/sub/f"), "{}", d.source);
        let detail = corpus.document(&tenant_id("acme"), d.id).await.unwrap().unwrap();
        assert!(!detail.text.contains(SECRET_WORD), "{}", d.source);
    }
    for e in &errors {
        assert!(!e.source.contains(&*env.dir.path().to_string_lossy()), "absolute path shown: {e:?}");
    }
    corpus.shutdown().await;
}

fn per_tenant(env: &Env) -> CorpusConfig {
    let spec = format!(
        "acme={a},{s};globex={g},{s}",
        a = env.root.join("acme-matters").display(),
        g = env.root.join("globex-matters").display(),
        s = env.root.join("shared").display()
    );
    let roots: IngestRoots = spec.parse().unwrap();
    CorpusConfig { ingest_roots: roots, ..env.config(2) }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roots_are_granted_per_tenant_and_sources_are_relative() {
    let env = Env::new();
    env.write("acme-matters/m1/memo.txt", "Acme memo on the indemnity clause.");
    env.write("globex-matters/g1/plan.txt", "Globex litigation plan, privileged.");
    env.write("shared/public.txt", "Public filing shared by both teams.");
    let meter = Arc::new(RecordingMeter::default());
    let corpus = Corpus::open(per_tenant(&env), meter.clone()).await.unwrap();

    // By root name, relative: the source shown is relative to the root.
    let status = ingest(&corpus, &tenant_id("acme"), vec![local("acme-matters/m1"), local("shared/public.txt")]).await;
    assert_eq!((status.ingested, status.failed), (2, 0), "{status:?}");
    let page = corpus.documents(&tenant_id("acme"), &DocumentFilter::default()).await.unwrap();
    let mut sources: Vec<&str> = page.documents.iter().map(|d| d.source.as_str()).collect();
    sources.sort();
    assert_eq!(sources, ["acme-matters/m1/memo.txt", "shared/public.txt"]);

    // Another tenant's root, by name or by absolute path, is not the caller's.
    let by_name = corpus.submit(&tenant_id("acme"), "u", vec![local("globex-matters/g1/plan.txt")]).await.unwrap_err();
    assert!(by_name.is_client_error(), "{by_name:?}");
    assert_eq!(by_name.field(), Some("sources[0].path"));
    let absolute = env.root.join("globex-matters/g1/plan.txt");
    let err = corpus.submit(&tenant_id("acme"), "u", vec![local(&absolute)]).await.unwrap_err();
    assert!(matches!(err, CorpusError::PathOutsideRoots { .. }), "{err:?}");
    // A tenant granted nothing reads nothing, not even the shared root.
    let err = corpus.submit(&tenant_id("initech"), "u", vec![local("shared/public.txt")]).await.unwrap_err();
    assert!(matches!(err, CorpusError::PathOutsideRoots { .. }), "{err:?}");
    assert_eq!(hits(&corpus, &tenant_id("acme"), "privileged").await, 0);

    // An absolute path inside the tenant's root still works (older clients), shown relative.
    let status = ingest(&corpus, &tenant_id("globex"), vec![local(&absolute)]).await;
    assert_eq!(status.ingested, 1, "{status:?}");
    let page = corpus.documents(&tenant_id("globex"), &DocumentFilter::default()).await.unwrap();
    assert_eq!(page.documents[0].source, "globex-matters/g1/plan.txt");

    // A link inside a root, even to a file of the same root, is refused by name, relative.
    std::os::unix::fs::symlink(env.root.join("acme-matters/m1/memo.txt"), env.root.join("acme-matters/m1/alias.txt"))
        .unwrap();
    std::os::unix::fs::symlink(env.root.join("globex-matters"), env.root.join("acme-matters/g")).unwrap();
    let status = ingest(&corpus, &tenant_id("acme"), vec![local("acme-matters")]).await;
    let refused: Vec<&str> = status.errors.iter().map(|e| e.source.as_str()).collect();
    assert_eq!(refused, ["acme-matters/g", "acme-matters/m1/alias.txt"], "{status:?}");
    assert!(status.errors.iter().all(|e| e.error.contains("symbolic link")), "{status:?}");
    let through = corpus.submit(&tenant_id("acme"), "u", vec![local("acme-matters/g/g1/plan.txt")]).await.unwrap_err();
    assert!(through.is_client_error(), "{through:?}");
    assert!(!through.to_string().contains(&*env.dir.path().to_string_lossy()), "{through}");
    assert_eq!(hits(&corpus, &tenant_id("acme"), "privileged").await, 0);
    corpus.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_roots_of_one_tenant_with_one_name_are_refused() {
    let env = Env::new();
    for d in ["a/matters", "b/matters"] {
        std::fs::create_dir_all(env.root.join(d)).unwrap();
    }
    let spec = format!("acme={},{}", env.root.join("a/matters").display(), env.root.join("b/matters").display());
    let config = CorpusConfig { ingest_roots: spec.parse().unwrap(), ..env.config(1) };
    let err = Corpus::open(config, Arc::new(RecordingMeter::default())).await.unwrap_err();
    assert!(err.to_string().contains("both named 'matters'"), "{err}");
    assert!(Path::new(&env.root).exists());
}
