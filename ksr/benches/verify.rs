//! Speed of parsing and checking (`ksr verify`'s work): the real root fixtures
//! (target: well under 50 ms for parse + every check, signatures included) and
//! synthetic KSRs of 1,000 bundles. Plain harness: prints figures, and per
//! input the ratio to the base commit a5c9f1f (issue 7: within 5%).
//!
//! Run: `scripts/bench ksr` (or `cargo bench -p ksr --bench verify`).
//!
//! The base is either measured in the same run, or taken from the constants
//! below (quiet-machine figures of a5c9f1f from issue 7), which only compare
//! on a machine like the one they came from:
//! - `BENCH_BASE_BIN=PATH`: PATH is this bench built at the base commit
//!   (`scripts/bench ksr` builds it); each input is measured alternately
//!   with it and with this build, so a busy machine slows both alike.
//! - `BENCH_RUNS=N`: runs per input (default 50 for the root files, 5 for the
//!   1,000-bundle ones); `BENCH_ONLY=root-ksr,rsa-1000`: some inputs only;
//!   `BENCH_EMIT=1`: one `case=NAME ms=MEAN` line per input (what the other
//!   build reads); `BENCH_CACHE_DIR=DIR`: where the synthetic KSRs are kept
//!   (default: under target/tmp; they take seconds to sign, minutes under
//!   callgrind; delete them when the test kit changes).
//!
//! Instruction counts (repeatable on a loaded machine) per input, for both
//! builds: run under `valgrind --tool=callgrind` with `BENCH_ONLY=NAME` and
//! `BENCH_RUNS=1`, then `BENCH_RUNS=3`; half the difference of the totals is
//! one parse + check, verification threads included (docs/performance.md).

use ksr::check::{check_ksr, check_skr, Context};
use ksr::model::Document;
use ksr::policy::Policy;
use ksr::testkit::{date, fixture_path, KsrBuilder, TestKey};
use ksr::xml::{parse, ParseOptions};
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// Issue 7's quiet-machine means of a5c9f1f, in ms: the fallback base.
const DOCUMENTED_BASE: &[(&str, f64)] = &[
    ("root-ksr", 0.435),
    ("root-skr", 0.44),
    ("rsa-1000", 26.0),
    ("ed-1000", 33.5),
];
/// Issue 7: within 5% of the base.
const TARGET: f64 = 1.05;

/// One input: what is parsed and checked, and how.
struct Case {
    name: &'static str,
    what: String,
    bytes: Vec<u8>,
    policy: Policy,
    previous: Option<Document>,
    at: time::OffsetDateTime,
    default_runs: u32,
}

/// Parse + every check of one case, once. Never inlined, so a profile shows it.
#[inline(never)]
fn measure_once(c: &Case) -> usize {
    let opts = ParseOptions {
        max_size: c.bytes.len().max(ksr::xml::DEFAULT_MAX_SIZE) + 1,
    };
    let doc = parse(&c.bytes, c.name, &opts).unwrap();
    let mut ctx = Context::new(&c.policy, c.at);
    if let Some(p) = &c.previous {
        ctx = ctx.with_previous(p);
    }
    let r = match doc.kind {
        ksr::model::Kind::Request => check_ksr(&doc, &ctx),
        ksr::model::Kind::Response => check_skr(&doc, &ctx),
    };
    assert!(!r.failed(), "{}: {:?}", c.name, r.failures());
    std::hint::black_box(r).results.len()
}

/// Mean wall time over `n` runs (after one warm-up run).
fn mean(n: u32, c: &Case) -> Duration {
    measure_once(c);
    let start = Instant::now();
    for _ in 0..n {
        measure_once(c);
    }
    start.elapsed() / n
}

fn fixture_cases() -> Vec<Case> {
    let read = |name: &str| std::fs::read(fixture_path(name)).expect("fixture");
    let prev = parse(
        &read("skr-root-2017-q1-0.xml"),
        "prev",
        &ParseOptions::default(),
    )
    .unwrap();
    vec![
        Case {
            name: "root-ksr",
            what: "fixture ksr-root-2017-q2-0.xml (9 bundles, 11 RSA-2048 signatures)".into(),
            bytes: read("ksr-root-2017-q2-0.xml"),
            policy: Policy::root(),
            previous: Some(prev.clone()),
            at: date("2017-03-20"),
            default_runs: 50,
        },
        Case {
            name: "root-skr",
            what: "fixture skr-root-2017-q2-0.xml (9 bundles, 9 RSA-2048 signatures)".into(),
            bytes: read("skr-root-2017-q2-0.xml"),
            policy: Policy::root(),
            previous: Some(prev),
            at: date("2017-03-20"),
            default_runs: 50,
        },
    ]
}

