//! Importer checks: what a zone operator (Knot, BIND) should verify before
//! loading an SKR into its signer, since the signers themselves do not
//! (docs/checks.md, importer checks; docs/formats.md, text formats).
//!
//! - SKR-MATCHES-KSR: the SKR answers exactly the KSR this operator sent.
//! - SKR-KSK-PINNED: every signing KSK is one the operator trusts.
//! - SKR-SIG-WINDOW: the bundle in force is covered, and no signature expires
//!   too soon after the next bundle takes over (.ke, 2015).
//! - SKR-EXPIRY-HORIZON: the whole SKR still has at least the policy's margin
//!   before its last signature expires (the next SKR must be in place by then).
//!
//! Also here: the list of checks that need data the text dialect lacks
//! ([`apply_text_dialect_limits`]). Reading any format is [`crate::format`]'s job.

use super::anchor::{unrevoked, DigestMatch, TrustAnchor};
use super::{dur, key_label, secs, signer_of, slot_label, zsks, CheckResult, Outcome, Report};
use crate::format::Format;
use crate::model::{Bundle, Document, Key, Kind, Seconds, Time};
use crate::policy::normalize_domain;
use crate::timefmt::format_human;
use std::collections::BTreeMap;

pub const MATCHES_KSR: &str = "SKR-MATCHES-KSR";
pub const KSK_PINNED: &str = "SKR-KSK-PINNED";
pub const SIG_WINDOW: &str = "SKR-SIG-WINDOW";
pub const EXPIRY_HORIZON: &str = "SKR-EXPIRY-HORIZON";

/// Replaces the results of checks that would judge values the text dialect
/// does not carry (ids, bundle expirations, proof of possession) with SKIP and
/// the reason. `previous` is the format of the previous SKR, if one was given.
pub fn apply_text_dialect_limits(
    report: &mut Report,
    doc: &Document,
    format: Format,
    previous: Option<Format>,
) {
    use super::{bundle, chain, header, timing};
    let mut skip: Vec<(&str, String)> = Vec::new();
    if format.is_text() {
        let what = format.describe();
        skip.push((header::ID, format!("the {what} has no document id")));
        skip.push((
            bundle::UNIQUE,
            format!("the {what} has no bundle ids (snapshots are named by their time only)"),
        ));
        let expiry = match doc.kind {
            Kind::Request => "a request snapshot has no expiration",
            Kind::Response => "a snapshot has no expiration of its own (only its RRSIGs do)",
        };
        for name in [timing::VALIDITY, timing::OVERLAP, timing::HORIZON] {
            skip.push((
                name,
                format!("the {what} has no bundle expiration: {expiry}"),
            ));
        }
        if doc.kind == Kind::Request {
            skip.push((
                bundle::POP,
                format!("a {what} KSR carries no proof-of-possession signatures"),
            ));
        }
    }
    if let Some(p) = previous.filter(|p| p.is_text()) {
        let what = p.describe();
        skip.push((
            header::ID,
            format!("the previous SKR is in the {what}, which has no id"),
        ));
        skip.push((
            chain::OVERLAP,
            format!("the previous SKR is in the {what}, which has no bundle expiration"),
        ));
    }
    for r in &mut report.results {
        if let Some((_, reason)) = skip.iter().find(|(n, _)| *n == r.name) {
            *r = CheckResult::skip(r.name, reason.clone());
        }
    }
    // Bundle ids of a text previous SKR are made up, so comparing with them proves nothing.
    if !format.is_text() && previous.is_some_and(|p| p.is_text()) {
        for r in &mut report.results {
            if r.name == bundle::UNIQUE && r.outcome == Outcome::Pass {
                r.detail.push_str(
                    " (not compared with the previous SKR: the text dialect has no bundle ids)",
                );
            }
        }
    }
}

/// The layout checks count and space bundles as the KSR has them; a text SKR
/// with re-signing snapshots (Knot's and BIND's KSK side add them at expiry
/// minus refresh) has more, closer together. They were judged on the KSR, and
/// SKR-MATCHES-KSR pairs every SKR snapshot with its KSR snapshot, so here they
/// become SKIP with that reason.
pub fn apply_resigning_limits(report: &mut Report, skr_snapshots: usize, ksr_snapshots: usize) {
    use super::{bundle, policy_keys, timing};
    if skr_snapshots == ksr_snapshots {
        return;
    }
    for r in &mut report.results {
        if [bundle::COUNT, policy_keys::KEYS, timing::INTERVALS].contains(&r.name) {
            *r = CheckResult::skip(
                r.name,
                format!(
                    "judged on the KSR ({ksr_snapshots} snapshots); the SKR adds re-signing snapshots ({skr_snapshots} in all), each paired with its KSR snapshot by SKR-MATCHES-KSR"
                ),
            );
        }
    }
}

