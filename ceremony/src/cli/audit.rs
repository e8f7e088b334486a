//! `ceremony audit verify|show`, and the `--audit-log` wrapper that puts a
//! `begin` record before every command and an `end` record after it.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::audit::{self, AuditLog, Clock, Event, Outcome, Record, Summary};
use crate::error::{Error, Result};
use crate::hsm::TokenArgs;

use super::hsm::HsmCommand;
use super::keys::BackupCommand;
use super::Command;

#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Re-compute the hash chain; print the counts and the head hash to read aloud.
    Verify(VerifyArgs),
    /// Print the records as a table (the chain is verified first).
    Show(ShowArgs),
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The audit log (JSON Lines).
    pub file: PathBuf,
    /// The head hash the witnesses wrote down; catches records removed from the end.
    #[arg(long, value_name = "HEX")]
    pub expect_head: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The audit log (JSON Lines).
    pub file: PathBuf,
    /// The records as a JSON array instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// What a command reads and writes, named by role, and where it works: taken
/// from its arguments explicitly, so PIN files are never hashed or listed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Subject {
    pub command: &'static str,
    pub token: Option<String>,
    pub keys: Vec<String>,
    pub inputs: Vec<(&'static str, PathBuf)>,
    pub outputs: Vec<(&'static str, PathBuf)>,
}

fn on(command: &'static str, token: &TokenArgs) -> Subject {
    Subject {
        command,
        token: Some(token.token.clone()),
        ..Subject::default()
    }
}

impl Command {
    /// The audit subject of this command (see [`Subject`]).
    pub fn audit_subject(&self) -> Subject {
        match self {
            Command::Hsm(HsmCommand::Init(a)) => Subject {
                command: "hsm init",
                token: Some(a.label.clone()),
                ..Subject::default()
            },
            Command::Hsm(HsmCommand::Info(a)) => Subject {
                command: "hsm info",
                token: a.token.clone(),
                ..Subject::default()
            },
            Command::Keygen(a) => Subject {
                keys: vec![a.label.clone()],
                ..on("keygen", &a.token)
            },
            Command::Inventory(a) => on("inventory", &a.token),
            Command::Backup(b) => match &b.command {
                BackupCommand::TransportKey(a) => Subject {
                    keys: vec![a.label.clone()],
                    outputs: vec![("transport", a.out.clone())],
                    ..on("backup transport-key", &a.token)
                },
                BackupCommand::Export(a) => Subject {
                    keys: vec![a.label.clone()],
                    inputs: vec![("transport", a.transport.clone())],
                    outputs: vec![("backup", a.out.clone())],
                    ..on("backup export", &a.token)
                },
            },
            Command::Restore(a) => Subject {
                keys: a.label.iter().cloned().collect(),
                inputs: vec![("backup", a.backup.clone())],
                ..on("restore", &a.token)
            },
            Command::Delete(a) => Subject {
                keys: vec![a.label.clone()],
                ..on("delete", &a.token)
            },
            Command::Prove(a) => Subject {
                keys: vec![a.label.clone()],
                ..on("prove", &a.token)
            },
            Command::SignKsr(a) => {
                let mut inputs = vec![("ksr", a.ksr.clone())];
                inputs.extend(a.previous_skr.clone().map(|p| ("previous-skr", p)));
                inputs.extend(a.policy.clone().map(|p| ("policy", p)));
                Subject {
                    keys: std::iter::once(a.ksk_current.clone())
                        .chain(a.ksk_next.clone())
                        .collect(),
                    inputs,
                    outputs: vec![("skr", a.out.clone())],
                    ..on("sign-ksr", &a.token)
                }
            }
            Command::Request(a) => Subject {
                keys: a.zsks.clone(),
                inputs: a.policy.iter().map(|p| ("policy", p.clone())).collect(),
                outputs: vec![("ksr", a.out.clone())],
                ..on("request", &a.token)
            },
            Command::TrustAnchor(a) => Subject {
                keys: vec![a.ksk.clone()],
                outputs: a.out.iter().map(|p| ("trust-anchor", p.clone())).collect(),
                ..on("trust-anchor", &a.token)
            },
            Command::Audit(_) => Subject {
                command: "audit",
                ..Subject::default()
            },
        }
    }
}

/// Runs `command` under the audit log at `path`: `begin` (synced) first, then the
/// command, then `end` with its outcome and the hashes of what it wrote. Returns
/// the exit code. A log that does not verify stops everything (exit 2) before
/// the token is touched.
pub fn audited(
    path: &Path,
    clock: impl Clock,
    args: Vec<String>,
    command: Command,
    run: impl FnOnce(Command) -> Result<()>,
) -> i32 {
    let mut log = match AuditLog::open(path, clock) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("ceremony: {e}");
            return 2;
        }
    };
    let subject = command.audit_subject();
    let mut begin = Record::new(Event::Begin, subject.command);
    begin.args = args;
    begin.token = subject.token.clone();
    begin.keys = subject.keys.clone();
    begin.files = subject
        .inputs
        .iter()
        .map(|(role, p)| audit::file_ref(role, p))
        .collect();
    let begin_seq = match log.append(begin.clone()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("ceremony: {e}");
            return 2;
        }
    };
    let result = run(command);
    let (exit, error) = match &result {
        Ok(()) => (0, None),
        Err(e) => (e.exit_code(), Some(e.to_string())),
    };
    if let Some(e) = &error {
        eprintln!("ceremony: {e}");
    }
    let mut end = audit::chain::end_record(&begin, begin_seq, Outcome { exit, error });
    // Outputs only count when the command succeeded: a failed command writes
    // nothing, and an older file at that path is not its output.
    if exit == 0 {
        end.files = subject
            .outputs
            .iter()
            .filter(|(_, p)| p.exists())
            .map(|(role, p)| audit::file_ref(role, p))
            .collect();
    }
    match log.append(end) {
        Ok(seq) => {
            eprintln!(
                "audit: record {seq} in {}, head {}",
                log.path().display(),
                short(log.head())
            );
            exit
        }
        Err(e) => {
            eprintln!("ceremony: the command finished (exit {exit}) but its end record was not written: {e}");
            2
        }
    }
}

