//! The operator policy file: the root default round-trips, the ccTLD example
//! loads and judges a KSR made to it, and bad files are refused naming file and key.

use ksr::check::{check_ksr, Context};
use ksr::model::{AlgorithmParams, AlgorithmPolicy};
use ksr::policy::{Policy, Span};
use ksr::schema::Role;
use ksr::testkit::{assert_fails_only, assert_no_failure, date, KsrBuilder, TestKey};
use std::path::PathBuf;

const DAY: i64 = 86_400;

fn example() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("policies/cctld-example.toml")
}

#[test]
fn root_policy_has_the_root_numbers_and_round_trips() {
    let p = Policy::root();
    assert_eq!(p.domains, vec!["."]);
    assert_eq!(p.bundle_count, 9);
    assert_eq!(p.keys_per_bundle, Some(vec![2, 1, 1, 1, 1, 1, 1, 1, 2]));
    assert_eq!(p.distinct_keys, Some(3));
    assert_eq!(p.cycle_duration, Span::days(79, 81));
    assert_eq!(p.bundle_interval, Span::days(9, 11));
    assert_eq!(p.signature_validity, Span::days(21, 21));
    assert_eq!(p.validity_overlap, Span::days(9, 12));
    assert_eq!(p.signature_horizon, 180 * DAY);
    assert_eq!((p.ksk_publish_safety, p.ksk_retire_safety), (0, 28 * DAY));
    assert_eq!(p.dnskey_ttl, 172_800);
    let rsa = AlgorithmPolicy {
        algorithm: 8,
        params: AlgorithmParams::Rsa {
            size: 2048,
            exponent: 65537,
        },
    };
    assert_eq!(p.zsk_algorithms, vec![rsa.clone()]);
    assert_eq!(p.ksk_algorithms, vec![rsa]);

    let text = p.to_toml();
    assert!(
        text.contains("\"P21D\"") && text.contains("RSASHA256"),
        "{text}"
    );
    assert_eq!(Policy::from_toml_str(&text, "root.toml").unwrap(), p);
    // Writing is deterministic.
    assert_eq!(
        Policy::from_toml_str(&text, "root.toml").unwrap().to_toml(),
        text
    );
}

#[test]
fn cctld_example_loads_with_its_own_numbers() {
    let p = Policy::from_toml_file(&example()).unwrap();
    assert_eq!(p.domains, vec!["cz."]);
    assert_eq!(p.bundle_count, 6);
    assert_eq!(p.bundle_interval, Span::days(15, 15));
    assert_eq!(p.signature_validity, Span::days(20, 22));
    assert_eq!(p.dnskey_ttl, 3600);
    assert_eq!(
        p.zsk_algorithms,
        vec![
            AlgorithmPolicy {
                algorithm: 13,
                params: AlgorithmParams::Ecdsa { size: 256 }
            },
            AlgorithmPolicy {
                algorithm: 15,
                params: AlgorithmParams::None
            },
        ]
    );
    let s = p.schema("double-signature").unwrap();
    assert_eq!(s.middle.sign, vec![Role::Current, Role::Next]);
    assert!(
        p.schema("revoke").is_some(),
        "built-in schemas stay available"
    );
    // It round-trips like the default.
    assert_eq!(
        Policy::from_toml_str(&p.to_toml(), "again.toml").unwrap(),
        p
    );
}

