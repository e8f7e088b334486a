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

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn keymgr(&self, args: &[&str]) -> Output {
        run(Command::new("keymgr")
            .arg("-c")
            .arg(self.path("knot.conf"))
            .arg(ZONE)
            .args(args))
    }

    /// Knot's KSR for the next 60 days over ZSKs it pregenerated itself.
    fn ksr(&self) -> PathBuf {
        ok(self.keymgr(&["pregenerate", "+60d"]));
        let o = ok(self.keymgr(&["generate-ksr", "+0", "+60d"]));
        let path = self.path("zone.ksr");
        std::fs::write(&path, &o.stdout).unwrap();
        path
    }

    fn import(&self, skr: &Path) -> Output {
        self.keymgr(&["import-skr", skr.to_str().unwrap()])
    }

    fn serve(&self) -> Daemon {
        let mut c = Command::new("knotd");
        c.arg("-c").arg(self.path("knot.conf"));
        Daemon::start("knotd", c, self.path("knotd.log"))
    }

    fn kdig(&self, name: &str, rtype: &str) -> String {
        stdout(&run(Command::new("kdig").args([
            "+dnssec",
            "@127.0.0.1",
            "-p",
            &self.port.to_string(),
            name,
            rtype,
        ])))
    }
}

/// The whole flow for one KSK algorithm; returns nothing, fails on any step.
fn knot_serves_our_ksk(alg: Alg) {
    let knot = Knot::new(alg);
    let ksr_file = knot.ksr();
    let hsm = Hsm::new("knot-interop");
    hsm.keygen("ksk", alg.name, alg.bits, ZONE, 257);
    let policy = policy_for(&ksr_file, alg, knot.dir.path());
    let skr = knot.path("zone.skr");
    let o = ok(sign(&hsm, &ksr_file, &policy, "ksk", &skr));
    let log = String::from_utf8_lossy(&o.stderr).to_string() + &stdout(&o);
    assert!(log.contains("Knot text dialect"), "{log}");
    // The SKR is in Knot's dialect: header times in Unix seconds.
    let written = std::fs::read_to_string(&skr).unwrap();
    let first = written.lines().next().unwrap();
    let t = first.split_whitespace().nth(3).unwrap();
    assert!(
        t.len() == 10 && t.chars().all(|c| c.is_ascii_digit()),
        "{first}"
    );

    let (key, ds) = ksk_of(&skr);
    assert_eq!(key.algorithm, alg.number);
    let o = ksr_verify(&skr, &ksr_file, &policy, &ds, &now_at());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    let o = knot.import(&skr);
    assert_eq!(
        o.status.code(),
        Some(0),
        "Knot refused our SKR: {}",
        text(&o)
    );
    assert_eq!(stdout(&o).trim(), "OK", "{}", text(&o));

    let mut knotd = knot.serve();
    let dnskey = wait_for(20, || {
        let out = knot.kdig(ZONE, "DNSKEY");
        has_ksk_rrsig(&out, &key).then_some(out)
    });
    knotd.assert_running();
    let dnskey = dnskey.unwrap_or_else(|| {
        panic!(
            "knotd does not serve our KSK's RRSIG over DNSKEY:\n{}\n{}",
            knot.kdig(ZONE, "DNSKEY"),
            knotd.log_text()
        )
    });
    assert!(dnskey.contains("NOERROR"), "{dnskey}");

    let anchor = knot.path("anchor.conf");
    anchor_file(&key, &anchor);
    let o = delv(&anchor, knot.port);
    assert!(
        stdout(&o).contains("; fully validated"),
        "delv with our KSK as trust anchor: {}\n{}",
        text(&o),
        knotd.log_text()
    );
    drop(knotd);
}

#[test]
fn knot_serves_an_rsa2048_ksk_signed_skr() {
    knot_serves_our_ksk(RSA2048);
}

#[test]
fn knot_serves_an_ecdsa_p256_ksk_signed_skr() {
    knot_serves_our_ksk(P256);
}

#[test]
fn knot_serves_an_ed25519_ksk_signed_skr() {
    knot_serves_our_ksk(ED25519);
}

#[test]
fn damaged_wrong_key_and_short_skrs_are_refused_by_ksr_verify() {
    let knot = Knot::new(P256);
    let ksr_file = knot.ksr();
    let hsm = Hsm::new("knot-negative");
    hsm.keygen("ksk", P256.name, None, ZONE, 257);
    hsm.keygen("ksk-other", P256.name, None, ZONE, 257);
    let policy = policy_for(&ksr_file, P256, knot.dir.path());
    let good = knot.path("good.skr");
    ok(sign(&hsm, &ksr_file, &policy, "ksk", &good));
    let (_, ds) = ksk_of(&good);
    let at = now_at();

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
    let o = ksr_verify(&damaged, &ksr_file, &policy, &ds, &at);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(check_line(&stdout(&o), "SKR-VERIFY").starts_with("FAIL"));

    // Signed by a KSK the operator did not pin: Knot imports it.
    let other = knot.path("other.skr");
    ok(sign(&hsm, &ksr_file, &policy, "ksk-other", &other));
    let o = knot.import(&other);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = ksr_verify(&other, &ksr_file, &policy, &ds, &at);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let l = check_line(&stdout(&o), "SKR-KSK-PINNED");
    assert!(l.starts_with("FAIL") && l.contains("not pinned"), "{l}");

    // Missing a ZSK Knot asked for: Knot imports it.
    let short_ksr = knot.path("short.ksr");
    drop_a_zsk(&ksr_file, &short_ksr);
    let short = knot.path("short.skr");
    ok(sign(&hsm, &short_ksr, &policy, "ksk", &short));
    let o = knot.import(&short);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = ksr_verify(&short, &ksr_file, &policy, &ds, &at);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let l = check_line(&stdout(&o), "SKR-MATCHES-KSR");
    assert!(l.starts_with("FAIL") && l.contains("is missing"), "{l}");
}

