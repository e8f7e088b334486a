//! Active refresh (RFC 5011 section 2.3): how often a resolver re-queries the
//! trust point's DNSKEY RRset, and how soon it retries after a failure.

use crate::clock::{Duration, DAY, HOUR};

/// The bounds a profile applies; RFC values by default. BIND's `mkeytimers`
/// (H/D) and Unbound's `permit-small-holddown` change `floor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct RefreshBounds {
    /// Never more often than this (RFC: 1 hour).
    pub floor: Duration,
    /// Query at least this often (RFC: 15 days).
    pub query_cap: Duration,
    /// Retry at least this often (RFC: 1 day).
    pub retry_cap: Duration,
    /// Whether the RRSIG expiry enters the formulas (Knot Resolver: no).
    pub use_rrsig_expiry: bool,
}

impl Default for RefreshBounds {
    fn default() -> Self {
        RefreshBounds {
            floor: HOUR,
            query_cap: 15 * DAY,
            retry_cap: DAY,
            use_rrsig_expiry: true,
        }
    }
}

/// queryInterval = MAX(1 hr, MIN(15 days, 1/2 origTTL, 1/2 time to RRSIG expiry)).
/// An expiry already past counts as zero, which the floor turns into 1 hour.
pub fn query_interval(ttl: Duration, to_expiry: Duration, b: &RefreshBounds) -> Duration {
    let mut t = b.query_cap.min(ttl / 2);
    if b.use_rrsig_expiry {
        t = t.min(to_expiry.max(0) / 2);
    }
    t.max(b.floor)
}

/// retryTime = MAX(1 hr, MIN(1 day, 0.1 origTTL, 0.1 time to RRSIG expiry)).
pub fn retry_interval(ttl: Duration, to_expiry: Duration, b: &RefreshBounds) -> Duration {
    let mut t = b.retry_cap.min(ttl / 10);
    if b.use_rrsig_expiry {
        t = t.min(to_expiry.max(0) / 10);
    }
    t.max(b.floor)
}

#[cfg(test)]
mod tests {
    use super::*;
    const B: RefreshBounds = RefreshBounds {
        floor: HOUR,
        query_cap: 15 * DAY,
        retry_cap: DAY,
        use_rrsig_expiry: true,
    };

    #[test]
    fn root_parameters_give_one_day() {
        // TTL 2 days, 21-day signatures: half the TTL wins.
        assert_eq!(query_interval(2 * DAY, 21 * DAY, &B), DAY);
        // retry: min(1 day, 4.8 h, 2.1 days) = 4.8 h
        assert_eq!(retry_interval(2 * DAY, 21 * DAY, &B), 2 * DAY / 10);
    }

    #[test]
    fn expiring_signatures_shorten_the_interval() {
        assert_eq!(query_interval(2 * DAY, 10 * HOUR, &B), 5 * HOUR);
        assert_eq!(retry_interval(2 * DAY, 20 * HOUR, &B), 2 * HOUR);
    }

    #[test]
    fn floor_of_one_hour() {
        assert_eq!(query_interval(60, 21 * DAY, &B), HOUR);
        assert_eq!(query_interval(2 * DAY, -5, &B), HOUR, "expired signature");
        assert_eq!(retry_interval(600, 600, &B), HOUR);
    }

    #[test]
    fn caps_of_15_days_and_1_day() {
        assert_eq!(query_interval(100 * DAY, 100 * DAY, &B), 15 * DAY);
        assert_eq!(retry_interval(100 * DAY, 100 * DAY, &B), DAY);
    }

    #[test]
    fn ttl_only_refresh_ignores_expiry() {
        let knot = RefreshBounds {
            use_rrsig_expiry: false,
            ..B
        };
        assert_eq!(query_interval(2 * DAY, 2 * HOUR, &knot), DAY);
        assert_eq!(retry_interval(2 * DAY, 2 * HOUR, &knot), 2 * DAY / 10);
    }

    #[test]
    fn a_lower_floor_allows_short_test_timers() {
        let small = RefreshBounds { floor: 1, ..B };
        assert_eq!(query_interval(60, 21 * DAY, &small), 30);
    }
}
