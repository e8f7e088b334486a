//! `faulty_module`: a small PKCS#11 module, built with gcc at test time, that
//! forwards every call to SoftHSM and injects what SoftHSM itself never does:
//! a user PIN retry counter that locks, a token that disappears after N
//! signatures, and a fault matrix: any forwarded PKCS#11 function failing on
//! its Nth call with a chosen return value, once or for good.
//!
//! Configured per process through environment variables, read once when the
//! module is loaded. Set them on a child `Command`, never on the test process:
//! tests run in parallel threads and share one environment.
//! - `FAULTY_FAIL=FUNC:N:RV[:MODE][,...]` (build it with [`Fault`]): the Nth call
//!   (1-based, counted per process) of `FUNC` answers `RV` (a `CKR_` name).
//!   MODE `once` (default): only that call fails, as after a transient device
//!   error; `stays`: that call and every later call of any forwarded function
//!   answer `RV`, as when the token is pulled or the session is lost for good.
//!   A fifth field `FUNC:N:RV:MODE:AFTER` counts only the calls made once
//!   `AFTER` was first called (the first read-back after key generation).
//!   For `C_Sign` and `C_WrapKey` only calls that produce output count (length
//!   queries pass through), so `C_Sign:3` is the third signature; a failed
//!   `C_Sign` still completes the real one, as a token ends an operation it
//!   reports an error for.
//! - `FAULTY_LOG=FILE`: appends `FUNC N RV` for every fault fired, so a test can
//!   show its fault fired where it meant it to.
//! - `FAULTY_TRACE=FILE`: appends every forwarded call's name (to choose N).
//! - `FAULTY_SIGNED=FILE`: appends the session handle of every signature made,
//!   so a test can show that several sessions signed.
//!
//! Calls are counted across the whole process with atomic counters: with
//! several sessions signing on several threads, `C_Sign:3` is still the third
//! signature the process asked for, whichever session asked.
//! - `FAULTY_STATE`, `FAULTY_MAX_TRIES`: the user PIN retry counter.
//! - `FAULTY_SIGN_LIMIT=N`: after N signatures `C_SignInit` and `C_Sign` answer
//!   `CKR_DEVICE_REMOVED`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::process::text;

/// The functions the module forwards through its fault hook (every function
/// `ceremony` calls on a token); the others go straight to SoftHSM.
pub const FORWARDED: [&str; 24] = [
    "C_GetSlotList",
    "C_GetTokenInfo",
    "C_GetMechanismList",
    "C_GetMechanismInfo",
    "C_OpenSession",
    "C_CloseSession",
    "C_GetSessionInfo",
    "C_Login",
    "C_Logout",
    "C_CreateObject",
    "C_DestroyObject",
    "C_GetAttributeValue",
    "C_SetAttributeValue",
    "C_FindObjectsInit",
    "C_FindObjects",
    "C_FindObjectsFinal",
    "C_SignInit",
    "C_Sign",
    "C_GenerateKey",
    "C_GenerateKeyPair",
    "C_WrapKey",
    "C_UnwrapKey",
    "C_GenerateRandom",
    "C_SeedRandom",
];

/// Whether an injected failure is a single bad answer or the token's end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Only the Nth call fails.
    Once,
    /// The Nth call and every later call of every forwarded function fail.
    Stays,
}

/// One injected failure: the `n`th call of `function` (counted from the first
/// call of `after`, if set) answers `rv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    pub function: &'static str,
    pub n: u32,
    pub rv: &'static str,
    pub mode: Mode,
    /// Count only calls made once this function was called: "the first
    /// `C_GetAttributeValue` after `C_GenerateKeyPair`", whatever came before.
    pub after: Option<&'static str>,
}

impl Fault {
    /// The `n`th call of `function` answers `rv`, once.
    pub const fn once(function: &'static str, n: u32, rv: &'static str) -> Fault {
        Fault {
            function,
            n,
            rv,
            mode: Mode::Once,
            after: None,
        }
    }

    /// From the `n`th call of `function` on, every forwarded call answers `rv`.
    pub const fn stays(function: &'static str, n: u32, rv: &'static str) -> Fault {
        Fault {
            function,
            n,
            rv,
            mode: Mode::Stays,
            after: None,
        }
    }

    /// The same fault, counting only calls made after `function` was first called.
    pub const fn after(self, function: &'static str) -> Fault {
        Fault {
            after: Some(function),
            ..self
        }
    }

