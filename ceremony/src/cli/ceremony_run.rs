//! `ceremony run SCRIPT --audit-log LOG [--non-interactive --answers FILE]
//! [--resume]` and `ceremony script check FILE`: the engine's two faces on
//! the command line. Without `--non-interactive` the ceremony is run at the
//! terminal ([`interactive`]; the terminal UI plugs in there).

use std::collections::BTreeMap;
use std::path::PathBuf;

use ksr::env::{exit, Env};

use super::Out;
use crate::audit::clock::AnchoredClock;
use crate::engine::answers::Answers;
use crate::engine::{Awaiting, Command, DeviationRequest, Engine, EngineError, RunOptions};
use crate::script;

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The ceremony script (TOML, see scripts/ceremonies/).
    pub script: PathBuf,
    /// Confirmations, typed values and sign-offs from this file instead of a
    /// person (never PINs: those come from the PIN files the script names).
    #[arg(long, requires = "answers")]
    pub non_interactive: bool,
    /// The answers file for --non-interactive.
    #[arg(long, value_name = "FILE")]
    pub answers: Option<PathBuf>,
    /// Continue the ceremony in the audit log after its last completed step.
    #[arg(long)]
    pub resume: bool,
    /// Set a script variable: NAME=VALUE (overrides the script's [vars]).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// PKCS#11 module for every token (default: $PKCS11_MODULE, else SoftHSM2's).
    #[arg(long)]
    pub module: Option<PathBuf>,
}

#[derive(Debug, clap::Subcommand)]
pub enum ScriptCommand {
    /// Validate a ceremony script: operations, roles, quorums, inputs and outputs.
    Check {
        /// The script (TOML).
        file: PathBuf,
    },
}

pub(super) fn script_command(c: ScriptCommand, out: &Out) -> i32 {
    let ScriptCommand::Check { file } = c;
    match script::load(&file) {
        Ok(s) => {
            let text = format!(
                "{}: ok: {:?}, {} roles, {} quorums, {} steps\n",
                file.display(),
                ksr::escape::terminal(&s.title),
                s.roles.len(),
                s.quorums.len(),
                s.steps.len()
            );
            super::finish(out.env, out.stdout(&text))
        }
        Err(errors) => {
            for e in &errors {
                out.stderr(&format!("{}\n", ksr::escape::terminal(&e.to_string())));
            }
            // A script that cannot be read at all is unusable input.
            if errors.len() == 1
                && errors[0].line == 0
                && errors[0].message.starts_with("cannot read")
            {
                exit::UNUSABLE
            } else {
                exit::CHECK_FAILED
            }
        }
    }
}

fn engine_fail(out: &Out, e: &EngineError) -> i32 {
    out.stderr(&format!(
        "ceremony: {}\n",
        ksr::escape::terminal(&e.to_string())
    ));
    e.exit_code()
}

pub(super) fn run(a: RunArgs, audit_log: Option<PathBuf>, out: &Out) -> i32 {
    let env = out.env;
    let Some(audit_log) = audit_log else {
        out.stderr("ceremony: run needs --audit-log FILE (the ceremony's record)\n");
        return exit::UNUSABLE;
    };
    let script = match script::load(&a.script) {
        Ok(s) => s,
        Err(errors) => {
            for e in &errors {
                out.stderr(&format!(
                    "ceremony: {}\n",
                    ksr::escape::terminal(&e.to_string())
                ));
            }
            return exit::UNUSABLE;
        }
    };
    let mut vars = BTreeMap::new();
    for v in &a.vars {
        let Some((k, val)) = v.split_once('=') else {
            out.stderr(&format!("ceremony: --var {v:?}: use NAME=VALUE\n"));
            return exit::UNUSABLE;
        };
        vars.insert(k.to_string(), val.to_string());
    }
    let answers = match &a.answers {
        None => None,
        Some(p) => match std::fs::read_to_string(p)
            .map_err(|e| e.to_string())
            .and_then(|t| Answers::parse(&t))
        {
            Ok(x) => Some(x),
            Err(e) => {
                out.stderr(&format!("ceremony: {}: {e}\n", p.display()));
                return exit::UNUSABLE;
            }
        },
    };
    // An answer for a step the script does not have (a typo) would be
    // ignored, and its step would wait for an answer that never comes.
    if let (Some(ans), Some(p)) = (&answers, &a.answers) {
        let ids: Vec<&str> = script.steps.iter().map(|s| s.id.as_str()).collect();
        if let Some(unknown) = ans.steps.keys().find(|k| !ids.contains(&k.as_str())) {
            out.stderr(&format!(
                "ceremony: {}: [steps.{}] is not a step of {} (its steps: {})\n",
                p.display(),
                ksr::escape::terminal(unknown),
                a.script.display(),
                ksr::escape::terminal(&ids.join(", "))
            ));
            return exit::UNUSABLE;
        }
    }
    let options = RunOptions {
        script_path: a.script.clone(),
        audit_log,
        module: super::module_path(a.module.as_deref(), env),
        vars,
        resume: a.resume,
    };
    let mut engine = match Engine::start(script, options, Box::new(AnchoredClock::new(env.now()))) {
        Ok(e) => e,
        Err(e) => return engine_fail(out, &e),
    };
    // Before any step: what a killed run left beside the outputs, told as
    // single commands tell it (the terminal UI shows it under its first
    // question).
    for stale in engine.sweep_stale_temps() {
        out.stderr(&format!(
            "ceremony: {}\n",
            ksr::escape::terminal(&crate::engine::sweep::message(&stale))
        ));
    }
    match answers {
        Some(ans) if a.non_interactive => non_interactive(&mut engine, &ans, out),
        _ => interactive(engine, env),
    }
}

