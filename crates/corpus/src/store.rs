//! Content-addressed store: each distinct content is kept once, named by its SHA-256.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};

use crate::error::CorpusError;

/// Files under `root/ab/cdef...`, written through a temporary file, fsync and rename so a
/// crash never leaves a partial file under a content name.
#[derive(Debug)]
pub struct ContentStore {
    root: PathBuf,
    tmp: PathBuf,
    counter: AtomicU64,
    /// Folders with renames not yet made durable; see [`ContentStore::sync`].
    dirty: Mutex<HashSet<PathBuf>>,
}

/// What [`ContentStore::put`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// Lower-case hex SHA-256 of the content.
    pub sha256: String,
    /// Length of the content in bytes.
    pub bytes: u64,
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(digest: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(digest.len() * 2);
    for b in digest {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    out
}

fn valid_hash(sha256: &str) -> bool {
    sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl ContentStore {
    /// Open (creating if needed) a store rooted at `root`.
    pub fn open(root: &Path) -> Result<ContentStore, CorpusError> {
        let tmp = root.join("tmp");
        fs::create_dir_all(&tmp).map_err(|e| CorpusError::storage(&format!("creating {}", tmp.display()), e))?;
        // Temporary files left by a crash are never referenced; clear them.
        if let Ok(entries) = fs::read_dir(&tmp) {
            for entry in entries.flatten() {
                let _ = fs::remove_file(entry.path());
            }
        }
        Ok(ContentStore {
            root: root.to_path_buf(),
            tmp,
            counter: AtomicU64::new(0),
            dirty: Mutex::new(HashSet::new()),
        })
    }

    /// Path of the content named `sha256` (whether or not it exists).
    pub fn path_of(&self, sha256: &str) -> Result<PathBuf, CorpusError> {
        if !valid_hash(sha256) {
            return Err(CorpusError::Corrupt(format!("'{sha256}' is not a SHA-256 hex digest")));
        }
        Ok(self.root.join(&sha256[..2]).join(&sha256[2..]))
    }

    /// Whether the content named `sha256` is present.
    #[cfg(test)]
    pub fn contains(&self, sha256: &str) -> bool {
        self.path_of(sha256).map(|p| p.is_file()).unwrap_or(false)
    }

    /// Store `bytes` (a no-op when the same content is already there).
    pub fn put(&self, bytes: &[u8]) -> Result<Stored, CorpusError> {
        let sha256 = sha256_hex(bytes);
        let stored = Stored { sha256, bytes: bytes.len() as u64 };
        let target = self.path_of(&stored.sha256)?;
        if target.is_file() {
            return Ok(stored);
        }
        let tmp = self.temp_path();
        let result = (|| {
            let mut file = File::create(&tmp)?;
            file.write_all(bytes)?;
            file.sync_all()?;
            Ok::<_, std::io::Error>(())
        })();
        if let Err(e) = result {
            let _ = fs::remove_file(&tmp);
            return Err(CorpusError::storage("writing content", e));
        }
        self.install(&tmp, &target)?;
        Ok(stored)
    }

    /// Copy a file into the store, hashing it on the way, refusing files over `limit` bytes.
    pub fn put_file(&self, source: &Path, limit: u64) -> Result<Result<Stored, u64>, CorpusError> {
        let tmp = self.temp_path();
        let result = (|| {
            let mut input = File::open(source)?;
            let mut out = File::create(&tmp)?;
            let mut hasher = Sha256::new();
            let mut buf = vec![0u8; 64 * 1024];
            let mut total: u64 = 0;
            loop {
                let n = input.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                total += n as u64;
                if total > limit {
                    // Keep counting so the caller can report the real size.
                    let rest = std::io::copy(&mut input, &mut std::io::sink())?;
                    return Ok(Err(total + rest));
                }
                hasher.update(&buf[..n]);
                out.write_all(&buf[..n])?;
            }
            out.sync_all()?;
            Ok::<_, std::io::Error>(Ok(Stored { sha256: hex(&hasher.finalize()), bytes: total }))
        })();
        match result {
            Ok(Ok(stored)) => {
                let target = self.path_of(&stored.sha256)?;
                if target.is_file() {
                    let _ = fs::remove_file(&tmp);
                } else {
                    self.install(&tmp, &target)?;
                }
                Ok(Ok(stored))
            }
            Ok(Err(size)) => {
                let _ = fs::remove_file(&tmp);
                Ok(Err(size))
            }
            Err(e) => {
                let _ = fs::remove_file(&tmp);
                Err(CorpusError::storage(&format!("copying {}", source.display()), e))
            }
        }
    }

    /// Read the content named `sha256`.
    pub fn get(&self, sha256: &str) -> Result<Vec<u8>, CorpusError> {
        let path = self.path_of(sha256)?;
        fs::read(&path).map_err(|e| CorpusError::storage(&format!("reading content {sha256}"), e))
    }

    fn temp_path(&self) -> PathBuf {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        self.tmp.join(format!("{}-{}-{n}", std::process::id(), uuid::Uuid::now_v7().simple()))
    }

    fn install(&self, tmp: &Path, target: &Path) -> Result<(), CorpusError> {
        let dir = target.parent().ok_or_else(|| CorpusError::Storage("content path has no parent".into()))?;
        let result = fs::create_dir_all(dir).and_then(|()| fs::rename(tmp, target));
        if let Err(e) = result {
            let _ = fs::remove_file(tmp);
            return Err(CorpusError::storage(&format!("installing {}", target.display()), e));
        }
        // The content itself was synced before the rename; the folder entry is synced in
        // batches by `sync`, which costs one fsync per folder instead of one per file.
        if let Ok(mut dirty) = self.dirty.lock() {
            dirty.insert(dir.to_path_buf());
        }
        Ok(())
    }

    /// Make every rename so far durable (fsync of the folders written to since the last call).
    pub fn sync(&self) -> Result<(), CorpusError> {
        let dirs: Vec<PathBuf> = match self.dirty.lock() {
            Ok(mut dirty) => dirty.drain().collect(),
            Err(_) => return Err(CorpusError::Storage("content store lock poisoned".into())),
        };
        for dir in dirs {
            // Some file systems cannot sync folders; the content files themselves are synced.
            if let Ok(d) = File::open(&dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_is_idempotent_and_addressed_by_hash() {
        let dir = tempfile::tempdir().unwrap();
        let store = ContentStore::open(dir.path()).unwrap();
        let a = store.put(b"hello").unwrap();
        let b = store.put(b"hello").unwrap();
        store.sync().unwrap();
        assert_eq!(a, b);
        assert_eq!(a.sha256, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
        assert!(
            store
                .path_of(&a.sha256)
                .unwrap()
                .ends_with("2c/f24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        );
        assert_eq!(store.get(&a.sha256).unwrap(), b"hello");
    }

    #[test]
    fn put_file_enforces_limit() {
        let dir = tempfile::tempdir().unwrap();
        let store = ContentStore::open(&dir.path().join("s")).unwrap();
        let src = dir.path().join("f.txt");
        fs::write(&src, vec![b'x'; 100]).unwrap();
        assert_eq!(store.put_file(&src, 10).unwrap(), Err(100));
        let ok = store.put_file(&src, 1000).unwrap().unwrap();
        assert_eq!(ok.bytes, 100);
        assert!(store.contains(&ok.sha256));
        assert!(store.path_of("../../etc").is_err());
    }
}
