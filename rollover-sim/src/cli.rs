//! The command line: parse, run, print, exit code. 0 ok, 1 a check failed,
//! 2 unusable input or usage.

use crate::clock::parse_duration;
use crate::population::{self, Options};
use crate::report::{self, json, text};
use crate::scenario::Scenario;
use clap::{Parser, Subcommand};
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
        /// Write the full timeline as JSON.
        #[arg(long, value_name = "OUT")]
        json: Option<PathBuf>,
    },
    /// Check the publisher's plan: earliest safe time per step and the rule that decides it.
    /// Exit 1 when a step is unsafe.
    Plan {
        scenario: PathBuf,
        /// Write the waits and the per-step verdicts as JSON.
        #[arg(long, value_name = "OUT")]
        json: Option<PathBuf>,
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
        /// Write the whole time series and the per-step shares as JSON.
        #[arg(long, value_name = "OUT")]
        json: Option<PathBuf>,
        /// Write one CSV row per sample (see --step).
        #[arg(long, value_name = "OUT")]
        csv: Option<PathBuf>,
        /// Write a two-panel SVG chart (keys trusted and signals; validation failures).
        #[arg(long, value_name = "OUT")]
        svg: Option<PathBuf>,
        /// Worker threads (default: available cores).
        #[arg(long)]
        threads: Option<usize>,
        /// Sampling step of the time series (e.g. 1d, 12h).
        #[arg(long, default_value = "1d")]
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
        /// How many times faster than real time the scenario clock runs.
        #[arg(long)]
        speedup: Option<f64>,
        /// Print the report as JSON on stdout.
        #[arg(long)]
        json: bool,
        /// Write a self-contained HTML page with the timelines drawn.
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
    },
}

/// Runs a parsed command line; returns the process exit code.
pub fn main(cli: Cli) -> i32 {
    match execute(cli) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("rollover-sim: {msg}");
            2
        }
    }
}

fn load(path: &Path) -> Result<Scenario, String> {
    Scenario::load(path).map_err(|e| e.to_string())
}

fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<(), String> {
    let bytes = json::to_bytes(value)?;
    report::write_atomic(path, &bytes, json::verify)
}

fn execute(cli: Cli) -> Result<i32, String> {
    match cli.command {
        Command::Run { scenario, json } => {
            let sc = load(&scenario)?;
            let rep = crate::run::run(&sc);
            print!("{}", text::run(&sc, &rep));
            if let Some(out) = json {
                write_json(&out, &rep)?;
            }
            Ok(if rep.unexpected_failures().is_empty() {
                0
            } else {
                1
            })
        }
        Command::Testbed {
            scenario,
            resolver,
            speedup,
            json,
            html,
        } => crate::testbed::cli::command(
            &scenario,
            &resolver,
            speedup,
            json,
            html.as_deref(),
            &mut std::io::stdout(),
        ),
        Command::Plan { scenario, json } => {
            let sc = load(&scenario)?;
            let rep = crate::plan::check(&sc.timeline, &sc.keys, &sc.plan);
            print!("{}", text::plan(&sc, &rep));
            if let Some(out) = json {
                write_json(&out, &rep)?;
            }
            Ok(if rep.safe() { 0 } else { 1 })
        }
        Command::Population {
            scenario,
            resolvers,
            mix,
            seed,
            json,
            csv,
            svg,
            threads,
            step,
        } => population_cmd(
            &scenario,
            resolvers,
            mix.as_deref(),
            seed,
            threads,
            &step,
            Outputs {
                json: json.as_deref(),
                csv: csv.as_deref(),
                svg: svg.as_deref(),
            },
        ),
    }
}

/// Where `population` writes its reports.
struct Outputs<'a> {
    json: Option<&'a Path>,
    csv: Option<&'a Path>,
    svg: Option<&'a Path>,
}

/// `population`: checks the arguments, runs the forecast with a progress bar on
/// stderr, prints the summary and writes the requested files.
fn population_cmd(
    scenario: &Path,
    resolvers: u64,
    mix: Option<&Path>,
    seed: u64,
    threads: Option<usize>,
    step: &str,
    out: Outputs,
) -> Result<i32, String> {
    let sc = load(scenario)?;
    if resolvers == 0 {
        return Err("--resolvers must be at least 1".into());
    }
    let step = parse_duration(step).map_err(|e| format!("--step: {e}"))?;
    if step < 60 {
        return Err("--step must be at least 1m".into());
    }
    let classes = match mix {
        Some(p) => population::load_mix(p).map_err(|e| e.to_string())?,
        None => population::default_mix(),
    };
    population::check_mix(&classes, &sc).map_err(|e| match mix {
        Some(p) => format!("{}: {e}", p.display()),
        None => e,
    })?;
    if sc.population.trusted == 0 {
        return Err(format!(
            "{}: the first RRset has no signer, so population resolvers would trust nothing; \
             set [population] trusted",
            scenario.display()
        ));
    }
    let threads =
        threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let opt = Options {
        resolvers,
        seed,
        threads,
        step,
    };
    let bar = progress_bar(resolvers)?;
    let started = std::time::Instant::now();
    let rep = population::forecast(&sc, &classes, &opt, |n| bar.set_position(n));
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    print!("{}", text::population(&sc, &rep));
    eprintln!(
        "simulated {} resolvers ({} resolver-events) in {:.2} s on {} threads",
        resolvers, rep.events, secs, threads
    );
    if let Some(p) = out.json {
        write_json(p, &rep)?;
    }
    if let Some(p) = out.csv {
        let bytes = report::csv::population(&rep);
        report::write_atomic(p, bytes.as_bytes(), report::csv::verify)?;
    }
    if let Some(p) = out.svg {
        let name = scenario
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let chart = report::svg::population(&rep, &format!("RFC 5011 forecast: {name}"));
        report::write_atomic(p, chart.as_bytes(), report::svg::verify)?;
    }
    Ok(0)
}

/// A progress bar on stderr (drawn only when stderr is a terminal).
fn progress_bar(resolvers: u64) -> Result<indicatif::ProgressBar, String> {
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(resolvers),
        indicatif::ProgressDrawTarget::stderr(),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{elapsed_precise} [{bar:30}] {human_pos}/{human_len} resolvers, eta {eta}",
        )
        .map_err(|e| e.to_string())?
        .progress_chars("=> "),
    );
    Ok(bar)
}
