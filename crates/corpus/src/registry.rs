//! The document registry: provenance of every document of every tenant, in SQLite.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use docket_billing::TenantId;
use serde::{Deserialize, Serialize};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous};
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::CorpusError;
use crate::util::{check_range, parse_bound, parse_rfc3339, stored_tenant};

/// Largest page of documents returned at once.
pub const MAX_DOCUMENT_PAGE_SIZE: u32 = 200;
/// Page size used when a filter gives none.
pub const DEFAULT_DOCUMENT_PAGE_SIZE: u32 = 50;

/// Open (creating and migrating) the registry database at `path`: a pool for reads and a
/// single-connection pool for writes.
pub(crate) async fn open_pools(path: &Path) -> Result<(SqlitePool, SqlitePool), CorpusError> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // WAL with NORMAL survives a process crash; only an OS crash can lose the last commits.
        .synchronous(SqliteSynchronous::Normal)
        // The commit that takes the write-ahead log past 64 MB checkpoints it; the log then
        // starts over at the next transaction (cut back to 64 MB if one transaction made it
        // larger) and is overwritten in place. A page changed by many transactions in between
        // is copied into the database once. [`checkpoints`] folds the log in when ingestion
        // is quiet.
        .pragma("wal_autocheckpoint", "16384")
        .pragma("journal_size_limit", "67108864")
        // Statement journals and sorts stay in memory instead of temporary files.
        .pragma("temp_store", "MEMORY")
        .pragma("cache_size", "-32768")
        .busy_timeout(Duration::from_secs(30))
        .foreign_keys(true);
    let writer = SqlitePoolOptions::new().max_connections(1).connect_with(options.clone()).await?;
    sqlx::migrate!("./migrations").run(&writer).await?;
    let readers = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
    Ok((readers, writer))
}

/// Bound parameters one statement may carry (SQLite allows 32,766).
const MAX_STATEMENT_PARAMETERS: usize = 32_000;

/// Rows of `columns` bound values each that fit in one multi-row statement. Batches are
/// written in as few statements as this allows: each statement is a round trip to the
/// database thread, and under load a round trip costs more than the rows it carries.
pub(crate) const fn rows_per_statement(columns: usize) -> usize {
    MAX_STATEMENT_PARAMETERS / columns
}

/// How often [`checkpoints`] copies the write-ahead log into the database.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(30);

/// Copy the write-ahead log into the database every 30 seconds, on a reader connection, until
/// `stop` turns true, so that a registry without writes does not keep a large log (readers look
/// every page up in it). PASSIVE checkpoints never block readers or the writer; under a steady
/// stream of commits the writer's own checkpoints (`wal_autocheckpoint`) do the work.
pub(crate) async fn checkpoints(pool: SqlitePool, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(CHECKPOINT_EVERY) => {}
            _ = stop.changed() => return,
        }
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
            tracing::warn!(error = %e, "registry checkpoint failed; the next one retries");
        }
    }
}

/// Where a document came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SourceType {
    /// A file under one of the configured ingest roots.
    Local,
    /// Text sent in the request body.
    Inline,
    /// A file uploaded to the server.
    Upload,
    /// A file carried inside another document (an e-mail attachment).
    Attachment,
}

impl SourceType {
    /// The stored and serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceType::Local => "local",
            SourceType::Inline => "inline",
            SourceType::Upload => "upload",
            SourceType::Attachment => "attachment",
        }
    }
}

impl FromStr for SourceType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "local" => Ok(SourceType::Local),
            "inline" => Ok(SourceType::Inline),
            "upload" => Ok(SourceType::Upload),
            "attachment" => Ok(SourceType::Attachment),
            other => Err(format!("'{other}' is not a source type (local, inline, upload, attachment)")),
        }
    }
}

