//! The trust point's SEP keys: names, algorithms, public keys and key tags.
//!
//! The simulator never signs anything, but key tags are what resolvers report
//! (RFC 8145) and what operators recognise, so each key gets a real DNSKEY:
//! either the one the scenario or an SKR gives, or one generated
//! deterministically from the scenario seed and the key's name.

use rand::RngCore;
use rand_chacha::rand_core::SeedableRng;
use serde::Serialize;

/// Keys per trust point the model can hold (one bit each in a [`KeyMask`]).
pub const MAX_KEYS: usize = 16;

/// A set of keys by index into [`KeySet::keys`].
pub type KeyMask = u16;

/// RFC 4034 Appendix B key tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct KeyTag(pub u16);

impl std::fmt::Display for KeyTag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SimKey {
    pub name: String,
    pub algorithm: u8,
    #[serde(skip)]
    pub public_key: Vec<u8>,
    /// Tag of the DNSKEY with flags 257.
    pub tag: KeyTag,
    /// Tag of the same key with the REVOKE bit (flags 385).
    pub revoked_tag: KeyTag,
}

impl SimKey {
    pub fn new(name: &str, algorithm: u8, public_key: Vec<u8>) -> SimKey {
        let dnskey = |flags| ksr::Key {
            key_identifier: name.to_string(),
            key_tag: 0,
            ttl: 0,
            flags,
            protocol: 3,
            algorithm,
            public_key: public_key.clone(),
        };
        let tag = KeyTag(ksr::dnssec::key_tag(&dnskey(ksr::model::flags::KSK)));
        let revoked_tag = KeyTag(ksr::dnssec::key_tag(&dnskey(
            ksr::model::flags::KSK_REVOKED,
        )));
        SimKey {
            name: name.to_string(),
            algorithm,
            public_key,
            tag,
            revoked_tag,
        }
    }

    /// A public key of the right shape for the algorithm, from the seed and name.
    /// Not a usable key (nothing is signed in the model), only a stable identity.
    pub fn generated(name: &str, algorithm: u8, seed: u64) -> SimKey {
        let mut material = [0u8; 32];
        material[..8].copy_from_slice(&seed.to_be_bytes());
        let digest = ring::digest::digest(&ring::digest::SHA256, name.as_bytes());
        for (m, d) in material[8..].iter_mut().zip(digest.as_ref()) {
            *m = *d;
        }
        let mut rng = rand_chacha::ChaCha8Rng::from_seed(material);
        let public_key = match algorithm {
            // RSA: exponent length 3, exponent 65537, 2048-bit modulus with the top bit set.
            5 | 7 | 8 | 10 => {
                let mut k = vec![3, 1, 0, 1];
                let mut modulus = vec![0u8; 256];
                rng.fill_bytes(&mut modulus);
                modulus[0] |= 0x80;
                modulus[255] |= 1;
                k.extend(modulus);
                k
            }
            // Public key sizes: P-256 and P-384 points (RFC 6605), Ed25519 and
            // Ed448 keys (RFC 8080); anything else gets 64 bytes.
            13 => random_bytes(&mut rng, 64),
            14 => random_bytes(&mut rng, 96),
            15 => random_bytes(&mut rng, 32),
            16 => random_bytes(&mut rng, 57),
            _ => random_bytes(&mut rng, 64),
        };
        SimKey::new(name, algorithm, public_key)
    }
}

fn random_bytes(rng: &mut impl RngCore, n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    rng.fill_bytes(&mut v);
    v
}

/// Algorithm mnemonics (RFC 8624 names) or numbers.
pub fn parse_algorithm(s: &str) -> Result<u8, String> {
    let n = match s.to_ascii_uppercase().replace('-', "").as_str() {
        "RSASHA1" => 5,
        "RSASHA1NSEC3SHA1" => 7,
        "RSASHA256" => 8,
        "RSASHA512" => 10,
        "ECDSAP256SHA256" => 13,
        "ECDSAP384SHA384" => 14,
        "ED25519" => 15,
        "ED448" => 16,
        other => other.parse::<u8>().map_err(|_| {
            format!(
                "unknown algorithm {s:?}; use e.g. RSASHA256, ECDSAP256SHA256, ED25519 or a number"
            )
        })?,
    };
    Ok(n)
}

/// The trust point's keys in scenario order; index = bit in a [`KeyMask`].
#[derive(Debug, Clone, Default, Serialize)]
pub struct KeySet {
    pub keys: Vec<SimKey>,
}

impl KeySet {
    pub fn index(&self, name: &str) -> Option<usize> {
        self.keys.iter().position(|k| k.name == name)
    }
    pub fn names(&self, mask: KeyMask) -> Vec<&str> {
        bits(mask).map(|i| self.keys[i].name.as_str()).collect()
    }
    /// RFC 8145 signal for a set of trust anchors: `_ta-xxxx[-xxxx]` with the
    /// tags in ascending order as 4 hex digits (section 5.1).
    pub fn ta_label(&self, anchors: KeyMask) -> String {
        let mut tags: Vec<u16> = bits(anchors).map(|i| self.keys[i].tag.0).collect();
        tags.sort_unstable();
        if tags.is_empty() {
            return "(none)".into();
        }
        let mut s = String::from("_ta");
        for t in tags {
            s.push_str(&format!("-{t:04x}"));
        }
        s
    }
}

/// Indices of the set bits, ascending.
pub fn bits(mask: KeyMask) -> impl Iterator<Item = usize> {
    let mut m = mask;
    std::iter::from_fn(move || {
        if m == 0 {
            None
        } else {
            let i = m.trailing_zeros() as usize;
            m &= m - 1;
            Some(i)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_iterates_ascending() {
        assert_eq!(bits(0b1010_0001).collect::<Vec<_>>(), vec![0, 5, 7]);
        assert_eq!(bits(0).count(), 0);
    }

    #[test]
    fn algorithms() {
        assert_eq!(parse_algorithm("RSASHA256").unwrap(), 8);
        assert_eq!(parse_algorithm("ecdsap256sha256").unwrap(), 13);
        assert_eq!(parse_algorithm("15").unwrap(), 15);
        assert!(parse_algorithm("ROT13").is_err());
    }
}
