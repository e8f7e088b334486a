//! Issue 11 item 8: SIGTERM to `ceremony run` while its terminal UI holds the
//! terminal (raw mode, alternate screen) gives the terminal back before the
//! process exits 143: the shell after it reads lines with echo again. Runs in
//! a real terminal (tmux), as `ceremony_tui_tmux.rs` does.

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
