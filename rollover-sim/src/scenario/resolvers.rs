//! The `[[resolver]]` and `[[attack]]` tables.

use super::ctx::Ctx;
use super::raw::{RawAttack, RawPersistence, RawResolver, StrOrInt};
use super::ResolverSpec;
use crate::attacker::{Attack, AttackKind};
use crate::clock::{parse_duration, Instant};
use crate::error::InputError;
use crate::key::KeySet;
use crate::profile::Profile;
use crate::resolver::Persistence;
use toml::Spanned;

impl Ctx<'_> {
    /// One `[[resolver]]` table (the `i`th): profile and timer knobs, anchors,
    /// start, outages, persistence, restarts and clock skew.
    pub(super) fn resolver(
        &self,
        i: usize,
        r: &Spanned<RawResolver>,
        keys: &KeySet,
        start: Instant,
        seed: u64,
    ) -> Result<ResolverSpec, InputError> {
        let rr = r.get_ref();
        let line = self.line(r.span().start);
        let profile =
            Profile::parse(rr.profile.get_ref()).map_err(|m| self.err(rr.profile.span(), m))?;
        let mut params = profile.params();
        for (name, v) in &rr.timers {
            let value = match v.get_ref() {
                StrOrInt::Str(s) => s.clone(),
                StrOrInt::Int(n) => n.to_string(),
            };
            super::check_timer(name, &value)
                .and_then(|()| params.set(name, &value))
                .map_err(|m| self.err(v.span(), format!("timers.{name}: {m}")))?;
        }
        let trusted = self.keys_mask(keys, rr.trusted.get_ref())?;
        if trusted == 0 {
            return Err(self.err(
                rr.trusted.span(),
                format!(
                    "resolver {:?} trusts no key; list at least one in trusted",
                    rr.name
                ),
            ));
        }
        let rstart = match &rr.start {
            Some(s) => self.time(s, "start")?,
            None => start,
        };
        let mut outages = Vec::new();
        for o in &rr.outages {
            let (f, t) = (
                self.time(&o.get_ref().from, "outage from")?,
                self.time(&o.get_ref().to, "outage to")?,
            );
            if t <= f {
                return Err(self.err(o.span(), "an outage must end after it starts"));
            }
            outages.push((f, t));
        }
        outages.sort_unstable();
        if outages.windows(2).any(|w| w[1].0 < w[0].1) {
            return Err(self.err(
                r.span(),
                format!("resolver {:?} has overlapping outages; merge them", rr.name),
            ));
        }
        let persistence = self.persistence(rr)?;
        let mut restarts = Vec::new();
        for s in &rr.restarts {
            restarts.push(self.time(s, "restart")?);
        }
        restarts.sort_unstable();
        let skew = match &rr.clock_skew {
            Some(s) => {
                let d = self.dur(s, "clock-skew")?;
                // Either sign, but no further off than any duration may be.
                self.check_dur(d.saturating_abs(), s, "clock-skew", 0)?;
                d
            }
            None => 0,
        };
        Ok(ResolverSpec {
            name: rr.name.clone(),
            params,
            trusted,
            start: rstart,
            outages,
            restarts,
            persistence,
            skew,
            // Without a seed of its own: the scenario seed mixed with the
            // resolver's position (2^64 / golden ratio, the usual odd spreader).
            seed: rr
                .seed
                .unwrap_or(seed ^ (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)),
            attacks: Vec::new(),
            line,
        })
    }

    /// `persistence = "normal" | "read-only" | { reset-every = D }`, or the
    /// `reset-every = D` shorthand.
    pub(super) fn persistence(&self, rr: &RawResolver) -> Result<Persistence, InputError> {
        let mut persistence = match &rr.persistence {
            None => Persistence::Normal,
            Some(p) => match p.get_ref() {
                RawPersistence::Word(w) if w == "normal" => Persistence::Normal,
                RawPersistence::Word(w) if w == "read-only" => Persistence::ReadOnly,
                RawPersistence::Word(w) => {
                    return Err(self.err(
                        p.span(),
                        format!("unknown persistence {w:?}; use \"normal\", \"read-only\" or {{ reset-every = \"7d\" }}"),
                    ))
                }
                RawPersistence::Reset { reset_every } => {
                    let d = parse_duration(reset_every)
                        .map_err(|m| self.err(p.span(), format!("reset-every: {m}")))?;
                    let shown = toml::Spanned::new(p.span(), reset_every.clone());
                    Persistence::ResetEvery(self.check_dur(d, &shown, "reset-every", 1)?)
                }
            },
        };
        if let Some(re) = &rr.reset_every {
            persistence = Persistence::ResetEvery(self.positive_dur(re, "reset-every")?);
        }
        Ok(persistence)
    }

    /// The `[[attack]]` tables, attached to the resolvers they target.
    pub(super) fn attach_attacks(
        &self,
        raw: &[Spanned<RawAttack>],
        resolvers: &mut [ResolverSpec],
    ) -> Result<(), InputError> {
        // Targets by name: one lookup per attack, not a scan of every resolver.
        let by_name: std::collections::HashMap<String, usize> = resolvers
            .iter()
            .enumerate()
            .map(|(i, r)| (r.name.clone(), i))
            .collect();
        for a in raw {
            let ar = a.get_ref();
            let (from, to) = (self.time(&ar.from, "from")?, self.time(&ar.to, "to")?);
            if to <= from {
                return Err(self.err(a.span(), "an attack must end after it starts"));
            }
            let kind = match (ar.kind.get_ref().as_str(), &ar.captured) {
                ("replay", Some(c)) => AttackKind::Replay {
                    captured: self.time(c, "captured")?,
                },
                ("replay", None) => {
                    return Err(self.err(
                        a.span(),
                        "a replay needs captured = TIME (when the replayed RRset was served)",
                    ))
                }
                ("withhold", _) => AttackKind::Withhold,
                (k, _) => {
                    return Err(self.err(
                        ar.kind.span(),
                        format!("unknown attack kind {k:?}; use replay or withhold"),
                    ))
                }
            };
            let target = ar.resolver.get_ref();
            let attack = Attack { kind, from, to };
            let hit = if target == "*" {
                resolvers.iter_mut().for_each(|r| r.attacks.push(attack));
                !resolvers.is_empty()
            } else if let Some(&i) = by_name.get(target.as_str()) {
                resolvers[i].attacks.push(attack);
                true
            } else {
                false
            };
            if !hit {
                return Err(self.err(
                    ar.resolver.span(),
                    format!("no resolver named {target:?} (use a resolver name or \"*\")"),
                ));
            }
        }
        for r in resolvers.iter_mut() {
            r.attacks.sort_by_key(|a| a.from);
        }
        Ok(())
    }
}
