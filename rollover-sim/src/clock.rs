//! Simulated time. The simulator never reads the wall clock: every instant is an
//! input (scenario times) or derived from one, so runs are reproducible.
//!
//! Instants are whole seconds since the Unix epoch (UTC); durations are seconds.

/// A point in simulated time: seconds since 1970-01-01T00:00:00Z.
pub type Instant = i64;
/// A span of simulated time in seconds (may be negative for clock skew).
pub type Duration = i64;

pub const HOUR: Duration = 3_600;
pub const DAY: Duration = 86_400;

/// Parses `2017-07-11` (midnight UTC) or RFC 3339 UTC (`2017-07-11T12:00:00Z`).
pub fn parse_instant(s: &str) -> Result<Instant, String> {
    ksr::timefmt::parse_at(s).map(|t| t.unix_timestamp())
}

/// `2017-07-11T00:00:00Z`.
pub fn format_instant(t: Instant) -> String {
    match time::OffsetDateTime::from_unix_timestamp(t) {
        Ok(d) => ksr::timefmt::format_human(d),
        Err(_) => format!("@{t}"),
    }
}

/// `2017-07-11` (date only, for charts and tables).
pub fn format_date(t: Instant) -> String {
    format_instant(t)[..10].to_string()
}

/// Durations as every tool accepts them (`ksr::timefmt::parse_duration`):
/// xsd (`P30D`, `PT2H`, `-PT2H`) or short (`30d`, `2d12h`, `90m`, `-2h`), or a
/// bare number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    ksr::timefmt::parse_duration(s)
}

/// `P30D`, `P1DT12H`, `PT4H48M`, `PT0S`: the one printed form of every tool.
pub fn format_duration(d: Duration) -> String {
    ksr::timefmt::format_duration(d)
}

/// The agenda of one simulated resolver: the earliest of several independent
/// sources of events. Sources are tried in a fixed priority order at equal
/// times so the outcome never depends on iteration order.
#[derive(Debug, Clone, Copy, Default)]
pub struct Agenda {
    slots: [Option<Instant>; 8],
}

impl Agenda {
    pub fn set(&mut self, source: usize, at: Option<Instant>) {
        self.slots[source] = at;
    }
    pub fn get(&self, source: usize) -> Option<Instant> {
        self.slots[source]
    }
    /// The next (time, source): earliest time, lowest source number on ties.
    pub fn next(&self) -> Option<(Instant, usize)> {
        let mut best: Option<(Instant, usize)> = None;
        for (i, s) in self.slots.iter().enumerate() {
            if let Some(t) = *s {
                if best.map_or(true, |(bt, _)| t < bt) {
                    best = Some((t, i));
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_round_trip() {
        assert_eq!(parse_duration("30d").unwrap(), 30 * DAY);
        assert_eq!(parse_duration("2d12h").unwrap(), 2 * DAY + 12 * HOUR);
        assert_eq!(parse_duration("-2h").unwrap(), -2 * HOUR);
        assert_eq!(parse_duration("3600").unwrap(), 3600);
        assert_eq!(format_duration(4 * HOUR + 48 * 60), "PT4H48M");
        assert_eq!(format_duration(30 * DAY), "P30D");
        assert_eq!(parse_duration("P1D").unwrap(), DAY);
        assert_eq!(parse_duration("-PT2H").unwrap(), -2 * HOUR);
        for d in [0, 45, 90 * 60, 2 * DAY + 12 * HOUR, -7200] {
            assert_eq!(parse_duration(&format_duration(d)).unwrap(), d);
        }
        assert!(parse_duration("3x").is_err());
        assert!(parse_duration("d").is_err());
        assert!(parse_duration("12").is_ok());
        assert!(parse_duration("1d2").is_err());
    }

    #[test]
    fn instants() {
        let t = parse_instant("2017-07-11").unwrap();
        assert_eq!(format_instant(t), "2017-07-11T00:00:00Z");
        assert!(parse_instant("2017-13-11").is_err());
    }

    #[test]
    fn agenda_orders_by_time_then_source() {
        let mut a = Agenda::default();
        a.set(3, Some(10));
        a.set(1, Some(10));
        a.set(2, Some(11));
        assert_eq!(a.next(), Some((10, 1)));
        a.set(1, None);
        assert_eq!(a.next(), Some((10, 3)));
    }
}

/// serde helpers: instants as RFC 3339 text in JSON.
pub mod ser {
    use super::{format_instant, Instant};
    use serde::Serializer;

    pub fn instant<S: Serializer>(t: &Instant, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_instant(*t))
    }
    pub fn opt_instant<S: Serializer>(t: &Option<Instant>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&format_instant(*t)),
            None => s.serialize_none(),
        }
    }
    pub fn instant_pairs<S: Serializer, T: serde::Serialize>(
        v: &[(Instant, T)],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(Some(v.len()))?;
        for (t, x) in v {
            seq.serialize_element(&(format_instant(*t), x))?;
        }
        seq.end()
    }
}
