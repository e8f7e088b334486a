//! Rows of the fault matrix for moving a key between tokens: `backup
//! transport-key` on the destination, `backup export` on the source, `restore`
//! on the destination. One source and one destination are set up (a P-256 key
//! made with `--allow-backup`, an RSA-3072 transport key, a backup of the key)
//! and every row works on copies of them.

use std::path::PathBuf;

use serde_json::Value;
use test_support::pkcs11_shim::Fault;
use test_support::process::ok;
use test_support::softhsm::SoftHsm;

use super::matrix::{self, Case, Cell, Inventory, Leaves, Setup};
use super::{keygen, one_more, unchanged};

const TRANSPORT: &str = "ceremony-transport";

/// The source with its key, the destination with its transport key, and a
/// backup of the key wrapped to it.
struct Pair {
    /// The transport key and backup files, apart from either token's directory.
    _files: tempfile::TempDir,
    src: SoftHsm,
    dst: SoftHsm,
    transport: PathBuf,
    sha256: String,
    backup: PathBuf,
}

fn pair() -> Pair {
    let src = SoftHsm::new_by_ceremony("source");
    keygen(
        &src,
        "source",
        "Kbk",
        "ecdsap256sha256",
        &["--allow-backup"],
    );
    let dst = SoftHsm::new_by_ceremony("destination");
    let files = tempfile::tempdir().unwrap();
    let transport = files.path().join("transport.json");
    ok(dst
        .with_token("destination", &["backup", "transport-key"])
        .arg("--out")
        .arg(&transport)
        .output()
        .unwrap());
    let t: Value = serde_json::from_slice(&std::fs::read(&transport).unwrap()).unwrap();
    let sha256 = t["sha256"].as_str().unwrap().to_string();
    let backup = files.path().join("backup.json");
    ok(src
        .with_token("source", &["backup", "export", "--label", "Kbk"])
        .args(["--expect-transport-sha256", &sha256, "--so-pin-file"])
        .arg(&src.so_pin_file)
        .arg("--transport")
        .arg(&transport)
        .arg("--out")
        .arg(&backup)
        .output()
        .unwrap());
    Pair {
        _files: files,
        src,
        dst,
        transport,
        sha256,
        backup,
    }
}

const TRANSPORT_KEY_CASES: &[Case] = &[
    Case {
        name: "backup transport-key / C_GenerateKeyPair fails",
        faults: &[Fault::once("C_GenerateKeyPair", 1, "CKR_DEVICE_ERROR")],
        says: &["generating the transport key failed: C_GenerateKeyPair answered CKR_DEVICE_ERROR"],
        leaves: Leaves::Nothing,
    },
    Case {
        name: "backup transport-key / token pulled at C_GenerateKeyPair",
        faults: &[Fault::stays("C_GenerateKeyPair", 1, "CKR_DEVICE_REMOVED")],
        says: &[
            "generating the transport key failed: C_GenerateKeyPair answered CKR_DEVICE_REMOVED",
            "reconnect it and run the command again",
        ],
        leaves: Leaves::Nothing,
    },
    Case {
        name: "backup transport-key / reading it back fails",
        faults: &[
            Fault::once("C_GetAttributeValue", 1, "CKR_DEVICE_ERROR").after("C_GenerateKeyPair")
        ],
        says: &[
            "reading back the transport key",
            "C_GetAttributeValue answered CKR_DEVICE_ERROR",
            "the new transport key pair \"ceremony-transport\" was deleted again",
        ],
        leaves: Leaves::Nothing,
    },
];

#[test]
fn transport_key_faults() {
    let setup = Setup::new(SoftHsm::new_by_ceremony("dest"), "dest");
    let command = |cell: &Cell| {
        let mut c = cell.ceremony(&["backup", "transport-key"]);
        c.arg("--out").arg(cell.out_file("transport.json"));
        c
    };
    matrix::run(&setup, TRANSPORT_KEY_CASES, &command, &one_more(TRANSPORT));
}

const EXPORT_CASES: &[Case] = &[
    Case {
        name: "backup export / the SO's C_Login fails",
        faults: &[Fault::once("C_Login", 1, "CKR_DEVICE_ERROR")],
        says: &["logging in as the security officer failed: C_Login answered CKR_DEVICE_ERROR"],
        leaves: Leaves::Nothing,
    },
    Case {
        name: "backup export / the user's C_Login fails",
        faults: &[Fault::once("C_Login", 2, "CKR_DEVICE_ERROR")],
        says: &["logging in as the user failed: C_Login answered CKR_DEVICE_ERROR"],
        leaves: Leaves::Nothing,
    },
    Case {
        name: "backup export / trusting the transport key fails",
        faults: &[Fault::once("C_CreateObject", 1, "CKR_DEVICE_ERROR")],
        says: &["importing the transport key as trusted failed: C_CreateObject answered CKR_DEVICE_ERROR"],
        leaves: Leaves::Nothing,
    },
    Case {
        name: "backup export / token pulled making the AES key",
        faults: &[Fault::stays("C_GenerateKey", 1, "CKR_DEVICE_REMOVED")],
        says: &[
            "generating the one-time AES key failed: C_GenerateKey answered CKR_DEVICE_REMOVED",
            "the token was removed",
        ],
        leaves: Leaves::Nothing,
    },
    Case {
        name: "backup export / C_WrapKey of the key fails",
        faults: &[Fault::once("C_WrapKey", 1, "CKR_DEVICE_ERROR")],
        says: &["wrapping the key failed: C_WrapKey answered CKR_DEVICE_ERROR"],
        leaves: Leaves::Nothing,
    },
    Case {
        name: "backup export / session lost wrapping the AES key",
        faults: &[Fault::stays("C_WrapKey", 2, "CKR_SESSION_HANDLE_INVALID")],
        says: &[
            "wrapping the AES key to the transport key failed: C_WrapKey answered \
             CKR_SESSION_HANDLE_INVALID",
        ],
        leaves: Leaves::Nothing,
    },
];

