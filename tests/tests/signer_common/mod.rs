//! Shared by `interop_knot.rs` and `interop_bind.rs`: the real signers'
//! binaries (a missing one fails the test), daemons that are stopped when the
//! guard drops (also when a test panics), loopback ports, the operator policy
//! for a signer's KSR, and the damaged or wrong SKRs the importers are fed.
#![allow(dead_code)]

use std::net::{TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use ksr::model::{AlgorithmParams, AlgorithmPolicy};

pub use crate::ceremony_sign_common::{ok, sha256_hex, text, Hsm};

/// Fails the test when `bin` is not installed: these tests prove interop with
/// the real signer, and skipping would prove nothing.
pub fn require(bin: &str, package: &str) {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {bin}"))
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        found,
        "{bin} is not installed: run scripts/setup (Debian package {package})"
    );
}

/// A daemon started by a test; killed and reaped when dropped.
pub struct Daemon {
    pub name: &'static str,
    child: Child,
    pub log: PathBuf,
}

impl Daemon {
    pub fn start(name: &'static str, mut cmd: Command, log: PathBuf) -> Daemon {
        let file = std::fs::File::create(&log).unwrap();
        let child = cmd
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .unwrap_or_else(|e| panic!("{name} does not start: {e}"));
        Daemon { name, child, log }
    }

