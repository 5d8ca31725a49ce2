//! Agents: deterministic pipelines over the passage index, the facts index, the timeline and the
//! entities, run as durable runs (`runs.rs`) whose every claim cites its evidence.
//!
//! A new agent is one module implementing [`Agent`], added to [`AGENTS`]. Agents run on the
//! blocking pool: [`AgentContext`] gives them blocking access to the registry and the indexes,
//! and streams a run's scope through the registry a page at a time.

mod brief;
mod chronology;
mod context;
mod counsel;
mod privilege;
mod runs;
pub mod words;

use std::time::Instant;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::CorpusError;

pub use context::{AgentContext, ScopedDocument};
pub use counsel::{CounselList, MAX_COUNSEL_ENTRIES};
pub use runs::{AgentRun, Agents, RunMeter, RunReport, RunState, RunSummary};

/// Every agent, by name: the one place an agent is registered.
pub static AGENTS: &[&dyn Agent] = &[&privilege::PrivilegeReview, &chronology::ChronologyAgent, &brief::CaseBrief];

/// The agent called `name`.
pub fn agent(name: &str) -> Option<&'static dyn Agent> {
    AGENTS.iter().copied().find(|a| a.name() == name)
}

/// Names of the registered agents, for messages.
pub fn agent_names() -> Vec<&'static str> {
    AGENTS.iter().map(|a| a.name()).collect()
}

/// Most document ids one scope may list.
pub const MAX_SCOPE_DOCUMENT_IDS: usize = 10_000;
/// Longest question, in bytes.
pub const MAX_QUESTION_BYTES: usize = 2_000;

/// Which documents a run covers; every given filter applies (their intersection). Empty: all
/// the tenant's documents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RunScope {
    /// Only these documents (at most 10,000).
    pub document_ids: Option<Vec<Uuid>>,
    /// Only documents matching this search query.
    pub query: Option<String>,
    /// Only documents of this source type: local, inline, upload or attachment.
    pub source: Option<String>,
    /// Only documents mentioning this entity (an entity id or its normalised form).
    pub entity: Option<String>,
    /// Only documents (and events) dated on or after this time, `YYYY-MM-DD` or RFC 3339.
    pub from_ts: Option<String>,
    /// Only documents (and events) dated on or before this time, `YYYY-MM-DD` or RFC 3339.
    pub to_ts: Option<String>,
}

/// What a caller asks of an agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// The agent's name: privilege_review, chronology or case_brief.
    pub agent: String,
    /// The question a case brief answers (required by case_brief).
    #[serde(default)]
    pub question: Option<String>,
    #[serde(default)]
    pub scope: RunScope,
    /// Options of the agent (see docs/api.md); absent means the defaults.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub options: serde_json::Value,
}

impl RunRequest {
    /// Check what every agent shares (question length, scope) and then the agent's own rules.
    pub(crate) fn validate(&self) -> Result<&'static dyn Agent, CorpusError> {
        let agent = agent(self.agent.trim()).ok_or_else(|| {
            CorpusError::filter("agent", format!("unknown agent '{}': one of {}", self.agent, agent_names().join(", ")))
        })?;
        if let Some(q) = &self.question
            && q.len() > MAX_QUESTION_BYTES
        {
            return Err(CorpusError::filter("question", format!("longer than {MAX_QUESTION_BYTES} bytes")));
        }
        if let Some(ids) = &self.scope.document_ids
            && ids.len() > MAX_SCOPE_DOCUMENT_IDS
        {
            return Err(CorpusError::filter(
                "scope.document_ids",
                format!("{} ids given, at most {MAX_SCOPE_DOCUMENT_IDS}", ids.len()),
            ));
        }
        context::check_scope(&self.scope)?;
        if !(self.options.is_null() || self.options.is_object()) {
            return Err(CorpusError::filter("options", "must be an object"));
        }
        agent.validate(self)?;
        Ok(agent)
    }

    /// The agent's options as `T`, naming the option at fault (`options.<name>`).
    pub(crate) fn options<T: serde::de::DeserializeOwned + Default>(&self) -> Result<T, CorpusError> {
        if self.options.is_null() {
            return Ok(T::default());
        }
        serde_json::from_value(self.options.clone()).map_err(|e| CorpusError::filter("options", e.to_string()))
    }

    /// Refuse options for an agent that takes none.
    pub(crate) fn no_options(&self, agent: &str) -> Result<(), CorpusError> {
        if self.options.is_null() || self.options.as_object().is_some_and(|o| o.is_empty()) {
            Ok(())
        } else {
            Err(CorpusError::filter("options", format!("{agent} takes no options")))
        }
    }
}