    /// The `FAULTY_FAIL` value for these faults.
    pub fn env_value(faults: &[Fault]) -> String {
        faults
            .iter()
            .map(|f| f.to_string())
            .collect::<Vec<_>>()
            .join(",")
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mode = match self.mode {
            Mode::Once => "once",
            Mode::Stays => "stays",
        };
        write!(f, "{}:{}:{}:{mode}", self.function, self.n, self.rv)?;
        match self.after {
            Some(a) => write!(f, ":{a}"),
            None => Ok(()),
        }
    }
}

const FAULTY_C: &str = r#"
/* A PKCS#11 module that forwards to a real one (FAULTY_TARGET, default
 * SoftHSM2) and adds behaviours of real hardware; the Rust side
 * (test-support/src/pkcs11_shim.rs) documents the variables:
 *  - FAULTY_FAIL: the Nth call of a function answers a chosen CKR_, once or
 *    from then on for every forwarded function;
 *  - FAULTY_LOG, FAULTY_TRACE: what fired, every call;
 *  - a user PIN retry counter kept in the file FAULTY_STATE: after
 *    FAULTY_MAX_TRIES (default 3) wrong PINs, C_Login answers CKR_PIN_LOCKED
 *    and C_GetTokenInfo reports CKF_USER_PIN_LOCKED;
 *  - FAULTY_SIGN_LIMIT=N: after N successful C_Sign calls in a process the
 *    token is gone: C_Sign and C_SignInit answer CKR_DEVICE_REMOVED. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <p11-kit/pkcs11.h>

#define FORWARDED(X) X(C_GetSlotList) X(C_GetTokenInfo) X(C_GetMechanismList) \
    X(C_GetMechanismInfo) X(C_OpenSession) X(C_CloseSession) X(C_GetSessionInfo) \
    X(C_Login) X(C_Logout) X(C_CreateObject) X(C_DestroyObject) \
    X(C_GetAttributeValue) X(C_SetAttributeValue) X(C_FindObjectsInit) \
    X(C_FindObjects) X(C_FindObjectsFinal) X(C_SignInit) X(C_Sign) \
    X(C_GenerateKey) X(C_GenerateKeyPair) X(C_WrapKey) X(C_UnwrapKey) \
    X(C_GenerateRandom) X(C_SeedRandom)
#define AS_INDEX(n) I_##n,
#define AS_NAME(n) #n,
enum { FORWARDED(AS_INDEX) N_FORWARDED };
static const char *const names[] = { FORWARDED(AS_NAME) };

static const struct { const char *name; CK_RV rv; } rvs[] = {
#define RV(n) { #n, n },
    RV(CKR_HOST_MEMORY) RV(CKR_GENERAL_ERROR) RV(CKR_FUNCTION_FAILED)
    RV(CKR_DEVICE_ERROR) RV(CKR_DEVICE_MEMORY) RV(CKR_DEVICE_REMOVED)
    RV(CKR_SESSION_CLOSED) RV(CKR_SESSION_HANDLE_INVALID) RV(CKR_TOKEN_NOT_PRESENT)
    RV(CKR_PIN_INCORRECT) RV(CKR_PIN_LOCKED) RV(CKR_USER_NOT_LOGGED_IN)
    RV(CKR_KEY_HANDLE_INVALID) RV(CKR_OPERATION_NOT_INITIALIZED)
    RV(CKR_WRAPPED_KEY_INVALID) RV(CKR_UNWRAPPING_KEY_HANDLE_INVALID)
    RV(CKR_TEMPLATE_INCONSISTENT)
#undef RV
};

#define MAX_FAULTS 8
/* A fault counts calls of fn (once `after` was entered, if set) and fires on the nth. */
static struct { int fn, after; unsigned long n, seen; CK_RV rv; int stays; } faults[MAX_FAULTS];
static int n_faults;
static unsigned long entered[N_FORWARDED];
static CK_RV gone_rv; /* set once a `stays` fault fired */

static CK_FUNCTION_LIST_PTR real;
static CK_FUNCTION_LIST shim;
static unsigned long signs;

static void append(const char *var, const char *line) {
    const char *path = getenv(var);
    if (!path || !*path) return;
    FILE *f = fopen(path, "a");
    if (f) { fputs(line, f); fclose(f); }
}

static const char *rv_name(CK_RV rv) {
    for (size_t i = 0; i < sizeof rvs / sizeof rvs[0]; i++)
        if (rvs[i].rv == rv) return rvs[i].name;
    return "CKR_?";
}

