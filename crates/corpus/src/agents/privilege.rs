//! The privilege review agent.

use super::{Agent, AgentContext, AgentOutput, Progress, RunRequest};
use crate::error::CorpusError;

/// Privilege calls and the privilege log.
pub struct PrivilegeReview;

impl Agent for PrivilegeReview {
    fn name(&self) -> &'static str {
        "privilege_review"
    }
    fn validate(&self, _request: &RunRequest) -> Result<(), CorpusError> {
        Ok(())
    }
    fn run(&self, _ctx: &AgentContext, _request: &RunRequest, _progress: &mut Progress) -> Result<AgentOutput, CorpusError> {
        Ok(AgentOutput::default())
    }
}
