//! The HSM fault matrix (issue 11, "HSM faults"): `sign-ksr`, `keygen`,
//! `backup transport-key`, `backup export` and `restore`, each run against real
//! SoftHSM2 through a module that makes a chosen PKCS#11 call fail (`C_Login`,
//! `C_GenerateKeyPair`, `C_Sign` on its Nth call, `C_WrapKey`, `C_UnwrapKey`, a
//! lost session, a pulled token). What every row must show is in
//! `hsm_faults/matrix.rs`; the rows are here and in `hsm_faults/backup.rs`.

#[path = "hsm_faults/backup.rs"]
mod backup;
#[path = "hsm_faults/matrix.rs"]
mod matrix;

use matrix::{Case, Cell, Inventory, Leaves, Setup};
use test_support::pkcs11_shim::Fault;
use test_support::process::ok;
use test_support::softhsm::SoftHsm;
use test_support::{fixture, sha256_hex};

const KSR: &str = "iana-root/ksr-root-2017-q2-0.xml";

/// What every `sign-ksr` row passes besides the KSR, `--out`, the hash and
/// `--sessions`. (Where `sign-ksr` grows a required flag, it goes here.)
const SIGN_KSR_BASE: &[&str] = &[
    "--first-in-chain",
    "--ksk-current",
    "Kroot2048",
    "--schema",
    "normal",
    "--at",
    "2017-03-20",
];

/// `ceremony keygen` straight on SoftHSM, for the set-ups.
pub fn keygen(hsm: &SoftHsm, token: &str, label: &str, alg: &str, extra: &[&str]) {
    let mut args = vec!["keygen", "--label", label, "--algorithm", alg];
    args.extend(["--zone", "example.test"]);
    args.extend(extra);
    ok(hsm.run(token, &args));
}

/// The rerun left the token as before plus exactly one key `label`.
pub fn one_more(label: &'static str) -> impl Fn(&Inventory, &Inventory) {
    move |before, after| {
        let mut without = after.clone();
        let new = without.remove(label);
        assert_eq!(&without, before, "only {label:?} is new");
        assert_eq!(
            new.map(|v| v.len()),
            Some(1),
            "{label:?} made once: {after:?}"
        );
    }
}

/// The rerun changed nothing on the token.
pub fn unchanged(before: &Inventory, after: &Inventory) {
    assert_eq!(after, before, "the token changed");
}

const SIGN_KSR_CASES: &[Case] = &[
    Case {
        name: "sign-ksr / C_Login fails",
        faults: &[Fault::once("C_Login", 1, "CKR_DEVICE_ERROR")],
        says: &[
            "logging in as the user failed: C_Login answered CKR_DEVICE_ERROR",
            "run the command again",
        ],
        leaves: Leaves::Nothing,
    },
    Case {
        name: "sign-ksr / no session",
        faults: &[Fault::stays("C_OpenSession", 1, "CKR_DEVICE_REMOVED")],
        says: &["opening a session failed: C_OpenSession answered CKR_DEVICE_REMOVED"],
        leaves: Leaves::Nothing,
    },
    Case {
        name: "sign-ksr / session lost looking up the KSK",
        faults: &[Fault::once(
            "C_FindObjectsInit",
            1,
            "CKR_SESSION_HANDLE_INVALID",
        )],
        says: &[
            "listing keys failed: C_FindObjectsInit answered CKR_SESSION_HANDLE_INVALID",
            "the token closed the session",
        ],
        leaves: Leaves::Nothing,
    },
    Case {
        name: "sign-ksr / C_Sign fails on the 3rd bundle",
        faults: &[Fault::once("C_Sign", 3, "CKR_DEVICE_ERROR")],
        says: &[
            "while signing bundle 3 of 9",
            "C_Sign answered CKR_DEVICE_ERROR",
            "the token reported a fault",
            "nothing was written",
        ],
        leaves: Leaves::Nothing,
    },
    Case {
        name: "sign-ksr / token pulled at the 1st signature",
        faults: &[Fault::stays("C_Sign", 1, "CKR_DEVICE_REMOVED")],
        says: &[
            "while signing bundle 1 of 9",
            "C_Sign answered CKR_DEVICE_REMOVED",
            "the token was removed",
            "nothing was written",
        ],
        leaves: Leaves::Nothing,
    },
    Case {
        name: "sign-ksr / session lost at the 5th signature",
        faults: &[Fault::stays("C_SignInit", 5, "CKR_SESSION_CLOSED")],
        says: &[
            "while signing bundle 5 of 9",
            "C_SignInit answered CKR_SESSION_CLOSED",
            "nothing was written",
        ],
        leaves: Leaves::Nothing,
    },
    Case {
        name: "sign-ksr / session handle invalid at the last bundle",
        faults: &[Fault::once("C_Sign", 9, "CKR_SESSION_HANDLE_INVALID")],
        says: &[
            "while signing bundle 9 of 9",
            "C_Sign answered CKR_SESSION_HANDLE_INVALID",
            "nothing was written",
        ],
        leaves: Leaves::Nothing,
    },
];

