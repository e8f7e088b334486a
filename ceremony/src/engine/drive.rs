//! What the current step awaits, the commands that answer it, and running
//! what needs no one. Every change is recorded before the state shows it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use ksr::env::Prompter;
use serde_json::{json, Value};

use super::apply::verify;
use super::ops_map::OpCtx;
use super::state::*;
use super::step::{sha256_file, words};
use super::*;
use crate::audit::{self, Event, Outcome, Record};
use crate::hsm::{PinSource, TokenSpec};
use crate::script::{Step, StepKind};

impl Engine {
    pub(super) fn step(&self) -> Option<&Step> {
        self.state.current.map(|i| &self.script.steps[i])
    }

    pub(super) fn append(&mut self, r: Record) -> Result<u64, EngineError> {
        let seq = self.log.append(r)?;
        self.state.head = self.log.head().to_string();
        self.state.head_words = words(&self.state.head);
        Ok(seq)
    }

    /// The phrase to type for the current step, if it needs one.
    pub(super) fn phrase(step: &Step) -> Option<String> {
        if let Some(c) = &step.confirm {
            return Some(c.clone());
        }
        match &step.kind {
            StepKind::Instruction | StepKind::Checklist { .. } => Some("yes".into()),
            StepKind::Operation(o) if o.op.irreversible() => Some(
                o.args
                    .get("label")
                    .cloned()
                    .unwrap_or_else(|| step.id.clone()),
            ),
            _ => None,
        }
    }

    /// Sign-offs still missing: (role, people who may sign) and quorum count.
    pub(super) fn missing_signoffs(&self, step: &Step) -> (Vec<(String, Vec<String>)>, usize) {
        let signed = &self.progress.signed;
        let mut missing = Vec::new();
        for r in &step.signoff_roles {
            if !signed.iter().any(|(role, _)| role == r) {
                let people = self
                    .script
                    .role(r)
                    .map(|d| d.people.iter().map(|p| p.name.clone()).collect())
                    .unwrap_or_default();
                missing.push((r.clone(), people));
            }
        }
        let mut need = 0;
        if let Some(q) = step
            .signoff_quorum
            .as_ref()
            .and_then(|q| self.script.quorums.get(q))
        {
            let have: BTreeSet<_> = signed
                .iter()
                .filter(|(r, _)| *r == q.role)
                .map(|(_, p)| p)
                .collect();
            need = q.need.saturating_sub(have.len());
            if need > 0 {
                let people = self
                    .script
                    .role(&q.role)
                    .map(|d| {
                        d.people
                            .iter()
                            .map(|p| p.name.clone())
                            .filter(|n| !have.contains(n))
                            .collect()
                    })
                    .unwrap_or_default();
                if !missing.iter().any(|(r, _)| *r == q.role) {
                    missing.push((q.role.clone(), people));
                }
            }
        }
        (missing, need)
    }

    /// Recomputes what the current step awaits, its status and instructions.
    pub(super) fn refresh(&mut self) {
        let Some(i) = self.state.current else {
            self.state.awaiting = Awaiting::Closed;
            self.state.instructions = Instructions::default();
            return;
        };
        let step = self.script.steps[i].clone();
        self.state.instructions = Instructions {
            title: step.title.clone(),
            text: step.text.clone(),
            checklist: match &step.kind {
                StepKind::Checklist { items } => items.clone(),
                _ => Vec::new(),
            },
        };
        let p = &self.progress;
        let awaiting = if let Some(why) = &p.blocked {
            Awaiting::Deviation { why: why.clone() }
        } else if !p.confirmed && !p.acted && Self::phrase(&step).is_some() {
            Awaiting::Confirm {
                phrase: Self::phrase(&step).unwrap_or_default(),
                irreversible: step.irreversible(),
            }
        } else if let (
            StepKind::Verify {
                artifact,
                expect: None,
            },
            false,
        ) = (&step.kind, p.verified)
        {
            Awaiting::Answer {
                question: format!(
                    "Read the SHA-256 of {artifact} from the out-of-band copy: type it as hex or as its PGP words"
                ),
            }
        } else if !p.acted {
            Awaiting::Nothing
        } else {
            let (missing, need) = self.missing_signoffs(&step);
            if missing.is_empty() && need == 0 {
                Awaiting::Nothing
            } else {
                Awaiting::SignOff { missing, need }
            }
        };
        self.state.steps[i].status = match &awaiting {
            Awaiting::Deviation { .. } if self.state.steps[i].status == StepStatus::Interrupted => {
                StepStatus::Interrupted
            }
            Awaiting::Deviation { .. } => StepStatus::Failed,
            _ => StepStatus::Active,
        };
        self.state.awaiting = awaiting;
    }

