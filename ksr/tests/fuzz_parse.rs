//! A seeded mutation loop over the real fixtures (IANA XML and the Knot text
//! dialect): whatever the damage, reading answers with a document or an error
//! naming the file, and a document that parses can be checked and written
//! without a panic. Fixed seed, so a failure reproduces; no cargo-fuzz needed.

use ksr::check::{check, Context};
use ksr::policy::Policy;
use ksr::testkit::{date, fixture_path};
use ksr::xml::ParseOptions;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

/// xorshift64*: a tiny deterministic generator (the seed fixes every mutant).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Fragments that have broken parsers before: multi-byte UTF-8 next to fixed
/// width fields, zones, huge numbers, markup, entities, dialect keywords.
const SNIPPETS: &[&str] = &[
    "é",
    "€12345",
    "\u{1F600}",
    "+00:00",
    "-05:00",
    "Z",
    "99999999999999999999999",
    "-1",
    "0",
    "P",
    "PT",
    "P1Y",
    "&amp;",
    "&lt;",
    "&#0;",
    "&#x110000;",
    "&foo;",
    "<",
    ">",
    "\"",
    "'",
    "<![CDATA[x]]>",
    "<!--",
    "-->",
    "<?pi?>",
    "<!ENTITY x \"y\">",
    "</KSR>",
    "<Key/>",
    "\0",
    "\n",
    "\r\n",
    "=",
    "====",
    "AwEAA",
    "DNSKEY",
    "RRSIG",
    "257 3 8",
    ";; SignedKeyResponse 1.0 ",
    ";; KeySigningRequest 1.0 ",
    "IN",
    "(",
    ")",
    "\\",
    ".",
    "..",
];

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(out.len() + 1);
        match rng.below(7) {
            0 => {
                // Overwrite one byte with anything.
                if at < out.len() {
                    out[at] = rng.next() as u8;
                }
            }
            1 => {
                // Delete a short range.
                let end = (at + 1 + rng.below(40)).min(out.len());
                out.drain(at.min(end)..end);
            }
            2 => {
                // Duplicate a range elsewhere (repeated elements, attributes).
                let from = rng.below(out.len());
                let end = (from + 1 + rng.below(200)).min(out.len());
                let chunk = out[from..end].to_vec();
                out.splice(at..at, chunk);
            }
            3 | 4 => {
                // Insert a snippet, most often inside a value (right after a '>').
                let s = SNIPPETS[rng.below(SNIPPETS.len())].as_bytes();
                let pos = if rng.below(2) == 0 {
                    out[at..]
                        .iter()
                        .position(|b| *b == b'>' || *b == b' ')
                        .map_or(at, |p| at + p + 1)
                } else {
                    at
                };
                out.splice(pos..pos, s.iter().copied());
            }
            5 => {
                // Blow a short range up to tens of kilobytes (huge values).
                let from = rng.below(out.len());
                let end = (from + 1 + rng.below(8)).min(out.len());
                let chunk = out[from..end].repeat(1_000 + rng.below(20_000));
                out.splice(end..end, chunk);
            }
            _ => {
                // Truncate.
                out.truncate(at);
            }
        }
    }
    out
}

fn inputs() -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<PathBuf> = [
        "ksr-root-2009-q4-2.xml",
        "ksr-root-2010-q1-0.xml",
        "ksr-root-2017-q2-0.xml",
        "skr-root-2017-q1-0.xml",
        "skr-root-2017-q2-0.xml",
    ]
    .iter()
    .map(|n| fixture_path(n))
    .collect();
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/format_data");
    for n in [
        "knot-example.test.ksr",
        "knot-example.test.skr",
        "knot-cds-example.test.skr",
    ] {
        files.push(data.join(n));
    }
    files
        .into_iter()
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect()
}

/// Parse, and when that works, check and write: none of it may panic.
fn exercise(bytes: &[u8], name: &str, policy: &Policy) -> Result<(), String> {
    match ksr::format::read(bytes, name, &ParseOptions::default()) {
        Err(e) => {
            // A refusal names the file it refuses.
            if e.file != name || e.message.is_empty() {
                return Err(format!("refusal does not name the file: {e}"));
            }
        }
        Ok((doc, format)) => {
            let _ = check(&doc, &Context::new(policy, date("2017-03-20")));
            if !format.is_text() {
                let again = ksr::xml::parse(&ksr::xml::write(&doc), name, &Default::default())
                    .map_err(|e| format!("written document does not re-parse: {e}"))?;
                if again != doc {
                    return Err("written document re-parses to another document".into());
                }
            }
        }
    }
    Ok(())
}

#[test]
fn mutated_fixtures_never_panic() {
    let policy = Policy::root();
    let mut rng = Rng(0x6b73_7266_757a_7a31);
    // KSR_FUZZ_ROUNDS raises the rounds per file for a longer hunt.
    let rounds: usize = std::env::var("KSR_FUZZ_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(400);
    let mut parsed = 0;
    for (name, bytes) in inputs() {
        for round in 0..rounds {
            let mutant = mutate(&mut rng, &bytes);
            let r = catch_unwind(AssertUnwindSafe(|| exercise(&mutant, &name, &policy)));
            let keep = std::env::temp_dir().join("ksr-fuzz-failure");
            match r {
                Ok(Ok(())) => {}
                Ok(Err(why)) => {
                    std::fs::write(&keep, &mutant).unwrap();
                    panic!(
                        "{name} round {round}: {why} (input kept in {})",
                        keep.display()
                    );
                }
                Err(_) => {
                    std::fs::write(&keep, &mutant).unwrap();
                    panic!(
                        "{name} round {round}: panicked (input kept in {})",
                        keep.display()
                    );
                }
            }
            if ksr::format::read(&mutant, &name, &ParseOptions::default()).is_ok() {
                parsed += 1;
            }
        }
    }
    // Some mutants (inside comments, whitespace, equal rewrites) still parse,
    // so the check and write paths were exercised too.
    assert!(parsed > 50, "only {parsed} mutants parsed");
}

#[test]
fn multibyte_text_next_to_a_time_is_refused_not_a_panic() {
    let text = std::fs::read_to_string(fixture_path("ksr-root-2017-q2-0.xml")).unwrap();
    let bad = text.replacen(
        "<Inception>2017-04-01T00:00:00</Inception>",
        "<Inception>2017-04-01T00:00:00é12345</Inception>",
        1,
    );
    let e = ksr::xml::parse(bad.as_bytes(), "utf.xml", &ParseOptions::default()).unwrap_err();
    assert_eq!(e.line, 17, "{e}");
    assert_eq!(e.element, "KSR/Request/RequestBundle/Inception", "{e}");
    assert!(e.message.contains("invalid time"), "{e}");
}
