//! The ceremony as a library of operations. Each operation takes a typed input
//! and a [`Prompter`] (PINs, typed-back confirmations), does its work on the
//! token and files, and returns a typed report (`serde::Serialize`) that the
//! command line renders as text or JSON, and a terminal UI can show as it likes.
//!
//! - [`hsm`]: `hsm init`, `hsm info`.
//! - [`keys`]: `keygen`, `inventory`, `prove`, `delete`.
//! - [`backup`]: `backup transport-key`, `backup export`, `restore`.
//! - [`sign`]: `sign-ksr`, `request`, `trust-anchor`.
//! - [`audit`]: `audit verify`, `audit show`, and running any operation under an audit log.
//! - [`operation`]: what an operation is and touches, as its audit record names it.
//! - [`report`]: the parts reports share (a key's DNSKEY and DS, a proof).
//! - `confirm`: typed-back hash confirmations through the prompter.

use std::path::Path;

use ksr::model::Time;

use crate::error::{Error, Result};

pub mod audit;
pub mod backup;
mod confirm;
pub mod hsm;
pub mod keys;
pub mod operation;
pub mod report;
pub mod sign;

pub use operation::Operation;

/// Inception of proof signatures unless one is given: proofs are never
/// published, and a fixed time keeps the output reproducible.
pub const DEFAULT_PROOF_AT: &str = "2020-01-01T00:00:00Z";

/// [`DEFAULT_PROOF_AT`] as a time.
pub fn default_proof_at() -> Time {
    ksr::timefmt::parse_at(DEFAULT_PROOF_AT).expect("a valid constant")
}

/// A zone as given by the user, made absolute (`example.test` ->
/// `example.test.`) and checked as a DNS name before any token is touched.
/// `flag` names the option in the error.
pub fn zone(flag: &str, zone: &str) -> Result<String> {
    let z = crate::sign::request::absolute(zone);
    ksr::dnssec::label_count(&z).map_err(|e| Error::Input(format!("{flag} {zone:?}: {e}")))?;
    Ok(z)
}

/// Reads a JSON file of kind `T` (transport key, backup).
pub(crate) fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let bytes = std::fs::read(path)
        .map_err(|e| Error::Input(format!("cannot read {}: {e}", path.display())))?;
    serde_json::from_slice(&bytes).map_err(|e| {
        Error::Input(format!(
            "{}: not a valid file of this kind: {e}",
            path.display()
        ))
    })
}

/// Writes `value` as JSON to a prepared target (`crate::file::prepare`); the
/// temp file must read back as the same value before it is renamed into place.
pub(crate) fn write_json<T>(target: ksr::output::Target, value: &T) -> Result<()>
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq,
{
    let mut text = serde_json::to_string_pretty(value).expect("JSON of plain values");
    text.push('\n');
    let path = target.path().to_path_buf();
    crate::file::write_target(target, text.as_bytes(), |tmp| {
        if read_json::<T>(tmp)? != *value {
            return Err(Error::Io(format!(
                "{} did not read back identically; nothing was written",
                path.display()
            )));
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_are_made_absolute_and_checked() {
        assert_eq!(zone("--zone", "example.test").unwrap(), "example.test.");
        assert_eq!(zone("--zone", ".").unwrap(), ".");
        let e = zone("--zone", "a..b").unwrap_err().to_string();
        assert!(e.starts_with("--zone \"a..b\""), "{e}");
    }
}
