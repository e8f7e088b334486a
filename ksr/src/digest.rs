//! SHA-256 of a file and its PGP word rendering, so two people can read a digest
//! aloud and compare it (even/odd word lists guard against swapped or dropped words).

use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::sync::OnceLock;

/// The standard PGP word list, one line per byte: hex, even word, odd word.
const WORDLIST: &str = include_str!("pgp-wordlist.txt");

struct Words {
    even: Vec<&'static str>,
    odd: Vec<&'static str>,
}

fn words() -> &'static Words {
    static WORDS: OnceLock<Words> = OnceLock::new();
    WORDS.get_or_init(|| {
        let mut even = vec![""; 256];
        let mut odd = vec![""; 256];
        let mut seen = [false; 256];
        for line in WORDLIST.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut cols = line.split_whitespace();
            let (Some(hex), Some(e), Some(o), None) =
                (cols.next(), cols.next(), cols.next(), cols.next())
            else {
                panic!("pgp-wordlist.txt: malformed line {line:?}");
            };
            let b = u8::from_str_radix(hex, 16)
                .unwrap_or_else(|_| panic!("pgp-wordlist.txt: bad byte {hex:?}"));
            assert!(!seen[b as usize], "pgp-wordlist.txt: byte {hex} twice");
            seen[b as usize] = true;
            even[b as usize] = e;
            odd[b as usize] = o;
        }
        assert!(
            seen.iter().all(|s| *s),
            "pgp-wordlist.txt: not all 256 bytes present"
        );
        Words { even, odd }
    })
}

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// A UUID-shaped identifier (8-4-4-4-12 lower-case hex) from the first 16
/// bytes of a digest: ids derived from content keep outputs deterministic.
pub fn uuid_shaped(digest: &[u8; 32]) -> String {
    let h = hex::encode(&digest[..16]);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// SHA-256 of everything `reader` yields, read in blocks (a file of any size
/// is hashed without holding it in memory).
pub fn sha256_reader(mut reader: impl std::io::Read) -> std::io::Result<[u8; 32]> {
    let mut hasher = Sha256::new();
    std::io::copy(&mut reader, &mut hasher)?;
    Ok(hasher.finalize().into())
}

/// One PGP word per byte: even positions (0, 2, ...) take the two-syllable list,
/// odd positions the three-syllable list.
pub fn pgp_words(bytes: &[u8]) -> Vec<&'static str> {
    let w = words();
    bytes
        .iter()
        .enumerate()
        .map(|(i, b)| {
            if i % 2 == 0 {
                w.even[*b as usize]
            } else {
                w.odd[*b as usize]
            }
        })
        .collect()
}

/// A digest laid out to be read aloud and compared: the full hex first, then lines
/// of four numbered words, each line with the hex of its four bytes beside it.
///
/// ```text
/// SHA-256 853ff93762a06ddbf722c4ebe9ddd66d8f63ddaea97f521c3ecc20da7c976020
///  1 music        2 customer     3 waffle       4 ...   853ff937
/// ```
pub fn read_aloud(digest: &[u8]) -> String {
    let words = pgp_words(digest);
    let mut out = String::new();
    let _ = writeln!(out, "SHA-256 {}", hex::encode(digest));
    for (row, chunk) in words.chunks(4).enumerate() {
        for (col, word) in chunk.iter().enumerate() {
            let n = row * 4 + col + 1;
            let _ = write!(out, "{n:>2} {word:<12} ");
        }
        // Pad short last rows so the hex column lines up.
        for _ in chunk.len()..4 {
            let _ = write!(out, "{:16}", "");
        }
        let bytes = &digest[row * 4..row * 4 + chunk.len()];
        let _ = writeln!(out, "  {}", hex::encode(bytes));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const HELLO: &str = "853ff93762a06ddbf722c4ebe9ddd66d8f63ddaea97f521c3ecc20da7c976020";

    #[test]
    fn sha256_vector() {
        assert_eq!(hex::encode(sha256(b"hello, world\n")), HELLO);
    }

    #[test]
    fn words_vector() {
        let w = pgp_words(&sha256(b"hello, world\n"));
        assert_eq!(w.len(), 32);
        assert_eq!(&w[..3], &["music", "customer", "waffle"]);
    }

    #[test]
    fn even_and_odd_lists_differ() {
        // The same byte reads differently at even and odd positions.
        let w = pgp_words(&[0x00, 0x00, 0xff, 0xff]);
        assert_eq!(w, vec!["aardvark", "adroitness", "Zulu", "Yucatan"]);
    }

    #[test]
    fn read_aloud_layout() {
        let d = sha256(b"hello, world\n");
        let text = read_aloud(&d);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 9);
        assert_eq!(lines[0], format!("SHA-256 {HELLO}"));
        assert!(lines[1].starts_with(" 1 music"), "{}", lines[1]);
        assert!(lines[1].contains(" 2 customer"));
        assert!(lines[1].ends_with("853ff937"));
        assert!(lines[8].contains("32 "));
        assert!(lines[8].ends_with("7c976020"));
        // Every word of the digest appears, in order.
        let words = pgp_words(&d);
        let mut pos = 0;
        for w in words {
            let at = text[pos..].find(w).expect(w);
            pos += at + w.len();
        }
    }
}
