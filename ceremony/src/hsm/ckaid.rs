//! What a key's CKA_ID says about it. PKCS#11 cannot tell RSASHA256 from
//! RSASHA512 (same RSA key), nor a KSK from a ZSK, so keys generated here carry
//! a 16-byte CKA_ID: the marker `DNSSEC`, the algorithm number, the DNSKEY flags
//! (2 bytes, big endian) and 7 random bytes from the token. Backup transport
//! keys carry `TRANSPORT` and 7 random bytes. Keys without a marker (made by
//! other tools) are read by key type instead (see `docs/hsm.md`).

use super::algorithm::Algorithm;

/// The CKA_ID marker of keys this tool generated.
pub const ID_MARKER: &[u8; 6] = b"DNSSEC";
/// The CKA_ID marker of backup transport keys (see `backup`).
pub const TRANSPORT_MARKER: &[u8; 9] = b"TRANSPORT";
/// Random bytes drawn from the token for every new CKA_ID.
pub const RANDOM_LEN: usize = 7;

/// What a CKA_ID marks a key as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marked {
    /// A DNSSEC key of this tool, with its algorithm and DNSKEY flags.
    Dnssec(Algorithm, u16),
    /// A backup transport key.
    Transport,
    /// No marker this tool knows.
    Unmarked,
}

/// The CKA_ID of a new DNSSEC key: marker, algorithm, flags, `random`.
pub fn dnssec_id(algorithm: Algorithm, flags: u16, random: &[u8]) -> Vec<u8> {
    let mut id = ID_MARKER.to_vec();
    id.push(algorithm.number());
    id.extend_from_slice(&flags.to_be_bytes());
    id.extend_from_slice(random);
    id
}

/// The CKA_ID of a new transport key: marker, `random`.
pub fn transport_id(random: &[u8]) -> Vec<u8> {
    let mut id = TRANSPORT_MARKER.to_vec();
    id.extend_from_slice(random);
    id
}

/// Reads algorithm and flags back from a CKA_ID this tool wrote.
pub fn parse_id(id: &[u8]) -> Option<(Algorithm, u16)> {
    if id.len() >= 9 && id.starts_with(ID_MARKER) {
        let alg = Algorithm::from_number(id[6])?;
        let flags = u16::from_be_bytes([id[7], id[8]]);
        return Some((alg, flags));
    }
    None
}

/// What `id` marks its key as.
pub fn classify(id: &[u8]) -> Marked {
    if id.starts_with(TRANSPORT_MARKER) {
        Marked::Transport
    } else if let Some((a, f)) = parse_id(id) {
        Marked::Dnssec(a, f)
    } else {
        Marked::Unmarked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_round_trip() {
        let id = dnssec_id(Algorithm::RsaSha512, 257, &[1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(id.len(), 16);
        assert_eq!(&id[..9], b"DNSSEC\x0a\x01\x01");
        assert_eq!(parse_id(&id), Some((Algorithm::RsaSha512, 257)));
        assert_eq!(classify(&id), Marked::Dnssec(Algorithm::RsaSha512, 257));
        assert_eq!(parse_id(b"\x01\x02"), None);
        assert_eq!(classify(b"\x01\x02"), Marked::Unmarked);
        // An unknown algorithm number behind the marker is not ours.
        assert_eq!(parse_id(b"DNSSEC\x05\x01\x01"), None);
        assert_eq!(classify(&transport_id(&[9; 7])), Marked::Transport);
    }
}
