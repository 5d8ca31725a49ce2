//! Local files under the ingest roots: which tenant may read which root, how a client's path
//! maps to a root, and reading without ever following a symbolic link.
//!
//! Each root is opened once, when the corpus opens; every later open walks down from that
//! folder one component at a time with `openat(O_NOFOLLOW)`, and folders are listed through
//! the descriptor that was opened. A folder swapped for a link between the walk and the read
//! makes the open fail: nothing outside a root is ever read, and the file that was opened is
//! the one that is read. Client-facing sources name a file by its root: `root-name/sub/a.pdf`.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::io::Read;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};
use std::str::FromStr;

use docket_billing::TenantId;
use rustix::fs::{AtFlags, Dir, FileType, Mode, OFlags};

use crate::error::CorpusError;
use crate::jobs::MAX_FILES_PER_JOB;

/// Who may read which folders: each grant names a tenant, or every tenant.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestRoots {
    grants: Vec<RootGrant>,
}

/// One folder granted to one tenant (or, with `tenant` None, to every tenant).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootGrant {
    /// The tenant, or None for every tenant (`*` in the configuration).
    pub tenant: Option<TenantId>,
    /// The folder as configured.
    pub path: PathBuf,
}

impl IngestRoots {
    /// No roots: local paths are read for nobody.
    pub fn none() -> IngestRoots {
        IngestRoots::default()
    }

    /// Grant `path` to `tenant` (None: to every tenant).
    pub fn grant(&mut self, tenant: Option<&TenantId>, path: impl Into<PathBuf>) {
        self.grants.push(RootGrant { tenant: tenant.cloned(), path: path.into() });
    }

    /// The grants, in configuration order.
    pub fn grants(&self) -> &[RootGrant] {
        &self.grants
    }

    /// True when nothing is granted.
    pub fn is_empty(&self) -> bool {
        self.grants.is_empty()
    }
}

/// Folders granted to every tenant (tests and single-tenant setups).
impl From<Vec<PathBuf>> for IngestRoots {
    fn from(paths: Vec<PathBuf>) -> IngestRoots {
        IngestRoots { grants: paths.into_iter().map(|path| RootGrant { tenant: None, path }).collect() }
    }
}

/// `tenant=/path[,/path...][;tenant=...]`, `*` as the tenant granting to every tenant.
impl FromStr for IngestRoots {
    type Err = String;

    fn from_str(spec: &str) -> Result<IngestRoots, String> {
        let mut roots = IngestRoots::none();
        for group in spec.split(';').map(str::trim).filter(|g| !g.is_empty()) {
            let Some((tenant, paths)) = group.split_once('=') else {
                return Err(format!(
                    "'{group}' names no tenant: write TENANT=/path[,/path...] (or *=/path for every tenant), \
                     groups separated by ';'"
                ));
            };
            // The rule tokens' tenant claims follow: a grant to any other id could reach no one.
            let tenant = match tenant.trim() {
                "*" => None,
                t => Some(TenantId::parse(t).map_err(|e| format!("'{group}': {e}"))?),
            };
            let mut any = false;
            for path in paths.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                if !Path::new(path).is_absolute() {
                    return Err(format!("'{path}' is not an absolute path"));
                }
                roots.grant(tenant.as_ref(), path);
                any = true;
            }
            if !any {
                return Err(format!("'{group}' grants no folder"));
            }
        }
        Ok(roots)
    }
}

/// A root folder, opened.
pub(crate) struct Root {
    /// How clients name it: the folder's own name.
    pub name: String,
    /// Its canonical path, to map the absolute paths of older jobs and clients.
    pub path: PathBuf,
    dir: OwnedFd,
    /// Tenants it is granted to; None: every tenant.
    tenants: Option<BTreeSet<TenantId>>,
}

impl Root {
    fn granted_to(&self, tenant: &TenantId) -> bool {
        self.tenants.as_ref().is_none_or(|t| t.contains(tenant))
    }

    /// The client-facing name of a file under this root.
    pub fn display(&self, rel: &Path) -> String {
        if rel.as_os_str().is_empty() { self.name.clone() } else { format!("{}/{}", self.name, rel.display()) }
    }
}

/// The opened roots of a corpus.
#[derive(Default)]
pub(crate) struct Roots {
    roots: Vec<Root>,
}

impl std::fmt::Debug for Roots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.roots.iter().map(|r| (&r.name, &r.tenants))).finish()
    }
}

