//! The adapter between the engine and the UI, on the engine's thread: runs
//! the engine's loop (advance, show, await a command, send), publishes each
//! state with the bundle table of its newest KSR/SKR, and completes a
//! sign-off with the person's enrolled key from the script.

use ksr::env::{exit, Env};

use super::bridge::EngineSide;
use super::model::BundleCache;
use crate::engine::{Awaiting, Command, Engine, EngineError, SignOffToken};
use crate::script::Script;

/// `ceremony run SCRIPT --audit-log LOG` at a terminal: the ceremony in the
/// terminal UI. Returns the exit code.
pub fn interactive(engine: Engine, env: &dyn Env) -> i32 {
    match super::terminal::run(move |side| drive(engine, side)) {
        Ok(code) => code,
        Err(e) => {
            ksr::env::eprint(env, &format!("ceremony: the terminal UI failed: {e}\n"));
            exit::UNUSABLE
        }
    }
}

/// The engine's loop with the UI as its face.
pub fn drive(mut engine: Engine, side: &EngineSide) -> i32 {
    let mut bundles = BundleCache::default();
    engine.on_progress(side.progress_sink());
    // What was told before the first step (stale temp files swept) stands
    // under the first question: the state's messages show only while
    // nothing is asked, and the first question comes at once.
    let told = &engine.state().messages;
    if !told.is_empty() {
        side.notice(told.join("; "));
    }
    loop {
        let advanced = engine.advance(side);
        let snap = bundles.snapshot(engine.state());
        if let Err(e) = advanced {
            side.publish(snap);
            side.notice(e.to_string());
            return e.exit_code();
        }
        if snap.state.awaiting == Awaiting::Closed {
            side.publish(snap);
            return exit::OK;
        }
        let Ok(cmd) = side.command(snap) else {
            // The UI was closed: the log stays as it is; `--resume` goes on.
            return exit::UNUSABLE;
        };
        match engine.send(with_enrolled_key(engine.script(), cmd), side) {
            Ok(()) => {}
            Err(EngineError::Refused(why)) => side.notice(why),
            Err(e) => {
                side.publish(bundles.snapshot(engine.state()));
                side.notice(e.to_string());
                return e.exit_code();
            }
        }
    }
}

/// A sign-off by a person with a key enrolled in the script is made with
/// that key (the engine checks it is theirs); others sign by name.
pub fn with_enrolled_key(script: &Script, cmd: Command) -> Command {
    match cmd {
        Command::SignOff {
            role,
            person,
            key: None,
        } => {
            let key = script
                .roles
                .iter()
                .filter(|r| r.id == role)
                .flat_map(|r| &r.people)
                .find(|p| p.name == person)
                .and_then(|p| match (&p.token, &p.key_label) {
                    (Some(token), Some(key_label)) => Some(SignOffToken {
                        token: token.clone(),
                        key_label: key_label.clone(),
                    }),
                    _ => None,
                });
            Command::SignOff { role, person, key }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCRIPT: &str = r#"
title = "t"
zone = "."

[[roles]]
id = "co"
name = "Crypto Officer"
people = ["Ana", { name = "Bashir", token = "card", key_label = "bashir-signoff" }]

[tokens.card]
label = "bashir-card"

[[steps]]
id = "open"
kind = "instruction"
title = "Open"
signoff = ["co"]
"#;

    fn signoff(person: &str) -> Command {
        Command::SignOff {
            role: "co".into(),
            person: person.into(),
            key: None,
        }
    }

    #[test]
    fn sign_off_uses_the_key_enrolled_for_that_person_only() {
        let script = crate::script::parse("t.toml", SCRIPT).unwrap();
        assert_eq!(
            with_enrolled_key(&script, signoff("Bashir")),
            Command::SignOff {
                role: "co".into(),
                person: "Bashir".into(),
                key: Some(SignOffToken {
                    token: "card".into(),
                    key_label: "bashir-signoff".into(),
                }),
            }
        );
        // By name only: no key enrolled, or not this role's person.
        assert_eq!(with_enrolled_key(&script, signoff("Ana")), signoff("Ana"));
        let other_role = Command::SignOff {
            role: "iw".into(),
            person: "Bashir".into(),
            key: None,
        };
        assert_eq!(with_enrolled_key(&script, other_role.clone()), other_role);
        let confirm = Command::Confirm {
            typed: "yes".into(),
        };
        assert_eq!(with_enrolled_key(&script, confirm.clone()), confirm);
    }
}
