//! `ksr export --dialect knot` against the real Knot DNS (Debian `knot` 3.2.6):
//! `keymgr import-skr` into a scratch zone is the oracle (docs/formats.md, "Knot").
//! The real root SKR and a test-signed SKR for `example.test.` over Knot's own
//! ZSKs are accepted; a copy with one damaged signature is refused by Knot and
//! by `ksr verify` alike. Knot is required: without keymgr these tests fail.

use ksr::model::{Bundle, Document, Kind};
use ksr::policy::{Policy, Span};
use ksr::schema::Schema;
use ksr::testkit::{sign_skr, TestKey};
use std::path::Path;
use std::process::Output;

use test_support::knot::KnotZone as Knot;
use test_support::DAY;

fn ksr(args: &[&str]) -> Output {
    test_support::process::command("ksr")
        .args(args)
        .output()
        .expect("ksr runs")
}

/// `ksr export SKR --dialect knot EXTRA --out OUT`.
fn export_knot(skr: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["export", skr.to_str().unwrap(), "--dialect", "knot"];
    args.extend_from_slice(extra);
    args.extend(["--out", out.to_str().unwrap()]);
    ksr(&args)
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The same text with one base64 character changed in the `n`-th RRSIG line.
fn damage_nth_rrsig(text: &str, n: usize) -> String {
    let mut seen = 0;
    let lines: Vec<String> = text
        .lines()
        .map(|l| {
            if !l.contains(" RRSIG ") {
                return l.to_string();
            }
            seen += 1;
            if seen != n {
                return l.to_string();
            }
            let (head, sig) = l.rsplit_once(' ').unwrap();
            let mut s: Vec<char> = sig.chars().collect();
            s[12] = if s[12] == 'A' { 'B' } else { 'A' };
            format!("{head} {}", s.into_iter().collect::<String>())
        })
        .collect();
    assert_eq!(seen.min(n), n, "fewer than {n} RRSIG lines");
    lines.join("\n") + "\n"
}

fn assert_refused_by_knot_and_ksr(knot: &Knot, good: &Path, at: &str, policy: Option<&Path>) {
    let damaged = knot.path("damaged.skr");
    std::fs::write(
        &damaged,
        damage_nth_rrsig(&std::fs::read_to_string(good).unwrap(), 4),
    )
    .unwrap();
    let o = knot.import_skr(&damaged);
    assert_eq!(
        o.status.code(),
        Some(1),
        "Knot accepted a damaged signature: {}",
        text(&o)
    );
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("no valid signature"),
        "{}",
        text(&o)
    );
    let mut args = vec!["verify", "--at", at];
    if let Some(p) = policy {
        args.extend(["--policy", p.to_str().unwrap()]);
    }
    args.push(damaged.to_str().unwrap());
    let o = ksr(&args);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("FAIL SKR-VERIFY slot 4"),
        "{}",
        text(&o)
    );
}

#[test]
fn real_root_skr_export_is_accepted_by_knot() {
    let knot = Knot::new(".", "rsasha256", 172_800);
    let out = knot.path("root.skr");
    let skr = test_support::fixture("iana-root/skr-root-2017-q2-0.xml");
    let request = test_support::fixture("iana-root/ksr-root-2017-q2-0.xml");
    let request = request.to_str().unwrap();
    let extra = [
        "--ksk-tag",
        "19036",
        "--request",
        request,
        "--at",
        "2017-03-20",
    ];
    let o = export_knot(&skr, &out, &extra);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("PASS SKR-MATCHES-KSR") && err.contains("PASS SKR-KSK-PINNED"),
        "{err}"
    );

    let o = knot.import_skr(&out);
    assert_eq!(
        o.status.code(),
        Some(0),
        "Knot refused the root SKR: {}",
        text(&o)
    );
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        "OK",
        "{}",
        text(&o)
    );

    let fresh = Knot::new(".", "rsasha256", 172_800);
    std::fs::copy(&out, fresh.path("root.skr")).unwrap();
    assert_refused_by_knot_and_ksr(&fresh, &fresh.path("root.skr"), "2017-04-15", None);
}

/// Knot's KSR (its own ZSKs, its own snapshot times) as a dialect-free request:
/// each snapshot a bundle valid until a week after the next one starts.
fn request_from_knot(ksr_text: &Path) -> Document {
    let t = ksr::dialect::parse_file(ksr_text, &Default::default()).expect("Knot's KSR parses");
    assert_eq!(t.kind, Kind::Request);
    let mut doc = t.to_document("knot-example-test-ksr");
    let starts: Vec<_> = doc.bundles.iter().map(|b| b.inception).collect();
    for (i, b) in doc.bundles.iter_mut().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(b.inception);
        b.expiration = end + time::Duration::days(7);
        b.id = format!("{:08x}-knot-snapshot", i + 1);
    }
    doc
}

