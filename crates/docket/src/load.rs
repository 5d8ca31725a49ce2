//! `docket ingest` and `docket demo`: loading a matter through the HTTP API, into the running
//! server when one answers at DOCKET_BIND, else into one started here for the duration. One
//! path either way: the same endpoints, metering and checks as any client.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use docket_billing::{PlanId, TenantId};
use docket_corpus::JobStatus;
use docket_server::{Authenticator, Config};
use include_dir::{Dir, include_dir};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

/// The demo matter, built into the binary so that `docket demo` works from anywhere.
static DEMO_MATTER: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../../demo/matter");

/// The tenant `docket demo` loads into.
pub const DEMO_TENANT: &str = "demo";

/// A server started here: how to stop it, and its task.
type Embedded = (tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<Result<(), docket_server::ServerError>>);

/// A server to talk to: the running one, or one started here.
pub(crate) struct Target {
    pub(crate) base: String,
    pub(crate) client: reqwest::Client,
    embedded: Option<Embedded>,
}

impl Target {
    /// `grant`: a folder the embedded server (when one is started here) grants the tenant.
    pub(crate) async fn connect(
        config: &Config,
        bind: SocketAddr,
        grant: Option<(&TenantId, &Path)>,
    ) -> Result<Target> {
        let client = reqwest::Client::new();
        let base = format!("http://{bind}");
        let running = client.get(format!("{base}/health")).timeout(Duration::from_secs(2)).send().await;
        if running.is_ok_and(|r| r.status().is_success()) {
            eprintln!("using the server running at {base}");
            return Ok(Target { base, client, embedded: None });
        }
        let mut config = config.clone();
        if let Some((tenant, root)) = grant {
            config.ingest_roots.grant(Some(tenant), root);
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let handle = tokio::spawn(docket_server::serve(config, listener, async {
            let _ = stopped.await;
        }));
        for _ in 0..200 {
            if client.get(format!("{base}/health")).send().await.is_ok_and(|r| r.status().is_success()) {
                return Ok(Target { base, client, embedded: Some((stop, handle)) });
            }
            if handle.is_finished() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        match handle.await {
            Ok(Err(e)) => Err(e.into()),
            _ => bail!("the embedded server did not start"),
        }
    }

    pub(crate) async fn close(self) -> Result<()> {
        if let Some((stop, handle)) = self.embedded {
            let _ = stop.send(());
            handle.await.context("embedded server")??;
        }
        Ok(())
    }

    pub(crate) async fn json(&self, resp: reqwest::Response) -> Result<serde_json::Value> {
        let status = resp.status();
        let body: serde_json::Value = resp.json().await.unwrap_or(serde_json::Value::Null);
        if status == reqwest::StatusCode::UNAUTHORIZED && self.embedded.is_none() {
            bail!(
                "{status}: {} (the server at {} signs with another secret: run this command with its \
                 DOCKET_STORAGE_DIR or DOCKET_JWT_SECRET)",
                body["error"]["message"].as_str().unwrap_or("request failed"),
                self.base
            );
        }
        if !status.is_success() {
            bail!("{status}: {}", body["error"]["message"].as_str().unwrap_or("request failed"));
        }
        Ok(body)
    }

    /// Follow a job with a progress bar until it finishes.
    async fn follow(&self, token: &str, job: serde_json::Value) -> Result<JobStatus> {
        let id = job["job_id"].as_str().context("job id in the answer")?.to_owned();
        let bar = documents_bar();
        loop {
            let resp = self.client.get(format!("{}/ingest/{id}", self.base)).bearer_auth(token).send().await?;
            let done = resp.status() == reqwest::StatusCode::OK;
            let status: JobStatus = serde_json::from_value(self.json(resp).await?)?;
            bar.set_length(status.discovered.max(1));
            bar.set_position(status.ingested + status.duplicates + status.failed);
            bar.set_message(status.status.as_str());
            if done {
                bar.finish();
                return Ok(status);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

fn writer_token(config: &Config, tenant: &TenantId) -> Result<String> {
    let auth = Authenticator::from_config(config)?;
    let claims = Authenticator::claims(
        "docket-cli",
        Some(tenant.as_str()),
        &["PlatformAdmin".into()],
        &["ingest:write".into(), "ingest:read".into(), "query:read".into(), "timeline:read".into()],
        &["docket-api".into()],
        time::Duration::hours(2),
    );
    Ok(auth.sign(&claims)?)
}

/// The job's summary line; the status is spelled as the API spells it.
fn summary(status: &JobStatus) -> String {
    format!(
        "job {}: {} — {} ingested, {} duplicates, {} failed, {} new bytes",
        status.id,
        status.status.as_str(),
        status.ingested,
        status.duplicates,
        status.failed,
        status.bytes
    )
}

fn report(status: &JobStatus) {
    println!("{}", summary(status));
    for e in &status.errors {
        println!("  failed: {}: {}", e.source, e.error);
    }
}

/// `docket ingest PATH --tenant T [--upload]`.
pub async fn ingest(config: &Config, bind: SocketAddr, path: &Path, tenant: &TenantId, upload: bool) -> Result<()> {
    let path: PathBuf = path.canonicalize().with_context(|| format!("{} cannot be read", path.display()))?;
    let root =
        if path.is_dir() { path.clone() } else { path.parent().map(Path::to_path_buf).unwrap_or_else(|| path.clone()) };
    let target = Target::connect(config, bind, (!upload).then_some((tenant, root.as_path()))).await?;
    let token = writer_token(config, tenant)?;
    let result = async {
        let resp = if upload {
            let form = upload_form(&path)?;
            target.client.post(format!("{}/documents", target.base)).bearer_auth(&token).multipart(form).send().await?
        } else {
            let resp = target
                .client
                .post(format!("{}/ingest", target.base))
                .bearer_auth(&token)
                .json(&json!({"sources": [{"type": "local", "path": path}]}))
                .send()
                .await?;
            let code = resp.status();
            if target.embedded.is_none()
                && (code == reqwest::StatusCode::UNPROCESSABLE_ENTITY || code == reqwest::StatusCode::NOT_FOUND)
            {
                let body: serde_json::Value = resp.json().await.unwrap_or_default();
                bail!(
                    "the server at {} may not read {} for tenant '{tenant}' ({}): grant the folder on that server \
                     (DOCKET_INGEST_ROOTS=\"{tenant}=/folder\"), or pass --upload to send the files over HTTP",
                    target.base,
                    path.display(),
                    body["error"]["message"].as_str().unwrap_or("refused")
                );
            }
            resp
        };
        let job = target.json(resp).await.with_context(|| format!("submitting {}", path.display()))?;
        let status = target.follow(&token, job).await?;
        report(&status);
        Ok(())
    }
    .await;
    target.close().await?;
    result
}

/// The files under `path` (skipping hidden ones and symbolic links) as a multipart upload.
fn upload_form(path: &Path) -> Result<reqwest::multipart::Form> {
    let mut form = reqwest::multipart::Form::new();
    let mut stack = vec![path.to_path_buf()];
    let mut files = 0usize;
    while let Some(p) = stack.pop() {
        let meta = std::fs::symlink_metadata(&p).with_context(|| format!("reading {}", p.display()))?;
        if meta.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(&p)
                .with_context(|| format!("reading {}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|e| !e.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.')))
                .collect();
            entries.sort();
            stack.extend(entries.into_iter().rev());
        } else if meta.is_file() {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "file".into());
            let bytes = std::fs::read(&p).with_context(|| format!("reading {}", p.display()))?;
            form = form.part("file", reqwest::multipart::Part::bytes(bytes).file_name(name));
            files += 1;
        }
    }
    if files == 0 {
        bail!("{} holds no files to upload", path.display());
    }
    eprintln!("uploading {files} files");
    Ok(form)
}

/// `docket demo`: the demo tenant, the demo matter, a few searches and a timeline read, so
/// that search, timeline and the health dashboard show something at once.
pub async fn demo(config: &Config, bind: SocketAddr) -> Result<()> {
    let tenant = TenantId::parse(DEMO_TENANT)?;
    let ledger = docket_server::open_ledger(config).await?;
    if ledger.tenant(&tenant).await?.is_none() {
        ledger.create_tenant(&tenant, "Demo Litigation Team", PlanId::Professional).await?;
        println!("created tenant '{DEMO_TENANT}' on the professional plan");
    }
    ledger.close().await;
    let target = Target::connect(config, bind, None).await?;
    let token = writer_token(config, &tenant)?;
    let result = async {
        let mut form = reqwest::multipart::Form::new();
        let mut files = 0;
        for file in DEMO_MATTER.files() {
            let name = file.path().file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
            if name.starts_with('.') || name == "README.md" {
                continue;
            }
            form = form.part("file", reqwest::multipart::Part::bytes(file.contents().to_vec()).file_name(name));
            files += 1;
        }
        println!(
            "loading the demo matter: {files} files (Harbor Freight Logistics v. Meridian Shipping Corp., fictional)"
        );
        let resp =
            target.client.post(format!("{}/documents", target.base)).bearer_auth(&token).multipart(form).send().await?;
        let job = target.json(resp).await?;
        let status = target.follow(&token, job).await?;
        report(&status);
        for q in ["invoice", "\"late delivery\"", "survey OR inspection", "Meridian AND amendment"] {
            let resp = target
                .client
                .get(format!("{}/query", target.base))
                .bearer_auth(&token)
                .query(&[("q", q)])
                .send()
                .await?;
            let found = target.json(resp).await?;
            println!("query {q:<28} {} hits", found["total_hits"]);
        }
        let resp = target.client.get(format!("{}/timeline", target.base)).bearer_auth(&token).send().await?;
        let page = target.json(resp).await?;
        println!("timeline: {} events on the first page", page["events"].as_array().map_or(0, Vec::len));
        Ok(())
    }
    .await;
    target.close().await?;
    result
}

/// The progress bar of work counted in documents (ingestion jobs, agent runs).
pub(crate) fn documents_bar() -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} documents ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}

#[cfg(test)]
mod tests {
    use docket_corpus::{JobState, JobStatus};

    use super::summary;

    #[test]
    fn the_summary_spells_the_status_as_the_api_does() {
        let status = JobStatus {
            id: Default::default(),
            tenant_id: docket_billing::TenantId::parse("acme").expect("a valid tenant id"),
            submitted_by: "cli".into(),
            status: JobState::PartiallyFailed,
            discovered: 3,
            ingested: 2,
            duplicates: 0,
            failed: 1,
            bytes: 10,
            errors: Vec::new(),
            created_at: time::OffsetDateTime::UNIX_EPOCH,
            started_at: None,
            finished_at: None,
            metered: false,
        };
        let line = summary(&status);
        let api = serde_json::to_value(status.status).unwrap_or_default();
        assert_eq!(api, "partially_failed");
        assert!(line.contains(": partially_failed — 2 ingested"), "{line}");
    }
}
