//! `ksr::format`: one `Format` detects, reads and writes IANA XML, Knot and
//! BIND text; `ksr::verify` is the library call the CLI renders.

use ksr::format::{self, Format};
use ksr::model::Kind;
use ksr::testkit::{date, fixture, fixture_path};
use ksr::verify::{verify, VerifyError, VerifyInput};
use ksr::xml::ParseOptions;
use std::path::PathBuf;

fn text_data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/format_data")
        .join(name)
}

#[test]
fn detect_tells_xml_from_text_by_content() {
    assert_eq!(
        Format::detect(b"<?xml version=\"1.0\"?><KSR/>"),
        Format::IanaXml
    );
    assert_eq!(
        Format::detect(b"\n  ;; KeySigningRequest 1.0 1"),
        Format::Knot
    );
    assert_eq!(Format::detect(b""), Format::IanaXml);
    assert!(Format::Bind.is_text() && Format::Knot.is_text() && !Format::IanaXml.is_text());
    assert_eq!(Format::from_dialect_name("BIND"), Some(Format::Bind));
    assert_eq!(Format::from_dialect_name("xml"), None);
}

#[test]
fn every_format_writes_what_it_reads_back() {
    let skr = fixture("skr-root-2017-q2-0.xml");
    let opts = ParseOptions::default();
    for f in [Format::IanaXml, Format::Knot, Format::Bind] {
        let bytes = f.write(&skr);
        let (again, read_as) = format::read(&bytes, "mem", &opts).unwrap();
        assert_eq!(read_as, f, "{f:?}");
        assert_eq!(again.kind, Kind::Response);
        assert_eq!(again.bundles.len(), skr.bundles.len());
        for (a, b) in again.bundles.iter().zip(&skr.bundles) {
            assert_eq!(a.inception, b.inception);
            let pk = |k: &ksr::Key| (k.flags, k.algorithm, k.public_key.clone());
            assert_eq!(
                a.keys.iter().map(pk).collect::<Vec<_>>(),
                b.keys.iter().map(pk).collect::<Vec<_>>()
            );
            assert_eq!(a.signatures.len(), b.signatures.len());
        }
        if f == Format::IanaXml {
            assert_eq!(again, skr);
        } else {
            // Text has no ids: bundles are named by their snapshot time.
            assert_eq!(again.id, "");
            assert_eq!(again.bundles[0].id, "20170401000000");
        }
        // The same document always gives the same bytes.
        assert_eq!(f.write(&skr), bytes);
    }
}

#[test]
fn read_file_keeps_the_size_cap_and_the_parser_errors() {
    let small = ParseOptions { max_size: 100 };
    let e = format::read_file(&fixture_path("ksr-root-2017-q2-0.xml"), &small).unwrap_err();
    assert!(
        e.to_string().ends_with(
            "over the limit of 100 bytes; if it is genuine, raise the limit with --max-size"
        ),
        "{e}"
    );
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.skr");
    std::fs::write(
        &p,
        ";; SignedKeyResponse 1.0 1491004800\n. 172800 IN DNSKEY 257 3 8 !!!\n",
    )
    .unwrap();
    let e = format::read_file(&p, &ParseOptions::default()).unwrap_err();
    assert_eq!(e.file, p.display().to_string());
    assert_eq!(e.line, 2);
    assert!(
        e.to_string().starts_with(&format!("{}:2: ", p.display())),
        "{e}"
    );
    // The bytes read come back for a hash.
    let (doc, f, bytes) = format::read_file_bytes(
        &text_data("knot-example.test.ksr"),
        &ParseOptions::default(),
    )
    .unwrap();
    assert_eq!((doc.kind, f), (Kind::Request, Format::Knot));
    assert_eq!(
        bytes,
        std::fs::read(text_data("knot-example.test.ksr")).unwrap()
    );
}

#[test]
fn verify_is_a_library_call_with_the_cli_s_choices() {
    let mut input = VerifyInput::new(fixture_path("ksr-root-2017-q2-0.xml"), date("2017-03-20"));
    input.previous_skr = Some(fixture_path("skr-root-2017-q1-0.xml"));
    let v = verify(&input).unwrap();
    assert_eq!(v.describe(), "IANA XML KSR");
    assert_eq!(v.report.results.len(), 16);
    assert!(!v.report.failed(), "{}", ksr::render::text(&v.report));

    // An SKR at an explicit time gets the importer's checks.
    let mut input = VerifyInput::new(fixture_path("skr-root-2017-q2-0.xml"), date("2017-04-05"));
    let plain = verify(&input).unwrap();
    assert!(plain.report.get("SKR-SIG-WINDOW").is_none());
    input.at_given = true;
    input.ksk_tags = vec![19036];
    let v = verify(&input).unwrap();
    assert_eq!(
        v.report.get("SKR-KSK-PINNED").unwrap().outcome,
        ksr::check::Outcome::Pass
    );
    assert!(v.report.get("SKR-SIG-WINDOW").is_some());

    // Importer inputs on a KSR, or a KSR given as the previous SKR, are usage errors.
    let mut input = VerifyInput::new(fixture_path("ksr-root-2017-q2-0.xml"), date("2017-03-20"));
    input.ksk_tags = vec![19036];
    assert!(matches!(verify(&input), Err(VerifyError::Usage(_))));
    let mut input = VerifyInput::new(fixture_path("ksr-root-2017-q2-0.xml"), date("2017-03-20"));
    input.previous_skr = Some(fixture_path("ksr-root-2017-q2-0.xml"));
    let e = verify(&input).unwrap_err();
    assert!(
        e.to_string()
            .contains("this is a KSR (Request), not an SKR"),
        "{e}"
    );

    // A text KSR: the checks the text format cannot feed say SKIP.
    let input = VerifyInput::new(text_data("knot-example.test.ksr"), date("2026-11-25"));
    let v = verify(&input).unwrap();
    assert_eq!(v.format, Format::Knot);
    assert_eq!(
        v.report.get("KSR-ID").unwrap().outcome,
        ksr::check::Outcome::Skip
    );
}
