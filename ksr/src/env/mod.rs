//! The environment a command runs in: its output streams, its prompter, its
//! clock and its environment variables.
//!
//! Every tool's library exposes `run(args, &dyn Env) -> exit code`. The binary
//! passes [`RealEnv`]; tests pass a [`FakeEnv`] and assert exit code, stdout and
//! stderr, so the production code path is the one under test.

mod fake;
mod real;

pub use fake::FakeEnv;
pub(crate) use real::restore_terminal;
pub use real::RealEnv;

use crate::model::Time;
use std::io::{self, Write};

/// What a command may use of the world around it. Nothing in a tool's library
/// reads the process's stdout, stderr, stdin, clock or environment directly.
pub trait Env: Sync {
    /// Standard output: what the command produces.
    fn stdout(&self) -> Box<dyn Write + '_>;
    /// Standard error: diagnostics and summaries.
    fn stderr(&self) -> Box<dyn Write + '_>;
    /// Questions to the person at the keyboard.
    fn prompter(&self) -> &dyn Prompter;
    /// The current time. Checks that depend on "now" take it from here unless
    /// the user gave `--at`.
    fn now(&self) -> Time;
    /// An environment variable (UTF-8 only; anything else reads as unset).
    fn var(&self, name: &str) -> Option<String>;
}

/// Asks the person at the keyboard. PINs go through [`Prompter::secret`], which
/// never echoes; typed-back confirmations through [`Prompter::line`].
pub trait Prompter: Sync {
    /// One line typed by the user, without its line ending. `Err` with
    /// `ErrorKind::UnexpectedEof` when there is nothing to read.
    fn line(&self, prompt: &str) -> io::Result<String>;
    /// A secret typed without echo, without its line ending.
    fn secret(&self, prompt: &str) -> io::Result<String>;
    /// Whether a person can answer (stdin is a terminal, or a fake that scripts one).
    fn interactive(&self) -> bool;
}

/// Exit codes shared by every tool (README: "Exit codes").
pub mod exit {
    /// Nothing failed.
    pub const OK: i32 = 0;
    /// A check failed.
    pub const CHECK_FAILED: i32 = 1;
    /// Unusable input or usage, or a condition that stops the work.
    pub const UNUSABLE: i32 = 2;
}

/// Whether an output error means the reader went away (`| head`): the command
/// then stops quietly, as ripgrep does, instead of reporting an error.
pub fn is_closed_pipe(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe
}

/// Writes `text` to the env's stdout and flushes it.
pub fn print(env: &dyn Env, text: &str) -> io::Result<()> {
    let mut out = env.stdout();
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// Writes `text` to the env's stderr. Errors are ignored: there is nowhere
/// left to report them.
pub fn eprint(env: &dyn Env, text: &str) {
    let mut err = env.stderr();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}

/// The exit code for an error writing the command's output: a closed pipe ends
/// quietly with `OK`; anything else (a full disk) is reported and is `UNUSABLE`.
pub fn output_failed(env: &dyn Env, tool: &str, e: &io::Error) -> i32 {
    if is_closed_pipe(e) {
        exit::OK
    } else {
        eprint(env, &format!("{tool}: cannot write to stdout: {e}\n"));
        exit::UNUSABLE
    }
}

/// Runs a tool's `run` the way every binary does: a panic is a bug, reported in
/// one line with exit 2 (never 101), and SIGPIPE is left ignored so a closed
/// pipe arrives as an error the tool turns into a quiet exit.
pub fn main_with<F>(tool: &'static str, run: F) -> !
where
    F: FnOnce(&RealEnv) -> i32 + std::panic::UnwindSafe,
{
    std::panic::set_hook(Box::new(move |info| {
        let message = info.to_string().replace('\n', " ");
        let _ = writeln!(
            io::stderr(),
            "{tool}: internal error (please report it with the input that caused it): {}",
            crate::escape::terminal(&message)
        );
    }));
    let code = std::panic::catch_unwind(|| run(&RealEnv)).unwrap_or(exit::UNUSABLE);
    std::process::exit(code)
}
