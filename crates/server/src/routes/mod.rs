//! Routes by area.

pub mod access;
pub mod agents;
pub mod billing;
pub mod documents;
pub mod entities;
pub mod exports;
pub mod health;
pub mod ingest;
pub mod onboarding;
pub mod query;
pub mod support;
pub mod timeline;
pub mod triage;
pub mod usage;

use serde::Deserialize;

use crate::error::ApiError;
use docket_billing::BillingPeriod;

/// `?period=YYYY-MM`, defaulting to the current period.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// Billing period, YYYY-MM (UTC); the current one when absent.
    pub period: Option<String>,
}

/// Parse an optional period, naming the field when it is wrong.
pub fn period_or_current(period: Option<&str>) -> Result<BillingPeriod, ApiError> {
    match period {
        None => Ok(BillingPeriod::containing(time::OffsetDateTime::now_utc())),
        Some(p) => {
            p.parse().map_err(|e: docket_billing::InvalidPeriod| ApiError::invalid_field("period", e.to_string()))
        }
    }
}
