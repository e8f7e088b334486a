//! Knot Resolver 5.6 (`trust_anchors.add_file(path, false)`, module ta_update).
//! Deviations from RFC 5011, with sources (Knot Resolver docs, "Trust anchors and
//! DNSSEC" / ta_update; DOMAIN.md section 5 table):
//! - Refresh is derived from the DNSKEY TTL only; RRSIG expiry is ignored, and
//!   `ta_update.refresh_time` replaces the computed interval when set (knob `refresh`).
//! - Keys that stay Missing are removed after 4x the hold-down.
//! - Knobs `ta_update.hold_down_time` and `ta_update.keep_removed` map to
//!   `add-holddown`/`remove-holddown` here (Knot writes them in ms; we use seconds).

use super::{rfc_base, Params, Profile};
use crate::refresh::RefreshBounds;

pub fn params() -> Params {
    let base = rfc_base(Profile::KnotResolver);
    Params {
        refresh: RefreshBounds { use_rrsig_expiry: false, ..base.refresh },
        keep_missing: Some(4 * base.add_holddown),
        ..base
    }
}
