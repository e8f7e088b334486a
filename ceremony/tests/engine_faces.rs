//! The engine's faces on the command line: the line-prompt face at a terminal
//! (FakeEnv scripted answers), and PINs typed at the no-echo prompt when a
//! script names no PIN file.

mod common;

use common::*;

const SCRIPT: &str = r#"title = "Faces"
zone = "."
[[roles]]
id = "co"
name = "Crypto Officer"
people = ["Ana", "Bashir", "Chen"]
[quorums.two]
role = "co"
need = 2
[tokens.hsm]
label = "TOKEN"
[[steps]]
id = "open"
kind = "instruction"
text = "Open the ceremony."
[[steps]]
id = "lights"
kind = "checklist"
items = ["The room lights work"]
[[steps]]
id = "login"
kind = "operation"
op = "login"
token = "hsm"
quorum = "two"
"#;

#[test]
fn the_line_face_takes_confirmations_deviations_and_sign_offs_and_the_pin_prompt() {
    let h = hsm();
    let t = token("faces-line");
    let d = scratch();
    let script = d.path().join("faces.toml");
    std::fs::write(&script, SCRIPT.replace("TOKEN", t)).unwrap();
    let log = d.path().join("audit.jsonl");
    let env = FakeEnv::new()
        .answer("no") // wrong phrase: refused, asked again
        .answer("yes")
        .answer("deviation: lights unchecked | two | Ana,Chen | checked with a torch")
        .answer("co Ana")
        .answer("co Ana") // twice: refused
        .answer("co Chen")
        .secret(&h.pin);
    let o = ceremony(&env, &["run", s(&script), "--audit-log", s(&log)]);
    o.expect_code(0);
    assert!(
        o.stderr
            .contains("refused: step open: type \"yes\" exactly"),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr
            .contains("refused: step login: \"Ana\" is not a co who may still sign off"),
        "{}",
        o.stderr
    );
    assert!(o.stdout.contains("step lights: DEVIATED"), "{}", o.stdout);
    assert!(o.stdout.contains("ceremony closed: Faces"), "{}", o.stdout);
    // The PIN was asked for without echo, and is nowhere in the log.
    assert!(
        env.prompts().iter().any(|p| p.contains("PIN")),
        "{:?}",
        env.prompts()
    );
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains(&h.pin));
    run(&["audit", "verify", s(&log)]).expect_code(0);
}

#[test]
fn without_a_terminal_or_answers_the_run_stops_before_anything_happens() {
    let d = scratch();
    let script = d.path().join("faces.toml");
    std::fs::write(&script, SCRIPT.replace("TOKEN", "none")).unwrap();
    let log = d.path().join("audit.jsonl");
    let o = run(&["run", s(&script), "--audit-log", s(&log)]);
    o.expect_stderr(2, "--non-interactive --answers FILE");
    // --non-interactive needs its answers file.
    let o = run(&[
        "run",
        s(&script),
        "--audit-log",
        s(&log),
        "--non-interactive",
    ]);
    o.expect_code(2);
}
