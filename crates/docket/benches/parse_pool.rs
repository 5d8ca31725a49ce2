//! Files per second and CPU per file through the parser sandbox, for small e-mails: a process
//! per file (no idle worker kept) against warm workers. Both run the release `docket
//! parse-worker`; CPU counts this process and its reaped children.
//!
//! `cargo bench -p docket --bench parse_pool` (DOCKET_BENCH_FILES: files per run, default 2000).

use std::path::Path;
use std::time::{Duration, Instant};

use docket_corpus::{ParseLimits, ParserSandbox};

/// User + system CPU of this process and of its children waited for, from /proc/self/stat.
fn cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command's closing parenthesis; utime is the 14th field of the line.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let fields: Vec<u64> = rest.split_whitespace().skip(11).take(4).filter_map(|f| f.parse().ok()).collect();
    // Clock ticks of 1/100 s, as on every Linux this runs on.
    Duration::from_millis(fields.iter().sum::<u64>() * 10)
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/tests/fixtures");
    let mut mails: Vec<(String, Vec<u8>)> = ["email", "privilege_matter"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(root.join(dir)).into_iter().flatten().flatten())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .filter_map(|p| Some((p.file_name()?.to_string_lossy().into_owned(), std::fs::read(&p).ok()?)))
        .collect();
    mails.sort();
    let files: usize = std::env::var("DOCKET_BENCH_FILES").ok().and_then(|v| v.parse().ok()).unwrap_or(2000);
    let mean = mails.iter().map(|(_, b)| b.len()).sum::<usize>() / mails.len().max(1);
    println!("{} e-mail fixtures (mean {mean} bytes), {files} files per run, one at a time", mails.len());
    let limits = ParseLimits::default();
    for (label, idle) in
        [("a process per file", 0), ("warm workers", 16), ("a process per file", 0), ("warm workers", 16)]
    {
        let mut sandbox = ParserSandbox::new(env!("CARGO_BIN_EXE_docket"), &["parse-worker"]);
        sandbox.max_idle_workers = idle;
        // Short, so that the warm worker is reaped (and its CPU counted) before the reading.
        sandbox.idle_timeout = Duration::from_millis(100);
        let (wall, cpu_before) = (Instant::now(), cpu());
        let mut failed = 0;
        for (name, bytes) in mails.iter().cycle().take(files) {
            failed += usize::from(sandbox.parse(name, None, bytes, &limits).is_err());
        }
        let took = wall.elapsed();
        drop(sandbox);
        std::thread::sleep(Duration::from_millis(500));
        let spent = cpu().saturating_sub(cpu_before);
        println!(
            "{label:>20}: {:>7.0} files/s, {:>6.3} ms CPU per file ({failed} failed)",
            files as f64 / took.as_secs_f64(),
            spent.as_secs_f64() * 1000.0 / files as f64,
        );
    }
}
