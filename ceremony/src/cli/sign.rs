//! `ceremony sign-ksr|request|trust-anchor`: argument parsing and output, thin
//! over `crate::ops::sign`.

use std::path::PathBuf;

use ksr::env::Env;
use ksr::xml;

use super::{time_arg, Out, TokenArgs};
use crate::error::Result;
use crate::ops::sign::{
    self as op, RequestInput, SignKsrInput, TrustAnchorInput, TrustAnchorReport,
};
use crate::ops::Operation;

#[derive(Debug, clap::Args)]
pub struct SignKsrArgs {
    /// The KSR to sign: IANA XML, or the text KSR of Knot (`keymgr generate-ksr`)
    /// or BIND 9.20 (`dnssec-ksr request`), told apart by content.
    pub ksr: PathBuf,
    /// Where to write the SKR (written to a temp file, verified, then renamed).
    /// Absent or a regular file; an existing file is replaced only with --force.
    #[arg(long)]
    pub out: PathBuf,
    /// Replace an existing regular file at --out (never anything else).
    #[arg(long)]
    pub force: bool,
    /// HSM label of the current KSK.
    #[arg(long)]
    pub ksk_current: String,
    /// HSM label of the next KSK (schemas that publish or sign with it).
    #[arg(long)]
    pub ksk_next: Option<String>,
    /// Signing schema: normal, pre-publish, rollover, revoke, publish+, rollover+, revoke+, or one from the policy.
    #[arg(long)]
    pub schema: String,
    /// The SKR of the previous ceremony (chain and safety checks). Required
    /// unless --first-in-chain.
    #[arg(long)]
    pub previous_skr: Option<PathBuf>,
    /// State that there is no previous SKR (the KSK's first signing): the
    /// chain checks do not run, and the audit log and the report say so.
    #[arg(long)]
    pub first_in_chain: bool,
    /// Operator policy (TOML); default: the root zone's.
    #[arg(long)]
    pub policy: Option<PathBuf>,
    /// The time checks are evaluated at (YYYY-MM-DD or RFC 3339 UTC); default: now.
    #[arg(long)]
    pub at: Option<String>,
    /// The KSR's SHA-256 in hex, for non-interactive use. Without it the hash and its
    /// PGP words are shown and the operator types back the hex, all 32 words, or the
    /// 16 words at the positions the prompt picks at random.
    #[arg(long)]
    pub expect_sha256: Option<String>,
    /// Largest KSR accepted, in bytes (the previous SKR may be four times as large).
    #[arg(long, default_value_t = xml::DEFAULT_MAX_SIZE)]
    pub max_size: usize,
    /// The SKR's format: iana, knot or bind; default: the KSR's.
    #[arg(long, value_name = "iana|knot|bind", value_parser = parse_format)]
    pub dialect: Option<ksr::format::Format>,
    /// Add CDS (digest type 2) and CDNSKEY RRsets of the signing KSKs, with
    /// their RRSIGs, to every snapshot, as `dnssec-ksr sign` does (text SKRs only).
    #[arg(long)]
    pub cds: bool,
    /// PKCS#11 sessions that sign at once (default: one per core, capped by the
    /// token's session limit). The SKR is the same whatever the number. SoftHSM
    /// signs ECDSA on one session at a time: 1 is faster there
    /// (docs/performance.md).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub sessions: Option<u16>,
    #[command(flatten)]
    pub token: TokenArgs,
}

fn parse_format(s: &str) -> std::result::Result<ksr::format::Format, String> {
    match s.to_ascii_lowercase().as_str() {
        "iana" | "xml" => Ok(ksr::format::Format::IanaXml),
        other => ksr::format::Format::from_dialect_name(other)
            .ok_or_else(|| format!("{s:?}: the SKR format is iana, knot or bind")),
    }
}

impl SignKsrArgs {
    pub(super) fn input(self, env: &dyn Env) -> Result<SignKsrInput> {
        let at = match &self.at {
            Some(s) => time_arg("--at", s)?,
            None => env.now(),
        };
        let input = SignKsrInput {
            token: self.token.spec(env),
            ksr: self.ksr,
            out: self.out,
            ksk_current: self.ksk_current,
            ksk_next: self.ksk_next,
            schema: self.schema,
            previous_skr: self.previous_skr,
            policy: self.policy,
            at,
            expect_sha256: self.expect_sha256,
            max_size: self.max_size,
            dialect: self.dialect,
            cds: self.cds,
            sessions: self.sessions.map(usize::from),
            first_in_chain: self.first_in_chain,
            force: self.force,
            read: Default::default(),
        };
        // Before the audit log or the token: a usage error.
        input.check_chain_choice()?;
        Ok(input)
    }
}

