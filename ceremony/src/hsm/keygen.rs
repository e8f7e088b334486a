//! Making DNSSEC key pairs on a token, and the object templates every DNSSEC
//! key gets, whether generated here or restored from a backup (`backup`).

use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, ObjectClass, ObjectHandle};
use ksr::dnssec::encoding;

use super::algorithm::Algorithm;
use super::ckaid;
use super::inventory::{self, KeyInfo};
use super::mechanisms;
use super::token::Token;
use crate::error::{Error, Result};

/// What to generate.
#[derive(Debug, Clone)]
pub struct KeySpec {
    pub label: String,
    pub algorithm: Algorithm,
    pub bits: Option<u32>,
    /// DNSKEY flags the key publishes with: 257 (KSK) or 256 (ZSK).
    pub flags: u16,
    /// Extractable, but only wrapped under a key the security officer marked
    /// trusted (CKA_WRAP_WITH_TRUSTED). Needed for `ceremony backup`.
    pub allow_backup: bool,
}

impl KeySpec {
    /// Checks size, flags and label before any token is touched; returns the key size.
    pub fn check(&self) -> Result<u32> {
        let alg = self.algorithm;
        let bits = match self.bits {
            None => alg.allowed_bits()[0],
            Some(b) if alg.allowed_bits().contains(&b) => b,
            Some(b) => {
                return Err(Error::Input(format!(
                    "--bits {b} is not allowed for {}; allowed: {:?}",
                    alg.mnemonic().to_lowercase(),
                    alg.allowed_bits()
                )))
            }
        };
        if self.flags != 256 && self.flags != 257 {
            return Err(Error::Input(format!(
                "--flags {} is not allowed; use 257 (KSK) or 256 (ZSK)",
                self.flags
            )));
        }
        if self.label.is_empty() {
            return Err(Error::Input("--label must not be empty".into()));
        }
        // A label is read aloud, typed back and written into XML (trust
        // anchors, SKRs), none of which can carry a control character.
        if let Some(c) = self.label.chars().find(|c| c.is_control()) {
            return Err(Error::Input(format!(
                "--label {}: U+{:04X} is a control character; use printable characters",
                ksr::escape::terminal(&self.label),
                c as u32
            )));
        }
        Ok(bits)
    }
}

/// Generates a key pair on the token per `spec`; refuses a label already in use,
/// and a key whose tag or revoked tag collides with a key on the token (the new
/// key is then destroyed again).
pub fn generate(token: &mut Token, spec: &KeySpec) -> Result<KeyInfo> {
    let alg = spec.algorithm;
    let bits = spec.check()?;
    token.require_free_label(&spec.label, "choose another label")?;
    mechanisms::require(token, alg.keygen_mechanism(), "key generation")?;
    mechanisms::require(token, alg.sign_mechanism(), "signing")?;
    let existing = token.keys()?;

    let random = token.random(ckaid::RANDOM_LEN, "drawing random bytes for CKA_ID")?;
    let id = ckaid::dnssec_id(alg, spec.flags, &random);
    let mut public = public_attributes(&spec.label, &id);
    let private = private_attributes(&spec.label, &id, spec.allow_backup);
    let mechanism = match alg.curve_oid() {
        None => {
            public.push(Attribute::ModulusBits((bits as u64).into()));
            public.push(Attribute::PublicExponent(vec![0x01, 0x00, 0x01]));
            Mechanism::RsaPkcsKeyPairGen
        }
        Some(oid) => {
            public.push(Attribute::EcParams(oid.to_vec()));
            if matches!(alg, Algorithm::Ed25519 | Algorithm::Ed448) {
                Mechanism::EccEdwardsKeyPairGen
            } else {
                Mechanism::EccKeyPairGen
            }
        }
    };
    let (pub_h, priv_h) = token
        .session
        .generate_key_pair(&mechanism, &public, &private)
        .map_err(|e| Error::pkcs11(e, &format!("generating a {} key pair", alg.mnemonic())))?;

    let made = format!("the new key pair {:?}", spec.label);
    let info = match inventory::read_pair(token, Some(priv_h), Some(pub_h)) {
        Ok(Some(i)) => i,
        Ok(None) => {
            let cleanup = token
                .undo(&[Some(priv_h), Some(pub_h)], &made, &spec.label)
                .unwrap_or_else(|left| left);
            return Err(Error::Hsm(format!(
                "the token generated a {} key whose public key cannot be read back; {cleanup}",
                alg.mnemonic()
            )));
        }
        Err(e) => {
            let cleanup = token
                .undo(&[Some(priv_h), Some(pub_h)], &made, &spec.label)
                .unwrap_or_else(|left| left);
            return Err(e.undone("reading back the new key pair", cleanup));
        }
    };
    if let Err(e) = inventory::refuse_tag_collision(
        &info,
        &existing,
        "the new key was deleted again; generate another",
    ) {
        destroy_pair(token, Some(priv_h), Some(pub_h));
        return Err(e);
    }
    Ok(info)
}

