//! Knot Resolver 5.6 (`trust_anchors.add_file(path, false)`), read in
//! modules/ta_update/ta_update.lua and daemon/lua/trust_anchors.lua.in at tag
//! v5.6.0:
//! - `active_refresh`: query MAX(1 h, MIN(15 days, TTL/2)), retry MAX(1 h,
//!   MIN(1 day, TTL/10)); the RRSIG expiry is not used. In `refresh_plan` a set
//!   `refresh_time` replaces the computed delay after success *and* failure.
//! - `ta_present`: NewKey timer `now + hold_down_time` (no TTL term); AddTime on
//!   a validated answer that shows the key after it; a revoked key is taken as
//!   revoked from the REVOKE bit alone (no self-signature check) and its timer
//!   is `now + hold_down_time` too.
//! - `ta_missing`: a pending key missing is purged (back to Start); a Valid key
//!   missing gets `4 * hold_down_time`, then is dropped.
//! - `update`: `keep_removed` is how many Removed keys are remembered (default
//!   0: forgotten, so a key that returns starts over).
//! - `keyset_publish`: `kr_ta_del` then only Valid/Missing keys are added; with
//!   none left the zone has no anchor: insecure.
//! - `add_file` errors at start when the key file's directory is not writable.

use super::{rfc_base, Params, Profile, UnwritableState};
use crate::refresh::RefreshBounds;

pub fn params() -> Params {
    let base = rfc_base(Profile::KnotResolver);
    Params {
        refresh: RefreshBounds {
            use_rrsig_expiry: false,
            ..base.refresh
        },
        ttl_extends_holddown: false,
        keep_missing: Some(4 * base.add_holddown),
        remove_holddown: base.add_holddown,
        revoke_needs_self_signature: false,
        keep_removed: 0,
        unwritable_state: UnwritableState::RefuseStart,
        ..base
    }
}