impl Roots {
    /// Open every granted folder. A folder that cannot be opened is left out with a warning;
    /// two roots of one tenant with the same name are a configuration error.
    pub fn open(config: &IngestRoots) -> Result<Roots, CorpusError> {
        let mut roots: Vec<Root> = Vec::new();
        for grant in config.grants() {
            let canonical = match std::fs::canonicalize(&grant.path) {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(root = %grant.path.display(), error = %e, "ingest root cannot be resolved; ignored");
                    continue;
                }
            };
            if let Some(root) = roots.iter_mut().find(|r| r.path == canonical) {
                match (&mut root.tenants, &grant.tenant) {
                    (Some(set), Some(t)) => {
                        set.insert(t.clone());
                    }
                    (tenants, None) => *tenants = None,
                    (None, Some(_)) => {}
                }
                continue;
            }
            let dir = match open_dir(&canonical) {
                Ok(d) => d,
                Err(e) => {
                    tracing::warn!(root = %grant.path.display(), error = %e, "ingest root is not a readable folder; ignored");
                    continue;
                }
            };
            let name = canonical.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "root".into());
            roots.push(Root {
                name,
                path: canonical,
                dir,
                tenants: grant.tenant.as_ref().map(|t| BTreeSet::from([t.clone()])),
            });
        }
        for (i, a) in roots.iter().enumerate() {
            for b in &roots[i + 1..] {
                let shared = match (&a.tenants, &b.tenants) {
                    (Some(x), Some(y)) => x.intersection(y).next().is_some(),
                    _ => true,
                };
                if a.name == b.name && shared {
                    return Err(CorpusError::Config(format!(
                        "two ingest roots granted to one tenant are both named '{}' ({} and {}): rename one folder",
                        a.name,
                        a.path.display(),
                        b.path.display()
                    )));
                }
            }
        }
        Ok(Roots { roots })
    }

    fn of<'a>(&'a self, tenant: &'a TenantId) -> impl Iterator<Item = &'a Root> + 'a {
        self.roots.iter().filter(move |r| r.granted_to(tenant))
    }

    /// The tenant's root holding an absolute canonical path (by its index), with the path
    /// below it.
    pub fn locate(&self, tenant: &TenantId, canonical: &Path) -> Option<(usize, PathBuf)> {
        self.roots
            .iter()
            .enumerate()
            .filter(|(_, r)| r.granted_to(tenant))
            .filter_map(|(i, r)| canonical.strip_prefix(&r.path).ok().map(|rel| (i, rel.to_path_buf())))
            .max_by_key(|(i, _)| self.roots[*i].path.as_os_str().len())
    }

    /// The root at `index` (from [`Roots::locate`]).
    pub fn get(&self, index: usize) -> Option<&Root> {
        self.roots.get(index)
    }

    /// Map a client's path to one of the tenant's roots: `root-name/sub/file`, a path relative
    /// to any of its roots, or an absolute path inside one. Returns the root's canonical path
    /// joined with the path below it, and the client-facing name.
    pub fn resolve(&self, tenant: &TenantId, field: &str, given: &Path) -> Result<(PathBuf, String), CorpusError> {
        let shown = given.display().to_string();
        let outside = || CorpusError::PathOutsideRoots { field: field.to_owned(), path: shown.clone() };
        let not_found = || CorpusError::PathNotFound { field: field.to_owned(), path: shown.clone() };
        if shown.trim().is_empty() {
            return Err(CorpusError::InvalidSource { field: field.to_owned(), reason: "the path is empty".into() });
        }
        if self.of(tenant).next().is_none() {
            return Err(outside());
        }
        let candidates: Vec<(&Root, PathBuf)> = if given.is_absolute() {
            // Resolved only to find the root: the read itself never follows a link.
            let canonical = std::fs::canonicalize(given).map_err(|_| not_found())?;
            let (i, rel) = self.locate(tenant, &canonical).ok_or_else(outside)?;
            vec![(&self.roots[i], rel)]
        } else {
            let rel = normal_relative(given).ok_or_else(outside)?;
            let mut parts = rel.components();
            let first = parts.next().map(|c| c.as_os_str().to_owned());
            let named: Vec<(&Root, PathBuf)> = self
                .of(tenant)
                .filter(|r| first.as_deref() == Some(OsStr::new(&r.name)))
                .map(|r| (r, parts.as_path().to_path_buf()))
                .collect();
            if named.is_empty() { self.of(tenant).map(|r| (r, rel.clone())).collect() } else { named }
        };
        let mut last = None;
        for (root, rel) in candidates {
            match open_beneath(root.dir.as_fd(), &rel, Want::Any) {
                Ok(_) => return Ok((root.path.join(&rel), root.display(&rel))),
                Err(e) => last = Some(e),
            }
        }
        match last {
            Some(OpenError::Symlink(_)) => Err(CorpusError::InvalidSource {
                field: field.to_owned(),
                reason: format!(
                    "'{shown}' passes through a symbolic link; links under the ingest roots are not followed"
                ),
            }),
            _ => Err(not_found()),
        }
    }
}

/// A path made only of names (`.` dropped); None when it climbs (`..`) or is absolute.
fn normal_relative(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::Normal(n) => out.push(n),
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(out)
}

