//! BIND 9.20 (Debian bookworm-backports) as the zone's signer, end to end
//! (issue 13): `dnssec-ksr keygen` + `request` -> `ceremony sign-ksr` with a
//! SoftHSM KSK -> `rndc skr -import` into a running `named` (dnssec-policy
//! with `offline-ksk yes`, the ZSK files in its key-directory) -> `dig
//! +dnssec` shows our KSK's RRSIG over DNSKEY and `delv -a ANCHOR
//! +root=ZONE` says "fully validated" with our KSK as the only trust anchor.
//! Then what the importer must refuse: BIND's import checks no signature, so
//! a damaged SKR is imported and then fails validation, while `ksr verify`
//! refuses it up front; an SKR by another KSK and one missing a ZSK are
//! imported too, and refused by `ksr verify` with the reason.
//! A missing BIND binary, or BIND older than 9.20, fails these tests.

mod ceremony_sign_common;
mod signer_common;

use signer_common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A scratch BIND: named.conf, rndc.conf, zone file, key-directory, ports.
struct Bind {
    dir: tempfile::TempDir,
    port: u16,
}

impl Bind {
    fn new(alg: Alg) -> Bind {
        for (bin, pkg) in [
            ("named", "bind9"),
            ("dnssec-ksr", "bind9-utils"),
            ("rndc", "bind9"),
            ("dig", "bind9-dnsutils"),
            ("delv", "bind9-dnsutils"),
        ] {
            require(bin, pkg);
        }
        let v = stdout(&run(Command::new("named").arg("-v")));
        let minor: u32 = v
            .split_whitespace()
            .nth(1)
            .and_then(|ver| ver.split('.').nth(1))
            .and_then(|m| m.parse().ok())
            .unwrap_or(0);
        assert!(
            v.starts_with("BIND 9.") && minor >= 20,
            "BIND 9.20 or later is needed for offline KSK (dnssec-ksr); found {v:?}: run scripts/setup (bookworm-backports)"
        );
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let ctl = free_port();
        let d = dir.path().display();
        let secret = "aW50ZXJvcC10ZXN0LXJuZGMta2V5LW5vdC1hLXNlY3JldA==";
        let key = format!("key \"rndc-key\" {{ algorithm hmac-sha256; secret \"{secret}\"; }};\n");
        let size = alg.bits.map(|b| format!(" {b}")).unwrap_or_default();
        std::fs::create_dir(dir.path().join("keys")).unwrap();
        std::fs::write(
            dir.path().join("named.conf"),
            format!(
                "options {{ directory \"{d}\"; listen-on port {port} {{ 127.0.0.1; }}; listen-on-v6 {{ none; }};\n\
                   pid-file \"{d}/named.pid\"; recursion no; dnssec-validation no; }};\n\
                 {key}controls {{ inet 127.0.0.1 port {ctl} allow {{ 127.0.0.1; }} keys {{ \"rndc-key\"; }}; }};\n\
                 dnssec-policy \"offline\" {{ offline-ksk yes; dnskey-ttl 3600;\n\
                   keys {{ ksk key-directory lifetime unlimited algorithm {a}{size};\n\
                          zsk key-directory lifetime P30D algorithm {a}{size}; }}; }};\n\
                 zone \"{ZONE}\" {{ type primary; file \"{d}/zone.db\"; key-directory \"{d}/keys\"; dnssec-policy \"offline\"; }};\n",
                a = alg.name
            ),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("rndc.conf"),
            format!("{key}options {{ default-key \"rndc-key\"; default-server 127.0.0.1; default-port {ctl}; }};\n"),
        )
        .unwrap();
        zone_file(&dir.path().join("zone.db"));
        Bind { dir, port }
    }

    fn dnssec_ksr(&self, command: &str) -> Output {
        run(Command::new("dnssec-ksr")
            .arg("-l")
            .arg(self.path("named.conf"))
            .args(["-k", "offline", "-K"])
            .arg(self.path("keys"))
            .args(["-i", "now", "-e", "+60d", command, ZONE]))
    }

    fn rndc(&self, args: &[&str]) -> Output {
        run(Command::new("rndc")
            .arg("-c")
            .arg(self.path("rndc.conf"))
            .args(args))
    }

    /// `named` in the foreground, up when rndc answers.
    fn serve(&self) -> Daemon {
        let mut c = Command::new("named");
        c.arg("-g").arg("-c").arg(self.path("named.conf"));
        let mut d = Daemon::start("named", c, self.path("named.log"));
        let up = wait_for(20, || self.rndc(&["status"]).status.success().then_some(()));
        d.assert_running();
        assert!(
            up.is_some(),
            "named does not answer rndc:\n{}",
            d.log_text()
        );
        d
    }
}

