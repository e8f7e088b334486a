//! Signing speed on SoftHSM2 (run: `cargo bench -p ceremony --bench sign`).
//!
//! - time for `sign-ksr` (the whole pipeline: checks, signing, re-verification,
//!   atomic write) of the real 9-bundle root KSR 2017-q2-0 with an RSA-2048 KSK;
//! - signatures per second over a 1,000-bundle KSR, both for the signing loop alone
//!   and for the whole pipeline, against SoftHSM's raw C_Sign rate (one
//!   `C_SignInit`+`C_Sign` per call, same key, same session) measured in the same run.
//!
//! Target: the signing loop within 10% of the raw C_Sign rate.

use std::path::{Path, PathBuf};
use std::time::Instant;

use ceremony::hsm::{self, Algorithm, KeySpec, PinSource, TokenSpec};
use ceremony::keystore::KeyStore;
use ceremony::sign::confirm::Confirmation;
use ceremony::sign::{pipeline, request, skr};
use cryptoki::mechanism::Mechanism;
use ksr::model::AlgorithmParams;
use ksr::policy::{Policy, Span};
use ksr::{digest, timefmt, xml};

const DAY: i64 = 86_400;

fn pin_file(dir: &Path, name: &str, pin: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, format!("{pin}\n")).unwrap();
    p
}

fn big_policy() -> Policy {
    let mut p = Policy::root();
    p.domains = vec!["example.test.".into()];
    p.zsk_algorithms = vec![ksr::model::AlgorithmPolicy {
        algorithm: 13,
        params: AlgorithmParams::Ecdsa { size: 256 },
    }];
    p.bundle_count = 1000;
    p.cycle_duration = Span {
        min: 9990 * DAY,
        max: 9990 * DAY,
    };
    p.keys_per_bundle = None;
    p.distinct_keys = None;
    p.signature_horizon = 20_000 * DAY;
    p.dnskey_ttl = 3600;
    p
}

fn opts(ksr: &Path, out: &Path, policy: Policy, at: &str) -> pipeline::SignOptions {
    pipeline::SignOptions {
        ksr: ksr.to_path_buf(),
        out: out.to_path_buf(),
        ksk_current: "Kbench".into(),
        ksk_next: None,
        schema: "normal".into(),
        previous_skr: None,
        policy,
        at: timefmt::parse_at(at).unwrap(),
        max_size: 64 << 20,
    }
}

/// Records when each section of the pipeline's log starts, to show where time goes.
struct Stamps {
    start: Instant,
    marks: Vec<(String, f64)>,
}

