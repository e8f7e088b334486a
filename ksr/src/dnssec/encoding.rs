//! Public keys between their PKCS#11 form and the DNSKEY public key field:
//! RSA modulus and exponent as RFC 3110 lays them out, EC points as X||Y
//! (RFC 6605), Edwards keys raw (RFC 8080). Pure byte work, no token involved.

/// Length of the public point as PKCS#11 holds it once the DER wrapper is off:
/// `0x04||X||Y` for ECDSA, the raw key for EdDSA. `None` for other algorithms.
pub fn point_len(algorithm: u8) -> Option<usize> {
    match algorithm {
        13 => Some(65),
        14 => Some(97),
        15 => Some(32),
        16 => Some(57),
        _ => None,
    }
}

/// Whether `algorithm` is ECDSA (13, 14): its DNSKEY field drops the `0x04` prefix.
fn is_ecdsa(algorithm: u8) -> bool {
    matches!(algorithm, 13 | 14)
}

/// `b` without its leading zero bytes (PKCS#11 big integers may carry them).
pub fn strip_zeros(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|x| **x == 0).count();
    &b[n..]
}

/// The number of significant bits of a big-endian integer without leading zeros.
pub fn bit_len(b: &[u8]) -> u32 {
    match b.first() {
        None => 0,
        Some(first) => (b.len() as u32 - 1) * 8 + (8 - first.leading_zeros()),
    }
}

/// RFC 3110 section 2 public key field: exponent length (1 byte, or 0 and 2
/// bytes when longer than 255), exponent, modulus.
pub fn rsa_dnskey(exponent: &[u8], modulus: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(3 + exponent.len() + modulus.len());
    if exponent.len() < 256 {
        out.push(exponent.len() as u8);
    } else {
        out.push(0);
        out.extend_from_slice(&(exponent.len() as u16).to_be_bytes());
    }
    out.extend_from_slice(exponent);
    out.extend_from_slice(modulus);
    out
}

/// Splits an RFC 3110 public key field into (exponent, modulus); `None` when
/// the field is too short for the length it announces or has no modulus.
pub fn rsa_parts(field: &[u8]) -> Option<(&[u8], &[u8])> {
    let (len, rest) = match field.first()? {
        0 => (
            u16::from_be_bytes([*field.get(1)?, *field.get(2)?]) as usize,
            &field[3..],
        ),
        n => (*n as usize, &field[1..]),
    };
    if rest.len() <= len {
        return None;
    }
    Some(rest.split_at(len))
}

/// CKA_EC_POINT (a DER OCTET STRING, or the raw point on some tokens) to the
/// DNSKEY field of `algorithm`: X||Y for ECDSA (RFC 6605 section 4), the raw
/// key for EdDSA (RFC 8080 section 3). `None` for a malformed point.
pub fn ec_dnskey(algorithm: u8, point: &[u8]) -> Option<Vec<u8>> {
    let want = point_len(algorithm)?;
    let raw: &[u8] = if point.len() == want {
        point
    } else {
        // DER: tag 0x04, length (short form, or 0x81 and one byte), content.
        match point {
            [0x04, n, rest @ ..] if (*n as usize) < 0x80 && rest.len() == *n as usize => rest,
            [0x04, 0x81, n, rest @ ..] if rest.len() == *n as usize => rest,
            _ => return None,
        }
    };
    if raw.len() != want {
        return None;
    }
    if is_ecdsa(algorithm) {
        (raw[0] == 0x04).then(|| raw[1..].to_vec())
    } else {
        Some(raw.to_vec())
    }
}

