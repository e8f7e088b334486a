//! The hash chain: verifying a whole log, and appending to one that verifies.
//!
//! Each record names the previous record's hash (`prev`), so changing, removing,
//! inserting or reordering any line breaks the chain at that line. Removing lines
//! from the end leaves a shorter valid chain; the head hash the witnesses wrote
//! down (`--expect-head`) catches that.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::clock::{self, Clock};
use super::record::{Event, Outcome, Record, GENESIS};

/// Why a log does not verify: the 1-based line and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    pub line: u64,
    pub message: String,
}

/// What a verified log holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub records: Vec<Record>,
    /// Hash of the last record, or [`GENESIS`] for an empty log.
    pub head: String,
    /// `seq` of each `begin` that has an `interrupted` record.
    pub interrupted: Vec<u64>,
    /// `seq` of each `begin` with neither `end` nor `interrupted` yet (the last
    /// command died, or is still running).
    pub open: Vec<u64>,
    /// `begin` records (commands run under the log).
    pub commands: usize,
    /// `end` records with a non-zero exit.
    pub failed: usize,
}

impl Summary {
    pub fn head_bytes(&self) -> [u8; 32] {
        let mut out = [0; 32];
        hex::decode_to_slice(&self.head, &mut out).expect("heads are 64 hex digits");
        out
    }
}

/// Re-computes the chain over the exact bytes of a log. A last line without its
/// newline (a write cut short) is reported, never skipped.
pub fn verify(bytes: &[u8]) -> Result<Summary, Broken> {
    let mut s = Summary {
        head: GENESIS.to_string(),
        ..Summary::default()
    };
    // begin seq -> closed?
    let mut begins: BTreeMap<u64, bool> = BTreeMap::new();
    let mut rest = bytes;
    let mut n = 0u64;
    let mut closed_at: Option<u64> = None;
    while !rest.is_empty() {
        n += 1;
        let Some(end) = rest.iter().position(|b| *b == b'\n') else {
            return Err(Broken {
                line: n,
                message: format!(
                    "the last line is incomplete ({} bytes, no newline): the file was truncated or a write was cut short (if every line before it verifies, `ceremony audit repair` moves it aside)",
                    rest.len()
                ),
            });
        };
        let line = &rest[..end];
        rest = &rest[end + 1..];
        let broken = |message: String| Broken { line: n, message };
        let (r, hash) = Record::from_line(line).map_err(broken)?;
        if r.seq != n {
            return Err(broken(format!(
                "record says seq {} but is line {n}: a line was removed, inserted or moved",
                r.seq
            )));
        }
        if r.prev != s.head {
            return Err(broken(format!(
                "prev {} does not match the hash of the record before it ({}): the chain is broken here",
                r.prev, s.head
            )));
        }
        if let Some(c) = closed_at {
            return Err(broken(format!(
                "a {} record after the ceremony was closed at line {c}: nothing may be appended after the close",
                r.event.as_str()
            )));
        }
        if (n == 1) != (r.event == Event::LogStart) {
            return Err(broken(
                "a log starts with exactly one log-start record".into(),
            ));
        }
        match r.event {
            Event::Begin => {
                s.commands += 1;
                begins.insert(r.seq, false);
            }
            Event::End | Event::Interrupted => {
                let b = r
                    .begin
                    .ok_or_else(|| broken(format!("{} names no begin", r.event.as_str())))?;
                match begins.get_mut(&b) {
                    Some(closed @ false) => *closed = true,
                    Some(true) => {
                        return Err(broken(format!("begin {b} is closed twice")));
                    }
                    None => return Err(broken(format!("no begin record with seq {b}"))),
                }
                if r.event == Event::Interrupted {
                    s.interrupted.push(b);
                } else if r.outcome.as_ref().is_none_or(|o| o.exit != 0) {
                    s.failed += 1;
                }
            }
            Event::SignOff => {
                crate::engine::signoff::check_record(&r, &s.records).map_err(broken)?;
            }
            Event::Close => closed_at = Some(n),
            Event::LogStart
            | Event::Note
            | Event::CeremonyStart
            | Event::Step
            | Event::Deviation
            | Event::StepDone => {}
        }
        s.head = hash;
        s.records.push(r);
    }
    s.open = begins
        .into_iter()
        .filter(|(_, closed)| !closed)
        .map(|(b, _)| b)
        .collect();
    Ok(s)
}

