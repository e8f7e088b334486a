//! The one place that knows the three KSR/SKR file formats (docs/formats.md):
//! IANA XML and the offline-KSK text format of Knot DNS and of BIND 9.20.
//!
//! [`Format::detect`] tells them apart by content, [`read`]/[`read_file`] parse
//! any of them into the format-free [`Document`] the checks work on (size cap and
//! `FILE:LINE: element: message` errors included), and [`Format::write`] writes a
//! document back. Every reader of a KSR or SKR in the workspace goes through here.

use crate::dialect::{self, TextDocument};
use crate::model::Document;
use crate::xml::{self, ParseError, ParseOptions};
use std::path::Path;

/// A KSR/SKR file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Format {
    /// IANA KSR/SKR XML (the root zone's format since 2010).
    #[serde(rename = "xml")]
    IanaXml,
    /// Knot DNS text format: snapshot header times in Unix seconds.
    #[serde(rename = "knot")]
    Knot,
    /// BIND 9.20 text format: header times as `YYYYMMDDhhmmss` (UTC).
    #[serde(rename = "bind")]
    Bind,
}

impl Format {
    /// The format of `bytes`: text when the first non-blank character (after
    /// an optional UTF-8 byte order mark) starts a comment, `;` — the `;;` of a
    /// snapshot header or an ordinary `; comment` line before it — else XML.
    /// Which signer wrote a text file shows in its header times, so [`read`]
    /// reports Knot or BIND after parsing.
    pub fn detect(bytes: &[u8]) -> Format {
        let body = without_bom(bytes);
        let first = body.iter().find(|b| !b.is_ascii_whitespace());
        if first == Some(&b';') || dialect::is_text(body) {
            Format::Knot
        } else {
            Format::IanaXml
        }
    }

    /// Whether this is one of the two text formats.
    pub fn is_text(self) -> bool {
        self != Format::IanaXml
    }

    /// `IANA XML`, `Knot text dialect`, `BIND text dialect`.
    pub fn describe(self) -> &'static str {
        match self {
            Format::IanaXml => "IANA XML",
            Format::Knot => "Knot text dialect",
            Format::Bind => "BIND text dialect",
        }
    }

    /// The signer's name for messages: `IANA`, `Knot`, `BIND`.
    pub fn signer(self) -> &'static str {
        match self {
            Format::IanaXml => "IANA",
            Format::Knot => "Knot",
            Format::Bind => "BIND",
        }
    }

    /// `knot` or `bind` as a command line names a text format (`--dialect`).
    pub fn from_dialect_name(name: &str) -> Option<Format> {
        match name.to_ascii_lowercase().as_str() {
            "knot" => Some(Format::Knot),
            "bind" => Some(Format::Bind),
            _ => None,
        }
    }

    /// `doc` in this format; the same document always gives the same bytes.
    /// XML needs a Response to carry a KSK policy block (see [`xml::write`]).
    pub fn write(self, doc: &Document) -> Vec<u8> {
        match self {
            Format::IanaXml => xml::write(doc),
            text => dialect::write(&TextDocument::from_document(doc, text)),
        }
    }
}

/// The UTF-8 byte order mark some editors put at the start of a file.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// `bytes` without a leading byte order mark. It is on line 1, so line
/// numbers in errors stay right. (The XML reader handles its own: XML 1.0
/// allows one before the declaration.)
fn without_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(BOM).unwrap_or(bytes)
}

/// Parses a KSR or SKR in any format, told apart by content. `file` is only
/// used in error messages. A text document has no id: it gets an empty one,
/// and its bundles are named by their snapshot time (`20170411...`).
pub fn read(
    bytes: &[u8],
    file: &str,
    options: &ParseOptions,
) -> Result<(Document, Format), ParseError> {
    match Format::detect(bytes) {
        Format::IanaXml => xml::parse(bytes, file, options).map(|d| (d, Format::IanaXml)),
        _ => {
            let t = read_text(bytes, file, options)?;
            let mut doc = t.to_document("");
            for b in &mut doc.bundles {
                if let Some(time) = b.id.strip_prefix("snapshot-") {
                    b.id = time.to_string();
                }
            }
            Ok((doc, t.flavor))
        }
    }
}

/// Reads a file in any format; the size cap (`options.max_size`) is checked
/// before the file is read whole.
pub fn read_file(path: &Path, options: &ParseOptions) -> Result<(Document, Format), ParseError> {
    read_file_bytes(path, options).map(|(doc, format, _)| (doc, format))
}

/// [`read_file`], also returning the bytes read (for a hash to confirm).
pub fn read_file_bytes(
    path: &Path,
    options: &ParseOptions,
) -> Result<(Document, Format, Vec<u8>), ParseError> {
    let bytes = xml::read_limited(path, options)?;
    let (doc, format) = read(&bytes, &path.display().to_string(), options)?;
    Ok((doc, format, bytes))
}

/// Parses bytes in one of the text formats as written (snapshots and every
/// record, CDS and CDNSKEY included). `file` is only used in error messages.
pub fn read_text(
    bytes: &[u8],
    file: &str,
    options: &ParseOptions,
) -> Result<TextDocument, ParseError> {
    if bytes.len() > options.max_size {
        // The cap is on the file as given, byte order mark included.
        return Err(crate::xml::too_large(
            file,
            Some(bytes.len() as u64),
            options.max_size,
        ));
    }
    dialect::parse(without_bom(bytes), file, options)
}

/// Reads a file in one of the text formats as it is written (snapshots and
/// every record, CDS and CDNSKEY included), for callers that need more than
/// the [`Document`] carries.
pub fn read_text_file(path: &Path, options: &ParseOptions) -> Result<TextDocument, ParseError> {
    let bytes = xml::read_limited(path, options)?;
    read_text(&bytes, &path.display().to_string(), options)
}
