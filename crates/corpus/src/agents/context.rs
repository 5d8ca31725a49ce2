//! What an agent may read, as blocking calls: the run's scope streamed through the registry a
//! page at a time, document texts, searches, the timeline, entities and the counsel list.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use docket_billing::TenantId;
use sqlx::{QueryBuilder, Row, Sqlite};
use tokio::runtime::Handle;
use uuid::Uuid;

use super::RunScope;
use super::counsel::{self, CounselList};
use crate::context::Inner;
use crate::entities;
use crate::error::CorpusError;
use crate::model::EntityKind;
use crate::query::deadline::Deadline;
use crate::registry::{DocumentInfo, INFO_COLUMNS, SourceType, info_from_row, push_in_list};
use crate::search::{self, SearchGroup, SearchRequest, SearchResponse};
use crate::timeline::{self, TimelineEvent, TimelineRequest};
use crate::util::{Bound, check_range, parse_bound};

/// Documents read from the registry at once: a large scope never sits in memory whole.
pub const SCOPE_PAGE: usize = 256;
/// How long one search or timeline page of a run may take.
const AGENT_QUERY_TIMEOUT: Duration = Duration::from_secs(60);
/// Most documents a scope's search query selects (the search's paging depth).
const MAX_QUERY_SCOPE: u32 = 10_000;

/// A document of the run's scope with its extracted text.
#[derive(Debug, Clone)]
pub struct ScopedDocument {
    pub info: DocumentInfo,
    /// The extracted text; citation offsets are byte offsets into it.
    pub text: String,
}

/// The blocking view of one tenant's corpus an agent runs over.
pub struct AgentContext {
    inner: Arc<Inner>,
    tenant: TenantId,
    handle: Handle,
    stop: Arc<AtomicBool>,
}

/// Check a scope's filters without running it (for a 422 before the run is accepted).
pub(crate) fn check_scope(scope: &RunScope) -> Result<(), CorpusError> {
    if let Some(s) = scope.source.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        s.parse::<SourceType>().map_err(|reason| CorpusError::filter("scope.source", reason))?;
    }
    bounds(scope)?;
    if let Some(q) = scope.query.as_deref().filter(|q| !q.trim().is_empty()) {
        search::parse_only(q, search::SearchMode::Precision).map_err(|e| match e {
            CorpusError::InvalidQuery { reason, .. } => CorpusError::filter("scope.query", reason),
            CorpusError::QueryTooComplex(limit) => CorpusError::filter("scope.query", limit.to_string()),
            other => other,
        })?;
    }
    Ok(())
}

fn bounds(scope: &RunScope) -> Result<(Option<Bound>, Option<Bound>), CorpusError> {
    let from = scope.from_ts.as_deref().map(|v| parse_bound("scope.from_ts", v, false)).transpose()?;
    let to = scope.to_ts.as_deref().map(|v| parse_bound("scope.to_ts", v, true)).transpose()?;
    check_range(from.as_ref(), to.as_ref(), "scope.from_ts")?;
    Ok((from, to))
}

impl AgentContext {
    pub(crate) fn new(inner: Arc<Inner>, tenant: TenantId, handle: Handle, stop: Arc<AtomicBool>) -> AgentContext {
        AgentContext { inner, tenant, handle, stop }
    }

    /// The tenant the run belongs to.
    pub fn tenant(&self) -> &TenantId {
        &self.tenant
    }

    /// Fail with `ShuttingDown` once the service is stopping, so the run is resumed at the next
    /// start instead of finishing half-way.
    pub fn check_running(&self) -> Result<(), CorpusError> {
        if self.inner.is_stopping() || self.stop.load(Ordering::SeqCst) {
            Err(CorpusError::ShuttingDown)
        } else {
            Ok(())
        }
    }

    /// The tenant's counsel list (empty when never set).
    pub fn counsel(&self) -> Result<CounselList, CorpusError> {
        self.handle.block_on(counsel::get(&self.inner.pool, &self.tenant))
    }

