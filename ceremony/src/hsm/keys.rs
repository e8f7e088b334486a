//! DNSSEC key pairs on a token: algorithms, generation, listing, public keys in
//! DNSKEY form, and signing in DNSSEC wire form.
//!
//! Where the DNSSEC algorithm and flags live: PKCS#11 cannot tell RSASHA256 from
//! RSASHA512 (same RSA key), nor a KSK from a ZSK. Keys generated here carry a
//! 16-byte CKA_ID: the marker `DNSSEC`, the algorithm number, the DNSKEY flags
//! (2 bytes, big endian) and 7 random bytes from the token. Keys without the
//! marker (made by other tools) are read by key type: EC curve -> 13/14,
//! Edwards curve -> 15/16, RSA -> 8 (RSASHA256, the root's algorithm), flags 257.

use cryptoki::mechanism::eddsa::{EddsaParams, EddsaSignatureScheme};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use serde::Serialize;
use sha2::{Digest, Sha256, Sha384};

use super::mechanisms;
use super::token::{map_err, SigningKey, Token};
use crate::error::{Error, Result};

/// The CKA_ID marker of keys this tool generated.
pub const ID_MARKER: &[u8; 6] = b"DNSSEC";
/// The CKA_ID marker of backup transport keys (see `backup`).
pub const TRANSPORT_MARKER: &[u8; 9] = b"TRANSPORT";

/// DNSSEC signing algorithms a key on the token may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Algorithm {
    RsaSha256,
    RsaSha512,
    EcdsaP256Sha256,
    EcdsaP384Sha384,
    Ed25519,
    Ed448,
}

/// DER of the curve OIDs (CKA_EC_PARAMS).
const P256_OID: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const P384_OID: &[u8] = &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22];
const ED25519_OID: &[u8] = &[0x06, 0x03, 0x2b, 0x65, 0x70];
const ED448_OID: &[u8] = &[0x06, 0x03, 0x2b, 0x65, 0x71];

impl Algorithm {
    pub const ALL: [Algorithm; 6] = [
        Algorithm::RsaSha256,
        Algorithm::RsaSha512,
        Algorithm::EcdsaP256Sha256,
        Algorithm::EcdsaP384Sha384,
        Algorithm::Ed25519,
        Algorithm::Ed448,
    ];

    pub fn number(self) -> u8 {
        match self {
            Algorithm::RsaSha256 => 8,
            Algorithm::RsaSha512 => 10,
            Algorithm::EcdsaP256Sha256 => 13,
            Algorithm::EcdsaP384Sha384 => 14,
            Algorithm::Ed25519 => 15,
            Algorithm::Ed448 => 16,
        }
    }

    pub fn from_number(n: u8) -> Option<Algorithm> {
        Algorithm::ALL.into_iter().find(|a| a.number() == n)
    }

