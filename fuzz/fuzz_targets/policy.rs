//! Fuzz target `policy`: see [`properties::policy`] for what it asserts.
#![no_main]

mod properties;

libfuzzer_sys::fuzz_target!(|data: &[u8]| properties::policy(data));
