//! Knot DNS 3.2 (Debian 12) as the zone's signer, end to end (issue 13):
//! `keymgr pregenerate` + `generate-ksr` -> `ceremony sign-ksr` with a SoftHSM
//! KSK (RSA-2048, ECDSA P-256, Ed25519) -> `keymgr import-skr` -> `knotd`
//! serves the zone on loopback -> `kdig +dnssec` shows our KSK's RRSIG over
//! the DNSKEY RRset and `delv`, with our KSK as the only trust anchor, says
//! "fully validated". Then what the importer must refuse: a damaged SKR
//! (Knot and `ksr verify` both), an SKR by another KSK and one missing a ZSK
//! (Knot imports them; `ksr verify` refuses them with the reason).
//! A missing Knot or BIND binary fails these tests.

mod ceremony_sign_common;
mod signer_common;

use signer_common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A scratch Knot: configuration, zone file, KASP database, one port.
struct Knot {
    dir: tempfile::TempDir,
    port: u16,
}

impl Knot {
    fn new(alg: Alg) -> Knot {
        for (bin, pkg) in [
            ("keymgr", "knot"),
            ("knotd", "knot"),
            ("kdig", "knot-dnsutils"),
            ("delv", "bind9-dnsutils"),
        ] {
            require(bin, pkg);
        }
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let d = dir.path().display();
        let size = alg
            .bits
            .map(|b| format!("    ksk-size: {b}\n    zsk-size: {b}\n"))
            .unwrap_or_default();
        std::fs::write(
            dir.path().join("knot.conf"),
            format!(
                "server:\n  rundir: {d}\n  listen: 127.0.0.1@{port}\n\
                 database:\n  storage: {d}\n\
                 log:\n  - target: stderr\n    any: info\n\
                 policy:\n  - id: offline\n    algorithm: {}\n{size}    manual: on\n    offline-ksk: on\n    dnskey-ttl: 3600\n    zone-max-ttl: 3600\n    zsk-lifetime: 30d\n\
                 zone:\n  - domain: {ZONE}\n    storage: {d}\n    file: zone.db\n    dnssec-signing: on\n    dnssec-policy: offline\n",
                alg.name
            ),
        )
        .unwrap();
        zone_file(&dir.path().join("zone.db"));
        Knot { dir, port }
    }

    fn keymgr(&self, args: &[&str]) -> Output {
        run(Command::new("keymgr")
            .arg("-c")
            .arg(self.path("knot.conf"))
            .arg(ZONE)
            .args(args))
    }

    fn serve(&self) -> Daemon {
        let mut c = Command::new("knotd");
        c.arg("-c").arg(self.path("knot.conf"));
        Daemon::start("knotd", c, self.path("knotd.log"))
    }
}

impl Signer for Knot {
    const DIALECT: &'static str = "Knot text dialect";
    const TIME_DIGITS: usize = 10;

    fn dir(&self) -> &Path {
        self.dir.path()
    }

    fn port(&self) -> u16 {
        self.port
    }

    /// Knot's KSR for the next 60 days over ZSKs it pregenerated itself.
    fn request(&self) -> PathBuf {
        ok(self.keymgr(&["pregenerate", "+60d"]));
        let o = ok(self.keymgr(&["generate-ksr", "+0", "+60d"]));
        let path = self.path("zone.ksr");
        std::fs::write(&path, &o.stdout).unwrap();
        path
    }

    fn import(&self, skr: &Path) -> Output {
        self.keymgr(&["import-skr", skr.to_str().unwrap()])
    }

    /// `keymgr` works on the KASP database: no daemon needed.
    fn ready_to_import(&self) -> Option<Daemon> {
        None
    }

    /// `keymgr import-skr`, then `knotd` started, until our KSK's RRSIG over
    /// DNSKEY is served.
    fn serve_skr(&self, skr: &Path, key: &ksr::Key) -> Daemon {
        let o = self.import(skr);
        assert_eq!(
            o.status.code(),
            Some(0),
            "Knot refused our SKR: {}",
            text(&o)
        );
        assert_eq!(stdout(&o).trim(), "OK", "{}", text(&o));
        let mut knotd = self.serve();
        await_our_rrsig(self, &mut knotd, key);
        knotd
    }

    fn query(&self, name: &str, rtype: &str) -> String {
        dig_dnssec("kdig", self.port, name, rtype)
    }
}

#[test]
fn knot_serves_an_rsa2048_ksk_signed_skr() {
    signer_serves_our_ksk(&Knot::new(RSA2048), RSA2048, "knot-interop");
}

#[test]
fn knot_serves_an_ecdsa_p256_ksk_signed_skr() {
    signer_serves_our_ksk(&Knot::new(P256), P256, "knot-interop");
}

#[test]
fn knot_serves_an_ed25519_ksk_signed_skr() {
    signer_serves_our_ksk(&Knot::new(ED25519), ED25519, "knot-interop");
}

