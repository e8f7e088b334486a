//! Signing a KSR into an SKR, on the ceremony's side: the builder is ksr's one
//! SKR builder ([`ksr::sign::build`]); this module checks the ceremony's
//! options (`--ksk-current`, `--ksk-next`) and turns ksr's errors into the
//! ceremony's.

use ksr::model::{Document, Key, PolicyBlock};
use ksr::policy::Policy;
use ksr::schema::{Role, Schema, SlotPlan};

use crate::error::{Error, Result};
use crate::keystore::{from_sign_error, KeyStore, Signer};

/// The ceremony's KSKs as the token holds them (ksr's type).
pub use ksr::sign::Ksks;
/// Called after each bundle is signed (index, total), e.g. for progress output.
pub use ksr::sign::Progress;

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
    ksr::sign::skr::validate(schema, ksks).map_err(from_sign_error)
}

/// The part of [`validate`] that needs only the labels, so a schema that does not
/// fit the KSKs given is refused before anyone logs in to the token.
pub fn validate_labels(schema: &Schema, current: &str, next: Option<&str>) -> Result<()> {
    match (next, ksr::sign::skr::uses_next(schema)) {
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
    ksr::sign::skr::validate_schema(schema).map_err(from_sign_error)
}

/// The KSK policy block an SKR states: the operator's policy, and the algorithms of
/// the KSKs actually used.
pub fn ksk_policy_block(policy: &Policy, keys: &[Key]) -> Result<PolicyBlock> {
    ksr::sign::skr::ksk_policy_block(policy, keys).map_err(from_sign_error)
}

/// The KSK DNSKEYs of one slot, in role order (current, next): published keys with
/// flags 257, revoked ones with 385.
pub fn slot_keys(plan: &SlotPlan, ksks: &Ksks, ttl: u32) -> Result<Vec<(Role, Key)>> {
    ksr::sign::skr::slot_keys(plan, ksks, ttl).map_err(from_sign_error)
}

/// Signs every bundle of `ksr` per `schema` through `store` with ksr's builder
/// and returns the SKR. Every signature is verified as soon as it is made; a
/// signature that does not verify is an HSM fault and stops the run.
pub fn build(
    ksr: &Document,
    schema: &Schema,
    policy: &Policy,
    ksks: &Ksks,
    store: &mut dyn KeyStore,
    progress: Progress,
) -> Result<Document> {
    build_with(ksr, schema, policy, ksks, store, 1, progress)
}

/// [`build`] over up to `sessions` sessions of the token at once (the store's
/// own and those it opens, [`KeyStore::more_sessions`]); the SKR is the same.
pub fn build_with(
    ksr: &Document,
    schema: &Schema,
    policy: &Policy,
    ksks: &Ksks,
    store: &mut dyn KeyStore,
    sessions: usize,
    progress: Progress,
) -> Result<Document> {
    if ksr.kind == ksr::model::Kind::Request {
        validate(schema, ksks)?;
    }
    ksr::sign::build_with(
        ksr,
        schema,
        policy,
        ksks,
        &mut Signer(store),
        sessions,
        progress,
    )
    .map_err(from_sign_error)
}
