//! Fuzz target `answers`: see [`script_properties::answers`] for what it asserts.
#![no_main]

mod script_properties;

libfuzzer_sys::fuzz_target!(|data: &[u8]| script_properties::answers(data));
