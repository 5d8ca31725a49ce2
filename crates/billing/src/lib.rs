//! The commercial domain of Docket: plans and support tiers, billing periods, usage ratio,
//! cost to date and projected cost, health score, quota alerts, plan recommendation and ROI.
//!
//! Pure: no I/O, no async. Everything that prices or scores usage is computed here, once.

pub mod fields;
pub mod money;
pub mod onboarding;
pub mod overage;
pub mod overrides;
pub mod period;
pub mod plans;
pub mod recommend;
pub mod tenant;
pub mod triage;
pub mod usage;
pub mod window;

pub use fields::FieldError;
pub use onboarding::OnboardingIntake;
pub use overage::{OverageLine, PRICED_DIMENSIONS, projected_overage};
pub use overrides::{OverrideProblem, OverrideValue, Overrides, PlanOverrides, SupportOverrides};
pub use period::{BillingPeriod, InvalidPeriod, MAX_YEAR, MIN_YEAR};
pub use plans::{
    AlertThresholds, BYTES_PER_GB, Catalogue, HARD_ALERT_THRESHOLD, PLANS, Plan, PlanId, PlanView,
    SOFT_ALERT_THRESHOLD, SupportTier, UnknownPlan, UnknownSupportTier, catalogue,
};
pub use recommend::{Evaluation, PlanOption, Recommendation, RecommendationRequest, Roi, RoiBasis, evaluate};
pub use tenant::{InvalidTenantId, TenantId};
pub use triage::{TriageAssessment, triage};
pub use usage::{
    AlertLevel, ConsumptionView, HealthComponents, QuotaDimension, UsageAssessment, UsageTotals, assess, consumption,
    cost_to_date, projected_monthly_cost, usage_ratio,
};
pub use window::{GRACE_PERIOD, MAX_CLOCK_SKEW, accept_event_time, earliest_accepted};
