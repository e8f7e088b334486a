//! The documented list of named checks (`ksr::check::CHECKS`) is complete,
//! unique, and the README names every check in it.

use ksr::check::{self, Context, CHECKS};
use ksr::policy::Policy;
use ksr::testkit::{date, fixture};

#[test]
fn every_check_a_report_can_carry_is_listed_once() {
    let mut names: Vec<&str> = CHECKS.iter().map(|c| c.name).collect();
    names.sort();
    let before = names.len();
    names.dedup();
    assert_eq!(names.len(), before, "a check is listed twice");
    for c in CHECKS {
        assert!(!c.description.is_empty(), "{} has no description", c.name);
    }
    // Every check a KSR or an SKR report names is in the list.
    let policy = Policy::root();
    let prev = fixture("skr-root-2017-q1-0.xml");
    for doc in [
        fixture("ksr-root-2017-q2-0.xml"),
        fixture("skr-root-2017-q2-0.xml"),
    ] {
        let ctx = Context::new(&policy, date("2017-03-20")).with_previous(&prev);
        for r in check::check(&doc, &ctx).results {
            assert!(
                check::describe(r.name).is_some(),
                "{} is not listed",
                r.name
            );
        }
    }
    for name in ["SKR-MATCHES-KSR", "SKR-KSK-PINNED", "SKR-SIG-WINDOW"] {
        assert!(check::describe(name).is_some(), "{name}");
    }
    // The ceremony's checks against the HSM are part of the same list.
    for name in ["KSK-POLICY-ALG", "KEY-TAG-UNIQUE", "KSR-CHAIN-KEYS-HSM"] {
        assert!(check::describe(name).is_some(), "{name}");
    }
}

#[test]
fn the_readme_names_every_listed_check() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("README.md at the workspace root");
    for c in CHECKS {
        assert!(
            readme.contains(&format!("`{}`", c.name)),
            "README does not name `{}`",
            c.name
        );
    }
}
