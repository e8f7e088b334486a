//! `ksr convert FILE --to iana|knot|bind|zone [--out FILE]` (docs/formats.md,
//! "Converting"): the output is checked to carry exactly the input's records
//! before it is written (atomically with `--out`).

use crate::convert::{self, ConvertError, Target};
use crate::env::{self, exit, Env};
use crate::error::{Error, Result};
use crate::xml::ParseOptions;
use std::path::Path;

pub fn run(
    env: &dyn Env,
    file: &Path,
    target: Target,
    out: Option<&Path>,
    force: bool,
    max_size: usize,
) -> Result<i32> {
    // The output path first: refused before any reading or converting.
    let prepared = super::prepare_out(env, out, file, force)?;
    let options = ParseOptions { max_size };
    let bytes = crate::xml::read_limited(file, &options)?;
    let shown = file.display().to_string();
    let c = convert::convert(&bytes, &shown, &options, target)?;
    // A failed check is the converted result's fault, so it names the input
    // (the output does not exist yet).
    let check = |written: &[u8]| -> std::result::Result<(), ConvertError> {
        match target {
            Target::Format(_) => convert::check_same_records(written, &shown, &c.expected),
            Target::Zone => check_zone(written, &shown, &c.expected),
        }
    };
    match prepared {
        Some(prepared) => {
            let name = prepared.path().display().to_string();
            prepared.write_verified(&c.bytes, |tmp| {
                let written = std::fs::read(tmp).map_err(|e| ConvertError::Unreadable {
                    file: shown.clone(),
                    target: target.describe(),
                    detail: format!("cannot read the temp file {}: {e}", tmp.display()),
                })?;
                check(&written)
            })?;
            env::eprint(
                env,
                &format!(
                    "ksr convert: {} ({}) -> {} ({}): {} snapshot(s), {} record(s), sha256 {}\n",
                    crate::escape::terminal(&shown),
                    c.from.describe(),
                    crate::escape::terminal(&name),
                    target.describe(),
                    c.snapshots,
                    c.records,
                    hex::encode(crate::digest::sha256(&c.bytes))
                ),
            );
        }
        None => {
            check(&c.bytes).map_err(|e| Error::Write(format!("{e}; nothing was written")))?;
            super::print_bytes(env, &c.bytes)?;
        }
    }
    Ok(exit::OK)
}

fn check_zone(
    written: &[u8],
    input: &str,
    expected: &[convert::SnapshotRecords],
) -> std::result::Result<(), ConvertError> {
    let got = convert::zone_records(written);
    let want: Vec<_> = expected
        .iter()
        .map(|(_, r)| r.iter().map(|l| l.to_ascii_lowercase()).collect())
        .collect::<Vec<std::collections::BTreeSet<String>>>();
    if got != want {
        return Err(ConvertError::Differs {
            file: input.to_string(),
            detail: "the zone fragments do not hold its records".into(),
        });
    }
    Ok(())
}
