//! Registration and indexing: a batch of analysed documents, with their events, mentions and
//! attachments, in one registry transaction, then added to the index and committed in batches.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use sqlx::{QueryBuilder, Sqlite};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::context::Inner;
use crate::entities::entity_id;
use crate::error::CorpusError;
use crate::index::IndexDoc;
use crate::index::facts::{EventFact, MentionFact};
use crate::registry::{self, AttachmentNote, NewAttachment};
use crate::timeline::{self, NewEvent};
use crate::util::ts_key;

use super::fetch::{Analysed, Item};
use super::job::Pending;

/// Documents indexed between two index commits within one job.
pub(super) const INDEX_BATCH: usize = 1_000;

/// What a registration did: the batch back, which of its documents were added, and the
/// documents lost to other jobs so far.
pub(super) struct Registered {
    pub(super) batch: Vec<Pending>,
    pub(super) inserted: Vec<bool>,
    pub(super) lost: HashSet<Uuid>,
    /// The events of the inserted documents, by document.
    pub(super) events: HashMap<Uuid, Vec<EventFact>>,
}

/// Register a batch of documents, with their events and mentions, in one transaction. `lost`
/// holds the documents another job registered first (whose attachments are that job's too);
/// it is returned with this batch's added.
pub(super) async fn register(
    inner: &Arc<Inner>,
    tenant: &crate::TenantId,
    job: Uuid,
    batch: Vec<Pending>,
    notes: &[AttachmentNote],
    mut lost: HashSet<Uuid>,
) -> Result<Registered, CorpusError> {
    // The batch's content must be durable before any row refers to it.
    let store = inner.clone();
    tokio::task::spawn_blocking(move || store.store.sync()).await??;
    let now = ts_key(OffsetDateTime::now_utc());
    // The attachments of a document another job registered first are that job's.
    let mut eligible = Vec::with_capacity(batch.len());
    for (i, pending) in batch.iter().enumerate() {
        if pending.item.parent.is_some_and(|parent| lost.contains(&parent)) {
            lost.insert(pending.id);
        } else {
            eligible.push(i);
        }
    }
    let mut rows = Vec::with_capacity(eligible.len());
    for &i in &eligible {
        let Pending { item, size, id, sha, analysed: a } = &batch[i];
        let p = &a.parsed;
        let recipients = serde_json::to_string(&p.recipients).map_err(|e| CorpusError::Corrupt(e.to_string()))?;
        let media_type =
            if p.media_type.is_empty() { item.media_type.clone().unwrap_or_default() } else { p.media_type.clone() };
        let date = p.document_date.filter(|d| (1..=9999).contains(&d.year())).map(ts_key);
        let modified = p.modified_date.filter(|d| (1..=9999).contains(&d.year())).map(ts_key);
        // The text is in the content store; the row only names it.
        let (text, text_sha256) = match &a.text_sha256 {
            Some(sha) => ("", Some(sha.as_str())),
            None => (p.text.as_str(), None),
        };
        rows.push((item, *size, id.to_string(), sha, p, recipients, media_type, (date, modified), text, text_sha256));
    }
    let mut tx = inner.writer.begin().await?;
    // The batch's documents in one statement; a content another job of the same tenant
    // registered a moment ago is not inserted and not returned.
    let mut returned: HashSet<String> = HashSet::with_capacity(rows.len());
    for chunk in rows.chunks(registry::rows_per_statement(21)) {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "INSERT INTO documents (id, tenant_id, source_type, source, sha256, bytes, media_type, parser, job_id, \
             ingested_at, title, author, recipients, document_date, modified_date, subject, parent_id, text, \
             text_sha256, indexed, warnings) ",
        );
        qb.push_values(chunk, |mut b, (item, size, id, sha, p, recipients, media_type, dates, text, text_sha256)| {
            b.push_bind(id.as_str())
                .push_bind(tenant.as_str())
                .push_bind(item.source_type.as_str())
                .push_bind(item.source.as_str())
                .push_bind(sha.as_str())
                .push_bind(i64::try_from(*size).unwrap_or(i64::MAX))
                .push_bind(media_type.as_str())
                .push_bind(p.parser)
                .push_bind(job.to_string())
                .push_bind(now.as_str())
                .push_bind(p.title.as_deref())
                .push_bind(p.author.as_deref())
                .push_bind(recipients.as_str())
                .push_bind(dates.0.as_deref())
                .push_bind(dates.1.as_deref())
                .push_bind(p.subject.as_deref())
                .push_bind(item.parent.map(|u| u.to_string()))
                .push_bind(*text)
                .push_bind(*text_sha256)
                .push_bind(0i64)
                .push_bind(registry::warnings_json(&p.warnings));
        });
        qb.push(" ON CONFLICT (tenant_id, sha256) DO NOTHING RETURNING id");
        returned.extend(qb.build_query_scalar::<String>().persistent(false).fetch_all(&mut *tx).await?);
    }
    drop(rows);
    let mut inserted = vec![false; batch.len()];
    let mut orphans: Vec<String> = Vec::new();
    let mut batch_events: Vec<NewEvent> = Vec::new();
    let mut batch_mentions: Vec<(uuid::Uuid, &crate::model::EntityMention)> = Vec::new();
    let mut batch_attachments: Vec<(Uuid, u32, &NewAttachment)> = Vec::new();
    // In batch order, so a parent's fate is known before its attachments'.
    for &i in &eligible {
        let Pending { item, id, analysed: a, .. } = &batch[i];
        if !returned.contains(&id.to_string()) {
            lost.insert(*id);
            continue;
        }
        if item.parent.is_some_and(|parent| lost.contains(&parent)) {
            // Its parent lost the race within this batch: the attachment is not ours either.
            lost.insert(*id);
            orphans.push(id.to_string());
            continue;
        }
        let title = crate::util::display_title(None, None, &item.source);
        batch_events.extend(timeline::build_events(*id, &title, &a.parsed, &a.dates, &a.mentions));
        batch_mentions.extend(a.mentions.iter().map(|m| (*id, m)));
        batch_attachments
            .extend(a.attachments.iter().enumerate().map(|(n, att)| (*id, u32::try_from(n).unwrap_or(u32::MAX), att)));
        inserted[i] = true;
    }
    if !orphans.is_empty() {
        let mut qb = QueryBuilder::<Sqlite>::new("DELETE FROM documents WHERE id IN");
        registry::push_in_list(&mut qb, orphans);
        qb.build().persistent(false).execute(&mut *tx).await?;
    }
    // The whole batch's mentions and events in a few multi-row statements.
    crate::entities::record_mentions(&mut tx, tenant, &batch_mentions).await?;
    timeline::record_events(&mut tx, tenant, &batch_events).await?;
    registry::insert_attachments(&mut tx, tenant, &batch_attachments).await?;
    registry::note_attachments(&mut tx, tenant, notes).await?;
    tx.commit().await?;
    let mut events: HashMap<Uuid, Vec<EventFact>> = HashMap::new();
    for e in batch_events {
        events.entry(e.event.document_id).or_default().push(e.fact);
    }
    Ok(Registered { batch, inserted, lost, events })
}

