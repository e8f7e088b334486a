//! Bundle checks: ids, keys, proof of possession, count and cycle duration.

use super::{
    dur, key_identity, key_label, secs, short_id, signer_of, slot_label, CheckResult, Context,
};
use crate::dnssec::{self, KeySize};
use crate::model::{flags, AlgorithmParams, Bundle, Document, Key, Kind};
use crate::policy::normalize_domain;
use std::collections::{BTreeMap, HashMap};

pub const UNIQUE: &str = "KSR-BUNDLE-UNIQUE";
pub const KEYS: &str = "KSR-BUNDLE-KEYS";
pub const POP: &str = "KSR-BUNDLE-POP";
pub const COUNT: &str = "KSR-BUNDLE-COUNT";
pub const CYCLE: &str = "KSR-BUNDLE-CYCLE-DURATION";

/// KSR-BUNDLE-UNIQUE: bundle ids are unique, and none is reused from the previous SKR.
pub fn unique(doc: &Document, ctx: &Context) -> CheckResult {
    let mut problems = Vec::new();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, b) in doc.bundles.iter().enumerate() {
        if let Some(first) = seen.insert(b.id.as_str(), i) {
            problems.push(format!(
                "{} reuses the id {} of slot {}",
                slot_label(i, b),
                b.id,
                first + 1
            ));
        }
    }
    if let Some(prev) = ctx.previous_skr {
        for (i, b) in doc.bundles.iter().enumerate() {
            if let Some(j) = prev.bundles.iter().position(|p| p.id == b.id) {
                problems.push(format!(
                    "{} reuses the id {} of the previous SKR's slot {}",
                    slot_label(i, b),
                    b.id,
                    j + 1
                ));
            }
        }
    }
    let against = if ctx.previous_skr.is_some() {
        " and unused in the previous SKR"
    } else {
        ""
    };
    CheckResult::from_problems(
        UNIQUE,
        problems,
        format!("{} bundle ids are unique{against}", doc.bundles.len()),
    )
}

fn flags_problem(doc: &Document, key: &Key) -> Option<String> {
    let ok = match doc.kind {
        Kind::Request => key.flags == flags::ZSK,
        Kind::Response => {
            if key.flags & flags::SEP != 0 {
                key.flags == flags::KSK || key.flags == flags::KSK_REVOKED
            } else {
                key.flags == flags::ZSK
            }
        }
    };
    if ok {
        return None;
    }
    let want = match (doc.kind, key.flags & flags::SEP != 0) {
        (Kind::Request, _) => "a KSR carries only ZSKs, flags exactly 256",
        (Kind::Response, true) => "a KSK has flags 257, or 385 when revoked",
        (Kind::Response, false) => "a ZSK has flags exactly 256",
    };
    Some(format!("flags {} ({want})", key.flags))
}

/// Size and exponent of `key` against the approved entries for its algorithm.
/// None when allowed, or when the algorithm is not approved at all (that is
/// KSR-POLICY-ALG's finding, not this check's).
fn size_problem(key: &Key, approved: &[crate::model::AlgorithmPolicy]) -> Option<String> {
    let entries: Vec<_> = approved
        .iter()
        .filter(|a| a.algorithm == key.algorithm)
        .collect();
    if entries.is_empty() {
        return None;
    }
    let size = match dnssec::key_size(key) {
        Ok(s) => s,
        Err(e) => return Some(format!("unreadable public key: {e}")),
    };
    let fits = entries.iter().any(|a| match (a.params, size) {
        (AlgorithmParams::Rsa { size, exponent }, KeySize::Rsa { bits, exponent: e }) => {
            size == bits && exponent == e
        }
        (AlgorithmParams::Ecdsa { size }, KeySize::Ec { bits }) => size == bits,
        (AlgorithmParams::None, _) => true,
        _ => false,
    });
    if fits {
        return None;
    }
    let have = match size {
        KeySize::Rsa { bits, exponent } => format!("RSA-{bits} e={exponent}"),
        KeySize::Ec { bits } => format!("EC-{bits}"),
        KeySize::EdDsa { bits } => format!("EdDSA-{bits}"),
    };
    let want: Vec<String> = entries
        .iter()
        .map(|a| crate::policy::describe_algorithm(a))
        .collect();
    Some(format!(
        "{have} is not allowed by the policy ({})",
        want.join(" or ")
    ))
}

