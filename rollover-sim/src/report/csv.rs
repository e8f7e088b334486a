//! CSV output of a population forecast: one row per sample time.

use crate::clock::format_instant;
use crate::population::PopulationReport;
use std::fmt::Write;

pub fn population(rep: &PopulationReport) -> String {
    let mut out = String::from("time,up,failing,insecure");
    for k in &rep.keys {
        let _ = write!(out, ",{}", field(&format!("trusting {k}")));
    }
    for s in &rep.signals {
        let _ = write!(out, ",{}", field(&format!("signal {}", s.label)));
    }
    out.push('\n');
    for (i, t) in rep.times.iter().enumerate() {
        let _ = write!(
            out,
            "{},{},{},{}",
            format_instant(*t),
            rep.up[i],
            rep.failing[i],
            rep.insecure[i]
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

/// A header field, quoted (RFC 4180) when a key name carries a comma or quote.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Fields in one line, honouring RFC 4180 quotes.
fn count_fields(line: &str) -> usize {
    let mut quoted = false;
    1 + line
        .chars()
        .filter(|c| {
            if *c == '"' {
                quoted = !quoted;
            }
            *c == ',' && !quoted
        })
        .count()
}

/// The check before the file is renamed into place: a header and equal-width rows.
pub fn verify(bytes: &[u8]) -> Result<(), String> {
    let text = std::str::from_utf8(bytes).map_err(|e| e.to_string())?;
    let mut lines = text.lines();
    let cols = count_fields(lines.next().ok_or("empty")?);
    for (i, l) in lines.enumerate() {
        if count_fields(l) != cols {
            return Err(format!("row {} has the wrong number of columns", i + 2));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_names_with_commas_are_quoted() {
        assert_eq!(
            field("trusting KSK-2017 (20326)"),
            "trusting KSK-2017 (20326)"
        );
        assert_eq!(field("trusting a,b"), "\"trusting a,b\"");
        assert_eq!(field("x\"y"), "\"x\"\"y\"");
        assert!(verify(b"time,\"trusting a,b\",up\n1,2,3\n").is_ok());
        assert!(verify(b"time,trusting a,b,up\n1,2,3\n").is_err());
    }
}
