//! `ksr`: inspect, verify and hash KSR/SKR files. Thin over the library; the
//! subcommands live in `cli/`.

mod cli;

use clap::Parser;

fn main() {
    let args = cli::Cli::parse();
    // A panic is a bug in ksr, never the user's fault: one line on stderr (no
    // backtrace) and the "unusable" exit code, so scripts still see 0/1/2 only.
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string().replace('\n', " ");
        eprintln!(
            "ksr: internal error (please report it with the input that caused it): {message}"
        );
    }));
    let code = std::panic::catch_unwind(|| cli::run(args)).unwrap_or(cli::EXIT_UNUSABLE);
    std::process::exit(code);
}
