//! DNSSEC primitives against software keys made by ring, for any zone name.
//! (Checks against the real root fixtures live in format_fixtures.rs.)

use ksr::dnssec::{self, DnssecError, KeySize};
use ksr::model::{flags, Key, Signature};
use ring::rand::SystemRandom;
use ring::signature::{self as sig, EcdsaKeyPair, Ed25519KeyPair, KeyPair};
use time::macros::datetime;

type Signer = Box<dyn Fn(&[u8]) -> Vec<u8>>;

/// A freshly generated software key and a function that signs with it.
struct SoftKey {
    key: Key,
    sign: Signer,
}

fn ecdsa(alg: u8) -> SoftKey {
    let rng = SystemRandom::new();
    let ring_alg = if alg == 13 {
        &sig::ECDSA_P256_SHA256_FIXED_SIGNING
    } else {
        &sig::ECDSA_P384_SHA384_FIXED_SIGNING
    };
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(ring_alg, &rng).unwrap();
    let pair = EcdsaKeyPair::from_pkcs8(ring_alg, pkcs8.as_ref(), &rng).unwrap();
    // ring gives 0x04||X||Y; DNSSEC stores X||Y.
    let public_key = pair.public_key().as_ref()[1..].to_vec();
    SoftKey {
        key: make_key(flags::KSK, alg, public_key),
        sign: Box::new(move |data| {
            pair.sign(&SystemRandom::new(), data)
                .unwrap()
                .as_ref()
                .to_vec()
        }),
    }
}

fn ed25519() -> SoftKey {
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
    let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
    let public_key = pair.public_key().as_ref().to_vec();
    SoftKey {
        key: make_key(flags::KSK, 15, public_key),
        sign: Box::new(move |data| pair.sign(data).as_ref().to_vec()),
    }
}

fn make_key(flags: u16, algorithm: u8, public_key: Vec<u8>) -> Key {
    let mut k = Key {
        key_identifier: format!("soft-{algorithm}"),
        key_tag: 0,
        ttl: 3600,
        flags,
        protocol: 3,
        algorithm,
        public_key,
    };
    k.key_tag = dnssec::key_tag(&k);
    k
}

fn rrsig_for(owner: &str, signer: &Key) -> Signature {
    Signature {
        key_identifier: signer.key_identifier.clone(),
        ttl: 3600,
        type_covered: "DNSKEY".into(),
        algorithm: signer.algorithm,
        labels: dnssec::label_count(owner).unwrap(),
        original_ttl: 3600,
        expiration: datetime!(2030-01-22 0:00 UTC),
        inception: datetime!(2030-01-01 0:00 UTC),
        key_tag: signer.key_tag,
        signers_name: owner.to_string(),
        signature_data: Vec::new(),
    }
}

/// Signs the RRset {zsk, signer} at `owner` with `signer` and checks verification,
/// including that a tampered signature, tampered data and a wrong zone all fail.
fn round_trip(owner: &str, soft: &SoftKey) {
    let zsk = ed25519().key;
    let zsk = make_key(flags::ZSK, zsk.algorithm, zsk.public_key);
    let keys = vec![zsk, soft.key.clone()];
    let mut rrsig = rrsig_for(owner, &soft.key);
    let data = dnssec::signing_data(owner, &rrsig, &keys).unwrap();
    rrsig.signature_data = (soft.sign)(&data);

    dnssec::verify_rrsig(owner, &rrsig, &keys, &soft.key).unwrap();
    // Order of keys in the document does not matter: the RRset is canonicalised.
    let reversed: Vec<Key> = keys.iter().rev().cloned().collect();
    dnssec::verify_rrsig(owner, &rrsig, &reversed, &soft.key).unwrap();
    // Owner case does not matter either.
    dnssec::verify_rrsig(&owner.to_uppercase(), &rrsig, &keys, &soft.key).unwrap();

    let mut bad = rrsig.clone();
    let last = bad.signature_data.len() - 1;
    bad.signature_data[last] ^= 0x01;
    assert_eq!(
        dnssec::verify_rrsig(owner, &bad, &keys, &soft.key),
        Err(DnssecError::BadSignature)
    );
    // Another zone name gives other signing data.
    let other = if owner == "." { "cz." } else { "." };
    let mut moved = rrsig.clone();
    moved.labels = dnssec::label_count(other).unwrap();
    assert_eq!(
        dnssec::verify_rrsig(other, &moved, &keys, &soft.key),
        Err(DnssecError::BadSignature)
    );
    // Dropping a key from the RRset breaks the signature.
    assert_eq!(
        dnssec::verify_rrsig(owner, &rrsig, &keys[1..], &soft.key),
        Err(DnssecError::BadSignature)
    );
    // A shifted expiration breaks it too.
    let mut shifted = rrsig.clone();
    shifted.expiration += time::Duration::seconds(1);
    assert_eq!(
        dnssec::verify_rrsig(owner, &shifted, &keys, &soft.key),
        Err(DnssecError::BadSignature)
    );
}

