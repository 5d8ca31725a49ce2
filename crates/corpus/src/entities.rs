//! Named entities of a tenant: stable ids, mentions per document, co-occurrence.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::Arc;

use docket_billing::TenantId;
use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection, SqlitePool};
use uuid::Uuid;

use crate::error::CorpusError;
use crate::index::facts::{FactsIndex, top_counts};
use crate::model::{EntityKind, EntityMention};
use crate::query::deadline::Deadline;
use crate::registry::{parse_uuid, push_in_list, rows_per_statement};
use crate::store::sha256_hex;
use crate::util::truncate;

/// Most entities returned by one look-up.
pub const MAX_ENTITY_LIMIT: usize = 200;
/// Most documents and co-occurring entities listed in a neighbourhood.
pub const NEIGHBOR_LIMIT: usize = 100;

/// An entity of a tenant with how often it is mentioned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EntityInfo {
    /// Stable id within the tenant, e.g. "org:acme-corp" or "email:jane@example.com".
    pub id: String,
    pub kind: EntityKind,
    /// The normalised form that identifies the entity.
    pub normalized: String,
    /// Number of mentions over all documents.
    pub mentions: u64,
    /// Number of documents that mention it.
    pub documents: u64,
}

/// A document in a neighbourhood.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EntityDocument {
    pub id: Uuid,
    pub title: Option<String>,
    pub source: String,
    /// Mentions of the entity in this document.
    pub mentions: u64,
}

/// An entity that shares documents with another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CoOccurrence {
    pub entity: EntityInfo,
    /// Documents mentioning both entities.
    pub shared_documents: u64,
}

/// An entity, the documents that mention it and the entities mentioned alongside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Neighborhood {
    pub entity: EntityInfo,
    pub documents: Vec<EntityDocument>,
    pub co_occurring: Vec<CoOccurrence>,
}

pub(crate) fn kind_prefix(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Person => "person",
        EntityKind::Organization => "org",
        EntityKind::Email => "email",
        EntityKind::Money => "money",
        EntityKind::CaseNumber => "case",
    }
}

pub(crate) fn kind_from_str(s: &str) -> Result<EntityKind, CorpusError> {
    match s {
        "person" => Ok(EntityKind::Person),
        "org" => Ok(EntityKind::Organization),
        "email" => Ok(EntityKind::Email),
        "money" => Ok(EntityKind::Money),
        "case" => Ok(EntityKind::CaseNumber),
        other => Err(CorpusError::Corrupt(format!("unknown entity kind '{other}'"))),
    }
}

/// The entity id of (kind, normalized): readable, stable across runs and documents.
///
/// Case and punctuation differences fold together ("Acme Corp" and "ACME corp" are one
/// entity); a long or non-ASCII-only name gets a hash suffix so ids stay short and distinct.
pub fn entity_id(kind: EntityKind, normalized: &str) -> String {
    let mut slug = String::new();
    let mut dash = false;
    for c in normalized.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() || matches!(c, '@' | '.' | '_') {
            slug.push(c);
            dash = false;
        } else if !dash && !slug.is_empty() {
            slug.push('-');
            dash = true;
        }
    }
    let slug = slug.trim_end_matches('-');
    let ascii_only = normalized.is_ascii();
    let short = truncate(slug, 64);
    let prefix = kind_prefix(kind);
    if short.is_empty() || short.len() < slug.len() || !ascii_only {
        let hash = sha256_hex(format!("{prefix}\u{0}{}", normalized.to_lowercase()).as_bytes());
        let hash = &hash[..12];
        if short.is_empty() { format!("{prefix}:{hash}") } else { format!("{prefix}:{short}-{hash}") }
    } else {
        format!("{prefix}:{short}")
    }
}

/// The mentions of one entity in one document.
struct InDocument<'a> {
    /// The first mention (its kind and normalised form name the entity).
    first: &'a EntityMention,
    mentions: i64,
    /// "start-end" byte ranges, space-separated.
    spans: String,
}

