//! `ceremony`: thin over the library; see `ceremony::cli`.

fn main() {
    ksr::env::main_with("ceremony", |env| {
        ceremony::cli::run(std::env::args_os(), env)
    })
}
