//! storage/billing/usage.json: every tenant's current snapshot and onboarding intake, rewritten
//! atomically from the ledger when something changed. The ledger is the source of truth; the
//! file is a view for people and other tools, rebuilt whenever it is missing or corrupt.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use docket_billing::BillingPeriod;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tokio::sync::{broadcast, oneshot};
use tokio::task::JoinHandle;
use utoipa::ToSchema;

use crate::error::LedgerError;
use crate::model::{QuotaAlert, TenantSnapshot};
use crate::store::Ledger;

/// Version of the usage.json layout; bumped on any incompatible change.
pub const SNAPSHOT_SCHEMA_VERSION: u32 = 1;

/// The contents of usage.json.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UsageFileContents {
    pub schema_version: u32,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub generated_at: OffsetDateTime,
    #[schema(value_type = String, example = "2026-11")]
    pub period: BillingPeriod,
    pub tenants: Vec<TenantSnapshot>,
    pub alerts: Vec<QuotaAlert>,
}

/// The usage.json file and the task that keeps it current.
#[derive(Debug, Clone)]
pub struct UsageFile {
    path: PathBuf,
}

/// The running background writer; [`UsageFileTask::finish`] writes one last time and stops it.
pub struct UsageFileTask {
    stop: oneshot::Sender<()>,
    handle: JoinHandle<()>,
}

impl UsageFileTask {
    /// Write the file a last time (at shutdown) and wait for the task to end.
    pub async fn finish(self) {
        let _ = self.stop.send(());
        let _ = self.handle.await;
    }
}

impl UsageFile {
    /// The file at `path` (normally storage/billing/usage.json).
    pub fn new(path: impl Into<PathBuf>) -> UsageFile {
        UsageFile { path: path.into() }
    }

    /// Where the file lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Read and parse the file as it is now.
    pub fn read(&self) -> Result<UsageFileContents, LedgerError> {
        let bytes = std::fs::read(&self.path)?;
        serde_json::from_slice(&bytes).map_err(|e| LedgerError::Corrupt(format!("{}: {e}", self.path.display())))
    }

    /// Check the file at start-up. A corrupt one is moved aside (never overwritten silently);
    /// returns where it went. A missing or corrupt file is then rebuilt by the first write.
    pub fn set_aside_if_corrupt(&self) -> Result<Option<PathBuf>, LedgerError> {
        match std::fs::read(&self.path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
            Ok(bytes) => match serde_json::from_slice::<UsageFileContents>(&bytes) {
                Ok(c) if c.schema_version == SNAPSHOT_SCHEMA_VERSION => Ok(None),
                _ => {
                    let stamp = OffsetDateTime::now_utc().unix_timestamp();
                    let aside = self.path.with_extension(format!("json.corrupt-{stamp}"));
                    std::fs::rename(&self.path, &aside)?;
                    tracing::warn!(path = %self.path.display(), kept = %aside.display(), "usage.json was corrupt; kept aside and rebuilt from the ledger");
                    Ok(Some(aside))
                }
            },
        }
    }

    /// Compute every tenant's snapshot for the current period and write the file atomically:
    /// temporary file, fsync, rename, fsync of the folder. A reader sees the old or the new
    /// file, never a partial one.
    pub async fn write(&self, ledger: &Ledger) -> Result<(), LedgerError> {
        let now = OffsetDateTime::now_utc();
        let period = BillingPeriod::containing(now);
        let contents = UsageFileContents {
            schema_version: SNAPSHOT_SCHEMA_VERSION,
            generated_at: now,
            period,
            tenants: ledger.snapshots(period, now, None).await?,
            alerts: ledger.alerts(period, None).await?,
        };
        let body = serde_json::to_vec_pretty(&contents).map_err(|e| LedgerError::Corrupt(e.to_string()))?;
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || write_atomically(&path, &body))
            .await
            .map_err(|e| LedgerError::Corrupt(format!("snapshot task: {e}")))??;
        Ok(())
    }

    /// Start the background task: after a commit, the file is rewritten at most `delay` later;
    /// it is also refreshed every `refresh` (health and projections move with time).
    pub fn spawn(self, ledger: Ledger, delay: Duration, refresh: Duration) -> UsageFileTask {
        let (stop, mut stopped) = oneshot::channel();
        let mut commits = ledger.subscribe();
        let handle = tokio::spawn(async move {
            if let Err(e) = self.write(&ledger).await {
                tracing::error!(error = %e, "writing usage.json failed");
            }
            let mut dirty = false;
            let mut last_write = tokio::time::Instant::now();
            loop {
                let wake = if dirty { delay } else { refresh.saturating_sub(last_write.elapsed()) };
                tokio::select! {
                    _ = &mut stopped => break,
                    msg = commits.recv() => match msg {
                        Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => { dirty = true; continue; }
                        Err(broadcast::error::RecvError::Closed) => break,
                    },
                    _ = tokio::time::sleep(wake) => {}
                }
                if let Err(e) = self.write(&ledger).await {
                    tracing::error!(error = %e, "writing usage.json failed; will retry");
                    continue;
                }
                dirty = false;
                last_write = tokio::time::Instant::now();
            }
            if let Err(e) = self.write(&ledger).await {
                tracing::error!(error = %e, "writing usage.json at shutdown failed");
            }
        });
        UsageFileTask { stop, handle }
    }
}

fn write_atomically(path: &Path, body: &[u8]) -> Result<(), LedgerError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile_in(dir, path)?;
    tmp.1.write_all(body)?;
    tmp.1.sync_all()?;
    std::fs::rename(&tmp.0, path)?;
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}

fn tempfile_in(dir: &Path, path: &Path) -> Result<(PathBuf, std::fs::File), LedgerError> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("usage.json");
    let tmp = dir.join(format!(".{name}.{}.tmp", uuid::Uuid::now_v7().simple()));
    let file = std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
    Ok((tmp, file))
}
