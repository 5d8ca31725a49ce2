//! What every handler shares.

use std::net::IpAddr;
use std::sync::Arc;

use docket_billing::TenantId;
use docket_ledger::{Ledger, Tenant};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::auth::Authenticator;
use crate::config::Config;
use crate::error::ApiError;

/// Shared state of the running server.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub ledger: Ledger,
    pub auth: Arc<Authenticator>,
    pub onboarding_limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
}

impl AppState {
    /// State over an open ledger.
    pub fn new(config: Config, ledger: Ledger, auth: Arc<Authenticator>) -> AppState {
        let per_minute =
            std::num::NonZeroU32::new(config.onboarding_rate_per_minute.max(1)).unwrap_or(std::num::NonZeroU32::MIN);
        AppState {
            config: Arc::new(config),
            ledger,
            auth,
            onboarding_limiter: Arc::new(RateLimiter::keyed(Quota::per_minute(per_minute))),
        }
    }

    /// The caller's tenant, which must be registered (onboarded or created by an operator).
    pub async fn registered_tenant(&self, tenant: &TenantId) -> Result<Tenant, ApiError> {
        self.ledger.tenant(tenant).await?.ok_or_else(|| {
            ApiError::Forbidden(format!("tenant '{tenant}' is not registered: complete onboarding first"))
        })
    }
}
