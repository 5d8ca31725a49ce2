//! One typed configuration, read from `DOCKET_*` environment variables or flags, with
//! defaults that work on a laptop. Every command of `docket` reads the same one.

use std::net::SocketAddr;
use std::path::PathBuf;

use docket_billing::{PlanId, PlanOverrides, SupportOverrides};
use docket_corpus::IngestRoots;

/// Configuration shared by every command.
#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// Folder holding all runtime data (billing/, index/, documents/, secrets/).
    #[arg(long = "storage", env = "DOCKET_STORAGE_DIR", default_value = "./storage", global = true)]
    pub storage_dir: PathBuf,

    /// Ledger database URL; defaults to SQLite at <storage>/billing/ledger.sqlite3.
    /// Use postgres://user:password@host/db to share the ledger between several instances.
    #[arg(long = "database-url", env = "DOCKET_DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,

    /// Secret for HS256 tokens, at least 32 bytes. When unset, one is generated once under
    /// <storage>/secrets/.
    #[arg(long = "jwt-secret", env = "DOCKET_JWT_SECRET", global = true, hide_env_values = true)]
    pub jwt_secret: Option<String>,

    /// HS256 tokens: auto (accepted unless an RS256 key is configured), on, or off.
    #[arg(long = "jwt-hs256", env = "DOCKET_JWT_HS256", value_enum, default_value_t = Hs256Mode::Auto, global = true)]
    pub jwt_hs256: Hs256Mode,

    /// Longest lifetime a token may have (`exp - iat`), e.g. 24h, 30m.
    #[arg(long = "jwt-max-ttl", env = "DOCKET_JWT_MAX_TTL", default_value = "24h",
        value_parser = humantime::parse_duration, global = true)]
    pub jwt_max_ttl: std::time::Duration,

    /// Issuer every token must name in `iss` (unset: not checked); `docket token` sets it.
    #[arg(long = "jwt-issuer", env = "DOCKET_JWT_ISSUER", global = true)]
    pub jwt_issuer: Option<String>,

    /// PEM public key that verifies RS256 tokens from an OIDC provider.
    #[arg(long = "jwt-public-key", env = "DOCKET_JWT_PUBLIC_KEY_FILE", global = true)]
    pub jwt_public_key_file: Option<PathBuf>,

    /// JWKS file (the provider's keys, by `kid`) that verifies RS256 tokens.
    #[arg(long = "jwks-file", env = "DOCKET_JWKS_FILE", global = true)]
    pub jwks_file: Option<PathBuf>,

    /// PEM private key used by `docket token` to sign RS256 tokens (tests, offline setups).
    #[arg(long = "jwt-private-key", env = "DOCKET_JWT_PRIVATE_KEY_FILE", global = true)]
    pub jwt_private_key_file: Option<PathBuf>,

    /// Onboarding submissions accepted per client address per minute.
    #[arg(long = "onboarding-rate", env = "DOCKET_ONBOARDING_RATE_PER_MINUTE", default_value_t = 10, global = true)]
    pub onboarding_rate_per_minute: u32,

    /// Largest request body accepted, in bytes.
    #[arg(long = "max-body-bytes", env = "DOCKET_MAX_BODY_BYTES", default_value_t = 2 * 1024 * 1024, global = true)]
    pub max_body_bytes: usize,

    /// Most a usage.json rewrite lags behind a change, in milliseconds.
    #[arg(long = "snapshot-delay-ms", env = "DOCKET_SNAPSHOT_DELAY_MS", default_value_t = 1000, global = true)]
    pub snapshot_delay_ms: u64,

    /// Folders that `POST /ingest` may read local paths from, per tenant:
    /// `TENANT=/path[,/path...]` groups separated by ';' (`*=/path` grants to every tenant).
    /// Symbolic links under them are never followed.
    #[arg(
        long = "ingest-roots",
        env = "DOCKET_INGEST_ROOTS",
        default_value = "",
        hide_default_value = true,
        global = true
    )]
    pub ingest_roots: IngestRoots,

    /// Ingestion jobs run at once.
    #[arg(long = "ingest-workers", env = "DOCKET_INGEST_WORKERS", default_value_t = 2, global = true)]
    pub ingest_workers: usize,

    /// How long a search (query, timeline, entity graph) may take before it answers 503, in ms.
    #[arg(long = "query-timeout-ms", env = "DOCKET_QUERY_TIMEOUT_MS", default_value_t = 5_000,
        value_parser = clap::value_parser!(u64).range(1..=600_000), global = true)]
    pub query_timeout_ms: u64,

    /// Agent runs executing at once (1..=16); more wait their turn.
    #[arg(long = "agent-runs", env = "DOCKET_AGENT_RUNS", default_value_t = 2,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=16), global = true)]
    pub agent_runs: usize,

    /// Largest single document accepted by ingestion, in bytes.
    #[arg(long = "max-file-bytes", env = "DOCKET_MAX_FILE_BYTES", default_value_t = 64 * 1024 * 1024, global = true)]
    pub max_file_bytes: u64,

    /// Largest multipart upload (`POST /documents`), in bytes.
    #[arg(long = "max-upload-bytes", env = "DOCKET_MAX_UPLOAD_BYTES", default_value_t = 256 * 1024 * 1024, global = true)]
    pub max_upload_bytes: usize,

    /// Where metrics and traces are pushed over OTLP/HTTP (e.g. http://otel-collector:4318);
    /// unset or empty: nothing is pushed (`GET /metrics` is always served).
    #[arg(long = "otlp-endpoint", env = "OTEL_EXPORTER_OTLP_ENDPOINT", global = true)]
    pub otlp_endpoint: Option<String>,

    /// `service.name` of the metrics and traces pushed over OTLP.
    #[arg(long = "otel-service-name", env = "OTEL_SERVICE_NAME", default_value = "docket", global = true)]
    pub otel_service_name: String,

    /// How often metrics are pushed over OTLP, and the tenant gauges observed, in ms.
    #[arg(long = "metric-export-interval-ms", env = "OTEL_METRIC_EXPORT_INTERVAL", default_value_t = 15_000,
        value_parser = clap::value_parser!(u64).range(100..=3_600_000), global = true)]
    pub metric_export_interval_ms: u64,

    /// Whether `GET /metrics` requires a token with the `metrics:read` scope (billing audience).
    #[arg(long = "metrics-token-required", env = "DOCKET_METRICS_TOKEN_REQUIRED", default_value_t = false,
        action = clap::ArgAction::Set, value_parser = clap::builder::BoolishValueParser::new(), global = true)]
    pub metrics_token_required: bool,

    /// Where quota alerts are POSTed: comma-separated http(s) URLs (unset or empty: nowhere).
    #[arg(
        long = "alert-webhooks",
        env = "DOCKET_ALERT_WEBHOOKS",
        default_value = "",
        hide_default_value = true,
        global = true
    )]
    pub alert_webhooks: AlertWebhooks,

    /// Secret that signs every alert webhook (HMAC-SHA256), at least 16 bytes; required when
    /// DOCKET_ALERT_WEBHOOKS is set.
    #[arg(long = "alert-webhook-secret", env = "DOCKET_ALERT_WEBHOOK_SECRET", global = true, hide_env_values = true)]
    pub alert_webhook_secret: Option<WebhookSecret>,

    /// How long one webhook attempt may take, in ms.
    #[arg(long = "alert-webhook-timeout-ms", env = "DOCKET_ALERT_WEBHOOK_TIMEOUT_MS", default_value_t = 10_000,
        value_parser = clap::value_parser!(u64).range(1..=300_000), global = true)]
    pub alert_webhook_timeout_ms: u64,

    /// Wait before the first retry of a failed webhook, in ms; doubled after each failure
    /// (with jitter) up to DOCKET_ALERT_WEBHOOK_BACKOFF_MAX_MS.
    #[arg(long = "alert-webhook-backoff-ms", env = "DOCKET_ALERT_WEBHOOK_BACKOFF_MS", default_value_t = 5_000,
        value_parser = clap::value_parser!(u64).range(1..=86_400_000), global = true)]
    pub alert_webhook_backoff_ms: u64,

    /// Longest wait between two webhook attempts, in ms.
    #[arg(long = "alert-webhook-backoff-max-ms", env = "DOCKET_ALERT_WEBHOOK_BACKOFF_MAX_MS",
        default_value_t = 3_600_000, value_parser = clap::value_parser!(u64).range(1..=86_400_000), global = true)]
    pub alert_webhook_backoff_max_ms: u64,

    /// Attempts before a webhook delivery is given up (marked dead).
    #[arg(long = "alert-webhook-max-attempts", env = "DOCKET_ALERT_WEBHOOK_MAX_ATTEMPTS", default_value_t = 12,
        value_parser = clap::value_parser!(u32).range(1..=100), global = true)]
    pub alert_webhook_max_attempts: u32,

    /// Plan each listed tenant must be on: `tenant:plan` entries separated by ','.
    /// `docket reconcile plans --apply` makes the registry match; a malformed entry, an unknown
    /// plan or a tenant listed twice stops `docket serve` at start.
    #[arg(
        long = "plan-overrides",
        env = "DOCKET_PLAN_OVERRIDES",
        default_value = "",
        hide_default_value = true,
        global = true
    )]
    pub plan_overrides: PlanOverrides,

    /// Support tier each listed tenant gets instead of its plan's: `tenant:support_tier`
    /// entries (community, standard, premium) separated by ','. Applied like the plan overrides.
    #[arg(
        long = "support-overrides",
        env = "DOCKET_SUPPORT_OVERRIDES",
        default_value = "",
        hide_default_value = true,
        global = true
    )]
    pub support_overrides: SupportOverrides,

    /// Plan a tenant created without one gets (`docket tenant create` without `--plan`).
    #[arg(long = "default-plan", env = "DOCKET_DEFAULT_PLAN", default_value = "community", global = true)]
    pub default_plan: PlanId,

    /// Log format.
    #[arg(long = "log-format", env = "DOCKET_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
}

