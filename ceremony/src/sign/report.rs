//! A check report as the officer reads it: ksr's one renderer, so `sign-ksr`
//! and `ksr verify` lay reports out the same way.

use ksr::check::Report;

/// One line per check, `PASS|FAIL|SKIP NAME detail`.
pub fn render(report: &Report) -> String {
    ksr::render::text(report)
}

/// The names of the failed checks, for a one-line error.
pub fn failed_names(report: &Report) -> String {
    ksr::render::failed_names(report)
}
