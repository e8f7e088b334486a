//! IANA KSR/SKR XML (Relax NG schema of 2010): parsing with strict limits and a
//! deterministic writer.
//!
//! - `dom`: quick-xml events to a small element tree (refuses DOCTYPE/entities).
//! - `read`: tree to [`Document`], checking the schema's shape and every value.
//! - `write`: [`Document`] to bytes, the same bytes for the same document.

pub(crate) mod dom;
mod read;
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
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {element}: {message}")]
pub struct ParseError {
    pub file: String,
    pub line: usize,
    /// The element path at fault from the root, e.g. `KSR/Request/RequestBundle/Key/PublicKey`;
    /// an attribute as `KSR/Request/RequestBundle/Key@keyTag`; `(file)` for the file as a whole.
    /// Line 0 means no line applies (unreadable or oversized file).
    pub element: String,
    pub message: String,
}

/// Parses a KSR or SKR. `file` is only used in error messages.
pub fn parse(bytes: &[u8], file: &str, options: &ParseOptions) -> Result<Document, ParseError> {
    if bytes.len() > options.max_size {
        return Err(too_large(file, bytes.len() as u64, options.max_size));
    }
    let line = |pos: usize| line_of(bytes, pos);
    let root = dom::build(bytes).map_err(|e| ParseError {
        file: file.to_string(),
        line: line(e.pos),
        element: e.element,
        message: e.message,
    })?;
    read::document(&root).map_err(|e| ParseError {
        file: file.to_string(),
        line: line(e.pos),
        element: e.element,
        message: e.message,
    })
}

/// Reads and parses a file (size limit checked before reading it all).
pub fn parse_file(path: &Path, options: &ParseOptions) -> Result<Document, ParseError> {
    let name = path.display().to_string();
    let io_err = |e: std::io::Error| ParseError {
        file: name.clone(),
        line: 0,
        element: "(file)".into(),
        message: format!("cannot read: {e}"),
    };
    let f = std::fs::File::open(path).map_err(io_err)?;
    let len = f.metadata().map_err(io_err)?.len();
    if len > options.max_size as u64 {
        return Err(too_large(&name, len, options.max_size));
    }
    // Read at most one byte past the limit, in case the file grows meanwhile.
    let mut bytes = Vec::with_capacity(len as usize);
    f.take(options.max_size as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(io_err)?;
    parse(&bytes, &name, options)
}

/// Writes a document; the same document always gives the same bytes.
///
/// A `Response` needs `ksk_policy` (the format requires a KSK block); a request's
/// `ksk_policy` and a response's `signers` have no place in the format and are not
/// written.
pub fn write(doc: &Document) -> Vec<u8> {
    write::document(doc)
}

fn too_large(file: &str, len: u64, max: usize) -> ParseError {
    ParseError {
        file: file.to_string(),
        line: 0,
        element: "(file)".into(),
        message: format!(
            "file is {len} bytes, over the limit of {max} bytes; if it is genuine, raise the limit with --max-size"
        ),
    }
}

/// 1-based line of a byte offset.
fn line_of(bytes: &[u8], pos: usize) -> usize {
    let end = pos.min(bytes.len());
    1 + bytes[..end].iter().filter(|b| **b == b'\n').count()
}
