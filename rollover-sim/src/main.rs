//! `rollover-sim`: RFC 5011 resolver model, rollover plans and population forecasts.
use clap::Parser;

fn main() {
    let cli = rollover_sim::cli::Cli::parse();
    std::process::exit(rollover_sim::cli::main(cli));
}
