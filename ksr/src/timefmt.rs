//! Times and durations as users and files write them.
//!
//! Everything here is UTC: a time with any other offset is refused rather than
//! converted, because a KSR/SKR that names a local time is a sign of a broken tool.

use crate::model::{Seconds, Time};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, PrimitiveDateTime, UtcOffset};

/// `--at` values: RFC 3339 (`2017-03-20T12:00:00Z`) or a bare date (`2017-03-20`, midnight UTC).
pub fn parse_at(s: &str) -> Result<Time, String> {
    let s = s.trim();
    if s.len() == 10 {
        let date = Date::parse(s, format_description!("[year]-[month]-[day]"))
            .map_err(|e| format!("invalid date {s:?} ({e}); use YYYY-MM-DD or RFC 3339 in UTC"))?;
        return Ok(date.midnight().assume_utc());
    }
    let t = Time::parse(s, &Rfc3339).map_err(|e| {
        format!("invalid time {s:?} ({e}); use YYYY-MM-DD or RFC 3339 such as 2017-03-20T12:00:00Z")
    })?;
    if t.offset() != UtcOffset::UTC {
        return Err(format!("time {s:?} is not UTC; write it with Z or +00:00"));
    }
    Ok(t)
}

/// A dateTime as found in KSR/SKR files: `YYYY-MM-DDTHH:MM:SS` with an optional
/// fraction and an optional zone that must be `Z` or `+00:00` (no zone means UTC).
pub fn parse_xml_time(s: &str) -> Result<Time, String> {
    let s = s.trim();
    let (body, zone) = split_zone(s);
    match zone {
        "" | "Z" | "+00:00" => {}
        other => {
            return Err(format!(
                "time {s:?} has zone {other:?}; only UTC (Z or +00:00) is accepted"
            ))
        }
    }
    if body.contains('.') {
        // DNSSEC times (RRSIG fields) are whole seconds; a fraction would be lost.
        return Err(format!(
            "time {s:?} has fractional seconds; DNSSEC times are whole seconds"
        ));
    }
    let fmt = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    PrimitiveDateTime::parse(body, fmt)
        .map(|p| p.assume_utc())
        .map_err(|e| format!("invalid time {s:?} ({e}); expected YYYY-MM-DDTHH:MM:SS+00:00"))
}

/// Splits a trailing zone designator (`Z`, `+hh:mm`, `-hh:mm`) off a dateTime.
fn split_zone(s: &str) -> (&str, &str) {
    if let Some(body) = s.strip_suffix('Z') {
        return (body, "Z");
    }
    // A zone is the last 6 chars "+hh:mm"/"-hh:mm", placed after the time part.
    // Byte arithmetic on user text: only split on a character boundary, or a
    // multi-byte character near the end would panic here.
    if s.len() > 6 && s.is_char_boundary(s.len() - 6) {
        let (body, zone) = s.split_at(s.len() - 6);
        let zb = zone.as_bytes();
        if (zb[0] == b'+' || zb[0] == b'-') && zb[3] == b':' && body.contains('T') {
            return (body, zone);
        }
    }
    (s, "")
}

/// A duration as any tool accepts it: xsd:duration as KSR policy blocks write it
/// (`P21D`, `PT0S`, `P1DT2H`), or the short form (`21d`, `1d12h`, `90m`, `45s`,
/// `2w`, a bare number of seconds). Either may carry a leading `-`. Years and
/// months are refused (their length is not fixed). Printed durations always use
/// xsd:duration ([`format_duration`]).
pub fn parse_duration(s: &str) -> Result<Seconds, String> {
    let body = s.trim();
    let unsigned = body.strip_prefix(['-', '+']).unwrap_or(body);
    if unsigned.starts_with('P') {
        parse_xsd_duration(s)
    } else {
        parse_short_duration(s)
    }
}

