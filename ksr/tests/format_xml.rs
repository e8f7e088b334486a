//! IANA KSR/SKR XML against the real root fixtures: parse, verify, round trip,
//! and one crafted refusal per rule, each naming its line and element.

use ksr::dnssec;
use ksr::model::{Document, Kind};
use ksr::xml::{self, ParseError, ParseOptions};
use std::path::PathBuf;

const FIXTURES: [&str; 5] = [
    "ksr-root-2009-q4-2.xml",
    "ksr-root-2010-q1-0.xml",
    "ksr-root-2017-q2-0.xml",
    "skr-root-2017-q1-0.xml",
    "skr-root-2017-q2-0.xml",
];

fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/iana-root")
        .join(name)
}

fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(fixture_path(name)).unwrap()
}

fn load(name: &str) -> Document {
    xml::parse_file(&fixture_path(name), &ParseOptions::default()).unwrap()
}

fn parse_str(text: &str) -> Result<Document, ParseError> {
    xml::parse(text.as_bytes(), "crafted.xml", &ParseOptions::default())
}

/// 1-based line of the first occurrence of `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in text"));
    1 + text[..at].matches('\n').count()
}

/// Replaces the first occurrence of `from` and returns the text and the line of the change.
fn mutate(name: &str, from: &str, to: &str) -> (String, usize) {
    let text = fixture_text(name);
    let line = line_of(&text, from);
    (text.replacen(from, to, 1), line)
}

fn refused(text: &str) -> ParseError {
    match parse_str(text) {
        Ok(_) => panic!("crafted input was accepted"),
        Err(e) => e,
    }
}

#[test]
fn all_fixtures_parse() {
    let expect = [
        (Kind::Request, 6),
        (Kind::Request, 9),
        (Kind::Request, 9),
        (Kind::Response, 9),
        (Kind::Response, 9),
    ];
    for (name, (kind, bundles)) in FIXTURES.iter().zip(expect) {
        let doc = load(name);
        assert_eq!(doc.kind, kind, "{name}");
        assert_eq!(doc.bundles.len(), bundles, "{name}");
        assert_eq!(doc.domain, ".");
        assert_eq!(doc.ksk_policy.is_some(), kind == Kind::Response);
        for b in &doc.bundles {
            assert!(b.expiration > b.inception);
            for k in &b.keys {
                assert_eq!(
                    dnssec::key_tag(k),
                    k.key_tag,
                    "{name}: key {}",
                    k.key_identifier
                );
            }
        }
    }
}

#[test]
fn skr_2017_q2_content() {
    let doc = load("skr-root-2017-q2-0.xml");
    assert_eq!(doc.id, "23e34059-7725-46a8-a7d2-662d657aab2b");
    assert_eq!(doc.serial, 1);
    let ksk = doc.ksk_policy.as_ref().unwrap();
    assert_eq!(ksk.retire_safety, 28 * 86_400);
    assert_eq!(ksk.publish_safety, 0);
    assert_eq!(
        ksk.algorithms[0].params,
        ksr::model::AlgorithmParams::Rsa {
            size: 2048,
            exponent: 65537
        }
    );
    let first = &doc.bundles[0];
    assert_eq!(
        ksr::timefmt::format_time(first.inception),
        "2017-04-01T00:00:00+00:00"
    );
    assert_eq!(
        ksr::timefmt::format_time(first.expiration),
        "2017-04-22T00:00:00+00:00"
    );
    for b in &doc.bundles {
        assert!(b.keys.iter().any(|k| k.key_tag == 19036 && k.is_ksk()));
    }
}

/// Every signature in a bundle verifies with the key its keyIdentifier names.
fn verify_all(doc: &Document) -> usize {
    let mut n = 0;
    for b in &doc.bundles {
        for s in &b.signatures {
            let signer = b
                .keys
                .iter()
                .find(|k| k.key_identifier == s.key_identifier)
                .expect("signer key in bundle");
            dnssec::verify_rrsig(&doc.domain, s, &b.keys, signer)
                .unwrap_or_else(|e| panic!("bundle {}: {e}", b.id));
            n += 1;
        }
    }
    n
}