/// The alert webhook URLs: each parsed, http or https, with a host.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertWebhooks(pub Vec<reqwest::Url>);

impl std::str::FromStr for AlertWebhooks {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut urls = Vec::new();
        for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let url = reqwest::Url::parse(item).map_err(|e| format!("'{item}' is not a URL: {e}"))?;
            if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
                return Err(format!("'{item}' is not an http(s) URL with a host"));
            }
            urls.push(url);
        }
        Ok(AlertWebhooks(urls))
    }
}

/// The webhook signing secret; never printed (`Debug` shows `***`).
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(String);

/// Fewest bytes a webhook signing secret may have.
pub const MIN_WEBHOOK_SECRET_BYTES: usize = 16;

impl WebhookSecret {
    /// The secret's bytes, for the HMAC key.
    pub fn expose(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(***)")
    }
}

impl std::str::FromStr for WebhookSecret {
    type Err = std::convert::Infallible;

    /// Any value: its length is checked by [`Config::alert_webhook_targets`], because a value
    /// refused here would be echoed in the argument parser's message.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(WebhookSecret(s.to_owned()))
    }
}

/// Whether HS256 (shared-secret) tokens are accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Hs256Mode {
    /// Accepted unless an RS256 key (DOCKET_JWT_PUBLIC_KEY_FILE or DOCKET_JWKS_FILE) is configured.
    Auto,
    On,
    Off,
}

