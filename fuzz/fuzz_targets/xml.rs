//! The IANA XML reader: any input is parsed or refused, never a panic; what it
//! accepts, the writer writes back to a document that parses to the same model.
#![no_main]

use ksr::xml::{parse, write, ParseOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = ParseOptions::default();
    if let Ok(doc) = parse(data, "fuzz.xml", &options) {
        let again = parse(&write(&doc), "rewritten.xml", &options)
            .expect("what ksr writes, ksr reads");
        assert_eq!(doc, again, "a document must survive write and read");
    }
});
