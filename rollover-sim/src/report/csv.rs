//! CSV output of a population forecast: one row per sample time.

use crate::clock::format_instant;
use crate::population::PopulationReport;
use std::fmt::Write;

pub fn population(rep: &PopulationReport) -> String {
    let mut out = String::from("time,up,failing");
    for k in &rep.keys {
        let _ = write!(out, ",trusting {}", k);
    }
    for s in &rep.signals {
        let _ = write!(out, ",signal {}", s.label);
    }
    out.push('\n');
    for (i, t) in rep.times.iter().enumerate() {
        let _ = write!(
            out,
            "{},{},{}",
            format_instant(*t),
            rep.up[i],
            rep.failing[i]
        );
        for k in &rep.trusting {
            let _ = write!(out, ",{}", k[i]);
        }
        for s in &rep.signals {
            let _ = write!(out, ",{}", s.counts[i]);
        }
        out.push('\n');
    }
    out
}

/// The check before the file is renamed into place: a header and equal-width rows.
pub fn verify(bytes: &[u8]) -> Result<(), String> {
    let text = std::str::from_utf8(bytes).map_err(|e| e.to_string())?;
    let mut lines = text.lines();
    let cols = lines.next().ok_or("empty")?.split(',').count();
    for (i, l) in lines.enumerate() {
        if l.split(',').count() != cols {
            return Err(format!("row {} has the wrong number of columns", i + 2));
        }
    }
    Ok(())
}
