//! A check report as the officer reads it: one line per check, outcome first.

use ksr::check::{Outcome, Report};

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for r in &report.results {
        let mark = match r.outcome {
            Outcome::Pass => "PASS",
            Outcome::Fail => "FAIL",
            Outcome::Skip => "SKIP",
        };
        out.push_str(&format!("{mark} {:<28} {}\n", r.name, r.detail));
    }
    out
}

/// The names of the failed checks, for a one-line error.
pub fn failed_names(report: &Report) -> String {
    let names: Vec<&str> = report
        .results
        .iter()
        .filter(|r| r.outcome == Outcome::Fail)
        .map(|r| r.name)
        .collect();
    names.join(", ")
}
