//! The whole `sign-ksr` run, in the order a ceremony needs it:
//!
//! 1. parse the KSR (and the previous SKR), run every KSR check, plus the checks
//!    only the ceremony can make (the previous SKR's KSKs are on this token; the
//!    KSR's key TTLs and our KSKs' algorithms agree with the policy);
//! 2. the operator confirms the KSR's SHA-256;
//! 3. sign every bundle per the schema, verifying each signature as it is made;
//! 4. write to a temp file, re-parse it, run the SKR checks (with KSR-POLICY-SAFETY
//!    against the previous SKR), and only then rename it into place.
//!
//! Any failure, at any step, leaves no file; the HSM signs nothing before step 3.

use std::io::Write;
use std::path::{Path, PathBuf};

use ksr::check::{self, CheckResult, Context, Outcome, Report};
use ksr::model::{Document, Time};
use ksr::policy::Policy;
use ksr::{digest, dnssec, output, xml};

use super::confirm::{self, Confirmation};
use super::report;
use super::skr::{self, Ksks};
use crate::error::{Error, Result};
use crate::keystore::KeyStore;

/// Name of the ceremony's own check that the previous SKR's KSKs are on the token.
pub const CHAIN_KEYS_HSM: &str = "KSR-CHAIN-KEYS-HSM";
/// Name of the check that every key in the KSR has the policy's DNSKEY TTL.
pub const KEY_TTL: &str = "KSR-KEY-TTL";
/// Name of the check that the ceremony's KSKs have an algorithm and size the policy accepts.
pub const KSK_ALG: &str = "KSK-POLICY-ALG";

#[derive(Debug, Clone)]
pub struct SignOptions {
    pub ksr: PathBuf,
    pub out: PathBuf,
    pub ksk_current: String,
    pub ksk_next: Option<String>,
    pub schema: String,
    pub previous_skr: Option<PathBuf>,
    pub policy: Policy,
    pub at: Time,
    /// Largest KSR accepted, in bytes.
    pub max_size: usize,
}

/// What a successful run produced.
#[derive(Debug, Clone)]
pub struct Signed {
    pub skr_sha256: [u8; 32],
    pub bundles: usize,
    pub signatures: usize,
}

fn read_doc(path: &Path, max_size: usize) -> Result<(Vec<u8>, Document)> {
    let meta = std::fs::metadata(path)
        .map_err(|e| Error::Input(format!("cannot read {}: {e}", path.display())))?;
    if meta.len() > max_size as u64 {
        return Err(Error::Input(format!(
            "{}: {} bytes is over the limit of {max_size}; raise --max-size if the file is expected to be this large",
            path.display(),
            meta.len()
        )));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| Error::Input(format!("cannot read {}: {e}", path.display())))?;
    let doc = xml::parse(
        &bytes,
        &path.display().to_string(),
        &xml::ParseOptions { max_size },
    )
    .map_err(|e| Error::Input(e.to_string()))?;
    Ok((bytes, doc))
}

fn result(name: &'static str, failures: Vec<String>, pass: String) -> CheckResult {
    if failures.is_empty() {
        CheckResult {
            name,
            outcome: Outcome::Pass,
            detail: pass,
        }
    } else {
        CheckResult {
            name,
            outcome: Outcome::Fail,
            detail: failures.join("; "),
        }
    }
}

/// KSR-KEY-TTL: the ceremony publishes the DNSKEY RRset with the policy's TTL, so a
/// KSR key with another TTL is refused rather than silently overridden.
pub fn check_key_ttl(ksr: &Document, policy: &Policy) -> CheckResult {
    let mut bad = Vec::new();
    for b in &ksr.bundles {
        for k in &b.keys {
            if k.ttl != policy.dnskey_ttl {
                bad.push(format!(
                    "bundle {}: key {} (tag {}) has TTL {}, policy DNSKEY TTL is {}",
                    b.id, k.key_identifier, k.key_tag, k.ttl, policy.dnskey_ttl
                ));
            }
        }
    }
    result(
        KEY_TTL,
        bad,
        format!("every key has TTL {}", policy.dnskey_ttl),
    )
}

/// KSK-POLICY-ALG: the KSKs that will sign are of an algorithm and size the policy lists.
pub fn check_ksk_algorithms(ksks: &[&crate::keystore::PublicKey], policy: &Policy) -> CheckResult {
    let mut bad = Vec::new();
    for pk in ksks {
        let key = super::dnskey(pk, ksr::model::flags::KSK, policy.dnskey_ttl);
        match super::algorithm_policy(&key) {
            Ok(a) if policy.ksk_algorithms.contains(&a) => {}
            Ok(a) => bad.push(format!(
                "KSK {} is {:?}, which the policy's ksk_algorithms do not list",
                pk.label, a
            )),
            Err(e) => bad.push(format!("KSK {}: {e}", pk.label)),
        }
    }
    result(
        KSK_ALG,
        bad,
        "the KSKs' algorithms and sizes are allowed".into(),
    )
}

