//! Real SoftHSM2 tokens for tests, each directory in its own temp directory
//! with its own `softhsm2.conf`; PINs are unique per directory and also live
//! in files, so tests can pass `--pin-file` and search every output for leaks.
//!
//! Two ways to make a token:
//! - [`SoftHsm::new`] uses SoftHSM's own `softhsm2-util`, so in-process tests of
//!   the `ceremony` library need no binary;
//! - [`SoftHsm::new_by_ceremony`] runs `ceremony hsm init --softhsm`, the way an
//!   officer makes one (the end-to-end tests use it, so that path stays tested).
//!
//! SoftHSM reads `SOFTHSM2_CONF` from the process environment when the module
//! is initialised. Processes get it per command ([`SoftHsm::command`]); tests
//! that load the module in-process hold [`SoftHsm::activate`] while they do.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard};

use ksr::env::FakeEnv;

use crate::process::{ok, stdout, text};

/// Debian's SoftHSM2 module (package `softhsm2`).
pub const SOFTHSM_MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";

/// One SoftHSM2 directory (any number of tokens) with its PINs and PIN files.
pub struct SoftHsm {
    pub dir: tempfile::TempDir,
    /// `DIR/softhsm/softhsm2.conf`, the file `SOFTHSM2_CONF` names.
    pub conf: PathBuf,
    pub pin: String,
    pub so_pin: String,
    pub pin_file: PathBuf,
    pub so_pin_file: PathBuf,
}

/// PINs unique per directory, so a test can search every output for them.
fn fresh_pin(kind: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{kind}-{}-{}-{nanos:09}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

/// The configuration `ceremony hsm init --softhsm` writes (the same text, so
/// either way of making tokens can add to a directory the other started).
fn conf_text(token_dir: &Path) -> String {
    format!(
        "# Written by `ceremony hsm init --softhsm`.\n\
         directories.tokendir = {}\n\
         objectstore.backend = file\n\
         log.level = ERROR\n\
         slots.removable = false\n",
        token_dir.display()
    )
}

/// Held while a test loads the PKCS#11 module in its own process: serialises
/// such tests and points `SOFTHSM2_CONF` at one directory meanwhile.
pub struct Activated<'a> {
    _lock: MutexGuard<'a, ()>,
}

impl Drop for Activated<'_> {
    fn drop(&mut self) {
        std::env::remove_var("SOFTHSM2_CONF");
    }
}

impl SoftHsm {
    /// A directory with PIN files and no token yet.
    pub fn empty() -> SoftHsm {
        let dir = tempfile::tempdir().unwrap();
        let pin = fresh_pin("userpin");
        let so_pin = fresh_pin("sopin");
        let pin_file = dir.path().join("user.pin");
        let so_pin_file = dir.path().join("so.pin");
        crate::write_private(&pin_file, format!("{pin}\n"));
        crate::write_private(&so_pin_file, format!("{so_pin}\n"));
        let conf = dir.path().join("softhsm").join("softhsm2.conf");
        SoftHsm {
            dir,
            conf,
            pin,
            so_pin,
            pin_file,
            so_pin_file,
        }
    }

    /// A new directory with one token labelled `label`, made by `softhsm2-util`.
    pub fn new(label: &str) -> SoftHsm {
        let hsm = SoftHsm::empty();
        hsm.init_token(label);
        hsm
    }

    /// A new directory with one token labelled `label`, made by the `ceremony`
    /// binary exactly as an officer would.
    pub fn new_by_ceremony(label: &str) -> SoftHsm {
        let hsm = SoftHsm::empty();
        hsm.init_token_by_ceremony(label);
        hsm
    }

    /// A copy of this directory, tokens, keys and PINs included, in a new temp
    /// directory with its own `softhsm2.conf`: SoftHSM keeps each token in
    /// plain files, so a test can set up keys once (RSA key generation is slow)
    /// and give every case a token of its own. Copy only while no process has
    /// the tokens open.
    pub fn copy(&self) -> SoftHsm {
        let dir = tempfile::tempdir().unwrap();
        let pin_file = dir.path().join("user.pin");
        let so_pin_file = dir.path().join("so.pin");
        std::fs::copy(&self.pin_file, &pin_file).unwrap();
        std::fs::copy(&self.so_pin_file, &so_pin_file).unwrap();
        let tokens = dir.path().join("softhsm").join("tokens");
        copy_tree(&self.softhsm_dir().join("tokens"), &tokens);
        let conf = dir.path().join("softhsm").join("softhsm2.conf");
        std::fs::write(&conf, conf_text(&tokens.canonicalize().unwrap())).unwrap();
        SoftHsm {
            dir,
            conf,
            pin: self.pin.clone(),
            so_pin: self.so_pin.clone(),
            pin_file,
            so_pin_file,
        }
    }