/// Register the entities and mentions of a batch of documents inside the ingestion
/// transaction, as (document, mention) pairs: one row per entity and document, and each
/// entity's totals raised by the batch's.
pub(crate) async fn record_mentions(
    conn: &mut SqliteConnection,
    tenant: &TenantId,
    mentions: &[(Uuid, &EntityMention)],
) -> Result<(), CorpusError> {
    // Sorted by entity then document: rows go into the tables' keys in order.
    let mut per_document: BTreeMap<(String, Uuid), InDocument> = BTreeMap::new();
    for (document, m) in mentions {
        if m.normalized.trim().is_empty() {
            continue;
        }
        let entry = per_document.entry((entity_id(m.kind, &m.normalized), *document)).or_insert_with(|| InDocument {
            first: m,
            mentions: 0,
            spans: String::new(),
        });
        entry.mentions += 1;
        if let Some((start, end)) = m.span {
            if !entry.spans.is_empty() {
                entry.spans.push(' ');
            }
            let _ = write!(entry.spans, "{start}-{end}");
        }
    }
    // Per entity (consecutive in the map): its mention, and its mentions and documents in this batch.
    let mut totals: Vec<(&str, &EntityMention, i64, i64)> = Vec::new();
    for ((id, _), found) in &per_document {
        match totals.last_mut() {
            Some(last) if last.0 == id => {
                last.2 += found.mentions;
                last.3 += 1;
            }
            _ => totals.push((id, found.first, found.mentions, 1)),
        }
    }
    // Multi-row statements: one round trip per chunk for the whole batch keeps the
    // per-document cost of ingestion low.
    for chunk in totals.chunks(rows_per_statement(6)) {
        let mut qb =
            QueryBuilder::<Sqlite>::new("INSERT INTO entities (tenant_id, id, kind, normalized, mentions, documents) ");
        qb.push_values(chunk, |mut b, (id, m, mentions, documents)| {
            b.push_bind(tenant.as_str())
                .push_bind(*id)
                .push_bind(kind_prefix(m.kind))
                .push_bind(m.normalized.as_str())
                .push_bind(*mentions)
                .push_bind(*documents);
        });
        qb.push(
            " ON CONFLICT (tenant_id, id) DO UPDATE SET mentions = entities.mentions + excluded.mentions, \
             documents = entities.documents + excluded.documents",
        );
        qb.build().persistent(false).execute(&mut *conn).await?;
    }
    let rows: Vec<(&(String, Uuid), &InDocument<'_>)> = per_document.iter().collect();
    for chunk in rows.chunks(rows_per_statement(5)) {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "INSERT INTO entity_documents (tenant_id, entity_id, document_id, mentions, spans) ",
        );
        qb.push_values(chunk, |mut b, ((id, document), found)| {
            b.push_bind(tenant.as_str())
                .push_bind(id.as_str())
                .push_bind(document.to_string())
                .push_bind(found.mentions)
                .push_bind(found.spans.as_str());
        });
        qb.build().persistent(false).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Where the text mentions an entity: the starts of the "start-end" ranges of
/// `entity_documents.spans`.
pub(crate) fn span_starts(spans: &str) -> impl Iterator<Item = usize> + '_ {
    spans.split_ascii_whitespace().filter_map(|range| range.split_once('-').and_then(|(s, _)| s.parse().ok()))
}

fn info_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<EntityInfo, CorpusError> {
    Ok(EntityInfo {
        id: row.try_get("id")?,
        kind: kind_from_str(&row.try_get::<String, _>("kind")?)?,
        normalized: row.try_get("normalized")?,
        mentions: u64::try_from(row.try_get::<i64, _>("mention_count")?).unwrap_or(0),
        documents: u64::try_from(row.try_get::<i64, _>("document_count")?).unwrap_or(0),
    })
}

const INFO_SELECT: &str =
    "SELECT e.id, e.kind, e.normalized, e.mentions AS mention_count, e.documents AS document_count FROM entities e";

fn like_pattern(q: &str) -> String {
    let mut p = String::from("%");
    for c in q.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// Entities whose normalised form contains `q` (case-insensitive), most documented first.
pub(crate) async fn search(
    pool: &SqlitePool,
    tenant: &TenantId,
    q: &str,
    limit: usize,
) -> Result<Vec<EntityInfo>, CorpusError> {
    if limit == 0 || limit > MAX_ENTITY_LIMIT {
        return Err(CorpusError::filter("limit", format!("must be between 1 and {MAX_ENTITY_LIMIT}")));
    }
    if q.len() > 256 {
        return Err(CorpusError::filter("q", "at most 256 bytes"));
    }
    let sql = format!(
        "{INFO_SELECT} WHERE e.tenant_id = ? AND (lower(e.normalized) LIKE ? ESCAPE '\\' OR e.id LIKE ? ESCAPE '\\') \
         ORDER BY document_count DESC, mention_count DESC, e.id LIMIT ?"
    );
    let pattern = like_pattern(q.trim());
    let rows = sqlx::query(&sql)
        .bind(tenant.as_str())
        .bind(&pattern)
        .bind(&pattern)
        .bind(i64::try_from(limit).unwrap_or(50))
        .fetch_all(pool)
        .await?;
    rows.iter().map(info_from_row).collect()
}

/// Resolve an entity reference (an id, or a normalised form in any case) to ids of the tenant.
/// An id is found through the key; a normalised form walks the tenant's entities.
pub(crate) async fn resolve(pool: &SqlitePool, tenant: &TenantId, reference: &str) -> Result<Vec<String>, CorpusError> {
    let reference = reference.trim();
    let by_id: Option<String> = sqlx::query_scalar("SELECT id FROM entities WHERE tenant_id = ? AND id = ?")
        .bind(tenant.as_str())
        .bind(reference)
        .fetch_optional(pool)
        .await?;
    if let Some(id) = by_id {
        return Ok(vec![id]);
    }
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM entities WHERE tenant_id = ? AND lower(normalized) = lower(?) ORDER BY id LIMIT 50",
    )
    .bind(tenant.as_str())
    .bind(reference)
    .fetch_all(pool)
    .await?;
    Ok(ids)
}

/// The tenant's documents that mention the entity `reference`, resolved as [`resolve`] does
/// (an id or a normalised form).
pub(crate) async fn documents_mentioning(
    pool: &SqlitePool,
    facts: &Arc<FactsIndex>,
    tenant: &TenantId,
    reference: &str,
    deadline: &Deadline,
) -> Result<Vec<Uuid>, CorpusError> {
    let entity_ids = resolve(pool, tenant, reference).await?;
    let (tenant, deadline) = (tenant.to_owned(), deadline.clone());
    let documents = facts.blocking(move |facts| facts.entity_documents(&tenant, &entity_ids, &deadline)).await?;
    Ok(documents.into_iter().map(|(id, _)| id).collect())
}

/// The entity, its documents and its co-occurring entities; None when the tenant has no such entity.
pub(crate) async fn neighbors(
    pool: &SqlitePool,
    facts: &Arc<FactsIndex>,
    tenant: &TenantId,
    entity_id: &str,
    deadline: &Deadline,
) -> Result<Option<Neighborhood>, CorpusError> {
    let row = sqlx::query(&format!("{INFO_SELECT} WHERE e.tenant_id = ? AND e.id = ?"))
        .bind(tenant.as_str())
        .bind(entity_id)
        .fetch_optional(pool)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let entity = info_from_row(&row)?;

    let (owned_tenant, id, searching) = (tenant.to_owned(), entity_id.to_owned(), deadline.clone());
    let mentioning = facts.blocking(move |facts| facts.entity_documents(&owned_tenant, &[id], &searching)).await?;
    let ids: Vec<Uuid> = mentioning.iter().map(|(id, _)| *id).collect();
    let top = top_counts(mentioning, NEIGHBOR_LIMIT);
    let mut documents = Vec::with_capacity(top.len());
    if !top.is_empty() {
        // `+`: the ids are looked up one by one, not the tenant's documents walked (see timeline::page).
        let mut qb = QueryBuilder::<Sqlite>::new("SELECT id, title, source FROM documents WHERE +tenant_id = ");
        qb.push_bind(tenant.as_str()).push(" AND id IN");
        push_in_list(&mut qb, top.iter().map(|(id, _)| id.to_string()));
        let rows = qb.build().fetch_all(pool).await?;
        let mut by_id: HashMap<Uuid, (Option<String>, String)> = HashMap::with_capacity(rows.len());
        for r in &rows {
            by_id.insert(parse_uuid(&r.try_get::<String, _>("id")?)?, (r.try_get("title")?, r.try_get("source")?));
        }
        for (id, mentions) in top {
            if let Some((title, source)) = by_id.remove(&id) {
                documents.push(EntityDocument { id, title, source, mentions });
            }
        }
    }

    let (owned_tenant, searching) = (tenant.to_owned(), deadline.clone());
    let mut shared = facts.blocking(move |facts| facts.shared_documents(&owned_tenant, &ids, &searching)).await?;
    shared.retain(|(id, _)| id != entity_id);
    let top = top_counts(shared, NEIGHBOR_LIMIT);
    let mut co_occurring = Vec::with_capacity(top.len());
    if !top.is_empty() {
        let mut qb = QueryBuilder::<Sqlite>::new(format!("{INFO_SELECT} WHERE e.tenant_id = "));
        qb.push_bind(tenant.as_str()).push(" AND e.id IN");
        push_in_list(&mut qb, top.iter().map(|(id, _)| id.clone()));
        let rows = qb.build().fetch_all(pool).await?;
        let mut by_id: HashMap<String, EntityInfo> = HashMap::with_capacity(rows.len());
        for r in &rows {
            let info = info_from_row(r)?;
            by_id.insert(info.id.clone(), info);
        }
        for (id, shared_documents) in top {
            if let Some(entity) = by_id.remove(&id) {
                co_occurring.push(CoOccurrence { entity, shared_documents });
            }
        }
    }
    Ok(Some(Neighborhood { entity, documents, co_occurring }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_readable_and_stable() {
        assert_eq!(entity_id(EntityKind::Organization, "Acme Corp"), "org:acme-corp");
        assert_eq!(entity_id(EntityKind::Organization, "ACME  corp"), "org:acme-corp");
        assert_eq!(entity_id(EntityKind::Email, "jane.doe@example.com"), "email:jane.doe@example.com");
        assert_eq!(entity_id(EntityKind::Money, "USD 1200.00"), "money:usd-1200.00");
        let unicode = entity_id(EntityKind::Person, "Zoë Šimić");
        assert!(unicode.starts_with("person:zo"), "{unicode}");
        assert_ne!(unicode, entity_id(EntityKind::Person, "Zoe Simic"));
        assert!(entity_id(EntityKind::Person, "???").starts_with("person:"));
        assert!(entity_id(EntityKind::Person, &"x".repeat(300)).len() < 100);
    }

    #[test]
    fn like_pattern_escapes_wildcards() {
        assert_eq!(like_pattern("50%_a"), "%50\\%\\_a%");
    }
}
