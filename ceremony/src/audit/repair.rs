//! `ceremony audit repair`: the one way to continue a log whose last record
//! was cut short (a full disk, a crash mid-write). Only that case is repaired:
//! every whole line must verify. The partial bytes are moved to a file beside
//! the log (evidence), the log is cut to its last whole record, and a `note`
//! record says so, so the repair itself is in the chain.

use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::chain::{partial_tail, verify, AppendError, AuditLog};
use super::clock::Clock;
use super::record::{Event, Record};

/// What a repair did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Repaired {
    /// The line that was incomplete.
    pub line: u64,
    /// How many bytes it had.
    pub bytes: usize,
    /// Where those bytes were saved.
    pub saved: PathBuf,
    /// The `note` record that documents the repair.
    pub note: u64,
}

/// Repairs a log whose only defect is a partial last line; `Ok(None)` when
/// the log verifies as it is. Any other defect is refused (evidence of
/// tampering is never "repaired").
pub fn repair<C: Clock>(path: &Path, clock: C) -> Result<Option<Repaired>, AppendError> {
    let shown = path.display();
    let io = |what: &str, e: std::io::Error| {
        AppendError::Io(format!("{shown}: cannot {what} the audit log: {e}"))
    };
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(|e| io("open", e))?;
    file.try_lock().map_err(|e| {
        AppendError::Io(format!(
            "{shown}: the audit log is in use by another process ({e})"
        ))
    })?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(|e| io("read", e))?;
    let Some((line, whole)) = partial_tail(&bytes) else {
        return match verify(&bytes) {
            Ok(_) => Ok(None),
            Err(b) => Err(AppendError::Broken(path.to_path_buf(), b)),
        };
    };
    let saved = PathBuf::from(format!("{shown}.partial-{line}"));
    let mut keep = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&saved)
        .map_err(|e| {
            AppendError::Io(format!(
                "{}: cannot save the partial record: {e}",
                saved.display()
            ))
        })?;
    keep.write_all(&bytes[whole..])
        .and_then(|_| keep.sync_all())
        .map_err(|e| AppendError::Io(format!("{}: {e}", saved.display())))?;
    file.set_len(whole as u64)
        .and_then(|_| file.sync_all())
        .map_err(|e| io("cut", e))?;
    drop(file);
    let mut log = AuditLog::open(path, clock)?;
    let mut note = Record::new(Event::Note, "audit repair");
    note.note = Some(format!(
        "repair: line {line} was an incomplete record ({} bytes, a write cut short); it was moved to {}",
        bytes.len() - whole,
        saved.display()
    ));
    let note = log.append(note)?;
    Ok(Some(Repaired {
        line,
        bytes: bytes.len() - whole,
        saved,
        note,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::clock::FixedClock;
    use crate::audit::record::Outcome;
    use time::macros::datetime;

    fn clock() -> FixedClock {
        FixedClock(datetime!(2017-03-20 10:00:00 UTC))
    }

    #[test]
    fn a_cut_last_record_is_refused_then_repaired_and_the_repair_recorded() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("audit.jsonl");
        let mut log = AuditLog::open(&path, clock()).unwrap();
        let b = Record::new(Event::Begin, "keygen");
        let s = log.append(b.clone()).unwrap();
        drop(log);
        let whole = std::fs::read(&path).unwrap();
        // A crash 28 bytes into the end record.
        let mut end = crate::audit::chain::end_record(
            &b,
            s,
            Outcome {
                exit: 0,
                error: None,
            },
        );
        end.seq = 3;
        let (line, _) = end.to_line();
        let mut cut = whole.clone();
        cut.extend_from_slice(&line[..28]);
        std::fs::write(&path, &cut).unwrap();

        let err = AuditLog::open(&path, clock()).err().unwrap();
        let msg = err.to_string();
        assert!(
            msg.contains(":3: the last record is incomplete (28 bytes")
                && msg.contains("ceremony audit repair"),
            "{msg}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), cut, "nothing appended");

        let r = repair(&path, clock()).unwrap().unwrap();
        assert_eq!((r.line, r.bytes), (3, 28));
        assert_eq!(std::fs::read(&r.saved).unwrap(), &line[..28]);
        let after = std::fs::read(&path).unwrap();
        assert!(after.starts_with(&whole));
        let s = verify(&after).unwrap();
        // The begin is recorded interrupted, then the repair note.
        assert_eq!(s.records[2].event, Event::Interrupted);
        assert_eq!(s.records[3].event, Event::Note);
        assert!(s.records[3].note.as_ref().unwrap().contains("line 3"));
        // A sound log needs no repair; a tampered one is not "repaired".
        assert!(repair(&path, clock()).unwrap().is_none());
        let mut bad = after.clone();
        bad[40] ^= 1;
        bad.truncate(bad.len() - 3);
        std::fs::write(&path, &bad).unwrap();
        assert!(matches!(
            repair(&path, clock()),
            Err(AppendError::Broken(..))
        ));
        assert_eq!(std::fs::read(&path).unwrap(), bad);
    }
}
