//! Reader for the Knot/BIND text dialect: headers, zone-file records (with
//! parentheses spanning lines and `;` comments), and the end marker.

use super::{Format, RecordData, Snapshot, TextDocument, TextRecord};
use crate::dnssec;
use crate::model::{Key, Kind, Signature, Time};
use crate::xml::{ParseError, ParseOptions};
use base64::Engine;
use time::macros::format_description;
use time::PrimitiveDateTime;

struct Ctx<'a> {
    file: &'a str,
}

impl Ctx<'_> {
    fn err<T>(
        &self,
        line: usize,
        element: impl Into<String>,
        message: impl Into<String>,
    ) -> Result<T, ParseError> {
        Err(ParseError {
            file: self.file.to_string(),
            line,
            element: element.into(),
            message: message.into(),
        })
    }
}

/// A record as tokens, with the line it starts on.
struct Logical {
    line: usize,
    tokens: Vec<String>,
}

/// One line's meaning once parentheses are resolved.
enum Item {
    Header { line: usize, text: String },
    Record(Logical),
}

/// Splits the text into headers and records. `;;` lines outside parentheses are
/// headers (or other comments); `;` starts a comment anywhere else.
fn items(text: &str, cx: &Ctx) -> Result<Vec<Item>, ParseError> {
    let mut out = Vec::new();
    let mut open: Option<Logical> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if open.is_none() && raw.trim_start().starts_with(";;") {
            out.push(Item::Header {
                line,
                text: raw.trim_start()[2..].trim().to_string(),
            });
            continue;
        }
        let content = raw.split(';').next().unwrap_or("");
        // Inside parentheses when the previous line left them open.
        let mut inside = open.is_some();
        let mut rec = open.take().unwrap_or(Logical {
            line,
            tokens: Vec::new(),
        });
        // Tokens may touch parentheses, e.g. `13 (` or `...==)`.
        let spaced = content.replace('(', " ( ").replace(')', " ) ");
        for tok in spaced.split_whitespace() {
            match tok {
                "(" if inside => return cx.err(line, "record", "nested parentheses"),
                "(" => inside = true,
                ")" if !inside => return cx.err(line, "record", "')' without '('"),
                ")" => inside = false,
                t => rec.tokens.push(t.to_string()),
            }
        }
        if inside {
            open = Some(rec);
        } else if !rec.tokens.is_empty() {
            out.push(Item::Record(rec));
        }
    }
    if let Some(rec) = open {
        return cx.err(rec.line, "record", "'(' is never closed (file truncated?)");
    }
    Ok(out)
}

/// The first control character (C0, DEL, C1) other than tab, LF and the CR of
/// a CRLF line end, with its line: as the XML reader refuses them (SECURITY.md,
/// "Well-formed XML 1.0 only"), so an id or owner name cannot carry a terminal
/// escape sequence.
fn first_control(text: &str) -> Option<(usize, char)> {
    let mut line = 1;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => line += 1,
            '\t' => {}
            '\r' if chars.peek() == Some(&'\n') => {}
            c if c.is_control() => return Some((line, c)),
            _ => {}
        }
    }
    None
}

