//! `ceremony keygen|inventory|backup|restore|delete|prove`.

use std::io::BufRead as _;
use std::path::PathBuf;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde_json::json;

use crate::error::{Error, Result};
use crate::hsm::backup::{self, BackupFile, TransportFile};
use crate::hsm::keys::{self, Algorithm, KeyInfo, KeySpec};
use crate::hsm::proof::{self, Proof};
use crate::hsm::{pin, TokenArgs};
use crate::sign::confirm::{self, Confirmation, Subject};

/// Inception of proof signatures unless `--at` is given: proofs are never
/// published, and a fixed time keeps the output reproducible.
pub const DEFAULT_PROOF_AT: &str = "2020-01-01T00:00:00Z";

#[derive(Debug, clap::Args)]
pub struct KeygenArgs {
    #[command(flatten)]
    pub token: TokenArgs,
    /// CKA_LABEL of the new key pair (the SKR keyIdentifier of a KSK).
    #[arg(long)]
    pub label: String,
    /// rsasha256, rsasha512, ecdsap256sha256, ecdsap384sha384, ed25519, ed448.
    #[arg(long)]
    pub algorithm: String,
    /// RSA modulus size: 2048 (default), 3072 or 4096.
    #[arg(long)]
    pub bits: Option<u32>,
    /// Zone the key is for (owner of the DNSKEY and DS records).
    #[arg(long)]
    pub zone: String,
    /// DNSKEY flags: 257 (KSK) or 256 (ZSK).
    #[arg(long, default_value_t = 257)]
    pub flags: u16,
    /// TTL printed with the DNSKEY and DS records.
    #[arg(long, default_value_t = 172_800)]
    pub ttl: u32,
    /// Make the key wrappable, but only under a key the security officer marked
    /// trusted (CKA_WRAP_WITH_TRUSTED), so `ceremony backup export` can move it.
    #[arg(long)]
    pub allow_backup: bool,
}

#[derive(Debug, clap::Args)]
pub struct InventoryArgs {
    #[command(flatten)]
    pub token: TokenArgs,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Zone used as DS owner name.
    #[arg(long, default_value = ".")]
    pub zone: String,
}

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    #[command(subcommand)]
    pub command: BackupCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum BackupCommand {
    /// On the DESTINATION token: make a transport key and write its public half.
    TransportKey(TransportKeyArgs),
    /// On the SOURCE token: wrap a key to a confirmed transport key.
    Export(ExportArgs),
}

#[derive(Debug, clap::Args)]
pub struct TransportKeyArgs {
    #[command(flatten)]
    pub token: TokenArgs,
    /// Label of the transport key pair.
    #[arg(long, default_value = "ceremony-transport")]
    pub label: String,
    /// Where to write the transport public key (JSON).
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub token: TokenArgs,
    /// File holding the security officer PIN of the source token, which marks the
    /// transport key trusted for this session (else a prompt without echo).
    #[arg(long)]
    pub so_pin_file: Option<PathBuf>,
    /// Label of the key to back up.
    #[arg(long)]
    pub label: String,
    /// Transport key file written by `backup transport-key` on the destination.
    #[arg(long)]
    pub transport: PathBuf,
    /// The transport key's SHA-256 as read on the destination. Without it the
    /// fingerprint is shown and typed back (hex, all words, or first and last word).
    #[arg(long)]
    pub expect_transport_sha256: Option<String>,
    /// Where to write the backup (wrapped key and public data, JSON).
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    #[command(flatten)]
    pub token: TokenArgs,
    /// Backup file written by `backup export`.
    #[arg(long)]
    pub backup: PathBuf,
    /// Label on this token (default: the backed-up label).
    #[arg(long)]
    pub label: Option<String>,
    /// Zone of the test RRset the restored key signs.
    #[arg(long, default_value = ".")]
    pub zone: String,
    /// Inception of the test signature (default 2020-01-01T00:00:00Z).
    #[arg(long)]
    pub at: Option<String>,
    /// Keep the transport key after this restore (more keys wrapped to it follow);
    /// by default it is destroyed so the backup file cannot be opened again.
    #[arg(long)]
    pub keep_transport: bool,
}

