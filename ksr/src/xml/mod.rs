//! IANA KSR/SKR XML (Relax NG schema of 2010): parsing with strict limits and a
//! deterministic writer.
//!
//! - `dom`: quick-xml events to a small element tree (`tree`; refuses
//!   DOCTYPE/entities); `split` builds a long document's tree on two threads.
//! - `wellformed`: the XML 1.0 rules quick-xml leaves to its caller (`Char`,
//!   UTF-8 everywhere, one declaration at the start, comments, `]]>`).
//! - `read`: tree to [`Document`], checking the schema's shape and every value.
//! - `write`: [`Document`] to bytes, the same bytes for the same document.

pub(crate) mod dom;
mod read;
mod shape;
mod split;
pub(crate) mod tree;
mod wellformed;
mod write;

use crate::model::Document;
use std::io::Read;
use std::path::Path;

/// Default input limit; `--max-size` changes it.
pub const DEFAULT_MAX_SIZE: usize = 1024 * 1024;

#[derive(Debug, Clone)]
pub struct ParseOptions {
    pub max_size: usize,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            max_size: DEFAULT_MAX_SIZE,
        }
    }
}

/// Where and why a document was refused. Display: `FILE:LINE: <element>: message`.
/// A file-level refusal (line 0, element `(file)`) reads `FILE: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub file: String,
    pub line: usize,
    /// The element path at fault from the root, e.g. `KSR/Request/RequestBundle/Key/PublicKey`;
    /// an attribute as `KSR/Request/RequestBundle/Key@keyTag`; `(file)` for the file as a whole.
    /// Line 0 means no line applies (unreadable or oversized file).
    pub element: String,
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.element.as_str()) {
            (0, "(file)") => write!(f, "{}: {}", self.file, self.message),
            (0, element) => write!(f, "{}: {element}: {}", self.file, self.message),
            (line, element) => write!(f, "{}:{line}: {element}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for ParseError {}

/// Parses a KSR or SKR. `file` is only used in error messages.
pub fn parse(bytes: &[u8], file: &str, options: &ParseOptions) -> Result<Document, ParseError> {
    parse_with(bytes, file, options, split::Threads::Auto)
}

/// [`parse`] with the element tree built on one thread, and with it split at
/// byte `split` (when a `<` stands there) whatever the input's length. Both
/// must give exactly what [`parse`] gives: the fuzz target `xml` checks it.
#[doc(hidden)]
pub fn parse_both_ways(
    bytes: &[u8],
    file: &str,
    options: &ParseOptions,
    split: usize,
) -> [Result<Document, ParseError>; 2] {
    [
        parse_with(bytes, file, options, split::Threads::One),
        parse_with(bytes, file, options, split::Threads::SplitAt(split)),
    ]
}

fn parse_with(
    bytes: &[u8],
    file: &str,
    options: &ParseOptions,
    threads: split::Threads,
) -> Result<Document, ParseError> {
    if bytes.len() > options.max_size {
        return Err(too_large(file, Some(bytes.len() as u64), options.max_size));
    }
    let line = |pos: usize| line_of(bytes, pos);
    let (tree, ahead) = split::build_reading(bytes, threads, true).map_err(|e| ParseError {
        file: file.to_string(),
        line: line(e.pos),
        element: e.element,
        message: e.message,
    })?;
    read::document(tree.root(), ahead).map_err(|e| ParseError {
        file: file.to_string(),
        line: line(e.pos),
        element: e.element,
        message: e.message,
    })
}

/// Reads and parses a file (size limit checked before reading it all).
pub fn parse_file(path: &Path, options: &ParseOptions) -> Result<Document, ParseError> {
    let bytes = read_limited(path, options)?;
    parse(&bytes, &path.display().to_string(), options)
}

/// Reads a file for any of the parsers, refusing it when it is over
/// `options.max_size` (with a hint to raise `--max-size`).
pub fn read_limited(path: &Path, options: &ParseOptions) -> Result<Vec<u8>, ParseError> {
    read_capped(path, options.max_size).map_err(|mut e| {
        if e.message.contains("over the limit") {
            e.message
                .push_str("; if it is genuine, raise the limit with --max-size");
        }
        e
    })
}

/// Reads at most `max` bytes of a file (KSRs, policies, trust anchors alike):
/// refuses it by its length before reading, and by what was read (at most one
/// byte past the limit) for pipes, devices and files that grow meanwhile.
pub fn read_capped(path: &Path, max: usize) -> Result<Vec<u8>, ParseError> {
    let name = path.display().to_string();
    let io_err = |e: std::io::Error| ParseError {
        file: name.clone(),
        line: 0,
        element: "(file)".into(),
        message: format!("cannot read: {e}"),
    };
    let f = std::fs::File::open(path).map_err(io_err)?;
    let meta = f.metadata().map_err(io_err)?;
    if meta.is_dir() {
        return Err(io_err(std::io::Error::other("it is a directory")));
    }
    if meta.is_file() && meta.len() > max as u64 {
        return Err(over_limit(&name, Some(meta.len()), max));
    }
    // One byte past the limit tells "over" from "exactly at"; saturating, as
    // `--max-size` may be the largest usize (then nothing is over it).
    let cap = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len().min(cap)).unwrap_or(0));
    f.take(cap).read_to_end(&mut bytes).map_err(io_err)?;
    if bytes.len() > max {
        return Err(over_limit(&name, None, max));
    }
    Ok(bytes)
}

/// Writes a document; the same document always gives the same bytes.
///
/// A `Response` needs `ksk_policy` (the format requires a KSK block); a request's
/// `ksk_policy` and a response's `signers` have no place in the format and are not
/// written.
pub fn write(doc: &Document) -> Vec<u8> {
    write::document(doc)
}

/// `len` is None when only "more than the limit" is known (a pipe, a growing file).
fn over_limit(file: &str, len: Option<u64>, max: usize) -> ParseError {
    let size = match len {
        Some(len) => format!("file is {len} bytes,"),
        None => "file is".to_string(),
    };
    ParseError {
        file: file.to_string(),
        line: 0,
        element: "(file)".into(),
        message: format!("{size} over the limit of {max} bytes"),
    }
}

/// [`over_limit`] for a KSR/SKR, whose limit `--max-size` raises.
pub(crate) fn too_large(file: &str, len: Option<u64>, max: usize) -> ParseError {
    let mut e = over_limit(file, len, max);
    e.message
        .push_str("; if it is genuine, raise the limit with --max-size");
    e
}

/// 1-based line of a byte offset.
fn line_of(bytes: &[u8], pos: usize) -> usize {
    let end = pos.min(bytes.len());
    1 + bytes[..end].iter().filter(|b| **b == b'\n').count()
}
