//! BIND 9.18 (`trust-anchors { . initial-key ... }`, managed-keys.bind).
//! Deviations from RFC 5011, with sources:
//! - On the first fetch after it initialises from an `initial-key` (first start,
//!   or a start with lost state), BIND trusts every SEP key in the RRset that the
//!   configured key validates, with no hold-down (BIND ARM, "trust-anchors";
//!   DOMAIN.md section 5 table: "Trusts every SEP key on first fetch").
//! - Timers come from `named -T mkeytimers=H[/D[/M]]` (bin/named/main.c): H is
//!   the refresh floor (default 1 hour), D the retry cap (1 day; queries are
//!   capped at 15 D), M the hold-down (30 days). refresh_time() in lib/dns/zone.c
//!   is otherwise the RFC formula. Settable here as the `mkeytimers` knob.

use super::{rfc_base, Params, Profile};

pub fn params() -> Params {
    Params {
        bootstrap_all_sep: true,
        ..rfc_base(Profile::Bind)
    }
}