// ---- SKR-MATCHES-KSR -----------------------------------------------------

/// A DNSKEY as published: RDATA and TTL (identifiers differ between dialects).
fn same_dnskey(a: &Key, b: &Key) -> bool {
    a.flags == b.flags
        && a.protocol == b.protocol
        && a.algorithm == b.algorithm
        && a.public_key == b.public_key
        && a.ttl == b.ttl
}

/// Problems where the SKR bundle's ZSKs differ from the KSR bundle's.
fn zsk_problems(skr_slot: &str, s: &Bundle, ksr_slot: &str, k: &Bundle) -> Vec<String> {
    let mut out = Vec::new();
    for kz in zsks(k) {
        if zsks(s).any(|sz| same_dnskey(sz, kz)) {
            continue;
        }
        let near =
            zsks(s).find(|sz| sz.public_key == kz.public_key && sz.algorithm == kz.algorithm);
        out.push(match near {
            Some(sz) => format!(
                "{skr_slot}: {} of KSR {ksr_slot} differs (flags {} TTL {} in the SKR, flags {} TTL {} requested)",
                key_label(kz),
                sz.flags,
                sz.ttl,
                kz.flags,
                kz.ttl
            ),
            None => format!("{skr_slot}: {} of KSR {ksr_slot} is missing", key_label(kz)),
        });
    }
    for sz in zsks(s) {
        if !zsks(k).any(|kz| kz.public_key == sz.public_key && kz.algorithm == sz.algorithm) {
            out.push(format!(
                "{skr_slot}: extra {} not requested in KSR {ksr_slot}",
                key_label(sz)
            ));
        }
    }
    out
}

/// SKR-MATCHES-KSR: the SKR answers exactly `ksr`. Both in XML: same id and
/// domain, the same bundle ids in the same order with the same inception and
/// expiration, and each bundle's ZSKs exactly the requested DNSKEYs. When either
/// is in the text dialect (no ids, no expirations), snapshots are matched by
/// time: every KSR snapshot time has an SKR snapshot, and every SKR snapshot
/// carries exactly the ZSKs of the KSR snapshot in force at its time.
pub fn matches_ksr(
    skr: &Document,
    skr_format: Format,
    ksr: Option<(&Document, Format)>,
) -> CheckResult {
    let Some((ksr, ksr_format)) = ksr else {
        return CheckResult::skip(MATCHES_KSR, "no KSR given (--request KSR)");
    };
    let mut problems = Vec::new();
    if normalize_domain(&skr.domain) != normalize_domain(&ksr.domain) {
        problems.push(format!(
            "the SKR is for domain {:?}, the KSR for {:?}",
            skr.domain, ksr.domain
        ));
    }
    let text = skr_format.is_text() || ksr_format.is_text();
    if !text {
        if skr.id != ksr.id {
            problems.push(format!("SKR id {} is not the KSR's id {}", skr.id, ksr.id));
        }
        let skr_ids: Vec<&str> = skr.bundles.iter().map(|b| b.id.as_str()).collect();
        let ksr_ids: Vec<&str> = ksr.bundles.iter().map(|b| b.id.as_str()).collect();
        for (i, k) in ksr.bundles.iter().enumerate() {
            let ksr_slot = slot_label(i, k);
            let Some(j) = skr_ids.iter().position(|id| *id == k.id) else {
                problems.push(format!("KSR {ksr_slot}: no SKR bundle has id {}", k.id));
                continue;
            };
            let s = &skr.bundles[j];
            let skr_slot = slot_label(j, s);
            if j != i {
                problems.push(format!(
                    "{skr_slot} answers KSR slot {} out of order",
                    i + 1
                ));
            }
            if s.inception != k.inception || s.expiration != k.expiration {
                problems.push(format!(
                    "{skr_slot}: period {}..{} differs from the requested {}..{}",
                    format_human(s.inception),
                    format_human(s.expiration),
                    format_human(k.inception),
                    format_human(k.expiration)
                ));
            }
            problems.extend(zsk_problems(&skr_slot, s, &ksr_slot, k));
        }
        for (j, s) in skr.bundles.iter().enumerate() {
            if !ksr_ids.contains(&s.id.as_str()) {
                problems.push(format!(
                    "{}: bundle id {} was not requested",
                    slot_label(j, s),
                    s.id
                ));
            }
        }
        let ok = format!(
            "answers KSR {}: same domain, id, {} bundle ids, periods and ZSKs",
            ksr.id,
            ksr.bundles.len()
        );
        return CheckResult::from_problems(MATCHES_KSR, problems, ok);
    }
    for (i, k) in ksr.bundles.iter().enumerate() {
        if !skr.bundles.iter().any(|s| s.inception == k.inception) {
            problems.push(format!(
                "KSR snapshot {} at {} has no SKR snapshot",
                i + 1,
                format_human(k.inception)
            ));
        }
    }
    for (j, s) in skr.bundles.iter().enumerate() {
        let skr_slot = format!("SKR snapshot {} at {}", j + 1, format_human(s.inception));
        let Some(i) = ksr.bundles.iter().rposition(|k| k.inception <= s.inception) else {
            problems.push(format!("{skr_slot}: before the KSR's first snapshot"));
            continue;
        };
        let ksr_slot = format!("snapshot {}", i + 1);
        problems.extend(zsk_problems(&skr_slot, s, &ksr_slot, &ksr.bundles[i]));
    }
    let ok = format!(
        "all {} KSR snapshots are answered and all {} SKR snapshots carry exactly the requested ZSKs (ids and expirations not compared: the text dialect has none)",
        ksr.bundles.len(),
        skr.bundles.len()
    );
    CheckResult::from_problems(MATCHES_KSR, problems, ok)
}