    /// Path of an artifact.
    pub(super) fn path(&self, artifact: &str) -> PathBuf {
        artifact_path(&self.script, artifact)
    }

    pub(super) fn add_artifact(&mut self, name: &str, path: &str, sha: &str, step: Option<&str>) {
        self.state.artifacts.retain(|a| a.name != name);
        self.state.artifacts.push(ArtifactView {
            name: name.into(),
            path: path.into(),
            sha256: sha.into(),
            pgp_words: words(sha),
            step: step.map(str::to_string),
        });
    }

    pub(super) fn check(&mut self, name: String, passed: bool, detail: String) {
        self.state.checks.push(CheckView {
            name,
            passed,
            detail,
        });
    }

    /// Completes the current step (`step-done`) and moves to the next; closes after the last.
    pub(super) fn finish_step(&mut self) -> Result<(), EngineError> {
        let Some(i) = self.state.current else {
            return Ok(());
        };
        let id = self.script.steps[i].id.clone();
        let actors: Vec<String> = self
            .progress
            .signed
            .iter()
            .map(|(_, p)| p.clone())
            .collect();
        let mut r = Record::new(Event::StepDone, &id);
        r.ceremony = Some(json!({ "step": id, "actors": actors }));
        self.append(r)?;
        self.state.steps[i].status = StepStatus::Done;
        self.state.steps[i].finished = Some(audit::clock::format(self.log.now()));
        self.next_step(i)
    }

    pub(super) fn next_step(&mut self, i: usize) -> Result<(), EngineError> {
        self.progress = StepProgress::default();
        self.state.progress = None;
        if i + 1 < self.script.steps.len() {
            self.state.current = Some(i + 1);
        } else {
            self.state.current = None;
            let mut r = Record::new(Event::Close, "ceremony run");
            r.ceremony = Some(json!({
                "title": self.script.title,
                "steps": self.script.steps.len(),
                "deviations": self.state.deviations.len(),
                "signoffs": self.state.signoffs.len(),
            }));
            self.append(r)?;
            self.state.messages.push(format!(
                "ceremony closed; audit log head {}",
                self.state.head
            ));
        }
        self.refresh();
        Ok(())
    }

    /// Records a non-operation step's action.
    pub(super) fn record_step(&mut self, detail: Value) -> Result<(), EngineError> {
        let step = self.step().expect("a current step").clone();
        let mut r = Record::new(Event::Step, &step.id);
        let mut c = json!({ "step": step.id, "kind": super::step::kind_of(&step.kind) });
        if let (Value::Object(m), Value::Object(d)) = (&mut c, detail) {
            m.extend(d);
        }
        r.ceremony = Some(c);
        self.append(r)?;
        self.progress.acted = true;
        Ok(())
    }

    pub(super) fn token_spec(&self, name: &str) -> Option<TokenSpec> {
        let t = self.script.tokens.get(name)?;
        Some(TokenSpec {
            module: self.options.module.clone(),
            token: t.label.clone(),
            pin: PinSource::from_file(t.pin_file.as_ref().map(PathBuf::from)),
        })
    }

