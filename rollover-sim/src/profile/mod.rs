//! Resolver profiles: RFC 5011 exactly, or a real implementation's documented
//! behaviour. A profile is only a set of [`Params`]; the trust-point logic reads
//! the knobs, so every deviation is one named field with its source written down
//! in the profile's file.

pub mod bind;
pub mod knot_resolver;
pub mod rfc5011;
pub mod unbound;

use crate::clock::Duration;
use crate::holddown::{ADD_HOLDDOWN, REMOVE_HOLDDOWN};
use crate::refresh::RefreshBounds;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Profile {
    #[serde(rename = "rfc5011")]
    Rfc5011,
    #[serde(rename = "unbound")]
    Unbound,
    #[serde(rename = "bind")]
    Bind,
    #[serde(rename = "knot-resolver")]
    KnotResolver,
}

impl Profile {
    pub const ALL: [Profile; 4] = [
        Profile::Rfc5011,
        Profile::Unbound,
        Profile::Bind,
        Profile::KnotResolver,
    ];

    pub fn parse(s: &str) -> Result<Profile, String> {
        match s {
            "rfc5011" => Ok(Profile::Rfc5011),
            "unbound" => Ok(Profile::Unbound),
            "bind" => Ok(Profile::Bind),
            "knot-resolver" => Ok(Profile::KnotResolver),
            _ => Err(format!(
                "unknown profile {s:?}; use one of rfc5011, unbound, bind, knot-resolver"
            )),
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Profile::Rfc5011 => "rfc5011",
            Profile::Unbound => "unbound",
            Profile::Bind => "bind",
            Profile::KnotResolver => "knot-resolver",
        }
    }
    /// The profile's default knobs.
    pub fn params(self) -> Params {
        match self {
            Profile::Rfc5011 => rfc5011::params(),
            Profile::Unbound => unbound::params(),
            Profile::Bind => bind::params(),
            Profile::KnotResolver => knot_resolver::params(),
        }
    }
}

/// Every timer and behaviour knob of the resolver model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Params {
    pub profile: Profile,
    /// Add hold-down (RFC: 30 days).
    pub add_holddown: Duration,
    /// RFC 5011 2.4.1: the hold-down is max(add_holddown, original TTL of the
    /// first RRset with the key). Unbound uses the configured value alone.
    pub ttl_extends_holddown: bool,
    /// Remove hold-down for revoked keys (RFC: 30 days).
    pub remove_holddown: Duration,
    /// Missing keys are dropped after this long; `None` keeps them (RFC).
    pub keep_missing: Option<Duration>,
    /// Unbound `remove_missing_trustanchors`: a Missing key is dropped only
    /// while some other key is Valid.
    pub keep_missing_needs_valid: bool,
    /// Bounds of the active-refresh formulas.
    pub refresh: RefreshBounds,
    /// A fixed query interval replacing the formula (Knot's `refresh_time`).
    pub fixed_refresh: Option<Duration>,
    /// Each interval is drawn from [100 - jitter %, 100 %] of its value (Unbound: 10).
    pub jitter_percent: u8,
    /// Validated sightings of a pending key needed before it can be trusted,
    /// counting the one that started the hold-down (RFC: the first sighting plus
    /// the fresh fetch after the hold-down, so 2 is always met; Unbound: 2).
    pub min_sightings: u8,
    /// Trust every SEP key of the first validated RRset after (re)initialisation
    /// from configured anchors (BIND `initial-key`).
    pub bootstrap_all_sep: bool,
    /// Keys tracked per trust point; new keys beyond this are ignored. RFC 5011
    /// 2.4 asks for room for at least 5; none of the modelled resolvers caps, so
    /// every profile defaults to the model's capacity ([`crate::key::MAX_KEYS`]).
    pub max_keys: u8,
    /// Automatic updates on (RFC 5011) or off: a static anchor (BIND
    /// `trusted-keys`/`static-key`, Unbound `trust-anchor-file`, Knot
    /// `add_file(path, true)`) keeps validating with its configured keys only.
    pub auto_update: bool,
    /// Unbound `autr_holddown_exceed`: a pending key whose hold-down has passed
    /// becomes Valid at any probe, even one with no answer or a bogus one.
    pub promote_without_answer: bool,
    /// BIND `keyfetch_done`: an answer that does not validate restarts the add
    /// hold-down of the pending keys it shows.
    pub unvalidated_resets_pending: bool,
    /// BIND `keyfetch_done`: a pending key missing from a validated RRset stays
    /// pending with its hold-down restarted (no return to Start).
    pub missing_pending_stays: bool,
    /// BIND `set_refreshkeytimer`: the next refresh is never later than the end
    /// of a running hold-down.
    pub refresh_at_holddown_end: bool,
    /// BIND `refresh_time`: after an answer that did not validate the next
    /// refresh is the normal query interval (the expired RRSIG ignored), and
    /// after no answer it is the refresh floor (one hour).
    pub bind_retry: bool,
    /// A revocation counts only with the revoked key's own signature (RFC 5011
    /// 2.1; Unbound `check_contains_revoked`, BIND `revocable`). Knot Resolver
    /// `ta_present` takes the REVOKE bit alone.
    pub revoke_needs_self_signature: bool,
    /// What happens when no trust anchor is left (all revoked or removed).
    pub no_anchor_left: NoAnchorLeft,
    /// Removed keys remembered; the rest are forgotten (back to Start, so a key
    /// that returns starts over). `u8::MAX`: Removed is terminal (RFC).
    pub keep_removed: u8,
    /// BIND `keyfetch_done`: a Revoked key published again without the REVOKE
    /// bit is re-added as a new key with a fresh hold-down.
    pub readd_unrevoked: bool,
    /// RFC 5011 2.2: when every key that validated a pending key is revoked,
    /// the pending key's hold-down starts over.
    pub reset_on_validators_revoked: bool,
    /// What the resolver does when its state cannot be written.
    pub unwritable_state: UnwritableState,
}

