//! Parsing in a supervised child process, as Apache Tika's fork parser does: a file that
//! crashes, hangs or exhausts memory in a third-party parser fails alone, and the process that
//! asked carries on.
//!
//! The child is any executable that calls [`serve_worker`] (the `docket` binary does, as
//! `docket parse-worker`). It reads one request on stdin (a JSON header line, then the file's
//! bytes to end of input), limits its own address space, parses on a large stack and writes
//! one JSON answer on stdout. The parent kills it past the time limit and words whatever ended
//! it as the document's failure.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Command, ExitStatus};
use std::sync::OnceLock;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{ParseError, ParseLimits, child, parse_on_large_stack};
use crate::model::{Attachment, ParsedDocument};

/// How long one file may take in the sandbox by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Address space a sandboxed parser may use by default (RLIMIT_AS): the largest file, its
/// expansion and the parser's own structures fit many times over.
pub const DEFAULT_MAX_MEMORY_BYTES: u64 = 4 << 30;

/// How to start the child that parses one file; see the module documentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParserSandbox {
    /// The executable that serves [`serve_worker`].
    pub program: PathBuf,
    /// Its arguments (for the `docket` binary: `["parse-worker"]`).
    pub args: Vec<String>,
    /// Past this, the child is killed and the file fails with "timed out".
    pub timeout: Duration,
    /// The child's address-space limit, in bytes.
    pub max_memory_bytes: u64,
}

static REGISTERED: OnceLock<ParserSandbox> = OnceLock::new();

impl ParserSandbox {
    /// A sandbox running `program args...` with the default time and memory limits.
    pub fn new(program: impl Into<PathBuf>, args: &[&str]) -> ParserSandbox {
        ParserSandbox {
            program: program.into(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            timeout: DEFAULT_TIMEOUT,
            max_memory_bytes: DEFAULT_MAX_MEMORY_BYTES,
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

    /// Parse one file in a child process. Every way the child can end without an answer is an
    /// error for this file only.
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
        };
        let mut header = serde_json::to_vec(&header).map_err(|e| ParseError::Crashed(e.to_string()))?;
        header.push(b'\n');
        let mut command = Command::new(&self.program);
        command.args(&self.args);
        // The answer holds at most the text (within the expansion limit) and the attachments
        // (within the file, in base64), plus JSON escaping.
        let max_answer =
            limits.max_expanded_bytes.saturating_mul(2).saturating_add(limits.max_file_bytes.saturating_mul(2));
        // Its own process group, so that a kill reaches whatever it started too (the PDF tools,
        // or a grandchild holding the pipes open).
        let finished = child::run(command, &[&header, bytes], max_answer, self.timeout, true)
            .map_err(|e| ParseError::Crashed(format!("the parser could not be started: {e}")))?;
        if finished.timed_out {
            return Err(ParseError::TimedOut { secs: self.timeout.as_secs() });
        }
        if finished.overflowed {
            return Err(ParseError::Crashed(format!("the parser's answer is larger than {max_answer} bytes")));
        }
        match finished.status {
            Some(status) if status.success() => match serde_json::from_slice::<Answer>(&finished.stdout) {
                Ok(Answer::Ok(doc)) => doc.into_document(),
                Ok(Answer::Err(message)) => Err(ParseError::Reported(message)),
                Err(e) => Err(ParseError::Crashed(format!("the parser's answer is unreadable: {e}"))),
            },
            Some(status) => Err(ParseError::Crashed(describe_exit(status, &finished.stderr, self.max_memory_bytes))),
            None => Err(ParseError::Crashed("the parser's exit could not be observed".into())),
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

/// The child's side: read one request from stdin, parse, answer on stdout. Returns the
/// process exit code (0 whenever an answer was written, parse errors included).
pub fn serve_worker() -> i32 {
    let mut input = BufReader::new(std::io::stdin().lock());
    let mut line = Vec::new();
    if let Err(e) = (&mut input).take(1 << 20).read_until(b'\n', &mut line) {
        eprintln!("parse-worker: reading the request failed: {e}");
        return 2;
    }
    let header: Header = match serde_json::from_slice(&line) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("parse-worker: the request header is invalid: {e}");
            return 2;
        }
    };
    let limit =
        rustix::process::Rlimit { current: Some(header.max_memory_bytes), maximum: Some(header.max_memory_bytes) };
    if let Err(e) = rustix::process::setrlimit(rustix::process::Resource::As, limit) {
        eprintln!("parse-worker: limiting memory failed: {e}");
        return 2;
    }
    let mut bytes = Vec::new();
    if let Err(e) = input.take(header.limits.max_file_bytes.saturating_add(1)).read_to_end(&mut bytes) {
        eprintln!("parse-worker: reading the file failed: {e}");
        return 2;
    }
    let result = parse_on_large_stack(&header.file_name, header.media_type.as_deref(), &bytes, &header.limits);
    let answer = match result {
        Ok(doc) => Answer::Ok(Box::new(WireDocument::from_document(doc))),
        Err(e) => Answer::Err(e.to_string()),
    };
    let mut out = std::io::stdout().lock();
    match serde_json::to_writer(&mut out, &answer).and_then(|()| out.flush().map_err(serde_json::Error::io)) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("parse-worker: writing the answer failed: {e}");
            2
        }
    }
}