/// Why a path under a root could not be opened.
#[derive(Debug)]
pub(crate) enum OpenError {
    /// This component is a symbolic link.
    Symlink(PathBuf),
    /// The path climbs out of the root or is absolute.
    NotBeneath,
    Io(std::io::Error),
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenError::Symlink(at) => write!(
                f,
                "{} is a symbolic link: links are not followed, so nothing outside the ingest roots is read",
                at.display()
            ),
            OpenError::NotBeneath => f.write_str("the path leads outside the ingest root"),
            OpenError::Io(e) => write!(f, "cannot read: {e}"),
        }
    }
}

/// What the last component must be.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Want {
    Dir,
    File,
    Any,
}

fn open_dir(path: &Path) -> std::io::Result<OwnedFd> {
    Ok(rustix::fs::open(path, OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty())?)
}

/// Open `rel` below `dir`, one component at a time, refusing symbolic links everywhere.
fn open_beneath(dir: BorrowedFd<'_>, rel: &Path, want: Want) -> Result<OwnedFd, OpenError> {
    let names: Vec<&OsStr> = rel
        .components()
        .filter(|c| *c != Component::CurDir)
        .map(|c| match c {
            Component::Normal(n) => Ok(n),
            _ => Err(OpenError::NotBeneath),
        })
        .collect::<Result<_, _>>()?;
    let base = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let mut current =
        rustix::fs::openat(dir, ".", base | OFlags::DIRECTORY, Mode::empty()).map_err(|e| OpenError::Io(e.into()))?;
    let mut walked = PathBuf::new();
    for (i, name) in names.iter().enumerate() {
        walked.push(name);
        let last = i + 1 == names.len();
        let flags = match (last, want) {
            (false, _) | (true, Want::Dir) => base | OFlags::DIRECTORY,
            // Non-blocking so that a FIFO cannot hold the open; it is refused right after.
            (true, _) => base | OFlags::NONBLOCK | OFlags::NOCTTY,
        };
        current = match rustix::fs::openat(&current, *name, flags, Mode::empty()) {
            Ok(fd) => fd,
            Err(e) => {
                let is_link = rustix::fs::statat(&current, *name, AtFlags::SYMLINK_NOFOLLOW)
                    .is_ok_and(|st| FileType::from_raw_mode(st.st_mode) == FileType::Symlink);
                return Err(if is_link { OpenError::Symlink(walked) } else { OpenError::Io(e.into()) });
            }
        };
    }
    Ok(current)
}

