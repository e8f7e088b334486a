//! The Knot/BIND offline-KSK text dialect, against real Knot DNS 3.2.6 output
//! (tests/format_data/, made with `keymgr generate-ksr` / `sign-ksr` for
//! example.test. with ECDSA P-256), the IANA root SKR, and crafted refusals.

use ksr::dialect::{self, RecordData, TextDocument};
use ksr::dnssec;
use ksr::format::Format;
use ksr::model::{flags, Kind};
use ksr::xml::{ParseError, ParseOptions};
use std::path::{Path, PathBuf};
use std::process::Command;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/format_data")
        .join(name)
}

fn load(name: &str) -> TextDocument {
    dialect::parse_file(&data(name), &ParseOptions::default()).unwrap()
}

fn text(name: &str) -> String {
    std::fs::read_to_string(data(name)).unwrap()
}

fn refused(text: &str) -> ParseError {
    match dialect::parse(text.as_bytes(), "crafted.skr", &ParseOptions::default()) {
        Ok(_) => panic!("crafted input was accepted"),
        Err(e) => e,
    }
}

/// Every DNSKEY RRSIG of every snapshot verifies with the KSK it names.
fn verify_snapshots(doc: &TextDocument) -> usize {
    let owner = doc.owner().unwrap().to_string();
    let mut n = 0;
    for snap in &doc.snapshots {
        let keys: Vec<_> = snap.dnskeys().cloned().collect();
        for sig in snap.dnskey_signatures() {
            let signer = keys
                .iter()
                .find(|k| k.key_tag == sig.key_tag && k.algorithm == sig.algorithm)
                .expect("signer in the DNSKEY set");
            assert!(signer.flags & flags::SEP != 0);
            dnssec::verify_rrsig(&owner, sig, &keys, signer).unwrap();
            n += 1;
        }
    }
    n
}

#[test]
fn real_knot_ksr() {
    let doc = load("knot-example.test.ksr");
    assert_eq!(doc.kind, Kind::Request);
    assert_eq!(doc.flavor, Format::Knot);
    assert_eq!(doc.snapshots.len(), 5);
    assert_eq!(doc.snapshots[0].time.unix_timestamp(), 1795633453);
    assert_eq!(
        doc.trailer,
        "generated at 2026-11-25T19:04:13Z by Knot DNS 3.2.6"
    );
    assert_eq!(doc.owner(), Some("example.test."));
    let tags: Vec<Vec<u16>> = doc
        .snapshots
        .iter()
        .map(|s| s.dnskeys().map(|k| k.key_tag).collect())
        .collect();
    // Knot's own comments give the tags: ZSK 53443 rolls to 44056.
    assert_eq!(tags[0], vec![53443]);
    assert_eq!(tags[1], vec![53443, 44056]);
    assert_eq!(tags[3], vec![44056]);
    assert_eq!(tags[4], vec![44056]);
    for s in &doc.snapshots {
        for k in s.dnskeys() {
            assert_eq!(k.flags, 256);
            assert_eq!(k.ttl, 3600);
            assert_eq!(
                dnssec::key_size(k).unwrap(),
                dnssec::KeySize::Ec { bits: 256 }
            );
        }
    }
}

#[test]
fn real_knot_skr_signatures_verify() {
    let doc = load("knot-example.test.skr");
    assert_eq!(doc.kind, Kind::Response);
    assert_eq!(doc.snapshots.len(), 13);
    assert_eq!(verify_snapshots(&doc), 13);
    let first = &doc.snapshots[0];
    assert!(first
        .dnskeys()
        .any(|k| k.key_tag == 63551 && k.flags == 257));
}

