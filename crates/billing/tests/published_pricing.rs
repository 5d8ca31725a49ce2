//! Fails when the published plan table (docs/commercial/pricing.md) and the code disagree.

use docket_billing::{PLANS, PlanId};
use rust_decimal::Decimal;

fn money(cell: &str) -> Decimal {
    cell.replace(',', "").parse().unwrap_or_else(|e| panic!("'{cell}' is not an amount: {e}"))
}

fn count(cell: &str) -> u64 {
    cell.replace(',', "").parse().unwrap_or_else(|e| panic!("'{cell}' is not a number: {e}"))
}

#[test]
fn published_pricing_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/commercial/pricing.md");
    let doc = std::fs::read_to_string(path).expect("docs/commercial/pricing.md");
    let rows: Vec<Vec<String>> = doc
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| plan") && !l.starts_with("| ---"))
        .map(|l| l.trim_matches('|').split('|').map(|c| c.trim().to_owned()).collect())
        .collect();
    assert_eq!(rows.len(), PLANS.len(), "one published row per plan");
    for (row, plan) in rows.iter().zip(PLANS.iter()) {
        let id: PlanId = row[0].parse().expect("plan id");
        assert_eq!(id, plan.id);
        assert_eq!(money(&row[1]), plan.monthly_price_usd, "{id} price");
        assert_eq!(count(&row[2]), plan.included_queries, "{id} queries");
        assert_eq!(count(&row[3]), plan.included_ingest_gb, "{id} ingest GB");
        assert_eq!(count(&row[4]), plan.included_seats, "{id} seats");
        let support = format!("{} ({})", plan.support_tier.label(), plan.support_tier.contact_path());
        assert_eq!(row[5], support, "{id} support");
        assert_eq!(count(&row[6]), u64::from(plan.support_tier.sla_hours()), "{id} SLA");
        assert_eq!(money(&row[7]), plan.overage_per_query_usd, "{id} overage per query");
        assert_eq!(money(&row[8]), plan.overage_per_gb_usd, "{id} overage per GB");
    }
}
