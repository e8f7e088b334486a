//! Moving a DNSSEC private key to a second token without it ever existing in
//! the clear outside a token.
//!
//! Scheme (works with SoftHSM 2.6.1; only standard PKCS#11 mechanisms):
//! 1. The destination token generates an RSA-3072 *transport* key pair
//!    (private half: sensitive, never extractable, unwrap only). Its public half
//!    goes to a transport file with its SHA-256 fingerprint, read aloud as PGP words.
//! 2. On the source token the security officer, after the fingerprint was
//!    confirmed, imports that public key as a *session* object with CKA_TRUSTED,
//!    and generates a one-time AES-256 key-encryption key (session object,
//!    CKA_TRUSTED, sensitive, CKA_WRAP_WITH_TRUSTED). Then the user logs in and the
//!    token wraps the DNSSEC key with CKM_AES_KEY_WRAP_PAD under the AES key, and
//!    the AES key with CKM_RSA_PKCS_OAEP under the transport key. Session objects
//!    vanish when the session closes: nothing is left on the source.
//! 3. The destination unwraps the AES key with its transport private key, then the
//!    DNSSEC key with the AES key, imports the public half, and proves the key by
//!    signing and verifying a test DNSKEY RRset.
//!
//! Threat model. The backup file holds only wrapped material and public data;
//! it is useless without the destination token's transport private key, which
//! never leaves that token. A key made with `keygen --allow-backup` carries
//! CKA_WRAP_WITH_TRUSTED, so the token wraps it only under a key the security
//! officer marked trusted: a user PIN alone cannot export it, and a plain
//! `C_WrapKey` under an attacker's key fails. What the scheme cannot stop: an
//! officer trusting the wrong transport key — hence the fingerprint must be
//! confirmed (`--expect-transport-sha256`, or typed back) before the SO PIN is
//! used; and a destination token that is itself compromised. Note what "the
//! destination" means here: PKCS#11 lets whoever holds the destination's *user*
//! PIN choose the attributes of an unwrapped key, so the backup file plus that
//! PIN yields the AES key, and with it the private key, in the clear (checked
//! against SoftHSM 2.6.1). Only a token that enforces CKA_UNWRAP_TEMPLATE on the
//! transport key would close this (cryptoki 0.12 cannot set that attribute).
//! So `restore` destroys the transport key pair once the key is restored and
//! proven (unless `--keep-transport`, for moving several keys in one ceremony):
//! the exposure is limited to the ceremony itself, between export and restore,
//! and any copy of the backup file is inert afterwards. Until the restore, keep
//! backup files as secret as the destination's user PIN. Keys made without
//! `--allow-backup` (CKA_EXTRACTABLE false) can never be backed up.
//! SoftHSM 2.6.1 limits: RSA-OAEP with SHA-1/MGF1-SHA1 only (fine for OAEP), and
//! it cannot wrap EdDSA private keys at all (CKR_KEY_NOT_WRAPPABLE): back up
//! Ed25519 keys on a token that can, or generate them on every token.

use std::path::Path;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsOaepParams, PkcsOaepSource};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, KeyType, ObjectClass, ObjectHandle};
use cryptoki::types::AuthPin;
use serde::{Deserialize, Serialize};

use ksr::dnssec::encoding;

use super::algorithm::Algorithm;
use super::ckaid;
use super::inventory::{self, KeyInfo, Role};
use super::keygen;
use super::mechanisms;
use super::token::Token;
use crate::error::{Error, Result};

pub const TRANSPORT_FORMAT: &str = "ceremony-transport-key/1";
pub const BACKUP_FORMAT: &str = "ceremony-key-backup/1";
const TRANSPORT_BITS: u64 = 3072;

/// The public half of a destination token's transport key.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TransportFile {
    pub format: String,
    /// Token the private half lives on.
    pub token: String,
    pub label: String,
    /// CKA_ID, hex.
    pub id: String,
    /// RFC 3110 encoding (exponent length, exponent, modulus), base64.
    pub public_key: String,
    /// SHA-256 of the decoded `public_key`, hex.
    pub sha256: String,
}

