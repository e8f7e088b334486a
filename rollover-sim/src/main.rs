//! `rollover-sim`: RFC 5011 resolver model, rollover plans and population forecasts.
use clap::Parser;

fn main() {
    let cli = rollover_sim::cli::Cli::parse();
    // A panic (a bug, or stdout closed under `| head`) must not escape as exit
    // 101: one line on stderr and the "unusable" exit code, as in `ksr`.
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string().replace('\n', " ");
        eprintln!("rollover-sim: internal error (please report it with the scenario that caused it): {message}");
    }));
    let code = std::panic::catch_unwind(|| rollover_sim::cli::main(cli)).unwrap_or(2);
    std::process::exit(code);
}
