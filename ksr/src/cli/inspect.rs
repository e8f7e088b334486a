//! `ksr inspect`: the document header and its bundle table.

use crate::check::short_id;
use crate::env::{exit, Env};
use crate::error::Result;
use crate::escape::terminal;
use crate::format::{self, Format};
use crate::model::{Bundle, Document};
use crate::timefmt::format_human;
use crate::verify::kind_name;
use serde::Serialize;
use std::path::Path;

#[derive(Serialize)]
struct KeyRow {
    tag: u16,
    key_identifier: String,
    flags: u16,
    algorithm: u8,
    revoked: bool,
    /// Whether the bundle carries a signature by this key.
    signs: bool,
}

#[derive(Serialize)]
struct BundleRow {
    slot: usize,
    id: String,
    short_id: String,
    inception: String,
    expiration: String,
    zsks: Vec<KeyRow>,
    ksks: Vec<KeyRow>,
}

#[derive(Serialize)]
struct Inspection {
    file: String,
    kind: &'static str,
    /// `xml`, `knot` or `bind`: which format was read.
    format: Format,
    domain: String,
    id: String,
    serial: u64,
    bundles: Vec<BundleRow>,
}

fn rows(i: usize, b: &Bundle) -> BundleRow {
    let row = |k: &crate::Key| KeyRow {
        tag: k.key_tag,
        key_identifier: k.key_identifier.clone(),
        flags: k.flags,
        algorithm: k.algorithm,
        revoked: k.is_revoked(),
        signs: b
            .signatures
            .iter()
            .any(|s| s.key_identifier == k.key_identifier && s.key_tag == k.key_tag),
    };
    BundleRow {
        slot: i + 1,
        id: b.id.clone(),
        short_id: short_id(&b.id).to_string(),
        inception: format_human(b.inception),
        expiration: format_human(b.expiration),
        zsks: b.keys.iter().filter(|k| !k.is_ksk()).map(row).collect(),
        ksks: b.keys.iter().filter(|k| k.is_ksk()).map(row).collect(),
    }
}

fn inspection(path: &Path, doc: &Document, format: Format) -> Inspection {
    Inspection {
        file: path.display().to_string(),
        kind: kind_name(doc.kind),
        format,
        domain: doc.domain.clone(),
        id: doc.id.clone(),
        serial: doc.serial,
        bundles: doc
            .bundles
            .iter()
            .enumerate()
            .map(|(i, b)| rows(i, b))
            .collect(),
    }
}

/// `19036/S`, `R19164/S`, `20326/P`.
fn ksk_cell(k: &KeyRow) -> String {
    format!(
        "{}{}/{}",
        if k.revoked { "R" } else { "" },
        k.tag,
        if k.signs { "S" } else { "P" }
    )
}

fn text(ins: &Inspection) -> String {
    let (id, serial) = if ins.format.is_text() {
        let none = "(none: the text dialect has no ids)".to_string();
        (none.clone(), "(none)".to_string())
    } else {
        (terminal(&ins.id).into_owned(), ins.serial.to_string())
    };
    let mut out = format!(
        "kind:    {}\nformat:  {}\ndomain:  {}\nid:      {id}\nserial:  {serial}\nbundles: {}\n",
        ins.kind,
        ins.format.describe(),
        terminal(&ins.domain),
        ins.bundles.len()
    );
    let table: Vec<[String; 6]> = ins
        .bundles
        .iter()
        .map(|b| {
            let zsk: Vec<String> = b.zsks.iter().map(|k| k.tag.to_string()).collect();
            let ksk: Vec<String> = b.ksks.iter().map(ksk_cell).collect();
            [
                b.slot.to_string(),
                terminal(&b.short_id).into_owned(),
                b.inception.clone(),
                b.expiration.clone(),
                if zsk.is_empty() {
                    "-".into()
                } else {
                    zsk.join(",")
                },
                if ksk.is_empty() {
                    "-".into()
                } else {
                    ksk.join(",")
                },
            ]
        })
        .collect();
    let header = ["slot", "bundle", "inception", "expiration", "ZSK", "KSK"].map(String::from);
    let mut widths = header.clone().map(|h| h.len());
    for row in &table {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(&table) {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

pub fn run(env: &dyn Env, path: &Path, json: bool, max_size: usize) -> Result<i32> {
    let (doc, format) = format::read_file(path, &crate::xml::ParseOptions { max_size })?;
    let ins = inspection(path, &doc, format);
    if json {
        let json = serde_json::to_string_pretty(&ins).expect("an inspection serializes");
        super::print(env, &format!("{json}\n"))?;
    } else {
        super::print(env, &text(&ins))?;
    }
    Ok(exit::OK)
}
