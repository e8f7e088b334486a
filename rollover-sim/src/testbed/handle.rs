//! One running resolver: a child process in its own temporary state directory
//! on its own loopback address. Dropping the handle kills the child, so no
//! test, failure or early return leaves one running; on Linux the child is
//! also killed if the test bed itself dies (PR_SET_PDEATHSIG).

use super::implementation::{Implementation, Setup};
use crate::state::KeyState;
use hickory_proto::op::{Edns, Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{Name, RecordType};
use serde::Serialize;
use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration as StdDuration;

/// How a resolver answered one probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Answer {
    /// NOERROR with AD: validated.
    Secure,
    /// NOERROR without AD.
    Insecure,
    /// SERVFAIL.
    ServFail,
    /// Any other response code.
    Other(u16),
    /// No answer in time (the resolver may have stopped).
    NoAnswer,
}

pub struct Handle {
    pub imp: Implementation,
    /// The address its queries to the test server come from.
    pub addr: Ipv4Addr,
    /// Where it answers.
    pub listen: SocketAddr,
    dir: tempfile::TempDir,
    cmd: Vec<String>,
    child: Option<Child>,
}

impl Handle {
    /// Configures the resolver in a fresh state directory and starts it.
    pub fn start(imp: Implementation, mut s: Setup) -> Result<Handle, String> {
        if !Path::new(imp.binary()).exists() {
            return Err(format!(
                "{} not found: install the Debian package {} (scripts/setup)",
                imp.binary(),
                imp.package()
            ));
        }
        let dir = tempfile::Builder::new()
            .prefix(&format!("testbed-{}-", imp.name()))
            .tempdir()
            .map_err(|e| format!("state directory: {e}"))?;
        s.dir = dir.path().to_path_buf();
        let addr = s.addr;
        let listen = imp.listen(&s);
        let cmd = imp.configure(&s)?;
        give_to(dir.path(), imp.user())?;
        let mut h = Handle {
            imp,
            addr,
            listen,
            dir,
            cmd,
            child: None,
        };
        h.spawn()?;
        Ok(h)
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    fn spawn(&mut self) -> Result<(), String> {
        let log =
            std::fs::File::create(self.dir().join("stderr.log")).map_err(|e| e.to_string())?;
        let mut c = Command::new(&self.cmd[0]);
        c.args(&self.cmd[1..])
            .current_dir(self.dir())
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log);
        // SAFETY: prctl is async-signal-safe; it only asks the kernel to kill
        // the child when the thread that spawned it exits.
        unsafe {
            c.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let child = c
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", self.cmd[0]))?;
        self.child = Some(child);
        Ok(())
    }

    /// Waits until the resolver answers on its address, or it exits.
    pub fn wait_ready(&mut self, timeout: StdDuration) -> Result<(), String> {
        let until = std::time::Instant::now() + timeout;
        while std::time::Instant::now() < until {
            if let Some(status) = self.exited() {
                return Err(format!(
                    "{} exited at start ({status}): {}",
                    self.imp.name(),
                    self.log_tail()
                ));
            }
            if self.probe(".", RecordType::SOA) != Answer::NoAnswer {
                return Ok(());
            }
            std::thread::sleep(StdDuration::from_millis(100));
        }
        Err(format!(
            "{} did not answer within {timeout:?}",
            self.imp.name()
        ))
    }

    /// The exit status, if the child has stopped by itself.
    pub fn exited(&mut self) -> Option<String> {
        let c = self.child.as_mut()?;
        match c.try_wait() {
            Ok(Some(st)) => Some(st.to_string()),
            _ => None,
        }
    }

    /// Stops the child (SIGTERM, then SIGKILL after a grace period).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            // SAFETY: signalling our own child by its pid.
            unsafe {
                libc::kill(c.id() as i32, libc::SIGTERM);
            }
            for _ in 0..30 {
                if let Ok(Some(_)) = c.try_wait() {
                    return;
                }
                std::thread::sleep(StdDuration::from_millis(100));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Stops and starts the resolver with the same state directory.
    pub fn restart(&mut self) -> Result<(), String> {
        self.stop();
        self.spawn()
    }

    /// The last lines of the resolver's own logs, for error messages.
    pub fn log_tail(&self) -> String {
        let mut out = String::new();
        for f in ["stderr.log", "unbound.log", "named.log"] {
            if let Ok(t) = std::fs::read_to_string(self.dir().join(f)) {
                let lines: Vec<&str> = t.lines().collect();
                let tail = lines.len().saturating_sub(5);
                // The cause often comes before the shutdown lines (named logs
                // its refusal, then tears down): keep the first few errors.
                let causes: Vec<&str> = lines[..tail]
                    .iter()
                    .filter(|l| {
                        let l = l.to_ascii_lowercase();
                        l.contains("denied") || l.contains("writ") || l.contains("fatal")
                    })
                    .take(3)
                    .copied()
                    .collect();
                if !causes.is_empty() {
                    out += &causes.join(" | ");
                    out += " | ... | ";
                }
                out += &lines[tail..].join(" | ");
            }
        }
        crate::testbed::escape(&out)
    }

    /// Asks the resolver for `qname`/`qtype` with RD and DO set.
    pub fn probe(&self, qname: &str, qtype: RecordType) -> Answer {
        let Ok(name) = Name::from_ascii(qname) else {
            return Answer::NoAnswer;
        };
        let Ok(sock) = UdpSocket::bind("127.0.0.1:0") else {
            return Answer::NoAnswer;
        };
        let _ = sock.set_read_timeout(Some(StdDuration::from_millis(800)));
        let mut q = Message::new(rand::random(), MessageType::Query, OpCode::Query);
        q.metadata.recursion_desired = true;
        q.add_query(Query::query(name, qtype));
        let mut edns = Edns::new();
        edns.set_max_payload(1232);
        edns.set_dnssec_ok(true);
        q.set_edns(edns);
        let Ok(bytes) = q.to_vec() else {
            return Answer::NoAnswer;
        };
        let to = self.listen;
        for _ in 0..2 {
            if sock.send_to(&bytes, to).is_err() {
                continue;
            }
            let mut buf = [0u8; 4096];
            while let Ok((n, _)) = sock.recv_from(&mut buf) {
                let Ok(r) = Message::from_vec(&buf[..n]) else {
                    continue;
                };
                if r.metadata.id != q.metadata.id {
                    continue;
                }
                return match r.metadata.response_code {
                    ResponseCode::NoError if r.metadata.authentic_data => Answer::Secure,
                    ResponseCode::NoError => Answer::Insecure,
                    ResponseCode::ServFail => Answer::ServFail,
                    c => Answer::Other(u16::from(c)),
                };
            }
        }
        Answer::NoAnswer
    }

    /// The resolver's RFC 5011 state per key tag, read from its own records.
    pub fn states(&self) -> Result<BTreeMap<u16, KeyState>, String> {
        match self.imp {
            Implementation::Unbound => {
                let p = self.dir().join("root.key");
                Ok(super::records::unbound(&read(&p)?))
            }
            Implementation::KnotResolver => {
                let p = self.dir().join("root.keys");
                Ok(super::records::knot_resolver(&read(&p)?))
            }
            Implementation::Bind => {
                let out = Command::new("/usr/sbin/rndc")
                    .arg("-c")
                    .arg(self.dir().join("rndc.conf"))
                    .args(["managed-keys", "status"])
                    .output()
                    .map_err(|e| format!("rndc: {e}"))?;
                if !out.status.success() {
                    return Err(format!(
                        "rndc managed-keys status failed: {}",
                        String::from_utf8_lossy(&out.stderr).trim()
                    ));
                }
                let text = String::from_utf8_lossy(&out.stdout);
                if text.contains("no views with managed keys") {
                    return Err("named tracks no managed keys: RFC 5011 is off in this BIND".into());
                }
                Ok(super::records::bind(&text))
            }
        }
    }

    /// Makes the state directory and its files read-only for the resolver's
    /// user (or writable again), as a read-only volume would.
    pub fn set_readonly(&self, readonly: bool) -> Result<(), String> {
        use std::os::unix::fs::PermissionsExt;
        let (dmode, fmode) = if readonly {
            (0o555, 0o444)
        } else {
            (0o755, 0o644)
        };
        let entries = std::fs::read_dir(self.dir()).map_err(|e| e.to_string())?;
        for e in entries.flatten() {
            if e.file_type().is_ok_and(|t| t.is_file()) {
                let _ = std::fs::set_permissions(e.path(), std::fs::Permissions::from_mode(fmode));
            }
        }
        std::fs::set_permissions(self.dir(), std::fs::Permissions::from_mode(dmode))
            .map_err(|e| e.to_string())
    }
}

/// A port on 127.0.0.1 free for UDP and TCP right now.
pub fn free_port() -> Result<u16, String> {
    for _ in 0..50 {
        let u = UdpSocket::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        let port = u.local_addr().map_err(|e| e.to_string())?.port();
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return Ok(port);
        }
    }
    Err("no free port on 127.0.0.1".into())
}

/// Hands the state directory and what is in it to `user` (from /etc/passwd).
fn give_to(dir: &Path, user: &str) -> Result<(), String> {
    let passwd = std::fs::read_to_string("/etc/passwd").map_err(|e| format!("/etc/passwd: {e}"))?;
    let ids = passwd.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() > 3 && f[0] == user).then(|| (f[2].parse::<u32>().ok(), f[3].parse::<u32>().ok()))
    });
    let Some((Some(uid), Some(gid))) = ids else {
        return Err(format!(
            "no system user {user:?}: install its Debian package (scripts/setup)"
        ));
    };
    let chown = |p: &Path| {
        std::os::unix::fs::chown(p, Some(uid), Some(gid))
            .map_err(|e| format!("{}: {e}", p.display()))
    };
    chown(dir)?;
    for e in std::fs::read_dir(dir).map_err(|e| e.to_string())?.flatten() {
        chown(&e.path())?;
    }
    Ok(())
}

fn read(p: &PathBuf) -> Result<String, String> {
    std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.stop();
        let _ = self.set_readonly(false);
    }
}
