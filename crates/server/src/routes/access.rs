//! Who may call each endpoint: one type per access rule, taken by handlers as
//! [`Authorized<Rule>`](crate::auth::Authorized) so that no handler can forget its check.

use crate::auth::{API_AUDIENCE, Access, BILLING_AUDIENCE, Rule, roles};

/// Declares rule types with the access each one requires.
macro_rules! rules {
    ($($(#[$doc:meta])* $name:ident = $access:expr;)*) => {
        $(
            $(#[$doc])*
            #[derive(Debug, Clone, Copy)]
            pub struct $name;

            impl Rule for $name {
                const ACCESS: Access = $access;
            }
        )*
    };
}

rules! {
    /// Submit ingestion jobs and uploads: role CaseCoordinator or PlatformAdmin, scope ingest:write.
    IngestWrite = Access {
        audience: API_AUDIENCE,
        roles: &[roles::CASE_COORDINATOR, roles::PLATFORM_ADMIN],
        scope: "ingest:write",
    };
    /// Read jobs and documents: scope ingest:read.
    IngestRead = Access { audience: API_AUDIENCE, roles: &[], scope: "ingest:read" };
    /// Search, entities and the entity graph: scope query:read.
    QueryRead = Access { audience: API_AUDIENCE, roles: &[], scope: "query:read" };
    /// Start agent runs and replace the privilege-review counsel list: scope agents:run.
    AgentsRun = Access { audience: API_AUDIENCE, roles: &[], scope: "agents:run" };
    /// Agent runs, their outputs and exports, the counsel list: scope agents:read.
    AgentsRead = Access { audience: API_AUDIENCE, roles: &[], scope: "agents:read" };
    /// The timeline: scope timeline:read.
    TimelineRead = Access { audience: API_AUDIENCE, roles: &[], scope: "timeline:read" };
    /// A tenant's own consumption: role TenantAdmin or PlatformAdmin, scope usage:read.
    UsageRead = Access {
        audience: API_AUDIENCE,
        roles: &[roles::TENANT_ADMIN, roles::PLATFORM_ADMIN],
        scope: "usage:read",
    };
    /// Billing usage of every tenant: role CustomerSuccessManager or PlatformAdmin, scope billing:read.
    BillingRead = Access {
        audience: BILLING_AUDIENCE,
        roles: &[roles::CUSTOMER_SUCCESS_MANAGER, roles::PLATFORM_ADMIN],
        scope: "billing:read",
    };
    /// The CRM export: role CustomerSuccessManager or PlatformAdmin, scope billing:export.
    BillingExport = Access {
        audience: BILLING_AUDIENCE,
        roles: &[roles::CUSTOMER_SUCCESS_MANAGER, roles::PLATFORM_ADMIN],
        scope: "billing:export",
    };
    /// `GET /metrics` when `DOCKET_METRICS_TOKEN_REQUIRED=true`: the billing audience (the series
    /// name tenants and their spending) and scope metrics:read.
    MetricsRead = Access { audience: BILLING_AUDIENCE, roles: &[], scope: "metrics:read" };
    /// Reporting usage events: role AutomationService or PlatformAdmin, scope billing:write.
    BillingWrite = Access {
        audience: BILLING_AUDIENCE,
        roles: &[roles::AUTOMATION_SERVICE, roles::PLATFORM_ADMIN],
        scope: "billing:write",
    };
    /// Open support tickets: any of a tenant's people (a token naming the tenant), scope support:write.
    SupportOpen = Access { audience: API_AUDIENCE, roles: &[], scope: "support:write" };
    /// Answer support tickets: role SupportAgent, scope support:write.
    SupportRespond = Access { audience: API_AUDIENCE, roles: &[roles::SUPPORT_AGENT], scope: "support:write" };
    /// Read support tickets: scope support:read (a tenant's own; every tenant's for support staff).
    SupportRead = Access { audience: API_AUDIENCE, roles: &[], scope: "support:read" };
}
