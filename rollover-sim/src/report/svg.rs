//! An SVG chart of a population forecast, sized and labelled for a report.
//! Top panel: share of started resolvers trusting each key, and of running
//! resolvers sending each RFC 8145 key-tag signal. Bottom panel, on its own
//! scale because it is usually small: share of running resolvers failing
//! validation. The publisher's steps are numbered vertical markers, listed on
//! the right.

use crate::clock::{format_date, Instant};
use crate::population::PopulationReport;
use std::fmt::Write;

const W: f64 = 1000.0;
const H: f64 = 650.0;
const L: f64 = 70.0;
const R: f64 = 290.0;
const TOP_A: f64 = 84.0;
const BOT_A: f64 = 350.0;
const TOP_B: f64 = 410.0;
const BOT_B: f64 = 590.0;
const COLORS: [&str; 8] = [
    "#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#17becf", "#bcbd22", "#7f7f7f", "#e377c2",
];
const FAIL: &str = "#d62728";

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A round upper bound for the failing panel: 1, 2 or 5 x 10^n, at least 1 %.
fn nice_max(v: f64) -> f64 {
    let mut m = 0.01;
    while m < v {
        for f in [2.0, 2.5, 2.0] {
            m *= f;
            if m >= v {
                break;
            }
        }
    }
    m.min(1.0)
}

fn share(num: &[i64], den: &[i64]) -> Vec<f64> {
    num.iter()
        .zip(den)
        .map(|(n, d)| if *d > 0 { *n as f64 / *d as f64 } else { 0.0 })
        .collect()
}

