//! Where `sign-ksr` writes the SKR, settled before the token is opened.

use std::path::Path;

use super::pipeline::SignOptions;
use crate::error::{Error, Result};

/// `--out` goes through the output preflight before the token is opened
/// (`crate::file::prepare`: absent or a regular file, replaced only with
/// `--force`, a directory that takes a new file and has room for the SKR),
/// and naming the KSR or the previous SKR would replace an input of the
/// ceremony, `--force` or not.
pub(super) fn check_out(opts: &SignOptions, ksr_len: usize) -> Result<ksr::output::Target> {
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    };
    let inputs = std::iter::once(&opts.ksr).chain(opts.previous_skr.as_ref());
    for input in inputs {
        if same(&opts.out, input) {
            return Err(Error::Input(format!(
                "--out {} is an input of this ceremony; write the SKR to a new file",
                opts.out.display()
            )));
        }
    }
    // An SKR adds the KSKs and their signatures to every bundle: a few
    // times the KSR, with the temp file beside the target on top.
    let need = (ksr_len as u64).saturating_mul(8);
    crate::file::prepare("--out", &opts.out, opts.force, need)
}