/// Prints what the last steps did (one line each) and what is new in the state.
struct Narrator {
    done: usize,
    messages: usize,
}

impl Narrator {
    fn tell(&mut self, e: &Engine, out: &Out) {
        let s = e.state();
        let mut text = String::new();
        for v in s.steps.iter().skip(self.done) {
            use crate::engine::StepStatus::*;
            if !matches!(v.status, Done | Deviated) {
                break;
            }
            text.push_str(&format!(
                "step {}: {} ({})\n",
                ksr::escape::terminal(&v.id),
                v.status.word(),
                ksr::escape::terminal(&v.title)
            ));
            self.done += 1;
        }
        for m in s.messages.iter().skip(self.messages) {
            // Already told on stderr before the first step.
            if m.starts_with("removed stale temp file ") {
                continue;
            }
            text.push_str(&format!("  {}\n", ksr::escape::terminal(m)));
        }
        self.messages = s.messages.len();
        let _ = out.stdout(&text);
    }
}

/// Runs the ceremony from the answers file; stops with exit 1 when a step
/// awaits something the file does not give (a quorum short by one, a
/// mismatched hash), with the step named.
fn non_interactive(e: &mut Engine, ans: &Answers, out: &Out) -> i32 {
    let p = out.env.prompter();
    let mut n = Narrator {
        done: 0,
        messages: 0,
    };
    // Steps already done before a --resume are not retold.
    n.done = e.state().completed().0;
    let mut given: BTreeMap<String, usize> = BTreeMap::new();
    loop {
        if let Err(err) = e.advance(p) {
            n.tell(e, out);
            return engine_fail(out, &err);
        }
        n.tell(e, out);
        let s = e.state();
        if s.awaiting == Awaiting::Closed {
            return closed(e, out);
        }
        let Some(i) = s.current else { return exit::OK };
        let step = s.steps[i].id.clone();
        let count = given.get(&step).copied().unwrap_or(0);
        let Some(cmd) = ans.next(&step, &s.awaiting, count) else {
            out.stderr(&format!(
                "ceremony: step {} (script line {}) awaits {}; the answers file gives nothing more for it\n",
                ksr::escape::terminal(&step),
                s.steps[i].line,
                describe(&s.awaiting)
            ));
            return exit::CHECK_FAILED;
        };
        if matches!(cmd, Command::SignOff { .. }) {
            given.insert(step.clone(), count + 1);
        }
        if let Err(err) = e.send(cmd, p) {
            return engine_fail(out, &err);
        }
    }
}

fn describe(a: &Awaiting) -> String {
    match a {
        Awaiting::Nothing | Awaiting::Closed => "nothing".into(),
        Awaiting::Confirm { phrase, .. } => format!("the typed confirmation {phrase:?}"),
        Awaiting::Answer { question } => question.clone(),
        Awaiting::SignOff { missing, need } => {
            let roles: Vec<_> = missing.iter().map(|(r, _)| r.as_str()).collect();
            if *need > 0 {
                format!(
                    "{need} more sign-off(s) for its quorum (roles still to sign: {})",
                    roles.join(", ")
                )
            } else {
                format!("sign-offs by: {}", roles.join(", "))
            }
        }
        Awaiting::Deviation { why } => format!("a deviation: {why}"),
    }
}

