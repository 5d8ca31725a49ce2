//! What every handler shares.

use std::net::IpAddr;
use std::sync::Arc;

use docket_billing::TenantId;
use docket_corpus::Corpus;
use docket_corpus::agents::Agents;
use docket_ledger::{Ledger, Tenant};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::auth::{Authenticator, Principal};
use crate::config::Config;
use crate::error::ApiError;
use crate::telemetry::Telemetry;

/// Shared state of the running server.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub ledger: Ledger,
    pub corpus: Corpus,
    pub agents: Agents,
    pub auth: Arc<Authenticator>,
    pub onboarding_limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    pub telemetry: Arc<Telemetry>,
}

impl AppState {
    /// State over an open ledger.
    pub fn new(
        config: Config,
        ledger: Ledger,
        corpus: Corpus,
        agents: Agents,
        auth: Arc<Authenticator>,
        telemetry: Arc<Telemetry>,
    ) -> AppState {
        let per_minute =
            std::num::NonZeroU32::new(config.onboarding_rate_per_minute.max(1)).unwrap_or(std::num::NonZeroU32::MIN);
        AppState {
            config: Arc::new(config),
            ledger,
            corpus,
            agents,
            auth,
            onboarding_limiter: Arc::new(RateLimiter::keyed(Quota::per_minute(per_minute))),
            telemetry,
        }
    }

    /// The caller's tenant, which must be registered (onboarded or created by an operator).
    pub async fn registered_tenant(&self, tenant: &TenantId) -> Result<Tenant, ApiError> {
        self.ledger.tenant(tenant).await?.ok_or_else(|| unregistered(tenant))
    }

    /// For the product endpoints: the (already authorized) token must name a registered
    /// tenant (403 otherwise). Returns that tenant.
    pub async fn product_tenant(&self, principal: &Principal) -> Result<TenantId, ApiError> {
        let tenant = principal.tenant()?;
        if !self.ledger.is_registered(tenant).await? {
            return Err(unregistered(tenant));
        }
        Ok(tenant.clone())
    }

    /// Record one metered action of the caller, durably, before the response is sent.
    pub async fn meter(
        &self,
        tenant: &TenantId,
        principal: &Principal,
        kind: docket_ledger::EventKind,
        latency: std::time::Duration,
        attributes: serde_json::Value,
    ) -> Result<(), ApiError> {
        let mut event = docket_ledger::UsageEvent::now(tenant.clone(), kind, 1);
        event.subject = Some(principal.subject.clone());
        // A request slower than the bound (a day) is recorded at the bound rather than refused.
        let ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX).min(docket_ledger::MAX_LATENCY_MS);
        event.latency_ms = Some(ms);
        event.attributes = attributes;
        self.ledger.record(vec![event]).await?;
        Ok(())
    }
}

/// The refusal of a request for a tenant that is not registered.
fn unregistered(tenant: &TenantId) -> ApiError {
    ApiError::Forbidden(format!("tenant '{tenant}' is not registered: complete onboarding first"))
}
