//! The resolver mix: which classes of resolvers a forecast draws, their
//! shares, and their persistence-fault, outage and restart rates.

use super::Scenario;
use crate::clock::{parse_duration, Duration, DAY};
use crate::error::{line_of, InputError};
use crate::profile::{Params, Profile};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use toml::Spanned;

/// Mix defaults when a class does not say: a weekly image restart (the
/// field failure DOMAIN.md describes), and outages from a day to 400 days
/// (long enough to span a whole hold-down and switch).
pub const DEFAULT_RESET_EVERY: Duration = 7 * DAY;
pub const DEFAULT_OUTAGE_MIN: Duration = DAY;
pub const DEFAULT_OUTAGE_MAX: Duration = 400 * DAY;

/// Restarts drawn per resolver are kept on the stack; a mix that would need
/// more over the scenario is refused (see [`check_mix`]).
pub const MAX_RESTARTS: usize = 64;

/// A mean (Julian) year in seconds, for per-year rates.
pub(super) const YEAR: f64 = 365.25 * DAY as f64;

/// One kind of resolver in the mix.
#[derive(Debug, Clone, Serialize)]
pub struct Class {
    pub name: String,
    pub weight: f64,
    pub params: Params,
    /// Probability its state directory is not writable.
    pub read_only: f64,
    /// Probability it is an image restarting from stale anchors every `reset_every`.
    pub image_reset: f64,
    pub reset_every: Duration,
    /// Probability of one outage, of uniform length in [outage_min, outage_max].
    pub outage: f64,
    pub outage_min: Duration,
    pub outage_max: Duration,
    pub restarts_per_year: f64,
    /// Clock skew uniform in [-max, +max].
    pub clock_skew_max: Duration,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMix {
    class: Vec<Spanned<RawClass>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawClass {
    name: String,
    weight: f64,
    profile: Spanned<String>,
    #[serde(default)]
    read_only: f64,
    #[serde(default)]
    image_reset: f64,
    reset_every: Option<String>,
    #[serde(default)]
    outage: f64,
    outage_min: Option<String>,
    outage_max: Option<String>,
    #[serde(default)]
    restarts_per_year: f64,
    clock_skew_max: Option<String>,
    #[serde(default)]
    timers: BTreeMap<String, String>,
}

/// The built-in mix: shares loosely after the resolvers seen during the 2017
/// roll (mostly BIND and Unbound), with small persistence-fault rates. A
/// forecast for a real decision should pass its own `--mix`.
pub fn default_mix() -> Vec<Class> {
    let c = |name: &str, weight, profile: Profile| Class {
        name: name.into(),
        weight,
        params: profile.params(),
        read_only: 0.01,
        image_reset: 0.005,
        reset_every: DEFAULT_RESET_EVERY,
        outage: 0.05,
        outage_min: DEFAULT_OUTAGE_MIN,
        outage_max: DEFAULT_OUTAGE_MAX,
        restarts_per_year: 4.0,
        clock_skew_max: 0,
    };
    vec![
        c("bind", 40.0, Profile::Bind),
        c("unbound", 35.0, Profile::Unbound),
        c("knot-resolver", 10.0, Profile::KnotResolver),
        c("rfc5011", 15.0, Profile::Rfc5011),
    ]
}

pub fn load_mix(path: &Path) -> Result<Vec<Class>, InputError> {
    let file = path.display().to_string();
    let src = std::fs::read_to_string(path)
        .map_err(|e| InputError::new(&file, None, format!("cannot read mix: {e}")))?;
    let raw: RawMix = toml::from_str(&src).map_err(|e| {
        InputError::new(
            &file,
            e.span().map(|s| line_of(&src, s.start)),
            format!("not a valid mix: {}", e.message()),
        )
    })?;
    let mut out = Vec::new();
    for c in &raw.class {
        let line = Some(line_of(&src, c.span().start));
        let r = c.get_ref();
        let err = |m: String| InputError::new(&file, line, format!("class {:?}: {m}", r.name));
        let profile = Profile::parse(r.profile.get_ref()).map_err(err)?;
        let mut params = profile.params();
        for (k, v) in &r.timers {
            params
                .set(k, v)
                .map_err(|m| err(format!("timers.{k}: {m}")))?;
        }
        let dur = |v: &Option<String>, d: Duration| {
            v.as_deref().map_or(Ok(d), parse_duration).map_err(err)
        };
        for (what, p) in [
            ("read-only", r.read_only),
            ("image-reset", r.image_reset),
            ("outage", r.outage),
        ] {
            if !(0.0..=1.0).contains(&p) {
                return Err(err(format!("{what} is a probability, 0..1, not {p}")));
            }
        }
        if r.weight.is_nan() || r.weight <= 0.0 {
            return Err(err(format!("weight must be positive, not {}", r.weight)));
        }
        let class = Class {
            name: r.name.clone(),
            weight: r.weight,
            params,
            read_only: r.read_only,
            image_reset: r.image_reset,
            reset_every: dur(&r.reset_every, DEFAULT_RESET_EVERY)?,
            outage: r.outage,
            outage_min: dur(&r.outage_min, DEFAULT_OUTAGE_MIN)?,
            outage_max: dur(&r.outage_max, DEFAULT_OUTAGE_MAX)?,
            restarts_per_year: r.restarts_per_year.max(0.0),
            clock_skew_max: dur(&r.clock_skew_max, 0)?.abs(),
        };
        if class.reset_every <= 0 || class.outage_min < 0 || class.outage_max < class.outage_min {
            return Err(err(
                "reset-every must be positive and outage-min <= outage-max".into(),
            ));
        }
        out.push(class);
    }
    if out.is_empty() {
        return Err(InputError::new(&file, None, "the mix has no [[class]]"));
    }
    Ok(out)
}

/// Refuses a mix whose restart rate cannot be simulated over this scenario:
/// more than [`MAX_RESTARTS`] expected restarts per resolver.
pub fn check_mix(classes: &[Class], sc: &Scenario) -> Result<(), String> {
    let years = (sc.end - sc.population.start_from) as f64 / YEAR;
    for c in classes {
        let expect = c.restarts_per_year * years;
        if expect.ceil() > MAX_RESTARTS as f64 {
            return Err(format!(
                "class {:?}: restarts-per-year {} gives {:.0} restarts per resolver over the scenario; \
                 at most {MAX_RESTARTS} are simulated, so lower it or shorten the scenario",
                c.name, c.restarts_per_year, expect
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::population::tests::{clean, scenario};

    #[test]
    fn too_many_restarts_are_refused_not_truncated() {
        let sc = scenario();
        let mut c = clean(Profile::Rfc5011);
        // The scenario spans 8 months: 90 a year is about 60 restarts.
        c.restarts_per_year = 90.0;
        assert!(check_mix(&[c.clone()], &sc).is_ok());
        c.restarts_per_year = 120.0;
        let e = check_mix(&[c.clone()], &sc).unwrap_err();
        assert!(e.contains("at most 64"), "{e}");
        assert!(check_mix(&default_mix(), &sc).is_ok());
    }

    #[test]
    fn mix_errors_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.toml");
        std::fs::write(
            &p,
            "[[class]]\nname = \"a\"\nweight = 1\nprofile = \"bind\"\nread-only = 2\n",
        )
        .unwrap();
        let e = load_mix(&p).unwrap_err();
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("read-only is a probability"), "{e}");
        std::fs::write(&p, "[[class]]\nname = \"a\"\nweight = 1\nprofile = \"bind\"\ntimers = { mkeytimers = \"x\" }\n").unwrap();
        assert!(load_mix(&p).unwrap_err().message.contains("mkeytimers"));
        std::fs::write(
            &p,
            "[[class]]\nname = \"a\"\nweight = 0\nprofile = \"bind\"\n",
        )
        .unwrap();
        assert!(load_mix(&p)
            .unwrap_err()
            .message
            .contains("weight must be positive"));
    }
}
