//! The parser sandbox's warm workers, with the real `docket parse-worker`: many files through
//! one worker answer as a worker per file does, and a file that crashes or hangs its worker
//! fails alone, the worker replaced for the next file.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use docket_corpus::{ParseLimits, ParserSandbox};

fn sandbox() -> ParserSandbox {
    ParserSandbox::new(env!("CARGO_BIN_EXE_docket"), &["parse-worker"])
}

/// The e-mail, DOCX and PDF fixtures of the corpus crate, in a fixed order.
fn fixtures() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/tests/fixtures");
    let mut files: Vec<PathBuf> = ["email", "docx", "pdf"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(root.join(dir)).unwrap().map(|e| e.unwrap().path()))
        .filter(|p| p.extension().is_some_and(|e| e == "eml" || e == "docx" || e == "pdf"))
        .collect();
    files.sort();
    assert!(files.len() >= 20, "fixtures found: {files:?}");
    files
        .into_iter()
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect()
}

fn good_mail(n: usize) -> Vec<u8> {
    format!("From: a@example.com\r\nTo: b@example.com\r\nSubject: Memo {n}\r\n\r\nThe deposition of witness {n} moved to May.\r\n")
        .into_bytes()
}

fn alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

fn virtual_size(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmSize:"))
        .map(|v| v.trim().trim_end_matches("kB").trim().parse().unwrap())
        .unwrap();
    kib * 1024
}

#[test]
fn many_files_through_one_worker_answer_as_a_worker_per_file() {
    let files = fixtures();
    let limits = ParseLimits::default();
    let mut fresh = sandbox();
    fresh.max_idle_workers = 0;
    let expected: Vec<_> = files.iter().map(|(name, bytes)| fresh.parse(name, None, bytes, &limits)).collect();
    assert!(fresh.idle_workers().is_empty(), "a worker per file keeps none");
    assert!(expected.iter().filter(|r| r.is_ok()).count() >= 15, "{expected:?}");

    let warm = sandbox();
    let mut pids = Vec::new();
    // Forward, then backward: no file's answer depends on what the worker parsed before it.
    for (i, (name, bytes)) in files.iter().enumerate().chain(files.iter().enumerate().rev()) {
        assert_eq!(warm.parse(name, None, bytes, &limits), expected[i], "{name}");
        pids.extend(warm.idle_workers());
    }
    pids.dedup();
    assert_eq!(pids.len(), 1, "one worker served every file in turn: {pids:?}");
}

#[test]
fn a_crashing_file_between_two_good_ones_fails_alone_and_its_worker_is_replaced() {
    let limits = ParseLimits { max_file_bytes: 2 << 30, ..ParseLimits::default() };
    // A worker's address space once warm, to give the next ones a limit that a small file
    // stays well under and a large one cannot fit.
    let probe = sandbox();
    probe.parse("probe.eml", None, &good_mail(0), &limits).expect("the probe parses");
    let warm_size = virtual_size(probe.idle_workers()[0]);
    let mut tight = sandbox();
    tight.max_memory_bytes = warm_size + (384 << 20);

    let first = tight.parse("first.eml", None, &good_mail(1), &limits).expect("the first good file parses");
    assert!(first.text.contains("witness 1"), "{}", first.text);
    let before = tight.idle_workers();
    assert_eq!(before.len(), 1);
    // More than the limit leaves: reading it exhausts the worker's memory. Zeroed pages cost
    // this process nothing until written.
    let huge = vec![0u8; 1 << 30];
    let crashed = tight.parse("huge.eml", None, &huge, &limits);
    drop(huge);
    let message = crashed.map(|_| ()).unwrap_err().to_string();
    let limit_mib = tight.max_memory_bytes >> 20;
    assert_eq!(message, format!("crashed the parser: exit status 2 (out of memory: limit {limit_mib} MiB)"));
    assert!(tight.idle_workers().is_empty(), "the crashed worker is not kept");
    assert!(!alive(before[0]), "the crashed worker is gone");

    let second = tight.parse("second.eml", None, &good_mail(2), &limits).expect("the next good file parses");
    assert!(second.text.contains("witness 2"), "{}", second.text);
    let after = tight.idle_workers();
    assert_eq!(after.len(), 1);
    assert_ne!(after, before, "a fresh worker parsed the next file");
}

#[test]
fn a_hanging_worker_is_killed_at_the_time_limit_and_the_next_file_succeeds() {
    let limits = ParseLimits::default();
    let mut quick = sandbox();
    quick.timeout = Duration::from_secs(1);
    quick.parse("first.eml", None, &good_mail(1), &limits).expect("the first file parses");
    let hung = quick.idle_workers()[0];
    // A stopped worker neither reads nor answers: a parser stuck on the file.
    assert!(Command::new("kill").args(["-STOP", &hung.to_string()]).status().unwrap().success());
    let started = Instant::now();
    let result = quick.parse("second.eml", None, &good_mail(2), &limits);
    assert_eq!(result.map(|_| ()).map_err(|e| e.to_string()), Err("timed out after 1 s in the parser".to_owned()));
    assert!(started.elapsed() < Duration::from_secs(10), "answered");
    assert!(!alive(hung), "the hung worker was killed");
    let third = quick.parse("third.eml", None, &good_mail(3), &limits).expect("the next file parses");
    assert!(third.text.contains("witness 3"));
    assert_ne!(quick.idle_workers(), vec![hung]);
}

#[test]
fn a_worker_is_replaced_after_its_share_of_files_and_closed_when_idle() {
    let limits = ParseLimits::default();
    let mut short = sandbox();
    short.max_files_per_worker = 3;
    let mut served = Vec::new();
    for n in 0..6 {
        short.parse("memo.eml", None, &good_mail(n), &limits).expect("parses");
        served.push(short.idle_workers());
    }
    // The third file retires the first worker; the fourth starts the second.
    assert_eq!(served[0], served[1]);
    assert!(served[2].is_empty(), "{served:?}");
    assert_eq!(served[3], served[4]);
    assert_ne!(served[0], served[3]);
    assert!(!alive(served[0][0]), "the retired worker is gone");

    // Only now a short idle time, so that a slow machine cannot expire a worker mid-loop.
    short.idle_timeout = Duration::from_millis(300);
    short.parse("memo.eml", None, &good_mail(7), &limits).expect("parses");
    let idle = short.idle_workers();
    assert_eq!(idle.len(), 1);
    let deadline = Instant::now() + Duration::from_secs(10);
    while alive(idle[0]) || !short.idle_workers().is_empty() {
        assert!(Instant::now() < deadline, "an idle worker is closed after its idle timeout");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_worker_ends_when_its_input_ends_and_answers_each_request_on_one_line() {
    let mut worker = Command::new(env!("CARGO_BIN_EXE_docket"))
        .arg("parse-worker")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut input = worker.stdin.take().unwrap();
    for n in 0..2 {
        let mail = good_mail(n);
        let header = serde_json::json!({
            "file_name": "memo.eml", "media_type": null, "limits": ParseLimits::default(),
            "max_memory_bytes": 4u64 << 30, "len": mail.len(),
        });
        std::io::Write::write_all(&mut input, format!("{header}\n").as_bytes()).unwrap();
        std::io::Write::write_all(&mut input, &mail).unwrap();
    }
    drop(input);
    let out = worker.wait_with_output().unwrap();
    assert!(out.status.success(), "{:?}", out.status);
    let lines: Vec<serde_json::Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    for (n, line) in lines.iter().enumerate() {
        assert!(line["ok"]["text"].as_str().unwrap().contains(&format!("witness {n}")), "{line}");
    }
}
