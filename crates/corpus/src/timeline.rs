//! The timeline: dated events extracted from documents, paged by an opaque cursor.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use docket_billing::TenantId;
use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection, SqlitePool};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};
use uuid::Uuid;

use crate::entities::{self, entity_id};
use crate::error::CorpusError;
use crate::index::facts::{EventFact, FactsIndex, TimelineScope};
use crate::model::{DatePrecision, EntityKind, EntityMention, ExtractedDate, ParsedDocument};
use crate::query::deadline::Deadline;
use crate::registry::{parse_uuid, push_in_list, rows_per_statement};
use crate::util::{check_range, date_key, format_date, parse_bound, parse_rfc3339, slice, truncate, ts_key};

/// Most events returned in one page.
pub const MAX_TIMELINE_LIMIT: u32 = 200;
/// Events per page when the request gives no limit.
pub const DEFAULT_TIMELINE_LIMIT: u32 = 50;
/// Longest summary kept for an event, in bytes.
const MAX_SUMMARY_BYTES: usize = 2_000;

/// A byte range of a document's text that supports an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EventCitation {
    pub document_id: Uuid,
    pub start: usize,
    pub end: usize,
}

/// An entity mentioned in an event's summary; offsets are byte offsets into `summary`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EntityHighlight {
    pub entity_id: String,
    pub kind: EntityKind,
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// One dated event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TimelineEvent {
    pub id: Uuid,
    pub document_id: Uuid,
    /// `YYYY-MM-DD`, or an RFC 3339 timestamp with the offset it was written with when the
    /// time of day is known (`2024-03-01T23:06:00-04:00`). Events are ordered and filtered by
    /// this local time: an e-mail is on the day its sender wrote it.
    pub ts: String,
    /// The day as written, `YYYY-MM-DD`.
    pub local_date: String,
    /// The UTC offset the time was written with (`-04:00`), when the time of day is known.
    pub utc_offset: Option<String>,
    /// The same instant in UTC (`2024-03-02T03:06:00Z`), when the time of day is known.
    pub utc: Option<String>,
    pub precision: DatePrecision,
    /// The document's title or e-mail subject.
    pub title: String,
    /// The sentence that carries the date.
    pub summary: String,
    pub citations: Vec<EventCitation>,
    pub entity_highlights: Vec<EntityHighlight>,
    /// 0..1: how sure the extractor is that this is an event date.
    pub confidence: f32,
    /// "metadata" (e-mail Date, DOCX core properties, PDF info) or "body".
    pub origin: String,
}

/// Which events to return.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct TimelineRequest {
    /// The `next_cursor` of the previous page; absent for the first page.
    pub cursor: Option<String>,
    /// Events per page, 1..=200 (default 50).
    pub limit: Option<u32>,
    /// Earliest event time, `YYYY-MM-DD` or RFC 3339, inclusive.
    pub from_ts: Option<String>,
    /// Latest event time, `YYYY-MM-DD` (the whole day) or RFC 3339, inclusive.
    pub to_ts: Option<String>,
    /// Only events mentioning this entity (an entity id or its normalised form).
    pub entity: Option<String>,
}

/// One page of the timeline, in chronological order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TimelinePage {
    pub events: Vec<TimelineEvent>,
    /// Pass back as `cursor` for the next page; None on the last page.
    pub next_cursor: Option<String>,
}

const CURSOR_VERSION: &str = "t1";

fn encode_cursor(ts_key: &str, id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{CURSOR_VERSION}|{ts_key}|{id}"))
}

fn decode_cursor(cursor: &str) -> Result<(String, String), CorpusError> {
    let raw = URL_SAFE_NO_PAD.decode(cursor.trim().as_bytes()).map_err(|_| CorpusError::InvalidCursor)?;
    let raw = String::from_utf8(raw).map_err(|_| CorpusError::InvalidCursor)?;
    let mut parts = raw.splitn(3, '|');
    let (Some(CURSOR_VERSION), Some(ts), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(CorpusError::InvalidCursor);
    };
    // Both halves are validated so a forged cursor cannot smuggle arbitrary text into SQL
    // parameters that are later echoed back.
    if Uuid::parse_str(id).is_err() || ts.len() != 20 || !ts.ends_with('Z') {
        return Err(CorpusError::InvalidCursor);
    }
    Ok((ts.to_owned(), id.to_owned()))
}

