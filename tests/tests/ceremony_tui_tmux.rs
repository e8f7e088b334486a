//! `ceremony run ksr-signing.toml` in its terminal UI, in a real terminal:
//! tmux (120x40) runs the binary on SoftHSM, the test reads the screen
//! (`capture-pane`) and types what each step asks (`send-keys`), as the
//! people in the room would. The SKR is byte-identical to a non-interactive
//! run's, `ceremony audit verify` accepts the log, and the final screen says
//! the ceremony finished with the log's head hash.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use test_support::process::{ok, text};
use test_support::softhsm::SoftHsm;
use test_support::tmux::Tmux;

fn script() -> PathBuf {
    test_support::repo_file("scripts/ceremonies/ksr-signing.toml")
}

/// Waits until the screen shows `what`.
fn wait_for(tmux: &Tmux, what: &str) -> String {
    tmux.wait_for(what, Duration::from_secs(30))
}

fn run_args(dir: &Path, hsm: &SoftHsm, ksr: &Path) -> Vec<String> {
    vec![
        script().display().to_string(),
        "--audit-log".into(),
        dir.join("audit.jsonl").display().to_string(),
        "--var".into(),
        format!("dir={}", dir.display()),
        "--var".into(),
        format!("ksr={}", ksr.display()),
        "--var".into(),
        format!("pins={}", hsm.dir.path().display()),
    ]
}

/// What the current prompt box asks, from its title on screen.
fn answer_for(screen: &str, ksr_hex: &str) -> Option<String> {
    for line in screen.lines() {
        if let Some(rest) = line.split("IRREVERSIBLE: type ").nth(1) {
            return Some(rest.split(" to confirm").next().unwrap().to_string());
        }
        if let Some(rest) = line.split("Confirm: type ").nth(1) {
            return Some(rest.split_whitespace().next().unwrap().to_string());
        }
        if line.contains(" Verify: compare and type ") {
            return Some(ksr_hex.to_string());
        }
        if line.contains(" Sign-off ") {
            // The first person still missing (the list is numbered from 1).
            return Some("1".to_string());
        }
    }
    None
}

