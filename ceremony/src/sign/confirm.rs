//! The operator confirms which file is about to be used (the KSR to sign, the
//! transport key of a backup): the tool shows its SHA-256 and PGP words, and the
//! operator types back at least 128 bits of it (issue 11, item 2; the design is
//! in `docs/ceremony.md`, "Confirming a hash"):
//!
//! - the SHA-256 in hex (256 bits), or
//! - all 32 PGP words (256 bits), or
//! - the 16 words at the positions the prompt names (128 bits). The positions
//!   are drawn from the operating system's RNG when the prompt is shown, so a
//!   KSR sender who grinds a KSR cannot know which words will be compared: a
//!   forged KSR passes only if its hash agrees with the genuine one in all 16
//!   bytes asked for (2^-128), whichever they are.
//!
//! The first and last word alone (16 bits) are no longer accepted: a KSR that
//! shares them with the genuine one is found in about 65,000 tries.

use std::io::{BufRead, Write};

use ksr::digest;
use rand::TryRngCore;

use crate::error::{Error, Result};

/// How many of the 32 words the prompt asks for: 16 words of 8 bits each is
/// 128 bits of the SHA-256.
pub const WORDS_ASKED: usize = 16;

/// How the operator confirms the hash.
pub enum Confirmation<'a> {
    /// Non-interactive: the expected SHA-256 in hex, given on the command line.
    Expect(&'a str),
    /// Interactive: ask on `output`, read the answer from `input`.
    Ask {
        input: &'a mut dyn BufRead,
        output: &'a mut dyn Write,
    },
}

/// [`WORDS_ASKED`] distinct word positions (0-based, ascending), drawn from
/// the operating system's RNG at prompt time.
pub fn pick_positions() -> Result<Vec<usize>> {
    let mut os = rand::rngs::OsRng;
    // Fail closed with an error (not a panic in `sample`) when the OS RNG
    // does not answer: without it there is no unpredictable choice.
    let mut probe = [0u8; 8];
    os.try_fill_bytes(&mut probe)
        .map_err(|e| Error::Io(format!("the operating system's RNG: {e}")))?;
    let mut rng = os.unwrap_err();
    let mut positions = rand::seq::index::sample(&mut rng, 32, WORDS_ASKED).into_vec();
    positions.sort_unstable();
    Ok(positions)
}

/// Whether `answer` confirms `digest`: the hex digest, all 32 PGP words in
/// order, or exactly the words at `positions` in that order. Case and the
/// blanks between words do not matter.
pub fn answer_matches(digest: &[u8; 32], positions: &[usize], answer: &str) -> bool {
    let words = digest::pgp_words(digest);
    let given: Vec<String> = answer
        .split_whitespace()
        .map(str::to_ascii_lowercase)
        .collect();
    let same = |g: &String, i: usize| *g == words[i].to_ascii_lowercase();
    match given.len() {
        1 => given[0] == hex::encode(digest),
        32 => given.iter().enumerate().all(|(i, g)| same(g, i)),
        n if n == positions.len() && n >= WORDS_ASKED => {
            given.iter().zip(positions).all(|(g, &i)| same(g, i))
        }
        _ => false,
    }
}

