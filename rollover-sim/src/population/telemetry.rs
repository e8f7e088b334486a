//! Measured RFC 8145 trust-anchor telemetry a forecast is held against.

use crate::clock::{Instant, DAY};

/// One measurement: the share of reporting resolvers that sent `label`.
pub struct Measured {
    pub at: Instant,
    pub label: &'static str,
    pub low: f64,
    pub high: f64,
    pub source: &'static str,
}

/// 2017-09-15 (the middle of the month measured), in days since 1970-01-01.
const SEP_15_2017: Instant = 17_424 * DAY;

/// September 2017, root zone: resolvers signalling KSK-2010 (tag 19036 =
/// 0x4a5c) only. About 12,000 addresses reported through six root server
/// addresses; about 5 % of them overall and 6-8 % on any given day signalled
/// KSK-2010 only (M. Larson, ICANN, "Root KSK roll delayed", dns-operations,
/// 2017-09-28, https://lists.dns-oarc.net/pipermail/dns-operations/2017-September/016767.html);
/// ICANN's later analysis put it at about 4 % of the ~12,000 (ICANN blog,
/// "Update on the Root KSK Rollover Project", 2017-12-18,
/// https://www.icann.org/news/blog/update-on-the-root-ksk-rollover-project).
pub const MEASURED: &[Measured] = &[Measured {
    at: SEP_15_2017,
    label: "_ta-4a5c",
    low: 0.04,
    high: 0.08,
    source: "ICANN, September 2017 (M. Larson, dns-operations 2017-09-28; ICANN blog 2017-12-18): \
             4-8 % of ~12,000 reporting resolvers signalled KSK-2010 only",
}];

#[cfg(test)]
mod tests {
    #[test]
    fn measured_day_is_2017_09_15() {
        assert_eq!(crate::clock::format_date(super::SEP_15_2017), "2017-09-15");
    }
}
