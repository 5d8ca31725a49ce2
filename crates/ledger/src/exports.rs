//! The weekly CRM export: one row per tenant with its onboarding facts and its standing in a
//! period, written as CSV or JSON Lines from one column list, so that `docket export crm` and
//! `GET /billing/export/crm` cannot drift apart.

use std::borrow::Cow;
use std::fmt;
use std::io::Write;
use std::str::FromStr;

use docket_billing::money::amount_string;
use docket_billing::{AlertLevel, PlanId};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

use crate::model::TenantSnapshot;

/// The CRM export's columns, in order: the CSV header and the keys of each JSON line.
pub const CRM_COLUMNS: [&str; 18] = [
    "tenant_id",
    "period",
    "organization",
    "contact_name",
    "contact_email",
    "plan",
    "seats",
    "active_seats",
    "departments",
    "go_live_date",
    "success_criteria",
    "health_score",
    "usage_ratio",
    "cost_to_date_usd",
    "projected_cost_usd",
    "projected_overage_usd",
    "alert_level",
    "last_activity_at",
];

/// Separator of the items of a list (departments, success criteria) in one CSV cell.
pub const CSV_LIST_SEPARATOR: &str = "; ";

/// One tenant in the CRM export. Fields are in [`CRM_COLUMNS`] order.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CrmRow {
    pub tenant_id: String,
    /// Billing period, YYYY-MM.
    pub period: String,
    pub organization: String,
    /// From the onboarding intake; null for a tenant created without it.
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub plan: PlanId,
    /// Seats sized at onboarding (null without an intake).
    pub seats: Option<u64>,
    /// Distinct people active in the period.
    pub active_seats: u64,
    pub departments: Vec<String>,
    /// Planned go-live, YYYY-MM-DD.
    pub go_live_date: Option<String>,
    pub success_criteria: Vec<String>,
    pub health_score: f64,
    pub usage_ratio: f64,
    /// Decimal string, two decimals.
    #[serde(with = "docket_billing::money::amount")]
    #[schema(value_type = String, example = "3499.00")]
    pub cost_to_date_usd: Decimal,
    #[serde(with = "docket_billing::money::amount")]
    #[schema(value_type = String, example = "3514.00")]
    pub projected_cost_usd: Decimal,
    /// Projected cost above the plan price.
    #[serde(with = "docket_billing::money::amount")]
    #[schema(value_type = String, example = "15.00")]
    pub projected_overage_usd: Decimal,
    pub alert_level: AlertLevel,
    /// Time of the last usage event, RFC 3339; null when none yet.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_activity_at: Option<OffsetDateTime>,
}

impl CrmRow {
    /// The row of one tenant's snapshot.
    pub fn of(s: &TenantSnapshot) -> CrmRow {
        let intake = s.onboarding.as_ref();
        let text = |key: &str| intake.and_then(|i| i.get(key)).and_then(Value::as_str).map(str::to_owned);
        let list = |key: &str| {
            intake
                .and_then(|i| i.get(key))
                .and_then(Value::as_array)
                .map(|items| items.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                .unwrap_or_default()
        };
        let a = &s.assessment;
        CrmRow {
            tenant_id: s.tenant_id.to_string(),
            period: s.period.to_string(),
            organization: s.organization.clone(),
            contact_name: text("contact_name"),
            contact_email: text("contact_email"),
            plan: s.plan_id,
            seats: intake.and_then(|i| i.get("seats")).and_then(Value::as_u64),
            active_seats: s.active_seats,
            departments: list("departments"),
            go_live_date: text("go_live_date"),
            success_criteria: list("success_criteria"),
            health_score: a.health_score,
            usage_ratio: a.usage_ratio,
            cost_to_date_usd: a.cost_to_date_usd,
            projected_cost_usd: a.projected_monthly_cost_usd,
            projected_overage_usd: (a.projected_monthly_cost_usd - s.plan_id.plan().monthly_price_usd)
                .max(Decimal::ZERO),
            alert_level: a.alert_level,
            last_activity_at: s.last_event_at,
        }
    }

    /// The CSV cells, in [`CRM_COLUMNS`] order. Free text is guarded against formula
    /// injection (see [`formula_safe`]).
    pub fn csv_cells(&self) -> [String; CRM_COLUMNS.len()] {
        let free = |s: &str| formula_safe(s).into_owned();
        let opt = |s: &Option<String>| s.as_deref().map(free).unwrap_or_default();
        [
            self.tenant_id.clone(),
            self.period.clone(),
            free(&self.organization),
            opt(&self.contact_name),
            opt(&self.contact_email),
            self.plan.as_str().to_owned(),
            self.seats.map(|n| n.to_string()).unwrap_or_default(),
            self.active_seats.to_string(),
            free(&self.departments.join(CSV_LIST_SEPARATOR)),
            self.go_live_date.clone().unwrap_or_default(),
            free(&self.success_criteria.join(CSV_LIST_SEPARATOR)),
            format!("{:.3}", self.health_score),
            format!("{:.3}", self.usage_ratio),
            amount_string(self.cost_to_date_usd),
            amount_string(self.projected_cost_usd),
            amount_string(self.projected_overage_usd),
            self.alert_level.as_str().to_owned(),
            self.last_activity_at.and_then(|t| t.format(&Rfc3339).ok()).unwrap_or_default(),
        ]
    }
}

/// A free-text CSV cell that a spreadsheet would run as a formula (it starts with `=`, `+`,
/// `-`, `@`, a tab or a carriage return) gets a leading apostrophe, which spreadsheets show
/// as text and do not evaluate (OWASP's advice for CSV injection). Other cells are unchanged.
pub fn formula_safe(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// How the CRM export is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CrmFormat {
    /// RFC 4180 CSV with a header row.
    #[default]
    Csv,
    /// JSON Lines: one JSON object per tenant, no header.
    Jsonl,
}

impl CrmFormat {
    /// The media type the export is served as.
    pub fn content_type(self) -> &'static str {
        match self {
            CrmFormat::Csv => "text/csv; charset=utf-8",
            CrmFormat::Jsonl => "application/x-ndjson",
        }
    }

    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            CrmFormat::Csv => "csv",
            CrmFormat::Jsonl => "jsonl",
        }
    }
}

