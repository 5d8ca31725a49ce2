//! Hostile files against the real server: a parser cannot take it down, a file whose parse
//! the server did not survive is failed at the next start instead of parsed again forever.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const SECRET: &str = "parser-test-secret-0123456789-abcdefghij";
const TENANT: &str = "hostile-co";

fn docket(storage: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_docket"));
    cmd.env("DOCKET_STORAGE_DIR", storage).env("DOCKET_JWT_SECRET", SECRET).env("DOCKET_LOG", "warn");
    cmd
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start(storage: &std::path::Path) -> Server {
    start_with(docket(storage)).await
}

/// Start `docket serve` from a prepared command (environment set) and wait for /health.
async fn start_with(mut cmd: Command) -> Server {
    let port = free_port();
    let child = cmd
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start docket serve");
    let server = Server { child, url: format!("http://127.0.0.1:{port}") };
    let client = reqwest::Client::new();
    for _ in 0..400 {
        if client.get(format!("{}/health", server.url)).send().await.is_ok_and(|r| r.status().is_success()) {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("server did not come up");
}

/// A tenant and an ingest token for it.
fn setup(storage: &std::path::Path) -> String {
    let out = docket(storage)
        .args(["tenant", "create", TENANT, "--plan", "enterprise", "--organization", "Hostile Co"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = docket(storage)
        .args(["token", "--aud", "docket-api", "--tenant", TENANT, "--role", "CaseCoordinator"])
        .args(["--scope", "ingest:write", "--scope", "ingest:read"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

async fn submit(server: &Server, token: &str, sources: Vec<Value>) -> String {
    let resp = reqwest::Client::new()
        .post(format!("{}/ingest", server.url))
        .bearer_auth(token)
        .json(&json!({ "sources": sources }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 202, "{}", resp.text().await.unwrap_or_default());
    resp.json::<Value>().await.unwrap()["job_id"].as_str().unwrap().to_owned()
}

/// The job once finished; panics if it does not finish within a generous minute.
async fn finished(server: &Server, token: &str, job: &str) -> Value {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let resp = client.get(format!("{}/ingest/{job}", server.url)).bearer_auth(token).send().await;
        match resp {
            Ok(r) if r.status() == 200 => return r.json().await.unwrap(),
            Ok(r) => assert!(r.status() == 202, "job status answered {}", r.status()),
            Err(e) => panic!("the server stopped answering while the job ran: {e}"),
        }
        assert!(Instant::now() < deadline, "job {job} did not finish within a minute");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A PDF in ASCII (so it travels as inline text) with one page of `text` and `extra` in the
/// page dictionary.
fn pdf(text: &str, extra: &str) -> String {
    let content = format!("BT /F1 11 Tf 72 740 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
             /Resources << /Font << /F1 5 0 R >> >> {extra} >>"
        ),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len() + 1),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.push_str(&format!("{} 0 obj\n{body}\nendobj\n", i + 1));
    }
    let xref = out.len();
    out.push_str(&format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1));
    for offset in offsets {
        out.push_str(&format!("{offset:010} 00000 n \n"));
    }
    out.push_str(&format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1));
    out
}

fn inline(name: &str, content: &str) -> Value {
    json!({ "type": "inline", "name": name, "content": content })
}

fn errors_of(job: &Value) -> Vec<(String, String)> {
    job["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["source"].as_str().unwrap().to_owned(), e["error"].as_str().unwrap().to_owned()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_pdf_and_html_fail_alone_and_the_server_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let token = setup(dir.path());
    let server = start(dir.path()).await;
    // A few kilobytes: lopdf recurses once per level and overflowed the stack long before this.
    let nested = format!("/Deep {}{}", "[".repeat(5_000), "]".repeat(5_000));
    let deep_pdf = pdf("Deep memo", &nested);
    assert!(deep_pdf.len() < 12_000);
    // Self-closing and mismatched tags that the HTML nesting limit did not count: html5ever
    // nests every one, and rendering the tree cost quadratic time.
    let self_closing = format!("<html><body><p>Self closing brief</p>{}</body></html>", "<div/>".repeat(40_000));
    let mismatched = format!("<html><body><p>Mismatched brief</p>{}</body></html>", "<div></i>".repeat(40_000));
    let job = submit(
        &server,
        &token,
        vec![
            inline("deep.pdf", &deep_pdf),
            inline("self-closing.html", &self_closing),
            inline("mismatched.html", &mismatched),
            inline("good.pdf", &pdf("The settlement conference is on 4 May 2021.", "")),
            inline("note.txt", "Counsel met on March 3, 2021 about the invoice."),
        ],
    )
    .await;
    let status = finished(&server, &token, &job).await;
    assert_eq!(status["status"], "partially_failed", "{status}");
    assert_eq!(status["ingested"], 4, "{status}");
    assert_eq!(status["failed"], 1, "{status}");
    let errors = errors_of(&status);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "deep.pdf");
    assert!(errors[0].1.contains("nest deeper than 100 levels"), "{}", errors[0].1);

    drop(server);
    let again = start(dir.path()).await;
    let status = finished(&again, &token, &job).await;
    assert_eq!(status["ingested"], 4, "the job stays as it finished: {status}");
}

/// Rows of the parse markers table, read from the registry the way the server left it.
async fn markers(storage: &std::path::Path) -> Vec<(String, i64)> {
    let url = format!("sqlite://{}?mode=ro", storage.join("corpus/corpus.sqlite3").display());
    let Ok(pool) = sqlx::SqlitePool::connect(&url).await else { return Vec::new() };
    let rows = sqlx::query_as::<_, (String, i64)>("SELECT source, crashed FROM parse_markers")
        .fetch_all(&pool)
        .await
        .unwrap_or_default();
    pool.close().await;
    rows
}

/// Wait (at most a minute) until the server marks a file as being parsed.
async fn until_a_file_is_being_parsed(storage: &std::path::Path) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while markers(storage).await.is_empty() {
        assert!(Instant::now() < deadline, "no file was ever marked as being parsed");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_being_parsed_when_the_server_dies_is_failed_at_restart_not_parsed_again() {
    let dir = tempfile::tempdir().unwrap();
    let token = setup(dir.path());
    let mut server = start(dir.path()).await;
    let sources: Vec<Value> = (0..300)
        .map(|i| inline(&format!("memo-{i:03}.pdf"), &pdf(&format!("Memo {i} of the matter, filed 4 May 2021."), "")))
        .collect();
    let job = submit(&server, &token, sources).await;
    // SIGKILL the moment a file is marked as being parsed.
    until_a_file_is_being_parsed(dir.path()).await;
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let left: Vec<String> = markers(dir.path()).await.into_iter().map(|(source, _)| source).collect();
    assert!(!left.is_empty(), "the kill left a file marked");

    let again = start(dir.path()).await;
    let status = finished(&again, &token, &job).await;
    let errors = errors_of(&status);
    let mut failed: Vec<&str> = errors.iter().map(|(source, _)| source.as_str()).collect();
    failed.sort_unstable();
    let mut expected: Vec<&str> = left.iter().map(String::as_str).collect();
    expected.sort_unstable();
    assert_eq!(failed, expected, "exactly the files being parsed at the kill failed: {status}");
    assert!(errors.iter().all(|(_, e)| e.starts_with("crashed the parser")), "{errors:?}");
    assert_eq!(status["failed"].as_u64(), Some(left.len() as u64), "{status}");
    assert_eq!(status["ingested"].as_u64(), Some(300 - left.len() as u64), "{status}");
    assert!(markers(dir.path()).await.is_empty(), "a finished job leaves no marker");

    // And the next start has nothing left to fail or resume.
    drop(again);
    let third = start(dir.path()).await;
    assert_eq!(finished(&third, &token, &job).await["failed"].as_u64(), Some(left.len() as u64));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_orderly_stop_while_parsing_fails_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let token = setup(dir.path());
    let mut server = start(dir.path()).await;
    let sources: Vec<Value> = (0..300)
        .map(|i| inline(&format!("note-{i:03}.pdf"), &pdf(&format!("Note {i} of the matter, filed 5 May 2021."), "")))
        .collect();
    let job = submit(&server, &token, sources).await;
    until_a_file_is_being_parsed(dir.path()).await;
    let term = Command::new("kill").args(["-TERM", &server.child.id().to_string()]).status().unwrap();
    assert!(term.success());
    server.child.wait().unwrap();
    assert!(markers(dir.path()).await.is_empty(), "an orderly stop leaves no file marked");

    let again = start(dir.path()).await;
    let status = finished(&again, &token, &job).await;
    assert_eq!(status["failed"], 0, "{status}");
    assert_eq!(status["ingested"], 300, "{status}");
}

/// Real PDFs through the real server (the parser sandbox, then poppler's tools): one that needs
/// a password fails saying so, a scan and a file with no text layer are documents marked
/// `needs_ocr` in the document API, and the file whose in-process parse never ended is done.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pdfs_that_need_a_password_or_ocr_say_so_through_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let matter = dir.path().join("matter");
    std::fs::create_dir(&matter).unwrap();
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../corpus/tests/fixtures/pdf");
    for name in ["encrypted-user-password.pdf", "encrypted-empty-user-password.pdf", "scan.pdf"] {
        std::fs::copy(format!("{fixtures}/{name}"), matter.join(name)).unwrap();
    }
    let endless = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/hangs/pdf/lopdf-endless-loop.pdf");
    std::fs::copy(endless, matter.join("endless.pdf")).unwrap();
    let token = setup(dir.path());
    let mut cmd = docket(dir.path());
    cmd.env("DOCKET_INGEST_ROOTS", format!("{TENANT}={}", matter.display()));
    let server = start_with(cmd).await;
    let job = submit(&server, &token, vec![json!({ "type": "local", "path": "matter" })]).await;
    let status = finished(&server, &token, &job).await;
    assert_eq!(status["ingested"], 3, "{status}");
    assert_eq!(
        errors_of(&status),
        vec![("matter/encrypted-user-password.pdf".to_owned(), "encrypted: needs a password".to_owned())]
    );

    let docs: Value = reqwest::Client::new()
        .get(format!("{}/documents", server.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let warnings_of = |source: &str| {
        let doc = docs["documents"].as_array().unwrap().iter().find(|d| d["source"] == source);
        doc.unwrap_or_else(|| panic!("{source} in {docs}"))["warnings"].clone()
    };
    assert_eq!(warnings_of("matter/scan.pdf"), json!(["needs_ocr"]));
    assert_eq!(warnings_of("matter/endless.pdf"), json!(["needs_ocr"]));
    assert_eq!(warnings_of("matter/encrypted-empty-user-password.pdf"), json!([]));
}

/// A machine without poppler-utils fails each PDF naming the package, not with a vague error.
#[test]
fn without_poppler_a_pdf_fails_naming_the_package() {
    let empty = tempfile::tempdir().unwrap();
    let letter = concat!(env!("CARGO_MANIFEST_DIR"), "/../corpus/tests/fixtures/letter.pdf");
    let out = Command::new(env!("CARGO_BIN_EXE_docket"))
        .args(["extract", letter])
        .env("PATH", empty.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answer["ok"], false, "{answer}");
    assert_eq!(
        answer["error"],
        "pdftotext is not installed (Debian package poppler-utils): this file type cannot be read"
    );
    // With the tools on the PATH the same file reads.
    let out = Command::new(env!("CARGO_BIN_EXE_docket")).args(["extract", letter]).output().unwrap();
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(answer["text"].as_str().unwrap().contains("Meridian Shipping Corp."), "{answer}");
}

/// The server's parse workers (its children started as `docket parse-worker`) still running.
fn parse_workers_of(server: u32) -> Vec<u32> {
    let entries = std::fs::read_dir("/proc").unwrap().flatten();
    entries
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            cmdline.split(|b| *b == 0).any(|arg| arg == b"parse-worker")
                && stat_fields(*pid).is_some_and(|(state, parent)| state != "Z" && parent == server)
        })
        .collect()
}

/// A process's state and parent from /proc (None once it is gone).
fn stat_fields(pid: u32) -> Option<(String, u32)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let mut rest = stat.rsplit_once(')')?.1.split_whitespace();
    Some((rest.next()?.to_owned(), rest.next()?.parse().ok()?))
}

fn running(pid: u32) -> bool {
    stat_fields(pid).is_some_and(|(state, _)| state != "Z")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parse_workers_stay_warm_between_files_and_die_with_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let token = setup(dir.path());
    let mut server = start(dir.path()).await;
    let sources: Vec<Value> = (0..40)
        .map(|i| inline(&format!("memo-{i:02}.pdf"), &pdf(&format!("Memo {i} of the matter, filed 6 May 2021."), "")))
        .collect();
    let job = submit(&server, &token, sources).await;
    let status = finished(&server, &token, &job).await;
    assert_eq!(status["ingested"], 40, "{status}");
    // Workers wait for the next file instead of exiting after one, fewer than the files.
    let workers = parse_workers_of(server.child.id());
    assert!(!workers.is_empty() && workers.len() <= 16, "idle workers after 40 PDFs: {workers:?}");

    // The server dies without a chance to close them: their stdin ends, and so do they.
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while workers.iter().any(|pid| running(*pid)) {
        assert!(Instant::now() < deadline, "parse workers outlived the server: {workers:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
