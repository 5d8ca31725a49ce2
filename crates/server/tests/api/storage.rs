//! Storage permissions: everything under the storage folder is its owner's alone.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use serde_json::json;

use crate::helpers::spawn_app_with;

/// Every folder 0700 and every file 0600 under `root` (links are not followed).
fn loose_entries(root: &Path) -> Vec<String> {
    let mut loose = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(p) = stack.pop() {
        let meta = std::fs::symlink_metadata(&p).unwrap();
        let mode = meta.permissions().mode() & 0o777;
        if meta.is_dir() {
            if mode != 0o700 {
                loose.push(format!("{} {mode:o}", p.display()));
            }
            stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
        } else if meta.is_file() && mode != 0o600 {
            loose.push(format!("{} {mode:o}", p.display()));
        }
    }
    loose
}

#[tokio::test]
async fn storage_folders_are_0700_and_files_0600() {
    let matters = tempfile::tempdir().unwrap();
    std::fs::write(matters.path().join("memo.txt"), "A memo about the delivery schedule.").unwrap();
    let roots = format!("*={}", matters.path().display());
    let app = spawn_app_with(&["--ingest-roots", &roots]).await;
    app.onboard("Harbor Counsel", 10).await;
    let writer = app.token(Some("harbor-counsel"), &["CaseCoordinator"], &["ingest:write"], &["docket-api"]);
    let name = matters.path().file_name().unwrap().to_string_lossy().into_owned();
    let (status, body) = app
        .post(
            "/ingest",
            &json!({"sources": [{"type": "local", "path": name}, {"type": "inline", "name": "n.txt", "content": "Note."}]}),
            Some(&writer),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(b"Uploaded memo.".to_vec()).file_name("up.txt"));
    let resp = app.client.post(app.url("/documents")).bearer_auth(&writer).multipart(form).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 202);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let config = app.config.clone();
    let storage = app.stop().await;
    for dir in ["billing", "documents", "corpus", "index", "uploads"] {
        assert!(storage.path().join(dir).exists(), "{dir} was not created");
    }
    assert!(storage.path().join("billing/usage.json").exists());
    let loose = loose_entries(storage.path());
    assert!(loose.is_empty(), "entries others may read: {loose:#?}");

    // An installation from before: world-readable files and folders already in storage are
    // tightened at start.
    let old = storage.path().join("billing/old-export.json");
    std::fs::write(&old, "{}").unwrap();
    for (path, mode) in
        [(old, 0o644), (storage.path().join("billing/usage.json"), 0o644), (storage.path().join("billing"), 0o755)]
    {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    assert_eq!(loose_entries(storage.path()).len(), 3);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    docket_server::serve(config, listener, async {}).await.unwrap();
    assert!(loose_entries(storage.path()).is_empty());
}
