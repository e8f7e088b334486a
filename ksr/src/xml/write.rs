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
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    write_document(&mut w, doc).expect("writing into a Vec cannot fail");
    let mut out = w.into_inner();
    out.push(b'\n');
    out
}

fn write_document(w: &mut W, doc: &Document) -> io::Result<()> {
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
                for b in &doc.bundles {
                    bundle(w, bundle_tag, doc.kind, b)?;
                }
                Ok(())
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
