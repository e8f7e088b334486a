//! The one SKR builder: every KSR bundle becomes a response bundle carrying the
//! KSR's ZSKs, the KSKs the schema publishes in that slot (docs/checks.md,
//! signing schemas), and an RRSIG by each KSK the schema has sign that slot.
//!
//! Output is a pure function of (KSR, schema, policy, KSK public keys,
//! signatures), and the signature algorithms DNSSEC KSKs use on HSMs (RSA
//! PKCS#1 v1.5, EdDSA) are deterministic, so the same inputs give the same
//! document. Slots are the bundles in time order; the document keeps the KSR's.

use super::{dnskey, PublicKey, SignError, SignRaw};
use crate::dnssec;
use crate::model::{flags, Bundle, Document, Key, Kind, PolicyBlock, Signature};
use crate::policy::Policy;
use crate::schema::{Role, Schema, SlotPlan};

/// The ceremony's KSKs: C and N of the schema.
#[derive(Debug, Clone)]
pub struct Ksks {
    pub current: PublicKey,
    pub next: Option<PublicKey>,
}

impl Ksks {
    fn get(&self, role: Role) -> Result<&PublicKey, SignError> {
        match role {
            Role::Current => Ok(&self.current),
            Role::Next => self
                .next
                .as_ref()
                .ok_or_else(|| SignError::Input("the schema needs a next KSK".into())),
        }
    }

    /// All KSKs the schema uses, current first.
    pub fn used(&self, schema: &Schema) -> Vec<&PublicKey> {
        let mut v = vec![&self.current];
        if uses_next(schema) {
            v.extend(self.next.as_ref());
        }
        v
    }
}

/// Whether any slot of `schema` publishes, revokes or signs with N.
pub fn uses_next(schema: &Schema) -> bool {
    schema.uses_next()
        || [&schema.first, &schema.middle, &schema.last]
            .iter()
            .any(|p| p.revoke.contains(&Role::Next))
}

/// Refuses schemas and key sets that cannot give a valid SKR: a signer that is
/// not in the published set, a next KSK the schema needs but was not given (or
/// given but unused), or the same key as current and next.
pub fn validate(schema: &Schema, ksks: &Ksks) -> Result<(), SignError> {
    match (&ksks.next, uses_next(schema)) {
        (None, true) => {
            return Err(SignError::Input(format!(
                "schema {:?} needs a next KSK",
                schema.name
            )))
        }
        (Some(n), false) => {
            return Err(SignError::Input(format!(
                "schema {:?} uses only the current KSK, but next KSK {} was given",
                schema.name, n.label
            )))
        }
        _ => {}
    }
    if let Some(n) = &ksks.next {
        if n.label == ksks.current.label || n.public_key == ksks.current.public_key {
            return Err(SignError::Input(
                "the current and the next KSK are the same key; a rollover needs two keys".into(),
            ));
        }
    }
    validate_schema(schema)
}

/// Refuses a schema with a slot where a KSK signs but is not published.
pub fn validate_schema(schema: &Schema) -> Result<(), SignError> {
    for (slot, plan) in [
        ("first", &schema.first),
        ("middle", &schema.middle),
        ("last", &schema.last),
    ] {
        for role in &plan.sign {
            if !plan.publish.contains(role) && !plan.revoke.contains(role) {
                return Err(SignError::Input(format!(
                    "schema {:?}, {slot} slot: the {role:?} KSK signs but is not published; fix the schema",
                    schema.name
                )));
            }
        }
    }
    Ok(())
}

/// The KSK policy block an SKR states: the operator's policy, and the
/// algorithms of the KSKs actually used.
pub fn ksk_policy_block(policy: &Policy, keys: &[Key]) -> Result<PolicyBlock, SignError> {
    Ok(PolicyBlock {
        publish_safety: policy.ksk_publish_safety,
        retire_safety: policy.ksk_retire_safety,
        max_signature_validity: policy.signature_validity.max,
        min_signature_validity: policy.signature_validity.min,
        max_validity_overlap: policy.validity_overlap.max,
        min_validity_overlap: policy.validity_overlap.min,
        algorithms: super::algorithm_policies(keys)
            .map_err(|e| SignError::Input(format!("KSK public key: {e}")))?,
    })
}

/// The KSK DNSKEYs of one slot, in role order (current, next): published keys
/// with flags 257, revoked ones with 385.
pub fn slot_keys(plan: &SlotPlan, ksks: &Ksks, ttl: u32) -> Result<Vec<(Role, Key)>, SignError> {
    let mut out = Vec::new();
    for role in [Role::Current, Role::Next] {
        let revoked = plan.revoke.contains(&role);
        if plan.publish.contains(&role) || revoked {
            let f = if revoked {
                flags::KSK_REVOKED
            } else {
                flags::KSK
            };
            out.push((role, dnskey(ksks.get(role)?, f, ttl)));
        }
    }
    Ok(out)
}

