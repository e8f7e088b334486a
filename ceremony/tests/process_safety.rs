//! Issue 11, items 4, 5 and 8, on the real `ceremony` binary and a real
//! SoftHSM token: no core dumps once a token is open; a full disk never
//! leaves a half-written audit record and never hides the command's own
//! result; SIGINT/SIGTERM remove temp files and record `interrupted`, and a
//! SIGKILL's leftovers are swept by the next run.

use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use ksr::model::{AlgorithmParams, AlgorithmPolicy};
use test_support::process::text;
use test_support::sha256_hex;
use test_support::softhsm::SoftHsm;

const TOKEN: &str = "safety";

fn p256() -> AlgorithmPolicy {
    AlgorithmPolicy {
        algorithm: 13,
        params: AlgorithmParams::Ecdsa { size: 256 },
    }
}

/// A token with a P-256 KSK and ZSK, and in `dir`: `policy.toml` and
/// `ksr.xml`, a KSR of `bundles` bundles (one every 10 days) made by
/// `ceremony request`.
fn setup(bundles: usize) -> (SoftHsm, PathBuf) {
    let hsm = SoftHsm::new(TOKEN);
    for (label, flags) in [("ksk", "257"), ("zsk", "256")] {
        let o = hsm.run(
            TOKEN,
            &[
                "keygen",
                "--label",
                label,
                "--algorithm",
                "ecdsap256sha256",
                "--zone",
                "example.test.",
                "--flags",
                flags,
            ],
        );
        assert!(o.status.success(), "{}", text(&o));
    }
    let p = test_support::long_example_policy(bundles, p256());
    let dir = hsm.path("work");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("policy.toml"), p.to_toml()).unwrap();
    let mut args = test_support::long_request_args(bundles);
    args.extend(["--policy", "policy.toml", "--out", "ksr.xml"].map(String::from));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut c = hsm.with_token(TOKEN, &args);
    let o = c.current_dir(&dir).output().unwrap();
    assert!(o.status.success(), "request: {}", text(&o));
    (hsm, dir)
}

/// `ceremony sign-ksr ksr.xml --out OUT` in `dir` (relative paths, so the
/// records of two runs in two directories have the same length).
fn sign_cmd(hsm: &SoftHsm, dir: &Path, out: &str, log: Option<&str>) -> Command {
    let hash = sha256_hex(&dir.join("ksr.xml"));
    let mut c = hsm.with_token(
        TOKEN,
        &[
            "sign-ksr",
            "ksr.xml",
            "--out",
            out,
            "--ksk-current",
            "ksk",
            "--schema",
            "normal",
            "--at",
            "2025-12-20",
            "--policy",
            "policy.toml",
            "--max-size",
            "100000000",
            "--expect-sha256",
            &hash,
            "--first-in-chain",
        ],
    );
    if let Some(l) = log {
        c.args(["--audit-log", l]);
    }
    c.current_dir(dir).stdin(Stdio::null());
    c
}

fn log_summary(path: &Path) -> ceremony::audit::Summary {
    let bytes = std::fs::read(path).unwrap();
    ceremony::audit::verify(&bytes)
        .unwrap_or_else(|b| panic!("{}:{}: {}", path.display(), b.line, b.message))
}

/// Waits (at most 60 s) until `cond` holds; false if the child exited first.
fn wait_for(child: &mut Child, mut cond: impl FnMut() -> bool, poll: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(60) {
        if cond() {
            return true;
        }
        if child.try_wait().unwrap().is_some() {
            return cond();
        }
        std::thread::sleep(poll);
    }
    panic!("timed out");
}

fn signal(child: &Child, sig: i32) {
    // SAFETY: kill(2) on our own child's pid.
    assert_eq!(unsafe { libc::kill(child.id() as i32, sig) }, 0);
}

/// Temp files in `dir` (`.NAME.….tmp`).
fn temps(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') && n.ends_with(".tmp"))
        .collect();
    v.sort();
    v
}

// ---- item 4: no core dumps ----------------------------------------------

