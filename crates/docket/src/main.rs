//! `docket`: the server and the operator's command line, on one configuration.

mod agent;
mod exports;
mod extract;
mod load;
mod reconcile;
mod reports;
mod retention;
mod support;
mod webhooks;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use docket_billing::{BillingPeriod, PLANS, PlanId, TenantId};
use docket_server::config::LogFormat;
use docket_server::{Authenticator, Config, ServeArgs};
use time::OffsetDateTime;

#[derive(Parser)]
#[command(name = "docket", version, about = "Document intelligence for litigation teams, with its commercial layer")]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (API and UI).
    Serve(ServeArgs),
    /// Print a signed bearer token, alone on stdout.
    Token(TokenArgs),
    /// The plan catalogue as a table.
    Plans,
    /// Every tenant with its plan, usage ratio and health score.
    Tenants {
        /// Billing period YYYY-MM (default: the current one).
        #[arg(long)]
        period: Option<BillingPeriod>,
    },
    /// Daily triage: tenants with health < 0.75 or usage ratio > 0.95, riskiest first, with
    /// the reasons in words.
    Triage {
        /// Billing period YYYY-MM (default: the current one).
        #[arg(long)]
        period: Option<BillingPeriod>,
        /// Output format (default: a table on a terminal, JSON otherwise).
        #[arg(long, value_enum)]
        format: Option<reports::Format>,
    },
    /// Weekly reports: finance overages, support SLA adherence.
    #[command(subcommand)]
    Report(reports::ReportCommand),
    /// Files for other systems: the CRM sync and the anonymised KPIs.
    #[command(subcommand)]
    Export(exports::ExportCommand),
    /// Create or change tenants without the public intake.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Quota-alert webhooks.
    #[command(subcommand)]
    Webhooks(WebhooksCommand),
    /// Make the tenant registry match the operator's override lists.
    #[command(subcommand)]
    Reconcile(reconcile::ReconcileCommand),
    /// Monthly audits of what the ledger keeps.
    #[command(subcommand)]
    Audit(retention::AuditCommand),
    /// Load a folder or file of a matter into a tenant, with a progress bar (through the
    /// server at DOCKET_BIND when one runs, else through one started for the purpose).
    Ingest {
        /// File or folder to ingest.
        path: std::path::PathBuf,
        #[arg(long, value_parser = TenantId::parse)]
        tenant: TenantId,
        /// Send the files over HTTP (multipart upload) instead of asking the server to read
        /// PATH, for a server that is not granted PATH in its DOCKET_INGEST_ROOTS.
        #[arg(long)]
        upload: bool,
        #[command(flatten)]
        server: ServeArgs,
    },
    /// Load the built-in demo matter into the 'demo' tenant and run a few searches.
    Demo {
        #[command(flatten)]
        server: ServeArgs,
    },
    /// Run an agent (privilege_review, chronology, case_brief) over a tenant's documents with a
    /// progress bar, through the server at DOCKET_BIND when one runs, else one started for it.
    #[command(subcommand)]
    Agent(AgentCommand),
    /// Print the text Docket keeps for one file (and its attachments) as JSON, parsed as the
    /// server parses it.
    Extract {
        /// The file to parse.
        path: std::path::PathBuf,
        /// Media type to parse it as (default: from its content and name).
        #[arg(long)]
        media_type: Option<String>,
    },
}

#[derive(clap::Args)]
struct TokenArgs {
    /// Tenant the token speaks for.
    #[arg(long, value_parser = TenantId::parse)]
    tenant: Option<TenantId>,
    /// Role (repeatable), e.g. CustomerSuccessManager, PlatformAdmin, CaseCoordinator.
    #[arg(long = "role")]
    roles: Vec<String>,
    /// Scope (repeatable), e.g. billing:read, query:read.
    #[arg(long = "scope")]
    scopes: Vec<String>,
    /// Audience (repeatable): docket-api or docket-billing.
    #[arg(long = "aud", required = true)]
    audiences: Vec<String>,
    /// Subject (the person or service).
    #[arg(long, default_value = "operator")]
    sub: String,
    /// Lifetime, e.g. 30m, 1h, 2h 30m; at most DOCKET_JWT_MAX_TTL.
    #[arg(long, default_value = "1h", value_parser = humantime::parse_duration)]
    ttl: std::time::Duration,
}