// ---- SKR-KSK-PINNED ------------------------------------------------------

/// A KSK's unrevoked identity: tag, algorithm, public key.
type Identity = (u16, u8, Vec<u8>);
/// How a KSK is pinned, or why it is not.
type Pinning = Result<String, String>;

/// SKR-KSK-PINNED: every KSK that signs a bundle is pinned, by its (unrevoked)
/// key tag in `tags` or by a DS digest of `anchor`.
pub fn ksk_pinned(skr: &Document, tags: &[u16], anchor: Option<&TrustAnchor>) -> CheckResult {
    if tags.is_empty() && anchor.is_none() {
        return CheckResult::skip(
            KSK_PINNED,
            "no pinned KSK given (--ksk-tag N or --trust-anchor FILE)",
        );
    }
    let zone = normalize_domain(&skr.domain);
    let mut problems = Vec::new();
    if let Some(a) = anchor {
        if a.zone != zone {
            problems.push(format!(
                "the trust anchor is for zone {}, the SKR for {zone}",
                a.zone
            ));
        }
    }
    // Unrevoked identity -> (how it is pinned or why not, slots it signs).
    let mut seen: BTreeMap<Identity, (Pinning, Vec<usize>)> = BTreeMap::new();
    for (i, b) in skr.bundles.iter().enumerate() {
        for sig in &b.signatures {
            let Some(k) = signer_of(b, sig).filter(|k| k.is_ksk()) else {
                continue;
            };
            let plain = unrevoked(k);
            let entry = seen
                .entry((plain.key_tag, plain.algorithm, plain.public_key.clone()))
                .or_insert_with(|| (pin_of(&zone, k, &plain, tags, anchor), Vec::new()));
            if !entry.1.contains(&(i + 1)) {
                entry.1.push(i + 1);
            }
        }
    }
    let mut pinned = Vec::new();
    for ((tag, _, _), (how, slots)) in &seen {
        let slots: Vec<String> = slots.iter().map(|s| s.to_string()).collect();
        match how {
            Ok(h) => pinned.push(format!("{tag} ({h})")),
            Err(why) => problems.push(format!(
                "KSK {tag} signs slot(s) {} but {why}",
                slots.join(",")
            )),
        }
    }
    if seen.is_empty() {
        problems.push("no bundle is signed by a KSK".into());
    }
    CheckResult::from_problems(
        KSK_PINNED,
        problems,
        format!("every signing KSK is pinned: {}", pinned.join(", ")),
    )
}

fn pin_of(
    zone: &str,
    key: &Key,
    plain: &Key,
    tags: &[u16],
    anchor: Option<&TrustAnchor>,
) -> Result<String, String> {
    if let Some(a) = anchor {
        for d in &a.digests {
            if d.matches(zone, key) == DigestMatch::Pinned && d.id == super::anchor::FROM_DS {
                return Ok(format!("--ds, digest type {}", d.digest_type));
            }
            if d.matches(zone, key) == DigestMatch::Pinned {
                let id = if d.id.is_empty() {
                    String::new()
                } else {
                    format!(" {}", d.id)
                };
                return Ok(format!(
                    "trust anchor KeyDigest{id}, DS digest type {}",
                    d.digest_type
                ));
            }
        }
    }
    if tags.contains(&plain.key_tag) {
        return Ok("--ksk-tag".into());
    }
    let mut why = "it is not pinned".to_string();
    if let Some(a) = anchor {
        if a.digests
            .iter()
            .any(|d| d.matches(zone, key) == DigestMatch::DigestDiffers)
        {
            why = format!(
                "its DS digest differs from the trust anchor's KeyDigest with tag {} (a different key with the same tag)",
                plain.key_tag
            );
        }
    }
    if key.is_revoked() && tags.contains(&key.key_tag) {
        why.push_str(&format!(
            " (tag {} is its revoked tag; pin the key by its unrevoked tag {})",
            key.key_tag, plain.key_tag
        ));
    }
    Err(why)
}

