//! Cross-reference checks on a parsed script: everything [`super::parse`] cannot
//! see line by line. Each problem names the line of the step, role or quorum.

use std::collections::{BTreeMap, BTreeSet};

use super::model::*;

/// One problem found in a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub message: String,
}

/// Every problem in `s`, in script order; empty when the script can be run.
pub fn check(s: &Script) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut p = |line: usize, message: String| out.push(Problem { line, message });
    if crate::ops::zone("zone", &s.zone).is_err() {
        p(0, format!("zone {:?} is not a DNS name", s.zone));
    }
    let mut role_ids = BTreeSet::new();
    for r in &s.roles {
        if !role_ids.insert(r.id.as_str()) {
            p(r.line, format!("role {:?} is declared twice", r.id));
        }
        if r.people.is_empty() {
            p(r.line, format!("role {:?} names nobody", r.id));
        }
        let mut names = BTreeSet::new();
        for person in &r.people {
            if !names.insert(person.name.as_str()) {
                p(
                    r.line,
                    format!("role {:?}: {:?} is named twice", r.id, person.name),
                );
            }
            if let Some(t) = &person.token {
                if !s.tokens.contains_key(t) {
                    p(
                        r.line,
                        format!(
                            "{}: sign-off token {t:?} is not declared in [tokens]",
                            person.name
                        ),
                    );
                }
            }
            if person.token.is_some() != person.key_label.is_some() {
                p(
                    r.line,
                    format!(
                        "{}: a sign-off key needs both token and key_label",
                        person.name
                    ),
                );
            }
            if let Some(h) = &person.key_sha256 {
                if h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
                    p(
                        r.line,
                        format!("{}: key_sha256 must be 64 hex digits", person.name),
                    );
                }
            }
        }
    }
    for (id, q) in &s.quorums {
        match s.role(&q.role) {
            None => p(q.line, format!("quorum {id:?}: no role {:?}", q.role)),
            Some(r) if q.need == 0 || q.need > r.people.len() => p(
                q.line,
                format!(
                    "quorum {id:?}: {} of {} {} can never be reached (need 1 to {})",
                    q.need,
                    r.people.len(),
                    r.name,
                    r.people.len()
                ),
            ),
            Some(_) => {}
        }
    }
    // Artifact name -> step that produced it.
    let mut produced: BTreeMap<&str, &str> = BTreeMap::new();
    let mut ids = BTreeSet::new();
    for st in &s.steps {
        let l = st.line;
        if !ids.insert(st.id.as_str()) {
            p(l, format!("step id {:?} is used twice", st.id));
        }
        for r in &st.signoff_roles {
            if s.role(r).is_none() {
                p(
                    l,
                    format!(
                        "step {:?}: sign-off by role {r:?}, which is not declared",
                        st.id
                    ),
                );
            }
        }
        if let Some(q) = &st.signoff_quorum {
            if !s.quorums.contains_key(q) {
                p(l, format!("step {:?}: quorum {q:?} is not declared", st.id));
            }
        }
        let available = |name: &str, produced: &BTreeMap<&str, &str>| {
            s.files.get(name).is_some_and(|f| f.external) || produced.contains_key(name)
        };
        for (role, art) in &st.inputs {
            if !s.files.contains_key(art.as_str()) {
                p(l, format!("step {:?}: input {role} = {art:?}: no such artifact in [inputs] or [outputs]", st.id));
            } else if !available(art, &produced) {
                p(
                    l,
                    format!(
                        "step {:?}: input {art:?} is used before a step produces it",
                        st.id
                    ),
                );
            }
        }
        match &st.kind {
            StepKind::Operation(o) => {
                if !s.tokens.contains_key(&o.token) {
                    p(
                        l,
                        format!(
                            "step {:?}: token {:?} is not declared in [tokens]",
                            st.id, o.token
                        ),
                    );
                }
                let (known, required) = o.op.args();
                for a in o.args.keys() {
                    if !known.contains(&a.as_str()) {
                        p(
                            l,
                            format!(
                                "step {:?}: {} takes no argument {a:?} (it takes: {})",
                                st.id,
                                o.op.name(),
                                known.join(", ")
                            ),
                        );
                    }
                }
                for a in required {
                    if !o.args.contains_key(*a) {
                        p(
                            l,
                            format!("step {:?}: {} needs argument {a:?}", st.id, o.op.name()),
                        );
                    }
                }
                let (rin, oin) = o.op.input_roles();
                for r in rin {
                    if !st.inputs.contains_key(*r) {
                        p(
                            l,
                            format!("step {:?}: {} needs input {r:?}", st.id, o.op.name()),
                        );
                    }
                }
                for r in st.inputs.keys() {
                    if !rin.contains(&r.as_str()) && !oin.contains(&r.as_str()) {
                        p(
                            l,
                            format!("step {:?}: {} reads no file {r:?}", st.id, o.op.name()),
                        );
                    }
                }
                let (rout, oout) = o.op.output_roles();
                for r in rout {
                    if !st.outputs.contains_key(*r) {
                        p(
                            l,
                            format!("step {:?}: {} needs output {r:?}", st.id, o.op.name()),
                        );
                    }
                }
                for r in st.outputs.keys() {
                    if !rout.contains(&r.as_str()) && !oout.contains(&r.as_str()) {
                        p(
                            l,
                            format!("step {:?}: {} writes no file {r:?}", st.id, o.op.name()),
                        );
                    }
                }
            }
            StepKind::Verify { artifact, .. } => {
                if !s.files.contains_key(artifact.as_str()) {
                    p(l, format!("step {:?}: no artifact {artifact:?}", st.id));
                } else if !available(artifact, &produced) {
                    p(
                        l,
                        format!(
                            "step {:?}: verifies {artifact:?} before a step produces it",
                            st.id
                        ),
                    );
                }
            }
            _ => {
                if !st.inputs.is_empty() || !st.outputs.is_empty() {
                    p(
                        l,
                        format!("step {:?}: only operation steps read or write files", st.id),
                    );
                }
            }
        }
        for art in st.outputs.values() {
            match s.files.get(art.as_str()) {
                None => p(l, format!("step {:?}: output {art:?} is not declared in [outputs]", st.id)),
                Some(f) if f.external => p(l, format!("step {:?}: output {art:?} is a ceremony input; inputs are never overwritten", st.id)),
                Some(_) => {
                    if let Some(prev) = produced.insert(art, &st.id) {
                        p(l, format!("step {:?}: {art:?} was already produced by step {prev:?}", st.id));
                    }
                }
            }
        }
    }
    if s.steps.is_empty() {
        p(0, "the script has no steps".into());
    }
    out
}
