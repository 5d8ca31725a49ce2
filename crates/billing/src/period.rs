//! Billing periods: calendar months in UTC, computed here and nowhere else.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

/// A billing period: one calendar month, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BillingPeriod {
    year: i32,
    month: Month,
}

/// First year a period may be named in (`period=` parameters, stored periods).
pub const MIN_YEAR: i32 = 2000;
/// Last year a period may be named in.
pub const MAX_YEAR: i32 = 2100;

/// A period string that is not `YYYY-MM` with a year in 2000..=2100.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid billing period '{0}': expected YYYY-MM with a year from 2000 to 2100")]
pub struct InvalidPeriod(pub String);

impl BillingPeriod {
    /// The period containing the instant `at`.
    pub fn containing(at: OffsetDateTime) -> Self {
        let utc = at.to_offset(time::UtcOffset::UTC);
        BillingPeriod { year: utc.year(), month: utc.month() }
    }

    /// The period of the given year (2000..=2100) and month (1..=12).
    pub fn new(year: i32, month: u8) -> Result<Self, InvalidPeriod> {
        let m = Month::try_from(month).map_err(|_| InvalidPeriod(format!("{year:04}-{month:02}")))?;
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(InvalidPeriod(format!("{year:04}-{month:02}")));
        }
        Ok(BillingPeriod { year, month: m })
    }

    /// Calendar year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// Calendar month, 1..=12.
    pub fn month(self) -> u8 {
        self.month as u8
    }

    /// First instant of the period (inclusive).
    pub fn start(self) -> OffsetDateTime {
        let date = Date::from_calendar_date(self.year, self.month, 1).expect("day 1 exists in every month");
        PrimitiveDateTime::new(date, Time::MIDNIGHT).assume_utc()
    }

    /// First instant of the next period (exclusive end of this one).
    pub fn end(self) -> OffsetDateTime {
        self.next().start()
    }

    /// The following period.
    pub fn next(self) -> Self {
        match self.month {
            Month::December => BillingPeriod { year: self.year + 1, month: Month::January },
            m => BillingPeriod { year: self.year, month: m.next() },
        }
    }

    /// The preceding period.
    pub fn previous(self) -> Self {
        match self.month {
            Month::January => BillingPeriod { year: self.year - 1, month: Month::December },
            m => BillingPeriod { year: self.year, month: m.previous() },
        }
    }

    /// Number of days in the period.
    pub fn days(self) -> u8 {
        self.month.length(self.year)
    }

    /// Every day of the period, in order.
    pub fn dates(self) -> impl Iterator<Item = Date> {
        let first = self.start().date();
        (0..self.days()).map(move |d| first + time::Duration::days(i64::from(d)))
    }

    /// Share of the period elapsed at `now`, clamped to 0..=1.
    pub fn elapsed_fraction(self, now: OffsetDateTime) -> f64 {
        let start = self.start().unix_timestamp_nanos() as f64;
        let end = self.end().unix_timestamp_nanos() as f64;
        let now = now.unix_timestamp_nanos() as f64;
        ((now - start) / (end - start)).clamp(0.0, 1.0)
    }

    /// Whether `at` falls inside the period.
    pub fn contains(self, at: OffsetDateTime) -> bool {
        at >= self.start() && at < self.end()
    }
}

impl fmt::Display for BillingPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month as u8)
    }
}

impl FromStr for BillingPeriod {
    type Err = InvalidPeriod;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || InvalidPeriod(s.to_owned());
        let (y, m) = s.split_once('-').ok_or_else(bad)?;
        if y.len() != 4
            || m.len() != 2
            || !y.bytes().all(|b| b.is_ascii_digit())
            || !m.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u8 = m.parse().map_err(|_| bad())?;
        BillingPeriod::new(year, month).map_err(|_| bad())
    }
}

impl Serialize for BillingPeriod {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for BillingPeriod {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;

    #[test]
    fn month_ends_and_leap_years() {
        let feb_2024: BillingPeriod = "2024-02".parse().unwrap();
        assert_eq!(feb_2024.days(), 29);
        let feb_2023: BillingPeriod = "2023-02".parse().unwrap();
        assert_eq!(feb_2023.days(), 28);
        let feb_2100: BillingPeriod = "2100-02".parse().unwrap();
        assert_eq!(feb_2100.days(), 28);
        let feb_2000: BillingPeriod = "2000-02".parse().unwrap();
        assert_eq!(feb_2000.days(), 29);
        assert_eq!(BillingPeriod::containing(datetime!(2024-02-29 23:59:59.999 UTC)), feb_2024);
        assert_eq!(BillingPeriod::containing(datetime!(2024-03-01 00:00 UTC)).to_string(), "2024-03");
        assert_eq!(BillingPeriod::containing(datetime!(2024-12-31 23:59:59 UTC)).next().to_string(), "2025-01");
        assert_eq!("2025-01".parse::<BillingPeriod>().unwrap().previous().to_string(), "2024-12");
        assert_eq!(feb_2024.dates().count(), 29);
    }

    #[test]
    fn periods_are_utc_even_for_offset_instants() {
        // 23:30 on 31 Jan in New York is already February in UTC.
        let at = datetime!(2025-01-31 23:30 -5);
        assert_eq!(BillingPeriod::containing(at).to_string(), "2025-02");
    }

    #[test]
    fn rejects_malformed_periods() {
        for bad in [
            "2025-13",
            "2025-00",
            "25-01",
            "2025-1",
            "2025/01",
            "",
            "abcd-ef",
            "2025-01-01",
            "9999-12",
            "1999-12",
            "2101-01",
        ] {
            assert!(bad.parse::<BillingPeriod>().is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn every_instant_lies_in_exactly_its_period(secs in 946_684_800i64..4_133_980_800) {
            let at = OffsetDateTime::from_unix_timestamp(secs).unwrap();
            let p = BillingPeriod::containing(at);
            prop_assert!(p.contains(at));
            prop_assert!(!p.next().contains(at));
            prop_assert!(!p.previous().contains(at));
            prop_assert_eq!(p.end(), p.next().start());
            let f = p.elapsed_fraction(at);
            prop_assert!((0.0..=1.0).contains(&f));
            prop_assert_eq!(p.to_string().parse::<BillingPeriod>().unwrap(), p);
        }
    }
}
