//! The plan catalogue and support tiers: the published pricing, exactly.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Share of a quota at which the soft alert fires.
pub const SOFT_ALERT_THRESHOLD: f64 = 0.80;
/// Share of a quota at which the hard alert fires.
pub const HARD_ALERT_THRESHOLD: f64 = 0.95;

/// One of the three plans Docket is sold in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanId {
    Community,
    Professional,
    Enterprise,
}

impl PlanId {
    /// Every plan, from the lowest tier to the highest.
    pub const ALL: [PlanId; 3] = [PlanId::Community, PlanId::Professional, PlanId::Enterprise];

    /// The identifier used in the API, the ledger and configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            PlanId::Community => "community",
            PlanId::Professional => "professional",
            PlanId::Enterprise => "enterprise",
        }
    }

    /// The plan's published terms.
    pub fn plan(self) -> &'static Plan {
        match self {
            PlanId::Community => &PLANS[0],
            PlanId::Professional => &PLANS[1],
            PlanId::Enterprise => &PLANS[2],
        }
    }
}

impl fmt::Display for PlanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A plan name that is not one of the catalogue's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown plan '{0}': expected community, professional or enterprise")]
pub struct UnknownPlan(pub String);

impl FromStr for PlanId {
    type Err = UnknownPlan;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "community" => Ok(PlanId::Community),
            "professional" => Ok(PlanId::Professional),
            "enterprise" => Ok(PlanId::Enterprise),
            _ => Err(UnknownPlan(s.to_owned())),
        }
    }
}

/// The support tier that comes with a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SupportTier {
    Community,
    Standard,
    Premium,
}

impl SupportTier {
    /// The identifier used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            SupportTier::Community => "community",
            SupportTier::Standard => "standard",
            SupportTier::Premium => "premium",
        }
    }

    /// The tier's name as published.
    pub fn label(self) -> &'static str {
        match self {
            SupportTier::Community => "Community",
            SupportTier::Standard => "Standard",
            SupportTier::Premium => "Premium",
        }
    }

    /// Hours within which support answers.
    pub fn sla_hours(self) -> u32 {
        match self {
            SupportTier::Community => 48,
            SupportTier::Standard => 12,
            SupportTier::Premium => 2,
        }
    }

    /// How a customer on this tier reaches support.
    pub fn channels(self) -> &'static [&'static str] {
        match self {
            SupportTier::Community => &["async email", "forum"],
            SupportTier::Standard => &["Zendesk queue", "scheduled reviews"],
            SupportTier::Premium => &["24x7 hotline", "Slack Connect"],
        }
    }

    /// The contact path as one line, as in the published table.
    pub fn contact_path(self) -> &'static str {
        match self {
            SupportTier::Community => "async email / forum",
            SupportTier::Standard => "Zendesk queue + scheduled reviews",
            SupportTier::Premium => "24x7 hotline + Slack Connect",
        }
    }
}

impl fmt::Display for SupportTier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A support tier name that is not one of the catalogue's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown support tier '{0}': expected community, standard or premium")]
pub struct UnknownSupportTier(pub String);

impl SupportTier {
    /// Every support tier, from the slowest answer to the fastest.
    pub const ALL: [SupportTier; 3] = [SupportTier::Community, SupportTier::Standard, SupportTier::Premium];
}

impl FromStr for SupportTier {
    type Err = UnknownSupportTier;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SupportTier::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownSupportTier(s.to_owned()))
    }
}

/// A plan's published terms. Money is in USD as exact decimals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub id: PlanId,
    pub label: &'static str,
    pub monthly_price_usd: Decimal,
    pub included_queries: u64,
    pub included_ingest_gb: u64,
    pub included_seats: u64,
    pub support_tier: SupportTier,
    pub overage_per_query_usd: Decimal,
    pub overage_per_gb_usd: Decimal,
}

impl Plan {
    /// Included ingest, in bytes (1 GB = 10^9 bytes).
    pub fn included_ingest_bytes(&self) -> u64 {
        self.included_ingest_gb * BYTES_PER_GB
    }
}

/// One GB as billed: 10^9 bytes of accepted document content.
pub const BYTES_PER_GB: u64 = 1_000_000_000;