/// KSR-CHAIN-KEYS-HSM: every KSK that signed the previous SKR's last bundle exists
/// on this token under the same label with the same public key.
pub fn check_chain_keys_hsm(
    previous: Option<&Document>,
    store: &mut dyn KeyStore,
) -> Result<CheckResult> {
    let Some(prev) = previous else {
        return Ok(CheckResult {
            name: CHAIN_KEYS_HSM,
            outcome: Outcome::Skip,
            detail: "no --previous-skr given".into(),
        });
    };
    let Some(last) = prev
        .bundles
        .iter()
        .max_by_key(|b| (b.inception, b.expiration))
    else {
        return Ok(result(
            CHAIN_KEYS_HSM,
            vec!["the previous SKR has no bundles".into()],
            String::new(),
        ));
    };
    let mut bad = Vec::new();
    let mut ok = Vec::new();
    for sig in &last.signatures {
        let Some(key) = last
            .keys
            .iter()
            .find(|k| k.key_identifier == sig.key_identifier && k.is_ksk())
        else {
            continue;
        };
        match store.public_key(&key.key_identifier) {
            Ok(pk) if pk.algorithm == key.algorithm && pk.public_key == key.public_key => {
                ok.push(format!("{} (tag {})", key.key_identifier, key.key_tag))
            }
            Ok(_) => bad.push(format!(
                "the previous SKR's last bundle {} was signed by KSK {} (tag {}), but the token's key {} has a different public key",
                last.id, key.key_identifier, key.key_tag, key.key_identifier
            )),
            Err(Error::KeyNotFound(_)) => bad.push(format!(
                "the previous SKR's last bundle {} was signed by KSK {} (tag {}), which is not on this token",
                last.id, key.key_identifier, key.key_tag
            )),
            Err(e) => return Err(e),
        }
    }
    if ok.is_empty() && bad.is_empty() {
        bad.push(format!(
            "the previous SKR's last bundle {} has no KSK signature",
            last.id
        ));
    }
    Ok(result(
        CHAIN_KEYS_HSM,
        bad,
        format!("on the token: {}", ok.join(", ")),
    ))
}

/// `--out` naming the KSR or the previous SKR would replace an input of the ceremony.
fn refuse_overwriting_inputs(opts: &SignOptions) -> Result<()> {
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    };
    let inputs = std::iter::once(&opts.ksr).chain(opts.previous_skr.as_ref());
    for input in inputs {
        if same(&opts.out, input) {
            return Err(Error::Input(format!(
                "--out {} is an input of this ceremony; write the SKR to a new file",
                opts.out.display()
            )));
        }
    }
    Ok(())
}

