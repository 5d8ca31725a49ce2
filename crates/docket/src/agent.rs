//! `docket agent run`: start an agent run through the HTTP API (the running server at
//! DOCKET_BIND, else one started here), follow it with a progress bar, and write its export.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use docket_billing::TenantId;
use docket_server::{Authenticator, Config};
use serde_json::{Value, json};

use crate::load::Target;

/// What to run.
pub struct AgentArgs<'a> {
    pub agent: &'a str,
    pub tenant: &'a TenantId,
    pub question: Option<&'a str>,
    pub out: Option<&'a Path>,
}

fn agent_token(config: &Config, tenant: &TenantId) -> Result<String> {
    let auth = Authenticator::from_config(config)?;
    let claims = Authenticator::claims(
        "docket-cli",
        Some(tenant.as_str()),
        &["CaseCoordinator".into()],
        &["agents:run".into(), "agents:read".into()],
        &["docket-api".into()],
        time::Duration::hours(8),
    );
    Ok(auth.sign(&claims)?)
}

/// The export written to `--out`: the privilege log for a privilege review, Markdown for a case
/// brief, CSV or Markdown (by the file's extension) for a chronology.
fn export_path(agent: &str, out: &Path) -> &'static str {
    match agent {
        "privilege_review" => "privilege-log.csv",
        "chronology" if out.extension().is_some_and(|e| e == "md") => "export/md",
        "chronology" => "export/csv",
        _ => "export/md",
    }
}

pub async fn run(config: &Config, bind: SocketAddr, args: AgentArgs<'_>) -> Result<()> {
    let target = Target::connect(config, bind, None).await?;
    let token = agent_token(config, args.tenant)?;
    let result = async {
        let mut body = json!({"agent": args.agent});
        if let Some(q) = args.question {
            body["question"] = json!(q);
        }
        let resp =
            target.client.post(format!("{}/agents/run", target.base)).bearer_auth(&token).json(&body).send().await?;
        if resp.status() == reqwest::StatusCode::UNPROCESSABLE_ENTITY {
            let body: Value = resp.json().await.unwrap_or_default();
            bail!("{} was refused: {}", args.agent, field_reasons(&body));
        }
        let run = target.json(resp).await.with_context(|| format!("starting {}", args.agent))?;
        let id = run["run_id"].as_str().context("run id in the answer")?.to_owned();
        let run = follow(&target, &token, &id).await?;
        if run["status"] != "succeeded" {
            bail!("run {id} failed: {}", run["error"].as_str().unwrap_or("no reason given"));
        }
        println!("{}", summary(&run));
        if let Some(out) = args.out {
            let url = format!("{}/agents/runs/{id}/{}", target.base, export_path(args.agent, out));
            let resp = target.client.get(url).bearer_auth(&token).send().await?;
            if !resp.status().is_success() {
                let status = resp.status();
                let body: Value = resp.json().await.unwrap_or_default();
                bail!("{status}: {}", body["error"]["message"].as_str().unwrap_or("export failed"));
            }
            let bytes = resp.bytes().await?;
            write(out, &bytes)?;
            println!("wrote {} ({} bytes)", out.display(), bytes.len());
        }
        Ok(())
    }
    .await;
    target.close().await?;
    result
}

/// Write through a temporary file, so a failed write leaves no half export.
fn write(out: &Path, bytes: &[u8]) -> Result<()> {
    let tmp: PathBuf = out.with_extension("part");
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, out).with_context(|| format!("writing {}", out.display()))?;
    Ok(())
}

async fn follow(target: &Target, token: &str, id: &str) -> Result<Value> {
    let bar = crate::load::documents_bar();
    loop {
        let resp = target.client.get(format!("{}/agents/runs/{id}", target.base)).bearer_auth(token).send().await?;
        let run = target.json(resp).await?;
        let examined = run["documents_examined"].as_u64().unwrap_or(0);
        bar.set_length(run["documents_total"].as_u64().unwrap_or(examined).max(1));
        bar.set_position(examined);
        let step = run["steps"].as_array().and_then(|s| s.last()).and_then(|s| s["name"].as_str()).unwrap_or("");
        bar.set_message(format!("{} {step}", run["status"].as_str().unwrap_or("")));
        if run["status"] == "succeeded" || run["status"] == "failed" {
            bar.finish();
            return Ok(run);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn summary(run: &Value) -> String {
    let id = run["run_id"].as_str().unwrap_or("");
    let agent = run["agent"].as_str().unwrap_or("");
    let examined = run["documents_examined"].as_u64().unwrap_or(0);
    let output = &run["output"];
    let detail = match agent {
        "privilege_review" => format!(
            "{} privileged, {} needs review, {} not privileged; {} entries in the privilege log",
            output["counts"]["privileged"].as_u64().unwrap_or(0),
            output["counts"]["needs_review"].as_u64().unwrap_or(0),
            output["counts"]["not_privileged"].as_u64().unwrap_or(0),
            output["privilege_log"].as_array().map_or(0, Vec::len)
        ),
        "chronology" => {
            format!("{} events in {} rows", output["events"], output["rows"].as_array().map_or(0, Vec::len))
        }
        _ => format!("{} sections", output["sections"].as_array().map_or(0, Vec::len)),
    };
    format!("run {id}: {agent} succeeded over {examined} documents — {detail}")
}

/// Print the tenant's counsel list, or replace it with the JSON in `set` first.
pub async fn counsel(config: &Config, bind: SocketAddr, tenant: &TenantId, set: Option<&Path>) -> Result<()> {
    let body: Option<Value> = match set {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            Some(serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?)
        }
        None => None,
    };
    let target = Target::connect(config, bind, None).await?;
    let token = agent_token(config, tenant)?;
    let result = async {
        let url = format!("{}/agents/privilege_review/counsel", target.base);
        let resp = match &body {
            Some(b) => target.client.put(url).bearer_auth(&token).json(b).send().await?,
            None => target.client.get(url).bearer_auth(&token).send().await?,
        };
        if resp.status() == reqwest::StatusCode::UNPROCESSABLE_ENTITY {
            let body: Value = resp.json().await.unwrap_or_default();
            bail!("the counsel list was refused: {}", field_reasons(&body));
        }
        let list = target.json(resp).await?;
        println!("{}", serde_json::to_string_pretty(&list)?);
        Ok(())
    }
    .await;
    target.close().await?;
    result
}

/// `field: message; ...` of a 422 answer.
fn field_reasons(body: &Value) -> String {
    let reasons: Vec<String> = body["error"]["details"]["fields"]
        .as_array()
        .map(|f| {
            f.iter()
                .map(|f| format!("{}: {}", f["field"].as_str().unwrap_or("?"), f["message"].as_str().unwrap_or("?")))
                .collect()
        })
        .unwrap_or_default();
    reasons.join("; ")
}
