//! `ceremony`: thin over the library; see `ceremony::cli`.

fn main() {
    // A panic (a bug, or stdout closed under `| head`) must not escape as exit
    // 101: one line on stderr and the "unusable" exit code, as in `ksr`. An
    // audited command cut short this way is recorded as interrupted next time.
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string().replace('\n', " ");
        eprintln!("ceremony: internal error (please report it with the command that caused it): {message}");
    }));
    let code = std::panic::catch_unwind(ceremony::cli::run).unwrap_or(2);
    std::process::exit(code);
}
