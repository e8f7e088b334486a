//! The process's own environment: what the binaries pass to `run`.

use super::{Env, Prompter};
use crate::escape::{self, Guard};
use crate::model::Time;
use std::io::{self, BufRead, IsTerminal, Write};

/// The real stdout, stderr, terminal, clock and environment variables. Both
/// output streams go through [`Guard`]: no control character from an input
/// file reaches the terminal, whichever path printed it.
#[derive(Debug, Default, Clone, Copy)]
pub struct RealEnv;

impl Env for RealEnv {
    fn stdout(&self) -> Box<dyn Write + '_> {
        Box::new(Guard::new(io::stdout().lock()))
    }

    fn stderr(&self) -> Box<dyn Write + '_> {
        Box::new(Guard::new(io::stderr().lock()))
    }

    fn prompter(&self) -> &dyn Prompter {
        self
    }

    fn now(&self) -> Time {
        time::OffsetDateTime::now_utc()
    }

    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

impl Prompter for RealEnv {
    fn line(&self, prompt: &str) -> io::Result<String> {
        let mut err = io::stderr().lock();
        err.write_all(escape::text(prompt).as_bytes())?;
        err.flush()?;
        let mut line = String::new();
        if io::stdin().lock().read_line(&mut line)? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "no answer: standard input is closed",
            ));
        }
        trim_line_end(&mut line);
        Ok(line)
    }

    fn secret(&self, prompt: &str) -> io::Result<String> {
        // rpassword reads from the terminal with echo off.
        rpassword::prompt_password(escape::text(prompt))
    }

    fn interactive(&self) -> bool {
        io::stdin().is_terminal()
    }
}

/// Removes one trailing "\n" or "\r\n".
pub(crate) fn trim_line_end(line: &mut String) {
    if line.ends_with('\n') {
        line.pop();
        if line.ends_with('\r') {
            line.pop();
        }
    }
}
