//! The XML 1.0 well-formedness rules quick-xml leaves to its caller, and the
//! stricter rules a KSR adds. A file another conforming parser (expat, libxml2)
//! would refuse must be refused here too, or ksr would sign and pass on a file
//! the next tool cannot read (XML 1.0 sections 2.2, 2.5, 2.7, 2.8, 4.1).

/// XML 1.0 section 2.2, production [2] `Char`.
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r'
        | '\u{20}'..='\u{D7FF}'
        | '\u{E000}'..='\u{FFFD}'
        | '\u{10000}'..='\u{10FFFF}')
}

/// `U+001B`, for messages (never the character itself: it may be a terminal escape).
pub(crate) fn code_point(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

/// What one pass over the raw bytes found: the first place they break XML's
/// character rules, and whether every byte is plain (printable ASCII, tab,
/// CR or LF), which settles the per-text and per-attribute character checks
/// for everything read straight from the file.
#[derive(Debug)]
pub(crate) struct Scan {
    pub bad: Option<(usize, String)>,
    pub plain: bool,
}

/// Whether every byte of `bytes` is printable ASCII, tab, CR or LF. Branch-free
/// over 64-byte blocks, so the compiler vectorises it: this runs over every
/// byte of every input.
pub(crate) fn is_plain(bytes: &[u8]) -> bool {
    let odd = |b: u8| (b.wrapping_sub(0x20) >= 0x5f) & (b != b'\t') & (b != b'\n') & (b != b'\r');
    let mut blocks = bytes.chunks_exact(64);
    for block in &mut blocks {
        if block.iter().fold(false, |acc, &b| acc | odd(b)) {
            return false;
        }
    }
    !blocks.remainder().iter().any(|&b| odd(b))
}

/// The one pass over the raw bytes ([`Scan`]): invalid UTF-8 anywhere
/// (comments included) or a character outside `Char`, with its byte offset.
pub(crate) fn scan(bytes: &[u8]) -> Scan {
    // Almost every KSR is plain ASCII, which settles it without decoding characters.
    if is_plain(bytes) {
        return Scan {
            bad: None,
            plain: true,
        };
    }
    Scan {
        bad: first_bad_char(bytes),
        plain: false,
    }
}

/// The first place the raw bytes break XML's character rules: invalid UTF-8
/// anywhere (comments included) or a character outside `Char`. Returns the
/// byte offset and the message.
pub(crate) fn first_bad_char(bytes: &[u8]) -> Option<(usize, String)> {
    if is_plain(bytes) {
        return None;
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let at = e.valid_up_to();
            return Some((
                at,
                format!(
                    "invalid UTF-8 (byte 0x{:02X}); the whole file, comments included, must be UTF-8",
                    bytes[at]
                ),
            ));
        }
    };
    text.char_indices()
        .find(|(_, c)| !is_xml_char(*c))
        .map(|(i, c)| {
            (
                i,
                format!(
                    "character {} is not allowed in XML (XML 1.0 section 2.2, Char); remove it",
                    code_point(c)
                ),
            )
        })
}

/// Checks a resolved attribute value: no character outside `Char` (a character
/// reference can name one) and no control character at all. XML readers turn
/// tab, CR and LF in attribute values into spaces (section 3.3.3), so a value
/// holding them would not read back the same; the others are terminal escapes.
pub(crate) fn attribute_value(key: &str, value: &str) -> Result<(), String> {
    match value.chars().find(|c| !is_xml_char(*c) || c.is_control()) {
        None => Ok(()),
        Some(c) if !is_xml_char(c) => Err(format!(
            "attribute {key} holds character {}, which is not allowed in XML (XML 1.0 section 2.2, Char)",
            code_point(c)
        )),
        Some(c) => Err(format!(
            "attribute {key} holds control character {}; KSR attribute values are single-line printable text",
            code_point(c)
        )),
    }
}