pub(super) fn parse(
    bytes: &[u8],
    file: &str,
    options: &ParseOptions,
) -> Result<TextDocument, ParseError> {
    let cx = Ctx { file };
    if bytes.len() > options.max_size {
        return Err(crate::xml::too_large(
            file,
            Some(bytes.len() as u64),
            options.max_size,
        ));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let line = 1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            return cx.err(line, "(file)", "not UTF-8 text");
        }
    };
    if let Some((line, c)) = first_control(text) {
        return cx.err(
            line,
            "(file)",
            format!(
                "control character U+{:04X}: Knot and BIND write printable text only (tab, line ends); the file was altered or is not theirs",
                c as u32
            ),
        );
    }
    let mut kind: Option<(Kind, &'static str)> = None;
    let mut flavor: Option<Format> = None;
    let mut snapshots: Vec<Snapshot> = Vec::new();
    let mut trailer: Option<String> = None;
    let mut owner: Option<String> = None;
    for item in items(text, &cx)? {
        match item {
            Item::Header { line, text } => {
                let mut words = text.split_whitespace();
                let word = words.next().unwrap_or("");
                let this = match word {
                    "KeySigningRequest" => (Kind::Request, "KeySigningRequest"),
                    "SignedKeyResponse" => (Kind::Response, "SignedKeyResponse"),
                    _ => continue, // an ordinary comment
                };
                match kind {
                    None => kind = Some(this),
                    Some(k) if k.0 != this.0 => {
                        return cx.err(
                            line,
                            "header",
                            format!("{} header in a file of {} headers", this.1, k.1),
                        );
                    }
                    _ => {}
                }
                if trailer.is_some() {
                    return cx.err(line, "header", "header after the end marker");
                }
                match words.next() {
                    Some("1.0") => {}
                    other => {
                        return cx.err(
                            line,
                            "header",
                            format!(
                                "unsupported version {:?}; only 1.0 is known",
                                other.unwrap_or("")
                            ),
                        )
                    }
                }
                let when = words.next().unwrap_or("");
                if when == "generated" {
                    // `;; KeySigningRequest 1.0 generated at ... by ...`
                    let rest = text
                        .split_whitespace()
                        .skip(2)
                        .collect::<Vec<_>>()
                        .join(" ");
                    trailer = Some(rest);
                    continue;
                }
                let (t, fl) = header_time(when).or_else(|m| cx.err(line, "header", m))?;
                match flavor {
                    None => flavor = Some(fl),
                    Some(f) if f != fl => {
                        return cx.err(
                            line,
                            "header",
                            "header times mix BIND (YYYYMMDDhhmmss) and Knot (Unix seconds) styles",
                        )
                    }
                    _ => {}
                }
                if let Some(prev) = snapshots.last() {
                    if t <= prev.time {
                        return cx.err(line, "header", "snapshot times must increase");
                    }
                }
                snapshots.push(Snapshot {
                    time: t,
                    records: Vec::new(),
                });
            }
            Item::Record(rec) => {
                if trailer.is_some() {
                    return cx.err(rec.line, "record", "record after the end marker");
                }
                let Some(snap) = snapshots.last_mut() else {
                    return cx.err(
                        rec.line,
                        "record",
                        "record before the first ';; KeySigningRequest' / ';; SignedKeyResponse' header",
                    );
                };
                let r = record(&rec, &cx)?;
                // Compared by wire form: `\101xample.test.` is `example.test.`.
                let this = crate::policy::normalize_domain(&r.owner);
                match &owner {
                    None => owner = Some(this),
                    Some(o) if *o != this => {
                        return cx.err(
                            rec.line,
                            "record",
                            format!(
                                "owner {} differs from the zone apex {o} of earlier records",
                                r.owner
                            ),
                        )
                    }
                    _ => {}
                }
                if kind.map(|k| k.0) == Some(Kind::Request)
                    && !matches!(r.data, RecordData::Dnskey(_))
                {
                    return cx.err(
                        rec.line,
                        "record",
                        "a KeySigningRequest holds DNSKEY records only",
                    );
                }
                snap.records.push(r);
            }
        }
    }
    let Some((kind, word)) = kind else {
        return cx.err(1, "(file)", "no ';; KeySigningRequest' or ';; SignedKeyResponse' header: not a Knot/BIND KSR or SKR");
    };
    let Some(trailer) = trailer else {
        let last = text.lines().count().max(1);
        return cx.err(
            last,
            "(end)",
            format!("no end marker ';; {word} 1.0 generated ...': the file is truncated"),
        );
    };
    if snapshots.is_empty() {
        return cx.err(1, "(file)", "no snapshots");
    }
    Ok(TextDocument {
        kind,
        flavor: flavor.unwrap_or(Format::Knot),
        snapshots,
        trailer,
    })
}

/// Header time: 14 digits are BIND's `YYYYMMDDhhmmss`, other digit strings Knot's Unix seconds.
fn header_time(s: &str) -> Result<(Time, Format), String> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "time {s:?} is neither Unix seconds nor YYYYMMDDhhmmss"
        ));
    }
    if s.len() == 14 {
        return compact_time(s).map(|t| (t, Format::Bind));
    }
    let secs: i64 = s.parse().map_err(|_| format!("time {s} out of range"))?;
    Time::from_unix_timestamp(secs)
        .map(|t| (t, Format::Knot))
        .map_err(|_| format!("time {s} out of range"))
}

/// `YYYYMMDDhhmmss` in UTC.
fn compact_time(s: &str) -> Result<Time, String> {
    let fmt = format_description!("[year][month][day][hour][minute][second]");
    PrimitiveDateTime::parse(s, fmt)
        .map(|p| p.assume_utc())
        .map_err(|e| format!("time {s:?} is not a valid YYYYMMDDhhmmss ({e})"))
}

/// RRSIG times: `YYYYMMDDhhmmss` or decimal Unix seconds (RFC 4034 section 3.2).
fn rrsig_time(s: &str) -> Result<Time, String> {
    if s.len() == 14 && s.bytes().all(|b| b.is_ascii_digit()) {
        return compact_time(s);
    }
    let secs: u32 = s
        .parse()
        .map_err(|_| format!("signature time {s:?} is neither YYYYMMDDhhmmss nor Unix seconds"))?;
    Time::from_unix_timestamp(secs.into()).map_err(|e| e.to_string())
}

