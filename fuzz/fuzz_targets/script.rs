//! Fuzz target `script`: see [`script_properties::script`] for what it asserts.
#![no_main]

mod script_properties;

libfuzzer_sys::fuzz_target!(|data: &[u8]| script_properties::script(data));