/* Parses FAULTY_FAIL; 0 when well-formed (or absent). */
static int parse_faults(void) {
    const char *v = getenv("FAULTY_FAIL");
    if (!v || !*v) return 0;
    char *copy = strdup(v), *save = NULL;
    int bad = 0;
    for (char *item = strtok_r(copy, ",", &save); item && !bad; item = strtok_r(NULL, ",", &save)) {
        char fn[64], rv[64], mode[16] = "once", after[64] = "";
        unsigned long n = 0;
        int got = sscanf(item, "%63[^:]:%lu:%63[^:]:%15[^:]:%63s", fn, &n, rv, mode, after);
        int fi = -1, ri = -1, ai = -1;
        for (int i = 0; i < N_FORWARDED; i++) {
            if (!strcmp(fn, names[i])) fi = i;
            if (!strcmp(after, names[i])) ai = i;
        }
        for (size_t i = 0; i < sizeof rvs / sizeof rvs[0]; i++) if (!strcmp(rv, rvs[i].name)) ri = (int)i;
        int stays = !strcmp(mode, "stays");
        if (got < 3 || fi < 0 || ri < 0 || n == 0 || (!stays && strcmp(mode, "once"))
            || (*after && ai < 0) || n_faults == MAX_FAULTS) {
            fprintf(stderr, "faulty module: cannot use FAULTY_FAIL item \"%s\" (FUNC:N:CKR_NAME[:once|stays[:AFTER_FUNC]])\n", item);
            bad = 1;
            break;
        }
        faults[n_faults].fn = fi;
        faults[n_faults].after = ai;
        faults[n_faults].seen = 0;
        faults[n_faults].n = n;
        faults[n_faults].rv = rvs[ri].rv;
        faults[n_faults].stays = stays;
        n_faults++;
    }
    free(copy);
    return bad;
}

/* The answer a forwarded call gets before reaching SoftHSM: CKR_OK to go on. */
static CK_RV fault(int fn, int counted) {
    char line[128];
    if (getenv("FAULTY_TRACE")) {
        snprintf(line, sizeof line, "%s\n", names[fn]);
        append("FAULTY_TRACE", line);
    }
    CK_RV gone = __atomic_load_n(&gone_rv, __ATOMIC_SEQ_CST);
    if (gone != CKR_OK) return gone;
    if (!counted) return CKR_OK;
    __atomic_add_fetch(&entered[fn], 1, __ATOMIC_SEQ_CST);
    for (int i = 0; i < n_faults; i++) {
        if (faults[i].fn != fn) continue;
        if (faults[i].after >= 0 && __atomic_load_n(&entered[faults[i].after], __ATOMIC_SEQ_CST) == 0) continue;
        unsigned long k = __atomic_add_fetch(&faults[i].seen, 1, __ATOMIC_SEQ_CST);
        if (k != faults[i].n) continue;
        if (faults[i].stays) __atomic_store_n(&gone_rv, faults[i].rv, __ATOMIC_SEQ_CST);
        snprintf(line, sizeof line, "%s %lu %s\n", names[fn], k, rv_name(faults[i].rv));
        append("FAULTY_LOG", line);
        return faults[i].rv;
    }
    return CKR_OK;
}

#define FAULT(n, counted) do { CK_RV f_ = fault(I_##n, counted); if (f_ != CKR_OK) return f_; } while (0)

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

static int sign_limit_reached(void) {
    long limit = env_long("FAULTY_SIGN_LIMIT", -1);
    return limit >= 0 && (long)__atomic_load_n(&signs, __ATOMIC_SEQ_CST) >= limit;
}

