//! Deterministic writer: element order as in IANA's files, two-space indentation,
//! times as `YYYY-MM-DDTHH:MM:SS+00:00`, every value escaped by quick-xml.

use crate::model::{AlgorithmParams, Bundle, Document, Key, Kind, PolicyBlock, Signature};
use crate::timefmt::{format_duration, format_time};
use base64::Engine;
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;
use std::io;

type W = Writer<Vec<u8>>;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn leaf(w: &mut W, name: &str, value: &str) -> io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(value))?;
    Ok(())
}

pub(crate) fn document(doc: &Document) -> Vec<u8> {
    split(doc, SPLIT_AT)
}

/// [`document`], with `split_at` bundles or more written on two threads.
fn split(doc: &Document, split_at: usize) -> Vec<u8> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    write_document(&mut w, doc, split_at).expect("writing into a Vec cannot fail");
    let mut out = w.into_inner();
    out.push(b'\n');
    out
}

fn write_document(w: &mut W, doc: &Document, split_at: usize) -> io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let serial = doc.serial.to_string();
    let (tag, policy_tag, bundle_tag) = match doc.kind {
        Kind::Request => ("Request", "RequestPolicy", "RequestBundle"),
        Kind::Response => ("Response", "ResponsePolicy", "ResponseBundle"),
    };
    w.create_element("KSR")
        .with_attributes([
            ("id", doc.id.as_str()),
            ("domain", doc.domain.as_str()),
            ("serial", serial.as_str()),
        ])
        .write_inner_content(|w| {
            let timestamp = doc.timestamp.map(format_time);
            let mut body = w.create_element(tag);
            if let Some(ts) = &timestamp {
                body = body.with_attribute(("timestamp", ts.as_str()));
            }
            body.write_inner_content(|w| {
                w.create_element(policy_tag).write_inner_content(|w| {
                    // The format has a KSK block in responses only.
                    if let (Kind::Response, Some(ksk)) = (doc.kind, &doc.ksk_policy) {
                        policy_block(w, "KSK", ksk)?;
                    }
                    policy_block(w, "ZSK", &doc.zsk_policy)
                })?;
                bundles(w, (bundle_tag, doc.kind), &doc.bundles, split_at)
            })?;
            Ok(())
        })?;
    Ok(())
}

fn policy_block(w: &mut W, name: &str, p: &PolicyBlock) -> io::Result<()> {
    w.create_element(name).write_inner_content(|w| {
        leaf(w, "PublishSafety", &format_duration(p.publish_safety))?;
        leaf(w, "RetireSafety", &format_duration(p.retire_safety))?;
        leaf(
            w,
            "MaxSignatureValidity",
            &format_duration(p.max_signature_validity),
        )?;
        leaf(
            w,
            "MinSignatureValidity",
            &format_duration(p.min_signature_validity),
        )?;
        leaf(
            w,
            "MaxValidityOverlap",
            &format_duration(p.max_validity_overlap),
        )?;
        leaf(
            w,
            "MinValidityOverlap",
            &format_duration(p.min_validity_overlap),
        )?;
        for a in &p.algorithms {
            let alg = a.algorithm.to_string();
            let el = w
                .create_element("SignatureAlgorithm")
                .with_attribute(("algorithm", alg.as_str()));
            match a.params {
                AlgorithmParams::Rsa { size, exponent } => {
                    let (size, exponent) = (size.to_string(), exponent.to_string());
                    el.write_inner_content(|w| {
                        w.create_element("RSA")
                            .with_attributes([
                                ("size", size.as_str()),
                                ("exponent", exponent.as_str()),
                            ])
                            .write_empty()?;
                        Ok(())
                    })?;
                }
                AlgorithmParams::Ecdsa { size } => {
                    let size = size.to_string();
                    el.write_inner_content(|w| {
                        w.create_element("ECDSA")
                            .with_attribute(("size", size.as_str()))
                            .write_empty()?;
                        Ok(())
                    })?;
                }
                AlgorithmParams::None => {
                    el.write_empty()?;
                }
            }
        }
        Ok(())
    })?;
    Ok(())
}

/// Below this many bundles one thread writes them all.
const SPLIT_AT: usize = 64;

