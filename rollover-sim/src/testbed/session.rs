//! One test-bed run: keys, the authoritative server, the resolvers, the
//! sampling loop on the compressed clock, and the per-resolver results.

use super::clock::Compressed;
use super::compare::{self, Sample, Validation, Verdict};
use super::handle::{Answer, Handle};
use super::implementation::{Implementation, Knobs, Setup};
use super::keys::ZoneKey;
use super::server::{QueryLog, Server, Shared};
use super::zone::{BOGUS, INSECURE, SIGNED};
use crate::clock::{format_instant, Instant, DAY};
use crate::key::bits;
use crate::resolver::Persistence;
use crate::run::{run_resolver, KeyChange};
use crate::scenario::{ResolverSpec, Scenario};
use hickory_proto::rr::RecordType;
use serde::Serialize;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration as StdDuration;

/// Set by the CLI's SIGINT/SIGTERM handler; the run stops at the next sample.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

pub struct Options {
    pub speedup: f64,
    pub resolvers: Vec<Implementation>,
}

#[derive(Debug, Serialize)]
pub struct KeyInfo {
    pub name: String,
    pub algorithm: u8,
    pub tag: u16,
    pub revoked_tag: u16,
}

/// Something the resolver process did (exit, restart, read-only state).
#[derive(Debug, Clone, Serialize)]
pub struct Note {
    pub at: Instant,
    pub what: String,
}

#[derive(Debug, Serialize)]
pub struct ResolverResult {
    pub resolver: &'static str,
    pub address: Ipv4Addr,
    /// The resolver's temporary state directory (gone after the run).
    pub state_dir: String,
    pub knobs: Knobs,
    pub samples: Vec<Sample>,
    pub predicted_changes: Vec<KeyChange>,
    pub notes: Vec<Note>,
    pub dnskey_queries: usize,
    pub queries: usize,
    /// RFC 8145 key-tag signals: (time, tags) from `_ta-` names or EDNS option 14.
    pub signals: Vec<(Instant, Vec<u16>)>,
    pub verdict: Verdict,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub scenario: String,
    pub zone: String,
    pub speedup: f64,
    pub start: Instant,
    pub end: Instant,
    pub wall_seconds: f64,
    pub keys: Vec<KeyInfo>,
    pub publisher: Vec<(String, &'static str, String)>,
    pub resolvers: Vec<ResolverResult>,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.resolvers.iter().all(|r| r.verdict.ok())
    }
}

/// A /24 of 127/8 per run, so runs in parallel (tests) never share addresses.
fn subnet() -> (u8, u8) {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    let pid = std::process::id();
    (
        20 + (pid % 200) as u8,
        ((pid / 200 + n * 37) % 250) as u8 + 1,
    )
}

/// The scenario resolver whose profile is this implementation's.
fn spec_for(sc: &Scenario, imp: Implementation) -> Result<&ResolverSpec, String> {
    sc.resolvers
        .iter()
        .find(|r| r.params.profile == imp.profile())
        .ok_or_else(|| {
            format!(
                "{}: no [[resolver]] with profile = \"{}\" to run against {}",
                sc.path.display(),
                imp.profile().name(),
                imp.name()
            )
        })
}

/// When to look: twice per DNSKEY TTL, plus a checkpoint a little before every
/// publisher step (after the resolvers have settled) and at the end.
fn schedule(sc: &Scenario) -> Vec<(Instant, bool)> {
    let step = (sc.ttl / 2).max(1);
    let margin = sc.ttl.clamp(1, DAY);
    let mut out: Vec<(Instant, bool)> = (1..)
        .map(|i| sc.start + i * step)
        .take_while(|t| *t < sc.end)
        .map(|t| (t, false))
        .collect();
    let mut cps: Vec<Instant> = sc.timeline.steps().iter().map(|s| s.at - margin).collect();
    cps.push(sc.end - 1);
    cps.retain(|t| *t > sc.start);
    cps.dedup();
    out.retain(|(t, _)| !cps.contains(t));
    out.extend(cps.into_iter().map(|t| (t, true)));
    out.sort();
    out
}