/// A place in a document's text that supports a claim: byte offsets into the extracted text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RunCitation {
    pub document_id: Uuid,
    /// Byte offset in the document's text.
    pub start: usize,
    /// Byte offset of the end in the document's text.
    pub end: usize,
}

/// What an agent produced: its output (JSON, agent-specific) and every passage it cites.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AgentOutput {
    pub output: serde_json::Value,
    pub citations: Vec<RunCitation>,
}

/// An export format of an agent's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportFormat {
    /// As named in the URL (`csv`, `md`).
    pub name: &'static str,
    pub media_type: &'static str,
}

/// CSV, for spreadsheets and review platforms.
pub const CSV: ExportFormat = ExportFormat { name: "csv", media_type: "text/csv; charset=utf-8" };
/// Markdown, for memos.
pub const MARKDOWN: ExportFormat = ExportFormat { name: "md", media_type: "text/markdown; charset=utf-8" };

/// One agent: a name, its checks, and a run over an [`AgentContext`].
pub trait Agent: Send + Sync + 'static {
    /// The name callers use.
    fn name(&self) -> &'static str;
    /// Check the question and options before the run is accepted (a 422 naming the field).
    fn validate(&self, request: &RunRequest) -> Result<(), CorpusError>;
    /// Run over the context (blocking: called on the blocking pool), recording steps in
    /// `progress`.
    fn run(
        &self,
        ctx: &AgentContext,
        request: &RunRequest,
        progress: &mut Progress,
    ) -> Result<AgentOutput, CorpusError>;
    /// The formats its output can be exported as.
    fn exports(&self) -> &'static [ExportFormat] {
        &[]
    }
    /// The output written as `format` (one of [`Agent::exports`]).
    fn export(&self, _output: &serde_json::Value, format: ExportFormat) -> Result<Vec<u8>, CorpusError> {
        Err(CorpusError::filter("format", format!("{} cannot export {}", self.name(), format.name)))
    }
}

/// One step of a run: what it did, on how many documents, how long it took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RunStep {
    pub name: String,
    /// Documents (or events, for the timeline steps) the step went through.
    pub documents: u64,
    pub duration_ms: u64,
}

/// Saves a run's steps, documents examined and documents in scope as they change.
pub(crate) type SaveProgress = Box<dyn FnMut(&[RunStep], u64, Option<u64>) + Send>;

/// The steps of a running agent, saved as they progress so a caller can follow the run.
pub struct Progress {
    steps: Vec<RunStep>,
    current: Option<(String, u64, Instant)>,
    examined: u64,
    total: Option<u64>,
    last_saved: Instant,
    save: SaveProgress,
}

impl Progress {
    pub(crate) fn new(save: SaveProgress) -> Progress {
        Progress { steps: Vec::new(), current: None, examined: 0, total: None, last_saved: Instant::now(), save }
    }

    /// Start a step (ending the current one).
    pub fn begin(&mut self, name: &str) {
        self.end();
        self.current = Some((name.to_owned(), 0, Instant::now()));
    }

    /// Count `n` more items done by the current step.
    pub fn advance(&mut self, n: u64) {
        if let Some((_, done, _)) = &mut self.current {
            *done += n;
        }
        self.save_now(false);
    }

    /// Count `n` documents examined by the run (the billed attribute) and by the current step.
    pub fn examined(&mut self, n: u64) {
        self.examined += n;
        self.advance(n);
    }

    /// How many documents the run will examine, once known.
    pub fn set_total(&mut self, total: u64) {
        self.total = Some(total);
        self.save_now(true);
    }

    /// End the current step.
    pub fn end(&mut self) {
        if let Some((name, documents, started)) = self.current.take() {
            let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            self.steps.push(RunStep { name, documents, duration_ms });
            self.save_now(true);
        }
    }

    /// Documents examined so far.
    pub fn documents_examined(&self) -> u64 {
        self.examined
    }

    pub(crate) fn finish(mut self) -> (Vec<RunStep>, u64) {
        self.end();
        (self.steps, self.examined)
    }

    fn save_now(&mut self, force: bool) {
        // Progress is for a caller watching; once a second is enough and keeps writes few.
        if !force && self.last_saved.elapsed() < std::time::Duration::from_secs(1) {
            return;
        }
        self.last_saved = Instant::now();
        let mut steps = self.steps.clone();
        if let Some((name, documents, started)) = &self.current {
            let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            steps.push(RunStep { name: name.clone(), documents: *documents, duration_ms });
        }
        (self.save)(&steps, self.examined, self.total);
    }
}