/// Why a log cannot be appended to (always exit 2: fix the log first).
#[derive(Debug)]
pub enum AppendError {
    Io(String),
    Broken(PathBuf, Broken),
    /// Every whole line verifies, but the last line has no newline: a write was
    /// cut short (a full disk, a crash). `ceremony audit repair` removes it.
    PartialRecord {
        path: PathBuf,
        line: u64,
        bytes: usize,
    },
}

impl std::fmt::Display for AppendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AppendError::Io(m) => write!(f, "{m}"),
            AppendError::Broken(p, b) => write!(
                f,
                "{}:{}: audit log does not verify: {}; refusing to append (run `ceremony audit verify {}`, keep this file as evidence and start a new log)",
                p.display(),
                b.line,
                b.message,
                p.display()
            ),
            AppendError::PartialRecord { path, line, bytes } => write!(
                f,
                "{}:{line}: the last record is incomplete ({bytes} bytes, no newline): a write was cut short (full disk or crash); every record before it verifies; refusing to append. Run `ceremony audit repair {}` to move the partial record aside (it is kept in a file beside the log and the repair is recorded), then run the command again",
                path.display(),
                path.display()
            ),
        }
    }
}

/// Where the bytes of a log end on a partial last line (no newline), if the
/// whole lines before it verify: `Some((line number, length of the whole
/// lines))`.
pub fn partial_tail(bytes: &[u8]) -> Option<(u64, usize)> {
    if bytes.is_empty() || bytes.ends_with(b"\n") {
        return None;
    }
    let whole = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let s = verify(&bytes[..whole]).ok()?;
    Some((s.records.len() as u64 + 1, whole))
}

/// An audit log open for appending: verified on open, locked against a second
/// writer, every record synced to disk before `append` returns.
pub struct AuditLog<C: Clock> {
    path: PathBuf,
    file: File,
    clock: C,
    seq: u64,
    head: String,
    /// Length of the file: the end of the last whole record.
    len: u64,
}

impl<C: Clock> AuditLog<C> {
    /// Opens (or creates, with a `log-start` record) the log at `path`, verifies
    /// the chain, and records every command a crash left without an `end` as
    /// `interrupted`.
    pub fn open(path: &Path, clock: C) -> Result<AuditLog<C>, AppendError> {
        let io = |what: &str, e: std::io::Error| {
            AppendError::Io(format!(
                "{}: cannot {what} the audit log: {e}",
                path.display()
            ))
        };
        // Only a regular file is a log: a FIFO would block the read below for
        // ever, a device is no record at all.
        if let Err(e) = ksr::output::check_kind(path) {
            return Err(AppendError::Io(match e {
                ksr::output::TargetError::NotRegular { path, what } => format!(
                    "{path} is {what}, not a regular file; an audit log must be one (give another path)"
                ),
                other => other.to_string(),
            }));
        }
        let existed = path.exists();
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(|e| io("open", e))?;
        file.try_lock().map_err(|e| {
            AppendError::Io(format!(
                "{}: the audit log is in use by another process ({e}); one command at a time",
                path.display()
            ))
        })?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(|e| io("read", e))?;
        let broken = |b| AppendError::Broken(path.to_path_buf(), b);
        if let Some((line, whole)) = partial_tail(&bytes) {
            return Err(AppendError::PartialRecord {
                path: path.to_path_buf(),
                line,
                bytes: bytes.len() - whole,
            });
        }
        let summary = verify(&bytes).map_err(broken)?;
        // An existing empty file is a log cut to nothing, not a new one.
        if existed && bytes.is_empty() {
            return Err(broken(Broken {
                line: 1,
                message: "the file is empty (a log starts with a log-start record); if it is not a truncated log, delete it and run again".into(),
            }));
        }
        let mut log = AuditLog {
            path: path.to_path_buf(),
            file,
            clock,
            seq: summary.records.len() as u64,
            head: summary.head,
            len: bytes.len() as u64,
        };
        if log.seq == 0 {
            log.append(Record::new(Event::LogStart, ""))?;
        }
        for b in summary.open {
            let begin = &summary.records[(b - 1) as usize];
            let mut r = Record::new(Event::Interrupted, &begin.command);
            r.begin = Some(b);
            r.token = begin.token.clone();
            r.note = Some(format!(
                "no end record for begin {b}: the command was killed or the machine stopped; check the token (`ceremony inventory`) and the outputs before re-running it"
            ));
            log.append(r)?;
        }
        Ok(log)
    }

