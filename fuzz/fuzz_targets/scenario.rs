//! The rollover-sim scenario reader (TOML): parsed or refused, never a panic.
//! (Running a parsed scenario is bounded by other means; only the reader is
//! fuzzed here.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use rollover_sim::scenario::Scenario;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Scenario::parse(text, Path::new("fuzz.toml"));
    }
});