fn record(rec: &Logical, cx: &Ctx) -> Result<TextRecord, ParseError> {
    let line = rec.line;
    let t = &rec.tokens;
    let owner = t[0].clone();
    if !owner.ends_with('.') {
        return cx.err(
            line,
            "record",
            format!("owner {owner:?} is not absolute (it must end with '.')"),
        );
    }
    if let Err(e) = dnssec::parse_name(&owner) {
        return cx.err(line, "record", format!("owner {owner:?}: {e}"));
    }
    let mut ttl: Option<u32> = None;
    let mut i = 1;
    while i < t.len() {
        let tok = &t[i];
        if tok.bytes().all(|b| b.is_ascii_digit()) && ttl.is_none() {
            ttl = Some(
                tok.parse()
                    .or_else(|_| cx.err(line, "record", format!("TTL {tok} out of range")))?,
            );
        } else if tok.eq_ignore_ascii_case("IN") {
        } else if ["CH", "HS", "CS"]
            .iter()
            .any(|c| tok.eq_ignore_ascii_case(c))
        {
            return cx.err(line, "record", format!("class {tok}: only IN is allowed"));
        } else {
            break;
        }
        i += 1;
    }
    let Some(ttl) = ttl else {
        return cx.err(line, "record", "record without a TTL");
    };
    let Some(rtype) = t.get(i) else {
        return cx.err(line, "record", "record without a type");
    };
    let rtype = rtype.to_ascii_uppercase();
    let rdata = &t[i + 1..];
    let el = rtype.clone();
    let need = |n: usize| -> Result<(), ParseError> {
        if rdata.len() < n {
            cx.err(
                line,
                el.clone(),
                format!("{el} needs at least {n} fields, found {}", rdata.len()),
            )
        } else {
            Ok(())
        }
    };
    let num = |s: &str, what: &str| -> Result<u64, ParseError> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return cx.err(
                line,
                el.clone(),
                format!("{what} {s:?} is not a non-negative integer"),
            );
        }
        s.parse()
            .or_else(|_| cx.err(line, el.clone(), format!("{what} {s} out of range")))
    };
    let fits = |v: u64, max: u64, what: &str| -> Result<u64, ParseError> {
        if v > max {
            cx.err(
                line,
                el.clone(),
                format!("{what} {v} out of range (at most {max})"),
            )
        } else {
            Ok(v)
        }
    };
    let alg = |s: &str| -> Result<u8, ParseError> {
        let n = fits(num(s, "algorithm")?, 255, "algorithm")? as u8;
        if dnssec::algorithm_name(n) == "UNKNOWN" {
            return cx.err(line, el.clone(), format!("unknown DNSSEC algorithm {n}"));
        }
        Ok(n)
    };
    let b64 = |parts: &[String]| -> Result<Vec<u8>, ParseError> {
        let joined: String = parts.concat();
        if joined.is_empty() {
            return cx.err(line, el.clone(), "missing base64 data");
        }
        base64::engine::general_purpose::STANDARD
            .decode(joined.as_bytes())
            .or_else(|e| cx.err(line, el.clone(), format!("malformed base64: {e}")))
    };
    let data = match rtype.as_str() {
        "DNSKEY" | "CDNSKEY" => {
            need(4)?;
            let mut key = Key {
                key_identifier: String::new(),
                key_tag: 0,
                ttl,
                flags: fits(num(&rdata[0], "flags")?, 0xffff, "flags")? as u16,
                protocol: fits(num(&rdata[1], "protocol")?, 255, "protocol")? as u8,
                algorithm: alg(&rdata[2])?,
                public_key: b64(&rdata[3..])?,
            };
            dnssec::check_public_key_len(&key.public_key)
                .or_else(|m| cx.err(line, el.clone(), m))?;
            key.key_tag = dnssec::key_tag(&key);
            key.key_identifier = super::key_identifier(key.key_tag);
            if rtype == "DNSKEY" {
                RecordData::Dnskey(key)
            } else {
                RecordData::Cdnskey(key)
            }
        }
        "CDS" => {
            need(4)?;
            let hex: String = rdata[3..].concat();
            RecordData::Cds {
                key_tag: fits(num(&rdata[0], "key tag")?, 0xffff, "key tag")? as u16,
                algorithm: alg(&rdata[1])?,
                digest_type: fits(num(&rdata[2], "digest type")?, 255, "digest type")? as u8,
                digest: hex::decode(&hex)
                    .or_else(|e| cx.err(line, el.clone(), format!("malformed hex digest: {e}")))?,
            }
        }
        "RRSIG" => {
            need(9)?;
            let time = |s: &str| rrsig_time(s).or_else(|m| cx.err(line, el.clone(), m));
            let key_tag = fits(num(&rdata[6], "key tag")?, 0xffff, "key tag")? as u16;
            let signer = rdata[7].clone();
            if let Err(e) = dnssec::parse_name(&signer) {
                return cx.err(line, el.clone(), format!("signer {signer:?}: {e}"));
            }
            RecordData::Rrsig(Signature {
                key_identifier: super::key_identifier(key_tag),
                ttl,
                type_covered: rdata[0].to_ascii_uppercase(),
                algorithm: alg(&rdata[1])?,
                labels: fits(num(&rdata[2], "labels")?, 255, "labels")? as u8,
                original_ttl: fits(
                    num(&rdata[3], "original TTL")?,
                    u32::MAX.into(),
                    "original TTL",
                )? as u32,
                expiration: time(&rdata[4])?,
                inception: time(&rdata[5])?,
                key_tag,
                signers_name: signer,
                signature_data: b64(&rdata[8..])?,
            })
        }
        other => {
            return cx.err(
                line,
                other.to_string(),
                format!(
                "unexpected record type {other}; a KSR/SKR holds DNSKEY, CDNSKEY, CDS and RRSIG"
            ),
            )
        }
    };
    Ok(TextRecord { owner, ttl, data })
}