#[derive(Subcommand)]
enum WebhooksCommand {
    /// Every alert webhook delivery with its attempts (when, status code or error, duration).
    Deliveries {
        /// Only deliveries in this state: pending, delivered or dead.
        #[arg(long)]
        status: Option<docket_ledger::DeliveryStatus>,
        /// Output format (default: a table on a terminal, JSON otherwise).
        #[arg(long, value_enum)]
        format: Option<reports::Format>,
    },
}

#[derive(Subcommand)]
enum AgentCommand {
    /// Print the tenant's counsel list for privilege review as JSON, or replace it with the
    /// JSON file given to --set ({names, emails, domains, client_domains}).
    Counsel {
        #[arg(long, value_parser = TenantId::parse)]
        tenant: TenantId,
        /// A JSON file holding the new list.
        #[arg(long)]
        set: Option<std::path::PathBuf>,
        #[command(flatten)]
        server: ServeArgs,
    },
    /// Start a run, follow it, and write its export to --out.
    Run {
        /// privilege_review, chronology or case_brief.
        agent: String,
        #[arg(long, value_parser = TenantId::parse)]
        tenant: TenantId,
        /// The question a case brief answers.
        #[arg(long)]
        question: Option<String>,
        /// Write the export here: the privilege log (CSV), the chronology (CSV, or Markdown for
        /// a .md file) or the case brief (Markdown).
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        #[command(flatten)]
        server: ServeArgs,
    },
}

#[derive(Subcommand)]
enum TenantCommand {
    /// Create a tenant on a plan.
    Create {
        #[arg(value_parser = TenantId::parse)]
        tenant: TenantId,
        /// The plan (default: DOCKET_DEFAULT_PLAN).
        #[arg(long)]
        plan: Option<PlanId>,
        #[arg(long)]
        organization: String,
    },
    /// Move a tenant to another plan (recorded as DOCKET_OPERATOR, else the OS user).
    SetPlan {
        #[arg(value_parser = TenantId::parse)]
        tenant: TenantId,
        plan: PlanId,
    },
}

/// The hidden subcommand that parses one file for the server's parser sandbox (see
/// `docket_corpus::parse::sandbox`): dispatched before the configuration is read, so the child
/// needs none of it and starts fast.
const PARSE_WORKER: &str = "parse-worker";

