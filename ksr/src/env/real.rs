//! The process's own environment: what the binaries pass to `run`.

use super::{Env, Prompter};
use crate::escape::{self, Guard};
use crate::model::Time;
use std::fs::File;
use std::io::{self, BufRead, IsTerminal, Write};
use std::mem::MaybeUninit;
use std::os::fd::AsRawFd;
use std::sync::Mutex;

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
        {
            // Not held while waiting for the answer: the thread that stops the
            // command on SIGINT or SIGTERM needs stderr to say so
            // (`crate::signals`).
            let mut err = io::stderr().lock();
            err.write_all(escape::text(prompt).as_bytes())?;
            err.flush()?;
        }
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
        *before_secret() = terminal_settings();
        let answer = rpassword::prompt_password(escape::text(prompt));
        if matches!(&answer, Err(e) if e.kind() == io::ErrorKind::Interrupted) {
            // rpassword read Ctrl-C itself and raised SIGINT: the thread that
            // stops the command on it (`crate::signals`) ends the process.
            // Waiting for it keeps a failed prompt from being reported first.
            std::thread::sleep(std::time::Duration::from_secs(2));
        }
        *before_secret() = None;
        answer
    }

    fn interactive(&self) -> bool {
        io::stdin().is_terminal()
    }
}

/// The terminal's settings from before a secret was asked for, while it is:
/// rpassword turns echo off and puts it back when it returns, but a signal
/// that stops the command meanwhile ends it with `_exit`, which runs no
/// destructor. [`restore_terminal`] puts them back first (`crate::signals`).
static BEFORE_SECRET: Mutex<Option<libc::termios>> = Mutex::new(None);

fn before_secret() -> std::sync::MutexGuard<'static, Option<libc::termios>> {
    BEFORE_SECRET.lock().unwrap_or_else(|p| p.into_inner())
}

/// The controlling terminal's settings, if there is one.
fn terminal_settings() -> Option<libc::termios> {
    let tty = File::open("/dev/tty").ok()?;
    let mut t = MaybeUninit::<libc::termios>::uninit();
    // SAFETY: the descriptor is open for the call; tcgetattr fills `t` when
    // it returns 0, and only then is `t` read.
    unsafe { (libc::tcgetattr(tty.as_raw_fd(), t.as_mut_ptr()) == 0).then(|| t.assume_init()) }
}

/// Puts back the terminal's settings if a secret is being asked for (echo
/// is off): called before a signal ends the process.
pub(crate) fn restore_terminal() {
    let Some(saved) = before_secret().take() else {
        return;
    };
    if let Ok(tty) = File::open("/dev/tty") {
        // SAFETY: the descriptor is open for the call and `saved` came from
        // tcgetattr on the same terminal.
        unsafe { libc::tcsetattr(tty.as_raw_fd(), libc::TCSANOW, &saved) };
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
