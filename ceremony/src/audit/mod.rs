//! A tamper-evident audit log of ceremony commands: JSON Lines, one record per
//! line, each naming the hash of the one before (see [`chain`]).
//!
//! Write-ahead: a `begin` record (with the hashes of the command's inputs) is on
//! disk before the command touches the token, and an `end` record (outcome and
//! output hashes) follows it. A crash leaves a `begin` without an `end`; the next
//! command records it as `interrupted`, so the log stays consistent and the
//! ceremony can resume. PINs, PIN files' contents and their hashes never appear.
//!
//! - [`record`]: one record and its line format.
//! - [`chain`]: verifying a log; appending to one.
//! - [`clock`]: the injected clock records are stamped with.
//! - [`repair`]: cutting off a last record a full disk or a crash left partial.

pub mod chain;
pub mod clock;
pub mod record;
pub mod repair;
pub mod report;

pub use chain::{verify, AppendError, AuditLog, Broken, Summary};
pub use clock::{Clock, FixedClock};
pub use record::{Event, FileRef, Outcome, Record, GENESIS};

/// Hex SHA-256 of a file, or why it could not be read.
pub fn file_ref(role: &str, path: &std::path::Path) -> FileRef {
    let (sha256, error) = match std::fs::File::open(path).and_then(ksr::digest::sha256_reader) {
        Ok(h) => (Some(hex::encode(h)), None),
        Err(e) => (None, Some(e.to_string())),
    };
    FileRef {
        role: role.to_string(),
        path: path.display().to_string(),
        sha256,
        error,
    }
}
