//! Case brief: from a question, the evidence the passage index returns, written as a memo:
//! summary, key facts, chronology, people and organisations, open questions. Every sentence is
//! a sentence of a document (or names an entity) and cites where it stands.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::words::content_words;
use super::{Agent, AgentContext, AgentOutput, ExportFormat, MARKDOWN, Progress, RunCitation, RunRequest};
use crate::error::CorpusError;
use crate::extract::sentences;
use crate::model::EntityKind;
use crate::search::{SearchGroup, SearchMode, SearchRequest};
use crate::util::truncate;

/// A memo answering a question.
pub struct CaseBrief;

/// Documents retrieved as evidence.
const EVIDENCE_DOCUMENTS: u32 = 25;
const SUMMARY_SENTENCES: usize = 3;
const KEY_FACTS: usize = 8;
const CHRONOLOGY_ENTRIES: usize = 12;
const PEOPLE: usize = 12;
const OPEN_QUESTIONS: usize = 5;
/// Longest sentence quoted, in bytes.
const MAX_SENTENCE_BYTES: usize = 600;

/// One sentence of the memo and where it stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BriefSentence {
    pub text: String,
    pub citations: Vec<RunCitation>,
}

/// A section of the memo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BriefSection {
    pub title: String,
    pub sentences: Vec<BriefSentence>,
}

/// The run's output.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BriefOutput {
    pub question: String,
    /// Documents the evidence came from, best first, with their source names.
    pub documents: Vec<(Uuid, String)>,
    pub sections: Vec<BriefSection>,
    /// The memo as Markdown.
    pub markdown: String,
}

