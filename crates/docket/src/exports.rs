//! Files for other systems: the weekly CRM sync and the monthly anonymised KPIs.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use docket_billing::money::amount_string;
use docket_billing::{BillingPeriod, PlanId, projected_overage};
use docket_ledger::{CrmFormat, TenantSnapshot, UsagePage, UsageQuery, crm_rows, write_crm};
use docket_server::Config;
use rand::RngCore;
use rust_decimal::Decimal;
use serde::Serialize;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// `docket export ...`.
#[derive(clap::Subcommand)]
pub enum ExportCommand {
    /// Weekly CRM sync: one row per tenant (organisation, contact, plan, seats, departments,
    /// go-live, success criteria, health, usage ratio, costs, alert level, last activity).
    Crm {
        /// File to write (replaced atomically, mode 0600: it holds contact details).
        #[arg(long)]
        out: PathBuf,
        /// csv (with a header row) or jsonl (one JSON object per line).
        #[arg(long, default_value = "csv")]
        format: CrmFormat,
        /// Billing period YYYY-MM (default: the current one).
        #[arg(long)]
        period: Option<BillingPeriod>,
    },
    /// Monthly KPIs: per-plan aggregates and tenant rows keyed by a salted hash, without
    /// names, e-mail addresses or free text.
    Kpis {
        /// Billing period YYYY-MM.
        #[arg(long)]
        period: BillingPeriod,
        /// File to write (default: stdout).
        #[arg(long)]
        out: Option<PathBuf>,
        /// json (default) or csv.
        #[arg(long, value_enum, default_value = "json")]
        format: KpiFormat,
    },
}

/// How the KPI export is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KpiFormat {
    /// One JSON document: `plans`, `total` and `tenants`.
    Json,
    /// One CSV table of every record, its kind in the `record` column.
    Csv,
}

/// Run an export command.
pub async fn run(config: &Config, cmd: ExportCommand) -> Result<()> {
    match cmd {
        ExportCommand::Crm { out, format, period } => {
            let page = every_tenant(config, period_or_current(period)).await?;
            let rows = crm_rows(&page.tenants);
            write_output(Some(&out), |w| Ok(write_crm(&rows, format, w)?))?;
            eprintln!("wrote {} tenant(s) of {} to {}", rows.len(), page.period, out.display());
            Ok(())
        }
        ExportCommand::Kpis { period, out, format } => {
            let salt = kpi_salt(&config.secrets_dir().join(KPI_SALT_FILE))?;
            let page = every_tenant(config, period).await?;
            let report = kpis(&page, &salt);
            write_output(out.as_deref(), |w| write_kpis(&report, format, w))
        }
    }
}

/// The given period, else the current one.
pub fn period_or_current(period: Option<BillingPeriod>) -> BillingPeriod {
    period.unwrap_or_else(|| BillingPeriod::containing(OffsetDateTime::now_utc()))
}

/// Every tenant's snapshot of `period`, by tenant id, from the usage view.
pub async fn every_tenant(config: &Config, period: BillingPeriod) -> Result<UsagePage> {
    let ledger = docket_server::open_ledger(config).await?;
    let page = ledger.usage_page(period, &UsageQuery::default()).await;
    ledger.close().await;
    Ok(page?)
}

