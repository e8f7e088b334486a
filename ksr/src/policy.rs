//! The operator's policy: what this operator accepts, independent of what a KSR
//! claims about itself. Read from TOML; the built-in default is the root zone's.
//!
//! STUB: shape fixed, to be completed (owner: ksr-checks work). Fields may be
//! added; the ones below are relied on by `ceremony`.

use crate::model::{AlgorithmPolicy, Seconds};
use crate::schema::Schema;

/// A closed range of durations (seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub min: Seconds,
    pub max: Seconds,
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
    /// KSR-POLICY-SAFETY: KSK publish safety and retire safety (root: PT0S? see DOMAIN.md).
    pub ksk_publish_safety: Seconds,
    pub ksk_retire_safety: Seconds,
    /// TTL of the DNSKEY RRset the ceremony publishes (root: 172800).
    pub dnskey_ttl: u32,
    /// Signing schemas defined by the operator, in addition to the built-in ones.
    pub schemas: Vec<Schema>,
}

impl Policy {
    /// The root zone's policy (DOMAIN.md section 3).
    pub fn root() -> Policy {
        todo!()
    }

    /// Reads a TOML policy; errors name the file and the key at fault.
    pub fn from_toml_file(path: &std::path::Path) -> Result<Policy, String> {
        let _ = path;
        todo!()
    }

    /// Finds a schema by name: the policy's own first, then the built-in ones.
    pub fn schema(&self, name: &str) -> Option<Schema> {
        let _ = name;
        todo!()
    }
}
