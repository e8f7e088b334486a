//! The time audit records carry. Injected, so tests run the production code path
//! with a fixed clock and get byte-identical logs.

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// Where "now" comes from: the command's env (`ksr::env::Env::now`) in the
/// tool, a fixed instant in tests.
pub trait Clock {
    fn now(&self) -> OffsetDateTime;
}

/// Always the same instant (tests, reproducible examples).
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub OffsetDateTime);

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        self.0
    }
}

/// RFC 3339 in UTC to the second (`2026-11-25T19:48:52Z`): sub-second digits
/// would only make lines harder to compare by eye.
pub fn format(t: OffsetDateTime) -> String {
    let t = t
        .to_offset(UtcOffset::UTC)
        .replace_nanosecond(0)
        .expect("0 is a valid nanosecond");
    t.format(&Rfc3339)
        .expect("a UTC time in range formats as RFC 3339")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn formats_utc_to_the_second() {
        let c = FixedClock(datetime!(2017-03-20 12:34:56.789 +02:00));
        assert_eq!(format(c.now()), "2017-03-20T10:34:56Z");
    }
}

impl Clock for Box<dyn Clock + Send> {
    fn now(&self) -> OffsetDateTime {
        (**self).now()
    }
}

/// The env's time at start, moved on by the monotonic clock: the engine owns
/// its clock for the whole ceremony while the env is only borrowed.
#[derive(Debug, Clone, Copy)]
pub struct AnchoredClock {
    pub at: OffsetDateTime,
    pub since: std::time::Instant,
}

impl AnchoredClock {
    pub fn new(at: OffsetDateTime) -> AnchoredClock {
        AnchoredClock {
            at,
            since: std::time::Instant::now(),
        }
    }
}

impl Clock for AnchoredClock {
    fn now(&self) -> OffsetDateTime {
        self.at + self.since.elapsed()
    }
}