/// A wrapped DNSSEC key.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct BackupFile {
    pub format: String,
    pub source_token: String,
    pub label: String,
    /// CKA_ID, hex (carries algorithm and flags, see `ckaid`).
    pub id: String,
    pub algorithm: u8,
    pub flags: u16,
    pub bits: u32,
    /// The DNSKEY public key field, base64.
    pub public_key: String,
    /// Whether the key stays wrappable (only under trusted keys) after restore.
    pub wrap_with_trusted: bool,
    /// The transport key the AES key is wrapped to (its SHA-256, hex).
    pub transport_sha256: String,
    pub transport_label: String,
    /// AES-256 key wrapped with RSA-OAEP (SHA-1, MGF1-SHA1) under the transport key, base64.
    pub wrapped_kek: String,
    /// The private key (PKCS#8 inside) wrapped with AES-KEY-WRAP-PAD (RFC 5649), base64.
    pub wrapped_key: String,
}

fn oaep() -> Mechanism<'static> {
    Mechanism::RsaPkcsOaep(PkcsOaepParams::new(
        MechanismType::SHA1,
        PkcsMgfType::MGF1_SHA1,
        PkcsOaepSource::empty(),
    ))
}

/// Fingerprint of a transport public key field.
pub fn fingerprint(field: &[u8]) -> [u8; 32] {
    ksr::digest::sha256(field)
}

/// Step 1, on the destination: a new transport key pair labelled `label`.
pub fn create_transport_key(token: &Token, label: &str) -> Result<TransportFile> {
    mechanisms::require(
        token,
        MechanismType::RSA_PKCS_KEY_PAIR_GEN,
        "the transport key",
    )?;
    mechanisms::require(token, MechanismType::RSA_PKCS_OAEP, "unwrapping backups")?;
    mechanisms::require(token, MechanismType::AES_KEY_WRAP_PAD, "unwrapping backups")?;
    token.require_free_label(label, "choose another --label")?;
    let id = ckaid::transport_id(&token.random(ckaid::RANDOM_LEN, "drawing random bytes")?);
    let l = label.as_bytes().to_vec();
    let public = [
        Attribute::Token(true),
        Attribute::Private(false),
        Attribute::Wrap(false),
        Attribute::Encrypt(false),
        Attribute::Verify(false),
        Attribute::ModulusBits(TRANSPORT_BITS.into()),
        Attribute::PublicExponent(vec![1, 0, 1]),
        Attribute::Label(l.clone()),
        Attribute::Id(id.clone()),
    ];
    let private = [
        Attribute::Token(true),
        Attribute::Private(true),
        Attribute::Sensitive(true),
        Attribute::Extractable(false),
        Attribute::Unwrap(true),
        Attribute::Decrypt(false),
        Attribute::Sign(false),
        Attribute::Derive(false),
        Attribute::Label(l),
        Attribute::Id(id.clone()),
    ];
    let (pub_h, priv_h) = token
        .session
        .generate_key_pair(&Mechanism::RsaPkcsKeyPairGen, &public, &private)
        .map_err(|e| Error::pkcs11(e, "generating the transport key"))?;
    let field = inventory::rsa_field(token, pub_h).map_err(|e| {
        let made = format!("the new transport key pair {label:?}");
        let cleanup = token
            .undo(&[Some(priv_h), Some(pub_h)], &made, label)
            .unwrap_or_else(|left| left);
        e.undone("reading back the transport key", cleanup)
    })?;
    Ok(TransportFile {
        format: TRANSPORT_FORMAT.into(),
        token: token.label.clone(),
        label: label.into(),
        id: hex::encode(&id),
        public_key: B64.encode(&field),
        sha256: hex::encode(fingerprint(&field)),
    })
}

impl TransportFile {
    /// Checks the file is self-consistent and returns the decoded public key field.
    pub fn validate(&self, path: &Path) -> Result<Vec<u8>> {
        let bad = |what: &str| Error::Input(format!("{}: {what}", path.display()));
        if self.format != TRANSPORT_FORMAT {
            return Err(bad(&format!(
                "format is {:?}, expected {TRANSPORT_FORMAT:?}",
                self.format
            )));
        }
        let field = B64
            .decode(&self.public_key)
            .map_err(|e| bad(&format!("public_key: {e}")))?;
        encoding::rsa_parts(&field).ok_or_else(|| bad("public_key is not an RSA public key"))?;
        if hex::encode(fingerprint(&field)) != self.sha256.to_ascii_lowercase() {
            return Err(bad("sha256 does not match public_key (file altered?)"));
        }
        Ok(field)
    }
}

