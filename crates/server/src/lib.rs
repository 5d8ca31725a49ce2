//! The HTTP server of Docket: routes by area, bearer-token auth, metering through the ledger,
//! OpenAPI, request ids and graceful shutdown.

pub mod auth;
pub mod config;
pub mod error;
pub mod metering;
pub mod routes;
pub mod state;
pub mod support;
pub mod telemetry;
pub mod ui;
pub mod webhooks;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request, StatusCode};
use docket_ledger::{Ledger, LedgerOptions, UsageFile};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use auth::{Authenticator, Claims};
pub use config::{Config, ServeArgs};
pub use error::ApiError;
pub use state::AppState;

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("opening the ledger at {url}: {source}")]
    Ledger { url: String, source: docket_ledger::LedgerError },
    #[error("token configuration: {0}")]
    Auth(#[from] auth::AuthConfigError),
    #[error("storage folder {path}: {source}")]
    Storage { path: String, source: std::io::Error },
    #[error("opening the document store: {0}")]
    Corpus(docket_corpus::CorpusError),
    #[error("alert webhooks: {0}")]
    Webhooks(String),
    #[error("telemetry: {0}")]
    Telemetry(#[from] telemetry::TelemetryError),
    #[error("serving HTTP: {0}")]
    Io(#[from] std::io::Error),
    #[error("{}", .0.join("; "))]
    Overrides(Vec<String>),
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Docket API", description = "Document intelligence for litigation teams, with its commercial layer: plans, metering, usage and onboarding."),
    modifiers(&BearerAuth),
    components(schemas(docket_corpus::SearchMode, docket_corpus::SearchGroup)),
    tags((name = "billing"), (name = "onboarding"), (name = "usage"), (name = "documents"), (name = "query"),
        (name = "timeline"), (name = "agents"), (name = "operations"), (name = "support"))
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.bearer_format = Some("JWT".into());
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// Open the ledger (creating the storage folders) with the configuration.
pub async fn open_ledger(config: &Config) -> Result<Ledger, ServerError> {
    let billing = config.billing_dir();
    std::fs::create_dir_all(&billing)
        .map_err(|source| ServerError::Storage { path: billing.display().to_string(), source })?;
    let webhooks = config.alert_webhook_targets().map_err(ServerError::Webhooks)?;
    let url = config.ledger_url();
    let ledger = Ledger::open(&LedgerOptions { url: url.clone(), max_connections: 16 })
        .await
        .map_err(|source| ServerError::Ledger { url: redact(&url), source })?;
    // Every command that records usage queues its alerts' deliveries; `serve` sends them.
    if let Some((urls, _)) = webhooks {
        ledger.set_alert_webhooks(urls.iter().map(|u| u.to_string()).collect());
    }
    Ok(ledger)
}

/// A database URL with its password hidden, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// The application's routes and their OpenAPI description.
pub fn router(state: AppState) -> Router {
    let (api, openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(routes::health::health))
        .routes(routes!(routes::billing::plans))
        .routes(routes!(routes::billing::recommend))
        .routes(routes!(routes::billing::usage))
        .routes(routes!(routes::billing::daily))
        .routes(routes!(routes::triage::triage))
        .routes(routes!(routes::exports::export_crm))
        .routes(routes!(routes::billing::events))
        .routes(routes!(routes::onboarding::submit))
        .routes(routes!(routes::usage::own_usage))
        .routes(routes!(routes::ingest::submit, routes::ingest::list))
        .routes(routes!(routes::ingest::status))
        .routes(routes!(routes::documents::list))
        .routes(routes!(routes::documents::get))
        .routes(routes!(routes::query::query))
        .routes(routes!(routes::timeline::timeline))
        .routes(routes!(routes::entities::entities))
        .routes(routes!(routes::entities::neighbor))
        .routes(routes!(routes::support::open, routes::support::list))
        .routes(routes!(routes::support::get))
        .routes(routes!(routes::support::respond))
        .routes(routes!(routes::agents::submit))
        .routes(routes!(routes::agents::list))
        .routes(routes!(routes::agents::get))
        .routes(routes!(routes::agents::privilege_log))
        .routes(routes!(routes::agents::export))
        .routes(routes!(routes::agents::counsel, routes::agents::set_counsel))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(routes::ingest::upload))
                .layer(DefaultBodyLimit::max(state.config.max_upload_bytes)),
        )
        .split_for_parts();
    // Routes are added after `ApiDoc`'s own modifiers ran: complete their responses here.
    let mut openapi = openapi;
    utoipa::Modify::modify(&CommonResponses, &mut openapi);
    let openapi = Arc::new(openapi);
    let telemetry = state.telemetry.clone();
    let request_id = HeaderName::from_static("x-request-id");
    let max_body = state.config.max_body_bytes;
    api.route("/openapi.json", axum::routing::get(move || async move { axum::Json(openapi.as_ref().clone()) }))
        .route("/metrics", axum::routing::get(telemetry::metrics))
        .fallback(ui::not_found)
        .method_not_allowed_fallback(ui::method_not_allowed)
        .with_state(state)
        .layer(axum::middleware::from_fn_with_state(telemetry, telemetry::track))
        .layer(axum::middleware::from_fn(log_denied))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .layer(SetSensitiveRequestHeadersLayer::new([axum::http::header::AUTHORIZATION]))
}

/// Serve on `listener` until `shutdown` resolves, then drain: in-flight requests finish, the
/// ledger writer commits what is queued, and usage.json is written a last time.
pub async fn serve(
    config: Config,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    let problems = config.override_problems();
    if !problems.is_empty() {
        return Err(ServerError::Overrides(problems));
    }
    restrict_new_files();
    restrict_storage(&config.storage_dir)?;
    let ledger = open_ledger(&config).await?;
    warn_of_override_differences(&config, &ledger).await;
    let auth = Authenticator::from_config(&config)?;
    let usage_file = UsageFile::new(config.usage_file());
    if let Err(e) = usage_file.set_aside_if_corrupt() {
        tracing::warn!(error = %e, "could not check usage.json; it will be rewritten");
    }
    let snapshots =
        usage_file.spawn(ledger.clone(), Duration::from_millis(config.snapshot_delay_ms), Duration::from_secs(60));
    let telemetry = Arc::new(telemetry::Telemetry::from_config(&config)?);
    let telemetry_tasks = telemetry.spawn(&ledger);
    if !config.metrics_token_required && !is_loopback(&listener) {
        tracing::warn!("GET /metrics is open on a non-loopback address: set DOCKET_METRICS_TOKEN_REQUIRED=true");
    }
    let meter = Arc::new(metering::LedgerMeter { ledger: ledger.clone(), telemetry: telemetry.clone() });
    let corpus = docket_corpus::Corpus::open(config.corpus(), meter.clone()).await.map_err(ServerError::Corpus)?;
    let agents =
        docket_corpus::agents::Agents::start(&corpus, meter, config.agent_runs).await.map_err(ServerError::Corpus)?;
    let alerts = spawn_alert_log(&ledger);
    let deliverer = match webhooks::WebhookSettings::from_config(&config).map_err(ServerError::Webhooks)? {
        Some(settings) => Some(
            webhooks::Deliverer::spawn(ledger.clone(), settings, telemetry.clone())
                .map_err(|e| ServerError::Webhooks(format!("the HTTP client: {e}")))?,
        ),
        None => None,
    };
    let state = AppState::new(config, ledger.clone(), corpus.clone(), agents.clone(), auth, telemetry.clone());
    let pruning = spawn_limiter_pruning(&state);
    let sla_sweep = support::spawn_sla_sweep(ledger.clone(), telemetry.clone());
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    tracing::info!(addr = %listener.local_addr()?, "docket serving");
    let served = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
    tracing::info!("draining: committing queued events and writing usage.json");
    agents.shutdown().await;
    corpus.shutdown().await;
    sla_sweep.abort();
    snapshots.finish().await;
    if let Some(d) = deliverer {
        d.finish().await;
    }
    telemetry_tasks.finish(&telemetry, &ledger).await;
    ledger.close().await;
    telemetry.shutdown().await;
    alerts.abort();
    pruning.abort();
    served?;
    Ok(())
}

/// Log how far the registry is from the override lists. The server never applies them
/// itself: `docket reconcile plans --apply` is the one way, so that every change has a
/// person's name on it and several instances never race to apply.
async fn warn_of_override_differences(config: &Config, ledger: &Ledger) {
    match ledger.reconcile_plans(&config.plan_overrides, &config.support_overrides).await {
        Ok(r) if r.differences.is_empty() && r.unknown_tenants.is_empty() => {}
        Ok(r) => tracing::warn!(
            differences = r.differences.len(),
            unknown_tenants = r.unknown_tenants.len(),
            "the tenant registry differs from DOCKET_PLAN_OVERRIDES / DOCKET_SUPPORT_OVERRIDES: \
             `docket reconcile plans` lists the differences, `--apply` applies them"
        ),
        Err(e) => {
            tracing::warn!(error = %e, "could not compare the tenant registry with the plan and support overrides")
        }
    }
}

fn is_loopback(listener: &tokio::net::TcpListener) -> bool {
    listener.local_addr().is_ok_and(|a| a.ip().is_loopback())
}

/// Files and folders this process creates from now on are its owner's alone (0600 and
/// 0700): the storage holds the ledger, every document's text and the token secret.
pub fn restrict_new_files() {
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
}

/// Tighten an existing storage tree (from before the umask) to 0700 folders and 0600 files.
/// Links are not followed; entries owned by someone else are reported, not fatal.
pub fn restrict_storage(storage: &std::path::Path) -> Result<(), ServerError> {
    use std::os::unix::fs::PermissionsExt;
    let err = |path: &std::path::Path, source| ServerError::Storage { path: path.display().to_string(), source };
    std::fs::create_dir_all(storage).map_err(|e| err(storage, e))?;
    let mut stack = vec![storage.to_path_buf()];
    while let Some(path) = stack.pop() {
        let meta = match std::fs::symlink_metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(err(&path, e)),
        };
        let mode = if meta.is_dir() {
            0o700
        } else if meta.is_file() {
            0o600
        } else {
            continue;
        };
        if meta.permissions().mode() & 0o777 != mode
            && let Err(e) = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))
        {
            tracing::warn!(path = %path.display(), error = %e, "could not restrict the permissions of a storage entry");
        }
        if meta.is_dir() {
            let entries = std::fs::read_dir(&path).map_err(|e| err(&path, e))?;
            stack.extend(entries.filter_map(|e| e.ok().map(|e| e.path())));
        }
    }
    Ok(())
}

