//! Text from an input file on its way to a terminal.
//!
//! A KSR comes from outside the ceremony room; a bundle id or a domain holding
//! cursor controls could erase a FAIL line. Every string from an input that is
//! printed goes through [`terminal`]. Every tool's stdout and stderr are also
//! wrapped in a [`Guard`] (`ksr::env`), so a path that forgot [`terminal`]
//! still cannot hand a control sequence to the terminal.

use std::borrow::Cow;
use std::io::{self, Write};

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

/// Multi-line text (an error whose source quotes several lines) with each
/// line through [`terminal`]: the line breaks stay, every other control goes.
pub fn lines(s: &str) -> String {
    s.split('\n')
        .map(|l| terminal(l))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Text from an input inside HTML, SVG or XML markup: `&`, `<`, `>` and `"`
/// as entities, and controls (which XML 1.0 does not allow, and a terminal
/// would act on) as `\u{..}` through [`terminal`].
pub fn markup(s: &str) -> String {
    terminal(s)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `s` as a [`Guard`] writes it: controls but newline and tab escaped as
/// `\uXXXX` (for prompts, which reach the terminal without a writer of their
/// own).
pub fn text(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c != '\n' && c != '\t' && needs_escape(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = Vec::new();
    Guard::new(&mut out)
        .write_all(s.as_bytes())
        .expect("writing to a Vec cannot fail");
    Cow::Owned(String::from_utf8(out).expect("the guard writes UTF-8"))
}

/// A writer that passes text on with every control character but newline and
/// tab (and the bidirectional overrides) written as `\uXXXX`, and every byte
/// that is not UTF-8 as `\xXX`: the last line of defence on the way to a
/// terminal. `\uXXXX` is JSON's own escape, so `--json` output stays valid
/// JSON with the same meaning (serde_json leaves DEL, C1 and the overrides
/// raw). Text already through [`terminal`] passes unchanged. A character split
/// across two writes is held until the rest arrives.
pub struct Guard<W: Write> {
    inner: W,
    /// The start of a UTF-8 sequence the last write ended in (at most 3 bytes).
    pending: Vec<u8>,
}

impl<W: Write> Guard<W> {
    pub fn new(inner: W) -> Self {
        Guard {
            inner,
            pending: Vec::new(),
        }
    }

    fn emit(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut out = Vec::with_capacity(bytes.len());
        for chunk in bytes.utf8_chunks() {
            let valid = chunk.valid();
            if valid
                .chars()
                .any(|c| c != '\n' && c != '\t' && needs_escape(c))
            {
                for c in valid.chars() {
                    if c != '\n' && c != '\t' && needs_escape(c) {
                        // Every such character is below U+10000: four digits.
                        out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes());
                    } else {
                        let mut b = [0; 4];
                        out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
                    }
                }
            } else {
                out.extend_from_slice(valid.as_bytes());
            }
            for b in chunk.invalid() {
                out.extend_from_slice(format!("\\x{b:02x}").as_bytes());
            }
        }
        self.inner.write_all(&out)
    }
}

/// How many bytes at the end of `b` start a UTF-8 sequence that is not yet
/// complete (0 when `b` ends on a character boundary or in invalid bytes).
fn incomplete_tail(b: &[u8]) -> usize {
    for back in 1..=3.min(b.len()) {
        let lead = b[b.len() - back];
        let need = match lead {
            0xc2..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf4 => 4,
            0x80..=0xbf => continue,
            _ => return 0,
        };
        let tail_ok = b[b.len() - back + 1..]
            .iter()
            .all(|&c| (0x80..=0xbf).contains(&c));
        return if need > back && tail_ok { back } else { 0 };
    }
    0
}

impl<W: Write> Write for Guard<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut all = std::mem::take(&mut self.pending);
        all.extend_from_slice(buf);
        let keep = incomplete_tail(&all);
        self.pending = all.split_off(all.len() - keep);
        self.emit(&all)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<W: Write> Drop for Guard<W> {
    fn drop(&mut self) {
        // A sequence never completed is written as the invalid bytes it is.
        let rest = std::mem::take(&mut self.pending);
        if !rest.is_empty() {
            let _ = self.emit(&rest).and_then(|()| self.inner.flush());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{terminal, Guard};
    use std::io::Write;

    fn guarded(writes: &[&[u8]]) -> String {
        let mut out = Vec::new();
        {
            let mut g = Guard::new(&mut out);
            for w in writes {
                g.write_all(w).unwrap();
            }
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_guard_escapes_controls_but_newline_and_tab() {
        assert_eq!(guarded(&[b"PASS a\tb\n"]), "PASS a\tb\n");
        assert_eq!(
            guarded(&[b"x\x1b[2K\ry\x07\n"]),
            "x\\u001b[2K\\u000dy\\u0007\n"
        );
        assert_eq!(
            guarded(&["\u{9b}2K \u{202e}é".as_bytes()]),
            "\\u009b2K \\u202eé"
        );
        assert_eq!(guarded(&[b"a\xffb"]), "a\\xffb");
        assert_eq!(super::text("PIN for \x1b[2K:\n"), "PIN for \\u001b[2K:\n");
        // Already escaped text passes unchanged.
        assert_eq!(guarded(&[terminal("a\x1bb").as_bytes()]), "a\\u{1b}b");
    }

    #[test]
    fn json_through_the_guard_is_the_same_json() {
        let value = serde_json::json!({ "id": "a\u{9b}b\u{7f}\u{202e}\u{1b}" });
        let text = serde_json::to_string(&value).unwrap();
        let shown = guarded(&[text.as_bytes()]);
        assert!(!shown.contains('\u{9b}'), "{shown}");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&shown).unwrap(),
            value
        );
    }

    #[test]
    fn the_guard_sees_a_character_split_across_writes() {
        assert_eq!(guarded(&[b"a\xc2", b"\x9bb"]), "a\\u009bb");
        assert_eq!(guarded(&[b"\xe2\x80", b"\xaez"]), "\\u202ez");
        assert_eq!(guarded(&[b"\xc3", b"\xa9"]), "é");
        assert_eq!(guarded(&[b"end\xc2"]), "end\\xc2");
    }

    #[test]
    fn controls_are_escaped() {
        assert_eq!(terminal("slot-1"), "slot-1");
        assert_eq!(terminal("a\x1b[2Kb"), "a\\u{1b}[2Kb");
        assert_eq!(terminal("x\ry\n"), "x\\u{d}y\\u{a}");
        assert_eq!(terminal("\u{202e}abc"), "\\u{202e}abc");
        assert_eq!(super::lines("a\x1b\nb\r\n"), "a\\u{1b}\nb\\u{d}\n");
    }
}
