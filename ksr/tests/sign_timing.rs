//! `ksr::sign::timing`: the SKR snapshots planned for a text KSR from the
//! policy's `[snapshot_timing]`, signed by the one builder, with `--cds`
//! records (`ksr::sign::cds`) whose RRSIGs verify and whose damage is found.

use ksr::dialect::{RecordData, TextDocument};
use ksr::format::{self, Format};
use ksr::policy::Policy;
use ksr::schema::Schema;
use ksr::sign::timing::{self, SnapshotTiming};
use ksr::sign::{self, cds, Ksks};
use ksr::testkit::TestKey;
use std::path::PathBuf;
mod common;

const DAY: i64 = 86_400;

fn knot_ksr() -> TextDocument {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/format_data/knot-example.test.ksr");
    format::read_text_file(&path, &Default::default()).unwrap()
}

#[test]
fn every_ksr_snapshot_is_signed_and_gaps_are_bridged_at_expiry_minus_refresh() {
    let ksr = knot_ksr();
    let t = SnapshotTiming::default();
    let s = timing::schedule(&ksr, &t).unwrap();
    let ksr_times: Vec<_> = ksr.snapshots.iter().map(|s| s.time).collect();
    for kt in &ksr_times {
        assert!(s.times.contains(kt), "KSR snapshot {kt} not signed");
    }
    assert!(s.times.windows(2).all(|w| w[0] < w[1]));
    for (b, at) in s.request.bundles.iter().zip(&s.times) {
        assert_eq!(
            b.inception,
            *at - time::Duration::seconds(t.inception_offset)
        );
        assert_eq!(b.expiration, *at + time::Duration::seconds(t.validity));
    }
    // Between two KSR snapshots, steps of validity - refresh, never past the next one.
    for w in ksr_times.windows(2) {
        let inside: Vec<_> = s
            .times
            .iter()
            .filter(|x| **x >= w[0] && **x < w[1])
            .collect();
        for pair in inside.windows(2) {
            assert_eq!(
                (*pair[1] - *pair[0]).whole_seconds(),
                t.validity - t.refresh
            );
        }
        let last = **inside.last().unwrap();
        // The last signature before the next KSR snapshot outlives it.
        assert!(last + time::Duration::seconds(t.validity) > w[1]);
    }
    // The last KSR snapshot is signed once.
    assert_eq!(s.times.last(), ksr_times.last());
}

#[test]
fn timings_that_cannot_work_are_refused() {
    let ksr = knot_ksr();
    for bad in [
        SnapshotTiming {
            validity: 0,
            ..Default::default()
        },
        SnapshotTiming {
            refresh: 14 * DAY,
            ..Default::default()
        },
        SnapshotTiming {
            refresh: 0,
            ..Default::default()
        },
        SnapshotTiming {
            inception_offset: -1,
            ..Default::default()
        },
    ] {
        assert!(timing::schedule(&ksr, &bad).is_err(), "{bad:?}");
    }
}

#[test]
fn the_policy_file_carries_the_timing_and_refuses_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = Policy::root();
    p.snapshot_timing = SnapshotTiming {
        validity: 10 * DAY,
        refresh: 3 * DAY,
        inception_offset: 5400,
    };
    let toml = p.to_toml();
    assert!(toml.contains("[snapshot_timing]"), "{toml}");
    let path = dir.path().join("p.toml");
    std::fs::write(&path, &toml).unwrap();
    assert_eq!(
        Policy::from_toml_file(&path).unwrap().snapshot_timing,
        p.snapshot_timing
    );
    // The default is not written, and reading it back gives the default.
    assert!(!Policy::root().to_toml().contains("snapshot_timing"));
    std::fs::write(
        &path,
        toml.replace("refresh = \"P3D\"", "refresh = \"P10D\""),
    )
    .unwrap();
    let e = Policy::from_toml_file(&path).unwrap_err();
    assert!(e.contains("snapshot_timing"), "{e}");
}

