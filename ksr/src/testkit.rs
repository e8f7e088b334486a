//! Test kit (feature `testkit`): software DNSSEC keys signing with `ring`, and
//! builders for synthetic KSRs and SKRs with valid signatures, so a test can
//! change anything in a document and still have it signed properly.
//!
//! Keys: Ed25519 from a seed (any number of them), and fixed TEST-ONLY RSA-2048
//! and ECDSA P-256 keys committed under `ksr/tests/fixtures/keys/` (ring cannot
//! derive those from a seed). Never use any of these for a real zone.

use crate::dnssec;
use crate::model::{
    flags, AlgorithmParams, AlgorithmPolicy, Bundle, Document, Key, Kind, PolicyBlock, Signature,
    Time,
};
use crate::policy::{Policy, Span};
use crate::schema::Schema;
use crate::sign::soft::{SoftKey, SoftStore};
use crate::sign::Ksks;
use sha2::{Digest, Sha256};
use std::path::PathBuf;

const RSA_KEYS: [&[u8]; 3] = [
    include_bytes!("../tests/fixtures/keys/TEST-ONLY-rsa2048-1.pk8"),
    include_bytes!("../tests/fixtures/keys/TEST-ONLY-rsa2048-2.pk8"),
    include_bytes!("../tests/fixtures/keys/TEST-ONLY-rsa2048-3.pk8"),
];
const P256_KEYS: [&[u8]; 2] = [
    include_bytes!("../tests/fixtures/keys/TEST-ONLY-p256-1.pk8"),
    include_bytes!("../tests/fixtures/keys/TEST-ONLY-p256-2.pk8"),
];

const DAY: i64 = 86_400;

/// A software DNSSEC key ([`SoftKey`]) with its public half as the model holds it.
pub struct TestKey {
    pub key_identifier: String,
    pub algorithm: u8,
    /// The DNSKEY public key field.
    pub public_key: Vec<u8>,
    soft: SoftKey,
}

impl std::fmt::Debug for TestKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "TestKey({}, alg {})",
            self.key_identifier, self.algorithm
        )
    }
}

impl TestKey {
    fn from_soft(soft: SoftKey) -> TestKey {
        let p = soft.public();
        TestKey {
            key_identifier: p.label.clone(),
            algorithm: p.algorithm,
            public_key: p.public_key.clone(),
            soft,
        }
    }

    /// Ed25519 (algorithm 15) from a 32-byte seed derived from `seed`.
    pub fn ed25519(seed: &str) -> TestKey {
        let s: [u8; 32] = Sha256::digest(format!("ksr testkit ed25519 {seed}")).into();
        TestKey::from_soft(SoftKey::ed25519(&format!("ed25519-{seed}"), &s).expect("seeded key"))
    }

    /// ECDSA P-256 (algorithm 13): TEST-ONLY key `index` (0 or 1).
    pub fn ecdsa_p256(index: usize) -> TestKey {
        let label = format!("p256-{index}");
        TestKey::from_soft(SoftKey::ecdsa_p256(&label, P256_KEYS[index]).expect("TEST-ONLY key"))
    }

    /// RSA-2048 e=65537: TEST-ONLY key `index` (0..3), algorithm 8 (RSASHA256) or 10 (RSASHA512).
    pub fn rsa2048(index: usize, algorithm: u8) -> TestKey {
        let label = format!("rsa2048-{index}");
        match SoftKey::rsa(&label, RSA_KEYS[index], algorithm) {
            Ok(k) => TestKey::from_soft(k),
            Err(e) => panic!("{e}"),
        }
    }

    /// The software key behind this test key (label = `key_identifier`).
    pub fn soft(&self) -> SoftKey {
        self.soft.clone().relabel(&self.key_identifier)
    }

    /// Same key, other identifier (HSM label style for KSKs, e.g. `Ktest1`).
    pub fn named(mut self, key_identifier: &str) -> TestKey {
        self.key_identifier = key_identifier.to_string();
        self
    }

