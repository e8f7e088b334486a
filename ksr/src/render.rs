//! The one way a check report is shown: text lines `PASS|FAIL|SKIP NAME detail`
//! (details come from input files, so they pass through
//! [`crate::escape::terminal`]) or JSON. `ksr verify`, `ksr export` and
//! ceremony's `sign-ksr` all render through here.

use crate::check::{Outcome, Report};
use crate::escape::terminal;
use crate::timefmt::format_human;
use crate::verify::{kind_name, Verification};

/// One line per check: `PASS KSR-DOMAIN domain "." is accepted`.
pub fn lines(report: &Report) -> Vec<String> {
    report
        .results
        .iter()
        .map(|r| format!("{} {} {}", r.outcome.as_str(), r.name, terminal(&r.detail)))
        .collect()
}

/// [`lines`], each ended by a newline.
pub fn text(report: &Report) -> String {
    let mut out = String::new();
    for line in lines(report) {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// `3 passed, 1 failed, 2 skipped`.
pub fn tally(report: &Report) -> String {
    let count = |o: Outcome| report.results.iter().filter(|r| r.outcome == o).count();
    format!(
        "{} passed, {} failed, {} skipped",
        count(Outcome::Pass),
        count(Outcome::Fail),
        count(Outcome::Skip)
    )
}

/// The names of the failed checks, comma-separated, for a one-line error.
pub fn failed_names(report: &Report) -> String {
    report.failures().join(", ")
}

/// A report as JSON: whether anything failed, and every result (name,
/// outcome, detail), for callers with a report of their own (ceremony).
pub fn report_json(report: &Report) -> serde_json::Value {
    serde_json::json!({
        "failed": report.failed(),
        "results": report.results,
    })
}

/// A verification as JSON: file, kind, format, time, whether anything failed,
/// and every result (name, outcome, detail). Ends with a newline.
pub fn json(v: &Verification) -> String {
    let out = serde_json::json!({
        "file": v.file.display().to_string(),
        "kind": kind_name(v.doc.kind),
        "format": v.format,
        "at": format_human(v.at),
        "failed": v.report.failed(),
        "results": v.report.results,
    });
    let mut s = serde_json::to_string_pretty(&out).expect("a JSON value serializes");
    s.push('\n');
    s
}