    /// The mnemonic (RFC 8624 spelling).
    pub fn mnemonic(self) -> &'static str {
        match self {
            Algorithm::RsaSha256 => "RSASHA256",
            Algorithm::RsaSha512 => "RSASHA512",
            Algorithm::EcdsaP256Sha256 => "ECDSAP256SHA256",
            Algorithm::EcdsaP384Sha384 => "ECDSAP384SHA384",
            Algorithm::Ed25519 => "ED25519",
            Algorithm::Ed448 => "ED448",
        }
    }

    /// Parses `--algorithm`: a mnemonic (any case) or the number. Deprecated and
    /// unknown algorithms are refused with the reason.
    pub fn parse(s: &str) -> Result<Algorithm> {
        let t = s.trim().to_ascii_uppercase().replace(['-', '_'], "");
        if let Some(a) = Algorithm::ALL
            .into_iter()
            .find(|a| a.mnemonic() == t || a.number().to_string() == t)
        {
            return Ok(a);
        }
        let refused = [
            ("RSAMD5", 1),
            ("DH", 2),
            ("DSA", 3),
            ("RSASHA1", 5),
            ("DSANSEC3SHA1", 6),
            ("RSASHA1NSEC3SHA1", 7),
            ("ECCGOST", 12),
        ];
        if let Some((name, n)) = refused
            .iter()
            .find(|(name, n)| *name == t || n.to_string() == t)
        {
            return Err(Error::Input(format!(
                "algorithm {name} ({n}) must not be used for new keys (RFC 8624); use rsasha256, \
                 ecdsap256sha256 or ed25519"
            )));
        }
        Err(Error::Input(format!(
            "unknown algorithm {s:?}; one of rsasha256, rsasha512, ecdsap256sha256, \
             ecdsap384sha384, ed25519, ed448"
        )))
    }

    pub fn is_rsa(self) -> bool {
        matches!(self, Algorithm::RsaSha256 | Algorithm::RsaSha512)
    }

    fn curve_oid(self) -> Option<&'static [u8]> {
        match self {
            Algorithm::EcdsaP256Sha256 => Some(P256_OID),
            Algorithm::EcdsaP384Sha384 => Some(P384_OID),
            Algorithm::Ed25519 => Some(ED25519_OID),
            Algorithm::Ed448 => Some(ED448_OID),
            _ => None,
        }
    }

    /// Length of the public point as PKCS#11 holds it without DER (0x04||X||Y, or raw EdDSA).
    fn point_len(self) -> usize {
        match self {
            Algorithm::EcdsaP256Sha256 => 65,
            Algorithm::EcdsaP384Sha384 => 97,
            Algorithm::Ed25519 => 32,
            Algorithm::Ed448 => 57,
            _ => 0,
        }
    }

    /// The mechanism that generates a key pair of this algorithm.
    pub fn keygen_mechanism(self) -> MechanismType {
        match self {
            Algorithm::RsaSha256 | Algorithm::RsaSha512 => MechanismType::RSA_PKCS_KEY_PAIR_GEN,
            Algorithm::EcdsaP256Sha256 | Algorithm::EcdsaP384Sha384 => {
                MechanismType::ECC_KEY_PAIR_GEN
            }
            Algorithm::Ed25519 | Algorithm::Ed448 => MechanismType::ECC_EDWARDS_KEY_PAIR_GEN,
        }
    }

    /// The mechanism that signs with a key of this algorithm.
    pub fn sign_mechanism(self) -> MechanismType {
        match self {
            Algorithm::RsaSha256 => MechanismType::SHA256_RSA_PKCS,
            Algorithm::RsaSha512 => MechanismType::SHA512_RSA_PKCS,
            Algorithm::EcdsaP256Sha256 | Algorithm::EcdsaP384Sha384 => MechanismType::ECDSA,
            Algorithm::Ed25519 | Algorithm::Ed448 => MechanismType::EDDSA,
        }
    }

    /// Key sizes accepted for new keys, default first.
    pub fn allowed_bits(self) -> &'static [u32] {
        match self {
            Algorithm::RsaSha256 | Algorithm::RsaSha512 => &[2048, 3072, 4096],
            Algorithm::EcdsaP256Sha256 => &[256],
            Algorithm::EcdsaP384Sha384 => &[384],
            Algorithm::Ed25519 => &[256],
            Algorithm::Ed448 => &[456],
        }
    }

    /// Length of the DNSSEC wire signature (RSA: the modulus length).
    fn signature_len(self, bits: u32) -> usize {
        match self {
            Algorithm::RsaSha256 | Algorithm::RsaSha512 => bits.div_ceil(8) as usize,
            Algorithm::EcdsaP256Sha256 | Algorithm::Ed25519 => 64,
            Algorithm::EcdsaP384Sha384 => 96,
            Algorithm::Ed448 => 114,
        }
    }
}

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
        Ok(bits)
    }
}

/// The security attributes of a key pair's private half, as the token reports them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Security {
    pub token: Option<bool>,
    pub private: Option<bool>,
    pub sensitive: Option<bool>,
    pub always_sensitive: Option<bool>,
    pub extractable: Option<bool>,
    pub never_extractable: Option<bool>,
    pub wrap_with_trusted: Option<bool>,
    pub local: Option<bool>,
    pub sign: Option<bool>,
    pub decrypt: Option<bool>,
    pub unwrap: Option<bool>,
    pub derive: Option<bool>,
}

