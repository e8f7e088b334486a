//! Fuzz target `verify`: see [`properties::verify`] for what it asserts.
#![no_main]

mod properties;

libfuzzer_sys::fuzz_target!(|data: &[u8]| properties::verify(data));