static CK_RV w_C_GetSlotList(CK_BBOOL p, CK_SLOT_ID_PTR l, CK_ULONG_PTR c) {
    FAULT(C_GetSlotList, 1); return real->C_GetSlotList(p, l, c);
}
static CK_RV w_C_GetTokenInfo(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info) {
    FAULT(C_GetTokenInfo, 1);
    CK_RV rv = real->C_GetTokenInfo(slot, info);
    if (rv == CKR_OK && locked()) info->flags |= CKF_USER_PIN_LOCKED;
    return rv;
}
static CK_RV w_C_GetMechanismList(CK_SLOT_ID s, CK_MECHANISM_TYPE_PTR l, CK_ULONG_PTR c) {
    FAULT(C_GetMechanismList, 1); return real->C_GetMechanismList(s, l, c);
}
static CK_RV w_C_GetMechanismInfo(CK_SLOT_ID s, CK_MECHANISM_TYPE t, CK_MECHANISM_INFO_PTR i) {
    FAULT(C_GetMechanismInfo, 1); return real->C_GetMechanismInfo(s, t, i);
}
static CK_RV w_C_OpenSession(CK_SLOT_ID s, CK_FLAGS f, CK_VOID_PTR a, CK_NOTIFY n, CK_SESSION_HANDLE_PTR h) {
    FAULT(C_OpenSession, 1); return real->C_OpenSession(s, f, a, n, h);
}
static CK_RV w_C_CloseSession(CK_SESSION_HANDLE s) {
    FAULT(C_CloseSession, 1); return real->C_CloseSession(s);
}
static CK_RV w_C_GetSessionInfo(CK_SESSION_HANDLE s, CK_SESSION_INFO_PTR i) {
    FAULT(C_GetSessionInfo, 1); return real->C_GetSessionInfo(s, i);
}
static CK_RV w_C_Login(CK_SESSION_HANDLE s, CK_USER_TYPE u, CK_UTF8CHAR_PTR pin, CK_ULONG len) {
    FAULT(C_Login, 1);
    if (u == CKU_USER && locked()) return CKR_PIN_LOCKED;
    CK_RV rv = real->C_Login(s, u, pin, len);
    if (u == CKU_USER) {
        if (rv == CKR_PIN_INCORRECT) set_failures(failures() + 1);
        else if (rv == CKR_OK) set_failures(0);
        if (rv == CKR_PIN_INCORRECT && locked()) return CKR_PIN_LOCKED;
    }
    return rv;
}
static CK_RV w_C_Logout(CK_SESSION_HANDLE s) {
    FAULT(C_Logout, 1); return real->C_Logout(s);
}
static CK_RV w_C_CreateObject(CK_SESSION_HANDLE s, CK_ATTRIBUTE_PTR t, CK_ULONG c, CK_OBJECT_HANDLE_PTR o) {
    FAULT(C_CreateObject, 1); return real->C_CreateObject(s, t, c, o);
}
static CK_RV w_C_DestroyObject(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o) {
    FAULT(C_DestroyObject, 1); return real->C_DestroyObject(s, o);
}
static CK_RV w_C_GetAttributeValue(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_PTR t, CK_ULONG c) {
    FAULT(C_GetAttributeValue, 1); return real->C_GetAttributeValue(s, o, t, c);
}
static CK_RV w_C_SetAttributeValue(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_PTR t, CK_ULONG c) {
    FAULT(C_SetAttributeValue, 1); return real->C_SetAttributeValue(s, o, t, c);
}
static CK_RV w_C_FindObjectsInit(CK_SESSION_HANDLE s, CK_ATTRIBUTE_PTR t, CK_ULONG c) {
    FAULT(C_FindObjectsInit, 1); return real->C_FindObjectsInit(s, t, c);
}
static CK_RV w_C_FindObjects(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE_PTR o, CK_ULONG m, CK_ULONG_PTR c) {
    FAULT(C_FindObjects, 1); return real->C_FindObjects(s, o, m, c);
}
static CK_RV w_C_FindObjectsFinal(CK_SESSION_HANDLE s) {
    FAULT(C_FindObjectsFinal, 1); return real->C_FindObjectsFinal(s);
}
static CK_RV w_C_SignInit(CK_SESSION_HANDLE s, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k) {
    FAULT(C_SignInit, 1);
    if (sign_limit_reached()) return CKR_DEVICE_REMOVED;
    return real->C_SignInit(s, m, k);
}
static CK_RV w_C_Sign(CK_SESSION_HANDLE s, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR sig, CK_ULONG_PTR sl) {
    CK_RV f = fault(I_C_Sign, sig != NULL);
    if (f != CKR_OK) {
        /* End the real operation too, as a token that reports an error does. */
        if (sig != NULL && __atomic_load_n(&gone_rv, __ATOMIC_SEQ_CST) == CKR_OK)
            (void)real->C_Sign(s, d, dl, sig, sl);
        return f;
    }
    if (sign_limit_reached()) return CKR_DEVICE_REMOVED;
    CK_RV rv = real->C_Sign(s, d, dl, sig, sl);
    if (rv == CKR_OK && sig != NULL) {
        __atomic_add_fetch(&signs, 1, __ATOMIC_SEQ_CST);
        if (getenv("FAULTY_SIGNED")) {
            char line[32];
            snprintf(line, sizeof line, "%lu\n", (unsigned long)s);
            append("FAULTY_SIGNED", line);
        }
    }
    return rv;
}
static CK_RV w_C_GenerateKey(CK_SESSION_HANDLE s, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR t, CK_ULONG c, CK_OBJECT_HANDLE_PTR k) {
    FAULT(C_GenerateKey, 1); return real->C_GenerateKey(s, m, t, c, k);
}
static CK_RV w_C_GenerateKeyPair(CK_SESSION_HANDLE s, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR pt, CK_ULONG pc,
                                 CK_ATTRIBUTE_PTR vt, CK_ULONG vc, CK_OBJECT_HANDLE_PTR pk, CK_OBJECT_HANDLE_PTR vk) {
    FAULT(C_GenerateKeyPair, 1); return real->C_GenerateKeyPair(s, m, pt, pc, vt, vc, pk, vk);
}
static CK_RV w_C_WrapKey(CK_SESSION_HANDLE s, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE w, CK_OBJECT_HANDLE k,
                         CK_BYTE_PTR out, CK_ULONG_PTR len) {
    FAULT(C_WrapKey, out != NULL); return real->C_WrapKey(s, m, w, k, out, len);
}
static CK_RV w_C_UnwrapKey(CK_SESSION_HANDLE s, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE u, CK_BYTE_PTR w,
                           CK_ULONG wl, CK_ATTRIBUTE_PTR t, CK_ULONG c, CK_OBJECT_HANDLE_PTR k) {
    FAULT(C_UnwrapKey, 1); return real->C_UnwrapKey(s, m, u, w, wl, t, c, k);
}
static CK_RV w_C_GenerateRandom(CK_SESSION_HANDLE s, CK_BYTE_PTR r, CK_ULONG l) {
    FAULT(C_GenerateRandom, 1); return real->C_GenerateRandom(s, r, l);
}
static CK_RV w_C_SeedRandom(CK_SESSION_HANDLE s, CK_BYTE_PTR r, CK_ULONG l) {
    FAULT(C_SeedRandom, 1); return real->C_SeedRandom(s, r, l);
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR out) {
    if (!real) {
        if (parse_faults()) return CKR_ARGUMENTS_BAD;
        const char *target = getenv("FAULTY_TARGET");
        void *h = dlopen(target && *target ? target : "/usr/lib/softhsm/libsofthsm2.so", RTLD_NOW | RTLD_LOCAL);
        if (!h) return CKR_GENERAL_ERROR;
        CK_C_GetFunctionList get = (CK_C_GetFunctionList)dlsym(h, "C_GetFunctionList");
        CK_FUNCTION_LIST_PTR list;
        if (!get || get(&list) != CKR_OK) return CKR_GENERAL_ERROR;
        shim = *list;
#define INSTALL(n) shim.n = w_##n;
        FORWARDED(INSTALL)
#undef INSTALL
        real = list;
    }
    *out = &shim;
    return CKR_OK;
}
"#;