/// Provenance of one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DocumentInfo {
    pub id: Uuid,
    pub tenant_id: TenantId,
    pub source_type: SourceType,
    /// Canonical path (local), file name (upload, inline) or attachment file name.
    pub source: String,
    /// Lower-case hex SHA-256 of the content.
    pub sha256: String,
    /// Content size in bytes.
    pub bytes: u64,
    pub media_type: String,
    /// Parser that produced the text ("text", "html", "email", ...).
    pub parser: String,
    /// The ingestion job that registered the document.
    pub job_id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub ingested_at: OffsetDateTime,
    pub title: Option<String>,
    pub author: Option<String>,
    pub recipients: Vec<String>,
    /// The document's own date (e-mail Date header, document properties), in UTC.
    #[serde(with = "time::serde::rfc3339::option")]
    pub document_date: Option<OffsetDateTime>,
    /// When the document was last modified, from its metadata (DOCX core properties, PDF info).
    #[serde(with = "time::serde::rfc3339::option")]
    pub modified_date: Option<OffsetDateTime>,
    pub subject: Option<String>,
    /// The containing document, for attachments.
    pub parent_id: Option<Uuid>,
    /// What a reader should know about the text: `needs_ocr` when a page (or the whole file)
    /// has no text layer, so the text is not the whole document; `empty` when the file gave no
    /// text at all.
    pub warnings: Vec<String>,
}

/// One document with its text and its attachments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DocumentDetail {
    #[serde(flatten)]
    pub document: DocumentInfo,
    /// The extracted plain text; citation offsets are byte offsets into it.
    pub text: String,
    /// The documents its attachments became (their own, or the tenant's earlier document with
    /// the same content), in the parent's order.
    pub attachment_ids: Vec<Uuid>,
    /// Every attachment the document carries, whether or not it became a document.
    pub attachments: Vec<AttachmentInfo>,
}

/// What became of an attachment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentStatus {
    /// A document of the tenant holds its content (`document_id`): registered from this parent
    /// or earlier from another file with the same content.
    Ingested,
    /// No parser reads its type (an image, an archive): listed, not a failure.
    NotParsed,
    /// Its parser failed on it (`error`); the job reports the failure too.
    Failed,
    /// Nested deeper than the attachment depth limit, so not opened.
    NotFollowed,
    /// Its ingestion has not finished yet.
    Pending,
}

impl AttachmentStatus {
    /// The stored and serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            AttachmentStatus::Ingested => "ingested",
            AttachmentStatus::NotParsed => "not_parsed",
            AttachmentStatus::Failed => "failed",
            AttachmentStatus::NotFollowed => "not_followed",
            AttachmentStatus::Pending => "pending",
        }
    }

    fn parse(s: &str) -> Result<AttachmentStatus, CorpusError> {
        Ok(match s {
            "ingested" => AttachmentStatus::Ingested,
            "not_parsed" => AttachmentStatus::NotParsed,
            "failed" => AttachmentStatus::Failed,
            "not_followed" => AttachmentStatus::NotFollowed,
            "pending" => AttachmentStatus::Pending,
            other => return Err(CorpusError::Corrupt(format!("unknown attachment status '{other}'"))),
        })
    }
}

/// One attachment as its parent lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AttachmentInfo {
    /// The file name the parent gives it (made safe), or a generated one.
    pub file_name: String,
    /// The media type the parent declares for it.
    pub media_type: Option<String>,
    /// Size of its content in bytes (text parts as UTF-8).
    pub bytes: u64,
    /// Lower-case hex SHA-256 of its content, the key of the document it became.
    pub sha256: String,
    pub status: AttachmentStatus,
    /// Why it is not a document (`not_parsed`, `failed`, `not_followed`).
    pub error: Option<String>,
    /// The document holding its content, when there is one.
    pub document_id: Option<Uuid>,
}

/// Which documents to list; every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct DocumentFilter {
    pub source_type: Option<SourceType>,
    pub job_id: Option<Uuid>,
    pub parent_id: Option<Uuid>,
    /// Earliest document date, `YYYY-MM-DD` or RFC 3339, inclusive.
    pub date_from: Option<String>,
    /// Latest document date, `YYYY-MM-DD` (the whole day) or RFC 3339, inclusive.
    pub date_to: Option<String>,
    /// 1-based page number (default 1).
    pub page: Option<u32>,
    /// Documents per page, 1..=200 (default 50).
    pub page_size: Option<u32>,
}

/// One page of documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DocumentPage {
    pub documents: Vec<DocumentInfo>,
    /// Documents matching the filter, over all pages.
    pub total: u64,
    pub page: u32,
    pub page_size: u32,
}

