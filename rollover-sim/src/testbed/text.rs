//! The human report of a test-bed run.

use super::compare::{Sample, Verdict};
use super::session::{Report, ResolverResult};
use crate::clock::format_instant;
use std::collections::BTreeMap;
use std::fmt::Write as _;

fn states(m: &BTreeMap<String, crate::state::KeyState>) -> String {
    m.iter()
        .map(|(k, s)| format!("{k}={}", s.name()))
        .collect::<Vec<_>>()
        .join(" ")
}

fn checkpoint_line(out: &mut String, s: &Sample) {
    let mark = if s.observed == s.predicted { " " } else { "!" };
    let _ = writeln!(
        out,
        "  {mark} {}  observed {:<34} model {:<34} {:?}",
        format_instant(s.at),
        states(&s.observed),
        states(&s.predicted),
        s.validation
    );
}

fn resolver(out: &mut String, r: &ResolverResult) {
    let _ = writeln!(
        out,
        "\nresolver {} on {} (add hold-down {} s, remove hold-down {} s)",
        r.resolver, r.address, r.knobs.add_holddown, r.knobs.del_holddown
    );
    let _ = writeln!(
        out,
        "  checkpoints (before each publisher step, and at the end):"
    );
    for s in r.samples.iter().filter(|s| s.checkpoint) {
        checkpoint_line(out, s);
    }
    for (key, obs, model) in transitions(r) {
        let _ = writeln!(out, "  {key}: observed {obs}");
        let _ = writeln!(out, "  {:w$}  model    {model}", "", w = key.len());
    }
    for n in &r.notes {
        let _ = writeln!(out, "  {}  {}", format_instant(n.at), n.what);
    }
    let errors = r.samples.iter().filter(|s| s.error.is_some()).count();
    if let Some(e) = r.samples.iter().find_map(|s| s.error.as_ref()) {
        let _ = writeln!(out, "  state unreadable in {errors} sample(s), first: {e}");
    }
    let _ = writeln!(
        out,
        "  queries: {} ({} DNSKEY); key-tag signals: {}",
        r.queries,
        r.dnskey_queries,
        signal_summary(r)
    );
    let _ = match &r.verdict {
        Verdict::Follows => writeln!(out, "  verdict: {}", r.verdict.word()),
        Verdict::Deviates {
            at,
            resolver,
            model,
        } => writeln!(
            out,
            "  verdict: {} at {at}: the resolver had {resolver}, the model {model}",
            r.verdict.word()
        ),
        Verdict::Broke { at, what } => {
            writeln!(out, "  verdict: {} at {at}: {what}", r.verdict.word())
        }
    };
}

/// Per key: the state changes seen between samples, and the model's.
fn transitions(r: &ResolverResult) -> Vec<(String, String, String)> {
    let keys: Vec<&String> = r
        .samples
        .first()
        .map(|s| s.observed.keys().collect())
        .unwrap_or_default();
    keys.into_iter()
        .map(|k| {
            let mut obs = vec![];
            for w in r.samples.windows(2) {
                let (a, b) = (w[0].observed.get(k), w[1].observed.get(k));
                if let (Some(a), Some(b)) = (a, b) {
                    if a != b {
                        obs.push(format!(
                            "{}->{} {}",
                            a.name(),
                            b.name(),
                            format_instant(w[1].at)
                        ));
                    }
                }
            }
            let model: Vec<String> = r
                .predicted_changes
                .iter()
                .filter(|c| &c.key == k)
                .map(|c| {
                    format!(
                        "{}->{} {}",
                        c.from.name(),
                        c.to.name(),
                        format_instant(c.at)
                    )
                })
                .collect();
            let show = |v: Vec<String>| {
                if v.is_empty() {
                    "no change".to_string()
                } else {
                    v.join(", ")
                }
            };
            (k.clone(), show(obs), show(model))
        })
        .collect()
}

fn signal_summary(r: &ResolverResult) -> String {
    let mut sets: Vec<Vec<u16>> = Vec::new();
    for (_, tags) in &r.signals {
        if !sets.contains(tags) {
            sets.push(tags.clone());
        }
    }
    if sets.is_empty() {
        return "none".into();
    }
    let shown: Vec<String> = sets
        .iter()
        .map(|t| {
            t.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect();
    format!("{} ({})", r.signals.len(), shown.join(", "))
}

pub fn report(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "test bed {}: zone {}, {} .. {}, clock x{} ({:.0} s wall)",
        r.scenario,
        r.zone,
        format_instant(r.start),
        format_instant(r.end),
        r.speedup,
        r.wall_seconds
    );
    let keys: Vec<String> = r
        .keys
        .iter()
        .map(|k| {
            format!(
                "{} (alg {}, tag {}, revoked {})",
                k.name, k.algorithm, k.tag, k.revoked_tag
            )
        })
        .collect();
    let _ = writeln!(out, "keys made for this run: {}", keys.join("; "));
    for (at, action, key) in &r.publisher {
        let _ = writeln!(out, "  {at}  {action:<7}  {key}");
    }
    for res in &r.resolvers {
        resolver(&mut out, res);
    }
    let bad: Vec<&str> = r
        .resolvers
        .iter()
        .filter(|x| !x.verdict.ok())
        .map(|x| x.resolver)
        .collect();
    let _ = if bad.is_empty() {
        writeln!(out, "\nresult: ok: every resolver follows the model")
    } else {
        writeln!(out, "\nresult: FAILED: {}", bad.join(", "))
    };
    out
}