#[test]
fn real_knot_skr_with_cds() {
    let doc = load("knot-cds-example.test.skr");
    assert_eq!(verify_snapshots(&doc), 13);
    let snap = &doc.snapshots[0];
    let ksk = snap.dnskeys().find(|k| k.flags == 257).unwrap().clone();
    let mut saw_cds = false;
    let mut saw_cdnskey = false;
    for r in &snap.records {
        match &r.data {
            RecordData::Cds {
                key_tag,
                algorithm,
                digest_type,
                digest,
            } => {
                assert_eq!((*key_tag, *algorithm, *digest_type), (63551, 13, 2));
                assert_eq!(
                    *digest,
                    dnssec::ds_digest("example.test.", &ksk, 2).unwrap()
                );
                assert_eq!(r.ttl, 0);
                saw_cds = true;
            }
            RecordData::Cdnskey(k) => {
                assert_eq!(k.public_key, ksk.public_key);
                saw_cdnskey = true;
            }
            _ => {}
        }
    }
    assert!(saw_cds && saw_cdnskey);
    // RRSIGs over CDS and CDNSKEY are kept, but are not DNSKEY signatures.
    let covered: Vec<&str> = snap
        .records
        .iter()
        .filter_map(|r| match &r.data {
            RecordData::Rrsig(s) => Some(s.type_covered.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(covered, vec!["DNSKEY", "CDS", "CDNSKEY"]);
    assert_eq!(snap.dnskey_signatures().count(), 1);
}

#[test]
fn round_trip_both_flavors() {
    for name in [
        "knot-example.test.ksr",
        "knot-example.test.skr",
        "knot-cds-example.test.skr",
    ] {
        let doc = load(name);
        for flavor in [Format::Knot, Format::Bind] {
            let doc = TextDocument {
                flavor,
                ..doc.clone()
            };
            let bytes = dialect::write(&doc);
            assert_eq!(bytes, dialect::write(&doc), "{name}: not deterministic");
            let again = dialect::parse(&bytes, name, &ParseOptions::default()).unwrap();
            assert_eq!(
                again, doc,
                "{name} {flavor:?}: round trip changed the document"
            );
        }
    }
    let bind = TextDocument {
        flavor: Format::Bind,
        ..load("knot-example.test.skr")
    };
    let out = String::from_utf8(dialect::write(&bind)).unwrap();
    assert!(
        out.starts_with(";; SignedKeyResponse 1.0 20261125190413 (2026-11-25T19:04:13+00:00)\n")
    );
    assert!(out.contains("\nexample.test. 3600 IN RRSIG DNSKEY 13 2 3600 20261209190413 20261125173413 63551 example.test. "));
    let knot = String::from_utf8(dialect::write(&load("knot-example.test.skr"))).unwrap();
    assert!(knot.starts_with(";; SignedKeyResponse 1.0 1795633453 ("));
    assert!(knot.ends_with(
        ";; SignedKeyResponse 1.0 generated at 2026-11-25T19:04:13Z by Knot DNS 3.2.6\n"
    ));
}

#[test]
fn to_document_and_back() {
    let text_doc = load("knot-example.test.skr");
    let doc = text_doc.to_document("knot-skr");
    assert_eq!(doc.domain, "example.test.");
    assert_eq!(doc.bundles.len(), 13);
    let b = &doc.bundles[0];
    assert_eq!(b.id, "snapshot-20261125190413");
    assert_eq!(
        ksr::timefmt::format_time(b.expiration),
        "2026-12-09T19:04:13+00:00"
    );
    let ksk = doc.ksk_policy.as_ref().unwrap();
    assert_eq!(ksk.algorithms[0].algorithm, 13);
    assert_eq!(
        ksk.algorithms[0].params,
        ksr::model::AlgorithmParams::Ecdsa { size: 256 }
    );
    // Every bundle's signature verifies through the dialect-free document.
    for b in &doc.bundles {
        for s in &b.signatures {
            let signer = b
                .keys
                .iter()
                .find(|k| k.key_identifier == s.key_identifier)
                .unwrap();
            dnssec::verify_rrsig(&doc.domain, s, &b.keys, signer).unwrap();
        }
    }
    let back = TextDocument::from_document(&doc, Format::Knot);
    assert_eq!(back.snapshots.len(), 13);
    assert_eq!(verify_snapshots(&back), 13);
    // A KSR's last snapshot marks the end of the period.
    let ksr = load("knot-example.test.ksr").to_document("knot-ksr");
    assert!(ksr.ksk_policy.is_none());
    assert_eq!(ksr.bundles[0].expiration, ksr.bundles[1].inception);
    let last = ksr.bundles.last().unwrap();
    assert_eq!(last.expiration, last.inception);
}

#[test]
fn iana_root_skr_in_text_form() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/iana-root/skr-root-2017-q2-0.xml");
    let xml_doc = ksr::xml::parse_file(&path, &ParseOptions::default()).unwrap();
    let text_doc = TextDocument::from_document(&xml_doc, Format::Bind);
    let bytes = dialect::write(&text_doc);
    let again = dialect::parse(&bytes, "root.skr", &ParseOptions::default()).unwrap();
    assert_eq!(again, text_doc);
    assert_eq!(again.owner(), Some("."));
    assert_eq!(verify_snapshots(&again), 9);
    let doc = again.to_document(&xml_doc.id);
    for (a, b) in doc.bundles.iter().zip(&xml_doc.bundles) {
        assert_eq!(a.inception, b.inception);
        assert_eq!(a.expiration, b.expiration);
        let strip = |k: &ksr::model::Key| (k.key_tag, k.flags, k.algorithm, k.public_key.clone());
        assert_eq!(
            a.keys.iter().map(strip).collect::<Vec<_>>(),
            b.keys.iter().map(strip).collect::<Vec<_>>()
        );
    }
}

// ---- refusals name the line and the record ----

#[test]
fn refuses_record_before_header() {
    let t = format!(
        "example.test. 3600 IN DNSKEY 256 3 13 AAAA\n{}",
        text("knot-example.test.ksr")
    );
    let e = refused(&t);
    assert_eq!(e.line, 1);
    assert!(e.message.contains("before the first"), "{e}");
}

#[test]
fn refuses_truncated_file() {
    let full = text("knot-example.test.skr");
    let cut = &full[..full.rfind(";; SignedKeyResponse 1.0 generated").unwrap()];
    let e = refused(cut);
    assert!(
        e.message.contains("no end marker") && e.message.contains("truncated"),
        "{e}"
    );
    // Cut in the middle of a parenthesised record.
    let mid = &full[..full.find("vHs3Bw==").unwrap()];
    let e = refused(mid);
    assert_eq!(e.line, 2);
    assert!(e.message.contains("never closed"), "{e}");
}

#[test]
fn refuses_wrong_records() {
    let base = text("knot-example.test.skr");
    // Another owner.
    let t = base.replacen(
        "example.test.       \t3600 DNSKEY 257",
        "other.test. 3600 DNSKEY 257",
        1,
    );
    let e = refused(&t);
    assert_eq!(e.line, 7);
    assert!(e.message.contains("differs from the zone apex"), "{e}");
    // Relative owner.
    let t = base.replacen(
        "example.test.       \t3600 DNSKEY 257",
        "example.test 3600 DNSKEY 257",
        1,
    );
    let e = refused(&t);
    assert_eq!(e.line, 7);
    assert!(e.message.contains("not absolute"), "{e}");
    // Unknown type.
    let t = base.replacen(
        "example.test.       \t3600 DNSKEY 257",
        "example.test. 3600 A 192.0.2.1\nexample.test. 3600 DNSKEY 257",
        1,
    );
    let e = refused(&t);
    assert_eq!(e.line, 7);
    assert_eq!(e.element, "A");
    // Malformed base64 inside a parenthesised key.
    let t = base.replacen("vHs3Bw==", "vHs3B!==", 1);
    let e = refused(&t);
    assert_eq!(e.line, 2);
    assert_eq!(e.element, "DNSKEY");
    assert!(e.message.contains("malformed base64"), "{e}");
    // Unknown algorithm.
    let t = base.replacen("DNSKEY 256 3 13", "DNSKEY 256 3 99", 1);
    let e = refused(&t);
    assert!(e.message.contains("unknown DNSSEC algorithm 99"), "{e}");
    // Bad RRSIG time.
    let t = base.replacen("20261209190413", "20261309190413", 1);
    let e = refused(&t);
    assert_eq!(e.element, "RRSIG");
    assert_eq!(e.line, 12);
}

#[test]
fn refuses_bad_headers() {
    let base = text("knot-example.test.ksr");
    let t = base.replacen("1.0 1798225450", "1.0 20261225190410", 1);
    let e = refused(&t);
    assert!(e.message.contains("mix BIND"), "{e}");
    let t = base.replacen("1.0 1798225450", "1.0 1795633400", 1);
    let e = refused(&t);
    assert!(e.message.contains("increase"), "{e}");
    let t = base.replacen(
        "KeySigningRequest 1.0 1798225450",
        "KeySigningRequest 2.0 1798225450",
        1,
    );
    let e = refused(&t);
    assert!(e.message.contains("unsupported version"), "{e}");
    let t = base.replacen(
        "KeySigningRequest 1.0 1798225450",
        "SignedKeyResponse 1.0 1798225450",
        1,
    );
    let e = refused(&t);
    assert_eq!(e.line, 7);
    // A request holds DNSKEYs only.
    let skr = text("knot-example.test.skr").replace("SignedKeyResponse", "KeySigningRequest");
    let e = refused(&skr);
    assert_eq!(e.line, 12);
    assert!(e.message.contains("DNSKEY records only"), "{e}");
    let e = refused("example. 1 IN DNSKEY 256 3 13 AAAA\n");
    assert!(e.message.contains("before the first"), "{e}");
    let e = refused("; nothing here\n");
    assert!(e.message.contains("not a Knot/BIND"), "{e}");
    // A garbled or missing header time is named as such (only `generated at`
    // starts the end marker).
    for bad in ["1.0 x1798225450", "1.0 "] {
        let t = base.replacen("1.0 1798225450", bad, 1);
        let e = refused(&t);
        assert_eq!((e.line, e.element.as_str()), (7, "header"), "{e}");
        assert!(
            e.message
                .contains("neither Unix seconds nor YYYYMMDDhhmmss"),
            "{e}"
        );
    }
}

/// Knot's `import-skr` is the dependable oracle (docs/formats.md, Knot): a scratch zone
/// accepts our rewrite of its SKR and refuses a copy with one signature damaged.
#[test]
fn knot_import_skr_accepts_our_output() {
    assert!(
        Command::new("keymgr").arg("--version").output().is_ok(),
        "keymgr (Knot DNS) is not installed: run scripts/setup"
    );
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    let conf = dir.path().join("knot.conf");
    std::fs::write(
        &conf,
        format!(
            "server:\n  rundir: {d}\ndatabase:\n  storage: {d}\npolicy:\n  - id: offline\n    algorithm: ecdsap256sha256\n    manual: on\n    offline-ksk: on\n    dnskey-ttl: 3600\n    zone-max-ttl: 3600\nzone:\n  - domain: example.test.\n    storage: {d}\n    dnssec-signing: on\n    dnssec-policy: offline\n"
        ),
    )
    .unwrap();
    let keymgr = |args: &[&str]| {
        Command::new("keymgr")
            .arg("-c")
            .arg(&conf)
            .arg("example.test.")
            .args(args)
            .output()
            .unwrap()
    };
    assert!(keymgr(&["generate", "ksk=no", "zsk=yes"]).status.success());

    let doc = load("knot-example.test.skr").to_document("x");
    let ours = TextDocument::from_document(&doc, Format::Knot);
    let good = dir.path().join("ours.skr");
    std::fs::write(&good, dialect::write(&ours)).unwrap();
    let out = keymgr(&["import-skr", good.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut damaged = ours.clone();
    for r in &mut damaged.snapshots[3].records {
        if let RecordData::Rrsig(s) = &mut r.data {
            s.signature_data[5] ^= 1;
        }
    }
    let bad = dir.path().join("bad.skr");
    std::fs::write(&bad, dialect::write(&damaged)).unwrap();
    let out = keymgr(&["import-skr", bad.to_str().unwrap()]);
    assert!(!out.status.success(), "Knot accepted a damaged signature");
}
