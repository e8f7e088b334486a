//! SIGINT and SIGTERM stop a command that writes files cleanly. The signal
//! handler itself (from `signal-hook`) only records the signal; a dedicated
//! thread then removes every temp file this process has open (the registry in
//! [`crate::output`]), lets the caller record the interruption (`ceremony`
//! appends an `interrupted` audit record), says so on stderr and exits with
//! 128 + the signal (130 for SIGINT, 143 for SIGTERM). It exits with `_exit`:
//! the main thread may be inside a PKCS#11 module, whose destructors must not
//! run under it.
//!
//! A SIGKILL cannot be caught: its temp files are swept by the next run that
//! writes the same output ([`crate::output::sweep_stale_temps`]).

use std::path::PathBuf;

use crate::env::Env;
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// The signal's name for messages and records.
pub fn name(signal: i32) -> &'static str {
    match signal {
        SIGINT => "SIGINT",
        SIGTERM => "SIGTERM",
        _ => "a signal",
    }
}

/// Runs `work`; if SIGINT or SIGTERM arrives meanwhile, the temp files are
/// removed, `on_signal(signal name, removed files)` runs (its text, if any,
/// is printed), and the process exits 128 + signal without returning.
pub fn stop_cleanly<R>(
    tool: &str,
    env: &dyn Env,
    on_signal: impl FnOnce(&str, &[PathBuf]) -> Option<String> + Send,
    work: impl FnOnce() -> R,
) -> R {
    let Ok(mut signals) = Signals::new([SIGINT, SIGTERM]) else {
        // No handler could be installed: the default action (die) still
        // applies, and the next run sweeps what was left.
        return work();
    };
    let handle = signals.handle();
    std::thread::scope(|s| {
        s.spawn(move || {
            let Some(signal) = signals.forever().next() else {
                return; // closed: the work finished
            };
            let removed = crate::output::abandon_temps();
            let said = on_signal(name(signal), &removed);
            let mut text = format!("{tool}: stopped by {}", name(signal));
            for p in &removed {
                text.push_str(&format!("; removed temp file {}", p.display()));
            }
            text.push('\n');
            if let Some(s) = said {
                text.push_str(&s);
                text.push('\n');
            }
            crate::env::eprint(env, &text);
            // A PIN prompt turned echo off; `_exit` would leave it off.
            crate::env::restore_terminal();
            // SAFETY: `_exit` ends the process at once; nothing runs after it.
            unsafe { libc::_exit(128 + signal) };
        });
        let r = work();
        handle.close();
        r
    })
}
