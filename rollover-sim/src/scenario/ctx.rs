//! The checking context: file name and source for error lines, and the
//! time, duration and key lookups every table uses; the `[[key]]` tables.

use super::raw::{RawKey, StrOrInt};
use crate::clock::{parse_duration, parse_instant, Duration, Instant};
use crate::error::InputError;
use crate::key::{parse_algorithm, KeyMask, KeySet, SimKey, MAX_KEYS};
use base64::Engine;
use toml::Spanned;

/// The longest duration a scenario may give: 2^31 - 1 seconds (about 68
/// years), the largest TTL (RFC 2181 section 8) and the farthest an RRSIG time
/// can reach in serial arithmetic (RFC 4034 section 3.1.5). Anything longer is
/// a typo, and would overflow the plan's sums.
pub(super) const MAX_DURATION: Duration = (1 << 31) - 1;

pub(super) struct Ctx<'a> {
    pub(super) file: String,
    pub(super) src: &'a str,
    /// Byte offsets of every newline in `src`, so a line number is a binary
    /// search rather than a scan from the start (200,000 resolvers would make
    /// that quadratic).
    newlines: Vec<usize>,
}

impl<'a> Ctx<'a> {
    pub(super) fn new(file: String, src: &'a str) -> Ctx<'a> {
        let newlines = src
            .bytes()
            .enumerate()
            .filter(|(_, b)| *b == b'\n')
            .map(|(i, _)| i)
            .collect();
        Ctx {
            file,
            src,
            newlines,
        }
    }
}

impl Ctx<'_> {
    /// 1-based line of a byte offset (as `error::line_of`, in O(log n)).
    pub(super) fn line(&self, offset: usize) -> usize {
        self.newlines
            .partition_point(|&n| n < offset.min(self.src.len()))
            + 1
    }
    pub(super) fn err(&self, span: std::ops::Range<usize>, msg: impl Into<String>) -> InputError {
        InputError::new(&self.file, Some(self.line(span.start)), msg)
    }
    /// `[trust-point] zone`: a DNS name in presentation form, as hickory-proto
    /// parses it (RFC 1035 section 2.3.1: letters, digits and hyphens, also
    /// underscores; labels of 1 to 63 octets, the name at most 255 octets,
    /// RFC 1035 section 2.3.4). Anything else is refused at once: the name is
    /// printed in every report.
    pub(super) fn zone(&self, s: &Spanned<String>) -> Result<String, InputError> {
        let z = s.get_ref();
        let parsed = if z.is_empty() {
            Err("it is empty".to_string())
        } else {
            hickory_proto::rr::Name::from_ascii(z).map_err(|e| e.to_string())
        };
        match parsed {
            Ok(_) => Ok(z.clone()),
            Err(why) => Err(self.err(
                s.span(),
                format!(
                    "[trust-point] zone {z:?} is not a DNS name ({}); give a name like \"example.\" \
                     or \".\" (the root): labels of letters, digits, hyphens and underscores, \
                     each 1 to 63 octets, the whole name at most 255 octets",
                    ksr::escape::terminal(&why)
                ),
            )),
        }
    }
    /// A duration that must be positive and at most [`MAX_DURATION`]; the
    /// error names the file, the line and the key (`what`).
    pub(super) fn positive_dur(
        &self,
        s: &Spanned<String>,
        what: &str,
    ) -> Result<Duration, InputError> {
        let d = self.dur(s, what)?;
        self.check_dur(d, s, what, 1)
    }
    /// `d` (read from `s`) is within `min..=MAX_DURATION`.
    pub(super) fn check_dur(
        &self,
        d: Duration,
        s: &Spanned<String>,
        what: &str,
        min: Duration,
    ) -> Result<Duration, InputError> {
        if d < min {
            let need = if min > 0 { "positive" } else { "zero or more" };
            return Err(self.err(
                s.span(),
                format!("{what} must be {need}, not {:?}", s.get_ref()),
            ));
        }
        if d > MAX_DURATION {
            return Err(self.err(
                s.span(),
                format!(
                    "{what} {:?} is longer than {} (2^31 - 1 seconds, about 68 years), the most a DNS TTL or RRSIG time can express",
                    s.get_ref(),
                    crate::clock::format_duration(MAX_DURATION)
                ),
            ));
        }
        Ok(d)
    }
    pub(super) fn time(&self, s: &Spanned<String>, what: &str) -> Result<Instant, InputError> {
        parse_instant(s.get_ref()).map_err(|e| self.err(s.span(), format!("{what}: {e}")))
    }
    pub(super) fn dur(&self, s: &Spanned<String>, what: &str) -> Result<Duration, InputError> {
        parse_duration(s.get_ref()).map_err(|e| self.err(s.span(), format!("{what}: {e}")))
    }
    /// A key by name, or by key tag when no key has that name (handy for SKR replays).
    pub(super) fn key(&self, keys: &KeySet, s: &Spanned<String>) -> Result<usize, InputError> {
        let by_tag = || {
            let tag: u16 = s.get_ref().parse().ok()?;
            let hits: Vec<usize> = (0..keys.keys.len())
                .filter(|i| keys.keys[*i].tag.0 == tag)
                .collect();
            (hits.len() == 1).then(|| hits[0])
        };
        keys.index(s.get_ref()).or_else(by_tag).ok_or_else(|| {
            let known: Vec<_> = keys.keys.iter().map(|k| k.name.as_str()).collect();
            self.err(
                s.span(),
                format!(
                    "unknown key {:?}; keys are: {}",
                    s.get_ref(),
                    known.join(", ")
                ),
            )
        })
    }
    pub(super) fn keys_mask(
        &self,
        keys: &KeySet,
        list: &[Spanned<String>],
    ) -> Result<KeyMask, InputError> {
        let mut m = 0;
        for k in list {
            m |= 1 << self.key(keys, k)?;
        }
        Ok(m)
    }

    /// The `[[key]]` tables: names, algorithms, given or generated public keys.
    pub(super) fn keys(&self, raw: &[Spanned<RawKey>], seed: u64) -> Result<KeySet, InputError> {
        let mut keys = KeySet::default();
        for k in raw {
            let kr = k.get_ref();
            if keys.index(&kr.name).is_some() {
                return Err(self.err(k.span(), format!("key {:?} is defined twice", kr.name)));
            }
            if keys.keys.len() == MAX_KEYS {
                return Err(self.err(k.span(), format!("at most {MAX_KEYS} keys per trust point")));
            }
            let alg = match kr.algorithm.get_ref() {
                StrOrInt::Str(s) => parse_algorithm(s),
                StrOrInt::Int(n) => {
                    u8::try_from(*n).map_err(|_| format!("algorithm {n} is not 0..255"))
                }
            }
            .map_err(|e| self.err(kr.algorithm.span(), e))?;
            let key = match &kr.public_key {
                Some(pk) => {
                    let bytes = base64::engine::general_purpose::STANDARD
                        .decode(pk.get_ref().split_whitespace().collect::<String>())
                        .map_err(|e| {
                            self.err(pk.span(), format!("public-key is not base64: {e}"))
                        })?;
                    SimKey::new(&kr.name, alg, bytes)
                }
                None => SimKey::generated(&kr.name, alg, seed),
            };
            keys.keys.push(key);
        }
        Ok(keys)
    }
}