/// The raw (unescaped) attribute value: `<` may not appear in it (section 3.1, WFC No < in Attribute Values).
pub(crate) fn raw_attribute_value(key: &str, raw: &[u8]) -> Result<(), String> {
    if raw.contains(&b'<') {
        return Err(format!(
            "attribute {key} holds a raw \"<\" (not allowed in XML; write &lt;)"
        ));
    }
    Ok(())
}

/// Resolved text: characters outside `Char` (from a character reference) and
/// control characters other than tab, CR and LF are refused.
pub(crate) fn text(text: &str) -> Result<(), String> {
    match text
        .chars()
        .find(|c| !is_xml_char(*c) || (c.is_control() && !matches!(c, '\t' | '\n' | '\r')))
    {
        None => Ok(()),
        Some(c) if !is_xml_char(c) => Err(format!(
            "text holds character {}, which is not allowed in XML (XML 1.0 section 2.2, Char)",
            code_point(c)
        )),
        Some(c) => Err(format!(
            "text holds control character {}; KSR values are printable text",
            code_point(c)
        )),
    }
}

/// Raw character data may not contain `]]>` (section 2.4).
pub(crate) fn raw_text(raw: &[u8]) -> Result<(), String> {
    // `>` is rare in character data: look for it, then at the two bytes before.
    if memchr::memchr_iter(b'>', raw).any(|i| i >= 2 && &raw[i - 2..i] == b"]]") {
        return Err("text holds \"]]>\" outside a CDATA section (not allowed in XML)".into());
    }
    Ok(())
}

/// Comment content may not contain `--` nor end with `-` (section 2.5).
pub(crate) fn comment(content: &[u8]) -> Result<(), String> {
    if content.windows(2).any(|w| w == b"--") || content.ends_with(b"-") {
        return Err(
            "a comment holds \"--\" or ends with \"-\" (not allowed in XML comments)".into(),
        );
    }
    Ok(())
}

/// An attribute name quick-xml let through must still be an XML `Name`; the
/// schema's names are ASCII, so only ASCII names are accepted (section 2.3).
pub(crate) fn attribute_name(key: &str) -> Result<(), String> {
    let mut chars = key.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':');
    if first_ok && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':')) {
        Ok(())
    } else {
        Err(format!("attribute name {key:?} is not an XML name"))
    }
}

/// A start tag's attributes must be separated by white space (section 3.1,
/// production [40] `STag`); quick-xml reads `a="1"b="2"` as two attributes.
pub(crate) fn attribute_separation(tag: &[u8]) -> Result<(), String> {
    let mut from = 0;
    while let Some(open) = memchr::memchr2(b'"', b'\'', &tag[from..]) {
        let open = from + open;
        let Some(close) = memchr::memchr(tag[open], &tag[open + 1..]) else {
            return Ok(());
        };
        let close = open + 1 + close;
        if let Some(&next) = tag.get(close + 1) {
            if !(next.is_ascii_whitespace() || next == b'/') {
                return Err("attributes must be separated by white space".into());
            }
        }
        from = close + 1;
    }
    Ok(())
}

