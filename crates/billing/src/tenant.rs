//! Tenant identifiers: lower-case slugs, validated once at the edge.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A tenant's identifier: 2 to 63 characters of `a-z`, `0-9` and `-`, starting with a letter
/// or digit and not ending with `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TenantId(String);

/// A string that is not a valid tenant id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid tenant id '{0}': use 2 to 63 characters of a-z, 0-9 and '-', not starting or ending with '-'")]
pub struct InvalidTenantId(pub String);

impl TenantId {
    /// Validate a tenant id as given.
    pub fn parse(s: &str) -> Result<TenantId, InvalidTenantId> {
        let ok = (2..=63).contains(&s.len())
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-');
        if ok { Ok(TenantId(s.to_owned())) } else { Err(InvalidTenantId(s.to_owned())) }
    }

    /// Derive a tenant id from an organisation's name: "Hale & Ward LLP" -> "hale-ward-llp".
    pub fn derive_from(organization: &str) -> Result<TenantId, InvalidTenantId> {
        let mut slug = String::with_capacity(organization.len());
        for c in organization.chars().flat_map(char::to_lowercase) {
            if c.is_ascii_alphanumeric() {
                slug.push(c);
            } else if !slug.is_empty() && !slug.ends_with('-') {
                slug.push('-');
            }
        }
        while slug.len() > 63 {
            slug.pop();
        }
        let slug = slug.trim_end_matches('-').to_owned();
        TenantId::parse(&slug).map_err(|_| InvalidTenantId(organization.to_owned()))
    }

    /// The id as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for TenantId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for TenantId {
    type Err = InvalidTenantId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TenantId::parse(s)
    }
}

impl Serialize for TenantId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for TenantId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        TenantId::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for TenantId {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some("^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$"))
            .into()
    }
}

impl utoipa::ToSchema for TenantId {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_derives_slugs() {
        assert!(TenantId::parse("hale-ward").is_ok());
        for bad in ["", "a", "-ab", "ab-", "Hale", "ha le", "ha_le", &"a".repeat(64)] {
            assert!(TenantId::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(TenantId::derive_from("Hale & Ward LLP").unwrap().as_str(), "hale-ward-llp");
        assert_eq!(TenantId::derive_from("  Ørsted Legal  ").unwrap().as_str(), "rsted-legal");
        assert!(TenantId::derive_from("&&&").is_err());
    }
}
