//! `rollover-sim testbed`: runs a scenario against real resolvers and prints
//! the report (text, or JSON with `--json`); `--html FILE` writes the drawn
//! timeline. Exit 0 when every resolver follows the model, 1 otherwise.

use super::implementation::Implementation;
use super::session::{self, Options, INTERRUPTED};
use crate::scenario::Scenario;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::Ordering;

/// Default clock: one scenario day in 3 wall seconds.
pub const DEFAULT_SPEEDUP: f64 = 28_800.0;

extern "C" fn on_signal(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Ctrl-C and SIGTERM end the run at the next sample; the resolver handles
/// are dropped on the way out, which stops every child.
fn catch_signals() {
    // SAFETY: the handler only stores to an atomic.
    unsafe {
        libc::signal(libc::SIGINT, on_signal as *const () as libc::sighandler_t);
        libc::signal(libc::SIGTERM, on_signal as *const () as libc::sighandler_t);
    }
}

/// Runs the command; `Err` is unusable input or a test bed that could not start (exit 2).
pub fn command(
    scenario: &Path,
    resolver: &str,
    speedup: Option<f64>,
    json: bool,
    html: Option<&Path>,
    out: &mut dyn Write,
) -> Result<i32, String> {
    let sc = Scenario::load(scenario).map_err(|e| e.to_string())?;
    let resolvers = Implementation::parse(resolver)?;
    let speedup = speedup.unwrap_or(DEFAULT_SPEEDUP);
    if !(1.0..=1e7).contains(&speedup) {
        return Err(format!("--speedup must be 1 .. 10000000, not {speedup}"));
    }
    catch_signals();
    let rep = session::run(&sc, &Options { speedup, resolvers })?;
    if json {
        let mut s = serde_json::to_string_pretty(&rep).map_err(|e| e.to_string())?;
        s.push('\n');
        write_out(out, &s)?;
    } else {
        write_out(out, &super::text::report(&rep))?;
    }
    if let Some(p) = html {
        let page = super::html::page(&rep);
        crate::report::write_atomic(p, page.as_bytes(), super::html::verify)?;
    }
    Ok(if rep.ok() { 0 } else { 1 })
}

fn write_out(out: &mut dyn Write, s: &str) -> Result<(), String> {
    match out.write_all(s.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        // A closed stdout is not an error (project convention).
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(format!("stdout: {e}")),
    }
}
