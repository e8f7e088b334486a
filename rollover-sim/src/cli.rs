//! The command line: parse, run, print, exit code. 0 ok, 1 a check failed,
//! 2 unusable input or usage.

use crate::clock::{format_date, parse_duration};
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
        #[arg(long, value_name = "OUT")]
        json: Option<PathBuf>,
    },
    /// Forecast a population of resolvers drawn from a mix.
    Population {
        scenario: PathBuf,
        /// Number of resolvers.
        #[arg(long)]
        resolvers: u64,
        /// Mix of resolver classes (TOML, [[class]] tables); a built-in mix otherwise.
        #[arg(long, value_name = "FILE")]
        mix: Option<PathBuf>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, value_name = "OUT")]
        json: Option<PathBuf>,
        #[arg(long, value_name = "OUT")]
        csv: Option<PathBuf>,
        #[arg(long, value_name = "OUT")]
        svg: Option<PathBuf>,
        /// Worker threads (default: available cores).
        #[arg(long)]
        threads: Option<usize>,
        /// Sampling step of the time series (e.g. 1d, 12h).
        #[arg(long, default_value = "1d")]
        step: String,
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
        } => {
            let sc = load(&scenario)?;
            if resolvers == 0 {
                return Err("--resolvers must be at least 1".into());
            }
            let step = parse_duration(&step).map_err(|e| format!("--step: {e}"))?;
            if step < 60 {
                return Err("--step must be at least 1m".into());
            }
            let classes = match &mix {
                Some(p) => population::load_mix(p).map_err(|e| e.to_string())?,
                None => population::default_mix(),
            };
            population::check_mix(&classes, &sc).map_err(|e| match &mix {
                Some(p) => format!("{}: {e}", p.display()),
                None => e,
            })?;
            if sc.population.trusted == 0 {
                return Err(format!("{}: the first RRset has no signer, so population resolvers would trust nothing; set [population] trusted", scenario.display()));
            }
            let threads = threads
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
            let opt = Options {
                resolvers,
                seed,
                threads,
                step,
            };
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
            let started = std::time::Instant::now();
            let rep = population::forecast(&sc, &classes, &opt, |n| bar.set_position(n));
            bar.finish_and_clear();
            let secs = started.elapsed().as_secs_f64();
            print!("{}", population_text(&sc, &rep));
            eprintln!(
                "simulated {} resolvers ({} resolver-events) in {:.2} s on {} threads",
                resolvers, rep.events, secs, threads
            );
            if let Some(out) = json {
                write_json(&out, &rep)?;
            }
            if let Some(out) = csv {
                report::write_atomic(
                    &out,
                    report::csv::population(&rep).as_bytes(),
                    report::csv::verify,
                )?;
            }
            if let Some(out) = svg {
                let title = format!(
                    "RFC 5011 forecast: {}",
                    scenario
                        .file_name()
                        .map(|f| f.to_string_lossy().into_owned())
                        .unwrap_or_default()
                );
                report::write_atomic(
                    &out,
                    report::svg::population(&rep, &title).as_bytes(),
                    report::svg::verify,
                )?;
            }
            Ok(0)
        }
    }
}

fn pct(n: i64, d: i64) -> String {
    if d == 0 {
        "-".into()
    } else {
        format!("{:.2}%", 100.0 * n as f64 / d as f64)
    }
}

pub fn population_text(sc: &Scenario, rep: &population::PopulationReport) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "population of {} resolvers, seed {}, scenario {}",
        rep.resolvers,
        rep.seed,
        sc.path.display()
    );
    for c in &rep.classes {
        let _ = writeln!(
            out,
            "  class {:<24} {:<14} {:>9} resolvers",
            c.name, c.profile, c.resolvers
        );
    }
    let _ = writeln!(
        out,
        "at each publisher step (share of running resolvers failing validation):"
    );
    for e in &rep.at_events {
        let _ = writeln!(
            out,
            "  {}  {:<40} failing {:>8} ({:.2}%), peak before next step {:>8} ({:.2}%)",
            format_date(e.at),
            e.step,
            e.failing,
            100.0 * e.failing_share,
            e.peak_failing,
            100.0 * e.peak_share
        );
    }
    let last = rep.times.len().saturating_sub(1);
    let _ = writeln!(out, "at the end ({}):", format_date(rep.times[last]));
    for (k, name) in rep.keys.iter().enumerate() {
        let _ = writeln!(
            out,
            "  trusting {:<24} {}",
            name,
            pct(rep.trusting[k][last], rep.existing[last])
        );
    }
    for s in &rep.signals {
        let _ = writeln!(
            out,
            "  signal {:<26} {}",
            s.label,
            pct(s.counts[last], rep.up[last])
        );
    }
    let _ = writeln!(
        out,
        "  failing validation               {}",
        pct(rep.failing[last], rep.up[last])
    );
    out
}
