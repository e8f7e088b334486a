//! `rollover-sim testbed`: runs a scenario against real resolvers and prints
//! the report (text, or JSON with `--json`); `--html FILE` writes the drawn
//! timeline. Exit 0 when every resolver follows the model, 1 otherwise.

use super::implementation::Implementation;
use super::session::{self, Options, INTERRUPTED};
use crate::error::{InputError, SimError};
use crate::scenario::{probe_bound, shortest_probe_interval, Scenario, MAX_PROBES};
use ksr::env::{exit, print, Env};
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

/// The most times the test bed may look at the resolvers over a scenario:
/// twice per DNSKEY TTL (`session::schedule`), every look planned up front and
/// kept in the report; an hourly TTL over 5 years is 87,600.
pub const MAX_LOOKS: i64 = 100_000;

/// Refuses a DNSKEY TTL so short for the scenario's span that the looks
/// would not fit ([`MAX_LOOKS`]), naming the line that sets it.
fn check_looks(sc: &Scenario) -> Result<(), SimError> {
    let every = (sc.ttl / 2).max(1);
    let looks = (sc.end - sc.start) / every;
    if looks <= MAX_LOOKS {
        return Ok(());
    }
    let text = std::fs::read_to_string(&sc.path).unwrap_or_default();
    let line = text
        .lines()
        .position(|l| l.trim_start().starts_with("dnskey-ttl"))
        .map(|i| i + 1);
    Err(SimError::Input(InputError::new(
        sc.path.display().to_string(),
        line,
        format!(
            "dnskey-ttl {} has the test bed look every {} (half the TTL), {looks} times from start \
             to end, more than the {MAX_LOOKS} it keeps; use a longer dnskey-ttl or a shorter span",
            crate::clock::format_duration(sc.ttl),
            crate::clock::format_duration(every)
        ),
    )))
}

/// Runs the command on `env`. Errors (unusable input, a test bed that could
/// not start, an interrupt) exit 2 through `SimError`.
pub fn command(
    env: &dyn Env,
    scenario: &Path,
    resolver: &str,
    speedup: Option<f64>,
    json: bool,
    html: Option<&Path>,
) -> Result<i32, SimError> {
    let sc = Scenario::load(scenario)?;
    let usage = |option, message: String| SimError::Usage { option, message };
    let resolvers = Implementation::parse(resolver).map_err(|e| usage("--resolver", e))?;
    let speedup = speedup.unwrap_or(DEFAULT_SPEEDUP);
    if !(1.0..=1e7).contains(&speedup) {
        return Err(usage(
            "--speedup",
            format!("must be 1 .. 10000000, not {speedup}"),
        ));
    }
    // The model runs on the wall-clock knobs scaled back (Implementation::knobs):
    // a slow clock gives it a probe every few scenario seconds, each kept.
    let clock = super::clock::Compressed::start(sc.start, speedup);
    for imp in &resolvers {
        let Some(spec) = sc
            .resolvers
            .iter()
            .find(|r| r.params.profile == imp.profile())
        else {
            continue;
        };
        let (_, params) = imp.knobs(&spec.params, &clock);
        let probes = probe_bound(&params, spec.start, sc.end);
        if probes > MAX_PROBES {
            return Err(usage(
                "--speedup",
                format!(
                    "{speedup} lets the model of {} probe every {}, up to {probes} probes over the \
                     scenario, more than the {MAX_PROBES} a run keeps; use a larger --speedup or a shorter scenario",
                    imp.name(),
                    crate::clock::format_duration(shortest_probe_interval(&params)),
                ),
            ));
        }
    }
    check_looks(&sc)?;
    catch_signals();
    let rep = session::run(&sc, &Options { speedup, resolvers }).map_err(SimError::Testbed)?;
    if let Some(p) = html {
        let page = super::html::page(&rep);
        crate::cli::save(env, p, page.as_bytes(), super::html::verify)?;
    }
    let shown = if json {
        crate::report::json::to_string(&rep)?
    } else {
        super::text::report(&rep)
    };
    print(env, &shown).map_err(SimError::Stdout)?;
    Ok(if rep.ok() {
        exit::OK
    } else {
        exit::CHECK_FAILED
    })
}