#[test]
fn every_zsk_proof_of_possession_verifies() {
    let doc = load("ksr-root-2017-q2-0.xml");
    assert_eq!(verify_all(&doc), 11);
    for b in &doc.bundles {
        assert!(b.keys.iter().all(|k| !k.is_ksk()));
    }
    // The old KSRs too (2009: RSA-1024 with exponent 3).
    assert_eq!(verify_all(&load("ksr-root-2009-q4-2.xml")), 7);
    assert_eq!(verify_all(&load("ksr-root-2010-q1-0.xml")), 11);
}

#[test]
fn every_ksk_signature_verifies() {
    for name in ["skr-root-2017-q2-0.xml", "skr-root-2017-q1-0.xml"] {
        let doc = load(name);
        assert_eq!(verify_all(&doc), 9);
        for b in &doc.bundles {
            for s in &b.signatures {
                assert_eq!(s.key_tag, 19036);
            }
        }
    }
}

#[test]
fn swapped_signature_data_fails_to_verify() {
    let mut doc = load("ksr-root-2017-q2-0.xml");
    let b = &mut doc.bundles[0];
    assert_eq!(b.signatures.len(), 2);
    let (a, c) = (
        b.signatures[0].signature_data.clone(),
        b.signatures[1].signature_data.clone(),
    );
    b.signatures[0].signature_data = c;
    b.signatures[1].signature_data = a;
    for s in &b.signatures {
        let signer = b
            .keys
            .iter()
            .find(|k| k.key_identifier == s.key_identifier)
            .unwrap();
        assert_eq!(
            dnssec::verify_rrsig(".", s, &b.keys, signer),
            Err(dnssec::DnssecError::BadSignature)
        );
    }
}

#[test]
fn round_trip_and_determinism() {
    for name in FIXTURES {
        let doc = load(name);
        let bytes = xml::write(&doc);
        assert_eq!(
            bytes,
            xml::write(&doc),
            "{name}: write is not deterministic"
        );
        let again = xml::parse(&bytes, name, &ParseOptions::default()).unwrap();
        assert_eq!(
            again, doc,
            "{name}: parse -> write -> parse changed the document"
        );
        assert_eq!(xml::write(&again), bytes, "{name}: second write differs");
    }
}

#[test]
fn writer_style() {
    let doc = load("ksr-root-2017-q2-0.xml");
    let text = String::from_utf8(xml::write(&doc)).unwrap();
    assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<KSR id=\"23e34059-7725-46a8-a7d2-662d657aab2b\" domain=\".\" serial=\"1\">\n"));
    assert!(text.contains("\n      <Inception>2017-04-01T00:00:00+00:00</Inception>\n"));
    assert!(text.contains("<RSA size=\"2048\" exponent=\"65537\"/>"));
    assert!(text.ends_with("</KSR>\n"));
    // Element order inside a Signature, as in IANA's files.
    let order = [
        "<TTL>",
        "<TypeCovered>",
        "<Algorithm>",
        "<Labels>",
        "<OriginalTTL>",
        "<SignatureExpiration>",
        "<SignatureInception>",
        "<KeyTag>",
        "<SignersName>",
        "<SignatureData>",
    ];
    let sig = &text[text.find("<Signature ").unwrap()..];
    let mut pos = 0;
    for tag in order {
        pos += sig[pos..]
            .find(tag)
            .unwrap_or_else(|| panic!("{tag} out of order"));
    }
}

#[test]
fn values_are_escaped() {
    let mut doc = load("skr-root-2017-q2-0.xml");
    doc.id = "a<b>&\"c'".into();
    doc.bundles[0].keys[0].key_identifier = "x&y<z".into();
    let bytes = xml::write(&doc);
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(
        text.contains("id=\"a&lt;b&gt;&amp;&quot;c&apos;\""),
        "{}",
        &text[..200]
    );
    assert!(!text.contains("x&y<z"));
    let again = xml::parse(&bytes, "esc.xml", &ParseOptions::default()).unwrap();
    assert_eq!(again, doc);
}

// ---- refusals: each names the file, the line and the element ----

#[test]
fn refuses_doctype() {
    let text = fixture_text("ksr-root-2017-q2-0.xml");
    let text = format!("<!DOCTYPE KSR>\n{text}");
    let e = refused(&text);
    assert_eq!(e.file, "crafted.xml");
    assert_eq!(e.line, 1);
    assert!(e.message.contains("DOCTYPE"), "{e}");
}

