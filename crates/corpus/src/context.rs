//! The shared state of the corpus, used by the service and by the ingestion workers.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use sqlx::SqlitePool;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::error::CorpusError;
use crate::index::CorpusIndex;
use crate::jobs::JobMeter;
use crate::local::Roots;
use crate::parse::{ParseLimits, ParserSandbox};
use crate::store::ContentStore;

/// Shared state of a [`Corpus`].
pub(crate) struct Inner {
    pub roots: Roots,
    pub upload_dir: PathBuf,
    pub limits: ParseLimits,
    /// Where risky formats are parsed (see [`crate::parse::parse_bounded`]).
    pub sandbox: Option<ParserSandbox>,
    /// How long a search may take.
    pub query_timeout: std::time::Duration,
    /// Reads (several connections: WAL readers do not block).
    pub pool: SqlitePool,
    /// Writes go through one connection, so writers queue here instead of in SQLite's busy
    /// handler, which sleeps.
    pub writer: SqlitePool,
    pub store: ContentStore,
    pub index: CorpusIndex,
    pub meter: Arc<dyn JobMeter>,
    pub wake: Notify,
    pub stop_tx: watch::Sender<bool>,
    pub stopping: AtomicBool,
    /// Jobs whose report is being handed to the meter right now, so the retry loop does not
    /// report the same job concurrently.
    pub reporting: Mutex<HashSet<Uuid>>,
    /// The workers and the checkpoint task, awaited at shutdown.
    pub handles: Mutex<Vec<JoinHandle<()>>>,
}

impl Inner {
    pub(crate) fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// A document's extracted text, kept in the content store under `sha256`.
    pub(crate) async fn stored_text(self: &Arc<Inner>, sha256: String) -> Result<String, CorpusError> {
        let inner = self.clone();
        let bytes = tokio::task::spawn_blocking(move || inner.store.get(&sha256)).await??;
        String::from_utf8(bytes).map_err(|e| CorpusError::Corrupt(format!("stored text is not UTF-8: {e}")))
    }
}
