//! Parsing in a supervised child process, as Apache Tika's fork parser does: a file that
//! crashes, hangs or exhausts memory in a third-party parser fails alone, and the process that
//! asked carries on.
//!
//! The child is any executable that calls [`serve_worker`] (the `docket` binary does, as
//! `docket parse-worker`). It limits its own address space, then answers requests on stdin
//! until its end: each a JSON header line holding the file's length, then the file's bytes;
//! each answered by one JSON line on stdout, parsed from scratch on a large stack. The parent
//! keeps such workers warm between files (see `pool`), kills one past the time limit and words
//! whatever ended it as the document's failure; a worker that failed a file is never reused.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::ExitStatus;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::pool::{Identity, Pool, Worker};
use super::{ParseError, ParseLimits, parse_on_large_stack};
use crate::model::{Attachment, ParsedDocument};

/// How long one file may take in the sandbox by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Address space a sandboxed parser may use by default (RLIMIT_AS): the largest file, its
/// expansion and the parser's own structures fit many times over.
pub const DEFAULT_MAX_MEMORY_BYTES: u64 = 4 << 30;
/// Files one worker parses before it is replaced, so that a leak in a parser cannot pile up.
pub const DEFAULT_MAX_FILES_PER_WORKER: u32 = 200;
/// How long a worker waits for its next file before it is closed: an idle server holds no
/// children.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// Idle workers kept at most: one ingest job parses up to 16 files at once (its prefetch).
pub const DEFAULT_MAX_IDLE_WORKERS: usize = 16;
/// A worker resident past this after a file is replaced (it grew, and would carry that on).
pub const MAX_WORKER_RESIDENT_BYTES: u64 = 256 << 20;

/// How to start the children that parse files; see the module documentation. Clones share
/// their idle workers.
#[derive(Debug, Clone)]
pub struct ParserSandbox {
    /// The executable that serves [`serve_worker`].
    pub program: PathBuf,
    /// Its arguments (for the `docket` binary: `["parse-worker"]`).
    pub args: Vec<String>,
    /// Past this, the child is killed and the file fails with "timed out".
    pub timeout: Duration,
    /// The child's address-space limit, in bytes.
    pub max_memory_bytes: u64,
    /// Files one worker parses before it is replaced (1: a process per file).
    pub max_files_per_worker: u32,
    /// How long an idle worker is kept.
    pub idle_timeout: Duration,
    /// Idle workers kept at most (0: a process per file).
    pub max_idle_workers: usize,
    pool: Arc<Pool>,
}

impl PartialEq for ParserSandbox {
    fn eq(&self, other: &Self) -> bool {
        (&self.program, &self.args, self.timeout, self.max_memory_bytes)
            == (&other.program, &other.args, other.timeout, other.max_memory_bytes)
            && (self.max_files_per_worker, self.idle_timeout, self.max_idle_workers)
                == (other.max_files_per_worker, other.idle_timeout, other.max_idle_workers)
    }
}

impl Eq for ParserSandbox {}

static REGISTERED: OnceLock<ParserSandbox> = OnceLock::new();