/// An event ready to be stored, built from one extracted date.
pub(crate) struct NewEvent {
    pub event: TimelineEvent,
    pub ts_key: String,
    /// What the facts index keeps of it.
    pub fact: EventFact,
}

/// Build the timeline events of one document.
pub(crate) fn build_events(
    document_id: Uuid,
    fallback_title: &str,
    doc: &ParsedDocument,
    dates: &[ExtractedDate],
    mentions: &[EntityMention],
) -> Vec<NewEvent> {
    let title = doc
        .title
        .as_deref()
        .or(doc.subject.as_deref())
        .filter(|t| !t.trim().is_empty())
        .unwrap_or(fallback_title)
        .trim()
        .to_owned();
    // Each mention's entity id once, and the mentions with a place in the text in text order,
    // so that an event finds the mentions of its sentence without scanning them all.
    let ids: Vec<String> = mentions.iter().map(|m| entity_id(m.kind, &m.normalized)).collect();
    let mut placed: Vec<(usize, usize, usize)> =
        mentions.iter().enumerate().filter_map(|(i, m)| m.span.map(|(s, e)| (s, e, i))).collect();
    placed.sort_unstable();
    let mut out = Vec::with_capacity(dates.len());
    for d in dates {
        if !(1..=9999).contains(&d.date.year()) {
            continue;
        }
        // The sort key is the local wall-clock time, so that a date-only event and a timestamp
        // written the same day fall on that day whatever the writer's offset.
        let (ts, key, seconds) = match d.timestamp {
            Some(t) if (1..=9999).contains(&t.year()) && (1..=9999).contains(&t.to_offset(UtcOffset::UTC).year()) => {
                let local = t.replace_offset(UtcOffset::UTC);
                let shown = t.replace_nanosecond(0).unwrap_or(t);
                (shown.format(&Rfc3339).unwrap_or_else(|_| ts_key(t)), ts_key(local), local.unix_timestamp())
            }
            _ => (format_date(d.date), date_key(d.date), d.date.midnight().assume_utc().unix_timestamp()),
        };
        let (local_date, utc_offset, utc) = local_parts(&ts);
        let (s_start, s_end) = d.sentence;
        let raw = slice(&doc.text, s_start, s_end).unwrap_or("");
        let lead = raw.len() - raw.trim_start().len();
        let trimmed = truncate(raw.trim(), MAX_SUMMARY_BYTES);
        let (summary, summary_start) = if trimmed.is_empty() {
            (doc.subject.clone().unwrap_or_else(|| title.clone()), None)
        } else {
            (trimmed.to_owned(), Some(s_start + lead))
        };
        let mut highlights = Vec::new();
        let mut entity_ids = Vec::new();
        if let Some(base) = summary_start {
            let first = placed.partition_point(|&(ms, _, _)| ms < base);
            for &(ms, me, i) in placed[first..].iter().take_while(|&&(ms, _, _)| ms < base + summary.len()) {
                if me <= base + summary.len() && ms < me {
                    let m = &mentions[i];
                    highlights.push(EntityHighlight {
                        entity_id: ids[i].clone(),
                        kind: m.kind,
                        text: m.surface.clone(),
                        start: ms - base,
                        end: me - base,
                    });
                    entity_ids.push(ids[i].clone());
                }
            }
        } else if d.origin == crate::model::ORIGIN_METADATA {
            // A header date (no sentence) relates to the header entities: sender and
            // recipients of the e-mail.
            entity_ids.extend(mentions.iter().zip(&ids).filter(|(m, _)| m.span.is_none()).map(|(_, id)| id.clone()));
        }
        entity_ids.sort();
        entity_ids.dedup();
        let citations = if summary_start.is_some() {
            vec![EventCitation { document_id, start: s_start, end: s_end }]
        } else {
            Vec::new()
        };
        let id = Uuid::now_v7();
        out.push(NewEvent {
            event: TimelineEvent {
                id,
                document_id,
                ts,
                local_date,
                utc_offset,
                utc,
                precision: d.precision,
                title: title.clone(),
                summary,
                citations,
                entity_highlights: highlights,
                confidence: if d.confidence.is_finite() { d.confidence.clamp(0.0, 1.0) } else { 0.0 },
                origin: d.origin.to_owned(),
            },
            ts_key: key,
            fact: EventFact { id, ts: seconds, entity_ids },
        });
    }
    out
}