/// What became of one document of a registered batch.
pub(super) struct Outcome {
    /// Registered (else another job registered the same content first).
    pub(super) added: bool,
    /// A file of the job's sources, not an attachment: its bytes count as the job's.
    pub(super) top_level: bool,
    pub(super) size: u64,
}

/// A batch registered and indexed: what became of each document, the documents lost to other
/// jobs so far, and the documents indexed but not yet committed.
pub(super) struct Indexed {
    pub(super) outcomes: Vec<Outcome>,
    pub(super) lost: HashSet<Uuid>,
    pub(super) pending: Vec<Uuid>,
}

/// Register a batch, add its new documents to the index, and commit the index once
/// [`INDEX_BATCH`] documents await it. Runs beside the job, which goes on reading and analysing
/// the next files meanwhile.
pub(super) async fn register_and_index(
    inner: &Arc<Inner>,
    tenant: &crate::TenantId,
    job: Uuid,
    batch: Vec<Pending>,
    notes: Vec<AttachmentNote>,
    lost: HashSet<Uuid>,
    mut pending: Vec<Uuid>,
) -> Result<Indexed, CorpusError> {
    let Registered { batch, inserted, lost, mut events } = register(inner, tenant, job, batch, &notes, lost).await?;
    let mut outcomes = Vec::with_capacity(batch.len());
    let mut docs = Vec::with_capacity(batch.len());
    for (p, added) in batch.into_iter().zip(inserted) {
        outcomes.push(Outcome { added, top_level: p.item.depth == 0, size: p.size });
        if added {
            let events = events.remove(&p.id).unwrap_or_default();
            docs.push(index_doc(tenant, &p.item, p.id, p.analysed, events));
        }
    }
    add_to_index(inner, docs, false, &mut pending).await?;
    if pending.len() >= INDEX_BATCH {
        commit_index(inner, &mut pending).await?;
    }
    Ok(Indexed { outcomes, lost, pending })
}

