//! Warm parse workers: a worker answers many requests in turn, so that a matter of ten thousand
//! e-mails does not pay ten thousand process starts. Whatever went wrong with a request (a
//! crash, the time limit, an unreadable answer) discards its worker; a worker is also closed
//! after a number of files, once it has grown, and after a while idle.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use super::child::{STDERR_KEPT, kill_group};

/// How long the exit of a worker that closed its stdout may take to show on its stderr.
const STDERR_GRACE: Duration = Duration::from_secs(1);

/// What a worker was started as: only a request for the same may reuse it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Identity {
    pub program: PathBuf,
    pub args: Vec<String>,
    pub max_memory_bytes: u64,
}

/// One running worker process, leader of its own process group.
pub(super) struct Worker {
    identity: Identity,
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    /// The start of what the worker wrote on stderr during the current request.
    stderr: Arc<Mutex<Vec<u8>>>,
    /// Signalled when the worker's stderr reached its end (the worker exited).
    stderr_closed: mpsc::Receiver<()>,
    /// Requests answered so far.
    pub files: u32,
}

/// How one request went.
pub(super) struct Exchange {
    /// The answer line, without its newline.
    pub answer: Vec<u8>,
    /// The worker ended its stdout instead of finishing the line; then `status` is its exit.
    pub ended: bool,
    /// The answer went past its bound (and the worker was killed).
    pub overflowed: bool,
    /// The worker was killed at the time limit.
    pub timed_out: bool,
    /// The worker's exit, when it ended.
    pub status: Option<ExitStatus>,
}

impl Worker {
    /// Start a worker in a process group of its own (a kill then reaches whatever it started).
    pub fn spawn(identity: &Identity) -> std::io::Result<Worker> {
        let mut command = Command::new(&identity.program);
        command.args(&identity.args).process_group(0);
        let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
        let (Some(stdin), Some(stdout), Some(mut stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(std::io::Error::other("the child's pipes could not be opened"));
        };
        let kept = Arc::new(Mutex::new(Vec::new()));
        let (closed, stderr_closed) = mpsc::channel();
        let sink = kept.clone();
        // Always drained, so a chatty worker never blocks on a full pipe; only the start of
        // each request's output is kept, to word a crash.
        let reader = std::thread::Builder::new().name("docket-parse-stderr".into()).spawn(move || {
            let mut chunk = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                if let Ok(mut kept) = sink.lock() {
                    let room = (STDERR_KEPT as usize).saturating_sub(kept.len());
                    kept.extend_from_slice(&chunk[..n.min(room)]);
                }
            }
            let _ = closed.send(());
        });
        if let Err(e) = reader {
            kill_group(child.id());
            let _ = child.kill();
            let _ = child.wait();
            return Err(e);
        }
        Ok(Worker {
            identity: identity.clone(),
            child,
            stdin: Some(stdin),
            stdout: BufReader::new(stdout),
            stderr: kept,
            stderr_closed,
            files: 0,
        })
    }