    /// The documents a scope's id, query and entity filters allow, or None when it has none of
    /// them (every document).
    fn scope_ids(&self, scope: &RunScope) -> Result<Option<Vec<Uuid>>, CorpusError> {
        let mut ids: Option<HashSet<Uuid>> = scope.document_ids.as_ref().map(|v| v.iter().copied().collect());
        let mut keep = |found: Vec<Uuid>| {
            let found: HashSet<Uuid> = found.into_iter().collect();
            ids = Some(match ids.take() {
                Some(before) => before.intersection(&found).copied().collect(),
                None => found,
            });
        };
        if let Some(q) = scope.query.as_deref().filter(|q| !q.trim().is_empty()) {
            keep(self.documents_matching(q)?);
        }
        if let Some(entity) = scope.entity.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
            let (deadline, _guard) = Deadline::start(AGENT_QUERY_TIMEOUT);
            let found = self.handle.block_on(entities::documents_mentioning(
                &self.inner.pool,
                &self.inner.index.facts,
                &self.tenant,
                entity,
                &deadline,
            ))?;
            keep(found);
        }
        Ok(ids.map(|set| {
            let mut v: Vec<Uuid> = set.into_iter().collect();
            v.sort_unstable();
            v
        }))
    }

    /// Every document matching `q`, best first, up to the search's paging depth.
    pub fn documents_matching(&self, q: &str) -> Result<Vec<Uuid>, CorpusError> {
        let mut out = Vec::new();
        let page_size = search::MAX_SEARCH_PAGE_SIZE;
        for page in 1..=MAX_QUERY_SCOPE / page_size {
            self.check_running()?;
            let req = SearchRequest {
                q: q.to_owned(),
                page: Some(page),
                page_size: Some(page_size),
                group: SearchGroup::Document,
                ..SearchRequest::default()
            };
            let response = self.search(&req)?;
            let n = response.results.len();
            out.extend(response.results.into_iter().map(|h| h.document_id));
            if n < page_size as usize || out.len() as u64 >= response.total_hits {
                break;
            }
        }
        Ok(out)
    }

    /// A search over the tenant's passages (as `GET /query`, with a run's longer deadline).
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResponse, CorpusError> {
        let (deadline, _guard) = Deadline::start(AGENT_QUERY_TIMEOUT);
        search::run(&self.inner.index.passages, &self.tenant, req, None, &deadline, &mut |_| Ok(()))
    }

    fn push_filters(
        &self,
        qb: &mut QueryBuilder<'_, Sqlite>,
        scope: &RunScope,
        bounds: &(Option<Bound>, Option<Bound>),
    ) -> Result<(), CorpusError> {
        qb.push(" WHERE tenant_id = ").push_bind(self.tenant.to_string());
        if let Some(s) = scope.source.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            let st = s.parse::<SourceType>().map_err(|reason| CorpusError::filter("scope.source", reason))?;
            qb.push(" AND source_type = ").push_bind(st.as_str());
        }
        if let Some(from) = &bounds.0 {
            qb.push(" AND document_date >= ").push_bind(from.key.clone());
        }
        if let Some(to) = &bounds.1 {
            qb.push(if to.inclusive { " AND document_date <= " } else { " AND document_date < " })
                .push_bind(to.key.clone());
        }
        Ok(())
    }

    /// How many documents the scope holds.
    pub fn count(&self, scope: &RunScope) -> Result<u64, CorpusError> {
        let bounds = bounds(scope)?;
        let ids = self.scope_ids(scope)?;
        let mut total = 0i64;
        let mut count_with = |chunk: Option<&[Uuid]>| -> Result<(), CorpusError> {
            let mut qb = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM documents");
            self.push_filters(&mut qb, scope, &bounds)?;
            if let Some(chunk) = chunk {
                qb.push(" AND id IN");
                push_in_list(&mut qb, chunk.iter().map(Uuid::to_string));
            }
            let n: i64 = self.handle.block_on(qb.build_query_scalar().fetch_one(&self.inner.pool))?;
            total += n;
            Ok(())
        };
        match &ids {
            Some(ids) => ids.chunks(500).try_for_each(|c| count_with(Some(c)))?,
            None => count_with(None)?,
        }
        Ok(u64::try_from(total).unwrap_or(0))
    }

    /// Hand the scope's documents, with their texts, to `each_page` a page at a time, in the
    /// order they were ingested (or, for a scope of ids, by id).
    pub fn for_each_page(
        &self,
        scope: &RunScope,
        each_page: &mut dyn FnMut(Vec<ScopedDocument>) -> Result<(), CorpusError>,
    ) -> Result<(), CorpusError> {
        let bounds = bounds(scope)?;
        match self.scope_ids(scope)? {
            Some(ids) => {
                for chunk in ids.chunks(SCOPE_PAGE) {
                    self.check_running()?;
                    let mut qb =
                        QueryBuilder::<Sqlite>::new(format!("SELECT {INFO_COLUMNS}, text, text_sha256 FROM documents"));
                    self.push_filters(&mut qb, scope, &bounds)?;
                    qb.push(" AND id IN");
                    push_in_list(&mut qb, chunk.iter().map(Uuid::to_string));
                    qb.push(" ORDER BY ingested_at, id");
                    let page = self.read_page(qb)?;
                    if !page.is_empty() {
                        each_page(page)?;
                    }
                }
            }
            None => {
                let mut after: Option<(String, String)> = None;
                loop {
                    self.check_running()?;
                    let mut qb =
                        QueryBuilder::<Sqlite>::new(format!("SELECT {INFO_COLUMNS}, text, text_sha256 FROM documents"));
                    self.push_filters(&mut qb, scope, &bounds)?;
                    if let Some((at, id)) = &after {
                        qb.push(" AND (ingested_at, id) > (")
                            .push_bind(at.clone())
                            .push(", ")
                            .push_bind(id.clone())
                            .push(")");
                    }
                    qb.push(" ORDER BY ingested_at, id LIMIT ").push_bind(SCOPE_PAGE as i64);
                    let rows = self.handle.block_on(qb.build().fetch_all(&self.inner.pool))?;
                    let Some(last) = rows.last() else { break };
                    after = Some((last.try_get("ingested_at")?, last.try_get("id")?));
                    let n = rows.len();
                    let page = rows.iter().map(|r| self.scoped(r)).collect::<Result<Vec<_>, _>>()?;
                    each_page(page)?;
                    if n < SCOPE_PAGE {
                        break;
                    }
                }
            }
        }
        Ok(())
    }

    fn read_page(&self, mut qb: QueryBuilder<'_, Sqlite>) -> Result<Vec<ScopedDocument>, CorpusError> {
        let rows = self.handle.block_on(qb.build().fetch_all(&self.inner.pool))?;
        rows.iter().map(|r| self.scoped(r)).collect()
    }

    fn scoped(&self, row: &sqlx::sqlite::SqliteRow) -> Result<ScopedDocument, CorpusError> {
        let info = info_from_row(row)?;
        let text: String = row.try_get("text")?;
        let text_sha256: Option<String> = row.try_get("text_sha256")?;
        let text = match text_sha256 {
            Some(sha) => {
                let bytes = self.inner.store.get(&sha)?;
                String::from_utf8(bytes).map_err(|e| CorpusError::Corrupt(format!("stored text is not UTF-8: {e}")))?
            }
            None => text,
        };
        Ok(ScopedDocument { info, text })
    }

    /// One of the tenant's documents with its text, or None.
    pub fn document(&self, id: Uuid) -> Result<Option<ScopedDocument>, CorpusError> {
        let mut qb = QueryBuilder::<Sqlite>::new(format!("SELECT {INFO_COLUMNS}, text, text_sha256 FROM documents"));
        qb.push(" WHERE tenant_id = ").push_bind(self.tenant.as_str()).push(" AND id = ").push_bind(id.to_string());
        Ok(self.read_page(qb)?.into_iter().next())
    }

    /// Every event of the timeline the request selects, in order, a page at a time.
    pub fn timeline(
        &self,
        req: &TimelineRequest,
        each_page: &mut dyn FnMut(Vec<TimelineEvent>) -> Result<(), CorpusError>,
    ) -> Result<(), CorpusError> {
        let mut req = req.clone();
        req.limit = Some(timeline::MAX_TIMELINE_LIMIT);
        loop {
            self.check_running()?;
            let (deadline, _guard) = Deadline::start(AGENT_QUERY_TIMEOUT);
            let page = self.handle.block_on(timeline::page(
                &self.inner.pool,
                &self.inner.index.facts,
                &self.tenant,
                &req,
                &deadline,
            ))?;
            each_page(page.events)?;
            match page.next_cursor {
                Some(next) => req.cursor = Some(next),
                None => return Ok(()),
            }
        }
    }

    /// The entities mentioned in the text of `documents`: one per entity and document, at its
    /// first place in the text, in document order.
    pub fn mentions(&self, documents: &[Uuid]) -> Result<Vec<Mention>, CorpusError> {
        let mut out = Vec::new();
        for chunk in documents.chunks(500) {
            let mut qb = QueryBuilder::<Sqlite>::new(
                "SELECT ed.document_id, e.kind, e.normalized, ed.spans \
                 FROM entity_documents ed JOIN entities e ON e.tenant_id = ed.tenant_id AND e.id = ed.entity_id \
                 WHERE ed.tenant_id = ",
            );
            qb.push_bind(self.tenant.as_str()).push(" AND ed.document_id IN");
            push_in_list(&mut qb, chunk.iter().map(Uuid::to_string));
            qb.push(" ORDER BY ed.document_id, e.id");
            let rows = self.handle.block_on(qb.build().fetch_all(&self.inner.pool))?;
            for row in rows {
                let spans: String = row.try_get("spans")?;
                // Mentions only in e-mail headers have no place in the text to cite.
                let Some((start, end)) = spans.split_whitespace().next().and_then(|s| s.split_once('-')) else {
                    continue;
                };
                let (Ok(start), Ok(end)) = (start.parse::<usize>(), end.parse::<usize>()) else { continue };
                let normalized: String = row.try_get("normalized")?;
                out.push(Mention {
                    document_id: crate::registry::parse_uuid(&row.try_get::<String, _>("document_id")?)?,
                    kind: entities::kind_from_str(&row.try_get::<String, _>("kind")?)?,
                    surface: normalized.clone(),
                    normalized,
                    start,
                    end,
                });
            }
        }
        Ok(out)
    }
}

