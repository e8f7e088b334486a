//! Proof that a key on the token works: sign a one-key DNSKEY RRset through
//! `KeyStore::sign` exactly as an SKR signature is made, and verify it with
//! `ksr` (ring) against the public key. Used after keygen and restore, and by
//! `ceremony prove`.

use ksr::model::Time;
use ksr::{Key, Signature};

use crate::error::{Error, Result};
use crate::keystore::KeyStore;

/// A signed test RRset.
#[derive(Debug, Clone)]
pub struct Proof {
    pub zone: String,
    pub dnskey: Key,
    pub rrsig: Signature,
    /// Whether `ksr` verified the signature (EdDSA-448 cannot be verified locally).
    pub verified: bool,
}

/// TTL of the test RRset (the root's DNSKEY TTL).
pub const TTL: u32 = 172_800;
/// Validity of the test signature.
pub const VALIDITY_SECONDS: i64 = 21 * 86_400;

/// Signs the DNSKEY RRset {the key with `flags`} at `zone`, inception `at`.
pub fn prove(
    store: &mut dyn KeyStore,
    label: &str,
    zone: &str,
    flags: u16,
    at: Time,
) -> Result<Proof> {
    let pk = store.public_key(label)?;
    let mut dnskey = Key {
        key_identifier: label.to_string(),
        key_tag: 0,
        ttl: TTL,
        flags,
        protocol: 3,
        algorithm: pk.algorithm,
        public_key: pk.public_key,
    };
    dnskey.key_tag = ksr::dnssec::key_tag(&dnskey);
    let labels = ksr::dnssec::label_count(zone)
        .map_err(|e| Error::Input(format!("--zone {zone:?}: {e}")))?;
    let mut rrsig = Signature {
        key_identifier: label.to_string(),
        ttl: TTL,
        type_covered: "DNSKEY".into(),
        algorithm: pk.algorithm,
        labels,
        original_ttl: TTL,
        expiration: at + time::Duration::seconds(VALIDITY_SECONDS),
        inception: at,
        key_tag: dnskey.key_tag,
        signers_name: zone.to_string(),
        signature_data: Vec::new(),
    };
    let data = ksr::dnssec::signing_data(zone, &rrsig, std::slice::from_ref(&dnskey))
        .map_err(|e| Error::Input(format!("--zone {zone:?}: {e}")))?;
    rrsig.signature_data = store.sign(label, &data)?;
    let verified = if pk.algorithm == 16 {
        false
    } else {
        ksr::dnssec::verify(&dnskey, &data, &rrsig.signature_data).map_err(|e| {
            Error::CheckFailed(format!(
                "KEY-PROOF: the signature key {label:?} made over a test DNSKEY RRset does not \
                 verify with its public key ({e})"
            ))
        })?;
        true
    };
    Ok(Proof {
        zone: zone.to_string(),
        dnskey,
        rrsig,
        verified,
    })
}
