//! quick-xml events to the element tree ([`Tree`]), with the byte offset of
//! every start tag kept so errors can name a line. KSR files are small (the
//! size limit is checked first), so a tree is simpler than streaming and
//! costs little.
//!
//! One [`Builder`] reads the document from its start; `split` may also run a
//! second one on the second half of a long document (a [`Context`] builder)
//! and join the two.

use super::tree::{Part, Stored, Tree};
use super::wellformed;
use quick_xml::events::Event;
use quick_xml::Reader;
use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};

/// A low-level failure: where (byte offset), in which element path, and why.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct DomError {
    pub pos: usize,
    pub element: String,
    pub message: String,
}

/// Deepest nesting accepted (the schema needs six levels).
pub(super) const MAX_DEPTH: usize = 12;

/// Builds the tree. Refuses what is not well-formed XML 1.0 (invalid UTF-8,
/// characters outside `Char`, a misplaced XML declaration; see [`wellformed`]),
/// DOCTYPE (and with it every entity declaration), references to entities other
/// than the five predefined ones, processing instructions, encodings other than
/// UTF-8, stray text and trailing content. A long document is built on two
/// threads when that gives the very same tree (see `split`).
pub(crate) fn build(bytes: &[u8]) -> Result<Tree<'_>, DomError> {
    super::split::build(bytes, super::split::Threads::Auto)
}

/// What a builder that reads from the middle of a document (a `Context`
/// builder) assumed about the elements open where it starts; `split` checks
/// it against what the first half's builder found there.
#[derive(Debug, Default)]
pub(super) struct Context<'a> {
    /// End tags of elements opened before the start, innermost first, each
    /// with the number of nodes built when it came.
    pub closes: Vec<(&'a [u8], usize)>,
    /// The most the depth of a start tag exceeded the depth at the start
    /// (own open elements minus closes so far), or None without start tags.
    pub excess: Option<isize>,
}

/// How far a [`Builder::run`] got.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Reached {
    /// The end of the input: the tree is complete.
    End,
    /// The `stop` offset, at the start of an event.
    Stop,
    /// Stopped on request (`cancel`), for a context builder only.
    Cancelled,
}

/// Reads events into a [`Part`], keeping the open elements on a stack.
pub(super) struct Builder<'a> {
    /// The whole input (offsets are into it).
    bytes: &'a [u8],
    /// The whole input as text, when it is valid UTF-8: names, text and
    /// values are borrowed from it without checking them again.
    src: Option<&'a str>,
    /// Where `reader` starts in `bytes`.
    base: usize,
    reader: Reader<&'a [u8]>,
    /// The first character that breaks XML's rules, and whether every byte is
    /// plain (see [`wellformed::scan`]).
    bad_char: Option<(usize, String)>,
    plain: bool,
    pub part: Part<'a>,
    /// Indices into `part.nodes` of the open elements.
    pub stack: Vec<usize>,
    at_start: bool,
    /// Some when reading from the middle: what it assumed.
    pub context: Option<Context<'a>>,
}

impl<'a> Builder<'a> {
    /// A builder for the whole document.
    pub fn new(bytes: &'a [u8], scan: wellformed::Scan, src: Option<&'a str>) -> Self {
        let mut reader = Reader::from_reader(bytes);
        // Keep all defaults strict: end tags must match their start tags.
        reader.config_mut().check_end_names = true;
        Builder {
            bytes,
            src,
            base: 0,
            reader,
            bad_char: scan.bad,
            plain: scan.plain,
            part: Part::for_input(bytes.len()),
            stack: Vec::new(),
            at_start: true,
            context: None,
        }
    }

    /// A builder for `bytes[start..]` of a document without bad characters,
    /// inside elements opened before `start` (the `<` of a start tag): their end
    /// tags are recorded in its [`Context`], not checked; it refuses text and
    /// start tags directly inside them after one of them has closed.
    pub fn from_middle(bytes: &'a [u8], start: usize, plain: bool, src: Option<&'a str>) -> Self {
        let mut reader = Reader::from_reader(&bytes[start..]);
        reader.config_mut().check_end_names = true;
        reader.config_mut().allow_unmatched_ends = true;
        Builder {
            bytes,
            src,
            base: start,
            reader,
            bad_char: None,
            plain,
            part: Part::for_input(bytes.len() - start),
            stack: Vec::new(),
            at_start: false,
            context: Some(Context::default()),
        }
    }

