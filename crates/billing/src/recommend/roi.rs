//! ROI: the value of the hours Docket takes over against a plan's monthly cost.

use rust_decimal::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::sizing::{
    MONTHS_PER_YEAR, PAYBACK_DAYS_PER_MONTH, RecommendationRequest, float_option, monthly_hours_saved,
};
use crate::plans::PlanId;

/// Which plan an ROI was computed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoiBasis {
    /// The plan the prospect selected.
    Selected,
    /// The recommended plan (nothing was selected).
    Recommended,
}

/// The return on one plan, per month unless named otherwise; money in USD rounded to cents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Roi {
    /// The plan the figures are for.
    pub plan_id: PlanId,
    /// Whether that plan was selected or recommended.
    pub basis: RoiBasis,
    /// matters × baseline hours × automation % / 100, rounded to 2 decimals.
    #[serde(with = "rust_decimal::serde::float")]
    #[schema(value_type = f64)]
    pub monthly_hours_saved: Decimal,
    /// Hours saved × hourly rate.
    #[serde(with = "crate::money::amount")]
    #[schema(value_type = String, example = "3499.00")]
    pub monthly_value_usd: Decimal,
    /// 12 × the monthly value.
    #[serde(with = "crate::money::amount")]
    #[schema(value_type = String, example = "3499.00")]
    pub annual_value_usd: Decimal,
    /// The plan's projected monthly cost (price plus overage).
    #[serde(with = "crate::money::amount")]
    #[schema(value_type = String, example = "3499.00")]
    pub plan_monthly_cost_usd: Decimal,
    /// Monthly value minus the plan's monthly cost (negative when the plan costs more).
    #[serde(with = "crate::money::amount")]
    #[schema(value_type = String, example = "3499.00")]
    pub net_monthly_value_usd: Decimal,
    /// Days of value that cover one month's cost (cost × 30 / value); 0 if free, null if no value.
    #[serde(with = "float_option")]
    #[schema(value_type = Option<f64>)]
    pub payback_days: Option<Decimal>,
    /// Monthly value / monthly cost, 2 decimals; null for a plan that costs nothing.
    #[serde(with = "float_option")]
    #[schema(value_type = Option<f64>)]
    pub roi_multiple: Option<Decimal>,
}

pub(super) fn cents(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

pub(super) fn roi_for(req: &RecommendationRequest, plan_id: PlanId, basis: RoiBasis, cost: Decimal) -> Roi {
    let hours = monthly_hours_saved(req);
    let value = hours.saturating_mul(req.hourly_rate.max(Decimal::ZERO));
    let payback_days = if cost.is_zero() {
        Some(Decimal::ZERO)
    } else if value.is_zero() {
        None
    } else {
        cost.saturating_mul(PAYBACK_DAYS_PER_MONTH).checked_div(value).map(cents)
    };
    let roi_multiple = if cost.is_zero() { None } else { value.checked_div(cost).map(cents) };
    Roi {
        plan_id,
        basis,
        monthly_hours_saved: cents(hours),
        monthly_value_usd: cents(value),
        annual_value_usd: cents(value.saturating_mul(MONTHS_PER_YEAR)),
        plan_monthly_cost_usd: cents(cost),
        net_monthly_value_usd: cents(value.saturating_sub(cost)),
        payback_days,
        roi_multiple,
    }
}