/// The Knot KSR signed with a software KSK per the schedule, written as Knot text.
fn signed(with_cds: bool) -> (TextDocument, TestKey) {
    let ksr = knot_ksr();
    let s = timing::schedule(&ksr, &SnapshotTiming::default()).unwrap();
    let ksk = TestKey::ecdsa_p256(1).named("ksk");
    let mut store = sign::soft::SoftStore::with([ksk.soft()]);
    let ksks = Ksks {
        current: ksk.soft().public().clone(),
        next: None,
    };
    let mut policy = Policy::root();
    policy.dnskey_ttl = 3600;
    let normal = Schema::builtin("normal").unwrap();
    let mut skr = sign::build(
        &s.request,
        &normal,
        &policy,
        &ksks,
        &mut store,
        &mut |_, _| {},
    )
    .unwrap();
    s.settle(&mut skr);
    let mut text = TextDocument::from_document(&skr, Format::Knot);
    if with_cds {
        cds::add(&mut text, &[&ksks.current], &mut store).unwrap();
    }
    (text, ksk)
}

#[test]
fn snapshots_carry_their_times_and_one_rrsig_per_ksk_with_the_dnskey_ttl() {
    let (text, _) = signed(false);
    let s = timing::schedule(&knot_ksr(), &SnapshotTiming::default()).unwrap();
    assert_eq!(
        text.snapshots.iter().map(|x| x.time).collect::<Vec<_>>(),
        s.times
    );
    for snap in &text.snapshots {
        let sigs: Vec<_> = snap.dnskey_signatures().collect();
        assert_eq!(sigs.len(), 1);
        assert_eq!(sigs[0].original_ttl, 3600);
        assert_eq!(sigs[0].inception, snap.time - time::Duration::hours(1));
    }
}

#[test]
fn cds_rrsigs_verify_and_a_damaged_one_is_found() {
    let (mut text, ksk) = signed(true);
    let n = cds::verify(&text).unwrap();
    assert_eq!(
        n,
        2 * text.snapshots.len(),
        "one RRSIG over CDS and one over CDNSKEY per snapshot"
    );
    let snap = &text.snapshots[0];
    let tag = ksr::dnssec::key_tag(&ksk.ksk(3600));
    assert!(snap.records.iter().any(|r| matches!(&r.data,
        RecordData::Cds { key_tag, digest_type: 2, .. } if *key_tag == tag)));
    assert!(snap
        .records
        .iter()
        .any(|r| matches!(&r.data, RecordData::Cdnskey(k) if k.is_ksk())));
    // The CDS RRset survives a write and a read in both dialects.
    let again = format::read_text(&ksr::dialect::write(&text), "t", &Default::default()).unwrap();
    assert_eq!(cds::verify(&again).unwrap(), n);
    // One byte of one CDS signature changed: found.
    for r in &mut text.snapshots[0].records {
        if let RecordData::Rrsig(s) = &mut r.data {
            if s.type_covered == "CDS" {
                s.signature_data[5] ^= 1;
            }
        }
    }
    let e = cds::verify(&text).unwrap_err();
    assert!(e.contains("RRSIG CDS"), "{e}");
}

#[test]
fn ksr_verify_checks_the_cds_signatures_of_a_text_skr() {
    let dir = tempfile::tempdir().unwrap();
    let (mut text, _) = signed(true);
    let good = dir.path().join("good.skr");
    std::fs::write(&good, ksr::dialect::write(&text)).unwrap();
    let o = common::ksr(&["verify", good.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    let line = out
        .lines()
        .find(|l| l.split_whitespace().nth(1) == Some("SKR-VERIFY"))
        .unwrap();
    assert!(
        line.starts_with("PASS") && line.contains("CDS/CDNSKEY verify"),
        "{line}"
    );
    for r in &mut text.snapshots[1].records {
        if let RecordData::Rrsig(s) = &mut r.data {
            if s.type_covered == "CDNSKEY" {
                s.signature_data[3] ^= 1;
            }
        }
    }
    let bad = dir.path().join("bad.skr");
    std::fs::write(&bad, ksr::dialect::write(&text)).unwrap();
    let o = common::ksr(&["verify", bad.to_str().unwrap()]);
    assert_eq!(o.status.0, 1);
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    let line = out
        .lines()
        .find(|l| l.split_whitespace().nth(1) == Some("SKR-VERIFY"))
        .unwrap();
    assert!(
        line.starts_with("FAIL") && line.contains("RRSIG CDNSKEY"),
        "{line}"
    );
}