fn main() -> Result<()> {
    if std::env::args_os().nth(1).is_some_and(|a| a == PARSE_WORKER) {
        std::process::exit(docket_corpus::parse::sandbox::serve_worker());
    }
    // The server parses PDF, DOCX and e-mail in children of this very executable.
    docket_corpus::ParserSandbox::register_current_exe(&[PARSE_WORKER]).context("locating the docket executable")?;
    let cli = Cli::parse();
    // Everything this process creates under the storage folder is the owner's alone.
    docket_server::restrict_new_files();
    init_logging(cli.config.log_format);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the runtime")?;
    runtime.block_on(run(cli))
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("DOCKET_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tantivy=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if format == LogFormat::Json {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn run(cli: Cli) -> Result<()> {
    let config = cli.config;
    match cli.command {
        Command::Serve(args) => {
            let listener = tokio::net::TcpListener::bind(args.bind)
                .await
                .with_context(|| format!("binding {} (DOCKET_BIND)", args.bind))?;
            let local = listener.local_addr()?;
            eprintln!("docket listening on http://{local}  (storage: {})", config.storage_dir.display());
            if !docket_corpus::parse::pdf_tools_available() {
                tracing::error!("pdftotext is not installed (Debian package poppler-utils): every PDF file will fail");
            }
            docket_server::serve(config, listener, shutdown_signal()).await?;
            Ok(())
        }
        Command::Token(args) => token(&config, args),
        Command::Plans => {
            print_plans();
            Ok(())
        }
        Command::Tenants { period } => tenants(&config, period).await,
        Command::Triage { period, format } => reports::triage(&config, period, format).await,
        Command::Report(cmd) => reports::report(&config, cmd).await,
        Command::Export(cmd) => exports::run(&config, cmd).await,
        Command::Tenant(cmd) => tenant(&config, cmd).await,
        Command::Webhooks(WebhooksCommand::Deliveries { status, format }) => {
            webhooks::deliveries(&config, status, format).await
        }
        Command::Reconcile(cmd) => reconcile::run(&config, cmd).await,
        Command::Audit(cmd) => retention::run(&config, cmd).await,
        Command::Ingest { path, tenant, upload, server } => {
            load::ingest(&config, server.bind, &path, &tenant, upload).await
        }
        Command::Demo { server } => load::demo(&config, server.bind).await,
        Command::Agent(AgentCommand::Run { agent, tenant, question, out, server }) => {
            let args =
                agent::AgentArgs { agent: &agent, tenant: &tenant, question: question.as_deref(), out: out.as_deref() };
            agent::run(&config, server.bind, args).await
        }
        Command::Agent(AgentCommand::Counsel { tenant, set, server }) => {
            agent::counsel(&config, server.bind, &tenant, set.as_deref()).await
        }
        Command::Extract { path, media_type } => extract::extract(&path, media_type.as_deref()),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutdown requested");
}

fn token(config: &Config, args: TokenArgs) -> Result<()> {
    let auth = Authenticator::from_config(config)?;
    let ttl = time::Duration::try_from(args.ttl).context("--ttl is too long")?;
    if ttl < time::Duration::SECOND {
        bail!("--ttl must be at least one second");
    }
    if ttl > auth.max_ttl() {
        bail!(
            "--ttl {} is longer than the longest lifetime tokens may have ({}, DOCKET_JWT_MAX_TTL)",
            humantime::format_duration(args.ttl),
            humantime::format_duration(config.jwt_max_ttl)
        );
    }
    let tenant = args.tenant.as_ref().map(TenantId::as_str);
    let claims = Authenticator::claims(&args.sub, tenant, &args.roles, &args.scopes, &args.audiences, ttl);
    println!("{}", auth.sign(&claims)?);
    Ok(())
}

fn print_plans() {
    println!(
        "{:<13} {:>10} {:>9} {:>10} {:>6}  {:<9} {:>6} {:>9} {:>8}",
        "plan", "USD/month", "queries", "ingest GB", "seats", "support", "SLA h", "$/query", "$/GB"
    );
    for p in &PLANS {
        println!(
            "{:<13} {:>10} {:>9} {:>10} {:>6}  {:<9} {:>6} {:>9} {:>8}",
            p.id.as_str(),
            docket_billing::money::amount_string(p.monthly_price_usd),
            p.included_queries,
            p.included_ingest_gb,
            p.included_seats,
            p.support_tier.label(),
            p.support_tier.sla_hours(),
            docket_billing::money::rate_string(p.overage_per_query_usd),
            docket_billing::money::rate_string(p.overage_per_gb_usd)
        );
    }
    println!("alerts: soft at 80 % of a quota, hard at 95 %");
}

async fn tenants(config: &Config, period: Option<BillingPeriod>) -> Result<()> {
    let ledger = docket_server::open_ledger(config).await?;
    let now = OffsetDateTime::now_utc();
    let period = period.unwrap_or_else(|| BillingPeriod::containing(now));
    let snaps = ledger.snapshots(period, now, None).await?;
    println!("period {period}");
    println!(
        "{:<24} {:<13} {:>8} {:>8} {:>12} {:>8} {:>7}",
        "tenant", "plan", "ratio", "health", "projected $", "alert", "flagged"
    );
    for s in &snaps {
        println!(
            "{:<24} {:<13} {:>8.3} {:>8.3} {:>12} {:>8} {:>7}",
            s.tenant_id.as_str(),
            s.plan_id.as_str(),
            s.assessment.usage_ratio,
            s.assessment.health_score,
            docket_billing::money::amount_string(s.assessment.projected_monthly_cost_usd),
            s.assessment.alert_level.as_str(),
            if s.assessment.flagged { "yes" } else { "" }
        );
    }
    if snaps.is_empty() {
        println!("(no tenants yet: onboard one with POST /onboarding or `docket tenant create`)");
    }
    ledger.close().await;
    Ok(())
}

async fn tenant(config: &Config, cmd: TenantCommand) -> Result<()> {
    let ledger = docket_server::open_ledger(config).await?;
    let result = match cmd {
        TenantCommand::Create { tenant, plan, organization } => {
            if organization.trim().is_empty() {
                bail!("--organization must not be empty");
            }
            let plan = plan.unwrap_or(config.default_plan);
            ledger.create_tenant(&tenant, organization.trim(), plan).await.map(|t| {
                println!("created tenant {} ({}) on {}", t.tenant_id, t.organization, t.plan_id);
            })
        }
        TenantCommand::SetPlan { tenant, plan } => {
            let who = reconcile::operator(None);
            ledger
                .set_plan(&tenant, plan, &who)
                .await
                .map(|t| println!("tenant {} is now on {}", t.tenant_id, t.plan_id))
        }
    };
    ledger.close().await;
    Ok(result?)
}
