//! Trust anchors in the style of IANA's root-anchors.xml (RFC 9718):
//! `TrustAnchor` > `Zone`, then `KeyDigest` elements each holding `KeyTag`,
//! `Algorithm`, `DigestType` and `Digest` (hex). A KSK is pinned by a KeyDigest
//! when its DS (owner = the zone) has that digest; the tag and algorithm must agree.
//!
//! `validFrom` / `validUntil` attributes are read and shown but not enforced: an
//! importer pins the keys it trusts, whatever the publication window says.

use crate::dnssec;
use crate::model::{flags, Key};
use crate::policy::normalize_domain;
use crate::xml::dom;
use crate::xml::tree::Node;

/// One `KeyDigest`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyDigest {
    /// `id=` attribute, e.g. `Kjqmt7v` (empty when absent).
    pub id: String,
    pub key_tag: u16,
    pub algorithm: u8,
    pub digest_type: u8,
    pub digest: Vec<u8>,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
}

/// A trust anchor file: the zone and its key digests, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustAnchor {
    /// Absolute, lowercase (`.`, `cz.`).
    pub zone: String,
    pub digests: Vec<KeyDigest>,
}

/// Why a KSK does or does not match a KeyDigest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DigestMatch {
    /// Tag, algorithm and DS digest agree.
    Pinned,
    /// Same tag and algorithm, but the DS digest differs (another key with a colliding tag?).
    DigestDiffers,
    /// Different tag or algorithm.
    Other,
}

impl KeyDigest {
    /// Compares `key` (its unrevoked identity) with this digest, DS owner `zone`.
    pub fn matches(&self, zone: &str, key: &Key) -> DigestMatch {
        let plain = unrevoked(key);
        if plain.key_tag != self.key_tag || plain.algorithm != self.algorithm {
            return DigestMatch::Other;
        }
        match dnssec::ds_digest(zone, &plain, self.digest_type) {
            Ok(d) if d == self.digest => DigestMatch::Pinned,
            _ => DigestMatch::DigestDiffers,
        }
    }
}

/// The key as it was before revocation: REVOKE bit cleared, tag recomputed.
/// Revoked keys are pinned by this identity (RFC 5011 section 2.1).
pub fn unrevoked(key: &Key) -> Key {
    let mut k = key.clone();
    if k.flags & flags::REVOKE != 0 {
        k.flags &= !flags::REVOKE;
        k.key_tag = dnssec::key_tag(&k);
    }
    k
}

/// Reads a trust anchor file; errors name the file, line and element.
pub fn read_file(path: &std::path::Path) -> Result<TrustAnchor, String> {
    // Capped like every other input (parse refuses anything over the limit anyway).
    let bytes =
        crate::xml::read_capped(path, crate::xml::DEFAULT_MAX_SIZE).map_err(|e| e.to_string())?;
    parse(&bytes, &path.display().to_string())
}