    /// Appends `r` (its seq, time and prev are filled in here), syncs, and
    /// returns its seq. A failed write (a full disk) is rolled back: the file
    /// is cut to the end of the last whole record and synced, so the log stays
    /// verifiable and the error says up to which record.
    pub fn append(&mut self, r: Record) -> Result<u64, AppendError> {
        let now = self.clock.now();
        self.append_at(r, now)
    }

    /// [`AuditLog::append`] stamped with `now` instead of the log's clock.
    pub fn append_at(
        &mut self,
        mut r: Record,
        now: time::OffsetDateTime,
    ) -> Result<u64, AppendError> {
        r.seq = self.seq + 1;
        r.time = clock::format(now);
        r.prev = self.head.clone();
        let (line, hash) = r.to_line();
        // One write of the whole line on an O_APPEND file, then fsync: the record
        // is on disk before the command goes on.
        if let Err(e) = self
            .file
            .write_all(&line)
            .and_then(|_| self.file.sync_data())
        {
            return Err(AppendError::Io(self.rolled_back(&e)));
        }
        self.seq = r.seq;
        self.head = hash;
        self.len += line.len() as u64;
        Ok(r.seq)
    }

    /// Cuts a partly written record off after a failed append; says what the
    /// log holds now.
    fn rolled_back(&mut self, e: &std::io::Error) -> String {
        let cut = self
            .file
            .set_len(self.len)
            .and_then(|_| self.file.sync_all());
        let shown = self.path.display();
        match cut {
            Ok(()) => format!(
                "{shown}: cannot write to the audit log: {e}; the partial record was removed and the log is consistent up to record {} (run `ceremony audit verify {shown}`)",
                self.seq
            ),
            Err(e2) => format!(
                "{shown}: cannot write to the audit log: {e}, and the partial record could not be removed ({e2}); once there is room run `ceremony audit repair {shown}`"
            ),
        }
    }

    /// Sequence number of the last record written.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// The log's clock (a ceremony stamps its operations with the same time).
    pub fn now(&self) -> time::OffsetDateTime {
        self.clock.now()
    }