/// Forget onboarding rate-limit entries of addresses that have not been seen for a while,
/// so the limiter's memory does not grow with every address that ever called.
fn spawn_limiter_pruning(state: &AppState) -> tokio::task::JoinHandle<()> {
    let limiter = state.onboarding_limiter.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(60));
        loop {
            every.tick().await;
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    })
}

/// Log every request refused with 401 or 403, at info: the reason, the route and, when a
/// token was verified, its subject and tenant. Never the token.
async fn log_denied(mut req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let slot = auth::CallerSlot::default();
    req.extensions_mut().insert(slot.clone());
    let (method, route) = (req.method().clone(), req.uri().path().to_owned());
    let response = next.run(req).await;
    let status = response.status();
    if status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN {
        return response;
    }
    let (parts, body) = response.into_parts();
    // Error bodies are small; one that is not is passed on without a reason.
    let bytes = axum::body::to_bytes(body, 64 * 1024).await.unwrap_or_default();
    let reason = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
        .unwrap_or_default();
    let (subject, tenant) = slot.get().map_or((None, None), |(s, t)| (Some(s), t));
    tracing::info!(status = status.as_u16(), %method, route = %route, reason = %reason,
        subject = subject.as_deref().unwrap_or("-"), tenant = tenant.as_deref().unwrap_or("-"), "request denied");
    axum::response::Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// Log every quota alert the ledger fires, once, as it commits.
fn spawn_alert_log(ledger: &Ledger) -> tokio::task::JoinHandle<()> {
    let mut commits = ledger.subscribe();
    tokio::spawn(async move {
        loop {
            match commits.recv().await {
                Ok(c) => {
                    for a in c.alerts {
                        tracing::warn!(tenant = %a.tenant_id, period = %a.period, dimension = a.dimension.as_str(),
                            level = a.level.as_str(), consumption = a.consumption, "quota alert");
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                    tracing::warn!(missed = n, "alert log fell behind");
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            }
        }
    })
}

/// Responses every operation of a kind can give, added where an annotation left them out, so
/// that the document names every status a client can meet: 400 and 503 everywhere (a malformed
/// request; the ledger cannot write, or a search passed its deadline: `Retry-After` says when
/// to try again), 413 and 415 for a JSON body, 401 and 403 behind a token. Operation ids are
/// made unique too.
struct CommonResponses;

impl utoipa::Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let mut seen = std::collections::HashMap::<String, usize>::new();
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [
                ("get", &mut item.get),
                ("post", &mut item.post),
                ("put", &mut item.put),
                ("delete", &mut item.delete),
                ("patch", &mut item.patch),
            ];
            for (method, operation) in operations {
                let Some(op) = operation.as_mut() else { continue };
                let json_body =
                    op.request_body.as_ref().is_some_and(|b| b.content.keys().any(|k| k == "application/json"));
                let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
                let mut wanted = vec![
                    ("400", "a malformed request: query string, header or body"),
                    ("503", "the service cannot answer now; retry after `Retry-After` seconds"),
                ];
                if json_body {
                    wanted.extend([
                        ("413", "the body is larger than DOCKET_MAX_BODY_BYTES"),
                        ("415", "the body is not sent as application/json"),
                    ]);
                }
                if secured {
                    wanted.extend([
                        ("401", "no valid bearer token"),
                        ("403", "the token lacks the audience, role, scope or tenant this operation needs"),
                    ]);
                }
                for (status, description) in wanted {
                    op.responses.responses.entry(status.to_owned()).or_insert_with(|| error_response(description));
                }
                let id = op.operation_id.clone().unwrap_or_default();
                let n = seen.entry(id).or_default();
                *n += 1;
                if *n > 1 || op.operation_id.is_none() {
                    op.operation_id = Some(operation_name(method, path));
                }
            }
        }
    }
}

/// `GET /ingest/{job_id}` -> `get_ingest_job_id`: a stable, unique operation id.
fn operation_name(method: &str, path: &str) -> String {
    let words: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_matches(|c| c == '{' || c == '}').replace('-', "_"))
        .collect();
    format!("{method}_{}", words.join("_"))
}

fn error_response(description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::Response> {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    ResponseBuilder::new()
        .description(description)
        .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build())
        .build()
        .into()
}