/// A synthetic KSR of 1,000 bundles signed by `keys` (three ZSKs).
fn synthetic(name: &'static str, label: &str, keys: impl FnOnce() -> Vec<TestKey>) -> Case {
    let n = 1000;
    let start = date("2030-01-01");
    let b = KsrBuilder::new(".", start).bundles(n);
    let cached = Some(cache_dir().join(format!("{name}.xml")));
    let (b, bytes) = match cached.as_ref().and_then(|p| std::fs::read(p).ok()) {
        // The policy depends only on the keys' algorithms and the pattern.
        Some(bytes) => (b.zsks(keys()), bytes),
        None => {
            let b = b.zsks(keys());
            let bytes = ksr::xml::write(&b.build());
            if let Some(p) = &cached {
                let _ = std::fs::create_dir_all(p.parent().unwrap());
                std::fs::write(p, &bytes).unwrap();
            }
            (b, bytes)
        }
    };
    let mut policy = b.policy(&[]);
    policy.signature_horizon = 100 * 365 * 86_400;
    let doc = parse(
        &bytes,
        name,
        &ParseOptions {
            max_size: bytes.len() + 1,
        },
    )
    .unwrap();
    let sigs: usize = doc.bundles.iter().map(|b| b.signatures.len()).sum();
    Case {
        name,
        what: format!(
            "synthetic KSR, {n} bundles, {sigs} {label} signatures, {} KiB",
            bytes.len() / 1024
        ),
        bytes,
        policy,
        previous: None,
        at: start - time::Duration::days(1),
        default_runs: 5,
    }
}

/// Where the synthetic KSRs are kept between runs and shared with the base build.
fn cache_dir() -> PathBuf {
    std::env::var_os("BENCH_CACHE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("ksr-bench"))
}

/// The base build's mean for `case` in ms, measured now by running it.
fn base_now(bin: &str, case: &str, runs: u32) -> Option<f64> {
    let o = Command::new(bin)
        .env("BENCH_ONLY", case)
        .env("BENCH_EMIT", "1")
        .env("BENCH_RUNS", runs.to_string())
        .env("BENCH_CACHE_DIR", cache_dir())
        .env_remove("BENCH_BASE_BIN")
        .output()
        .ok()?;
    if !o.status.success() {
        eprintln!("{bin}: {}", String::from_utf8_lossy(&o.stderr).trim());
        return None;
    }
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .find_map(|l| {
            l.strip_prefix(&format!("case={case} ms="))
                .map(str::to_string)
        })
        .and_then(|v| v.trim().parse().ok())
}

fn main() {
    let only: Option<Vec<String>> = std::env::var("BENCH_ONLY")
        .ok()
        .map(|v| v.split(',').map(|s| s.trim().to_string()).collect());
    let wanted = |name: &str| match &only {
        Some(o) => o.iter().any(|n| n == name),
        None => true,
    };
    let runs_env: Option<u32> = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok());
    let emit = std::env::var_os("BENCH_EMIT").is_some();
    let base_bin = std::env::var("BENCH_BASE_BIN")
        .ok()
        .filter(|b| !b.is_empty());

    let mut cases: Vec<Case> = fixture_cases()
        .into_iter()
        .filter(|c| wanted(c.name))
        .collect();
    if wanted("rsa-1000") {
        cases.push(synthetic("rsa-1000", "RSASHA256 (RSA-2048)", || {
            (0..3).map(|i| TestKey::rsa2048(i, 8)).collect()
        }));
    }
    if wanted("ed-1000") {
        cases.push(synthetic("ed-1000", "ED25519", || {
            (0..3)
                .map(|i| TestKey::ed25519(&format!("bench{i}")))
                .collect()
        }));
    }

    let mut verdicts = Vec::new();
    for c in &cases {
        let runs = runs_env.unwrap_or(c.default_runs).max(1);
        let checks = measure_once(c);
        // Alternate with the base build, a few rounds, so load hits both alike.
        let rounds = if base_bin.is_some() { 3 } else { 1 };
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            ours.push(mean(runs, c).as_secs_f64() * 1e3);
            if let Some(bin) = &base_bin {
                theirs.extend(base_now(bin, c.name, runs));
            }
        }
        let ms = median(ours);
        if emit {
            println!("case={} ms={ms:.4}", c.name);
            continue;
        }
        println!(
            "{}: {}: parse + {checks} checks {ms:.3} ms (mean of {runs}{}) -> {:.0} bundles/s",
            c.name,
            c.what,
            if rounds > 1 {
                ", median of 3 rounds"
            } else {
                ""
            },
            bundles_of(c) as f64 / (ms / 1e3)
        );
        let (base, source) = match (theirs.is_empty(), base_bin.is_some()) {
            (false, _) => (Some(median(theirs)), "base a5c9f1f measured in this run"),
            (true, true) => (None, "the base build failed"),
            (true, false) => (
                DOCUMENTED_BASE
                    .iter()
                    .find(|(n, _)| *n == c.name)
                    .map(|(_, v)| *v),
                "base a5c9f1f from issue 7's quiet-machine figures (BENCH_BASE_BIN measures it here)",
            ),
        };
        let Some(base) = base else {
            verdicts.push(format!(
                "{:<9} now {ms:>8.3} ms  no base figure ({source})",
                c.name
            ));
            continue;
        };
        {
            verdicts.push(format!(
                "{:<9} now {ms:>8.3} ms  base {base:>8.3} ms  ratio {:.3}  (target <= {TARGET:.2}) {}  [{source}]",
                c.name,
                ms / base,
                if ms / base <= TARGET { "PASS" } else { "FAIL" }
            ));
        }
    }
    if !verdicts.is_empty() {
        println!("issue 7, ksr verify within 5% of base a5c9f1f:");
        for v in verdicts {
            println!("  {v}");
        }
    }
}

fn bundles_of(c: &Case) -> usize {
    parse(
        &c.bytes,
        c.name,
        &ParseOptions {
            max_size: c.bytes.len() + 1,
        },
    )
    .map(|d| d.bundles.len())
    .unwrap_or(0)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}