    /// The daemon's log so far, for assertion messages.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Fails the test if the daemon has exited.
    pub fn assert_running(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!("{} exited ({status}):\n{}", self.name, self.log_text());
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port free for both UDP and TCP right now.
pub fn free_port() -> u16 {
    for _ in 0..50 {
        let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = udp.local_addr().unwrap().port();
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free loopback port");
}

/// Runs `f` until it returns `Some`, for up to `secs` seconds.
pub fn wait_for<T>(secs: u64, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let end = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if Instant::now() > end {
            return None;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

pub fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("{cmd:?} does not run: {e}"))
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The zone every test serves.
pub const ZONE: &str = "example.test.";

/// A small zone: SOA, NS, and `www` (the name `delv` validates).
pub fn zone_file(path: &Path) {
    std::fs::write(
        path,
        "example.test. 3600 IN SOA ns.example.test. admin.example.test. 1 3600 900 604800 300\n\
         example.test. 3600 IN NS ns.example.test.\n\
         ns.example.test. 3600 IN A 127.0.0.1\n\
         www.example.test. 3600 IN A 192.0.2.1\n",
    )
    .unwrap();
}

/// A KSK algorithm as the test uses it: names for the ceremony and the
/// signers, and the policy entry.
#[derive(Debug, Clone, Copy)]
pub struct Alg {
    /// `ceremony keygen --algorithm`, Knot's `algorithm:` and BIND's `algorithm`.
    pub name: &'static str,
    pub number: u8,
    pub bits: Option<u32>,
}

pub const RSA2048: Alg = Alg {
    name: "rsasha256",
    number: 8,
    bits: Some(2048),
};
pub const P256: Alg = Alg {
    name: "ecdsap256sha256",
    number: 13,
    bits: None,
};
pub const ED25519: Alg = Alg {
    name: "ed25519",
    number: 15,
    bits: None,
};

impl Alg {
    pub fn policy(self) -> AlgorithmPolicy {
        AlgorithmPolicy {
            algorithm: self.number,
            params: match self.number {
                8 => AlgorithmParams::Rsa {
                    size: self.bits.unwrap_or(2048),
                    exponent: 65537,
                },
                13 => AlgorithmParams::Ecdsa { size: 256 },
                _ => AlgorithmParams::None,
            },
        }
    }
}

/// The operator's policy for a signer's KSR: the zone, DNSKEY TTL 3600, the
/// algorithm for ZSKs and KSKs, and the bundle layout this KSR has (a signer
/// plans its ZSK rolls itself; the officer's policy states what to expect).
pub fn policy_for(ksr_file: &Path, alg: Alg, dir: &Path) -> PathBuf {
    write_policy(&policy_value(ksr_file, alg), dir)
}

/// Writes `p` as `policy.toml` in `dir`.
pub fn write_policy(p: &ksr::policy::Policy, dir: &Path) -> PathBuf {
    let path = dir.join("policy.toml");
    std::fs::write(&path, p.to_toml()).unwrap();
    path
}

/// The policy [`policy_for`] writes.
pub fn policy_value(ksr_file: &Path, alg: Alg) -> ksr::policy::Policy {
    let (doc, _) = ksr::format::read_file(ksr_file, &Default::default()).unwrap();
    let starts: Vec<_> = doc.bundles.iter().map(|b| b.inception).collect();
    let gaps: Vec<i64> = starts
        .windows(2)
        .map(|w| (w[1] - w[0]).whole_seconds())
        .collect();
    let cycle = (starts[starts.len() - 1] - starts[0]).whole_seconds();
    let mut p = ksr::policy::Policy::root();
    p.domains = vec![ZONE.into()];
    p.dnskey_ttl = 3600;
    p.bundle_count = doc.bundles.len();
    p.keys_per_bundle = None;
    p.distinct_keys = None;
    p.cycle_duration = ksr::policy::Span {
        min: cycle - 3600,
        max: cycle + 3600,
    };
    p.bundle_interval = ksr::policy::Span {
        min: gaps.iter().copied().min().unwrap_or(0),
        max: gaps.iter().copied().max().unwrap_or(0),
    };
    p.zsk_algorithms = vec![alg.policy()];
    p.ksk_algorithms = vec![alg.policy()];
    p.zsk_publish_safety = 0;
    p.zsk_retire_safety = 0;
    // The signature periods of the snapshots this policy's timing plans.
    let v = p.snapshot_timing.validity;
    p.signature_validity = ksr::policy::Span { min: v, max: v };
    p.validity_overlap = ksr::policy::Span { min: 0, max: v };
    p
}

/// `ceremony sign-ksr` of a signer's KSR with the KSK `ksk` on `hsm`.
pub fn sign(hsm: &Hsm, ksr_file: &Path, policy: &Path, ksk: &str, out: &Path) -> Output {
    sign_with(hsm, ksr_file, policy, ksk, out, &[])
}

/// [`sign`] with more options (`--cds`, `--dialect`).
pub fn sign_with(
    hsm: &Hsm,
    ksr_file: &Path,
    policy: &Path,
    ksk: &str,
    out: &Path,
    extra: &[&str],
) -> Output {
    let h = sha256_hex(ksr_file);
    let mut args = vec![
        "sign-ksr",
        ksr_file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--ksk-current",
        ksk,
        "--schema",
        "normal",
        "--policy",
        policy.to_str().unwrap(),
        "--expect-sha256",
        &h,
    ];
    args.extend_from_slice(extra);
    if !extra.contains(&"--previous-skr") {
        args.push("--first-in-chain");
    }
    hsm.run(&args)
}

/// `ksr verify` of an SKR as the importer runs it: against the KSR it
/// answers, the KSK pinned by its DS, at `at`.
pub fn ksr_verify(skr: &Path, ksr_file: &Path, policy: &Path, ds: &str, at: &str) -> Output {
    run(Command::new(test_support::process::binary("ksr")).args([
        "verify",
        skr.to_str().unwrap(),
        "--request",
        ksr_file.to_str().unwrap(),
        "--policy",
        policy.to_str().unwrap(),
        "--ds",
        ds,
        "--at",
        at,
    ]))
}

/// Our KSK's DNSKEY record line in an SKR (flags 257), and its DS (digest 2).
pub fn ksk_of(skr: &Path) -> (ksr::Key, String) {
    let (doc, _) = ksr::format::read_file(skr, &Default::default()).unwrap();
    let k = doc.bundles[0]
        .keys
        .iter()
        .find(|k| k.is_ksk())
        .expect("the SKR publishes a KSK")
        .clone();
    let d = ksr::dnssec::ds_digest(ZONE, &k, 2).unwrap();
    let ds = format!(
        "{ZONE} 3600 IN DS {} {} 2 {}",
        k.key_tag,
        k.algorithm,
        hex::encode_upper(d)
    );
    (k, ds)
}

/// A `delv -a` trust anchor file with `key` as the static key of the zone.
pub fn anchor_file(key: &ksr::Key, path: &Path) {
    use base64::Engine;
    std::fs::write(
        path,
        format!(
            "trust-anchors {{ {ZONE} static-key {} {} {} \"{}\"; }};\n",
            key.flags,
            key.protocol,
            key.algorithm,
            base64::engine::general_purpose::STANDARD.encode(&key.public_key)
        ),
    )
    .unwrap();
}

/// `delv` with our KSK as the only trust anchor, against the server on `port`.
pub fn delv(anchor: &Path, port: u16) -> Output {
    delv_query(anchor, port, &format!("www.{ZONE}"), "A")
}

/// `delv NAME TYPE` with our KSK as the only trust anchor.
pub fn delv_query(anchor: &Path, port: u16, name: &str, rtype: &str) -> Output {
    run(Command::new("delv").args([
        "-a",
        anchor.to_str().unwrap(),
        &format!("+root={ZONE}"),
        "@127.0.0.1",
        "-p",
        &port.to_string(),
        name,
        rtype,
    ]))
}

/// The CDS of `key` (digest type 2) and an RRSIG over CDS by it, in dig/kdig output.
pub fn has_cds_by(out: &str, key: &ksr::Key) -> bool {
    let digest = hex::encode_upper(ksr::dnssec::ds_digest(ZONE, key, 2).unwrap());
    let joined: String = out.split_whitespace().collect::<Vec<_>>().join(" ");
    let cds = joined.contains(&format!("CDS {} {} 2 ", key.key_tag, key.algorithm))
        && joined.replace(' ', "").contains(&digest);
    let sig = out.lines().any(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        f.len() > 10 && f[3] == "RRSIG" && f[4] == "CDS" && f[10] == key.key_tag.to_string()
    });
    cds && sig
}

/// The same SKR with one base64 character of the first RRSIG changed.
pub fn tamper(good: &Path, out: &Path) {
    let text = std::fs::read_to_string(good).unwrap();
    let mut done = false;
    let lines: Vec<String> = text
        .lines()
        .map(|l| {
            if done || !l.contains(" RRSIG ") {
                return l.to_string();
            }
            done = true;
            let (head, sig) = l.rsplit_once(' ').unwrap();
            let mut s: Vec<char> = sig.chars().collect();
            s[10] = if s[10] == 'A' { 'B' } else { 'A' };
            format!("{head} {}", s.into_iter().collect::<String>())
        })
        .collect();
    assert!(done, "no RRSIG in {}", good.display());
    std::fs::write(out, lines.join("\n") + "\n").unwrap();
}

/// The KSR with its first ZSK taken out of the first snapshot that has two,
/// so an SKR signed from it lacks a ZSK the signer asked for.
pub fn drop_a_zsk(ksr_file: &Path, out: &Path) {
    let mut t = ksr::format::read_text_file(ksr_file, &Default::default()).unwrap();
    let snap = t
        .snapshots
        .iter_mut()
        .find(|s| s.dnskeys().count() > 1)
        .expect("a KSR snapshot with two ZSKs (a ZSK roll)");
    let first = snap
        .records
        .iter()
        .position(|r| matches!(r.data, ksr::dialect::RecordData::Dnskey(_)))
        .unwrap();
    snap.records.remove(first);
    std::fs::write(out, ksr::dialect::write(&t)).unwrap();
}

/// A PASS/FAIL line of a `ksr verify` output.
pub fn check_line(out: &str, name: &str) -> String {
    out.lines()
        .find(|l| l.split_whitespace().nth(1) == Some(name))
        .unwrap_or_else(|| panic!("no {name} line:\n{out}"))
        .to_string()
}

/// `YYYY-MM-DDThh:mm:ssZ` of now, for `--at`.
pub fn now_at() -> String {
    ksr::timefmt::format_human(time::OffsetDateTime::now_utc())
}

/// An RRSIG over DNSKEY by `key` in dig/kdig output.
pub fn has_ksk_rrsig(out: &str, key: &ksr::Key) -> bool {
    out.lines().any(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        f.len() > 10
            && f[3] == "RRSIG"
            && f[4] == "DNSKEY"
            && f[5] == key.algorithm.to_string()
            && f[10] == key.key_tag.to_string()
    })
}

/// `ksr convert` of a signer's own SKR to the other text dialect and back, and
/// to IANA XML: every record kept, or (CDS present) XML refused with exit 2.
pub fn convert_round_trip(skr: &Path, dir: &Path) {
    let records = |p: &Path| {
        let bytes = std::fs::read(p).unwrap();
        let t = if ksr::format::Format::detect(&bytes).is_text() {
            ksr::format::read_text(&bytes, "f", &Default::default()).unwrap()
        } else {
            let (doc, _) = ksr::format::read(&bytes, "f", &Default::default()).unwrap();
            ksr::dialect::TextDocument::from_document(&doc, ksr::format::Format::Bind)
        };
        ksr::convert::canonical(&t)
    };
    let convert = |from: &Path, to: &str, out: &Path| {
        run(Command::new(test_support::process::binary("ksr")).args([
            "convert",
            from.to_str().unwrap(),
            "--to",
            to,
            "--out",
            out.to_str().unwrap(),
        ]))
    };
    let original = records(skr);
    let knot = dir.join("rt.knot");
    let bind = dir.join("rt.bind");
    ok(convert(skr, "knot", &knot));
    ok(convert(&knot, "bind", &bind));
    assert_eq!(records(&knot), original);
    assert_eq!(records(&bind), original);
    let has_cds = std::fs::read_to_string(skr)
        .unwrap()
        .split_whitespace()
        .any(|w| w == "CDS");
    let xml = dir.join("rt.xml");
    let o = convert(&bind, "iana", &xml);
    if has_cds {
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(!xml.exists());
    } else {
        ok(o);
        assert_eq!(records(&xml), original);
    }
}

/// What the shared flows need of a real signer (Knot or BIND) set up in a
/// scratch directory: its KSR, its SKR import, serving the zone, queries.
pub trait Signer {
    /// How the ceremony's log names the signer's text dialect.
    const DIALECT: &'static str;
    /// Digits of a header time in the signer's dialect (Unix seconds or
    /// `YYYYMMDDhhmmss`).
    const TIME_DIGITS: usize;

    /// The scratch directory.
    fn dir(&self) -> &Path;

    /// The port the zone is served on.
    fn port(&self) -> u16;

    /// The signer's KSR for the next 60 days over ZSKs it made itself.
    fn request(&self) -> PathBuf;

    /// The signer's own import of an SKR.
    fn import(&self, skr: &Path) -> Output;

    /// Whatever must run for [`Signer::import`] to work (BIND's `named`).
    fn ready_to_import(&self) -> Option<Daemon>;

    /// The signer serving the zone after importing `skr`, our KSK's RRSIG
    /// over DNSKEY seen on the wire; fails the test otherwise.
    fn serve_skr(&self, skr: &Path, key: &ksr::Key) -> Daemon;

    /// `dig`/`kdig +dnssec NAME TYPE` against the served zone.
    fn query(&self, name: &str, rtype: &str) -> String;

    fn path(&self, name: &str) -> PathBuf {
        self.dir().join(name)
    }
}

/// Waits until `signer` serves our KSK's RRSIG over DNSKEY, with `daemon`
/// still running; fails the test otherwise.
pub fn await_our_rrsig(signer: &impl Signer, daemon: &mut Daemon, key: &ksr::Key) {
    let served = wait_for(20, || {
        has_ksk_rrsig(&signer.query(ZONE, "DNSKEY"), key).then_some(())
    });
    daemon.assert_running();
    assert!(
        served.is_some(),
        "{} does not serve our KSK's RRSIG over DNSKEY:\n{}\n{}",
        daemon.name,
        signer.query(ZONE, "DNSKEY"),
        daemon.log_text()
    );
}

/// `tool +dnssec @127.0.0.1 -p PORT NAME TYPE` (`dig` or `kdig`), its stdout.
pub fn dig_dnssec(tool: &str, port: u16, name: &str, rtype: &str) -> String {
    stdout(&run(Command::new(tool).args([
        "+dnssec",
        "@127.0.0.1",
        "-p",
        &port.to_string(),
        name,
        rtype,
    ])))
}

/// A signer's KSR at a ceremony: a fresh SoftHSM token with a KSK of the
/// test's algorithm under each label, and the operator's policy for the KSR.
pub struct Ceremony {
    pub hsm: Hsm,
    pub ksr: PathBuf,
    pub policy: PathBuf,
}

impl Ceremony {
    /// The signer's KSR ([`Signer::request`]) on token `label` with KSKs
    /// `ksks`, the policy from [`policy_for`] in the signer's directory.
    pub fn for_signer(signer: &impl Signer, label: &str, alg: Alg, ksks: &[&str]) -> Ceremony {
        let ksr = signer.request();
        let policy = policy_for(&ksr, alg, signer.dir());
        Ceremony::new(label, ksr, policy, alg, ksks)
    }

    /// Token `label` with KSKs `ksks` for `ksr` under `policy`.
    pub fn new(label: &str, ksr: PathBuf, policy: PathBuf, alg: Alg, ksks: &[&str]) -> Ceremony {
        let hsm = Hsm::new(label);
        for ksk in ksks {
            hsm.keygen(ksk, alg.name, alg.bits, ZONE, 257);
        }
        Ceremony { hsm, ksr, policy }
    }

    /// `ceremony sign-ksr` with the KSK `ksk` into `out`, `extra` options added.
    pub fn sign(&self, ksk: &str, out: &Path, extra: &[&str]) -> Output {
        sign_with(&self.hsm, &self.ksr, &self.policy, ksk, out, extra)
    }

    /// `ksr verify` of `skr` against this KSR and policy, pinned by `ds`, now.
    pub fn verify(&self, skr: &Path, ds: &str) -> Output {
        ksr_verify(skr, &self.ksr, &self.policy, ds, &now_at())
    }

    /// Signs into `out` with the KSK `ksk` (which must succeed) and returns
    /// the KSK the SKR publishes and its DS.
    pub fn signed(&self, ksk: &str, out: &Path, extra: &[&str]) -> (ksr::Key, String) {
        ok(self.sign(ksk, out, extra));
        ksk_of(out)
    }
}

/// `delv` with `key` as the only trust anchor for `name`/`rtype` on the
/// signer's port; the output is returned for the caller's assertion.
pub fn delv_with_anchor(signer: &impl Signer, key: &ksr::Key, name: &str, rtype: &str) -> Output {
    let anchor = signer.path("anchor.conf");
    anchor_file(key, &anchor);
    delv_query(&anchor, signer.port(), name, rtype)
}

/// The whole flow for one KSK algorithm: the signer's KSR signed with a
/// SoftHSM KSK into the signer's dialect, verified by `ksr verify`, imported
/// and served by the signer, and `www` fully validated by `delv` with our
/// KSK as the only trust anchor.
pub fn signer_serves_our_ksk<S: Signer>(signer: &S, alg: Alg, label: &str) {
    let c = Ceremony::for_signer(signer, label, alg, &["ksk"]);
    let skr = signer.path("zone.skr");
    let o = ok(c.sign("ksk", &skr, &[]));
    let log = String::from_utf8_lossy(&o.stderr).to_string() + &stdout(&o);
    assert!(log.contains(S::DIALECT), "{log}");
    // The SKR is in the signer's dialect: its header times' form.
    let written = std::fs::read_to_string(&skr).unwrap();
    let first = written.lines().next().unwrap();
    let t = first.split_whitespace().nth(3).unwrap();
    assert!(
        t.len() == S::TIME_DIGITS && t.chars().all(|c| c.is_ascii_digit()),
        "{first}"
    );

    let (key, ds) = ksk_of(&skr);
    assert_eq!(key.algorithm, alg.number);
    let o = c.verify(&skr, &ds);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    let daemon = signer.serve_skr(&skr, &key);
    let dnskey = signer.query(ZONE, "DNSKEY");
    assert!(dnskey.contains("NOERROR"), "{dnskey}");
    let o = delv_with_anchor(signer, &key, &format!("www.{ZONE}"), "A");
    assert!(
        stdout(&o).contains("; fully validated"),
        "delv with our KSK as trust anchor: {}\n{}",
        text(&o),
        daemon.log_text()
    );
}

/// What the signer imports but `ksr verify` refuses, with the reason: an
/// SKR by a KSK the operator did not pin, and one missing a ZSK the signer
/// asked for. `ds` pins the KSK `ksk`; the token also holds `ksk-other`.
pub fn other_ksk_and_short_skrs_are_imported_but_refused(
    signer: &impl Signer,
    c: &Ceremony,
    ds: &str,
) {
    let _daemon = signer.ready_to_import();
    // The signer takes `skr`; `ksr verify` fails `check` for `why`.
    let imported_but_refused = |skr: &Path, check: &str, why: &str| {
        let o = signer.import(skr);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let o = c.verify(skr, ds);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        let l = check_line(&stdout(&o), check);
        assert!(l.starts_with("FAIL") && l.contains(why), "{l}");
    };

    let other = signer.path("other.skr");
    ok(c.sign("ksk-other", &other, &[]));
    imported_but_refused(&other, "SKR-KSK-PINNED", "not pinned");

    let short_ksr = signer.path("short.ksr");
    drop_a_zsk(&c.ksr, &short_ksr);
    let short = signer.path("short.skr");
    ok(sign(&c.hsm, &short_ksr, &c.policy, "ksk", &short));
    imported_but_refused(&short, "SKR-MATCHES-KSR", "is missing");
}

/// Our SKR through `ksr convert` into each dialect of `chain` in turn, each
/// result passing `ksr verify` (signatures, the KSR, the pinned KSK); the
/// signer then imports and serves the last one.
pub fn our_skr_round_trips_through_ksr_convert(signer: &impl Signer, c: &Ceremony, chain: &[&str]) {
    let skr = signer.path("zone.skr");
    let (key, ds) = c.signed("ksk", &skr, &[]);
    let mut from = skr;
    for to in chain {
        let out = signer.path(&format!("converted.{to}"));
        let o = run(Command::new(test_support::process::binary("ksr")).args([
            "convert",
            from.to_str().unwrap(),
            "--to",
            to,
            "--out",
            out.to_str().unwrap(),
        ]));
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let o = c.verify(&out, &ds);
        assert!(
            check_line(&stdout(&o), "SKR-VERIFY").starts_with("PASS")
                && check_line(&stdout(&o), "SKR-MATCHES-KSR").starts_with("PASS")
                && check_line(&stdout(&o), "SKR-KSK-PINNED").starts_with("PASS"),
            "{to}: {}",
            text(&o)
        );
        from = out;
    }
    // Back in the signer's dialect after the conversions: imported and served.
    let _daemon = signer.serve_skr(&from, &key);
}

/// `--cds`: every snapshot also carries our KSK's CDNSKEY and CDS (SHA-256)
/// with RRSIGs; the signer imports and serves the CDS, and `delv` validates
/// it with our KSK as the only trust anchor.
pub fn signer_serves_the_cds(signer: &impl Signer, label: &str) {
    let c = Ceremony::for_signer(signer, label, P256, &["ksk"]);
    let skr = signer.path("cds.skr");
    let (key, ds) = c.signed("ksk", &skr, &["--cds"]);
    let o = c.verify(&skr, &ds);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let daemon = signer.serve_skr(&skr, &key);
    let cds = wait_for(20, || {
        has_cds_by(&signer.query(ZONE, "CDS"), &key).then_some(())
    });
    assert!(
        cds.is_some(),
        "no CDS served:\n{}\n{}",
        signer.query(ZONE, "CDS"),
        daemon.log_text()
    );
    let o = delv_with_anchor(signer, &key, ZONE, "CDS");
    assert!(stdout(&o).contains("; fully validated"), "{}", text(&o));
}

/// The ZSKs (public keys, sorted) of a snapshot, to compare our SKR with a
/// signer's own.
pub fn zsks_of(s: &ksr::dialect::Snapshot) -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = s
        .dnskeys()
        .filter(|k| !k.is_ksk())
        .map(|k| k.public_key.clone())
        .collect();
    v.sort();
    v
}

/// A text SKR or KSR as its snapshots.
pub fn read_text(p: &Path) -> ksr::dialect::TextDocument {
    ksr::format::read_text_file(p, &Default::default()).unwrap()
}
