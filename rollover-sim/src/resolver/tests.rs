use super::*;
use crate::clock::DAY;
use crate::profile::Profile;
use crate::publisher::{Action, Event};

#[derive(Default)]
struct Log {
    changes: Vec<(Instant, usize, KeyState)>,
    failing: Vec<(Instant, bool)>,
    probes: Vec<(Instant, Fetch)>,
}
impl Observer for Log {
    fn key_change(&mut self, t: Instant, key: usize, _f: KeyState, to: KeyState, _e: KeyEvent) {
        self.changes.push((t, key, to));
    }
    fn probe(&mut self, t: Instant, outcome: Fetch, _a: bool) {
        self.probes.push((t, outcome));
    }
    fn failing(&mut self, t: Instant, f: bool) {
        self.failing.push((t, f));
    }
}

/// Simulates `run` over `tl`, recording everything.
fn log_of(run: &ResolverRun, tl: &Timeline) -> Log {
    let mut log = Log::default();
    simulate(run, tl, &mut log);
    log
}

/// Old key 0 signing from day 0; key 1 published day 10, signs alone from `switch`.
fn roll(switch: i64) -> Timeline {
    let ev = |d: i64, action, key| Event {
        at: d * DAY,
        action,
        key,
        source: String::new(),
    };
    Timeline::from_events(
        &[
            ev(0, Action::Publish, 0),
            ev(0, Action::Sign, 0),
            ev(10, Action::Publish, 1),
            ev(switch, Action::Sign, 1),
            ev(switch, Action::Unsign, 0),
        ],
        2 * DAY,
        21 * DAY,
        10 * DAY,
        400 * DAY,
    )
    .unwrap()
}

fn base(p: &Params) -> ResolverRun<'_> {
    ResolverRun {
        params: p,
        trusted: 1,
        start: 0,
        end: 200 * DAY,
        outages: &[],
        restarts: &[],
        persistence: Persistence::Normal,
        skew: 0,
        seed: 1,
        attacks: &[],
    }
}

#[test]
fn online_resolver_follows_the_roll() {
    let p = Profile::Rfc5011.params();
    let log = log_of(&base(&p), &roll(100));
    assert!(log.failing.is_empty(), "{:?}", log.failing);
    assert_eq!(log.changes[0], (10 * DAY, 1, KeyState::AddPend));
    assert_eq!(log.changes[1], (40 * DAY, 1, KeyState::Valid));
    // Daily probes (TTL 2 days).
    assert_eq!(log.probes[1].0 - log.probes[0].0, DAY);
}

#[test]
fn resolver_down_across_the_switch_fails_on_return() {
    let p = Profile::Rfc5011.params();
    let outages = [(5 * DAY, 120 * DAY)];
    let log = log_of(
        &ResolverRun {
            outages: &outages,
            ..base(&p)
        },
        &roll(100),
    );
    assert_eq!(log.failing, vec![(120 * DAY, true)]);
    assert!(log.changes.is_empty());
}

#[test]
fn resolver_down_across_the_switch_after_trusting_is_fine() {
    let p = Profile::Rfc5011.params();
    let outages = [(60 * DAY, 120 * DAY)];
    let log = log_of(
        &ResolverRun {
            outages: &outages,
            ..base(&p)
        },
        &roll(100),
    );
    assert!(log.failing.is_empty());
}

#[test]
fn read_only_state_loses_the_new_key_on_restart() {
    let p = Profile::Rfc5011.params();
    let restarts = [150 * DAY];
    let run = ResolverRun {
        restarts: &restarts,
        persistence: Persistence::ReadOnly,
        ..base(&p)
    };
    let log = log_of(&run, &roll(100));
    assert_eq!(log.failing, vec![(150 * DAY, true)]);
}

#[test]
fn weekly_image_reset_never_completes_the_holddown() {
    let p = Profile::Rfc5011.params();
    let run = ResolverRun {
        persistence: Persistence::ResetEvery(7 * DAY),
        ..base(&p)
    };
    let log = log_of(&run, &roll(100));
    assert!(!log.changes.iter().any(|c| c.2 == KeyState::Valid));
    assert_eq!(log.failing, vec![(100 * DAY, true)]);
}

