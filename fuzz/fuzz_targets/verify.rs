//! `ksr verify` through the library: format detection, either reader, every
//! named check (with the root policy, at a fixed time and at the document's
//! own first inception), the text-dialect limits and the importer's window
//! check, and the report as text and JSON. Never a panic.
#![no_main]

use ksr::check::{check, import, Context};
use ksr::policy::Policy;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok((doc, format)) = import::parse(data, "fuzz", &Default::default()) else {
        return;
    };
    let policy = Policy::root();
    let fixed = time::macros::datetime!(2017-03-20 00:00 UTC);
    let own = doc.bundles.first().map(|b| b.inception).unwrap_or(fixed);
    for at in [fixed, own] {
        let ctx = Context::new(&policy, at);
        let mut report = check(&doc, &ctx);
        import::apply_text_dialect_limits(&mut report, &doc, format, None);
        report
            .results
            .push(import::sig_window(&doc, at, policy.min_signature_remaining));
        report.results.push(import::matches_ksr(&doc, format, None));
        let _ = report.lines();
        let _ = serde_json::to_string(&report).expect("a report serialises");
    }
});