pub(crate) const INFO_COLUMNS: &str = "id, tenant_id, source_type, source, sha256, bytes, media_type, parser, job_id, \
     ingested_at, title, author, recipients, document_date, modified_date, subject, parent_id, warnings";

pub(crate) fn parse_uuid(s: &str) -> Result<Uuid, CorpusError> {
    Uuid::parse_str(s).map_err(|e| CorpusError::Corrupt(format!("bad uuid '{s}': {e}")))
}

pub(crate) fn info_from_row(row: &SqliteRow) -> Result<DocumentInfo, CorpusError> {
    let source_type: String = row.try_get("source_type")?;
    let recipients: String = row.try_get("recipients")?;
    let warnings: String = row.try_get("warnings")?;
    let document_date: Option<String> = row.try_get("document_date")?;
    let modified_date: Option<String> = row.try_get("modified_date")?;
    let parent_id: Option<String> = row.try_get("parent_id")?;
    let bytes: i64 = row.try_get("bytes")?;
    Ok(DocumentInfo {
        id: parse_uuid(&row.try_get::<String, _>("id")?)?,
        tenant_id: stored_tenant(row.try_get("tenant_id")?)?,
        source_type: source_type.parse().map_err(CorpusError::Corrupt)?,
        source: row.try_get("source")?,
        sha256: row.try_get("sha256")?,
        bytes: u64::try_from(bytes).unwrap_or(0),
        media_type: row.try_get("media_type")?,
        parser: row.try_get("parser")?,
        job_id: parse_uuid(&row.try_get::<String, _>("job_id")?)?,
        ingested_at: parse_rfc3339(&row.try_get::<String, _>("ingested_at")?)?,
        title: row.try_get("title")?,
        author: row.try_get("author")?,
        recipients: serde_json::from_str(&recipients)
            .map_err(|e| CorpusError::Corrupt(format!("bad recipients JSON: {e}")))?,
        document_date: document_date.as_deref().map(parse_rfc3339).transpose()?,
        modified_date: modified_date.as_deref().map(parse_rfc3339).transpose()?,
        subject: row.try_get("subject")?,
        parent_id: parent_id.as_deref().map(parse_uuid).transpose()?,
        warnings: serde_json::from_str(&warnings)
            .map_err(|e| CorpusError::Corrupt(format!("bad warnings JSON: {e}")))?,
    })
}

/// The `warnings` column's JSON for a document's warning codes.
pub(crate) fn warnings_json(warnings: &[String]) -> String {
    // A list of strings always serialises; the fallback only keeps the column valid.
    serde_json::to_string(warnings).unwrap_or_else(|_| "[]".to_owned())
}

/// List a tenant's documents.
pub(crate) async fn list(
    pool: &SqlitePool,
    tenant: &TenantId,
    filter: &DocumentFilter,
) -> Result<DocumentPage, CorpusError> {
    let page = filter.page.unwrap_or(1);
    if page == 0 {
        return Err(CorpusError::filter("page", "pages are numbered from 1"));
    }
    let page_size = filter.page_size.unwrap_or(DEFAULT_DOCUMENT_PAGE_SIZE);
    if page_size == 0 || page_size > MAX_DOCUMENT_PAGE_SIZE {
        return Err(CorpusError::filter("page_size", format!("must be between 1 and {MAX_DOCUMENT_PAGE_SIZE}")));
    }
    let from = filter.date_from.as_deref().map(|v| parse_bound("date_from", v, false)).transpose()?;
    let to = filter.date_to.as_deref().map(|v| parse_bound("date_to", v, true)).transpose()?;
    check_range(from.as_ref(), to.as_ref(), "date_from")?;

    let push_filters = |qb: &mut QueryBuilder<'_, Sqlite>| {
        qb.push(" WHERE tenant_id = ").push_bind(tenant.to_string());
        if let Some(st) = filter.source_type {
            qb.push(" AND source_type = ").push_bind(st.as_str());
        }
        if let Some(job) = filter.job_id {
            qb.push(" AND job_id = ").push_bind(job.to_string());
        }
        if let Some(parent) = filter.parent_id {
            qb.push(" AND parent_id = ").push_bind(parent.to_string());
        }
        if let Some(from) = &from {
            qb.push(" AND document_date >= ").push_bind(from.key.clone());
        }
        if let Some(to) = &to {
            qb.push(if to.inclusive { " AND document_date <= " } else { " AND document_date < " })
                .push_bind(to.key.clone());
        }
    };

    let mut count = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM documents");
    push_filters(&mut count);
    let total: i64 = count.build_query_scalar().fetch_one(pool).await?;

    let offset = i64::from(page - 1) * i64::from(page_size);
    let mut select = QueryBuilder::<Sqlite>::new(format!("SELECT {INFO_COLUMNS} FROM documents"));
    push_filters(&mut select);
    select.push(" ORDER BY ingested_at, id LIMIT ").push_bind(i64::from(page_size)).push(" OFFSET ").push_bind(offset);
    let rows = select.build().fetch_all(pool).await?;
    let documents = rows.iter().map(info_from_row).collect::<Result<Vec<_>, _>>()?;
    Ok(DocumentPage { documents, total: u64::try_from(total).unwrap_or(0), page, page_size })
}