/// What the indexes need of an analysed document and its events.
fn index_doc(tenant: &crate::TenantId, item: &Item, id: Uuid, a: Analysed, events: Vec<EventFact>) -> IndexDoc {
    let p = &a.parsed;
    let mut entities: Vec<(Option<usize>, String)> = Vec::with_capacity(a.mentions.len() * 2);
    let mut mentions: BTreeMap<String, u64> = BTreeMap::new();
    for m in &a.mentions {
        if m.normalized.trim().is_empty() {
            continue;
        }
        let at = m.span.map(|(start, _)| start);
        let id = entity_id(m.kind, &m.normalized);
        *mentions.entry(id.clone()).or_default() += 1;
        entities.push((at, id));
        entities.push((at, m.normalized.to_lowercase()));
    }
    let dates: Vec<(Option<usize>, OffsetDateTime)> = a
        .dates
        .iter()
        .map(|d| (d.span.map(|(start, _)| start), d.timestamp.unwrap_or_else(|| d.date.midnight().assume_utc())))
        .chain(p.document_date.map(|date| (None, date)))
        .collect();
    IndexDoc {
        tenant: tenant.to_owned(),
        document_id: id,
        title: Some(crate::util::display_title(p.title.as_deref(), p.subject.as_deref(), &item.source)),
        subject: p.subject.clone(),
        author: p.author.clone(),
        recipients: p.recipients.clone(),
        source: item.source.clone(),
        source_type: item.source_type,
        text: a.parsed.text,
        passages: a.passages,
        entities,
        dates,
        events,
        mentions: mentions.into_iter().map(|(entity_id, mentions)| MentionFact { entity_id, mentions }).collect(),
    }
}

/// Add documents to the index (uncommitted) in one blocking call; their ids join `pending`.
pub(super) async fn add_to_index(
    inner: &Arc<Inner>,
    docs: Vec<IndexDoc>,
    replace: bool,
    pending: &mut Vec<Uuid>,
) -> Result<(), CorpusError> {
    if docs.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = docs.iter().map(|d| d.document_id).collect();
    let inner = inner.clone();
    tokio::task::spawn_blocking(move || {
        for doc in &docs {
            inner.index.add(doc, replace)?;
        }
        Ok::<_, CorpusError>(())
    })
    .await??;
    pending.extend(ids);
    Ok(())
}

/// Commit the index and mark the `pending` documents as indexed (the content store is synced
/// first, also when nothing is pending).
pub(super) async fn commit_index(inner: &Arc<Inner>, pending: &mut Vec<Uuid>) -> Result<(), CorpusError> {
    let store = inner.clone();
    if pending.is_empty() {
        return tokio::task::spawn_blocking(move || store.store.sync()).await?;
    }
    tokio::task::spawn_blocking(move || {
        store.store.sync()?;
        store.index.commit()
    })
    .await??;
    registry::mark_indexed(&inner.writer, pending).await?;
    pending.clear();
    Ok(())
}