/// Called after each bundle is signed (done, total), e.g. for progress output.
pub type Progress<'a> = &'a mut dyn FnMut(usize, usize);

/// Signs every bundle of `ksr` per `schema` through `signer` and returns the
/// SKR, with one signer ([`build_with`] signs with several).
pub fn build(
    ksr: &Document,
    schema: &Schema,
    policy: &Policy,
    ksks: &Ksks,
    signer: &mut dyn SignRaw,
    progress: Progress,
) -> Result<Document, SignError> {
    build_with(ksr, schema, policy, ksks, signer, 1, progress)
}

/// Signs every bundle of `ksr` per `schema` and returns the SKR. The DNSKEY TTL
/// is the policy's. Up to `sessions` signers sign at once: `signer` and those it
/// offers ([`SignRaw::more_signers`]); the document does not depend on how many.
/// Every signature is verified once, as soon as it is made; one that does not
/// verify stops the run ([`SignError::BadSignature`]).
pub fn build_with(
    ksr: &Document,
    schema: &Schema,
    policy: &Policy,
    ksks: &Ksks,
    signer: &mut dyn SignRaw,
    sessions: usize,
    progress: Progress,
) -> Result<Document, SignError> {
    if ksr.kind != Kind::Request {
        return Err(SignError::Input(
            "the input is an SKR (Response), not a KSR (Request)".into(),
        ));
    }
    validate(schema, ksks)?;
    let ttl = policy.dnskey_ttl;
    let used: Vec<Key> = ksks
        .used(schema)
        .into_iter()
        .map(|pk| dnskey(pk, flags::KSK, ttl))
        .collect();
    let ksk_policy = ksk_policy_block(policy, &used)?;
    // What is signed is decided first, for every bundle; nothing is signed
    // before the whole plan stands.
    let mut bundles = plan(ksr, schema, ksks, ttl)?;
    super::run::sign_all(
        &ksr.domain,
        &mut bundles,
        ksks,
        signer,
        sessions.max(1),
        progress,
    )?;

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

/// The response bundles, in the KSR's order, with their keys and their RRSIGs
/// still unsigned (empty signature data): what [`build_with`] has signed.
fn plan(ksr: &Document, schema: &Schema, ksks: &Ksks, ttl: u32) -> Result<Vec<Bundle>, SignError> {
    let owner = ksr.domain.as_str();
    let labels = dnssec::label_count(owner)
        .map_err(|e| SignError::Input(format!("KSR domain {owner:?}: {e}")))?;
    let mut order: Vec<usize> = (0..ksr.bundles.len()).collect();
    order.sort_by_key(|&i| (ksr.bundles[i].inception, ksr.bundles[i].expiration, i));
    let mut slot_of = vec![0; order.len()];
    for (slot, &i) in order.iter().enumerate() {
        slot_of[i] = slot;
    }
    let total = ksr.bundles.len();
    let mut bundles = Vec::with_capacity(total);
    for (i, rb) in ksr.bundles.iter().enumerate() {
        let plan = schema.slot(slot_of[i], total);
        let ksk_keys = slot_keys(plan, ksks, ttl)?;
        let mut keys: Vec<Key> = rb.keys.iter().filter(|k| !k.is_ksk()).cloned().collect();
        keys.extend(ksk_keys.iter().map(|(_, k)| k.clone()));

        let mut signatures = Vec::new();
        for role in [Role::Current, Role::Next] {
            if !plan.sign.contains(&role) {
                continue;
            }
            let key = &ksk_keys
                .iter()
                .find(|(r, _)| *r == role)
                .ok_or_else(|| {
                    SignError::Input(format!(
                        "schema {:?}: signer {role:?} not published",
                        schema.name
                    ))
                })?
                .1;
            signatures.push(Signature {
                key_identifier: key.key_identifier.clone(),
                ttl,
                type_covered: "DNSKEY".into(),
                algorithm: key.algorithm,
                labels,
                original_ttl: ttl,
                expiration: rb.expiration,
                inception: rb.inception,
                key_tag: key.key_tag,
                signers_name: owner.to_string(),
                signature_data: Vec::new(),
            });
        }
        bundles.push(Bundle {
            id: rb.id.clone(),
            inception: rb.inception,
            expiration: rb.expiration,
            signers: Vec::new(),
            keys,
            signatures,
        });
    }
    Ok(bundles)
}