    /// The SoftHSM directory (holding `softhsm2.conf` and `tokens/`).
    pub fn softhsm_dir(&self) -> PathBuf {
        self.dir.path().join("softhsm")
    }

    /// Initialises one more token with `softhsm2-util`. The PINs are throwaway
    /// test values in a temp directory; `softhsm2-util` only takes them as
    /// arguments.
    pub fn init_token(&self, label: &str) -> Output {
        let tokens = self.softhsm_dir().join("tokens");
        std::fs::create_dir_all(&tokens).unwrap();
        let tokens = tokens.canonicalize().unwrap();
        let text_now = conf_text(&tokens);
        match std::fs::read_to_string(&self.conf) {
            Ok(existing) => assert_eq!(existing, text_now, "{}", self.conf.display()),
            Err(_) => std::fs::write(&self.conf, text_now).unwrap(),
        }
        let o = Command::new("softhsm2-util")
            .args(["--init-token", "--free", "--label", label])
            .args(["--so-pin", &self.so_pin, "--pin", &self.pin])
            .env("SOFTHSM2_CONF", &self.conf)
            .output()
            .expect("softhsm2-util (package softhsm2) runs");
        ok(o)
    }

    /// Initialises one more token with `ceremony hsm init --softhsm` and checks
    /// that it names the `SOFTHSM2_CONF` to use.
    pub fn init_token_by_ceremony(&self, label: &str) -> Output {
        let o = crate::process::command("ceremony")
            .args(["hsm", "init", "--softhsm"])
            .arg(self.softhsm_dir())
            .args(["--label", label, "--so-pin-file"])
            .arg(&self.so_pin_file)
            .arg("--pin-file")
            .arg(&self.pin_file)
            .env_remove("SOFTHSM2_CONF")
            .env_remove("PKCS11_MODULE")
            .output()
            .unwrap();
        let o = ok(o);
        let want = format!(
            "SOFTHSM2_CONF={}",
            self.conf.canonicalize().unwrap().display()
        );
        assert!(
            stdout(&o).contains(&want),
            "expected {want:?}: {}",
            text(&o)
        );
        o
    }

    /// A file or directory inside this SoftHSM's temp directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A fake environment for in-process runs whose `SOFTHSM2_CONF` names
    /// this directory (for code that reads it through `Env::var`).
    pub fn fake_env(&self) -> FakeEnv {
        FakeEnv::new().var("SOFTHSM2_CONF", &self.conf.to_string_lossy())
    }

