//! Must show (issue 3): a two-KSK roll over three consecutive KSRs, as the root
//! did in 2017-2019: pre-publish, then rollover, then revoke, each KSR signed with
//! the previous SKR; every SKR verifies against its predecessor, and `ksr inspect`
//! shows the expected S (signs), P (published only) and R (revoked) marks per slot.

mod ceremony_sign_common;
use ceremony_sign_common::*;

use ksr::model::{flags, Document, Key};

/// Quarters: each KSR covers 91 days; KSR n+1 starts where KSR n's period ends.
const QUARTERS: [(&str, &str, &str); 3] = [
    ("2026-01-01", "2026-04-02", "2025-12-15"),
    ("2026-04-02", "2026-07-02", "2026-03-15"),
    ("2026-07-02", "2026-10-01", "2026-06-15"),
];

fn tag(doc: &Document, label: &str, f: u16) -> u16 {
    let k: &Key = doc
        .bundles
        .iter()
        .flat_map(|b| &b.keys)
        .find(|k| k.key_identifier == label)
        .unwrap();
    let mut k = k.clone();
    k.flags = f;
    ksr::dnssec::key_tag(&k)
}

/// The KSK marks of one `ksr inspect` slot line, sorted: e.g. ["12345/S", "R23456/S"].
fn ksk_marks(line: &str, tags: &[String]) -> Vec<String> {
    let mut v: Vec<String> = line
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| {
            t.contains('/')
                && tags
                    .iter()
                    .any(|tag| t.trim_start_matches('R').starts_with(&format!("{tag}/")))
        })
        .map(|t| t.to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn pre_publish_rollover_revoke_chain() {
    let hsm = Hsm::new("roll");
    for z in ["z1", "z2", "z3", "z4", "z5"] {
        hsm.keygen(z, "ecdsap256sha256", None, "example.test.", 256);
    }
    hsm.keygen("ksk-old", "ecdsap256sha256", None, "example.test.", 257);
    hsm.keygen("ksk-new", "ecdsap256sha256", None, "example.test.", 257);
    let policy = write_policy(hsm.dir.path(), "example.toml", &example_policy(&[p256()]));
    let pol = policy.to_str().unwrap();

    let schemas = ["pre-publish", "rollover", "revoke"];
    let zsks = [["z1", "z2", "z3"], ["z2", "z3", "z4"], ["z3", "z4", "z5"]];
    let mut previous: Option<std::path::PathBuf> = None;
    let mut skrs = Vec::new();
    for (i, ((from, to, at), schema)) in QUARTERS.iter().zip(schemas).enumerate() {
        let ksr_path = hsm.path(&format!("ksr-{i}.xml"));
        ok(request(&hsm, &policy, &zsks[i], from, to, &ksr_path));
        let mut verify_args = vec!["--policy", pol, "--at", at];
        let prev_s = previous.as_ref().map(|p| p.to_str().unwrap().to_string());
        if let Some(p) = &prev_s {
            verify_args.extend(["--previous-skr", p.as_str()]);
        }
        ksr_verify_passes(&ksr_path, &verify_args);

        let out = out_dir(&hsm, &format!("out-{i}"));
        let skr = out.join(format!("skr-{i}.xml"));
        let mut args = vec![
            "--ksk-current",
            "ksk-old",
            "--ksk-next",
            "ksk-new",
            "--schema",
            schema,
            "--at",
            at,
            "--policy",
            pol,
        ];
        if let Some(p) = &prev_s {
            args.extend(["--previous-skr", p.as_str()]);
        }
        let o = ok(sign(&hsm, &ksr_path, &skr, &args));
        let stdout = String::from_utf8_lossy(&o.stdout).to_string();
        if previous.is_some() {
            assert!(stdout.contains("PASS KSR-CHAIN-KEYS-HSM"), "{stdout}");
            assert!(stdout.contains("PASS KSR-CHAIN-KEYS "), "{stdout}");
        }
        // The SKR passes every check, including chain and safety against its predecessor.
        ksr_verify_passes(&skr, &verify_args);
        // Knot DNS imports it too (an independent check of every KSK signature).
        let (_, o) = knot_import_skr(&skr, "example.test.");
        assert!(
            o.status.success(),
            "knot import-skr of the {schema} SKR: {}",
            text(&o)
        );
        previous = Some(skr.clone());
        skrs.push(skr);
    }

    // Expected marks per schema: (first slot, middle slots, last slot); C = old, N = new.
    let doc = ksr::xml::parse_file(&skrs[2], &Default::default()).unwrap();
    let c = tag(&doc, "ksk-old", flags::KSK).to_string();
    let cr = tag(&doc, "ksk-old", flags::KSK_REVOKED).to_string();
    let n = tag(&doc, "ksk-new", flags::KSK).to_string();
    let s = |t: &str| format!("{t}/S");
    let p = |t: &str| format!("{t}/P");
    let expected: [[Vec<String>; 3]; 3] = [
        [vec![s(&c)], vec![s(&c), p(&n)], vec![s(&c), p(&n)]],
        [vec![s(&c), p(&n)], vec![p(&c), s(&n)], vec![p(&c), s(&n)]],
        [
            vec![p(&c), s(&n)],
            vec![format!("R{cr}/S"), s(&n)],
            vec![s(&n)],
        ],
    ];
    let tags = vec![c.clone(), cr.clone(), n.clone()];
    for (i, skr) in skrs.iter().enumerate() {
        let o = ok(ksr_cmd().arg("inspect").arg(skr).output().unwrap());
        let out = String::from_utf8_lossy(&o.stdout).to_string();
        let slots: Vec<&str> = out
            .lines()
            .filter(|l| {
                l.split_whitespace()
                    .next()
                    .is_some_and(|w| w.parse::<usize>().is_ok_and(|n| (1..=9).contains(&n)))
            })
            .collect();
        assert_eq!(slots.len(), 9, "{out}");
        for (j, line) in slots.iter().enumerate() {
            let want = &expected[i][if j == 0 {
                0
            } else if j == 8 {
                2
            } else {
                1
            }];
            let mut want = want.clone();
            want.sort();
            assert_eq!(
                ksk_marks(line, &tags),
                want,
                "SKR {} ({}), slot {}: {line}\n{out}",
                i,
                schemas[i],
                j + 1
            );
        }
    }
}
