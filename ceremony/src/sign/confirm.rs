//! The operator confirms which file is about to be used (the KSR to sign, the
//! transport key of a backup): the tool shows its SHA-256 and PGP words, and the
//! operator types back the hex digest, all the words, or just the first and last
//! word (as read aloud from the other party's copy).

use std::io::{BufRead, Write};

use ksr::digest;

use crate::error::{Error, Result};

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

/// Whether `answer` confirms `digest`: the hex digest, all PGP words, or the first
/// and last word. Case and surrounding blanks do not matter.
pub fn answer_matches(digest: &[u8; 32], answer: &str) -> bool {
    let words = digest::pgp_words(digest);
    let given: Vec<String> = answer
        .split_whitespace()
        .map(str::to_ascii_lowercase)
        .collect();
    match given.as_slice() {
        [one] => *one == hex::encode(digest),
        [first, last] => {
            *first == words[0].to_ascii_lowercase()
                && *last == words[words.len() - 1].to_ascii_lowercase()
        }
        many => {
            many.len() == words.len()
                && many
                    .iter()
                    .zip(&words)
                    .all(|(g, w)| *g == w.to_ascii_lowercase())
        }
    }
}

/// What is being confirmed, for the prompt and the messages.
pub struct Subject<'a> {
    /// The name of the check a mismatch fails, e.g. `KSR-HASH-CONFIRM`.
    pub check: &'static str,
    /// The option that carries the expected hash non-interactively.
    pub flag: &'static str,
    /// The file whose hash it is, as shown to the officer.
    pub file: &'a str,
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
        compare,
        mismatch,
        outcome,
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
                    "{check}: {file} has SHA-256 {}, not the expected {expected}; {mismatch}; \
                     {outcome}",
                    hex::encode(digest)
                )));
            }
            Ok(())
        }
        Confirmation::Ask { input, output } => {
            let io = |e: std::io::Error| Error::Io(format!("terminal: {e}"));
            write!(
                output,
                "Compare {compare}, reading the words aloud:\n{}\
                 Type the SHA-256 in hex, all 32 words, or the first and last word: ",
                digest::read_aloud(digest)
            )
            .map_err(io)?;
            output.flush().map_err(io)?;
            let mut line = String::new();
            if input.read_line(&mut line).map_err(io)? == 0 {
                return Err(Error::Input(format!(
                    "no confirmation typed; for non-interactive use give {flag} HEX"
                )));
            }
            if answer_matches(digest, &line) {
                writeln!(output, "Hash confirmed.").map_err(io)?;
                Ok(())
            } else {
                Err(Error::CheckFailed(format!(
                    "{check}: the typed answer does not match the SHA-256 of {file}; {outcome}"
                )))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hello() -> [u8; 32] {
        digest::sha256(b"hello, world\n")
    }

    #[test]
    fn accepts_hex_words_and_first_last() {
        let d = hello();
        assert!(answer_matches(
            &d,
            "853FF93762A06DDBF722C4EBE9DDD66D8F63DDAEA97F521C3ECC20DA7C976020\n"
        ));
        let words = digest::pgp_words(&d).join(" ");
        assert!(answer_matches(&d, &words));
        let w = digest::pgp_words(&d);
        assert!(answer_matches(&d, &format!("{} {}", w[0], w[31])));
    }

    #[test]
    fn refuses_wrong_answers() {
        let d = hello();
        let w = digest::pgp_words(&d);
        assert!(!answer_matches(&d, ""));
        assert!(!answer_matches(&d, &format!("{} {}", w[31], w[0])));
        assert!(!answer_matches(&d, &"00".repeat(32)));
        let mut words: Vec<&str> = w.clone();
        words.swap(3, 4);
        assert!(!answer_matches(&d, &words.join(" ")));
        assert!(!answer_matches(&d, &w[..31].join(" ")));
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
    fn interactive_prompt_shows_words() {
        let d = hello();
        let mut out = Vec::new();
        let mut input: &[u8] = b"music butterfat\n";
        let w = digest::pgp_words(&d);
        assert_eq!(w[31], "butterfat", "test vector");
        confirm(
            &Subject::ksr("k.xml"),
            &d,
            Confirmation::Ask {
                input: &mut input,
                output: &mut out,
            },
        )
        .unwrap();
        let shown = String::from_utf8(out).unwrap();
        assert!(shown.contains("music"));
        let mut out = Vec::new();
        let mut input: &[u8] = b"music customer\n";
        let e = confirm(
            &Subject::ksr("k.xml"),
            &d,
            Confirmation::Ask {
                input: &mut input,
                output: &mut out,
            },
        )
        .unwrap_err();
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
