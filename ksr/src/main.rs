//! `ksr`: inspect, verify and hash KSR/SKR files. Thin over the library.
//!
//! STUB (owner: ksr-checks work).

fn main() {
    eprintln!("ksr: not yet implemented");
    std::process::exit(2);
}