/// Write to `out` (replaced atomically: a reader never sees half a file) or to stdout.
fn write_output(out: Option<&Path>, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let Some(path) = out else {
        let mut stdout = std::io::stdout().lock();
        write(&mut stdout)?;
        return Ok(stdout.flush()?);
    };
    let name = path.file_name().with_context(|| format!("--out {} names no file", path.display()))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(".partial");
    let tmp = path.with_file_name(tmp_name);
    let result = (|| -> Result<()> {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)
            .with_context(|| format!("creating {}", tmp.display()))?;
        let mut buffered = std::io::BufWriter::new(file);
        write(&mut buffered)?;
        let file = buffered.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The salt of the KPI tenant keys, under the storage's secrets folder.
pub const KPI_SALT_FILE: &str = "kpi_salt";
const SALT_BYTES: usize = 32;

/// The KPI salt: read, or generated once (32 random bytes, mode 0600) and reused after, so
/// that a tenant keeps its key from one month's export to the next.
fn kpi_salt(path: &Path) -> Result<[u8; SALT_BYTES]> {
    let read = |path: &Path| -> Result<[u8; SALT_BYTES]> {
        let bytes = std::fs::read(path).with_context(|| format!("reading the KPI salt {}", path.display()))?;
        match <[u8; SALT_BYTES]>::try_from(bytes.as_slice()) {
            Ok(salt) => Ok(salt),
            Err(_) => bail!("the KPI salt {} holds {} bytes, not {SALT_BYTES}", path.display(), bytes.len()),
        }
    };
    if path.exists() {
        return read(path);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut salt = [0u8; SALT_BYTES];
    rand::rng().fill_bytes(&mut salt);
    // create_new: of two exports started at once, one writes the salt and both use it.
    match std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path) {
        Ok(mut f) => {
            f.write_all(&salt).and_then(|()| f.sync_all()).with_context(|| format!("writing {}", path.display()))?;
            Ok(salt)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            std::thread::sleep(std::time::Duration::from_millis(50));
            read(path)
        }
        Err(e) => Err(e).with_context(|| format!("creating the KPI salt {}", path.display())),
    }
}

/// A tenant's key in the KPI export: hex SHA-256 of the salt followed by the tenant id.
pub fn tenant_key(salt: &[u8; SALT_BYTES], tenant_id: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(tenant_id.as_bytes());
    hex::encode(h.finalize())
}

/// The KPI columns, in order (the CSV header).
const KPI_COLUMNS: [&str; 11] = [
    "record",
    "key",
    "plan",
    "tenants",
    "monthly_recurring_revenue_usd",
    "overage_revenue_usd",
    "average_health",
    "flagged_share",
    "queries",
    "ingest_gb",
    "agent_runs",
];

/// Aggregates over some tenants (a plan, every tenant, or one tenant).
#[derive(Debug, Clone, Serialize)]
struct KpiRow {
    /// plan, total or tenant.
    record: &'static str,
    /// The plan id, "all", or the tenant's salted hash.
    key: String,
    /// The plan id, or "all".
    plan: String,
    tenants: u64,
    #[serde(with = "docket_billing::money::amount")]
    monthly_recurring_revenue_usd: Decimal,
    /// Projected overage (a closed period: billed overage), per invoice line to the cent.
    #[serde(with = "docket_billing::money::amount")]
    overage_revenue_usd: Decimal,
    /// Mean health score, 3 decimals (null without tenants).
    average_health: Option<f64>,
    /// Share of the tenants flagged for triage, 3 decimals (null without tenants).
    flagged_share: Option<f64>,
    queries: u64,
    /// GB (10^9 bytes), 3 decimals.
    ingest_gb: f64,
    agent_runs: u64,
}

/// Running sums behind a [`KpiRow`].
#[derive(Default)]
struct Sums {
    tenants: u64,
    mrr: Decimal,
    overage: Decimal,
    health: f64,
    flagged: u64,
    queries: u64,
    ingest_bytes: u64,
    agent_runs: u64,
}

impl Sums {
    fn add(&mut self, s: &TenantSnapshot, overage: Decimal) {
        self.tenants += 1;
        self.mrr += s.plan_id.plan().monthly_price_usd;
        self.overage += overage;
        self.health += s.assessment.health_score;
        self.flagged += u64::from(s.assessment.flagged);
        self.queries = self.queries.saturating_add(s.queries);
        self.ingest_bytes = self.ingest_bytes.saturating_add(s.ingest_bytes);
        self.agent_runs = self.agent_runs.saturating_add(s.agent_runs);
    }

    fn row(&self, record: &'static str, key: String, plan: &str) -> KpiRow {
        let round3 = |x: f64| (x * 1000.0).round() / 1000.0;
        let share = |x: f64| (self.tenants > 0).then(|| round3(x / self.tenants as f64));
        KpiRow {
            record,
            key,
            plan: plan.to_owned(),
            tenants: self.tenants,
            monthly_recurring_revenue_usd: self.mrr,
            overage_revenue_usd: self.overage,
            average_health: share(self.health),
            flagged_share: share(self.flagged as f64),
            queries: self.queries,
            ingest_gb: round3(self.ingest_bytes as f64 / docket_billing::BYTES_PER_GB as f64),
            agent_runs: self.agent_runs,
        }
    }
}

/// The monthly KPI export.
#[derive(Debug, Serialize)]
struct KpiReport {
    period: String,
    #[serde(with = "time::serde::rfc3339")]
    generated_at: OffsetDateTime,
    /// How tenant keys are made.
    tenant_key: &'static str,
    plans: Vec<KpiRow>,
    total: KpiRow,
    /// By key, so that the order tells nothing of the tenant ids.
    tenants: Vec<KpiRow>,
}

/// A tenant's projected overage (a closed period: what it was billed), invoice lines summed.
pub fn overage_of(s: &TenantSnapshot, at: OffsetDateTime) -> Decimal {
    projected_overage(s.plan_id.plan(), &s.usage(), s.period, at).iter().map(|l| l.overage_usd).sum()
}

fn kpis(page: &UsagePage, salt: &[u8; SALT_BYTES]) -> KpiReport {
    let at = page.generated_at.min(page.period.end());
    let mut per_plan: Vec<(PlanId, Sums)> = PlanId::ALL.iter().map(|p| (*p, Sums::default())).collect();
    let mut total = Sums::default();
    let mut tenants = Vec::with_capacity(page.tenants.len());
    for s in &page.tenants {
        let overage = overage_of(s, at);
        if let Some((_, sums)) = per_plan.iter_mut().find(|(p, _)| *p == s.plan_id) {
            sums.add(s, overage);
        }
        total.add(s, overage);
        let mut one = Sums::default();
        one.add(s, overage);
        tenants.push(one.row("tenant", tenant_key(salt, s.tenant_id.as_str()), s.plan_id.as_str()));
    }
    tenants.sort_by(|a, b| a.key.cmp(&b.key));
    KpiReport {
        period: page.period.to_string(),
        generated_at: page.generated_at,
        tenant_key: "hex SHA-256 of the 32-byte salt in storage/secrets/kpi_salt followed by the tenant id",
        plans: per_plan.iter().map(|(p, s)| s.row("plan", p.as_str().to_owned(), p.as_str())).collect(),
        total: total.row("total", "all".to_owned(), "all"),
        tenants,
    }
}

fn write_kpis(report: &KpiReport, format: KpiFormat, out: &mut dyn Write) -> Result<()> {
    match format {
        KpiFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, report)?;
            writeln!(out)?;
        }
        KpiFormat::Csv => {
            let mut csv = csv::Writer::from_writer(out);
            csv.write_record(KPI_COLUMNS)?;
            let opt = |x: Option<f64>| x.map(|v| format!("{v:.3}")).unwrap_or_default();
            for r in report.plans.iter().chain([&report.total]).chain(&report.tenants) {
                csv.write_record([
                    r.record.to_owned(),
                    r.key.clone(),
                    r.plan.clone(),
                    r.tenants.to_string(),
                    amount_string(r.monthly_recurring_revenue_usd),
                    amount_string(r.overage_revenue_usd),
                    opt(r.average_health),
                    opt(r.flagged_share),
                    r.queries.to_string(),
                    format!("{:.3}", r.ingest_gb),
                    r.agent_runs.to_string(),
                ])?;
            }
            csv.flush()?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_salt_is_made_once_private_and_reused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets").join(KPI_SALT_FILE);
        let first = kpi_salt(&path).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(kpi_salt(&path).unwrap(), first);
        assert_ne!(tenant_key(&first, "hale-llp"), tenant_key(&[0; 32], "hale-llp"));
        assert_eq!(tenant_key(&first, "hale-llp").len(), 64);
        std::fs::write(&path, b"short").unwrap();
        assert!(kpi_salt(&path).unwrap_err().to_string().contains("5 bytes"));
    }
}