/// The attributes of every DNSSEC public key object: on the token, public, verify only.
fn public_attributes(label: &str, id: &[u8]) -> Vec<Attribute> {
    vec![
        Attribute::Token(true),
        Attribute::Private(false),
        Attribute::Verify(true),
        Attribute::Encrypt(false),
        Attribute::Wrap(false),
        Attribute::Label(label.as_bytes().to_vec()),
        Attribute::Id(id.to_vec()),
    ]
}

/// The attributes of every DNSSEC private key, generated or restored: on the token,
/// private, sensitive, sign only. Extractable only when a backup needs it, and then
/// only wrapped under a key the security officer marked trusted.
pub(crate) fn private_attributes(
    label: &str,
    id: &[u8],
    wrap_with_trusted: bool,
) -> Vec<Attribute> {
    let mut t = vec![
        Attribute::Token(true),
        Attribute::Private(true),
        Attribute::Sensitive(true),
        Attribute::Sign(true),
        Attribute::Decrypt(false),
        Attribute::Unwrap(false),
        Attribute::Derive(false),
        Attribute::Label(label.as_bytes().to_vec()),
        Attribute::Id(id.to_vec()),
    ];
    if wrap_with_trusted {
        t.push(Attribute::Extractable(true));
        t.push(Attribute::WrapWithTrusted(true));
    } else {
        t.push(Attribute::Extractable(false));
    }
    t
}

/// The public-key object template for a DNSSEC key (restore imports these).
pub fn public_template(
    alg: Algorithm,
    field: &[u8],
    label: &str,
    id: &[u8],
) -> Result<Vec<Attribute>> {
    let mut t = vec![Attribute::Class(ObjectClass::PUBLIC_KEY)];
    t.extend(public_attributes(label, id));
    t.push(Attribute::KeyType(alg.key_type()));
    match alg.curve_oid() {
        None => {
            let (e, m) = encoding::rsa_parts(field)
                .ok_or_else(|| Error::Input("malformed RSA public key in the backup".into()))?;
            t.push(Attribute::Modulus(m.to_vec()));
            t.push(Attribute::PublicExponent(e.to_vec()));
        }
        Some(oid) => {
            t.push(Attribute::EcParams(oid.to_vec()));
            t.push(Attribute::EcPoint(encoding::ec_point_der(
                alg.number(),
                field,
            )));
        }
    }
    Ok(t)
}

/// Destroys a key pair's objects after a failed step, ignoring further failures.
pub(crate) fn destroy_pair(
    token: &Token,
    private: Option<ObjectHandle>,
    public: Option<ObjectHandle>,
) {
    token.destroy_quietly(&[private, public]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_spec_checks_before_the_token() {
        let spec = |bits, flags| KeySpec {
            label: "k".into(),
            algorithm: Algorithm::RsaSha256,
            bits,
            flags,
            allow_backup: false,
        };
        assert_eq!(spec(None, 257).check().unwrap(), 2048);
        assert_eq!(spec(Some(4096), 256).check().unwrap(), 4096);
        assert!(spec(Some(1024), 257).check().is_err());
        assert!(spec(None, 385).check().is_err());
    }

    #[test]
    fn templates_keep_private_keys_inside_the_token() {
        let t = private_attributes("k", b"id", false);
        assert!(t.contains(&Attribute::Sensitive(true)));
        assert!(t.contains(&Attribute::Extractable(false)));
        let t = private_attributes("k", b"id", true);
        assert!(t.contains(&Attribute::WrapWithTrusted(true)));
        let p = public_template(Algorithm::Ed25519, &[7; 32], "k", b"id").unwrap();
        assert!(p.contains(&Attribute::EcPoint(encoding::ec_point_der(15, &[7; 32]))));
        assert!(public_template(Algorithm::RsaSha256, &[9], "k", b"id").is_err());
    }
}