    /// Points this process's `SOFTHSM2_CONF` at this directory until the guard
    /// drops; one activation at a time per test process.
    pub fn activate(&self) -> Activated<'static> {
        static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
        let lock = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        std::env::set_var("SOFTHSM2_CONF", &self.conf);
        std::env::remove_var("PKCS11_MODULE");
        Activated { _lock: lock }
    }

    /// `ceremony ARGS` as a process with this directory's `SOFTHSM2_CONF`.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = crate::process::command("ceremony");
        c.args(args)
            .env("SOFTHSM2_CONF", &self.conf)
            .env_remove("PKCS11_MODULE");
        c
    }

    /// `ceremony ARGS --token TOKEN --pin-file FILE`.
    pub fn with_token(&self, token: &str, args: &[&str]) -> Command {
        let mut c = self.command(args);
        c.args(["--token", token, "--pin-file"]).arg(&self.pin_file);
        c
    }

    /// Runs `with_token` and returns its output.
    pub fn run(&self, token: &str, args: &[&str]) -> Output {
        self.with_token(token, args).output().unwrap()
    }

    /// `ceremony keygen --label LABEL --algorithm ALG --zone ZONE EXTRA` on
    /// `token`; its output, success or not.
    pub fn keygen(
        &self,
        token: &str,
        label: &str,
        algorithm: &str,
        zone: &str,
        extra: &[&str],
    ) -> Output {
        let mut args = crate::keygen_args(label, algorithm, zone);
        args.extend_from_slice(extra);
        self.run(token, &args)
    }

    /// The tokens of the KSR signing ceremony script
    /// (`scripts/ceremonies/ksr-signing.toml`): `ksk-hsm` with the RSA-2048
    /// root KSK `KSK-CEREMONY`, `zsk` with the ZSKs `Z1`..`Z3`, and their KSR
    /// (`ceremony request`, from 10 to 100 days from today) as `ksr.xml`.
    pub fn ksr_signing() -> (SoftHsm, PathBuf) {
        let hsm = SoftHsm::new_by_ceremony("ksk-hsm");
        let rsa = ["--bits", "2048"];
        ok(hsm.keygen("ksk-hsm", "KSK-CEREMONY", "rsasha256", ".", &rsa));
        hsm.init_token_by_ceremony("zsk");
        for z in ["Z1", "Z2", "Z3"] {
            ok(hsm.keygen(
                "zsk",
                z,
                "rsasha256",
                ".",
                &[&rsa[..], &["--flags", "256"]].concat(),
            ));
        }
        let ksr = hsm.path("ksr.xml");
        let (from, to) = (day_from_today(10), day_from_today(100));
        let args = crate::request_args(
            ".",
            &["Z1", "Z2", "Z3"],
            (&from, &to),
            ksr.to_str().unwrap(),
        );
        ok(hsm.run("zsk", &args));
        (hsm, ksr)
    }

    /// Fails the test if either PIN appears in `text`.
    #[track_caller]
    pub fn assert_no_pin_in(&self, text: &str) {
        assert!(!text.contains(&self.pin), "user PIN leaked: {text}");
        assert!(!text.contains(&self.so_pin), "SO PIN leaked: {text}");
    }

    /// Fails the test if either PIN appears in a process's output.
    #[track_caller]
    pub fn assert_no_pin(&self, o: &Output) {
        self.assert_no_pin_in(&text(o));
    }

    /// Fails the test if either PIN appears in an in-process run's output.
    #[track_caller]
    pub fn assert_no_pin_outcome(&self, o: &crate::Outcome) {
        self.assert_no_pin_in(&o.stdout);
        self.assert_no_pin_in(&o.stderr);
    }

    /// `pkcs11-tool --list-objects --type privkey` on `token`: an independent
    /// reading of the private keys' attributes (OpenSC, not our code).
    pub fn pkcs11_tool_private_keys(&self, token: &str) -> String {
        let o = Command::new("pkcs11-tool")
            .args([
                "--module",
                SOFTHSM_MODULE,
                "--token-label",
                token,
                "--login",
                "--pin",
                &self.pin,
            ])
            .args(["--list-objects", "--type", "privkey"])
            .env("SOFTHSM2_CONF", &self.conf)
            .output()
            .expect("pkcs11-tool (package opensc) runs");
        ok(o).stdout.iter().map(|b| *b as char).collect()
    }
}

/// Copies the directory tree `from` (directories and regular files) to `to`.
/// `YYYY-MM-DD`, `offset` days from today (UTC).
pub fn day_from_today(offset: i64) -> String {
    let d = (time::OffsetDateTime::now_utc() + time::Duration::days(offset)).date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// The attribute lines pkcs11-tool prints for the private key labelled `label`.
pub fn pkcs11_tool_block<'a>(listing: &'a str, label: &str) -> &'a str {
    let needle = format!("label:      {label}\n");
    let at = listing
        .find(&needle)
        .unwrap_or_else(|| panic!("no key {label} in {listing}"));
    let rest = &listing[at..];
    let end = rest.find("Private Key Object").unwrap_or(rest.len());
    &rest[..end]
}

