//! End-to-end tests across `ksr`, `ceremony` and `rollover-sim` live in
//! `tests/tests/`; their helpers are in the `test-support` crate (processes,
//! SoftHSM2 tokens, Knot, fixtures). The binaries they run are rebuilt from
//! the current sources by `test_support::process::binary`, so `cargo test -p
//! e2e` never tests a stale binary.
