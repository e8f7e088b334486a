//! One audit record and its line: JSON with a fixed field order, closed by the
//! record's own hash, so a line can be checked byte for byte without trusting
//! any re-serialisation.
//!
//! ```text
//! {"seq":1,...,"prev":"000…0","hash":"<sha-256 of the line up to ,"hash" plus "}">"}
//! ```

use serde::{Deserialize, Serialize};

/// `prev` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What a record says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Event {
    /// The first record of a new log.
    LogStart,
    /// Written (and synced) before a command touches the token or writes a file.
    Begin,
    /// The command's outcome and its outputs' hashes.
    End,
    /// A `begin` with no `end`: the process died mid-command. Written by the next
    /// command that opens the log, so the gap is recorded, never hidden.
    Interrupted,
    /// Free text from an officer.
    Note,
    /// A scripted ceremony starts: the script's title and SHA-256, its roles and enrolled keys.
    CeremonyStart,
    /// A non-operation step done (instruction, checklist, verify, sign-off step).
    Step,
    /// A person's sign-off for a step (by name, or a signature over the head).
    SignOff,
    /// A step not done as scripted: reason, approvers, what was done instead.
    Deviation,
    /// A step complete with all its sign-offs.
    StepDone,
    /// The ceremony is closed: nothing may follow this record.
    Close,
}

impl Event {
    pub fn as_str(self) -> &'static str {
        match self {
            Event::LogStart => "log-start",
            Event::Begin => "begin",
            Event::End => "end",
            Event::Interrupted => "interrupted",
            Event::Note => "note",
            Event::CeremonyStart => "ceremony-start",
            Event::Step => "step",
            Event::SignOff => "sign-off",
            Event::Deviation => "deviation",
            Event::StepDone => "step-done",
            Event::Close => "close",
        }
    }
}

/// A file a command read or wrote, by role (`ksr`, `skr`, `backup`...). PIN files
/// are never listed: a hash of a short PIN can be brute-forced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileRef {
    pub role: String,
    pub path: String,
    /// Hex SHA-256, or null when the file could not be read (then `error` says why).
    pub sha256: Option<String>,
    pub error: Option<String>,
}

/// How a command ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    pub exit: i32,
    pub error: Option<String>,
}

/// One record. Field order here is the order on the line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// 1 for the first line, then +1 per line: the line number.
    pub seq: u64,
    pub time: String,
    pub event: Event,
    /// The subcommand (`sign-ksr`, `backup export`), empty for log-start.
    pub command: String,
    /// Always empty in records written now. Logs written before operations
    /// were recorded by meaning held the raw command line here; the field stays
    /// so those logs keep their exact bytes and still verify.
    pub args: Vec<String>,
    /// `begin`: what the command does, by meaning (`crate::ops::Operation`:
    /// files by path, PINs only as `file` or `prompt`), never its raw
    /// arguments. Absent from older records, whose lines stay as they were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<serde_json::Value>,
    pub token: Option<String>,
    pub keys: Vec<String>,
    /// `begin`: files read; `end`: files written.
    pub files: Vec<FileRef>,
    /// `end` and `interrupted`: the `seq` of the `begin` they close.
    pub begin: Option<u64>,
    pub outcome: Option<Outcome>,
    pub note: Option<String>,
    /// A scripted ceremony's details (step id, actors, sign-off, deviation);
    /// absent from records of single commands, whose lines stay as they were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ceremony: Option<serde_json::Value>,
    /// Hash of the previous record, or [`GENESIS`].
    pub prev: String,
}

const HASH_KEY: &[u8] = b",\"hash\":\"";

impl Record {
    /// A record with every optional part empty.
    pub fn new(event: Event, command: &str) -> Record {
        Record {
            seq: 0,
            time: String::new(),
            event,
            command: command.to_string(),
            args: Vec::new(),
            operation: None,
            token: None,
            keys: Vec::new(),
            files: Vec::new(),
            begin: None,
            outcome: None,
            note: None,
            ceremony: None,
            prev: String::new(),
        }
    }

    /// The line (with its newline) and the record's hash.
    pub fn to_line(&self) -> (Vec<u8>, String) {
        let body = serde_json::to_vec(self).expect("a record always serialises");
        let hash = hex::encode(ksr::digest::sha256(&body));
        let mut line = body;
        line.pop(); // the closing brace
        line.extend_from_slice(HASH_KEY);
        line.extend_from_slice(hash.as_bytes());
        line.extend_from_slice(b"\"}\n");
        (line, hash)
    }