/// `30d`, `2d12h`, `90m`, `45s`, `-2h`, `2w`, or a bare number of seconds.
fn parse_short_duration(s: &str) -> Result<Seconds, String> {
    let orig = s;
    let s = s.trim();
    let bad = |why: &str| {
        format!("invalid duration {orig:?}: {why} (write e.g. P21D, PT12H, 30d, 2d12h, 90m)")
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
    for (value, unit) in split_parts(body).map_err(|e| bad(&e))? {
        let mult = match unit {
            'w' => 7 * 86_400,
            'd' => 86_400,
            'h' => 3_600,
            'm' => 60,
            's' => 1,
            'M' | 'Y' | 'y' => {
                return Err(bad(
                    "years and months have no fixed length; write the duration in days",
                ))
            }
            other => return Err(bad(&format!("unknown unit {other:?}"))),
        };
        total = add(total, value, mult).ok_or_else(|| bad("too large"))?;
    }
    Ok(if neg { -total } else { total })
}

/// xsd:duration (`P21D`, `PT0S`, `P1DT2H`).
fn parse_xsd_duration(s: &str) -> Result<Seconds, String> {
    let orig = s;
    let s = s.trim();
    let bad = |why: &str| {
        format!("invalid duration {orig:?}: {why} (expected e.g. P21D, PT12H, P1DT2H30M)")
    };
    let (negative, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let rest = s
        .strip_prefix('P')
        .ok_or_else(|| bad("must start with P"))?;
    if rest.is_empty() {
        return Err(bad("no parts after P"));
    }
    let (date_part, time_part) = match rest.split_once('T') {
        Some((d, t)) => {
            if t.is_empty() {
                return Err(bad("T with no hours, minutes or seconds"));
            }
            (d, Some(t))
        }
        None => (rest, None),
    };
    let mut total: i64 = 0;
    let mut any = false;
    // Date part: only days allowed.
    for (value, unit) in split_parts(date_part).map_err(|e| bad(&e))? {
        match unit {
            'Y' | 'M' => {
                return Err(bad(
                    "years and months have no fixed length; write the duration in days",
                ))
            }
            'D' if !any => {
                total = add(total, value, 86_400).ok_or_else(|| bad("too large"))?;
                any = true;
            }
            _ => return Err(bad(&format!("unexpected {unit:?} before T"))),
        }
    }
    if let Some(t) = time_part {
        let mut last = 0u8;
        for (value, unit) in split_parts(t).map_err(|e| bad(&e))? {
            let (order, mult) = match unit {
                'H' => (1, 3_600),
                'M' => (2, 60),
                'S' => (3, 1),
                _ => return Err(bad(&format!("unexpected {unit:?} after T"))),
            };
            if order <= last {
                return Err(bad("time parts out of order or repeated"));
            }
            last = order;
            total = add(total, value, mult).ok_or_else(|| bad("too large"))?;
            any = true;
        }
    }
    if !any {
        return Err(bad("no parts"));
    }
    Ok(if negative { -total } else { total })
}

fn add(total: i64, value: i64, mult: i64) -> Option<i64> {
    value.checked_mul(mult)?.checked_add(total)
}

/// Splits `21D` / `2H30M` into (number, unit) pairs; whole numbers only.
fn split_parts(s: &str) -> Result<Vec<(i64, char)>, String> {
    let mut out = Vec::new();
    let mut num = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            num.push(c);
        } else if c == '.' || c == ',' {
            return Err("fractions are not supported".into());
        } else {
            if num.is_empty() {
                return Err(format!("{c:?} without a number"));
            }
            let v: i64 = num.parse().map_err(|_| "number too large".to_string())?;
            out.push((v, c));
            num.clear();
        }
    }
    if !num.is_empty() {
        return Err(format!("number {num} without a unit"));
    }
    Ok(out)
}

/// Canonical xsd:duration: `PnD` when whole days, else `PnDTnHnMnS` with zero parts left out; `PT0S` for zero.
pub fn format_duration(seconds: Seconds) -> String {
    if seconds == 0 {
        return "PT0S".into();
    }
    let sign = if seconds < 0 { "-" } else { "" };
    let s = seconds.unsigned_abs();
    let (days, rem) = (s / 86_400, s % 86_400);
    let (h, m, sec) = (rem / 3_600, rem % 3_600 / 60, rem % 60);
    let mut out = format!("{sign}P");
    if days > 0 {
        out.push_str(&format!("{days}D"));
    }
    if rem > 0 {
        out.push('T');
        if h > 0 {
            out.push_str(&format!("{h}H"));
        }
        if m > 0 {
            out.push_str(&format!("{m}M"));
        }
        if sec > 0 {
            out.push_str(&format!("{sec}S"));
        }
    }
    out
}

/// A time as every tool prints it for people (and in JSON): RFC 3339 UTC with
/// `Z`, e.g. `2017-04-01T00:00:00Z`. File formats keep their own form
/// ([`format_time`] for IANA XML).
pub fn format_human(t: Time) -> String {
    format!("{}Z", date_and_time(t))
}

