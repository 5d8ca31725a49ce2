//! Change management: the published documents against what ships.
//!
//! - The plan table of `docs/commercial/playbook.md` against the code's catalogue
//!   (`docket_billing::PLANS`), `GET /billing/plans` of a real `docket serve`, the tier profiles
//!   (`infra/profiles/<plan>.env` sets `DOCKET_DEFAULT_PLAN=<plan>`) and the web UI's plan page.
//! - Every path, endpoint, variable and command the playbook quotes, against what exists.
//! - Every `docket ...` command quoted in `docs/operations.md`, run against a scratch storage
//!   folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use docket_billing::PLANS;
use rust_decimal::Decimal;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(repo().join(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

/// One plan as published: every column of the table, money as exact decimals.
#[derive(Debug, PartialEq)]
struct Published {
    plan: String,
    price: Decimal,
    queries: u64,
    ingest_gb: u64,
    seats: u64,
    support: String,
    sla_hours: u64,
    overage_per_query: Decimal,
    overage_per_gb: Decimal,
}

fn money(cell: &str) -> Decimal {
    cell.trim().replace(',', "").parse().unwrap_or_else(|e| panic!("'{cell}' is not an amount: {e}"))
}

fn count(cell: &str) -> u64 {
    cell.trim().replace(',', "").parse().unwrap_or_else(|e| panic!("'{cell}' is not a number: {e}"))
}

const COLUMNS: [&str; 9] = [
    "plan",
    "USD / month",
    "included queries",
    "ingest GB",
    "seats",
    "support",
    "SLA h",
    "overage / query",
    "overage / GB",
];

fn cells(line: &str) -> Vec<String> {
    line.trim().trim_matches('|').split('|').map(|c| c.trim().to_owned()).collect()
}

/// The rows of the playbook's plan table (the one whose header is `COLUMNS`).
fn playbook_table() -> Vec<Published> {
    let doc = read("docs/commercial/playbook.md");
    let mut lines = doc.lines().skip_while(|l| !(l.starts_with('|') && cells(l) == COLUMNS));
    assert!(lines.next().is_some(), "docs/commercial/playbook.md has no table headed {COLUMNS:?}");
    lines
        .skip(1)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let c = cells(l);
            assert_eq!(c.len(), COLUMNS.len(), "playbook row '{l}'");
            Published {
                plan: c[0].clone(),
                price: money(&c[1]),
                queries: count(&c[2]),
                ingest_gb: count(&c[3]),
                seats: count(&c[4]),
                support: c[5].clone(),
                sla_hours: count(&c[6]),
                overage_per_query: money(&c[7]),
                overage_per_gb: money(&c[8]),
            }
        })
        .collect()
}

fn code_table() -> Vec<Published> {
    PLANS
        .iter()
        .map(|p| Published {
            plan: p.id.as_str().to_owned(),
            price: p.monthly_price_usd,
            queries: p.included_queries,
            ingest_gb: p.included_ingest_gb,
            seats: p.included_seats,
            support: format!("{} ({})", p.support_tier.label(), p.support_tier.contact_path()),
            sla_hours: u64::from(p.support_tier.sla_hours()),
            overage_per_query: p.overage_per_query_usd,
            overage_per_gb: p.overage_per_gb_usd,
        })
        .collect()
}

