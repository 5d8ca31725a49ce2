//! Who may use the product endpoints (audience docket-api, a registered tenant).

use crate::auth::{API_AUDIENCE, Access, roles};

/// Submit ingestion jobs and uploads.
pub const INGEST_WRITE: Access =
    Access { audience: API_AUDIENCE, roles: &[roles::CASE_COORDINATOR, roles::PLATFORM_ADMIN], scope: "ingest:write" };
/// Read jobs and documents.
pub const INGEST_READ: Access = Access { audience: API_AUDIENCE, roles: &[], scope: "ingest:read" };
/// Search, entities and the entity graph.
pub const QUERY_READ: Access = Access { audience: API_AUDIENCE, roles: &[], scope: "query:read" };
/// The timeline.
pub const TIMELINE_READ: Access = Access { audience: API_AUDIENCE, roles: &[], scope: "timeline:read" };
