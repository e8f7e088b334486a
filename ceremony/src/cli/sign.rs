//! `ceremony sign-ksr|request|trust-anchor`: argument parsing and output, thin
//! over `crate::sign`.

use std::io::Write;
use std::path::PathBuf;

use ksr::model::{flags, Time};
use ksr::policy::Policy;
use ksr::{timefmt, xml};

use crate::error::{Error, Result};
use crate::hsm::{Token, TokenArgs};
use crate::keystore::KeyStore;
use crate::sign::confirm::Confirmation;
use crate::sign::{pipeline, request as req, trust_anchor as ta};

#[derive(Debug, clap::Args)]
pub struct SignKsrArgs {
    /// The KSR (IANA XML) to sign.
    pub ksr: PathBuf,
    /// Where to write the SKR (written to a temp file, verified, then renamed).
    #[arg(long)]
    pub out: PathBuf,
    /// HSM label of the current KSK.
    #[arg(long)]
    pub ksk_current: String,
    /// HSM label of the next KSK (schemas that publish or sign with it).
    #[arg(long)]
    pub ksk_next: Option<String>,
    /// Signing schema: normal, pre-publish, rollover, revoke, publish+, rollover+, revoke+, or one from the policy.
    #[arg(long)]
    pub schema: String,
    /// The SKR of the previous ceremony (chain and safety checks).
    #[arg(long)]
    pub previous_skr: Option<PathBuf>,
    /// Operator policy (TOML); default: the root zone's.
    #[arg(long)]
    pub policy: Option<PathBuf>,
    /// The time checks are evaluated at (YYYY-MM-DD or RFC 3339 UTC); default: now.
    #[arg(long)]
    pub at: Option<String>,
    /// The KSR's SHA-256 in hex, for non-interactive use. Without it the hash and its
    /// PGP words are shown and the operator types back the hex, all the words, or the
    /// first and last word.
    #[arg(long)]
    pub expect_sha256: Option<String>,
    /// Largest KSR accepted, in bytes (the previous SKR may be four times as large).
    #[arg(long, default_value_t = xml::DEFAULT_MAX_SIZE)]
    pub max_size: usize,
    #[command(flatten)]
    pub token: TokenArgs,
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
    /// Where to write the KSR.
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub token: TokenArgs,
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
    #[command(flatten)]
    pub token: TokenArgs,
}

fn parse_time(flag: &str, s: &str) -> Result<Time> {
    timefmt::parse_at(s).map_err(|e| Error::Input(format!("{flag}: {e}")))
}

fn load_policy(path: &Option<PathBuf>) -> Result<Policy> {
    match path {
        Some(p) => Policy::from_toml_file(p).map_err(Error::Input),
        None => Ok(Policy::root()),
    }
}

pub fn sign_ksr(a: SignKsrArgs) -> Result<()> {
    let at = match &a.at {
        Some(s) => parse_time("--at", s)?,
        None => time::OffsetDateTime::now_utc(),
    };
    let opts = pipeline::SignOptions {
        ksr: a.ksr,
        out: a.out,
        ksk_current: a.ksk_current,
        ksk_next: a.ksk_next,
        schema: a.schema,
        previous_skr: a.previous_skr,
        policy: load_policy(&a.policy)?,
        at,
        max_size: a.max_size,
    };
    let stdout = std::io::stdout();
    let mut log = stdout.lock();
    let token = a.token;
    let ksk_labels: Vec<String> = std::iter::once(opts.ksk_current.clone())
        .chain(opts.ksk_next.clone())
        .collect();
    let open = || {
        let t = token.open()?;
        for l in &ksk_labels {
            require_role(&t, l, flags::KSK, "--ksk-current/--ksk-next")?;
        }
        Ok(t)
    };
    match &a.expect_sha256 {
        Some(hex) => {
            pipeline::sign_ksr(&opts, open, Confirmation::Expect(hex), &mut log).map(|_| ())
        }
        None => {
            // The prompt goes to the terminal's stderr so stdout stays a clean record.
            let stdin = std::io::stdin();
            let mut input = stdin.lock();
            let mut prompt = std::io::stderr();
            pipeline::sign_ksr(
                &opts,
                open,
                Confirmation::Ask {
                    input: &mut input,
                    output: &mut prompt,
                },
                &mut log,
            )
            .map(|_| ())
        }
    }
}

pub fn request(a: RequestArgs) -> Result<()> {
    let policy = load_policy(&a.policy)?;
    let plan = req::RequestPlan {
        zone: super::zone_arg("--zone", &a.zone)?,
        zsks: a.zsks,
        from: parse_time("--from", &a.from)?,
        to: parse_time("--to", &a.to)?,
        serial: a.serial,
    };
    let mut token = a.token.open()?;
    for z in &plan.zsks {
        require_role(&token, z, flags::ZSK, "--zsk")?;
    }
    let doc = req::build(&plan, &policy, &mut token)?;
    drop(token);
    let bytes = xml::write(&doc);
    let limit = bytes.len().max(xml::DEFAULT_MAX_SIZE);
    crate::file::write_verified(&a.out, &bytes, |tmp| {
        let again = xml::parse_file(tmp, &xml::ParseOptions { max_size: limit })
            .map_err(|e| Error::CheckFailed(format!("the written KSR does not re-parse: {e}")))?;
        if again != doc {
            return Err(Error::CheckFailed(
                "the written KSR re-parses to different content".into(),
            ));
        }
        Ok(())
    })?;
    let d = ksr::digest::sha256(&bytes);
    println!(
        "Wrote {} ({} bundles, zone {})\n{}",
        a.out.display(),
        doc.bundles.len(),
        doc.domain,
        ksr::digest::read_aloud(&d)
    );
    Ok(())
}

pub fn trust_anchor(a: TrustAnchorArgs) -> Result<()> {
    let valid_from = parse_time("--valid-from", &a.valid_from)?;
    let zone = super::zone_arg("--zone", &a.zone)?;
    let mut token = a.token.open()?;
    require_role(&token, &a.ksk, flags::KSK, "--ksk")?;
    let pk = token.public_key(&a.ksk)?;
    drop(token);
    let key = crate::sign::dnskey(&pk, flags::KSK, 0);
    let doc = ta::xml(&zone, &key, valid_from, a.source.as_deref())?;
    let ds = ta::ds_records(&zone, &key)?;
    match &a.out {
        Some(path) => {
            crate::file::write_verified(path, doc.as_bytes(), |_| Ok(()))?;
            println!("Wrote {}", path.display());
        }
        None => print!("{doc}"),
    }
    print!("{ds}");
    let _ = std::io::stdout().flush();
    Ok(())
}

/// A key is generated for one role (the flags it publishes with); using a ZSK as a
/// KSK or the other way round is an officer's mistake to stop before signing.
fn require_role(token: &Token, label: &str, want: u16, flag: &str) -> Result<()> {
    let info = token.key(label)?;
    if info.flags & flags::SEP != want & flags::SEP {
        let (is, should) = if want & flags::SEP != 0 {
            ("a ZSK", "a KSK")
        } else {
            ("a KSK", "a ZSK")
        };
        return Err(Error::Input(format!(
            "key {label:?} on the token was generated as {is} (flags {}); {flag} needs {should}",
            info.flags
        )));
    }
    Ok(())
}
