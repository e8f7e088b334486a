//! `rollover-sim`: RFC 5011 resolver model, rollover plans and population forecasts.

fn main() {
    ksr::env::main_with("rollover-sim", |env| {
        rollover_sim::cli::run(std::env::args_os(), env)
    })
}
