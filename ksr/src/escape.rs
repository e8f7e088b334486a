//! Text from an input file on its way to a terminal.
//!
//! A KSR comes from outside the ceremony room; a bundle id or a domain holding
//! cursor controls could erase a FAIL line. Every string from an input that is
//! printed goes through [`terminal`].

use std::borrow::Cow;

/// `s` with every control character (C0, DEL, C1) and the Unicode
/// bidirectional overrides written as `\u{..}`; other text unchanged.
pub fn terminal(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_escape(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::terminal;

    #[test]
    fn controls_are_escaped() {
        assert_eq!(terminal("slot-1"), "slot-1");
        assert_eq!(terminal("a\x1b[2Kb"), "a\\u{1b}[2Kb");
        assert_eq!(terminal("x\ry\n"), "x\\u{d}y\\u{a}");
        assert_eq!(terminal("\u{202e}abc"), "\\u{202e}abc");
    }
}
