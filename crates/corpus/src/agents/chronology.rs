//! Chronology: the timeline of an entity, a query or a date range, with the same event stated in
//! several documents merged into one row that cites every one of them.

use std::collections::{BTreeSet, HashSet};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::words::{content_words, jaccard};
use super::{
    Agent, AgentContext, AgentOutput, CSV, ExportFormat, MARKDOWN, Progress, RunCitation, RunRequest, RunScope,
};
use crate::error::CorpusError;
use crate::timeline::{TimelineEvent, TimelineRequest};

/// Merged, de-duplicated chronology of the timeline.
pub struct ChronologyAgent;

/// Most rows a chronology holds; a larger scope should be narrowed.
const MAX_ROWS: usize = 20_000;
/// Two statements of one day are one event when they share this much of their content words.
const SAME_EVENT: f64 = 0.5;
/// ... or this much and at least one named entity.
const SAME_EVENT_WITH_ENTITY: f64 = 0.3;

/// One row: an event on a day, with every document that states it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChronologyRow {
    /// `YYYY-MM-DD`, the day as written.
    pub date: String,
    /// The earliest time given for it (`YYYY-MM-DD` or RFC 3339 with the offset as written).
    pub ts: String,
    /// The statement of the event, from the first document that states it.
    pub description: String,
    /// The documents stating it, in the order they were read.
    pub document_ids: Vec<Uuid>,
    /// Where each document states it.
    pub citations: Vec<RunCitation>,
    /// Entities named in its statements.
    pub entities: Vec<String>,
    /// The timeline events merged into this row.
    pub event_ids: Vec<Uuid>,
}

/// The run's output.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChronologyOutput {
    /// Timeline events read.
    pub events: u64,
    pub rows: Vec<ChronologyRow>,
}

/// A row being built, with what decides whether another statement joins it.
struct Open {
    row: ChronologyRow,
    /// The content words of each statement merged so far.
    words: Vec<BTreeSet<String>>,
    entity_ids: BTreeSet<String>,
}

impl Agent for ChronologyAgent {
    fn name(&self) -> &'static str {
        "chronology"
    }

    fn validate(&self, request: &RunRequest) -> Result<(), CorpusError> {
        request.no_options("chronology")
    }

    fn run(
        &self,
        ctx: &AgentContext,
        request: &RunRequest,
        progress: &mut Progress,
    ) -> Result<AgentOutput, CorpusError> {
        let scope = &request.scope;
        // The date range and the entity select events; the other filters select documents.
        progress.begin("select documents");
        let document_scope = RunScope { from_ts: None, to_ts: None, entity: None, ..scope.clone() };
        let documents: Option<HashSet<Uuid>> =
            if document_scope == RunScope::default() { None } else { ctx.document_ids(&document_scope)? };
        if let Some(d) = &documents {
            progress.advance(d.len() as u64);
        }
        progress.begin("read the timeline");
        let req = TimelineRequest {
            from_ts: scope.from_ts.clone(),
            to_ts: scope.to_ts.clone(),
            entity: scope.entity.clone(),
            ..TimelineRequest::default()
        };
        let mut events: Vec<TimelineEvent> = Vec::new();
        let mut read = 0u64;
        ctx.timeline(&req, &mut |page| {
            read += page.len() as u64;
            progress.advance(page.len() as u64);
            events.extend(page.into_iter().filter(|e| documents.as_ref().is_none_or(|d| d.contains(&e.document_id))));
            if events.len() > MAX_ROWS * 4 {
                return Err(CorpusError::filter(
                    "scope",
                    format!("more than {} events: narrow the scope (dates, entity, query)", MAX_ROWS * 4),
                ));
            }
            Ok(())
        })?;
        progress.begin("merge events stated in several documents");
        let mut examined: HashSet<Uuid> = HashSet::new();
        let rows = merge(events, &mut examined);
        progress.advance(rows.len() as u64);
        progress.end();
        // The documents examined (billed) are those whose events the chronology read.
        progress.examined(examined.len() as u64);
        let citations = rows.iter().flat_map(|r| r.citations.iter().cloned()).collect();
        let out = ChronologyOutput { events: read, rows };
        let output = serde_json::to_value(&out).map_err(|e| CorpusError::Corrupt(format!("chronology output: {e}")))?;
        Ok(AgentOutput { output, citations })
    }

    fn exports(&self) -> &'static [ExportFormat] {
        &[CSV, MARKDOWN]
    }

    fn export(&self, output: &serde_json::Value, format: ExportFormat) -> Result<Vec<u8>, CorpusError> {
        let out: ChronologyOutput = serde_json::from_value(output.clone())
            .map_err(|e| CorpusError::Corrupt(format!("chronology output: {e}")))?;
        if format == CSV { csv(&out.rows) } else { Ok(markdown(&out.rows).into_bytes()) }
    }
}