#[test]
fn failed_fetches_retry_sooner() {
    let p = Profile::Rfc5011.params();
    let attacks = [Attack {
        kind: crate::attacker::AttackKind::Withhold,
        from: 0,
        to: 2 * DAY,
    }];
    let log = log_of(
        &ResolverRun {
            attacks: &attacks,
            end: 3 * DAY,
            ..base(&p)
        },
        &roll(100),
    );
    assert_eq!(log.probes[0], (0, Fetch::NoAnswer));
    // retry = min(1 day, TTL/10, expiry/10) = 4.8 hours
    assert_eq!(log.probes[1].0, 2 * DAY / 10);
}

#[test]
fn replayed_old_rrset_resets_the_holddown() {
    use crate::attacker::AttackKind;
    let p = Profile::Rfc5011.params();
    // Captured on day 5 (before key 1, signature valid to day 21), replayed days 12..22.
    let attacks = [Attack {
        kind: AttackKind::Replay { captured: 5 * DAY },
        from: 12 * DAY,
        to: 22 * DAY,
    }];
    let log = log_of(
        &ResolverRun {
            attacks: &attacks,
            ..base(&p)
        },
        &roll(100),
    );
    let key1: Vec<_> = log
        .changes
        .iter()
        .filter(|c| c.1 == 1)
        .map(|c| (c.0 / DAY, c.2))
        .collect();
    assert_eq!(key1[0], (10, KeyState::AddPend));
    assert_eq!(
        key1[1],
        (12, KeyState::Start),
        "the replay resets the pending key"
    );
    // What was served on day 5 was signed on day 0 and expires on day 21:
    // from then on the replay no longer validates.
    assert!(log
        .probes
        .iter()
        .any(|(t, o)| *t >= 21 * DAY && *t < 22 * DAY && *o == Fetch::Expired));
    assert_eq!(key1[2], (22, KeyState::AddPend));
    assert_eq!(key1[3], (52, KeyState::Valid));
}

#[test]
fn unbound_jitter_stays_within_90_to_100_percent() {
    let p = Profile::Unbound.params();
    let log = log_of(&base(&p), &roll(100));
    let gaps: Vec<_> = log.probes.windows(2).map(|w| w[1].0 - w[0].0).collect();
    assert!(
        gaps.iter().all(|g| *g <= DAY && *g >= DAY * 9 / 10),
        "{gaps:?}"
    );
    assert!(gaps.iter().any(|g| *g < DAY));
}

mod fast_path {
    use super::*;
    use crate::attacker::{Attack, AttackKind};
    use crate::clock::DAY;
    use crate::profile::Profile;
    use crate::publisher::{Action, Event};

    #[derive(Default, PartialEq, Debug)]
    struct Trace(Vec<(Instant, String)>);
    impl Observer for Trace {
        fn key_change(&mut self, t: Instant, k: usize, _: KeyState, to: KeyState, _: KeyEvent) {
            self.0.push((t, format!("{k} {to:?}")));
        }
        fn probe(&mut self, t: Instant, o: Fetch, _: bool) {
            self.0.push((t, format!("{o:?}")));
        }
        fn failing(&mut self, t: Instant, f: bool) {
            self.0.push((t, format!("failing {f}")));
        }
    }

    /// Quiet probes run without the agenda give the same probes, times and
    /// changes as the agenda (an attack that never fires turns the fast path off).
    #[test]
    fn quiet_probes_match_the_agenda() {
        let ev = |d: i64, action, key| Event {
            at: d * DAY,
            action,
            key,
            source: String::new(),
        };
        let tl = Timeline::from_events(
            &[
                ev(0, Action::Publish, 0),
                ev(0, Action::Sign, 0),
                ev(40, Action::Publish, 1),
                ev(150, Action::Sign, 1),
                ev(150, Action::Unsign, 0),
            ],
            2 * DAY,
            21 * DAY,
            10 * DAY,
            400 * DAY,
        )
        .unwrap();
        let never = [Attack {
            kind: AttackKind::Withhold,
            from: 500 * DAY,
            to: 501 * DAY,
        }];
        for profile in Profile::ALL {
            let p = profile.params();
            let run = |attacks| ResolverRun {
                params: &p,
                trusted: 1,
                start: 0,
                end: 300 * DAY,
                outages: &[(200 * DAY, 210 * DAY)],
                restarts: &[],
                persistence: Persistence::Normal,
                skew: 0,
                seed: 11,
                attacks,
            };
            let (mut fast, mut slow) = (Trace::default(), Trace::default());
            let nf = simulate(&run(&[]), &tl, &mut fast);
            let ns = simulate(&run(&never), &tl, &mut slow);
            assert_eq!(fast, slow, "{profile:?}");
            assert_eq!(nf, ns, "{profile:?}: same event count");
        }
    }
}