/// The day as written, the offset and the UTC instant of an event's shown time (a date, or an
/// RFC 3339 timestamp; events stored before offsets were kept carry `Z`).
fn local_parts(ts: &str) -> (String, Option<String>, Option<String>) {
    let day = ts.get(..10).unwrap_or(ts).to_owned();
    match OffsetDateTime::parse(ts, &Rfc3339) {
        Ok(t) => {
            let offset = t.offset();
            let (h, m, _) = offset.as_hms();
            let sign = if offset.is_negative() { '-' } else { '+' };
            let offset = format!("{sign}{:02}:{:02}", h.unsigned_abs(), m.unsigned_abs());
            (day, Some(offset), Some(ts_key(t)))
        }
        Err(_) => (day, None, None),
    }
}

fn precision_str(p: DatePrecision) -> &'static str {
    match p {
        DatePrecision::Day => "day",
        DatePrecision::Month => "month",
        DatePrecision::Year => "year",
    }
}

fn precision_from_str(s: &str) -> Result<DatePrecision, CorpusError> {
    match s {
        "day" => Ok(DatePrecision::Day),
        "month" => Ok(DatePrecision::Month),
        "year" => Ok(DatePrecision::Year),
        other => Err(CorpusError::Corrupt(format!("unknown date precision '{other}'"))),
    }
}

/// Store a document's events inside the ingestion transaction.
pub(crate) async fn record_events(
    conn: &mut SqliteConnection,
    tenant: &TenantId,
    events: &[NewEvent],
) -> Result<(), CorpusError> {
    // The tenant's events per day, which tell a timeline page how far to look.
    let mut per_day: BTreeMap<i64, i64> = BTreeMap::new();
    for e in events {
        *per_day.entry(e.fact.ts.div_euclid(DAY)).or_default() += 1;
    }
    let per_day: Vec<(i64, i64)> = per_day.into_iter().collect();
    for chunk in per_day.chunks(rows_per_statement(3)) {
        let mut qb = QueryBuilder::<Sqlite>::new("INSERT INTO event_days (tenant_id, day, events) ");
        qb.push_values(chunk, |mut b, (day, events)| {
            b.push_bind(tenant.as_str()).push_bind(*day).push_bind(*events);
        });
        qb.push(" ON CONFLICT (tenant_id, day) DO UPDATE SET events = event_days.events + excluded.events");
        qb.build().persistent(false).execute(&mut *conn).await?;
    }
    let mut rows = Vec::with_capacity(events.len());
    for e in events {
        let ev = &e.event;
        let citations = serde_json::to_string(&ev.citations).map_err(|e| CorpusError::Corrupt(e.to_string()))?;
        let highlights =
            serde_json::to_string(&ev.entity_highlights).map_err(|e| CorpusError::Corrupt(e.to_string()))?;
        rows.push((e, ev.id.to_string(), citations, highlights));
    }
    // Multi-row statements keep ingestion at a few round trips per document.
    for chunk in rows.chunks(rows_per_statement(12)) {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "INSERT INTO events (id, tenant_id, document_id, ts_key, ts, precision, title, summary, citations, \
             entity_highlights, confidence, origin) ",
        );
        qb.push_values(chunk, |mut b, (e, id, citations, highlights)| {
            let ev = &e.event;
            b.push_bind(id.as_str())
                .push_bind(tenant.as_str())
                .push_bind(ev.document_id.to_string())
                .push_bind(e.ts_key.as_str())
                .push_bind(ev.ts.as_str())
                .push_bind(precision_str(ev.precision))
                .push_bind(ev.title.as_str())
                .push_bind(ev.summary.as_str())
                .push_bind(citations.as_str())
                .push_bind(highlights.as_str())
                .push_bind(f64::from(ev.confidence))
                .push_bind(ev.origin.as_str());
        });
        qb.build().persistent(false).execute(&mut *conn).await?;
    }
    Ok(())
}

