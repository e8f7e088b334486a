fn main() {
    eprintln!("rollover-sim: not yet implemented");
    std::process::exit(2);
}
