//! SHA-256 of a file and its PGP word rendering, so two people can read a digest
//! aloud and compare it (even/odd word lists guard against swapped or dropped words).
//!
//! STUB: signatures fixed, bodies to be written (owner: ksr-format work).

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    let _ = bytes;
    todo!()
}

/// One PGP word per byte: even positions (0, 2, ...) take the two-syllable list,
/// odd positions the three-syllable list.
pub fn pgp_words(bytes: &[u8]) -> Vec<&'static str> {
    let _ = bytes;
    todo!()
}
