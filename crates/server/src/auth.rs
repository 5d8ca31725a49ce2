//! Bearer JWT authentication: HS256 with a shared secret (generated once when not configured)
//! and RS256 with a provider's public key or JWKS, for OIDC. Handlers state what they need
//! with an [`Access`] rule and get a [`Principal`] back.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use std::marker::PhantomData;
use std::sync::Mutex;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use docket_billing::TenantId;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::config::{Config, Hs256Mode};
use crate::error::ApiError;
use crate::state::AppState;

/// Audience of the billing endpoints.
pub const BILLING_AUDIENCE: &str = "docket-billing";
/// Audience of the product endpoints.
pub const API_AUDIENCE: &str = "docket-api";

/// Roles a token may carry.
pub mod roles {
    pub const CUSTOMER_SUCCESS_MANAGER: &str = "CustomerSuccessManager";
    pub const PLATFORM_ADMIN: &str = "PlatformAdmin";
    pub const AUTOMATION_SERVICE: &str = "AutomationService";
    pub const TENANT_ADMIN: &str = "TenantAdmin";
    pub const CASE_COORDINATOR: &str = "CaseCoordinator";
    pub const RESEARCH_ANALYST: &str = "ResearchAnalyst";
    pub const SUPPORT_AGENT: &str = "SupportAgent";
}

/// The claims Docket reads from a token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    #[serde(default)]
    pub roles: Vec<String>,
    /// Space-separated scopes.
    #[serde(default)]
    pub scope: String,
    #[serde(deserialize_with = "one_or_many")]
    pub aud: Vec<String>,
    pub exp: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// Not valid before this time (checked when present).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// Issuer: checked against DOCKET_JWT_ISSUER when that is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

/// Who is calling: read from a verified token.
#[derive(Debug, Clone)]
pub struct Principal {
    pub subject: String,
    pub tenant_id: Option<TenantId>,
    pub roles: Vec<String>,
    pub scopes: HashSet<String>,
    pub audiences: Vec<String>,
}

/// What an endpoint requires of its caller.
#[derive(Debug, Clone, Copy)]
pub struct Access {
    pub audience: &'static str,
    /// Any one of these roles will do.
    pub roles: &'static [&'static str],
    pub scope: &'static str,
}

impl Principal {
    /// Check the token against an endpoint's rule: 403 naming what is missing.
    pub fn require(&self, access: Access) -> Result<(), ApiError> {
        if !self.audiences.iter().any(|a| a == access.audience) {
            return Err(ApiError::Forbidden(format!("token audience must include '{}'", access.audience)));
        }
        if !access.roles.is_empty() && !self.roles.iter().any(|r| access.roles.contains(&r.as_str())) {
            return Err(ApiError::Forbidden(format!("requires one of the roles: {}", access.roles.join(", "))));
        }
        if !self.scopes.contains(access.scope) {
            return Err(ApiError::Forbidden(format!("requires the scope '{}'", access.scope)));
        }
        Ok(())
    }

    /// The tenant the token speaks for: 403 when it names none.
    pub fn tenant(&self) -> Result<&TenantId, ApiError> {
        self.tenant_id.as_ref().ok_or_else(|| ApiError::Forbidden("token carries no tenant_id claim".into()))
    }
}

/// Shortest HS256 secret accepted, in bytes (the hash's output size, RFC 7518 section 3.2).
pub const MIN_SECRET_BYTES: usize = 32;
/// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds.
const LEEWAY_SECONDS: u64 = 30;

/// Verifies tokens and, where it has a key for it, signs them. Each key verifies one
/// algorithm only: the HS256 secret HS256 tokens, the RSA keys RS256 tokens.
pub struct Authenticator {
    /// None when HS256 is off.
    hs_secret: Option<Vec<u8>>,
    rs_keys: Vec<(Option<String>, DecodingKey)>,
    rs_signing: Option<EncodingKey>,
    max_ttl: i64,
    issuer: Option<String>,
}

