//! TOML to [`Script`]. Unknown keys are refused (a typo in a ceremony script
//! must not silently drop a step's safeguard), and every error names the line.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::model::*;

/// A script problem at a line (1-based; 0 when the file as a whole is at fault).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct ScriptError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScript {
    title: String,
    zone: String,
    #[serde(default)]
    vars: BTreeMap<String, String>,
    #[serde(default)]
    roles: Vec<Spanned<RawRole>>,
    #[serde(default)]
    quorums: BTreeMap<String, Spanned<RawQuorum>>,
    #[serde(default)]
    tokens: BTreeMap<String, Spanned<RawToken>>,
    #[serde(default)]
    inputs: BTreeMap<String, String>,
    #[serde(default)]
    outputs: BTreeMap<String, String>,
    #[serde(default)]
    steps: Vec<Spanned<RawStep>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRole {
    id: String,
    name: Option<String>,
    people: Vec<RawPerson>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawPerson {
    Name(String),
    Enrolled(RawEnrolled),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEnrolled {
    name: String,
    token: Option<String>,
    key_label: Option<String>,
    key_sha256: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuorum {
    role: String,
    need: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawToken {
    label: String,
    pin_file: Option<String>,
    so_pin_file: Option<String>,
    softhsm: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    id: String,
    title: Option<String>,
    #[serde(default)]
    text: String,
    kind: String,
    #[serde(default)]
    items: Vec<String>,
    op: Option<String>,
    token: Option<String>,
    #[serde(default)]
    args: BTreeMap<String, toml::Value>,
    #[serde(default)]
    inputs: BTreeMap<String, String>,
    #[serde(default)]
    outputs: BTreeMap<String, String>,
    artifact: Option<String>,
    expect: Option<String>,
    #[serde(default)]
    signoff: Vec<String>,
    quorum: Option<String>,
    confirm: Option<String>,
    on_interrupt: Option<String>,
}

/// 1-based line of byte offset `at` in `text`.
pub fn line_of(text: &str, at: usize) -> usize {
    text.as_bytes()[..at.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Parses a script; `file` only names it in errors. Structural problems
/// (unknown kind or operation, bad values) are errors here; cross-references
/// are [`super::check`]'s.
pub fn parse(file: &str, text: &str) -> Result<Script, ScriptError> {
    let err = |line: usize, message: String| ScriptError {
        file: file.to_string(),
        line,
        message,
    };
    let raw: RawScript = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(0, |s| line_of(text, s.start));
        err(line, e.message().trim_end().to_string())
    })?;
    let mut files = BTreeMap::new();
    for (name, path) in raw.inputs {
        files.insert(
            name,
            ArtifactSource {
                path,
                external: true,
            },
        );
    }
    for (name, path) in raw.outputs {
        if files.contains_key(&name) {
            return Err(err(
                0,
                format!("artifact {name:?} is both an input and an output; give it one name each"),
            ));
        }
        files.insert(
            name,
            ArtifactSource {
                path,
                external: false,
            },
        );
    }
    let roles = raw
        .roles
        .into_iter()
        .map(|r| {
            let line = line_of(text, r.span().start);
            let r = r.into_inner();
            RoleDecl {
                name: r.name.unwrap_or_else(|| r.id.clone()),
                id: r.id,
                people: r.people.into_iter().map(person).collect(),
                line,
            }
        })
        .collect();
    let quorums = raw
        .quorums
        .into_iter()
        .map(|(k, q)| {
            let line = line_of(text, q.span().start);
            let q = q.into_inner();
            (
                k,
                Quorum {
                    role: q.role,
                    need: q.need,
                    line,
                },
            )
        })
        .collect();
    let tokens = raw
        .tokens
        .into_iter()
        .map(|(k, t)| {
            let line = line_of(text, t.span().start);
            let t = t.into_inner();
            (
                k,
                TokenDecl {
                    label: t.label,
                    pin_file: t.pin_file,
                    so_pin_file: t.so_pin_file,
                    softhsm: t.softhsm,
                    line,
                },
            )
        })
        .collect();
    let mut steps = Vec::new();
    for s in raw.steps {
        let line = line_of(text, s.span().start);
        steps.push(step(s.into_inner(), line).map_err(|m| err(line, m))?);
    }
    Ok(Script {
        title: raw.title,
        zone: raw.zone,
        vars: raw.vars,
        roles,
        quorums,
        tokens,
        files,
        steps,
    })
}

fn person(p: RawPerson) -> Person {
    match p {
        RawPerson::Name(name) => Person {
            name,
            token: None,
            key_label: None,
            key_sha256: None,
        },
        RawPerson::Enrolled(e) => Person {
            name: e.name,
            token: e.token,
            key_label: e.key_label,
            key_sha256: e.key_sha256.map(|h| h.to_ascii_lowercase()),
        },
    }
}

fn step(s: RawStep, line: usize) -> Result<Step, String> {
    let id = s.id;
    let kind = match s.kind.as_str() {
        "instruction" => StepKind::Instruction,
        "checklist" => {
            if s.items.is_empty() {
                return Err(format!("step {id:?}: a checklist needs items"));
            }
            StepKind::Checklist { items: s.items }
        }
        "operation" => {
            let Some(name) = s.op else {
                return Err(format!("step {id:?}: an operation step needs op = \"...\""));
            };
            let Some(op) = OpKind::from_name(&name) else {
                let known: Vec<_> = OpKind::ALL.iter().map(|o| o.name()).collect();
                return Err(format!(
                    "step {id:?}: unknown operation {name:?} (known: {})",
                    known.join(", ")
                ));
            };
            let Some(token) = s.token else {
                return Err(format!("step {id:?}: operation {name} needs token = \"...\""));
            };
            let mut args = BTreeMap::new();
            for (k, v) in s.args {
                let v = match v {
                    toml::Value::String(s) => s,
                    toml::Value::Integer(i) => i.to_string(),
                    toml::Value::Boolean(b) => b.to_string(),
                    toml::Value::Array(a) => a
                        .iter()
                        .map(|x| x.as_str().map(str::to_string).unwrap_or_else(|| x.to_string()))
                        .collect::<Vec<_>>()
                        .join(","),
                    other => other.to_string(),
                };
                args.insert(k, v);
            }
            StepKind::Operation(OpStep { op, token, args })
        }
        "verify" => {
            let Some(artifact) = s.artifact else {
                return Err(format!("step {id:?}: a verify step needs artifact = \"...\""));
            };
            StepKind::Verify {
                artifact,
                expect: s.expect,
            }
        }
        "sign-off" => StepKind::SignOff,
        other => {
            return Err(format!(
                "step {id:?}: unknown kind {other:?} (instruction, checklist, operation, verify, sign-off)"
            ))
        }
    };
    let irreversible = matches!(&kind, StepKind::Operation(o) if o.op.irreversible());
    let on_interrupt = match s.on_interrupt.as_deref() {
        None if irreversible => InterruptRule::Deviation,
        None => InterruptRule::Retry,
        Some("retry") if irreversible => {
            return Err(format!(
                "step {id:?}: on_interrupt = \"retry\" on an irreversible operation; it is never repeated, use \"deviation\""
            ))
        }
        Some("retry") => InterruptRule::Retry,
        Some("deviation") => InterruptRule::Deviation,
        Some(o) => {
            return Err(format!(
                "step {id:?}: on_interrupt {o:?}: use \"retry\" or \"deviation\""
            ))
        }
    };
    if matches!(kind, StepKind::SignOff) && s.signoff.is_empty() && s.quorum.is_none() {
        return Err(format!(
            "step {id:?}: a sign-off step names signoff = [roles] or quorum = \"...\""
        ));
    }
    Ok(Step {
        title: s.title.unwrap_or_else(|| id.clone()),
        id,
        text: s.text,
        kind,
        inputs: s.inputs,
        outputs: s.outputs,
        signoff_roles: s.signoff,
        signoff_quorum: s.quorum,
        confirm: s.confirm,
        on_interrupt,
        line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "title = \"t\"\nzone = \".\"\n[tokens.hsm]\nlabel = \"x\"\n";

    #[test]
    fn steps_know_their_line_and_defaults() {
        let text = format!(
            "{HEAD}[[steps]]\nid = \"a\"\nkind = \"instruction\"\n\n[[steps]]\nid = \"g\"\nkind = \"operation\"\nop = \"keygen\"\ntoken = \"hsm\"\nargs = {{ label = \"K\", bits = 2048, backup = true }}\n"
        );
        let s = parse("s.toml", &text).unwrap();
        assert_eq!(s.steps[0].line, 5);
        assert_eq!(s.steps[1].line, 9);
        assert_eq!(s.steps[0].on_interrupt, InterruptRule::Retry);
        // An irreversible operation is never retried by default.
        assert_eq!(s.steps[1].on_interrupt, InterruptRule::Deviation);
        let StepKind::Operation(o) = &s.steps[1].kind else {
            panic!()
        };
        assert_eq!(o.args["bits"], "2048");
        assert_eq!(o.args["backup"], "true");
    }

    #[test]
    fn toml_errors_name_the_line() {
        let e = parse("s.toml", &format!("{HEAD}[[steps]]\nid = \n")).unwrap_err();
        assert_eq!(e.line, 6, "{e}");
        assert!(e.to_string().starts_with("s.toml:6: "), "{e}");
        let e = parse(
            "s.toml",
            &format!("{HEAD}[[steps]]\nid = \"x\"\nkind = \"dance\"\n"),
        )
        .unwrap_err();
        assert_eq!(e.line, 5);
        assert!(e.message.contains("unknown kind \"dance\""), "{e}");
    }
}