/// Runs `sign-ksr`. `open` logs in to the token; `log` gets the report, the hashes
/// and progress. On success the SKR is at `opts.out`; on any error nothing is written.
pub fn sign_ksr<S: KeyStore>(
    opts: &SignOptions,
    open: impl FnOnce() -> Result<S>,
    confirmation: Confirmation,
    log: &mut dyn Write,
) -> Result<Signed> {
    let io = |e: std::io::Error| Error::Io(format!("output: {e}"));
    refuse_overwriting_inputs(opts)?;
    let (ksr_bytes, ksr_doc) = read_doc(&opts.ksr, opts.max_size)?;
    // An SKR is a few times the size of its KSR (KSKs and their signatures added).
    let previous = match &opts.previous_skr {
        Some(p) => Some(read_doc(p, opts.max_size.max(xml::DEFAULT_MAX_SIZE) * 4)?.1),
        None => None,
    };
    let schema = opts.policy.schema(&opts.schema).ok_or_else(|| {
        Error::Input(format!(
            "unknown schema {:?}; built-in schemas are {} (the policy file may define more)",
            opts.schema,
            ksr::schema::Schema::builtin_names().join(", ")
        ))
    })?;
    let mut ctx = Context::new(&opts.policy, opts.at);
    if let Some(prev) = &previous {
        ctx = ctx.with_previous(prev);
    }
    let mut report: Report = check::check_ksr(&ksr_doc, &ctx);
    report.results.push(check_key_ttl(&ksr_doc, &opts.policy));
    // The document's own checks are shown before the token is opened, so the
    // officer sees them even when the login fails.
    writeln!(
        log,
        "Checks of {}:\n{}",
        opts.ksr.display(),
        report::render(&report)
    )
    .map_err(io)?;

    let mut store = open()?;
    let current = store.public_key(&opts.ksk_current)?;
    let next = match &opts.ksk_next {
        Some(l) => Some(store.public_key(l)?),
        None => None,
    };
    let ksks = Ksks { current, next };
    let token_checks = Report {
        results: vec![
            check_ksk_algorithms(&ksks.used(&schema), &opts.policy),
            check_chain_keys_hsm(previous.as_ref(), &mut store)?,
        ],
    };
    writeln!(
        log,
        "Checks against the token:\n{}",
        report::render(&token_checks)
    )
    .map_err(io)?;
    report.results.extend(token_checks.results);
    if report.failed() {
        return Err(Error::CheckFailed(format!(
            "{} failed {}; nothing was signed",
            opts.ksr.display(),
            report::failed_names(&report)
        )));
    }
    skr::validate(&schema, &ksks)?;

    let ksr_digest = digest::sha256(&ksr_bytes);
    writeln!(
        log,
        "KSR {}\n{}",
        opts.ksr.display(),
        digest::read_aloud(&ksr_digest)
    )
    .map_err(io)?;
    confirm::confirm(&opts.ksr.display().to_string(), &ksr_digest, confirmation)?;

    let total = ksr_doc.bundles.len();
    writeln!(
        log,
        "Signing {total} bundles of {} (schema {}, current KSK {}{})",
        opts.ksr.display(),
        schema.name,
        ksks.current.label,
        ksks.next
            .as_ref()
            .map(|n| format!(", next KSK {}", n.label))
            .unwrap_or_default()
    )
    .map_err(io)?;
    log.flush().map_err(io)?;
    // Progress every tenth of a long run, so the room can see the token working.
    let step = if total >= 100 { total / 10 } else { usize::MAX };
    let skr_doc = skr::build(
        &ksr_doc,
        &schema,
        &opts.policy,
        &ksks,
        &mut store,
        &mut |done, total| {
            if done % step == 0 && done < total {
                let _ = writeln!(log, "  signed {done} of {total} bundles");
                let _ = log.flush();
            }
        },
    )?;
    let signatures: usize = skr_doc.bundles.iter().map(|b| b.signatures.len()).sum();
    drop(store);
    writeln!(log, "Signed {total} bundles ({signatures} signatures, each verified); writing and re-checking the SKR")
        .map_err(io)?;

    let skr_bytes = xml::write(&skr_doc);
    let skr_digest = digest::sha256(&skr_bytes);
    let reparse_limit = skr_bytes.len().max(xml::DEFAULT_MAX_SIZE);
    let mut skr_report = Report::default();
    let written = output::write_verified(&opts.out, &skr_bytes, |tmp| {
        let again = xml::parse_file(
            tmp,
            &xml::ParseOptions {
                max_size: reparse_limit,
            },
        )
        .map_err(|e| {
            Error::CheckFailed(format!(
                "SKR-VERIFY: the written SKR does not re-parse: {e}"
            ))
        })?;
        if again != skr_doc {
            return Err(Error::CheckFailed(
                "SKR-VERIFY: the written SKR re-parses to different content".into(),
            ));
        }
        // SKR-VERIFY (every signature in the written file) is among the SKR checks.
        skr_report = check::check_skr(&again, &ctx.clone().with_schema(&schema));
        if skr_report.failed() {
            return Err(Error::CheckFailed(format!(
                "the new SKR failed {}",
                report::failed_names(&skr_report)
            )));
        }
        Ok(())
    });
    writeln!(
        log,
        "Checks of the new SKR:\n{}",
        report::render(&skr_report)
    )
    .map_err(io)?;
    match written {
        Ok(()) => {}
        Err(output::OutputError::Io { path, source }) => {
            return Err(Error::Io(format!("cannot write {path}: {source}")))
        }
        Err(output::OutputError::Verify(e)) => {
            return Err(match e {
                Error::CheckFailed(m) => Error::CheckFailed(format!("{m}; nothing was written")),
                other => other,
            })
        }
    }
    writeln!(
        log,
        "Wrote {} ({total} bundles, {signatures} signatures)",
        opts.out.display()
    )
    .map_err(io)?;
    writeln!(
        log,
        "SKR {}\n{}",
        opts.out.display(),
        digest::read_aloud(&skr_digest)
    )
    .map_err(io)?;
    Ok(Signed {
        skr_sha256: skr_digest,
        bundles: total,
        signatures,
    })
}

/// Every signature in `doc` verifies over its bundle with the key it names (the
/// same property as the SKR-VERIFY check, without the rest of the report).
pub fn verify_all(doc: &Document) -> Result<()> {
    for b in &doc.bundles {
        for s in &b.signatures {
            let signer = b
                .keys
                .iter()
                .find(|k| k.key_identifier == s.key_identifier && k.key_tag == s.key_tag)
                .ok_or_else(|| {
                    Error::CheckFailed(format!(
                        "SKR-VERIFY: bundle {}: no key {} with tag {} for its signature",
                        b.id, s.key_identifier, s.key_tag
                    ))
                })?;
            dnssec::verify_rrsig(&doc.domain, s, &b.keys, signer).map_err(|e| {
                Error::CheckFailed(format!(
                    "SKR-VERIFY: bundle {}: signature by {}: {e}",
                    b.id, s.key_identifier
                ))
            })?;
        }
    }
    Ok(())
}
