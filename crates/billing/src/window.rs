//! When a usage event may still be reported: the window that closes billing periods.
//!
//! An event is accepted when it happened in the current period, or in the previous one while
//! that period's grace lasts (the first [`GRACE_PERIOD`] of the current one), and at most
//! [`MAX_CLOCK_SKEW`] in the future. Times are taken in UTC, so an offset cannot move an event
//! into another period. Outside the window a closed period's bill can no longer change.

use time::{Duration, OffsetDateTime, UtcOffset};

use crate::period::BillingPeriod;

/// How long after its end a period still takes late events.
pub const GRACE_PERIOD: Duration = Duration::days(3);
/// How far in the future an event may be stamped (clocks of reporters drift).
pub const MAX_CLOCK_SKEW: Duration = Duration::minutes(5);

/// The earliest instant an event reported at `now` may carry.
pub fn earliest_accepted(now: OffsetDateTime) -> OffsetDateTime {
    let current = BillingPeriod::containing(now);
    if now < current.start() + GRACE_PERIOD { current.previous().start() } else { current.start() }
}

/// The event time `at`, in UTC, if an event reported at `now` may carry it; why not otherwise.
pub fn accept_event_time(at: OffsetDateTime, now: OffsetDateTime) -> Result<OffsetDateTime, String> {
    let at = at.to_offset(UtcOffset::UTC);
    let earliest = earliest_accepted(now);
    if at > now + MAX_CLOCK_SKEW {
        return Err(format!("{at} is more than {} minutes in the future", MAX_CLOCK_SKEW.whole_minutes()));
    }
    if at < earliest {
        return Err(format!(
            "{at} falls before {earliest}: period {} is closed (late events are taken until {} days after a period ends)",
            BillingPeriod::containing(at),
            GRACE_PERIOD.whole_days()
        ));
    }
    Ok(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_previous_period_closes_after_its_grace() {
        let early = datetime!(2026-12-02 10:00 UTC);
        assert!(accept_event_time(datetime!(2026-11-05 00:00 UTC), early).is_ok());
        assert!(accept_event_time(datetime!(2026-10-31 23:59 UTC), early).is_err());
        let late = datetime!(2026-12-04 00:00 UTC);
        assert!(accept_event_time(datetime!(2026-11-30 23:59 UTC), late).is_err());
        assert!(accept_event_time(datetime!(2026-12-01 00:00 UTC), late).is_ok());
    }

    #[test]
    fn the_future_is_bounded_and_offsets_are_utc() {
        let now = datetime!(2026-12-10 12:00 UTC);
        assert!(accept_event_time(datetime!(2026-12-10 12:04 UTC), now).is_ok());
        assert!(accept_event_time(datetime!(2026-12-10 12:06 UTC), now).is_err());
        // 00:30 on 1 December at +01:00 is still November in UTC: closed on 10 December.
        assert!(accept_event_time(datetime!(2026-12-01 00:30 +1), now).is_err());
        let at = accept_event_time(datetime!(2026-12-10 07:00 -5), now).unwrap();
        assert_eq!(at.offset(), UtcOffset::UTC);
        assert_eq!(at, datetime!(2026-12-10 12:00 UTC));
    }
}