/// Parses root-anchors.xml-style text (DOCTYPE and entities refused, as for KSRs).
pub fn parse(bytes: &[u8], file: &str) -> Result<TrustAnchor, String> {
    const LIMIT: usize = 1024 * 1024;
    if bytes.len() > LIMIT {
        return Err(format!(
            "{file}: trust anchor file is {} bytes, over {LIMIT}",
            bytes.len()
        ));
    }
    let line = |pos: usize| {
        1 + bytes[..pos.min(bytes.len())]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
    };
    let err =
        |pos: usize, element: &str, msg: String| format!("{file}:{}: {element}: {msg}", line(pos));
    let tree = dom::build(bytes).map_err(|e| err(e.pos, &e.element, e.message))?;
    let root = tree.root();
    if root.name() != "TrustAnchor" {
        return Err(err(
            root.pos(),
            root.name(),
            "the root element must be TrustAnchor (RFC 9718 root-anchors.xml)".into(),
        ));
    }
    let one = |parent: Node, name: &str, path: &str| -> Result<String, String> {
        let found: Vec<Node> = parent.children().filter(|c| c.name() == name).collect();
        match found.as_slice() {
            [n] => Ok(n.text().trim().to_string()),
            [] => Err(err(parent.pos(), path, format!("missing {name}"))),
            [_, second, ..] => Err(err(
                second.pos(),
                path,
                format!("{name} appears more than once"),
            )),
        }
    };
    let zone = one(root, "Zone", "TrustAnchor")?;
    if zone.is_empty() || dnssec::parse_name(&normalize_domain(&zone)).is_err() {
        return Err(err(
            root.pos(),
            "TrustAnchor/Zone",
            format!("{zone:?} is not a zone name"),
        ));
    }
    let mut digests = Vec::new();
    for kd in root.children().filter(|c| c.name() == "KeyDigest") {
        let path = "TrustAnchor/KeyDigest";
        let num = |name: &str, max: u64| -> Result<u64, String> {
            let t = one(kd, name, path)?;
            match t.parse::<u64>() {
                Ok(v) if v <= max => Ok(v),
                _ => Err(err(
                    kd.pos(),
                    &format!("{path}/{name}"),
                    format!("{t:?} is not a number up to {max}"),
                )),
            }
        };
        let hex_text = one(kd, "Digest", path)?;
        let digest = hex::decode(&hex_text).map_err(|e| {
            err(
                kd.pos(),
                &format!("{path}/Digest"),
                format!("malformed hex: {e}"),
            )
        })?;
        let attr = |n: &str| kd.attr(n).map(str::to_string);
        digests.push(KeyDigest {
            id: attr("id").unwrap_or_default(),
            key_tag: num("KeyTag", 0xffff)? as u16,
            algorithm: num("Algorithm", 255)? as u8,
            digest_type: num("DigestType", 255)? as u8,
            digest,
            valid_from: attr("validFrom"),
            valid_until: attr("validUntil"),
        });
    }
    if digests.is_empty() {
        return Err(err(
            root.pos(),
            "TrustAnchor",
            "no KeyDigest: nothing to pin".into(),
        ));
    }
    Ok(TrustAnchor {
        zone: normalize_domain(&zone),
        digests,
    })
}

/// The `id` of a [`KeyDigest`] that came from `--ds` rather than a trust anchor file.
pub const FROM_DS: &str = "--ds";

/// A DS record as the parent publishes it (RFC 4034 section 5.3):
/// `[OWNER] [TTL] [IN] DS TAG ALGORITHM DIGEST-TYPE DIGEST`, or the RDATA
/// alone. The digest may be split by spaces (presentation format allows it).
/// Returns the owner, if written, and the digest to pin.
pub fn parse_ds(text: &str) -> Result<(Option<String>, KeyDigest), String> {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let (head, rdata) = match tokens.iter().position(|t| t.eq_ignore_ascii_case("DS")) {
        Some(i) => (&tokens[..i], &tokens[i + 1..]),
        None => (&tokens[..0], &tokens[..]),
    };
    let owner = head
        .iter()
        .find(|t| !t.eq_ignore_ascii_case("IN") && !t.chars().all(|c| c.is_ascii_digit()))
        .map(|o| normalize_domain(o));
    if rdata.len() < 4 {
        return Err(format!(
            "{text:?}: a DS record is `[OWNER] [TTL] [IN] DS TAG ALGORITHM DIGEST-TYPE DIGEST`"
        ));
    }
    let key_tag = rdata[0]
        .parse::<u16>()
        .map_err(|_| format!("{text:?}: key tag {:?} is not a number 0..65535", rdata[0]))?;
    let algorithm = match rdata[1].parse::<u8>() {
        Ok(a) => a,
        Err(_) => dnssec::algorithm_from_name(rdata[1])
            .ok_or_else(|| format!("{text:?}: unknown algorithm {:?}", rdata[1]))?,
    };
    let digest_type = rdata[2]
        .parse::<u8>()
        .map_err(|_| format!("{text:?}: digest type {:?} is not a number", rdata[2]))?;
    let digest = hex::decode(rdata[3..].concat())
        .map_err(|e| format!("{text:?}: the digest is not hex: {e}"))?;
    let want = match digest_type {
        2 => 32,
        4 => 48,
        other => {
            return Err(format!(
                "{text:?}: DS digest type {other} is not supported (2 SHA-256 or 4 SHA-384)"
            ))
        }
    };
    if digest.len() != want {
        return Err(format!(
            "{text:?}: a digest of type {digest_type} has {want} bytes, this one {}",
            digest.len()
        ));
    }
    Ok((
        owner,
        KeyDigest {
            id: FROM_DS.into(),
            key_tag,
            algorithm,
            digest_type,
            digest,
            valid_from: None,
            valid_until: None,
        },
    ))
}
