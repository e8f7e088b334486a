//! JSON output: deterministic (struct field order, sorted maps), times as RFC 3339.

use serde::Serialize;

pub fn to_bytes<T: Serialize>(value: &T) -> Result<Vec<u8>, String> {
    let mut v = serde_json::to_vec_pretty(value).map_err(|e| e.to_string())?;
    v.push(b'\n');
    Ok(v)
}

/// The check before a JSON file is renamed into place: it must parse back.
pub fn verify(bytes: &[u8]) -> Result<(), String> {
    serde_json::from_slice::<serde_json::Value>(bytes)
        .map(|_| ())
        .map_err(|e| e.to_string())
}