#[derive(Debug, clap::Args)]
pub struct RequestArgs {
    /// The zone the ZSKs sign, e.g. example.test.
    #[arg(long)]
    pub zone: String,
    /// ZSK labels on the token, oldest first: 1 (steady), 2 (current, next: next pre-published
    /// in the last slot) or 3 (previous, current, next: the root's 2,1,...,1,2 layout).
    #[arg(long = "zsk", required = true, num_args = 1..)]
    pub zsks: Vec<String>,
    /// Inception of the first bundle (YYYY-MM-DD or RFC 3339 UTC).
    #[arg(long)]
    pub from: String,
    /// End of the period; bundles start every policy interval while a whole interval fits.
    #[arg(long)]
    pub to: String,
    /// Operator policy (TOML); default: the root zone's.
    #[arg(long)]
    pub policy: Option<PathBuf>,
    /// KSR serial number.
    #[arg(long, default_value_t = 0)]
    pub serial: u64,
    /// Where to write the KSR (absent, or a regular file with --force).
    #[arg(long)]
    pub out: PathBuf,
    /// Replace an existing regular file at --out (never anything else).
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub token: TokenArgs,
}

impl RequestArgs {
    pub(super) fn input(self, env: &dyn Env) -> Result<RequestInput> {
        Ok(RequestInput {
            from: time_arg("--from", &self.from)?,
            to: time_arg("--to", &self.to)?,
            token: self.token.spec(env),
            zone: self.zone,
            zsks: self.zsks,
            policy: self.policy,
            serial: self.serial,
            out: self.out,
            force: self.force,
        })
    }
}

#[derive(Debug, clap::Args)]
pub struct TrustAnchorArgs {
    /// HSM label of the KSK.
    #[arg(long)]
    pub ksk: String,
    /// The zone, e.g. `.` or example.test.
    #[arg(long)]
    pub zone: String,
    /// validFrom of the KeyDigest (YYYY-MM-DD or RFC 3339 UTC).
    #[arg(long)]
    pub valid_from: String,
    /// `source` attribute of the TrustAnchor element (where the file is published).
    #[arg(long)]
    pub source: Option<String>,
    /// Write the XML here (DS records go to standard output); default: both to standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an existing regular file at --out (never anything else).
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub token: TokenArgs,
}

impl TrustAnchorArgs {
    pub(super) fn input(self, env: &dyn Env) -> Result<TrustAnchorInput> {
        Ok(TrustAnchorInput {
            valid_from: time_arg("--valid-from", &self.valid_from)?,
            token: self.token.spec(env),
            ksk: self.ksk,
            zone: self.zone,
            source: self.source,
            out: self.out,
            force: self.force,
        })
    }
}

pub(super) enum Job {
    SignKsr(SignKsrInput),
    Request(RequestInput),
    TrustAnchor(TrustAnchorInput),
}

impl Job {
    pub(super) fn operation(&self) -> Operation {
        match self {
            Job::SignKsr(i) => i.operation(),
            Job::Request(i) => i.operation(),
            Job::TrustAnchor(i) => i.operation(),
        }
    }

    pub(super) fn run(self, out: &Out) -> Result<()> {
        let prompter = out.env.prompter();
        match self {
            Job::SignKsr(i) => {
                // The check reports, hashes and progress are the text output; with
                // --json they go to stderr so stdout carries only the report.
                let r = {
                    let mut log = if out.json {
                        out.env.stderr()
                    } else {
                        out.env.stdout()
                    };
                    op::sign_ksr(&i, prompter, &mut log)?
                };
                // The text output was the log; the chain choice is said
                // again last, where the room reads the result.
                out.report(&r, |r| match r.chain {
                    op::Chain::FirstInChain => format!("{}\n", op::CHAIN_NOT_CHECKED),
                    op::Chain::Checked { .. } => String::new(),
                })
            }
            Job::Request(i) => out.report(&op::request(&i, prompter)?, |r| {
                let d = hex::decode(&r.sha256).expect("hex we wrote");
                format!(
                    "Wrote {} ({} bundles, zone {})\n{}",
                    r.out.display(),
                    r.bundles,
                    r.zone,
                    ksr::digest::read_aloud(&d)
                )
            }),
            Job::TrustAnchor(i) => {
                out.report(&op::trust_anchor(&i, prompter)?, render_trust_anchor)
            }
        }
    }
}

fn render_trust_anchor(r: &TrustAnchorReport) -> String {
    let mut o = match &r.out {
        Some(path) => format!("Wrote {}\n", path.display()),
        None => r.xml.clone(),
    };
    o.push_str(&r.ds_records);
    o
}
