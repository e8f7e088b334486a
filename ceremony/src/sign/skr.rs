//! Building the Signed Key Response: every KSR bundle becomes a response bundle
//! carrying the KSR's ZSKs, the KSKs the schema publishes in that slot, and an
//! RRSIG by each KSK the schema has sign that slot.
//!
//! Output is a pure function of (KSR, schema, policy, KSK public keys, signatures),
//! and the signature algorithms used by DNSSEC KSKs on HSMs (RSA PKCS#1 v1.5,
//! EdDSA) are deterministic, so the same inputs give the same document.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use ksr::dnssec;
use ksr::model::{flags, Bundle, Document, Key, Kind, PolicyBlock, Signature};
use ksr::policy::Policy;
use ksr::schema::{Role, Schema, SlotPlan};

use crate::error::{Error, Result};
use crate::keystore::{KeyStore, PublicKey};

/// The ceremony's KSKs as the token holds them.
#[derive(Debug, Clone)]
pub struct Ksks {
    pub current: PublicKey,
    pub next: Option<PublicKey>,
}

impl Ksks {
    fn get(&self, role: Role) -> Result<&PublicKey> {
        match role {
            Role::Current => Ok(&self.current),
            Role::Next => self
                .next
                .as_ref()
                .ok_or_else(|| Error::Input("the schema needs a next KSK; give --ksk-next".into())),
        }
    }

    /// All KSKs the schema uses, current first.
    pub fn used(&self, schema: &Schema) -> Vec<&PublicKey> {
        let mut v = vec![&self.current];
        if schema.uses_next() {
            v.extend(self.next.as_ref());
        }
        v
    }
}

/// Refuses schemas and key sets that cannot give a valid SKR: a signer that is not
/// in the published set, a next KSK the schema needs but was not given (or given
/// but unused), or the same key as current and next.
pub fn validate(schema: &Schema, ksks: &Ksks) -> Result<()> {
    validate_labels(
        schema,
        &ksks.current.label,
        ksks.next.as_ref().map(|n| n.label.as_str()),
    )?;
    if let Some(n) = &ksks.next {
        if n.public_key == ksks.current.public_key {
            return Err(Error::Input(
                "--ksk-current and --ksk-next name the same key; a rollover needs two keys".into(),
            ));
        }
    }
    Ok(())
}

/// The part of [`validate`] that needs only the labels, so a schema that does not
/// fit the KSKs given is refused before anyone logs in to the token.
pub fn validate_labels(schema: &Schema, current: &str, next: Option<&str>) -> Result<()> {
    let uses_next = schema.uses_next()
        || [&schema.first, &schema.middle, &schema.last]
            .iter()
            .any(|p| p.revoke.contains(&Role::Next));
    match (next, uses_next) {
        (None, true) => {
            return Err(Error::Input(format!(
                "schema {:?} needs a next KSK; give --ksk-next LABEL",
                schema.name
            )))
        }
        (Some(n), false) => {
            return Err(Error::Input(format!(
                "schema {:?} uses only the current KSK; drop --ksk-next {n}",
                schema.name
            )))
        }
        _ => {}
    }
    if next == Some(current) {
        return Err(Error::Input(
            "--ksk-current and --ksk-next name the same key; a rollover needs two keys".into(),
        ));
    }
    for (slot, plan) in [
        ("first", &schema.first),
        ("middle", &schema.middle),
        ("last", &schema.last),
    ] {
        for role in &plan.sign {
            if !plan.publish.contains(role) && !plan.revoke.contains(role) {
                return Err(Error::Input(format!(
                    "schema {:?}, {slot} slot: the {role:?} KSK signs but is not published; fix the schema",
                    schema.name
                )));
            }
        }
    }
    Ok(())
}

/// The KSK policy block an SKR states: the operator's policy, and the algorithms of
/// the KSKs actually used.
pub fn ksk_policy_block(policy: &Policy, keys: &[Key]) -> Result<PolicyBlock> {
    Ok(PolicyBlock {
        publish_safety: policy.ksk_publish_safety,
        retire_safety: policy.ksk_retire_safety,
        max_signature_validity: policy.signature_validity.max,
        min_signature_validity: policy.signature_validity.min,
        max_validity_overlap: policy.validity_overlap.max,
        min_validity_overlap: policy.validity_overlap.min,
        algorithms: super::algorithm_policies(keys)
            .map_err(|e| Error::Input(format!("KSK public key: {e}")))?,
    })
}

/// The KSK DNSKEYs of one slot, in role order (current, next): published keys with
/// flags 257, revoked ones with 385.
pub fn slot_keys(plan: &SlotPlan, ksks: &Ksks, ttl: u32) -> Result<Vec<(Role, Key)>> {
    let mut out = Vec::new();
    for role in [Role::Current, Role::Next] {
        let revoked = plan.revoke.contains(&role);
        if plan.publish.contains(&role) || revoked {
            let f = if revoked {
                flags::KSK_REVOKED
            } else {
                flags::KSK
            };
            out.push((role, super::dnskey(ksks.get(role)?, f, ttl)));
        }
    }
    Ok(out)
}

/// An HSM failure while signing says where the run stopped; a key that vanished
/// after it was found means the token went away or changed under us.
fn mid_run(e: Error, i: usize, total: usize, bundle: &str) -> Error {
    let at = format!("while signing bundle {} of {total} ({bundle})", i + 1);
    match e {
        Error::KeyNotFound(l) => Error::Hsm(format!(
            "{at}: key {l} is no longer on the token (token removed or changed mid-run); nothing was written"
        )),
        Error::Hsm(m) => Error::Hsm(format!("{at}: {m}; nothing was written")),
        other => other,
    }
}

