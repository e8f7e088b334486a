//! What every fuzz target asserts, shared with the regression tests
//! (`ksr/tests/hardening_fuzz_regressions.rs` includes this file), so a crash
//! input committed under `ksr/tests/fuzz_regressions/TARGET/` replays exactly
//! what the fuzzer ran. Library entry points used (the narrowest ones):
//! `ksr::xml::{parse, parse_both_ways, write}`, `ksr::dialect::{parse, write}`,
//! `ksr::policy::Policy::{from_toml_str, to_toml}`, `ksr::check::{check, import}`.
#![allow(dead_code)]

use ksr::check::{check, import, Context};
use ksr::model::Document;
use ksr::policy::Policy;
use ksr::xml::ParseOptions;
use std::sync::OnceLock;

/// The IANA XML reader: any input is parsed or refused, never a panic; what
/// it accepts, the writer writes back to bytes that parse to the same model.
/// Its element tree built on two threads, split at a tag the input picks (a
/// bundle's start tag near the middle, as for long documents, or any other),
/// gives exactly what one thread gives: the same document or the same error.
pub fn xml(data: &[u8]) {
    let options = ParseOptions::default();
    let tags: Vec<usize> = (0..data.len()).filter(|&i| data[i] == b'<').collect();
    if !tags.is_empty() {
        let middle = data.len() / 2;
        let bundle = tags.iter().copied().find(|&i| {
            i >= middle
                && (data[i..].starts_with(b"<RequestBundle")
                    || data[i..].starts_with(b"<ResponseBundle"))
        });
        let picked = tags[usize::from(data[0]) * 7 % tags.len()];
        for split in bundle.into_iter().chain([picked]) {
            let [one, two] = ksr::xml::parse_both_ways(data, "fuzz.xml", &options, split);
            assert_eq!(
                one, two,
                "one thread and two split at byte {split} disagree"
            );
        }
    }
    if let Ok(doc) = ksr::xml::parse(data, "fuzz.xml", &options) {
        let again = ksr::xml::parse(&ksr::xml::write(&doc), "rewritten.xml", &options)
            .unwrap_or_else(|e| panic!("what ksr writes, ksr reads: {e}"));
        assert_eq!(doc, again, "a document must survive write and read");
    }
}

/// The Knot/BIND text reader: parsed or refused, never a panic; what it
/// accepts, its writer writes back to text that reads as the same document.
pub fn dialect(data: &[u8]) {
    let options = ParseOptions::default();
    if let Ok(doc) = ksr::dialect::parse(data, "fuzz.skr", &options) {
        let again = ksr::dialect::parse(&ksr::dialect::write(&doc), "rewritten.skr", &options)
            .unwrap_or_else(|e| panic!("what ksr writes, ksr reads: {e}"));
        assert_eq!(doc.to_document("fuzz"), again.to_document("fuzz"));
    }
}

fn fixtures() -> &'static (Document, Document) {
    static DOCS: OnceLock<(Document, Document)> = OnceLock::new();
    DOCS.get_or_init(|| {
        let parse = |bytes: &[u8]| {
            ksr::xml::parse(bytes, "fixture", &ParseOptions::default()).expect("fixture parses")
        };
        (
            parse(include_bytes!(
                "../../tests/fixtures/iana-root/ksr-root-2017-q2-0.xml"
            )),
            parse(include_bytes!(
                "../../tests/fixtures/iana-root/skr-root-2017-q1-0.xml"
            )),
        )
    })
}

/// The operator policy reader: parsed or refused, never a panic; an accepted
/// policy prints as TOML that reads back equal, and every check runs with it
/// over a real root KSR (against the previous SKR) without a panic.
pub fn policy(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(policy) = Policy::from_toml_str(text, "fuzz.toml") else {
        return;
    };
    let again = Policy::from_toml_str(&policy.to_toml(), "printed.toml")
        .unwrap_or_else(|e| panic!("a printed policy reads back: {e}"));
    assert_eq!(policy, again, "a policy must survive printing");
    let (ksr, previous) = fixtures();
    let at = time::macros::datetime!(2017-03-20 00:00 UTC);
    let ctx = Context::new(&policy, at).with_previous(previous);
    let _ = check(ksr, &ctx).lines();
}

/// `ksr verify` through the library: format detection, either reader, every
/// named check (root policy; at a fixed time and at the document's own first
/// inception), the text-dialect limits, the importer's checks, and the report
/// as text and JSON. Never a panic.
pub fn verify(data: &[u8]) {
    let Ok((doc, format)) = ksr::format::read(data, "fuzz", &ParseOptions::default()) else {
        return;
    };
    let policy = Policy::root();
    let fixed = time::macros::datetime!(2017-03-20 00:00 UTC);
    let own = doc.bundles.first().map(|b| b.inception).unwrap_or(fixed);
    for at in [fixed, own] {
        let ctx = Context::new(&policy, at);
        let mut report = check(&doc, &ctx);
        import::apply_text_dialect_limits(&mut report, &doc, format, None);
        report
            .results
            .push(import::sig_window(&doc, at, policy.min_signature_remaining));
        report.results.push(import::matches_ksr(&doc, format, None));
        let _ = report.lines();
        let _ = serde_json::to_string(&report).expect("a report serialises");
    }
}