/// The positions as the officer reads them: 1-based, as the hash display numbers the words.
pub fn positions_text(positions: &[usize]) -> String {
    positions
        .iter()
        .map(|p| (p + 1).to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

/// What is being confirmed, for the prompt and the messages.
pub struct Subject<'a> {
    /// The name of the check a mismatch fails, e.g. `KSR-HASH-CONFIRM`.
    pub check: &'static str,
    /// The option that carries the expected hash non-interactively.
    pub flag: &'static str,
    /// The file whose hash it is, as shown to the officer.
    pub file: &'a str,
    /// What the hash is of, for messages: "SHA-256" (of the file).
    pub digest_name: &'static str,
    /// What the officer compares: "the KSR's hash with the submitter's".
    pub compare: &'static str,
    /// What a mismatch means, e.g. "this is not the KSR that was submitted".
    pub mismatch: &'static str,
    /// What did not happen, e.g. "nothing was signed".
    pub outcome: &'static str,
}

impl<'a> Subject<'a> {
    /// The KSR about to be signed (`sign-ksr`).
    pub fn ksr(file: &'a str) -> Subject<'a> {
        Subject {
            check: "KSR-HASH-CONFIRM",
            flag: "--expect-sha256",
            file,
            digest_name: "SHA-256",
            compare: "the KSR's hash with the submitter's",
            mismatch: "this is not the KSR that was submitted",
            outcome: "nothing was signed",
        }
    }
}

/// Confirms that `subject.file`, whose SHA-256 is `digest`, is the one meant.
/// A mismatch is a failed check (exit 1); no answer or a malformed hash is a
/// usage error (exit 2).
pub fn confirm(subject: &Subject, digest: &[u8; 32], how: Confirmation) -> Result<()> {
    let Subject {
        check,
        flag,
        file,
        digest_name,
        mismatch,
        outcome,
        ..
    } = subject;
    match how {
        Confirmation::Expect(hex_expected) => {
            let expected = hex_expected.trim().to_ascii_lowercase();
            if expected.len() != 64 || !expected.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(Error::Input(format!(
                    "{flag} {hex_expected:?} is not a SHA-256 in hex (64 hex digits)"
                )));
            }
            if expected != hex::encode(digest) {
                return Err(Error::CheckFailed(format!(
                    "{check}: {file} has {digest_name} {}, not the expected {expected}; \
                     {mismatch}; {outcome}",
                    hex::encode(digest)
                )));
            }
            Ok(())
        }
        Confirmation::Ask { input, output } => {
            let positions = pick_positions()?;
            ask(subject, digest, &positions, input, output)
        }
    }
}

/// The interactive confirmation with the word positions already picked.
pub fn ask(
    subject: &Subject,
    digest: &[u8; 32],
    positions: &[usize],
    input: &mut dyn BufRead,
    output: &mut dyn Write,
) -> Result<()> {
    let Subject {
        check,
        flag,
        file,
        digest_name,
        compare,
        outcome,
        ..
    } = subject;
    let io = |e: std::io::Error| Error::Io(format!("terminal: {e}"));
    write!(
        output,
        "Compare {compare}, reading the words aloud:\n{}\
         Type the SHA-256 in hex, all 32 words, or the {} words numbered {} (in that order): ",
        digest::read_aloud(digest),
        positions.len(),
        positions_text(positions)
    )
    .map_err(io)?;
    output.flush().map_err(io)?;
    let mut line = String::new();
    if input.read_line(&mut line).map_err(io)? == 0 {
        return Err(Error::Input(format!(
            "no confirmation typed; for non-interactive use give {flag} HEX"
        )));
    }
    if answer_matches(digest, positions, &line) {
        writeln!(output, "Hash confirmed.").map_err(io)?;
        Ok(())
    } else {
        Err(Error::CheckFailed(format!(
            "{check}: the typed answer does not match the {digest_name} of {file} (give the hex, \
             all 32 words, or exactly the {} words asked for); {outcome}",
            positions.len()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hello() -> [u8; 32] {
        digest::sha256(b"hello, world\n")
    }

    const ASKED: [usize; 16] = [0, 2, 3, 5, 8, 9, 12, 14, 17, 19, 20, 23, 26, 28, 29, 31];

    fn at(words: &[&str], positions: &[usize]) -> String {
        positions
            .iter()
            .map(|&p| words[p])
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn accepts_hex_all_words_and_the_words_asked() {
        let d = hello();
        assert!(answer_matches(
            &d,
            &ASKED,
            "853FF93762A06DDBF722C4EBE9DDD66D8F63DDAEA97F521C3ECC20DA7C976020\n"
        ));
        let w = digest::pgp_words(&d);
        assert!(answer_matches(&d, &ASKED, &w.join(" ")));
        assert!(answer_matches(&d, &ASKED, &at(&w, &ASKED).to_uppercase()));
    }

    #[test]
    fn refuses_fewer_than_128_bits_and_wrong_answers() {
        let d = hello();
        let w = digest::pgp_words(&d);
        assert!(!answer_matches(&d, &ASKED, ""));
        // The first and last word: 16 bits, no longer enough.
        assert!(!answer_matches(&d, &ASKED, &format!("{} {}", w[0], w[31])));
        assert!(!answer_matches(&d, &ASKED, &"00".repeat(32)));
        let mut words: Vec<&str> = w.clone();
        words.swap(3, 4);
        assert!(!answer_matches(&d, &ASKED, &words.join(" ")));
        assert!(!answer_matches(&d, &ASKED, &w[..31].join(" ")));
        // The words asked, but one wrong, out of order, or one missing.
        let mut asked: Vec<&str> = ASKED.iter().map(|&p| w[p]).collect();
        asked.reverse();
        assert!(!answer_matches(&d, &ASKED, &asked.join(" ")));
        assert!(!answer_matches(&d, &ASKED, &at(&w, &ASKED[1..])));
        let other = [1, 2, 3, 5, 8, 9, 12, 14, 17, 19, 20, 23, 26, 28, 29, 31];
        assert!(!answer_matches(&d, &ASKED, &at(&w, &other)));
        // A position list shorter than 16 never confirms by words.
        assert!(!answer_matches(
            &d,
            &[0, 31],
            &format!("{} {}", w[0], w[31])
        ));
    }

    #[test]
    fn positions_are_16_distinct_and_drawn_anew() {
        let a = pick_positions().unwrap();
        assert_eq!(a.len(), WORDS_ASKED);
        assert!(a.windows(2).all(|p| p[0] < p[1]) && a[15] < 32, "{a:?}");
        // Two equal draws: 1 in C(32,16), about 6e8.
        let b = pick_positions().unwrap();
        let c = pick_positions().unwrap();
        assert!(a != b || b != c, "{a:?} {b:?} {c:?}");
        assert_eq!(positions_text(&[0, 9, 31]), "1 10 32");
    }

    #[test]
    fn expect_mismatch_is_a_check_failure() {
        let d = hello();
        let e = confirm(
            &Subject::ksr("k.xml"),
            &d,
            Confirmation::Expect(&"ab".repeat(32)),
        )
        .unwrap_err();
        assert_eq!(e.exit_code(), 1);
        assert!(e.to_string().contains("KSR-HASH-CONFIRM"));
        let e = confirm(&Subject::ksr("k.xml"), &d, Confirmation::Expect("xyz")).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        confirm(
            &Subject::ksr("k.xml"),
            &d,
            Confirmation::Expect(&hex::encode(d).to_uppercase()),
        )
        .unwrap();
    }

    #[test]
    fn interactive_prompt_names_the_positions() {
        let d = hello();
        let w = digest::pgp_words(&d);
        let answer = format!("{}\n", at(&w, &ASKED));
        let mut out = Vec::new();
        let mut input: &[u8] = answer.as_bytes();
        ask(&Subject::ksr("k.xml"), &d, &ASKED, &mut input, &mut out).unwrap();
        let shown = String::from_utf8(out).unwrap();
        assert!(shown.contains("music"), "{shown}");
        assert!(
            shown.contains("16 words numbered 1 3 4 6 9 10 13 15 18 20 21 24 27 29 30 32"),
            "{shown}"
        );
        let mut out = Vec::new();
        let mut input: &[u8] = b"music butterfat\n";
        let e = ask(&Subject::ksr("k.xml"), &d, &ASKED, &mut input, &mut out).unwrap_err();
        assert_eq!(e.exit_code(), 1);
        let mut input: &[u8] = b"";
        let e = confirm(
            &Subject::ksr("k.xml"),
            &d,
            Confirmation::Ask {
                input: &mut input,
                output: &mut out,
            },
        )
        .unwrap_err();
        assert_eq!(e.exit_code(), 2);
    }
}