pub(crate) fn event_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<TimelineEvent, CorpusError> {
    let citations: String = row.try_get("citations")?;
    let highlights: String = row.try_get("entity_highlights")?;
    let confidence: f64 = row.try_get("confidence")?;
    let ts: String = row.try_get("ts")?;
    let (local_date, utc_offset, utc) = local_parts(&ts);
    Ok(TimelineEvent {
        id: parse_uuid(&row.try_get::<String, _>("id")?)?,
        document_id: parse_uuid(&row.try_get::<String, _>("document_id")?)?,
        ts,
        local_date,
        utc_offset,
        utc,
        precision: precision_from_str(&row.try_get::<String, _>("precision")?)?,
        title: row.try_get("title")?,
        summary: row.try_get("summary")?,
        citations: serde_json::from_str(&citations).map_err(|e| CorpusError::Corrupt(format!("citations: {e}")))?,
        entity_highlights: serde_json::from_str(&highlights)
            .map_err(|e| CorpusError::Corrupt(format!("entity highlights: {e}")))?,
        confidence: confidence as f32,
        origin: row.try_get("origin")?,
    })
}

/// Seconds in a day: the unit of the registry's event counts.
const DAY: i64 = 86_400;
/// Days read from the registry at first when looking for where a page ends (twice as many at
/// each further read).
const FIRST_DAYS_READ: i64 = 64;

/// [`FactsIndex::timeline`], on the blocking pool.
async fn facts_timeline(
    facts: &Arc<FactsIndex>,
    tenant: &TenantId,
    scope: &TimelineScope<'_>,
    want: usize,
    deadline: &Deadline,
) -> Result<Vec<(i64, Uuid)>, CorpusError> {
    let (tenant, entity_ids, deadline) =
        (tenant.to_owned(), scope.entity_ids.map(<[String]>::to_vec), deadline.clone());
    let TimelineScope { after, from, to, .. } = *scope;
    facts
        .blocking(move |facts| {
            let scope = TimelineScope { after, from, to, entity_ids: entity_ids.as_deref() };
            facts.timeline(&tenant, &scope, want, &deadline)
        })
        .await
}

/// The (ts, id) keys of the first `want` events of the tenant in `scope`.
///
/// Without an entity filter the facts index is asked about a window of days, never about the
/// whole timeline: the registry's count of events per day tells how far the page reaches, so a
/// page costs about what it shows however long the timeline. With an entity filter the
/// entity's events are few enough to be ordered at once.
async fn first_keys(
    pool: &SqlitePool,
    facts: &Arc<FactsIndex>,
    tenant: &TenantId,
    scope: TimelineScope<'_>,
    want: usize,
    deadline: &Deadline,
) -> Result<Vec<(i64, Uuid)>, CorpusError> {
    if scope.entity_ids.is_some() {
        return facts_timeline(facts, tenant, &scope, want, deadline).await;
    }
    let mut start = scope.lower();
    let mut next_day = start.map_or(i64::MIN, |s| s.div_euclid(DAY));
    let last_day = scope.to.map_or(i64::MAX, |t| t.div_euclid(DAY));
    let target = want as i64;
    let mut days_read = FIRST_DAYS_READ;
    let mut keys: Vec<(i64, Uuid)> = Vec::with_capacity(want);
    while keys.len() < want && next_day <= last_day {
        let days: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT day, events FROM event_days WHERE tenant_id = ? AND day >= ? AND day <= ? ORDER BY day LIMIT ?",
        )
        .bind(tenant.as_str())
        .bind(next_day)
        .bind(last_day)
        .bind(days_read)
        .fetch_all(pool)
        .await?;
        days_read = days_read.saturating_mul(2).min(4_096);
        let Some(&(mut end_day, _)) = days.last() else { break };
        let mut counted = 0i64;
        for &(day, events) in &days {
            counted += events;
            if counted >= target {
                end_day = day;
                break;
            }
        }
        let end = end_day.saturating_add(1).saturating_mul(DAY).saturating_sub(1);
        let window_end = scope.to.map_or(end, |t| t.min(end));
        let window = TimelineScope { from: start, to: Some(window_end), ..scope };
        keys.extend(facts_timeline(facts, tenant, &window, want - keys.len(), deadline).await?);
        start = Some(window_end.saturating_add(1));
        next_day = end_day.saturating_add(1);
    }
    Ok(keys)
}