/// `YYYY-MM-DDTHH:MM:SS+00:00`, the SKR style.
pub fn format_time(t: Time) -> String {
    format!("{}+00:00", date_and_time(t))
}

/// `YYYY-MM-DDTHH:MM:SS` in UTC, whole seconds: the part every printed form shares.
fn date_and_time(t: Time) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn at_accepts_utc_and_dates() {
        assert_eq!(
            parse_at("2017-03-20").unwrap(),
            datetime!(2017-03-20 0:00 UTC)
        );
        assert_eq!(
            parse_at("2017-03-20T12:34:56Z").unwrap(),
            datetime!(2017-03-20 12:34:56 UTC)
        );
        assert_eq!(
            parse_at("2017-03-20T12:34:56+00:00").unwrap(),
            datetime!(2017-03-20 12:34:56 UTC)
        );
    }

    #[test]
    fn at_refuses_other_zones_and_garbage() {
        let e = parse_at("2017-03-20T12:00:00+02:00").unwrap_err();
        assert!(e.contains("not UTC"), "{e}");
        assert!(parse_at("2017-13-01").is_err());
        assert!(parse_at("yesterday").is_err());
        assert!(parse_at("2017-03-20T12:00:00").is_err());
    }

    #[test]
    fn xml_times() {
        let t = datetime!(2017-04-01 0:00 UTC);
        assert_eq!(parse_xml_time("2017-04-01T00:00:00").unwrap(), t);
        assert_eq!(parse_xml_time("2017-04-01T00:00:00Z").unwrap(), t);
        assert_eq!(parse_xml_time("2017-04-01T00:00:00+00:00").unwrap(), t);
        assert!(parse_xml_time("2017-04-01T00:00:00.5").is_err());
        let e = parse_xml_time("2017-04-01T00:00:00+01:00").unwrap_err();
        assert!(e.contains("only UTC"), "{e}");
        assert!(parse_xml_time("2017-04-01").is_err());
        assert!(parse_xml_time("2017-04-01T00:00:00-00:00").is_err());
        assert!(parse_xml_time("2017-04-01T00:00:00z").is_err());
        assert!(parse_xml_time("2017-04-01T25:00:00").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("P21D").unwrap(), 21 * 86_400);
        assert_eq!(parse_duration("PT0S").unwrap(), 0);
        assert_eq!(parse_duration("P1DT2H").unwrap(), 86_400 + 7_200);
        assert_eq!(parse_duration("PT1H30M5S").unwrap(), 5_405);
        assert_eq!(parse_duration("-P1D").unwrap(), -86_400);
        assert_eq!(parse_duration("1d").unwrap(), 86_400);
        assert_eq!(parse_duration("2d12h").unwrap(), 2 * 86_400 + 12 * 3_600);
        assert_eq!(parse_duration("90m").unwrap(), 5_400);
        assert_eq!(parse_duration("-2h").unwrap(), -7_200);
        assert_eq!(parse_duration("2w").unwrap(), 14 * 86_400);
        assert_eq!(parse_duration("45").unwrap(), 45);
        for bad in [
            "P1Y", "P1M", "P", "PT", "21D", "P1H", "PT1D", "PT5M1H", "P1.5D", "PD", "P1DT", "",
            "d", "1x", "1.5d", "3M",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad} accepted");
        }
        assert!(parse_duration("P2M").unwrap_err().contains("months"));
    }

    #[test]
    fn duration_round_trip() {
        assert_eq!(format_duration(0), "PT0S");
        assert_eq!(format_duration(21 * 86_400), "P21D");
        assert_eq!(format_duration(86_400 + 7_200), "P1DT2H");
        assert_eq!(format_duration(5_405), "PT1H30M5S");
        assert_eq!(format_duration(-60), "-PT1M");
        for s in [0, 1, 59, 60, 3_600, 86_399, 86_400, 1_000_000, -86_400] {
            assert_eq!(parse_duration(&format_duration(s)).unwrap(), s);
        }
    }

    #[test]
    fn time_format() {
        assert_eq!(
            format_time(datetime!(2017-04-22 0:00 UTC)),
            "2017-04-22T00:00:00+00:00"
        );
        assert_eq!(
            format_time(datetime!(2017-04-22 3:00 +03:00)),
            "2017-04-22T00:00:00+00:00"
        );
    }
}
