//! `ksr verify --ds RR` (SKR-KSK-PINNED by the parent's DS records, in every
//! input format) and SKR-EXPIRY-HORIZON (time left until the SKR's last
//! signature expires), in-process on a FakeEnv.

use ksr::testkit::fixture_path;
mod common;

use common::ksr;

/// The root KSK-2010's DS as the root anchors publish it.
const DS_19036: &str =
    ". 86400 IN DS 19036 8 2 49AAC11D7B6F6446702E54A1607371607A1A41855200FD2CE1CDDE32F24E8FB5";
/// The root KSK-2017's DS (a key that signs nothing in the 2017 Q2 SKR).
const DS_20326: &str = "20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D";

fn line(out: &str, name: &str) -> String {
    out.lines()
        .find(|l| l.split_whitespace().nth(1) == Some(name))
        .unwrap_or_else(|| panic!("no {name} line:\n{out}"))
        .to_string()
}

fn verify(file: &str, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["verify", file];
    args.extend_from_slice(extra);
    let o = ksr(&args);
    (
        o.status.0,
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The 2017 Q2 root SKR in all three formats (converted with `ksr convert`).
fn all_formats(dir: &std::path::Path) -> Vec<String> {
    let xml = fixture_path("skr-root-2017-q2-0.xml").display().to_string();
    let mut files = vec![xml.clone()];
    for to in ["knot", "bind"] {
        let out = dir.join(format!("skr.{to}")).display().to_string();
        let o = ksr(&["convert", &xml, "--to", to, "--out", &out]);
        assert_eq!(o.status.0, 0, "{}", String::from_utf8_lossy(&o.stderr));
        files.push(out);
    }
    files
}

#[test]
fn the_parents_ds_pins_the_signing_ksk_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    // The digest this test pins is the one ksr computes for the SKR's KSK.
    let (doc, _) =
        ksr::format::read_file(&fixture_path("skr-root-2017-q2-0.xml"), &Default::default())
            .unwrap();
    let ksk = doc.bundles[0].keys.iter().find(|k| k.is_ksk()).unwrap();
    let digest = ksr::dnssec::ds_digest(".", ksk, 2).unwrap();
    assert!(DS_19036.ends_with(&hex::encode_upper(digest)));
    for file in all_formats(dir.path()) {
        let (code, out, err) = verify(&file, &["--at", "2017-04-05", "--ds", DS_19036]);
        assert_eq!(code, 0, "{file}:\n{out}{err}");
        let l = line(&out, "SKR-KSK-PINNED");
        assert!(l.starts_with("PASS") && l.contains("19036 (--ds"), "{l}");
        // The RDATA alone (owner taken as the SKR's zone), digest split in two.
        let split = "19036 8 2 49AAC11D7B6F6446702E54A1607371607A1A4185 5200FD2CE1CDDE32F24E8FB5";
        let (code, out, _) = verify(&file, &["--at", "2017-04-05", "--ds", split]);
        assert_eq!(code, 0, "{file}:\n{out}");
    }
}

#[test]
fn a_ds_of_another_ksk_fails_the_pin_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    for file in all_formats(dir.path()) {
        let (code, out, _) = verify(&file, &["--at", "2017-04-05", "--ds", DS_20326]);
        assert_eq!(code, 1, "{file}:\n{out}");
        let l = line(&out, "SKR-KSK-PINNED");
        assert!(
            l.starts_with("FAIL") && l.contains("KSK 19036") && l.contains("not pinned"),
            "{l}"
        );
    }
}

#[test]
fn a_ds_with_the_right_tag_but_another_digest_names_the_collision() {
    let file = fixture_path("skr-root-2017-q2-0.xml").display().to_string();
    let wrong = DS_19036.replace("49AAC11D", "49AAC11E");
    let (code, out, _) = verify(&file, &["--at", "2017-04-05", "--ds", &wrong]);
    assert_eq!(code, 1);
    assert!(
        line(&out, "SKR-KSK-PINNED").contains("DS digest differs"),
        "{out}"
    );
}

#[test]
fn a_ds_for_another_zone_fails() {
    let file = fixture_path("skr-root-2017-q2-0.xml").display().to_string();
    let other = DS_19036.replacen(". ", "cz. ", 1);
    let (code, out, _) = verify(&file, &["--at", "2017-04-05", "--ds", &other]);
    assert_eq!(code, 1);
    assert!(line(&out, "SKR-KSK-PINNED").contains("zone cz."), "{out}");
}

#[test]
fn a_malformed_ds_is_unusable_input() {
    let file = fixture_path("skr-root-2017-q2-0.xml").display().to_string();
    for bad in [
        "19036 8 2",
        "19036 8 2 XYZ",
        "19036 8 1 49AAC11D7B6F6446702E54A1607371607A1A4185",
        "19036 8 2 49AA",
        ". IN DS 99999 8 2 49AAC11D7B6F6446702E54A1607371607A1A41855200FD2CE1CDDE32F24E8FB5",
    ] {
        let (code, _, err) = verify(&file, &["--ds", bad]);
        assert_eq!(code, 2, "{bad}: {err}");
        assert!(err.contains("--ds"), "{err}");
    }
    // On a KSR, --ds is a usage error like --ksk-tag.
    let ksr_file = fixture_path("ksr-root-2017-q2-0.xml").display().to_string();
    let (code, _, err) = verify(&ksr_file, &["--ds", DS_19036]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn the_expiry_horizon_fails_under_two_weeks_and_after_expiry() {
    let dir = tempfile::tempdir().unwrap();
    for file in all_formats(dir.path()) {
        // The last signature of the 2017 Q2 SKR expires 2017-07-11.
        let (code, out, _) = verify(&file, &["--at", "2017-06-20"]);
        let l = line(&out, "SKR-EXPIRY-HORIZON");
        assert!(l.starts_with("PASS") && l.contains("21 days"), "{l}");
        assert_eq!(code, 0, "{file}:\n{out}");

        let (code, out, _) = verify(&file, &["--at", "2017-06-30"]);
        let l = line(&out, "SKR-EXPIRY-HORIZON");
        assert!(l.starts_with("FAIL") && l.contains("11 days"), "{l}");
        assert!(
            l.contains("2017-07-11T00:00:00Z") && l.contains("P14D"),
            "{l}"
        );
        assert_eq!(code, 1);

        let (code, out, _) = verify(&file, &["--at", "2017-07-12"]);
        let l = line(&out, "SKR-EXPIRY-HORIZON");
        assert!(l.starts_with("FAIL") && l.contains("has expired"), "{l}");
        assert_eq!(code, 1);
    }
}

#[test]
fn the_expiry_horizon_margin_comes_from_the_policy() {
    let dir = tempfile::tempdir().unwrap();
    let o = ksr(&["policy", "show"]);
    let toml = String::from_utf8(o.stdout).unwrap().replace(
        "[signatures]\n",
        "[signatures]\nmin_expiry_horizon = \"P7D\"\n",
    );
    assert!(toml.contains("min_expiry_horizon"));
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, toml).unwrap();
    let file = fixture_path("skr-root-2017-q2-0.xml").display().to_string();
    let p = policy.display().to_string();
    let (code, out, err) = verify(&file, &["--at", "2017-06-30", "--policy", &p]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(line(&out, "SKR-EXPIRY-HORIZON").contains("P7D"), "{out}");
    // `policy show` prints the non-default margin back.
    let o = ksr(&["policy", "show", "--policy", &p]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("min_expiry_horizon = \"P7D\""));
}