#[test]
fn refuses_entity_declarations() {
    let text = fixture_text("skr-root-2017-q2-0.xml");
    let decl = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    let body = text.strip_prefix(decl).unwrap();
    let evil = format!(
        "{decl}<!DOCTYPE KSR [\n<!ENTITY lol \"lol\">\n<!ENTITY lol2 \"&lol;&lol;&lol;\">\n]>\n{}",
        body.replacen("domain=\".\"", "domain=\"&lol2;\"", 1)
    );
    let e = refused(&evil);
    assert_eq!(e.line, 2);
    assert!(
        e.message.contains("DOCTYPE") && e.message.contains("entities"),
        "{e}"
    );
}

#[test]
fn refuses_undeclared_entity_reference() {
    let (text, line) = mutate(
        "ksr-root-2017-q2-0.xml",
        "<TTL>172800</TTL>",
        "<TTL>&ttl;</TTL>",
    );
    let e = refused(&text);
    assert_eq!(e.line, line);
    assert!(e.element.ends_with("Key/TTL"), "{e}");
    assert!(e.message.contains("&ttl;"), "{e}");
}

#[test]
fn refuses_oversized_input() {
    let text = fixture_text("ksr-root-2017-q2-0.xml");
    let small = ParseOptions { max_size: 1000 };
    let e = xml::parse(text.as_bytes(), "big.xml", &small).unwrap_err();
    assert_eq!(e.file, "big.xml");
    assert!(
        e.message.contains("over the limit of 1000 bytes") && e.message.contains("--max-size"),
        "{e}"
    );
    let e = xml::parse_file(&fixture_path("ksr-root-2017-q2-0.xml"), &small).unwrap_err();
    assert!(e.file.ends_with("ksr-root-2017-q2-0.xml"));
    assert!(e.message.contains("over the limit"), "{e}");
    // The default limit is 1 MiB.
    let mut huge = text.clone().into_bytes();
    huge.resize(xml::DEFAULT_MAX_SIZE + 1, b' ');
    assert!(xml::parse(&huge, "huge.xml", &ParseOptions::default())
        .unwrap_err()
        .message
        .contains("1048576"));
    // Raising the limit accepts the same input.
    let big = ParseOptions {
        max_size: 2 * xml::DEFAULT_MAX_SIZE,
    };
    xml::parse(&huge, "huge.xml", &big).unwrap();
}

#[test]
fn refuses_non_utc_times() {
    let (text, line) = mutate(
        "skr-root-2017-q2-0.xml",
        "<Expiration>2017-04-22T00:00:00+00:00</Expiration>",
        "<Expiration>2017-04-22T00:00:00+02:00</Expiration>",
    );
    let e = refused(&text);
    assert_eq!(e.line, line);
    assert_eq!(e.element, "KSR/Response/ResponseBundle/Expiration");
    assert!(e.message.contains("UTC"), "{e}");

    let (text, line) = mutate(
        "ksr-root-2017-q2-0.xml",
        "<SignatureInception>2017-01-01T00:15:04+00:00",
        "<SignatureInception>2017-01-01T00:15:04-05:00",
    );
    let e = refused(&text);
    assert_eq!(e.line, line);
    assert_eq!(
        e.element,
        "KSR/Request/RequestBundle/Signature/SignatureInception"
    );
    // Times without a zone are UTC (the KSR fixtures are written that way) and Z is fine.
    let (text, _) = mutate(
        "skr-root-2017-q2-0.xml",
        "<Expiration>2017-04-22T00:00:00+00:00</Expiration>",
        "<Expiration>2017-04-22T00:00:00Z</Expiration>",
    );
    parse_str(&text).unwrap();
}

