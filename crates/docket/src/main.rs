//! `docket`: the server and the operator's command line, on one configuration.

mod load;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use docket_billing::{BillingPeriod, PLANS, PlanId, TenantId};
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
        period: Option<String>,
    },
    /// Create or change tenants without the public intake.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Load a folder or file of a matter into a tenant, with a progress bar (through the
    /// server at DOCKET_BIND when one runs, else through one started for the purpose).
    Ingest {
        /// File or folder to ingest.
        path: std::path::PathBuf,
        #[arg(long)]
        tenant: String,
        #[command(flatten)]
        server: ServeArgs,
    },
    /// Load the built-in demo matter into the 'demo' tenant and run a few searches.
    Demo {
        #[command(flatten)]
        server: ServeArgs,
    },
}

#[derive(clap::Args)]
struct TokenArgs {
    /// Tenant the token speaks for.
    #[arg(long)]
    tenant: Option<String>,
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
    /// Lifetime, e.g. 30m, 1h, 7d.
    #[arg(long, default_value = "1h")]
    ttl: String,
}

#[derive(Subcommand)]
enum TenantCommand {
    /// Create a tenant on a plan.
    Create {
        tenant: String,
        #[arg(long)]
        plan: String,
        #[arg(long)]
        organization: String,
    },
    /// Move a tenant to another plan.
    SetPlan { tenant: String, plan: String },
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    init_logging(&cli.config.log_format);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the runtime")?;
    runtime.block_on(run(cli))
}

fn init_logging(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("DOCKET_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tantivy=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if format == "json" {
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
            docket_server::serve(config, listener, shutdown_signal()).await?;
            Ok(())
        }
        Command::Token(args) => token(&config, args),
        Command::Plans => {
            print_plans();
            Ok(())
        }
        Command::Tenants { period } => tenants(&config, period.as_deref()).await,
        Command::Tenant(cmd) => tenant(&config, cmd).await,
        Command::Ingest { path, tenant, server } => load::ingest(&config, server.bind, &path, &tenant).await,
        Command::Demo { server } => load::demo(&config, server.bind).await,
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
    let ttl = parse_ttl(&args.ttl)?;
    if let Some(t) = &args.tenant {
        TenantId::parse(t)?;
    }
    let auth = Authenticator::from_config(config)?;
    let claims =
        Authenticator::claims(&args.sub, args.tenant.as_deref(), &args.roles, &args.scopes, &args.audiences, ttl);
    println!("{}", auth.sign(&claims)?);
    Ok(())
}

fn parse_ttl(s: &str) -> Result<time::Duration> {
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: i64 = num.parse().with_context(|| format!("invalid --ttl '{s}': use e.g. 30m, 1h, 7d"))?;
    let d = match unit {
        "s" => time::Duration::seconds(n),
        "m" => time::Duration::minutes(n),
        "h" | "" => time::Duration::hours(n),
        "d" => time::Duration::days(n),
        _ => bail!("invalid --ttl '{s}': use s, m, h or d"),
    };
    if n <= 0 {
        bail!("--ttl must be positive");
    }
    Ok(d)
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

async fn tenants(config: &Config, period: Option<&str>) -> Result<()> {
    let ledger = docket_server::open_ledger(config).await?;
    let now = OffsetDateTime::now_utc();
    let period = match period {
        Some(p) => p.parse::<BillingPeriod>()?,
        None => BillingPeriod::containing(now),
    };
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
            let id = TenantId::parse(&tenant)?;
            let plan: PlanId = plan.parse()?;
            if organization.trim().is_empty() {
                bail!("--organization must not be empty");
            }
            ledger.create_tenant(&id, organization.trim(), plan).await.map(|t| {
                println!("created tenant {} ({}) on {}", t.tenant_id, t.organization, t.plan_id);
            })
        }
        TenantCommand::SetPlan { tenant, plan } => {
            let id = TenantId::parse(&tenant)?;
            let plan: PlanId = plan.parse()?;
            ledger.set_plan(&id, plan).await.map(|t| println!("tenant {} is now on {}", t.tenant_id, t.plan_id))
        }
    };
    ledger.close().await;
    Ok(result?)
}