    /// Hash of the last record written.
    pub fn head(&self) -> &str {
        &self.head
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The `end` record for the command begun at `begin`.
pub fn end_record(begin: &Record, begin_seq: u64, outcome: Outcome) -> Record {
    let mut r = Record::new(Event::End, &begin.command);
    r.begin = Some(begin_seq);
    r.token = begin.token.clone();
    r.keys = begin.keys.clone();
    r.outcome = Some(outcome);
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::clock::FixedClock;
    use time::macros::datetime;

    fn clock() -> FixedClock {
        FixedClock(datetime!(2017-03-20 10:00:00 UTC))
    }

    /// A log with a log-start, a completed command and an open one.
    fn sample(dir: &Path) -> PathBuf {
        let path = dir.join("audit.jsonl");
        let mut log = AuditLog::open(&path, clock()).unwrap();
        let mut b = Record::new(Event::Begin, "keygen");
        b.token = Some("t".into());
        let s = log.append(b.clone()).unwrap();
        log.append(end_record(
            &b,
            s,
            Outcome {
                exit: 0,
                error: None,
            },
        ))
        .unwrap();
        log.append(Record::new(Event::Begin, "sign-ksr")).unwrap();
        path
    }

    #[test]
    fn chain_is_deterministic_with_a_fixed_clock() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let x = std::fs::read(sample(a.path())).unwrap();
        let y = std::fs::read(sample(b.path())).unwrap();
        assert_eq!(x, y);
        let s = verify(&x).unwrap();
        assert_eq!(s.records.len(), 4);
        assert_eq!(s.records[0].prev, GENESIS);
        assert_eq!(s.records[1].time, "2017-03-20T10:00:00Z");
        assert_eq!(s.open, vec![4]);
        assert_eq!(s.commands, 2);
    }

    #[test]
    fn reopening_records_the_interrupted_command() {
        let d = tempfile::tempdir().unwrap();
        let path = sample(d.path());
        let log = AuditLog::open(&path, clock()).unwrap();
        let s = verify(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(s.head, log.head());
        assert_eq!(s.interrupted, vec![4]);
        assert!(s.open.is_empty());
        assert_eq!(s.records[4].event, Event::Interrupted);
        assert_eq!(s.records[4].command, "sign-ksr");
        // Opening again adds nothing: the gap is recorded once.
        drop(log);
        AuditLog::open(&path, clock()).unwrap();
        assert_eq!(
            std::fs::read(&path).unwrap().split(|b| *b == b'\n').count(),
            6
        );
    }

    #[test]
    fn removed_moved_and_cut_lines_name_the_line() {
        let d = tempfile::tempdir().unwrap();
        let bytes = std::fs::read(sample(d.path())).unwrap();
        let lines: Vec<&[u8]> = bytes.split_inclusive(|b| *b == b'\n').collect();
        let join = |ls: &[&[u8]]| ls.concat();
        let removed = verify(&join(&[lines[0], lines[2], lines[3]])).unwrap_err();
        assert_eq!(removed.line, 2);
        let moved = verify(&join(&[lines[0], lines[2], lines[1], lines[3]])).unwrap_err();
        assert_eq!(moved.line, 2);
        let cut = verify(&bytes[..bytes.len() - 10]).unwrap_err();
        assert_eq!(cut.line, 4);
        assert!(cut.message.contains("incomplete"), "{}", cut.message);
        let mut edited = bytes.clone();
        let at = lines[0].len() + lines[1].len() + 30;
        edited[at] ^= 0x02;
        assert_eq!(verify(&edited).unwrap_err().line, 3);
    }

    #[test]
    fn a_broken_log_is_not_appended_to() {
        let d = tempfile::tempdir().unwrap();
        let path = sample(d.path());
        let mut bytes = std::fs::read(&path).unwrap();
        // A last line without its newline: a write cut short.
        bytes.truncate(bytes.len() - 1);
        std::fs::write(&path, &bytes).unwrap();
        let err = AuditLog::open(&path, clock()).err().unwrap();
        assert!(matches!(err, AppendError::PartialRecord { line: 4, .. }));
        assert!(err.to_string().contains("audit.jsonl:4:"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "nothing was appended");
        // A changed byte in a whole line.
        bytes.push(b'\n');
        bytes[20] ^= 0x01;
        std::fs::write(&path, &bytes).unwrap();
        let err = AuditLog::open(&path, clock()).err().unwrap();
        assert!(matches!(
            err,
            AppendError::Broken(_, Broken { line: 1, .. })
        ));
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "nothing was appended");
        std::fs::write(&path, b"").unwrap();
        let err = AuditLog::open(&path, clock()).err().unwrap();
        assert!(matches!(
            err,
            AppendError::Broken(_, Broken { line: 1, .. })
        ));
        assert!(std::fs::read(&path).unwrap().is_empty());
    }
}