    /// The DNSKEY with these flags and TTL, its tag computed.
    pub fn dnskey(&self, flags: u16, ttl: u32) -> Key {
        let mut k = Key {
            key_identifier: self.key_identifier.clone(),
            key_tag: 0,
            ttl,
            flags,
            protocol: 3,
            algorithm: self.algorithm,
            public_key: self.public_key.clone(),
        };
        k.key_tag = dnssec::key_tag(&k);
        k
    }

    pub fn zsk(&self, ttl: u32) -> Key {
        self.dnskey(flags::ZSK, ttl)
    }
    pub fn ksk(&self, ttl: u32) -> Key {
        self.dnskey(flags::KSK, ttl)
    }
    pub fn revoked_ksk(&self, ttl: u32) -> Key {
        self.dnskey(flags::KSK_REVOKED, ttl)
    }

    /// Whether `key` is this key's public half (whatever its flags).
    pub fn is(&self, key: &Key) -> bool {
        key.algorithm == self.algorithm && key.public_key == self.public_key
    }

    /// A DNSSEC signature (wire encoding) over `data`.
    pub fn sign_data(&self, data: &[u8]) -> Vec<u8> {
        self.soft.sign(data).expect("software key signs")
    }

    /// An RRSIG by `signer` (this key's DNSKEY as published, flags included) over
    /// the DNSKEY RRset `keys` of `domain`.
    pub fn rrsig(
        &self,
        domain: &str,
        signer: &Key,
        keys: &[Key],
        inception: Time,
        expiration: Time,
    ) -> Signature {
        let ttl = keys.first().map_or(signer.ttl, |k| k.ttl);
        let mut s = Signature {
            key_identifier: signer.key_identifier.clone(),
            ttl,
            type_covered: "DNSKEY".into(),
            algorithm: self.algorithm,
            labels: dnssec::label_count(domain).expect("test domain"),
            original_ttl: ttl,
            expiration,
            inception,
            key_tag: dnssec::key_tag(signer),
            signers_name: domain.to_string(),
            signature_data: vec![],
        };
        let data = dnssec::signing_data(domain, &s, keys).expect("signing data");
        s.signature_data = self.sign_data(&data);
        s
    }
}

/// Re-signs every signature in `doc` whose key is one of `keys` (by public key),
/// keeping its validity period: use after mutating a bundle's RRset.
pub fn resign(doc: &mut Document, keys: &[&TestKey]) {
    let domain = doc.domain.clone();
    for b in &mut doc.bundles {
        let rrset = b.keys.clone();
        for s in &mut b.signatures {
            let Some(signer) = rrset.iter().find(|k| k.key_identifier == s.key_identifier) else {
                continue;
            };
            if let Some(tk) = keys.iter().find(|t| t.is(signer)) {
                *s = tk.rrsig(&domain, signer, &rrset, s.inception, s.expiration);
            }
        }
    }
}

/// `2017-04-01` at midnight UTC, for tests.
pub fn date(s: &str) -> Time {
    crate::timefmt::parse_at(s).expect("test date")
}

/// A real IANA fixture by file name (`ksr-root-2017-q2-0.xml`), from this
/// crate's `tests/fixtures/iana-root/` (a copy of the workspace's, so the test
/// kit needs nothing outside its crate).
pub fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/iana-root")
        .join(name)
}

/// Parses a real IANA fixture.
pub fn fixture(name: &str) -> Document {
    crate::format::read_file(&fixture_path(name), &Default::default())
        .expect("fixture parses")
        .0
}

/// Which ZSKs (indexes into the builder's keys) each slot carries: root style,
/// outgoing + current in the first slot, current alone, current + incoming last.
pub fn root_pattern(bundles: usize) -> Vec<Vec<usize>> {
    (0..bundles)
        .map(|i| match i {
            0 if bundles > 1 => vec![0, 1],
            i if i + 1 == bundles && bundles > 1 => vec![1, 2],
            _ => vec![1],
        })
        .collect()
}

