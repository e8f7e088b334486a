//! Issue 11, item 8: SIGINT or SIGTERM while `ksr export --out` writes
//! removes its temp file (exit 130/143, nothing at the target); the temp file
//! a SIGKILL leaves is reported and removed by the next run. The pause is
//! real: the input is a FIFO, so the process waits reading it while its temp
//! file (made by the output preflight) exists.

use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};
use test_support::mkfifo;

use ksr::testkit::fixture_path;

fn temps(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".out.txt.") && n.ends_with(".tmp"))
        .collect();
    v.sort();
    v
}

/// `ksr export INPUT --dialect knot --out DIR/out.txt`, waiting until its
/// temp file exists (it then blocks reading the FIFO).
fn export_waiting(dir: &Path, input: &Path) -> Child {
    let mut child = test_support::process::command("ksr")
        .arg("export")
        .arg(input)
        .args(["--dialect", "knot", "--out"])
        .arg(dir.join("out.txt"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while temps(dir).is_empty() {
        assert!(child.try_wait().unwrap().is_none(), "export ended early");
        assert!(start.elapsed() < Duration::from_secs(30), "no temp file");
        std::thread::sleep(Duration::from_millis(5));
    }
    child
}

fn kill(child: &Child, sig: i32) {
    // SAFETY: kill(2) on our own child's pid.
    assert_eq!(unsafe { libc::kill(child.id() as i32, sig) }, 0);
}

#[test]
fn sigint_and_sigterm_remove_the_temp_file() {
    for (sig, code, name) in [
        (libc::SIGINT, 130, "SIGINT"),
        (libc::SIGTERM, 143, "SIGTERM"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("in.xml");
        mkfifo(&fifo);
        let child = export_waiting(dir.path(), &fifo);
        let temp = temps(dir.path()).remove(0);
        kill(&child, sig);
        let o = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(code), "{name}: {stderr}");
        assert!(
            stderr.starts_with(&format!("ksr: stopped by {name}; removed temp file "))
                && stderr.contains(&temp),
            "{stderr}"
        );
        assert_eq!(temps(dir.path()), Vec::<String>::new());
        assert!(!dir.path().join("out.txt").exists());
    }
}

#[test]
fn a_temp_file_left_by_sigkill_is_swept_by_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("in.xml");
    mkfifo(&fifo);
    let mut child = export_waiting(dir.path(), &fifo);
    child.kill().unwrap(); // SIGKILL
    assert_eq!(child.wait().unwrap().signal(), Some(libc::SIGKILL));
    let left = temps(dir.path());
    assert_eq!(
        left.len(),
        1,
        "SIGKILL cannot be caught: the temp file stays"
    );
    // A temp file of a live process (this test's) is never touched.
    let mine = format!(".out.txt.{}.abcdef.tmp", std::process::id());
    std::fs::write(dir.path().join(&mine), b"").unwrap();
    let o = test_support::process::command("ksr")
        .arg("export")
        .arg(fixture_path("skr-root-2017-q2-0.xml"))
        .args(["--dialect", "knot", "--out"])
        .arg(dir.path().join("out.txt"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "ksr: removed stale temp file {}",
            dir.path().join(&left[0]).display()
        )),
        "{stderr}"
    );
    assert_eq!(temps(dir.path()), vec![mine]);
    assert!(dir.path().join("out.txt").is_file());
}
