//! The public onboarding intake.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use docket_billing::{Evaluation, OnboardingIntake, PlanId, Recommendation, Roi, TenantId, evaluate};
use docket_ledger::{EventKind, OnboardingOutcome, UsageEvent};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::state::AppState;

/// The answer to an onboarding submission.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OnboardingResponse {
    #[schema(value_type = String)]
    pub tenant_id: TenantId,
    /// The plan the recommendation picked (absent when no published plan fits).
    pub recommended_plan: Option<PlanId>,
    /// The plan the tenant was created on: the selected one, else the recommended one.
    pub plan_id: PlanId,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub submitted_at: OffsetDateTime,
    pub recommendation: Recommendation,
    pub roi: Option<Roi>,
}

/// Submit the onboarding intake: validates every field, creates the tenant on the selected or
/// recommended plan, records a signup usage event, and keeps the intake. Repeating a
/// submission with the same `Idempotency-Key` header answers the first response again.
#[utoipa::path(post, path = "/onboarding", tag = "onboarding", request_body = OnboardingIntake,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried submission safe")),
    responses((status = 201, body = OnboardingResponse), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> Result<(StatusCode, ApiJson<serde_json::Value>), ApiError> {
    if state.onboarding_limiter.check_key(&client.ip()).is_err() {
        return Err(ApiError::TooManyRequests(format!(
            "at most {} onboarding submissions a minute from one address",
            state.config.onboarding_rate_per_minute
        )));
    }
    let idempotency_key = match headers.get("idempotency-key") {
        None => None,
        Some(v) => Some(
            v.to_str()
                .ok()
                .filter(|k| (1..=200).contains(&k.len()))
                .ok_or_else(|| ApiError::BadRequest("Idempotency-Key must be 1 to 200 visible characters".into()))?,
        ),
    };
    let intake = OnboardingIntake::parse(&body).map_err(ApiError::invalid)?;
    let Evaluation { recommendation, roi } = evaluate(&intake.sizing);
    let plan = intake.sizing.selected_plan.or(recommendation.recommended_plan).ok_or_else(|| {
        ApiError::invalid_field("seats", format!("{}: contact sales for a custom agreement", recommendation.reason))
    })?;
    let submitted_at = OffsetDateTime::now_utc();
    let response = OnboardingResponse {
        tenant_id: intake.tenant_id.clone(),
        recommended_plan: recommendation.recommended_plan,
        plan_id: plan,
        submitted_at,
        recommendation,
        roi,
    };
    let response_json = serde_json::to_value(&response).map_err(|e| ApiError::Internal(e.to_string()))?;
    let intake_json = serde_json::to_value(&intake).map_err(|e| ApiError::Internal(e.to_string()))?;
    let outcome = state
        .ledger
        .onboard(&intake.tenant_id, &intake.organization, plan, &intake_json, &response_json, idempotency_key)
        .await?;
    // The signup's id is derived from the tenant, so a replay after a crash counts it once.
    let mut signup = UsageEvent::now(intake.tenant_id.clone(), EventKind::Signup, 1);
    signup.event_id = format!("signup:{}", intake.tenant_id);
    signup.subject = Some(intake.contact_email.clone());
    signup.attributes = serde_json::json!({ "plan_id": plan, "source": "onboarding" });
    state.ledger.record(vec![signup]).await?;
    match outcome {
        OnboardingOutcome::Created => {
            tracing::info!(tenant = %intake.tenant_id, plan = %plan, "tenant onboarded");
            Ok((StatusCode::CREATED, ApiJson(response_json)))
        }
        OnboardingOutcome::Replayed(first) => Ok((StatusCode::CREATED, ApiJson(first))),
    }
}