/// The DNSKEY field back to CKA_EC_POINT in DER, as SoftHSM and most tokens
/// want it (ECDSA regains its uncompressed-point prefix `0x04`).
pub fn ec_point_der(algorithm: u8, field: &[u8]) -> Vec<u8> {
    let mut raw = Vec::with_capacity(field.len() + 1);
    if is_ecdsa(algorithm) {
        raw.push(0x04);
    }
    raw.extend_from_slice(field);
    let mut der = vec![0x04];
    if raw.len() >= 0x80 {
        der.push(0x81);
    }
    der.push(raw.len() as u8);
    der.extend_from_slice(&raw);
    der
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rsa_field_round_trip() {
        let f = rsa_dnskey(&[1, 0, 1], &[0xc0, 0xff, 0xee]);
        assert_eq!(f, vec![3, 1, 0, 1, 0xc0, 0xff, 0xee]);
        assert_eq!(
            rsa_parts(&f),
            Some((&[1u8, 0, 1][..], &[0xc0u8, 0xff, 0xee][..]))
        );
        // No modulus, or a length beyond the field: refused.
        assert_eq!(rsa_parts(&[3, 1, 0, 1]), None);
        assert_eq!(rsa_parts(&[9, 1]), None);
        assert_eq!(rsa_parts(&[]), None);
    }

    #[test]
    fn rsa_long_exponent_uses_three_length_bytes() {
        let e = vec![1u8; 300];
        let f = rsa_dnskey(&e, &[0xab; 4]);
        assert_eq!(&f[..3], &[0, 1, 44]);
        let (e2, m2) = rsa_parts(&f).unwrap();
        assert_eq!((e2, m2), (&e[..], &[0xab; 4][..]));
    }

    #[test]
    fn bit_lengths_and_zero_stripping() {
        assert_eq!(bit_len(&[0x80, 0]), 16);
        assert_eq!(bit_len(&[0x01, 0]), 9);
        assert_eq!(bit_len(&[]), 0);
        assert_eq!(strip_zeros(&[0, 0, 1, 0]), &[1, 0]);
        assert_eq!(strip_zeros(&[0, 0]), &[] as &[u8]);
    }

    #[test]
    fn ecdsa_point_encodings() {
        let mut raw = vec![0x04];
        raw.extend((0..64).map(|i| i as u8));
        let der = ec_point_der(13, &raw[1..]);
        assert_eq!(&der[..3], &[0x04, 65, 0x04]);
        assert_eq!(ec_dnskey(13, &der).unwrap(), raw[1..].to_vec());
        // Raw (un-wrapped) points are accepted too.
        assert_eq!(ec_dnskey(13, &raw).unwrap(), raw[1..].to_vec());
        // A compressed point (prefix 0x02) is not a DNSKEY encoding.
        let mut compressed = raw.clone();
        compressed[0] = 0x02;
        assert!(ec_dnskey(13, &compressed).is_none());
        // P-384: 97 bytes still fit the short DER length form.
        let mut p384 = vec![0x04];
        p384.extend(std::iter::repeat_n(9u8, 96));
        let der = ec_point_der(14, &p384[1..]);
        assert_eq!(&der[..2], &[0x04, 97]);
        assert_eq!(ec_dnskey(14, &der).unwrap(), p384[1..].to_vec());
    }

    #[test]
    fn eddsa_point_encodings() {
        let ed = [7u8; 32];
        let der = ec_point_der(15, &ed);
        assert_eq!(&der[..2], &[0x04, 32]);
        assert_eq!(ec_dnskey(15, &der).unwrap(), ed.to_vec());
        assert!(ec_dnskey(15, &der[..20]).is_none());
        let ed448 = [3u8; 57];
        assert_eq!(ec_dnskey(16, &ec_point_der(16, &ed448)).unwrap(), ed448);
        assert!(ec_dnskey(8, &ed).is_none(), "RSA has no EC point");
    }

    #[test]
    fn long_der_length_form() {
        let mut point = vec![0x04, 0x81, 32];
        point.extend([5u8; 32]);
        assert_eq!(ec_dnskey(15, &point).unwrap(), vec![5u8; 32]);
        assert_eq!(point_len(8), None);
    }
}