/// Step 2, on the source. `transport_field` must already be confirmed by a human.
/// Logs in as SO (to mark the transport key and the AES key trusted), then as user.
pub fn export(
    token: &Token,
    label: &str,
    transport: &TransportFile,
    transport_field: &[u8],
    so_pin: &AuthPin,
    user_pin: &AuthPin,
) -> Result<BackupFile> {
    mechanisms::require(
        token,
        MechanismType::AES_KEY_GEN,
        "the backup key-encryption key",
    )?;
    mechanisms::require(token, MechanismType::AES_KEY_WRAP_PAD, "wrapping the key")?;
    mechanisms::require(
        token,
        MechanismType::RSA_PKCS_OAEP,
        "wrapping to the transport key",
    )?;
    let (e, m) = encoding::rsa_parts(transport_field)
        .ok_or_else(|| Error::Input("the transport key is not an RSA public key".into()))?;

    token.logout()?;
    token.login_so(so_pin)?;
    let made = (|| -> Result<(ObjectHandle, ObjectHandle)> {
        let trusted_transport = token
            .session
            .create_object(&[
                Attribute::Class(ObjectClass::PUBLIC_KEY),
                Attribute::KeyType(KeyType::RSA),
                Attribute::Token(false),
                Attribute::Private(false),
                Attribute::Trusted(true),
                Attribute::Wrap(true),
                Attribute::Encrypt(false),
                Attribute::Verify(false),
                Attribute::Modulus(m.to_vec()),
                Attribute::PublicExponent(e.to_vec()),
                Attribute::Label(b"ceremony-transport (session)".to_vec()),
            ])
            .map_err(|e| Error::pkcs11(e, "importing the transport key as trusted"))?;
        let kek = token
            .session
            .generate_key(
                &Mechanism::AesKeyGen,
                &[
                    Attribute::Class(ObjectClass::SECRET_KEY),
                    Attribute::KeyType(KeyType::AES),
                    Attribute::ValueLen(32.into()),
                    Attribute::Token(false),
                    Attribute::Private(false),
                    Attribute::Sensitive(true),
                    Attribute::Extractable(true),
                    Attribute::WrapWithTrusted(true),
                    Attribute::Trusted(true),
                    Attribute::Wrap(true),
                    Attribute::Encrypt(false),
                    Attribute::Decrypt(false),
                    Attribute::Label(b"ceremony-backup-kek (session)".to_vec()),
                ],
            )
            .map_err(|e| {
                let _ = token.session.destroy_object(trusted_transport);
                Error::pkcs11(e, "generating the one-time AES key")
            })?;
        Ok((trusted_transport, kek))
    })();
    // What failed while the SO was logged in is the cause; a failing logout after it is not.
    let logged_out = token.logout();
    let (transport_h, kek) = made?;
    let cleanup = || {
        let _ = token.session.destroy_object(kek);
        let _ = token.session.destroy_object(transport_h);
    };
    if let Err(e) = logged_out.and_then(|()| token.login_user(user_pin)) {
        cleanup();
        return Err(e);
    }
    let result = (|| -> Result<BackupFile> {
        let key = token.key(label)?;
        let (Some(private), Some(algorithm)) = (key.private, key.algorithm) else {
            return Err(Error::KeyNotFound(format!(
                "{label} (no DNSSEC private key)"
            )));
        };
        if key.security.extractable != Some(true) {
            return Err(Error::Input(format!(
                "key {label:?} is not extractable (made without --allow-backup); it can never \
                 leave the token, not even wrapped"
            )));
        }
        let wrapped_key = token
            .session
            .wrap_key(&Mechanism::AesKeyWrapPad, kek, private)
            .map_err(|e| wrap_err(e, algorithm))?;
        let wrapped_kek = token
            .session
            .wrap_key(&oaep(), transport_h, kek)
            .map_err(|e| Error::pkcs11(e, "wrapping the AES key to the transport key"))?;
        Ok(BackupFile {
            format: BACKUP_FORMAT.into(),
            source_token: token.label.clone(),
            label: key.label.clone(),
            id: hex::encode(&key.id),
            algorithm: algorithm.number(),
            flags: key.flags,
            bits: key.bits,
            public_key: B64.encode(&key.public_key),
            wrap_with_trusted: key.security.wrap_with_trusted == Some(true),
            transport_sha256: transport.sha256.to_ascii_lowercase(),
            transport_label: transport.label.clone(),
            wrapped_kek: B64.encode(wrapped_kek),
            wrapped_key: B64.encode(wrapped_key),
        })
    })();
    cleanup();
    result
}

