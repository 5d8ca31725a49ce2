//! Full-text search with cited evidence; each executed query is one metered query event.

use std::time::Instant;

use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use docket_corpus::{CorpusError, SearchEvent, SearchGroup, SearchHit, SearchMode, SearchRequest, SearchResponse};
use docket_ledger::EventKind;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use super::access::QueryRead;
use crate::auth::Authorized;
use crate::error::{ApiError, ApiJson, ApiQuery, ErrorBody};
use crate::state::AppState;

/// `GET /query` parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QueryParams {
    /// Words, "phrases", AND / OR / NOT, +required, -excluded, field:word (title, subject,
    /// from, to, author, text). Results holding more of the words come first.
    pub q: String,
    /// 1-based page (default 1).
    pub page: Option<u32>,
    /// Results per page, 1..=100 (default 10).
    pub page_size: Option<u32>,
    /// Only documents of this source type: local, inline, upload or attachment.
    #[serde(rename = "filters[source]", alias = "source")]
    #[param(rename = "filters[source]")]
    pub source: Option<String>,
    /// Only documents mentioning this entity (id or normalised name).
    #[serde(rename = "filters[entity]", alias = "entity")]
    #[param(rename = "filters[entity]")]
    pub entity: Option<String>,
    /// precision (terms as written) or recall (one typo tolerated in long terms).
    pub mode: Option<SearchMode>,
    /// document (one result per document with its best passages; the default) or passage.
    pub group: Option<SearchGroup>,
    /// Send JSON lines: one per hit, then the answer and totals.
    pub stream: Option<bool>,
}

/// Search the tenant's documents (scope query:read). A malformed query or one past a limit is
/// a 400, a search past its deadline a 503; neither is billed. Nothing found is a 200 with no
/// evidence. With stream=true each hit is sent as it is read.
#[utoipa::path(get, path = "/query", tag = "query", params(QueryParams), security(("bearer" = [])),
    responses((status = 200, description = "the page of hits; with stream=true, application/x-ndjson lines (hits, then a summary)",
            content((SearchResponse = "application/json"), (String = "application/x-ndjson"))),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn query(
    State(state): State<AppState>,
    principal: Authorized<QueryRead>,
    ApiQuery(params): ApiQuery<QueryParams>,
) -> Result<Response, ApiError> {
    let tenant = state.product_tenant(&principal).await?;
    let request = SearchRequest {
        q: params.q,
        page: params.page,
        page_size: params.page_size,
        source: params.source,
        entity: params.entity,
        mode: params.mode.unwrap_or_default(),
        group: params.group.unwrap_or_default(),
    };
    let started = Instant::now();
    if params.stream != Some(true) {
        let response = state.corpus.search(&tenant, &request).await?;
        let attributes =
            serde_json::json!({ "mode": request.mode, "group": request.group, "total_hits": response.total_hits });
        state.meter(&tenant, &principal, EventKind::Query, started.elapsed(), attributes).await?;
        return Ok(ApiJson(response).into_response());
    }
    // Executed once the matches are counted: metered then, before the first hit is sent.
    let stream = state.corpus.search_stream(&tenant, &request).await?;
    let attributes = serde_json::json!({ "mode": request.mode, "total_hits": stream.total_hits });
    state.meter(&tenant, &principal, EventKind::Query, started.elapsed(), attributes).await?;
    let lines = futures_util::stream::unfold(Some(stream), |open| async move {
        let mut stream = open?;
        let (line, rest) = match stream.next().await? {
            // Serialized from the hit itself, not a `Value`: a `Value` widens the f32 score to
            // f64 digits that differ from the same hit answered whole.
            SearchEvent::Hit(hit) => match serde_json::to_string(&HitLine { r#type: "hit", hit: &hit }) {
                Ok(line) => return Some((Ok(format!("{line}\n")), Some(stream))),
                Err(e) => (failure_line(&CorpusError::Index(format!("a hit could not be written: {e}"))), None),
            },
            SearchEvent::Done { answer, took_ms } => {
                let summary = serde_json::json!({
                    "type": "summary", "total_hits": stream.total_hits, "page": stream.page,
                    "page_size": stream.page_size, "answer": answer, "took_ms": took_ms,
                });
                (summary, None)
            }
            SearchEvent::Failed(e) => (failure_line(&e), None),
        };
        Some((Ok::<_, std::convert::Infallible>(format!("{line}\n")), rest))
    });
    let body = Body::from_stream(lines);
    Ok(([(header::CONTENT_TYPE, "application/x-ndjson")], body).into_response())
}

/// One hit of a streamed search.
#[derive(Serialize)]
struct HitLine<'a> {
    r#type: &'static str,
    hit: &'a SearchHit,
}

/// The last line of a stream whose search failed after its first hits: the error body's
/// shape, with `type` "error".
fn failure_line(e: &CorpusError) -> serde_json::Value {
    let message = if e.is_client_error() || matches!(e, CorpusError::DeadlineExceeded { .. }) {
        e.to_string()
    } else {
        tracing::error!(cause = %e, "streamed search failed");
        "internal error; the cause is in the server log".to_owned()
    };
    serde_json::json!({ "type": "error", "error": { "code": e.code(), "message": message, "details": e.details() } })
}
