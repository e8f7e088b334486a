//! `ksr export`: an SKR in the Knot or BIND text dialect, only after it passes
//! the SKR checks; written atomically and verified (re-parsed, every signature
//! checked) before it replaces anything.

use super::verify::{evaluate, summary};
use super::CheckArgs;
use crate::env::{self, exit, Env};
use crate::error::{Error, Result};
use crate::export::ExportError;
use crate::format::{self, Format};
use crate::model::Kind;
use crate::render;
use std::path::Path;

pub fn run(
    env: &dyn Env,
    file: &Path,
    dialect: Format,
    out: Option<&Path>,
    force: bool,
    args: &CheckArgs,
) -> Result<i32> {
    // The output path first: refused before any checking or signing work.
    let target = super::prepare_out(env, out, file, force)?;
    let v = evaluate(env, file, args)?;
    if v.doc.kind != Kind::Response {
        return Err(Error::Usage(format!(
            "{}: this is a KSR (Request); only a signed SKR can be exported",
            file.display()
        )));
    }
    if v.format.is_text() {
        let options = crate::xml::ParseOptions {
            max_size: args.max_size,
        };
        let text = format::read_text_file(file, &options)?;
        if let Some(dropped) = crate::export::records_without_a_place(&text) {
            return Err(Error::WouldDrop(format!(
                "{}: re-exporting would drop records the export does not carry ({dropped}); give the signer this file as it is",
                file.display()
            )));
        }
    }
    // Check lines go to stderr: stdout may be the export itself.
    env::eprint(env, &render::text(&v.report));
    if v.report.failed() {
        env::eprint(
            env,
            &format!(
                "ksr export: {} (read as {}) fails {}; nothing written\n",
                crate::escape::terminal(&file.display().to_string()),
                v.describe(),
                render::failed_names(&v.report)
            ),
        );
        return Ok(exit::CHECK_FAILED);
    }
    if dialect == Format::Bind {
        let problems = crate::export::bind_problems(&v.doc);
        if !problems.is_empty() {
            env::eprint(
                env,
                &format!(
                    "ksr export: BIND's `rndc skr -import` needs an RRSIG by every KSK with flags 257 in a snapshot; {}; nothing written\n",
                    problems.join("; ")
                ),
            );
            return Ok(exit::CHECK_FAILED);
        }
    }
    let (text, bytes) = crate::export::to_text(&v.doc, dialect)?;
    let name = dialect.signer();
    match target {
        Some(target) => {
            let path = target.path().to_path_buf();
            target.write_verified(&bytes, |tmp| {
                let written = std::fs::read(tmp).map_err(|e| ExportError::Check {
                    file: tmp.display().to_string(),
                    check: crate::check::skr::VERIFY,
                    detail: format!("cannot read back: {e}"),
                })?;
                crate::export::check_text(&written, &path.display().to_string(), &text)
            })?;
            env::eprint(
                env,
                &format!(
                    "ksr export: {}; wrote {} ({name} dialect, {} snapshots, sha256 {})\n",
                    summary(&v),
                    path.display(),
                    text.snapshots.len(),
                    hex::encode(crate::digest::sha256(&bytes))
                ),
            );
        }
        None => {
            crate::export::check_text(&bytes, "(stdout)", &text)?;
            super::print_bytes(env, &bytes)?;
            env::eprint(
                env,
                &format!(
                    "ksr export: {}; {name} dialect, {} snapshots on stdout\n",
                    summary(&v),
                    text.snapshots.len()
                ),
            );
        }
    }
    Ok(exit::OK)
}
