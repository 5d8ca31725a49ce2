//! Named entities of a tenant: stable ids, mentions per document, co-occurrence.

use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection, SqlitePool};
use uuid::Uuid;

use crate::error::CorpusError;
use crate::model::{EntityKind, EntityMention};
use crate::registry::{parse_uuid, rows_per_statement};
use crate::store::sha256_hex;
use crate::util::truncate;

/// Most entities returned by one look-up.
pub const MAX_ENTITY_LIMIT: usize = 200;
/// Most documents and co-occurring entities listed in a neighbourhood.
pub const NEIGHBOR_LIMIT: i64 = 100;

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

fn kind_from_str(s: &str) -> Result<EntityKind, CorpusError> {
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

/// Register the entities and mentions of a batch of documents inside the ingestion
/// transaction, as (document, mention) pairs.
pub(crate) async fn record_mentions(
    conn: &mut SqliteConnection,
    tenant: &str,
    mentions: &[(Uuid, &EntityMention)],
) -> Result<(), CorpusError> {
    let rows: Vec<(String, String, &EntityMention)> = mentions
        .iter()
        .filter(|(_, m)| !m.normalized.trim().is_empty())
        .map(|(doc, m)| (entity_id(m.kind, &m.normalized), doc.to_string(), *m))
        .collect();
    // Each entity once per batch, however often it is mentioned.
    let mut distinct: Vec<&(String, String, &EntityMention)> = rows.iter().collect();
    distinct.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    distinct.dedup_by(|a, b| a.0 == b.0);
    // Multi-row statements: one round trip per chunk for the whole batch keeps the
    // per-document cost of ingestion low.
    for chunk in distinct.chunks(rows_per_statement(4)) {
        let mut qb = QueryBuilder::<Sqlite>::new("INSERT OR IGNORE INTO entities (tenant_id, id, kind, normalized) ");
        qb.push_values(chunk, |mut b, (id, _, m)| {
            b.push_bind(tenant).push_bind(id.as_str()).push_bind(kind_prefix(m.kind)).push_bind(m.normalized.as_str());
        });
        qb.build().persistent(false).execute(&mut *conn).await?;
    }
    for chunk in rows.chunks(rows_per_statement(6)) {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "INSERT INTO mentions (tenant_id, entity_id, document_id, span_start, span_end, surface) ",
        );
        qb.push_values(chunk, |mut b, (id, doc, m)| {
            let (start, end) = match m.span {
                Some((s, e)) => (i64::try_from(s).ok(), i64::try_from(e).ok()),
                None => (None, None),
            };
            b.push_bind(tenant)
                .push_bind(id.as_str())
                .push_bind(doc.as_str())
                .push_bind(start)
                .push_bind(end)
                .push_bind(m.surface.as_str());
        });
        qb.build().persistent(false).execute(&mut *conn).await?;
    }
    Ok(())
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

const INFO_SELECT: &str = "SELECT e.id, e.kind, e.normalized, \
     (SELECT COUNT(*) FROM mentions m WHERE m.tenant_id = e.tenant_id AND m.entity_id = e.id) AS mention_count, \
     (SELECT COUNT(DISTINCT m.document_id) FROM mentions m WHERE m.tenant_id = e.tenant_id AND m.entity_id = e.id) AS document_count \
     FROM entities e";

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
    tenant: &str,
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
        .bind(tenant)
        .bind(&pattern)
        .bind(&pattern)
        .bind(i64::try_from(limit).unwrap_or(50))
        .fetch_all(pool)
        .await?;
    rows.iter().map(info_from_row).collect()
}

/// Resolve an entity reference (an id, or a normalised form in any case) to ids of the tenant.
pub(crate) async fn resolve(pool: &SqlitePool, tenant: &str, reference: &str) -> Result<Vec<String>, CorpusError> {
    let reference = reference.trim();
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM entities WHERE tenant_id = ? AND (id = ? OR lower(normalized) = lower(?)) ORDER BY id LIMIT 50",
    )
    .bind(tenant)
    .bind(reference)
    .bind(reference)
    .fetch_all(pool)
    .await?;
    Ok(ids)
}

