//! Content-addressed store: each distinct content is kept once, named by its SHA-256, in
//! append-only pack files under `root/packs/`.
//!
//! A pack is a run of records `magic, SHA-256, length, bytes`. Appending to a pack creates no
//! file per document, so ingesting many small files costs no inode allocation or folder entry
//! each, and one fsync makes a whole batch durable ([`ContentStore::sync`]). The index from
//! SHA-256 to record is kept in memory and rebuilt from the packs' record headers at start;
//! the last pack, the only one written since the previous start, is verified record by record
//! and cut after its last whole record, so a crash in the middle of an append leaves nothing
//! half-written behind a content name. Content written by earlier versions as one file per
//! SHA-256 (`root/ab/cdef...`) is still read.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{BufReader, ErrorKind, Read, Seek};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use sha2::{Digest, Sha256};

use crate::error::CorpusError;

/// First bytes of every record.
const MAGIC: [u8; 4] = *b"DKC1";
/// Record header: magic, SHA-256, content length (little-endian u64).
const HEADER: u64 = 4 + 32 + 8;
/// A pack is sealed (synced, never written again) once it reaches this size.
const PACK_LIMIT: u64 = 256 << 20;

/// What [`ContentStore::put`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// Lower-case hex SHA-256 of the content.
    pub sha256: String,
    /// Length of the content in bytes.
    pub bytes: u64,
}

/// Where a content's bytes are.
#[derive(Debug, Clone, Copy)]
struct Location {
    pack: usize,
    offset: u64,
    len: u64,
}

#[derive(Debug)]
struct State {
    index: HashMap<[u8; 32], Location>,
    /// Open packs, by position (pack `n` is `packs[n]`, file `{n:08}.pack`).
    packs: Vec<Arc<File>>,
    /// Length of the last pack: where the next record goes.
    end: u64,
    /// Whether the last pack has appends not yet synced.
    dirty: bool,
}