/// A plan as `GET /billing/plans` (or the UI's copy of it) writes it.
fn from_catalogue_entry(p: &serde_json::Value) -> Published {
    let text = |k: &str| match &p[k] {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Published {
        plan: text("plan_id"),
        price: money(&text("monthly_price_usd")),
        queries: count(&text("included_queries")),
        ingest_gb: count(&text("included_ingest_gb")),
        seats: count(&text("included_seats")),
        support: format!("{} ({})", text("support_tier_label"), text("support_contact_path")),
        sla_hours: count(&text("support_sla_hours")),
        overage_per_query: money(&text("overage_per_query_usd")),
        overage_per_gb: money(&text("overage_per_gb_usd")),
    }
}

#[test]
fn the_playbook_plan_table_is_the_code_catalogue() {
    assert_eq!(playbook_table(), code_table(), "docs/commercial/playbook.md vs docket_billing::PLANS");
}

#[test]
fn the_tier_profiles_default_to_their_own_plan() {
    for row in playbook_table() {
        let path = format!("infra/profiles/{}.env", row.plan);
        let profile = read(&path);
        let value = |key: &str| {
            profile
                .lines()
                .find_map(|l| l.strip_prefix(key).and_then(|v| v.strip_prefix('=')))
                .map(str::trim)
                .unwrap_or_else(|| panic!("{path} does not set {key}"))
                .to_owned()
        };
        assert_eq!(value("DOCKET_TIER"), row.plan, "{path}");
        assert_eq!(value("DOCKET_DEFAULT_PLAN"), row.plan, "{path}");
    }
    let profiles = std::fs::read_dir(repo().join("infra/profiles")).expect("infra/profiles").count();
    assert_eq!(profiles, PLANS.len(), "one profile per published plan");
}

/// What the UI's plan page is checked for. The page (`frontend/src/pages/Plans.tsx`) renders the
/// catalogue it fetches from `GET /billing/plans` (`frontend/src/api/plans.ts`), so its figures
/// are the API's, checked above; what can drift is (a) a dollar amount written into the UI's
/// sources (`$` then a digit, in `frontend/src` outside the generated `api/` types), which must
/// be one of the published prices or overage rates, and (b) the plan catalogue the UI's own
/// tests render the page with (`frontend/test/fixtures.ts`), which must be the published one.
#[test]
fn the_ui_plan_page_shows_the_published_plans() {
    let page = read("frontend/src/pages/Plans.tsx");
    assert!(page.contains("usePlans()"), "the plan page no longer reads the catalogue through usePlans()");
    let hook = read("frontend/src/api/plans.ts");
    assert!(hook.contains("\"/billing/plans\""), "usePlans() no longer fetches GET /billing/plans");

    let published = playbook_table();
    let amounts: Vec<Decimal> =
        published.iter().flat_map(|p| [p.price, p.overage_per_query, p.overage_per_gb]).collect();
    let mut files = vec![repo().join("frontend/src")];
    let mut checked = 0;
    while let Some(path) = files.pop() {
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "api") {
                continue;
            }
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        if !path.extension().is_some_and(|e| e == "ts" || e == "tsx") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for (i, _) in text.match_indices('$') {
            let digits: String =
                text[i + 1..].chars().take_while(|c| c.is_ascii_digit() || *c == ',' || *c == '.').collect();
            let digits = digits.trim_end_matches(['.', ',']);
            if digits.is_empty() {
                continue;
            }
            checked += 1;
            assert!(
                amounts.contains(&money(digits)),
                "{}: ${digits} is not a published price or rate {amounts:?}",
                path.display()
            );
        }
    }
    assert!(checked > 0, "no dollar amount found in frontend/src: the scan reads the wrong folder");

    let fixtures = read("frontend/test/fixtures.ts");
    let shown: Vec<Published> = fixtures
        .lines()
        .filter(|l| l.contains("plan_id:") && l.contains("monthly_price_usd:"))
        .map(|l| from_catalogue_entry(&object_literal(l)))
        .collect();
    assert_eq!(shown, published, "frontend/test/fixtures.ts plan catalogue vs docs/commercial/playbook.md");
}

/// The `key: value` pairs of a one-line TypeScript object literal (strings, numbers, arrays
/// of strings), as JSON.
fn object_literal(line: &str) -> serde_json::Value {
    let body = &line[line.find('{').expect("an object")..];
    let mut json = String::new();
    let mut chars = body.chars().peekable();
    let mut in_string = false;
    let mut key = String::new();
    while let Some(c) = chars.next() {
        if in_string {
            json.push(c);
            if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                json.push(c);
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                key.push(c);
                while let Some(&n) = chars.peek() {
                    if !(n.is_ascii_alphanumeric() || n == '_') {
                        break;
                    }
                    key.push(n);
                    chars.next();
                }
                json.push_str(&match key.as_str() {
                    "true" | "false" | "null" => key.clone(),
                    k => format!("\"{k}\""),
                });
                key.clear();
            }
            '}' => {
                json.push('}');
                break;
            }
            c => json.push(c),
        }
    }
    let json = json.replace(",}", "}").replace(", }", "}");
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("cannot read '{line}' ({json}): {e}"))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn docket(storage: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_docket"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("DOCKET_STORAGE_DIR", storage)
        .env("DOCKET_OPERATOR", "docs-check")
        .env("DOCKET_LOG", "warn")
        .current_dir(storage);
    cmd
}