/// One document of a tenant, with attachment ids, and where its text is: in the content store
/// under the returned SHA-256, or (rows written before text moved there) in `text`; None when
/// the tenant has no such document.
pub(crate) async fn detail(
    pool: &SqlitePool,
    tenant: &TenantId,
    id: Uuid,
) -> Result<Option<(DocumentDetail, Option<String>)>, CorpusError> {
    let row =
        sqlx::query(&format!("SELECT {INFO_COLUMNS}, text, text_sha256 FROM documents WHERE tenant_id = ? AND id = ?"))
            .bind(tenant.as_str())
            .bind(id.to_string())
            .fetch_optional(pool)
            .await?;
    let Some(row) = row else { return Ok(None) };
    let document = info_from_row(&row)?;
    let text: String = row.try_get("text")?;
    let text_sha256: Option<String> = row.try_get("text_sha256")?;
    let children: Vec<String> =
        sqlx::query_scalar("SELECT id FROM documents WHERE tenant_id = ? AND parent_id = ? ORDER BY ingested_at, id")
            .bind(tenant.as_str())
            .bind(id.to_string())
            .fetch_all(pool)
            .await?;
    let attachments = attachments_of(pool, tenant, id).await?;
    // Listed attachments first, in the parent's order, then children registered before the
    // attachment list existed.
    let mut attachment_ids: Vec<Uuid> = attachments.iter().filter_map(|a| a.document_id).collect();
    for child in &children {
        let child = parse_uuid(child)?;
        if !attachment_ids.contains(&child) {
            attachment_ids.push(child);
        }
    }
    attachment_ids.dedup();
    Ok(Some((DocumentDetail { document, text, attachment_ids, attachments }, text_sha256)))
}

/// The attachments a document lists, each with the tenant's document holding its content.
async fn attachments_of(
    pool: &SqlitePool,
    tenant: &TenantId,
    parent: Uuid,
) -> Result<Vec<AttachmentInfo>, CorpusError> {
    let rows = sqlx::query(
        "SELECT a.file_name, a.media_type, a.bytes, a.sha256, a.status, a.error, d.id AS document_id \
         FROM attachments a LEFT JOIN documents d ON d.tenant_id = a.tenant_id AND d.sha256 = a.sha256 \
         WHERE a.tenant_id = ? AND a.parent_id = ? ORDER BY a.position",
    )
    .bind(tenant.as_str())
    .bind(parent.to_string())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let document_id: Option<String> = row.try_get("document_id")?;
            let status: Option<String> = row.try_get("status")?;
            let status = match (&document_id, status) {
                (Some(_), _) => AttachmentStatus::Ingested,
                (None, Some(s)) => AttachmentStatus::parse(&s)?,
                (None, None) => AttachmentStatus::Pending,
            };
            Ok(AttachmentInfo {
                file_name: row.try_get("file_name")?,
                media_type: row.try_get("media_type")?,
                bytes: u64::try_from(row.try_get::<i64, _>("bytes")?).unwrap_or(0),
                sha256: row.try_get("sha256")?,
                status,
                error: if status == AttachmentStatus::Ingested { None } else { row.try_get("error")? },
                document_id: document_id.as_deref().map(parse_uuid).transpose()?,
            })
        })
        .collect()
}