/// A trust point left without any trust anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum NoAnchorLeft {
    /// The trust point is deleted and the zone validates as insecure (RFC 5011
    /// 4.2 "treated as if the trust point was never configured"; Unbound
    /// `autr_tp_remove`; Knot Resolver `keyset_publish` after `kr_ta_del`).
    #[serde(rename = "insecure")]
    Insecure,
    /// Fails closed: a null key stays, every answer fails (BIND `fail_secure`,
    /// `dns_view_untrust` with `dns_keytable_marksecure`).
    #[serde(rename = "failing")]
    FailClosed,
}

/// A state directory or file that cannot be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum UnwritableState {
    /// Runs on, and forgets what it learnt at every restart (RFC: no rule).
    #[serde(rename = "forget-on-restart")]
    ForgetOnRestart,
    /// Exits at its first state write (Unbound `autr_write_file` calls
    /// `fatal_exit`; it writes after every probe with an answer).
    #[serde(rename = "exit-on-write")]
    ExitOnWrite,
    /// Refuses to start (BIND `configure_view` in bin/named/server.c: the
    /// managed-keys-directory is not writable; Knot Resolver `add_file` errors).
    #[serde(rename = "refuse-start")]
    RefuseStart,
}

impl Params {
    /// Applies one `[resolver.timers]` knob by name.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        let dur = || crate::clock::parse_duration(value);
        match name {
            // Knot Resolver has one `hold_down_time` (ta_update.lua): the add
            // hold-down, the revoked-key timer (`ta_present`) and, times 4, the
            // Missing-key limit (`update`/`ta_missing`).
            "add-holddown" | "hold-down-time" if self.profile == Profile::KnotResolver => {
                self.add_holddown = dur()?;
                self.remove_holddown = self.add_holddown;
                self.keep_missing = Some(4 * self.add_holddown);
            }
            "add-holddown" => self.add_holddown = dur()?,
            "remove-holddown" | "del-holddown" if self.profile == Profile::KnotResolver => {
                return Err("Knot Resolver has no remove hold-down: its revoked-key timer is \
                            hold-down-time (ta_update.hold_down_time)"
                    .into())
            }
            "remove-holddown" | "del-holddown" => self.remove_holddown = dur()?,
            // Knot Resolver `ta_update.keep_removed`: how many Removed keys are remembered.
            "keep-removed" => {
                self.keep_removed = value
                    .parse::<u8>()
                    .map_err(|_| format!("keep-removed is a count of keys, not {value:?}"))?
            }
            "automatic-updates" => {
                self.auto_update = match value {
                    "yes" | "true" => true,
                    "no" | "false" => false,
                    _ => return Err(format!("automatic-updates must be yes or no, not {value:?}")),
                }
            }
            "keep-missing" => {
                self.keep_missing = match value {
                    "forever" | "0" => None,
                    _ => Some(dur()?),
                }
            }
            "refresh-floor" => self.refresh.floor = dur()?,
            "query-cap" => self.refresh.query_cap = dur()?,
            "retry-cap" => self.refresh.retry_cap = dur()?,
            "refresh" | "refresh-time" => self.fixed_refresh = Some(dur()?),
            "jitter-percent" => {
                self.jitter_percent = value
                    .parse::<u8>()
                    .ok()
                    .filter(|v| *v <= 100)
                    .ok_or_else(|| format!("jitter-percent must be 0..100, not {value:?}"))?
            }
            "min-sightings" => {
                self.min_sightings =
                    value.parse().map_err(|_| format!("min-sightings must be a small number, not {value:?}"))?
            }
            "max-keys" => {
                self.max_keys = value
                    .parse::<u8>()
                    .ok()
                    .filter(|v| (1..=crate::key::MAX_KEYS as u8).contains(v))
                    .ok_or_else(|| format!("max-keys must be 1..{}, not {value:?}", crate::key::MAX_KEYS))?
            }
            // BIND `named -T mkeytimers=H[/D[/M]]` (seconds): the refresh floor, the
            // "day" that caps retries (x15 caps queries) and the hold-down "month".
            // Like named: D defaults to 24 H, M to 30 D; D >= H and M >= D.
            "mkeytimers" => {
                let bad = || format!("mkeytimers must be H[/D[/M]] in seconds with H <= D <= M (e.g. 2/20/40), not {value:?}");
                let n: Vec<Duration> = value
                    .split('/')
                    .map(|p| p.trim().parse::<Duration>())
                    .collect::<Result<_, _>>()
                    .map_err(|_| bad())?;
                let h = *n.first().filter(|h| **h > 0).ok_or_else(bad)?;
                let d = n.get(1).copied().unwrap_or(24 * h);
                let m = n.get(2).copied().unwrap_or(30 * d);
                if n.len() > 3 || d < h || m < d {
                    return Err(bad());
                }
                self.refresh.floor = h;
                self.refresh.retry_cap = d;
                self.refresh.query_cap = 15 * d;
                self.add_holddown = m;
                self.remove_holddown = m;
            }
            "ttl-extends-holddown" => {
                self.ttl_extends_holddown = match value {
                    "yes" | "true" => true,
                    "no" | "false" => false,
                    _ => return Err(format!("ttl-extends-holddown must be yes or no, not {value:?}")),
                }
            }
            _ => {
                return Err(format!(
                    "unknown timer {name:?}; known: add-holddown, remove-holddown, keep-missing, refresh-floor, \
                     query-cap, retry-cap, refresh, jitter-percent, min-sightings, max-keys, mkeytimers, \
                     ttl-extends-holddown, hold-down-time, keep-removed, automatic-updates"
                ))
            }
        }
        Ok(())
    }
}

