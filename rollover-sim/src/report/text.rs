//! Plain-text reports for the terminal.

use crate::clock::{format_date, format_duration, format_instant};
use crate::plan::PlanReport;
use crate::population::PopulationReport;
use crate::run::{KeyChange, RunReport};
use crate::scenario::Scenario;
use crate::trust_point::Fetch;
use ksr::escape::terminal as esc;
use std::fmt::Write;

fn header(sc: &Scenario, out: &mut String) {
    let _ = writeln!(
        out,
        "scenario {}: zone {}, {} .. {} (DNSKEY TTL {}, RRSIG validity {})",
        esc(&sc.path.display().to_string()),
        esc(&sc.zone),
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
                esc(&k.name),
                k.algorithm,
                k.tag,
                k.revoked_tag
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
            esc(&sc.keys.keys[s.key].name)
        );
    }
    for r in &rep.resolvers {
        let _ = writeln!(
            out,
            "\nresolver {} ({}, line {}): initially trusts {}{}",
            esc(&r.name),
            r.profile,
            r.line,
            esc(&r.trusted.join(", ")),
            if r.deliberately_broken {
                "; has outages or attacks"
            } else {
                ""
            }
        );
        key_changes(&r.key_changes, &mut out);
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
        for f in [
            Fetch::Expired,
            Fetch::NotYetValid,
            Fetch::NoAnchor,
            Fetch::NoAnswer,
            Fetch::Deleted,
        ] {
            let n = r.probes.iter().filter(|p| p.outcome == f).count();
            if n > 0 {
                reasons.push((f.name(), n));
            }
        }
        if !reasons.is_empty() {
            let list: Vec<String> = reasons.iter().map(|(n, c)| format!("{c} {n}")).collect();
            let _ = writeln!(out, "  failed fetches: {}", list.join(", "));
        }
        if let (Some(at), Some(why)) = (r.stopped_at, &r.stopped) {
            let _ = writeln!(out, "  STOPPED at {}: {why}", format_instant(at));
        }
        for p in &r.insecure {
            let _ = writeln!(
                out,
                "  INSECURE (not validating) from {} {}",
                format_instant(p.from),
                match p.to {
                    Some(t) => format!("to {}", format_instant(t)),
                    None => "until the end of the scenario".to_string(),
                }
            );
            let _ = writeln!(out, "    because {}", p.cause);
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
                let _ = writeln!(out, "    because {}", esc(&p.cause));
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
            esc(&names.join(", "))
        );
    }
    out
}

/// A cycle of changes seen this many times in a row is printed once and counted
/// (a weekly image reset repeats Reset/NewKey for the whole scenario).
const MIN_REPEATS: usize = 3;

fn same_change(a: &KeyChange, b: &KeyChange) -> bool {
    (&a.key, a.from, a.to, a.event) == (&b.key, b.from, b.to, b.event)
}

/// Key changes, one a line, with runs of a repeating cycle (1 or 2 changes)
/// folded into one line; `--json` keeps every change.
fn key_changes(changes: &[KeyChange], out: &mut String) {
    let line = |c: &KeyChange, out: &mut String| {
        let _ = writeln!(
            out,
            "  {}  {:<10} {} -> {} ({:?})",
            format_instant(c.at),
            esc(&c.key),
            c.from.name(),
            c.to.name(),
            c.event
        );
    };
    let mut i = 0;
    while i < changes.len() {
        // The longest run from i that repeats with period 1 or 2.
        let fold = [1, 2].into_iter().find_map(|period| {
            let mut j = i + period;
            while j < changes.len() && same_change(&changes[j], &changes[j - period]) {
                j += 1;
            }
            let cycles = (j - i) / period;
            (cycles >= MIN_REPEATS).then_some((period, cycles))
        });
        match fold {
            Some((period, cycles)) => {
                for c in &changes[i..i + period] {
                    line(c, out);
                }
                let end = i + period * cycles;
                let _ = writeln!(
                    out,
                    "  ... the same {} repeated {} more times, the last from {}",
                    if period == 1 { "change" } else { "2 changes" },
                    cycles - 1,
                    format_instant(changes[end - period].at)
                );
                i = end;
            }
            None => {
                line(&changes[i], out);
                i += 1;
            }
        }
    }
}

