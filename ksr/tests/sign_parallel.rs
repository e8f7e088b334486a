//! `ksr::sign::build_with` over several signers: the document is the same as
//! with one, the signing data written into reused buffers is byte for byte
//! what `dnssec::signing_data` computes, and a failure in any signer stops
//! the run with the earliest failure in document order.

use ksr::dnssec;
use ksr::schema::Schema;
use ksr::sign::soft::SoftStore;
use ksr::sign::wire::{SigningData, Verifier};
use ksr::sign::{self, Ksks, PublicKey, SignError, SignRaw};
use ksr::testkit::{date, KsrBuilder, TestKey};

fn setup(keys: &[&TestKey]) -> (ksr::Document, ksr::policy::Policy, Ksks, SoftStore) {
    let b = KsrBuilder::new(".", date("2030-01-01"));
    let store = SoftStore::with(keys.iter().map(|k| k.soft()));
    let ksks = Ksks {
        current: keys[0].soft().public().clone(),
        next: keys.get(1).map(|n| n.soft().public().clone()),
    };
    (b.build(), b.policy(keys), ksks, store)
}

#[test]
fn several_signers_give_the_same_skr_bytes_as_one() {
    for (current, next) in [
        (
            TestKey::rsa2048(0, 8).named("Kc"),
            TestKey::rsa2048(1, 8).named("Kn"),
        ),
        (
            TestKey::ed25519("c").named("Kc"),
            TestKey::ed25519("n").named("Kn"),
        ),
    ] {
        let (ksr, policy, ksks, store) = setup(&[&current, &next]);
        let schema = Schema::builtin("rollover").unwrap();
        let run = |sessions: usize| {
            let mut store = store.clone();
            let mut seen = Vec::new();
            let skr = sign::build_with(
                &ksr,
                &schema,
                &policy,
                &ksks,
                &mut store,
                sessions,
                &mut |d, t| seen.push((d, t)),
            )
            .unwrap();
            // Progress counts every bundle once, in order, whatever the signers.
            assert_eq!(seen, (1..=9).map(|d| (d, 9)).collect::<Vec<_>>());
            ksr::xml::write(&skr)
        };
        let one = run(1);
        for sessions in [2, 3, 8] {
            assert_eq!(one, run(sessions), "{sessions} sessions");
        }
    }
}

#[test]
fn ecdsa_over_several_signers_verifies_with_the_same_records() {
    let current = TestKey::ecdsa_p256(0).named("Kc");
    let (ksr, policy, ksks, store) = setup(&[&current]);
    let schema = Schema::builtin("normal").unwrap();
    let build = |sessions| {
        sign::build_with(
            &ksr,
            &schema,
            &policy,
            &ksks,
            &mut store.clone(),
            sessions,
            &mut |_, _| {},
        )
        .unwrap()
    };
    let (one, four) = (build(1), build(4));
    for (a, b) in one.bundles.iter().zip(&four.bundles) {
        assert_eq!(a.keys, b.keys);
        assert_eq!(a.signatures.len(), b.signatures.len());
        for (sa, sb) in a.signatures.iter().zip(&b.signatures) {
            let signer = b
                .keys
                .iter()
                .find(|k| k.key_identifier == sb.key_identifier)
                .unwrap();
            dnssec::verify_rrsig(&four.domain, sb, &b.keys, signer).unwrap();
            let strip = |s: &ksr::model::Signature| ksr::model::Signature {
                signature_data: vec![],
                ..s.clone()
            };
            assert_eq!(strip(sa), strip(sb));
        }
    }
}

#[test]
fn reused_buffers_write_the_same_signing_data_as_dnssec() {
    let current = TestKey::rsa2048(0, 8).named("Kc");
    let next = TestKey::ed25519("n").named("Kn");
    for domain in [".", "Example.TEST."] {
        let b = KsrBuilder::new(domain, date("2030-01-01"));
        let ksr = b.build();
        let policy = b.policy(&[&current, &next]);
        let ksks = Ksks {
            current: current.soft().public().clone(),
            next: Some(next.soft().public().clone()),
        };
        let mut store = SoftStore::with([current.soft(), next.soft()]);
        let schema = Schema::builtin("rollover").unwrap();
        let skr = sign::build(&ksr, &schema, &policy, &ksks, &mut store, &mut |_, _| {}).unwrap();
        let mut enc = SigningData::new(&skr.domain).unwrap();
        let mut buf = Vec::new();
        let mut checked = 0;
        for bundle in &skr.bundles {
            let mut keys = bundle.keys.clone();
            // A duplicate record counts once (RFC 4034 6.3), in both encoders.
            keys.push(keys[0].clone());
            for s in &bundle.signatures {
                enc.write(s, &keys, &mut buf).unwrap();
                assert_eq!(buf, dnssec::signing_data(&skr.domain, s, &keys).unwrap());
                let signer = keys
                    .iter()
                    .find(|k| k.key_identifier == s.key_identifier)
                    .unwrap();
                Verifier::new(signer)
                    .unwrap()
                    .verify(&buf, &s.signature_data)
                    .unwrap();
                checked += 1;
            }
        }
        assert!(checked >= 9);
    }
}