impl fmt::Display for CrmFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.extension())
    }
}

impl FromStr for CrmFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(CrmFormat::Csv),
            "jsonl" | "ndjson" => Ok(CrmFormat::Jsonl),
            _ => Err(format!("unknown format '{s}': expected csv or jsonl")),
        }
    }
}

/// One row per snapshot, in the snapshots' order.
pub fn crm_rows(snapshots: &[TenantSnapshot]) -> Vec<CrmRow> {
    snapshots.iter().map(CrmRow::of).collect()
}

/// Write the export in `format`.
pub fn write_crm(rows: &[CrmRow], format: CrmFormat, out: impl Write) -> std::io::Result<()> {
    match format {
        CrmFormat::Csv => {
            let mut csv = csv::Writer::from_writer(out);
            csv.write_record(CRM_COLUMNS)?;
            for row in rows {
                csv.write_record(row.csv_cells())?;
            }
            csv.flush()
        }
        CrmFormat::Jsonl => {
            let mut out = std::io::BufWriter::new(out);
            for row in rows {
                serde_json::to_writer(&mut out, row)?;
                out.write_all(b"\n")?;
            }
            out.flush()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use docket_billing::{BillingPeriod, TenantId, UsageTotals, assess};
    use rust_decimal_macros::dec;
    use serde_json::json;
    use time::macros::datetime;

    fn snapshot(organization: &str, intake: Option<Value>) -> TenantSnapshot {
        let plan = PlanId::Professional;
        let period: BillingPeriod = "2026-10".parse().unwrap();
        let usage = UsageTotals { queries: 6_000, active_seats: 4, ..Default::default() };
        let last = datetime!(2026-10-20 09:30 UTC);
        TenantSnapshot {
            tenant_id: TenantId::parse("hale-llp").unwrap(),
            organization: organization.to_owned(),
            period,
            plan_id: plan,
            support_tier: plan.plan().support_tier,
            support_sla_hours: plan.plan().support_tier.sla_hours(),
            queries: usage.queries,
            ingest_bytes: 0,
            ingest_gb: 0.0,
            timeline_requests: 0,
            agent_runs: 0,
            active_seats: usage.active_seats,
            assessment: assess(plan.plan(), &usage, period, period.end(), Some(last)),
            onboarding: intake,
            last_event_at: Some(last),
        }
    }

    #[test]
    fn json_keys_and_csv_cells_follow_the_column_list() {
        let intake = json!({"contact_name": "Ana Ortiz", "contact_email": "ana@example.com", "seats": 12,
            "departments": ["Litigation", "Compliance"], "success_criteria": ["Log in a day"], "go_live_date": "2027-01-15"});
        let row = CrmRow::of(&snapshot("Hale LLP", Some(intake)));
        let json = serde_json::to_value(&row).unwrap();
        assert_eq!(json.as_object().unwrap().len(), CRM_COLUMNS.len());
        // The keys are written in column order.
        let text = serde_json::to_string(&row).unwrap();
        let at: Vec<usize> = CRM_COLUMNS.iter().map(|c| text.find(&format!("\"{c}\":")).expect(c)).collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{text}");
        assert_eq!(row.projected_overage_usd, dec!(15.00));
        let cells = row.csv_cells();
        assert_eq!(cells[8], "Litigation; Compliance");
        assert_eq!(cells[15], "15.00");
        assert_eq!(cells[17], "2026-10-20T09:30:00Z");
        let mut out = Vec::new();
        write_crm(&[row], CrmFormat::Jsonl, &mut out).unwrap();
        let line: Value = serde_json::from_slice(out.strip_suffix(b"\n").unwrap()).unwrap();
        assert_eq!(line, json);
    }

    #[test]
    fn docs_api_lists_the_columns_in_order() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/api.md");
        let doc = std::fs::read_to_string(path).unwrap();
        let section = doc.split("## CRM export columns").nth(1).expect("the section in docs/api.md");
        let listed: Vec<&str> = section
            .lines()
            .take_while(|l| !l.starts_with("## "))
            .filter_map(|l| l.strip_prefix("| `")?.split('`').next())
            .collect();
        assert_eq!(listed, CRM_COLUMNS);
    }

    #[test]
    fn formulas_in_free_text_are_neutralised_in_csv_only() {
        let row = CrmRow::of(&snapshot("=HYPERLINK(\"http://x\")", Some(json!({"contact_name": "@boss"}))));
        let cells = row.csv_cells();
        assert_eq!(cells[2], "'=HYPERLINK(\"http://x\")");
        assert_eq!(cells[3], "'@boss");
        assert_eq!(cells[4], "");
        assert_eq!(row.organization, "=HYPERLINK(\"http://x\")");
        for safe in ["Hale LLP", "O'Brien", ""] {
            assert_eq!(formula_safe(safe), safe);
        }
        for risky in ["+1", "-1", "\tx", "\rx"] {
            assert!(formula_safe(risky).starts_with('\''), "{risky}");
        }
    }
}
