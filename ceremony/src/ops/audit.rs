//! `audit verify` and `audit show` (read-only), and running any other operation
//! under an audit log: a `begin` record (synced) before it touches anything, an
//! `end` record with its outcome and output hashes after it (see `crate::audit`).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;

use super::operation::Operation;
use crate::audit::{self, AppendError, AuditLog, Clock, Event, Outcome, Record, Summary};
use crate::error::{Error, Result};

/// Verify an audit log's hash chain, optionally against the head the witnesses wrote down.
#[derive(Debug, Clone)]
pub struct VerifyInput {
    pub file: PathBuf,
    /// 64 hex digits; catches records removed from the end.
    pub expect_head: Option<String>,
}

impl VerifyInput {
    pub fn operation(&self) -> Operation {
        Operation::AuditVerify {
            file: self.file.clone(),
        }
    }
}

/// Where the chain breaks: the 1-based line and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Break {
    pub line: u64,
    pub message: String,
}

/// A `begin` without its `end`, or recorded as interrupted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unfinished {
    pub begin: u64,
    pub command: String,
    pub time: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    pub file: PathBuf,
    /// `Some` when the chain does not verify (a failed check); the rest is then empty.
    pub broken: Option<Break>,
    pub records: usize,
    pub commands: usize,
    pub failed: usize,
    pub interrupted: Vec<Unfinished>,
    pub without_end: Vec<Unfinished>,
    pub first: Option<String>,
    pub last: Option<String>,
    /// Hash of the last record, hex.
    pub head: String,
    /// The head the caller expected, lower-case hex.
    pub expected_head: Option<String>,
    /// Whether the head equals the expected one (`None`: none given).
    pub head_matches: Option<bool>,
}

impl VerifyReport {
    /// Whether every check passed (the chain, and the head if one was expected).
    pub fn passed(&self) -> bool {
        self.broken.is_none() && self.head_matches != Some(false)
    }
}