impl Signer for Bind {
    const DIALECT: &'static str = "BIND text dialect";
    const TIME_DIGITS: usize = 14;

    fn dir(&self) -> &Path {
        self.dir.path()
    }

    fn port(&self) -> u16 {
        self.port
    }

    /// BIND's KSR for the next 60 days over ZSKs it made itself.
    fn request(&self) -> PathBuf {
        ok(self.dnssec_ksr("keygen"));
        let o = ok(self.dnssec_ksr("request"));
        let path = self.path("zone.ksr");
        std::fs::write(&path, &o.stdout).unwrap();
        path
    }

    fn import(&self, skr: &Path) -> Output {
        self.rndc(&["skr", "-import", skr.to_str().unwrap(), ZONE])
    }

    /// `rndc skr -import` talks to a running named.
    fn ready_to_import(&self) -> Option<Daemon> {
        Some(self.serve())
    }

    /// Imports `skr` into a running named and waits until our KSK's RRSIG
    /// over DNSKEY is served.
    fn serve_skr(&self, skr: &Path, key: &ksr::Key) -> Daemon {
        let mut named = self.serve();
        let o = self.import(skr);
        assert_eq!(o.status.code(), Some(0), "rndc skr -import: {}", text(&o));
        await_our_rrsig(self, &mut named, key);
        named
    }

    fn query(&self, name: &str, rtype: &str) -> String {
        dig_dnssec("dig", self.port, name, rtype)
    }
}

#[test]
fn bind_serves_an_ecdsa_p256_ksk_signed_skr() {
    signer_serves_our_ksk(&Bind::new(P256), P256, "bind-interop");
}

#[test]
fn bind_serves_an_rsa2048_ksk_signed_skr() {
    signer_serves_our_ksk(&Bind::new(RSA2048), RSA2048, "bind-interop");
}

#[test]
fn bind_serves_an_ed25519_ksk_signed_skr() {
    signer_serves_our_ksk(&Bind::new(ED25519), ED25519, "bind-interop");
}

#[test]
fn a_damaged_skr_is_refused_by_ksr_verify_and_fails_validation_after_bind_imports_it() {
    let bind = Bind::new(P256);
    let c = Ceremony::for_signer(&bind, "bind-damaged", P256, &["ksk"]);
    let good = bind.path("good.skr");
    let (key, ds) = c.signed("ksk", &good, &[]);
    let damaged = bind.path("damaged.skr");
    tamper(&good, &damaged);
    let o = c.verify(&damaged, &ds);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(check_line(&stdout(&o), "SKR-VERIFY").starts_with("FAIL"));
    // BIND checks no signature on import (docs/formats.md): it serves the
    // damaged RRSIG, and a validator with our KSK as anchor rejects the zone.
    let named = bind.serve_skr(&damaged, &key);
    let o = delv_with_anchor(&bind, &key, &format!("www.{ZONE}"), "A");
    assert!(
        !stdout(&o).contains("fully validated"),
        "a damaged DNSKEY signature validated: {}\n{}",
        text(&o),
        named.log_text()
    );
}

#[test]
fn other_ksk_and_short_skrs_are_imported_by_bind_but_refused_by_ksr_verify() {
    let bind = Bind::new(P256);
    let c = Ceremony::for_signer(&bind, "bind-negative", P256, &["ksk", "ksk-other"]);
    let (_, ds) = c.signed("ksk", &bind.path("good.skr"), &[]);
    other_ksk_and_short_skrs_are_imported_but_refused(&bind, &c, &ds);
}

#[test]
fn binds_skr_round_trips_through_ksr_convert() {
    let bind = Bind::new(P256);
    let c = Ceremony::for_signer(&bind, "bind-convert", P256, &["ksk"]);
    our_skr_round_trips_through_ksr_convert(&bind, &c, &["knot", "iana", "bind"]);
}

/// `--cds`, as `dnssec-ksr sign` does by default: named imports the CDS and
/// CDNSKEY RRsets with our RRSIGs and serves them; `delv` validates the CDS.
#[test]
fn bind_serves_the_cds_of_an_skr_signed_with_cds() {
    signer_serves_the_cds(&Bind::new(P256), "bind-cds");
}

