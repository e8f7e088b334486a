//! `ksr hash` and `ksr policy show`.

use ksr::policy::Policy;
mod common;

use common::ksr;

#[test]
fn hash_prints_hex_and_32_pgp_words() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("hello.txt");
    std::fs::write(&f, b"hello, world\n").unwrap();
    let g = dir.path().join("other.txt");
    std::fs::write(&g, b"other\n").unwrap();
    let o = ksr(&["hash", f.to_str().unwrap(), g.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("853ff93762a06ddbf722c4ebe9ddd66d8f63ddaea97f521c3ecc20da7c976020"),
        "{out}"
    );
    let words: Vec<&str> = out.split_whitespace().collect();
    let at = words
        .iter()
        .position(|w| *w == "music")
        .expect("first word");
    assert_eq!(&words[at..at + 4], &["music", "2", "customer", "3"]);
    assert!(out.contains("waffle"));
    assert!(out.contains("32 "), "32 numbered words: {out}");
    assert!(out.contains("other.txt"));

    let o = ksr(&["hash", dir.path().join("nope").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn policy_show_prints_the_root_policy_that_reads_back_equal() {
    let o = ksr(&["policy", "show"]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.contains("P21D") && text.contains("RSASHA256") && text.contains("P180D"),
        "{text}"
    );
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("root.toml");
    std::fs::write(&p, &text).unwrap();
    assert_eq!(Policy::from_toml_file(&p).unwrap(), Policy::root());

    // --policy FILE reads and reprints it; a verify with it behaves as the default.
    let o = ksr(&["policy", "show", "--policy", p.to_str().unwrap()]);
    assert_eq!(String::from_utf8(o.stdout).unwrap(), text);
}

#[test]
fn a_bad_policy_file_exits_2_naming_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.toml");
    let text = Policy::root().to_toml().replace("P180D", "P180X");
    std::fs::write(&p, text).unwrap();
    let ksr_file = ksr::testkit::fixture_path("ksr-root-2017-q2-0.xml");
    let o = ksr(&[
        "verify",
        "--policy",
        p.to_str().unwrap(),
        ksr_file.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad.toml") && err.contains("signatures.horizon"),
        "{err}"
    );
}

#[test]
fn endless_inputs_are_capped_not_read_forever() {
    if !std::path::Path::new("/dev/zero").exists() {
        return; // nothing endless to read on this system
    }
    let skr = ksr::testkit::fixture_path("skr-root-2017-q2-0.xml");
    let skr = skr.to_str().unwrap();
    for (args, want) in [
        (
            vec!["inspect", "/dev/zero"],
            "ksr: /dev/zero: file is over the limit of 1048576 bytes; if it is genuine, raise the limit with --max-size",
        ),
        (
            vec!["policy", "show", "--policy", "/dev/zero"],
            "ksr: /dev/zero: cannot read policy: file is over the limit of 1048576 bytes",
        ),
        (
            vec!["verify", "--trust-anchor", "/dev/zero", skr],
            "ksr: /dev/zero: file is over the limit of 1048576 bytes",
        ),
    ] {
        let o = ksr(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.trim_end(), want, "{args:?}");
    }
}

#[test]
fn a_policy_toml_error_is_file_line_message_on_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let root = Policy::root().to_toml();
    let line = 1 + root
        .lines()
        .position(|l| l.starts_with("count = "))
        .unwrap();
    for (name, text, want) in [
        (
            "range.toml",
            root.replacen("count = 9", "count = -1", 1),
            format!("range.toml:{line}: invalid value: integer `-1`, expected usize"),
        ),
        (
            "syntax.toml",
            root.replacen("count = 9", "count = [1,,]", 1),
            format!("syntax.toml:{line}: "),
        ),
        (
            "escape.toml",
            root.replacen("count = 9", "count = \"\\u001b[31m\"", 1),
            format!("escape.toml:{line}: invalid type: string"),
        ),
    ] {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        let o = ksr(&["policy", "show", "--policy", p.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            err.starts_with(&format!("ksr: {}", dir.path().join(&want).display())),
            "{err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            !err.contains("\\u{a}") && !err.contains("TOML parse error"),
            "{err}"
        );
        assert!(!err.trim_end().chars().any(|c| c.is_control()), "{err:?}");
    }
}