fn closed(e: &Engine, out: &Out) -> i32 {
    let s = e.state();
    let mut t = format!("ceremony closed: {}\n", ksr::escape::terminal(&s.title));
    for a in &s.artifacts {
        if a.step.is_some() {
            t.push_str(&format!(
                "{}: {} sha256 {}\n  {}\n",
                a.name,
                ksr::escape::terminal(&a.path),
                a.sha256,
                a.pgp_words
            ));
        }
    }
    if !s.deviations.is_empty() {
        t.push_str(&format!("deviations: {}\n", s.deviations.len()));
    }
    t.push_str(&format!(
        "audit log: {}\nhead: {}\n{}\n",
        ksr::escape::terminal(&s.audit_log),
        s.head,
        s.head_words
    ));
    super::finish(out.env, out.stdout(&t))
}

/// The interactive face: the terminal UI (`crate::tui`) when the env names a
/// usable terminal (`TERM`, which a test's fake env does not set) and stdin
/// and stdout are one; else line prompts.
pub fn interactive(engine: Engine, env: &dyn Env) -> i32 {
    use std::io::IsTerminal;
    let term = env
        .var("TERM")
        .is_some_and(|t| !t.is_empty() && t != "dumb");
    if term
        && env.prompter().interactive()
        && std::io::stdin().is_terminal()
        && std::io::stdout().is_terminal()
    {
        return crate::tui::interactive(engine, env);
    }
    line_face(engine, env)
}

/// Line prompts at the terminal, one question per step.
fn line_face(mut engine: Engine, env: &dyn Env) -> i32 {
    let e = &mut engine;
    let out = Out { env, json: false };
    let p = env.prompter();
    if !p.interactive() {
        out.stderr("ceremony: no terminal to ask at; use --non-interactive --answers FILE\n");
        return exit::UNUSABLE;
    }
    let mut n = Narrator {
        done: e.state().completed().0,
        messages: 0,
    };
    loop {
        if let Err(err) = e.advance(p) {
            return engine_fail(&out, &err);
        }
        n.tell(e, &out);
        let s = e.state().clone();
        if s.awaiting == Awaiting::Closed {
            return closed(e, &out);
        }
        let ins = &s.instructions;
        let mut q = format!(
            "\n== {} ==\n{}\n",
            ksr::escape::terminal(&ins.title),
            ksr::escape::terminal(&ins.text)
        );
        for item in &ins.checklist {
            q.push_str(&format!("  [ ] {}\n", ksr::escape::terminal(item)));
        }
        q.push_str(&format!(
            "awaits {} (or type: deviation: reason | quorum | approvers | what was done instead)\n> ",
            describe(&s.awaiting)
        ));
        let line = match p.line(&q) {
            Ok(l) => l,
            Err(err) => {
                out.stderr(&format!("ceremony: stopped: {err}; resume with --resume\n"));
                return exit::UNUSABLE;
            }
        };
        // A deviation may be recorded at any step, whatever it awaits.
        let deviation = line.strip_prefix("deviation:").map(str::trim);
        let cmd = match (&s.awaiting, deviation) {
            (_, Some(_)) | (Awaiting::Deviation { .. }, None) => {
                let parts: Vec<&str> = deviation
                    .unwrap_or(&line)
                    .split('|')
                    .map(str::trim)
                    .collect();
                if parts.len() != 4 {
                    out.stderr("type: deviation: reason | quorum | approver,approver | what was done instead\n");
                    continue;
                }
                Command::Deviation(DeviationRequest {
                    reason: parts[0].into(),
                    quorum: parts[1].into(),
                    approved_by: parts[2].split(',').map(|x| x.trim().to_string()).collect(),
                    instead: parts[3].into(),
                })
            }
            (Awaiting::Confirm { .. }, None) => Command::Confirm { typed: line },
            (Awaiting::Answer { .. }, None) => Command::Answer { text: line },
            (Awaiting::SignOff { .. }, None) => {
                let (role, person) = line.split_once(' ').unwrap_or(("", &line));
                Command::SignOff {
                    role: role.into(),
                    person: person.trim().into(),
                    key: None,
                }
            }
            (Awaiting::Nothing | Awaiting::Closed, None) => continue,
        };
        if let Err(err) = e.send(cmd, p) {
            out.stderr(&format!(
                "refused: {}\n",
                ksr::escape::terminal(&err.to_string())
            ));
        }
    }
}