#[derive(Debug, clap::Args)]
pub struct DeleteArgs {
    #[command(flatten)]
    pub token: TokenArgs,
    /// Label of the key pair to delete.
    #[arg(long)]
    pub label: String,
    /// The label again, for non-interactive use (else it is asked for on stdin).
    #[arg(long)]
    pub confirm: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ProveArgs {
    #[command(flatten)]
    pub token: TokenArgs,
    /// Label of the key.
    #[arg(long)]
    pub label: String,
    /// Zone of the test DNSKEY RRset.
    #[arg(long, default_value = ".")]
    pub zone: String,
    /// Inception of the test signature (default 2020-01-01T00:00:00Z).
    #[arg(long)]
    pub at: Option<String>,
    /// Print JSON (the DNSKEY and the RRSIG) instead of text.
    #[arg(long)]
    pub json: bool,
}

fn parse_at(at: Option<&str>) -> Result<ksr::model::Time> {
    let s = at.unwrap_or(DEFAULT_PROOF_AT);
    ksr::timefmt::parse_at(s).map_err(|e| Error::Input(format!("--at {s:?}: {e}")))
}

/// `--zone`, absolute, checked before any token is touched.
fn zone_arg(zone: &str) -> Result<String> {
    super::zone_arg("--zone", zone)
}

fn security_summary(k: &KeyInfo) -> String {
    let s = &k.security;
    let mut parts = Vec::new();
    let mut add = |name: &str, v: Option<bool>| {
        if let Some(v) = v {
            parts.push(format!("{name}={}", if v { "yes" } else { "no" }));
        }
    };
    add("token", s.token);
    add("private", s.private);
    add("sensitive", s.sensitive);
    add("always-sensitive", s.always_sensitive);
    add("extractable", s.extractable);
    add("never-extractable", s.never_extractable);
    add("wrap-with-trusted", s.wrap_with_trusted);
    add("local", s.local);
    if parts.is_empty() {
        "no private key on the token".into()
    } else {
        parts.join(" ")
    }
}

/// DNSKEY record, tags, DS record and the DS digest read aloud.
fn describe(k: &KeyInfo, zone: &str, ttl: u32) -> Result<String> {
    let dnskey = k
        .dnskey(ttl, k.flags)
        .ok_or_else(|| Error::Hsm(format!("key {:?} has no readable public key", k.label)))?;
    let (tag, revoked) = (dnskey.key_tag, k.tags().map_or(0, |t| t.1));
    let owner = zone;
    let ds = ksr::dnssec::ds_digest(owner, &dnskey, 2)
        .map_err(|e| Error::Input(format!("--zone {zone:?}: {e}")))?;
    let mut out = String::new();
    out.push_str(&format!(
        "{owner} {ttl} IN DNSKEY {} 3 {} {}\n",
        k.flags,
        dnskey.algorithm,
        B64.encode(&dnskey.public_key)
    ));
    out.push_str(&format!("key tag {tag} (revoked: {revoked})\n"));
    out.push_str(&format!(
        "{owner} {ttl} IN DS {tag} {} 2 {}\n",
        dnskey.algorithm,
        hex::encode_upper(&ds)
    ));
    out.push_str("DS digest (SHA-256) to read aloud:\n");
    out.push_str(&ksr::digest::read_aloud(&ds));
    Ok(out)
}

fn proof_line(p: &Proof) -> String {
    format!(
        "proof: key tag {} signed a test DNSKEY RRset for {} (inception {}); signature {}: {}\n",
        p.rrsig.key_tag,
        p.zone,
        ksr::timefmt::format_time(p.rrsig.inception),
        if p.verified {
            "verified"
        } else {
            "NOT verified locally (no Ed448 verifier)"
        },
        B64.encode(&p.rrsig.signature_data)
    )
}

pub fn keygen(a: KeygenArgs) -> Result<()> {
    let algorithm = Algorithm::parse(&a.algorithm)?;
    let spec = KeySpec {
        label: a.label.clone(),
        algorithm,
        bits: a.bits,
        flags: a.flags,
        allow_backup: a.allow_backup,
    };
    spec.check()?;
    // Checked before the token is touched: a bad zone must not leave a new key behind.
    let zone = zone_arg(&a.zone)?;
    let mut token = a.token.open()?;
    let info = keys::generate(&mut token, &spec)?;
    let p = proof::prove(&mut token, &info.label, &zone, info.flags, parse_at(None)?)?;
    println!(
        "generated {:?} on token {:?}: {} {} bits, flags {}, CKA_ID {}",
        info.label,
        token.label(),
        algorithm.mnemonic(),
        info.bits,
        info.flags,
        hex::encode(&info.id)
    );
    println!("security: {}", security_summary(&info));
    print!("{}", describe(&info, &zone, a.ttl)?);
    print!("{}", proof_line(&p));
    Ok(())
}

fn key_json(k: &KeyInfo, zone: &str) -> Result<serde_json::Value> {
    let mut v = json!({
        "label": k.label,
        "id": hex::encode(&k.id),
        "role": k.role,
        "algorithm": k.algorithm.map(|a| a.number()),
        "algorithm_name": k.algorithm.map(|a| a.mnemonic()),
        "bits": k.bits,
        "flags": k.flags,
        "has_private_key": k.private.is_some(),
        "has_public_key": k.public.is_some(),
        "security": k.security,
    });
    if let (Some(dnskey), Some((tag, revoked))) = (k.dnskey(0, k.flags), k.tags()) {
        let ds = ksr::dnssec::ds_digest(zone, &dnskey, 2)
            .map_err(|e| Error::Input(format!("--zone {zone:?}: {e}")))?;
        v["key_tag"] = json!(tag);
        v["revoked_key_tag"] = json!(revoked);
        v["public_key"] = json!(B64.encode(&k.public_key));
        v["ds"] = json!({"digest_type": 2, "digest": hex::encode_upper(ds)});
    }
    Ok(v)
}

pub fn inventory(a: InventoryArgs) -> Result<()> {
    let zone = zone_arg(&a.zone)?;
    let token = a.token.open()?;
    let keys = token.keys()?;
    if a.json {
        let list: Result<Vec<_>> = keys.iter().map(|k| key_json(k, &zone)).collect();
        let doc = json!({"token": token.label(), "zone": zone, "keys": list?});
        println!(
            "{}",
            serde_json::to_string_pretty(&doc).expect("JSON of plain values")
        );
        return Ok(());
    }
    println!(
        "token {:?}: {} key pair(s); DS owner {zone}",
        token.label(),
        keys.len()
    );
    for k in &keys {
        println!();
        println!("{}", k.label);
        println!("  id:        {}", hex::encode(&k.id));
        println!("  role:      {}", k.role.name());
        if let Some(alg) = k.algorithm {
            println!(
                "  algorithm: {} ({}) {} bits",
                alg.mnemonic(),
                alg.number(),
                k.bits
            );
            println!("  flags:     {}", k.flags);
        }
        if let (Some(dnskey), Some((tag, revoked))) = (k.dnskey(0, k.flags), k.tags()) {
            let ds = ksr::dnssec::ds_digest(&zone, &dnskey, 2)
                .map_err(|e| Error::Input(format!("--zone {zone:?}: {e}")))?;
            println!("  key tag:   {tag} (revoked {revoked})");
            println!(
                "  DS:        {tag} {} 2 {}",
                dnskey.algorithm,
                hex::encode_upper(ds)
            );
        }
        println!("  security:  {}", security_summary(k));
    }
    Ok(())
}

fn read_json<T: serde::de::DeserializeOwned>(path: &std::path::Path) -> Result<T> {
    let bytes = std::fs::read(path)
        .map_err(|e| Error::Input(format!("cannot read {}: {e}", path.display())))?;
    serde_json::from_slice(&bytes).map_err(|e| {
        Error::Input(format!(
            "{}: not a valid file of this kind: {e}",
            path.display()
        ))
    })
}

/// Writes `value` as JSON; the temp file must read back as the same value before
/// it is renamed into place.
fn write_json<T>(path: &std::path::Path, value: &T) -> Result<()>
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq,
{
    let mut text = serde_json::to_string_pretty(value).expect("JSON of plain values");
    text.push('\n');
    crate::file::write_verified(path, text.as_bytes(), |tmp| {
        if read_json::<T>(tmp)? != *value {
            return Err(Error::Io(format!(
                "{} did not read back identically; nothing was written",
                path.display()
            )));
        }
        Ok(())
    })
}

pub fn backup(a: BackupArgs) -> Result<()> {
    match a.command {
        BackupCommand::TransportKey(t) => {
            let token = t.token.open()?;
            let file = backup::create_transport_key(&token, &t.label)?;
            write_json(&t.out, &file)?;
            let digest = hex::decode(&file.sha256).expect("hex we wrote");
            println!(
                "transport key {:?} on token {:?} written to {}",
                file.label,
                file.token,
                t.out.display()
            );
            println!("Read this fingerprint to the officer at the source token:");
            print!("{}", ksr::digest::read_aloud(&digest));
            Ok(())
        }
        BackupCommand::Export(e) => export(e),
    }
}

fn export(e: ExportArgs) -> Result<()> {
    let transport: TransportFile = read_json(&e.transport)?;
    let field = transport.validate(&e.transport)?;
    let digest = backup::fingerprint(&field);
    let hex_digest = hex::encode(digest);
    confirm_transport(&e, &digest)?;
    let token = e.token.open_unauthenticated()?;
    let so = pin::read(
        e.so_pin_file.as_deref(),
        pin::Role::SecurityOfficer,
        &e.token.token,
    )?;
    let user = pin::read(e.token.pin_file.as_deref(), pin::Role::User, &e.token.token)?;
    let file = backup::export(&token, &e.label, &transport, &field, &so, &user)?;
    write_json(&e.out, &file)?;
    println!(
        "key {:?} wrapped to transport key {:?} (SHA-256 {hex_digest}) and written to {}",
        file.label,
        transport.label,
        e.out.display()
    );
    Ok(())
}

/// The officer at the source confirms the transport key is the destination's,
/// before any PIN is asked for: `--expect-transport-sha256`, else typed back.
fn confirm_transport(e: &ExportArgs, digest: &[u8; 32]) -> Result<()> {
    let file = e.transport.display().to_string();
    let subject = Subject {
        check: "TRANSPORT-KEY-CONFIRM",
        flag: "--expect-transport-sha256",
        file: &file,
        compare: "the transport key's fingerprint with the one read at the destination",
        mismatch: "this is not the destination's transport key",
        outcome: "nothing was exported",
    };
    match &e.expect_transport_sha256 {
        Some(hex) => confirm::confirm(&subject, digest, Confirmation::Expect(hex)),
        None => confirm::confirm(
            &subject,
            digest,
            Confirmation::Ask {
                input: &mut std::io::stdin().lock(),
                output: &mut std::io::stderr(),
            },
        ),
    }
}

pub fn restore(a: RestoreArgs) -> Result<()> {
    let at = parse_at(a.at.as_deref())?;
    let file: BackupFile = read_json(&a.backup)?;
    let label = a.label.clone().unwrap_or_else(|| file.label.clone());
    let zone = zone_arg(&a.zone)?;
    let mut token = a.token.open()?;
    let restored = backup::restore(&token, &file, &label, &a.backup)?;
    let p = match proof::prove(&mut token, &label, &zone, restored.flags, at) {
        Ok(p) => p,
        Err(err) => {
            backup::remove(&token, &restored);
            return Err(err);
        }
    };
    println!(
        "restored {:?} onto token {:?}: {} {} bits, flags {}",
        label,
        token.label(),
        restored.algorithm.map(|x| x.mnemonic()).unwrap_or("?"),
        restored.bits,
        restored.flags
    );
    println!("security: {}", security_summary(&restored));
    print!("{}", describe(&restored, &zone, proof::TTL)?);
    print!("{}", proof_line(&p));
    if a.keep_transport {
        println!("transport key kept (--keep-transport): destroy it when the last key is restored");
    } else {
        let t = backup::retire_transport(&token, &file)?;
        println!(
            "transport key {t:?} destroyed: this backup file can no longer be restored anywhere"
        );
    }
    Ok(())
}

pub fn delete(a: DeleteArgs) -> Result<()> {
    let token = a.token.open()?;
    let key = token.key(&a.label)?;
    let typed = match &a.confirm {
        Some(c) => c.clone(),
        None => {
            eprintln!(
                "About to delete key pair {:?} from token {:?}. Type the label again to confirm:",
                a.label,
                token.label()
            );
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| Error::Input(format!("cannot read the confirmation: {e}")))?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    if typed != a.label {
        return Err(Error::Input(format!(
            "the confirmation {typed:?} does not match the label {:?}; nothing was deleted",
            a.label
        )));
    }
    for h in [key.private, key.public].into_iter().flatten() {
        token
            .session()
            .destroy_object(h)
            .map_err(|e| crate::hsm::token::map_err(e, "deleting the key"))?;
    }
    println!(
        "deleted key pair {:?} from token {:?}",
        a.label,
        token.label()
    );
    Ok(())
}

pub fn prove(a: ProveArgs) -> Result<()> {
    let at = parse_at(a.at.as_deref())?;
    let zone = zone_arg(&a.zone)?;
    let mut token = a.token.open()?;
    let info = token.key(&a.label)?;
    let p = proof::prove(&mut token, &a.label, &zone, info.flags, at)?;
    if a.json {
        let k = &p.dnskey;
        let s = &p.rrsig;
        let doc = json!({
            "zone": p.zone,
            "verified": p.verified,
            "dnskey": {
                "key_identifier": k.key_identifier, "key_tag": k.key_tag, "ttl": k.ttl,
                "flags": k.flags, "protocol": k.protocol, "algorithm": k.algorithm,
                "public_key": B64.encode(&k.public_key),
            },
            "rrsig": {
                "key_identifier": s.key_identifier, "ttl": s.ttl, "type_covered": s.type_covered,
                "algorithm": s.algorithm, "labels": s.labels, "original_ttl": s.original_ttl,
                "expiration": ksr::timefmt::format_time(s.expiration),
                "inception": ksr::timefmt::format_time(s.inception),
                "key_tag": s.key_tag, "signers_name": s.signers_name,
                "signature": B64.encode(&s.signature_data),
            },
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&doc).expect("JSON of plain values")
        );
    } else {
        print!("{}", proof_line(&p));
    }
    Ok(())
}