pub fn population(rep: &PopulationReport, title: &str) -> String {
    let (t0, t1) = (
        rep.times.first().copied().unwrap_or(0),
        rep.times.last().copied().unwrap_or(1),
    );
    let span = (t1 - t0).max(1) as f64;
    let x = |t: Instant| L + (t - t0) as f64 / span * (W - L - R);
    let ya = |v: f64| TOP_A + (1.0 - v) * (BOT_A - TOP_A);
    let failing = share(&rep.failing, &rep.up);
    let fmax = nice_max(failing.iter().copied().fold(0.0, f64::max));
    let yb = |v: f64| TOP_B + (1.0 - v / fmax) * (BOT_B - TOP_B);
    let right = W - R;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="Helvetica, Arial, sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="{W}" height="{H}" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{L}" y="24" font-size="17" font-weight="bold">{}</text>"#,
        esc(title)
    );
    let _ = writeln!(
        s,
        r##"<text x="{L}" y="44" fill="#555">{} simulated resolvers (seed {}), {} to {}</text>"##,
        rep.resolvers,
        rep.seed,
        format_date(t0),
        format_date(t1)
    );
    // Panel frames, grids and y labels.
    for p in (0..=100).step_by(20) {
        let yy = ya(p as f64 / 100.0);
        let _ = writeln!(
            s,
            r##"<line x1="{L}" y1="{yy:.1}" x2="{right:.1}" y2="{yy:.1}" stroke="#e3e3e3"/>"##
        );
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{p}%</text>"#,
            L - 6.0,
            yy + 4.0
        );
    }
    for i in 0..=4 {
        let v = fmax * i as f64 / 4.0;
        let yy = yb(v);
        let _ = writeln!(
            s,
            r##"<line x1="{L}" y1="{yy:.1}" x2="{right:.1}" y2="{yy:.1}" stroke="#e3e3e3"/>"##
        );
        let label = if fmax < 0.1 {
            format!("{:.2}%", v * 100.0)
        } else {
            format!("{:.0}%", v * 100.0)
        };
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{label}</text>"#,
            L - 6.0,
            yy + 4.0
        );
    }
    let _ = writeln!(
        s,
        r##"<text x="{L}" y="{:.1}" font-weight="bold" fill="#333">Trust anchors held and RFC 8145 signals sent</text>"##,
        TOP_A - 8.0
    );
    let _ = writeln!(
        s,
        r##"<text x="{L}" y="{:.1}" font-weight="bold" fill="{FAIL}">Running resolvers failing validation (own scale)</text>"##,
        TOP_B - 8.0
    );
    for (top, bot) in [(TOP_A, BOT_A), (TOP_B, BOT_B)] {
        let _ = writeln!(
            s,
            r##"<rect x="{L}" y="{top}" width="{:.1}" height="{:.1}" fill="none" stroke="#333"/>"##,
            right - L,
            bot - top
        );
    }
    // Month ticks, labelled every third month.
    let mut last = String::new();
    let mut n = 0;
    for t in &rep.times {
        let d = format_date(*t);
        let ym = d[..7].to_string();
        if ym != last && d.ends_with("-01") {
            let xx = x(*t);
            for bot in [BOT_A, BOT_B] {
                let _ = writeln!(
                    s,
                    r##"<line x1="{xx:.1}" y1="{bot}" x2="{xx:.1}" y2="{:.1}" stroke="#333"/>"##,
                    bot + 5.0
                );
            }
            if n % 3 == 0 {
                let _ = writeln!(
                    s,
                    r#"<text x="{xx:.1}" y="{:.1}" text-anchor="middle">{ym}</text>"#,
                    BOT_B + 19.0
                );
            }
            n += 1;
        }
        last = ym;
    }
    // Publisher steps: numbered markers through both panels.
    for (i, e) in rep.at_events.iter().enumerate() {
        let xx = x(e.at);
        for (top, bot) in [(TOP_A, BOT_A), (TOP_B, BOT_B)] {
            let _ = writeln!(
                s,
                r##"<line x1="{xx:.1}" y1="{top}" x2="{xx:.1}" y2="{bot}" stroke="#888" stroke-dasharray="4,3"/>"##
            );
        }
        let _ = writeln!(
            s,
            r##"<circle cx="{xx:.1}" cy="{:.1}" r="8" fill="white" stroke="#555"/><text x="{xx:.1}" y="{:.1}" text-anchor="middle" font-size="10">{}</text>"##,
            BOT_A + 30.0,
            BOT_A + 33.5,
            i + 1
        );
    }
    let path = |vals: &[f64], y: &dyn Fn(f64) -> f64| {
        let mut d = String::new();
        for (i, (t, v)) in rep.times.iter().zip(vals).enumerate() {
            let _ = write!(
                d,
                "{}{:.1},{:.1}",
                if i == 0 { "M" } else { " L" },
                x(*t),
                y(*v)
            );
        }
        d
    };
    let mut legend: Vec<(String, String, &str)> = Vec::new();
    for (k, counts) in rep.trusting.iter().enumerate() {
        let c = COLORS[k % COLORS.len()];
        let _ = writeln!(
            s,
            r#"<path d="{}" fill="none" stroke="{c}" stroke-width="2.5"/>"#,
            path(&share(counts, &rep.existing), &ya)
        );
        legend.push((format!("trusting {}", rep.keys[k]), c.to_string(), ""));
    }
    for (i, sig) in rep.signals.iter().enumerate() {
        let c = COLORS[(i + rep.trusting.len()) % COLORS.len()];
        let _ = writeln!(
            s,
            r#"<path d="{}" fill="none" stroke="{c}" stroke-width="1.5" stroke-dasharray="6,3"/>"#,
            path(&share(&sig.counts, &rep.up), &ya)
        );
        legend.push((format!("signal {}", sig.label), c.to_string(), "6,3"));
    }
    let _ = writeln!(
        s,
        r#"<path d="{}" fill="none" stroke="{FAIL}" stroke-width="2"/>"#,
        path(&failing, &yb)
    );
    legend.push(("failing validation".into(), FAIL.into(), ""));
    let lx = right + 18.0;
    let mut ly = TOP_A + 6.0;
    for (label, c, dash) in &legend {
        let _ = writeln!(
            s,
            r#"<line x1="{lx}" y1="{ly}" x2="{:.1}" y2="{ly}" stroke="{c}" stroke-width="2.5" stroke-dasharray="{dash}"/>"#,
            lx + 24.0
        );
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" font-size="11">{}</text>"#,
            lx + 30.0,
            ly + 4.0,
            esc(label)
        );
        ly += 19.0;
    }
    ly += 14.0;
    let _ = writeln!(
        s,
        r#"<text x="{lx}" y="{ly:.1}" font-weight="bold" font-size="11">Publisher steps</text>"#
    );
    for (i, e) in rep.at_events.iter().enumerate() {
        ly += 17.0;
        let _ = writeln!(
            s,
            r#"<text x="{lx}" y="{ly:.1}" font-size="11">{}. {}: {}</text>"#,
            i + 1,
            format_date(e.at),
            esc(&e.step)
        );
        ly += 14.0;
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{ly:.1}" font-size="10" fill="#555">failing {:.2}% after, peak {:.2}%</text>"##,
            lx + 14.0,
            100.0 * e.failing_share,
            100.0 * e.peak_share
        );
    }
    s.push_str("</svg>\n");
    s
}

/// The check before the file is renamed into place: well-formed enough to open.
pub fn verify(bytes: &[u8]) -> Result<(), String> {
    let text = std::str::from_utf8(bytes).map_err(|e| e.to_string())?;
    if !text.starts_with("<svg") || !text.trim_end().ends_with("</svg>") {
        return Err("not an SVG document".into());
    }
    if text.contains("NaN")
        || [",inf", "Minf", "Linf", "-inf"]
            .iter()
            .any(|p| text.contains(p))
    {
        return Err("the chart has non-finite coordinates".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_bounds() {
        assert_eq!(nice_max(0.0), 0.01);
        assert!((nice_max(0.013) - 0.02).abs() < 1e-12);
        assert!((nice_max(0.03) - 0.05).abs() < 1e-12);
        assert!((nice_max(0.07) - 0.1).abs() < 1e-12);
        assert_eq!(nice_max(0.9), 1.0);
    }

    #[test]
    fn verify_rejects_broken_output() {
        assert!(verify(b"<svg></svg>").is_ok());
        assert!(verify(b"<svg><path d=\"MNaN,1\"/></svg>").is_err());
        assert!(verify(b"<html>").is_err());
    }
}
