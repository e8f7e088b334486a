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
/// field failure docs/rfc5011.md describes), and outages from a day to 400 days
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
    /// Where the class and its share come from (a citation or a stated assumption).
    pub source: String,
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
    #[serde(default)]
    source: String,
}

/// ICANN's note postponing the 2017 roll (M. Larson, "Root KSK roll delayed",
/// dns-operations, 2017-09-28): ~12,000 reporting addresses in September 2017;
/// about 5 % overall and 6-8 % a day signalled KSK-2010 only; the reasons it
/// names are static trust anchors (BIND `trusted-keys`) and RFC 5011 updates
/// that failed through "a software defect, operator error or other reason".
const LARSON_2017: &str = "ICANN, M. Larson, \"Root KSK roll delayed\", dns-operations 2017-09-28";
/// ICANN blog, "Update on the Root KSK Rollover Project", 2017-12-18: about
/// 4 % of ~12,000; the operators reached gave a variety of causes.
const ICANN_2017_12: &str = "ICANN blog \"Update on the Root KSK Rollover Project\", 2017-12-18";

/// The built-in mix, built to reproduce the RFC 8145 telemetry of September
/// 2017 (4-8 % of reporting resolvers signalling KSK-2010 only; see
/// `telemetry.rs`). Neither source gives per-class shares: every weight below
/// is a stated assumption, chosen so the causes the sources name add up to the
/// measured range; each class says which cause it models. Only BIND (>= 9.10.5)
/// and Unbound (>= 1.6.4) could signal in 2017 (Larson), so they dominate; the
/// model counts every up resolver as reporting.
pub fn default_mix() -> Vec<Class> {
    let c = |name: &str, weight, profile: Profile, source: String| Class {
        name: name.into(),
        weight,
        params: profile.params(),
        read_only: 0.0,
        image_reset: 0.0,
        reset_every: DEFAULT_RESET_EVERY,
        outage: 0.05,
        outage_min: DEFAULT_OUTAGE_MIN,
        outage_max: DEFAULT_OUTAGE_MAX,
        restarts_per_year: 4.0,
        clock_skew_max: 0,
        source,
    };
    let fixed = |mut cl: Class| {
        cl.params.auto_update = false;
        cl
    };
    let mut stale = c(
        "stale-image",
        1.5,
        Profile::Unbound,
        format!("{LARSON_2017} (\"operator error or other reason\"); 1.5 % and weekly restarts from the image are assumptions"),
    );
    stale.image_reset = 1.0;
    let mut lost = c(
        "state-lost-on-restart",
        1.0,
        Profile::Rfc5011,
        format!("{LARSON_2017} (RFC 5011 updates that fail); state on a volatile disk, 1 % and 12 restarts a year are assumptions"),
    );
    lost.read_only = 1.0;
    lost.restarts_per_year = 12.0;
    let mut read_only = c(
        "read-only-state",
        1.0,
        Profile::Unbound,
        format!("{ICANN_2017_12} (operator error); 1 % is an assumption; Unbound exits at its first write, so it never signals"),
    );
    read_only.read_only = 1.0;
    let mut offline = c(
        "long-offline",
        2.0,
        Profile::Rfc5011,
        format!("{ICANN_2017_12}; 2 % offline for 30..400 days is an assumption"),
    );
    offline.outage = 1.0;
    offline.outage_min = 30 * DAY;
    vec![
        c("bind", 45.0, Profile::Bind, format!("{LARSON_2017}: BIND and Unbound were the resolvers that signalled; the 45/40 split is an assumption")),
        c("unbound", 40.0, Profile::Unbound, format!("{LARSON_2017}; 40 % is an assumption")),
        c("knot-resolver", 3.0, Profile::KnotResolver, "assumption: 3 % (Knot Resolver did not signal in September 2017)".into()),
        fixed(c("bind-trusted-keys", 2.5, Profile::Bind, format!("{LARSON_2017}: static trust anchors (BIND \"trusted-keys\"); 2.5 % is an assumption"))),
        fixed(c("unbound-trust-anchor-file", 1.5, Profile::Unbound, format!("{LARSON_2017}: static trust anchors; 1.5 % is an assumption"))),
        stale,
        lost,
        read_only,
        offline,
    ]
}