/// KSR-BUNDLE-KEYS: a keyIdentifier always names the same key; the key tag
/// recomputes; flags, protocol, TTL, and key size/exponent as the policy allows.
pub fn keys(doc: &Document, ctx: &Context) -> CheckResult {
    let mut problems = Vec::new();
    let mut names: BTreeMap<&str, (usize, (u8, &[u8]))> = BTreeMap::new();
    let mut count = 0;
    for (i, b) in doc.bundles.iter().enumerate() {
        for key in &b.keys {
            count += 1;
            let at = format!("{} {}", slot_label(i, b), key_label(key));
            match names.get(key.key_identifier.as_str()) {
                Some((slot, id)) if *id != key_identity(key) => problems.push(format!(
                    "{at}: keyIdentifier {} names a different key in slot {}",
                    key.key_identifier,
                    slot + 1
                )),
                Some(_) => {}
                None => {
                    names.insert(&key.key_identifier, (i, key_identity(key)));
                }
            }
            let tag = dnssec::key_tag(key);
            if tag != key.key_tag {
                problems.push(format!(
                    "{at}: keyTag {} does not match the key, which has tag {tag}",
                    key.key_tag
                ));
            }
            if let Some(p) = flags_problem(doc, key) {
                problems.push(format!("{at}: {p}"));
            }
            if key.protocol != 3 {
                problems.push(format!("{at}: protocol {} (must be 3)", key.protocol));
            }
            if key.ttl != ctx.policy.dnskey_ttl {
                problems.push(format!(
                    "{at}: TTL {} differs from the policy's DNSKEY TTL {}",
                    key.ttl, ctx.policy.dnskey_ttl
                ));
            }
            let approved = if key.is_ksk() {
                &ctx.policy.ksk_algorithms
            } else {
                &ctx.policy.zsk_algorithms
            };
            if let Some(p) = size_problem(key, approved) {
                problems.push(format!("{at}: {p}"));
            }
        }
    }
    CheckResult::from_problems(
        KEYS,
        problems,
        format!("{count} keys in {} bundles: identifiers consistent, tags, flags, TTL and sizes as the policy says", doc.bundles.len()),
    )
}

/// Problems with one RRSIG over `bundle`'s DNSKEY RRset made by `signer`.
fn rrsig_problems(
    domain: &str,
    bundle: &Bundle,
    sig: &crate::model::Signature,
    signer: &Key,
    proof: Twin,
) -> Vec<String> {
    let mut p = Vec::new();
    if sig.type_covered != "DNSKEY" {
        p.push(format!("covers {} instead of DNSKEY", sig.type_covered));
    }
    if sig.algorithm != signer.algorithm {
        p.push(format!(
            "algorithm {} differs from the key's {}",
            sig.algorithm, signer.algorithm
        ));
    }
    if normalize_domain(&sig.signers_name) != normalize_domain(domain) {
        p.push(format!(
            "signer's name {:?} is not the domain {:?}",
            sig.signers_name, domain
        ));
    }
    match dnssec::label_count(domain) {
        Ok(n) if n != sig.labels => p.push(format!("labels {} but {domain:?} has {n}", sig.labels)),
        Err(e) => p.push(format!("domain: {e}")),
        _ => {}
    }
    if let Some(k) = bundle.keys.iter().find(|k| k.ttl != sig.original_ttl) {
        p.push(format!(
            "original TTL {} differs from the DNSKEY TTL {}",
            sig.original_ttl, k.ttl
        ));
    }
    if sig.key_tag != dnssec::key_tag(signer) {
        p.push(format!(
            "key tag {} is not the signer's tag {}",
            sig.key_tag,
            dnssec::key_tag(signer)
        ));
    }
    match proof {
        Twin::None => {
            if let Err(e) = dnssec::verify_rrsig(domain, sig, &bundle.keys, signer) {
                p.push(format!("signature does not verify ({e})"));
            }
        }
        Twin::Verified(twin) => {
            // The same records and signature bytes as those verified when
            // made prove the signature as well as verifying it again.
            let same = twin.is_some_and(|d| {
                d.id == bundle.id && d.keys == bundle.keys && d.signatures.contains(sig)
            });
            if !same {
                p.push("signature or records differ from those verified when signing".into());
            }
        }
    }
    p
}

/// How a check proves a signature: by verifying it, or by finding exactly it
/// (same canonical records, same signature bytes) in a document whose every
/// signature was verified when it was made (the SKR the ceremony just built).
#[derive(Debug, Clone, Copy)]
pub enum Proof<'a> {
    Verify,
    VerifiedIn(&'a Document),
}

/// A signature's proof in one bundle: verify it, or the bundle at the same
/// place of the verified document (None when that has no such bundle).
#[derive(Clone, Copy)]
enum Twin<'a> {
    None,
    Verified(Option<&'a Bundle>),
}