#[test]
fn knots_skr_round_trips_through_ksr_convert() {
    let knot = Knot::new(P256);
    let ksr_file = knot.ksr();
    let hsm = Hsm::new("knot-convert");
    hsm.keygen("ksk", P256.name, None, ZONE, 257);
    let policy = policy_for(&ksr_file, P256, knot.dir.path());
    let skr = knot.path("zone.skr");
    ok(sign(&hsm, &ksr_file, &policy, "ksk", &skr));
    let (_, ds) = ksk_of(&skr);
    let mut from = skr.clone();
    for to in ["bind", "iana", "knot"] {
        let out = knot.path(&format!("converted.{to}"));
        let o = run(Command::new(test_support::process::binary("ksr")).args([
            "convert",
            from.to_str().unwrap(),
            "--to",
            to,
            "--out",
            out.to_str().unwrap(),
        ]));
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let o = ksr_verify(&out, &ksr_file, &policy, &ds, &now_at());
        assert!(
            check_line(&stdout(&o), "SKR-VERIFY").starts_with("PASS")
                && check_line(&stdout(&o), "SKR-MATCHES-KSR").starts_with("PASS")
                && check_line(&stdout(&o), "SKR-KSK-PINNED").starts_with("PASS"),
            "{to}: {}",
            text(&o)
        );
        from = out;
    }
    // Back in Knot's dialect after three conversions: Knot imports it.
    let o = knot.import(&from);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
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
    let ksr_file = knot.ksr();

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

    let hsm = Hsm::new("knot-compare");
    hsm.keygen("ksk", P256.name, None, ZONE, 257);
    let mut policy = policy_value(&ksr_file, P256);
    policy.snapshot_timing.validity = 14 * 86_400;
    policy.snapshot_timing.refresh = 5 * 86_400;
    policy.snapshot_timing.inception_offset = 90 * 60;
    let policy = write_policy(&policy, knot.dir.path());
    let ours_path = knot.path("ours.skr");
    ok(sign(&hsm, &ksr_file, &policy, "ksk", &ours_path));

    let read = |p: &Path| ksr::format::read_text_file(p, &Default::default()).unwrap();
    let (theirs, ours) = (read(&theirs_path), read(&ours_path));
    let times =
        |t: &ksr::dialect::TextDocument| t.snapshots.iter().map(|s| s.time).collect::<Vec<_>>();
    assert_eq!(times(&ours), times(&theirs), "snapshot times differ");
    for (o, t) in ours.snapshots.iter().zip(&theirs.snapshots) {
        let zsks = |s: &ksr::dialect::Snapshot| {
            let mut v: Vec<Vec<u8>> = s
                .dnskeys()
                .filter(|k| !k.is_ksk())
                .map(|k| k.public_key.clone())
                .collect();
            v.sort();
            v
        };
        assert_eq!(zsks(o), zsks(t), "ZSKs differ at {}", o.time);
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

/// `--cds`: every snapshot also carries our KSK's CDNSKEY and CDS (SHA-256)
/// with RRSIGs; Knot imports it and serves the CDS, and `delv` validates it
/// with our KSK as the trust anchor.
#[test]
fn knot_serves_the_cds_of_an_skr_signed_with_cds() {
    let knot = Knot::new(P256);
    let ksr_file = knot.ksr();
    let hsm = Hsm::new("knot-cds");
    hsm.keygen("ksk", P256.name, None, ZONE, 257);
    let policy = policy_for(&ksr_file, P256, knot.dir.path());
    let skr = knot.path("cds.skr");
    ok(sign_with(&hsm, &ksr_file, &policy, "ksk", &skr, &["--cds"]));
    let (key, ds) = ksk_of(&skr);
    let o = ksr_verify(&skr, &ksr_file, &policy, &ds, &now_at());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = knot.import(&skr);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let mut knotd = knot.serve();
    let cds = wait_for(20, || {
        let out = knot.kdig(ZONE, "CDS");
        has_cds_by(&out, &key).then_some(out)
    });
    knotd.assert_running();
    assert!(
        cds.is_some(),
        "no CDS served:\n{}\n{}",
        knot.kdig(ZONE, "CDS"),
        knotd.log_text()
    );
    let anchor = knot.path("anchor.conf");
    anchor_file(&key, &anchor);
    let o = delv_query(&anchor, knot.port, ZONE, "CDS");
    assert!(stdout(&o).contains("; fully validated"), "{}", text(&o));
}
