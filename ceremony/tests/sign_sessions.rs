//! A token gives more sessions for parallel signing (`KeyStore::more_sessions`)
//! on real SoftHSM: each signs on its own thread with the keys the token looked
//! up, and their signatures are the token's own (Ed25519 is deterministic).

mod common;
use common::*;

use ceremony::hsm::{module::DEFAULT_MODULE, PinSource, TokenSpec};
use ceremony::keystore::KeyStore;

#[test]
fn more_sessions_sign_on_their_own_threads_like_the_token() {
    let label = token("sessions");
    keygen(label, "ksk", "ed25519", &["--flags", "257"]);
    let h = hsm();
    let _serial = lock();
    let spec = TokenSpec {
        module: DEFAULT_MODULE.into(),
        token: label.into(),
        pin: PinSource::File(h.pin_file.clone()),
    };
    let mut token = spec.open(&FakeEnv::new()).unwrap();
    let public = token.public_key("ksk").unwrap();
    let data = b"RRSIG signing data stands in here";
    let own = token.sign("ksk", data).unwrap();
    let more = token.more_sessions(3).unwrap();
    assert_eq!(more.len(), 3, "SoftHSM allows more sessions");
    let signatures: Vec<Vec<u8>> = std::thread::scope(|scope| {
        let workers: Vec<_> = more
            .into_iter()
            .map(|mut s| scope.spawn(move || s.sign("ksk", data).unwrap()))
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    let key = ceremony::sign::dnskey(&public, 257, 3600);
    for s in &signatures {
        assert_eq!(s, &own);
        ksr::dnssec::verify(&key, data, s).unwrap();
    }
    // A session signs only with keys its token looked up.
    let mut more = token.more_sessions(1).unwrap();
    assert!(matches!(
        more[0].sign("other", data),
        Err(ceremony::error::Error::KeyNotFound(_))
    ));
}
