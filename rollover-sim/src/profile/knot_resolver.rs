//! Knot Resolver 5.6 (`trust_anchors.add_file(path, false)`, module ta_update).
//! Deviations from RFC 5011, with sources (Knot Resolver docs, "Trust anchors and
//! DNSSEC" / ta_update; modules/ta_update/ta_update.lua; DOMAIN.md section 5 table):
//! - Refresh is derived from the DNSKEY TTL only: query MAX(1 h, MIN(15 days,
//!   TTL/2)), retry MAX(1 h, MIN(1 day, TTL/10)); RRSIG expiry is ignored.
//!   `ta_update.refresh_time`, when set, replaces the computed interval (knob
//!   `refresh`).
//! - A Missing key is removed when a fetch still lacks it 4x the hold-down after
//!   it went missing ("RFC 5011 doesn't mention removing a Missing key").
//! - Knobs `ta_update.hold_down_time` and `ta_update.keep_removed` map to
//!   `add-holddown`/`remove-holddown` here (Knot writes them in ms; we use seconds).

use super::{rfc_base, Params, Profile};
use crate::refresh::RefreshBounds;

pub fn params() -> Params {
    let base = rfc_base(Profile::KnotResolver);
    Params {
        refresh: RefreshBounds {
            use_rrsig_expiry: false,
            ..base.refresh
        },
        keep_missing: Some(4 * base.add_holddown),
        ..base
    }
}
