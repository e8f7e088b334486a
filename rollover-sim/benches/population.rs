//! Population forecast over the 2017 root roll (2017-07-01 .. 2019-04-01, 21
//! months) with the built-in mix: 10k, 100k and 1M resolvers on all available
//! cores (2 in CI). Prints wall time, peak memory (VmHWM), resolver-events per
//! second and how time grows with N (linear growth: ratio ~10 per step).
//! Target: 1,000,000 resolvers in under 60 s and 2 GiB.
//!
//! Run: cargo bench -p rollover-sim --bench population

use rollover_sim::population::{default_mix, forecast, Options};
use rollover_sim::scenario::Scenario;
use std::path::Path;
use std::time::Instant;

fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/root-2017-roll.toml");
    let sc = Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mix = default_mix();
    let sizes: Vec<u64> = match std::env::var("POPULATION_SIZES") {
        Ok(s) => s.split(',').filter_map(|x| x.trim().parse().ok()).collect(),
        Err(_) => vec![10_000, 100_000, 1_000_000],
    };
    println!(
        "population over {} .. {} ({} days), {} threads, built-in mix",
        rollover_sim::clock::format_date(sc.start),
        rollover_sim::clock::format_date(sc.end),
        sc.days(),
        threads
    );
    println!(
        "{:>10} {:>10} {:>14} {:>16} {:>12} {:>10}",
        "resolvers", "wall s", "events", "events/s", "peak MiB", "growth"
    );
    let mut prev: Option<(u64, f64)> = None;
    let mut results = Vec::new();
    for &n in &sizes {
        let opt = Options {
            resolvers: n,
            seed: 2017,
            threads,
            step: rollover_sim::clock::DAY,
        };
        let t = Instant::now();
        let rep = forecast(&sc, &mix, &opt, |_| {});
        let secs = t.elapsed().as_secs_f64();
        let hwm = vm_hwm_kib().map_or("?".to_string(), |k| format!("{:.1}", k as f64 / 1024.0));
        let growth = prev.map_or("-".to_string(), |(pn, ps)| {
            format!("x{:.2} for x{}", secs / ps, n / pn.max(1))
        });
        println!(
            "{:>10} {:>10.3} {:>14} {:>16.0} {:>12} {:>10}",
            n,
            secs,
            rep.events,
            rep.events as f64 / secs,
            hwm,
            growth
        );
        // The result must be a real forecast, not an empty loop.
        assert_eq!(rep.existing.last().copied(), Some(n as i64));
        prev = Some((n, secs));
        results.push((n, secs));
    }
    if let Some((_, secs)) = results.iter().find(|(n, _)| *n == 1_000_000) {
        let hwm = vm_hwm_kib().unwrap_or(0);
        println!(
            "target 1M < 60 s and < 2 GiB: {} ({:.1} s, peak {:.0} MiB)",
            if *secs < 60.0 && hwm < 2 * 1024 * 1024 {
                "met"
            } else {
                "MISSED"
            },
            secs,
            hwm as f64 / 1024.0
        );
    }
}
