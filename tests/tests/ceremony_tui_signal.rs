//! Issue 11 item 8: SIGTERM to `ceremony run` while its terminal UI holds the
//! terminal (raw mode, alternate screen) gives the terminal back before the
//! process exits 143: the shell after it reads lines with echo again. So does
//! Ctrl-C at a PIN prompt (echo off). Runs in a real terminal (tmux), as
//! `ceremony_tui_tmux.rs` does.

use std::time::Duration;

use test_support::tmux::Tmux;

#[test]
fn sigterm_gives_the_terminal_back() {
    let dir = tempfile::tempdir().unwrap();
    let bin = test_support::process::binary("ceremony");
    let script = test_support::repo_file("scripts/ceremonies/ksr-signing.toml");
    let pid_file = dir.path().join("pid");
    // The shell records the ceremony's pid, then after it: its exit code and
    // the terminal's line discipline flags, one per line.
    let shell = format!(
        "cd '{d}'; sh -c 'echo $$ > {pid}; exec \"$0\" \"$@\"' '{bin}' run '{script}' --audit-log '{d}/audit.jsonl' --var 'dir={d}' --var 'ksr={d}/k.xml'; echo EXIT=$?; stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | sed 's/^/FLAG=/'; sleep 60",
        d = dir.path().display(),
        pid = pid_file.display(),
        bin = bin.display(),
        script = script.display(),
    );
    let tmux = Tmux::new("ceremony-tui-signal");
    tmux.start(&shell);
    tmux.wait_for("Open the ceremony", Duration::from_secs(60));
    let pid: i32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // SAFETY: kill(2) on the ceremony process this test started.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let screen = tmux.wait_for("FLAG=", Duration::from_secs(60));
    std::thread::sleep(Duration::from_millis(300));
    let screen = format!("{screen}\n{}", tmux.screen());
    assert!(screen.contains("ceremony: stopped by SIGTERM"), "{screen}");
    assert!(screen.contains("EXIT=143"), "{screen}");
    assert!(
        screen.contains("FLAG=icanon") && screen.contains("FLAG=echo"),
        "the terminal is still raw:\n{screen}"
    );
    assert!(
        !screen.contains("Steps done"),
        "still on the UI's screen:\n{screen}"
    );
}

/// Ctrl-C while the PIN is asked for (echo off) exits 130 with echo back on.
#[test]
fn ctrl_c_at_the_pin_prompt_gives_echo_back() {
    let hsm = test_support::softhsm::SoftHsm::new("echo");
    let bin = test_support::process::binary("ceremony");
    let shell = format!(
        "SOFTHSM2_CONF='{conf}' '{bin}' inventory --token echo; echo EXIT=$?; stty -a | tr ' ;' '\\n\\n' | grep -x -e echo -e -echo | sed 's/^/FLAG=/'; sleep 60",
        conf = hsm.softhsm_dir().join("softhsm2.conf").display(),
        bin = bin.display(),
    );
    let tmux = Tmux::new("ceremony-pin-signal");
    tmux.start(&shell);
    tmux.wait_for("user PIN for token", Duration::from_secs(60));
    test_support::process::ok(
        tmux.cmd()
            .args(["send-keys", "-t", test_support::tmux::SESSION, "C-c"])
            .output()
            .unwrap(),
    );
    let screen = tmux.wait_for("FLAG=", Duration::from_secs(60));
    assert!(screen.contains("ceremony: stopped by SIGINT"), "{screen}");
    assert!(screen.contains("EXIT=130"), "{screen}");
    assert!(
        screen.contains("FLAG=echo"),
        "echo is still off after the PIN prompt:\n{screen}"
    );
}