/// Stops the server when the test ends, passed or not.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn the_playbook_plan_table_is_what_get_billing_plans_serves() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let _server = Server(
        docket(dir.path())
            .env("DOCKET_BIND", format!("127.0.0.1:{port}"))
            .arg("serve")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start docket serve"),
    );
    let url = format!("http://127.0.0.1:{port}/billing/plans");
    let client = reqwest::Client::new();
    // Waits for the server to listen: at most 20 s, to catch a hang, not to time it.
    let mut body = None;
    for _ in 0..400 {
        if let Ok(r) = client.get(&url).send().await {
            assert_eq!(r.status(), 200, "GET /billing/plans");
            body = Some(r.json::<serde_json::Value>().await.expect("JSON catalogue"));
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let body = body.expect("docket serve answered GET /billing/plans");
    let served: Vec<Published> = body["plans"].as_array().expect("plans").iter().map(from_catalogue_entry).collect();
    assert_eq!(playbook_table(), served, "docs/commercial/playbook.md vs GET /billing/plans");
    assert_eq!(body["alert_thresholds"]["soft"], 0.8);
    assert_eq!(body["alert_thresholds"]["hard"], 0.95);

    // Every endpoint the playbook quotes is served: the same call without a token or body is
    // refused or answered, never "no such route" (404) or "no such method" (405).
    let base = format!("http://127.0.0.1:{port}");
    let mut missing = Vec::new();
    for (method, path) in playbook_endpoints() {
        let method: reqwest::Method = method.parse().expect("an HTTP method");
        let status = client.request(method.clone(), format!("{base}{path}")).send().await.expect("answered").status();
        if status == 404 || status == 405 {
            missing.push(format!("{method} {path}: {status}"));
        }
    }
    assert!(missing.is_empty(), "docs/commercial/playbook.md names endpoints docket does not serve: {missing:?}");
}

/// The inline code spans of a Markdown text (outside fenced blocks).
fn code_spans(doc: &str) -> Vec<String> {
    let mut fenced = false;
    let mut spans = Vec::new();
    for line in doc.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced {
            spans.extend(line.split('`').skip(1).step_by(2).map(str::to_owned));
        }
    }
    spans
}

/// `METHOD /path` spans of the playbook.
fn playbook_endpoints() -> Vec<(String, String)> {
    let spans = code_spans(&read("docs/commercial/playbook.md"));
    let endpoints: Vec<(String, String)> = spans
        .iter()
        .filter_map(|s| {
            let (method, path) = s.split_once(' ')?;
            (["GET", "POST", "PUT", "DELETE"].contains(&method) && path.starts_with('/'))
                .then(|| (method.to_owned(), path.to_owned()))
        })
        .collect();
    assert!(endpoints.len() >= 5, "the playbook names only {endpoints:?}");
    endpoints
}

/// What the playbook quotes besides endpoints: repository paths exist (a `*` matches any name
/// in its folder; `infra/.env` and `storage/...` are made at install and run time), every
/// `DOCKET_*` / `OTEL_*` variable is in the README's configuration, and every `docket` command
/// parses (run with `--help` appended: exit code 0, not clap's 2).
#[test]
fn the_playbook_names_only_what_exists() {
    let spans = code_spans(&read("docs/commercial/playbook.md"));
    let readme = read("README.md");
    let dir = tempfile::tempdir().unwrap();
    let mut wrong = Vec::new();
    let mut checked = 0;
    for span in &spans {
        let roots = ["crates/", "frontend/", "infra/", "scripts/", "docs/", "CHANGELOG.md"];
        let first = span.split_whitespace().next().unwrap_or_default();
        if roots.iter().any(|r| first.starts_with(r)) && first != "infra/.env" {
            checked += 1;
            let path = repo().join(first.trim_end_matches('/'));
            let exists = match first.rsplit_once('/') {
                Some((folder, name)) if name.contains('*') => repo().join(folder).is_dir(),
                _ => path.exists(),
            };
            if !exists {
                wrong.push(format!("no file {first}"));
            }
        } else if span.starts_with("DOCKET_") || span.starts_with("OTEL_") {
            checked += 1;
            let name = span.split('=').next().unwrap_or_default();
            if !readme.contains(&format!("`{name}`")) {
                wrong.push(format!("{name} is not in the README's configuration"));
            }
        } else if span.starts_with("docket ") {
            checked += 1;
            let mut args = words(span);
            args.remove(0);
            args.push("--help".to_owned());
            let out = docket(dir.path()).args(&args).output().expect("run docket");
            if !out.status.success() {
                wrong.push(format!("`{span}`: {}", String::from_utf8_lossy(&out.stderr).trim()));
            }
        }
    }
    assert!(checked >= 20, "only {checked} references found in the playbook");
    assert!(wrong.is_empty(), "docs/commercial/playbook.md:\n{}", wrong.join("\n"));
}

