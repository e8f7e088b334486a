//! KSK-POLICY-ALG: the KSKs that sign must be of an algorithm and size the
//! operator's policy lists, and a refusal reads as the officer names
//! algorithms (`ksr::policy::describe_algorithm`), never as a Rust value.

use super::pipeline;
use super::tests::{policy, store};
use ksr::policy::Policy;

#[test]
fn ksk_algorithm_outside_the_policy_is_a_check_failure() {
    use crate::keystore::KeyStore;
    let mut s = store();
    let ksk = s.public_key("ksk-c").unwrap();
    let mut p = policy();
    assert_eq!(
        pipeline::check_ksk_algorithms(&[&ksk], &p).outcome,
        ksr::check::Outcome::Pass
    );
    p.ksk_algorithms = Policy::root().ksk_algorithms; // RSA-2048 only
    let r = pipeline::check_ksk_algorithms(&[&ksk], &p);
    assert_eq!(r.outcome, ksr::check::Outcome::Fail);
    assert!(r.detail.contains("ksk-c"), "{}", r.detail);
    // Described as the officer reads algorithms, never as a Rust value.
    assert!(
        r.detail
            .contains("KSK ksk-c is ED25519, which the policy's ksk_algorithms (RSASHA256 (RSA-2048, e=65537)) do not list"),
        "{}",
        r.detail
    );
    assert!(
        !r.detail.contains('{') && !r.detail.contains("params"),
        "{}",
        r.detail
    );
}