/// Called after each bundle is signed (index, total), e.g. for progress output.
pub type Progress<'a> = &'a mut dyn FnMut(usize, usize);

/// Signs every bundle of `ksr` per `schema` through `store` and returns the SKR.
/// Every signature is verified as soon as it is made; a signature that does not
/// verify is an HSM fault and stops the run.
pub fn build(
    ksr: &Document,
    schema: &Schema,
    policy: &Policy,
    ksks: &Ksks,
    store: &mut dyn KeyStore,
    progress: Progress,
) -> Result<Document> {
    if ksr.kind != Kind::Request {
        return Err(Error::Input(
            "the input is an SKR (Response), not a KSR (Request)".into(),
        ));
    }
    validate(schema, ksks)?;
    let owner = ksr.domain.as_str();
    let labels = dnssec::label_count(owner)
        .map_err(|e| Error::Input(format!("KSR domain {owner:?}: {e}")))?;
    let ttl = policy.dnskey_ttl;
    let used: Vec<Key> = ksks
        .used(schema)
        .into_iter()
        .map(|pk| super::dnskey(pk, flags::KSK, ttl))
        .collect();
    let ksk_policy = ksk_policy_block(policy, &used)?;

    // Slots are the bundles in time order; the document keeps the KSR's order.
    let mut order: Vec<usize> = (0..ksr.bundles.len()).collect();
    order.sort_by_key(|&i| (ksr.bundles[i].inception, ksr.bundles[i].expiration, i));
    let mut slot_of = vec![0; order.len()];
    for (slot, &i) in order.iter().enumerate() {
        slot_of[i] = slot;
    }

    let total = ksr.bundles.len();
    // Each signature is verified as soon as the token returns it, on a second
    // thread, so the token never waits for the check (the HSM is the bottleneck).
    let failed_flag = AtomicBool::new(false);
    let failed = &failed_flag;
    let bundles = std::thread::scope(|scope| -> Result<Vec<Bundle>> {
        let (to_verify, inbox) = mpsc::channel::<(Key, Vec<u8>, Vec<u8>, String)>();
        let verifier = scope.spawn(move || -> Result<()> {
            for (signer, data, signature, bundle) in inbox {
                if let Err(e) = dnssec::verify(&signer, &data, &signature) {
                    failed.store(true, Ordering::Relaxed);
                    return Err(Error::Hsm(format!(
                        "the signature by {} over bundle {bundle} does not verify ({e}); \
                         the token returned a bad signature; nothing was written",
                        signer.key_identifier
                    )));
                }
            }
            Ok(())
        });
        let signed = (move || -> Result<Vec<Bundle>> {
            let mut bundles = Vec::with_capacity(total);
            for (i, rb) in ksr.bundles.iter().enumerate() {
                if failed.load(Ordering::Relaxed) {
                    break;
                }
                let plan = schema.slot(slot_of[i], total);
                let ksk_keys = slot_keys(plan, ksks, ttl)?;
                let mut keys: Vec<Key> = rb.keys.iter().filter(|k| !k.is_ksk()).cloned().collect();
                keys.extend(ksk_keys.iter().map(|(_, k)| k.clone()));

                let mut signatures = Vec::new();
                for role in [Role::Current, Role::Next] {
                    if !plan.sign.contains(&role) {
                        continue;
                    }
                    let signer = &ksk_keys
                        .iter()
                        .find(|(r, _)| *r == role)
                        .ok_or_else(|| {
                            Error::Input(format!(
                                "schema {:?}: signer {role:?} not published",
                                schema.name
                            ))
                        })?
                        .1;
                    let mut sig = Signature {
                        key_identifier: signer.key_identifier.clone(),
                        ttl,
                        type_covered: "DNSKEY".into(),
                        algorithm: signer.algorithm,
                        labels,
                        original_ttl: ttl,
                        expiration: rb.expiration,
                        inception: rb.inception,
                        key_tag: signer.key_tag,
                        signers_name: owner.to_string(),
                        signature_data: Vec::new(),
                    };
                    let data = dnssec::signing_data(owner, &sig, &keys)
                        .map_err(|e| Error::Input(format!("bundle {}: {e}", rb.id)))?;
                    sig.signature_data = store
                        .sign(&signer.key_identifier, &data)
                        .map_err(|e| mid_run(e, i, total, &rb.id))?;
                    // The verifier only stops early after a failure, which it reports.
                    let _ = to_verify.send((
                        signer.clone(),
                        data,
                        sig.signature_data.clone(),
                        rb.id.clone(),
                    ));
                    signatures.push(sig);
                }
                bundles.push(Bundle {
                    id: rb.id.clone(),
                    inception: rb.inception,
                    expiration: rb.expiration,
                    signers: Vec::new(),
                    keys,
                    signatures,
                });
                progress(i + 1, total);
            }
            Ok(bundles)
        })();
        // The sender is dropped with the closure above, so the verifier finishes.
        let verified = verifier
            .join()
            .unwrap_or_else(|_| Err(Error::Hsm("signature verifier panicked".into())));
        verified?;
        signed
    })?;

    Ok(Document {
        id: ksr.id.clone(),
        serial: ksr.serial,
        domain: ksr.domain.clone(),
        kind: Kind::Response,
        timestamp: None,
        ksk_policy: Some(ksk_policy),
        zsk_policy: ksr.zsk_policy.clone(),
        bundles,
    })
}