/// The first and last 8 hex digits: enough to compare by eye at the table.
pub fn short(head: &str) -> String {
    format!("{}…{}", &head[..8], &head[head.len() - 8..])
}

pub fn run(c: AuditCommand) -> i32 {
    match c {
        AuditCommand::Verify(a) => verify(a),
        AuditCommand::Show(a) => show(a),
    }
}

/// Reads and verifies a log: Ok(summary), or the exit code after reporting.
fn load(file: &Path) -> std::result::Result<Summary, i32> {
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!(
                "ceremony: {}: cannot read the audit log: {e}",
                file.display()
            );
            return Err(2);
        }
    };
    match audit::verify(&bytes) {
        Ok(s) if s.records.is_empty() => {
            println!(
                "{}:1: FAIL: the audit log is empty (a log starts with a log-start record): it was truncated",
                file.display()
            );
            eprintln!("ceremony: {}: audit log does not verify", file.display());
            Err(1)
        }
        Ok(s) => Ok(s),
        Err(b) => {
            println!("{}:{}: FAIL: {}", file.display(), b.line, b.message);
            eprintln!("ceremony: {}: audit log does not verify", file.display());
            Err(1)
        }
    }
}

fn verify(a: VerifyArgs) -> i32 {
    let expect = match &a.expect_head {
        Some(h) => match parse_head(h) {
            Ok(h) => Some(h),
            Err(e) => {
                eprintln!("ceremony: {e}");
                return 2;
            }
        },
        None => None,
    };
    let s = match load(&a.file) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let out = std::io::stdout();
    let mut o = out.lock();
    let _ = writeln!(o, "{}: chain verifies", a.file.display());
    let _ = writeln!(o, "records:     {}", s.records.len());
    let _ = writeln!(
        o,
        "commands:    {} ({} failed, {} interrupted, {} without end)",
        s.commands,
        s.failed,
        s.interrupted.len(),
        s.open.len()
    );
    for (what, seqs) in [("interrupted", &s.interrupted), ("without end", &s.open)] {
        for b in seqs {
            let r = &s.records[(*b - 1) as usize];
            let _ = writeln!(o, "{what}: record {b}, {} at {}", r.command, r.time);
        }
    }
    let _ = writeln!(o, "first:       {}", s.records[0].time);
    let _ = writeln!(o, "last:        {}", s.records[s.records.len() - 1].time);
    let _ = writeln!(o, "head (record {}), to read aloud:", s.records.len());
    let _ = write!(o, "{}", ksr::digest::read_aloud(&s.head_bytes()));
    if let Some(want) = expect {
        if want != s.head {
            let _ = writeln!(
                o,
                "FAIL: head {} is not the expected {want}: records were removed from the end, added, or this is another log",
                s.head
            );
            return 1;
        }
        let _ = writeln!(o, "PASS: head matches --expect-head");
    }
    0
}

fn parse_head(h: &str) -> Result<String> {
    let h = h.trim().to_ascii_lowercase();
    if h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::Input(format!(
            "--expect-head {h:?}: give the 64 hex digits `ceremony audit verify` printed"
        )));
    }
    Ok(h)
}

fn show(a: ShowArgs) -> i32 {
    let s = match load(&a.file) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let out = std::io::stdout();
    let mut o = out.lock();
    if a.json {
        let _ = writeln!(
            o,
            "{}",
            serde_json::to_string_pretty(&s.records).expect("records serialise")
        );
        return 0;
    }
    let _ = writeln!(
        o,
        "{:>4}  {:<20}  {:<11}  {:<20}  {:<14}  detail",
        "seq", "time", "event", "command", "token"
    );
    for r in &s.records {
        let mut detail = Vec::new();
        if let Some(b) = r.begin {
            detail.push(format!("begin {b}"));
        }
        if let Some(oc) = &r.outcome {
            detail.push(match &oc.error {
                None => format!("exit {}", oc.exit),
                Some(e) => format!("exit {}: {e}", oc.exit),
            });
        }
        if !r.keys.is_empty() {
            detail.push(format!("keys {}", r.keys.join(",")));
        }
        for f in &r.files {
            detail.push(match &f.sha256 {
                Some(h) => format!("{} {} sha256 {}", f.role, f.path, short(h)),
                None => format!(
                    "{} {} unreadable: {}",
                    f.role,
                    f.path,
                    f.error.as_deref().unwrap_or("")
                ),
            });
        }
        if let Some(n) = &r.note {
            detail.push(n.clone());
        }
        let _ = writeln!(
            o,
            "{:>4}  {:<20}  {:<11}  {:<20}  {:<14}  {}",
            r.seq,
            r.time,
            r.event.as_str(),
            r.command,
            r.token.as_deref().unwrap_or("-"),
            detail.join("; ")
        );
    }
    let _ = writeln!(o, "head {}", s.head);
    0
}
