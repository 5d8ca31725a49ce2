//! One typed configuration, read from `DOCKET_*` environment variables or flags, with
//! defaults that work on a laptop. Every command of `docket` reads the same one.

use std::net::SocketAddr;
use std::path::PathBuf;

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

    /// Log format.
    #[arg(long = "log-format", env = "DOCKET_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
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

    /// storage/secrets: the generated token secret.
    pub fn secrets_dir(&self) -> PathBuf {
        self.storage_dir.join("secrets")
    }
}
