//! An SVG chart of a population forecast, sized and labelled for a report:
//! share of resolvers trusting each key, share sending each RFC 8145 signal,
//! share failing validation, and the publisher's steps as vertical markers.

use crate::clock::{format_date, Instant};
use crate::population::PopulationReport;
use std::fmt::Write;

const W: f64 = 960.0;
const H: f64 = 540.0;
const L: f64 = 70.0;
const R: f64 = 220.0;
const T: f64 = 60.0;
const B: f64 = 70.0;
const COLORS: [&str; 8] = ["#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#17becf", "#bcbd22", "#7f7f7f", "#e377c2"];
const FAIL: &str = "#d62728";

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

pub fn population(rep: &PopulationReport, title: &str) -> String {
    let (t0, t1) = (rep.times.first().copied().unwrap_or(0), rep.times.last().copied().unwrap_or(1));
    let span = (t1 - t0).max(1) as f64;
    let x = |t: Instant| L + (t - t0) as f64 / span * (W - L - R);
    let y = |share: f64| T + (1.0 - share) * (H - T - B);
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="Helvetica, Arial, sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="{W}" height="{H}" fill="white"/>"#);
    let _ = writeln!(s, r#"<text x="{L}" y="24" font-size="16" font-weight="bold">{}</text>"#, esc(title));
    let _ = writeln!(
        s,
        r##"<text x="{L}" y="42" fill="#555">{} resolvers, seed {}; share of started resolvers trusting each key, of running resolvers failing or signalling</text>"##,
        rep.resolvers, rep.seed
    );
    // Grid and y axis.
    for p in (0..=100).step_by(20) {
        let yy = y(p as f64 / 100.0);
        let _ = writeln!(s, r##"<line x1="{L}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="#ddd"/>"##, W - R);
        let _ = writeln!(s, r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{p}%</text>"#, L - 6.0, yy + 4.0);
    }
    // Month ticks on the x axis, labelled every third month.
    let mut months: Vec<(Instant, String)> = Vec::new();
    let mut last = String::new();
    for t in &rep.times {
        let d = format_date(*t);
        let ym = d[..7].to_string();
        if ym != last && d.ends_with("-01") {
            months.push((*t, ym.clone()));
        }
        last = ym;
    }
    for (i, (t, ym)) in months.iter().enumerate() {
        let xx = x(*t);
        let _ = writeln!(s, r##"<line x1="{xx:.1}" y1="{:.1}" x2="{xx:.1}" y2="{:.1}" stroke="#999"/>"##, H - B, H - B + 5.0);
        if i % 3 == 0 {
            let _ = writeln!(s, r#"<text x="{xx:.1}" y="{:.1}" text-anchor="middle">{ym}</text>"#, H - B + 18.0);
        }
    }
    let _ = writeln!(s, r##"<line x1="{L}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#333"/>"##, H - B, W - R, H - B);
    let _ = writeln!(s, r##"<line x1="{L}" y1="{T}" x2="{L}" y2="{:.1}" stroke="#333"/>"##, H - B);
    // Publisher steps.
    for (i, e) in rep.at_events.iter().enumerate() {
        let xx = x(e.at);
        let _ = writeln!(s, r##"<line x1="{xx:.1}" y1="{T}" x2="{xx:.1}" y2="{:.1}" stroke="#aaa" stroke-dasharray="3,3"/>"##, H - B);
        let ly = H - B + 34.0 + (i % 2) as f64 * 14.0;
        let _ = writeln!(
            s,
            r##"<text x="{xx:.1}" y="{ly:.1}" text-anchor="middle" font-size="10" fill="#444">{}: {}</text>"##,
            format_date(e.at),
            esc(&e.step)
        );
    }
    let path = |vals: &[f64]| {
        let mut d = String::new();
        for (i, (t, v)) in rep.times.iter().zip(vals).enumerate() {
            let _ = write!(d, "{}{:.1},{:.1}", if i == 0 { "M" } else { " L" }, x(*t), y(*v));
        }
        d
    };
    let share = |num: &[i64], den: &[i64]| -> Vec<f64> {
        num.iter().zip(den).map(|(n, d)| if *d > 0 { *n as f64 / *d as f64 } else { 0.0 }).collect()
    };
    let mut legend: Vec<(String, String, &str)> = Vec::new();
    for (k, counts) in rep.trusting.iter().enumerate() {
        let c = COLORS[k % COLORS.len()];
        let _ = writeln!(s, r#"<path d="{}" fill="none" stroke="{c}" stroke-width="2.5"/>"#, path(&share(counts, &rep.existing)));
        legend.push((format!("trusting {}", rep.keys[k]), c.to_string(), ""));
    }
    for (i, sig) in rep.signals.iter().enumerate() {
        let c = COLORS[(i + rep.trusting.len()) % COLORS.len()];
        let _ = writeln!(
            s,
            r#"<path d="{}" fill="none" stroke="{c}" stroke-width="1.5" stroke-dasharray="6,3"/>"#,
            path(&share(&sig.counts, &rep.up))
        );
        legend.push((format!("signal {}", sig.label), c.to_string(), "6,3"));
    }
    let _ = writeln!(s, r#"<path d="{}" fill="none" stroke="{FAIL}" stroke-width="2.5"/>"#, path(&share(&rep.failing, &rep.up)));
    legend.push(("failing validation".into(), FAIL.into(), ""));
    for (i, (label, c, dash)) in legend.iter().enumerate() {
        let ly = T + 10.0 + i as f64 * 20.0;
        let lx = W - R + 15.0;
        let _ = writeln!(
            s,
            r#"<line x1="{lx}" y1="{ly}" x2="{:.1}" y2="{ly}" stroke="{c}" stroke-width="2.5" stroke-dasharray="{dash}"/>"#,
            lx + 24.0
        );
        let _ = writeln!(s, r#"<text x="{:.1}" y="{:.1}" font-size="11">{}</text>"#, lx + 30.0, ly + 4.0, esc(label));
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
    if text.contains("NaN") || [",inf", "Minf", "Linf", "-inf"].iter().any(|p| text.contains(p)) {
        return Err("the chart has non-finite coordinates".into());
    }
    Ok(())
}
