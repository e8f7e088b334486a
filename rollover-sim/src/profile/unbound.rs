//! Unbound 1.17.1 (`auto-trust-anchor-file`), read in validator/autotrust.c at
//! tag release-1.17.1 (docs/rfc5011.md lists every rule with its function):
//! - `autr_process_prime` runs `autr_holddown_exceed` (-> `do_addtime`) before
//!   it looks at the answer: a pending key past its hold-down becomes Valid at
//!   any probe, even with no answer or a bogus one (`promote_without_answer`).
//! - `do_addtime`: the hold-down is `add-holddown` alone, no TTL term, and the
//!   key needs `pending_count >= MIN_PENDINGCOUNT` (2) sightings
//!   (`seen_trustanchor` counts them).
//! - `calc_next_probe`: the next probe is at 90-100 % of the interval, with a
//!   1-hour floor unless `permit-small-holddown` (knob `refresh-floor`).
//! - `remove_missing_trustanchors`: Missing keys go to Removed after
//!   `keep-missing` (366 days) while another key is Valid.
//! - `autr_cleanup_keys` frees keys in Start and Removed: a removed key that
//!   returns starts over (`keep_removed = 0`).
//! - `check_contains_revoked` needs `rr_is_selfsigned_revoked`; when no anchor
//!   is left `autr_tp_remove` deletes the trust point: the zone is insecure.
//! - `autr_write_file` calls `fatal_exit` when it cannot write the file, and it
//!   writes after every probe with an answer (`exit-on-write`).
//! - No cap on the number of keys (`add_key` appends to a list).

use super::{rfc_base, Params, Profile, UnwritableState};
use crate::clock::DAY;

pub fn params() -> Params {
    Params {
        min_sightings: 2,
        ttl_extends_holddown: false,
        jitter_percent: 10,
        keep_missing: Some(366 * DAY),
        keep_missing_needs_valid: true,
        promote_without_answer: true,
        keep_removed: 0,
        unwritable_state: UnwritableState::ExitOnWrite,
        ..rfc_base(Profile::Unbound)
    }
}