fn wrap_err(e: cryptoki::error::Error, alg: Algorithm) -> Error {
    use cryptoki::error::{Error as CkError, RvError};
    match e {
        CkError::Pkcs11(RvError::KeyNotWrappable, _) => Error::MechanismMissing(format!(
            "AES-KEY-WRAP-PAD for {} private keys (the token answers CKR_KEY_NOT_WRAPPABLE; \
             SoftHSM 2.6.1 cannot wrap EdDSA keys)",
            alg.mnemonic()
        )),
        CkError::Pkcs11(RvError::KeyUnextractable, _) => {
            Error::Input("the key is not extractable; it can never leave the token".into())
        }
        e => Error::pkcs11(e, "wrapping the key"),
    }
}

/// What a backup file says about the key, as the `KeyInfo` it will become.
pub fn backup_key_info(b: &BackupFile, label: &str, path: &Path) -> Result<KeyInfo> {
    let bad = |what: &str| Error::Input(format!("{}: {what}", path.display()));
    if b.format != BACKUP_FORMAT {
        return Err(bad(&format!(
            "format is {:?}, expected {BACKUP_FORMAT:?}",
            b.format
        )));
    }
    let algorithm = Algorithm::from_number(b.algorithm)
        .ok_or_else(|| bad(&format!("algorithm {} is not supported", b.algorithm)))?;
    let id = hex::decode(&b.id).map_err(|e| bad(&format!("id: {e}")))?;
    let public_key = B64
        .decode(&b.public_key)
        .map_err(|e| bad(&format!("public_key: {e}")))?;
    Ok(KeyInfo {
        label: label.into(),
        id,
        role: Role::Dnssec,
        algorithm: Some(algorithm),
        bits: b.bits,
        flags: b.flags,
        public_key,
        private: None,
        public: None,
        security: Default::default(),
    })
}

/// Step 3, on the destination (user logged in): unwraps the key under `label`
/// (the backup's label unless renamed). Refuses a label in use and a key tag
/// that collides with a key already on the token. Returns the restored key.
pub fn restore(token: &Token, backup: &BackupFile, label: &str, path: &Path) -> Result<KeyInfo> {
    let bad = |what: &str| Error::Input(format!("{}: {what}", path.display()));
    let planned = backup_key_info(backup, label, path)?;
    let algorithm = planned.algorithm.unwrap();
    token.require_free_label(label, "restore with --label NEW")?;
    let existing = token.keys()?;
    inventory::refuse_tag_collision(&planned, &existing, "nothing was restored")?;

    let transport = find_transport(token, &existing, backup)?;
    let wrapped_kek = B64
        .decode(&backup.wrapped_kek)
        .map_err(|e| bad(&format!("wrapped_kek: {e}")))?;
    let wrapped_key = B64
        .decode(&backup.wrapped_key)
        .map_err(|e| bad(&format!("wrapped_key: {e}")))?;

    let kek = token
        .session
        .unwrap_key(
            &oaep(),
            transport.private.unwrap(),
            &wrapped_kek,
            &[
                Attribute::Class(ObjectClass::SECRET_KEY),
                Attribute::KeyType(KeyType::AES),
                Attribute::Token(false),
                Attribute::Private(true),
                Attribute::Sensitive(true),
                Attribute::Extractable(false),
                Attribute::Unwrap(true),
                Attribute::Decrypt(false),
                Attribute::Encrypt(false),
            ],
        )
        .map_err(|e| Error::pkcs11(e, "unwrapping the AES key with the transport key"))?;
    let mut private = vec![
        Attribute::Class(ObjectClass::PRIVATE_KEY),
        Attribute::KeyType(algorithm.key_type()),
    ];
    private.extend(keygen::private_attributes(
        label,
        &planned.id,
        backup.wrap_with_trusted,
    ));
    let unwrapped = token
        .session
        .unwrap_key(&Mechanism::AesKeyWrapPad, kek, &wrapped_key, &private)
        .map_err(|e| Error::pkcs11(e, "unwrapping the key"));
    let _ = token.session.destroy_object(kek);
    let priv_h = unwrapped?;
    let template = keygen::public_template(algorithm, &planned.public_key, label, &planned.id)?;
    let made = format!("the unwrapped key {label:?}");
    let pub_h = match token.session.create_object(&template) {
        Ok(h) => h,
        Err(e) => {
            let cleanup = token
                .undo(&[Some(priv_h)], &made, label)
                .unwrap_or_else(|left| left);
            return Err(Error::pkcs11(e, "importing the public key").undone("restoring", cleanup));
        }
    };
    match token.key(label) {
        Ok(k) if k.public_key == planned.public_key => Ok(k),
        Ok(_) => {
            let cleanup = token
                .undo(&[Some(priv_h), Some(pub_h)], &made, label)
                .unwrap_or_else(|left| left);
            Err(Error::Hsm(format!(
                "the restored key does not read back as the backed-up key; {cleanup}"
            )))
        }
        Err(e) => {
            let cleanup = token
                .undo(&[Some(priv_h), Some(pub_h)], &made, label)
                .unwrap_or_else(|left| left);
            Err(e.undone("reading back the restored key", cleanup))
        }
    }
}