/// Builds the faulty module (needs gcc and p11-kit's pkcs11.h) into `dir` and
/// returns its path. Configure it per process with the variables above.
pub fn faulty_module(dir: &Path) -> PathBuf {
    let src = dir.join("faulty-pkcs11.c");
    let lib = dir.join("libfaulty-pkcs11.so");
    std::fs::write(&src, FAULTY_C).unwrap();
    let o = Command::new("gcc")
        .args([
            "-shared",
            "-fPIC",
            "-O1",
            "-Wall",
            "-Werror",
            "-I/usr/include/p11-kit-1",
            "-o",
        ])
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_c_source_forwards_exactly_the_listed_functions() {
        for name in FORWARDED {
            assert!(FAULTY_C.contains(&format!("X({name})")), "{name}");
            assert!(FAULTY_C.contains(&format!("w_{name}(")), "{name}");
        }
        assert_eq!(FAULTY_C.matches("X(C_").count(), FORWARDED.len());
    }

    #[test]
    fn fault_specs_read_as_the_module_parses_them() {
        let v = Fault::env_value(&[
            Fault::once("C_Sign", 3, "CKR_DEVICE_ERROR"),
            Fault::stays("C_Login", 1, "CKR_DEVICE_REMOVED"),
            Fault::once("C_GetAttributeValue", 2, "CKR_DEVICE_ERROR").after("C_GenerateKeyPair"),
        ]);
        assert_eq!(
            v,
            "C_Sign:3:CKR_DEVICE_ERROR:once,C_Login:1:CKR_DEVICE_REMOVED:stays,\
             C_GetAttributeValue:2:CKR_DEVICE_ERROR:once:C_GenerateKeyPair"
        );
    }
}