/// Read the regular file `rel` under `root` (at most `limit` bytes), through the descriptor
/// opened without following links. Errors are messages for the job's report.
pub(crate) fn read(root: &Root, rel: &Path, limit: u64) -> Result<Vec<u8>, String> {
    let fd = open_beneath(root.dir.as_fd(), rel, Want::File).map_err(|e| e.to_string())?;
    let st = rustix::fs::fstat(&fd).map_err(|e| format!("cannot read file: {e}"))?;
    if FileType::from_raw_mode(st.st_mode) != FileType::RegularFile {
        return Err("not a regular file".into());
    }
    let size = u64::try_from(st.st_size).unwrap_or(0);
    if size > limit {
        return Err(crate::parse::ParseError::TooLarge { size, limit }.to_string());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    // Bounded even if the file grows while it is read.
    std::fs::File::from(fd)
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read file: {e}"))?;
    let read = bytes.len() as u64;
    if read > limit {
        return Err(crate::parse::ParseError::TooLarge { size: read, limit }.to_string());
    }
    Ok(bytes)
}

/// A file found under a folder (its path below the root and its size), or why an entry is
/// refused (client-facing name, reason).
pub(crate) type Walked = Result<(PathBuf, u64), (String, String)>;

/// What `rel` is: a folder is walked depth-first in name order through the descriptors it was
/// opened with; a file is itself. Hidden entries (names starting with '.') are skipped, links
/// are refused, and other special files are ignored.
pub(crate) fn walk(root: &Root, rel: &Path) -> Vec<Walked> {
    let mut out = Vec::new();
    let start = match open_beneath(root.dir.as_fd(), rel, Want::Any) {
        Ok(fd) => fd,
        Err(e) => return vec![Err((root.display(rel), e.to_string()))],
    };
    match rustix::fs::fstat(&start) {
        Ok(st) if FileType::from_raw_mode(st.st_mode) == FileType::Directory => {}
        Ok(st) if FileType::from_raw_mode(st.st_mode) == FileType::RegularFile => {
            return vec![Ok((rel.to_path_buf(), u64::try_from(st.st_size).unwrap_or(0)))];
        }
        Ok(_) => return vec![Err((root.display(rel), "not a regular file or folder".into()))],
        Err(e) => return vec![Err((root.display(rel), format!("cannot read: {e}")))],
    }
    // Sub-folders wait by path, not by descriptor, so that a wide tree holds few open files;
    // each is opened again from the root without following links.
    let mut stack: Vec<(PathBuf, Option<OwnedFd>)> = vec![(rel.to_path_buf(), Some(start))];
    while let Some((folder, fd)) = stack.pop() {
        let fd = match fd.map_or_else(|| open_beneath(root.dir.as_fd(), &folder, Want::Dir), Ok) {
            Ok(fd) => fd,
            Err(e) => {
                out.push(Err((root.display(&folder), e.to_string())));
                continue;
            }
        };
        let mut dir = match Dir::new(fd) {
            Ok(d) => d,
            Err(e) => {
                out.push(Err((root.display(&folder), format!("cannot read folder: {e}"))));
                continue;
            }
        };
        let mut names: Vec<Vec<u8>> = Vec::new();
        for entry in dir.by_ref() {
            match entry {
                Ok(e) => {
                    let name = e.file_name().to_bytes();
                    if !name.starts_with(b".") {
                        names.push(name.to_vec());
                    }
                }
                Err(e) => {
                    out.push(Err((root.display(&folder), format!("cannot read folder: {e}"))));
                    break;
                }
            }
        }
        names.sort();
        let Ok(dir_fd) = dir.fd() else { continue };
        let mut subdirs = Vec::new();
        for name in names {
            let name = OsStr::from_bytes(&name);
            let path = folder.join(name);
            let st = match rustix::fs::statat(dir_fd, name, AtFlags::SYMLINK_NOFOLLOW) {
                Ok(st) => st,
                Err(e) => {
                    out.push(Err((root.display(&path), format!("cannot read: {e}"))));
                    continue;
                }
            };
            match FileType::from_raw_mode(st.st_mode) {
                FileType::RegularFile => out.push(Ok((path, u64::try_from(st.st_size).unwrap_or(0)))),
                FileType::Symlink => out.push(Err((root.display(&path), OpenError::Symlink(path.clone()).to_string()))),
                FileType::Directory => subdirs.push((path, None)),
                _ => {}
            }
            if out.len() > MAX_FILES_PER_JOB {
                out.push(Err((
                    root.display(rel),
                    format!("more than {MAX_FILES_PER_JOB} files; the rest were not ingested"),
                )));
                return out;
            }
        }
        // Reverse so the stack pops sub-folders in name order.
        stack.extend(subdirs.into_iter().rev());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_roots_syntax_names_tenants() {
        let roots: IngestRoots = "acme=/srv/acme,/srv/shared; globex=/srv/globex;*=/srv/public".parse().unwrap();
        let g = roots.grants();
        assert_eq!(g.len(), 4);
        assert_eq!(
            (g[0].tenant.as_ref().map(TenantId::as_str), g[0].path.as_path()),
            (Some("acme"), Path::new("/srv/acme"))
        );
        assert_eq!(
            (g[1].tenant.as_ref().map(TenantId::as_str), g[1].path.as_path()),
            (Some("acme"), Path::new("/srv/shared"))
        );
        assert_eq!(
            (g[2].tenant.as_ref().map(TenantId::as_str), g[2].path.as_path()),
            (Some("globex"), Path::new("/srv/globex"))
        );
        assert_eq!((g[3].tenant.as_ref().map(TenantId::as_str), g[3].path.as_path()), (None, Path::new("/srv/public")));
        for bad in ["/srv/acme", "acme=relative/path", "acme=", "Bad Tenant=/srv"] {
            assert!(bad.parse::<IngestRoots>().is_err(), "{bad}");
        }
        assert!("".parse::<IngestRoots>().unwrap().is_empty());
    }

    #[test]
    fn a_grant_names_a_tenant_by_the_rule_tokens_follow() {
        // Each was accepted by an earlier, weaker rule of the corpus though no token could
        // carry it: the grant reached no one.
        for id in ["Acme", "acme_corp", "a", "-acme", "acme-", "acme.law", &"a".repeat(64)] {
            let err = format!("{id}=/srv/acme").parse::<IngestRoots>().expect_err(id);
            assert!(err.contains(&TenantId::parse(id).unwrap_err().to_string()), "{id}: {err}");
        }
        let roots: IngestRoots = "hale-ward-llp=/srv/hale".parse().unwrap();
        assert_eq!(roots.grants()[0].tenant, TenantId::parse("hale-ward-llp").ok());
    }

    #[test]
    fn climbing_paths_are_not_relative_paths() {
        assert_eq!(normal_relative(Path::new("./a/b")), Some(PathBuf::from("a/b")));
        assert_eq!(normal_relative(Path::new("a/../../b")), None);
        assert_eq!(normal_relative(Path::new("/a")), None);
    }
}
