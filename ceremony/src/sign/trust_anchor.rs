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