#[test]
fn cctld_example_judges_a_ksr_made_to_it() {
    let p = Policy::from_toml_file(&example()).unwrap();
    let mut b = KsrBuilder::new("cz.", date("2030-01-01"))
        .bundles(6)
        .zsks(vec![
            TestKey::ecdsa_p256(0),
            TestKey::ecdsa_p256(1),
            TestKey::ed25519("cz-next"),
        ]);
    b.interval = 15 * DAY;
    b.validity = 21 * DAY;
    b.ttl = 3600;
    let at = date("2029-12-15");
    assert_no_failure(&check_ksr(&b.build(), &Context::new(&p, at)));
    // The root's default refuses it on the first of many counts.
    assert!(check_ksr(&b.build(), &Context::new(&Policy::root(), at)).failed());
    // A 23-day validity is outside this operator's P20D..P22D.
    b.validity = 23 * DAY;
    let r = check_ksr(&b.build(), &Context::new(&p, at));
    assert_eq!(
        r.failures(),
        vec!["KSR-POLICY-SIG-VALIDITY", "KSR-POLICY-SIG-OVERLAP"]
    );
    // RSA keys are not approved here.
    b.validity = 21 * DAY;
    let b = b.zsks(vec![
        TestKey::rsa2048(0, 8),
        TestKey::rsa2048(1, 8),
        TestKey::rsa2048(2, 8),
    ]);
    assert_fails_only(
        &check_ksr(&b.build(), &Context::new(&p, at)),
        "KSR-POLICY-ALG",
        "RSASHA256",
    );
}

fn refused(edit: impl Fn(String) -> String) -> String {
    let text = edit(std::fs::read_to_string(example()).unwrap());
    Policy::from_toml_str(&text, "cctld.toml").unwrap_err()
}

#[test]
fn bad_policies_are_refused_naming_file_and_key() {
    let e = refused(|t| t.replace("horizon = \"P120D\"", "horizon = \"120 days\""));
    assert!(
        e.starts_with("cctld.toml: key `signatures.horizon`") && e.contains("xsd:duration"),
        "{e}"
    );

    let e = refused(|t| t.replace("algorithm = 15", "algorithm = \"RSASHA1\""));
    assert!(
        e.contains("`zsk.algorithms[1].algorithm`") && e.contains("deprecated"),
        "{e}"
    );

    let e = refused(|t| t.replace("algorithm = 15", "algorithm = \"FANCY\""));
    assert!(
        e.contains("`zsk.algorithms[1].algorithm`") && e.contains("unknown algorithm"),
        "{e}"
    );

    let e = refused(|t| {
        t.replace(
            "{ min = \"P20D\", max = \"P22D\" }",
            "{ min = \"P23D\", max = \"P22D\" }",
        )
    });
    assert!(
        e.contains("`signatures.validity`") && e.contains("greater than max"),
        "{e}"
    );

    let e = refused(|t| t.replace("[2, 1, 1, 1, 1, 2]", "[2, 1, 2]"));
    assert!(
        e.contains("`bundles.keys_per_bundle`") && e.contains("bundles.count is 6"),
        "{e}"
    );

    let e = refused(|t| t.replace("size = 256", "size = 384"));
    assert!(e.contains("`ksk.algorithms[0].size`"), "{e}");

    let e = refused(|t| t.replace("dnskey_ttl = 3600", "dnskey_ttl = 3600\ncolour = \"blue\""));
    assert!(e.starts_with("cctld.toml:") && e.contains("colour"), "{e}");

    let e = refused(|t| {
        t.replace(
            "last = { publish = [\"current\", \"next\"], sign = [\"current\", \"next\"] }",
            "last = { publish = [\"current\"], sign = [\"next\"] }",
        )
    });
    assert!(
        e.contains("`schemas[0]`") && e.contains("N signs but is not published"),
        "{e}"
    );

    let e = Policy::from_toml_file(std::path::Path::new("/nonexistent/policy.toml")).unwrap_err();
    assert!(
        e.starts_with("/nonexistent/policy.toml: cannot read"),
        "{e}"
    );
}

#[test]
fn policy_domains_are_names_with_decimal_escapes() {
    let text = std::fs::read_to_string(example()).unwrap();
    let p = Policy::from_toml_str(&text.replace("\"cz.\"", r#""\\099z.""#), "p.toml").unwrap();
    // \099 is decimal 99, 'c' (RFC 1035 section 5.1).
    assert!(p.accepts_domain("cz."));
    assert!(p.accepts_domain("CZ"));
    let e = Policy::from_toml_str(&text.replace("\"cz.\"", r#""\\256z.""#), "p.toml").unwrap_err();
    assert!(
        e.contains("p.toml: key `domains`:") && e.contains("\\256 is not an octet"),
        "{e}"
    );
}