/// One page of a tenant's timeline: the facts index orders and filters the events, the
/// registry holds them.
pub(crate) async fn page(
    pool: &SqlitePool,
    facts: &Arc<FactsIndex>,
    tenant: &TenantId,
    req: &TimelineRequest,
    deadline: &Deadline,
) -> Result<TimelinePage, CorpusError> {
    let limit = req.limit.unwrap_or(DEFAULT_TIMELINE_LIMIT);
    if limit == 0 || limit > MAX_TIMELINE_LIMIT {
        return Err(CorpusError::filter("limit", format!("must be between 1 and {MAX_TIMELINE_LIMIT}")));
    }
    let after = match req.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(cursor) => {
            let (ts, id) = decode_cursor(cursor)?;
            let seconds = parse_rfc3339(&ts).map_err(|_| CorpusError::InvalidCursor)?.unix_timestamp();
            Some((seconds, Uuid::parse_str(&id).map_err(|_| CorpusError::InvalidCursor)?))
        }
        None => None,
    };
    let from = req.from_ts.as_deref().map(|v| parse_bound("from_ts", v, false)).transpose()?;
    let to = req.to_ts.as_deref().map(|v| parse_bound("to_ts", v, true)).transpose()?;
    check_range(from.as_ref(), to.as_ref(), "from_ts")?;
    let seconds = |key: &str| parse_rfc3339(key).map(OffsetDateTime::unix_timestamp);
    let from = from.map(|b| seconds(&b.key)).transpose()?;
    // An exclusive upper bound (the instant after a whole day) ends a second before it.
    let to = to.map(|b| seconds(&b.key).map(|s| if b.inclusive { s } else { s - 1 })).transpose()?;

    let entity_ids = match req.entity.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        Some(reference) => {
            let ids = entities::resolve(pool, tenant, reference).await?;
            if ids.is_empty() {
                return Ok(TimelinePage { events: Vec::new(), next_cursor: None });
            }
            Some(ids)
        }
        None => None,
    };
    let scope = TimelineScope { after, from, to, entity_ids: entity_ids.as_deref() };
    let keys = first_keys(pool, facts, tenant, scope, limit as usize + 1, deadline).await?;
    let has_more = keys.len() > limit as usize;
    let shown = &keys[..keys.len().min(limit as usize)];
    if shown.is_empty() {
        return Ok(TimelinePage { events: Vec::new(), next_cursor: None });
    }

    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT id, document_id, ts_key, ts, precision, title, summary, citations, entity_highlights, confidence, origin \
         FROM events WHERE +tenant_id = ",
    );
    // `+` keeps SQLite from walking the tenant's whole `events_tenant_document` index: the ids
    // are looked up one by one (the tenant condition still holds for each row).
    qb.push_bind(tenant.as_str()).push(" AND id IN");
    push_in_list(&mut qb, shown.iter().map(|(_, id)| id.to_string()));
    let rows = qb.build().fetch_all(pool).await?;
    let mut by_id: HashMap<Uuid, (String, TimelineEvent)> = HashMap::with_capacity(rows.len());
    for row in &rows {
        let event = event_from_row(row)?;
        by_id.insert(event.id, (row.try_get("ts_key")?, event));
    }
    let mut events = Vec::with_capacity(shown.len());
    let mut last: Option<(String, Uuid)> = None;
    for (_, id) in shown {
        // Both indexes are written in the ingestion of a document; an event the registry lacks
        // would be a corrupt registry, not a page to fail.
        let Some((key, event)) = by_id.remove(id) else {
            tracing::warn!(event = %id, "timeline event in the facts index but not in the registry");
            continue;
        };
        last = Some((key, event.id));
        events.push(event);
    }
    let next_cursor = match (has_more, last) {
        (true, Some((ts, id))) => Some(encode_cursor(&ts, &id.to_string())),
        _ => None,
    };
    Ok(TimelinePage { events, next_cursor })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trip_and_rejects_garbage() {
        let id = Uuid::now_v7().to_string();
        let c = encode_cursor("2024-01-02T00:00:00Z", &id);
        assert_eq!(decode_cursor(&c).unwrap(), ("2024-01-02T00:00:00Z".to_owned(), id));
        for bad in ["", "!!!", "dDF8eHx5", &URL_SAFE_NO_PAD.encode("t1|2024|nope")] {
            assert!(matches!(decode_cursor(bad), Err(CorpusError::InvalidCursor)), "{bad}");
        }
    }
}