#[test]
fn damaged_wrong_key_and_short_skrs_are_refused_by_ksr_verify() {
    let knot = Knot::new(P256);
    let c = Ceremony::for_signer(&knot, "knot-negative", P256, &["ksk", "ksk-other"]);
    let good = knot.path("good.skr");
    let (_, ds) = c.signed("ksk", &good, &[]);

    // One base64 character changed: Knot and ksr verify both refuse it.
    let damaged = knot.path("damaged.skr");
    tamper(&good, &damaged);
    let o = knot.import(&damaged);
    assert_eq!(
        o.status.code(),
        Some(1),
        "Knot took a damaged SKR: {}",
        text(&o)
    );
    let o = c.verify(&damaged, &ds);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(check_line(&stdout(&o), "SKR-VERIFY").starts_with("FAIL"));

    // Signed by a KSK the operator did not pin, and missing a ZSK Knot asked
    // for: Knot imports both.
    other_ksk_and_short_skrs_are_imported_but_refused(&knot, &c, &ds);
}

#[test]
fn knots_skr_round_trips_through_ksr_convert() {
    let knot = Knot::new(P256);
    let c = Ceremony::for_signer(&knot, "knot-convert", P256, &["ksk"]);
    our_skr_round_trips_through_ksr_convert(&knot, &c, &["bind", "iana", "knot"]);
}

/// `keymgr sign-ksr` (Knot's own KSK side) and `ceremony sign-ksr` sign the
/// same KSR under the same timing (RRSIG lifetime 14 days, refresh 5 days,
/// inception 90 minutes back, Knot's `RRSIG_INCEPT_IN_PAST`): the same
/// snapshots at the same times, the same ZSKs in each, one RRSIG per KSK per
/// snapshot with the same validity window, labels and original TTL. Only the
/// KSK (and so the signature bytes) differ (docs/formats.md, "Our SKR and the
/// signers' own").
#[test]
fn our_skr_has_the_snapshots_and_windows_of_keymgr_sign_ksr() {
    let knot = Knot::new(P256);
    let ksr_file = knot.request();

    // Knot's KSK side: its own KSK, active since before the KSR starts.
    let side = tempfile::tempdir().unwrap();
    let d = side.path().display();
    let conf = side.path().join("knot.conf");
    std::fs::write(
        &conf,
        format!(
            "server:\n  rundir: {d}\ndatabase:\n  storage: {d}\n\
             policy:\n  - id: offline\n    algorithm: {}\n    manual: on\n    offline-ksk: on\n    dnskey-ttl: 3600\n    zone-max-ttl: 3600\n    rrsig-lifetime: 14d\n    rrsig-refresh: 5d\n\
             zone:\n  - domain: {ZONE}\n    storage: {d}\n    dnssec-signing: on\n    dnssec-policy: offline\n",
            P256.name
        ),
    )
    .unwrap();
    let keymgr = |args: &[&str]| {
        run(Command::new("keymgr")
            .arg("-c")
            .arg(&conf)
            .arg(ZONE)
            .args(args))
    };
    let since = (time::OffsetDateTime::now_utc().unix_timestamp() - 3 * 86_400).to_string();
    let t = |k: &str| format!("{k}={since}");
    ok(keymgr(&[
        "generate",
        "ksk=yes",
        "zsk=no",
        &t("created"),
        &t("publish"),
        &t("ready"),
        &t("active"),
    ]));
    let o = ok(keymgr(&["sign-ksr", ksr_file.to_str().unwrap()]));
    let theirs_path = knot.path("keymgr.skr");
    std::fs::write(&theirs_path, &o.stdout).unwrap();
    // Knot's own SKR survives ksr convert to BIND, back, and to IANA XML.
    convert_round_trip(&theirs_path, side.path());

    let mut policy = policy_value(&ksr_file, P256);
    policy.snapshot_timing.validity = 14 * 86_400;
    policy.snapshot_timing.refresh = 5 * 86_400;
    policy.snapshot_timing.inception_offset = 90 * 60;
    let policy = write_policy(&policy, knot.dir.path());
    let c = Ceremony::new("knot-compare", ksr_file, policy, P256, &["ksk"]);
    let ours_path = knot.path("ours.skr");
    ok(c.sign("ksk", &ours_path, &[]));

    let (theirs, ours) = (read_text(&theirs_path), read_text(&ours_path));
    let times =
        |t: &ksr::dialect::TextDocument| t.snapshots.iter().map(|s| s.time).collect::<Vec<_>>();
    assert_eq!(times(&ours), times(&theirs), "snapshot times differ");
    for (o, t) in ours.snapshots.iter().zip(&theirs.snapshots) {
        assert_eq!(zsks_of(o), zsks_of(t), "ZSKs differ at {}", o.time);
        let windows = |s: &ksr::dialect::Snapshot| {
            s.dnskey_signatures()
                .map(|g| {
                    (
                        g.inception,
                        g.expiration,
                        g.labels,
                        g.original_ttl,
                        g.algorithm,
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(windows(o), windows(t), "RRSIGs differ at {}", o.time);
        assert_eq!(o.dnskeys().filter(|k| k.is_ksk()).count(), 1);
        assert_eq!(t.dnskeys().filter(|k| k.is_ksk()).count(), 1);
    }
}

/// `--cds`: Knot imports the CDS and CDNSKEY with our RRSIGs and serves
/// them; `delv` validates the CDS with our KSK as the trust anchor.
#[test]
fn knot_serves_the_cds_of_an_skr_signed_with_cds() {
    signer_serves_the_cds(&Knot::new(P256), "knot-cds");
}