/// `--cds` with an XML SKR is refused before the token is opened: IANA XML
/// has no place for CDS.
#[test]
fn cds_into_iana_xml_is_refused() {
    let bind = Bind::new(P256);
    let c = Ceremony::for_signer(&bind, "bind-cds-xml", P256, &["ksk"]);
    let out = bind.path("cds.xml");
    let o = c.sign("ksk", &out, &["--cds", "--dialect", "iana"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("no place for CDS"),
        "{}",
        text(&o)
    );
    assert!(!out.exists());
    // Without --cds the same KSR gives an IANA XML SKR that verifies.
    ok(c.sign("ksk", &out, &["--dialect", "iana"]));
    assert!(std::fs::read_to_string(&out).unwrap().contains("<Response"));
}

/// `dnssec-ksr sign` (BIND's own KSK side, default timing: validity P14D,
/// refresh P5D, inception 1 hour back) and `ceremony sign-ksr --cds` (the
/// policy's default `[snapshot_timing]` is the same) for the same KSR: the same
/// snapshots at the same times up to the last KSR snapshot, the same ZSKs and
/// record types (DNSKEY, CDNSKEY, CDS and RRSIGs) in each, and RRSIGs with the
/// same windows. BIND then keeps re-signing the last KSR snapshot until its
/// `-e` end, which the KSR does not state (docs/formats.md, "Our SKR and the
/// signers' own").
#[test]
fn our_skr_has_the_snapshots_and_windows_of_dnssec_ksr_sign() {
    let bind = Bind::new(P256);
    let ksr_file = bind.request();

    // BIND's KSK side: a KSK active since before the KSR starts.
    let kskdir = bind.path("ksk-side");
    std::fs::create_dir(&kskdir).unwrap();
    ok(run(Command::new("dnssec-keygen")
        .args(["-q", "-f", "KSK", "-a", "ECDSAP256SHA256", "-L", "3600"])
        .args(["-P", "now-3d", "-A", "now-3d", "-K"])
        .arg(&kskdir)
        .arg(ZONE)));
    let o = ok(run(Command::new("dnssec-ksr")
        .arg("-l")
        .arg(bind.path("named.conf"))
        .args(["-k", "offline", "-K"])
        .arg(&kskdir)
        .args(["-i", "now", "-e", "+60d", "-f"])
        .arg(&ksr_file)
        .args(["sign", ZONE])));
    let theirs_path = bind.path("dnssec-ksr.skr");
    std::fs::write(&theirs_path, &o.stdout).unwrap();
    // BIND's own SKR (with CDS) survives ksr convert to Knot and back; XML refuses its CDS.
    convert_round_trip(&theirs_path, &kskdir);

    let policy = policy_for(&ksr_file, P256, bind.dir.path());
    let ksr_text = read_text(&ksr_file);
    let c = Ceremony::new("bind-compare", ksr_file, policy, P256, &["ksk"]);
    let ours_path = bind.path("ours.skr");
    ok(c.sign("ksk", &ours_path, &["--cds"]));

    let (theirs, ours) = (read_text(&theirs_path), read_text(&ours_path));
    let last_ksr = ksr_text.snapshots.last().unwrap().time;
    let common = ours.snapshots.len();
    assert!(
        theirs.snapshots.len() >= common,
        "BIND signed fewer snapshots"
    );
    for (o, t) in ours.snapshots.iter().zip(&theirs.snapshots) {
        assert_eq!(o.time, t.time, "snapshot times differ");
        assert_eq!(zsks_of(o), zsks_of(t), "ZSKs differ at {}", o.time);
        let windows = |s: &ksr::dialect::Snapshot| {
            let mut v: Vec<_> = s
                .records
                .iter()
                .filter_map(|r| match &r.data {
                    ksr::dialect::RecordData::Rrsig(g) => Some((
                        g.type_covered.to_ascii_uppercase(),
                        g.inception,
                        g.expiration,
                        g.original_ttl,
                        g.labels,
                    )),
                    _ => None,
                })
                .collect();
            v.sort();
            v
        };
        assert_eq!(windows(o), windows(t), "RRSIGs differ at {}", o.time);
        let kinds = |s: &ksr::dialect::Snapshot| {
            let mut v: Vec<&'static str> = s
                .records
                .iter()
                .map(|r| match &r.data {
                    ksr::dialect::RecordData::Dnskey(_) => "DNSKEY",
                    ksr::dialect::RecordData::Cdnskey(_) => "CDNSKEY",
                    ksr::dialect::RecordData::Cds { .. } => "CDS",
                    ksr::dialect::RecordData::Rrsig(_) => "RRSIG",
                })
                .collect();
            v.sort();
            v
        };
        assert_eq!(kinds(o), kinds(t), "record types differ at {}", o.time);
    }
    assert_eq!(ours.snapshots.last().unwrap().time, last_ksr);
    assert!(theirs.snapshots[common..].iter().all(|s| s.time > last_ksr));
}
