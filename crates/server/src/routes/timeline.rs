//! The chronology of a tenant's documents; each request is one metered timeline event.

use std::time::Instant;

use axum::extract::State;
use docket_corpus::{TimelinePage, TimelineRequest};
use docket_ledger::EventKind;

use super::access::TimelineRead;
use crate::auth::Authorized;
use crate::error::{ApiError, ApiJson, ApiQuery, ErrorBody};
use crate::state::AppState;

/// Dated events with citations and entity highlights, in chronological order, with a stable
/// cursor (scope timeline:read).
#[utoipa::path(get, path = "/timeline", tag = "timeline", params(TimelineRequest), security(("bearer" = [])),
    responses((status = 200, body = TimelinePage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn timeline(
    State(state): State<AppState>,
    principal: Authorized<TimelineRead>,
    ApiQuery(request): ApiQuery<TimelineRequest>,
) -> Result<ApiJson<TimelinePage>, ApiError> {
    let tenant = state.product_tenant(&principal).await?;
    let started = Instant::now();
    let page = state.corpus.timeline(&tenant, &request).await?;
    let attributes = serde_json::json!({ "events": page.events.len() });
    state.meter(&tenant, &principal, EventKind::Timeline, started.elapsed(), attributes).await?;
    Ok(ApiJson(page))
}
