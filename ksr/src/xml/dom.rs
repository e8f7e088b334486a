//! A small element tree built with quick-xml, with the byte offset of every start
//! tag kept so errors can name a line. KSR files are small (the size limit is
//! checked first), so a tree is simpler than streaming and costs little.

use super::wellformed;
use quick_xml::events::Event;
use quick_xml::Reader;
use std::borrow::Cow;

/// One element: name, attributes, child elements and the text directly inside it.
/// Names and text borrow from the input where they stand in it unchanged
/// (almost always): a long KSR has tens of thousands of elements.
#[derive(Debug)]
pub(crate) struct Node<'a> {
    pub name: Cow<'a, str>,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node<'a>>,
    pub text: Cow<'a, str>,
    /// Byte offset of the `<` of the start tag.
    pub pos: usize,
}

/// A low-level failure: where (byte offset), in which element path, and why.
#[derive(Debug)]
pub(crate) struct DomError {
    pub pos: usize,
    pub element: String,
    pub message: String,
}

/// Deepest nesting accepted (the schema needs six levels).
const MAX_DEPTH: usize = 12;

fn path_of(stack: &[Node<'_>]) -> String {
    if stack.is_empty() {
        return "(document)".into();
    }
    stack
        .iter()
        .map(|n| n.name.as_ref())
        .collect::<Vec<_>>()
        .join("/")
}

/// The element path an event at the top of `stack` belongs to; a start tag
/// names the element it opens.
fn event_path(stack: &[Node<'_>], event: &Event) -> String {
    match event {
        Event::Start(start) | Event::Empty(start) => {
            let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
            match path_of(stack).as_str() {
                "(document)" => name,
                parent => format!("{parent}/{name}"),
            }
        }
        _ => path_of(stack),
    }
}

/// Builds the tree. Refuses what is not well-formed XML 1.0 (invalid UTF-8,
/// characters outside `Char`, a misplaced XML declaration; see [`wellformed`]),
/// DOCTYPE (and with it every entity declaration), references to entities other
/// than the five predefined ones, processing instructions, encodings other than
/// UTF-8, stray text and trailing content.
pub(crate) fn build(bytes: &[u8]) -> Result<Node<'_>, DomError> {
    let mut reader = Reader::from_reader(bytes);
    // Keep all defaults strict: end tags must match their start tags.
    reader.config_mut().check_end_names = true;
    // quick-xml does not check characters; find the first bad one up front and
    // report it in the event that contains it, so the error names its element.
    // A plain file (printable ASCII, tab, CR, LF) needs no character check of
    // the text and attribute values read straight from it.
    let wellformed::Scan {
        bad: bad_char,
        plain,
    } = wellformed::scan(bytes);
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    let mut at_start = true;
    loop {
        let pos = reader.buffer_position() as usize;
        let first_event = std::mem::replace(&mut at_start, false);
        let err = |stack: &[Node<'_>], message: String| DomError {
            pos,
            element: path_of(stack),
            message,
        };
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(e) => {
                let at = reader.error_position() as usize;
                if let Some((bad, message)) = bad_char.as_ref().filter(|(b, _)| *b <= at.max(pos)) {
                    return Err(DomError {
                        pos: *bad,
                        element: path_of(&stack),
                        message: message.clone(),
                    });
                }
                return Err(DomError {
                    pos: at,
                    element: path_of(&stack),
                    message: if declares_entity(bytes, at) {
                        "entity declarations are not allowed; remove it".into()
                    } else {
                        format!("not well-formed XML: {e}")
                    },
                });
            }
        };
        let end = reader.buffer_position() as usize;
        if let Some((bad, message)) = bad_char.as_ref().filter(|(b, _)| *b < end) {
            return Err(DomError {
                pos: *bad,
                element: event_path(&stack, &event),
                message: message.clone(),
            });
        }
        if matches!(event, Event::Eof) {
            if let Some((bad, message)) = &bad_char {
                return Err(DomError {
                    pos: *bad,
                    element: path_of(&stack),
                    message: message.clone(),
                });
            }
        }
        match event {
            Event::DocType(_) => {
                return Err(err(
                    &stack,
                    "DOCTYPE declarations are not allowed (they can declare entities); remove it"
                        .into(),
                ))
            }
            Event::Decl(decl) => {
                wellformed::declaration_position(bytes, first_event, pos)
                    .map_err(|m| err(&stack, m))?;
                wellformed::declaration(&decl).map_err(|m| err(&stack, m))?;
                if let Some(enc) = decl.encoding() {
                    let enc = enc.map_err(|e| err(&stack, format!("bad XML declaration: {e}")))?;
                    if !enc.eq_ignore_ascii_case(b"utf-8") {
                        return Err(err(
                            &stack,
                            format!(
                                "encoding {:?} is not supported; files must be UTF-8",
                                String::from_utf8_lossy(&enc)
                            ),
                        ));
                    }
                }
            }
            Event::PI(_) => {
                return Err(err(
                    &stack,
                    "processing instructions are not allowed".into(),
                ));
            }
            Event::Comment(c) => wellformed::comment(&c).map_err(|m| err(&stack, m))?,
            Event::Start(start) | Event::Empty(start) if root.is_some() => {
                let _ = start;
                return Err(err(&stack, "content after the KSR element".into()));
            }
            Event::Start(ref start) | Event::Empty(ref start) => {
                let raw_name = start.name();
                let raw_name = raw_name.as_ref();
                let name = std::str::from_utf8(raw_name)
                    .map_err(|_| err(&stack, "element name is not UTF-8".into()))?;
                // The name as it stands in the input, right after the `<`.
                let name: Cow<str> = match bytes.get(pos + 1..pos + 1 + raw_name.len()) {
                    Some(there) if there == raw_name => {
                        Cow::Borrowed(std::str::from_utf8(there).expect("checked above"))
                    }
                    _ => Cow::Owned(name.to_string()),
                };
                // Attribute errors name the element that carries them.
                let here = |message: String| DomError {
                    pos,
                    element: match path_of(&stack).as_str() {
                        "(document)" => name.to_string(),
                        parent => format!("{parent}/{name}"),
                    },
                    message,
                };
                wellformed::attribute_separation(start).map_err(&here)?;
                let mut attrs = Vec::new();
                for attr in start.attributes() {
                    let attr = attr.map_err(|e| here(format!("bad attribute in <{name}>: {e}")))?;
                    let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
                    wellformed::attribute_name(&key).map_err(&here)?;
                    wellformed::raw_attribute_value(&key, &attr.value).map_err(&here)?;
                    let value = attr
                        .decode_and_unescape_value(reader.decoder())
                        .map_err(|e| {
                            here(format!("bad value of attribute {key} in <{name}>: {e}"))
                        })?
                        .into_owned();
                    let raw = &attr.value;
                    if !plain
                        || raw.contains(&b'&')
                        || raw.iter().any(|b| matches!(b, b'\t' | b'\n' | b'\r'))
                    {
                        wellformed::attribute_value(&key, &value).map_err(&here)?;
                    }
                    attrs.push((key, value));
                }
                let node = Node {
                    name,
                    attrs,
                    children: Vec::new(),
                    text: Cow::Borrowed(""),
                    pos,
                };
                // The schema is six levels deep; refusing deeper nesting early keeps a
                // hostile file from building (and recursively dropping) a huge tree.
                if stack.len() >= MAX_DEPTH {
                    return Err(err(
                        &stack,
                        format!("elements nested more than {MAX_DEPTH} deep; not a KSR/SKR"),
                    ));
                }
                if matches!(event, Event::Empty(_)) {
                    attach(&mut stack, &mut root, node);
                } else {
                    stack.push(node);
                }
            }
            Event::End(_) => {
                let node = stack.pop().expect("quick-xml checks end tags");
                attach(&mut stack, &mut root, node);
            }
            Event::Text(text) => {
                // Indentation: every reader of element text trims it, so white
                // space that would open an element's text is not kept (saves
                // building the text of every element that holds elements).
                let blank = text
                    .iter()
                    .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
                if blank && stack.last().is_none_or(|n| n.text.is_empty()) {
                    continue;
                }
                wellformed::raw_text(&text).map_err(|m| err(&stack, m))?;
                // Text without CR reads as it stands: borrow it from the input.
                let there = bytes
                    .get(pos..end)
                    .filter(|there| *there == &*text && !there.contains(&b'\r'))
                    .and_then(|there| std::str::from_utf8(there).ok());
                let text: Cow<str> = match there {
                    Some(t) => Cow::Borrowed(t),
                    None => Cow::Owned(
                        text.xml10_content()
                            .map_err(|e| err(&stack, format!("text is not valid UTF-8: {e}")))?
                            .into_owned(),
                    ),
                };
                push_text(&mut stack, text, !plain).map_err(|m| err(&stack, m))?;
            }
            Event::CData(data) => {
                let text = data
                    .decode()
                    .map_err(|e| err(&stack, format!("CDATA is not valid UTF-8: {e}")))?;
                // XML 1.0 section 2.11: line ends are normalized before parsing,
                // inside CDATA sections too.
                let text = text.replace("\r\n", "\n").replace('\r', "\n");
                push_text(&mut stack, Cow::Owned(text), !plain).map_err(|m| err(&stack, m))?;
            }
            Event::GeneralRef(r) => {
                let resolved = if r.is_char_ref() {
                    let c = r
                        .resolve_char_ref()
                        .ok()
                        .flatten()
                        .ok_or_else(|| err(&stack, "invalid character reference".into()))?;
                    if !wellformed::is_xml_char(c) {
                        return Err(err(
                            &stack,
                            format!(
                                "character reference to {}, which is not allowed in XML (XML 1.0 section 2.2, Char)",
                                wellformed::code_point(c)
                            ),
                        ));
                    }
                    if c == '\r' {
                        // Kept by XML readers but written back raw by ours, where
                        // it would read as a line feed: no KSR value needs it.
                        return Err(err(
                            &stack,
                            "character reference to CR (&#13;): no KSR value holds one".into(),
                        ));
                    }
                    String::from(c)
                } else {
                    let name = r
                        .decode()
                        .map_err(|e| err(&stack, format!("bad entity reference: {e}")))?;
                    quick_xml::escape::resolve_predefined_entity(&name)
                        .map(String::from)
                        .ok_or_else(|| {
                            err(
                                &stack,
                                format!("entity &{name}; is not allowed (only &amp; &lt; &gt; &apos; &quot;)"),
                            )
                        })?
                };
                push_text(&mut stack, Cow::Owned(resolved), true).map_err(|m| err(&stack, m))?;
            }
            Event::Eof => {
                if !stack.is_empty() {
                    return Err(err(
                        &stack,
                        "unexpected end of file: element not closed".into(),
                    ));
                }
                return root.ok_or_else(|| DomError {
                    pos: 0,
                    element: "(document)".into(),
                    message: "no KSR element: the file is empty or not a KSR/SKR".into(),
                });
            }
        }
    }
}

/// Whether the markup that made the reader fail is an entity declaration
/// outside a DOCTYPE (inside one, the DOCTYPE itself is refused first).
fn declares_entity(bytes: &[u8], pos: usize) -> bool {
    let end = pos.min(bytes.len());
    let from = end.saturating_sub(64);
    let window = &bytes[from..(end + 16).min(bytes.len())];
    window.windows(8).any(|w| w == b"<!ENTITY")
}

fn attach<'a>(stack: &mut [Node<'a>], root: &mut Option<Node<'a>>, node: Node<'a>) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(node),
        None => *root = Some(node),
    }
}

/// Appends text to the open element; `check`: its characters still need
/// checking (resolved references, or a file that is not plain).
fn push_text<'a>(stack: &mut [Node<'a>], text: Cow<'a, str>, check: bool) -> Result<(), String> {
    if check {
        wellformed::text(&text)?;
    }
    match stack.last_mut() {
        Some(node) if node.text.is_empty() => {
            node.text = text;
            Ok(())
        }
        Some(node) => {
            node.text.to_mut().push_str(&text);
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None => Err("text outside the KSR element".into()),
    }
}
