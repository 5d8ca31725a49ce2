//! Plan and support-tier overrides: the operator's `tenant:plan` and `tenant:support_tier`
//! lists (`DOCKET_PLAN_OVERRIDES`, `DOCKET_SUPPORT_OVERRIDES`, set in the tier profiles).
//!
//! A list is read leniently: every entry that makes sense is kept, and every one that does
//! not becomes an [`OverrideProblem`] naming it, so that the server can refuse to start with
//! all of them at once and reconciliation can report them beside the differences.

use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::plans::{PlanId, SupportTier};
use crate::tenant::TenantId;

/// What an override list sets per tenant.
pub trait OverrideValue: FromStr + Copy + fmt::Display + Send + Sync + 'static {
    /// What the value is called in messages ("plan", "support tier").
    const WHAT: &'static str;
    /// The identifier of the problem kind for a value that is not known.
    const UNKNOWN_KIND: &'static str;
}

impl OverrideValue for PlanId {
    const WHAT: &'static str = "plan";
    const UNKNOWN_KIND: &'static str = "unknown_plan";
}

impl OverrideValue for SupportTier {
    const WHAT: &'static str = "support tier";
    const UNKNOWN_KIND: &'static str = "unknown_support_tier";
}

/// An entry of an override list that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverrideProblem {
    /// `malformed`, `unknown_plan`, `unknown_support_tier` or `duplicate_tenant`.
    pub kind: &'static str,
    /// The entry as written.
    pub entry: String,
    /// The tenant it names, when it names a valid one.
    pub tenant_id: Option<TenantId>,
    /// Why it cannot be used, in words.
    pub message: String,
}

impl fmt::Display for OverrideProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "entry '{}': {}", self.entry, self.message)
    }
}

/// A parsed override list: the usable entries in the order written, and the problems.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overrides<T> {
    entries: Vec<(TenantId, T)>,
    problems: Vec<OverrideProblem>,
}

/// `DOCKET_PLAN_OVERRIDES`: the plan each listed tenant must be on.
pub type PlanOverrides = Overrides<PlanId>;
/// `DOCKET_SUPPORT_OVERRIDES`: the support tier each listed tenant gets instead of its plan's.
pub type SupportOverrides = Overrides<SupportTier>;

impl<T> Default for Overrides<T> {
    fn default() -> Self {
        Overrides { entries: Vec::new(), problems: Vec::new() }
    }
}

impl<T: OverrideValue> Overrides<T> {
    /// Read a comma-separated `tenant:value` list. Blank entries are skipped; a tenant
    /// listed twice is a problem and none of its entries is used (which one was meant is
    /// not for us to guess).
    pub fn parse(list: &str) -> Overrides<T> {
        let mut out = Overrides::default();
        let mut seen: Vec<(TenantId, String)> = Vec::new();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let problem = |kind: &'static str, tenant_id: Option<TenantId>, message: String| OverrideProblem {
                kind,
                entry: entry.to_owned(),
                tenant_id,
                message,
            };
            let Some((tenant, value)) = entry.split_once(':') else {
                out.problems.push(problem("malformed", None, format!("expected tenant:{}", T::WHAT.replace(' ', "_"))));
                continue;
            };
            let tenant = match TenantId::parse(tenant.trim()) {
                Ok(t) => t,
                Err(e) => {
                    out.problems.push(problem("malformed", None, e.to_string()));
                    continue;
                }
            };
            if let Some((_, first)) = seen.iter().find(|(t, _)| *t == tenant) {
                let message = format!("tenant '{tenant}' is listed twice (also as '{first}'); neither entry is used");
                out.problems.push(problem("duplicate_tenant", Some(tenant.clone()), message));
                out.entries.retain(|(t, _)| *t != tenant);
                continue;
            }
            seen.push((tenant.clone(), entry.to_owned()));
            match value.trim().parse::<T>() {
                Ok(v) => out.entries.push((tenant, v)),
                Err(_) => {
                    let message = format!("unknown {} '{}' for tenant '{tenant}'", T::WHAT, value.trim());
                    out.problems.push(problem(T::UNKNOWN_KIND, Some(tenant), message));
                }
            }
        }
        out
    }

    /// The usable entries, in the order written.
    pub fn entries(&self) -> &[(TenantId, T)] {
        &self.entries
    }

    /// The value listed for `tenant`, if any.
    pub fn get(&self, tenant: &TenantId) -> Option<T> {
        self.entries.iter().find(|(t, _)| t == tenant).map(|(_, v)| *v)
    }

    /// The entries that cannot be used.
    pub fn problems(&self) -> &[OverrideProblem] {
        &self.problems
    }

    /// Whether nothing is listed at all.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.problems.is_empty()
    }
}

impl<T: OverrideValue> FromStr for Overrides<T> {
    type Err = Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Overrides::parse(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> TenantId {
        TenantId::parse(s).unwrap()
    }

    #[test]
    fn reads_entries_in_order_and_skips_blanks() {
        let o = PlanOverrides::parse(" acme:enterprise, ,globex : Professional,");
        assert_eq!(o.entries(), &[(t("acme"), PlanId::Enterprise), (t("globex"), PlanId::Professional)]);
        assert!(o.problems().is_empty());
        assert!(PlanOverrides::parse("").is_empty());
        let s = SupportOverrides::parse("acme:premium");
        assert_eq!(s.get(&t("acme")), Some(SupportTier::Premium));
        assert_eq!(s.get(&t("globex")), None);
    }

    #[test]
    fn names_each_bad_entry() {
        let o = PlanOverrides::parse(
            "acme,Bad_Id:community,globex:gold,ok-co:community,initech:enterprise,initech:community",
        );
        let kinds: Vec<_> = o.problems().iter().map(|p| (p.kind, p.entry.as_str())).collect();
        assert_eq!(
            kinds,
            [
                ("malformed", "acme"),
                ("malformed", "Bad_Id:community"),
                ("unknown_plan", "globex:gold"),
                ("duplicate_tenant", "initech:community"),
            ]
        );
        assert_eq!(o.entries(), &[(t("ok-co"), PlanId::Community)]);
        assert_eq!(o.problems()[0].to_string(), "entry 'acme': expected tenant:plan");
        assert_eq!(o.problems()[2].to_string(), "entry 'globex:gold': unknown plan 'gold' for tenant 'globex'");
        assert!(o.problems()[3].message.contains("also as 'initech:enterprise'"));
        let s = SupportOverrides::parse("acme:gold");
        assert_eq!(s.problems()[0].kind, "unknown_support_tier");
        assert_eq!(s.problems()[0].message, "unknown support tier 'gold' for tenant 'acme'");
    }
}