/// The pack store; see the module documentation.
#[derive(Debug)]
pub struct ContentStore {
    root: PathBuf,
    dir: PathBuf,
    /// Whether content of the one-file-per-content layout may exist (looked up only then).
    legacy: bool,
    state: Mutex<State>,
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The 32 bytes of a lower-case hex SHA-256, or None when `sha256` is not one.
fn parse_hash(sha256: &str) -> Option<[u8; 32]> {
    // Stored names are lower case: an upper-case digit names no stored file.
    if sha256.bytes().any(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let mut out = [0u8; 32];
    hex::decode_to_slice(sha256, &mut out).ok()?;
    Some(out)
}

fn pack_name(n: usize) -> String {
    format!("{n:08}.pack")
}

fn storage(what: &str, path: &Path, e: std::io::Error) -> CorpusError {
    CorpusError::storage(&format!("{what} {}", path.display()), e)
}

/// A record's header.
fn header(hash: &[u8; 32], len: u64) -> [u8; HEADER as usize] {
    let mut header = [0u8; HEADER as usize];
    header[..4].copy_from_slice(&MAGIC);
    header[4..36].copy_from_slice(hash);
    header[36..].copy_from_slice(&len.to_le_bytes());
    header
}

/// Read a pack's records into `index`; returns the length of its whole, valid records. With
/// `verify`, each record's content is read and checked against its SHA-256.
fn scan(file: &File, pack: usize, verify: bool, index: &mut HashMap<[u8; 32], Location>) -> std::io::Result<u64> {
    let total = file.metadata()?.len();
    let mut reader = BufReader::with_capacity(1 << 20, file);
    reader.rewind()?;
    let mut offset = 0u64;
    let mut header = [0u8; HEADER as usize];
    let mut content = Vec::new();
    while offset + HEADER <= total {
        reader.read_exact(&mut header)?;
        let len = u64::from_le_bytes(header[36..44].try_into().unwrap_or_default());
        let data = offset + HEADER;
        if header[..4] != MAGIC || len > total - data {
            break;
        }
        let hash: [u8; 32] = header[4..36].try_into().unwrap_or_default();
        if verify {
            content.resize(usize::try_from(len).map_err(|_| ErrorKind::InvalidData)?, 0);
            reader.read_exact(&mut content)?;
            if Sha256::digest(&content)[..] != hash {
                break;
            }
        } else {
            reader.seek_relative(i64::try_from(len).map_err(|_| ErrorKind::InvalidData)?)?;
        }
        index.entry(hash).or_insert(Location { pack, offset: data, len });
        offset = data + len;
    }
    Ok(offset)
}

impl ContentStore {
    /// Open (creating if needed) a store rooted at `root`.
    pub fn open(root: &Path) -> Result<ContentStore, CorpusError> {
        let dir = root.join("packs");
        fs::create_dir_all(&dir).map_err(|e| storage("creating", &dir, e))?;
        // Temporary files of the earlier one-file-per-content layout are never referenced.
        if let Ok(entries) = fs::read_dir(root.join("tmp")) {
            for entry in entries.flatten() {
                let _ = fs::remove_file(entry.path());
            }
        }
        let legacy = fs::read_dir(root).map_err(|e| storage("reading", root, e))?.flatten().any(|entry| {
            let name = entry.file_name();
            name.len() == 2 && name.to_str().is_some_and(|n| n.bytes().all(|b| b.is_ascii_hexdigit()))
        });
        let mut count = 0;
        while dir.join(pack_name(count)).is_file() {
            count += 1;
        }
        let mut state = State { index: HashMap::new(), packs: Vec::new(), end: 0, dirty: false };
        for n in 0..count {
            let path = dir.join(pack_name(n));
            let last = n + 1 == count;
            let file =
                OpenOptions::new().read(true).write(last).open(&path).map_err(|e| storage("opening", &path, e))?;
            let valid = scan(&file, n, last, &mut state.index).map_err(|e| storage("reading", &path, e))?;
            let len = file.metadata().map_err(|e| storage("reading", &path, e))?.len();
            if valid < len {
                if last {
                    // The tail of an append that a crash interrupted: never acknowledged.
                    tracing::warn!(pack = %path.display(), valid, len, "cutting an incomplete record off the last pack");
                    file.set_len(valid).and_then(|()| file.sync_all()).map_err(|e| storage("repairing", &path, e))?;
                } else {
                    tracing::error!(pack = %path.display(), valid, len, "a sealed pack has an unreadable record; content after it is unavailable");
                }
            }
            if last {
                state.end = valid;
            }
            state.packs.push(Arc::new(file));
        }
        Ok(ContentStore { root: root.to_path_buf(), dir, legacy, state: Mutex::new(state) })
    }

    fn lock(&self) -> Result<MutexGuard<'_, State>, CorpusError> {
        self.state.lock().map_err(|_| CorpusError::Storage("content store lock poisoned".into()))
    }

    /// Where the content of the earlier one-file-per-content layout would be.
    fn legacy_path(&self, sha256: &str) -> PathBuf {
        self.root.join(&sha256[..2]).join(&sha256[2..])
    }

    /// Whether the one-file-per-content layout holds `sha256`.
    fn in_legacy(&self, sha256: &str) -> bool {
        self.legacy && self.legacy_path(sha256).is_file()
    }

    /// Whether the content named `sha256` is present.
    #[cfg(test)]
    pub fn contains(&self, sha256: &str) -> bool {
        match parse_hash(sha256) {
            Some(hash) => self.lock().map(|s| s.index.contains_key(&hash)).unwrap_or(false) || self.in_legacy(sha256),
            None => false,
        }
    }

    /// The pack to append `len` more bytes to, starting a new one when the last is full (or
    /// there is none). Returns its position.
    fn room(&self, state: &mut State, len: u64) -> Result<usize, CorpusError> {
        if let Some(last) = state.packs.len().checked_sub(1)
            && (state.end == 0 || state.end + HEADER + len <= PACK_LIMIT)
        {
            return Ok(last);
        }
        if let Some(last) = state.packs.last() {
            // Sealed: everything in it is durable before anything goes to the next one.
            last.sync_data().map_err(|e| storage("syncing", &self.dir, e))?;
            state.dirty = false;
        }
        let n = state.packs.len();
        let path = self.dir.join(pack_name(n));
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| storage("creating", &path, e))?;
        // The new pack's folder entry is made durable now, once per pack.
        File::open(&self.dir).and_then(|d| d.sync_all()).map_err(|e| storage("syncing", &self.dir, e))?;
        state.packs.push(Arc::new(file));
        state.end = 0;
        Ok(n)
    }

