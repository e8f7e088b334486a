//! The typed-back KSR hash covers at least 128 bits (issue 11, item 2). A KSR
//! ground until its SHA-256 shares the first and last PGP word with the
//! genuine KSR's (16 bits, about 65,000 tries) is refused whatever the
//! officer reads from the genuine hash: its first and last word, all its
//! words, or its words at the positions the prompt picked at random.

mod common;
use common::*;

use std::io::{self, Write};
use std::sync::Mutex;

use ksr::env::{Env, Prompter};
use sha2::{Digest, Sha256};

/// A KSR other than the genuine one (another request id) whose SHA-256 has the
/// genuine one's first and last byte: white space after the root element is
/// varied until it does, hashing from a saved midstate.
fn ground_ksr(genuine: &[u8]) -> Vec<u8> {
    let want = ksr::digest::sha256(genuine);
    let text = String::from_utf8(genuine.to_vec()).unwrap();
    let forged = text.replacen(
        "id=\"23e34059-7725-46a8-a7d2-662d657aab2b\"",
        "id=\"00000000-7725-46a8-a7d2-662d657aab2b\"",
        1,
    );
    assert_ne!(forged, text, "the fixture's request id changed");
    let mut mid = Sha256::new();
    mid.update(forged.as_bytes());
    for n in 0u32..(1 << 22) {
        // 22 bits as spaces and tabs, then a newline.
        let tail: String = (0..22)
            .map(|i| if n >> i & 1 == 1 { '\t' } else { ' ' })
            .chain(std::iter::once('\n'))
            .collect();
        let mut h = mid.clone();
        h.update(tail.as_bytes());
        let d: [u8; 32] = h.finalize().into();
        if d[0] == want[0] && d[31] == want[31] {
            let mut bytes = forged.clone().into_bytes();
            bytes.extend_from_slice(tail.as_bytes());
            return bytes;
        }
    }
    panic!("no KSR ground in 2^22 tries (expected about 2^16)");
}

/// An officer who reads the words of `digest` at the positions the prompt
/// names, as they would from the submitter's copy.
struct Reader {
    inner: FakeEnv,
    digest: [u8; 32],
    asked: Mutex<Vec<Vec<usize>>>,
}

impl Prompter for Reader {
    fn line(&self, prompt: &str) -> io::Result<String> {
        let numbers = prompt
            .rsplit_once("words numbered ")
            .and_then(|(_, rest)| rest.split_once(" (in that order)"))
            .map(|(n, _)| n)
            .unwrap_or_else(|| panic!("the prompt names no positions: {prompt}"));
        let positions: Vec<usize> = numbers
            .split_whitespace()
            .map(|n| n.parse::<usize>().unwrap() - 1)
            .collect();
        let words = ksr::digest::pgp_words(&self.digest);
        let answer = positions
            .iter()
            .map(|&p| words[p])
            .collect::<Vec<_>>()
            .join(" ");
        self.asked.lock().unwrap().push(positions);
        Ok(answer)
    }
    fn secret(&self, _prompt: &str) -> io::Result<String> {
        Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "no PIN prompt expected",
        ))
    }
    fn interactive(&self) -> bool {
        true
    }
}

impl Env for Reader {
    fn stdout(&self) -> Box<dyn Write + '_> {
        self.inner.stdout()
    }
    fn stderr(&self) -> Box<dyn Write + '_> {
        self.inner.stderr()
    }
    fn prompter(&self) -> &dyn Prompter {
        self
    }
    fn now(&self) -> ksr::model::Time {
        self.inner.now()
    }
    fn var(&self, name: &str) -> Option<String> {
        Env::var(&self.inner, name)
    }
}

#[test]
fn a_ground_ksr_sharing_first_and_last_word_is_refused() {
    let t = root_ksk_token("confirm-grind");
    let genuine = std::fs::read(fixture(ROOT_KSR)).unwrap();
    let good = ksr::digest::sha256(&genuine);
    let ground = ground_ksr(&genuine);
    let bad = ksr::digest::sha256(&ground);
    let (gw, bw) = (ksr::digest::pgp_words(&good), ksr::digest::pgp_words(&bad));
    assert_ne!(good, bad);
    assert_eq!(
        (gw[0], gw[31]),
        (bw[0], bw[31]),
        "ground to share both words"
    );

    let dir = scratch();
    let ksr_path = dir.path().join("ksr.xml");
    std::fs::write(&ksr_path, &ground).unwrap();
    let skr = dir.path().join("skr.xml");
    let h = hsm();
    let mut args = vec!["ceremony"];
    args.extend(common::root_sign_args(
        s(&ksr_path),
        s(&skr),
        &[
            "--first-in-chain",
            "--token",
            t,
            "--pin-file",
            s(&h.pin_file),
        ],
    ));
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let typed = |answer: &str| {
        let env = FakeEnv::new().answer(answer);
        let code = {
            let _serial = lock();
            ceremony::cli::run(args.clone(), &env)
        };
        (code, env.stderr_text(), env.prompts())
    };

    // The genuine KSR's first and last word: once enough, now refused.
    let (code, err, prompts) = typed(&format!("{} {}", gw[0], gw[31]));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("KSR-HASH-CONFIRM"), "{err}");
    assert!(prompts[0].contains("16 words numbered"), "{prompts:?}");
    assert!(!skr.exists());
    // Even the ground KSR's own first and last word are too few.
    let (code, err, _) = typed(&format!("{} {}", bw[0], bw[31]));
    assert_eq!(code, 1, "{err}");
    // All 32 genuine words: refused.
    let (code, err, _) = typed(&gw.join(" "));
    assert_eq!(code, 1, "{err}");
    assert!(!skr.exists());

    // Reading the genuine words at the positions asked: refused, and the
    // positions differ from one prompt to the next.
    let reader = |digest: [u8; 32]| Reader {
        inner: FakeEnv::new(),
        digest,
        asked: Mutex::new(Vec::new()),
    };
    let mut asked = Vec::new();
    for _ in 0..2 {
        let r = reader(good);
        let code = {
            let _serial = lock();
            ceremony::cli::run(args.clone(), &r)
        };
        assert_eq!(code, 1, "{}", r.inner.stderr_text());
        assert!(!skr.exists());
        let mut a = r.asked.into_inner().unwrap();
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].len(), 16);
        asked.push(a.remove(0));
    }
    assert_ne!(
        asked[0], asked[1],
        "positions are drawn anew at each prompt"
    );

    // The words of the KSR actually given, at the positions asked: signed.
    let r = reader(bad);
    let code = {
        let _serial = lock();
        ceremony::cli::run(args.clone(), &r)
    };
    assert_eq!(code, 0, "{}", r.inner.stderr_text());
    assert!(skr.exists());
}