/// An attachment to list on its parent, as the parent's parser found it.
#[derive(Debug, Clone)]
pub(crate) struct NewAttachment {
    pub file_name: String,
    pub media_type: Option<String>,
    pub bytes: u64,
    pub sha256: String,
}

/// What became of an attachment that did not become a document.
#[derive(Debug, Clone)]
pub(crate) struct AttachmentNote {
    pub parent_id: Uuid,
    pub position: u32,
    pub status: AttachmentStatus,
    pub error: String,
}

/// List the attachments of newly registered parents, inside the registration transaction.
pub(crate) async fn insert_attachments(
    conn: &mut sqlx::SqliteConnection,
    tenant: &TenantId,
    rows: &[(Uuid, u32, &NewAttachment)],
) -> Result<(), CorpusError> {
    for chunk in rows.chunks(rows_per_statement(7)) {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "INSERT INTO attachments (tenant_id, parent_id, position, file_name, media_type, bytes, sha256) ",
        );
        qb.push_values(chunk, |mut b, (parent, position, a)| {
            b.push_bind(tenant.as_str())
                .push_bind(parent.to_string())
                .push_bind(i64::from(*position))
                .push_bind(a.file_name.as_str())
                .push_bind(a.media_type.as_deref())
                .push_bind(i64::try_from(a.bytes).unwrap_or(i64::MAX))
                .push_bind(a.sha256.as_str());
        });
        qb.push(" ON CONFLICT (tenant_id, parent_id, position) DO NOTHING");
        qb.build().persistent(false).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Record why attachments did not become documents. Their parents are registered in the same
/// transaction or an earlier one.
pub(crate) async fn note_attachments(
    conn: &mut sqlx::SqliteConnection,
    tenant: &TenantId,
    notes: &[AttachmentNote],
) -> Result<(), CorpusError> {
    for note in notes {
        sqlx::query(
            "UPDATE attachments SET status = ?, error = ? WHERE tenant_id = ? AND parent_id = ? AND position = ?",
        )
        .bind(note.status.as_str())
        .bind(note.error.as_str())
        .bind(tenant.as_str())
        .bind(note.parent_id.to_string())
        .bind(i64::from(note.position))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A registered document as the ingestion sees it when it meets the same content again.
#[derive(Debug, Clone)]
pub(crate) struct Existing {
    pub id: Uuid,
    pub job_id: Uuid,
    pub bytes: u64,
    pub indexed: bool,
}

/// The tenant's document with this content, if any.
pub(crate) async fn find_by_hash(
    pool: &SqlitePool,
    tenant: &TenantId,
    sha256: &str,
) -> Result<Option<Existing>, CorpusError> {
    let row = sqlx::query("SELECT id, job_id, bytes, indexed FROM documents WHERE tenant_id = ? AND sha256 = ?")
        .bind(tenant.as_str())
        .bind(sha256)
        .fetch_optional(pool)
        .await?;
    row.map(|row| {
        Ok(Existing {
            id: parse_uuid(&row.try_get::<String, _>("id")?)?,
            job_id: parse_uuid(&row.try_get::<String, _>("job_id")?)?,
            bytes: u64::try_from(row.try_get::<i64, _>("bytes")?).unwrap_or(0),
            indexed: row.try_get::<i64, _>("indexed")? != 0,
        })
    })
    .transpose()
}

/// Append the list of an `IN`, `(v1, v2, ...)`, each value bound.
pub(crate) fn push_in_list(qb: &mut QueryBuilder<'_, Sqlite>, values: impl IntoIterator<Item = String>) {
    qb.push(" (");
    let mut list = qb.separated(", ");
    for value in values {
        list.push_bind(value);
    }
    qb.push(")");
}

/// Mark documents as committed to the index.
pub(crate) async fn mark_indexed(pool: &SqlitePool, ids: &[Uuid]) -> Result<(), CorpusError> {
    for chunk in ids.chunks(500) {
        let mut qb = QueryBuilder::<Sqlite>::new("UPDATE documents SET indexed = 1 WHERE id IN");
        push_in_list(&mut qb, chunk.iter().map(Uuid::to_string));
        qb.build().execute(pool).await?;
    }
    Ok(())
}