/// Why the token configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum AuthConfigError {
    #[error("reading {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path} is not a valid {what}: {reason}")]
    Invalid { path: String, what: &'static str, reason: String },
    #[error(
        "DOCKET_JWT_SECRET is {len} bytes long; HS256 needs at least {MIN_SECRET_BYTES} random bytes \
         (e.g. `openssl rand -base64 48`), or leave it unset to have one generated under <storage>/secrets/"
    )]
    WeakSecret { len: usize },
    #[error("DOCKET_JWT_HS256=off but no RS256 key is configured (DOCKET_JWT_PUBLIC_KEY_FILE or DOCKET_JWKS_FILE)")]
    NoKeys,
    #[error("DOCKET_JWT_MAX_TTL must be between 1 second and 366 days")]
    MaxTtl,
}

impl Authenticator {
    /// Load keys from the configuration; generate and keep the HS256 secret when none is set.
    pub fn from_config(config: &Config) -> Result<Arc<Authenticator>, AuthConfigError> {
        let rs_configured = config.jwt_public_key_file.is_some() || config.jwks_file.is_some();
        let hs_on = match config.jwt_hs256 {
            Hs256Mode::On => true,
            Hs256Mode::Off => false,
            Hs256Mode::Auto => !rs_configured,
        };
        if !hs_on && !rs_configured {
            return Err(AuthConfigError::NoKeys);
        }
        let hs_secret = match &config.jwt_secret {
            Some(s) if s.len() < MIN_SECRET_BYTES => return Err(AuthConfigError::WeakSecret { len: s.len() }),
            Some(s) => Some(s.as_bytes().to_vec()),
            None if hs_on => Some(load_or_create_secret(&config.secrets_dir().join("jwt_secret"))?),
            None => None,
        }
        .filter(|_| hs_on);
        let max_ttl = i64::try_from(config.jwt_max_ttl.as_secs()).unwrap_or(i64::MAX);
        if !(1..=366 * 86_400).contains(&max_ttl) {
            return Err(AuthConfigError::MaxTtl);
        }
        let mut rs_keys = Vec::new();
        if let Some(path) = &config.jwt_public_key_file {
            let pem = read(path)?;
            let key = DecodingKey::from_rsa_pem(&pem).map_err(|e| invalid(path, "RSA public key (PEM)", e))?;
            rs_keys.push((None, key));
        }
        if let Some(path) = &config.jwks_file {
            let set: JwkSet = serde_json::from_slice(&read(path)?).map_err(|e| invalid(path, "JWKS file", e))?;
            for jwk in &set.keys {
                // A key bound to another algorithm never verifies an RS256 token.
                if jwk.common.key_algorithm.is_some_and(|a| a != jsonwebtoken::jwk::KeyAlgorithm::RS256) {
                    tracing::warn!(kid = ?jwk.common.key_id, "JWKS key for another algorithm than RS256; ignored");
                    continue;
                }
                let key = DecodingKey::from_jwk(jwk).map_err(|e| invalid(path, "JWKS file", e))?;
                rs_keys.push((jwk.common.key_id.clone(), key));
            }
        }
        let rs_signing = match &config.jwt_private_key_file {
            Some(path) => {
                Some(EncodingKey::from_rsa_pem(&read(path)?).map_err(|e| invalid(path, "RSA private key (PEM)", e))?)
            }
            None => None,
        };
        Ok(Arc::new(Authenticator { hs_secret, rs_keys, rs_signing, max_ttl, issuer: config.jwt_issuer.clone() }))
    }

    /// The longest lifetime a token may have.
    pub fn max_ttl(&self) -> time::Duration {
        time::Duration::seconds(self.max_ttl)
    }