    /// Parses one line (without its newline) and checks that its hash covers it
    /// exactly. Returns the record and its hash.
    pub fn from_line(line: &[u8]) -> Result<(Record, String), String> {
        let tail_len = HASH_KEY.len() + 64 + 2;
        if line.len() < tail_len + 2 || !line.ends_with(b"\"}") {
            return Err("not an audit record (it must end with its \"hash\")".into());
        }
        let split = line.len() - tail_len;
        if &line[split..split + HASH_KEY.len()] != HASH_KEY {
            return Err("not an audit record (it must end with its \"hash\")".into());
        }
        let claimed = std::str::from_utf8(&line[split + HASH_KEY.len()..line.len() - 2])
            .map_err(|_| "the hash is not hex".to_string())?;
        if !claimed
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err("the hash is not lowercase hex".into());
        }
        let mut body = line[..split].to_vec();
        body.push(b'}');
        let actual = hex::encode(ksr::digest::sha256(&body));
        if actual != claimed {
            return Err(format!(
                "the record was altered: its content hashes to {actual}, the line says {claimed}"
            ));
        }
        let record: Record =
            serde_json::from_slice(&body).map_err(|e| format!("not an audit record: {e}"))?;
        // The hash covers the bytes; this makes sure those bytes are the canonical
        // form, so two tools writing the same record agree on its hash.
        if serde_json::to_vec(&record).expect("serialises") != body {
            return Err("the record is not in canonical form".into());
        }
        Ok((record, actual))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Record {
        let mut r = Record::new(Event::Begin, "sign-ksr");
        r.seq = 1;
        r.time = "2017-03-20T00:00:00Z".into();
        r.args = vec!["sign-ksr".into(), "k.xml".into()];
        r.prev = GENESIS.into();
        r
    }

    #[test]
    fn line_round_trips_and_is_deterministic() {
        let (a, ha) = sample().to_line();
        let (b, hb) = sample().to_line();
        assert_eq!(a, b);
        assert_eq!(ha, hb);
        assert!(a.starts_with(b"{\"seq\":1,\"time\":\"2017-03-20T00:00:00Z\",\"event\":\"begin\""));
        let (r, h) = Record::from_line(&a[..a.len() - 1]).unwrap();
        assert_eq!(r, sample());
        assert_eq!(h, ha);
    }

    /// Logs written before operations were recorded by meaning hold the raw
    /// command line in `args` and no `operation`: they still verify.
    #[test]
    fn records_with_raw_arguments_and_no_operation_still_verify() {
        let mut log = Vec::new();
        let mut start = Record::new(Event::LogStart, "");
        start.seq = 1;
        start.prev = GENESIS.into();
        let (line, head) = start.to_line();
        log.extend_from_slice(&line);
        let mut old = sample();
        old.seq = 2;
        old.prev = head;
        let (line, _) = old.to_line();
        assert!(!String::from_utf8_lossy(&line).contains("\"operation\""));
        log.extend_from_slice(&line);
        let s = crate::audit::verify(&log).unwrap();
        assert_eq!(s.records[1].args, ["sign-ksr", "k.xml"]);
        assert_eq!(s.records[1].operation, None);
    }

    #[test]
    fn any_changed_byte_is_refused() {
        let (line, _) = sample().to_line();
        let line = &line[..line.len() - 1];
        for i in 0..line.len() {
            let mut bad = line.to_vec();
            bad[i] ^= 0x01;
            assert!(
                Record::from_line(&bad).is_err(),
                "byte {i} changed unnoticed"
            );
        }
    }

    #[test]
    fn non_canonical_json_is_refused() {
        let (line, _) = sample().to_line();
        let text = String::from_utf8(line[..line.len() - 1].to_vec()).unwrap();
        // Re-hash a spaced-out body so only canonical form can fail.
        let spaced = text.replacen("\"seq\":1", "\"seq\": 1", 1);
        let split = spaced.find(",\"hash\":\"").unwrap();
        let body = format!("{}}}", &spaced[..split]);
        let hash = hex::encode(ksr::digest::sha256(body.as_bytes()));
        let forged = format!("{},\"hash\":\"{hash}\"}}", &spaced[..split]);
        let err = Record::from_line(forged.as_bytes()).unwrap_err();
        assert!(err.contains("canonical"), "{err}");
    }
}
