//! `ksr::sign`: the one SKR builder over the software backend, for every
//! algorithm the software keys have; what it refuses; how backend failures and
//! bad signatures stop a run.

use ksr::check::{check_skr, Context};
use ksr::model::{flags, Kind};
use ksr::schema::Schema;
use ksr::sign::soft::{SoftKey, SoftStore};
use ksr::sign::{self, Ksks, PublicKey, SignError, SignRaw};
use ksr::testkit::{assert_no_failure, date, KsrBuilder, TestKey};

fn ksr_and_policy(ksks: &[&TestKey]) -> (ksr::Document, ksr::policy::Policy) {
    let b = KsrBuilder::new(".", date("2030-01-01"));
    (b.build(), b.policy(ksks))
}

fn ksks_of(current: &TestKey, next: Option<&TestKey>) -> (Ksks, SoftStore) {
    let mut store = SoftStore::with([current.soft()]);
    store.extend(next.map(|n| n.soft()));
    let ksks = Ksks {
        current: current.soft().public().clone(),
        next: next.map(|n| n.soft().public().clone()),
    };
    (ksks, store)
}

#[test]
fn every_software_algorithm_signs_an_skr_that_passes_every_check() {
    for (current, next) in [
        (
            TestKey::rsa2048(0, 8).named("Kc"),
            TestKey::rsa2048(1, 8).named("Kn"),
        ),
        (
            TestKey::rsa2048(0, 10).named("Kc"),
            TestKey::rsa2048(2, 10).named("Kn"),
        ),
        (
            TestKey::ecdsa_p256(0).named("Kc"),
            TestKey::ecdsa_p256(1).named("Kn"),
        ),
        (
            TestKey::ed25519("c").named("Kc"),
            TestKey::ed25519("n").named("Kn"),
        ),
    ] {
        let (ksr, policy) = ksr_and_policy(&[&current, &next]);
        for name in ["normal", "rollover", "revoke"] {
            let schema = Schema::builtin(name).unwrap();
            let uses_next = sign::skr::uses_next(&schema);
            let (ksks, mut store) = ksks_of(&current, uses_next.then_some(&next));
            let mut done = Vec::new();
            let skr = sign::build(&ksr, &schema, &policy, &ksks, &mut store, &mut |d, t| {
                done.push((d, t))
            })
            .unwrap();
            assert_eq!(skr.kind, Kind::Response);
            assert_eq!(done.len(), 9);
            assert_eq!(done.last(), Some(&(9, 9)));
            let ctx = Context::new(&policy, date("2029-12-31")).with_schema(&schema);
            assert_no_failure(&check_skr(&skr, &ctx));
            // A revoked key is published with flags 385 in the revoke schema's middle slots.
            if name == "revoke" {
                assert!(skr.bundles[4]
                    .keys
                    .iter()
                    .any(|k| k.flags == flags::KSK_REVOKED));
            }
        }
    }
}

#[test]
fn the_same_inputs_give_the_same_skr_bytes() {
    let current = TestKey::rsa2048(0, 8).named("Kc");
    let (ksr, policy) = ksr_and_policy(&[&current]);
    let schema = Schema::builtin("normal").unwrap();
    let build = || {
        let (ksks, mut store) = ksks_of(&current, None);
        let skr = sign::build(&ksr, &schema, &policy, &ksks, &mut store, &mut |_, _| {}).unwrap();
        ksr::xml::write(&skr)
    };
    assert_eq!(build(), build());
}