    /// The worker's process id (its process group's too).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Still running (an idle worker that exited is of no use).
    fn is_alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Its resident and virtual sizes in bytes, from /proc (None when unreadable).
    pub fn sizes(&self) -> Option<(u64, u64)> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                .map(|kib| kib * 1024)
        };
        Some((field("VmRSS:")?, field("VmSize:")?))
    }

    /// What the worker wrote on stderr during the last request (its start).
    pub fn stderr(&self) -> String {
        let kept = self.stderr.lock().map(|k| k.clone()).unwrap_or_default();
        String::from_utf8_lossy(&kept).into_owned()
    }

    /// Send one request and read its answer line, killing the worker's group past `timeout`.
    pub fn exchange(&mut self, request: &[&[u8]], max_answer: u64, timeout: Duration) -> Exchange {
        if let Ok(mut kept) = self.stderr.lock() {
            kept.clear();
        }
        let pid = self.pid();
        let (done, finished) = mpsc::channel::<()>();
        let (stdin, stdout, child) = (&mut self.stdin, &mut self.stdout, &mut self.child);
        std::thread::scope(|scope| {
            let watchdog = scope.spawn(move || match finished.recv_timeout(timeout) {
                Err(RecvTimeoutError::Timeout) => {
                    kill_group(pid);
                    true
                }
                _ => false,
            });
            // The worker reads the whole request before it answers, so writing first cannot
            // deadlock; a worker that stops reading is killed by the watchdog, which ends the
            // write. A failed write (the worker died) shows in the read below.
            if let Some(pipe) = stdin.as_mut() {
                let _ = request.iter().try_for_each(|part| pipe.write_all(part)).and_then(|()| pipe.flush());
            }
            let mut answer = Vec::new();
            let read = stdout.take(max_answer.saturating_add(1)).read_until(b'\n', &mut answer);
            let overflowed = read.is_err() || answer.len() as u64 > max_answer;
            let ended = !overflowed && answer.last() != Some(&b'\n');
            if overflowed {
                kill_group(pid);
                answer.clear();
            }
            if !ended {
                answer.pop();
            }
            // Still under the watchdog: a worker that closed its stdout but lingers is killed.
            let status = if ended { child.wait().ok() } else { None };
            let _ = done.send(());
            let timed_out = watchdog.join().unwrap_or(false);
            if ended {
                // Its stderr ends with it, unless something it started still holds the pipe.
                let _ = self.stderr_closed.recv_timeout(STDERR_GRACE);
            }
            Exchange { answer, ended, overflowed, timed_out, status }
        })
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Closing stdin alone would let it finish; a kill is immediate and reaches what it
        // started. A worker already reaped has no group left to signal.
        self.stdin = None;
        if matches!(self.child.try_wait(), Ok(None)) {
            kill_group(self.pid());
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// Idle workers, newest last, each with the instant it is closed at.
#[derive(Default)]
pub(super) struct Pool {
    state: Mutex<State>,
    wake: Condvar,
}

#[derive(Default)]
struct State {
    idle: Vec<(Worker, Instant)>,
    /// A thread closes idle workers as they expire; it ends when none is left.
    reaper: bool,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool").field("idle", &self.idle_pids().len()).finish()
    }
}

impl Pool {
    /// An idle worker started as `identity`, the most recently used first (its pages are the
    /// warmest); workers found dead on the way are discarded.
    pub fn take(&self, identity: &Identity) -> Option<Worker> {
        let mut discarded = Vec::new();
        let found = {
            let mut state = self.state.lock().ok()?;
            let mut found = None;
            while let Some(at) = state.idle.iter().rposition(|(w, _)| &w.identity == identity) {
                let (mut worker, _) = state.idle.remove(at);
                if worker.is_alive() {
                    found = Some(worker);
                    break;
                }
                discarded.push(worker);
            }
            found
        };
        drop(discarded);
        found
    }

    /// Keep `worker` for the next request for `idle_timeout`, unless `max_idle` are kept
    /// already (then the oldest is closed).
    pub fn give_back(self: &Arc<Self>, worker: Worker, max_idle: usize, idle_timeout: Duration) {
        let mut closed = Vec::new();
        if let Ok(mut state) = self.state.lock() {
            state.idle.push((worker, Instant::now() + idle_timeout));
            while state.idle.len() > max_idle {
                closed.push(state.idle.remove(0));
            }
            if !state.reaper && !state.idle.is_empty() {
                let pool = self.clone();
                let started = std::thread::Builder::new().name("docket-parse-reaper".into()).spawn(move || pool.reap());
                state.reaper = started.is_ok();
            } else {
                self.wake.notify_one();
            }
        }
        drop(closed);
    }

    /// Close idle workers as they expire; return once none is left.
    fn reap(&self) {
        let Ok(mut state) = self.state.lock() else { return };
        loop {
            let now = Instant::now();
            let (expired, kept): (Vec<_>, Vec<_>) =
                std::mem::take(&mut state.idle).into_iter().partition(|(_, at)| *at <= now);
            state.idle = kept;
            if !expired.is_empty() {
                // Killed and reaped outside the lock, so requests go on meanwhile.
                drop(state);
                drop(expired);
                state = match self.state.lock() {
                    Ok(s) => s,
                    Err(_) => return,
                };
                continue;
            }
            let Some(next) = state.idle.iter().map(|(_, at)| *at).min() else {
                state.reaper = false;
                return;
            };
            state = match self.wake.wait_timeout(state, next.saturating_duration_since(now)) {
                Ok((s, _)) => s,
                Err(_) => return,
            };
        }
    }

    /// The process ids of the idle workers, oldest first.
    pub fn idle_pids(&self) -> Vec<u32> {
        self.state.lock().map(|s| s.idle.iter().map(|(w, _)| w.pid()).collect()).unwrap_or_default()
    }
}
