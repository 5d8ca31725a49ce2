//! The case brief agent.

use super::{Agent, AgentContext, AgentOutput, Progress, RunRequest};
use crate::error::CorpusError;

/// A memo answering a question.
pub struct CaseBrief;

impl Agent for CaseBrief {
    fn name(&self) -> &'static str {
        "case_brief"
    }
    fn validate(&self, _request: &RunRequest) -> Result<(), CorpusError> {
        Ok(())
    }
    fn run(
        &self,
        _ctx: &AgentContext,
        _request: &RunRequest,
        _progress: &mut Progress,
    ) -> Result<AgentOutput, CorpusError> {
        Ok(AgentOutput::default())
    }
}
