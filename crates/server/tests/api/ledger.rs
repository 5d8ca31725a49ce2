//! The ledger through the real server: a full disk, a usage.json kept fresh under load.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::json;

use crate::helpers::{TestApp, spawn_app_in, spawn_app_with};

/// A small tmpfs mounted on a temporary folder, unmounted when dropped.
struct Tmpfs {
    dir: Option<tempfile::TempDir>,
}

impl Tmpfs {
    fn mount(size: &str) -> Tmpfs {
        let dir = tempfile::tempdir().expect("mount point");
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .expect("run mount");
        assert!(status.success(), "mounting a tmpfs needs root (this test simulates a full disk with one)");
        Tmpfs { dir: Some(dir) }
    }

    fn path(&self) -> &Path {
        self.dir.as_ref().map(|d| d.path()).unwrap_or(Path::new("/nonexistent"))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        if let Some(dir) = self.dir.take() {
            let _ = Command::new("umount").arg("-l").arg(dir.path()).status();
        }
    }
}

/// Fill the file system holding `dir` with one file until it refuses more.
fn fill(dir: &Path) -> PathBuf {
    use std::io::Write;
    let path = dir.join("filler");
    let mut f = std::fs::File::create(&path).expect("filler file");
    let chunk = vec![0u8; 64 * 1024];
    while f.write_all(&chunk).is_ok() {}
    let _ = f.sync_all();
    path
}

async fn post_event(app: &TestApp, token: &str, id: &str) -> reqwest::Response {
    let body = json!({"events": [{"event_id": id, "tenant_id": "full-disk", "kind": "query", "subject": "ana"}]});
    app.client.post(app.url("/billing/events")).bearer_auth(token).json(&body).send().await.expect("request sent")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_answers_503_and_recovers_by_itself() {
    let fs = Tmpfs::mount("24m");
    let storage = tempfile::tempdir_in(fs.path()).expect("storage on the tmpfs");
    let app = spawn_app_in(storage, &[]).await;
    app.onboard("Full Disk", 5).await;
    let token = app.service_token();
    let ok = post_event(&app, &token, "before-full").await;
    assert_eq!(ok.status(), 200);

    let filler = fill(fs.path());
    let mut refused = None;
    for i in 0..500 {
        let resp = post_event(&app, &token, &format!("while-full-{i}")).await;
        match resp.status().as_u16() {
            200 => continue,
            503 => {
                refused = Some(resp);
                break;
            }
            other => panic!("a full disk answered {other}: {}", resp.text().await.unwrap_or_default()),
        }
    }
    let refused = refused.expect("a full disk refused events");
    assert_eq!(refused.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some("5"));
    let body: serde_json::Value = refused.json().await.expect("JSON error body");
    assert_eq!(body["error"]["code"], "unavailable", "{body}");

    let (status, health) = app.get("/health", None).await;
    assert_eq!(status, 503, "{health}");
    assert_eq!(health["error"]["details"]["component"], "ledger", "{health}");

    std::fs::remove_file(&filler).expect("free the disk");
    let mut healthy = false;
    for _ in 0..100 {
        if app.get("/health", None).await.0 == 200 {
            healthy = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(healthy, "/health recovered within 10 s of freeing the disk");
    assert_eq!(post_event(&app, &token, "after-full").await.status(), 200);

    // Failed usage.json attempts left no temporary file behind.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let billing = app.storage.path().join("billing");
    let leftovers: Vec<_> = std::fs::read_dir(&billing)
        .expect("billing folder")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left behind: {leftovers:?}");
    app.stop().await;
    drop(fs);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_json_stays_fresh_under_continuous_load() {
    let app = spawn_app_with(&["--snapshot-delay-ms", "2000"]).await;
    app.onboard("Busy Firm", 5).await;
    let token = app.service_token();
    let generated_at = || -> time::OffsetDateTime {
        let file = std::fs::read(app.usage_file()).expect("usage.json exists");
        let contents: serde_json::Value = serde_json::from_slice(&file).expect("usage.json parses");
        let at = contents["generated_at"].as_str().expect("generated_at");
        time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).expect("RFC 3339")
    };
    let started = std::time::Instant::now();
    let mut last = generated_at();
    let mut rewrites = 0;
    let mut longest_stale = Duration::ZERO;
    let mut stale_since = std::time::Instant::now();
    let mut i = 0;
    while started.elapsed() < Duration::from_secs(20) {
        let body = json!({"events": [{"event_id": format!("load-{i}"), "tenant_id": "busy-firm", "kind": "query", "subject": "ana"}]});
        let (status, answer) = app.post("/billing/events", &body, Some(&token)).await;
        assert_eq!(status, 200, "{answer}");
        i += 1;
        let now = generated_at();
        if now > last {
            last = now;
            rewrites += 1;
            stale_since = std::time::Instant::now();
        }
        longest_stale = longest_stale.max(stale_since.elapsed());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // With a 2 s delay the file is rewritten about every 2 s of load; a debounce restarted by
    // each commit would not rewrite it at all while events keep coming.
    assert!(rewrites >= 3, "usage.json rewritten only {rewrites} times in 20 s of load ({i} commits)");
    assert!(longest_stale < Duration::from_secs(8), "usage.json stayed unchanged for {longest_stale:?} under load");
    app.stop().await;
}
