//! What can go wrong, and the one place that turns it into an exit code.
//!
//! [`InputError`]: an unusable input file, naming the file, the line, what is
//! wrong and what to do. [`SimError`]: everything a command can fail with.
//! A resolver failing validation or an unsafe plan is not an error: it is the
//! command's verdict (exit 1), decided by the command itself.

use ksr::env::{eprint, exit, is_closed_pipe, Env};
use std::fmt;
use std::io;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl InputError {
    pub fn new(
        file: impl Into<String>,
        line: Option<usize>,
        message: impl Into<String>,
    ) -> InputError {
        InputError {
            file: file.into(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{}: {}", self.file, l, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for InputError {}

/// 1-based line of a byte offset.
pub fn line_of(src: &str, offset: usize) -> usize {
    src.as_bytes()[..offset.min(src.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Why a `rollover-sim` command stopped.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// A scenario or mix file that cannot be used.
    #[error(transparent)]
    Input(#[from] InputError),
    /// An option value that cannot be used (`--resolvers 0`, `--step fortnight`).
    #[error("{option}: {message}")]
    Usage {
        option: &'static str,
        message: String,
    },
    /// An output file could not be written; nothing was left behind.
    #[error("cannot write {path}: {source}")]
    Write { path: String, source: io::Error },
    /// An output path refused before any work (`ksr::output::Target::prepare`).
    #[error(transparent)]
    Target(ksr::output::TargetError),
    /// An output failed its own check before it was renamed into place.
    #[error("refusing to write {path}: the output failed its own check: {message}")]
    OutputCheck { path: String, message: String },
    /// A report could not be encoded as JSON.
    #[error("cannot encode the report as JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The live test bed could not run (a resolver missing or failing to start,
    /// the test server's address taken, interrupted).
    #[error("test bed: {0}")]
    Testbed(String),
    /// Standard output failed (a full disk, or a reader that went away).
    #[error("cannot write to stdout: {0}")]
    Stdout(#[source] io::Error),
}

impl SimError {
    /// The exit code: a closed stdout (`| head`) is a quiet success, as in
    /// every tool; every other error means unusable input or usage.
    pub fn exit_code(&self) -> i32 {
        match self {
            SimError::Stdout(e) if is_closed_pipe(e) => exit::OK,
            _ => exit::UNUSABLE,
        }
    }

    /// Reports the error on the env's stderr (nothing for a closed stdout) and
    /// returns the exit code. Messages quote input files, so they are escaped
    /// for the terminal.
    pub fn report(&self, env: &dyn Env) -> i32 {
        let code = self.exit_code();
        if code != exit::OK {
            let text = self.to_string();
            eprint(
                env,
                &format!("rollover-sim: {}\n", ksr::escape::terminal(&text)),
            );
        }
        code
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ksr::env::FakeEnv;

    #[test]
    fn closed_stdout_is_quiet_and_other_errors_exit_2() {
        let env = FakeEnv::new();
        let pipe = SimError::Stdout(io::Error::from(io::ErrorKind::BrokenPipe));
        assert_eq!(pipe.report(&env), exit::OK);
        assert_eq!(env.stderr_text(), "");
        let full = SimError::Stdout(io::Error::other("No space left on device"));
        assert_eq!(full.report(&env), exit::UNUSABLE);
        assert_eq!(
            env.stderr_text(),
            "rollover-sim: cannot write to stdout: No space left on device\n"
        );
    }

    #[test]
    fn input_errors_name_file_and_line_and_are_escaped() {
        let env = FakeEnv::new();
        let e = SimError::from(InputError::new(
            "s.toml",
            Some(3),
            "unknown key \"\x1b[2K\"",
        ));
        assert_eq!(e.report(&env), exit::UNUSABLE);
        assert_eq!(
            env.stderr_text(),
            "rollover-sim: s.toml:3: unknown key \"\\u{1b}[2K\"\n"
        );
    }
}
