use super::*;
use crate::clock::DAY;
use crate::profile::Profile;
use std::path::Path;

const SC: &str = r#"
[trust-point]
zone = "."
dnskey-ttl = "2d"
rrsig-validity = "21d"
resign-every = "10d"
start = "2017-07-01"
end = "2018-03-01"

[[key]]
name = "OLD"
algorithm = 8

[[key]]
name = "NEW"
algorithm = 8

[publisher]
event = [
  { at = "2017-07-01", action = "publish", key = "OLD" },
  { at = "2017-07-01", action = "sign", key = "OLD" },
  { at = "2017-07-11", action = "publish", key = "NEW" },
  { at = "2017-11-01", action = "sign", key = "NEW" },
  { at = "2017-11-01", action = "unsign", key = "OLD" },
]

[population]
start-from = "2017-07-01"
start-to = "2017-08-01"
"#;

pub(super) fn scenario() -> Scenario {
    Scenario::parse(SC, Path::new("t.toml")).unwrap()
}

pub(super) fn clean(profile: Profile) -> Class {
    Class {
        name: profile.name().into(),
        weight: 1.0,
        params: profile.params(),
        read_only: 0.0,
        image_reset: 0.0,
        reset_every: 7 * DAY,
        outage: 0.0,
        outage_min: DAY,
        outage_max: DAY,
        restarts_per_year: 0.0,
        clock_skew_max: 0,
    }
}

fn opt(n: u64, threads: usize) -> Options {
    Options {
        resolvers: n,
        seed: 3,
        threads,
        step: DAY,
    }
}

#[test]
fn healthy_resolvers_all_follow_the_roll() {
    let sc = scenario();
    let mix: Vec<Class> = Profile::ALL.iter().map(|p| clean(*p)).collect();
    let rep = forecast(&sc, &mix, &opt(400, 2), |_| {});
    let last = rep.times.len() - 1;
    assert_eq!(rep.existing[last], 400);
    assert_eq!(rep.up[last], 400);
    assert!(rep.failing.iter().all(|f| *f == 0));
    assert_eq!(rep.trusting[1][last], 400);
    // Started between 2017-07-01 and 08-01: the population grows over July.
    let aug = rep
        .times
        .iter()
        .position(|t| *t == crate::clock::parse_instant("2017-08-02").unwrap())
        .unwrap();
    assert!(rep.existing[10] < 400 && rep.existing[aug] == 400);
    assert_eq!(rep.classes.iter().map(|c| c.resolvers).sum::<u64>(), 400);
    assert!(
        rep.classes.iter().all(|c| c.resolvers > 50),
        "{:?}",
        rep.classes
    );
    // Signals: everyone ends up sending the same two-key set... until OLD goes
    // missing; it is never revoked here, so it stays an anchor (Missing).
    let both = rep
        .signals
        .iter()
        .find(|s| s.label.matches('-').count() == 2)
        .unwrap();
    assert_eq!(both.counts[last], 400);
}

#[test]
fn images_that_reset_weekly_all_fail_after_the_switch() {
    let sc = scenario();
    let mut c = clean(Profile::Rfc5011);
    c.image_reset = 1.0;
    let rep = forecast(&sc, &[c], &opt(300, 2), |_| {});
    let switch = rep
        .at_events
        .iter()
        .find(|e| e.step.contains("sign NEW"))
        .unwrap();
    assert_eq!(switch.failing, 300);
    assert!((switch.failing_share - 1.0).abs() < 1e-12);
    assert_eq!(rep.at_events[1].failing, 0, "fine before the switch");
}

#[test]
fn outages_show_as_resolvers_down() {
    let sc = scenario();
    let mut c = clean(Profile::Rfc5011);
    c.outage = 1.0;
    c.outage_min = 400 * DAY;
    c.outage_max = 400 * DAY;
    let rep = forecast(&sc, &[c], &opt(200, 1), |_| {});
    let last = rep.times.len() - 1;
    assert_eq!(rep.existing[last], 200);
    assert_eq!(rep.up[last], 0, "every outage lasts past the end");
    assert!(rep.up.iter().any(|u| *u > 0));
}

#[test]
fn threads_do_not_change_the_result() {
    let sc = scenario();
    let mix = default_mix();
    let a = forecast(&sc, &mix, &opt(500, 1), |_| {});
    let b = forecast(&sc, &mix, &opt(500, 3), |_| {});
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
    let c = forecast(
        &sc,
        &mix,
        &Options {
            seed: 4,
            ..opt(500, 3)
        },
        |_| {},
    );
    assert_ne!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&c).unwrap()
    );
}

#[test]
fn samples_include_every_publisher_change() {
    let sc = scenario();
    let s = sample_times(&sc, 7 * DAY);
    for st in sc.timeline.steps() {
        assert!(s.contains(&st.at));
    }
    assert!(s.windows(2).all(|w| w[0] < w[1]));
}