    /// Verify a bearer token: signature, expiry and shape. Audience, role and scope are
    /// checked per endpoint.
    pub fn verify(&self, token: &str) -> Result<Principal, ApiError> {
        let header =
            jsonwebtoken::decode_header(token).map_err(|e| ApiError::Unauthorized(format!("malformed token: {e}")))?;
        let mut validation = Validation::new(header.alg);
        validation.validate_aud = false;
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECONDS;
        match &self.issuer {
            Some(iss) => {
                validation.set_issuer(&[iss]);
                validation.set_required_spec_claims(&["exp", "sub", "iss"]);
            }
            None => validation.set_required_spec_claims(&["exp", "sub"]),
        }
        let claims = match header.alg {
            Algorithm::HS256 => match &self.hs_secret {
                Some(secret) => decode(token, &DecodingKey::from_secret(secret), &validation)?,
                None => {
                    return Err(ApiError::Unauthorized(
                        "HS256 tokens are not accepted here (DOCKET_JWT_HS256): use a token from the identity provider"
                            .into(),
                    ));
                }
            },
            Algorithm::RS256 => {
                let mut candidates =
                    self.rs_keys.iter().filter(|(kid, _)| header.kid.is_none() || kid.is_none() || *kid == header.kid);
                let mut last = ApiError::Unauthorized(
                    "no RS256 key is configured (DOCKET_JWT_PUBLIC_KEY_FILE or DOCKET_JWKS_FILE)".into(),
                );
                loop {
                    match candidates.next() {
                        None => return Err(last),
                        Some((_, key)) => match decode(token, key, &validation) {
                            Ok(c) => break c,
                            Err(e) => last = e,
                        },
                    }
                }
            }
            other => {
                return Err(ApiError::Unauthorized(format!(
                    "unsupported token algorithm {other:?}: use HS256 or RS256"
                )));
            }
        };
        self.check_lifetime(&claims)?;
        let tenant_id = match claims.tenant_id {
            None => None,
            Some(t) => {
                Some(TenantId::parse(&t).map_err(|e| ApiError::Unauthorized(format!("token tenant_id claim: {e}")))?)
            }
        };
        Ok(Principal {
            subject: claims.sub,
            tenant_id,
            roles: claims.roles,
            scopes: claims.scope.split_whitespace().map(str::to_owned).collect(),
            audiences: claims.aud,
        })
    }

    /// A token must say when it was issued, not in the future, and live at most the maximum.
    fn check_lifetime(&self, claims: &Claims) -> Result<(), ApiError> {
        let iat = claims.iat.ok_or_else(|| ApiError::Unauthorized("token lacks the 'iat' claim".into()))?;
        let now = OffsetDateTime::now_utc().unix_timestamp();
        if iat > now.saturating_add(LEEWAY_SECONDS as i64) {
            return Err(ApiError::Unauthorized("token 'iat' is in the future".into()));
        }
        if claims.exp.saturating_sub(iat) > self.max_ttl {
            return Err(ApiError::Unauthorized(format!(
                "token lifetime (exp - iat) exceeds the maximum of {} seconds (DOCKET_JWT_MAX_TTL)",
                self.max_ttl
            )));
        }
        Ok(())
    }

    /// Sign claims: RS256 when a private key is configured, else HS256. The configured
    /// issuer is set when the claims name none.
    pub fn sign(&self, claims: &Claims) -> Result<String, jsonwebtoken::errors::Error> {
        let mut claims = claims.clone();
        if claims.iss.is_none() {
            claims.iss = self.issuer.clone();
        }
        match (&self.rs_signing, &self.hs_secret) {
            (Some(key), _) => jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, key),
            (None, Some(secret)) => {
                jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(secret))
            }
            (None, None) => Err(jsonwebtoken::errors::ErrorKind::InvalidKeyFormat.into()),
        }
    }

    /// Claims for a token issued now, valid for `ttl`.
    pub fn claims(
        subject: &str,
        tenant: Option<&str>,
        roles: &[String],
        scopes: &[String],
        audiences: &[String],
        ttl: time::Duration,
    ) -> Claims {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        Claims {
            sub: subject.to_owned(),
            tenant_id: tenant.map(str::to_owned),
            roles: roles.to_vec(),
            scope: scopes.join(" "),
            aud: audiences.to_vec(),
            exp: now.saturating_add(ttl.whole_seconds()),
            iat: Some(now),
            nbf: None,
            iss: None,
        }
    }
}

fn decode(token: &str, key: &DecodingKey, validation: &Validation) -> Result<Claims, ApiError> {
    use jsonwebtoken::errors::ErrorKind;
    jsonwebtoken::decode::<Claims>(token, key, validation).map(|d| d.claims).map_err(|e| {
        ApiError::Unauthorized(match e.kind() {
            ErrorKind::ExpiredSignature => "token has expired".to_owned(),
            ErrorKind::InvalidSignature => "token signature is invalid".to_owned(),
            ErrorKind::MissingRequiredClaim(c) => format!("token lacks the '{c}' claim"),
            ErrorKind::ImmatureSignature => "token is not valid yet (nbf)".to_owned(),
            ErrorKind::InvalidIssuer => "token issuer (iss) is not the one configured (DOCKET_JWT_ISSUER)".to_owned(),
            ErrorKind::InvalidAlgorithm => "token algorithm does not match the key".to_owned(),
            _ => format!("invalid token: {e}"),
        })
    })
}

