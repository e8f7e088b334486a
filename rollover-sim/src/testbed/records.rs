//! Each resolver's own RFC 5011 records, mapped to RFC 5011 states by key tag.

use crate::state::KeyState;
use std::collections::BTreeMap;

/// Unbound's auto-trust-anchor-file: `... ;{id = TAG (ksk), ...} ;;state=N ...`
/// with Unbound's numbering (validator/autotrust.h, `enum autr_state_type`),
/// which `KeyState`'s discriminants follow.
pub fn unbound(text: &str) -> BTreeMap<u16, KeyState> {
    let mut out = BTreeMap::new();
    for line in text.lines().filter(|l| !l.starts_with(';')) {
        let tag = after(line, "id = ").and_then(|s| s.parse::<u16>().ok());
        let state = after(line, ";;state=").and_then(|s| s.parse::<u8>().ok());
        if let (Some(tag), Some(state)) = (tag, state) {
            let s = match state {
                0 => KeyState::Start,
                1 => KeyState::AddPend,
                2 => KeyState::Valid,
                3 => KeyState::Missing,
                4 => KeyState::Revoked,
                _ => KeyState::Removed,
            };
            out.insert(tag, s);
        }
    }
    out
}

/// Knot Resolver's managed anchor file: each DNSKEY followed by a comment
/// `STATE:TIMER ; KeyTag:TAG` (trust_anchors.lua, `ta_rr_str()`); keys not
/// trusted are commented out as a whole.
pub fn knot_resolver(text: &str) -> BTreeMap<u16, KeyState> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let Some(tag) = after(line, "KeyTag:").and_then(|s| s.parse::<u16>().ok()) else {
            continue;
        };
        let state = [
            ("AddPend:", KeyState::AddPend),
            ("Valid:", KeyState::Valid),
            ("Missing:", KeyState::Missing),
            ("Revoked:", KeyState::Revoked),
            ("Removed:", KeyState::Removed),
            ("Start:", KeyState::Start),
        ]
        .into_iter()
        .find(|(w, _)| line.contains(w))
        .map(|(_, s)| s);
        if let Some(s) = state {
            out.insert(tag, s);
        }
    }
    out
}

/// `rndc managed-keys status`: per key a `keyid: TAG` line followed by lines
/// that say how named holds it (bin/named/server.c, `mkey_status()`):
/// "trusted since", "trust pending", "key is now revoked"/"remove at",
/// "key has been removed"/"trust revoked".
pub fn bind(text: &str) -> BTreeMap<u16, KeyState> {
    let mut out = BTreeMap::new();
    let mut cur: Option<u16> = None;
    for line in text.lines() {
        let l = line.trim();
        if let Some(t) = after(l, "keyid: ").and_then(|s| s.parse::<u16>().ok()) {
            cur = Some(t);
            out.insert(t, KeyState::Start);
            continue;
        }
        let Some(t) = cur else { continue };
        let s = if l.starts_with("trusted since") {
            Some(KeyState::Valid)
        } else if l.starts_with("trust pending") {
            Some(KeyState::AddPend)
        } else if l.contains("revoked") || l.starts_with("remove at") {
            Some(KeyState::Revoked)
        } else if l.starts_with("removed") || l.contains("has been removed") {
            Some(KeyState::Removed)
        } else {
            None
        };
        if let Some(s) = s {
            out.insert(t, s);
        }
    }
    out
}

/// The digits right after `marker`.
fn after<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    let rest = &line[line.find(marker)? + marker.len()..];
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    Some(&rest[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unbound_lines() {
        let t = ";;id: . 1\n. 3 IN DNSKEY 257 3 8 AwEAAb== ;{id = 20326 (ksk), size = 2048b} ;;state=1 [ ADDPEND ] ;;count=1 ;;lastchange=1\n\
                 . 3 IN DNSKEY 385 3 8 AwEAAc== ;{id = 19164 (ksk), size = 2048b} ;;state=4 [ REVOKED ] ;;count=0 ;;lastchange=1\n";
        let m = unbound(t);
        assert_eq!(m[&20326], KeyState::AddPend);
        assert_eq!(m[&19164], KeyState::Revoked);
        assert_eq!(m.len(), 2);
    }

    #[test]
    fn rndc_status() {
        // As `rndc managed-keys status` printed it in a test-bed run.
        let t = "view: _default\nnext scheduled event: Mon, 30 Nov 2026 19:25:43 GMT\n\n    name: .\n\
                     keyid: 26182\n\talgorithm: RSASHA256\n\tflags: SEP\n\tnext refresh: Mon, 30 Nov 2026 19:25:43 GMT\n\
                 \ttrusted since: Mon, 30 Nov 2026 19:25:32 GMT\n    keyid: 8035\n\talgorithm: RSASHA256\n\tflags: SEP\n\
                 \ttrust pending: Mon, 30 Nov 2026 19:26:02 GMT\n";
        let m = bind(t);
        assert_eq!((m[&26182], m[&8035]), (KeyState::Valid, KeyState::AddPend));
        assert!(bind("no views with managed keys\n").is_empty());
    }

    #[test]
    fn knot_lines() {
        let t = ". 3 DNSKEY 257 3 8 AwEAAb== ; Valid: ; KeyTag:20326\n; . 3 DNSKEY 257 3 8 AwEAAc== ; AddPend:1700000000 ; KeyTag:1234\n";
        let m = knot_resolver(t);
        assert_eq!((m[&20326], m[&1234]), (KeyState::Valid, KeyState::AddPend));
    }
}