struct Live<'a> {
    imp: Implementation,
    spec: &'a ResolverSpec,
    handle: Handle,
    knobs: Knobs,
    model: crate::run::ResolverReport,
    /// The params the model ran on (the knobs scaled back).
    model_params: crate::profile::Params,
    /// What the model says of a state directory made read-only mid-run.
    readonly: Option<super::readonly::Prediction>,
    samples: Vec<Sample>,
    notes: Vec<Note>,
    restarts: Vec<Instant>,
    stopped: bool,
}

pub fn run(sc: &Scenario, opt: &Options) -> Result<Report, String> {
    let wall_start = std::time::Instant::now();
    let (a, b) = subnet();
    let server_addr = Ipv4Addr::new(127, a, b, 1);
    let mut ksks = Vec::new();
    for k in &sc.keys.keys {
        ksks.push(ZoneKey::generate(&k.name, k.algorithm, true)?);
    }
    let mut algs: Vec<u8> = ksks.iter().map(|k| k.algorithm()).collect();
    algs.sort();
    algs.dedup();
    let zsks = algs
        .iter()
        .map(|a| ZoneKey::generate(&format!("ZSK-{a}"), *a, false))
        .collect::<Result<Vec<_>, _>>()?;
    let keys: Vec<KeyInfo> = ksks
        .iter()
        .map(|k| KeyInfo {
            name: k.name.clone(),
            algorithm: k.algorithm(),
            tag: k.tag(false),
            revoked_tag: k.tag(true),
        })
        .collect();
    let tags: Vec<(String, u16, u16)> = keys
        .iter()
        .map(|k| (k.name.clone(), k.tag, k.revoked_tag))
        .collect();
    let names: Vec<String> = keys.iter().map(|k| k.name.clone()).collect();

    let clock = Compressed::start(sc.start, opt.speedup);
    let ttl = clock.wall_secs(sc.ttl);
    let shared = Shared::new(
        clock,
        sc.timeline.clone(),
        ksks,
        zsks,
        server_addr,
        ttl as u32,
    );
    let server = Server::start(shared)?;
    let secret = rndc_secret();

    let mut live: Vec<Live> = Vec::new();
    for (i, imp) in opt.resolvers.iter().enumerate() {
        let spec = spec_for(sc, *imp)?;
        let (knobs, params) = imp.knobs(&spec.params, &clock);
        let anchors: Vec<String> = bits(spec.trusted)
            .map(|k| server.shared.ksks[k].dnskey_text(".", ttl))
            .collect();
        let addr = Ipv4Addr::new(127, a, b, 10 + i as u8);
        let mut handle = Handle::start(
            *imp,
            Setup {
                dir: Default::default(),
                addr,
                server: server_addr,
                knobs: &knobs,
                anchors: &anchors,
                ttl,
                rndc_secret: &secret,
                port: super::handle::free_port()?,
                control_port: super::handle::free_port()?,
            },
        )?;
        handle.wait_ready(StdDuration::from_secs(15))?;
        let mut mspec = spec.clone();
        mspec.params = params;
        if spec.persistence == Persistence::ReadOnly {
            // Writable at start, read-only from just after: the model runs
            // with its state kept and the stop is predicted (readonly.rs).
            mspec.persistence = Persistence::Normal;
        }
        let model = run_resolver(sc, &mspec);
        live.push(Live {
            imp: *imp,
            spec,
            handle,
            knobs,
            model,
            model_params: params,
            readonly: None,
            samples: vec![],
            notes: vec![],
            restarts: spec.restarts.clone(),
            stopped: false,
        });
    }
    // Read-only persistence: the state directory becomes read-only once the
    // resolver has started (the field's "image with a read-only volume").
    for l in &mut live {
        if l.spec.persistence == Persistence::ReadOnly {
            l.handle.set_readonly(true)?;
            let now = clock.sim_now();
            let p = super::readonly::predict(l.imp, &l.model, now, &l.spec.restarts);
            l.readonly = Some(p);
            l.notes.push(Note {
                at: now,
                what: match p.stop {
                    Some(s) => {
                        format!(
                        "state directory made read-only; the model says the resolver stops at {}{}",
                        format_instant(s),
                        if p.frozen < s { ", its key states frozen until then" } else { "" }
                    )
                    }
                    None => {
                        "state directory made read-only; the model says the resolver runs on".into()
                    }
                },
            });
        }
    }

    for (t, checkpoint) in schedule(sc) {
        clock.sleep_until(t);
        if INTERRUPTED.load(Ordering::SeqCst) {
            return Err("interrupted; resolvers stopped".into());
        }
        // Each resolver is looked at in its own thread, so a slow one (rndc,
        // timeouts) does not delay the others' samples.
        std::thread::scope(|scope| {
            for l in &mut live {
                let (tags, names) = (&tags, &names);
                scope.spawn(move || sample(l, t, checkpoint, tags, names, &clock));
            }
        });
    }

    let log = server.queries();
    let resolvers = live
        .into_iter()
        .map(|mut l| {
            l.handle.stop();
            let mine: Vec<&QueryLog> = log
                .iter()
                .filter(|q| q.from == IpAddr::V4(l.handle.addr))
                .collect();
            ResolverResult {
                resolver: l.imp.name(),
                address: l.handle.addr,
                state_dir: l.handle.dir().display().to_string(),
                knobs: l.knobs,
                verdict: compare::verdict(&l.samples),
                samples: l.samples,
                predicted_changes: l.model.key_changes,
                notes: l.notes,
                dnskey_queries: mine.iter().filter(|q| q.qtype == "DNSKEY").count(),
                queries: mine.len(),
                signals: mine
                    .iter()
                    .filter(|q| !q.key_tags.is_empty())
                    .map(|q| (q.sim, q.key_tags.clone()))
                    .collect(),
            }
        })
        .collect();
    drop(server);
    Ok(Report {
        scenario: sc.path.display().to_string(),
        zone: sc.zone.clone(),
        speedup: opt.speedup,
        start: sc.start,
        end: sc.end,
        wall_seconds: wall_start.elapsed().as_secs_f64(),
        keys,
        publisher: sc
            .timeline
            .steps()
            .iter()
            .map(|s| {
                (
                    format_instant(s.at),
                    s.action.name(),
                    sc.keys.keys[s.key].name.clone(),
                )
            })
            .collect(),
        resolvers,
    })
}

