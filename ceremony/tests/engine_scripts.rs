//! `ceremony script check`: the shipped scripts pass; broken scripts fail
//! with the line of the problem named.

mod common;

use common::*;

fn check(path: &str) -> Outcome {
    run(&["script", "check", path])
}

#[test]
fn every_shipped_script_passes_check() {
    let dir = test_support::repo_file("scripts/ceremonies");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            let o = check(s(&p));
            o.expect_code(0);
            assert!(o.stdout.contains(": ok: "), "{}", o.stdout);
            n += 1;
        }
    }
    for name in [
        "ksk-generation",
        "ksr-signing",
        "key-backup-restore",
        "emergency-resign",
    ] {
        assert!(
            dir.join(format!("{name}.toml")).exists(),
            "{name}.toml is shipped"
        );
    }
    assert!(n >= 4);
}

const BASE: &str = r#"title = "t"
zone = "."
[[roles]]
id = "co"
people = ["A", "B", "C"]
[quorums.q]
role = "co"
need = 2
[tokens.hsm]
label = "x"
[inputs]
ksr = "k.xml"
[outputs]
skr = "s.xml"
"#;

fn check_text(extra: &str) -> Outcome {
    let d = scratch();
    let p = d.path().join("s.toml");
    std::fs::write(&p, format!("{BASE}{extra}")).unwrap();
    check(s(&p))
}

/// `script check` of [`BASE`] and a step `step`: exit 1, naming the step's
/// first line and saying `why`.
fn refused_at_the_step(step: &str, why: &str) {
    let o = check_text(step);
    o.expect_stderr(1, &format!("s.toml:{}:", BASE.lines().count() + 1));
    o.expect_stderr(1, why);
}

#[test]
fn problems_name_their_line() {
    // Unknown operation: line of the step.
    refused_at_the_step(
        "[[steps]]\nid = \"a\"\nkind = \"operation\"\nop = \"frobnicate\"\ntoken = \"hsm\"\n",
        "unknown operation \"frobnicate\"",
    );
    // Missing role.
    refused_at_the_step(
        "[[steps]]\nid = \"a\"\nkind = \"sign-off\"\nsignoff = [\"auditor\"]\n",
        "role \"auditor\", which is not declared",
    );
    // Output used before it is produced.
    refused_at_the_step(
        "[[steps]]\nid = \"v\"\nkind = \"verify\"\nartifact = \"skr\"\n\n[[steps]]\nid = \"s\"\nkind = \"operation\"\nop = \"sign-ksr\"\ntoken = \"hsm\"\nargs = { ksk = \"K\" }\ninputs = { ksr = \"ksr\" }\noutputs = { skr = \"skr\" }\n",
        "before a step produces it",
    );
    // Unknown key (a typo drops no safeguard silently).
    let o = check_text("[[steps]]\nid = \"a\"\nkind = \"instruction\"\nsignof = [\"co\"]\n");
    o.expect_stderr(1, "signof");
}

#[test]
fn an_unreachable_quorum_is_refused() {
    let d = scratch();
    let p = d.path().join("q.toml");
    let text = BASE.replace("need = 2", "need = 4");
    std::fs::write(
        &p,
        format!("{text}[[steps]]\nid = \"a\"\nkind = \"sign-off\"\nquorum = \"q\"\n"),
    )
    .unwrap();
    let o = check(s(&p));
    o.expect_code(1);
    let line = text.lines().position(|l| l == "[quorums.q]").unwrap() + 1;
    assert!(
        o.stderr.contains(&format!("q.toml:{line}:")),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("4 of 3"), "{}", o.stderr);
}

#[test]
fn a_retried_irreversible_step_is_refused() {
    let o = check_text("[[steps]]\nid = \"g\"\nkind = \"operation\"\nop = \"keygen\"\ntoken = \"hsm\"\nargs = { label = \"K\" }\non_interrupt = \"retry\"\n");
    o.expect_stderr(1, "never repeated");
}