fn read(path: &Path) -> Result<Vec<u8>, AuthConfigError> {
    std::fs::read(path).map_err(|source| AuthConfigError::Read { path: path.display().to_string(), source })
}

fn invalid(path: &Path, what: &'static str, reason: impl std::fmt::Display) -> AuthConfigError {
    AuthConfigError::Invalid { path: path.display().to_string(), what, reason: reason.to_string() }
}

/// The generated secret: created once with 0600 permissions, then reused.
fn load_or_create_secret(path: &Path) -> Result<Vec<u8>, AuthConfigError> {
    let io = |source| AuthConfigError::Read { path: path.display().to_string(), source };
    match std::fs::read(path) {
        Ok(bytes) if bytes.len() >= 32 => return Ok(bytes),
        Ok(_) => return Err(invalid(path, "token secret", "shorter than 32 bytes")),
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(e)),
        Err(_) => {}
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    use base64::Engine;
    use rand::RngCore;
    let mut raw = [0u8; 48];
    rand::rng().fill_bytes(&mut raw);
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw).into_bytes();
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    // create_new: when two processes start at once, one writes and the other reads its secret.
    match std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path) {
        Ok(mut f) => {
            f.write_all(&secret).map_err(io)?;
            f.sync_all().map_err(io)?;
            Ok(secret)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            std::thread::sleep(std::time::Duration::from_millis(50));
            std::fs::read(path).map_err(io)
        }
        Err(e) => Err(io(e)),
    }
}

impl FromRef<AppState> for Arc<Authenticator> {
    fn from_ref(state: &AppState) -> Arc<Authenticator> {
        state.auth.clone()
    }
}

/// A verified caller's subject and tenant.
type Caller = (String, Option<String>);

/// Who the verified caller was, for the denied-request log (filled by the extractor).
#[derive(Debug, Clone, Default)]
pub struct CallerSlot(Arc<Mutex<Option<Caller>>>);

impl CallerSlot {
    /// The verified subject and tenant, if a token was verified.
    pub fn get(&self) -> Option<Caller> {
        self.0.lock().ok().and_then(|c| c.clone())
    }

    fn set(&self, p: &Principal) {
        if let Ok(mut c) = self.0.lock() {
            *c = Some((p.subject.clone(), p.tenant_id.as_ref().map(|t| t.to_string())));
        }
    }
}

impl<S> FromRequestParts<S> for Principal
where
    S: Send + Sync,
    Arc<Authenticator>: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .ok_or_else(|| ApiError::Unauthorized("missing Authorization: Bearer <token> header".into()))?;
        let value = header.to_str().map_err(|_| ApiError::Unauthorized("Authorization header is not text".into()))?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .ok_or_else(|| ApiError::Unauthorized("Authorization header must be 'Bearer <token>'".into()))?;
        let principal = Arc::<Authenticator>::from_ref(state).verify(token.trim())?;
        if let Some(slot) = parts.extensions.get::<CallerSlot>() {
            slot.set(&principal);
        }
        Ok(principal)
    }
}

/// An endpoint's access rule as a type, for [`Authorized`].
pub trait Rule: Send + Sync + 'static {
    /// What the caller's token must carry.
    const ACCESS: Access;
}

/// A caller whose token satisfies `R`: taking it as an argument is what makes a handler
/// checked, so a handler cannot forget its rule.
#[derive(Debug, Clone)]
pub struct Authorized<R: Rule> {
    pub principal: Principal,
    rule: PhantomData<R>,
}

impl<R: Rule> std::ops::Deref for Authorized<R> {
    type Target = Principal;

    fn deref(&self) -> &Principal {
        &self.principal
    }
}

impl<S, R> FromRequestParts<S> for Authorized<R>
where
    S: Send + Sync,
    Arc<Authenticator>: FromRef<S>,
    R: Rule,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let principal = Principal::from_request_parts(parts, state).await?;
        principal.require(R::ACCESS)?;
        Ok(Authorized { principal, rule: PhantomData })
    }
}
