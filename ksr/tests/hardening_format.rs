//! Issue 11, item 14: a text KSR/SKR that starts with a byte order mark or an
//! ordinary `;` comment is read as text, not as XML (which gave a misleading
//! XML error).

mod common;

use common::ksr;
use ksr::format::{self, Format};
use ksr::testkit::fixture_path;
use ksr::xml::ParseOptions;
use std::path::PathBuf;

fn text_skr() -> Vec<u8> {
    let p =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/format_data/knot-example.test.skr");
    std::fs::read(p).unwrap()
}

fn with_prefix(prefix: &[u8], body: &[u8]) -> Vec<u8> {
    let mut v = prefix.to_vec();
    v.extend_from_slice(body);
    v
}

#[test]
fn a_bom_or_a_comment_first_is_still_text() {
    let plain = text_skr();
    let opts = ParseOptions::default();
    let (want, fmt) = format::read(&plain, "plain.skr", &opts).unwrap();
    assert_eq!(fmt, Format::Knot);
    for prefix in [
        &b"\xEF\xBB\xBF"[..],
        b"; exported by the zone operator\n",
        b"\xEF\xBB\xBF; with both\n\n",
        b"\n  ; indented comment\n",
    ] {
        let bytes = with_prefix(prefix, &plain);
        assert!(Format::detect(&bytes).is_text(), "{prefix:?}");
        let (doc, fmt) =
            format::read(&bytes, "x.skr", &opts).unwrap_or_else(|e| panic!("{prefix:?}: {e}"));
        assert_eq!(fmt, Format::Knot);
        assert_eq!(doc, want, "{prefix:?}");
    }
}

#[test]
fn xml_stays_xml_with_or_without_a_bom() {
    let xml = std::fs::read(fixture_path("skr-root-2017-q2-0.xml")).unwrap();
    assert_eq!(Format::detect(&xml), Format::IanaXml);
    assert_eq!(
        Format::detect(&with_prefix(b"\xEF\xBB\xBF", &xml)),
        Format::IanaXml
    );
    // Something that is neither still gets the XML reader's error.
    assert_eq!(Format::detect(b"garbage"), Format::IanaXml);
}

#[test]
fn a_text_error_after_a_comment_is_a_text_error() {
    // Line 2 is not a record: the text reader, not the XML one, reports it.
    let bytes = b"; a comment\nthis is not a record\n";
    let e = format::read(bytes, "bad.skr", &ParseOptions::default()).unwrap_err();
    let shown = e.to_string();
    assert!(shown.starts_with("bad.skr:2"), "{shown}");
    assert!(!shown.to_lowercase().contains("xml"), "{shown}");
}

#[test]
fn ksr_inspect_reads_a_bom_text_skr() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bom.skr");
    std::fs::write(&p, with_prefix(b"\xEF\xBB\xBF; note\n", &text_skr())).unwrap();
    let o = ksr(&["inspect", p.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("Knot"), "{out}");
}
