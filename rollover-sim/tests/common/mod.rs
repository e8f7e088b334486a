//! Running `rollover-sim` in-process on a `FakeEnv`, the production code path.

#![allow(dead_code)]

use ksr::env::FakeEnv;
use serde_json::Value;
use std::path::PathBuf;
pub use test_support::{exit, Outcome};

/// A shipped scenario under `rollover-sim/scenarios/`.
pub fn scenario(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

/// `scenario(name)` as a string argument.
pub fn scenario_arg(name: &str) -> String {
    scenario(name).display().to_string()
}

/// Runs `rollover-sim ARGS` on `env`.
pub fn sim_on(env: &FakeEnv, args: &[&str]) -> Outcome {
    let mut all = vec!["rollover-sim"];
    all.extend_from_slice(args);
    test_support::run_on(env, &all, |args, env| rollover_sim::cli::run(args, env))
}

/// Runs `rollover-sim ARGS` on a fresh env.
pub fn sim(args: &[&str]) -> Outcome {
    sim_on(&FakeEnv::new(), args)
}

/// The JSON a `--json` run printed on stdout.
pub fn stdout_json(o: &Outcome) -> Value {
    serde_json::from_str(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr: {}",
            o.stdout, o.stderr
        )
    })
}
