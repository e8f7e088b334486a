//! Typed-back hash confirmations (`crate::sign::confirm`) asked through the
//! caller's [`Prompter`], so a terminal, a UI or a test answers them alike.

use ksr::env::Prompter;

use crate::error::Result;
use crate::sign::confirm::{self, Confirmation, Subject};

/// Confirms a file's SHA-256: against `expect` (hex) when given, else by asking
/// at the prompter (hex, all 32 PGP words, or the 16 words at the positions the
/// prompt picks).
pub(super) fn confirm_digest(
    subject: &Subject,
    digest: &[u8; 32],
    expect: Option<&str>,
    prompter: &dyn Prompter,
) -> Result<()> {
    with_confirmation(expect, prompter, |how| {
        confirm::confirm(subject, digest, how)
    })
}

/// Calls `f` with the [`Confirmation`] for `expect` (hex given up front) or,
/// without it, one that asks at `prompter`.
pub(super) fn with_confirmation<R>(
    expect: Option<&str>,
    prompter: &dyn Prompter,
    f: impl FnOnce(Confirmation) -> R,
) -> R {
    match expect {
        Some(hex) => f(Confirmation::Expect(hex)),
        None => {
            let prompt = std::cell::RefCell::new(Some(Vec::new()));
            let mut input = AnswerReader {
                prompt: &prompt,
                prompter,
                answer: None,
                read: 0,
            };
            let mut output = PromptWriter(&prompt);
            f(Confirmation::Ask {
                input: &mut input,
                output: &mut output,
            })
        }
    }
}

/// Adapts a [`Prompter`] to the reader/writer pair a [`Confirmation::Ask`]
/// takes: what is written before the answer is read becomes the prompt; text
/// written after it ("Hash confirmed.") is not a question and is dropped.
struct AnswerReader<'a> {
    /// The prompt so far; `None` once the answer was asked for.
    prompt: &'a std::cell::RefCell<Option<Vec<u8>>>,
    prompter: &'a dyn Prompter,
    answer: Option<Vec<u8>>,
    read: usize,
}

struct PromptWriter<'a>(&'a std::cell::RefCell<Option<Vec<u8>>>);

impl std::io::Write for PromptWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Some(p) = self.0.borrow_mut().as_mut() {
            p.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl std::io::Read for AnswerReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = {
            let available = std::io::BufRead::fill_buf(self)?;
            let n = available.len().min(buf.len());
            buf[..n].copy_from_slice(&available[..n]);
            n
        };
        std::io::BufRead::consume(self, n);
        Ok(n)
    }
}

impl std::io::BufRead for AnswerReader<'_> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.answer.is_none() {
            let prompt = self.prompt.borrow_mut().take().unwrap_or_default();
            let answer = match self.prompter.line(&String::from_utf8_lossy(&prompt)) {
                Ok(mut line) => {
                    line.push('\n');
                    line.into_bytes()
                }
                // Nothing typed: an empty read, which the confirmation reports.
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Vec::new(),
                Err(e) => return Err(e),
            };
            self.answer = Some(answer);
        }
        let answer = self.answer.as_deref().unwrap_or_default();
        Ok(&answer[self.read.min(answer.len())..])
    }

    fn consume(&mut self, amt: usize) {
        self.read += amt;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ksr::env::FakeEnv;

    #[test]
    fn confirmation_asks_at_the_prompter() {
        let d = ksr::digest::sha256(b"hello, world\n");
        let w = ksr::digest::pgp_words(&d);
        let env = FakeEnv::new().answer(&w.join(" "));
        let subject = Subject::ksr("k.xml");
        confirm_digest(&subject, &d, None, &env).unwrap();
        let prompts = env.prompts();
        assert_eq!(prompts.len(), 1);
        assert!(
            prompts[0].contains(w[0]) && prompts[0].ends_with("(in that order): "),
            "{prompts:?}"
        );
        // The first and last word are no longer enough (exit 1); no answer is
        // a usage error.
        let env = FakeEnv::new().answer(&format!("{} {}", w[0], w[31]));
        assert_eq!(
            confirm_digest(&subject, &d, None, &env)
                .unwrap_err()
                .exit_code(),
            1
        );
        let env = FakeEnv::new();
        assert_eq!(
            confirm_digest(&subject, &d, None, &env)
                .unwrap_err()
                .exit_code(),
            2
        );
    }
}
