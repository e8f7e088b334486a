//! `ceremony audit report --out FILE.html` printed by headless Chromium to a
//! PDF and read back with `pdftotext`: what the witnesses sign is on the page.
//! The ceremony needs no token: an instruction, a verification of a brought
//! file, a deviation and sign-offs.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

const SCRIPT: &str = r#"title = "Report <check> & print"
zone = "example."
[[roles]]
id = "co"
name = "Crypto Officer"
people = ["Ana", "Bashir", "Chen"]
[[roles]]
id = "iw"
name = "Internal Witness"
people = ["Ivo Witness"]
[quorums.two]
role = "co"
need = 2
[inputs]
ksr = "KSR_PATH"
[[steps]]
id = "open"
kind = "instruction"
text = "Open the ceremony."
signoff = ["iw"]
[[steps]]
id = "lights"
kind = "checklist"
items = ["The room lights work"]
[[steps]]
id = "compare-ksr"
kind = "verify"
artifact = "ksr"
quorum = "two"
"#;

fn ceremony_log(dir: &Path) -> (std::path::PathBuf, String) {
    // A short path: a long one wraps in the artifact table and splits the
    // PGP words the test reads back, depending on where the checkout is.
    let ksr = dir.join("ksr.xml");
    std::fs::copy(
        test_support::fixture("iana-root/ksr-root-2017-q2-0.xml"),
        &ksr,
    )
    .unwrap();
    let script = dir.join("report.toml");
    std::fs::write(&script, SCRIPT.replace("KSR_PATH", s(&ksr))).unwrap();
    let sha = sha256_hex(&ksr);
    let answers = dir.join("answers.toml");
    std::fs::write(&answers, room_answers("", &sha, "Chen")).unwrap();
    let log = dir.join("audit.jsonl");
    let o = run(&answered(&script, &log, &answers));
    o.expect_code(0);
    (log, sha)
}

#[test]
fn the_html_report_prints_with_everything_the_witnesses_sign() {
    let d = scratch();
    let (log, sha) = ceremony_log(d.path());
    let html = d.path().join("report.html");
    let o = run(&["audit", "report", s(&log), "--out", s(&html)]);
    o.expect_code(0);
    let head = o
        .stdout
        .lines()
        .nth(1)
        .unwrap()
        .strip_prefix("head ")
        .unwrap()
        .to_string();
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        !page.contains("http://") && !page.contains("https://") && !page.contains("<script"),
        "self-contained"
    );
    assert!(page.contains("Report &lt;check&gt; &amp; print"), "escaped");

    let pdf = d.path().join("report.pdf");
    let profile = d.path().join("chromium-profile");
    let out = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("chromium (Debian package chromium, installed by scripts/setup) runs");
    assert!(
        pdf.exists(),
        "chromium printed nothing: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let txt = Command::new("pdftotext")
        .args(["-nopgbrk"])
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(txt.status.success());
    let text = String::from_utf8_lossy(&txt.stdout);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    // Deviations first.
    let dev = flat
        .find("the checklist sheet was missing")
        .expect("the deviation is printed");
    assert!(dev < flat.find("Participants").unwrap(), "{flat}");
    assert!(flat.contains("Report <check> & print"), "{flat}");
    assert!(flat.contains("Crypto Officer: Ana, Bashir, Chen"), "{flat}");
    for step in ["open", "compare-ksr"] {
        assert!(flat.contains(step), "{step}: {flat}");
    }
    // The KSR's hash and its PGP words (hashes may wrap: compare without spaces).
    let squeezed: String = flat.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(squeezed.contains(&sha), "{flat}");
    let words = ksr::digest::pgp_words(&hex::decode(&sha).unwrap()).join("");
    assert!(squeezed.contains(&words), "{flat}");
    // Sign-offs by name, marked so; the closing head and its words; signature lines.
    assert!(flat.contains("by name only"), "{flat}");
    assert!(squeezed.contains(&head), "{flat}");
    let head_words = ksr::digest::pgp_words(&hex::decode(&head).unwrap()).join("");
    assert!(squeezed.contains(&head_words), "{flat}");
    assert!(
        flat.contains("Ivo Witness (Internal Witness), signature and date"),
        "{flat}"
    );
}
