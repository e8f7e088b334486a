//! Trust-anchor publication for a KSK: the RFC 9718 XML document
//! (`TrustAnchor` > `Zone`, `KeyDigest id validFrom` > `KeyTag`, `Algorithm`,
//! `DigestType`, `Digest`, `PublicKey`, `Flags`) and the DS records in zone-file form.

use ksr::dnssec;
use ksr::model::{Key, Time};
use ksr::{digest, timefmt};

use crate::error::{Error, Result};

/// Digest types published: SHA-256 (the XML carries this one) and SHA-384.
pub const DIGEST_TYPES: [u8; 2] = [2, 4];

/// The DS digest of `key` at `zone` for `digest_type`, upper-case hex as root-anchors.xml writes it.
pub fn ds_hex(zone: &str, key: &Key, digest_type: u8) -> Result<String> {
    let d = dnssec::ds_digest(zone, key, digest_type)
        .map_err(|e| Error::Input(format!("DS for {zone}: {e}")))?;
    Ok(hex::encode_upper(d))
}

/// DS records, one per digest type: `example.test. IN DS 12345 13 2 ABCD...`.
pub fn ds_records(zone: &str, key: &Key) -> Result<String> {
    let mut out = String::new();
    for t in DIGEST_TYPES {
        out.push_str(&format!(
            "{zone} IN DS {} {} {t} {}\n",
            key.key_tag,
            key.algorithm,
            ds_hex(zone, key, t)?
        ));
    }
    Ok(out)
}

/// Refuses text for the document that XML cannot carry (a control
/// character; escaping covers only markup), before the token is used.
pub fn printable(what: &str, text: &str) -> Result<()> {
    match text.chars().find(|c| c.is_control()) {
        Some(c) => Err(Error::Input(format!(
            "{what} {}: U+{:04X} is a control character, which a trust-anchor file cannot carry",
            ksr::escape::terminal(text),
            c as u32
        ))),
        None => Ok(()),
    }
}

/// The written file, read back as `ksr verify --trust-anchor` reads it, must
/// pin exactly `key` at `zone` from `valid_from`.
pub fn check_written(
    path: &std::path::Path,
    zone: &str,
    key: &Key,
    valid_from: Time,
) -> Result<()> {
    let failed = |why: String| Error::CheckFailed(format!("the written trust anchor {why}"));
    let ta = ksr::check::anchor::read_file(path)
        .map_err(|e| failed(format!("does not re-parse: {e}")))?;
    let [d] = ta.digests.as_slice() else {
        return Err(failed(format!(
            "holds {} key digests, not 1",
            ta.digests.len()
        )));
    };
    let pinned = d.matches(zone, key) == ksr::check::anchor::DigestMatch::Pinned;
    if ta.zone != zone.to_ascii_lowercase()
        || !pinned
        || d.valid_from.as_deref() != Some(timefmt::format_time(valid_from).as_str())
    {
        return Err(failed("does not pin the KSK as it was meant to".into()));
    }
    Ok(())
}

fn escape(s: &str) -> std::borrow::Cow<'_, str> {
    quick_xml::escape::escape(s)
}

/// The RFC 9718 document for one KSK. The `TrustAnchor id` is derived from the
/// content, so the same key, zone and time give the same bytes.
pub fn xml(zone: &str, key: &Key, valid_from: Time, source: Option<&str>) -> Result<String> {
    use base64::Engine as _;
    let sha256 = ds_hex(zone, key, 2)?;
    let valid_from = timefmt::format_time(valid_from);
    let id = super::uuid_shaped(&digest::sha256(
        format!("{zone} {} {sha256} {valid_from}", key.key_tag).as_bytes(),
    ))
    .to_uppercase();
    let source = source
        .map(|s| format!(" source=\"{}\"", escape(s)))
        .unwrap_or_default();
    Ok(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <TrustAnchor id=\"{id}\"{source}>\n\
         <Zone>{zone}</Zone>\n\
         <KeyDigest id=\"{kid}\" validFrom=\"{valid_from}\">\n\
         <KeyTag>{tag}</KeyTag>\n\
         <Algorithm>{alg}</Algorithm>\n\
         <DigestType>2</DigestType>\n\
         <Digest>{sha256}</Digest>\n\
         <PublicKey>{pk}</PublicKey>\n\
         <Flags>{flags}</Flags>\n\
         </KeyDigest>\n\
         </TrustAnchor>\n",
        zone = escape(zone),
        kid = escape(&key.key_identifier),
        tag = key.key_tag,
        alg = key.algorithm,
        pk = base64::engine::general_purpose::STANDARD.encode(&key.public_key),
        flags = key.flags,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A KSK with a made-up Ed25519 public key and its real tag.
    fn ksk(byte: u8) -> Key {
        let mut key = Key {
            key_identifier: "ksk".into(),
            key_tag: 0,
            ttl: 0,
            flags: 257,
            protocol: 3,
            algorithm: 15,
            public_key: vec![byte; 32],
        };
        key.key_tag = dnssec::key_tag(&key);
        key
    }

    #[test]
    fn the_written_file_must_pin_the_key_meant() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ta.xml");
        let at = timefmt::parse_at("2027-01-01T00:00:00Z").unwrap();
        let (a, b) = (ksk(1), ksk(2));
        std::fs::write(&path, xml(".", &a, at, Some("a & <b>")).unwrap()).unwrap();
        check_written(&path, ".", &a, at).unwrap();
        // Another key, another zone, another time: each is refused.
        assert!(check_written(&path, ".", &b, at).is_err());
        assert!(check_written(&path, "example.", &a, at).is_err());
        let later = timefmt::parse_at("2027-02-01T00:00:00Z").unwrap();
        assert!(check_written(&path, ".", &a, later).is_err());
        std::fs::write(&path, "<TrustAnchor>").unwrap();
        let e = check_written(&path, ".", &a, at).unwrap_err();
        assert!(e.to_string().contains("does not re-parse"), "{e}");
    }

    #[test]
    fn control_characters_are_refused() {
        assert!(printable("--source", "https://example.net/?a=1&b=<2>").is_ok());
        let e = printable("--source", "x\u{1b}[2K").unwrap_err();
        assert!(e.to_string().contains("U+001B"), "{e}");
    }
}