/// Verifies every signature of every bundle over that bundle's DNSKEY RRset
/// (KSR-BUNDLE-POP's ZSK signatures, SKR-VERIFY's KSK signatures): how many
/// verified, and one problem per signature that did not or names no key.
pub(crate) fn verify_signatures(doc: &Document, proof: Proof) -> (usize, Vec<String>) {
    // Verification dominates the checks of a long KSR or SKR, and bundles are
    // independent: split them over the cores. Chunks are joined in order, so the
    // problems read the same whatever the thread count.
    const PER_THREAD_MIN: usize = 64;
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(doc.bundles.len() / PER_THREAD_MIN)
        .max(1);
    if threads == 1 {
        return verify_bundles(doc, 0, &doc.bundles, proof);
    }
    let chunk = doc.bundles.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = doc
            .bundles
            .chunks(chunk)
            .enumerate()
            .map(|(n, bundles)| scope.spawn(move || verify_bundles(doc, n * chunk, bundles, proof)))
            .collect();
        workers.into_iter().fold((0, Vec::new()), |(v, mut p), w| {
            let (wv, wp) = w.join().expect("signature verification thread panicked");
            p.extend(wp);
            (v + wv, p)
        })
    })
}

/// Verifies the signatures of `bundles`, the first of which is slot `first + 1`.
fn verify_bundles(
    doc: &Document,
    first: usize,
    bundles: &[Bundle],
    proof: Proof,
) -> (usize, Vec<String>) {
    let mut problems = Vec::new();
    let mut verified = 0;
    for (i, b) in bundles.iter().enumerate() {
        let slot = slot_label(first + i, b);
        let twin = match proof {
            Proof::Verify => Twin::None,
            Proof::VerifiedIn(done) if done.domain == doc.domain => {
                Twin::Verified(done.bundles.get(first + i))
            }
            Proof::VerifiedIn(_) => Twin::Verified(None),
        };
        for sig in &b.signatures {
            let Some(signer) = signer_of(b, sig) else {
                problems.push(format!(
                    "{slot}: signature by {} (tag {}) names no key in the bundle",
                    sig.key_identifier, sig.key_tag
                ));
                continue;
            };
            let p = rrsig_problems(&doc.domain, b, sig, signer, twin);
            if p.is_empty() {
                verified += 1;
            } else {
                problems.push(format!(
                    "{slot} signature by {}: {}",
                    key_label(signer),
                    p.join(", ")
                ));
            }
        }
    }
    (verified, problems)
}

/// KSR-BUNDLE-POP: every key in a bundle signed that bundle's DNSKEY RRset, and
/// every signature verifies.
pub fn pop(doc: &Document, _ctx: &Context) -> CheckResult {
    let (verified, mut problems) = verify_signatures(doc, Proof::Verify);
    for (i, b) in doc.bundles.iter().enumerate() {
        for key in &b.keys {
            let signed = b
                .signatures
                .iter()
                .any(|s| s.key_identifier == key.key_identifier);
            if !signed {
                problems.push(format!(
                    "{} {}: no signature by this key (proof of possession missing)",
                    slot_label(i, b),
                    key_label(key)
                ));
            }
        }
    }
    CheckResult::from_problems(
        POP,
        problems,
        format!("{verified} proof-of-possession signatures verify; every ZSK signed its bundle"),
    )
}

/// KSR-BUNDLE-COUNT: the number of bundles the policy asks for.
pub fn count(doc: &Document, ctx: &Context) -> CheckResult {
    let n = doc.bundles.len();
    if n == ctx.policy.bundle_count {
        CheckResult::pass(COUNT, format!("{n} bundles, as the policy says"))
    } else {
        CheckResult::fail(
            COUNT,
            format!("{n} bundles, the policy wants {}", ctx.policy.bundle_count),
        )
    }
}

/// KSR-BUNDLE-CYCLE-DURATION: last inception minus first inception within the policy's range.
pub fn cycle_duration(doc: &Document, ctx: &Context) -> CheckResult {
    let (Some(first), Some(last)) = (doc.bundles.first(), doc.bundles.last()) else {
        return CheckResult::fail(CYCLE, "the document has no bundles");
    };
    let d = secs(last.inception, first.inception);
    let span = ctx.policy.cycle_duration;
    let text = format!(
        "slot 1 ({}) to slot {} ({}): {} (policy {})",
        short_id(&first.id),
        doc.bundles.len(),
        short_id(&last.id),
        dur(d),
        span.describe()
    );
    if span.contains(d) {
        CheckResult::pass(CYCLE, text)
    } else {
        CheckResult::fail(CYCLE, format!("cycle out of range: {text}"))
    }
}