// ---- SKR-SIG-WINDOW ------------------------------------------------------

/// SKR-SIG-WINDOW at `at`: the signatures of the bundle in force at `at` (the
/// latest one that has started) cover `at`, and every signature outlives the
/// next bundle's inception by at least `min_remaining`, so a late switch to the
/// next bundle does not leave the zone with expired DNSKEY signatures.
pub fn sig_window(skr: &Document, at: Time, min_remaining: Seconds) -> CheckResult {
    let mut problems = Vec::new();
    let in_force = skr.bundles.iter().rposition(|b| b.inception <= at);
    let now = match in_force {
        None => match skr.bundles.first() {
            Some(f) => format!(
                "no bundle is in force yet at {} (the first starts at {})",
                format_human(at),
                format_human(f.inception)
            ),
            None => {
                return CheckResult::fail(SIG_WINDOW, "the SKR has no bundles");
            }
        },
        Some(i) => {
            let b = &skr.bundles[i];
            let slot = slot_label(i, b);
            if b.signatures.is_empty() {
                problems.push(format!(
                    "{slot}, in force at {}, has no signature",
                    format_human(at)
                ));
            }
            for sig in &b.signatures {
                if sig.inception > at || sig.expiration < at {
                    let who = signer_of(b, sig)
                        .map(key_label)
                        .unwrap_or_else(|| format!("key tag {}", sig.key_tag));
                    problems.push(format!(
                        "{slot} is in force at {} but its signature by {who} is valid {}..{}",
                        format_human(at),
                        format_human(sig.inception),
                        format_human(sig.expiration)
                    ));
                }
            }
            format!(
                "at {} {slot} is in force and its {} signature(s) cover it",
                format_human(at),
                b.signatures.len()
            )
        }
    };
    let mut least: Option<(Seconds, usize)> = None;
    for (i, w) in skr.bundles.windows(2).enumerate() {
        let next = &w[1];
        for sig in &w[0].signatures {
            let left = secs(sig.expiration, next.inception);
            if !matches!(least, Some((l, _)) if l <= left) {
                least = Some((left, i));
            }
            if left < min_remaining {
                let who = signer_of(&w[0], sig)
                    .map(key_label)
                    .unwrap_or_else(|| format!("key tag {}", sig.key_tag));
                problems.push(format!(
                    "{} signature by {who} expires {}, only {} after {} takes over at {} (margin {})",
                    slot_label(i, &w[0]),
                    format_human(sig.expiration),
                    dur(left),
                    slot_label(i + 1, next),
                    format_human(next.inception),
                    dur(min_remaining)
                ));
            }
        }
    }
    let margin = match least {
        Some((l, i)) => format!(
            "every signature outlives the next bundle's inception by at least {} (least: {} at {})",
            dur(min_remaining),
            dur(l),
            slot_label(i, &skr.bundles[i])
        ),
        None => "a single bundle: no next bundle to outlive".into(),
    };
    CheckResult::from_problems(SIG_WINDOW, problems, format!("{now}; {margin}"))
}

// ---- SKR-EXPIRY-HORIZON --------------------------------------------------

/// SKR-EXPIRY-HORIZON at `at`: the time left until the last signature of the
/// whole SKR expires. Once it has, the zone's DNSKEY RRset has no valid
/// signature unless a newer SKR was imported, so less than `min_left` is a FAIL.
pub fn expiry_horizon(skr: &Document, at: Time, min_left: Seconds) -> CheckResult {
    let last = skr
        .bundles
        .iter()
        .flat_map(|b| b.signatures.iter())
        .map(|s| s.expiration)
        .max();
    let Some(last) = last else {
        return CheckResult::fail(EXPIRY_HORIZON, "the SKR has no signature");
    };
    let left = secs(last, at);
    let days = left.div_euclid(86_400);
    let what = format!(
        "the last signature expires {} ({days} days after {}; at least {} required)",
        format_human(last),
        format_human(at),
        dur(min_left)
    );
    if left < min_left {
        let why = if left < 0 {
            "every signature of this SKR has expired"
        } else {
            "a newer SKR must be imported before then"
        };
        CheckResult::fail(EXPIRY_HORIZON, format!("{what}: {why}"))
    } else {
        CheckResult::pass(EXPIRY_HORIZON, what)
    }
}
