//! The command line: parse, run, print through the [`Env`], exit code.
//! 0 ok, 1 a check failed (a resolver lost validation, a plan step is unsafe),
//! 2 unusable input or usage; the mapping of errors is [`SimError::exit_code`].
//!
//! `--json` switches a command's stdout from text to JSON; files are written
//! only to explicit paths (`--out`, `--csv`, `--svg`), through `ksr::output`.

use crate::clock::{format_duration, parse_duration, Duration};
use crate::error::{InputError, SimError};
use crate::population::{self, Options};
use crate::report::{self, json, text};
use crate::scenario::Scenario;
use clap::{Parser, Subcommand};
use ksr::env::{exit, print, Env};
use ksr::output::Target;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

#[derive(Parser, Debug)]
#[command(
    name = "rollover-sim",
    version,
    about = "RFC 5011 trust-anchor rollover simulator"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Simulate every resolver of the scenario: key states, probes, validation failures.
    /// Exit 1 when a resolver without outages or attacks fails validation.
    Run {
        scenario: PathBuf,
        /// Print the full timeline as JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Also write the full timeline as JSON to FILE.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Replace output files that exist (only ever regular files).
        #[arg(long)]
        force: bool,
    },
    /// Check the publisher's plan: earliest safe time per step and the rule that decides it.
    /// Exit 1 when a step is unsafe.
    Plan {
        scenario: PathBuf,
        /// Print the waits and the per-step verdicts as JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Also write the waits and the per-step verdicts as JSON to FILE.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Replace output files that exist (only ever regular files).
        #[arg(long)]
        force: bool,
        /// Use the earlier drafts' timing margin (activeRefreshOffset) instead of
        /// the final revision's (activeRefresh).
        #[arg(long)]
        legacy_offset: bool,
    },
    /// Forecast a population of resolvers drawn from a mix: shares trusting each key,
    /// RFC 8145 key-tag signals and validation failures over time.
    Population {
        scenario: PathBuf,
        /// Number of resolvers.
        #[arg(long)]
        resolvers: u64,
        /// Mix of resolver classes (TOML, [[class]] tables); a built-in mix otherwise.
        #[arg(long, value_name = "FILE")]
        mix: Option<PathBuf>,
        /// Seed of the draw: the same seed gives the same population and results.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Print the whole time series and the per-step shares as JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Also write the whole time series and the per-step shares as JSON to FILE.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Write one CSV row per sample (see --step) to FILE.
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
        /// Write a two-panel SVG chart (keys trusted and signals; validation failures) to FILE.
        #[arg(long, value_name = "FILE")]
        svg: Option<PathBuf>,
        /// Replace output files that exist (only ever regular files).
        #[arg(long)]
        force: bool,
        /// Worker threads (default: available cores).
        #[arg(long)]
        threads: Option<usize>,
        /// Sampling step of the time series (P1D, PT12H, or 1d, 12h).
        #[arg(long, default_value = "P1D")]
        step: String,
    },
    /// Replay the scenario against real resolvers (Unbound, BIND, Knot Resolver) on
    /// loopback on a compressed clock and compare them with the model.
    /// Exit 1 when a resolver deviates from the model or breaks validation.
    Testbed {
        scenario: PathBuf,
        /// unbound, bind, knot-resolver or all.
        #[arg(long, default_value = "all")]
        resolver: String,
        /// How many times faster than real time the scenario clock runs (default 28800).
        #[arg(long)]
        speedup: Option<f64>,
        /// Print the report as JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Write a self-contained HTML page with the timelines drawn to FILE.
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
        /// Replace output files that exist (only ever regular files).
        #[arg(long)]
        force: bool,
    },
}

/// Runs `rollover-sim` with `args` (the program name first) on `env`; returns
/// the exit code. `main` is this on the real environment.
pub fn run<I, T>(args: I, env: &dyn Env) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => return usage(e, env),
    };
    match execute(cli, env) {
        Ok(code) => code,
        Err(e) => e.report(env),
    }
}

/// clap's own output: help and version on stdout (exit 0), mistakes on stderr
/// with the usage line (exit 2).
fn usage(e: clap::Error, env: &dyn Env) -> i32 {
    let text = e.render().to_string();
    if e.use_stderr() {
        ksr::env::eprint(env, &text);
        exit::UNUSABLE
    } else {
        match print(env, &text) {
            Ok(()) => exit::OK,
            Err(e) => SimError::Stdout(e).report(env),
        }
    }
}