    /// Append one record of `len` content bytes, which `write` puts (header and content) at the
    /// offset it is given.
    fn append(
        &self,
        state: &mut State,
        hash: [u8; 32],
        len: u64,
        write: impl FnOnce(&File, u64) -> std::io::Result<()>,
    ) -> Result<(), CorpusError> {
        let pack = self.room(state, len)?;
        let file = state.packs[pack].clone();
        let offset = state.end;
        // On failure the end does not move, so the next record overwrites the partial one.
        write(&file, offset).map_err(|e| storage("writing to", &self.dir.join(pack_name(pack)), e))?;
        state.end = offset + HEADER + len;
        state.dirty = true;
        state.index.insert(hash, Location { pack, offset: offset + HEADER, len });
        Ok(())
    }

    /// Store `bytes` (a no-op when the same content is already there). Durable after the next
    /// [`ContentStore::sync`].
    pub fn put(&self, bytes: &[u8]) -> Result<Stored, CorpusError> {
        let digest = Sha256::digest(bytes);
        let hash: [u8; 32] = digest.into();
        let stored = Stored { sha256: hex::encode(hash), bytes: bytes.len() as u64 };
        // The record is assembled before the store is locked, and written in one call.
        let mut record = Vec::with_capacity(HEADER as usize + bytes.len());
        record.extend_from_slice(&header(&hash, stored.bytes));
        record.extend_from_slice(bytes);
        let mut state = self.lock()?;
        if state.index.contains_key(&hash) || self.in_legacy(&stored.sha256) {
            return Ok(stored);
        }
        self.append(&mut state, hash, stored.bytes, |file, at| file.write_all_at(&record, at))?;
        Ok(stored)
    }