impl ParserSandbox {
    /// A sandbox running `program args...` with the default limits.
    pub fn new(program: impl Into<PathBuf>, args: &[&str]) -> ParserSandbox {
        ParserSandbox {
            program: program.into(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            timeout: DEFAULT_TIMEOUT,
            max_memory_bytes: DEFAULT_MAX_MEMORY_BYTES,
            max_files_per_worker: DEFAULT_MAX_FILES_PER_WORKER,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            max_idle_workers: DEFAULT_MAX_IDLE_WORKERS,
            pool: Arc::default(),
        }
    }

    /// Declare that the running executable serves the worker when started with `args`; what
    /// [`ParserSandbox::registered`] answers from then on. Only an executable that does so may
    /// call it (a test binary that does not must leave parsing in process).
    pub fn register_current_exe(args: &[&str]) -> std::io::Result<()> {
        let exe = std::env::current_exe()?;
        let _ = REGISTERED.set(ParserSandbox::new(exe, args));
        Ok(())
    }

    /// The sandbox of the running executable, when it registered one.
    pub fn registered() -> Option<ParserSandbox> {
        REGISTERED.get().cloned()
    }

    /// Process ids of the workers waiting for a file, oldest first.
    pub fn idle_workers(&self) -> Vec<u32> {
        self.pool.idle_pids()
    }

    /// Parse one file in a worker process. Every way the worker can end without an answer is
    /// an error for this file only.
    pub fn parse(
        &self,
        file_name: &str,
        media_type: Option<&str>,
        bytes: &[u8],
        limits: &ParseLimits,
    ) -> Result<ParsedDocument, ParseError> {
        let header = Header {
            file_name: file_name.to_owned(),
            media_type: media_type.map(str::to_owned),
            limits: *limits,
            max_memory_bytes: self.max_memory_bytes,
            len: bytes.len() as u64,
        };
        let mut header = serde_json::to_vec(&header).map_err(|e| ParseError::Crashed(e.to_string()))?;
        header.push(b'\n');
        let identity = Identity {
            program: self.program.clone(),
            args: self.args.clone(),
            max_memory_bytes: self.max_memory_bytes,
        };
        let mut worker = match self.pool.take(&identity) {
            Some(worker) => worker,
            None => Worker::spawn(&identity)
                .map_err(|e| ParseError::Crashed(format!("the parser could not be started: {e}")))?,
        };
        // The answer holds at most the text (within the expansion limit) and the attachments
        // (within the file, in base64), plus JSON escaping.
        let max_answer =
            limits.max_expanded_bytes.saturating_mul(2).saturating_add(limits.max_file_bytes.saturating_mul(2));
        let exchange = worker.exchange(&[&header, bytes], max_answer, self.timeout);
        if exchange.timed_out {
            return Err(ParseError::TimedOut { secs: self.timeout.as_secs() });
        }
        if exchange.overflowed {
            return Err(ParseError::Crashed(format!("the parser's answer is larger than {max_answer} bytes")));
        }
        let answer = match exchange.status {
            // A worker that ended is discarded (dropped) whatever it said.
            Some(status) if !status.success() => {
                return Err(ParseError::Crashed(describe_exit(status, &worker.stderr(), self.max_memory_bytes)));
            }
            None if exchange.ended => {
                return Err(ParseError::Crashed("the parser's exit could not be observed".into()));
            }
            _ => serde_json::from_slice::<Answer>(&exchange.answer)
                .map_err(|e| ParseError::Crashed(format!("the parser's answer is unreadable: {e}")))?,
        };
        if !exchange.ended {
            worker.files += 1;
            self.keep(worker);
        }
        match answer {
            Answer::Ok(doc) => doc.into_document(),
            Answer::Err(message) => Err(ParseError::Reported(message)),
        }
    }

    /// Back to the pool, unless the worker has served its share of files or grown.
    fn keep(&self, worker: Worker) {
        if worker.files >= self.max_files_per_worker || self.max_idle_workers == 0 {
            return;
        }
        let grown = match worker.sizes() {
            Some((resident, virtual_size)) => {
                resident > MAX_WORKER_RESIDENT_BYTES || virtual_size > self.max_memory_bytes / 2
            }
            None => true,
        };
        if !grown {
            self.pool.give_back(worker, self.max_idle_workers, self.idle_timeout);
        }
    }
}

/// "signal 6 (out of memory: limit 4096 MiB)" and the like.
fn describe_exit(status: ExitStatus, stderr: &str, max_memory_bytes: u64) -> String {
    use std::os::unix::process::ExitStatusExt;
    let how = match (status.signal(), status.code()) {
        (Some(signal), _) => format!("signal {signal}"),
        (None, Some(code)) => format!("exit status {code}"),
        (None, None) => "unknown exit".to_owned(),
    };
    let why = if stderr.contains("memory allocation of") {
        Some(format!("out of memory: limit {} MiB", max_memory_bytes >> 20))
    } else if stderr.contains("overflowed its stack") {
        Some("stack overflow".to_owned())
    } else {
        None
    };
    match why {
        Some(why) => format!("{how} ({why})"),
        None => how,
    }
}

/// The request's first line.
#[derive(Serialize, Deserialize)]
struct Header {
    file_name: String,
    media_type: Option<String>,
    limits: ParseLimits,
    max_memory_bytes: u64,
    /// The length of the file's bytes that follow the line.
    len: u64,
}

/// The child's answer.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Answer {
    Ok(Box<WireDocument>),
    Err(String),
}

