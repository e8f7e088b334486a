//! The operator's policy: what this operator accepts, independent of what a KSR
//! claims about itself. Read from TOML; the built-in default is the root zone's.
//!
//! Durations are written as xsd:duration strings (`P21D`, `PT0S`), algorithms by
//! mnemonic (`RSASHA256`) or number (`8`). See `ksr/policies/cctld-example.toml`.

// Algorithm mnemonics: one table for the whole crate (IANA registry).
use crate::dnssec::ALGORITHMS as ALGORITHM_NAMES;
use crate::model::{AlgorithmParams, AlgorithmPolicy, Seconds};
use crate::schema::Schema;
use crate::timefmt;
use serde::{Deserialize, Serialize};
use std::path::Path;

const DAY: Seconds = 86_400;

/// SKR-SIG-WINDOW's default margin: one day (the .ke 2015 lesson).
pub const DEFAULT_MIN_SIGNATURE_REMAINING: Seconds = DAY;
/// SKR-EXPIRY-HORIZON's default margin: two weeks to get a new SKR imported.
pub const DEFAULT_MIN_EXPIRY_HORIZON: Seconds = 14 * DAY;

/// A closed range of durations (seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub min: Seconds,
    pub max: Seconds,
}

impl Span {
    pub fn days(min: i64, max: i64) -> Span {
        Span {
            min: min * DAY,
            max: max * DAY,
        }
    }
    pub fn contains(&self, s: Seconds) -> bool {
        self.min <= s && s <= self.max
    }
    /// `P9D..P12D`
    pub fn describe(&self) -> String {
        format!(
            "{}..{}",
            timefmt::format_duration(self.min),
            timefmt::format_duration(self.max)
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// KSR-DOMAIN: zone names accepted, absolute (`.`, `cz.`).
    pub domains: Vec<String>,
    /// KSR-BUNDLE-COUNT: number of bundles in a KSR (root: 9).
    pub bundle_count: usize,
    /// KSR-BUNDLE-CYCLE-DURATION: last inception - first inception (root: P79D..P81D).
    pub cycle_duration: Span,
    /// KSR-POLICY-KEYS: ZSKs per bundle, slot by slot (root: 2,1,1,1,1,1,1,1,2); None = unchecked.
    pub keys_per_bundle: Option<Vec<usize>>,
    /// KSR-POLICY-KEYS: distinct ZSKs over the KSR (root: 3); None = unchecked.
    pub distinct_keys: Option<usize>,
    /// KSR-POLICY-ALG / KSR-BUNDLE-KEYS: ZSK algorithms and sizes accepted.
    pub zsk_algorithms: Vec<AlgorithmPolicy>,
    /// KSK algorithms and sizes accepted (for SKRs and the ceremony's keys).
    pub ksk_algorithms: Vec<AlgorithmPolicy>,
    /// KSR-POLICY-SIG-VALIDITY: bundle expiration - inception (root: P21D..P21D).
    pub signature_validity: Span,
    /// KSR-POLICY-SIG-OVERLAP: overlap of consecutive bundles (root: P9D..P12D).
    pub validity_overlap: Span,
    /// KSR-POLICY-BUNDLE-INTERVALS: consecutive inceptions (root: P9D..P11D).
    pub bundle_interval: Span,
    /// KSR-POLICY-SIG-HORIZON: furthest expiration accepted from `--at` (root: P180D).
    pub signature_horizon: Seconds,
    /// SKR-SIG-WINDOW: a bundle's signatures must outlive the next bundle's
    /// inception by at least this much (default P1D; file key `signatures.min_remaining`).
    pub min_signature_remaining: Seconds,
    /// SKR-EXPIRY-HORIZON: least time from `--at` until the SKR's last signature
    /// expires (default P14D; file key `signatures.min_expiry_horizon`).
    pub min_expiry_horizon: Seconds,
    /// KSR-POLICY-SAFETY on SKRs: a KSK is published at least this long before it
    /// signs (root SKRs state PT0S).
    pub ksk_publish_safety: Seconds,
    /// KSR-POLICY-SAFETY on SKRs: a KSK that signed stays published at least this
    /// long after it stops signing (root SKRs state P28D).
    pub ksk_retire_safety: Seconds,
    /// KSR-POLICY-SAFETY on KSRs: ZSK publish safety (root KSRs state P10D).
    pub zsk_publish_safety: Seconds,
    /// KSR-POLICY-SAFETY on KSRs: ZSK retire safety (root KSRs state P10D).
    pub zsk_retire_safety: Seconds,
    /// TTL of the DNSKEY RRset the ceremony publishes (root: 172800); KSR-BUNDLE-KEYS
    /// checks every key's TTL against it.
    pub dnskey_ttl: u32,
    /// Signing schemas defined by the operator, in addition to the built-in ones.
    pub schemas: Vec<Schema>,
    /// RRSIG timing when signing a Knot/BIND text KSR, which states none
    /// (file section `[snapshot_timing]`; docs/formats.md, "Signing text KSRs").
    pub snapshot_timing: crate::sign::timing::SnapshotTiming,
}

impl Policy {
    /// The root zone's policy (docs/checks.md; safety values as the real
    /// root KSRs and SKRs state them).
    pub fn root() -> Policy {
        let rsa2048 = AlgorithmPolicy {
            algorithm: 8,
            params: AlgorithmParams::Rsa {
                size: 2048,
                exponent: 65537,
            },
        };
        Policy {
            domains: vec![".".into()],
            bundle_count: 9,
            cycle_duration: Span::days(79, 81),
            keys_per_bundle: Some(vec![2, 1, 1, 1, 1, 1, 1, 1, 2]),
            distinct_keys: Some(3),
            zsk_algorithms: vec![rsa2048.clone()],
            ksk_algorithms: vec![rsa2048],
            signature_validity: Span::days(21, 21),
            validity_overlap: Span::days(9, 12),
            bundle_interval: Span::days(9, 11),
            signature_horizon: 180 * DAY,
            min_signature_remaining: DEFAULT_MIN_SIGNATURE_REMAINING,
            min_expiry_horizon: DEFAULT_MIN_EXPIRY_HORIZON,
            ksk_publish_safety: 0,
            ksk_retire_safety: 28 * DAY,
            zsk_publish_safety: 10 * DAY,
            zsk_retire_safety: 10 * DAY,
            dnskey_ttl: 172_800,
            schemas: vec![],
            snapshot_timing: Default::default(),
        }
    }

    /// Reads a TOML policy; errors name the file and the key at fault.
    pub fn from_toml_file(path: &Path) -> Result<Policy, String> {
        let cannot = |why: String| format!("{}: cannot read policy: {why}", path.display());
        // A policy is a page of TOML; the cap keeps `/dev/zero` from filling memory.
        let bytes = crate::xml::read_capped(path, crate::xml::DEFAULT_MAX_SIZE)
            .map_err(|e| cannot(e.message.trim_start_matches("cannot read: ").to_string()))?;
        let text = String::from_utf8(bytes).map_err(|e| cannot(format!("not UTF-8: {e}")))?;
        Policy::from_toml_str(&text, &path.display().to_string())
    }

    /// Parses a TOML policy; `file` only names the source in errors.
    pub fn from_toml_str(text: &str, file: &str) -> Result<Policy, String> {
        let raw: PolicyFile = toml::from_str(text).map_err(|e| toml_error(&e, text, file))?;
        raw.into_policy()
            .map_err(|(key, msg)| format!("{file}: key `{key}`: {msg}"))
    }

    /// The policy as TOML that [`Policy::from_toml_str`] reads back to an equal policy.
    pub fn to_toml(&self) -> String {
        let body = toml::to_string(&PolicyFile::from_policy(self)).expect("policy serialises");
        let end = if body.ends_with('\n') { "" } else { "\n" };
        format!("# ksr operator policy (durations are xsd:duration; algorithms by name or number)\n{body}{end}")
    }

    /// Finds a schema by name: the policy's own first, then the built-in ones.
    pub fn schema(&self, name: &str) -> Option<Schema> {
        self.schemas
            .iter()
            .find(|s| s.name == name)
            .cloned()
            .or_else(|| Schema::builtin(name))
    }

    /// The policy's own schemas, then the built-in ones not shadowed by them.
    pub fn all_schemas(&self) -> Vec<Schema> {
        let mut all = self.schemas.clone();
        for b in Schema::builtins() {
            if !all.iter().any(|s| s.name == b.name) {
                all.push(b);
            }
        }
        all
    }

    /// Whether `domain` is one the operator accepts (case-insensitive, trailing dot optional).
    pub fn accepts_domain(&self, domain: &str) -> bool {
        let d = normalize_domain(domain);
        self.domains.iter().any(|x| normalize_domain(x) == d)
    }
}

/// `FILE:LINE: message` on one line: the toml crate's `Display` draws a
/// multi-line source excerpt, so the line comes from the error's span instead.
fn toml_error(e: &toml::de::Error, text: &str, file: &str) -> String {
    let message = e
        .message()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    match e.span() {
        Some(span) => {
            let end = span.start.min(text.len());
            let line = 1 + text.as_bytes()[..end]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            format!("{file}:{line}: {message}")
        }
        None => format!("{file}: {message}"),
    }
}

/// Lowercase, absolute form of a zone name (`CZ` -> `cz.`, `.` stays `.`),
/// escapes in one form ([`crate::dnssec::canonical_name`]), so names compare
/// by their wire form (`\101xample.test.` is `example.test.`).
pub fn normalize_domain(name: &str) -> String {
    // Without an escape both forms are the same: the canonical one is only
    // worked out when there is one (this runs once per signature).
    if name.contains('\\') {
        if let Some(canonical) = crate::dnssec::canonical_name(name.trim()) {
            return canonical;
        }
    }
    let lower = name.trim().to_ascii_lowercase();
    if lower.ends_with('.') {
        lower
    } else {
        format!("{lower}.")
    }
}

/// Algorithms that must never be used for new keys (RFC 8624).
pub const DEPRECATED_ALGORITHMS: &[u8] = &[1, 3, 5, 6, 7, 12];

/// Algorithms this toolkit can verify and a policy may approve.
pub const SUPPORTED_ALGORITHMS: &[u8] = &[8, 10, 13, 14, 15];

pub fn is_deprecated(algorithm: u8) -> bool {
    DEPRECATED_ALGORITHMS.contains(&algorithm)
}

/// Mnemonic of an algorithm number, or its number as text.
pub fn algorithm_mnemonic(algorithm: u8) -> String {
    ALGORITHM_NAMES
        .iter()
        .find(|(n, _)| *n == algorithm)
        .map(|(_, s)| s.to_string())
        .unwrap_or_else(|| algorithm.to_string())
}

fn algorithm_from_name(name: &str) -> Option<u8> {
    let up = name.trim().to_ascii_uppercase().replace('_', "-");
    ALGORITHM_NAMES
        .iter()
        .find(|(_, s)| *s == up)
        .map(|(n, _)| *n)
        .or_else(|| up.parse().ok())
}

/// How an approved algorithm reads: `RSASHA256 (RSA-2048, e=65537)`.
pub fn describe_algorithm(a: &AlgorithmPolicy) -> String {
    let name = algorithm_mnemonic(a.algorithm);
    match a.params {
        AlgorithmParams::Rsa { size, exponent } => format!("{name} (RSA-{size}, e={exponent})"),
        AlgorithmParams::Ecdsa { size } => format!("{name} (ECDSA-{size})"),
        AlgorithmParams::None => name,
    }
}

// ---- the TOML file form --------------------------------------------------

/// A duration in the file: an xsd:duration string.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
struct Duration(String);

impl Duration {
    fn from_secs(s: Seconds) -> Duration {
        Duration(timefmt::format_duration(s))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SpanFile {
    min: Duration,
    max: Duration,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
enum AlgorithmRef {
    Number(i64),
    Name(String),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AlgorithmFile {
    algorithm: AlgorithmRef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    size: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    exponent: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyPolicyFile {
    publish_safety: Duration,
    retire_safety: Duration,
    algorithms: Vec<AlgorithmFile>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BundlesFile {
    count: usize,
    cycle_duration: SpanFile,
    interval: SpanFile,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    keys_per_bundle: Option<Vec<usize>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    distinct_keys: Option<usize>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignaturesFile {
    validity: SpanFile,
    overlap: SpanFile,
    horizon: Duration,
    /// Optional so that existing policy files stay valid; written only when not the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min_remaining: Option<Duration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min_expiry_horizon: Option<Duration>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    domains: Vec<String>,
    dnskey_ttl: u32,
    bundles: BundlesFile,
    signatures: SignaturesFile,
    zsk: KeyPolicyFile,
    ksk: KeyPolicyFile,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    schemas: Vec<Schema>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    snapshot_timing: Option<SnapshotTimingFile>,
}

/// `[snapshot_timing]`: every key optional, defaults as [`crate::sign::timing::SnapshotTiming::default`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SnapshotTimingFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    validity: Option<Duration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh: Option<Duration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    inception_offset: Option<Duration>,
}

type KeyErr = (String, String);

fn dur(key: &str, d: &Duration) -> Result<Seconds, KeyErr> {
    let s = timefmt::parse_duration(&d.0).map_err(|e| {
        (
            key.to_string(),
            format!("{:?} is not an xsd:duration: {e}", d.0),
        )
    })?;
    if s < 0 {
        return Err((key.to_string(), format!("{:?} is negative", d.0)));
    }
    Ok(s)
}

fn snapshot_timing(
    f: Option<&SnapshotTimingFile>,
) -> Result<crate::sign::timing::SnapshotTiming, KeyErr> {
    let mut t = crate::sign::timing::SnapshotTiming::default();
    let Some(f) = f else { return Ok(t) };
    if let Some(d) = &f.validity {
        t.validity = dur("snapshot_timing.validity", d)?;
    }
    if let Some(d) = &f.refresh {
        t.refresh = dur("snapshot_timing.refresh", d)?;
    }
    if let Some(d) = &f.inception_offset {
        t.inception_offset = dur("snapshot_timing.inception_offset", d)?;
    }
    t.validate()
        .map_err(|e| ("snapshot_timing".to_string(), e))?;
    Ok(t)
}

fn span(key: &str, s: &SpanFile) -> Result<Span, KeyErr> {
    let min = dur(&format!("{key}.min"), &s.min)?;
    let max = dur(&format!("{key}.max"), &s.max)?;
    if min > max {
        return Err((
            key.to_string(),
            format!("min {} is greater than max {}", s.min.0, s.max.0),
        ));
    }
    Ok(Span { min, max })
}

fn span_file(s: &Span) -> SpanFile {
    SpanFile {
        min: Duration::from_secs(s.min),
        max: Duration::from_secs(s.max),
    }
}

fn algorithm(key: &str, a: &AlgorithmFile) -> Result<AlgorithmPolicy, KeyErr> {
    let akey = format!("{key}.algorithm");
    let number = match &a.algorithm {
        AlgorithmRef::Number(n) => u8::try_from(*n)
            .map_err(|_| (akey.clone(), format!("{n} is not an algorithm number")))?,
        AlgorithmRef::Name(s) => algorithm_from_name(s).ok_or_else(|| {
            let known: Vec<&str> = ALGORITHM_NAMES.iter().map(|(_, n)| *n).collect();
            (
                akey.clone(),
                format!("unknown algorithm {s:?} (known: {})", known.join(", ")),
            )
        })?,
    };
    if is_deprecated(number) {
        return Err((
            akey,
            format!(
                "{} ({number}) is deprecated for new keys (RFC 8624); remove it",
                algorithm_mnemonic(number)
            ),
        ));
    }
    if !SUPPORTED_ALGORITHMS.contains(&number) {
        return Err((
            akey,
            format!("algorithm {number} is not supported (use 8, 10, 13, 14 or 15)"),
        ));
    }
    let params = match number {
        8 | 10 => {
            let size = a.size.ok_or_else(|| {
                (
                    format!("{key}.size"),
                    "RSA needs `size` (modulus bits, e.g. 2048)".into(),
                )
            })?;
            let exponent = a.exponent.ok_or_else(|| {
                (
                    format!("{key}.exponent"),
                    "RSA needs `exponent` (e.g. 65537)".into(),
                )
            })?;
            if !(1024..=4096).contains(&size) {
                return Err((
                    format!("{key}.size"),
                    format!("RSA size {size} is outside 1024..4096"),
                ));
            }
            AlgorithmParams::Rsa { size, exponent }
        }
        13 | 14 => {
            let curve = if number == 13 { 256 } else { 384 };
            if a.size.is_some_and(|s| s != curve) {
                return Err((
                    format!("{key}.size"),
                    format!("{} keys are {curve} bits", algorithm_mnemonic(number)),
                ));
            }
            if a.exponent.is_some() {
                return Err((format!("{key}.exponent"), "only RSA has an exponent".into()));
            }
            AlgorithmParams::Ecdsa { size: curve }
        }
        _ => {
            if a.size.is_some() || a.exponent.is_some() {
                return Err((
                    key.to_string(),
                    format!("{} takes no size or exponent", algorithm_mnemonic(number)),
                ));
            }
            AlgorithmParams::None
        }
    };
    Ok(AlgorithmPolicy {
        algorithm: number,
        params,
    })
}

fn algorithm_file(a: &AlgorithmPolicy) -> AlgorithmFile {
    let (size, exponent) = match a.params {
        AlgorithmParams::Rsa { size, exponent } => (Some(size), Some(exponent)),
        AlgorithmParams::Ecdsa { size } => (Some(size), None),
        AlgorithmParams::None => (None, None),
    };
    AlgorithmFile {
        algorithm: AlgorithmRef::Name(algorithm_mnemonic(a.algorithm)),
        size,
        exponent,
    }
}

fn algorithms(key: &str, list: &[AlgorithmFile]) -> Result<Vec<AlgorithmPolicy>, KeyErr> {
    if list.is_empty() {
        return Err((
            key.to_string(),
            "at least one algorithm must be approved".into(),
        ));
    }
    list.iter()
        .enumerate()
        .map(|(i, a)| algorithm(&format!("{key}[{i}]"), a))
        .collect()
}

impl PolicyFile {
    fn into_policy(self) -> Result<Policy, KeyErr> {
        if self.domains.is_empty() {
            return Err((
                "domains".into(),
                "list at least one zone, e.g. [\".\"]".into(),
            ));
        }
        for d in &self.domains {
            if let Err(e) = crate::dnssec::parse_name(d.trim()) {
                return Err(("domains".into(), e.to_string()));
            }
            let n = normalize_domain(d);
            if n != "." && (n.starts_with('.') || n.contains("..")) {
                return Err(("domains".into(), format!("{d:?} is not a zone name")));
            }
        }
        let b = &self.bundles;
        if b.count == 0 {
            return Err(("bundles.count".into(), "must be at least 1".into()));
        }
        if let Some(k) = &b.keys_per_bundle {
            if k.len() != b.count {
                return Err((
                    "bundles.keys_per_bundle".into(),
                    format!("lists {} slots but bundles.count is {}", k.len(), b.count),
                ));
            }
            if k.contains(&0) {
                return Err((
                    "bundles.keys_per_bundle".into(),
                    "a bundle needs at least one ZSK".into(),
                ));
            }
        }
        for (i, s) in self.schemas.iter().enumerate() {
            s.validate().map_err(|e| (format!("schemas[{i}]"), e))?;
        }
        Ok(Policy {
            domains: self.domains.iter().map(|d| normalize_domain(d)).collect(),
            bundle_count: b.count,
            cycle_duration: span("bundles.cycle_duration", &b.cycle_duration)?,
            keys_per_bundle: b.keys_per_bundle.clone(),
            distinct_keys: b.distinct_keys,
            zsk_algorithms: algorithms("zsk.algorithms", &self.zsk.algorithms)?,
            ksk_algorithms: algorithms("ksk.algorithms", &self.ksk.algorithms)?,
            signature_validity: span("signatures.validity", &self.signatures.validity)?,
            validity_overlap: span("signatures.overlap", &self.signatures.overlap)?,
            bundle_interval: span("bundles.interval", &b.interval)?,
            signature_horizon: dur("signatures.horizon", &self.signatures.horizon)?,
            min_signature_remaining: match &self.signatures.min_remaining {
                Some(d) => dur("signatures.min_remaining", d)?,
                None => DEFAULT_MIN_SIGNATURE_REMAINING,
            },
            min_expiry_horizon: match &self.signatures.min_expiry_horizon {
                Some(d) => dur("signatures.min_expiry_horizon", d)?,
                None => DEFAULT_MIN_EXPIRY_HORIZON,
            },
            ksk_publish_safety: dur("ksk.publish_safety", &self.ksk.publish_safety)?,
            ksk_retire_safety: dur("ksk.retire_safety", &self.ksk.retire_safety)?,
            zsk_publish_safety: dur("zsk.publish_safety", &self.zsk.publish_safety)?,
            zsk_retire_safety: dur("zsk.retire_safety", &self.zsk.retire_safety)?,
            dnskey_ttl: self.dnskey_ttl,
            snapshot_timing: snapshot_timing(self.snapshot_timing.as_ref())?,
            schemas: self.schemas,
        })
    }

    fn from_policy(p: &Policy) -> PolicyFile {
        PolicyFile {
            domains: p.domains.clone(),
            dnskey_ttl: p.dnskey_ttl,
            bundles: BundlesFile {
                count: p.bundle_count,
                cycle_duration: span_file(&p.cycle_duration),
                interval: span_file(&p.bundle_interval),
                keys_per_bundle: p.keys_per_bundle.clone(),
                distinct_keys: p.distinct_keys,
            },
            signatures: SignaturesFile {
                validity: span_file(&p.signature_validity),
                overlap: span_file(&p.validity_overlap),
                horizon: Duration::from_secs(p.signature_horizon),
                min_remaining: (p.min_signature_remaining != DEFAULT_MIN_SIGNATURE_REMAINING)
                    .then(|| Duration::from_secs(p.min_signature_remaining)),
                min_expiry_horizon: (p.min_expiry_horizon != DEFAULT_MIN_EXPIRY_HORIZON)
                    .then(|| Duration::from_secs(p.min_expiry_horizon)),
            },
            zsk: KeyPolicyFile {
                publish_safety: Duration::from_secs(p.zsk_publish_safety),
                retire_safety: Duration::from_secs(p.zsk_retire_safety),
                algorithms: p.zsk_algorithms.iter().map(algorithm_file).collect(),
            },
            ksk: KeyPolicyFile {
                publish_safety: Duration::from_secs(p.ksk_publish_safety),
                retire_safety: Duration::from_secs(p.ksk_retire_safety),
                algorithms: p.ksk_algorithms.iter().map(algorithm_file).collect(),
            },
            schemas: p.schemas.clone(),
            snapshot_timing: (p.snapshot_timing != Default::default()).then(|| {
                SnapshotTimingFile {
                    validity: Some(Duration::from_secs(p.snapshot_timing.validity)),
                    refresh: Some(Duration::from_secs(p.snapshot_timing.refresh)),
                    inception_offset: Some(Duration::from_secs(p.snapshot_timing.inception_offset)),
                }
            }),
        }
    }
}