    /// The built tree, after [`Reached::End`].
    pub fn into_tree(self) -> Tree<'a> {
        Tree {
            head: self.part,
            tail: Part::default(),
        }
    }

    /// The input at `piece` (a slice of it) as text, when the input is text.
    fn borrow(&self, piece: &[u8]) -> Option<&'a str> {
        let src = self.src?;
        let start = (piece.as_ptr() as usize).checked_sub(src.as_ptr() as usize)?;
        let there = src.get(start..start.checked_add(piece.len())?)?;
        (there.as_ptr() == piece.as_ptr()).then_some(there)
    }

    fn path(&self) -> String {
        if self.stack.is_empty() {
            return "(document)".into();
        }
        let names: Vec<&str> = self
            .stack
            .iter()
            .map(|&i| &*self.part.nodes[i].name)
            .collect();
        names.join("/")
    }

    /// The element path of a start tag named `name` opened here.
    fn child_path(&self, name: &str) -> String {
        match self.path().as_str() {
            "(document)" => name.to_string(),
            parent => format!("{parent}/{name}"),
        }
    }

    fn err(&self, pos: usize, message: String) -> DomError {
        DomError {
            pos,
            element: self.path(),
            message,
        }
    }

    /// Reads events until the end of the input, or until the next event
    /// would start at byte `stop` (then it can be called again to go on).
    pub fn run(&mut self, stop: Option<usize>, cancel: &AtomicBool) -> Result<Reached, DomError> {
        loop {
            let pos = self.base + self.reader.buffer_position() as usize;
            if stop == Some(pos) {
                return Ok(Reached::Stop);
            }
            if self.context.is_some() && cancel.load(Ordering::Relaxed) {
                return Ok(Reached::Cancelled);
            }
            if self.step(pos)? {
                return Ok(Reached::End);
            }
        }
    }

    /// One event starting at `pos`; true at the end of the input.
    fn step(&mut self, pos: usize) -> Result<bool, DomError> {
        let first_event = std::mem::replace(&mut self.at_start, false);
        let event = match self.reader.read_event() {
            Ok(event) => event,
            Err(e) => {
                let at = self.base + self.reader.error_position() as usize;
                if let Some((bad, message)) =
                    self.bad_char.as_ref().filter(|(b, _)| *b <= at.max(pos))
                {
                    return Err(DomError {
                        pos: *bad,
                        element: self.path(),
                        message: message.clone(),
                    });
                }
                return Err(DomError {
                    pos: at,
                    element: self.path(),
                    message: if declares_entity(self.bytes, at) {
                        "entity declarations are not allowed; remove it".into()
                    } else {
                        format!("not well-formed XML: {e}")
                    },
                });
            }
        };
        let end = self.base + self.reader.buffer_position() as usize;
        if let Some((bad, message)) = self.bad_char.as_ref().filter(|(b, _)| *b < end) {
            let element = match &event {
                // A start tag names the element it opens.
                Event::Start(start) | Event::Empty(start) => {
                    self.child_path(&String::from_utf8_lossy(start.name().as_ref()))
                }
                _ => self.path(),
            };
            return Err(DomError {
                pos: *bad,
                element,
                message: message.clone(),
            });
        }
        if matches!(event, Event::Eof) {
            if let Some((bad, message)) = &self.bad_char {
                return Err(DomError {
                    pos: *bad,
                    element: self.path(),
                    message: message.clone(),
                });
            }
        }
        match event {
            Event::DocType(_) => Err(self.err(
                pos,
                "DOCTYPE declarations are not allowed (they can declare entities); remove it"
                    .into(),
            )),
            Event::Decl(decl) => {
                let err = |m| self.err(pos, m);
                wellformed::declaration_position(self.bytes, first_event, pos).map_err(err)?;
                wellformed::declaration(&decl).map_err(err)?;
                if let Some(enc) = decl.encoding() {
                    let enc = enc.map_err(|e| err(format!("bad XML declaration: {e}")))?;
                    if !enc.eq_ignore_ascii_case(b"utf-8") {
                        return Err(err(format!(
                            "encoding {:?} is not supported; files must be UTF-8",
                            String::from_utf8_lossy(&enc)
                        )));
                    }
                }
                Ok(false)
            }
            Event::PI(_) => Err(self.err(pos, "processing instructions are not allowed".into())),
            Event::Comment(c) => {
                wellformed::comment(&c).map_err(|m| self.err(pos, m))?;
                Ok(false)
            }
            Event::Start(ref start) | Event::Empty(ref start) => {
                let empty = matches!(event, Event::Empty(_));
                self.open(pos, start, empty)?;
                Ok(false)
            }
            Event::End(end_tag) => {
                match self.stack.pop() {
                    Some(i) => self.part.nodes[i].len = self.part.nodes.len() - i,
                    None => {
                        // Only a builder from the middle meets end tags of
                        // elements it did not open; quick-xml checks the rest.
                        let name = self.borrow(end_tag.name().as_ref());
                        let (Some(context), Some(name)) = (self.context.as_mut(), name) else {
                            return Err(self.err(pos, "unmatched end tag".into()));
                        };
                        context
                            .closes
                            .push((name.as_bytes(), self.part.nodes.len()));
                    }
                }
                Ok(false)
            }
            Event::Text(text) => {
                // Indentation: every reader of element text trims it, so white
                // space that would open an element's text is not kept (saves
                // building the text of every element that holds elements).
                let blank = text
                    .iter()
                    .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
                let top = self.stack.last().map(|&i| &self.part.nodes[i]);
                if blank && top.is_none_or(|n| n.text.is_empty()) {
                    return Ok(false);
                }
                wellformed::raw_text(&text).map_err(|m| self.err(pos, m))?;
                // Text without CR reads as it stands: borrow it from the input.
                let there = if memchr::memchr(b'\r', &text).is_none() {
                    self.borrow(&text)
                } else {
                    None
                };
                let text: Cow<str> = match there {
                    Some(t) => Cow::Borrowed(t),
                    None => Cow::Owned(
                        text.xml10_content()
                            .map_err(|e| self.err(pos, format!("text is not valid UTF-8: {e}")))?
                            .into_owned(),
                    ),
                };
                let check = !self.plain;
                self.push_text(text, check).map_err(|m| self.err(pos, m))?;
                Ok(false)
            }
            Event::CData(data) => {
                let text = data
                    .decode()
                    .map_err(|e| self.err(pos, format!("CDATA is not valid UTF-8: {e}")))?;
                // XML 1.0 section 2.11: line ends are normalized before parsing,
                // inside CDATA sections too.
                let text = text.replace("\r\n", "\n").replace('\r', "\n");
                let check = !self.plain;
                self.push_text(Cow::Owned(text), check)
                    .map_err(|m| self.err(pos, m))?;
                Ok(false)
            }
            Event::GeneralRef(r) => {
                let err = |m| self.err(pos, m);
                let resolved = if r.is_char_ref() {
                    let c = r
                        .resolve_char_ref()
                        .ok()
                        .flatten()
                        .ok_or_else(|| err("invalid character reference".into()))?;
                    if !wellformed::is_xml_char(c) {
                        return Err(err(format!(
                            "character reference to {}, which is not allowed in XML (XML 1.0 section 2.2, Char)",
                            wellformed::code_point(c)
                        )));
                    }
                    if c == '\r' {
                        // Kept by XML readers but written back raw by ours, where
                        // it would read as a line feed: no KSR value needs it.
                        return Err(err(
                            "character reference to CR (&#13;): no KSR value holds one".into(),
                        ));
                    }
                    String::from(c)
                } else {
                    let name = r
                        .decode()
                        .map_err(|e| err(format!("bad entity reference: {e}")))?;
                    quick_xml::escape::resolve_predefined_entity(&name)
                        .map(String::from)
                        .ok_or_else(|| {
                            err(format!(
                                "entity &{name}; is not allowed (only &amp; &lt; &gt; &apos; &quot;)"
                            ))
                        })?
                };
                self.push_text(Cow::Owned(resolved), true)
                    .map_err(|m| self.err(pos, m))?;
                Ok(false)
            }
            Event::Eof => {
                if !self.stack.is_empty() {
                    return Err(self.err(pos, "unexpected end of file: element not closed".into()));
                }
                if self.part.nodes.is_empty() && self.context.is_none() {
                    return Err(DomError {
                        pos: 0,
                        element: "(document)".into(),
                        message: "no KSR element: the file is empty or not a KSR/SKR".into(),
                    });
                }
                Ok(true)
            }
        }
    }

    /// A start tag (`empty`: `<name/>`) at `pos`.
    fn open(
        &mut self,
        pos: usize,
        start: &quick_xml::events::BytesStart<'a>,
        empty: bool,
    ) -> Result<(), DomError> {
        if self.stack.is_empty() {
            let after_root = match &self.context {
                None => !self.part.nodes.is_empty(),
                // Directly inside an element opened before the start: fine
                // until one of those has closed.
                Some(context) => !context.closes.is_empty(),
            };
            if after_root {
                return Err(self.err(pos, "content after the KSR element".into()));
            }
        }
        let raw_name = start.name();
        let raw_name = raw_name.as_ref();
        let name: Cow<'a, str> = match self.borrow(raw_name) {
            Some(name) => Cow::Borrowed(name),
            None => Cow::Owned(
                std::str::from_utf8(raw_name)
                    .map_err(|_| self.err(pos, "element name is not UTF-8".into()))?
                    .to_string(),
            ),
        };
        // Attribute errors name the element that carries them.
        let here = |this: &Self, message: String| DomError {
            pos,
            element: this.child_path(&name),
            message,
        };
        wellformed::attribute_separation(start).map_err(|m| here(self, m))?;
        let attrs_start = self.part.attrs.len();
        for attr in start.attributes() {
            let attr = attr.map_err(|e| here(self, format!("bad attribute in <{name}>: {e}")))?;
            let key = match self.borrow(attr.key.as_ref()) {
                Some(key) => Cow::Borrowed(key),
                None => Cow::Owned(String::from_utf8_lossy(attr.key.as_ref()).into_owned()),
            };
            wellformed::attribute_name(&key).map_err(|m| here(self, m))?;
            let raw = &attr.value;
            wellformed::raw_attribute_value(&key, raw).map_err(|m| here(self, m))?;
            // Without a reference the value is the raw text as it stands.
            let value = match self.borrow(raw).filter(|_| !raw.contains(&b'&')) {
                Some(value) => Cow::Borrowed(value),
                None => Cow::Owned(
                    attr.decode_and_unescape_value(self.reader.decoder())
                        .map_err(|e| {
                            here(
                                self,
                                format!("bad value of attribute {key} in <{name}>: {e}"),
                            )
                        })?
                        .into_owned(),
                ),
            };
            if !self.plain
                || raw.contains(&b'&')
                || raw.iter().any(|b| matches!(b, b'\t' | b'\n' | b'\r'))
            {
                wellformed::attribute_value(&key, &value).map_err(|m| here(self, m))?;
            }
            self.part.attrs.push((key, value));
        }
        // The schema is six levels deep; refusing deeper nesting early keeps a
        // hostile file from building a huge tree.
        if self.stack.len() >= MAX_DEPTH {
            return Err(self.err(
                pos,
                format!("elements nested more than {MAX_DEPTH} deep; not a KSR/SKR"),
            ));
        }
        if let Some(context) = &mut self.context {
            let excess = self.stack.len() as isize - context.closes.len() as isize;
            context.excess = Some(context.excess.map_or(excess, |e| e.max(excess)));
        }
        let index = self.part.nodes.len();
        self.part.nodes.push(Stored {
            name,
            text: Cow::Borrowed(""),
            pos,
            len: if empty { 1 } else { 0 },
            attrs_start,
            attrs_count: self.part.attrs.len() - attrs_start,
        });
        if !empty {
            self.stack.push(index);
        }
        Ok(())
    }

    /// Appends text to the open element; `check`: its characters still need
    /// checking (resolved references, or a file that is not plain).
    fn push_text(&mut self, text: Cow<'a, str>, check: bool) -> Result<(), String> {
        if check {
            wellformed::text(&text)?;
        }
        match self.stack.last() {
            Some(&i) => {
                let node = &mut self.part.nodes[i];
                if node.text.is_empty() {
                    node.text = text;
                } else {
                    node.text.to_mut().push_str(&text);
                }
                Ok(())
            }
            // Text inside an element opened before a builder's start.
            None if self.context.is_some() => Err("text in a context element".into()),
            None if text.trim().is_empty() => Ok(()),
            None => Err("text outside the KSR element".into()),
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
