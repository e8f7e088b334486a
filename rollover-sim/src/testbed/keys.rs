//! Keys made per run: one per scenario key (KSKs) plus a zone-signing key, and
//! RRSIGs over RRsets. Encoding and signing are hickory-proto's (`SigInput`,
//! `TBS`, `SigningKey`); RSA keys come from `openssl genpkey` because ring
//! cannot generate RSA keys, ECDSA and Ed25519 keys from ring.

use hickory_proto::dnssec::crypto::{EcdsaSigningKey, Ed25519SigningKey, RsaSigningKey};
use hickory_proto::dnssec::rdata::{DNSSECRData, SigInput, DNSKEY, RRSIG};
use hickory_proto::dnssec::{Algorithm, PublicKey, PublicKeyBuf, SigningKey, TBS};
use hickory_proto::rr::{DNSClass, Name, RData, Record, SerialNumber};
use rustls_pki_types::PrivatePkcs1KeyDer;
use std::process::Command;

/// A freshly generated DNSSEC key.
pub struct ZoneKey {
    pub name: String,
    signer: Box<dyn SigningKey>,
    public: PublicKeyBuf,
    pub ksk: bool,
}

fn rsa_der() -> Result<Vec<u8>, String> {
    let out = Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
        ])
        .args(["-outform", "DER"])
        .output()
        .map_err(|e| format!("cannot run openssl to make an RSA key: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "openssl genpkey failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(out.stdout)
}

impl ZoneKey {
    /// Generates a key of DNSSEC algorithm number `algorithm` (8, 10, 13, 14, 15).
    pub fn generate(name: &str, algorithm: u8, ksk: bool) -> Result<ZoneKey, String> {
        let alg = Algorithm::from_u8(algorithm);
        let err = |e: &dyn std::fmt::Display| format!("key {name}: {e}");
        let signer: Box<dyn SigningKey> = match algorithm {
            8 | 10 => {
                // OpenSSL 3 writes the traditional (PKCS#1) form with -outform DER.
                let der = PrivatePkcs1KeyDer::from(rsa_der()?);
                Box::new(RsaSigningKey::from_pkcs1(&der, alg).map_err(|e| err(&e))?)
            }
            13 | 14 => {
                let der = EcdsaSigningKey::generate_pkcs8(alg).map_err(|e| err(&e))?;
                Box::new(EcdsaSigningKey::from_pkcs8(&der, alg).map_err(|e| err(&e))?)
            }
            15 => {
                let der = Ed25519SigningKey::generate_pkcs8().map_err(|e| err(&e))?;
                Box::new(Ed25519SigningKey::from_pkcs8(&der).map_err(|e| err(&e))?)
            }
            n => {
                return Err(format!(
                    "key {name}: the test bed cannot make algorithm {n} keys"
                ))
            }
        };
        let public = signer.to_public_key().map_err(|e| err(&e))?;
        Ok(ZoneKey {
            name: name.to_string(),
            signer,
            public,
            ksk,
        })
    }

    pub fn algorithm(&self) -> u8 {
        u8::from(self.signer.algorithm())
    }

    pub fn dnskey(&self, revoked: bool) -> DNSKEY {
        DNSKEY::new(true, self.ksk, revoked, self.public.clone())
    }

    /// RFC 4034 Appendix B key tag, of the revoked form when `revoked`.
    pub fn tag(&self, revoked: bool) -> u16 {
        self.dnskey(revoked).calculate_key_tag().unwrap_or(0)
    }

    /// Public key in base64, as trust-anchor files write it.
    pub fn public_base64(&self) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(self.public.public_bytes())
    }

    /// The DNSKEY record as presentation text (trust-anchor files).
    pub fn dnskey_text(&self, zone: &str, ttl: u64) -> String {
        format!(
            "{zone} {ttl} IN DNSKEY {} 3 {} {}",
            self.dnskey(false).flags(),
            self.algorithm(),
            self.public_base64()
        )
    }

    /// An RRSIG record over `rrset` (one owner, one type), signed by this key
    /// (its revoked form when `revoked`), valid from `inception` to `expiration`
    /// (Unix seconds). `mangle` spoils the signature (the deliberately bogus name).
    pub fn sign(
        &self,
        zone: &Name,
        rrset: &[Record],
        revoked: bool,
        inception: i64,
        expiration: i64,
        mangle: bool,
    ) -> Result<Record, String> {
        let first = rrset.first().ok_or("cannot sign an empty RRset")?;
        let input = SigInput {
            type_covered: first.record_type(),
            algorithm: self.signer.algorithm(),
            num_labels: first.name.num_labels(),
            original_ttl: first.ttl,
            sig_expiration: SerialNumber::new(expiration as u32),
            sig_inception: SerialNumber::new(inception as u32),
            key_tag: self.tag(revoked),
            signer_name: zone.clone(),
        };
        let tbs = TBS::from_input(&first.name, DNSClass::IN, &input, rrset.iter())
            .map_err(|e| e.to_string())?;
        let mut sig = self.signer.sign(&tbs).map_err(|e| e.to_string())?;
        if mangle {
            if let Some(b) = sig.last_mut() {
                *b ^= 0x5a;
            }
        }
        let rdata = RData::DNSSEC(DNSSECRData::RRSIG(RRSIG::from_sig(input, sig)));
        Ok(Record::from_rdata(first.name.clone(), first.ttl, rdata))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revoking_changes_the_tag_and_flags() {
        let k = ZoneKey::generate("K", 13, true).unwrap();
        assert_eq!(k.dnskey(false).flags(), 257);
        assert_eq!(k.dnskey(true).flags(), 385);
        assert_ne!(k.tag(true), k.tag(false));
        assert!(k.dnskey_text(".", 3).starts_with(". 3 IN DNSKEY 257 3 13 "));
    }
}