/// What a key pair is for on this token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Generated by this tool (or restored) for DNSSEC; algorithm and flags from CKA_ID.
    Dnssec,
    /// A DNSSEC-capable key made elsewhere; algorithm inferred from the key type.
    Foreign,
    /// A backup transport key (see `backup`); never signs DNS data.
    Transport,
}

impl Role {
    /// The name `inventory` prints (the same as in its JSON).
    pub fn name(self) -> &'static str {
        match self {
            Role::Dnssec => "dnssec",
            Role::Foreign => "foreign",
            Role::Transport => "transport",
        }
    }
}

/// One key pair on the token.
#[derive(Debug, Clone)]
pub struct KeyInfo {
    pub label: String,
    pub id: Vec<u8>,
    pub role: Role,
    /// `None` when the key type is not a DNSSEC one (e.g. an unsupported curve).
    pub algorithm: Option<Algorithm>,
    pub bits: u32,
    pub flags: u16,
    /// The DNSKEY public key field; empty if the token holds no public half.
    pub public_key: Vec<u8>,
    pub private: Option<ObjectHandle>,
    pub public: Option<ObjectHandle>,
    pub security: Security,
}

impl KeyInfo {
    /// The DNSKEY this key publishes with `flags` (use `self.flags` normally).
    pub fn dnskey(&self, ttl: u32, flags: u16) -> Option<ksr::Key> {
        let algorithm = self.algorithm?;
        if self.public_key.is_empty() {
            return None;
        }
        let mut key = ksr::Key {
            key_identifier: self.label.clone(),
            key_tag: 0,
            ttl,
            flags,
            protocol: 3,
            algorithm: algorithm.number(),
            public_key: self.public_key.clone(),
        };
        key.key_tag = ksr::dnssec::key_tag(&key);
        Some(key)
    }

    /// Key tag with its own flags, and with the REVOKE bit set.
    pub fn tags(&self) -> Option<(u16, u16)> {
        let k = self.dnskey(0, self.flags)?;
        let r = self.dnskey(0, self.flags | ksr::model::flags::REVOKE)?;
        Some((k.key_tag, r.key_tag))
    }
}

/// The CKA_ID of a new key: marker, algorithm, flags, 7 random bytes from the token.
fn new_id(token: &Token, algorithm: Algorithm, flags: u16) -> Result<Vec<u8>> {
    let mut id = ID_MARKER.to_vec();
    id.push(algorithm.number());
    id.extend_from_slice(&flags.to_be_bytes());
    let random = token
        .session
        .generate_random_vec(7)
        .map_err(|e| map_err(e, "drawing random bytes for CKA_ID"))?;
    id.extend_from_slice(&random);
    Ok(id)
}

/// Reads algorithm and flags back from a CKA_ID this tool wrote.
pub fn parse_id(id: &[u8]) -> Option<(Algorithm, u16)> {
    if id.len() >= 9 && id.starts_with(ID_MARKER) {
        let alg = Algorithm::from_number(id[6])?;
        let flags = u16::from_be_bytes([id[7], id[8]]);
        return Some((alg, flags));
    }
    None
}