/// The operator policy this scenario meets: Knot's snapshot rhythm, ECDSA P-256.
fn policy_for(doc: &Document) -> Policy {
    let span = |v: Vec<i64>| Span {
        min: *v.iter().min().unwrap(),
        max: *v.iter().max().unwrap(),
    };
    let b = &doc.bundles;
    let p256 = ksr::model::AlgorithmPolicy {
        algorithm: 13,
        params: ksr::model::AlgorithmParams::Ecdsa { size: 256 },
    };
    let mut distinct: Vec<&[u8]> = b
        .iter()
        .flat_map(|x| x.keys.iter().filter(|k| !k.is_ksk()))
        .map(|k| k.public_key.as_slice())
        .collect();
    distinct.sort();
    distinct.dedup();
    let secs = |a: time::OffsetDateTime, z: time::OffsetDateTime| (a - z).whole_seconds();
    let mut p = Policy::root();
    p.domains = vec!["example.test.".into()];
    p.dnskey_ttl = 3600;
    p.bundle_count = b.len();
    let cycle = secs(b[b.len() - 1].inception, b[0].inception);
    p.cycle_duration = Span {
        min: cycle,
        max: cycle,
    };
    p.keys_per_bundle = Some(
        b.iter()
            .map(|x| x.keys.iter().filter(|k| !k.is_ksk()).count())
            .collect(),
    );
    p.distinct_keys = Some(distinct.len());
    p.zsk_algorithms = vec![p256.clone()];
    p.ksk_algorithms = vec![p256];
    p.signature_validity = span(b.iter().map(|x| secs(x.expiration, x.inception)).collect());
    p.validity_overlap = span(
        b.windows(2)
            .map(|w| secs(w[0].expiration, w[1].inception))
            .collect(),
    );
    p.bundle_interval = span(
        b.windows(2)
            .map(|w| secs(w[1].inception, w[0].inception))
            .collect(),
    );
    p.signature_horizon = 365 * DAY;
    p
}

#[test]
fn testkit_signed_skr_over_knots_own_zsks_is_accepted_by_knot() {
    let knot = Knot::new("example.test.", "ecdsap256sha256", 3600);
    let o = knot.keymgr(&["pregenerate", "+90d"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = knot.keymgr(&["generate-ksr", "+0", "+90d"]);
    assert!(o.status.success(), "{}", text(&o));
    let ksr_text = knot.path("example.test.ksr");
    std::fs::write(&ksr_text, &o.stdout).unwrap();

    let request = request_from_knot(&ksr_text);
    assert!(request.bundles.len() >= 3, "Knot's KSR has few snapshots");
    let ksk = TestKey::ecdsa_p256(0).named("Kexample");
    let skr = sign_skr(&request, &Schema::builtin("normal").unwrap(), &ksk, None);
    let skr_xml = knot.path("example.test.skr.xml");
    std::fs::write(&skr_xml, ksr::xml::write(&skr)).unwrap();
    let policy = knot.path("policy.toml");
    std::fs::write(&policy, policy_for(&request).to_toml()).unwrap();
    let tag = ksk.ksk(3600).key_tag.to_string();
    let at = ksr::timefmt::format_time(request.bundles[0].inception);

    let out = knot.path("example.test.skr");
    let export = |skr: &Path, policy: &Path, out: &Path| {
        let request = ksr_text.to_str().unwrap();
        let policy = policy.to_str().unwrap();
        let extra = [
            "--policy",
            policy,
            "--request",
            request,
            "--ksk-tag",
            &tag,
            "--at",
            &at,
        ];
        export_knot(skr, out, &extra)
    };
    let o = export(&skr_xml, &policy, &out);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("FAIL "), "{err}");
    assert!(err.contains("PASS SKR-MATCHES-KSR all"), "{err}");

    let o = knot.import_skr(&out);
    assert_eq!(
        o.status.code(),
        Some(0),
        "Knot refused the SKR: {}",
        text(&o)
    );
    assert_refused_by_knot_and_ksr(&knot, &out, &at, Some(&policy));

    // Knot does not check that its own ZSKs are in the SKR; SKR-MATCHES-KSR does.
    let mut foreign = request.clone();
    let stranger = TestKey::ecdsa_p256(1).zsk(3600);
    let last: &mut Bundle = foreign.bundles.last_mut().unwrap();
    last.keys = vec![stranger];
    let wrong = sign_skr(&foreign, &Schema::builtin("normal").unwrap(), &ksk, None);
    let wrong_xml = knot.path("wrong.skr.xml");
    std::fs::write(&wrong_xml, ksr::xml::write(&wrong)).unwrap();
    // A policy it meets, so that only the request tells it apart.
    let policy = knot.path("policy-wrong.toml");
    std::fs::write(&policy, policy_for(&foreign).to_toml()).unwrap();
    let refused = knot.path("wrong.skr");
    let o = export(&wrong_xml, &policy, &refused);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("fails SKR-MATCHES-KSR; nothing written"),
        "{}",
        text(&o)
    );
    assert!(
        err.contains("is missing") && err.contains("extra ZSK"),
        "{}",
        text(&o)
    );
    assert!(!refused.exists(), "a refused export writes nothing");
    // The same SKR exported without --request goes through, and Knot takes it.
    let o = export_knot(
        &wrong_xml,
        &refused,
        &["--policy", policy.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = knot.import_skr(&refused);
    assert_eq!(
        o.status.code(),
        Some(0),
        "Knot now checks its own ZSKs (update docs/formats.md): {}",
        text(&o)
    );
}