/// Reads and verifies a log. A log that does not verify is a report with
/// `broken` set; only an unreadable file is an error.
fn load(file: &Path) -> Result<std::result::Result<Summary, Break>> {
    let bytes = std::fs::read(file).map_err(|e| {
        Error::Input(format!(
            "{}: cannot read the audit log: {e}",
            file.display()
        ))
    })?;
    Ok(match audit::verify(&bytes) {
        Ok(s) if s.records.is_empty() => Err(Break {
            line: 1,
            message:
                "the audit log is empty (a log starts with a log-start record): it was truncated"
                    .into(),
        }),
        Ok(s) => Ok(s),
        Err(b) => Err(Break {
            line: b.line,
            message: b.message,
        }),
    })
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

pub fn verify(input: &VerifyInput) -> Result<VerifyReport> {
    let expect = input.expect_head.as_deref().map(parse_head).transpose()?;
    let mut report = VerifyReport {
        file: input.file.clone(),
        broken: None,
        records: 0,
        commands: 0,
        failed: 0,
        interrupted: Vec::new(),
        without_end: Vec::new(),
        first: None,
        last: None,
        head: String::new(),
        expected_head: expect.clone(),
        head_matches: None,
    };
    let s = match load(&input.file)? {
        Ok(s) => s,
        Err(b) => {
            report.broken = Some(b);
            return Ok(report);
        }
    };
    let unfinished = |seqs: &[u64]| {
        seqs.iter()
            .map(|b| {
                let r = &s.records[(*b - 1) as usize];
                Unfinished {
                    begin: *b,
                    command: r.command.clone(),
                    time: r.time.clone(),
                }
            })
            .collect()
    };
    report.interrupted = unfinished(&s.interrupted);
    report.without_end = unfinished(&s.open);
    report.records = s.records.len();
    report.commands = s.commands;
    report.failed = s.failed;
    report.first = s.records.first().map(|r| r.time.clone());
    report.last = s.records.last().map(|r| r.time.clone());
    report.head_matches = expect.map(|want| want == s.head);
    report.head = s.head;
    Ok(report)
}

/// Show an audit log's records (the chain is verified first).
#[derive(Debug, Clone)]
pub struct ShowInput {
    pub file: PathBuf,
}

impl ShowInput {
    pub fn operation(&self) -> Operation {
        Operation::AuditShow {
            file: self.file.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShowReport {
    pub file: PathBuf,
    /// `Some` when the chain does not verify; nothing is shown then.
    pub broken: Option<Break>,
    pub records: Vec<Record>,
    pub head: String,
}

pub fn show(input: &ShowInput) -> Result<ShowReport> {
    Ok(match load(&input.file)? {
        Ok(s) => ShowReport {
            file: input.file.clone(),
            broken: None,
            records: s.records,
            head: s.head,
        },
        Err(b) => ShowReport {
            file: input.file.clone(),
            broken: Some(b),
            records: Vec::new(),
            head: String::new(),
        },
    })
}

/// How an operation run under an audit log ended.
pub struct Audited<R> {
    /// The operation's own result.
    pub result: Result<R>,
    /// The `end` record: its sequence number, or why it could not be written
    /// (the log was then rolled back to its last whole record).
    pub end: std::result::Result<u64, AppendError>,
    pub log: PathBuf,
    /// The log's head after the `end` record (or after the last whole record).
    pub head: String,
    /// The last record the log holds.
    pub seq: u64,
}

/// An operation begun under an audit log: its `begin` record is on disk. It
/// ends with [`Session::end`], or with [`Session::interrupted`] when a signal
/// stops the process first; whichever comes first closes the `begin`.
pub struct Session<C: Clock> {
    log: Mutex<(AuditLog<C>, bool)>,
    begin: Record,
    begin_seq: u64,
}

/// Opens the log at `path` (refused if it does not verify) and appends the
/// `begin` record for `op`: its meaning (`Operation`, never raw arguments),
/// token, keys and input files with their SHA-256.
pub fn begin<C: Clock>(
    path: &Path,
    clock: C,
    op: &Operation,
) -> std::result::Result<Session<C>, AppendError> {
    let mut log = AuditLog::open(path, clock)?;
    let mut begin = Record::new(Event::Begin, op.name());
    begin.operation = Some(serde_json::to_value(op).expect("operations serialise"));
    begin.token = op.token().map(str::to_string);
    begin.keys = op.keys();
    begin.files = op.input_refs();
    begin.note = op.note();
    let begin_seq = log.append(begin.clone())?;
    Ok(Session {
        log: Mutex::new((log, false)),
        begin,
        begin_seq,
    })
}

impl<C: Clock> Session<C> {
    /// Records that `signal` stopped the command (unless its `end` is written
    /// already), naming the temp files removed. Holds the log until the
    /// process exits, so no `end` can follow.
    pub fn interrupted(
        &self,
        signal: &str,
        removed: &[PathBuf],
    ) -> std::result::Result<u64, AppendError> {
        let mut guard = self.log.lock().unwrap_or_else(|e| e.into_inner());
        let (log, closed) = &mut *guard;
        if *closed {
            return Ok(log.seq());
        }
        let mut r = Record::new(Event::Interrupted, &self.begin.command);
        r.begin = Some(self.begin_seq);
        r.token = self.begin.token.clone();
        r.keys = self.begin.keys.clone();
        let temps = if removed.is_empty() {
            "no temp file was open".to_string()
        } else {
            let names: Vec<String> = removed.iter().map(|p| p.display().to_string()).collect();
            format!("temp files removed: {}", names.join(", "))
        };
        r.note = Some(format!(
            "stopped by {signal} before the command finished; {temps}; check the token (`ceremony inventory`) and the outputs before re-running it"
        ));
        let seq = log.append(r);
        *closed = true;
        std::mem::forget(guard);
        seq
    }

    /// Appends the `end` record for `result`. Error texts are recorded with
    /// every string in `secrets` (values that may be a mistyped PIN, such as a
    /// PIN file option's value) replaced by `<redacted>`.
    pub fn end<R>(self, op: &Operation, secrets: &[String], result: Result<R>) -> Audited<R> {
        let mut guard = self.log.lock().unwrap_or_else(|e| e.into_inner());
        let (log, closed) = &mut *guard;
        let (exit, error) = match &result {
            Ok(_) => (0, None),
            Err(e) => (e.exit_code(), Some(redact(&e.to_string(), secrets))),
        };
        let mut end =
            audit::chain::end_record(&self.begin, self.begin_seq, Outcome { exit, error });
        // Outputs only count when the operation succeeded: a failed one writes
        // nothing, and an older file at that path is not its output.
        if exit == 0 {
            end.files = op.output_refs();
        }
        let end = log.append(end);
        *closed = true;
        Audited {
            result,
            end,
            log: log.path().to_path_buf(),
            head: log.head().to_string(),
            seq: log.seq(),
        }
    }
}

/// `text` with each non-empty `secrets` string replaced by `<redacted>`.
pub fn redact(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_string();
    let mut secrets: Vec<&String> = secrets.iter().filter(|s| !s.is_empty()).collect();
    // Longest first, so a secret that contains another is removed whole.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    for s in secrets {
        out = out.replace(s.as_str(), "<redacted>");
    }
    out
}

/// The first and last 8 hex digits: enough to compare by eye at the table.
pub fn short(head: &str) -> String {
    format!("{}…{}", &head[..8], &head[head.len() - 8..])
}