#[test]
fn ecdsa_p256_any_zone() {
    let k = ecdsa(13);
    assert_eq!(dnssec::key_size(&k.key).unwrap(), KeySize::Ec { bits: 256 });
    for owner in [".", "cz.", "example.test."] {
        round_trip(owner, &k);
    }
}

#[test]
fn ecdsa_p384_any_zone() {
    let k = ecdsa(14);
    assert_eq!(dnssec::key_size(&k.key).unwrap(), KeySize::Ec { bits: 384 });
    for owner in [".", "cz.", "example.test."] {
        round_trip(owner, &k);
    }
}

#[test]
fn ed25519_any_zone() {
    let k = ed25519();
    assert_eq!(
        dnssec::key_size(&k.key).unwrap(),
        KeySize::EdDsa { bits: 256 }
    );
    for owner in [".", "cz.", "example.test."] {
        round_trip(owner, &k);
    }
}

#[test]
fn signature_from_the_wrong_key_fails() {
    let a = ecdsa(13);
    let b = ecdsa(13);
    let keys = vec![a.key.clone(), b.key.clone()];
    let mut rrsig = rrsig_for("example.test.", &a.key);
    rrsig.signature_data = (a.sign)(&dnssec::signing_data("example.test.", &rrsig, &keys).unwrap());
    dnssec::verify_rrsig("example.test.", &rrsig, &keys, &a.key).unwrap();
    assert_eq!(
        dnssec::verify_rrsig("example.test.", &rrsig, &keys, &b.key),
        Err(DnssecError::BadSignature)
    );
}

#[test]
fn signing_data_layout_for_example_test() {
    let k = ed25519().key;
    let rrsig = rrsig_for("Example.TEST.", &k);
    let data = dnssec::signing_data("Example.TEST.", &rrsig, std::slice::from_ref(&k)).unwrap();
    // RRSIG RDATA: type 48, alg 15, labels 2, original TTL 3600.
    assert_eq!(&data[..4], &[0, 48, 15, 2]);
    assert_eq!(&data[4..8], &3600u32.to_be_bytes());
    let exp = datetime!(2030-01-22 0:00 UTC).unix_timestamp() as u32;
    assert_eq!(&data[8..12], &exp.to_be_bytes());
    let inc = datetime!(2030-01-01 0:00 UTC).unix_timestamp() as u32;
    assert_eq!(&data[12..16], &inc.to_be_bytes());
    assert_eq!(&data[16..18], &k.key_tag.to_be_bytes());
    let lower = b"\x07example\x04test\x00";
    // Signer's name, lowercased, then the record: owner lowercased, type, class, TTL, rdlength, rdata.
    assert_eq!(&data[18..18 + lower.len()], lower);
    let rr = &data[18 + lower.len()..];
    assert_eq!(&rr[..lower.len()], lower);
    let rest = &rr[lower.len()..];
    assert_eq!(&rest[..4], &[0, 48, 0, 1]);
    assert_eq!(&rest[4..8], &3600u32.to_be_bytes());
    let rdata = dnssec::dnskey_rdata(&k);
    assert_eq!(&rest[8..10], &(rdata.len() as u16).to_be_bytes());
    assert_eq!(&rest[10..], &rdata[..]);
}

#[test]
fn duplicate_keys_count_once() {
    let k = ed25519();
    let keys = vec![k.key.clone(), k.key.clone()];
    let rrsig = rrsig_for("cz.", &k.key);
    assert_eq!(
        dnssec::signing_data("cz.", &rrsig, &keys).unwrap(),
        dnssec::signing_data("cz.", &rrsig, &keys[..1]).unwrap()
    );
}

#[test]
fn bad_rrsig_fields_are_reported() {
    let k = ed25519().key;
    let mut rrsig = rrsig_for("cz.", &k);
    rrsig.labels = 3;
    assert!(matches!(
        dnssec::signing_data("cz.", &rrsig, std::slice::from_ref(&k)),
        Err(DnssecError::BadRrsig(_))
    ));
    let mut rrsig = rrsig_for("cz.", &k);
    rrsig.type_covered = "NOTATYPE".into();
    assert!(matches!(
        dnssec::signing_data("cz.", &rrsig, std::slice::from_ref(&k)),
        Err(DnssecError::BadRrsig(_))
    ));
}

