//! A real terminal for terminal-UI tests: a tmux server of the test's own
//! (`-L SOCKET`) with one session named `ceremony`, read with `capture-pane`
//! and typed into with `send-keys`, as the people in the room would. The
//! server is killed (and its socket removed) however the test ends.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::process::ok;

/// The session every test starts and reads.
pub const SESSION: &str = "ceremony";

pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// A server named after `name` and this process, so parallel test
    /// binaries never share one.
    pub fn new(name: &str) -> Tmux {
        Tmux {
            socket: format!("{name}-{}", std::process::id()),
        }
    }

    /// `tmux -L SOCKET`, ready for its arguments.
    pub fn cmd(&self) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-L", &self.socket]);
        c
    }

    /// Starts the session in a 120x40 terminal running `shell` (a `sh -c`
    /// command line, as tmux runs it).
    pub fn start(&self, shell: &str) {
        ok(self
            .cmd()
            .args(["new-session", "-d", "-s", SESSION, "-x", "120", "-y", "40"])
            .arg(shell)
            .output()
            .unwrap());
    }

    /// What the session's pane shows now.
    pub fn screen(&self) -> String {
        let o = self
            .cmd()
            .args(["capture-pane", "-p", "-t", SESSION])
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    /// Types `text` literally, then Enter.
    pub fn type_line(&self, text: &str) {
        ok(self
            .cmd()
            .args(["send-keys", "-t", SESSION, "-l", text])
            .output()
            .unwrap());
        ok(self
            .cmd()
            .args(["send-keys", "-t", SESSION, "Enter"])
            .output()
            .unwrap());
    }

    /// Waits up to `limit` until the screen shows `what`; returns that screen.
    pub fn wait_for(&self, what: &str, limit: Duration) -> String {
        let until = Instant::now() + limit;
        loop {
            let screen = self.screen();
            if screen.contains(what) {
                return screen;
            }
            assert!(Instant::now() < until, "no {what:?} on screen:\n{screen}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let socket = self
            .cmd()
            .args(["display-message", "-p", "#{socket_path}"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default();
        let _ = self.cmd().arg("kill-server").output();
        if !socket.is_empty() {
            let _ = std::fs::remove_file(socket);
        }
    }
}
