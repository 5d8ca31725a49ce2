//! Rebuilding the indexes from the registry: what the index needs of a registered document,
//! and the documents a crash (or a new index layout) left out of the index.

use std::sync::Arc;

use docket_billing::TenantId;
use sqlx::Row;
use uuid::Uuid;

use super::IndexDoc;
use super::facts::{EventFact, MentionFact};
use crate::context::Inner;
use crate::error::CorpusError;
use crate::registry;
use crate::util::{parse_rfc3339, stored_tenant};

/// What the index needs of a registered document, read back from the registry.
pub(crate) async fn index_doc_from_registry(inner: &Arc<Inner>, id: Uuid) -> Result<Option<IndexDoc>, CorpusError> {
    let pool = &inner.pool;
    let row = sqlx::query(
        "SELECT tenant_id, title, subject, author, recipients, source, source_type, text, text_sha256 \
         FROM documents WHERE id = ?",
    )
    .bind(id.to_string())
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let tenant: TenantId = stored_tenant(row.try_get("tenant_id")?)?;
    let title: Option<String> = row.try_get("title")?;
    let subject: Option<String> = row.try_get("subject")?;
    let author: Option<String> = row.try_get("author")?;
    let recipients: Vec<String> = serde_json::from_str(&row.try_get::<String, _>("recipients")?)
        .map_err(|e| CorpusError::Corrupt(format!("recipients: {e}")))?;
    let source_type: String = row.try_get("source_type")?;
    let source: String = row.try_get("source")?;
    let ents = sqlx::query(
        "SELECT e.id, e.normalized, ed.mentions, ed.spans FROM entity_documents ed \
         JOIN entities e ON e.tenant_id = ed.tenant_id AND e.id = ed.entity_id \
         WHERE ed.tenant_id = ? AND ed.document_id = ?",
    )
    .bind(tenant.as_str())
    .bind(id.to_string())
    .fetch_all(pool)
    .await?;
    let mut entities = Vec::with_capacity(ents.len() * 2);
    let mut mentions = Vec::with_capacity(ents.len());
    for e in &ents {
        let id: String = e.try_get("id")?;
        let normalized = e.try_get::<String, _>("normalized")?.to_lowercase();
        let spans: String = e.try_get("spans")?;
        let count = u64::try_from(e.try_get::<i64, _>("mentions")?).unwrap_or(0);
        let mut places: Vec<Option<usize>> = crate::entities::span_starts(&spans).map(Some).collect();
        // Mentions without a place in the text (e-mail headers) go with the first passage.
        if count > places.len() as u64 {
            places.push(None);
        }
        for at in places {
            entities.push((at, id.clone()));
            entities.push((at, normalized.clone()));
        }
        mentions.push(MentionFact { entity_id: id, mentions: count });
    }
    // An event's date is indexed on the passage of its sentence (its first citation).
    let event_rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT id, ts_key, citations, entity_highlights FROM events WHERE tenant_id = ? AND document_id = ?",
    )
    .bind(tenant.as_str())
    .bind(id.to_string())
    .fetch_all(pool)
    .await?;
    let mut dates = Vec::with_capacity(event_rows.len());
    let mut events = Vec::with_capacity(event_rows.len());
    for (event_id, key, citations, highlights) in &event_rows {
        let date = parse_rfc3339(key)?;
        let at = serde_json::from_str::<Vec<crate::timeline::EventCitation>>(citations)
            .ok()
            .and_then(|c| c.first().map(|c| c.start));
        dates.push((at, date));
        let highlights: Vec<crate::timeline::EntityHighlight> =
            serde_json::from_str(highlights).map_err(|e| CorpusError::Corrupt(format!("entity highlights: {e}")))?;
        let mut entity_ids: Vec<String> = highlights.into_iter().map(|h| h.entity_id).collect();
        entity_ids.sort();
        entity_ids.dedup();
        events.push(EventFact { id: registry::parse_uuid(event_id)?, ts: date.unix_timestamp(), entity_ids });
    }
    let text = match row.try_get::<Option<String>, _>("text_sha256")? {
        Some(sha) => inner.stored_text(sha).await?,
        None => row.try_get("text")?,
    };
    Ok(Some(IndexDoc {
        tenant,
        document_id: id,
        title: Some(crate::util::display_title(title.as_deref(), subject.as_deref(), &source)),
        subject,
        author,
        recipients,
        source,
        source_type: source_type.parse().map_err(CorpusError::Corrupt)?,
        passages: crate::extract::passages(&text),
        text,
        entities,
        dates,
        events,
        mentions,
    }))
}

/// Index documents registered but not committed to the index (a crash between the registry
/// commit and the index commit, or an index rebuilt from scratch).
pub(crate) async fn reindex_pending(inner: &Arc<Inner>) -> Result<(), CorpusError> {
    let mut total = 0usize;
    loop {
        let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM documents WHERE indexed = 0 ORDER BY id LIMIT 200")
            .fetch_all(&inner.pool)
            .await?;
        if ids.is_empty() {
            break;
        }
        let mut done = Vec::with_capacity(ids.len());
        for id in &ids {
            let id = registry::parse_uuid(id)?;
            if let Some(doc) = index_doc_from_registry(inner, id).await? {
                let inner2 = inner.clone();
                tokio::task::spawn_blocking(move || inner2.index.add(&doc, true)).await??;
            }
            done.push(id);
        }
        let inner2 = inner.clone();
        tokio::task::spawn_blocking(move || inner2.index.commit()).await??;
        registry::mark_indexed(&inner.writer, &done).await?;
        total += done.len();
    }
    if total > 0 {
        tracing::info!(documents = total, "re-indexed documents missing from the index");
    }
    Ok(())
}