const RESTORE_CASES: &[Case] = &[
    Case {
        name: "restore / C_Login fails",
        faults: &[Fault::once("C_Login", 1, "CKR_DEVICE_ERROR")],
        says: &["logging in as the user failed: C_Login answered CKR_DEVICE_ERROR"],
        leaves: Leaves::Nothing,
    },
    Case {
        name: "restore / C_UnwrapKey of the AES key fails",
        faults: &[Fault::once("C_UnwrapKey", 1, "CKR_DEVICE_ERROR")],
        says: &[
            "unwrapping the AES key with the transport key failed: C_UnwrapKey answered \
             CKR_DEVICE_ERROR",
        ],
        leaves: Leaves::Nothing,
    },
    Case {
        name: "restore / token pulled unwrapping the key",
        faults: &[Fault::stays("C_UnwrapKey", 2, "CKR_DEVICE_REMOVED")],
        says: &["unwrapping the key failed: C_UnwrapKey answered CKR_DEVICE_REMOVED"],
        leaves: Leaves::Nothing,
    },
    Case {
        name: "restore / importing the public key fails",
        faults: &[Fault::once("C_CreateObject", 1, "CKR_DEVICE_ERROR")],
        says: &[
            "importing the public key failed: C_CreateObject answered CKR_DEVICE_ERROR",
            "the unwrapped key \"Kbk\" was deleted again",
        ],
        leaves: Leaves::Nothing,
    },
    Case {
        name: "restore / session lost importing the public key",
        faults: &[Fault::stays(
            "C_CreateObject",
            1,
            "CKR_SESSION_HANDLE_INVALID",
        )],
        says: &[
            "C_CreateObject answered CKR_SESSION_HANDLE_INVALID",
            "the unwrapped key \"Kbk\" could not be deleted again",
            "ceremony delete --label Kbk",
        ],
        leaves: Leaves::Key("Kbk"),
    },
    Case {
        name: "restore / the proof's C_Sign fails",
        faults: &[Fault::once("C_Sign", 1, "CKR_DEVICE_ERROR")],
        says: &[
            "proving the restored key signs",
            "C_Sign answered CKR_DEVICE_ERROR",
            "the restored key \"Kbk\" was deleted again",
        ],
        leaves: Leaves::Nothing,
    },
    Case {
        name: "restore / token pulled at the proof",
        faults: &[Fault::stays("C_Sign", 1, "CKR_DEVICE_REMOVED")],
        says: &[
            "proving the restored key signs",
            "C_Sign answered CKR_DEVICE_REMOVED",
            "could not be deleted again",
            "run the same restore again",
        ],
        leaves: Leaves::Restored("Kbk"),
    },
    Case {
        name: "restore / destroying the transport key fails",
        faults: &[Fault::once("C_DestroyObject", 1, "CKR_DEVICE_ERROR").after("C_Sign")],
        says: &[
            "retiring the transport key",
            "C_DestroyObject answered CKR_DEVICE_ERROR",
            "key \"Kbk\" is restored and proven",
            "run the same restore again",
        ],
        leaves: Leaves::Restored("Kbk"),
    },
];

#[test]
fn export_and_restore_faults() {
    let p = pair();
    let (transport, sha256, backup) = (&p.transport, &p.sha256, &p.backup);
    let export = |cell: &Cell| {
        let mut c = cell.ceremony(&["backup", "export", "--label", "Kbk"]);
        c.args(["--expect-transport-sha256", sha256, "--so-pin-file"])
            .arg(&cell.hsm.so_pin_file)
            .arg("--transport")
            .arg(transport)
            .arg("--out")
            .arg(cell.out_file("backup.json"));
        c
    };
    let restore = |cell: &Cell| {
        let mut c = cell.ceremony(&["restore", "--zone", "example.test"]);
        c.arg("--backup").arg(backup);
        c
    };
    let restored = |before: &Inventory, after: &Inventory| {
        let mut expected = before.clone();
        assert!(expected.remove(TRANSPORT).is_some(), "{before:?}");
        let mut after = after.clone();
        let key = after.remove("Kbk");
        assert_eq!(
            after, expected,
            "the key restored, the transport key retired"
        );
        assert_eq!(key.map(|k| k.len()), Some(1));
    };
    std::thread::scope(|s| {
        let src = s.spawn(|| {
            let setup = Setup::new(p.src.copy(), "source");
            matrix::run(&setup, EXPORT_CASES, &export, &unchanged);
        });
        let setup = Setup::new(p.dst.copy(), "destination");
        matrix::run(&setup, RESTORE_CASES, &restore, &restored);
        src.join().unwrap();
    });
}