impl AgentContext {
    /// The timeline events of `documents`, in time order.
    pub fn events_of(&self, documents: &[Uuid]) -> Result<Vec<TimelineEvent>, CorpusError> {
        let mut out = Vec::new();
        for chunk in documents.chunks(500) {
            let mut qb = QueryBuilder::<Sqlite>::new("SELECT * FROM events WHERE tenant_id = ");
            qb.push_bind(self.tenant.as_str()).push(" AND document_id IN");
            push_in_list(&mut qb, chunk.iter().map(Uuid::to_string));
            let rows = self.handle.block_on(qb.build().fetch_all(&self.inner.pool))?;
            for row in &rows {
                out.push(timeline::event_from_row(row)?);
            }
        }
        out.sort_by(|a, b| a.ts.cmp(&b.ts).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    /// The ids of the documents in scope (without their texts), or None for every document.
    pub fn document_ids(&self, scope: &RunScope) -> Result<Option<HashSet<Uuid>>, CorpusError> {
        let has_source = scope.source.as_deref().is_some_and(|s| !s.trim().is_empty());
        let ids = self.scope_ids(scope)?;
        if !has_source && scope.from_ts.is_none() && scope.to_ts.is_none() {
            return Ok(ids.map(|v| v.into_iter().collect()));
        }
        let mut out = HashSet::new();
        self.for_each_page(scope, &mut |page| {
            out.extend(page.into_iter().map(|d| d.info.id));
            Ok(())
        })?;
        Ok(Some(out))
    }
}

/// An entity mention in a document's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    pub document_id: Uuid,
    pub kind: EntityKind,
    pub normalized: String,
    pub surface: String,
    pub start: usize,
    pub end: usize,
}
