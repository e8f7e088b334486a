//! `ksr convert`: round trips IANA XML -> Knot -> BIND -> IANA XML keep every
//! record and signature (and `ksr verify` passes on each form), for the real
//! root SKRs and for the signers' own SKRs; what a target cannot express is
//! refused (exit 2) and nothing is written.

use ksr::convert::{self, SnapshotRecords};
use ksr::dialect::TextDocument;
use ksr::format::{self, Format};
use ksr::testkit::fixture_path;
use ksr::xml::ParseOptions;
use std::path::{Path, PathBuf};
mod common;

use common::ksr;

fn text_data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/format_data")
        .join(name)
}

/// Every record of a file, per snapshot, whatever its format.
fn records(path: &Path) -> Vec<SnapshotRecords> {
    let bytes = std::fs::read(path).unwrap();
    let options = ParseOptions::default();
    let text = if Format::detect(&bytes).is_text() {
        format::read_text(&bytes, "f", &options).unwrap()
    } else {
        let (doc, _) = format::read(&bytes, "f", &options).unwrap();
        TextDocument::from_document(&doc, Format::Bind)
    };
    convert::canonical(&text)
}

fn convert_to(from: &Path, to: &str, out: &Path) {
    let o = ksr(&[
        "convert",
        &from.display().to_string(),
        "--to",
        to,
        "--out",
        &out.display().to_string(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.0, 0, "convert {} --to {to}: {err}", from.display());
    assert!(err.contains("record(s)"), "{err}");
}

/// `ksr verify` passes: every check under the root policy for a root SKR; for
/// a signer's SKR (not the root's policy) every signature check.
fn verify_passes(path: &Path, root: bool) {
    let o = ksr(&["verify", &path.display().to_string()]);
    let out = String::from_utf8_lossy(&o.stdout);
    if root {
        assert_eq!(o.status.0, 0, "verify {}:\n{out}", path.display());
    }
    for check in ["SKR-VERIFY", "SKR-NO-GAPS"] {
        assert!(
            out.contains(&format!("PASS {check}")),
            "{}: {out}",
            path.display()
        );
    }
}

/// start -> knot -> bind -> iana -> knot; every hop keeps every record.
fn round_trip(start: &Path, expected_format_first: Format, root: bool) {
    let dir = tempfile::tempdir().unwrap();
    let original = records(start);
    assert!(original
        .iter()
        .any(|(_, r)| r.iter().any(|l| l.contains(" RRSIG "))));
    let knot = dir.path().join("a.knot");
    let bind = dir.path().join("a.bind");
    let iana = dir.path().join("a.xml");
    let knot2 = dir.path().join("b.knot");
    convert_to(start, "knot", &knot);
    convert_to(&knot, "bind", &bind);
    convert_to(&bind, "iana", &iana);
    convert_to(&iana, "knot", &knot2);
    for (path, format) in [
        (&knot, Format::Knot),
        (&bind, Format::Bind),
        (&iana, Format::IanaXml),
        (&knot2, Format::Knot),
    ] {
        assert_eq!(
            records(path),
            original,
            "{} lost or gained records",
            path.display()
        );
        let (_, read_as) = format::read_file(path, &ParseOptions::default()).unwrap();
        assert_eq!(read_as, format, "{}", path.display());
        verify_passes(path, root);
    }
    verify_passes(start, root);
    let (_, first) = format::read_file(start, &ParseOptions::default()).unwrap();
    assert_eq!(first, expected_format_first);
}

#[test]
fn root_skrs_round_trip_through_both_dialects() {
    for name in ["skr-root-2017-q1-0.xml", "skr-root-2017-q2-0.xml"] {
        round_trip(&fixture_path(name), Format::IanaXml, true);
    }
}

#[test]
fn knot_skr_round_trips_through_bind_and_iana() {
    round_trip(&text_data("knot-example.test.skr"), Format::Knot, false);
}

#[test]
fn cds_records_survive_text_to_text_and_refuse_iana() {
    let dir = tempfile::tempdir().unwrap();
    let src = text_data("knot-cds-example.test.skr");
    let bind = dir.path().join("cds.bind");
    convert_to(&src, "bind", &bind);
    assert_eq!(records(&bind), records(&src));
    assert!(std::fs::read_to_string(&bind).unwrap().contains(" IN CDS "));

    let out = dir.path().join("cds.xml");
    let o = ksr(&[
        "convert",
        &bind.display().to_string(),
        "--to",
        "iana",
        "--out",
        &out.display().to_string(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.0, 2, "{err}");
    assert!(
        err.contains("IANA XML cannot express") && err.contains("CDS"),
        "{err}"
    );
    assert!(!out.exists(), "nothing may be written on a refusal");
}

#[test]
fn an_iana_ksr_with_proof_of_possession_signatures_has_no_text_form() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ksr.knot");
    let ksr_file = fixture_path("ksr-root-2017-q2-0.xml");
    let o = ksr(&[
        "convert",
        &ksr_file.display().to_string(),
        "--to",
        "knot",
        "--out",
        &out.display().to_string(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.0, 2, "{err}");
    assert!(err.contains("proof-of-possession"), "{err}");
    assert!(!out.exists());
    // The same KSR to XML again is fine (nothing to lose).
    let o = ksr(&["convert", &ksr_file.display().to_string(), "--to", "iana"]);
    assert_eq!(o.status.0, 0, "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("<KSR"));
}

#[test]
fn a_text_ksr_converts_between_dialects() {
    let dir = tempfile::tempdir().unwrap();
    let src = text_data("knot-example.test.ksr");
    let bind = dir.path().join("k.bind");
    convert_to(&src, "bind", &bind);
    assert_eq!(records(&bind), records(&src));
    let text = std::fs::read_to_string(&bind).unwrap();
    assert!(text.starts_with(";; KeySigningRequest 1.0 20"), "{text}");
}

#[test]
fn zone_fragments_hold_every_record_under_their_window() {
    let src = fixture_path("skr-root-2017-q1-0.xml");
    let o = ksr(&["convert", &src.display().to_string(), "--to", "zone"]);
    assert_eq!(o.status.0, 0, "{}", String::from_utf8_lossy(&o.stderr));
    let zone = String::from_utf8(o.stdout).unwrap();
    let (doc, _) = format::read_file(&src, &ParseOptions::default()).unwrap();
    let headers: Vec<&str> = zone
        .lines()
        .filter(|l| l.starts_with("; bundle "))
        .collect();
    assert_eq!(headers.len(), doc.bundles.len());
    assert!(
        headers[0].contains("publish from 2017-01-01T00:00:00Z until 2017-01-22T00:00:00Z"),
        "{}",
        headers[0]
    );
    let fragments = convert::zone_records(zone.as_bytes());
    for (frag, b) in fragments.iter().zip(&doc.bundles) {
        assert_eq!(frag.len(), b.keys.len() + b.signatures.len());
    }
    // A KSR has no signed RRset to publish.
    let ksr_file = fixture_path("ksr-root-2017-q2-0.xml");
    let o = ksr(&["convert", &ksr_file.display().to_string(), "--to", "zone"]);
    assert_eq!(o.status.0, 2);
}

#[test]
fn the_after_write_check_catches_a_changed_signature() {
    let src = fixture_path("skr-root-2017-q1-0.xml");
    let bytes = std::fs::read(&src).unwrap();
    let c = convert::convert(
        &bytes,
        "skr.xml",
        &ParseOptions::default(),
        convert::Target::Format(Format::Knot),
    )
    .unwrap();
    convert::check_same_records(&c.bytes, "out", &c.expected).unwrap();
    let text = String::from_utf8(c.bytes).unwrap();
    let sig = text.lines().find(|l| l.contains(" RRSIG ")).unwrap();
    let tail = sig.rsplit(' ').next().unwrap();
    let flipped: String = tail
        .chars()
        .enumerate()
        .map(|(i, ch)| {
            if i == 10 {
                if ch == 'A' {
                    'B'
                } else {
                    'A'
                }
            } else {
                ch
            }
        })
        .collect();
    let tampered = text.replacen(tail, &flipped, 1);
    let e = convert::check_same_records(tampered.as_bytes(), "out", &c.expected).unwrap_err();
    assert!(e.to_string().contains("lost"), "{e}");
}

#[test]
fn an_unknown_target_is_a_usage_error() {
    let src = fixture_path("skr-root-2017-q1-0.xml");
    let o = ksr(&["convert", &src.display().to_string(), "--to", "pdns"]);
    assert_eq!(o.status.0, 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("iana, knot, bind or zone"));
}

#[test]
fn a_text_ksr_to_iana_is_refused_naming_the_input_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let src = text_data("knot-example.test.ksr");
    let src_name = src.display().to_string();
    let out = dir.path().join("k.xml");
    let out_name = out.display().to_string();
    for args in [
        vec!["convert", &src_name, "--to", "iana"],
        vec!["convert", &src_name, "--to", "iana", "--out", &out_name],
    ] {
        let o = ksr(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.0, 2, "{err}");
        assert!(o.stdout.is_empty());
        assert!(err.starts_with(&format!("ksr: {src_name}: ")), "{err}");
        assert!(
            err.contains("proof-of-possession") && err.contains("ceremony sign-ksr"),
            "{err}"
        );
        assert!(!err.contains("(stdout)") && !err.contains("k.xml"), "{err}");
        assert!(!out.exists());
    }
}

#[test]
fn a_bind_skr_from_before_1970_is_refused_towards_knot_naming_the_input() {
    let dir = tempfile::tempdir().unwrap();
    let bind = dir.path().join("skr.bind");
    convert_to(&text_data("knot-example.test.skr"), "bind", &bind);
    let text = std::fs::read_to_string(&bind).unwrap();
    let first = text.lines().next().unwrap();
    let old = first.split_whitespace().nth(3).unwrap();
    std::fs::write(&bind, text.replacen(old, "00001125190413", 1)).unwrap();
    let bind_name = bind.display().to_string();
    let out = dir.path().join("skr.knot");
    for extra in [vec![], vec!["--out", out.to_str().unwrap()]] {
        let mut args = vec!["convert", &bind_name, "--to", "knot"];
        args.extend(extra);
        let o = ksr(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.0, 2, "{err}");
        assert!(err.starts_with(&format!("ksr: {bind_name}: ")), "{err}");
        assert!(err.contains("before 1970"), "{err}");
        assert!(
            !err.contains("(stdout)") && !err.contains("skr.knot"),
            "{err}"
        );
        assert!(!out.exists());
    }
    // Year 0000 has a four-digit form: BIND text and IANA XML carry it.
    let xml = dir.path().join("skr.xml");
    convert_to(&bind, "iana", &xml);
    assert_eq!(records(&xml), records(&bind));
}

#[test]
fn a_result_that_does_not_read_back_is_reported_as_the_conversions_fault() {
    let src = text_data("knot-example.test.skr");
    let bytes = std::fs::read(&src).unwrap();
    let c = convert::convert(
        &bytes,
        "in.skr",
        &ParseOptions::default(),
        convert::Target::Format(Format::Bind),
    )
    .unwrap();
    let text = String::from_utf8(c.bytes).unwrap();
    let header = text.lines().next().unwrap();
    let broken = text.replacen(header, ";; SignedKeyResponse 1.0 -1", 1);
    let e = convert::check_same_records(broken.as_bytes(), "in.skr", &c.expected).unwrap_err();
    let e = e.to_string();
    assert!(
        e.starts_with("in.skr: the result of converting it to Knot/BIND text does not read back: line 1: header: "),
        "{e}"
    );
}