/// The transport key pair on `token` that `backup` was wrapped to.
fn find_transport<'a>(
    token: &Token,
    keys: &'a [KeyInfo],
    backup: &BackupFile,
) -> Result<&'a KeyInfo> {
    keys.iter()
        .filter(|k| k.role == Role::Transport && k.private.is_some() && k.public.is_some())
        .find(|k| {
            inventory::rsa_field(token, k.public.unwrap())
                .map(|f| hex::encode(fingerprint(&f)) == backup.transport_sha256)
                .unwrap_or(false)
        })
        .ok_or_else(|| {
            Error::KeyNotFound(format!(
                "{} (the transport key with SHA-256 {} this backup was wrapped to is not on token {:?})",
                backup.transport_label, backup.transport_sha256, token.label
            ))
        })
}

/// Destroys the transport key pair `backup` was wrapped to, once its keys are
/// restored. Whoever holds the destination's user PIN can choose the attributes
/// of an unwrapped key (see the threat model above), so a transport key that
/// outlives the ceremony would let a copied backup file be opened later; once it
/// is gone, every backup wrapped to it is inert. Returns the transport's label.
pub fn retire_transport(token: &Token, backup: &BackupFile) -> Result<String> {
    let keys = token.keys()?;
    let transport = find_transport(token, &keys, backup)?;
    token.destroy(
        &[transport.private, transport.public],
        "destroying the transport key",
    )?;
    Ok(transport.label.clone())
}

/// Removes a restored key pair again (after a failed proof); says what became
/// of it (`Err`: it is still on the token).
pub fn remove(token: &Token, key: &KeyInfo) -> std::result::Result<String, String> {
    let made = format!("the restored key {:?}", key.label);
    token.undo(&[key.private, key.public], &made, &key.label)
}

/// The key `backup` holds, if a restore already put it on `token` under
/// `label` (same algorithm, flags and public key, both halves present): a
/// restore that stopped after unwrapping (while proving, or retiring the
/// transport key) then resumes instead of refusing the label as taken.
pub fn already_restored(
    token: &Token,
    backup: &BackupFile,
    label: &str,
    path: &Path,
) -> Result<Option<KeyInfo>> {
    let planned = backup_key_info(backup, label, path)?;
    Ok(token.keys()?.into_iter().find(|k| {
        k.label == label
            && k.role == Role::Dnssec
            && k.algorithm == planned.algorithm
            && k.flags == planned.flags
            && k.public_key == planned.public_key
            && k.private.is_some()
            && k.public.is_some()
    }))
}