    /// After `--resume`: every key the log says was generated or restored is on
    /// its token with the DS the log recorded.
    pub(super) fn check_token_matches_log(
        &mut self,
        acted: BTreeMap<String, Value>,
        p: &dyn Prompter,
    ) -> Result<(), EngineError> {
        for step in self.script.steps.clone() {
            let StepKind::Operation(o) = &step.kind else {
                continue;
            };
            let Some(result) = acted.get(&step.id) else {
                continue;
            };
            // keygen reports the key at /key, restore at /key/key.
            let Some(key) = [result.pointer("/key/key"), result.get("key")]
                .into_iter()
                .flatten()
                .find(|k| k.pointer("/ds/digest").is_some())
            else {
                continue;
            };
            let ds = key
                .pointer("/ds/digest")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let label = key
                .get("label")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let spec = self.token_spec(&o.token).expect("checked script");
            let inv = crate::ops::keys::inventory(
                &crate::ops::keys::InventoryInput {
                    token: spec,
                    zone: self.script.zone.clone(),
                },
                p,
            )
            .map_err(|e| {
                EngineError::Mismatch(format!(
                    "resume: cannot read token {:?} to compare it with the log: {e}",
                    o.token
                ))
            })?;
            let found = inv.keys.iter().find(|k| k.label == label);
            let now = found
                .and_then(|k| k.published.as_ref())
                .map(|x| x.ds.digest.clone());
            let ok = now.as_deref() == Some(ds);
            self.check(
                format!("token matches log: {label}"),
                ok,
                format!(
                    "step {}: DS digest in the log {ds}, on the token {}",
                    step.id,
                    now.as_deref().unwrap_or("(no such key)")
                ),
            );
            if !ok {
                return Err(EngineError::Mismatch(format!(
                    "resume refused: the log says step {} made key {label:?} with DS digest {ds}, but token {:?} has {}; this is not the token of this ceremony",
                    step.id,
                    o.token,
                    now.as_deref().unwrap_or("no such key")
                )));
            }
        }
        Ok(())
    }