fn execute(cli: Cli, env: &dyn Env) -> Result<i32, SimError> {
    match cli.command {
        Command::Run {
            scenario,
            json,
            out,
            force,
        } => {
            let out = prepare(env, out.as_deref(), force)?;
            let sc = Scenario::load(&scenario)?;
            let rep = crate::run::run(&sc);
            let shown = |rep: &_| text::run(&sc, rep);
            emit(env, &rep, json, out, shown)?;
            Ok(verdict(rep.unexpected_failures().is_empty()))
        }
        Command::Plan {
            scenario,
            json,
            out,
            force,
            legacy_offset,
        } => {
            let out = prepare(env, out.as_deref(), force)?;
            let sc = Scenario::load(&scenario)?;
            let mut params = sc.plan;
            params.legacy_offset = legacy_offset;
            let rep = crate::plan::check(&sc.timeline, &sc.keys, &params);
            let shown = |rep: &_| text::plan(&sc, rep);
            emit(env, &rep, json, out, shown)?;
            Ok(verdict(rep.safe()))
        }
        Command::Population {
            scenario,
            resolvers,
            mix,
            seed,
            json,
            out,
            csv,
            svg,
            force,
            threads,
            step,
        } => {
            distinct_outputs(&[
                ("--out", out.as_deref()),
                ("--csv", csv.as_deref()),
                ("--svg", svg.as_deref()),
            ])?;
            population_cmd(
                env,
                &scenario,
                Draw {
                    resolvers,
                    mix: mix.as_deref(),
                    seed,
                    threads,
                    step: &step,
                },
                Outputs {
                    json,
                    out: prepare(env, out.as_deref(), force)?,
                    csv: prepare(env, csv.as_deref(), force)?,
                    svg: prepare(env, svg.as_deref(), force)?,
                },
            )
        }
        Command::Testbed {
            scenario,
            resolver,
            speedup,
            json,
            html,
            force,
        } => {
            // The preflight refuses a special file, or an existing one without
            // --force, before the resolvers start; the page is then written
            // through `save`, whose writer refuses special files again.
            drop(prepare(env, html.as_deref(), force)?);
            crate::testbed::cli::command(env, &scenario, &resolver, speedup, json, html.as_deref())
        }
    }
}

/// Exit code of a command's verdict.
fn verdict(ok: bool) -> i32 {
    if ok {
        exit::OK
    } else {
        exit::CHECK_FAILED
    }
}

/// Writes the JSON file if asked, then the report on stdout: JSON with
/// `--json`, else text. The file comes first so a closed stdout cannot lose it.
fn emit<T: serde::Serialize>(
    env: &dyn Env,
    rep: &T,
    json: bool,
    out: Option<Target>,
    text: impl FnOnce(&T) -> String,
) -> Result<(), SimError> {
    if let Some(target) = out {
        save_to(target, &json::to_bytes(rep)?, json::verify)?;
    }
    let shown = if json {
        json::to_string(rep)?
    } else {
        text(rep)
    };
    print(env, &shown).map_err(SimError::Stdout)
}

