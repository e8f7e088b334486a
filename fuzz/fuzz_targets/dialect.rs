//! Fuzz target `dialect`: see [`properties::dialect`] for what it asserts.
#![no_main]

mod properties;

libfuzzer_sys::fuzz_target!(|data: &[u8]| properties::dialect(data));
