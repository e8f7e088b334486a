//! Unbound (1.17, `auto-trust-anchor-file`). Deviations from RFC 5011, with
//! sources (validator/autotrust.c, unbound.conf(5), DOMAIN.md section 5 table):
//! - A pending key needs two validated sightings (MIN_PENDINGCOUNT = 2) on top of
//!   the hold-down. With the RFC's own "fresh fetch after the hold-down" rule this
//!   only matters when a test bed shrinks the hold-down to about one probe.
//! - The add hold-down is `add-holddown` alone: the RFC's max(30 days, TTL) rule
//!   is not applied (autotrust.c do_addtime says so).
//! - Probe times are jittered: the next probe is at 90-100 % of the computed
//!   interval (calc_next_probe), with the 1-hour floor unless
//!   `permit-small-holddown: yes` (set the `refresh-floor` knob here).
//! - Missing keys are dropped after `keep-missing` (default 366 days).
//! - Knobs `add-holddown`, `del-holddown`, `keep-missing` (seconds) map to the
//!   timers of the same name here.

use super::{rfc_base, Params, Profile};
use crate::clock::DAY;

pub fn params() -> Params {
    Params {
        min_sightings: 2,
        ttl_extends_holddown: false,
        jitter_percent: 10,
        keep_missing: Some(366 * DAY),
        ..rfc_base(Profile::Unbound)
    }
}
