//! The web UI's built files (`frontend/dist`) are read by rust-embed: embedded in release
//! builds, read from the folder in debug builds. The folder is made to exist so that both find
//! it even when the UI is built after the binary, and a change in it rebuilds this crate.

use std::path::Path;

fn main() {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../frontend/dist");
    // Best effort: a read-only checkout still builds, and serves the UI's 503 instead.
    let _ = std::fs::create_dir_all(&dist);
    println!("cargo:rerun-if-changed={}", dist.display());
}