/// Generates a key pair on the token per `spec`; refuses a label already in use,
/// and a key whose tag or revoked tag collides with a key on the token (the new
/// key is then destroyed again).
pub fn generate(token: &mut Token, spec: &KeySpec) -> Result<KeyInfo> {
    let alg = spec.algorithm;
    let bits = spec.check()?;
    if !token.find_any(&spec.label)?.is_empty() {
        return Err(Error::Input(format!(
            "token {:?} already holds objects labelled {:?}; choose another label",
            token.label, spec.label
        )));
    }
    mechanisms::require(token, alg.keygen_mechanism(), "key generation")?;
    mechanisms::require(token, alg.sign_mechanism(), "signing")?;
    let existing = token.keys()?;

    let id = new_id(token, alg, spec.flags)?;
    let mut public = public_attributes(&spec.label, &id);
    let private = private_attributes(&spec.label, &id, spec.allow_backup);
    let mechanism = match alg {
        Algorithm::RsaSha256 | Algorithm::RsaSha512 => {
            public.push(Attribute::ModulusBits((bits as u64).into()));
            public.push(Attribute::PublicExponent(vec![0x01, 0x00, 0x01]));
            Mechanism::RsaPkcsKeyPairGen
        }
        Algorithm::EcdsaP256Sha256 | Algorithm::EcdsaP384Sha384 => {
            public.push(Attribute::EcParams(alg.curve_oid().unwrap().to_vec()));
            Mechanism::EccKeyPairGen
        }
        Algorithm::Ed25519 | Algorithm::Ed448 => {
            public.push(Attribute::EcParams(alg.curve_oid().unwrap().to_vec()));
            Mechanism::EccEdwardsKeyPairGen
        }
    };
    let (pub_h, priv_h) = token
        .session
        .generate_key_pair(&mechanism, &public, &private)
        .map_err(|e| map_err(e, &format!("generating a {} key pair", alg.mnemonic())))?;

    let info = match read_pair(token, Some(priv_h), Some(pub_h)) {
        Ok(Some(i)) => i,
        Ok(None) | Err(_) => {
            destroy_pair(token, Some(priv_h), Some(pub_h));
            return Err(Error::Hsm(format!(
                "the token generated a {} key whose public key cannot be read back; it was deleted",
                alg.mnemonic()
            )));
        }
    };
    if let Err(e) = refuse_tag_collision(
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

/// Refuses `new` when its tag or revoked tag equals the tag or revoked tag of a
/// DNSSEC key in `existing` (a resolver or an SKR could not tell them apart).
pub fn refuse_tag_collision(new: &KeyInfo, existing: &[KeyInfo], outcome: &str) -> Result<()> {
    let Some((t, r)) = new.tags() else {
        return Ok(());
    };
    for k in existing.iter().filter(|k| k.role != Role::Transport) {
        if k.label == new.label && k.id == new.id {
            continue;
        }
        if let Some((kt, kr)) = k.tags() {
            let ours = [t, r];
            if let Some(clash) = ours.iter().find(|x| **x == kt || **x == kr) {
                return Err(Error::CheckFailed(format!(
                    "KEY-TAG-UNIQUE: the new key {:?} has key tag {t} (revoked {r}); tag {clash} is \
                     already used by key {:?} (tag {kt}, revoked {kr}) on the token; {outcome}",
                    new.label, k.label
                )));
            }
        }
    }
    Ok(())
}

pub(crate) fn destroy_pair(
    token: &Token,
    private: Option<ObjectHandle>,
    public: Option<ObjectHandle>,
) {
    for h in [private, public].into_iter().flatten() {
        let _ = token.session.destroy_object(h);
    }
}

/// The private and public object of one key pair, either may be absent.
type Pair = (Option<ObjectHandle>, Option<ObjectHandle>);

/// Lists every key pair on the token, grouped by (label, CKA_ID), sorted.
pub(crate) fn list(token: &Token) -> Result<Vec<KeyInfo>> {
    let find = |class: ObjectClass| {
        token
            .session
            .find_objects(&[Attribute::Class(class)])
            .map_err(|e| map_err(e, "listing keys"))
    };
    let mut groups: std::collections::BTreeMap<(String, Vec<u8>), Pair> = Default::default();
    for (class, is_private) in [
        (ObjectClass::PRIVATE_KEY, true),
        (ObjectClass::PUBLIC_KEY, false),
    ] {
        for h in find(class)? {
            let (label, id) = label_and_id(token, h)?;
            let slot = groups.entry((label, id)).or_default();
            if is_private {
                slot.0 = Some(h);
            } else {
                slot.1 = Some(h);
            }
        }
    }
    let mut out = Vec::new();
    for ((_, _), (private, public)) in groups {
        if let Some(info) = read_pair(token, private, public)? {
            out.push(info);
        }
    }
    Ok(out)
}

fn label_and_id(token: &Token, h: ObjectHandle) -> Result<(String, Vec<u8>)> {
    let mut label = String::new();
    let mut id = Vec::new();
    for a in token.attrs(h, &[AttributeType::Label, AttributeType::Id])? {
        match a {
            Attribute::Label(l) => label = String::from_utf8_lossy(&l).into_owned(),
            Attribute::Id(i) => id = i,
            _ => {}
        }
    }
    Ok((label, id))
}

fn get_bool(attrs: &[Attribute], t: AttributeType) -> Option<bool> {
    attrs.iter().find_map(|a| match (a, t) {
        (Attribute::Token(b), AttributeType::Token)
        | (Attribute::Private(b), AttributeType::Private)
        | (Attribute::Sensitive(b), AttributeType::Sensitive)
        | (Attribute::AlwaysSensitive(b), AttributeType::AlwaysSensitive)
        | (Attribute::Extractable(b), AttributeType::Extractable)
        | (Attribute::NeverExtractable(b), AttributeType::NeverExtractable)
        | (Attribute::WrapWithTrusted(b), AttributeType::WrapWithTrusted)
        | (Attribute::Local(b), AttributeType::Local)
        | (Attribute::Sign(b), AttributeType::Sign)
        | (Attribute::Decrypt(b), AttributeType::Decrypt)
        | (Attribute::Unwrap(b), AttributeType::Unwrap)
        | (Attribute::Derive(b), AttributeType::Derive) => Some(*b),
        _ => None,
    })
}

/// Reads one key pair. Returns `None` for key types that are neither RSA nor EC.
fn read_pair(
    token: &Token,
    private: Option<ObjectHandle>,
    public: Option<ObjectHandle>,
) -> Result<Option<KeyInfo>> {
    let any = private.or(public).expect("a group has at least one object");
    let (label, id) = label_and_id(token, any)?;
    let key_type = token
        .attrs(any, &[AttributeType::KeyType])?
        .into_iter()
        .find_map(|a| match a {
            Attribute::KeyType(k) => Some(k),
            _ => None,
        });
    let Some(key_type) = key_type else {
        return Ok(None);
    };

    let security = match private {
        Some(h) => {
            let types = [
                AttributeType::Token,
                AttributeType::Private,
                AttributeType::Sensitive,
                AttributeType::AlwaysSensitive,
                AttributeType::Extractable,
                AttributeType::NeverExtractable,
                AttributeType::WrapWithTrusted,
                AttributeType::Local,
                AttributeType::Sign,
                AttributeType::Decrypt,
                AttributeType::Unwrap,
                AttributeType::Derive,
            ];
            let a = token.attrs(h, &types)?;
            Security {
                token: get_bool(&a, AttributeType::Token),
                private: get_bool(&a, AttributeType::Private),
                sensitive: get_bool(&a, AttributeType::Sensitive),
                always_sensitive: get_bool(&a, AttributeType::AlwaysSensitive),
                extractable: get_bool(&a, AttributeType::Extractable),
                never_extractable: get_bool(&a, AttributeType::NeverExtractable),
                wrap_with_trusted: get_bool(&a, AttributeType::WrapWithTrusted),
                local: get_bool(&a, AttributeType::Local),
                sign: get_bool(&a, AttributeType::Sign),
                decrypt: get_bool(&a, AttributeType::Decrypt),
                unwrap: get_bool(&a, AttributeType::Unwrap),
                derive: get_bool(&a, AttributeType::Derive),
            }
        }
        None => Security::default(),
    };

    let marked = parse_id(&id);
    let role = if id.starts_with(TRANSPORT_MARKER) {
        Role::Transport
    } else if marked.is_some() {
        Role::Dnssec
    } else {
        Role::Foreign
    };
    let flags = marked.map(|(_, f)| f).unwrap_or(257);

    let (algorithm, bits, public_key) = if key_type == KeyType::RSA {
        // The private half of an RSA key also carries modulus and exponent.
        let src = public.or(private).unwrap();
        let attrs = token.attrs(
            src,
            &[AttributeType::Modulus, AttributeType::PublicExponent],
        )?;
        let mut modulus = Vec::new();
        let mut exponent = Vec::new();
        for a in attrs {
            match a {
                Attribute::Modulus(m) => modulus = m,
                Attribute::PublicExponent(e) => exponent = e,
                _ => {}
            }
        }
        let modulus = strip_zeros(&modulus);
        let exponent = strip_zeros(&exponent);
        let bits = bit_len(modulus);
        let alg = match marked {
            Some((a, _)) if a.is_rsa() => a,
            _ => Algorithm::RsaSha256,
        };
        let pk = if modulus.is_empty() {
            Vec::new()
        } else {
            rsa_dnskey(exponent, modulus)
        };
        (Some(alg), bits, pk)
    } else if key_type == KeyType::EC || key_type == KeyType::EC_EDWARDS {
        let params = token
            .attrs(any, &[AttributeType::EcParams])?
            .into_iter()
            .find_map(|a| match a {
                Attribute::EcParams(p) => Some(p),
                _ => None,
            });
        let alg = match params.as_deref() {
            Some(P256_OID) => Some(Algorithm::EcdsaP256Sha256),
            Some(P384_OID) => Some(Algorithm::EcdsaP384Sha384),
            Some(ED25519_OID) => Some(Algorithm::Ed25519),
            Some(ED448_OID) => Some(Algorithm::Ed448),
            // SoftHSM also accepts the curve's printable name for Edwards keys.
            Some(p) if p.ends_with(b"edwards25519") => Some(Algorithm::Ed25519),
            Some(p) if p.ends_with(b"edwards448") => Some(Algorithm::Ed448),
            _ => None,
        };
        let mut pk = Vec::new();
        if let (Some(alg), Some(h)) = (alg, public) {
            let point = token
                .attrs(h, &[AttributeType::EcPoint])?
                .into_iter()
                .find_map(|a| match a {
                    Attribute::EcPoint(p) => Some(p),
                    _ => None,
                });
            if let Some(point) = point {
                pk = ec_dnskey(alg, &point).ok_or_else(|| {
                    Error::Hsm(format!(
                        "key {label:?}: CKA_EC_POINT has an unexpected encoding"
                    ))
                })?;
            }
        }
        let bits = alg.map(|a| a.allowed_bits()[0]).unwrap_or(0);
        (alg, bits, pk)
    } else if role == Role::Transport {
        (None, 0, Vec::new())
    } else {
        return Ok(None);
    };
    let algorithm = if role == Role::Transport {
        None
    } else {
        algorithm
    };
    Ok(Some(KeyInfo {
        label,
        id,
        role,
        algorithm,
        bits,
        flags,
        public_key,
        private,
        public,
        security,
    }))
}

fn strip_zeros(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|x| **x == 0).count();
    &b[n..]
}

fn bit_len(b: &[u8]) -> u32 {
    match b.first() {
        None => 0,
        Some(first) => (b.len() as u32 - 1) * 8 + (8 - first.leading_zeros()),
    }
}

/// RFC 3110 public key field: exponent length (1 byte, or 0 and 2 bytes), exponent, modulus.
pub fn rsa_dnskey(exponent: &[u8], modulus: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(3 + exponent.len() + modulus.len());
    if exponent.len() < 256 {
        out.push(exponent.len() as u8);
    } else {
        out.push(0);
        out.extend_from_slice(&(exponent.len() as u16).to_be_bytes());
    }
    out.extend_from_slice(exponent);
    out.extend_from_slice(modulus);
    out
}

/// Splits an RFC 3110 public key field into (exponent, modulus).
pub fn rsa_parts(field: &[u8]) -> Option<(&[u8], &[u8])> {
    let (len, rest) = match field.first()? {
        0 => (
            u16::from_be_bytes([*field.get(1)?, *field.get(2)?]) as usize,
            &field[3..],
        ),
        n => (*n as usize, &field[1..]),
    };
    if rest.len() <= len {
        return None;
    }
    Some(rest.split_at(len))
}

/// CKA_EC_POINT (DER OCTET STRING, or raw on some tokens) to the DNSKEY field:
/// X||Y for ECDSA (RFC 6605), the raw key for EdDSA (RFC 8080).
pub fn ec_dnskey(alg: Algorithm, point: &[u8]) -> Option<Vec<u8>> {
    let want = alg.point_len();
    let raw: &[u8] = if point.len() == want {
        point
    } else {
        // DER: 0x04, length (short or 0x81 long form), content.
        match point {
            [0x04, n, rest @ ..] if (*n as usize) < 0x80 && rest.len() == *n as usize => rest,
            [0x04, 0x81, n, rest @ ..] if rest.len() == *n as usize => rest,
            _ => return None,
        }
    };
    if raw.len() != want {
        return None;
    }
    match alg {
        Algorithm::EcdsaP256Sha256 | Algorithm::EcdsaP384Sha384 => {
            (raw[0] == 0x04).then(|| raw[1..].to_vec())
        }
        _ => Some(raw.to_vec()),
    }
}

/// The DNSKEY field back to CKA_EC_POINT as SoftHSM and most tokens want it (DER).
pub fn ec_point_der(alg: Algorithm, field: &[u8]) -> Vec<u8> {
    let mut raw = Vec::new();
    if matches!(alg, Algorithm::EcdsaP256Sha256 | Algorithm::EcdsaP384Sha384) {
        raw.push(0x04);
    }
    raw.extend_from_slice(field);
    let mut der = vec![0x04];
    if raw.len() >= 0x80 {
        der.push(0x81);
    }
    der.push(raw.len() as u8);
    der.extend_from_slice(&raw);
    der
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
    if alg.is_rsa() {
        let (e, m) = rsa_parts(field)
            .ok_or_else(|| Error::Input("malformed RSA public key in the backup".into()))?;
        t.push(Attribute::KeyType(KeyType::RSA));
        t.push(Attribute::Modulus(m.to_vec()));
        t.push(Attribute::PublicExponent(e.to_vec()));
    } else {
        let kt = if matches!(alg, Algorithm::Ed25519 | Algorithm::Ed448) {
            KeyType::EC_EDWARDS
        } else {
            KeyType::EC
        };
        t.push(Attribute::KeyType(kt));
        t.push(Attribute::EcParams(alg.curve_oid().unwrap().to_vec()));
        t.push(Attribute::EcPoint(ec_point_der(alg, field)));
    }
    Ok(t)
}

/// Signs `data` with `key` in DNSSEC wire form. RSA: PKCS#1 v1.5 with the hash
/// inside the token; ECDSA: we hash, CKM_ECDSA returns r||s; EdDSA: pure, over the data.
pub(crate) fn sign_with(token: &Token, key: SigningKey, data: &[u8]) -> Result<Vec<u8>> {
    let alg = key.algorithm;
    // Built only on failure: this is the hot path of KSR signing.
    let what = || format!("signing with a {} key", alg.mnemonic());
    let sig = match alg {
        Algorithm::RsaSha256 => token
            .session
            .sign(&Mechanism::Sha256RsaPkcs, key.handle, data),
        Algorithm::RsaSha512 => token
            .session
            .sign(&Mechanism::Sha512RsaPkcs, key.handle, data),
        Algorithm::EcdsaP256Sha256 => {
            token
                .session
                .sign(&Mechanism::Ecdsa, key.handle, &Sha256::digest(data))
        }
        Algorithm::EcdsaP384Sha384 => {
            token
                .session
                .sign(&Mechanism::Ecdsa, key.handle, &Sha384::digest(data))
        }
        Algorithm::Ed25519 | Algorithm::Ed448 => token.session.sign(
            &Mechanism::Eddsa(EddsaParams::new(EddsaSignatureScheme::Pure)),
            key.handle,
            data,
        ),
    }
    .map_err(|e| match e {
        cryptoki::error::Error::Pkcs11(
            cryptoki::error::RvError::MechanismInvalid
            | cryptoki::error::RvError::MechanismParamInvalid,
            _,
        ) => Error::MechanismMissing(format!(
            "{} (needed for {}) on token {:?}",
            mechanisms::name_of(alg.sign_mechanism()),
            what(),
            token.label
        )),
        e => map_err(e, &what()),
    })?;
    if !alg.is_rsa() && sig.len() != alg.signature_len(0) {
        return Err(Error::Hsm(format!(
            "{}: the token returned {} bytes, expected {}",
            what(),
            sig.len(),
            alg.signature_len(0)
        )));
    }
    Ok(sig)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithm_names_and_refusals() {
        assert_eq!(Algorithm::parse("rsasha256").unwrap(), Algorithm::RsaSha256);
        assert_eq!(
            Algorithm::parse("ECDSAP256SHA256").unwrap(),
            Algorithm::EcdsaP256Sha256
        );
        assert_eq!(Algorithm::parse("15").unwrap(), Algorithm::Ed25519);
        let e = Algorithm::parse("rsasha1").unwrap_err().to_string();
        assert!(e.contains("RFC 8624"), "{e}");
        let e = Algorithm::parse("7").unwrap_err().to_string();
        assert!(e.contains("RSASHA1NSEC3SHA1"), "{e}");
        assert!(Algorithm::parse("foo")
            .unwrap_err()
            .to_string()
            .contains("unknown"));
    }

    #[test]
    fn id_round_trip() {
        let mut id = ID_MARKER.to_vec();
        id.extend_from_slice(&[10, 0x01, 0x01, 1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(parse_id(&id), Some((Algorithm::RsaSha512, 257)));
        assert_eq!(parse_id(b"\x01\x02"), None);
    }

    #[test]
    fn rsa_field_round_trip() {
        let f = rsa_dnskey(&[1, 0, 1], &[0xc0, 0xff, 0xee]);
        assert_eq!(f, vec![3, 1, 0, 1, 0xc0, 0xff, 0xee]);
        assert_eq!(
            rsa_parts(&f),
            Some((&[1u8, 0, 1][..], &[0xc0u8, 0xff, 0xee][..]))
        );
        assert_eq!(bit_len(&[0x80, 0]), 16);
        assert_eq!(bit_len(&[0x01, 0]), 9);
    }

    fn info(label: &str, flags: u16, public_key: Vec<u8>) -> KeyInfo {
        KeyInfo {
            label: label.into(),
            id: label.as_bytes().to_vec(),
            role: Role::Dnssec,
            algorithm: Some(Algorithm::Ed25519),
            bits: 256,
            flags,
            public_key,
            private: None,
            public: None,
            security: Security::default(),
        }
    }

    #[test]
    fn tag_collisions_are_refused_including_revoked_tags() {
        let a = info("a", 257, vec![1u8; 32]);
        let (ta, ra) = a.tags().unwrap();
        assert_ne!(ta, ra);
        // The same key under another label: same tag.
        let e = refuse_tag_collision(
            &info("b", 257, vec![1u8; 32]),
            std::slice::from_ref(&a),
            "x",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("KEY-TAG-UNIQUE") && e.contains(&ta.to_string()),
            "{e}"
        );
        // A key whose own tag equals a's revoked tag.
        let e = refuse_tag_collision(
            &info("c", 385, vec![1u8; 32]),
            std::slice::from_ref(&a),
            "x",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains(&ra.to_string()), "{e}");
        // A different key with different tags passes; transport keys are ignored.
        let d = info("d", 257, vec![2u8; 32]);
        let (td, rd) = d.tags().unwrap();
        assert!(![ta, ra].contains(&td) && ![ta, ra].contains(&rd));
        refuse_tag_collision(&d, std::slice::from_ref(&a), "x").unwrap();
        let mut t = info("t", 257, vec![1u8; 32]);
        t.role = Role::Transport;
        refuse_tag_collision(&info("b", 257, vec![1u8; 32]), &[t], "x").unwrap();
    }

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
    fn ec_point_encodings() {
        let mut raw = vec![0x04];
        raw.extend((0..64).map(|i| i as u8));
        let der = ec_point_der(Algorithm::EcdsaP256Sha256, &raw[1..]);
        assert_eq!(&der[..3], &[0x04, 65, 0x04]);
        assert_eq!(
            ec_dnskey(Algorithm::EcdsaP256Sha256, &der).unwrap(),
            raw[1..].to_vec()
        );
        assert_eq!(
            ec_dnskey(Algorithm::EcdsaP256Sha256, &raw).unwrap(),
            raw[1..].to_vec()
        );
        let ed = [7u8; 32];
        let der = ec_point_der(Algorithm::Ed25519, &ed);
        assert_eq!(ec_dnskey(Algorithm::Ed25519, &der).unwrap(), ed.to_vec());
        assert!(ec_dnskey(Algorithm::Ed25519, &der[..20]).is_none());
    }
}
