//! The in-memory form of a KSR or SKR document, independent of any file dialect.
//!
//! Both IANA XML and the Knot/BIND text dialects parse into these types, and every
//! check and signer works on them, so a dialect never leaks into policy code.

use time::OffsetDateTime;

/// A point in time, always UTC. Stored as `time::OffsetDateTime` with offset zero.
pub type Time = OffsetDateTime;

/// Whole seconds: how xsd:duration values in policy blocks are held.
pub type Seconds = i64;

/// DNSKEY flag values (RFC 4034 section 2.1.1, RFC 5011 section 3).
pub mod flags {
    pub const ZONE: u16 = 0x0100;
    pub const SEP: u16 = 0x0001;
    pub const REVOKE: u16 = 0x0080;
    /// 256
    pub const ZSK: u16 = ZONE;
    /// 257
    pub const KSK: u16 = ZONE | SEP;
    /// 385
    pub const KSK_REVOKED: u16 = ZONE | SEP | REVOKE;
}

/// A whole KSR (request) or SKR (response) document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// `KSR id=`; a UUID in root practice.
    pub id: String,
    /// `KSR serial=`.
    pub serial: u64,
    /// `KSR domain=`, as written (the root is `.`).
    pub domain: String,
    pub kind: Kind,
    /// `Request timestamp=` / `Response timestamp=`, if present.
    pub timestamp: Option<Time>,
    /// The KSK policy block: present in responses only.
    pub ksk_policy: Option<PolicyBlock>,
    /// The ZSK policy block (`RequestPolicy/ZSK`, echoed in `ResponsePolicy/ZSK`).
    pub zsk_policy: PolicyBlock,
    /// Bundles in document order.
    pub bundles: Vec<Bundle>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Key Signing Request: ZSKs with their proof-of-possession signatures.
    Request,
    /// Signed Key Response: ZSKs and KSKs with the KSK signatures.
    Response,
}

/// One policy block (`KSK` or `ZSK`) as a document states it. Checks never trust
/// these numbers: they compare against the operator's `Policy`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyBlock {
    pub publish_safety: Seconds,
    pub retire_safety: Seconds,
    pub max_signature_validity: Seconds,
    pub min_signature_validity: Seconds,
    pub max_validity_overlap: Seconds,
    pub min_validity_overlap: Seconds,
    pub algorithms: Vec<AlgorithmPolicy>,
}

/// `SignatureAlgorithm algorithm=N` and its parameter element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlgorithmPolicy {
    pub algorithm: u8,
    pub params: AlgorithmParams,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlgorithmParams {
    /// `<RSA size= exponent=/>`
    Rsa { size: u32, exponent: u64 },
    /// `<ECDSA size=/>`
    Ecdsa { size: u32 },
    /// No parameter element (EdDSA: the schema has none; the algorithm fixes the size).
    None,
}

/// One `RequestBundle` / `ResponseBundle`: the DNSKEY RRset for one slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    pub id: String,
    pub inception: Time,
    pub expiration: Time,
    /// `Signer keyIdentifier=` elements (request only, optional).
    pub signers: Vec<String>,
    /// Keys in document order.
    pub keys: Vec<Key>,
    /// Signatures in document order.
    pub signatures: Vec<Signature>,
}

/// One `Key`: a DNSKEY record plus the identifier the document gives it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    /// `keyIdentifier=`: hex of a DER name for root ZSKs, the HSM label for KSKs.
    pub key_identifier: String,
    /// `keyTag=` as written; KSR-BUNDLE-KEYS recomputes it.
    pub key_tag: u16,
    pub ttl: u32,
    pub flags: u16,
    pub protocol: u8,
    pub algorithm: u8,
    /// The DNSKEY public key field (decoded base64).
    pub public_key: Vec<u8>,
}

/// One `Signature`: an RRSIG over the bundle's DNSKEY RRset.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Signature {
    pub key_identifier: String,
    pub ttl: u32,
    /// Always `DNSKEY` in valid files; kept as text so a wrong value can be reported.
    pub type_covered: String,
    pub algorithm: u8,
    pub labels: u8,
    pub original_ttl: u32,
    pub expiration: Time,
    pub inception: Time,
    pub key_tag: u16,
    /// `SignersName` as written, e.g. `.` or `example.test.`.
    pub signers_name: String,
    pub signature_data: Vec<u8>,
}

impl Key {
    pub fn is_ksk(&self) -> bool {
        self.flags & flags::SEP != 0
    }
    pub fn is_revoked(&self) -> bool {
        self.flags & flags::REVOKE != 0
    }
}