/// Merge the events (in time order) day by day: a statement joins an open row of its day when
/// their content words overlap enough (less when they name an entity in common).
fn merge(events: Vec<TimelineEvent>, examined: &mut HashSet<Uuid>) -> Vec<ChronologyRow> {
    let mut rows: Vec<ChronologyRow> = Vec::new();
    let mut day: Vec<Open> = Vec::new();
    let mut current = String::new();
    for e in events {
        examined.insert(e.document_id);
        if e.local_date != current {
            rows.extend(day.drain(..).map(|o| o.row));
            current = e.local_date.clone();
        }
        let words = content_words(&e.summary);
        let entity_ids: BTreeSet<String> = e.entity_highlights.iter().map(|h| h.entity_id.clone()).collect();
        let entity_names: Vec<String> = e.entity_highlights.iter().map(|h| h.text.clone()).collect();
        let citations: Vec<RunCitation> = e
            .citations
            .iter()
            .map(|c| RunCitation { document_id: c.document_id, start: c.start, end: c.end })
            .collect();
        let joins = day.iter_mut().find(|o| {
            let overlap = o.words.iter().map(|w| jaccard(w, &words)).fold(0.0, f64::max);
            overlap >= SAME_EVENT || (overlap >= SAME_EVENT_WITH_ENTITY && !o.entity_ids.is_disjoint(&entity_ids))
        });
        match joins {
            Some(open) => {
                if !open.row.document_ids.contains(&e.document_id) {
                    open.row.document_ids.push(e.document_id);
                }
                open.row.citations.extend(citations);
                for n in entity_names {
                    if !open.row.entities.contains(&n) {
                        open.row.entities.push(n);
                    }
                }
                open.row.event_ids.push(e.id);
                open.words.push(words);
                open.entity_ids.extend(entity_ids);
            }
            None => {
                let mut entities: Vec<String> = Vec::new();
                for n in entity_names {
                    if !entities.contains(&n) {
                        entities.push(n);
                    }
                }
                day.push(Open {
                    row: ChronologyRow {
                        date: e.local_date.clone(),
                        ts: e.ts.clone(),
                        description: e.summary.clone(),
                        document_ids: vec![e.document_id],
                        citations,
                        entities,
                        event_ids: vec![e.id],
                    },
                    words: vec![words],
                    entity_ids,
                });
            }
        }
    }
    rows.extend(day.into_iter().map(|o| o.row));
    rows.truncate(MAX_ROWS);
    rows
}

fn csv(rows: &[ChronologyRow]) -> Result<Vec<u8>, CorpusError> {
    let err = |e: csv::Error| CorpusError::Corrupt(format!("writing the chronology: {e}"));
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["date", "time", "event", "documents", "document_ids", "citations", "entities"]).map_err(err)?;
    for r in rows {
        let ids: Vec<String> = r.document_ids.iter().map(Uuid::to_string).collect();
        let cites: Vec<String> =
            r.citations.iter().map(|c| format!("{}:{}-{}", c.document_id, c.start, c.end)).collect();
        w.write_record([
            r.date.as_str(),
            &r.ts,
            &r.description,
            &r.document_ids.len().to_string(),
            &ids.join(";"),
            &cites.join(";"),
            &r.entities.join(";"),
        ])
        .map_err(err)?;
    }
    w.into_inner().map_err(|e| CorpusError::Corrupt(format!("writing the chronology: {e}")))
}

/// Text safe inside a Markdown table cell.
pub(crate) fn cell(text: &str) -> String {
    text.replace('\\', "\\\\").replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn markdown(rows: &[ChronologyRow]) -> String {
    let mut out = String::from("# Chronology\n\n| Date | Event | Documents | Citations |\n| --- | --- | --- | --- |\n");
    for r in rows {
        let cites: Vec<String> =
            r.citations.iter().map(|c| format!("`{}` {}-{}", c.document_id, c.start, c.end)).collect();
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            cell(&r.date),
            cell(&r.description),
            r.document_ids.len(),
            cell(&cites.join("; "))
        ));
    }
    out
}
