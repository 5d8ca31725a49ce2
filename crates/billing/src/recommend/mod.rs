//! Plan recommendation and ROI: the one implementation behind `POST /onboarding`,
//! `POST /billing/recommend` and the web intake form (see docs/commercial/roi_calculator.md).
//! Sizing reads the intake and projects usage, recommendation prices every plan on it, ROI
//! sets the value of the hours saved against the chosen plan's cost.

mod recommendation;
mod roi;
mod sizing;

pub use recommendation::{Evaluation, PlanOption, Recommendation, evaluate};
pub use roi::{Roi, RoiBasis};
pub use sizing::*;
pub(crate) use sizing::{SIZING_FIELDS, read_sizing};

#[cfg(test)]
mod tests;
