//! Agent runs through the real binary: a run interrupted by SIGKILL resumes at the next start,
//! and a run whose usage reached the ledger but was not marked metered when the process died
//! is billed exactly once; `docket agent run` writes the privilege log.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const SECRET: &str = "agents-test-secret-0123456789-abcdefghij";
const TENANT: &str = "hfl";

fn docket(storage: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_docket"));
    cmd.env("DOCKET_STORAGE_DIR", storage)
        .env("DOCKET_JWT_SECRET", SECRET)
        .env("DOCKET_SNAPSHOT_DELAY_MS", "20")
        .env("DOCKET_LOG", "warn");
    cmd
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn matter_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/tests/fixtures/privilege_matter")
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn kill(mut self) {
        self.child.kill().expect("SIGKILL the server");
        let _ = self.child.wait();
    }
}

/// The matter's documents, without its labels, in a folder of their own beside the storage.
fn matter_copy(storage: &Path) -> PathBuf {
    let folder = storage.with_file_name(format!(
        "{}-matter",
        storage.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
    ));
    if !folder.exists() {
        std::fs::create_dir_all(&folder).unwrap();
        for entry in std::fs::read_dir(matter_dir()).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().is_some_and(|n| n != "labels.csv") {
                std::fs::copy(&path, folder.join(path.file_name().unwrap())).unwrap();
            }
        }
    }
    folder
}

