//! One child process run to completion within a time limit: its input written, its output
//! read up to a bound, its process group killed past the deadline. The parser sandbox and the
//! PDF tools both run this way.

use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

/// Most bytes of a child's stderr kept to explain how it ended; the rest is drained unread.
pub(crate) const STDERR_KEPT: u64 = 16 * 1024;

/// How a child ended.
pub(crate) struct Finished {
    /// Its stdout, empty when it went past `max_stdout`.
    pub stdout: Vec<u8>,
    /// Its stdout went past `max_stdout` (and the child was killed).
    pub overflowed: bool,
    /// The first [`STDERR_KEPT`] bytes of its stderr.
    pub stderr: String,
    /// Its exit, when it could be observed.
    pub status: Option<ExitStatus>,
    /// It was killed for running past the time limit.
    pub timed_out: bool,
}

/// Kill the process group led by `pid` (a child started with `process_group(0)`).
pub(super) fn kill_group(pid: u32) {
    if let Some(group) = i32::try_from(pid).ok().and_then(rustix::process::Pid::from_raw) {
        let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
    }
}

/// Run `command` with `input` on its stdin (then closed), in a process group of its own when
/// `own_group` (a kill then reaches whatever it started too; a child left in the caller's
/// group dies with it when the caller is killed as a group). Fails only when the child cannot
/// be started.
pub(crate) fn run(
    mut command: Command,
    input: &[&[u8]],
    max_stdout: u64,
    timeout: Duration,
    own_group: bool,
) -> std::io::Result<Finished> {
    if own_group {
        command.process_group(0);
    }
    let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
    let (Some(mut stdin), Some(stdout), Some(stderr)) = (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(std::io::Error::other("the child's pipes could not be opened"));
    };
    let child = Mutex::new(child);
    let kill = || {
        if let Ok(mut c) = child.lock() {
            if own_group {
                kill_group(c.id());
            }
            let _ = c.kill();
        }
    };
    let (done, finished) = mpsc::channel::<()>();
    let (stdout, overflowed, timed_out, stderr) = std::thread::scope(|scope| {
        let kill = &kill;
        let watchdog = scope.spawn(move || match finished.recv_timeout(timeout) {
            Err(RecvTimeoutError::Timeout) => {
                kill();
                true
            }
            _ => false,
        });
        let errors = scope.spawn(move || {
            let mut stderr = stderr;
            let mut kept = Vec::new();
            let _ = (&mut stderr).take(STDERR_KEPT).read_to_end(&mut kept);
            // Keep draining, so a chatty child never blocks on a full pipe.
            let _ = std::io::copy(&mut stderr, &mut std::io::sink());
            String::from_utf8_lossy(&kept).into_owned()
        });
        // Written from a thread of its own: a child that answers before it has read all its
        // input (or never reads it) must not block the reading below.
        let writer = scope.spawn(move || {
            for part in input {
                if stdin.write_all(part).is_err() {
                    break;
                }
            }
        });
        let mut out = Vec::new();
        let read = stdout.take(max_stdout.saturating_add(1)).read_to_end(&mut out);
        let overflowed = read.is_err() || out.len() as u64 > max_stdout;
        if overflowed {
            kill();
            out.clear();
        }
        let _ = writer.join();
        let stderr = errors.join().unwrap_or_default();
        let _ = done.send(());
        let timed_out = watchdog.join().unwrap_or(false);
        (out, overflowed, timed_out, stderr)
    });
    let status = child.into_inner().ok().and_then(|mut c| c.wait().ok());
    Ok(Finished { stdout, overflowed, stderr, status, timed_out })
}
