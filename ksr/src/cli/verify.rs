//! `ksr verify`: [`crate::verify::verify`] on the command line's inputs,
//! rendered by [`crate::render`] (text lines or `--json` on stdout, a summary
//! on stderr).

use super::CheckArgs;
use crate::env::{self, exit, Env};
use crate::error::Result;
use crate::escape::terminal;
use crate::render;
use crate::verify::{self, Verification, VerifyInput};
use std::path::Path;

/// The verification the options ask for (`verify` and `export` alike).
pub fn evaluate(env: &dyn Env, file: &Path, args: &CheckArgs) -> Result<Verification> {
    let (at, at_given) = super::time_of(env, args.at.as_deref())?;
    let input = VerifyInput {
        file: file.to_path_buf(),
        policy: args.policy.clone(),
        at,
        at_given,
        schema: args.schema.clone(),
        previous_skr: args.previous_skr.clone(),
        request: args.request.clone(),
        ksk_tags: args.ksk_tags.clone(),
        trust_anchor: args.trust_anchor.clone(),
        ds: args.ds.clone(),
        min_remaining: super::min_remaining(args.min_remaining.as_deref())?,
        max_size: args.max_size,
    };
    Ok(verify::verify(&input)?)
}

/// `FILE (read as IANA XML SKR): 20 passed, 0 failed, 2 skipped`.
pub fn summary(v: &Verification) -> String {
    format!(
        "{} (read as {}): {}",
        terminal(&v.file.display().to_string()),
        v.describe(),
        render::tally(&v.report)
    )
}

pub fn run(env: &dyn Env, file: &Path, args: &CheckArgs, json: bool) -> Result<i32> {
    let v = evaluate(env, file, args)?;
    if json {
        super::print(env, &render::json(&v))?;
    } else {
        super::print(env, &render::text(&v.report))?;
    }
    env::eprint(env, &format!("ksr verify: {}\n", summary(&v)));
    Ok(if v.report.failed() {
        exit::CHECK_FAILED
    } else {
        exit::OK
    })
}