/// Builds synthetic KSRs (and their SKRs) whose numbers match [`KsrBuilder::policy`].
pub struct KsrBuilder {
    pub domain: String,
    pub id: String,
    pub serial: u64,
    pub start: Time,
    pub interval: i64,
    pub validity: i64,
    pub ttl: u32,
    pub zsks: Vec<TestKey>,
    pub pattern: Vec<Vec<usize>>,
}

impl KsrBuilder {
    /// Root-like: 9 bundles 10 days apart, 21-day validity, TTL 172800, three
    /// Ed25519 ZSKs in the 2,1,...,1,2 pattern, starting at `start`.
    pub fn new(domain: &str, start: Time) -> KsrBuilder {
        KsrBuilder {
            domain: domain.to_string(),
            id: format!("test-ksr-{}", domain.trim_end_matches('.')),
            serial: 1,
            start,
            interval: 10 * DAY,
            validity: 21 * DAY,
            ttl: 172_800,
            zsks: (0..3)
                .map(|i| TestKey::ed25519(&format!("{domain}zsk{i}")))
                .collect(),
            pattern: root_pattern(9),
        }
    }

    /// `n` bundles in the root pattern.
    pub fn bundles(mut self, n: usize) -> Self {
        self.pattern = root_pattern(n);
        self
    }

    /// Replaces the ZSKs (the pattern indexes into them).
    pub fn zsks(mut self, keys: Vec<TestKey>) -> Self {
        self.zsks = keys;
        self
    }

    pub fn id(mut self, id: &str) -> Self {
        self.id = id.to_string();
        self
    }

