//! `ksr hash`: SHA-256 in hex and as the 32 PGP words, laid out by
//! [`crate::digest::read_aloud`] for two people to read aloud and compare.

use crate::env::{exit, Env};
use crate::error::{Error, Result};
use std::path::PathBuf;

pub fn run(env: &dyn Env, files: &[PathBuf]) -> Result<i32> {
    let mut blocks = Vec::new();
    for f in files {
        let digest = std::fs::File::open(f)
            .and_then(crate::digest::sha256_reader)
            .map_err(|e| Error::Input(format!("{}: cannot read: {e}", f.display())))?;
        blocks.push(format!(
            "{}\n{}",
            f.display(),
            crate::digest::read_aloud(&digest)
        ));
    }
    super::print(env, &blocks.join("\n"))?;
    Ok(exit::OK)
}
