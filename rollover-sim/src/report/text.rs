//! Plain-text reports for the terminal.

use crate::clock::{format_date, format_duration, format_instant};
use crate::plan::PlanReport;
use crate::publisher::Timeline;
use crate::run::RunReport;
use crate::scenario::Scenario;
use crate::trust_point::Fetch;
use std::fmt::Write;

fn header(sc: &Scenario, out: &mut String) {
    let _ = writeln!(
        out,
        "scenario {}: zone {}, {} .. {} (DNSKEY TTL {}, RRSIG validity {})",
        sc.path.display(),
        sc.zone,
        format_date(sc.start),
        format_date(sc.end),
        format_duration(sc.ttl),
        format_duration(sc.validity)
    );
    let keys: Vec<String> = sc
        .keys
        .keys
        .iter()
        .map(|k| {
            format!(
                "{} (alg {}, tag {}, revoked tag {})",
                k.name, k.algorithm, k.tag, k.revoked_tag
            )
        })
        .collect();
    let _ = writeln!(out, "keys: {}", keys.join("; "));
}

pub fn run(sc: &Scenario, rep: &RunReport) -> String {
    let mut out = String::new();
    header(sc, &mut out);
    let _ = writeln!(out, "publisher:");
    for s in sc.timeline.steps() {
        let _ = writeln!(
            out,
            "  {}  {:<8} {}",
            format_instant(s.at),
            s.action.name(),
            sc.keys.keys[s.key].name
        );
    }
    for r in &rep.resolvers {
        let _ = writeln!(
            out,
            "\nresolver {} ({}, line {}): initially trusts {}{}",
            r.name,
            r.profile,
            r.line,
            r.trusted.join(", "),
            if r.deliberately_broken {
                "; has outages or attacks"
            } else {
                ""
            }
        );
        for c in &r.key_changes {
            let _ = writeln!(
                out,
                "  {}  {:<10} {} -> {} ({:?})",
                format_instant(c.at),
                c.key,
                c.from.name(),
                c.to.name(),
                c.event
            );
        }
        let failed_fetches = r.probes.iter().filter(|p| !p.outcome.ok()).count();
        let attacked = r.probes.iter().filter(|p| p.attacked).count();
        match (r.probes.first(), r.probes.last()) {
            (Some(a), Some(b)) => {
                let _ = writeln!(
                    out,
                    "  probes: {} from {} to {}; {} did not validate{}",
                    r.probes.len(),
                    format_instant(a.at),
                    format_instant(b.at),
                    failed_fetches,
                    if attacked > 0 {
                        format!(", {attacked} answered by the attacker")
                    } else {
                        String::new()
                    }
                );
            }
            _ => {
                let _ = writeln!(out, "  probes: none");
            }
        }
        let mut reasons: Vec<(&str, usize)> = Vec::new();
        for f in [Fetch::Expired, Fetch::NoAnchor, Fetch::NoAnswer] {
            let n = r.probes.iter().filter(|p| p.outcome == f).count();
            if n > 0 {
                reasons.push((f.name(), n));
            }
        }
        if !reasons.is_empty() {
            let list: Vec<String> = reasons.iter().map(|(n, c)| format!("{c} {n}")).collect();
            let _ = writeln!(out, "  failed fetches: {}", list.join(", "));
        }
        if r.failures.is_empty() {
            let _ = writeln!(out, "  validation: never failed");
        } else {
            for p in &r.failures {
                let _ = writeln!(
                    out,
                    "  VALIDATION FAILS from {} {}",
                    format_instant(p.from),
                    match p.to {
                        Some(t) =>
                            format!("to {} ({})", format_instant(t), format_duration(t - p.from)),
                        None => "until the end of the scenario".to_string(),
                    }
                );
            }
        }
    }
    let bad = rep.unexpected_failures();
    let _ = writeln!(out);
    if bad.is_empty() {
        let _ = writeln!(
            out,
            "result: ok: every resolver without an outage or attacker kept validating"
        );
    } else {
        let names: Vec<&str> = bad.iter().map(|r| r.name.as_str()).collect();
        let _ = writeln!(
            out,
            "result: FAILED: resolvers without an outage or attacker lost validation: {}",
            names.join(", ")
        );
    }
    out
}

pub fn plan(sc: &Scenario, rep: &PlanReport) -> String {
    let mut out = String::new();
    header(sc, &mut out);
    let _ = writeln!(
        out,
        "waits: add {} = hold-down {} + RRSIG validity {} + active refresh {} + offset + safety margin {}; remove {}",
        format_duration(rep.add_wait),
        format_duration(rep.params.add_holddown.max(rep.params.ttl)),
        format_duration(rep.params.validity),
        format_duration(rep.active_refresh),
        format_duration(rep.safety_margin),
        format_duration(rep.remove_wait)
    );
    let _ = writeln!(
        out,
        "{:<21} {:<8} {:<16} {:<21} {:<14} {:<21} verdict",
        "planned", "action", "key", "earliest safe", "margin", "rule"
    );
    for s in &rep.steps {
        let (earliest, margin) = match s.earliest {
            Some(e) => (format_instant(e), format_duration(s.step.at - e)),
            None => ("never as planned".to_string(), "-".to_string()),
        };
        let verdict = if s.safe {
            "ok".to_string()
        } else {
            format!(
                "UNSAFE ({})",
                s.failed
                    .iter()
                    .map(|r| r.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let _ = writeln!(
            out,
            "{:<21} {:<8} {:<16} {:<21} {:<14} {:<21} {}",
            format_instant(s.step.at),
            s.step.action.name(),
            s.key_name,
            earliest,
            margin,
            s.rule.name(),
            verdict
        );
    }
    let mut seen = Vec::new();
    for s in rep.steps.iter().filter(|s| !s.safe) {
        for r in &s.failed {
            if !seen.contains(r) {
                seen.push(*r);
                let _ = writeln!(out, "rule {}: {}", r.name(), r.explain());
            }
        }
    }
    let _ = writeln!(
        out,
        "result: {}",
        if rep.safe() { "safe" } else { "UNSAFE" }
    );
    out
}

/// The RRset timeline, for `run --verbose`-style inspection in tests.
pub fn timeline(sc: &Scenario, tl: &Timeline) -> String {
    let mut out = String::new();
    for v in &tl.versions {
        let _ = writeln!(
            out,
            "{}  {}  ({})",
            format_instant(v.from),
            Timeline::describe(&sc.keys, &v.rrset),
            v.source
        );
    }
    out
}
