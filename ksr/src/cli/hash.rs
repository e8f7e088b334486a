//! `ksr hash`: SHA-256 in hex and as the 32 PGP words, laid out by
//! `ksr::digest::read_aloud` for two people to read aloud and compare.

use super::EXIT_OK;
use std::path::PathBuf;

pub fn run(files: &[PathBuf]) -> Result<i32, String> {
    let mut blocks = Vec::new();
    for f in files {
        let digest = std::fs::File::open(f)
            .and_then(ksr::digest::sha256_reader)
            .map_err(|e| format!("{}: cannot read: {e}", f.display()))?;
        blocks.push(format!(
            "{}\n{}",
            f.display(),
            ksr::digest::read_aloud(&digest)
        ));
    }
    super::write_stdout(&blocks.join("\n"))?;
    Ok(EXIT_OK)
}