    /// Copy a file into the store, refusing files over `limit` bytes (`Err(size)`).
    pub fn put_file(&self, source: &Path, limit: u64) -> Result<Result<Stored, u64>, CorpusError> {
        let read_error = |e| storage("reading", source, e);
        // First pass: size and hash, without holding the store.
        let mut input = File::open(source).map_err(read_error)?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 64 * 1024];
        let mut total: u64 = 0;
        loop {
            let n = input.read(&mut buf).map_err(read_error)?;
            if n == 0 {
                break;
            }
            total += n as u64;
            if total > limit {
                let rest = std::io::copy(&mut input, &mut std::io::sink()).map_err(read_error)?;
                return Ok(Err(total + rest));
            }
            hasher.update(&buf[..n]);
        }
        let hash: [u8; 32] = hasher.finalize().into();
        let stored = Stored { sha256: hex::encode(hash), bytes: total };
        let mut state = self.lock()?;
        if state.index.contains_key(&hash) || self.in_legacy(&stored.sha256) {
            return Ok(Ok(stored));
        }
        // Second pass: copy, checking that the file did not change in between.
        self.append(&mut state, hash, total, |file, at| {
            file.write_all_at(&header(&hash, total), at)?;
            let mut at = at + HEADER;
            let mut input = File::open(source)?;
            let mut check = Sha256::new();
            let mut copied = 0u64;
            loop {
                let n = input.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                copied += n as u64;
                if copied > total {
                    break;
                }
                check.update(&buf[..n]);
                file.write_all_at(&buf[..n], at)?;
                at += n as u64;
            }
            if copied != total || check.finalize()[..] != hash {
                return Err(std::io::Error::other("the file changed while it was being stored"));
            }
            Ok(())
        })?;
        Ok(Ok(stored))
    }

    /// Read the content named `sha256`.
    pub fn get(&self, sha256: &str) -> Result<Vec<u8>, CorpusError> {
        let hash = parse_hash(sha256)
            .ok_or_else(|| CorpusError::Corrupt(format!("'{sha256}' is not a SHA-256 hex digest")))?;
        let found = {
            let state = self.lock()?;
            state.index.get(&hash).map(|loc| (*loc, state.packs[loc.pack].clone()))
        };
        let what = format!("reading content {sha256}");
        match found {
            Some((loc, file)) => {
                let len = usize::try_from(loc.len).map_err(|_| CorpusError::Storage(format!("{what}: too large")))?;
                let mut out = vec![0u8; len];
                file.read_exact_at(&mut out, loc.offset).map_err(|e| CorpusError::storage(&what, e))?;
                Ok(out)
            }
            None if self.legacy => fs::read(self.legacy_path(sha256)).map_err(|e| CorpusError::storage(&what, e)),
            None => Err(CorpusError::storage(&what, std::io::Error::from(ErrorKind::NotFound))),
        }
    }

    /// Make every content stored so far durable: one fsync of the pack being written, if it
    /// changed since the last call.
    pub fn sync(&self) -> Result<(), CorpusError> {
        let file = {
            let mut state = self.lock()?;
            if !state.dirty {
                return Ok(());
            }
            state.dirty = false;
            state.packs.last().cloned()
        };
        // Outside the lock: appends go on meanwhile; whatever was written before this call is
        // covered by the fsync, later appends set `dirty` again.
        if let Some(file) = file
            && let Err(e) = file.sync_data()
        {
            if let Ok(mut state) = self.state.lock() {
                state.dirty = true;
            }
            return Err(storage("syncing", &self.dir, e));
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
        assert_eq!(store.get(&a.sha256).unwrap(), b"hello");
        // Stored once: one record in one pack.
        let pack = fs::metadata(dir.path().join("packs").join(pack_name(0))).unwrap().len();
        assert_eq!(pack, HEADER + 5);
        assert!(store.get("../../etc").is_err());
        assert!(!store.contains("00"));
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
        assert_eq!(store.get(&ok.sha256).unwrap(), vec![b'x'; 100]);
        assert_eq!(ok, store.put(&[b'x'; 100]).unwrap());
    }

    #[test]
    fn reopening_finds_everything_and_cuts_a_torn_append() {
        let dir = tempfile::tempdir().unwrap();
        let contents: Vec<Vec<u8>> = (0..50).map(|i| format!("document {i} ").repeat(i + 1).into_bytes()).collect();
        let stored: Vec<Stored> = {
            let store = ContentStore::open(dir.path()).unwrap();
            let s = contents.iter().map(|c| store.put(c).unwrap()).collect();
            store.sync().unwrap();
            s
        };
        // A crash in the middle of the next append: a header and part of its content.
        let pack = dir.path().join("packs").join(pack_name(0));
        let good = fs::metadata(&pack).unwrap().len();
        let torn = b"the next document, cut short";
        let mut tail = Vec::from(header(&Sha256::digest(torn).into(), torn.len() as u64));
        tail.extend_from_slice(&torn[..10]);
        OpenOptions::new().write(true).open(&pack).unwrap().write_all_at(&tail, good).unwrap();

        let store = ContentStore::open(dir.path()).unwrap();
        assert_eq!(fs::metadata(&pack).unwrap().len(), good, "the torn record is cut off");
        for (s, c) in stored.iter().zip(&contents) {
            assert_eq!(&store.get(&s.sha256).unwrap(), c);
        }
        assert!(!store.contains(&sha256_hex(torn)));
        // Appends go on after the last whole record.
        let again = store.put(torn).unwrap();
        store.sync().unwrap();
        drop(store);
        let store = ContentStore::open(dir.path()).unwrap();
        assert_eq!(store.get(&again.sha256).unwrap(), torn);
    }

    #[test]
    fn content_of_the_one_file_layout_is_still_read() {
        let dir = tempfile::tempdir().unwrap();
        let sha = sha256_hex(b"old");
        fs::create_dir_all(dir.path().join(&sha[..2])).unwrap();
        fs::write(dir.path().join(&sha[..2]).join(&sha[2..]), b"old").unwrap();
        let store = ContentStore::open(dir.path()).unwrap();
        assert!(store.contains(&sha));
        assert_eq!(store.get(&sha).unwrap(), b"old");
        assert_eq!(store.put(b"old").unwrap().sha256, sha);
        assert_eq!(fs::metadata(dir.path().join("packs").join(pack_name(0))).map(|m| m.len()).unwrap_or(0), 0);
    }
}