/// `ceremony inventory` with its PIN file a FIFO blocks at the PIN, after it
/// loaded the module; there its core limit must be 0, and a SIGABRT must not
/// dump core, although the test started it with its core limit raised to the
/// hard limit (unlimited as root).
#[test]
fn a_process_with_a_token_open_never_dumps_core() {
    let hsm = SoftHsm::new(TOKEN);
    let dir = hsm.path("cwd");
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("user.pin");
    let st = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(st.success());
    let mut c = hsm.command(&["inventory", "--token", TOKEN, "--pin-file"]);
    c.arg(&fifo).current_dir(&dir).stdin(Stdio::null());
    c.stdout(Stdio::null()).stderr(Stdio::null());
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        c.pre_exec(|| {
            // As large as allowed (unlimited as root): the child may dump
            // core unless it turns that off itself.
            let mut lim = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            if libc::getrlimit(libc::RLIMIT_CORE, &mut lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            lim.rlim_cur = lim.rlim_max;
            if libc::setrlimit(libc::RLIMIT_CORE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = c.spawn().unwrap();
    let pid = child.id();
    let proc = |f: &str| std::fs::read_to_string(format!("/proc/{pid}/{f}")).unwrap_or_default();
    // The module is in the process (it blocks at the PIN FIFO after that).
    assert!(
        wait_for(
            &mut child,
            || proc("maps").contains("libsofthsm2"),
            Duration::from_millis(20)
        ),
        "the module was never loaded"
    );
    std::thread::sleep(Duration::from_millis(200));
    let limits = proc("limits");
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap()
        .split_whitespace()
        .skip(4)
        .take(2)
        .collect::<Vec<_>>();
    assert_eq!(core, ["0", "0"], "{limits}");
    signal(&child, libc::SIGABRT);
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(libc::SIGABRT), "{status:?}");
    assert!(!status.core_dumped(), "the kernel wrote a core dump");
    let pattern = std::fs::read_to_string("/proc/sys/kernel/core_pattern").unwrap_or_default();
    // With a file pattern (not a pipe to a crash collector) the core would be in the cwd.
    if !pattern.starts_with('|') {
        let cores: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("core"))
            .collect();
        assert!(cores.is_empty(), "core files: {cores:?}");
    }
}

/// Non-dumpable is seen from outside through `/proc/PID`: the kernel gives a
/// non-dumpable process's `/proc` files to root instead of its own user. So
/// the ceremony runs as `nobody` here (as root, both owners would be root),
/// on a token directory handed to that user.
#[test]
fn a_process_with_a_token_open_is_not_dumpable() {
    const NOBODY: u32 = 65534;
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: needs root to run the ceremony as another user");
        return;
    }
    let hsm = SoftHsm::new(TOKEN);
    let dir = hsm.path("cwd");
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("user.pin");
    let st = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(st.success());
    // A copy of the binary in the directory handed to `nobody`: the build's
    // own directory may be private to root (a clone under `mktemp -d`).
    let bin = hsm.dir.path().join("ceremony");
    std::fs::copy(test_support::process::binary("ceremony"), &bin).unwrap();
    let st = Command::new("chown")
        .args(["-R", "65534:65534"])
        .arg(hsm.dir.path())
        .status()
        .unwrap();
    assert!(st.success());
    let mut c = Command::new(&bin);
    c.args(["inventory", "--token", TOKEN, "--pin-file"])
        .env("SOFTHSM2_CONF", &hsm.conf)
        .env_remove("PKCS11_MODULE");
    c.arg(&fifo).current_dir(&dir).stdin(Stdio::null());
    c.stdout(Stdio::null()).stderr(Stdio::piped());
    c.uid(NOBODY).gid(NOBODY);
    let mut child = c.spawn().unwrap();
    let pid = child.id();
    let status_owner = || {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(format!("/proc/{pid}/status")).map(|m| m.uid())
    };
    let loaded = wait_for(
        &mut child,
        || {
            std::fs::read_to_string(format!("/proc/{pid}/maps"))
                .unwrap_or_default()
                .contains("libsofthsm2")
        },
        Duration::from_millis(5),
    );
    let owner = status_owner();
    child.kill().unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(
        loaded,
        "the module was never loaded: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        owner.unwrap(),
        0,
        "/proc/{pid}/status still belongs to its user: dumpable"
    );
}

// ---- item 5: a full disk -------------------------------------------------

/// Runs `c` with a file-size limit of `limit` bytes and SIGXFSZ ignored, so a
/// write past the limit fails with EFBIG as a full disk fails with ENOSPC:
/// the same error path, without mounting a small file system (which needs
/// privileges CI may not have).
fn output_with_fsize(mut c: Command, limit: u64) -> Output {
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        c.pre_exec(move || {
            let l = libc::rlimit {
                rlim_cur: limit,
                rlim_max: limit,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &l) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            Ok(())
        });
    }
    c.output().unwrap()
}

