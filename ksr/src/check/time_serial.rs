//! KSR-TIME-SERIAL: every time that becomes an RRSIG time field can be read back
//! unambiguously. RRSIG inception and expiration are 32-bit serial numbers of
//! Unix seconds (RFC 4034 3.1.5, RFC 1982): a validator reads a field as the
//! time closest to its own clock, so a time more than 2^31 - 1 seconds (about
//! 68 years) from `--at` wraps. A KSR dated 2163 would otherwise yield
//! signatures that read as valid in 2026.

use super::{slot_label, CheckResult, Context};
use crate::dnssec;
use crate::model::{Document, Time};
use crate::timefmt;

pub const SERIAL: &str = "KSR-TIME-SERIAL";

/// Offending times listed in full; the rest are counted.
const LISTED: usize = 4;

/// Checks every bundle's and every signature's inception and expiration.
pub fn serial(doc: &Document, ctx: &Context) -> CheckResult {
    let mut bad: Vec<String> = Vec::new();
    let mut reasons: Vec<String> = Vec::new();
    let mut count = 0;
    // What each time is, written out only for one that fails.
    let mut check = |t: Time, what: &dyn Fn() -> String| {
        count += 1;
        if let Err(e) = dnssec::serial_time(t, ctx.at) {
            bad.push(format!("{} {}", what(), timefmt::format_human(t)));
            if !reasons.contains(&e) {
                reasons.push(e);
            }
        }
    };
    for (i, b) in doc.bundles.iter().enumerate() {
        let slot = || slot_label(i, b);
        check(b.inception, &|| format!("{} inception", slot()));
        check(b.expiration, &|| format!("{} expiration", slot()));
        for s in &b.signatures {
            let by = || format!("{} signature by tag {}", slot(), s.key_tag);
            check(s.inception, &|| format!("{} inception", by()));
            check(s.expiration, &|| format!("{} expiration", by()));
        }
    }
    let at = timefmt::format_human(ctx.at);
    if bad.is_empty() {
        return CheckResult::pass(
            SERIAL,
            format!("{count} times fit RRSIG serial arithmetic relative to {at}"),
        );
    }
    let more = match bad.len().saturating_sub(LISTED) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    bad.truncate(LISTED);
    CheckResult::fail(
        SERIAL,
        format!(
            "{}{more} cannot be RRSIG times checked at {at}: {}; refuse this document \
             (or check it with --at near its own dates)",
            bad.join(", "),
            reasons.join("; ")
        ),
    )
}