/// The tenant's documents that mention the entity `reference`, resolved as [`resolve`] does
/// (an id or a normalised form).
pub(crate) async fn documents_mentioning(
    pool: &SqlitePool,
    tenant: &str,
    reference: &str,
) -> Result<Vec<Uuid>, CorpusError> {
    let entity_ids = resolve(pool, tenant, reference).await?;
    if entity_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut qb = QueryBuilder::<Sqlite>::new("SELECT DISTINCT document_id FROM mentions WHERE tenant_id = ");
    qb.push_bind(tenant).push(" AND entity_id IN (");
    let mut list = qb.separated(", ");
    for id in &entity_ids {
        list.push_bind(id.as_str());
    }
    list.push_unseparated(")");
    let ids: Vec<String> = qb.build_query_scalar().fetch_all(pool).await?;
    ids.iter().map(|id| parse_uuid(id)).collect()
}

/// The entity, its documents and its co-occurring entities; None when the tenant has no such entity.
pub(crate) async fn neighbors(
    pool: &SqlitePool,
    tenant: &str,
    entity_id: &str,
) -> Result<Option<Neighborhood>, CorpusError> {
    let row = sqlx::query(&format!("{INFO_SELECT} WHERE e.tenant_id = ? AND e.id = ?"))
        .bind(tenant)
        .bind(entity_id)
        .fetch_optional(pool)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let entity = info_from_row(&row)?;

    let doc_rows = sqlx::query(
        "SELECT d.id, d.title, d.source, COUNT(*) AS n FROM mentions m \
         JOIN documents d ON d.tenant_id = m.tenant_id AND d.id = m.document_id \
         WHERE m.tenant_id = ? AND m.entity_id = ? GROUP BY d.id ORDER BY n DESC, d.id LIMIT ?",
    )
    .bind(tenant)
    .bind(entity_id)
    .bind(NEIGHBOR_LIMIT)
    .fetch_all(pool)
    .await?;
    let mut documents = Vec::with_capacity(doc_rows.len());
    for r in &doc_rows {
        documents.push(EntityDocument {
            id: parse_uuid(&r.try_get::<String, _>("id")?)?,
            title: r.try_get("title")?,
            source: r.try_get("source")?,
            mentions: u64::try_from(r.try_get::<i64, _>("n")?).unwrap_or(0),
        });
    }

    let co_rows = sqlx::query(
        "WITH docs AS (SELECT DISTINCT document_id FROM mentions WHERE tenant_id = ?1 AND entity_id = ?2), \
         co AS (SELECT m.entity_id, COUNT(DISTINCT m.document_id) AS shared FROM mentions m \
                JOIN docs ON docs.document_id = m.document_id \
                WHERE m.tenant_id = ?1 AND m.entity_id <> ?2 GROUP BY m.entity_id) \
         SELECT e.id, e.kind, e.normalized, co.shared, \
         (SELECT COUNT(*) FROM mentions m WHERE m.tenant_id = e.tenant_id AND m.entity_id = e.id) AS mention_count, \
         (SELECT COUNT(DISTINCT m.document_id) FROM mentions m WHERE m.tenant_id = e.tenant_id AND m.entity_id = e.id) AS document_count \
         FROM co JOIN entities e ON e.tenant_id = ?1 AND e.id = co.entity_id \
         ORDER BY co.shared DESC, e.id LIMIT ?3",
    )
    .bind(tenant)
    .bind(entity_id)
    .bind(NEIGHBOR_LIMIT)
    .fetch_all(pool)
    .await?;
    let mut co_occurring = Vec::with_capacity(co_rows.len());
    for r in &co_rows {
        co_occurring.push(CoOccurrence {
            entity: info_from_row(r)?,
            shared_documents: u64::try_from(r.try_get::<i64, _>("shared")?).unwrap_or(0),
        });
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
