//! Hold-down timers (RFC 5011 section 2.4.1 and 4.1).

use crate::clock::{Duration, Instant, DAY};

/// RFC 5011 2.4.1: the add hold-down is 30 days.
pub const ADD_HOLDDOWN: Duration = 30 * DAY;
/// RFC 5011 2.4.1 / 4.1 (RemTime): the remove hold-down is 30 days.
pub const REMOVE_HOLDDOWN: Duration = 30 * DAY;

/// When a key first seen at `first_seen` in an RRset with original TTL `ttl`
/// may become a trust anchor: max(hold-down, expiry of that RRset's TTL)
/// (RFC 5011 2.4.1, "whichever is greater").
pub fn add_holddown_end(first_seen: Instant, ttl: Duration, holddown: Duration) -> Instant {
    first_seen + holddown.max(ttl)
}

/// When a key revoked at `revoked_at` may be dropped (RemTime).
pub fn remove_holddown_end(revoked_at: Instant, holddown: Duration) -> Instant {
    revoked_at + holddown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_holddown_is_30_days_for_short_ttls() {
        assert_eq!(
            add_holddown_end(1000, 2 * DAY, ADD_HOLDDOWN),
            1000 + 30 * DAY
        );
    }

    #[test]
    fn add_holddown_follows_a_ttl_longer_than_30_days() {
        assert_eq!(add_holddown_end(0, 40 * DAY, ADD_HOLDDOWN), 40 * DAY);
        // Equal values: either gives the same end.
        assert_eq!(add_holddown_end(0, 30 * DAY, ADD_HOLDDOWN), 30 * DAY);
    }

    #[test]
    fn remove_holddown() {
        assert_eq!(remove_holddown_end(5, REMOVE_HOLDDOWN), 5 + 30 * DAY);
    }
}
