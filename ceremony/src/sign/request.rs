//! Building a KSR on the ZSK side, for operators whose signer cannot emit one:
//! bundles laid out by the policy, each carrying the ZSKs of its slot and their
//! proof-of-possession signatures, made by the ZSKs on the token.
//!
//! Layout (ZSK labels are given oldest first):
//! - one ZSK: it is in every slot;
//! - two ZSKs `[current, next]`: `current` everywhere, `next` pre-published in the last slot;
//! - three ZSKs `[previous, current, next]`: the root's layout, `previous` post-published
//!   in the first slot, `next` pre-published in the last one (keys per slot 2,1,...,1,2).
//!
//! Identifiers are derived from content (SHA-256), so the same inputs give the
//! same KSR byte for byte.

use ksr::dnssec;
use ksr::model::{flags, Bundle, Document, Key, Kind, PolicyBlock, Signature, Time};
use ksr::policy::Policy;
use ksr::{digest, timefmt};
use time::Duration;

use crate::error::{Error, Result};
use crate::keystore::KeyStore;

#[derive(Debug, Clone)]
pub struct RequestPlan {
    /// The zone, absolute (a trailing dot is added if missing).
    pub zone: String,
    /// ZSK labels on the token, oldest first (1 to 3).
    pub zsks: Vec<String>,
    /// Inception of the first bundle.
    pub from: Time,
    /// End of the period: bundles start every policy interval from `from` while a whole interval fits before `to`.
    pub to: Time,
    pub serial: u64,
}

/// Absolute form of a zone name: `example.test` -> `example.test.`; `.` stays.
pub fn absolute(zone: &str) -> String {
    let z = zone.trim();
    if z.ends_with('.') {
        z.to_string()
    } else {
        format!("{z}.")
    }
}

/// A UUID-shaped identifier from the SHA-256 of `parts`.
fn content_id(parts: &[&[u8]]) -> String {
    let mut buf = Vec::new();
    for p in parts {
        buf.extend_from_slice(&(p.len() as u64).to_be_bytes());
        buf.extend_from_slice(p);
    }
    super::uuid_shaped(&digest::sha256(&buf))
}

/// Midpoint of a policy span: the layout aims for the middle of what the policy accepts.
fn mid(span: ksr::policy::Span) -> i64 {
    (span.min + span.max) / 2
}

/// Which of the ZSKs (indices into `plan.zsks`) are in slot `i` of `n`.
fn slot_zsks(count: usize, i: usize, n: usize) -> Vec<usize> {
    let (first, last) = (i == 0, i + 1 == n);
    match count {
        1 => vec![0],
        2 => {
            if last {
                vec![0, 1]
            } else {
                vec![0]
            }
        }
        _ => {
            let mut v = Vec::new();
            if first {
                v.push(0);
            }
            v.push(1);
            if last {
                v.push(2);
            }
            v
        }
    }
}

/// Builds and signs the KSR.
pub fn build(plan: &RequestPlan, policy: &Policy, store: &mut dyn KeyStore) -> Result<Document> {
    if plan.zsks.is_empty() || plan.zsks.len() > 3 {
        return Err(Error::Input(format!(
            "give one to three --zsk labels (oldest first), not {}",
            plan.zsks.len()
        )));
    }
    let mut seen = plan.zsks.clone();
    seen.sort();
    seen.dedup();
    if seen.len() != plan.zsks.len() {
        return Err(Error::Input("the same --zsk label is given twice".into()));
    }
    let zone = absolute(&plan.zone);
    let labels =
        dnssec::label_count(&zone).map_err(|e| Error::Input(format!("--zone {zone:?}: {e}")))?;
    let interval = mid(policy.bundle_interval);
    let validity = mid(policy.signature_validity);
    if interval <= 0 || validity <= 0 {
        return Err(Error::Input(
            "the policy's bundle interval and signature validity must be positive".into(),
        ));
    }
    let span = (plan.to - plan.from).whole_seconds();
    let n = if span > 0 {
        (span / interval) as usize
    } else {
        0
    };
    if n == 0 {
        return Err(Error::Input(format!(
            "--from {} to --to {} is shorter than one bundle interval ({})",
            timefmt::format_time(plan.from),
            timefmt::format_time(plan.to),
            timefmt::format_duration(interval)
        )));
    }
    let ttl = policy.dnskey_ttl;
    let mut zsks = Vec::new();
    for label in &plan.zsks {
        let pk = store.public_key(label)?;
        zsks.push(super::dnskey(&pk, flags::ZSK, ttl));
    }

    let mut bundles = Vec::with_capacity(n);
    for i in 0..n {
        let inception = plan.from + Duration::seconds(interval * i as i64);
        let expiration = inception + Duration::seconds(validity);
        let keys: Vec<Key> = slot_zsks(zsks.len(), i, n)
            .into_iter()
            .map(|k| zsks[k].clone())
            .collect();
        let mut parts: Vec<Vec<u8>> = vec![
            zone.as_bytes().to_vec(),
            timefmt::format_time(inception).into_bytes(),
            timefmt::format_time(expiration).into_bytes(),
        ];
        parts.extend(keys.iter().map(dnssec::dnskey_rdata));
        let id = content_id(&parts.iter().map(Vec::as_slice).collect::<Vec<_>>());
        let mut signatures = Vec::new();
        for k in &keys {
            let mut sig = Signature {
                key_identifier: k.key_identifier.clone(),
                ttl,
                type_covered: "DNSKEY".into(),
                algorithm: k.algorithm,
                labels,
                original_ttl: ttl,
                expiration,
                inception,
                key_tag: k.key_tag,
                signers_name: zone.clone(),
                signature_data: Vec::new(),
            };
            let data = dnssec::signing_data(&zone, &sig, &keys)
                .map_err(|e| Error::Input(format!("{zone}: {e}")))?;
            sig.signature_data = store.sign(&k.key_identifier, &data)?;
            dnssec::verify(k, &data, &sig.signature_data).map_err(|e| {
                Error::Hsm(format!(
                    "the proof-of-possession signature by {} does not verify ({e})",
                    k.key_identifier
                ))
            })?;
            signatures.push(sig);
        }
        bundles.push(Bundle {
            id,
            inception,
            expiration,
            signers: Vec::new(),
            keys,
            signatures,
        });
    }

    let id_parts: Vec<&[u8]> = std::iter::once(zone.as_bytes())
        .chain(bundles.iter().map(|b| b.id.as_bytes()))
        .collect();
    let zsk_policy = PolicyBlock {
        publish_safety: policy.zsk_publish_safety,
        retire_safety: policy.zsk_retire_safety,
        max_signature_validity: policy.signature_validity.max,
        min_signature_validity: policy.signature_validity.min,
        max_validity_overlap: policy.validity_overlap.max,
        min_validity_overlap: policy.validity_overlap.min,
        algorithms: super::algorithm_policies(&zsks)
            .map_err(|e| Error::Input(format!("ZSK: {e}")))?,
    };
    Ok(Document {
        id: content_id(&id_parts),
        serial: plan.serial,
        domain: zone,
        kind: Kind::Request,
        timestamp: None,
        ksk_policy: None,
        zsk_policy,
        bundles,
    })
}