#[test]
fn ksr_signing_in_the_terminal_ui_under_tmux() {
    let (hsm, ksr) = SoftHsm::ksr_signing();
    let ksr_hex = test_support::sha256_hex(&ksr);

    // The reference: the same ceremony non-interactively.
    let reference = hsm.path("reference");
    std::fs::create_dir(&reference).unwrap();
    let mut answers = std::fs::read_to_string(test_support::repo_file(
        "scripts/ceremonies/answers/ksr-signing.toml",
    ))
    .unwrap();
    answers.push_str(&format!(
        "\n[steps.compare-ksr-hash]\nanswer = \"{ksr_hex}\"\nsignoff = [{{ role = \"iw\", person = \"Ivo Witness\" }}]\n"
    ));
    let answers_file = hsm.path("answers.toml");
    std::fs::write(&answers_file, answers).unwrap();
    let o = ok(hsm
        .command(&["run"])
        .args(run_args(&reference, &hsm, &ksr))
        .arg("--non-interactive")
        .arg("--answers")
        .arg(&answers_file)
        .output()
        .unwrap());
    hsm.assert_no_pin(&o);

    // The same ceremony in the terminal UI.
    let dir = hsm.path("tui");
    std::fs::create_dir(&dir).unwrap();
    // A run killed while writing the SKR left its temp file there.
    let stale = dir.join(format!(".skr.xml.{}.AbCdEf.tmp", test_support::dead_pid()));
    std::fs::write(&stale, b"<partial").unwrap();
    let exit_file = dir.join("exit");
    let bin = test_support::process::binary("ceremony");
    let quoted: Vec<String> = run_args(&dir, &hsm, &ksr)
        .iter()
        .map(|a| format!("'{a}'"))
        .collect();
    let shell = format!(
        "unset PKCS11_MODULE; SOFTHSM2_CONF='{}' '{}' run {}; echo $? > '{}'",
        hsm.conf.display(),
        bin.display(),
        quoted.join(" "),
        exit_file.display()
    );
    let tmux = Tmux::new("ceremony-tui");
    tmux.start(&shell);
    // Keep the pane after the command ends, to read the exit code file.
    let _ = tmux
        .cmd()
        .args(["set-option", "-t", "ceremony", "remain-on-exit", "on"])
        .output();

    // The swept temp file is told under the first question.
    let first = wait_for(&tmux, "Open the ceremony");
    assert!(
        first.contains("! removed stale temp file") && first.contains("killed)"),
        "{first}"
    );
    assert!(!stale.exists(), "the dead run's temp file is gone");

    // Shrunk below 80x24 mid-ceremony it says so, and comes back intact.
    let resize = |w: &str, h: &str| {
        ok(tmux
            .cmd()
            .args(["resize-window", "-t", "ceremony", "-x", w, "-y", h])
            .output()
            .unwrap())
    };
    resize("60", "20");
    wait_for(&tmux, "terminal too small");
    resize("120", "40");
    wait_for(&tmux, "Open the ceremony");

    let deadline = Instant::now() + Duration::from_secs(180);
    let mut last_answered = String::new();
    let mut answered = 0;
    let final_screen = loop {
        assert!(
            Instant::now() < deadline,
            "the ceremony did not finish; screen:\n{}",
            tmux.screen()
        );
        std::thread::sleep(Duration::from_millis(200));
        let screen = tmux.screen();
        assert!(!screen.contains("[STOPPED]"), "stopped:\n{screen}");
        assert!(
            !screen.contains(" DEVIATION "),
            "a deviation was asked for:\n{screen}"
        );
        if screen.contains("[FINISHED]") {
            break screen;
        }
        // Answer each screen once; wait for it to change after an answer.
        if screen == last_answered {
            continue;
        }
        if let Some(a) = answer_for(&screen, &ksr_hex) {
            tmux.type_line(&a);
            last_answered = screen;
            answered += 1;
        }
    };
    // open: yes + 2 sign-offs; activate: 3; compare: hash + 1; read-back: 1; close: 3.
    assert!(answered >= 10, "{answered} answers\n{final_screen}");

    // The final screen: every step done, the log's head hash and its words.
    for step in ["Open the ceremony", "Sign the KSR", "Close the audit log"] {
        assert!(
            final_screen
                .lines()
                .any(|l| l.contains('✓') && l.contains(step)),
            "{step} not done\n{final_screen}"
        );
    }
    assert!(
        final_screen.contains("Ceremony finished (exit 0). Audit head"),
        "{final_screen}"
    );
    assert!(
        final_screen.contains("Audit log head (closed)"),
        "{final_screen}"
    );
    assert!(final_screen.contains("Steps done 8 of 8"), "{final_screen}");
    tmux.type_line("q");
    let until = Instant::now() + Duration::from_secs(10);
    // The shell creates the file before it writes the code: wait for the code.
    let written = || std::fs::read_to_string(&exit_file).is_ok_and(|c| c.ends_with('\n'));
    while !written() && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(100));
    }
    let code = std::fs::read_to_string(&exit_file).expect("ceremony exited");
    assert_eq!(code.trim(), "0");

    // The SKR is the non-interactive run's, byte for byte.
    assert_eq!(
        std::fs::read(dir.join("skr.xml")).unwrap(),
        std::fs::read(reference.join("skr.xml")).unwrap()
    );
    let log = dir.join("audit.jsonl");
    let v = test_support::process::audit_verifies(&log);
    let log_text = std::fs::read_to_string(&log).unwrap();
    assert!(log_text.contains("\"event\":\"close\""), "{log_text}");
    hsm.assert_no_pin_in(&log_text);
    hsm.assert_no_pin_in(&final_screen);
    // The head hash on the final screen is the one `audit verify` reports.
    let head = final_screen
        .split("Audit head ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap()
        .to_string();
    assert_eq!(head.len(), 64, "{final_screen}");
    assert!(text(&v).contains(&head), "{head}\n{}", text(&v));
}