#[test]
fn inputs_that_cannot_give_a_valid_skr_are_refused_before_signing() {
    let current = TestKey::ed25519("c").named("Kc");
    let next = TestKey::ed25519("n").named("Kn");
    let (ksr, policy) = ksr_and_policy(&[&current, &next]);
    let refused = |schema: &str, ksks: &Ksks, needle: &str| {
        let mut store = SoftStore::with([current.soft(), next.soft()]);
        let schema = Schema::builtin(schema).unwrap();
        let e = sign::build(&ksr, &schema, &policy, ksks, &mut store, &mut |_, _| {
            panic!("nothing may be signed")
        })
        .unwrap_err();
        assert!(matches!(e, SignError::Input(_)), "{e:?}");
        assert!(e.to_string().contains(needle), "{e}");
    };
    let (only_current, _) = ksks_of(&current, None);
    let (both, _) = ksks_of(&current, Some(&next));
    refused("rollover", &only_current, "needs a next KSK");
    refused("normal", &both, "uses only the current KSK");
    let same = Ksks {
        current: current.soft().public().clone(),
        next: Some(current.soft().relabel("Kn").public().clone()),
    };
    refused("rollover", &same, "the same key");
    // An SKR is not signed again.
    let (skr_ksks, mut store) = ksks_of(&current, None);
    let normal = Schema::builtin("normal").unwrap();
    let skr = sign::build(
        &ksr,
        &normal,
        &policy,
        &skr_ksks,
        &mut store,
        &mut |_, _| {},
    )
    .unwrap();
    let e = sign::build(
        &skr,
        &normal,
        &policy,
        &skr_ksks,
        &mut store,
        &mut |_, _| {},
    )
    .unwrap_err();
    assert!(e.to_string().contains("not a KSR"), "{e}");
}

/// A backend that fails or lies after a number of signatures.
struct Faulty {
    inner: SoftStore,
    signed: usize,
    fail_at: Option<usize>,
    corrupt_at: Option<usize>,
}

#[derive(Debug, thiserror::Error)]
#[error("device removed")]
struct DeviceRemoved;

impl SignRaw for Faulty {
    fn public_key(&mut self, label: &str) -> Result<PublicKey, SignError> {
        self.inner.public_key(label)
    }
    fn sign_raw(&mut self, label: &str, data: &[u8]) -> Result<Vec<u8>, SignError> {
        self.signed += 1;
        if self.fail_at == Some(self.signed) {
            return Err(SignError::backend(DeviceRemoved));
        }
        let mut sig = self.inner.sign_raw(label, data)?;
        if self.corrupt_at.is_some_and(|n| self.signed >= n) {
            sig[0] ^= 1;
        }
        Ok(sig)
    }
}

#[test]
fn a_backend_failure_says_where_and_keeps_its_typed_source() {
    let current = TestKey::ed25519("c").named("Kc");
    let (ksr, policy) = ksr_and_policy(&[&current]);
    let (ksks, store) = ksks_of(&current, None);
    let mut faulty = Faulty {
        inner: store,
        signed: 0,
        fail_at: Some(4),
        corrupt_at: None,
    };
    let schema = Schema::builtin("normal").unwrap();
    let e = sign::build(&ksr, &schema, &policy, &ksks, &mut faulty, &mut |_, _| {}).unwrap_err();
    assert!(
        e.to_string().starts_with("while signing bundle 4 of 9 ("),
        "{e}"
    );
    let SignError::Backend { source, .. } = e else {
        panic!("a backend error")
    };
    assert!(source.downcast_ref::<DeviceRemoved>().is_some());
}

#[test]
fn a_signature_that_does_not_verify_stops_the_run() {
    let current = TestKey::ed25519("c").named("Kc");
    let (ksr, policy) = ksr_and_policy(&[&current]);
    let (ksks, store) = ksks_of(&current, None);
    let mut faulty = Faulty {
        inner: store,
        signed: 0,
        fail_at: None,
        corrupt_at: Some(3),
    };
    let schema = Schema::builtin("normal").unwrap();
    let e = sign::build(&ksr, &schema, &policy, &ksks, &mut faulty, &mut |_, _| {}).unwrap_err();
    assert!(matches!(e, SignError::BadSignature { .. }), "{e:?}");
    assert!(e.to_string().contains("does not verify"), "{e}");
}

#[test]
fn a_missing_key_is_named() {
    let mut store = SoftStore::new();
    let e = store.sign_raw("Kmissing", b"data").unwrap_err();
    assert!(
        matches!(&e, SignError::KeyNotFound(l) if l == "Kmissing"),
        "{e:?}"
    );
    assert!(SoftKey::rsa("K", b"not a key", 8).is_err());
    assert!(SoftKey::rsa("K", b"not a key", 13).is_err());
}