/// How log lines are written to stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Where `docket serve` listens.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long = "bind", env = "DOCKET_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
}

impl Config {
    /// The ledger database URL in force.
    pub fn ledger_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.billing_dir().join("ledger.sqlite3").display()),
        }
    }

    /// storage/billing: the ledger (SQLite) and usage.json.
    pub fn billing_dir(&self) -> PathBuf {
        self.storage_dir.join("billing")
    }

    /// storage/billing/usage.json.
    pub fn usage_file(&self) -> PathBuf {
        self.billing_dir().join("usage.json")
    }

    /// The document service's configuration: content store, registry and index under storage.
    pub fn corpus(&self) -> docket_corpus::CorpusConfig {
        let mut c = docket_corpus::CorpusConfig::new(&self.storage_dir, self.ingest_roots.clone());
        c.workers = self.ingest_workers.clamp(1, 64);
        c.limits.max_file_bytes = self.max_file_bytes;
        c.parser_sandbox = docket_corpus::ParserSandbox::registered();
        c.query_timeout = std::time::Duration::from_millis(self.query_timeout_ms);
        c
    }

    /// The OTLP endpoint, when one is set and not empty.
    pub fn otlp_endpoint(&self) -> Option<&str> {
        self.otlp_endpoint.as_deref().map(str::trim).filter(|e| !e.is_empty())
    }

    /// The alert webhook URLs with their signing secret, or `None` when no URL is set; an
    /// error when URLs are set without a secret.
    pub fn alert_webhook_targets(&self) -> Result<Option<(&[reqwest::Url], &WebhookSecret)>, String> {
        match (self.alert_webhooks.0.as_slice(), &self.alert_webhook_secret) {
            ([], _) => Ok(None),
            (_, Some(secret)) if secret.0.len() < MIN_WEBHOOK_SECRET_BYTES => {
                Err(format!("DOCKET_ALERT_WEBHOOK_SECRET must be at least {MIN_WEBHOOK_SECRET_BYTES} bytes"))
            }
            (urls, Some(secret)) => Ok(Some((urls, secret))),
            (_, None) => Err("DOCKET_ALERT_WEBHOOKS is set but DOCKET_ALERT_WEBHOOK_SECRET is not: every webhook is \
                 signed, set a secret of at least 16 bytes"
                .into()),
        }
    }

    /// Every unusable entry of the override lists, each naming its variable and the entry.
    pub fn override_problems(&self) -> Vec<String> {
        let plans = self.plan_overrides.problems().iter().map(|p| format!("DOCKET_PLAN_OVERRIDES {p}"));
        let support = self.support_overrides.problems().iter().map(|p| format!("DOCKET_SUPPORT_OVERRIDES {p}"));
        plans.chain(support).collect()
    }

    /// storage/secrets: the generated token secret.
    pub fn secrets_dir(&self) -> PathBuf {
        self.storage_dir.join("secrets")
    }
}
