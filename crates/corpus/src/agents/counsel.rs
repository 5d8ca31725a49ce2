//! The per-tenant counsel list privilege review reads: who is counsel, and who is the client.

use docket_billing::TenantId;
use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::CorpusError;

/// Most entries in each list of a counsel list.
pub const MAX_COUNSEL_ENTRIES: usize = 1_000;
/// Longest entry, in bytes.
const MAX_ENTRY_BYTES: usize = 256;

/// Counsel of a tenant: outside firms and in-house legal, by name, address and domain, and the
/// client's own e-mail domains (anyone else on a thread is a third party).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CounselList {
    /// Names of counsel as they sign and appear in headers ("Dana Whitfield").
    pub names: Vec<String>,
    /// E-mail addresses of counsel (in-house lawyers at the client's own domain go here).
    pub emails: Vec<String>,
    /// E-mail domains of outside law firms and of in-house legal departments with their own
    /// domain: everyone writing from them is counsel.
    pub domains: Vec<String>,
    /// The client's own e-mail domains: a participant from neither these nor counsel's is a
    /// third party, whose presence breaks privilege.
    pub client_domains: Vec<String>,
}

impl CounselList {
    /// Trim, lower-case addresses and domains, drop empty and repeated entries; name the field
    /// of an entry that cannot be right.
    pub fn normalized(self) -> Result<CounselList, CorpusError> {
        fn list(field: &str, values: Vec<String>, lower: bool) -> Result<Vec<String>, CorpusError> {
            if values.len() > MAX_COUNSEL_ENTRIES {
                return Err(CorpusError::filter(field, format!("at most {MAX_COUNSEL_ENTRIES} entries")));
            }
            let mut out: Vec<String> = Vec::with_capacity(values.len());
            for (i, v) in values.into_iter().enumerate() {
                let v = v.trim();
                let v = if lower { v.to_lowercase() } else { v.to_owned() };
                if v.is_empty() {
                    return Err(CorpusError::filter(&format!("{field}[{i}]"), "is empty"));
                }
                if v.len() > MAX_ENTRY_BYTES || v.chars().any(char::is_control) {
                    return Err(CorpusError::filter(
                        &format!("{field}[{i}]"),
                        format!("must be at most {MAX_ENTRY_BYTES} bytes without control characters"),
                    ));
                }
                if !out.contains(&v) {
                    out.push(v);
                }
            }
            Ok(out)
        }
        let emails = list("emails", self.emails, true)?;
        for (i, e) in emails.iter().enumerate() {
            let ok = e.split_once('@').is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !e.contains(' '));
            if !ok {
                return Err(CorpusError::filter(&format!("emails[{i}]"), format!("'{e}' is not an e-mail address")));
            }
        }
        let check_domains = |field: &str, values: Vec<String>| -> Result<Vec<String>, CorpusError> {
            let values = list(field, values, true)?;
            let mut out = Vec::with_capacity(values.len());
            for (i, d) in values.into_iter().enumerate() {
                let d = d.trim_start_matches('@').to_owned();
                if !d.contains('.') || d.contains(['@', ' ', '/']) {
                    return Err(CorpusError::filter(&format!("{field}[{i}]"), format!("'{d}' is not a domain")));
                }
                out.push(d);
            }
            Ok(out)
        };
        Ok(CounselList {
            names: list("names", self.names, false)?,
            emails,
            domains: check_domains("domains", self.domains)?,
            client_domains: check_domains("client_domains", self.client_domains)?,
        })
    }
}

/// The tenant's counsel list (empty when never set).
pub(crate) async fn get(pool: &SqlitePool, tenant: &TenantId) -> Result<CounselList, CorpusError> {
    let row: Option<String> = sqlx::query_scalar("SELECT counsel FROM agent_counsel WHERE tenant_id = ?")
        .bind(tenant.as_str())
        .fetch_optional(pool)
        .await?;
    match row {
        Some(json) => serde_json::from_str(&json).map_err(|e| CorpusError::Corrupt(format!("counsel list: {e}"))),
        None => Ok(CounselList::default()),
    }
}

/// Replace the tenant's counsel list.
pub(crate) async fn put(pool: &SqlitePool, tenant: &TenantId, list: &CounselList) -> Result<(), CorpusError> {
    let json = serde_json::to_string(list).map_err(|e| CorpusError::Corrupt(format!("counsel list: {e}")))?;
    let now = OffsetDateTime::now_utc().format(&Rfc3339).unwrap_or_default();
    sqlx::query(
        "INSERT INTO agent_counsel (tenant_id, counsel, updated_at) VALUES (?, ?, ?) \
         ON CONFLICT (tenant_id) DO UPDATE SET counsel = excluded.counsel, updated_at = excluded.updated_at",
    )
    .bind(tenant.as_str())
    .bind(json)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}
