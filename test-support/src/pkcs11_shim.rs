//! `faulty_module`: a tiny PKCS#11 module, built with gcc at test time, that
//! forwards every call to SoftHSM but behaves like hardware SoftHSM does not
//! imitate: a user PIN retry counter that locks, and a token that disappears
//! after N signatures.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::process::text;

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