/// [`ParsedDocument`] as it crosses the pipe.
#[derive(Serialize, Deserialize)]
struct WireDocument {
    media_type: String,
    parser: String,
    title: Option<String>,
    author: Option<String>,
    recipients: Vec<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    document_date: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    modified_date: Option<OffsetDateTime>,
    subject: Option<String>,
    text: String,
    attachments: Vec<WireAttachment>,
    warnings: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct WireAttachment {
    file_name: String,
    media_type: Option<String>,
    parse_as: Option<String>,
    /// Base64: a JSON array of numbers would be four times larger.
    bytes: String,
}

impl WireDocument {
    fn from_document(doc: ParsedDocument) -> WireDocument {
        WireDocument {
            media_type: doc.media_type,
            parser: doc.parser.to_owned(),
            title: doc.title,
            author: doc.author,
            recipients: doc.recipients,
            document_date: doc.document_date,
            modified_date: doc.modified_date,
            subject: doc.subject,
            text: doc.text,
            warnings: doc.warnings,
            attachments: doc
                .attachments
                .into_iter()
                .map(|a| WireAttachment {
                    file_name: a.file_name,
                    media_type: a.media_type,
                    parse_as: a.parse_as,
                    bytes: STANDARD.encode(a.bytes),
                })
                .collect(),
        }
    }

    fn into_document(self) -> Result<ParsedDocument, ParseError> {
        let unreadable = |what: &str| ParseError::Crashed(format!("the parser's answer is unreadable: {what}"));
        let parser = super::Format::ALL
            .into_iter()
            .map(super::Format::name)
            .find(|name| *name == self.parser)
            .ok_or_else(|| unreadable("unknown parser"))?;
        let mut attachments = Vec::with_capacity(self.attachments.len());
        for a in self.attachments {
            let bytes = STANDARD.decode(a.bytes).map_err(|_| unreadable("attachment bytes"))?;
            attachments.push(Attachment {
                file_name: a.file_name,
                media_type: a.media_type,
                parse_as: a.parse_as,
                bytes,
            });
        }
        Ok(ParsedDocument {
            media_type: self.media_type,
            parser,
            title: self.title,
            author: self.author,
            recipients: self.recipients,
            document_date: self.document_date,
            modified_date: self.modified_date,
            subject: self.subject,
            text: self.text,
            attachments,
            warnings: self.warnings,
        })
    }
}

/// The worker's side: limit the address space, then answer requests on stdin until its end.
/// Returns the process exit code: 0 at the end of input, 2 when a request could not be read or
/// an answer written (the parent then words the file's failure from the exit).
pub fn serve_worker() -> i32 {
    let mut input = BufReader::new(std::io::stdin().lock());
    let mut out = std::io::stdout().lock();
    let mut limited = None;
    loop {
        let mut line = Vec::new();
        match (&mut input).take(1 << 20).read_until(b'\n', &mut line) {
            Ok(0) => return 0,
            Ok(_) => {}
            Err(e) => {
                eprintln!("parse-worker: reading the request failed: {e}");
                return 2;
            }
        }
        let header: Header = match serde_json::from_slice(&line) {
            Ok(h) => h,
            Err(e) => {
                eprintln!("parse-worker: the request header is invalid: {e}");
                return 2;
            }
        };
        if limited != Some(header.max_memory_bytes) {
            let limit = rustix::process::Rlimit {
                current: Some(header.max_memory_bytes),
                maximum: Some(header.max_memory_bytes),
            };
            if let Err(e) = rustix::process::setrlimit(rustix::process::Resource::As, limit) {
                eprintln!("parse-worker: limiting memory failed: {e}");
                return 2;
            }
            limited = Some(header.max_memory_bytes);
        }
        let mut bytes = Vec::new();
        match (&mut input).take(header.len).read_to_end(&mut bytes) {
            Ok(n) if n as u64 == header.len => {}
            Ok(_) => {
                eprintln!("parse-worker: the request ended before its {} bytes", header.len);
                return 2;
            }
            // Worded as the allocator words an abort, so that the parent names the cause.
            Err(e) if e.kind() == std::io::ErrorKind::OutOfMemory => {
                eprintln!("parse-worker: memory allocation of {} bytes failed", header.len);
                return 2;
            }
            Err(e) => {
                eprintln!("parse-worker: reading the file failed: {e}");
                return 2;
            }
        }
        let result = parse_on_large_stack(&header.file_name, header.media_type.as_deref(), &bytes, &header.limits);
        drop(bytes);
        let answer = match result {
            Ok(doc) => Answer::Ok(Box::new(WireDocument::from_document(doc))),
            Err(e) => Answer::Err(e.to_string()),
        };
        let written = serde_json::to_writer(&mut out, &answer)
            .map_err(std::io::Error::from)
            .and_then(|()| out.write_all(b"\n"))
            .and_then(|()| out.flush());
        if let Err(e) = written {
            eprintln!("parse-worker: writing the answer failed: {e}");
            return 2;
        }
    }
}
