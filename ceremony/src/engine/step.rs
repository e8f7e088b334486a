//! Running the current step: what it awaits, applying commands, running
//! operations, and the records each writes.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::journal::{self, Journal};
use super::state::*;
use super::*;
use crate::audit::{self, Event, Record};
use crate::script::StepKind;

pub(super) fn words(hex_digest: &str) -> String {
    hex::decode(hex_digest)
        .map(|b| ksr::digest::pgp_words(&b).join(" "))
        .unwrap_or_default()
}

pub(super) fn sha256_file(path: &std::path::Path) -> Result<String, String> {
    std::fs::File::open(path)
        .and_then(ksr::digest::sha256_reader)
        .map(hex::encode)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// `${name}` replaced from `vars`; an unknown name is an error.
fn expand(s: &str, vars: &BTreeMap<String, String>) -> Result<String, EngineError> {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let Some(j) = after.find('}') else {
            return Err(EngineError::Input(format!("unclosed ${{ in {s:?}")));
        };
        let name = &after[..j];
        let v = vars.get(name).ok_or_else(|| {
            EngineError::Input(format!(
                "{s:?} uses ${{{name}}}, which neither the script's [vars] nor --var sets"
            ))
        })?;
        out.push_str(v);
        rest = &after[j + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn expand_script(s: &Script, vars: &BTreeMap<String, String>) -> Result<Script, EngineError> {
    let mut s = s.clone();
    let ex = |x: &mut String| -> Result<(), EngineError> {
        *x = expand(x, vars)?;
        Ok(())
    };
    for t in s.tokens.values_mut() {
        ex(&mut t.label)?;
        for f in [&mut t.pin_file, &mut t.so_pin_file, &mut t.softhsm]
            .into_iter()
            .flatten()
        {
            ex(f)?;
        }
    }
    for f in s.files.values_mut() {
        ex(&mut f.path)?;
    }
    for st in &mut s.steps {
        ex(&mut st.text)?;
        if let Some(c) = &mut st.confirm {
            ex(c)?;
        }
        match &mut st.kind {
            StepKind::Operation(o) => {
                for v in o.args.values_mut() {
                    ex(v)?;
                }
            }
            StepKind::Verify {
                expect: Some(e), ..
            } => ex(e)?,
            _ => {}
        }
    }
    Ok(s)
}

pub(super) fn kind_of(k: &StepKind) -> &'static str {
    match k {
        StepKind::Instruction => "instruction",
        StepKind::Checklist { .. } => "checklist",
        StepKind::Operation(_) => "operation",
        StepKind::Verify { .. } => "verify",
        StepKind::SignOff => "sign-off",
    }
}

/// Before the log opens: no step's output is the audit log or a file no
/// output may replace (a symbolic link, a directory, a FIFO); found at the
/// start, not after the steps before it have run.
fn check_outputs(script: &Script, audit_log: &std::path::Path) -> Result<(), EngineError> {
    for step in &script.steps {
        for (name, artifact) in &step.outputs {
            let path = super::drive::artifact_path(script, artifact);
            let option = format!("step {}, output {name}", step.id);
            crate::file::refuse_audit_log(&option, &path, audit_log)
                .map_err(|e| EngineError::Input(e.to_string()))?;
            ksr::output::check_kind(&path)
                .map_err(|e| EngineError::Input(format!("{option}: {e}")))?;
        }
    }
    Ok(())
}

pub(super) fn start(
    script: Script,
    options: RunOptions,
    clock: BoxClock,
) -> Result<Engine, EngineError> {
    let mut vars = script.vars.clone();
    vars.extend(options.vars.clone());
    // Variables may use each other (`pins = "${dir}"`); a few passes settle them.
    for _ in 0..4 {
        let snapshot = vars.clone();
        for v in vars.values_mut() {
            if v.contains("${") {
                *v = expand(v, &snapshot)?;
            }
        }
    }
    let script = expand_script(&script, &vars)?;
    // A SoftHSM the script names is found through SOFTHSM2_CONF (read when
    // the module loads): set it for a resumed run as `init` did for the first.
    if let Some(conf) = script
        .tokens
        .values()
        .filter_map(|t| t.softhsm.as_ref())
        .map(|d| std::path::Path::new(d).join("softhsm2.conf"))
        .find(|c| c.exists())
    {
        std::env::set_var("SOFTHSM2_CONF", conf);
    }
    check_outputs(&script, &options.audit_log)?;
    let script_sha256 = sha256_file(&options.script_path).map_err(EngineError::Input)?;
    let existed = options.audit_log.exists();
    let mut log = AuditLog::open(&options.audit_log, clock)?;
    let records = read_log(&options.audit_log)?;
    let j = journal::read(&records);
    match (&j.script_sha256, options.resume) {
        (Some(_), false) => {
            return Err(EngineError::Mismatch(format!(
                "{}: this log already holds a ceremony; continue it with --resume, or start a new log",
                options.audit_log.display()
            )))
        }
        (Some(h), true) if *h != script_sha256 => {
            return Err(EngineError::Mismatch(format!(
                "{}: the log's ceremony was started with a script whose SHA-256 is {h}, not {} ({script_sha256}); resume with the same script",
                options.audit_log.display(),
                options.script_path.display()
            )))
        }
        (None, true) if existed => {
            return Err(EngineError::Mismatch(format!(
                "{}: no ceremony to resume in this log",
                options.audit_log.display()
            )))
        }
        _ => {}
    }
    if j.closed {
        return Err(EngineError::Mismatch(format!(
            "{}: the ceremony in this log is closed; nothing to resume",
            options.audit_log.display()
        )));
    }
    if j.script_sha256.is_none() {
        let mut r = Record::new(Event::CeremonyStart, "ceremony run");
        let enrolled: BTreeMap<&str, &str> = script
            .roles
            .iter()
            .flat_map(|r| &r.people)
            .filter_map(|p| Some((p.name.as_str(), p.key_sha256.as_deref()?)))
            .collect();
        let roles: Vec<Value> = script
            .roles
            .iter()
            .map(|r| json!({"id": r.id, "name": r.name, "people": r.people.iter().map(|p| &p.name).collect::<Vec<_>>()}))
            .collect();
        r.ceremony = Some(json!({
            "title": script.title,
            "zone": script.zone,
            "script": options.script_path.display().to_string(),
            "script_sha256": script_sha256,
            "roles": roles,
            "enrolled": enrolled,
            "steps": script.steps.iter().map(|s| &s.id).collect::<Vec<_>>(),
        }));
        r.files = script
            .files
            .iter()
            .filter(|(_, f)| f.external)
            .map(|(name, f)| audit::file_ref(name, std::path::Path::new(&f.path)))
            .collect();
        log.append(r)?;
    }
    let state = initial_state(&script, &options, log.head());
    let mut e = Engine {
        script,
        options,
        log,
        state,
        progress: StepProgress::default(),
        resume_checks: None,
        progress_sink: None,
    };
    e.resume_from(read_log(&e.options.audit_log)?);
    Ok(e)
}

fn read_log(path: &std::path::Path) -> Result<Vec<Record>, EngineError> {
    let bytes =
        std::fs::read(path).map_err(|e| EngineError::Input(format!("{}: {e}", path.display())))?;
    audit::verify(&bytes)
        .map(|s| s.records)
        .map_err(|b| EngineError::Audit(audit::AppendError::Broken(path.to_path_buf(), b)))
}

fn initial_state(script: &Script, options: &RunOptions, head: &str) -> State {
    State {
        title: script.title.clone(),
        zone: script.zone.clone(),
        script: options.script_path.display().to_string(),
        audit_log: options.audit_log.display().to_string(),
        steps: script
            .steps
            .iter()
            .map(|s| StepView {
                id: s.id.clone(),
                title: s.title.clone(),
                kind: kind_of(&s.kind),
                op: match &s.kind {
                    StepKind::Operation(o) => Some(o.op.name()),
                    _ => None,
                },
                irreversible: s.irreversible(),
                status: StepStatus::Pending,
                line: s.line,
                finished: None,
            })
            .collect(),
        current: None,
        roles: script
            .roles
            .iter()
            .map(|r| RoleView {
                id: r.id.clone(),
                name: r.name.clone(),
                people: r
                    .people
                    .iter()
                    .map(|p| PersonView {
                        name: p.name.clone(),
                        enrolled_key: p.key_sha256.is_some(),
                    })
                    .collect(),
            })
            .collect(),
        signoffs: Vec::new(),
        tokens: script
            .tokens
            .iter()
            .map(|(n, t)| TokenStatus {
                name: n.clone(),
                label: t.label.clone(),
                state: "not checked".into(),
                keys: Vec::new(),
            })
            .collect(),
        instructions: Instructions::default(),
        awaiting: Awaiting::Nothing,
        artifacts: Vec::new(),
        checks: Vec::new(),
        deviations: Vec::new(),
        progress: None,
        head: head.to_string(),
        head_words: words(head),
        messages: Vec::new(),
    }
}

impl Engine {
    /// Positions the engine after what the log says was done.
    fn resume_from(&mut self, records: Vec<Record>) {
        let j: Journal = journal::read(&records);
        for (name, path, sha, step) in &j.artifacts {
            self.state.artifacts.push(ArtifactView {
                name: name.clone(),
                path: path.clone(),
                sha256: sha.clone(),
                pgp_words: words(sha),
                step: step.clone(),
            });
        }
        for (step, list) in &j.signoffs {
            for (role, person, c, time) in list {
                self.state
                    .signoffs
                    .push(signoff_view(step, role, person, c, time));
            }
        }
        // Verifications done before the resume still vouch for their files.
        for c in j.stepped.values() {
            if c.get("matched").and_then(Value::as_bool) == Some(true) {
                let g = |k: &str| {
                    c.get(k)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string()
                };
                self.state.checks.push(CheckView {
                    name: format!("verify {}", g("artifact")),
                    passed: true,
                    detail: g("sha256"),
                });
            }
        }
        for (step, d) in &j.deviated {
            self.state.deviations.push(deviation_view(step, d, ""));
        }
        let mut current = None;
        for (i, s) in self.script.steps.iter().enumerate() {
            let v = &mut self.state.steps[i];
            if let Some(t) = j.done.get(&s.id) {
                v.status = if j.deviated.contains_key(&s.id) {
                    StepStatus::Deviated
                } else {
                    StepStatus::Done
                };
                v.finished = Some(t.clone());
            } else if current.is_none() {
                current = Some(i);
            }
        }
        self.state.current = current;
        self.resume_checks = Some(j.acted.clone());
        if let Some(i) = current {
            let id = self.script.steps[i].id.clone();
            let mut p = StepProgress {
                acted: j.acted.contains_key(&id) || j.stepped.contains_key(&id),
                signed: j
                    .signoffs
                    .get(&id)
                    .map(|l| {
                        l.iter()
                            .map(|(r, p, _, _)| (r.clone(), p.clone()))
                            .collect()
                    })
                    .unwrap_or_default(),
                ..StepProgress::default()
            };
            p.confirmed = p.acted;
            p.verified = p.acted;
            let step = &self.script.steps[i];
            if let Some(e) = j.failed.get(&id) {
                p.blocked = Some(format!("step {id} failed in an earlier run: {e}"));
            } else if j.interrupted.contains(&id) && !p.acted {
                if step.on_interrupt == crate::script::InterruptRule::Deviation {
                    p.blocked = Some(format!(
                        "step {id} was interrupted mid-way in an earlier run; it is irreversible or the script says so, so it is not repeated: record a deviation (what was found on the token, what is done instead)"
                    ));
                } else {
                    self.state.messages.push(format!(
                        "step {id} was interrupted in an earlier run; the script says retry: it runs again"
                    ));
                }
            }
            self.progress = p;
        }
        self.refresh();
    }
}

pub(super) fn signoff_view(
    step: &str,
    role: &str,
    person: &str,
    c: &Value,
    time: &str,
) -> SignOffView {
    SignOffView {
        step: step.to_string(),
        role: role.to_string(),
        person: person.to_string(),
        method: match c.get("key_sha256").and_then(Value::as_str) {
            Some(h) => SignOffMethod::Key {
                key_sha256: h.to_string(),
            },
            None => SignOffMethod::Name,
        },
        time: time.to_string(),
    }
}

pub(super) fn deviation_view(step: &str, d: &Value, time: &str) -> DeviationView {
    let g = |k: &str| d.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    DeviationView {
        step: step.to_string(),
        reason: g("reason"),
        approved_by: d
            .get("approved_by")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        instead: g("instead"),
        time: time.to_string(),
    }
}