    /// Runs the current operation step under begin/end records.
    pub(super) fn run_operation(&mut self, p: &dyn Prompter) -> Result<(), EngineError> {
        let step = self.step().expect("a current step").clone();
        let StepKind::Operation(o) = &step.kind else {
            return Ok(());
        };
        let token = self
            .script
            .tokens
            .get(&o.token)
            .expect("checked script")
            .clone();
        let verified = step
            .inputs
            .iter()
            .filter_map(|(role, a)| {
                let c = self
                    .state
                    .checks
                    .iter()
                    .rev()
                    .find(|c| c.passed && c.name == format!("verify {a}"))?;
                Some((role.clone(), c.detail.clone()))
            })
            .collect();
        let ctx = OpCtx {
            op: o.op,
            module: self.options.module.clone(),
            zone: self.script.zone.clone(),
            now: self.log.now(),
            token: &token,
            args: o.args.clone(),
            inputs: step
                .inputs
                .iter()
                .map(|(r, a)| (r.clone(), self.path(a)))
                .collect(),
            outputs: step
                .outputs
                .iter()
                .map(|(r, a)| (r.clone(), self.path(a)))
                .collect(),
            verified,
        };
        let job = match ctx.job() {
            Ok(j) => j,
            Err(e) => {
                self.progress.blocked = Some(format!("step {}: {e}", step.id));
                self.refresh();
                return Ok(());
            }
        };
        let op = job.operation();
        let mut begin = Record::new(Event::Begin, op.name());
        // The operation by meaning, as single commands record it.
        begin.operation = Some(serde_json::to_value(&op).expect("operations serialise"));
        begin.token = op.token().map(str::to_string);
        begin.keys = op.keys();
        // The bytes the operation read once, where it does (sign-ksr), so the
        // record names what is signed; else the files as they are now.
        let read = op.input_refs();
        begin.files = step
            .inputs
            .iter()
            .map(|(role, a)| {
                read.iter()
                    .find(|f| f.role == *role && f.path == self.path(a).display().to_string())
                    .map(|f| audit::FileRef {
                        role: a.clone(),
                        ..f.clone()
                    })
                    .unwrap_or_else(|| audit::file_ref(a, &self.path(a)))
            })
            .collect();
        begin.note = op.note();
        begin.ceremony = Some(json!({ "step": step.id, "op": o.op.name(), "line": step.line }));
        let begin_seq = self.append(begin.clone())?;
        let i = self.state.current.expect("current");
        self.state.steps[i].status = StepStatus::Running;
        self.state.progress = Some(Progress {
            what: op.name().to_string(),
            done: 0,
            total: 1,
        });
        let mut plog = super::progress::ProgressLog {
            what: op.name().to_string(),
            text: Vec::new(),
            last: None,
            sink: self.progress_sink.as_mut(),
        };
        let result = job.run(p, &mut plog);
        let progress_log = std::mem::take(&mut plog.text);
        self.state.progress = plog.last.take();
        let (exit, error) = match &result {
            Ok(_) => (0, None),
            Err(e) => (e.exit_code(), Some(e.to_string())),
        };
        let mut end = audit::chain::end_record(
            &begin,
            begin_seq,
            Outcome {
                exit,
                error: error.clone(),
            },
        );
        let mut c = json!({ "step": step.id, "op": o.op.name() });
        if let Ok(v) = &result {
            c["result"] = v.clone();
            end.files = step
                .outputs
                .values()
                .map(|a| audit::file_ref(a, &self.path(a)))
                .collect();
        }
        end.ceremony = Some(c);
        self.append(end)?;
        match result {
            Ok(v) => {
                for a in step.outputs.values().cloned().collect::<Vec<_>>() {
                    let path = self.path(&a);
                    if let Ok(sha) = sha256_file(&path) {
                        self.add_artifact(&a, &path.display().to_string(), &sha, Some(&step.id));
                    }
                }
                if let Some(ts) = self.state.tokens.iter_mut().find(|t| t.name == o.token) {
                    ts.state = "logged in".into();
                    if let Some(keys) = v.get("keys").and_then(Value::as_array) {
                        ts.keys = keys
                            .iter()
                            .filter_map(|k| k.get("label")?.as_str().map(str::to_string))
                            .collect();
                    }
                }
                if let Some(ds) = v.pointer("/key/ds/digest").and_then(Value::as_str) {
                    self.state
                        .messages
                        .push(format!("{}: DS digest {ds}", step.id));
                }
                self.check(
                    format!("{} {}", step.id, o.op.name()),
                    true,
                    "succeeded".into(),
                );
                self.progress.acted = true;
            }
            Err(e) => {
                // The operation's own check report says which check failed and why.
                for line in String::from_utf8_lossy(&progress_log).lines() {
                    if line.starts_with("FAIL") {
                        self.check(
                            line.split_whitespace()
                                .nth(1)
                                .unwrap_or("check")
                                .to_string(),
                            false,
                            line.to_string(),
                        );
                    }
                }
                self.check(format!("{} {}", step.id, o.op.name()), false, e.to_string());
                self.progress.blocked = Some(format!("step {} failed: {e}", step.id));
            }
        }
        self.refresh();
        Ok(())
    }
}

pub(super) fn advance(e: &mut Engine, p: &dyn Prompter) -> Result<(), EngineError> {
    if let Some(acted) = e.resume_checks.take() {
        e.check_token_matches_log(acted, p)?;
    }
    loop {
        e.refresh();
        if e.state.awaiting != Awaiting::Nothing {
            return Ok(());
        }
        let step = e.step().expect("not closed").clone();
        if !e.progress.acted {
            match &step.kind {
                StepKind::Operation(_) => e.run_operation(p)?,
                StepKind::Verify {
                    artifact,
                    expect: Some(x),
                } => {
                    let (a, x) = (artifact.clone(), x.clone());
                    verify(e, &a, &x, "script")?;
                }
                StepKind::SignOff => e.record_step(json!({}))?,
                _ => e.record_step(json!({ "confirmed": true }))?,
            }
            continue;
        }
        e.finish_step()?;
    }
}

/// Where `artifact` (a name from the script's files, or else a path) lives.
pub(super) fn artifact_path(script: &Script, artifact: &str) -> PathBuf {
    PathBuf::from(
        script
            .files
            .get(artifact)
            .map(|f| f.path.as_str())
            .unwrap_or(artifact),
    )
}