pub fn plan(sc: &Scenario, rep: &PlanReport) -> String {
    let mut out = String::new();
    header(sc, &mut out);
    wait_sums(rep, &mut out);
    // The earliest safe switch: the first step that leaves the RRset signed by
    // new keys only, and the date the waits give it.
    if let Some(sw) = rep
        .steps
        .iter()
        .find(|s| s.rule == crate::plan::Rule::AddWait && s.earliest.is_some())
    {
        let _ = writeln!(
            out,
            "earliest safe switch ({} {}): {} (planned {})",
            sw.step.action.name(),
            esc(&sw.key_name),
            format_instant(sw.earliest.unwrap_or(sw.step.at)),
            format_instant(sw.step.at)
        );
    }
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
            esc(&s.key_name),
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

/// The publisher waits with every term of their sums, named as the draft names
/// them, and the revision, so a reader can check the arithmetic.
fn wait_sums(rep: &PlanReport, out: &mut String) {
    let p = &rep.params;
    let d = format_duration;
    let _ = writeln!(out, "waits per {}:", rep.draft);
    let a = &rep.add_terms;
    let _ = writeln!(
        out,
        "addWaitTime {} = addHoldDownTime {} + sigExpirationTimeRemaining {} + activeRefresh {} + timingSafetyMargin {} + retrySafetyMargin {}",
        d(a.total()),
        d(a.holddown),
        d(a.sig_expiration_remaining),
        d(a.active_refresh),
        d(a.timing_safety_margin),
        d(a.retry_safety_margin)
    );
    let r = &rep.remove_terms;
    let _ = writeln!(
        out,
        "remWaitTime {} = sigExpirationTimeRemaining {} + activeRefresh {} + timingSafetyMargin {} + retrySafetyMargin {} (no hold-down term)",
        d(r.total()),
        d(r.sig_expiration_remaining),
        d(r.active_refresh),
        d(r.timing_safety_margin),
        d(r.retry_safety_margin)
    );
    let _ = writeln!(
        out,
        "  addHoldDownTime = max(add hold-down {}, DNSKEY TTL {})",
        d(p.add_holddown),
        d(p.ttl)
    );
    let _ = writeln!(
        out,
        "  sigExpirationTimeRemaining = RRSIG validity {} (worst case: an RRset signed just before the change can be replayed until it expires)",
        d(p.validity)
    );
    let _ = writeln!(
        out,
        "  activeRefresh = MAX(PT1H, MIN(P15D, TTL/2 {}, validity/2 {}))",
        d(p.ttl / 2),
        d(p.validity / 2)
    );
    let _ = writeln!(
        out,
        "  timingSafetyMargin = {}",
        if p.legacy_offset {
            "activeRefreshOffset (earlier revisions; --legacy-offset): from the hold-down's end to the next refresh"
        } else {
            "activeRefresh (MAX of activeRefreshOffset, clockskewDriftMargin, retryDriftMargin)"
        }
    );
    let _ = writeln!(
        out,
        "  retrySafetyMargin = {}",
        match p.safety_margin {
            Some(m) => format!("{} (set in the scenario)", d(m)),
            None => format!(
                "retryCountWait {} x retryTime {}; retryCountWait = log(numResolvers {}) / log(1/(1 - successRate {})), \
                 retryTime = MAX(PT1H, MIN(P1D, TTL/10 {}, validity/10 {}))",
                rep.retry_count_wait,
                d(rep.retry),
                p.resolvers,
                p.success_rate,
                d(p.ttl / 10),
                d(p.validity / 10)
            ),
        }
    );
}

fn pct(n: i64, d: i64) -> String {
    if d == 0 {
        "-".into()
    } else {
        format!("{:.2}%", 100.0 * n as f64 / d as f64)
    }
}

/// The population forecast for the terminal: classes, failing shares at each
/// publisher step, and the shares at the end.
pub fn population(sc: &Scenario, rep: &PopulationReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "population of {} resolvers, seed {}, scenario {}",
        rep.resolvers,
        rep.seed,
        esc(&sc.path.display().to_string())
    );
    for c in &rep.classes {
        let _ = writeln!(
            out,
            "  class {:<28} {:<14} {:>9} resolvers{}",
            esc(&c.name),
            c.profile,
            c.resolvers,
            if c.source.is_empty() {
                String::new()
            } else {
                format!("  [{}]", esc(&c.source))
            }
        );
    }
    let _ = writeln!(
        out,
        "at each publisher step (share of running resolvers failing validation):"
    );
    for e in &rep.at_events {
        let _ = writeln!(
            out,
            "  {}  {:<40} failing {:>8} ({:.2}%), peak before next step {:>8} ({:.2}%), insecure {:>8} ({:.2}%)",
            format_date(e.at),
            esc(&e.step),
            e.failing,
            100.0 * e.failing_share,
            e.peak_failing,
            100.0 * e.peak_share,
            e.insecure,
            100.0 * e.insecure_share
        );
    }
    for m in &rep.telemetry {
        let _ = writeln!(
            out,
            "RFC 8145 signal {} on {}: model {:.2}% of running resolvers; measured {:.0}-{:.0}% ({})",
            m.label,
            format_date(m.at),
            100.0 * m.model_share,
            100.0 * m.measured_low,
            100.0 * m.measured_high,
            m.source
        );
        for (name, share) in m.by_class.iter().filter(|(_, v)| *v > 0.0) {
            let _ = writeln!(out, "  from class {:<28} {:.2}%", esc(name), 100.0 * share);
        }
    }
    let last = rep.times.len().saturating_sub(1);
    let _ = writeln!(out, "at the end ({}):", format_date(rep.times[last]));
    for (k, name) in rep.keys.iter().enumerate() {
        let _ = writeln!(
            out,
            "  trusting {:<24} {}",
            esc(name),
            pct(rep.trusting[k][last], rep.existing[last])
        );
    }
    for s in &rep.signals {
        let _ = writeln!(
            out,
            "  signal {:<26} {}",
            s.label,
            pct(s.counts[last], rep.up[last])
        );
    }
    let _ = writeln!(
        out,
        "  failing validation               {}",
        pct(rep.failing[last], rep.up[last])
    );
    let _ = writeln!(
        out,
        "  insecure (trust point deleted)   {}",
        pct(rep.insecure[last], rep.up[last])
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{KeyEvent, KeyState};

    fn ch(day: i64, from: KeyState, to: KeyState, event: KeyEvent) -> KeyChange {
        KeyChange {
            at: day * crate::clock::DAY,
            key: "K".into(),
            from,
            to,
            event,
        }
    }

    #[test]
    fn population_summary_lists_steps_and_final_shares() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/root-2017-roll.toml");
        let sc = Scenario::load(&path).unwrap();
        let mut c = crate::population::Class {
            name: "rfc5011".into(),
            params: crate::profile::Profile::Rfc5011.params(),
            ..crate::population::default_mix().remove(0)
        };
        (c.read_only, c.image_reset, c.outage) = (0.0, 0.0, 0.0);
        let opt = crate::population::Options {
            resolvers: 100,
            seed: 1,
            threads: 1,
            step: crate::clock::DAY,
        };
        let rep = crate::population::forecast(&sc, &[c], &opt, |_| {});
        let out = population(&sc, &rep);
        assert!(out.contains("class rfc5011"), "{out}");
        assert!(
            out.contains("2018-10-11  sign KSK-2017, unsign KSK-2010")
                && out.contains("failing        0 (0.00%)"),
            "{out}"
        );
        // Healthy RFC 5011 resolvers all end on KSK-2017 alone.
        let line = |start: &str| {
            out.lines()
                .find(|l| l.trim_start().starts_with(start))
                .unwrap_or_else(|| panic!("no {start:?} in {out}"))
        };
        assert!(line("trusting KSK-2017 (20326)").ends_with(" 100.00%"));
        assert!(line("trusting KSK-2010 (19036)").ends_with(" 0.00%"));
        assert!(line("signal _ta-4f66").ends_with(" 100.00%"));
        assert!(line("failing validation").ends_with(" 0.00%"));
    }

    #[test]
    fn repeating_reset_cycles_fold_into_one_line() {
        use KeyEvent::*;
        use KeyState::*;
        let mut v = vec![ch(0, Start, AddPend, NewKey)];
        for w in 1..=10 {
            v.push(ch(7 * w, AddPend, Start, Reset));
            v.push(ch(7 * w, Start, AddPend, NewKey));
        }
        v.push(ch(80, AddPend, Valid, AddTime));
        let mut out = String::new();
        key_changes(&v, &mut out);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 5, "{out}");
        assert!(lines[0].contains("Start -> AddPend (NewKey)"));
        assert!(lines[1].contains("1970-01-08") && lines[1].contains("AddPend -> Start (Reset)"));
        // The cycle is NewKey/Reset from day 0; its tenth copy starts on day 63.
        assert!(
            lines[2].contains("the same 2 changes repeated 9 more times, the last from 1970-03-05"),
            "{out}"
        );
        assert!(lines[3].contains("1970-03-12") && lines[3].contains("(NewKey)"));
        assert!(lines[4].contains("AddPend -> Valid (AddTime)"));
        // Too few repeats to fold: printed as they are.
        let mut out = String::new();
        key_changes(&v[..5], &mut out);
        assert_eq!(out.lines().count(), 5, "{out}");
    }
}
