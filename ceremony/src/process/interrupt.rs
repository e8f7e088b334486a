//! SIGINT and SIGTERM stop a `ceremony` command cleanly: temp files removed,
//! the caller's `interrupted` audit record appended, exit 130 or 143 (see
//! `ksr::signals`, which does the work for every tool). A SIGKILL's temp
//! files are swept by the next command writing the same output, and the next
//! command that opens the audit log records the open `begin` as
//! `interrupted`.

use std::path::PathBuf;

use ksr::env::Env;

/// Runs `work`; on SIGINT or SIGTERM removes the temp files, runs
/// `on_signal(signal name, removed files)` and exits 128 + signal.
pub fn stop_cleanly<R>(
    env: &dyn Env,
    on_signal: impl FnOnce(&str, &[PathBuf]) -> Option<String> + Send,
    work: impl FnOnce() -> R,
) -> R {
    ksr::signals::stop_cleanly("ceremony", env, on_signal, work)
}
