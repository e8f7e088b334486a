//! `ksr`: inspect, verify and hash KSR/SKR files. Thin over the library; the
//! subcommands live in `cli/`.

mod cli;

use clap::Parser;

fn main() {
    let args = cli::Cli::parse();
    std::process::exit(cli::run(args));
}