/// Restarts due by `t`, then the resolver's states and answers.
fn sample(
    l: &mut Live,
    t: Instant,
    checkpoint: bool,
    tags: &[(String, u16, u16)],
    names: &[String],
    clock: &Compressed,
) {
    while l.restarts.first().is_some_and(|r| *r <= t) {
        let r = l.restarts.remove(0);
        let what = match l.handle.restart() {
            Ok(()) => {
                l.stopped = false;
                format!("restarted (scenario restart at {})", format_instant(r))
            }
            Err(e) => format!("restart failed: {e}"),
        };
        l.notes.push(Note {
            at: clock.sim_now(),
            what,
        });
        std::thread::sleep(StdDuration::from_millis(300));
    }
    if !l.stopped {
        if let Some(status) = l.handle.exited() {
            l.stopped = true;
            l.notes.push(Note {
                at: clock.sim_now(),
                what: format!("the resolver stopped ({status}): {}", l.handle.log_tail()),
            });
        }
    }
    let (by_tag, error) = match l.handle.states() {
        Ok(m) => (m, None),
        Err(e) => (Default::default(), Some(super::escape(&e))),
    };
    let before = l.samples.last().map(|s| &s.observed);
    let observed = if error.is_some() {
        before.cloned().unwrap_or_default()
    } else {
        compare::observed_names(&by_tag, tags, before, l.model_params.keep_removed > 0)
    };
    // A stopped resolver answers nothing; asking would only wait for timeouts.
    let ask = |name| {
        if l.stopped {
            Answer::NoAnswer
        } else {
            l.handle.probe(name, RecordType::TXT)
        }
    };
    let (signed, bogus, insecure) = (ask(SIGNED), ask(BOGUS), ask(INSECURE));
    l.samples.push(Sample {
        at: t,
        checkpoint,
        observed,
        // A stopped resolver keeps the states it had when it stopped.
        predicted: compare::predicted_at(
            &l.model,
            names,
            l.readonly.map_or(t, |p| t.min(p.frozen)),
        ),
        signed,
        bogus,
        insecure,
        validation: Validation::judge(signed, bogus),
        predicted_validating: compare::predicted_validating(&l.model, t)
            && l.readonly.and_then(|p| p.stop).map_or(true, |s| t < s),
        error,
    });
}

/// A fresh HMAC key for BIND's control channel (never printed).
fn rndc_secret() -> String {
    use base64::Engine;
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