/// The RFC values every profile starts from.
pub(crate) fn rfc_base(profile: Profile) -> Params {
    Params {
        profile,
        add_holddown: ADD_HOLDDOWN,
        ttl_extends_holddown: true,
        remove_holddown: REMOVE_HOLDDOWN,
        keep_missing: None,
        keep_missing_needs_valid: false,
        refresh: RefreshBounds::default(),
        fixed_refresh: None,
        jitter_percent: 0,
        min_sightings: 1,
        bootstrap_all_sep: false,
        max_keys: crate::key::MAX_KEYS as u8,
        auto_update: true,
        promote_without_answer: false,
        unvalidated_resets_pending: false,
        missing_pending_stays: false,
        refresh_at_holddown_end: false,
        bind_retry: false,
        revoke_needs_self_signature: true,
        no_anchor_left: NoAnchorLeft::Insecure,
        keep_removed: u8::MAX,
        readd_unrevoked: false,
        reset_on_validators_revoked: false,
        unwritable_state: UnwritableState::ForgetOnRestart,
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod knobs {
    use super::*;

    #[test]
    fn knobs_parse() {
        let mut p = Profile::Bind.params();
        p.set("mkeytimers", "2/20/40").unwrap();
        assert_eq!(
            (p.refresh.floor, p.refresh.retry_cap, p.add_holddown),
            (2, 20, 40)
        );
        p.set("mkeytimers", "2/20").unwrap();
        assert_eq!(p.add_holddown, 600, "M defaults to 30 D");
        p.set("mkeytimers", "3").unwrap();
        assert_eq!((p.refresh.retry_cap, p.add_holddown), (72, 2160));
        assert!(p.set("mkeytimers", "20/2/40").is_err(), "D < H");
        assert!(p.set("mkeytimers", "0/2/40").is_err());
        assert!(
            p.set("mkeytimers", "2d/3/4").is_err(),
            "plain seconds like named"
        );
        assert!(p.set("nonsense", "1").is_err());
        p.set("keep-missing", "forever").unwrap();
        assert_eq!(p.keep_missing, None);
        assert!(p.set("jitter-percent", "101").is_err());
    }
}
