//! `ceremony`: thin over the library; see `ceremony::cli`.

fn main() {
    std::process::exit(ceremony::cli::run());
}
