//! What the ceremony fuzz targets assert, shared with the regression test
//! (`ceremony/tests/fuzz_regressions.rs` includes this file), so a crash input
//! committed under `ceremony/tests/fuzz_regressions/TARGET/` replays exactly
//! what the fuzzer ran. Entry points: `ceremony::script::{parse, check}` and
//! `ceremony::engine::answers::Answers::parse`.
#![allow(dead_code)]

/// The ceremony script reader: any text is parsed or refused, never a panic;
/// every error names a line inside the file (0 for the file as a whole), and
/// an accepted script goes through every cross-reference check without a
/// panic, each problem again naming a line inside the file.
pub fn script(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let last = text.lines().count().max(1) + 1;
    match ceremony::script::parse("fuzz.toml", text) {
        Err(e) => assert!(e.line <= last, "error line {} past the end: {e}", e.line),
        Ok(script) => {
            for p in ceremony::script::check(&script) {
                assert!(p.line <= last, "problem line {} past the end", p.line);
            }
            for step in &script.steps {
                let _ = step.irreversible();
                let _ = script.step_index(&step.id);
            }
        }
    }
}

/// The answers file of `ceremony run --non-interactive`: parsed or refused,
/// never a panic.
pub fn answers(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = ceremony::engine::answers::Answers::parse(text);
}
