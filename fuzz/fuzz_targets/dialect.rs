//! The Knot/BIND text dialect reader: parsed or refused, never a panic; what it
//! accepts, its writer writes back to text that reads as the same document.
#![no_main]

use ksr::dialect::{parse, write};
use ksr::xml::ParseOptions;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = ParseOptions::default();
    if let Ok(doc) = parse(data, "fuzz.skr", &options) {
        let model = doc.to_document("fuzz");
        let again = parse(&write(&doc), "rewritten.skr", &options)
            .expect("what ksr writes, ksr reads");
        assert_eq!(model, again.to_document("fuzz"));
    }
});
