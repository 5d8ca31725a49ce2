//! The chronology agent.

use super::{Agent, AgentContext, AgentOutput, Progress, RunRequest};
use crate::error::CorpusError;

/// Merged, de-duplicated chronology of the timeline.
pub struct ChronologyAgent;

impl Agent for ChronologyAgent {
    fn name(&self) -> &'static str {
        "chronology"
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