impl std::io::Write for Stamps {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        for head in [
            "Checks of the new SKR",
            "Checks against",
            "Checks of",
            "KSR ",
            "Signing",
            "Signed",
            "Wrote",
        ] {
            if text.starts_with(head) {
                self.marks
                    .push((head.trim().to_string(), self.start.elapsed().as_secs_f64()));
                break;
            }
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn run_pipeline(args: &TokenSpec, o: &pipeline::SignOptions) -> (f64, Vec<(String, f64)>) {
    let hash = hex::encode(digest::sha256(&std::fs::read(&o.ksr).unwrap()));
    let _ = std::fs::remove_file(&o.out);
    let mut log = Stamps {
        start: Instant::now(),
        marks: Vec::new(),
    };
    pipeline::sign_ksr(
        o,
        || args.open(&ksr::env::RealEnv),
        Confirmation::Expect(&hash),
        &mut log,
    )
    .expect("sign-ksr");
    (log.start.elapsed().as_secs_f64(), log.marks)
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let so = pin_file(dir.path(), "so.pin", "bench-so-pin");
    let user = pin_file(dir.path(), "user.pin", "bench-user-pin");
    let so_pin = hsm::pin::read(
        &PinSource::File(so.clone()),
        hsm::pin::Role::SecurityOfficer,
        "bench",
        &ksr::env::RealEnv,
    )
    .unwrap();
    let user_pin = hsm::pin::read(
        &PinSource::File(user.clone()),
        hsm::pin::Role::User,
        "bench",
        &ksr::env::RealEnv,
    )
    .unwrap();
    hsm::softhsm::init(
        &dir.path().join("softhsm"),
        std::path::Path::new(hsm::module::DEFAULT_MODULE),
        "bench",
        &so_pin,
        &user_pin,
    )
    .expect("hsm init");
    let args = TokenSpec {
        module: hsm::module::DEFAULT_MODULE.into(),
        token: "bench".into(),
        pin: PinSource::File(user.clone()),
    };
    {
        let mut token = args.open(&ksr::env::RealEnv).unwrap();
        for (label, algorithm, bits, flags) in [
            ("Kbench", Algorithm::RsaSha256, Some(2048), 257),
            ("zsk", Algorithm::EcdsaP256Sha256, None, 256),
        ] {
            let spec = KeySpec {
                label: label.into(),
                algorithm,
                bits,
                flags,
                allow_backup: false,
            };
            hsm::keygen::generate(&mut token, &spec).expect("keygen");
        }
    }

    // 1. The real root KSR, 9 bundles.
    let root_ksr = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/iana-root/ksr-root-2017-q2-0.xml");
    let root_out = dir.path().join("skr-root.xml");
    let root_opts = opts(&root_ksr, &root_out, Policy::root(), "2017-03-20");
    run_pipeline(&args, &root_opts); // warm-up
    let mut root_times: Vec<f64> = (0..5).map(|_| run_pipeline(&args, &root_opts).0).collect();
    root_times.sort_by(|a, b| a.partial_cmp(b).unwrap());

    // 2. A 1,000-bundle KSR made by `request` with an ECDSA ZSK on the token.
    let policy = big_policy();
    let big_ksr = dir.path().join("ksr-1000.xml");
    let big_out = dir.path().join("skr-1000.xml");
    let doc = {
        let mut token = args.open(&ksr::env::RealEnv).unwrap();
        let plan = request::RequestPlan {
            zone: "example.test.".into(),
            zsks: vec!["zsk".into()],
            from: timefmt::parse_at("2026-01-01").unwrap(),
            to: timefmt::parse_at("2053-05-19").unwrap(),
            serial: 0,
        };
        request::build(&plan, &policy, &mut token).unwrap()
    };
    assert_eq!(doc.bundles.len(), 1000);
    std::fs::write(&big_ksr, xml::write(&doc)).unwrap();
    let big_opts = opts(&big_ksr, &big_out, policy.clone(), "2025-12-20");

    let mut token = args.open(&ksr::env::RealEnv).unwrap();
    let handle = token
        .key("Kbench")
        .unwrap()
        .private
        .expect("private key handle");
    let ksks = skr::Ksks {
        current: token.public_key("Kbench").unwrap(),
        next: None,
    };
    let schema = policy.schema("normal").unwrap();
    // Raw C_Sign over data the size of a bundle's signing data.
    let sample = {
        let k = ksks.current.clone();
        let b = &doc.bundles[0];
        let mut keys = b.keys.clone();
        keys.push(ceremony::sign::dnskey(&k, 257, 3600));
        let sig = ksr::Signature {
            key_identifier: k.label.clone(),
            ttl: 3600,
            type_covered: "DNSKEY".into(),
            algorithm: 8,
            labels: 2,
            original_ttl: 3600,
            expiration: b.expiration,
            inception: b.inception,
            key_tag: 0,
            signers_name: "example.test.".into(),
            signature_data: vec![],
        };
        ksr::dnssec::signing_data("example.test.", &sig, &keys).unwrap()
    };
    let raw = |token: &hsm::Token| {
        let t = Instant::now();
        for _ in 0..1000 {
            token
                .session()
                .sign(&Mechanism::Sha256RsaPkcs, handle, &sample)
                .unwrap();
        }
        1000.0 / t.elapsed().as_secs_f64()
    };
    let mut loop_rates = Vec::new();
    let mut raw_rates = Vec::new();
    // Raw and loop runs alternate, so a busy machine slows both of a pair alike.
    for _ in 0..5 {
        raw_rates.push(raw(&token));
        let t = Instant::now();
        let skr = skr::build(&doc, &schema, &policy, &ksks, &mut token, &mut |_, _| {}).unwrap();
        loop_rates.push(skr.bundles.len() as f64 / t.elapsed().as_secs_f64());
    }
    drop(token);
    let mut pipe_rates = Vec::new();
    let mut marks = Vec::new();
    for _ in 0..2 {
        let (secs, m) = run_pipeline(&args, &big_opts);
        pipe_rates.push(1000.0 / secs);
        marks = m;
    }
    // Where the pipeline's time goes besides C_Sign: the checks before and after.
    let t = Instant::now();
    let parsed = xml::parse_file(&big_ksr, &xml::ParseOptions { max_size: 64 << 20 }).unwrap();
    let parse_ksr = t.elapsed().as_secs_f64();
    let at = timefmt::parse_at("2025-12-20").unwrap();
    let ctx = ksr::check::Context::new(&policy, at);
    let t = Instant::now();
    assert!(!ksr::check::check_ksr(&parsed, &ctx).failed());
    let check_ksr = t.elapsed().as_secs_f64();
    let skr_doc = xml::parse_file(&big_out, &xml::ParseOptions { max_size: 64 << 20 }).unwrap();
    let t = Instant::now();
    let bytes = xml::write(&skr_doc);
    let write_skr = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let again = xml::parse(&bytes, "skr", &xml::ParseOptions { max_size: 64 << 20 }).unwrap();
    let parse_skr = t.elapsed().as_secs_f64();
    let t = Instant::now();
    assert!(!ksr::check::check_skr(&again, &ctx.clone().with_schema(&schema)).failed());
    let check_skr = t.elapsed().as_secs_f64();

    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (raw_r, loop_r, pipe_r) = (mean(&raw_rates), mean(&loop_rates), mean(&pipe_rates));

    println!("sign-ksr, real root KSR 2017-q2-0 (9 bundles), RSA-2048 KSK on SoftHSM:");
    println!(
        "  whole pipeline: median {:.1} ms (min {:.1} ms, max {:.1} ms over 5 runs)",
        root_times[2] * 1e3,
        root_times[0] * 1e3,
        root_times[4] * 1e3
    );
    println!("1,000-bundle KSR, RSA-2048 KSK on SoftHSM:");
    println!(
        "  raw C_Sign (C_SignInit+C_Sign, same key):  {raw_r:8.1} signatures/s  (runs: {})",
        fmt(&raw_rates)
    );
    println!(
        "  signing loop (build + verify each):        {loop_r:8.1} signatures/s  (runs: {})",
        fmt(&loop_rates)
    );
    println!(
        "  whole sign-ksr pipeline:                   {pipe_r:8.1} signatures/s  (runs: {})",
        fmt(&pipe_rates)
    );
    println!(
        "  pipeline steps besides signing: parse KSR {:.1} ms, KSR checks {:.1} ms, write SKR {:.1} ms, \
         re-parse SKR {:.1} ms, SKR checks {:.1} ms",
        parse_ksr * 1e3,
        check_ksr * 1e3,
        write_skr * 1e3,
        parse_skr * 1e3,
        check_skr * 1e3
    );
    let timeline: Vec<String> = marks
        .iter()
        .map(|(h, t)| format!("{h:?} at {:.0} ms", t * 1e3))
        .collect();
    println!("  pipeline timeline (last run): {}", timeline.join(", "));
    let mut pair_ratios: Vec<f64> = loop_rates
        .iter()
        .zip(&raw_rates)
        .map(|(l, r)| l / r)
        .collect();
    pair_ratios.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "  ratio signing loop / raw:    {:.3} of the means; median of paired runs {:.3} (pairs: {})  (target >= 0.90)",
        loop_r / raw_r,
        pair_ratios[pair_ratios.len() / 2],
        pair_ratios.iter().map(|x| format!("{x:.3}")).collect::<Vec<_>>().join(", ")
    );
    println!("  ratio whole pipeline / raw:  {:.3}", pipe_r / raw_r);
}

fn fmt(v: &[f64]) -> String {
    v.iter()
        .map(|x| format!("{x:.0}"))
        .collect::<Vec<_>>()
        .join(", ")
}
