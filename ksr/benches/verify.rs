//! Speed of parsing and checking: the real root fixtures (target: well under
//! 50 ms for parse + every check, signatures included) and a synthetic KSR of
//! 1,000 bundles (reported as bundles per second). Plain harness: prints figures.
//!
//! Run: `cargo bench -p ksr --bench verify`

use ksr::check::{check_ksr, check_skr, Context};
use ksr::policy::Policy;
use ksr::testkit::{date, fixture_path, KsrBuilder, TestKey};
use ksr::xml::{parse, ParseOptions};
use std::time::{Duration, Instant};

/// Mean wall time of `f` over `n` runs (after one warm-up run).
fn mean<T>(n: u32, mut f: impl FnMut() -> T) -> Duration {
    std::hint::black_box(f());
    let start = Instant::now();
    for _ in 0..n {
        std::hint::black_box(f());
    }
    start.elapsed() / n
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn fixtures() {
    let read = |name: &str| std::fs::read(fixture_path(name)).expect("fixture");
    let (ksr_bytes, prev_bytes, skr_bytes) = (
        read("ksr-root-2017-q2-0.xml"),
        read("skr-root-2017-q1-0.xml"),
        read("skr-root-2017-q2-0.xml"),
    );
    let opts = ParseOptions::default();
    let policy = Policy::root();
    let at = date("2017-03-20");
    let prev = parse(&prev_bytes, "prev", &opts).unwrap();

    let runs = 50;
    let parse_only = mean(runs, || parse(&ksr_bytes, "ksr", &opts).unwrap());
    let full = mean(runs, || {
        let doc = parse(&ksr_bytes, "ksr", &opts).unwrap();
        let r = check_ksr(&doc, &Context::new(&policy, at).with_previous(&prev));
        assert!(!r.failed());
        r
    });
    // How many results a report holds (checks that ran plus those that skip).
    let ksr_doc = parse(&ksr_bytes, "ksr", &opts).unwrap();
    let n = check_ksr(&ksr_doc, &Context::new(&policy, at).with_previous(&prev))
        .results
        .len();
    println!(
        "fixture ksr-root-2017-q2-0.xml (9 bundles, 11 RSA-2048 signatures): parse {}, parse + {n} checks {} (mean of {runs})",
        ms(parse_only),
        ms(full)
    );
    let full = mean(runs, || {
        let doc = parse(&skr_bytes, "skr", &opts).unwrap();
        let r = check_skr(&doc, &Context::new(&policy, at).with_previous(&prev));
        assert!(!r.failed());
        r
    });
    let skr_doc = parse(&skr_bytes, "skr", &opts).unwrap();
    let n = check_skr(&skr_doc, &Context::new(&policy, at).with_previous(&prev))
        .results
        .len();
    println!("fixture skr-root-2017-q2-0.xml (9 bundles, 9 RSA-2048 signatures): parse + {n} checks {} (mean of {runs})", ms(full));
}

fn synthetic(label: &str, keys: Vec<TestKey>) {
    let n = 1000;
    let start = date("2030-01-01");
    let b = KsrBuilder::new(".", start).bundles(n).zsks(keys);
    let doc = b.build();
    let bytes = ksr::xml::write(&doc);
    let mut policy = b.policy(&[]);
    policy.signature_horizon = 100 * 365 * 86_400;
    let opts = ParseOptions {
        max_size: bytes.len() + 1,
    };
    let at = start - time::Duration::days(1);
    let runs = 5;
    let t = mean(runs, || {
        let doc = parse(&bytes, "synthetic", &opts).unwrap();
        let r = check_ksr(&doc, &Context::new(&policy, at));
        assert!(!r.failed(), "{:?}", r.failures());
        r
    });
    let sigs: usize = doc.bundles.iter().map(|b| b.signatures.len()).sum();
    println!(
        "synthetic KSR, {n} bundles, {sigs} {label} signatures, {} KiB: parse + all checks {} -> {:.0} bundles/s (mean of {runs})",
        bytes.len() / 1024,
        ms(t),
        n as f64 / t.as_secs_f64()
    );
}

fn main() {
    fixtures();
    synthetic(
        "RSASHA256 (RSA-2048)",
        (0..3).map(|i| TestKey::rsa2048(i, 8)).collect(),
    );
    synthetic(
        "ED25519",
        (0..3)
            .map(|i| TestKey::ed25519(&format!("bench{i}")))
            .collect(),
    );
}