/// A log of about 1 MB (larger than the SKR, so only the log hits the limit).
fn padded_log(path: &Path) {
    let clock = ceremony::audit::FixedClock(time::macros::datetime!(2025-12-19 00:00 UTC));
    let mut log = ceremony::audit::AuditLog::open(path, clock).unwrap();
    for i in 0..100 {
        let mut r = ceremony::audit::Record::new(ceremony::audit::Event::Note, "");
        r.note = Some(format!("{i}: {}", "x".repeat(10_000)));
        log.append(r).unwrap();
    }
}

#[test]
fn a_full_disk_rolls_the_audit_log_back_and_reports_the_command_truthfully() {
    let (hsm, dir) = setup(9);
    // Calibrate: the lengths of this command's begin and end records.
    let calib = hsm.path("calib");
    std::fs::create_dir_all(&calib).unwrap();
    for f in ["ksr.xml", "policy.toml"] {
        std::fs::copy(dir.join(f), calib.join(f)).unwrap();
    }
    padded_log(&calib.join("audit.jsonl"));
    padded_log(&dir.join("audit.jsonl"));
    let log = dir.join("audit.jsonl");
    let before = std::fs::read(&log).unwrap();
    let o = sign_cmd(&hsm, &calib, "skr.xml", Some("audit.jsonl"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let grown = std::fs::read(calib.join("audit.jsonl")).unwrap();
    let lines: Vec<&[u8]> = grown[before.len()..]
        .split_inclusive(|b| *b == b'\n')
        .collect();
    assert_eq!(lines.len(), 2, "a begin and an end");
    let (begin_len, end_len) = (lines[0].len() as u64, lines[1].len() as u64);

    // The end record's write fails 28 bytes in: the SKR was written and
    // verified, the command says so and exits 0, and the log is cut back
    // to its begin record.
    let limit = before.len() as u64 + begin_len + 28;
    assert!(end_len > 28);
    let o = output_with_fsize(sign_cmd(&hsm, &dir, "skr.xml", Some("audit.jsonl")), limit);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(dir.join("skr.xml").is_file(), "the SKR was written");
    assert!(!o.stdout.is_empty(), "the command's report: {}", text(&o));
    assert!(
        stderr.contains("audit log: end record not written")
            && stderr.contains(
                "the partial record was removed and the log is consistent up to record 102"
            )
            && stderr.contains("finished with exit 0"),
        "{stderr}"
    );
    let bytes = std::fs::read(&log).unwrap();
    assert_eq!(
        bytes.len() as u64,
        before.len() as u64 + begin_len,
        "rolled back to the begin"
    );
    let s = log_summary(&log);
    assert_eq!(s.open, [102]);
    assert_eq!(temps(&dir), Vec::<String>::new());

    // The begin record itself cannot be written: nothing runs, exit 2, the
    // log is as it was.
    std::fs::remove_file(dir.join("skr.xml")).unwrap();
    let now = bytes.len() as u64;
    let o = output_with_fsize(
        sign_cmd(&hsm, &dir, "skr.xml", Some("audit.jsonl")),
        now + 10,
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(!dir.join("skr.xml").exists());
    let after = std::fs::read(&log).unwrap();
    assert_eq!(after, bytes, "the failed append was cut off");

    // With room again, the next command records the gap and goes on.
    let o = sign_cmd(&hsm, &dir, "skr.xml", Some("audit.jsonl"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let s = log_summary(&log);
    assert!(s.open.is_empty());
    assert_eq!(s.interrupted, [102]);
}

// ---- item 8: signals -------------------------------------------------------

/// Starts `sign-ksr` of the big KSR into `out/skr.xml` under `out/audit.jsonl`.
fn start_signing(hsm: &SoftHsm, dir: &Path) -> Child {
    let mut c = sign_cmd(hsm, dir, "out/skr.xml", Some("out/audit.jsonl"));
    c.stdout(Stdio::null()).stderr(Stdio::piped());
    c.spawn().unwrap()
}

fn stderr_of(child: Child) -> (std::process::ExitStatus, String) {
    let o = child.wait_with_output().unwrap();
    (o.status, String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn sigterm_and_sigint_remove_temp_files_and_record_interrupted_and_sigkill_leftovers_are_swept() {
    let (hsm, dir) = setup(1000);
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let log = out.join("audit.jsonl");

    // (a) SIGTERM while signing: no output, no temp file, `interrupted`.
    let mut child = start_signing(&hsm, &dir);
    assert!(wait_for(
        &mut child,
        || std::fs::read_to_string(&log).is_ok_and(|t| t.contains("\"event\":\"begin\"")),
        Duration::from_millis(5)
    ));
    // Now it opens the token, checks and signs (about a second for 1,000
    // bundles); the write comes last.
    std::thread::sleep(Duration::from_millis(50));
    signal(&child, libc::SIGTERM);
    let (status, stderr) = stderr_of(child);
    assert_eq!(status.code(), Some(143), "{stderr}");
    assert!(stderr.contains("ceremony: stopped by SIGTERM"), "{stderr}");
    assert!(!out.join("skr.xml").exists());
    assert_eq!(temps(&out), Vec::<String>::new());
    let s = log_summary(&log);
    let last = s.records.last().unwrap();
    assert_eq!(last.event, ceremony::audit::Event::Interrupted);
    assert!(
        last.note.as_deref().unwrap().contains("SIGTERM"),
        "{last:?}"
    );
    assert!(s.open.is_empty());

    // SIGINT once the temp file exists (while the SKR is re-checked): the
    // temp file is removed and named in the record.
    let mut caught = false;
    for _ in 0..5 {
        let mut child = start_signing(&hsm, &dir);
        let seen = wait_for(
            &mut child,
            || !temps(&out).is_empty(),
            Duration::from_millis(1),
        );
        if !seen {
            let _ = std::fs::remove_file(out.join("skr.xml"));
            let _ = child.wait();
            continue;
        }
        signal(&child, libc::SIGINT);
        let (status, stderr) = stderr_of(child);
        if status.code() == Some(0) {
            std::fs::remove_file(out.join("skr.xml")).unwrap();
            continue; // the rename won the race; try again
        }
        assert_eq!(status.code(), Some(130), "{stderr}");
        assert!(stderr.contains("removed temp file"), "{stderr}");
        assert!(!out.join("skr.xml").exists());
        assert_eq!(temps(&out), Vec::<String>::new());
        let s = log_summary(&log);
        let note = s.records.last().unwrap().note.clone().unwrap();
        assert!(
            note.contains("SIGINT") && note.contains("temp files removed"),
            "{note}"
        );
        caught = true;
        break;
    }
    assert!(caught, "never caught the write window in 5 runs");

    // (b) SIGKILL with the temp file there: it stays (nothing can catch a
    // SIGKILL); the next run reports and removes it, records the gap, and
    // succeeds.
    let mut left = Vec::new();
    for _ in 0..5 {
        let mut child = start_signing(&hsm, &dir);
        if wait_for(
            &mut child,
            || !temps(&out).is_empty(),
            Duration::from_millis(1),
        ) {
            child.kill().unwrap();
        }
        let _ = child.wait();
        left = temps(&out);
        if !left.is_empty() {
            break;
        }
        let _ = std::fs::remove_file(out.join("skr.xml"));
    }
    assert_eq!(left.len(), 1, "a temp file left by SIGKILL");
    assert!(!out.join("skr.xml").exists());
    let o = sign_cmd(&hsm, &dir, "out/skr.xml", Some("out/audit.jsonl"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains(&format!("removed stale temp file out/{}", left[0])),
        "{stderr}"
    );
    assert_eq!(temps(&out), Vec::<String>::new());
    assert!(out.join("skr.xml").is_file());
    let s = log_summary(&log);
    assert!(s.open.is_empty());
    assert_eq!(s.interrupted.len(), 3);
}

/// A signal while a question waits for its answer stops the command at once,
/// although standard input stays open: the prompt does not keep stderr, which
/// the stopping thread needs to say so.
#[test]
fn sigterm_at_a_question_stops_at_once() {
    let hsm = SoftHsm::new(TOKEN);
    let mut args = test_support::keygen_args("ksk", "ecdsap256sha256", "example.test.");
    args.extend(["--flags", "257"]);
    let o = hsm.run(TOKEN, &args);
    assert!(o.status.success(), "{}", text(&o));
    let dir = hsm.path("cwd");
    std::fs::create_dir_all(&dir).unwrap();
    let errors = dir.join("stderr.txt");
    let mut c = hsm.with_token(TOKEN, &["delete", "--label", "ksk"]);
    c.current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&errors).unwrap());
    let mut child = c.spawn().unwrap();
    // Held open, never written: the question waits.
    let _stdin = child.stdin.take().unwrap();
    assert!(wait_for(
        &mut child,
        || std::fs::read_to_string(&errors).is_ok_and(|t| t.contains("Type the label again")),
        Duration::from_millis(5)
    ));
    signal(&child, libc::SIGTERM);
    let status = exit_within(&mut child, Duration::from_secs(10));
    let stderr = std::fs::read_to_string(&errors).unwrap();
    assert_eq!(status.code(), Some(143), "{stderr}");
    assert!(stderr.contains("ceremony: stopped by SIGTERM"), "{stderr}");
    // The key is still there.
    let o = hsm.run(TOKEN, &["inventory"]);
    assert!(text(&o).contains("ksk"), "{}", text(&o));
}

/// The child's exit status, or a failed test (the child killed) if it is
/// still running after `limit`.
fn exit_within(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("still running {limit:?} on");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// `c`'s output, or a failed test if it is still running after 20 s.
fn output_within_20s(mut c: Command) -> Output {
    let mut child = c
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    exit_within(&mut child, Duration::from_secs(20));
    child.wait_with_output().unwrap()
}

/// A FIFO where the audit log or `softhsm2.conf` is read would block the
/// read for ever: refused at once, exit 2, named.
#[test]
fn an_audit_log_or_softhsm_conf_that_is_a_fifo_is_refused_at_once() {
    let hsm = SoftHsm::new(TOKEN);
    let dir = hsm.path("fifos");
    std::fs::create_dir_all(dir.join("softhsm")).unwrap();
    let log = dir.join("audit.jsonl");
    test_support::mkfifo(&log);
    let mut c = hsm.with_token(TOKEN, &["inventory"]);
    c.arg("--audit-log").arg(&log);
    let o = output_within_20s(c);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("is a FIFO, not a regular file; an audit log must be one"),
        "{}",
        text(&o)
    );
    test_support::mkfifo(&dir.join("softhsm/softhsm2.conf"));
    let pins = hsm.path("pins");
    std::fs::create_dir_all(&pins).unwrap();
    let (so, user) = (pins.join("so"), pins.join("user"));
    test_support::write_private(&so, "5678\n");
    test_support::write_private(&user, "1234\n");
    let mut c = hsm.command(&["hsm", "init", "--label", "x", "--softhsm"]);
    c.arg(dir.join("softhsm"))
        .arg("--so-pin-file")
        .arg(&so)
        .arg("--pin-file")
        .arg(&user);
    let o = output_within_20s(c);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("softhsm2.conf is a FIFO"), "{}", text(&o));
}