async fn start(storage: &Path, port: u16) -> Server {
    let child = docket(storage)
        .env("DOCKET_INGEST_ROOTS", format!("{TENANT}={}", matter_copy(storage).display()))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start docket serve");
    let server = Server { child, base: format!("http://127.0.0.1:{port}") };
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if client.get(format!("{}/health", server.base)).send().await.is_ok_and(|r| r.status().is_success()) {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("server did not come up");
}

fn token(storage: &Path, scopes: &[&str]) -> String {
    let mut cmd = docket(storage);
    cmd.args([
        "token",
        "--aud",
        "docket-api",
        "--tenant",
        TENANT,
        "--role",
        "CaseCoordinator",
        "--role",
        "TenantAdmin",
    ]);
    for s in scopes {
        cmd.args(["--scope", s]);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

async fn call(method: reqwest::Method, url: String, token: &str, body: Option<Value>) -> (u16, Value) {
    let mut req = reqwest::Client::new().request(method, url).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// The matter ingested and the counsel list set; returns the token.
async fn prepare(storage: &Path, server: &Server) -> String {
    let out = docket(storage)
        .args(["tenant", "create", TENANT, "--plan", "enterprise", "--organization", "Harbor Freight Logistics"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = token(storage, &["ingest:write", "ingest:read", "agents:run", "agents:read", "usage:read"]);
    let (status, job) = call(
        reqwest::Method::POST,
        format!("{}/ingest", server.base),
        &token,
        Some(json!({"sources": [{"type": "local", "path": matter_copy(storage)}]})),
    )
    .await;
    assert_eq!(status, 202, "{job}");
    let path = format!("{}/ingest/{}", server.base, job["job_id"].as_str().unwrap());
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let (status, job) = call(reqwest::Method::GET, path.clone(), &token, None).await;
        if status == 200 && job["metered"] == true {
            break;
        }
        assert!(Instant::now() < deadline, "ingestion did not finish: {job}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let counsel = json!({"names": ["Dana Whitfield", "Owen Bell", "Priya Natarajan"],
        "emails": ["pnatarajan@hfl.example"], "domains": ["whitfieldbell.example"], "client_domains": ["hfl.example"]});
    let (status, body) =
        call(reqwest::Method::PUT, format!("{}/agents/privilege_review/counsel", server.base), &token, Some(counsel))
            .await;
    assert_eq!(status, 200, "{body}");
    token
}

async fn run_until_metered(server: &Server, token: &str, run_id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let (status, run) =
            call(reqwest::Method::GET, format!("{}/agents/runs/{run_id}", server.base), token, None).await;
        assert_eq!(status, 200, "{run}");
        if run["status"] == "succeeded" && run["metered"] == true {
            return run;
        }
        assert!(run["status"] != "failed", "{run}");
        assert!(Instant::now() < deadline, "run did not finish and get metered: {run}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn agent_runs_billed(server: &Server, token: &str) -> u64 {
    let (status, usage) = call(reqwest::Method::GET, format!("{}/usage", server.base), token, None).await;
    assert_eq!(status, 200, "{usage}");
    usage["snapshot"]["agent_runs"].as_u64().unwrap()
}

async fn registry(storage: &Path) -> sqlx::SqlitePool {
    let url = format!("sqlite://{}", storage.join("corpus/corpus.sqlite3").display());
    sqlx::SqlitePool::connect(&url).await.expect("open the registry")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_killed_midway_resumes_and_a_run_killed_after_finishing_is_billed_once() {
    let dir = tempfile::tempdir().unwrap();
    let storage_dir = dir.path().join("storage");
    let storage = storage_dir.as_path();
    let port = free_port();
    let server = start(storage, port).await;
    let token = prepare(storage, &server).await;

    // Killed at once: the run is queued or running, never finished.
    let (status, run) = call(
        reqwest::Method::POST,
        format!("{}/agents/run", server.base),
        &token,
        Some(json!({"agent": "privilege_review"})),
    )
    .await;
    assert_eq!(status, 202, "{run}");
    let run_id = run["run_id"].as_str().unwrap().to_owned();
    server.kill();
    let pool = registry(storage).await;
    let (status, metered): (String, Option<String>) =
        sqlx::query_as("SELECT status, metered_at FROM agent_runs WHERE id = ?")
            .bind(&run_id)
            .fetch_one(&pool)
            .await
            .unwrap();
    pool.close().await;
    eprintln!("killed with the run {status}, metered: {}", metered.is_some());

    let server = start(storage, port).await;
    let run = run_until_metered(&server, &token, &run_id).await;
    assert_eq!(run["documents_examined"], 35, "{}", run["summary"]);
    assert_eq!(agent_runs_billed(&server, &token).await, 1);

    // Killed after the ledger recorded the run but before the run was marked metered: the
    // next start offers it again and the ledger counts it once.
    server.kill();
    let pool = registry(storage).await;
    let cleared =
        sqlx::query("UPDATE agent_runs SET metered_at = NULL WHERE id = ?").bind(&run_id).execute(&pool).await.unwrap();
    assert_eq!(cleared.rows_affected(), 1);
    pool.close().await;
    let server = start(storage, port).await;
    let again = run_until_metered(&server, &token, &run_id).await;
    assert_eq!(again["output"], run["output"], "a finished run is not run again");
    assert_eq!(again["attempts"], run["attempts"]);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(agent_runs_billed(&server, &token).await, 1, "billed once");
    server.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn docket_agent_run_writes_the_privilege_log_and_a_chronology() {
    let dir = tempfile::tempdir().unwrap();
    let storage_dir = dir.path().join("storage");
    let storage = storage_dir.as_path();
    let port = free_port();
    let server = start(storage, port).await;
    prepare(storage, &server).await;

    // Against the running server.
    let out = dir.path().join("privilege-log.csv");
    let bind = format!("127.0.0.1:{port}");
    let cli = tokio::task::spawn_blocking({
        let (storage, out, bind) = (storage.to_path_buf(), out.clone(), bind.clone());
        move || {
            docket(&storage)
                .args(["agent", "run", "privilege_review", "--tenant", TENANT, "--out"])
                .arg(&out)
                .args(["--bind", &bind])
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    assert!(cli.status.success(), "{}", String::from_utf8_lossy(&cli.stderr));
    let stdout = String::from_utf8_lossy(&cli.stdout);
    assert!(stdout.contains("privilege_review succeeded over 35 documents"), "{stdout}");
    let mut reader = csv::Reader::from_path(&out).unwrap();
    assert_eq!(&reader.headers().unwrap()[0], "control_number");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 17, "15 privileged and 2 needing review: {stdout}");
    assert!(rows.iter().any(|r| &r[2] == "p02_counsel_advice_termination.eml"));
    assert!(
        !rows.iter().any(|r| &r[2] == "n02_pricing_counsel_cc.eml"),
        "counsel copied on business mail is not logged"
    );
    server.kill();

    // Without a server: one is started for the command.
    let md = dir.path().join("chronology.md");
    let bind = format!("127.0.0.1:{}", free_port());
    let cli = docket(storage)
        .args(["agent", "run", "chronology", "--tenant", TENANT, "--out"])
        .arg(&md)
        .args(["--bind", &bind])
        .output()
        .unwrap();
    assert!(cli.status.success(), "{}", String::from_utf8_lossy(&cli.stderr));
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(text.starts_with("# Chronology\n"), "{text}");
    assert!(text.contains("| 2021-02-17 |"), "{text}");

    // The counsel list through the command line: read, replaced, refused when malformed.
    let shown = docket(storage).args(["agent", "counsel", "--tenant", TENANT, "--bind", &bind]).output().unwrap();
    assert!(shown.status.success(), "{}", String::from_utf8_lossy(&shown.stderr));
    let list: Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(list["domains"], json!(["whitfieldbell.example"]));
    let file = dir.path().join("counsel.json");
    std::fs::write(&file, r#"{"names": ["Owen Bell"], "domains": ["WhitfieldBell.example"]}"#).unwrap();
    let set = docket(storage)
        .args(["agent", "counsel", "--tenant", TENANT, "--set"])
        .arg(&file)
        .args(["--bind", &bind])
        .output()
        .unwrap();
    assert!(set.status.success(), "{}", String::from_utf8_lossy(&set.stderr));
    let list: Value = serde_json::from_slice(&set.stdout).unwrap();
    assert_eq!((&list["names"], &list["domains"]), (&json!(["Owen Bell"]), &json!(["whitfieldbell.example"])));
    std::fs::write(&file, r#"{"emails": ["nobody"]}"#).unwrap();
    let refused = docket(storage)
        .args(["agent", "counsel", "--tenant", TENANT, "--set"])
        .arg(&file)
        .args(["--bind", &bind])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("emails[0]"), "{stderr}");

    let bad =
        docket(storage).args(["agent", "run", "astrologer", "--tenant", TENANT, "--bind", &bind]).output().unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown agent"), "{}", String::from_utf8_lossy(&bad.stderr));
}
