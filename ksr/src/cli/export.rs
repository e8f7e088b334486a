//! `ksr export`: an SKR in the Knot or BIND text dialect, only after it passes
//! the SKR checks; written atomically and verified (re-parsed, every signature
//! checked) before it replaces anything.

use super::verify::{evaluate, tally};
use super::{CheckArgs, Dialect, EXIT_CHECK_FAILED, EXIT_OK};
use ksr::format::Format;
use ksr::model::Kind;
use std::io::Write;
use std::path::Path;

pub fn run(
    file: &Path,
    dialect: Dialect,
    out: Option<&Path>,
    args: &CheckArgs,
) -> Result<i32, String> {
    let ev = evaluate(file, args)?;
    if ev.doc.kind != Kind::Response {
        return Err(format!(
            "{}: this is a KSR (Request); only a signed SKR can be exported",
            file.display()
        ));
    }
    if ev.format.is_text() {
        let options = ksr::xml::ParseOptions {
            max_size: args.max_size,
        };
        let text = ksr::dialect::parse_file(file, &options).map_err(|e| e.to_string())?;
        if let Some(dropped) = ksr::export::records_without_a_place(&text) {
            return Err(format!(
                "{}: re-exporting would drop records the export does not carry ({dropped}); give the signer this file as it is",
                file.display()
            ));
        }
    }
    // Check lines go to stderr: stdout may be the export itself.
    for line in ev.report.lines() {
        eprintln!("{line}");
    }
    if ev.report.failed() {
        eprintln!(
            "ksr export: {} (read as {}) fails {}; nothing written",
            file.display(),
            ev.describe(),
            ev.report.failures().join(", ")
        );
        return Ok(EXIT_CHECK_FAILED);
    }
    if dialect == Dialect::Bind {
        let problems = ksr::export::bind_problems(&ev.doc);
        if !problems.is_empty() {
            eprintln!(
                "ksr export: BIND's `rndc skr -import` needs an RRSIG by every KSK with flags 257 in a snapshot; {}; nothing written",
                problems.join("; ")
            );
            return Ok(EXIT_CHECK_FAILED);
        }
    }
    let flavor = match dialect {
        Dialect::Knot => Format::Knot,
        Dialect::Bind => Format::Bind,
    };
    let (text, bytes) = ksr::export::to_text(&ev.doc, flavor)?;
    let name = match dialect {
        Dialect::Knot => "Knot",
        Dialect::Bind => "BIND",
    };
    match out {
        Some(path) => {
            ksr::output::write_verified(path, &bytes, |tmp| {
                let written = std::fs::read(tmp)
                    .map_err(|e| format!("{}: cannot read back: {e}", tmp.display()))?;
                ksr::export::check_text(&written, &path.display().to_string(), &text)
            })
            .map_err(|e| match e {
                ksr::output::OutputError::Verify(m) => format!("{m}; nothing was written"),
                other => other.to_string(),
            })?;
            eprintln!(
                "ksr export: {} (read as {}): {}; wrote {} ({name} dialect, {} snapshots, sha256 {})",
                file.display(),
                ev.describe(),
                tally(&ev.report),
                path.display(),
                text.snapshots.len(),
                hex::encode(ksr::digest::sha256(&bytes))
            );
        }
        None => {
            ksr::export::check_text(&bytes, "(stdout)", &text)?;
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(&bytes)
                .and_then(|_| stdout.flush())
                .map_err(|e| format!("cannot write to stdout: {e}"))?;
            eprintln!(
                "ksr export: {} (read as {}): {}; {name} dialect, {} snapshots on stdout",
                file.display(),
                ev.describe(),
                tally(&ev.report),
                text.snapshots.len()
            );
        }
    }
    Ok(EXIT_OK)
}