/// Every `docket ...` quoted in the text: fenced code lines and inline code spans, from the
/// word `docket` to the end of the span or line, cut at a comment, a pipe, a redirection or the
/// `)` that closes a `$(...)`.
fn quoted_commands(doc: &str) -> Vec<String> {
    let mut code = Vec::new();
    let mut fenced = false;
    for line in doc.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if fenced {
            code.push(line.to_owned());
        } else {
            code.extend(line.split('`').skip(1).step_by(2).map(str::to_owned));
        }
    }
    let mut commands = Vec::new();
    for text in code {
        let mut rest = text.as_str();
        while let Some(at) = rest.find("docket ") {
            let starts_word = at == 0 || rest[..at].ends_with([' ', '(', '\t']);
            let tail = &rest[at..];
            if !starts_word {
                rest = &tail["docket ".len()..];
                continue;
            }
            let end = [" #", "|", ">", ")", "&&", ";"].iter().filter_map(|s| tail.find(s)).min().unwrap_or(tail.len());
            commands.push(tail[..end].trim().to_owned());
            rest = &tail[end..];
        }
    }
    commands
}

/// Words of a command as a shell would split it (single and double quotes; no expansion).
fn words(command: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    let mut started = false;
    for c in command.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                started = true;
            }
            (None, c) if c.is_whitespace() => {
                if started || !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
                started = false;
            }
            (None, c) => word.push(c),
        }
    }
    if started || !word.is_empty() {
        out.push(word);
    }
    out
}

/// The rule for each quoted command:
/// - `serve`, `ingest`, `demo` and `agent run` serve or need a server (one they would start and
///   keep for minutes): run with `--help` appended, which still makes clap reject an unknown
///   subcommand or a flag written before it (exit code 2);
/// - every other command runs as written, in the docs' order, with the scratch storage folder
///   as `DOCKET_STORAGE_DIR` and working directory (files named by `--out` land there) and no
///   other `DOCKET_*` variable; it must exit 0, except `docket reconcile plans`, which exits 1
///   while differences are left (documented), and must never exit 2 (a usage error: unknown
///   subcommand, flag or value).
#[test]
fn every_command_of_the_operations_guide_exists() {
    let doc = read("docs/operations.md");
    let commands = quoted_commands(&doc);
    assert!(commands.len() >= 10, "docs/operations.md quotes only {commands:?}");
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for command in &commands {
        let mut args = words(command);
        assert_eq!(args.remove(0), "docket");
        let needs_server = matches!(args.first().map(String::as_str), Some("serve" | "ingest" | "demo"))
            || args.starts_with(&["agent".to_owned(), "run".to_owned()]);
        if needs_server {
            args.push("--help".to_owned());
        }
        let out = docket(dir.path()).args(&args).stdin(Stdio::null()).output().expect("run docket");
        let code = out.status.code();
        let allowed_one = args.starts_with(&["reconcile".to_owned(), "plans".to_owned()]);
        if !(code == Some(0) || (allowed_one && code == Some(1))) {
            failures.push(format!(
                "`{command}` (run as docket {}) exited {code:?}: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
    }
    assert!(failures.is_empty(), "docs/operations.md quotes commands that do not run:\n{}", failures.join("\n"));
}

#[test]
fn commands_are_read_from_code_only() {
    let doc = "Run `docket triage --format csv` daily.\n```sh\nT=$(docket token --aud x) # a token\ncurl -s x | docket nothing\n```\nThe docket server.";
    assert_eq!(quoted_commands(doc), ["docket triage --format csv", "docket token --aud x", "docket nothing"]);
    assert_eq!(
        words("docket tenant create a --organization 'Hale & Ward'"),
        ["docket", "tenant", "create", "a", "--organization", "Hale & Ward"]
    );
}