/// The longest duration a mix may give (as a scenario: 2^31 - 1 seconds).
const MAX_MIX_DURATION: Duration = (1 << 31) - 1;

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
            crate::scenario::check_timer(k, v)
                .and_then(|()| params.set(k, v))
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
            clock_skew_max: dur(&r.clock_skew_max, 0)?.saturating_abs(),
            source: r.source.clone(),
        };
        // Each value as written, or its default: the message names only what is wrong.
        let shown = |v: &Option<String>, d: Duration| match v {
            Some(s) => format!("{s:?}"),
            None => format!("{} (the default)", crate::clock::format_duration(d)),
        };
        if class.reset_every <= 0 {
            return Err(err(format!(
                "reset-every must be positive, not {}",
                shown(&r.reset_every, DEFAULT_RESET_EVERY)
            )));
        }
        if class.outage_min < 0 {
            return Err(err(format!(
                "outage-min must be zero or more, not {}",
                shown(&r.outage_min, DEFAULT_OUTAGE_MIN)
            )));
        }
        if class.outage_max < class.outage_min {
            return Err(err(format!(
                "outage-max {} is shorter than outage-min {}; outage lengths are drawn between them",
                shown(&r.outage_max, DEFAULT_OUTAGE_MAX),
                shown(&r.outage_min, DEFAULT_OUTAGE_MIN)
            )));
        }
        let longest = [
            ("reset-every", class.reset_every),
            ("outage-max", class.outage_max),
            ("clock-skew-max", class.clock_skew_max),
        ];
        if let Some((what, _)) = longest.iter().find(|(_, d)| *d > MAX_MIX_DURATION) {
            return Err(err(format!(
                "{what} is longer than 2^31 - 1 seconds (about 68 years)"
            )));
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
    let span = (sc.end - sc.population.start_from).max(0);
    for c in classes {
        if c.image_reset > 0.0 && c.reset_every > 0 {
            let resets = span / c.reset_every;
            if resets > crate::scenario::MAX_RESETS as i64 {
                return Err(format!(
                    "class {:?}: reset-every {} gives {resets} state resets per resolver over the scenario; \
                     at most {} are simulated, so use a longer reset-every",
                    c.name,
                    crate::clock::format_duration(c.reset_every),
                    crate::scenario::MAX_RESETS
                ));
            }
        }
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
    fn a_reset_every_second_is_refused_not_run() {
        let sc = scenario();
        let mut c = clean(Profile::Rfc5011);
        c.image_reset = 0.5;
        c.reset_every = 1;
        let e = check_mix(&[c.clone()], &sc).unwrap_err();
        assert!(e.contains("state resets per resolver"), "{e}");
        assert!(e.contains("at most 10000"), "{e}");
        c.reset_every = crate::clock::DAY;
        assert!(check_mix(&[c], &sc).is_ok());
    }

    #[test]
    fn mix_durations_past_the_horizon_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.toml");
        std::fs::write(
            &p,
            "[[class]]\nname = \"a\"\nweight = 1\nprofile = \"bind\"\noutage-max = \"40000d\"\n",
        )
        .unwrap();
        let e = load_mix(&p).unwrap_err();
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("outage-max is longer than"), "{e}");
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

    /// Each bound gets its own message, naming only what was given wrong.
    #[test]
    fn outage_and_reset_bounds_name_only_what_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.toml");
        for (fields, want) in [
            (
                "outage-min = \"400d\"\noutage-max = \"1d\"",
                "class \"a\": outage-max \"1d\" is shorter than outage-min \"400d\"; outage lengths are drawn between them",
            ),
            (
                "outage-min = \"500d\"",
                "class \"a\": outage-max P400D (the default) is shorter than outage-min \"500d\"; outage lengths are drawn between them",
            ),
            ("outage-min = \"-1d\"", "class \"a\": outage-min must be zero or more, not \"-1d\""),
            ("reset-every = \"0s\"", "class \"a\": reset-every must be positive, not \"0s\""),
        ] {
            std::fs::write(
                &p,
                format!("[[class]]\nname = \"a\"\nweight = 1\nprofile = \"bind\"\n{fields}\n"),
            )
            .unwrap();
            let e = load_mix(&p).unwrap_err();
            assert_eq!(e.line, Some(1), "{e}");
            assert_eq!(e.message, want);
        }
    }
}
