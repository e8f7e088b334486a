//! The operations as a library, the way a terminal UI drives them: typed
//! inputs, PINs typed at a prompter, typed reports; no command line involved.

mod common;
use common::*;

use ceremony::hsm::{module, Algorithm, KeySpec, PinSource, TokenSpec};
use ceremony::ops::{self, Operation};

#[test]
fn init_keygen_and_inventory_through_the_library_with_prompted_pins() {
    let h = hsm();
    let _serial = lock();
    let module = module::resolve(None, None);
    // Both new PINs typed at the prompter (SO first, then user).
    let env = FakeEnv::new().secret(&h.so_pin).secret(&h.pin);
    let init = ops::hsm::InitInput {
        softhsm: h.dir.clone(),
        label: "library".into(),
        so_pin: PinSource::Prompt,
        pin: PinSource::Prompt,
        module: module.clone(),
    };
    assert!(matches!(init.operation(), Operation::HsmInit { .. }));
    let r = ops::hsm::init(&init, &env).unwrap();
    assert_eq!(r.label, "library");
    assert_eq!(r.conf, h.conf);
    assert_eq!(
        env.prompts(),
        vec![
            "security officer PIN for token \"library\": ",
            "user PIN for token \"library\": "
        ]
    );

    let token = TokenSpec {
        module,
        token: "library".into(),
        pin: PinSource::Prompt,
    };
    let input = ops::keys::KeygenInput {
        token: token.clone(),
        spec: KeySpec {
            label: "zsk".into(),
            algorithm: Algorithm::EcdsaP256Sha256,
            bits: None,
            flags: 256,
            allow_backup: false,
        },
        zone: "example.test".into(),
        ttl: 3600,
        at: ops::default_proof_at(),
    };
    // The audit subject names the PIN only by its kind.
    let op = serde_json::to_value(input.operation()).unwrap();
    assert_eq!(op["operation"], "keygen");
    assert_eq!(op["on"]["pin"], "prompt");
    let env = FakeEnv::new().secret(&h.pin);
    let r = ops::keys::keygen(&input, &env).unwrap();
    assert_eq!(r.zone, "example.test.");
    assert_eq!(r.key.flags, 256);
    assert!(r.proof.verified);
    let published = r.key.published.clone().expect("a readable public key");
    assert_eq!(published.key_tag, r.proof.dnskey.key_tag);

    // A wrong PIN is a typed error with its exit code.
    let env = FakeEnv::new().secret("wrong");
    let inv = ops::keys::InventoryInput {
        token: token.clone(),
        zone: "example.test".into(),
    };
    let e = ops::keys::inventory(&inv, &env).unwrap_err();
    assert!(matches!(e, ceremony::error::Error::WrongPin), "{e}");
    assert_eq!(e.exit_code(), 2);
    let env = FakeEnv::new().secret(&h.pin);
    let listed = ops::keys::inventory(&inv, &env).unwrap();
    assert_eq!(listed.keys, vec![r.key]);
}