/// The XML declaration's content after `xml`: `version`, then optionally
/// `encoding` and `standalone`, in that order, each after white space
/// (section 2.8, production [23] `XMLDecl`).
pub(crate) fn declaration(content: &[u8]) -> Result<(), String> {
    let bad = |what: &str| Err(format!("malformed XML declaration: {what}"));
    let Some(mut rest) = content.strip_prefix(b"xml") else {
        return bad("it must start with <?xml");
    };
    let mut names: Vec<&str> = Vec::new();
    loop {
        let trimmed = rest.trim_ascii_start();
        if trimmed.is_empty() {
            break;
        }
        if trimmed.len() == rest.len() {
            return bad("white space must separate its parts");
        }
        let Some(eq) = trimmed.iter().position(|&b| b == b'=') else {
            return bad("a part without a value");
        };
        let name = std::str::from_utf8(trimmed[..eq].trim_ascii_end()).unwrap_or("?");
        let after = trimmed[eq + 1..].trim_ascii_start();
        let Some(&q) = after.first().filter(|q| **q == b'"' || **q == b'\'') else {
            return bad("a value must be quoted");
        };
        let Some(end) = after[1..].iter().position(|&b| b == q) else {
            return bad("an unclosed quote");
        };
        let value = &after[1..1 + end];
        rest = &after[end + 2..];
        let ok_value = match name {
            "version" => value == b"1.0",
            "encoding" => {
                value.first().is_some_and(u8::is_ascii_alphabetic)
                    && value
                        .iter()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
            }
            "standalone" => value == b"yes" || value == b"no",
            _ => {
                return bad(&format!(
                    "unknown part {name:?} (only version, encoding, standalone)"
                ))
            }
        };
        if !ok_value {
            return bad(&format!("bad {name} value"));
        }
        names.push(name);
    }
    let order = ["version", "encoding", "standalone"];
    let positions: Vec<usize> = names
        .iter()
        .map(|n| order.iter().position(|o| o == n).unwrap_or(usize::MAX))
        .collect();
    if names.first() != Some(&"version") || positions.windows(2).any(|w| w[0] >= w[1]) {
        return bad(
            "it needs version first, then encoding and standalone at most once each, in that order",
        );
    }
    Ok(())
}

/// Where an XML declaration may stand: only as the reader's first event, at
/// the very start or after a byte order mark (section 2.8, production [22]
/// `prolog`). quick-xml skips the mark inside its first read, so that read
/// starts at 0 either way.
pub(crate) fn declaration_position(
    bytes: &[u8],
    first_event: bool,
    pos: usize,
) -> Result<(), String> {
    let bom = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    if first_event && (pos == 0 || pos == bom) {
        Ok(())
    } else {
        Err(
            "an XML declaration (<?xml ...?>) is allowed only once, at the very start of the file"
                .into(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_production() {
        for c in [
            '\t',
            '\n',
            '\r',
            ' ',
            'é',
            '\u{D7FF}',
            '\u{E000}',
            '\u{FFFD}',
            '\u{10000}',
        ] {
            assert!(is_xml_char(c), "{c:?}");
        }
        for c in ['\0', '\u{1}', '\u{1b}', '\u{0c}', '\u{FFFE}', '\u{FFFF}'] {
            assert!(!is_xml_char(c), "{c:?}");
        }
    }

    #[test]
    fn first_bad_char_finds_utf8_and_controls() {
        assert_eq!(first_bad_char(b"<a>ok</a>"), None);
        assert_eq!(first_bad_char(b"<a>\xff</a>").unwrap().0, 3);
        let (at, m) = first_bad_char(b"<a x=\"\x1b\"/>").unwrap();
        assert_eq!(at, 6);
        assert!(m.contains("U+001B"), "{m}");
    }

    #[test]
    fn comments_and_names() {
        assert!(comment(b" fine - really ").is_ok());
        assert!(comment(b" a -- b ").is_err());
        assert!(comment(b" ends with -").is_err());
        assert!(attribute_name("xmlns:ksr").is_ok());
        assert!(attribute_name("xmlns@x").is_err());
        assert!(attribute_name("1id").is_err());
    }

    #[test]
    fn declarations_and_separation() {
        assert!(declaration(b"xml version=\"1.0\" encoding=\"UTF-8\"").is_ok());
        assert!(declaration(b"xml version='1.0' standalone='yes' ").is_ok());
        assert!(declaration(b"xml version=\"1.0\" foo=\"bar\"").is_err());
        assert!(declaration(b"xml version=\"1.0\" standalone=\"maybe\"").is_err());
        assert!(declaration(b"xml encoding=\"UTF-8\" version=\"1.0\"").is_err());
        assert!(declaration(b"xml version=\"1.0\"encoding=\"UTF-8\"").is_err());
        assert!(attribute_separation(b"KSR id=\"a\" domain='.'").is_ok());
        assert!(attribute_separation(b"KSR id=\"a\"domain=\".\"").is_err());
        assert!(attribute_separation(b"RSA size=\"1\"/").is_ok());
    }
}
