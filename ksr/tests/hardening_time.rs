//! Issue 11, item 11: times that 32-bit RRSIG serial arithmetic (RFC 4034
//! 3.1.5) cannot carry unambiguously relative to `--at` are refused: the named
//! check KSR-TIME-SERIAL fails, and the signing data refuse a time outside the
//! field's 1970..2106 range instead of wrapping it.

use ksr::check::{check_ksr, Context, Outcome};
use ksr::dnssec::{serial_time, signing_data, SERIAL_TIME_REACH};
use ksr::testkit::{date, KsrBuilder, TestKey};
use std::process::Command;
use time::Duration;

#[test]
fn a_2163_time_would_read_as_2026_and_is_refused() {
    let at = date("2026-11-30");
    let t2163 = date("2163-01-05");
    // What wrapping would write: the 2163 time taken modulo 2^32 is a 2026 time.
    let wrapped = t2163.unix_timestamp().rem_euclid(1 << 32);
    let as_read = time::OffsetDateTime::from_unix_timestamp(wrapped).unwrap();
    assert_eq!(as_read.year(), 2026);
    let e = serial_time(t2163, at).unwrap_err();
    assert!(e.contains("68 years"), "{e}");
}

#[test]
fn the_reach_is_2_to_the_31_minus_1_seconds_from_at() {
    let at = date("2026-11-30");
    let edge = at + Duration::seconds(SERIAL_TIME_REACH);
    assert_eq!(serial_time(edge, at).unwrap() as i64, edge.unix_timestamp());
    assert!(serial_time(edge + Duration::seconds(1), at).is_err());
    let late = date("2090-01-01");
    let back = late - Duration::seconds(SERIAL_TIME_REACH);
    assert!(serial_time(back, late).is_ok());
    assert!(serial_time(back - Duration::seconds(1), late).is_err());
    // Within the reach but before 1970: no field value exists.
    assert!(serial_time(date("1969-12-31"), at).is_err());
    // Inside the reach but past the 32-bit field: still refused.
    let late_at = date("2100-01-01");
    assert!(serial_time(date("2106-02-08"), late_at).is_err());
    assert!(serial_time(date("2106-02-07"), late_at).is_ok());
}

#[test]
fn signing_data_refuses_a_time_past_2106_rather_than_wrapping() {
    let key = TestKey::ed25519("ksk");
    let dnskey = key.ksk(172_800);
    let mut sig = key.rrsig(
        ".",
        &dnskey,
        std::slice::from_ref(&dnskey),
        date("2030-01-01"),
        date("2030-01-22"),
    );
    sig.expiration = date("2163-01-22");
    let e = signing_data(".", &sig, &[dnskey]).unwrap_err();
    assert!(e.to_string().contains("32-bit RRSIG time field"), "{e}");
}

#[test]
fn a_ksr_dated_too_far_from_at_fails_ksr_time_serial() {
    // 2095 is inside the 32-bit field but more than 68 years after 2026:
    // a validator in 2026 would read it as 1959.
    let builder = KsrBuilder::new(".", date("2095-01-01"));
    let doc = builder.build();
    let policy = builder.policy(&[]);
    let report = check_ksr(&doc, &Context::new(&policy, date("2026-11-30")));
    let c = report.get("KSR-TIME-SERIAL").expect("check runs");
    assert_eq!(c.outcome, Outcome::Fail, "{}", c.detail);
    assert!(
        c.detail.contains("inception 2095-01-01T00:00:00Z"),
        "{}",
        c.detail
    );
    // The same KSR checked in its own time passes.
    let report = check_ksr(&doc, &Context::new(&policy, date("2094-12-20")));
    let c = report.get("KSR-TIME-SERIAL").unwrap();
    assert_eq!(c.outcome, Outcome::Pass, "{}", c.detail);
}

#[test]
fn ksr_verify_refuses_a_ksr_dated_2163() {
    // Build a valid KSR in 2030, then move every date to 2163 in the file.
    let xml = ksr::xml::write(&KsrBuilder::new(".", date("2030-01-01")).build());
    let text = String::from_utf8(xml).unwrap().replace(">2030-", ">2163-");
    let text = text.replace(">2029-", ">2162-");
    assert!(text.contains(">2163-01-01T00:00:00"), "{text}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ksr-2163.xml");
    std::fs::write(&path, text).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_ksr"))
        .args(["verify", "--at", "2026-11-30"])
        .arg(&path)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let line = out
        .lines()
        .find(|l| l.starts_with("FAIL KSR-TIME-SERIAL"))
        .unwrap_or_else(|| panic!("no FAIL KSR-TIME-SERIAL:\n{out}"));
    assert!(line.contains("2163-01-01T00:00:00Z"), "{line}");
}
