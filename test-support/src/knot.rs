//! Knot DNS's `keymgr` as an independent oracle: a scratch configuration with
//! one zone under an offline-KSK policy, into which SKRs are imported. Knot
//! checks every KSK signature of an imported SKR (docs/formats.md, "Knot").
//!
//! Knot is a hard requirement of the tests that use it: [`require_keymgr`]
//! fails the test when `keymgr` is missing instead of letting it pass unseen.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Fails the test unless Knot's `keymgr` runs.
#[track_caller]
pub fn require_keymgr() {
    require("keymgr");
}

/// Fails the test unless `program --version` runs (the name is a parameter so
/// the failure itself can be tested).
#[track_caller]
fn require(program: &str) {
    match Command::new(program).arg("--version").output() {
        Ok(o) if o.status.success() => {}
        _ => panic!(
            "{program} (Knot DNS) is not installed or does not run; install it with scripts/setup (Debian package `knot`)"
        ),
    }
}

/// A scratch Knot configuration with one zone under an offline-KSK policy.
pub struct KnotZone {
    pub dir: tempfile::TempDir,
    pub zone: String,
}

impl KnotZone {
    /// A zone whose ZSKs Knot generates with `algorithm` (a Knot algorithm
    /// name such as `rsasha256` or `ecdsap256sha256`).
    #[track_caller]
    pub fn new(zone: &str, algorithm: &str, dnskey_ttl: u32) -> KnotZone {
        require_keymgr();
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().display();
        std::fs::write(
            dir.path().join("knot.conf"),
            format!(
                "server:\n  rundir: {d}\ndatabase:\n  storage: {d}\npolicy:\n  - id: offline\n    algorithm: {algorithm}\n    manual: on\n    offline-ksk: on\n    dnskey-ttl: {dnskey_ttl}\n    zone-max-ttl: {dnskey_ttl}\n    zsk-lifetime: 30d\nzone:\n  - domain: {zone}\n    storage: {d}\n    dnssec-signing: on\n    dnssec-policy: offline\n"
            ),
        )
        .unwrap();
        KnotZone {
            dir,
            zone: zone.to_string(),
        }
    }

    /// `keymgr -c CONF ZONE ARGS`.
    pub fn keymgr(&self, args: &[&str]) -> Output {
        Command::new("keymgr")
            .arg("-c")
            .arg(self.dir.path().join("knot.conf"))
            .arg(&self.zone)
            .args(args)
            .output()
            .expect("keymgr runs")
    }

    /// A file inside the scratch directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `keymgr import-skr FILE` (an SKR in Knot's text dialect).
    pub fn import_skr(&self, file: &Path) -> Output {
        self.keymgr(&["import-skr", file.to_str().unwrap()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_keymgr_fails_instead_of_skipping() {
        let r = std::panic::catch_unwind(|| require("keymgr-not-installed-here"));
        let e = r.expect_err("a missing program must fail the test");
        let msg = e.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(msg.contains("scripts/setup"), "{msg}");
    }

    #[test]
    fn keymgr_is_installed_and_a_scratch_zone_takes_a_zsk() {
        let knot = KnotZone::new("example.test.", "ecdsap256sha256", 3600);
        crate::process::ok(knot.keymgr(&["generate", "ksk=no", "zsk=yes"]));
        let o = crate::process::ok(knot.keymgr(&["list"]));
        assert!(
            crate::process::stdout(&o).contains("ZSK"),
            "{}",
            crate::process::text(&o)
        );
    }
}