/// The token `sign-ksr` rows copy, and the row's command with `sessions`.
fn sign_ksr_setup(sessions: &'static str) -> (Setup, impl Fn(&Cell) -> std::process::Command) {
    let hsm = SoftHsm::new_by_ceremony("sign");
    keygen(&hsm, "sign", "Kroot2048", "rsasha256", &["--bits", "2048"]);
    let setup = Setup::new(hsm, "sign");
    let ksr = fixture(KSR);
    let hash = sha256_hex(&ksr);
    let command = move |cell: &Cell| {
        let mut c = cell.ceremony(&["sign-ksr"]);
        c.arg(&ksr)
            .arg("--out")
            .arg(cell.out_file("skr.xml"))
            .args(SIGN_KSR_BASE)
            .args(["--sessions", sessions, "--expect-sha256", &hash]);
        c
    };
    (setup, command)
}

/// One session, so the Nth signature is the Nth bundle.
#[test]
fn sign_ksr_faults() {
    let (setup, command) = sign_ksr_setup("1");
    matrix::run(&setup, SIGN_KSR_CASES, &command, &unchanged);
}

#[path = "hsm_faults/sessions.rs"]
mod sessions;

const KEYGEN_CASES: &[Case] = &[
    Case {
        name: "keygen / C_Login fails",
        faults: &[Fault::once("C_Login", 1, "CKR_DEVICE_ERROR")],
        says: &["logging in as the user failed: C_Login answered CKR_DEVICE_ERROR"],
        leaves: Leaves::Nothing,
    },
    Case {
        name: "keygen / session lost checking the label",
        faults: &[Fault::once("C_FindObjectsInit", 1, "CKR_SESSION_HANDLE_INVALID")],
        says: &["searching the token failed: C_FindObjectsInit answered CKR_SESSION_HANDLE_INVALID"],
        leaves: Leaves::Nothing,
    },
    Case {
        name: "keygen / C_GenerateRandom fails",
        faults: &[Fault::once("C_GenerateRandom", 1, "CKR_DEVICE_ERROR")],
        says: &["drawing random bytes for CKA_ID failed: C_GenerateRandom answered CKR_DEVICE_ERROR"],
        leaves: Leaves::Nothing,
    },
    Case {
        name: "keygen / C_GenerateKeyPair fails",
        faults: &[Fault::once("C_GenerateKeyPair", 1, "CKR_DEVICE_ERROR")],
        says: &["generating a ECDSAP256SHA256 key pair failed: C_GenerateKeyPair answered CKR_DEVICE_ERROR"],
        leaves: Leaves::Nothing,
    },
    Case {
        name: "keygen / token pulled at C_GenerateKeyPair",
        faults: &[Fault::stays("C_GenerateKeyPair", 1, "CKR_DEVICE_REMOVED")],
        says: &["C_GenerateKeyPair answered CKR_DEVICE_REMOVED", "the token was removed"],
        leaves: Leaves::Nothing,
    },
    Case {
        name: "keygen / reading the new key back fails",
        faults: &[Fault::once("C_GetAttributeValue", 1, "CKR_DEVICE_ERROR").after("C_GenerateKeyPair")],
        says: &[
            "reading back the new key pair",
            "C_GetAttributeValue answered CKR_DEVICE_ERROR",
            "the new key pair \"Knew\" was deleted again",
        ],
        leaves: Leaves::Nothing,
    },
    Case {
        name: "keygen / the proof's C_Sign fails",
        faults: &[Fault::once("C_Sign", 1, "CKR_DEVICE_ERROR")],
        says: &[
            "proving the new key signs",
            "C_Sign answered CKR_DEVICE_ERROR",
            "the new key pair \"Knew\" was deleted again",
        ],
        leaves: Leaves::Nothing,
    },
    Case {
        name: "keygen / token pulled at the proof",
        faults: &[Fault::stays("C_Sign", 1, "CKR_DEVICE_REMOVED")],
        says: &[
            "proving the new key signs",
            "C_Sign answered CKR_DEVICE_REMOVED",
            "the new key pair \"Knew\" could not be deleted again",
            "ceremony delete --label Knew",
        ],
        leaves: Leaves::Key("Knew"),
    },
    Case {
        name: "keygen / session lost after generation",
        faults: &[Fault::stays("C_FindObjectsInit", 1, "CKR_SESSION_HANDLE_INVALID")
            .after("C_GenerateKeyPair")],
        says: &[
            "C_FindObjectsInit answered CKR_SESSION_HANDLE_INVALID",
            "could not be deleted again",
            "ceremony delete --label Knew",
        ],
        leaves: Leaves::Key("Knew"),
    },
];

const KEYGEN_RSA_CASES: &[Case] = &[Case {
    name: "keygen RSA-2048 / the proof's C_Sign fails",
    faults: &[Fault::once("C_Sign", 1, "CKR_GENERAL_ERROR")],
    says: &[
        "proving the new key signs",
        "C_Sign answered CKR_GENERAL_ERROR",
        "the new key pair \"Knew\" was deleted again",
    ],
    leaves: Leaves::Nothing,
}];

#[test]
fn keygen_faults() {
    let hsm = SoftHsm::new_by_ceremony("keys");
    keygen(&hsm, "keys", "Kold", "ecdsap256sha256", &[]);
    let setup = Setup::new(hsm, "keys");
    let command = |alg: &'static str| {
        move |cell: &Cell| {
            cell.ceremony(&[
                "keygen",
                "--label",
                "Knew",
                "--algorithm",
                alg,
                "--zone",
                "example.test",
            ])
        }
    };
    let after = one_more("Knew");
    matrix::run(&setup, KEYGEN_CASES, &command("ecdsap256sha256"), &after);
    matrix::run(&setup, KEYGEN_RSA_CASES, &command("rsasha256"), &after);
}
