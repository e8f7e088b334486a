//! BIND 9.18/9.20 (`trust-anchors { . initial-key ... }`, managed-keys.bind),
//! read in lib/dns/zone.c and bin/named/server.c (tag v9.20.27; the 9.18 code
//! of these functions is the same in what the model uses):
//! - `keyfetch_done`, first secure fetch after an `initial-key` start: every
//!   SEP key of the RRset is trusted at once (`initializing`).
//! - `keyfetch_done`: a new key's acceptance timer is `now + mkey_month` (no
//!   TTL term); a key is trusted on a *secure* fetch at or after it.
//! - `keyfetch_done`, not secure: pending keys in the RRset get their timer
//!   restarted ("was not validated: restarting 30-day acceptance timer"), so an
//!   expired RRSIG, clock skew or a replay resets the hold-down.
//! - `keyfetch_done`, secure, a pending key missing: it stays pending and its
//!   timer restarts ("unexpectedly missing"), it does not return to Start; a
//!   trusted key missing makes the next refresh one hour away.
//! - `set_refreshkeytimer`: the next refresh is no later than a running
//!   acceptance or removal timer, so BIND refreshes when the hold-down ends.
//! - `refresh_time`: query MAX(H, MIN(15 D, TTL/2, expiry/2)), the expiry
//!   ignored once past; `minimal_update` (no answer) uses the retry form without
//!   an RRSIG: the hour H. An answer that did not validate is followed by the
//!   normal refresh, not a retry.
//! - `revocable`: a revocation needs the revoked key's own signature;
//!   `dns_view_untrust` + `fail_secure` leave a null key: no anchor left fails
//!   closed, it never goes insecure.
//! - A revoked key whose removal timer passed is deleted (forgotten), and a
//!   revoked key published again unrevoked is re-added with a new 30-day timer
//!   ("Revoked key ... has returned").
//! - bin/named/server.c `configure_view`: a managed-keys-directory that is not
//!   writable is refused (ISC_R_NOPERM) and named does not start.
//! - `-T mkeytimers=H/D/M` (bin/named/main.c) sets the hour, day and month.

use super::{rfc_base, NoAnchorLeft, Params, Profile, UnwritableState};

pub fn params() -> Params {
    Params {
        bootstrap_all_sep: true,
        ttl_extends_holddown: false,
        unvalidated_resets_pending: true,
        missing_pending_stays: true,
        refresh_at_holddown_end: true,
        bind_retry: true,
        no_anchor_left: NoAnchorLeft::FailClosed,
        keep_removed: 0,
        readd_unrevoked: true,
        unwritable_state: UnwritableState::RefuseStart,
        ..rfc_base(Profile::Bind)
    }
}
