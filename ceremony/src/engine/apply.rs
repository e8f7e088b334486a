//! Applying a person's command to the current step (confirmations, typed
//! values, sign-offs, deviations) and the verification of a file against an
//! out-of-band value.

use std::collections::BTreeSet;

use ksr::env::Prompter;
use serde_json::json;

use super::state::*;
use super::step::{deviation_view, sha256_file, signoff_view, words};
use super::*;
use crate::audit::{self, Event, Record};
use crate::script::{Step, StepKind};

/// Compares an artifact's SHA-256 with `value` (hex or PGP words). A mismatch
/// blocks the step: only a deviation moves on.
pub(super) fn verify(
    e: &mut Engine,
    artifact: &str,
    value: &str,
    from: &str,
) -> Result<(), EngineError> {
    let path = e.path(artifact);
    let sha = sha256_file(&path).map_err(EngineError::Input)?;
    // `recorded`: read back against the hash taken when a step produced it.
    let recorded;
    let value = if value == "recorded" {
        recorded = e
            .state
            .artifacts
            .iter()
            .find(|a| a.name == artifact && a.step.is_some())
            .map(|a| a.sha256.clone())
            .ok_or_else(|| {
                EngineError::Input(format!(
                    "{artifact}: no step of this ceremony recorded its hash"
                ))
            })?;
        recorded.as_str()
    } else {
        value
    };
    let w = words(&sha);
    let norm = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_ascii_lowercase()
    };
    let given = norm(value);
    let ok = given.replace(' ', "") == sha || given == norm(&w);
    if !e.state.artifacts.iter().any(|a| a.name == artifact) {
        e.add_artifact(artifact, &path.display().to_string(), &sha, None);
    }
    e.check(
        format!("verify {artifact}"),
        ok,
        if ok {
            sha.clone()
        } else {
            format!("SHA-256 {sha} does not match the out-of-band value {value:?}")
        },
    );
    e.progress.verified = true;
    if ok {
        e.record_step(json!({ "artifact": artifact, "sha256": sha, "pgp_words": w, "compared_with": from, "matched": true }))?;
    } else {
        let step = e.step().expect("current").id.clone();
        let mut r = Record::new(Event::Step, &step);
        r.ceremony = Some(
            json!({ "step": step, "kind": "verify", "artifact": artifact, "sha256": sha, "matched": false }),
        );
        e.append(r)?;
        e.progress.blocked = Some(format!(
            "{artifact}: its SHA-256 does not match the out-of-band value; stop and investigate"
        ));
    }
    Ok(())
}

pub(super) fn send(e: &mut Engine, cmd: Command, p: &dyn Prompter) -> Result<(), EngineError> {
    e.refresh();
    let step = e
        .step()
        .ok_or_else(|| EngineError::Refused("the ceremony is closed".into()))?
        .clone();
    let refuse = |m: String| Err(EngineError::Refused(m));
    match (cmd, e.state.awaiting.clone()) {
        (Command::Deviation(d), _) => deviation(e, &step, d),
        (Command::Confirm { typed }, Awaiting::Confirm { phrase, .. }) => {
            if typed.trim() != phrase {
                return refuse(format!(
                    "step {}: type {phrase:?} exactly to confirm",
                    step.id
                ));
            }
            e.progress.confirmed = true;
            Ok(())
        }
        (Command::Answer { text }, Awaiting::Answer { .. }) => {
            let StepKind::Verify { artifact, .. } = &step.kind else {
                unreachable!()
            };
            verify(e, artifact, &text, "officer")
        }
        (Command::SignOff { role, person, key }, Awaiting::SignOff { missing, .. }) => {
            let Some((_, people)) = missing.iter().find(|(r, _)| *r == role) else {
                return refuse(format!(
                    "step {}: no sign-off by role {role:?} is needed now",
                    step.id
                ));
            };
            if !people.contains(&person) {
                return refuse(format!(
                    "step {}: {person:?} is not a {role} who may still sign off",
                    step.id
                ));
            }
            let decl = e
                .script
                .role(&role)
                .and_then(|r| r.people.iter().find(|x| x.name == person))
                .cloned()
                .expect("listed");
            let head = e.log.head().to_string();
            let c = match (key, &decl.key_sha256) {
                (Some(k), Some(enrolled)) => {
                    let spec = e.token_spec(&k.token).ok_or_else(|| EngineError::Refused(format!("no token {:?} in the script", k.token)))?;
                    signoff::sign(
                        &spec,
                        &k.key_label,
                        enrolled,
                        signoff::SignOffFor {
                            step: &step.id,
                            role: &role,
                            person: &person,
                            head: &head,
                        },
                        p,
                    ).map_err(EngineError::Refused)?
                }
                (Some(_), None) => return refuse(format!("{person} has no sign-off key enrolled in the script; a key sign-off by them is refused")),
                (None, _) => json!({ "step": step.id, "role": role, "person": person, "method": "name" }),
            };
            let mut r = Record::new(Event::SignOff, &step.id);
            r.ceremony = Some(c.clone());
            e.append(r)?;
            let t = audit::clock::format(e.log.now());
            e.state
                .signoffs
                .push(signoff_view(&step.id, &role, &person, &c, &t));
            e.progress.signed.push((role, person));
            Ok(())
        }
        (cmd, awaiting) => refuse(format!(
            "step {}: {cmd:?} does not answer what the step awaits ({awaiting:?})",
            step.id
        )),
    }
}

fn deviation(e: &mut Engine, step: &Step, d: DeviationRequest) -> Result<(), EngineError> {
    let Some(q) = e.script.quorums.get(&d.quorum).cloned() else {
        return Err(EngineError::Refused(format!(
            "deviation: no quorum {:?} in the script",
            d.quorum
        )));
    };
    let role = e.script.role(&q.role).cloned().expect("checked script");
    let approvers: BTreeSet<&String> = d.approved_by.iter().collect();
    if let Some(x) = approvers
        .iter()
        .find(|a| !role.people.iter().any(|p| &&p.name == *a))
    {
        return Err(EngineError::Refused(format!(
            "deviation: {x:?} is not a {}",
            role.name
        )));
    }
    if approvers.len() < q.need {
        return Err(EngineError::Refused(format!(
            "deviation: approved by {} of the {} {} quorum {:?} needs; refused",
            approvers.len(),
            q.need,
            role.name,
            d.quorum
        )));
    }
    if d.reason.trim().is_empty() || d.instead.trim().is_empty() {
        return Err(EngineError::Refused(
            "deviation: give the reason and what was done instead".into(),
        ));
    }
    let c = json!({ "step": step.id, "reason": d.reason, "quorum": d.quorum, "approved_by": d.approved_by, "instead": d.instead });
    let mut r = Record::new(Event::Deviation, &step.id);
    r.ceremony = Some(c.clone());
    e.append(r)?;
    let t = audit::clock::format(e.log.now());
    e.state.deviations.push(deviation_view(&step.id, &c, &t));
    let i = e.state.current.expect("current");
    e.state.steps[i].status = StepStatus::Deviated;
    e.state.steps[i].finished = Some(t);
    e.next_step(i)
}
