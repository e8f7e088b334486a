//! Replaying a real ceremony: the publisher timeline from a series of SKRs,
//! each in any format `ksr::format` reads (IANA XML, Knot or BIND text; see
//! docs/formats.md). Each response bundle is the DNSKEY RRset served from its
//! inception; only the SEP keys (KSKs) matter to RFC 5011, ZSKs are ignored.

use crate::error::InputError;
use crate::key::{KeyMask, KeySet, SimKey, MAX_KEYS};
use crate::publisher::{Rrset, Timeline, Version};
use std::path::PathBuf;

/// `paths`: SKR files with the scenario line that names each.
pub fn timeline_from_skrs(
    paths: &[(PathBuf, usize)],
    keys: &mut KeySet,
    scenario: &str,
) -> Result<Timeline, InputError> {
    let mut versions: Vec<Version> = Vec::new();
    for (path, line) in paths {
        let (doc, _) =
            ksr::format::read_file(path, &ksr::xml::ParseOptions::default()).map_err(|e| {
                InputError::new(scenario, Some(*line), format!("cannot replay SKR: {e}"))
            })?;
        if doc.kind != ksr::Kind::Response {
            return Err(InputError::new(
                scenario,
                Some(*line),
                format!("{} is a KSR, not an SKR: only a signed response has the KSK signatures to replay", path.display()),
            ));
        }
        for b in &doc.bundles {
            let mut r = Rrset {
                inception: b.inception.unix_timestamp(),
                expiration: b.expiration.unix_timestamp(),
                ..Rrset::default()
            };
            let mut ttl = None;
            for k in b.keys.iter().filter(|k| k.is_ksk()) {
                let idx = key_index(keys, k).ok_or_else(|| {
                    InputError::new(
                        scenario,
                        Some(*line),
                        format!("{}: more than {MAX_KEYS} KSKs", path.display()),
                    )
                })?;
                let bit: KeyMask = 1 << idx;
                r.published |= bit;
                if k.is_revoked() {
                    r.revoked |= bit;
                }
                ttl = Some(ttl.map_or(k.ttl, |t: u32| t.min(k.ttl)));
                let tag = ksr::dnssec::key_tag(k);
                if b.signatures.iter().any(|s| {
                    s.algorithm == k.algorithm
                        && (s.key_tag == tag
                            || s.key_identifier == k.key_identifier && s.key_tag == k.key_tag)
                }) {
                    r.signing |= bit;
                }
            }
            r.ttl = ttl.unwrap_or(0) as i64;
            let source = format!(
                "{} bundle {}",
                path.file_name()
                    .map(|f| f.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                b.id
            );
            versions.push(Version {
                from: r.inception,
                rrset: r,
                source,
            });
        }
    }
    // A later bundle takes over at its inception; on equal inceptions the later file wins.
    versions.sort_by_key(|v| v.from);
    let mut out: Vec<Version> = Vec::new();
    for v in versions {
        match out.last_mut() {
            Some(last) if last.from == v.from => *last = v,
            _ => out.push(v),
        }
    }
    if out.is_empty() {
        return Err(InputError::new(scenario, None, "the SKRs hold no bundles"));
    }
    Ok(Timeline { versions: out })
}

/// The scenario key with this public key (the REVOKE bit aside), added if new.
fn key_index(keys: &mut KeySet, k: &ksr::Key) -> Option<usize> {
    if let Some(i) = keys
        .keys
        .iter()
        .position(|s| s.algorithm == k.algorithm && s.public_key == k.public_key)
    {
        return Some(i);
    }
    if keys.keys.len() >= MAX_KEYS {
        return None;
    }
    let mut unrevoked = k.clone();
    unrevoked.flags &= !ksr::model::flags::REVOKE;
    let tag = ksr::dnssec::key_tag(&unrevoked);
    let taken = |n: &str| keys.keys.iter().any(|s| s.name == n);
    let name = if k.key_identifier.is_empty() || taken(&k.key_identifier) {
        format!("KSK-{tag}")
    } else {
        k.key_identifier.clone()
    };
    keys.keys
        .push(SimKey::new(&name, k.algorithm, k.public_key.clone()));
    Some(keys.keys.len() - 1)
}
