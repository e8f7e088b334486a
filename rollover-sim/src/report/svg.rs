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
/// Insecure (trust point deleted): a line of its own, not part of failing.
const INSECURE: &str = "#ff7f0e";

/// Characters of 11-px text that fit the legend column (R minus its indent).
const LEGEND_CHARS: usize = 40;

/// Splits a publisher step list ("sign A, unsign B") into lines of at most
/// `width` characters, breaking after commas where possible.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for part in text.split_inclusive(", ") {
        if !cur.is_empty() && cur.len() + part.trim_end().len() > width {
            lines.push(cur.trim_end().to_string());
            cur.clear();
        }
        cur.push_str(part);
    }
    if !cur.is_empty() {
        lines.push(cur.trim_end().to_string());
    }
    lines
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
    let insecure = share(&rep.insecure, &rep.up);
    let fmax = nice_max(failing.iter().chain(&insecure).copied().fold(0.0, f64::max));
    let yb = |v: f64| TOP_B + (1.0 - v / fmax) * (BOT_B - TOP_B);
    let right = W - R;
    // The body first: the height depends on how long the legend grows.
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<text x="{L}" y="24" font-size="17" font-weight="bold">{}</text>"#,
        ksr::escape::markup(title)
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
        r##"<text x="{L}" y="{:.1}" font-weight="bold" fill="#333">Trust anchors held (% of started) and RFC 8145 signals sent (% of running)</text>"##,
        TOP_A - 8.0
    );
    let _ = writeln!(
        s,
        r##"<text x="{L}" y="{:.1}" font-weight="bold" fill="{FAIL}">Running resolvers failing validation, and insecure (own scale)</text>"##,
        TOP_B - 8.0
    );
    for (top, bot, title) in [
        (TOP_A, BOT_A, "% of resolvers"),
        (TOP_B, BOT_B, "% of running resolvers"),
    ] {
        let _ = writeln!(
            s,
            r##"<rect x="{L}" y="{top}" width="{:.1}" height="{:.1}" fill="none" stroke="#333"/>"##,
            right - L,
            bot - top
        );
        let mid = (top + bot) / 2.0;
        let _ = writeln!(
            s,
            r##"<text x="16" y="{mid:.1}" transform="rotate(-90 16 {mid:.1})" text-anchor="middle" fill="#333">{title}</text>"##
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
    // Publisher steps: numbered markers through both panels; a marker too close
    // to the previous one drops a row so the numbers stay readable.
    let mut prev_marker: Option<(f64, f64)> = None;
    for (i, e) in rep.at_events.iter().enumerate() {
        let xx = x(e.at);
        let row = match prev_marker {
            Some((px, prow)) if xx - px < 18.0 => 1.0 - prow,
            _ => 0.0,
        };
        prev_marker = Some((xx, row));
        let cy = BOT_A + 30.0 - 14.0 * row;
        for (top, bot) in [(TOP_A, BOT_A), (TOP_B, BOT_B)] {
            let _ = writeln!(
                s,
                r##"<line x1="{xx:.1}" y1="{top}" x2="{xx:.1}" y2="{bot}" stroke="#888" stroke-dasharray="4,3"/>"##
            );
        }
        let _ = writeln!(
            s,
            r##"<circle cx="{xx:.1}" cy="{:.1}" r="8" fill="white" stroke="#555"/><text x="{xx:.1}" y="{:.1}" text-anchor="middle" font-size="10">{}</text>"##,
            cy,
            cy + 3.5,
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
    let _ = writeln!(
        s,
        r#"<path d="{}" fill="none" stroke="{INSECURE}" stroke-width="2" stroke-dasharray="2,2"/>"#,
        path(&insecure, &yb)
    );
    legend.push((
        "insecure (trust point deleted)".into(),
        INSECURE.into(),
        "2,2",
    ));
    // Measured RFC 8145 telemetry: a bar over the measured range, a dot at the model.
    for m in &rep.telemetry {
        let xx = x(m.at);
        let _ = writeln!(
            s,
            r##"<line x1="{xx:.1}" y1="{:.1}" x2="{xx:.1}" y2="{:.1}" stroke="#000" stroke-width="6" stroke-opacity="0.35"><title>{}</title></line>"##,
            ya(m.measured_low),
            ya(m.measured_high),
            ksr::escape::markup(m.source)
        );
        let _ = writeln!(
            s,
            r##"<circle cx="{xx:.1}" cy="{:.1}" r="3.5" fill="#000"/>"##,
            ya(m.model_share)
        );
        // Two lines, so the legend stays inside the chart's width.
        legend.push((
            format!(
                "measured {} {:.0}-{:.0}% on {} (bar)",
                m.label,
                100.0 * m.measured_low,
                100.0 * m.measured_high,
                format_date(m.at),
            ),
            "#000".into(),
            "",
        ));
        legend.push((
            format!("model on that day {:.1}% (dot)", 100.0 * m.model_share),
            "#000".into(),
            "",
        ));
    }
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
            ksr::escape::markup(label)
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
            r#"<text x="{lx}" y="{ly:.1}" font-size="11" font-weight="bold">{}. {}</text>"#,
            i + 1,
            format_date(e.at)
        );
        for line in wrap(&e.step, LEGEND_CHARS) {
            ly += 14.0;
            let _ = writeln!(
                s,
                r#"<text x="{:.1}" y="{ly:.1}" font-size="11">{}</text>"#,
                lx + 14.0,
                ksr::escape::markup(&line)
            );
        }
        ly += 14.0;
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{ly:.1}" font-size="10" fill="#555">failing {:.2}% after, peak {:.2}%; insecure {:.2}%</text>"##,
            lx + 14.0,
            100.0 * e.failing_share,
            100.0 * e.peak_share,
            100.0 * e.insecure_share
        );
    }
    s.push_str("</svg>\n");
    let height = H.max((ly + 20.0).ceil());
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{height}\" viewBox=\"0 0 {W} {height}\" \
         font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n<rect width=\"{W}\" height=\"{height}\" fill=\"white\"/>\n{s}"
    )
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
    fn long_step_lists_wrap_after_commas() {
        let w = wrap("publish KSK-2010, sign KSK-2010, publish KSK-2017", 34);
        assert_eq!(
            w,
            vec!["publish KSK-2010, sign KSK-2010,", "publish KSK-2017"]
        );
        assert!(w.iter().all(|l| l.len() <= 34));
        assert_eq!(wrap("revoke KSK-2010", 40), vec!["revoke KSK-2010"]);
    }

    fn forecast(name: &str) -> PopulationReport {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios")
            .join(name);
        let sc = crate::scenario::Scenario::load(&path).unwrap();
        let opt = crate::population::Options {
            resolvers: 200,
            seed: 1,
            threads: 1,
            step: crate::clock::DAY,
        };
        crate::population::forecast(&sc, &crate::population::default_mix(), &opt, |_| {})
    }

    #[test]
    fn the_chart_has_axes_legend_dates_and_steps() {
        let rep = forecast("root-2017-roll.toml");
        let svg = population(&rep, "title & more");
        assert!(verify(svg.as_bytes()).is_ok());
        assert!(svg.contains(">title &amp; more</text>"), "escaped title");
        for needle in [
            "% of resolvers",
            "% of running resolvers",
            ">100%</text>",
            ">2017-07</text>",
            ">2019-04</text>",
            "trusting KSK-2010 (19036)",
            "trusting KSK-2017 (20326)",
            "signal _ta-4a5c-4f66",
            "failing validation",
            "insecure (trust point deleted)",
            "measured _ta-4a5c 4-8% on 2017-09-15",
            ">3. 2018-10-11</text>",
            ">sign KSK-2017, unsign KSK-2010</text>",
            ">5. 2019-03-22</text>",
        ] {
            assert!(svg.contains(needle), "missing {needle:?}");
        }
        // One path per key, per signal, the failing line and the insecure line.
        let paths = svg.matches("<path d=").count();
        assert_eq!(paths, rep.trusting.len() + rep.signals.len() + 2);
    }

    #[test]
    fn a_long_legend_makes_the_chart_taller() {
        let mut rep = forecast("root-2017-roll.toml");
        let short = population(&rep, "t");
        assert!(short.contains(&format!(r#"height="{H}""#)));
        let e = rep.at_events[0].clone();
        rep.at_events = vec![e; 20];
        let tall = population(&rep, "t");
        assert!(
            !tall.contains(&format!(r#"height="{H}""#)),
            "grows past {H}"
        );
        assert!(verify(tall.as_bytes()).is_ok());
    }

    #[test]
    fn verify_rejects_broken_output() {
        assert!(verify(b"<svg></svg>").is_ok());
        assert!(verify(b"<svg><path d=\"MNaN,1\"/></svg>").is_err());
        assert!(verify(b"<html>").is_err());
    }
}
