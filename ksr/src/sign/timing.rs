//! When to sign a Knot/BIND text KSR, which (unlike IANA XML) states no
//! signature periods: the operator's policy gives them (`[snapshot_timing]`,
//! docs/formats.md "Signing text KSRs").
//!
//! Both signers' own KSK side does the same thing: each KSR snapshot is signed
//! at its time, with RRSIGs valid from `time - inception_offset` to
//! `time + validity`, and while the next KSR snapshot is further away than
//! that, an extra snapshot with the same keys is signed at `expiration -
//! refresh`, so no signature runs out before the next one is served.
//! Knot: `src/utils/keymgr/offline_ksk.c`, `ksr_sign_dnskey` (next signing at
//! `stats->expire - rrsig_refresh`) and `process_skr_between_ksrs`; RRSIG
//! inception from `src/knot/dnssec/rrset-sign.c`, `knot_sign_rrset`
//! (`RRSIG_INCEPT_IN_PAST`). BIND: `bin/dnssec/dnssec-ksr.c`, `sign_bundle`
//! (`inception = expiration - sigrefresh`) and `sign_rrset` (`clockskew =
//! inception - 3600`).

use crate::dialect::{self, TextDocument};
use crate::model::{Bundle, Document, Kind, Seconds, Time};
use time::Duration;

/// RRSIG validity, refresh and inception offset for text KSRs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotTiming {
    /// Expiration minus snapshot time (Knot `rrsig-lifetime`, BIND
    /// `signatures-validity-dnskey`; both default P14D).
    pub validity: Seconds,
    /// A new snapshot is signed this long before the previous one's RRSIGs
    /// expire (BIND `signatures-refresh`, default P5D; Knot `rrsig-refresh`).
    pub refresh: Seconds,
    /// RRSIG inception this long before the snapshot time, for clock skew
    /// (BIND 1 hour, Knot 90 minutes).
    pub inception_offset: Seconds,
}

impl Default for SnapshotTiming {
    fn default() -> Self {
        SnapshotTiming {
            validity: 14 * 86_400,
            refresh: 5 * 86_400,
            inception_offset: 3_600,
        }
    }
}

impl SnapshotTiming {
    /// Refuses timings that cannot make progress or sign nothing valid.
    pub fn validate(&self) -> Result<(), String> {
        if self.validity <= 0 {
            return Err("validity must be positive".into());
        }
        if self.refresh <= 0 || self.refresh >= self.validity {
            return Err(format!(
                "refresh ({}) must be positive and less than validity ({})",
                crate::timefmt::format_duration(self.refresh),
                crate::timefmt::format_duration(self.validity)
            ));
        }
        if self.inception_offset < 0 {
            return Err("inception_offset must not be negative".into());
        }
        Ok(())
    }
}

/// What to sign for a text KSR: one bundle per SKR snapshot, each with the
/// RRSIG period as its inception..expiration (what the builder signs), and
/// the snapshot times the SKR's headers carry.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// A request with the signing periods as bundle periods.
    pub request: Document,
    /// Each bundle's snapshot time.
    pub times: Vec<Time>,
}

/// Plans the SKR snapshots of `ksr` (a text KSR) under `timing`. The last KSR
/// snapshot (which Knot writes at the end of the requested period) is signed
/// once; every other one is re-signed at `expiration - refresh` until the next
/// KSR snapshot takes over.
pub fn schedule(ksr: &TextDocument, timing: &SnapshotTiming) -> Result<Schedule, String> {
    timing.validate()?;
    if ksr.kind != Kind::Request {
        return Err("the text document is an SKR, not a KSR".into());
    }
    let base = ksr.to_document("");
    let mut bundles = Vec::new();
    let mut times = Vec::new();
    let step = Duration::seconds(timing.validity - timing.refresh);
    for (i, snap) in ksr.snapshots.iter().enumerate() {
        let next = ksr.snapshots.get(i + 1).map(|n| n.time);
        let mut at = snap.time;
        loop {
            bundles.push(Bundle {
                id: format!("snapshot-{}", dialect::compact(at)),
                inception: at - Duration::seconds(timing.inception_offset),
                expiration: at + Duration::seconds(timing.validity),
                signers: Vec::new(),
                keys: snap.dnskeys().cloned().collect(),
                signatures: Vec::new(),
            });
            times.push(at);
            match next {
                Some(n) if at + step < n => at += step,
                _ => break,
            }
        }
    }
    Ok(Schedule {
        request: Document { bundles, ..base },
        times,
    })
}

impl Schedule {
    /// Puts the snapshot times back on a signed SKR built from
    /// [`Schedule::request`] (the RRSIGs keep the offset inception).
    pub fn settle(&self, skr: &mut Document) {
        for (b, t) in skr.bundles.iter_mut().zip(&self.times) {
            b.inception = *t;
        }
    }
}