#[test]
fn malformed_ec_key_is_refused() {
    let mut k = ecdsa(13).key;
    k.public_key.pop();
    assert!(matches!(
        dnssec::verify(&k, b"x", &[0; 64]),
        Err(DnssecError::MalformedKey(_))
    ));
}

#[test]
fn ds_digests() {
    let k = ed25519().key;
    let d2 = dnssec::ds_digest("example.test.", &k, 2).unwrap();
    let d4 = dnssec::ds_digest("example.test.", &k, 4).unwrap();
    assert_eq!(d2.len(), 32);
    assert_eq!(d4.len(), 48);
    // Digest over owner wire name + RDATA (RFC 4034 5.1.4).
    let mut input = dnssec::name_wire("example.test.").unwrap();
    input.extend(dnssec::dnskey_rdata(&k));
    assert_eq!(d2, ksr::digest::sha256(&input).to_vec());
    assert_eq!(d2, dnssec::ds_digest("EXAMPLE.test.", &k, 2).unwrap());
    assert!(dnssec::ds_digest("example.test.", &k, 1).is_err());
}

/// KSK-2010 as published in the real root SKR (extracted by text search so this
/// test does not depend on the XML reader).
fn ksk_2010() -> Key {
    use base64::Engine;
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/iana-root/skr-root-2017-q2-0.xml"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let at = text
        .find("<Key keyIdentifier=\"Kjqmt7v\" keyTag=\"19036\">")
        .unwrap();
    let start = text[at..].find("<PublicKey>").unwrap() + at + "<PublicKey>".len();
    let end = text[start..].find("</PublicKey>").unwrap() + start;
    let pk = base64::engine::general_purpose::STANDARD
        .decode(&text[start..end])
        .unwrap();
    Key {
        key_identifier: "Kjqmt7v".into(),
        key_tag: 19036,
        ttl: 172800,
        flags: flags::KSK,
        protocol: 3,
        algorithm: 8,
        public_key: pk,
    }
}

#[test]
fn root_ksk_2010_tag_size_and_ds() {
    let mut k = ksk_2010();
    assert_eq!(dnssec::key_tag(&k), 19036);
    assert_eq!(
        dnssec::key_size(&k).unwrap(),
        KeySize::Rsa {
            bits: 2048,
            exponent: 65537
        }
    );
    // The DS published for KSK-2010 in root-anchors.xml.
    assert_eq!(
        hex::encode_upper(dnssec::ds_digest(".", &k, 2).unwrap()),
        "49AAC11D7B6F6446702E54A1607371607A1A41855200FD2CE1CDDE32F24E8FB5"
    );
    k.flags = flags::KSK_REVOKED;
    assert_eq!(dnssec::key_tag(&k), 19164);
}

#[test]
fn type_covered_must_be_dnskey() {
    let k = ed25519();
    let keys = vec![k.key.clone()];
    let mut rrsig = rrsig_for("cz.", &k.key);
    let by_name = dnssec::signing_data("cz.", &rrsig, &keys).unwrap();
    rrsig.type_covered = "48".into();
    assert_eq!(dnssec::signing_data("cz.", &rrsig, &keys).unwrap(), by_name);
    rrsig.type_covered = "dnskey".into();
    assert_eq!(dnssec::signing_data("cz.", &rrsig, &keys).unwrap(), by_name);
    rrsig.type_covered = "CDS".into();
    assert!(matches!(
        dnssec::signing_data("cz.", &rrsig, &keys),
        Err(DnssecError::BadRrsig(m)) if m.contains("not the DNSKEY RRset")
    ));
}

#[test]
fn tiny_rsa_key_is_reported_not_just_failed() {
    // 512-bit modulus: below what can be verified; say so instead of "bad signature".
    let mut pk = vec![3, 1, 0, 1];
    pk.push(0x80);
    pk.extend([0x01; 63]);
    let k = make_key(flags::ZSK, 8, pk);
    assert_eq!(
        dnssec::key_size(&k).unwrap(),
        KeySize::Rsa {
            bits: 512,
            exponent: 65537
        }
    );
    assert!(matches!(
        dnssec::verify(&k, b"data", &[0; 64]),
        Err(DnssecError::MalformedKey(m)) if m.contains("512 bits")
    ));
}
