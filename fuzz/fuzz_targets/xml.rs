//! Fuzz target `xml`: see [`properties::xml`] for what it asserts.
#![no_main]

mod properties;

libfuzzer_sys::fuzz_target!(|data: &[u8]| properties::xml(data));
