fn main() {
    ksr::env::main_with("ksr", |env| ksr::cli::run(std::env::args_os(), env))
}
