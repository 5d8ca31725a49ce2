//! Starting the real application for a test, and talking to it.

use std::path::PathBuf;

use clap::Parser;
use docket_server::{Authenticator, Config};
use serde_json::{Value, json};

#[derive(Parser)]
struct Args {
    #[command(flatten)]
    config: Config,
}

/// A running server with its own storage.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub config: Config,
    pub storage: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<()>>,
}

/// Start the app; `extra` are more `docket` flags (e.g. `--onboarding-rate 3`).
pub async fn spawn_app_with(extra: &[&str]) -> TestApp {
    spawn_app_in(tempfile::tempdir().expect("temporary storage"), extra).await
}

/// Start the app on a given storage folder (e.g. one on a small file system).
pub async fn spawn_app_in(storage: tempfile::TempDir, extra: &[&str]) -> TestApp {
    let config = test_config(storage.path(), extra);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a free port");
    let base = format!("http://{}", listener.local_addr().expect("local address"));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let served = config.clone();
    let handle = tokio::spawn(async move {
        docket_server::serve(served, listener, async {
            let _ = rx.await;
        })
        .await
        .expect("server ran");
    });
    let client = reqwest::Client::new();
    for _ in 0..100 {
        if client.get(format!("{base}/health")).send().await.is_ok_and(|r| r.status().is_success()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    TestApp { base, client, config, storage, shutdown: Some(tx), handle: Some(handle) }
}

/// The configuration a test server runs with on `storage`; `extra` are more `docket` flags.
pub fn test_config(storage: &std::path::Path, extra: &[&str]) -> Config {
    let storage_arg = storage.display().to_string();
    let mut argv = vec!["docket", "--storage", &storage_arg, "--jwt-secret", "test-secret-0123456789-abcdefghijklmnop"];
    if !extra.contains(&"--snapshot-delay-ms") {
        argv.extend_from_slice(&["--snapshot-delay-ms", "200"]);
    }
    argv.extend_from_slice(extra);
    Args::try_parse_from(argv).expect("test configuration").config
}

/// Start the app with defaults.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

impl TestApp {
    /// A token signed with the app's configuration.
    pub fn token(&self, tenant: Option<&str>, roles: &[&str], scopes: &[&str], aud: &[&str]) -> String {
        let auth = Authenticator::from_config(&self.config).expect("auth config");
        let own = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let claims =
            Authenticator::claims("tester", tenant, &own(roles), &own(scopes), &own(aud), time::Duration::hours(1));
        auth.sign(&claims).expect("sign")
    }

    /// A customer-success token for the billing endpoints.
    pub fn csm_token(&self) -> String {
        self.token(None, &["CustomerSuccessManager"], &["billing:read"], &["docket-billing"])
    }

    /// A service token that may report usage events.
    pub fn service_token(&self) -> String {
        self.token(None, &["AutomationService"], &["billing:write"], &["docket-billing"])
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// GET with an optional bearer token; returns status and JSON body.
    pub async fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut req = self.client.get(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// POST JSON with an optional bearer token.
    pub async fn post(&self, path: &str, body: &Value, token: Option<&str>) -> (u16, Value) {
        let mut req = self.client.post(self.url(path)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// PUT JSON with an optional bearer token.
    pub async fn put(&self, path: &str, body: &Value, token: Option<&str>) -> (u16, Value) {
        let mut req = self.client.put(self.url(path)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// Onboard a tenant through the public intake.
    pub async fn onboard(&self, organization: &str, seats: u64) -> Value {
        let (status, body) = self.post("/onboarding", &intake(organization, seats), None).await;
        assert_eq!(status, 201, "{body}");
        body
    }

    /// Where usage.json lives.
    pub fn usage_file(&self) -> PathBuf {
        self.storage.path().join("billing/usage.json")
    }

    /// Stop gracefully and wait for the drain.
    pub async fn stop(mut self) -> tempfile::TempDir {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.handle.take() {
            h.await.expect("server task");
        }
        self.storage
    }
}

/// A valid onboarding intake.
pub fn intake(organization: &str, seats: u64) -> Value {
    json!({
        "organization": organization,
        "contact_name": "Ana Ortiz",
        "contact_email": "ana@example.com",
        "primary_use_case": "Privilege review for discovery",
        "departments": ["Litigation", "Compliance"],
        "seats": seats,
        "estimated_matters_per_month": 20,
        "roi_baseline_hours_per_matter": 12,
        "automation_target_percent": 35,
        "success_criteria": ["Privilege log in a day"],
        "go_live_date": "2027-01-15"
    })
}