    fn bundle_id(&self, i: usize) -> String {
        let h = hex::encode(Sha256::digest(format!("{}/{i}", self.id)));
        format!(
            "{}-{}-{}-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        )
    }

    fn zsk_block(&self) -> PolicyBlock {
        let mut algorithms: Vec<AlgorithmPolicy> = Vec::new();
        for k in &self.zsks {
            let a = algorithm_policy(k);
            if !algorithms.contains(&a) {
                algorithms.push(a);
            }
        }
        PolicyBlock {
            publish_safety: 10 * DAY,
            retire_safety: 10 * DAY,
            max_signature_validity: self.validity,
            min_signature_validity: self.validity,
            max_validity_overlap: self.validity - self.interval,
            min_validity_overlap: self.validity - self.interval,
            algorithms,
        }
    }

    /// The KSR: every bundle signed by each of its ZSKs (proof of possession).
    pub fn build(&self) -> Document {
        let sig_inception = self.start - time::Duration::days(60);
        let sig_expiration = self.start - time::Duration::days(30);
        let bundles = self
            .pattern
            .iter()
            .enumerate()
            .map(|(i, slot)| {
                let inception = self.start + time::Duration::seconds(self.interval * i as i64);
                let keys: Vec<Key> = slot.iter().map(|&k| self.zsks[k].zsk(self.ttl)).collect();
                let signatures = slot
                    .iter()
                    .zip(&keys)
                    .map(|(&k, key)| {
                        self.zsks[k].rrsig(&self.domain, key, &keys, sig_inception, sig_expiration)
                    })
                    .collect();
                Bundle {
                    id: self.bundle_id(i),
                    inception,
                    expiration: inception + time::Duration::seconds(self.validity),
                    signers: vec![],
                    keys,
                    signatures,
                }
            })
            .collect();
        Document {
            id: self.id.clone(),
            serial: self.serial,
            domain: self.domain.clone(),
            kind: Kind::Request,
            timestamp: None,
            ksk_policy: None,
            zsk_policy: self.zsk_block(),
            bundles,
        }
    }

    /// An operator policy that this builder's KSRs (and SKRs signed with
    /// `ksk_algorithm`-style keys like `ksks`) satisfy exactly.
    pub fn policy(&self, ksks: &[&TestKey]) -> Policy {
        let n = self.pattern.len();
        let mut distinct: Vec<usize> = self.pattern.iter().flatten().copied().collect();
        distinct.sort();
        distinct.dedup();
        let mut ksk_algorithms: Vec<AlgorithmPolicy> = Vec::new();
        for k in ksks {
            let a = algorithm_policy(k);
            if !ksk_algorithms.contains(&a) {
                ksk_algorithms.push(a);
            }
        }
        if ksk_algorithms.is_empty() {
            ksk_algorithms = self.zsk_block().algorithms;
        }
        let overlap = self.validity - self.interval;
        Policy {
            domains: vec![crate::policy::normalize_domain(&self.domain)],
            bundle_count: n,
            cycle_duration: Span {
                min: self.interval * (n as i64 - 1),
                max: self.interval * (n as i64 - 1),
            },
            keys_per_bundle: Some(self.pattern.iter().map(|s| s.len()).collect()),
            distinct_keys: Some(distinct.len()),
            zsk_algorithms: self.zsk_block().algorithms,
            ksk_algorithms,
            signature_validity: Span {
                min: self.validity,
                max: self.validity,
            },
            validity_overlap: Span {
                min: overlap,
                max: overlap,
            },
            bundle_interval: Span {
                min: self.interval,
                max: self.interval,
            },
            signature_horizon: 180 * DAY,
            min_signature_remaining: crate::policy::DEFAULT_MIN_SIGNATURE_REMAINING,
            min_expiry_horizon: crate::policy::DEFAULT_MIN_EXPIRY_HORIZON,
            ksk_publish_safety: 0,
            ksk_retire_safety: 28 * DAY,
            zsk_publish_safety: 10 * DAY,
            zsk_retire_safety: 10 * DAY,
            dnskey_ttl: self.ttl,
            schemas: vec![],
            snapshot_timing: Default::default(),
        }
    }
}

/// What a policy block or operator policy says about `key`'s algorithm.
pub fn algorithm_policy(key: &TestKey) -> AlgorithmPolicy {
    let params = match key.algorithm {
        8 | 10 => AlgorithmParams::Rsa {
            size: 2048,
            exponent: 65537,
        },
        13 => AlgorithmParams::Ecdsa { size: 256 },
        14 => AlgorithmParams::Ecdsa { size: 384 },
        _ => AlgorithmParams::None,
    };
    AlgorithmPolicy {
        algorithm: key.algorithm,
        params,
    }
}

/// Signs `ksr` into an SKR following `schema`, with `current` as C and `next`
/// as N, through the one SKR builder ([`crate::sign::build`]) over the software
/// backend. The DNSKEY TTL is the KSR's; the KSK policy block is the root's.
pub fn sign_skr(
    ksr: &Document,
    schema: &Schema,
    current: &TestKey,
    next: Option<&TestKey>,
) -> Document {
    let mut policy = Policy::root();
    policy.dnskey_ttl = ksr
        .bundles
        .first()
        .and_then(|b| b.keys.first())
        .map_or(172_800, |k| k.ttl);
    // A next key the schema does not use is not part of the ceremony.
    let next = next.filter(|_| crate::sign::skr::uses_next(schema));
    let mut store = SoftStore::with([current.soft()]);
    store.extend(next.map(|n| n.soft()));
    let ksks = Ksks {
        current: current.soft().public().clone(),
        next: next.map(|n| n.soft().public().clone()),
    };
    crate::sign::build(ksr, schema, &policy, &ksks, &mut store, &mut |_, _| {})
        .unwrap_or_else(|e| panic!("test SKR: {e}"))
}

/// Asserts that `name` is the one and only failing check in `report`, and that
/// its detail mentions `needle` (a slot, key or number the failure must name).
pub fn assert_fails_only(report: &crate::check::Report, name: &str, needle: &str) {
    let lines = report.lines().join("\n");
    assert_eq!(
        report.failures(),
        vec![name],
        "expected only {name} to fail:\n{lines}"
    );
    let detail = &report.get(name).expect("check ran").detail;
    assert!(
        detail.contains(needle),
        "{name} detail should mention {needle:?}: {detail}"
    );
}

/// Asserts that nothing failed.
pub fn assert_no_failure(report: &crate::check::Report) {
    assert!(
        !report.failed(),
        "unexpected failure:\n{}",
        report.lines().join("\n")
    );
}
