//! Times and durations as users and files write them.
//!
//! STUB: signatures fixed, bodies to be written (owner: ksr-format work).

use crate::model::{Seconds, Time};

/// `--at` values: RFC 3339 (`2017-03-20T12:00:00Z`) or a bare date (`2017-03-20`, midnight UTC).
pub fn parse_at(s: &str) -> Result<Time, String> {
    let _ = s;
    todo!()
}

/// xsd:duration as used in policy blocks and policy files (`P21D`, `PT0S`, `P1DT2H`).
/// Years and months are refused (their length is not fixed).
pub fn parse_duration(s: &str) -> Result<Seconds, String> {
    let _ = s;
    todo!()
}

/// Canonical xsd:duration: `PnD` when whole days, else `PnDTnHnMnS` with zero parts left out; `PT0S` for zero.
pub fn format_duration(seconds: Seconds) -> String {
    let _ = seconds;
    todo!()
}

/// `YYYY-MM-DDTHH:MM:SS+00:00`, the SKR style.
pub fn format_time(t: Time) -> String {
    let _ = t;
    todo!()
}
