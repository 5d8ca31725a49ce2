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
use tokio::time::Instant;
use utoipa::ToSchema;

use crate::error::LedgerError;
use crate::model::{QuotaAlert, TenantSnapshot};
use crate::store::Ledger;

/// Version of the usage.json layout; bumped on any incompatible change (2: each tenant's
/// `query_count` is named `queries`, like the usage dimension it counts).
pub const SNAPSHOT_SCHEMA_VERSION: u32 = 2;

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
                // An older layout is no fault: the first write replaces it.
                Ok(c) if c.schema_version <= SNAPSHOT_SCHEMA_VERSION => Ok(None),
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
            .map_err(|e| LedgerError::Io(std::io::Error::other(format!("usage.json writer task: {e}"))))??;
        Ok(())
    }

    /// Start the background task: the first commit after a write sets a deadline `delay`
    /// later, and the file is rewritten then, however many commits follow (a fixed deadline,
    /// not a debounce that steady load would postpone forever). It is also refreshed every
    /// `refresh` (health and projections move with time). A failed write is retried after
    /// `delay` (at least a second, so that a full disk is not hammered).
    pub fn spawn(self, ledger: Ledger, delay: Duration, refresh: Duration) -> UsageFileTask {
        let (stop, mut stopped) = oneshot::channel();
        let mut commits = ledger.subscribe();
        let handle = tokio::spawn(async move {
            let retry = delay.max(Duration::from_secs(1));
            let mut deadline: Option<Instant> = None;
            let mut next_refresh = Instant::now();
            loop {
                let wake = deadline.map_or(next_refresh, |d| d.min(next_refresh));
                tokio::select! {
                    _ = &mut stopped => break,
                    msg = commits.recv() => match msg {
                        Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {
                            deadline.get_or_insert_with(|| Instant::now() + delay);
                            continue;
                        }
                        Err(broadcast::error::RecvError::Closed) => break,
                    },
                    _ = tokio::time::sleep_until(wake) => {}
                }
                match self.write(&ledger).await {
                    Ok(()) => {
                        deadline = None;
                        next_refresh = Instant::now() + refresh;
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "writing usage.json failed; will retry");
                        deadline = Some(Instant::now() + retry);
                    }
                }
            }
            if let Err(e) = self.write(&ledger).await {
                tracing::error!(error = %e, "writing usage.json at shutdown failed");
            }
        });
        UsageFileTask { stop, handle }
    }
}

/// Temporary file, fsync, rename, fsync of the folder; the temporary file is removed when
/// any step before the rename fails (a full disk must not fill up with attempts).
fn write_atomically(path: &Path, body: &[u8]) -> Result<(), LedgerError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let (tmp, mut file) = tempfile_in(dir, path)?;
    let written = file.write_all(body).and_then(|()| file.sync_all()).and_then(|()| std::fs::rename(&tmp, path));
    drop(file);
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e.into());
    }
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}

fn tempfile_in(dir: &Path, path: &Path) -> Result<(PathBuf, std::fs::File), LedgerError> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("usage.json");
    let tmp = dir.join(format!(".{name}.{}.tmp", uuid::Uuid::now_v7().simple()));
    let file = std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
    Ok((tmp, file))
}
