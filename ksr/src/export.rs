//! An SKR in the offline-KSK text dialect that Knot DNS (`keymgr import-skr`)
//! and BIND 9.20 (`rndc skr -import`) read: one snapshot per bundle at its
//! inception, holding the bundle's DNSKEYs and their RRSIGs.
//!
//! [`to_text`] gives deterministic bytes; [`check_text`] is the after-write
//! verification: the text re-parses to exactly the intended snapshots and every
//! signature in it still verifies.

use crate::check::{self, Context, Outcome};
use crate::dialect::{self, Flavor, TextDocument};
use crate::model::{Document, Kind};
use crate::xml::ParseOptions;

/// The text form of `skr` in `flavor`. Refuses a request: only signed
/// responses go to a signer.
pub fn to_text(skr: &Document, flavor: Flavor) -> Result<(TextDocument, Vec<u8>), String> {
    if skr.kind != Kind::Response {
        return Err("only an SKR (Response) can be exported; this is a KSR (Request)".into());
    }
    if skr.bundles.is_empty() {
        return Err("the SKR has no bundles".into());
    }
    let text = TextDocument::from_document(skr, flavor);
    let bytes = dialect::write(&text);
    Ok((text, bytes))
}

/// Verifies exported `bytes` (read back from `file`): they parse as the text
/// dialect, equal `expected`, and every DNSKEY signature verifies.
pub fn check_text(bytes: &[u8], file: &str, expected: &TextDocument) -> Result<(), String> {
    let options = ParseOptions {
        max_size: bytes.len().max(ParseOptions::default().max_size),
    };
    let again = dialect::parse(bytes, file, &options).map_err(|e| e.to_string())?;
    if &again != expected {
        return Err(format!(
            "{file}: re-reading the written text gives a different document"
        ));
    }
    let doc = again.to_document("");
    let policy = crate::policy::Policy::root();
    let ctx = Context::new(&policy, time::OffsetDateTime::UNIX_EPOCH);
    let verified = check::skr::verify(&doc, &ctx);
    if verified.outcome != Outcome::Pass {
        return Err(format!("{file}: {} {}", verified.name, verified.detail));
    }
    Ok(())
}
