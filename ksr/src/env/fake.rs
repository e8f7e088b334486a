//! A scripted environment for tests: captured output, a fixed clock, canned
//! answers and variables. The code under test is the production code path.

use super::{Env, Prompter};
use crate::escape::{self, Guard};
use crate::model::Time;
use std::collections::{HashMap, VecDeque};
use std::io::{self, Write};
use std::sync::{Arc, Mutex};

/// An environment whose output is captured and whose inputs are scripted.
/// Output and prompts pass through [`Guard`] as [`super::RealEnv`]'s do.
#[derive(Debug, Clone)]
pub struct FakeEnv {
    stdout: Capture,
    stderr: Capture,
    answers: Arc<Mutex<VecDeque<String>>>,
    secrets: Arc<Mutex<VecDeque<String>>>,
    prompts: Arc<Mutex<Vec<String>>>,
    now: Time,
    vars: HashMap<String, String>,
    interactive: bool,
    closed_stdout: bool,
}

impl Default for FakeEnv {
    fn default() -> Self {
        Self::new()
    }
}

impl FakeEnv {
    /// An env at 2026-01-01T00:00:00Z with no variables and no answers.
    pub fn new() -> Self {
        FakeEnv {
            stdout: Capture::default(),
            stderr: Capture::default(),
            answers: Arc::default(),
            secrets: Arc::default(),
            prompts: Arc::default(),
            now: time::macros::datetime!(2026-01-01 0:00 UTC),
            vars: HashMap::new(),
            interactive: false,
            closed_stdout: false,
        }
    }

    /// The clock reads `now`.
    pub fn at(mut self, now: Time) -> Self {
        self.now = now;
        self
    }

    /// Sets an environment variable.
    pub fn var(mut self, name: &str, value: &str) -> Self {
        self.vars.insert(name.into(), value.into());
        self
    }

    /// Queues a line answer, and makes the prompter interactive.
    pub fn answer(self, line: &str) -> Self {
        self.answers.lock().unwrap().push_back(line.into());
        Self {
            interactive: true,
            ..self
        }
    }

    /// Queues a secret answer (a PIN typed without echo), and makes the
    /// prompter interactive.
    pub fn secret(self, value: &str) -> Self {
        self.secrets.lock().unwrap().push_back(value.into());
        Self {
            interactive: true,
            ..self
        }
    }

    /// Stdout behaves as a pipe whose reader has gone (`| head` after it exited).
    pub fn closed_stdout(mut self) -> Self {
        self.closed_stdout = true;
        self
    }

    /// Everything written to stdout so far.
    pub fn stdout_text(&self) -> String {
        self.stdout.text()
    }

    /// Everything written to stderr so far.
    pub fn stderr_text(&self) -> String {
        self.stderr.text()
    }

    /// Every prompt shown so far, in order.
    pub fn prompts(&self) -> Vec<String> {
        self.prompts.lock().unwrap().clone()
    }
}

impl Env for FakeEnv {
    fn stdout(&self) -> Box<dyn Write + '_> {
        if self.closed_stdout {
            Box::new(ClosedPipe)
        } else {
            Box::new(Guard::new(self.stdout.clone()))
        }
    }

    fn stderr(&self) -> Box<dyn Write + '_> {
        Box::new(Guard::new(self.stderr.clone()))
    }

    fn prompter(&self) -> &dyn Prompter {
        self
    }

    fn now(&self) -> Time {
        self.now
    }

    fn var(&self, name: &str) -> Option<String> {
        self.vars.get(name).cloned()
    }
}

impl Prompter for FakeEnv {
    fn line(&self, prompt: &str) -> io::Result<String> {
        self.prompts
            .lock()
            .unwrap()
            .push(escape::text(prompt).into());
        self.answers.lock().unwrap().pop_front().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "no answer: standard input is closed",
            )
        })
    }

    fn secret(&self, prompt: &str) -> io::Result<String> {
        self.prompts
            .lock()
            .unwrap()
            .push(escape::text(prompt).into());
        self.secrets.lock().unwrap().pop_front().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "no answer: standard input is closed",
            )
        })
    }

    fn interactive(&self) -> bool {
        self.interactive
    }
}

/// A shared, growable capture buffer.
#[derive(Debug, Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Capture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A writer whose reader has gone.
struct ClosedPipe;

impl Write for ClosedPipe {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::from(io::ErrorKind::BrokenPipe))
    }

    fn flush(&mut self) -> io::Result<()> {
        Err(io::Error::from(io::ErrorKind::BrokenPipe))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::{exit, output_failed, print};

    #[test]
    fn captures_and_scripts() {
        let env = FakeEnv::new().answer("yes").secret("1234");
        print(&env, "out\n").unwrap();
        writeln!(env.stderr(), "err").unwrap();
        assert_eq!(env.stdout_text(), "out\n");
        assert_eq!(env.stderr_text(), "err\n");
        assert_eq!(env.prompter().line("continue? ").unwrap(), "yes");
        assert_eq!(env.prompter().secret("PIN: ").unwrap(), "1234");
        assert_eq!(env.prompts(), vec!["continue? ", "PIN: "]);
        let eof = env.prompter().line("again? ").unwrap_err();
        assert_eq!(eof.kind(), io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn closed_stdout_is_a_quiet_exit() {
        let env = FakeEnv::new().closed_stdout();
        let e = print(&env, "x").unwrap_err();
        assert_eq!(output_failed(&env, "ksr", &e), exit::OK);
        assert_eq!(env.stderr_text(), "");
        let full = io::Error::other("No space left on device");
        assert_eq!(output_failed(&env, "ksr", &full), exit::UNUSABLE);
        assert!(env.stderr_text().contains("No space left"));
    }
}