/// Writes the bundles, a long run of them on two threads: the second half
/// goes to a writer of its own, two elements deep like the bundles here, and
/// its bytes are appended after the first half's. Indentation depends only on
/// depth, so the bytes are those one writer gives (`parallel_write_is_serial`).
fn bundles(
    w: &mut W,
    (tag, kind): (&str, Kind),
    all: &[Bundle],
    split_at: usize,
) -> io::Result<()> {
    if all.len() < split_at.max(2) {
        return all.iter().try_for_each(|b| bundle(w, tag, kind, b));
    }
    let (first, second) = all.split_at(all.len() / 2);
    let (done, later) = std::thread::scope(|scope| {
        let later =
            scope.spawn(|| nested(|w| second.iter().try_for_each(|b| bundle(w, tag, kind, b))));
        let done = first.iter().try_for_each(|b| bundle(w, tag, kind, b));
        (done, later.join())
    });
    done?;
    let bytes = later.map_err(|_| io::Error::other("the bundle writing thread panicked"))??;
    w.get_mut().extend_from_slice(&bytes);
    Ok(())
}

/// What `f` writes two elements deep (where bundles stand), without the two
/// start tags that put it there.
fn nested(f: impl FnOnce(&mut W) -> io::Result<()>) -> io::Result<Vec<u8>> {
    use quick_xml::events::BytesStart;
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Start(BytesStart::new("KSR")))?;
    w.write_event(Event::Start(BytesStart::new("Response")))?;
    let skip = w.get_ref().len();
    f(&mut w)?;
    let mut out = w.into_inner();
    out.drain(..skip);
    Ok(out)
}

fn bundle(w: &mut W, tag: &str, kind: Kind, b: &Bundle) -> io::Result<()> {
    w.create_element(tag)
        .with_attribute(("id", b.id.as_str()))
        .write_inner_content(|w| {
            leaf(w, "Inception", &format_time(b.inception))?;
            leaf(w, "Expiration", &format_time(b.expiration))?;
            // Signer elements exist in requests only.
            let signers = if kind == Kind::Request {
                &b.signers[..]
            } else {
                &[]
            };
            for s in signers {
                w.create_element("Signer")
                    .with_attribute(("keyIdentifier", s.as_str()))
                    .write_empty()?;
            }
            for k in &b.keys {
                key(w, k)?;
            }
            for s in &b.signatures {
                signature(w, s)?;
            }
            Ok(())
        })?;
    Ok(())
}

fn key(w: &mut W, k: &Key) -> io::Result<()> {
    let tag = k.key_tag.to_string();
    w.create_element("Key")
        .with_attributes([
            ("keyIdentifier", k.key_identifier.as_str()),
            ("keyTag", tag.as_str()),
        ])
        .write_inner_content(|w| {
            leaf(w, "TTL", &k.ttl.to_string())?;
            leaf(w, "Flags", &k.flags.to_string())?;
            leaf(w, "Protocol", &k.protocol.to_string())?;
            leaf(w, "Algorithm", &k.algorithm.to_string())?;
            leaf(w, "PublicKey", &b64(&k.public_key))
        })?;
    Ok(())
}

fn signature(w: &mut W, s: &Signature) -> io::Result<()> {
    w.create_element("Signature")
        .with_attribute(("keyIdentifier", s.key_identifier.as_str()))
        .write_inner_content(|w| {
            leaf(w, "TTL", &s.ttl.to_string())?;
            leaf(w, "TypeCovered", &s.type_covered)?;
            leaf(w, "Algorithm", &s.algorithm.to_string())?;
            leaf(w, "Labels", &s.labels.to_string())?;
            leaf(w, "OriginalTTL", &s.original_ttl.to_string())?;
            leaf(w, "SignatureExpiration", &format_time(s.expiration))?;
            leaf(w, "SignatureInception", &format_time(s.inception))?;
            leaf(w, "KeyTag", &s.key_tag.to_string())?;
            leaf(w, "SignersName", &s.signers_name)?;
            leaf(w, "SignatureData", &b64(&s.signature_data))
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_write_is_serial() {
        let root = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/iana-root/skr-root-2017-q2-0.xml"
        ))
        .unwrap();
        let doc = crate::xml::parse(&root, "skr", &Default::default()).unwrap();
        // Long enough to be split, and an odd count; a request too.
        let mut long = doc.clone();
        long.bundles = (0..201)
            .map(|i| {
                let mut b = doc.bundles[i % doc.bundles.len()].clone();
                b.id = format!("bundle-{i}");
                b
            })
            .collect();
        let mut request = long.clone();
        request.kind = Kind::Request;
        for d in [&doc, &long, &request] {
            let one = split(d, usize::MAX);
            for at in [2, 3, SPLIT_AT] {
                assert_eq!(
                    split(d, at),
                    one,
                    "{} bundles split at {at}",
                    d.bundles.len()
                );
            }
            assert_eq!(document(d), one);
        }
    }
}