/// The catalogue, lowest tier first. Changing it changes published pricing.
pub static PLANS: [Plan; 3] = [
    Plan {
        id: PlanId::Community,
        label: "Community",
        monthly_price_usd: dec!(0),
        included_queries: 500,
        included_ingest_gb: 5,
        included_seats: 5,
        support_tier: SupportTier::Community,
        overage_per_query_usd: dec!(0.02),
        overage_per_gb_usd: dec!(3.00),
    },
    Plan {
        id: PlanId::Professional,
        label: "Professional",
        monthly_price_usd: dec!(3499),
        included_queries: 5_000,
        included_ingest_gb: 60,
        included_seats: 25,
        support_tier: SupportTier::Standard,
        overage_per_query_usd: dec!(0.015),
        overage_per_gb_usd: dec!(2.40),
    },
    Plan {
        id: PlanId::Enterprise,
        label: "Enterprise",
        monthly_price_usd: dec!(8999),
        included_queries: 20_000,
        included_ingest_gb: 250,
        included_seats: 100,
        support_tier: SupportTier::Premium,
        overage_per_query_usd: dec!(0.010),
        overage_per_gb_usd: dec!(1.60),
    },
];

/// The catalogue as served by `GET /billing/plans`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PlanView {
    pub plan_id: PlanId,
    pub label: String,
    #[serde(with = "crate::money::amount")]
    #[schema(value_type = String, example = "3499.00")]
    pub monthly_price_usd: Decimal,
    pub included_queries: u64,
    pub included_ingest_gb: u64,
    pub included_seats: u64,
    pub support_tier: SupportTier,
    pub support_tier_label: String,
    pub support_sla_hours: u32,
    pub support_channels: Vec<String>,
    pub support_contact_path: String,
    #[serde(with = "crate::money::rate")]
    #[schema(value_type = String, example = "0.015")]
    pub overage_per_query_usd: Decimal,
    #[serde(with = "crate::money::rate")]
    #[schema(value_type = String, example = "2.40")]
    pub overage_per_gb_usd: Decimal,
}

impl From<&Plan> for PlanView {
    fn from(p: &Plan) -> Self {
        PlanView {
            plan_id: p.id,
            label: p.label.to_owned(),
            monthly_price_usd: p.monthly_price_usd,
            included_queries: p.included_queries,
            included_ingest_gb: p.included_ingest_gb,
            included_seats: p.included_seats,
            support_tier: p.support_tier,
            support_tier_label: p.support_tier.label().to_owned(),
            support_sla_hours: p.support_tier.sla_hours(),
            support_channels: p.support_tier.channels().iter().map(|c| (*c).to_owned()).collect(),
            support_contact_path: p.support_tier.contact_path().to_owned(),
            overage_per_query_usd: p.overage_per_query_usd,
            overage_per_gb_usd: p.overage_per_gb_usd,
        }
    }
}

/// The alert thresholds as served beside the catalogue.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AlertThresholds {
    pub soft: f64,
    pub hard: f64,
}

/// `GET /billing/plans`: the catalogue and the alert thresholds.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Catalogue {
    pub plans: Vec<PlanView>,
    pub alert_thresholds: AlertThresholds,
}

/// The published catalogue.
pub fn catalogue() -> Catalogue {
    Catalogue {
        plans: PLANS.iter().map(PlanView::from).collect(),
        alert_thresholds: AlertThresholds { soft: SOFT_ALERT_THRESHOLD, hard: HARD_ALERT_THRESHOLD },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_ids_round_trip() {
        for id in PlanId::ALL {
            assert_eq!(id.as_str().parse::<PlanId>().unwrap(), id);
            assert_eq!(id.plan().id, id);
        }
        assert!("gold".parse::<PlanId>().is_err());
        for tier in SupportTier::ALL {
            assert_eq!(tier.as_str().parse::<SupportTier>().unwrap(), tier);
        }
        assert_eq!(" Premium ".parse::<SupportTier>().unwrap(), SupportTier::Premium);
        assert!("gold".parse::<SupportTier>().is_err());
    }

    #[test]
    fn catalogue_lists_lowest_tier_first() {
        let c = catalogue();
        let prices: Vec<_> = c.plans.iter().map(|p| p.monthly_price_usd).collect();
        assert_eq!(prices, vec![dec!(0), dec!(3499), dec!(8999)]);
        assert_eq!(c.alert_thresholds.soft, 0.80);
        assert_eq!(c.alert_thresholds.hard, 0.95);
    }
}