#[test]
fn refuses_missing_elements() {
    let text = fixture_text("ksr-root-2017-q2-0.xml");
    let start = text.find("<Expiration>").unwrap();
    let end = text[start..].find('\n').unwrap() + start + 1;
    let bundle_line = line_of(&text, "<RequestBundle ");
    let crafted = format!("{}{}", &text[..start], &text[end..]);
    let e = refused(&crafted);
    assert_eq!(e.line, bundle_line);
    assert_eq!(e.element, "KSR/Request/RequestBundle");
    assert!(e.message.contains("missing element <Expiration>"), "{e}");

    let (text, line) = mutate("skr-root-2017-q2-0.xml", "<Protocol>3</Protocol>\n", "");
    let key_line = line - 3; // the <Key ...> start tag, three lines above <Protocol>
    let e = refused(&text);
    assert_eq!(e.line, key_line);
    assert_eq!(e.element, "KSR/Response/ResponseBundle/Key");
    assert!(e.message.contains("missing element <Protocol>"), "{e}");

    let (text, line) = mutate("ksr-root-2017-q2-0.xml", " keyTag=\"14796\"", "");
    let e = refused(&text);
    assert_eq!(e.line, line);
    assert!(e.message.contains("missing attribute \"keyTag\""), "{e}");
}

#[test]
fn refuses_duplicated_elements() {
    let (text, line) = mutate(
        "skr-root-2017-q2-0.xml",
        "<Flags>256</Flags>",
        "<Flags>256</Flags>\n<Flags>257</Flags>",
    );
    let e = refused(&text);
    assert_eq!(e.line, line + 1);
    assert_eq!(e.element, "KSR/Response/ResponseBundle/Key/Flags");
    assert!(e.message.contains("duplicated element <Flags>"), "{e}");

    let (text, line) = mutate(
        "ksr-root-2017-q2-0.xml",
        "</RequestPolicy>",
        "  <ZSK/>\n    </RequestPolicy>",
    );
    let e = refused(&text);
    assert_eq!(e.line, line);
    assert_eq!(e.element, "KSR/Request/RequestPolicy/ZSK");
}

#[test]
fn refuses_unknown_elements() {
    let (text, line) = mutate(
        "ksr-root-2017-q2-0.xml",
        "<Protocol>3</Protocol>",
        "<Protocol>3</Protocol><Colour>blue</Colour>",
    );
    let e = refused(&text);
    assert_eq!(e.line, line);
    assert_eq!(e.element, "KSR/Request/RequestBundle/Key/Colour");
    assert!(e.message.contains("unknown element <Colour>"), "{e}");
    let shown = e.to_string();
    assert!(
        shown.starts_with(&format!(
            "crafted.xml:{line}: KSR/Request/RequestBundle/Key/Colour: "
        )),
        "{shown}"
    );
}

#[test]
fn refuses_unknown_algorithms() {
    let (text, line) = mutate(
        "skr-root-2017-q2-0.xml",
        "<Algorithm>8</Algorithm>",
        "<Algorithm>99</Algorithm>",
    );
    let e = refused(&text);
    assert_eq!(e.line, line);
    assert_eq!(e.element, "KSR/Response/ResponseBundle/Key/Algorithm");
    assert!(e.message.contains("unknown DNSSEC algorithm 99"), "{e}");

    let (text, line) = mutate(
        "ksr-root-2017-q2-0.xml",
        "<SignatureAlgorithm algorithm=\"8\">",
        "<SignatureAlgorithm algorithm=\"4\">",
    );
    let e = refused(&text);
    assert_eq!(e.line, line);
    assert_eq!(
        e.element,
        "KSR/Request/RequestPolicy/ZSK/SignatureAlgorithm@algorithm"
    );
}

#[test]
fn refuses_malformed_base64() {
    let text = fixture_text("ksr-root-2017-q2-0.xml");
    let at = text.find("<SignatureData>").unwrap() + "<SignatureData>".len();
    let line = line_of(&text, "<SignatureData>");
    let crafted = format!("{}!!{}", &text[..at], &text[at + 2..]);
    let e = refused(&crafted);
    assert_eq!(e.line, line);
    assert_eq!(
        e.element,
        "KSR/Request/RequestBundle/Signature/SignatureData"
    );
    assert!(e.message.contains("malformed base64"), "{e}");

    let (text, line) = mutate(
        "skr-root-2017-q2-0.xml",
        "lIc=</PublicKey>",
        "lIc</PublicKey>",
    );
    let e = refused(&text);
    assert_eq!(e.line, line);
    assert_eq!(e.element, "KSR/Response/ResponseBundle/Key/PublicKey");
}

