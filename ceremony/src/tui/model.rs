//! What the terminal UI shows: the engine's [`State`] as the engine owns it,
//! plus the bundle table of the newest KSR or SKR among the ceremony's
//! artifacts (read by the adapter on the engine's side, not while drawing).
//! The UI never changes it; a new snapshot comes after every change. Strings
//! may come from input files (the script, a KSR): the view escapes them.

use std::path::Path;

use crate::engine::State;

/// One snapshot to draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub state: State,
    pub bundles: Option<BundleTable>,
}

/// The bundle table of one artifact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleTable {
    /// The artifact's name in the script.
    pub artifact: String,
    pub rows: Vec<BundleRow>,
}

/// Keeps the last bundle table, read again only when a newer KSR/SKR
/// artifact (a different SHA-256) appears.
#[derive(Debug, Default)]
pub struct BundleCache {
    seen: Option<String>,
    table: Option<BundleTable>,
}

impl BundleCache {
    /// The snapshot of `state`, with the bundle table of its newest artifact
    /// that reads as a KSR or SKR.
    pub fn snapshot(&mut self, state: &State) -> Snapshot {
        for a in state.artifacts.iter().rev() {
            if self.seen.as_deref() == Some(a.sha256.as_str()) {
                break;
            }
            let opts = ksr::xml::ParseOptions::default();
            if let Ok((doc, _)) = ksr::format::read_file(Path::new(&a.path), &opts) {
                self.seen = Some(a.sha256.clone());
                self.table = Some(BundleTable {
                    artifact: a.name.clone(),
                    rows: bundle_rows(&doc),
                });
                break;
            }
        }
        Snapshot {
            state: state.clone(),
            bundles: self.table.clone(),
        }
    }
}

/// One row of the bundle table, as `ksr inspect` prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleRow {
    pub slot: usize,
    pub short_id: String,
    pub inception: String,
    pub expiration: String,
    /// ZSK key tags, comma separated, `-` for none.
    pub zsk: String,
    /// KSK cells (`R19164/S`), comma separated, `-` for none.
    pub ksk: String,
}

/// The bundle table of a KSR or SKR, as `ksr inspect` lays it out.
pub fn bundle_rows(doc: &ksr::model::Document) -> Vec<BundleRow> {
    doc.bundles
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let signs = |k: &ksr::Key| {
                b.signatures
                    .iter()
                    .any(|s| s.key_identifier == k.key_identifier && s.key_tag == k.key_tag)
            };
            let zsk: Vec<String> = b
                .keys
                .iter()
                .filter(|k| !k.is_ksk())
                .map(|k| k.key_tag.to_string())
                .collect();
            let ksk: Vec<String> = b
                .keys
                .iter()
                .filter(|k| k.is_ksk())
                .map(|k| {
                    format!(
                        "{}{}/{}",
                        if k.is_revoked() { "R" } else { "" },
                        k.key_tag,
                        if signs(k) { "S" } else { "P" }
                    )
                })
                .collect();
            let or_dash = |v: Vec<String>| {
                if v.is_empty() {
                    "-".into()
                } else {
                    v.join(",")
                }
            };
            BundleRow {
                slot: i + 1,
                short_id: ksr::check::short_id(&b.id).to_string(),
                inception: ksr::timefmt::format_human(b.inception),
                expiration: ksr::timefmt::format_human(b.expiration),
                zsk: or_dash(zsk),
                ksk: or_dash(ksk),
            }
        })
        .collect()
}