impl Agent for CaseBrief {
    fn name(&self) -> &'static str {
        "case_brief"
    }

    fn validate(&self, request: &RunRequest) -> Result<(), CorpusError> {
        let question = request.question.as_deref().map(str::trim).unwrap_or("");
        if question.is_empty() {
            return Err(CorpusError::filter("question", "case_brief answers a question: give one"));
        }
        if content_words(question).is_empty() {
            return Err(CorpusError::filter("question", "the question holds no word to look for"));
        }
        request.no_options("case_brief")
    }

    fn run(
        &self,
        ctx: &AgentContext,
        request: &RunRequest,
        progress: &mut Progress,
    ) -> Result<AgentOutput, CorpusError> {
        let question = request.question.as_deref().map(str::trim).unwrap_or("").to_owned();
        let terms = content_words(&question);

        progress.begin("retrieve evidence");
        let allowed = if request.scope == Default::default() { None } else { ctx.document_ids(&request.scope)? };
        // Plain words of the question, OR-ed: the search ranks documents by how many they hold.
        let q = terms.iter().cloned().collect::<Vec<_>>().join(" ");
        let req = SearchRequest {
            q,
            page_size: Some(EVIDENCE_DOCUMENTS),
            group: SearchGroup::Document,
            mode: SearchMode::Precision,
            ..SearchRequest::default()
        };
        let hits: Vec<_> = ctx
            .search(&req)?
            .results
            .into_iter()
            .filter(|h| allowed.as_ref().is_none_or(|a| a.contains(&h.document_id)))
            .collect();
        progress.examined(hits.len() as u64);

        progress.begin("select the sentences that answer");
        let mut candidates: Vec<(usize, usize, BriefSentence)> = Vec::new();
        let mut asked: Vec<BriefSentence> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        for (rank, hit) in hits.iter().enumerate() {
            for passage in &hit.passages {
                for (s, e) in sentences(&passage.text) {
                    let Some(raw) = passage.text.get(s..e) else { continue };
                    // A list item's bullet is layout, not part of the sentence.
                    let text =
                        raw.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '-' | '*' | '•')).trim_end();
                    let key = text.to_lowercase();
                    if text.len() < 12 || !seen.insert(key) {
                        continue;
                    }
                    let start = passage.start
                        + s
                        + (raw.len()
                            - raw
                                .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '-' | '*' | '•'))
                                .len());
                    let citation = RunCitation { document_id: hit.document_id, start, end: start + text.len() };
                    let sentence = BriefSentence {
                        text: truncate(text, MAX_SENTENCE_BYTES).to_owned(),
                        citations: vec![citation],
                    };
                    if text.ends_with('?') {
                        asked.push(sentence);
                        continue;
                    }
                    let held = content_words(text).intersection(&terms).count();
                    if held > 0 {
                        candidates.push((held, rank, sentence));
                    }
                }
            }
            progress.advance(1);
        }
        // Most of the question's words first, then the better-ranked document.
        candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut picked = candidates.into_iter().map(|(_, _, s)| s);
        let summary: Vec<BriefSentence> = picked.by_ref().take(SUMMARY_SENTENCES).collect();
        let facts: Vec<BriefSentence> = picked.take(KEY_FACTS).collect();

        progress.begin("chronology of the relevant events");
        let documents: Vec<Uuid> = hits.iter().map(|h| h.document_id).collect();
        let events = ctx.events_of(&documents)?;
        progress.advance(events.len() as u64);
        let mut chronology = Vec::new();
        let mut said: HashSet<(String, String)> = HashSet::new();
        for e in events {
            let Some(c) = e.citations.first() else { continue };
            if !said.insert((e.local_date.clone(), e.summary.to_lowercase())) {
                continue;
            }
            chronology.push(BriefSentence {
                text: format!("{}: {}", e.local_date, truncate(e.summary.trim(), MAX_SENTENCE_BYTES)),
                citations: vec![RunCitation { document_id: c.document_id, start: c.start, end: c.end }],
            });
            if chronology.len() == CHRONOLOGY_ENTRIES {
                break;
            }
        }

        progress.begin("people and organisations");
        let mentions = ctx.mentions(&documents)?;
        progress.advance(mentions.len() as u64);
        let mut by_entity: BTreeMap<(EntityKind, String), (String, HashSet<Uuid>, RunCitation)> = BTreeMap::new();
        for m in mentions.into_iter().filter(|m| matches!(m.kind, EntityKind::Person | EntityKind::Organization)) {
            let entry = by_entity.entry((m.kind, m.normalized.clone())).or_insert_with(|| {
                (
                    m.surface.clone(),
                    HashSet::new(),
                    RunCitation { document_id: m.document_id, start: m.start, end: m.end },
                )
            });
            entry.1.insert(m.document_id);
        }
        let mut people: Vec<(usize, BriefSentence)> = by_entity
            .into_iter()
            .map(|((kind, _), (surface, docs, citation))| {
                let what = if kind == EntityKind::Person { "a person" } else { "an organisation" };
                let n = docs.len();
                let text =
                    format!("{surface}, {what}, is named in {n} of the {} documents retrieved.", documents.len());
                (n, BriefSentence { text, citations: vec![citation] })
            })
            .collect();
        people.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.text.cmp(&b.1.text)));
        let people: Vec<BriefSentence> = people.into_iter().take(PEOPLE).map(|(_, s)| s).collect();
        asked.truncate(OPEN_QUESTIONS);
        progress.end();

        let sections = vec![
            BriefSection { title: "Summary".into(), sentences: summary },
            BriefSection { title: "Key facts".into(), sentences: facts },
            BriefSection { title: "Chronology".into(), sentences: chronology },
            BriefSection { title: "People and organisations".into(), sentences: people },
            BriefSection { title: "Open questions".into(), sentences: asked },
        ];
        let sources: HashMap<Uuid, String> = hits.iter().map(|h| (h.document_id, h.source.clone())).collect();
        let markdown = markdown(&question, &sections, &sources);
        let citations =
            sections.iter().flat_map(|s| s.sentences.iter().flat_map(|t| t.citations.iter().cloned())).collect();
        let out = BriefOutput {
            question,
            documents: hits.iter().map(|h| (h.document_id, h.source.clone())).collect(),
            sections,
            markdown,
        };
        let output = serde_json::to_value(&out).map_err(|e| CorpusError::Corrupt(format!("case brief output: {e}")))?;
        Ok(AgentOutput { output, citations })
    }

    fn exports(&self) -> &'static [ExportFormat] {
        &[MARKDOWN]
    }

    fn export(&self, output: &serde_json::Value, _format: ExportFormat) -> Result<Vec<u8>, CorpusError> {
        let markdown = output.get("markdown").and_then(|m| m.as_str()).unwrap_or_default();
        Ok(markdown.as_bytes().to_vec())
    }
}

/// The memo in Markdown: each sentence followed by its numbered citations, listed at the end.
fn markdown(question: &str, sections: &[BriefSection], sources: &HashMap<Uuid, String>) -> String {
    let mut out = format!("# Case brief\n\n**Question:** {}\n", question.replace('\n', " "));
    let mut notes: Vec<String> = Vec::new();
    for section in sections {
        out.push_str(&format!("\n## {}\n\n", section.title));
        if section.sentences.is_empty() {
            out.push_str("_Nothing in the evidence retrieved._\n");
            continue;
        }
        for s in &section.sentences {
            let mut marks = String::new();
            for c in &s.citations {
                notes.push(format!(
                    "{}, `{}`, bytes {}-{}",
                    sources.get(&c.document_id).map_or("document", String::as_str),
                    c.document_id,
                    c.start,
                    c.end
                ));
                marks.push_str(&format!("[^{}]", notes.len()));
            }
            out.push_str(&format!("- {} {marks}\n", s.text.replace('\n', " ")));
        }
    }
    if !notes.is_empty() {
        out.push('\n');
        for (i, n) in notes.iter().enumerate() {
            out.push_str(&format!("[^{}]: {n}\n", i + 1));
        }
    }
    out
}
