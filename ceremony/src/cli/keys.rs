//! `ceremony keygen|inventory|prove|delete`.

use std::fmt::Write as _;

use ksr::env::Env;

use super::{Out, TokenArgs};
use crate::error::{Error, Result};
use crate::hsm::inventory::Security;
use crate::hsm::{Algorithm, KeySpec};
use crate::ops::keys::{
    self as op, DeleteInput, InventoryInput, InventoryReport, KeyReport, KeygenInput, ProveInput,
};
use crate::ops::report::{KeyEntry, ProofReport};
use crate::ops::{Operation, DEFAULT_PROOF_AT};

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

impl KeygenArgs {
    pub(super) fn input(self, env: &dyn Env) -> Result<KeygenInput> {
        Ok(KeygenInput {
            token: self.token.spec(env),
            spec: KeySpec {
                label: self.label,
                algorithm: Algorithm::parse(&self.algorithm)?,
                bits: self.bits,
                flags: self.flags,
                allow_backup: self.allow_backup,
            },
            zone: self.zone,
            ttl: self.ttl,
            at: proof_at(None)?,
        })
    }
}

#[derive(Debug, clap::Args)]
pub struct InventoryArgs {
    #[command(flatten)]
    pub token: TokenArgs,
    /// Zone used as DS owner name.
    #[arg(long, default_value = ".")]
    pub zone: String,
}

impl InventoryArgs {
    pub(super) fn input(self, env: &dyn Env) -> InventoryInput {
        InventoryInput {
            token: self.token.spec(env),
            zone: self.zone,
        }
    }
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

impl DeleteArgs {
    pub(super) fn input(self, env: &dyn Env) -> DeleteInput {
        DeleteInput {
            token: self.token.spec(env),
            label: self.label,
            confirm: self.confirm,
        }
    }
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
}

impl ProveArgs {
    pub(super) fn input(self, env: &dyn Env) -> Result<ProveInput> {
        Ok(ProveInput {
            at: proof_at(self.at.as_deref())?,
            token: self.token.spec(env),
            label: self.label,
            zone: self.zone,
        })
    }
}

/// `--at` of a proof, default [`DEFAULT_PROOF_AT`].
pub(super) fn proof_at(at: Option<&str>) -> Result<ksr::model::Time> {
    let s = at.unwrap_or(DEFAULT_PROOF_AT);
    ksr::timefmt::parse_at(s).map_err(|e| Error::Input(format!("--at {s:?}: {e}")))
}

pub(super) enum Job {
    Keygen(KeygenInput),
    Inventory(InventoryInput),
    Delete(DeleteInput),
    Prove(ProveInput),
}

impl Job {
    pub(super) fn operation(&self) -> Operation {
        match self {
            Job::Keygen(i) => i.operation(),
            Job::Inventory(i) => i.operation(),
            Job::Delete(i) => i.operation(),
            Job::Prove(i) => i.operation(),
        }
    }

    pub(super) fn run(self, out: &Out) -> Result<()> {
        let prompter = out.env.prompter();
        match self {
            Job::Keygen(i) => out.report(&op::keygen(&i, prompter)?, |r| {
                render_key(r, "generated", "on")
            }),
            Job::Inventory(i) => out.report(&op::inventory(&i, prompter)?, render_inventory),
            Job::Delete(i) => out.report(&op::delete(&i, prompter)?, |r| {
                format!("deleted key pair {:?} from token {:?}\n", r.label, r.token)
            }),
            Job::Prove(i) => out.report(&op::prove(&i, prompter)?, proof_line),
        }
    }
}

/// The security attributes in one line.
pub(super) fn security_summary(s: &Security) -> String {
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

/// A new or restored key: what it is, its records, the DS read aloud, its proof.
pub(super) fn render_key(r: &KeyReport, verb: &str, preposition: &str) -> String {
    let k = &r.key;
    let mut o = String::new();
    let alg = k.algorithm_name.unwrap_or("?");
    if verb == "generated" {
        let _ = writeln!(
            o,
            "generated {:?} on token {:?}: {alg} {} bits, flags {}, CKA_ID {}",
            k.label, r.token, k.bits, k.flags, k.id
        );
    } else {
        let _ = writeln!(
            o,
            "{verb} {:?} {preposition} token {:?}: {alg} {} bits, flags {}",
            k.label, r.token, k.bits, k.flags
        );
    }
    let _ = writeln!(o, "security: {}", security_summary(&k.security));
    o.push_str(&describe(k, &r.zone, r.ttl));
    o.push_str(&proof_line(&r.proof));
    o
}

/// DNSKEY record, tags, DS record and the DS digest read aloud.
fn describe(k: &KeyEntry, zone: &str, ttl: u32) -> String {
    let Some(p) = &k.published else {
        return format!("key {:?} has no readable public key\n", k.label);
    };
    let alg = k.algorithm.unwrap_or(0);
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{zone} {ttl} IN DNSKEY {} 3 {alg} {}",
        k.flags, p.public_key
    );
    let _ = writeln!(o, "key tag {} (revoked: {})", p.key_tag, p.revoked_key_tag);
    let _ = writeln!(
        o,
        "{zone} {ttl} IN DS {} {alg} {} {}",
        p.key_tag, p.ds.digest_type, p.ds.digest
    );
    o.push_str("DS digest (SHA-256) to read aloud:\n");
    let ds = hex::decode(&p.ds.digest).expect("hex we wrote");
    o.push_str(&ksr::digest::read_aloud(&ds));
    o
}

pub(super) fn proof_line(p: &ProofReport) -> String {
    format!(
        "proof: key tag {} signed a test DNSKEY RRset for {} (inception {}); signature {}: {}\n",
        p.rrsig.key_tag,
        p.zone,
        p.rrsig.inception,
        if p.verified {
            "verified"
        } else {
            "NOT verified locally (no Ed448 verifier)"
        },
        p.rrsig.signature
    )
}

fn render_inventory(r: &InventoryReport) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "token {:?}: {} key pair(s); DS owner {}",
        r.token,
        r.keys.len(),
        r.zone
    );
    for k in &r.keys {
        let _ = writeln!(o, "\n{}", k.label);
        let _ = writeln!(o, "  id:        {}", k.id);
        let _ = writeln!(o, "  role:      {}", k.role.name());
        if let (Some(name), Some(n)) = (k.algorithm_name, k.algorithm) {
            let _ = writeln!(o, "  algorithm: {name} ({n}) {} bits", k.bits);
            let _ = writeln!(o, "  flags:     {}", k.flags);
        }
        if let Some(p) = &k.published {
            let _ = writeln!(
                o,
                "  key tag:   {} (revoked {})",
                p.key_tag, p.revoked_key_tag
            );
            let _ = writeln!(
                o,
                "  DS:        {} {} 2 {}",
                p.key_tag,
                k.algorithm.unwrap_or(0),
                p.ds.digest
            );
        }
        let _ = writeln!(o, "  security:  {}", security_summary(&k.security));
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_summary_names_what_the_token_said() {
        let s = Security {
            sensitive: Some(true),
            extractable: Some(false),
            ..Security::default()
        };
        assert_eq!(security_summary(&s), "sensitive=yes extractable=no");
        assert_eq!(
            security_summary(&Security::default()),
            "no private key on the token"
        );
    }
}