#[test]
fn refuses_non_numeric_numbers() {
    let (text, line) = mutate(
        "skr-root-2017-q2-0.xml",
        "<TTL>172800</TTL>",
        "<TTL>two days</TTL>",
    );
    let e = refused(&text);
    assert_eq!(e.line, line);
    assert_eq!(e.element, "KSR/Response/ResponseBundle/Key/TTL");
    assert!(
        e.message
            .contains("\"two days\" is not a non-negative integer"),
        "{e}"
    );

    let (text, line) = mutate(
        "ksr-root-2017-q2-0.xml",
        "<KeyTag>14796</KeyTag>",
        "<KeyTag>99999</KeyTag>",
    );
    let e = refused(&text);
    assert_eq!(e.line, line);
    assert_eq!(e.element, "KSR/Request/RequestBundle/Signature/KeyTag");
    assert!(e.message.contains("out of range"), "{e}");

    let (text, line) = mutate("ksr-root-2017-q2-0.xml", "serial=\"1\"", "serial=\"-1\"");
    let e = refused(&text);
    assert_eq!(e.line, line);
    assert_eq!(e.element, "KSR@serial");
}

#[test]
fn refuses_bad_durations_and_broken_xml() {
    let (text, line) = mutate(
        "ksr-root-2017-q2-0.xml",
        "<MaxSignatureValidity>P21D</MaxSignatureValidity>",
        "<MaxSignatureValidity>P1M</MaxSignatureValidity>",
    );
    let e = refused(&text);
    assert_eq!(e.line, line);
    assert_eq!(
        e.element,
        "KSR/Request/RequestPolicy/ZSK/MaxSignatureValidity"
    );
    assert!(e.message.contains("months"), "{e}");

    let (text, line) = mutate("ksr-root-2017-q2-0.xml", "</Flags>", "</Flag>");
    let e = refused(&text);
    assert_eq!(e.line, line);
    assert!(e.message.contains("not well-formed"), "{e}");

    let e = refused("");
    assert!(e.message.contains("no KSR element"), "{e}");
    let e = refused("<Foo/>");
    assert!(e.message.contains("<KSR>"), "{e}");
}

#[test]
fn damaged_input_is_refused_never_panics() {
    // Every truncation point of a real file, and single-byte damage throughout it:
    // the reader must answer with an error (or a document), never panic.
    let text = fixture_text("skr-root-2017-q2-0.xml").into_bytes();
    for cut in (0..text.len()).step_by(97) {
        let r = xml::parse(&text[..cut], "cut.xml", &ParseOptions::default());
        assert!(r.is_err(), "truncated at {cut} was accepted");
    }
    for at in (0..text.len()).step_by(61) {
        for b in [b'<', b'>', b'&', b'"', 0u8, 0xff] {
            let mut damaged = text.clone();
            damaged[at] = b;
            let _ = xml::parse(&damaged, "damaged.xml", &ParseOptions::default());
        }
    }
}

#[test]
fn refuses_signer_in_a_response_but_keeps_it_in_a_request() {
    let (text, line) = mutate(
        "skr-root-2017-q2-0.xml",
        "<Key keyIdentifier=\"Kjqmt7v\"",
        "<Signer keyIdentifier=\"Kjqmt7v\"/>\n<Key keyIdentifier=\"Kjqmt7v\"",
    );
    let e = refused(&text);
    assert_eq!(e.line, line);
    assert_eq!(e.element, "KSR/Response/ResponseBundle/Signer");
    assert!(e.message.contains("not allowed in <ResponseBundle>"), "{e}");

    let (text, _) = mutate(
        "ksr-root-2017-q2-0.xml",
        "<Expiration>2017-04-22T00:00:00</Expiration>",
        "<Expiration>2017-04-22T00:00:00</Expiration>\n<Signer keyIdentifier=\"Kjqmt7v\"/>",
    );
    let doc = parse_str(&text).unwrap();
    assert_eq!(doc.bundles[0].signers, vec!["Kjqmt7v".to_string()]);
    let again = xml::parse(&xml::write(&doc), "w.xml", &ParseOptions::default()).unwrap();
    assert_eq!(again, doc);
}

#[test]
fn refuses_deep_nesting() {
    let deep = format!(
        "<KSR id=\"x\" domain=\".\" serial=\"1\">\n{}",
        "<a>".repeat(300_000)
    );
    let e = refused(&deep);
    assert_eq!(e.line, 2);
    assert!(e.message.contains("nested more than"), "{e}");
}
