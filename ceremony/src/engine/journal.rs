//! The audit records of a ceremony, and reading them back for `--resume`.
//!
//! Records (all in the existing hash-chained log, `crate::audit`):
//! `ceremony-start` (script title, zone and SHA-256, roles, enrolled sign-off
//! keys, the input files' hashes); per operation step the usual `begin`/`end`
//! pair with `ceremony.step`; `step` for the other kinds; `sign-off`;
//! `deviation`; `step-done` once a step and its sign-offs are complete; `close`.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::audit::{Event, Record};

/// What an existing log says about the ceremony.
#[derive(Debug, Default)]
pub struct Journal {
    /// SHA-256 of the script the log was started with.
    pub script_sha256: Option<String>,
    /// Steps complete (step-done or deviation).
    pub done: BTreeMap<String, String>,
    pub deviated: BTreeMap<String, Value>,
    /// Operation steps that ended well: step -> the end record's result.
    pub acted: BTreeMap<String, Value>,
    /// Non-operation steps recorded (confirmed, verified).
    pub stepped: BTreeMap<String, Value>,
    /// Operation steps that failed: step -> error.
    pub failed: BTreeMap<String, String>,
    /// Operation steps begun and never ended.
    pub interrupted: Vec<String>,
    /// Sign-offs per step: (role, person, method, time).
    pub signoffs: BTreeMap<String, Vec<(String, String, Value, String)>>,
    pub closed: bool,
    /// Output files by artifact name: (path, sha256, step).
    pub artifacts: Vec<(String, String, String, Option<String>)>,
}

fn step_of(r: &Record) -> Option<String> {
    r.ceremony
        .as_ref()?
        .get("step")?
        .as_str()
        .map(str::to_string)
}

/// Reads the ceremony records of a verified log.
pub fn read(records: &[Record]) -> Journal {
    let mut j = Journal::default();
    let mut begins: BTreeMap<u64, String> = BTreeMap::new();
    for r in records {
        let step = step_of(r);
        match (r.event, step) {
            (Event::CeremonyStart, _) => {
                j.script_sha256 = r
                    .ceremony
                    .as_ref()
                    .and_then(|c| c.get("script_sha256"))
                    .and_then(Value::as_str)
                    .map(str::to_string);
                for f in &r.files {
                    if let Some(h) = &f.sha256 {
                        j.artifacts
                            .push((f.role.clone(), f.path.clone(), h.clone(), None));
                    }
                }
            }
            (Event::Begin, Some(s)) => {
                begins.insert(r.seq, s);
            }
            (Event::End, Some(s)) => {
                let ok = r.outcome.as_ref().is_some_and(|o| o.exit == 0);
                if ok {
                    let result = r
                        .ceremony
                        .as_ref()
                        .and_then(|c| c.get("result"))
                        .cloned()
                        .unwrap_or(Value::Null);
                    j.acted.insert(s.clone(), result);
                    j.failed.remove(&s);
                    for f in &r.files {
                        if let Some(h) = &f.sha256 {
                            let name = f.role.clone();
                            j.artifacts.retain(|a| a.0 != name);
                            j.artifacts
                                .push((name, f.path.clone(), h.clone(), Some(s.clone())));
                        }
                    }
                } else {
                    let e = r
                        .outcome
                        .as_ref()
                        .and_then(|o| o.error.clone())
                        .unwrap_or_default();
                    j.failed.insert(s.clone(), e);
                }
                j.interrupted.retain(|x| x != &s);
            }
            (Event::Interrupted, _) => {
                if let Some(s) = r.begin.and_then(|b| begins.get(&b)) {
                    if !j.acted.contains_key(s) {
                        j.interrupted.push(s.clone());
                    }
                }
            }
            (Event::Step, Some(s)) => {
                let c = r.ceremony.clone().unwrap_or(Value::Null);
                if c.get("matched").and_then(Value::as_bool) == Some(false) {
                    // A mismatched verification stays a failure until a deviation.
                    j.failed
                        .insert(s, "the SHA-256 did not match the out-of-band value".into());
                } else {
                    j.stepped.insert(s, c);
                }
            }
            (Event::SignOff, Some(s)) => {
                let c = r.ceremony.clone().unwrap_or(Value::Null);
                let g = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or("").to_string();
                j.signoffs.entry(s).or_default().push((
                    g("role"),
                    g("person"),
                    c.clone(),
                    r.time.clone(),
                ));
            }
            (Event::Deviation, Some(s)) => {
                j.deviated
                    .insert(s.clone(), r.ceremony.clone().unwrap_or(Value::Null));
                j.done.insert(s.clone(), r.time.clone());
                j.interrupted.retain(|x| x != &s);
                j.failed.remove(&s);
            }
            (Event::StepDone, Some(s)) => {
                j.done.insert(s, r.time.clone());
            }
            (Event::Close, _) => j.closed = true,
            _ => {}
        }
    }
    j
}
