//! `--html`: a self-contained page, one SVG per resolver with a band per key
//! (observed above, model below) coloured by RFC 5011 state over scenario
//! time, publisher steps as vertical lines and validation as a strip.

use super::compare::Validation;
use super::session::{Report, ResolverResult};
use crate::clock::format_instant;
use crate::state::KeyState;
use std::fmt::Write as _;

const W: f64 = 900.0;
const LEFT: f64 = 150.0;

fn colour(s: KeyState) -> &'static str {
    match s {
        KeyState::Start => "#eeeeee",
        KeyState::AddPend => "#f5c242",
        KeyState::Valid => "#3aa757",
        KeyState::Missing => "#8fb3d9",
        KeyState::Revoked => "#d9534f",
        KeyState::Removed => "#777777",
    }
}

fn svg(rep: &Report, r: &ResolverResult) -> String {
    let span = (rep.end - rep.start).max(1) as f64;
    let x = |t: i64| LEFT + (t - rep.start) as f64 / span * (W - LEFT - 10.0);
    let rows = rep.keys.len() * 2 + 1;
    let h = 30.0 + rows as f64 * 22.0 + 20.0;
    let mut s =
        format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{h}\">\n");
    let mut row = 0usize;
    let band = |s: &mut String, row: usize, label: &str, pts: Vec<(i64, &'static str, String)>| {
        let y = 30.0 + row as f64 * 22.0;
        let _ = writeln!(
            s,
            "<text x=\"4\" y=\"{}\" font-size=\"12\">{}</text>",
            y + 14.0,
            ksr::escape::markup(label)
        );
        // One rectangle per run of samples in the same state.
        let mut pts = pts;
        pts.dedup_by(|next, first| next.1 == first.1);
        for (i, (t, c, title)) in pts.iter().enumerate() {
            let t2 = pts.get(i + 1).map_or(rep.end, |p| p.0);
            let _ = writeln!(
                s,
                "<rect x=\"{:.1}\" y=\"{y}\" width=\"{:.1}\" height=\"18\" fill=\"{c}\"><title>{}</title></rect>",
                x(*t),
                (x(t2) - x(*t)).max(0.5),
                ksr::escape::markup(title)
            );
        }
    };
    for k in &rep.keys {
        for (which, observed) in [("observed", true), ("model", false)] {
            let pts = r
                .samples
                .iter()
                .map(|smp| {
                    let m = if observed {
                        &smp.observed
                    } else {
                        &smp.predicted
                    };
                    let st = m.get(&k.name).copied().unwrap_or_default();
                    (
                        smp.at,
                        colour(st),
                        format!("{} {}: {}", format_instant(smp.at), k.name, st.name()),
                    )
                })
                .collect();
            band(&mut s, row, &format!("{} {which}", k.name), pts);
            row += 1;
        }
    }
    let pts = r
        .samples
        .iter()
        .map(|smp| {
            let c = match smp.validation {
                Validation::Validating => "#3aa757",
                Validation::Insecure => "#f5c242",
                _ => "#d9534f",
            };
            (
                smp.at,
                c,
                format!("{} {:?}", format_instant(smp.at), smp.validation),
            )
        })
        .collect();
    band(&mut s, row, "validation", pts);
    for (at, action, key) in &rep.publisher {
        if let Ok(t) = crate::clock::parse_instant(at) {
            let _ = writeln!(
                s,
                "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"20\" y2=\"{1}\" stroke=\"#000\" stroke-dasharray=\"3,3\"><title>{2}</title></line>",
                x(t),
                h - 20.0,
                ksr::escape::markup(&format!("{at} {action} {key}"))
            );
        }
    }
    s.push_str("</svg>\n");
    s
}

pub fn page(rep: &Report) -> String {
    let mut p = String::from("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>rollover-sim test bed</title></head><body style=\"font-family:sans-serif\">\n");
    let _ = writeln!(
        p,
        "<h1>Test bed: {}</h1>",
        ksr::escape::markup(&rep.scenario)
    );
    let _ = writeln!(
        p,
        "<p>zone {}, {} .. {}, clock x{}. Colours: AddPend yellow, Valid green, Missing blue, Revoked red, Removed grey, Start light grey.</p>",
        ksr::escape::markup(&rep.zone),
        format_instant(rep.start),
        format_instant(rep.end),
        rep.speedup
    );
    for r in &rep.resolvers {
        let _ = writeln!(p, "<h2>{} &mdash; {}</h2>", r.resolver, r.verdict.word());
        let _ = writeln!(
            p,
            "<pre>{}</pre>",
            ksr::escape::markup(&serde_json::to_string(&r.verdict).unwrap_or_default())
        );
        p.push_str(&svg(rep, r));
    }
    p.push_str("</body></html>\n");
    p
}

/// The atomic writer's check: a complete page.
pub fn verify(bytes: &[u8]) -> Result<(), String> {
    let s = std::str::from_utf8(bytes).map_err(|e| e.to_string())?;
    if s.starts_with("<!DOCTYPE html>") && s.trim_end().ends_with("</html>") {
        Ok(())
    } else {
        Err("not a complete HTML page".into())
    }
}
