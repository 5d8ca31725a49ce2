//! Small helpers shared by the registry, the timeline and the search: time keys and checks.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use docket_billing::TenantId;

use crate::error::CorpusError;

/// A sortable key for an instant: RFC 3339 in UTC truncated to seconds, so that text order is
/// time order (fractional seconds would break that: "00.5Z" sorts before "00Z").
pub(crate) fn ts_key(dt: OffsetDateTime) -> String {
    let utc = dt.to_offset(UtcOffset::UTC);
    let utc = utc.replace_nanosecond(0).unwrap_or(utc);
    let fmt = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    utc.format(&fmt).unwrap_or_else(|_| utc.to_string())
}

/// The sort key of midnight UTC at the start of `date`.
pub(crate) fn date_key(date: Date) -> String {
    ts_key(PrimitiveDateTime::new(date, Time::MIDNIGHT).assume_utc())
}

/// `YYYY-MM-DD`.
pub(crate) fn format_date(date: Date) -> String {
    let fmt = format_description!("[year]-[month]-[day]");
    date.format(&fmt).unwrap_or_else(|_| date.to_string())
}

/// Parse a stored RFC 3339 text back into an instant.
pub(crate) fn parse_rfc3339(s: &str) -> Result<OffsetDateTime, CorpusError> {
    OffsetDateTime::parse(s, &Rfc3339).map_err(|e| CorpusError::Corrupt(format!("bad timestamp '{s}': {e}")))
}

/// One end of a time range given by a caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bound {
    pub key: String,
    /// False when the key is the first instant *after* the range (a date-only upper bound).
    pub inclusive: bool,
}

/// Parse a caller's range bound: `YYYY-MM-DD` or RFC 3339. A date-only upper bound covers the
/// whole day.
pub(crate) fn parse_bound(field: &str, value: &str, upper: bool) -> Result<Bound, CorpusError> {
    let value = value.trim();
    let date_fmt = format_description!("[year]-[month]-[day]");
    if let Ok(date) = Date::parse(value, &date_fmt) {
        if upper {
            return match date.next_day() {
                Some(next) => Ok(Bound { key: date_key(next), inclusive: false }),
                None => Ok(Bound { key: "9999-12-31T23:59:59Z".into(), inclusive: true }),
            };
        }
        return Ok(Bound { key: date_key(date), inclusive: true });
    }
    match OffsetDateTime::parse(value, &Rfc3339) {
        Ok(dt) => {
            let year = dt.to_offset(UtcOffset::UTC).year();
            if !(1..=9999).contains(&year) {
                return Err(CorpusError::filter(field, "year must be between 1 and 9999"));
            }
            Ok(Bound { key: ts_key(dt), inclusive: true })
        }
        Err(_) => Err(CorpusError::filter(
            field,
            format!("'{value}' is neither a date (YYYY-MM-DD) nor an RFC 3339 timestamp"),
        )),
    }
}

/// Reject a lower bound that lies after the upper bound.
pub(crate) fn check_range(from: Option<&Bound>, to: Option<&Bound>, field: &str) -> Result<(), CorpusError> {
    if let (Some(from), Some(to)) = (from, to) {
        let empty = if to.inclusive { from.key > to.key } else { from.key >= to.key };
        if empty {
            return Err(CorpusError::filter(field, "the range ends before it starts"));
        }
    }
    Ok(())
}

/// A tenant id read back from the registry: written only from a parsed `TenantId`, so one that
/// no longer parses means the stored data is damaged.
pub(crate) fn stored_tenant(stored: &str) -> Result<TenantId, CorpusError> {
    TenantId::parse(stored).map_err(|e| CorpusError::Corrupt(format!("stored {e}")))
}

/// The largest prefix of `s` no longer than `max` bytes that ends on a char boundary.
pub(crate) fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The title shown for a document: its own title, else its subject, else its file name.
pub(crate) fn display_title(title: Option<&str>, subject: Option<&str>, source: &str) -> String {
    let pick = |t: Option<&str>| t.map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned);
    pick(title)
        .or_else(|| pick(subject))
        .unwrap_or_else(|| source.rsplit(['/', '\\']).next().filter(|n| !n.is_empty()).unwrap_or(source).to_owned())
}

/// `text[start..end]` when that is a valid range on char boundaries.
pub(crate) fn slice(text: &str, start: usize, end: usize) -> Option<&str> {
    if start <= end { text.get(start..end) } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_stored_tenant_is_read_by_the_one_rule() {
        assert_eq!(stored_tenant("hale-ward").unwrap().as_str(), "hale-ward");
        assert!(matches!(stored_tenant("Hale Ward"), Err(CorpusError::Corrupt(_))));
    }

    #[test]
    fn keys_sort_like_time() {
        let a = ts_key(datetime!(2024-03-01 10:00:00.5 +02:00));
        assert_eq!(a, "2024-03-01T08:00:00Z");
        assert!(date_key(time::macros::date!(2024 - 03 - 01)) < a);
    }

    #[test]
    fn bounds() {
        let b = parse_bound("to_ts", "2024-02-29", true).unwrap();
        assert_eq!(b, Bound { key: "2024-03-01T00:00:00Z".into(), inclusive: false });
        assert!(parse_bound("from_ts", "yesterday", false).is_err());
        let f = parse_bound("from_ts", "2024-03-01T00:00:00Z", false).unwrap();
        assert!(check_range(Some(&f), Some(&b), "from_ts").is_err());
    }

    #[test]
    fn truncate_respects_chars() {
        assert_eq!(truncate("héllo", 2), "h");
        assert_eq!(slice("abc", 2, 1), None);
    }
}
