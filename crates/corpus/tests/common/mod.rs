//! Helpers shared by the document-service tests: a recording meter and a corpus in a tempdir.
#![allow(dead_code)]

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use docket_corpus::{Corpus, CorpusConfig, JobMeter, JobReport, JobStatus, ParseLimits, Source, TenantId};
use uuid::Uuid;

/// A tenant id the tests know to be valid.
pub fn tenant_id(id: &str) -> TenantId {
    TenantId::parse(id).expect("a valid tenant id")
}

/// A meter that keeps every report it acknowledges; it can be told to refuse.
#[derive(Default)]
pub struct RecordingMeter {
    pub reports: Mutex<Vec<JobReport>>,
    pub refuse: AtomicBool,
}

impl RecordingMeter {
    pub fn reports(&self) -> Vec<JobReport> {
        self.reports.lock().unwrap().clone()
    }

    pub fn reports_for(&self, job: Uuid) -> Vec<JobReport> {
        self.reports().into_iter().filter(|r| r.job_id == job).collect()
    }
}

impl JobMeter for RecordingMeter {
    fn job_finished(&self, report: JobReport) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + '_>> {
        Box::pin(async move {
            if self.refuse.load(Ordering::SeqCst) {
                return Err("ledger unavailable".into());
            }
            self.reports.lock().unwrap().push(report);
            Ok(())
        })
    }
}

/// A temporary storage folder and an ingest root with an "outside" folder beside it.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub storage: PathBuf,
    pub root: PathBuf,
    pub outside: PathBuf,
}

impl Env {
    pub fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let storage = dir.path().join("storage");
        let root = dir.path().join("root");
        let outside = dir.path().join("outside");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("secret.txt"), "Outside the roots: privileged strategy memo.").unwrap();
        Env { dir, storage, root, outside }
    }

    pub fn config(&self, workers: usize) -> CorpusConfig {
        CorpusConfig {
            storage_dir: self.storage.clone(),
            ingest_roots: vec![self.root.clone()].into(),
            workers,
            limits: ParseLimits::default(),
            parser_sandbox: None,
            query_timeout: docket_corpus::DEFAULT_QUERY_TIMEOUT,
        }
    }

    pub async fn open(&self, meter: &Arc<RecordingMeter>) -> Corpus {
        Corpus::open(self.config(2), meter.clone()).await.unwrap()
    }

    /// Write a file under the root (creating folders) and return its path.
    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, content).unwrap();
        path
    }
}

pub fn local(path: impl AsRef<Path>) -> Source {
    Source::Local { path: path.as_ref().to_path_buf() }
}

pub fn inline(name: &str, content: &str) -> Source {
    Source::Inline { name: name.into(), content: content.into(), media_type: None }
}

/// Poll a job until it is finished (succeeded, partially failed or failed).
pub async fn wait_job(corpus: &Corpus, tenant: &TenantId, id: Uuid) -> JobStatus {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let status = corpus.job(tenant, id).await.unwrap().expect("job exists");
        if status.status.is_finished() {
            return status;
        }
        assert!(Instant::now() < deadline, "job {id} did not finish: {status:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Poll until the meter has a report for the job.
pub async fn wait_metered(meter: &RecordingMeter, id: Uuid) -> JobReport {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(r) = meter.reports_for(id).into_iter().next() {
            return r;
        }
        assert!(Instant::now() < deadline, "job {id} was never metered");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Submit and wait.
pub async fn ingest(corpus: &Corpus, tenant: &TenantId, sources: Vec<Source>) -> JobStatus {
    let job = corpus.submit(tenant, "tester", sources).await.unwrap();
    wait_job(corpus, tenant, job.id).await
}

/// A run meter that keeps every report it acknowledges; it can be told to refuse.
#[derive(Default)]
pub struct RecordingRunMeter {
    pub reports: Mutex<Vec<docket_corpus::agents::RunReport>>,
    pub refuse: AtomicBool,
}

impl docket_corpus::agents::RunMeter for RecordingRunMeter {
    fn run_finished(
        &self,
        report: docket_corpus::agents::RunReport,
    ) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + '_>> {
        Box::pin(async move {
            if self.refuse.load(Ordering::SeqCst) {
                return Err("ledger unavailable".into());
            }
            self.reports.lock().unwrap().push(report);
            Ok(())
        })
    }
}

/// Poll an agent run until it succeeded or failed.
pub async fn wait_run(
    agents: &docket_corpus::agents::Agents,
    tenant: &TenantId,
    id: Uuid,
) -> docket_corpus::agents::AgentRun {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let run = agents.run(tenant, id).await.unwrap().expect("run exists");
        if run.summary.status.is_finished() {
            return run;
        }
        assert!(Instant::now() < deadline, "run {id} did not finish: {run:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
