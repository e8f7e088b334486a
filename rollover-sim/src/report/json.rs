//! JSON output: deterministic (struct field order, sorted maps), times as RFC 3339.

use serde::Serialize;

/// Pretty JSON with a final newline, for stdout (`--json`) and files (`--out`).
pub fn to_bytes<T: Serialize>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    let mut v = serde_json::to_vec_pretty(value)?;
    v.push(b'\n');
    Ok(v)
}

/// [`to_bytes`] as text.
pub fn to_string<T: Serialize>(value: &T) -> Result<String, serde_json::Error> {
    let mut s = serde_json::to_string_pretty(value)?;
    s.push('\n');
    Ok(s)
}

/// The check before a JSON file is renamed into place: it must parse back.
pub fn verify(bytes: &[u8]) -> Result<(), String> {
    serde_json::from_slice::<serde_json::Value>(bytes)
        .map(|_| ())
        .map_err(|e| e.to_string())
}
