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
        Ok(d) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            d.year(),
            u8::from(d.month()),
            d.day(),
            d.hour(),
            d.minute(),
            d.second()
        ),
        Err(_) => format!("@{t}"),
    }
}

/// `2017-07-11` (date only, for charts and tables).
pub fn format_date(t: Instant) -> String {
    format_instant(t)[..10].to_string()
}

/// Durations as scenario files write them: `30d`, `2d12h`, `90m`, `45s`, `-2h`,
/// or a bare number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let orig = s;
    let s = s.trim();
    let bad = |why: &str| {
        format!("invalid duration {orig:?}: {why} (write e.g. 30d, 2d12h, 90m, 45s, -2h)")
    };
    let (neg, body) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if body.is_empty() {
        return Err(bad("empty"));
    }
    if let Ok(n) = body.parse::<i64>() {
        return Ok(if neg { -n } else { n });
    }
    let mut total: i64 = 0;
    let mut num = String::new();
    for c in body.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let unit = match c {
            'w' => 7 * DAY,
            'd' => DAY,
            'h' => HOUR,
            'm' => 60,
            's' => 1,
            _ => return Err(bad(&format!("unknown unit {c:?}"))),
        };
        if num.is_empty() {
            return Err(bad(&format!("unit {c:?} without a number")));
        }
        let n: i64 = num.parse().map_err(|_| bad("number too large"))?;
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| bad("too large"))?;
        num.clear();
    }
    if !num.is_empty() {
        return Err(bad("number without a unit at the end"));
    }
    Ok(if neg { -total } else { total })
}

/// `30d`, `1d12h`, `4h48m`, `0s`: the inverse of [`parse_duration`] for reports.
pub fn format_duration(d: Duration) -> String {
    if d == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    if d < 0 {
        out.push('-');
    }
    let mut s = d.unsigned_abs();
    for (unit, name) in [(86_400u64, 'd'), (3_600, 'h'), (60, 'm'), (1, 's')] {
        if s >= unit {
            out.push_str(&format!("{}{}", s / unit, name));
            s %= unit;
        }
    }
    out
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
        assert_eq!(format_duration(4 * HOUR + 48 * 60), "4h48m");
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