/// Refuses two output options naming one file, before any work: the second
/// write would replace the first (or fail on it without `--force`). One file
/// is one as `ksr::output::same_file` sees it: any spelling of the path, or a
/// hard link.
fn distinct_outputs(outputs: &[(&'static str, Option<&Path>)]) -> Result<(), SimError> {
    let given: Vec<(&'static str, &Path)> = outputs
        .iter()
        .filter_map(|(o, p)| p.map(|p| (*o, p)))
        .collect();
    for (i, (b, pb)) in given.iter().enumerate() {
        if let Some((a, pa)) = given[..i]
            .iter()
            .find(|(_, pa)| ksr::output::same_file(pa, pb))
        {
            return Err(SimError::Usage {
                option: b,
                message: format!(
                    "{} names the same file as {a} ({}); give each output its own file",
                    pb.display(),
                    pa.display()
                ),
            });
        }
    }
    Ok(())
}

/// The preflight of an output option (`ksr::output::Target::prepare`): run
/// before any work, so a device node, FIFO, symlink or directory, an existing
/// file without `--force`, or a full or unwritable directory stops the command
/// at once (exit 2).
/// Stale temp files of the target that a killed run left are swept and told.
fn prepare(env: &dyn Env, path: Option<&Path>, force: bool) -> Result<Option<Target>, SimError> {
    let Some(p) = path else { return Ok(None) };
    let target = Target::prepare(p, force).map_err(SimError::Target)?;
    report_swept(env, target.swept());
    Ok(Some(target))
}

/// Tells the stale temp files an output's writer removed (the wording of
/// every tool).
fn report_swept(env: &dyn Env, swept: &[std::path::PathBuf]) {
    for stale in swept {
        ksr::env::eprint(
            env,
            &format!(
                "rollover-sim: removed stale temp file {} (left by a run that was killed)\n",
                ksr::escape::terminal(&stale.display().to_string())
            ),
        );
    }
}

/// Writes `bytes` to a prepared target (temp file beside it, checked by
/// `verify`, the target re-checked, renamed into place).
fn save_to(
    target: Target,
    bytes: &[u8],
    verify: impl FnOnce(&[u8]) -> Result<(), String>,
) -> Result<(), SimError> {
    let shown = target.path().display().to_string();
    target
        .write_verified(bytes, |tmp| report::check_written(tmp, bytes, verify))
        .map_err(|e| output_error(e, shown))
}

fn output_error(e: ksr::output::OutputError<String>, shown: String) -> SimError {
    match e {
        ksr::output::OutputError::Io { path, source } => SimError::Write { path, source },
        ksr::output::OutputError::Verify(message) => SimError::OutputCheck {
            path: shown,
            message,
        },
    }
}

/// Writes `bytes` to `path` through `ksr::output` (temp file beside it, checked
/// by `verify`, renamed into place; anything but a regular file is refused).
/// Stale temp files of `path` that a killed run left are swept and told.
pub(crate) fn save(
    env: &dyn Env,
    path: &Path,
    bytes: &[u8],
    verify: impl FnOnce(&[u8]) -> Result<(), String>,
) -> Result<(), SimError> {
    let shown = path.display().to_string();
    let swept =
        ksr::output::write_verified(path, bytes, |tmp| report::check_written(tmp, bytes, verify))
            .map_err(|e| output_error(e, shown))?;
    report_swept(env, &swept);
    Ok(())
}

/// How `population` draws its resolvers.
struct Draw<'a> {
    resolvers: u64,
    mix: Option<&'a Path>,
    seed: u64,
    threads: Option<usize>,
    step: &'a str,
}

/// What `population` prints and writes.
struct Outputs {
    json: bool,
    out: Option<Target>,
    csv: Option<Target>,
    svg: Option<Target>,
}

/// The most worker threads: far more than any machine has cores; beyond it
/// spawning fails (a panic in `std::thread::scope`) long before it helps.
const MAX_THREADS: usize = 256;

/// The shortest sampling step: finer steps only add samples nobody can read.
const MIN_STEP: Duration = 60;

/// `population`: checks the arguments, runs the forecast (with a progress bar
/// when a person is watching), writes the requested files, prints the report
/// and a one-line summary on stderr.
fn population_cmd(
    env: &dyn Env,
    scenario: &Path,
    draw: Draw,
    out: Outputs,
) -> Result<i32, SimError> {
    let sc = Scenario::load(scenario)?;
    let usage = |option, message: String| SimError::Usage { option, message };
    if draw.resolvers == 0 {
        return Err(usage("--resolvers", "must be at least 1".into()));
    }
    let step = parse_duration(draw.step).map_err(|e| usage("--step", e))?;
    if step < MIN_STEP {
        return Err(usage(
            "--step",
            format!("must be at least {}", format_duration(MIN_STEP)),
        ));
    }
    let classes = match draw.mix {
        Some(p) => population::load_mix(p)?,
        None => population::default_mix(),
    };
    population::check_mix(&classes, &sc).map_err(|e| {
        let file = draw
            .mix
            .map_or("built-in mix".into(), |p| p.display().to_string());
        InputError::new(file, None, e)
    })?;
    if sc.population.trusted == 0 {
        return Err(InputError::new(
            scenario.display().to_string(),
            None,
            "the first RRset has no signer, so population resolvers would trust nothing; \
             set [population] trusted",
        )
        .into());
    }
    let threads = match draw.threads {
        Some(n) if n == 0 || n > MAX_THREADS => {
            return Err(usage(
                "--threads",
                format!("must be 1..{MAX_THREADS}, not {n}"),
            ))
        }
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    }
    .min(MAX_THREADS);
    let opt = Options {
        resolvers: draw.resolvers,
        seed: draw.seed,
        threads,
        step,
    };
    let bar = progress_bar(env, draw.resolvers);
    let started = env.now();
    let rep = population::forecast(&sc, &classes, &opt, |n| bar.set_position(n));
    bar.finish_and_clear();
    let secs = (env.now() - started).as_seconds_f64();
    if let Some(t) = out.csv {
        let bytes = report::csv::population(&rep);
        save_to(t, bytes.as_bytes(), report::csv::verify)?;
    }
    if let Some(t) = out.svg {
        let name = scenario
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let chart = report::svg::population(&rep, &format!("RFC 5011 forecast: {name}"));
        save_to(t, chart.as_bytes(), report::svg::verify)?;
    }
    emit(env, &rep, out.json, out.out, |rep| {
        text::population(&sc, rep)
    })?;
    ksr::env::eprint(
        env,
        &format!(
            "simulated {} resolvers ({} resolver-events) in {:.2} s on {} threads\n",
            draw.resolvers, rep.events, secs, threads
        ),
    );
    Ok(exit::OK)
}

/// A progress bar on the terminal's stderr, drawn only when a person is at the
/// keyboard (and, as indicatif decides, stderr is a terminal); hidden otherwise,
/// so pipes, logs and tests see only the report.
fn progress_bar(env: &dyn Env, resolvers: u64) -> indicatif::ProgressBar {
    let target = if env.prompter().interactive() {
        indicatif::ProgressDrawTarget::stderr()
    } else {
        indicatif::ProgressDrawTarget::hidden()
    };
    let bar = indicatif::ProgressBar::with_draw_target(Some(resolvers), target);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{elapsed_precise} [{bar:30}] {human_pos}/{human_len} resolvers, eta {eta}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}
