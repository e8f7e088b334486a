//! Real SoftHSM2 tokens for end-to-end tests, each in its own temp directory
//! with its own `SOFTHSM2_CONF`, made by `ceremony hsm init --softhsm`; PINs live
//! in files. Also builds `faulty_module`, a tiny PKCS#11 module that forwards
//! every call to SoftHSM but behaves like hardware SoftHSM does not imitate:
//! a user PIN retry counter that locks, and a token that disappears after N
//! signatures.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

/// Debian's SoftHSM2 module.
pub const SOFTHSM_MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";

/// One SoftHSM2 directory (any number of tokens) with PIN files.
pub struct SoftHsm {
    pub dir: tempfile::TempDir,
    pub conf: PathBuf,
    pub pin: String,
    pub so_pin: String,
    pub pin_file: PathBuf,
    pub so_pin_file: PathBuf,
}

/// Status, stdout and stderr, for assertion messages.
pub fn text(o: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts success and returns the output.
pub fn ok(o: Output) -> Output {
    assert!(o.status.success(), "command failed: {}", text(&o));
    o
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

impl SoftHsm {
    /// A new directory with one initialised token labelled `label`.
    pub fn new(label: &str) -> SoftHsm {
        let dir = tempfile::tempdir().unwrap();
        let pin = fresh_pin("userpin");
        let so_pin = fresh_pin("sopin");
        let pin_file = dir.path().join("user.pin");
        let so_pin_file = dir.path().join("so.pin");
        std::fs::write(&pin_file, format!("{pin}\n")).unwrap();
        std::fs::write(&so_pin_file, format!("{so_pin}\n")).unwrap();
        let conf = dir.path().join("softhsm").join("softhsm2.conf");
        let hsm = SoftHsm {
            dir,
            conf,
            pin,
            so_pin,
            pin_file,
            so_pin_file,
        };
        hsm.init_token(label);
        hsm
    }

    /// Initialises one more token in this directory.
    pub fn init_token(&self, label: &str) -> Output {
        let o = Command::new(crate::binary("ceremony"))
            .args(["hsm", "init", "--softhsm"])
            .arg(self.dir.path().join("softhsm"))
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

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `ceremony ARGS` with this directory's `SOFTHSM2_CONF`.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(crate::binary("ceremony"));
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

    /// Fails the test if either PIN appears in `o`.
    pub fn assert_no_pin(&self, o: &Output) {
        for out in [stdout(o), stderr(o)] {
            assert!(!out.contains(&self.pin), "user PIN leaked: {}", text(o));
            assert!(!out.contains(&self.so_pin), "SO PIN leaked: {}", text(o));
        }
    }

    /// `pkcs11-tool --list-objects --type privkey` on `token`: an independent reading
    /// of the private keys' attributes (OpenSC, not our code).
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

/// Rebuilds the zone, DNSKEY and RRSIG that `ceremony prove --json` printed, so a
/// test can verify the token's signature itself.
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

const FAULTY_C: &str = r#"
/* A PKCS#11 module that forwards to a real one (FAULTY_TARGET, default
 * SoftHSM2) and adds two behaviours of real hardware:
 *  - a user PIN retry counter kept in the file FAULTY_STATE: after
 *    FAULTY_MAX_TRIES (default 3) wrong PINs, C_Login answers CKR_PIN_LOCKED
 *    and C_GetTokenInfo reports CKF_USER_PIN_LOCKED;
 *  - FAULTY_SIGN_LIMIT=N: after N successful C_Sign calls in a process the
 *    token is gone: C_Sign and C_SignInit answer CKR_DEVICE_REMOVED. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <p11-kit/pkcs11.h>

static CK_FUNCTION_LIST_PTR real;
static CK_FUNCTION_LIST shim;
static unsigned long signs;

static long env_long(const char *name, long dflt) {
    const char *v = getenv(name);
    return v && *v ? strtol(v, NULL, 10) : dflt;
}

static long failures(void) {
    const char *path = getenv("FAULTY_STATE");
    long n = 0;
    if (!path) return 0;
    FILE *f = fopen(path, "r");
    if (f) { if (fscanf(f, "%ld", &n) != 1) n = 0; fclose(f); }
    return n;
}

static void set_failures(long n) {
    const char *path = getenv("FAULTY_STATE");
    if (!path) return;
    FILE *f = fopen(path, "w");
    if (f) { fprintf(f, "%ld\n", n); fclose(f); }
}

static int locked(void) { return failures() >= env_long("FAULTY_MAX_TRIES", 3); }

static CK_RV shim_login(CK_SESSION_HANDLE s, CK_USER_TYPE u, CK_UTF8CHAR_PTR pin, CK_ULONG len) {
    if (u == CKU_USER && locked()) return CKR_PIN_LOCKED;
    CK_RV rv = real->C_Login(s, u, pin, len);
    if (u == CKU_USER) {
        if (rv == CKR_PIN_INCORRECT) set_failures(failures() + 1);
        else if (rv == CKR_OK) set_failures(0);
        if (rv == CKR_PIN_INCORRECT && locked()) return CKR_PIN_LOCKED;
    }
    return rv;
}

static CK_RV shim_token_info(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info) {
    CK_RV rv = real->C_GetTokenInfo(slot, info);
    if (rv == CKR_OK && locked()) info->flags |= CKF_USER_PIN_LOCKED;
    return rv;
}

static int gone(void) {
    long limit = env_long("FAULTY_SIGN_LIMIT", -1);
    return limit >= 0 && (long)signs >= limit;
}

static CK_RV shim_sign_init(CK_SESSION_HANDLE s, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k) {
    if (gone()) return CKR_DEVICE_REMOVED;
    return real->C_SignInit(s, m, k);
}

static CK_RV shim_sign(CK_SESSION_HANDLE s, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR sig, CK_ULONG_PTR sl) {
    if (gone()) return CKR_DEVICE_REMOVED;
    CK_RV rv = real->C_Sign(s, d, dl, sig, sl);
    if (rv == CKR_OK && sig != NULL) signs++;
    return rv;
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR out) {
    if (!real) {
        const char *target = getenv("FAULTY_TARGET");
        void *h = dlopen(target && *target ? target : "/usr/lib/softhsm/libsofthsm2.so", RTLD_NOW | RTLD_LOCAL);
        if (!h) return CKR_GENERAL_ERROR;
        CK_C_GetFunctionList get = (CK_C_GetFunctionList)dlsym(h, "C_GetFunctionList");
        if (!get || get(&real) != CKR_OK) return CKR_GENERAL_ERROR;
        shim = *real;
        shim.C_Login = shim_login;
        shim.C_GetTokenInfo = shim_token_info;
        shim.C_SignInit = shim_sign_init;
        shim.C_Sign = shim_sign;
    }
    *out = &shim;
    return CKR_OK;
}
"#;

/// Builds the faulty module (needs gcc and p11-kit's pkcs11.h) into `dir` and
/// returns its path. Configure it per process with FAULTY_STATE, FAULTY_MAX_TRIES,
/// FAULTY_SIGN_LIMIT (see the C source above).
pub fn faulty_module(dir: &Path) -> PathBuf {
    let src = dir.join("faulty-pkcs11.c");
    let lib = dir.join("libfaulty-pkcs11.so");
    std::fs::write(&src, FAULTY_C).unwrap();
    let o = Command::new("gcc")
        .args(["-shared", "-fPIC", "-O1", "-I/usr/include/p11-kit-1", "-o"])
        .arg(&lib)
        .arg(&src)
        .arg("-ldl")
        .output()
        .expect("gcc runs");
    assert!(
        o.status.success(),
        "building the faulty module failed: {}",
        text(&o)
    );
    lib
}
