//! Unbound (1.17, `auto-trust-anchor-file`). Deviations from RFC 5011, with sources:
//! - A pending key needs two validated sightings before VALID, on top of the
//!   hold-down (MIN_PENDINGCOUNT in validator/autotrust.c; DOMAIN.md section 5 table).
//! - Probe times are jittered to 90-100 % of the computed interval so a fleet does
//!   not probe in step (autotrust.c probe timer; DOMAIN.md section 5 table).
//! - Missing keys are dropped after `keep-missing` (default 366 days, unbound.conf(5)).
//! - Knobs `add-holddown`, `del-holddown`, `keep-missing` (seconds) and
//!   `permit-small-holddown: yes` (lowers the 1-hour refresh floor) map to the
//!   timers of the same name here; set `refresh-floor` for the last one.

use super::{rfc_base, Params, Profile};
use crate::clock::DAY;

pub fn params() -> Params {
    Params {
        min_sightings: 2,
        jitter_percent: 10,
        keep_missing: Some(366 * DAY),
        ..rfc_base(Profile::Unbound)
    }
}
