//! The operator policy reader (TOML): parsed or refused, never a panic; an
//! accepted policy prints as TOML that reads back equal, and every check runs
//! with it over a real root KSR and SKR without a panic.
#![no_main]

use ksr::check::{check, Context};
use ksr::policy::Policy;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn fixtures() -> &'static [ksr::model::Document; 2] {
    static DOCS: OnceLock<[ksr::model::Document; 2]> = OnceLock::new();
    DOCS.get_or_init(|| {
        let parse = |bytes: &[u8]| {
            ksr::xml::parse(bytes, "fixture", &Default::default()).expect("fixture parses")
        };
        [
            parse(include_bytes!("../../tests/fixtures/iana-root/ksr-root-2017-q2-0.xml")),
            parse(include_bytes!("../../tests/fixtures/iana-root/skr-root-2017-q1-0.xml")),
        ]
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(policy) = Policy::from_toml_str(text, "fuzz.toml") else {
        return;
    };
    let again = Policy::from_toml_str(&policy.to_toml(), "printed.toml")
        .expect("a printed policy reads back");
    assert_eq!(policy, again, "a policy must survive printing");
    let [ksr, previous] = fixtures();
    let at = time::macros::datetime!(2017-03-20 00:00 UTC);
    let ctx = Context::new(&policy, at).with_previous(previous);
    let _ = check(ksr, &ctx).lines();
});