/// Rebuilds the zone, DNSKEY and RRSIG that `ceremony prove --json` printed, so
/// a test can verify the token's signature itself.
pub fn proof_from_json(v: &serde_json::Value) -> (String, ksr::Key, ksr::Signature) {
    use base64::Engine as _;
    let b64 = |s: &serde_json::Value| {
        base64::engine::general_purpose::STANDARD
            .decode(s.as_str().unwrap())
            .unwrap()
    };
    let n = |x: &serde_json::Value| x.as_u64().unwrap();
    let time = |x: &serde_json::Value| ksr::timefmt::parse_at(x.as_str().unwrap()).unwrap();
    let (k, s) = (&v["dnskey"], &v["rrsig"]);
    let key = ksr::Key {
        key_identifier: k["key_identifier"].as_str().unwrap().into(),
        key_tag: n(&k["key_tag"]) as u16,
        ttl: n(&k["ttl"]) as u32,
        flags: n(&k["flags"]) as u16,
        protocol: n(&k["protocol"]) as u8,
        algorithm: n(&k["algorithm"]) as u8,
        public_key: b64(&k["public_key"]),
    };
    let sig = ksr::Signature {
        key_identifier: s["key_identifier"].as_str().unwrap().into(),
        ttl: n(&s["ttl"]) as u32,
        type_covered: s["type_covered"].as_str().unwrap().into(),
        algorithm: n(&s["algorithm"]) as u8,
        labels: n(&s["labels"]) as u8,
        original_ttl: n(&s["original_ttl"]) as u32,
        expiration: time(&s["expiration"]),
        inception: time(&s["inception"]),
        key_tag: n(&s["key_tag"]) as u16,
        signers_name: s["signers_name"].as_str().unwrap().into(),
        signature_data: b64(&s["signature"]),
    };
    (v["zone"].as_str().unwrap().into(), key, sig)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softhsm2_util_makes_a_token_pkcs11_tool_can_log_into() {
        let hsm = SoftHsm::new("ts-direct");
        hsm.init_token("ts-second");
        let o = Command::new("pkcs11-tool")
            .args(["--module", SOFTHSM_MODULE, "--list-token-slots"])
            .env("SOFTHSM2_CONF", &hsm.conf)
            .output()
            .unwrap();
        let listing = stdout(&ok(o));
        assert!(listing.contains("ts-direct"), "{listing}");
        assert!(listing.contains("ts-second"), "{listing}");
        // Logging in with the PIN from the file proves the PIN was set.
        let keys = hsm.pkcs11_tool_private_keys("ts-direct");
        assert!(!keys.contains("Private Key Object"), "{keys}");
        assert_eq!(
            std::fs::read_to_string(&hsm.pin_file).unwrap().trim(),
            hsm.pin
        );
    }

    #[test]
    fn activate_lets_this_process_load_softhsm_and_see_the_token() {
        use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
        let hsm = SoftHsm::new("ts-in-process");
        let labels = {
            let _active = hsm.activate();
            let ctx = Pkcs11::new(SOFTHSM_MODULE).unwrap();
            ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
                .unwrap();
            let labels: Vec<String> = ctx
                .get_slots_with_initialized_token()
                .unwrap()
                .into_iter()
                .map(|s| {
                    ctx.get_token_info(s)
                        .unwrap()
                        .label()
                        .trim_end()
                        .to_string()
                })
                .collect();
            ctx.finalize().unwrap();
            labels
        };
        assert_eq!(labels, ["ts-in-process"]);
        assert!(std::env::var_os("SOFTHSM2_CONF").is_none());
    }

    #[test]
    fn a_copy_has_the_same_tokens_and_pins_and_changes_alone() {
        let hsm = SoftHsm::new("ts-original");
        let copy = hsm.copy();
        assert_eq!(copy.pin, hsm.pin);
        assert_ne!(copy.conf, hsm.conf);
        let conf = std::fs::read_to_string(&copy.conf).unwrap();
        assert!(conf.contains(
            &copy
                .dir
                .path()
                .canonicalize()
                .unwrap()
                .display()
                .to_string()
        ));
        copy.init_token("ts-only-in-copy");
        let slots = |h: &SoftHsm| {
            let o = Command::new("pkcs11-tool")
                .args(["--module", SOFTHSM_MODULE, "--list-token-slots"])
                .env("SOFTHSM2_CONF", &h.conf)
                .output()
                .unwrap();
            stdout(&ok(o))
        };
        let (original, copied) = (slots(&hsm), slots(&copy));
        assert!(original.contains("ts-original") && copied.contains("ts-original"));
        assert!(!original.contains("ts-only-in-copy") && copied.contains("ts-only-in-copy"));
        // The copied token opens with the same PIN.
        let keys = copy.pkcs11_tool_private_keys("ts-original");
        assert!(!keys.contains("Private Key Object"), "{keys}");
    }

    #[test]
    fn pin_leak_check_catches_a_leak() {
        let hsm = SoftHsm::empty();
        let leaked = format!("login with {}", hsm.pin);
        let r = std::panic::catch_unwind(|| hsm.assert_no_pin_in(&leaked));
        assert!(r.is_err());
        hsm.assert_no_pin_in("nothing secret here");
    }
}