/// A store whose `more_signers` copies return damaged signatures. The first
/// signer waits until a copy has signed, so the copies surely take part.
#[derive(Clone)]
struct FailsAt {
    inner: SoftStore,
    corrupt: bool,
    copy_signed: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl SignRaw for FailsAt {
    fn public_key(&mut self, label: &str) -> Result<PublicKey, SignError> {
        self.inner.public_key(label)
    }
    fn sign_raw(&mut self, label: &str, data: &[u8]) -> Result<Vec<u8>, SignError> {
        let mut s = self.inner.sign_raw(label, data)?;
        let copy_signed = &self.copy_signed;
        if self.corrupt {
            s[0] ^= 1;
            copy_signed.store(true, std::sync::atomic::Ordering::SeqCst);
        } else {
            let start = std::time::Instant::now();
            while !copy_signed.load(std::sync::atomic::Ordering::SeqCst)
                && start.elapsed() < std::time::Duration::from_secs(20)
            {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        }
        Ok(s)
    }
    fn more_signers(&mut self, n: usize) -> Result<Vec<Box<dyn SignRaw + Send>>, SignError> {
        Ok((0..n)
            .map(|_| {
                Box::new(FailsAt {
                    inner: self.inner.clone(),
                    corrupt: true,
                    copy_signed: self.copy_signed.clone(),
                }) as Box<dyn SignRaw + Send>
            })
            .collect())
    }
}

#[test]
fn a_bad_signature_from_any_signer_stops_the_run() {
    let current = TestKey::ed25519("c").named("Kc");
    let (ksr, policy, ksks, store) = setup(&[&current]);
    let schema = Schema::builtin("normal").unwrap();
    let mut signer = FailsAt {
        inner: store,
        corrupt: false,
        copy_signed: Default::default(),
    };
    let e = sign::build_with(
        &ksr,
        &schema,
        &policy,
        &ksks,
        &mut signer,
        3,
        &mut |_, _| {},
    )
    .unwrap_err();
    assert!(matches!(e, SignError::BadSignature { .. }), "{e:?}");
}

#[test]
fn the_re_check_of_a_built_skr_compares_with_what_was_verified() {
    let current = TestKey::ed25519("c").named("Kc");
    let (ksr, policy, ksks, mut store) = setup(&[&current]);
    let schema = Schema::builtin("normal").unwrap();
    let built = sign::build(&ksr, &schema, &policy, &ksks, &mut store, &mut |_, _| {}).unwrap();
    let ctx = ksr::check::Context::new(&policy, date("2029-12-31")).with_schema(&schema);
    let verify_of = |r: &ksr::check::Report| {
        r.results
            .iter()
            .find(|c| c.name == ksr::check::skr::VERIFY)
            .unwrap()
            .clone()
    };
    let same = ksr::check::check_skr_built(&built, &ctx, &built);
    ksr::testkit::assert_no_failure(&same);
    assert_eq!(
        same.results.iter().map(|r| r.name).collect::<Vec<_>>(),
        ksr::check::check_skr(&built, &ctx)
            .results
            .iter()
            .map(|r| r.name)
            .collect::<Vec<_>>()
    );
    // A signature byte changed after verification is caught without cryptography.
    let mut written = built.clone();
    written.bundles[4].signatures[0].signature_data[0] ^= 1;
    let v = verify_of(&ksr::check::check_skr_built(&written, &ctx, &built));
    assert_eq!(v.outcome, ksr::check::Outcome::Fail, "{v:?}");
    assert!(
        v.detail.contains("differ from those verified"),
        "{}",
        v.detail
    );
    // And so is a record changed under a signature.
    let mut written = built.clone();
    written.bundles[2].keys[0].ttl += 1;
    let v = verify_of(&ksr::check::check_skr_built(&written, &ctx, &built));
    assert_eq!(v.outcome, ksr::check::Outcome::Fail, "{v:?}");
    // The named checks still judge the parsed document itself.
    let mut written = built.clone();
    written.bundles[3].signatures.clear();
    let r = ksr::check::check_skr_built(&written, &ctx, &built);
    assert_eq!(verify_of(&r).outcome, ksr::check::Outcome::Fail);
    assert!(r.failed());
}
