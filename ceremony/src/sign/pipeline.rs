//! The whole `sign-ksr` run, in the order a ceremony needs it:
//!
//! 1. parse the KSR (and the previous SKR), run every KSR check, plus the checks
//!    only the ceremony can make (the previous SKR's KSKs are on this token; the
//!    KSR's key TTLs and our KSKs' algorithms agree with the policy);
//! 2. the operator confirms the KSR's SHA-256;
//! 3. sign every bundle per the schema over several sessions, verifying each
//!    signature once, as it is made;
//! 4. write to a temp file, re-parse it, run the SKR checks (with KSR-POLICY-SAFETY
//!    against the previous SKR; SKR-VERIFY compares with what step 3 verified),
//!    and only then rename it into place.
//!
//! Any failure, at any step, leaves no file; the HSM signs nothing before step 3,
//! and a KSR that fails its own checks stops before the token is used: it is
//! opened after the checks, or, with a PIN file (nobody is asked anything),
//! while they run, and then closed unused.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ksr::check::{self, import, CheckResult, Context, Outcome, Report};
use ksr::format::{self, Format};
use ksr::model::{Document, Kind, Time};
use ksr::policy::Policy;
use ksr::{digest, xml};

use super::confirm::{self, Confirmation};
use super::report;
use super::skr::{self, Ksks};
use crate::error::{Error, Result};
use crate::keystore::KeyStore;

/// Name of the ceremony's own check that the previous SKR's KSKs are on the token.
pub const CHAIN_KEYS_HSM: &str = ksr::check::ceremony::CHAIN_KEYS_HSM;
/// Name of the check that every key in the KSR has the policy's DNSKEY TTL.
pub const KEY_TTL: &str = ksr::check::ceremony::KEY_TTL;
/// Name of the check that the ceremony's KSKs have an algorithm and size the policy accepts.
pub const KSK_ALG: &str = ksr::check::ceremony::KSK_POLICY_ALG;

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
    /// The SKR's format; `None`: the KSR's (a Knot KSR gets a Knot SKR).
    pub dialect: Option<Format>,
    /// Add CDS (SHA-256) and CDNSKEY RRsets with their RRSIGs to every
    /// snapshot (text SKRs only).
    pub cds: bool,
    /// PKCS#11 sessions that sign at once; `None`: one per core. Capped by
    /// what the token allows; the SKR does not depend on it.
    pub sessions: Option<usize>,
    /// Replace an existing regular file at `out` (`--force`).
    pub force: bool,
    /// Open the token (`open`) on another core while the KSR is parsed and checked,
    /// instead of after them: for PIN files, where nobody is asked anything.
    /// The token is used only once every check has passed either way.
    pub open_during_checks: bool,
    /// The KSR's bytes as the caller read them once (the bytes its audit
    /// record hashed); `None`: read from `ksr` here, once.
    pub ksr_bytes: Option<Arc<Vec<u8>>>,
    /// Likewise for the previous SKR.
    pub previous_skr_bytes: Option<Arc<Vec<u8>>>,
}

/// What a successful run produced.
#[derive(Debug, Clone)]
pub struct Signed {
    /// SHA-256 of the KSR bytes checked, confirmed and signed.
    pub ksr_sha256: [u8; 32],
    pub skr_sha256: [u8; 32],
    pub bundles: usize,
    pub signatures: usize,
}

/// Parses a KSR or SKR through ksr's format layer from the bytes the caller
/// read once (or reads them here, within `max_size`, like every ksr input):
/// the same bytes are hashed for the officer's confirmation and signed. The
/// KSR may be IANA XML or Knot/BIND text (told apart by content); the previous
/// SKR must be XML, as KSR-CHAIN-KEYS-HSM finds its KSKs on the token by the
/// labels only XML carries.
fn read_doc(
    path: &Path,
    given: Option<&Arc<Vec<u8>>>,
    max_size: usize,
    text_ok: bool,
) -> Result<(Arc<Vec<u8>>, Document, Format)> {
    let bytes = read_bytes(path, given, max_size)?;
    let (doc, format) = parse_doc(path, &bytes, max_size, text_ok)?;
    Ok((bytes, doc, format))
}

/// The bytes the caller read once, or read here within `max_size`.
fn read_bytes(path: &Path, given: Option<&Arc<Vec<u8>>>, max_size: usize) -> Result<Arc<Vec<u8>>> {
    match given {
        Some(b) => Ok(b.clone()),
        None => xml::read_limited(path, &xml::ParseOptions { max_size })
            .map(Arc::new)
            .map_err(|e| Error::Input(e.to_string())),
    }
}

fn parse_doc(
    path: &Path,
    bytes: &[u8],
    max_size: usize,
    text_ok: bool,
) -> Result<(Document, Format)> {
    let options = xml::ParseOptions { max_size };
    let (doc, format) = format::read(bytes, &path.display().to_string(), &options)
        .map_err(|e| Error::Input(e.to_string()))?;
    if format != Format::IanaXml && !text_ok {
        return Err(Error::Input(format!(
            "{}: this is the {}; --previous-skr must be IANA XML (its KSK labels are looked up on the token)",
            path.display(),
            format.describe()
        )));
    }
    Ok((doc, format))
}

/// A KSR given where an SKR belongs (or the other way round) is a mix-up of files,
/// reported as such rather than as a list of failed checks.
fn require_kind(path: &Path, doc: &Document, want: Kind, role: &str) -> Result<()> {
    if doc.kind == want {
        return Ok(());
    }
    let name = |k: Kind| match k {
        Kind::Request => "a KSR (Request)",
        Kind::Response => "an SKR (Response)",
    };
    Err(Error::Input(format!(
        "{} is {}, but {role} must be {}",
        path.display(),
        name(doc.kind),
        name(want)
    )))
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
                "KSK {} is {}, which the policy's ksk_algorithms ({}) do not list",
                pk.label,
                ksr::policy::describe_algorithm(&a),
                policy
                    .ksk_algorithms
                    .iter()
                    .map(ksr::policy::describe_algorithm)
                    .collect::<Vec<_>>()
                    .join(", ")
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

/// The inputs of a run, read and checked before the token is used.
struct Loaded {
    read: Read,
    /// For a text KSR: the SKR snapshots to sign (from the policy's timing).
    schedule: Option<ksr::sign::timing::Schedule>,
    report: Report,
}

/// KSRs from this size on are best parsed and checked while the token starts
/// up ([`SignOptions::open_during_checks`]); a shorter one takes less time
/// than the hop to another thread.
pub const OPEN_DURING_FROM: usize = 64 * 1024;

/// The KSR's bytes, read once, and the output past its preflight: what comes
/// before anything else, the token included.
type Preflight = (Arc<Vec<u8>>, ksr::output::Target);

fn preflight(opts: &SignOptions) -> Result<Preflight> {
    let bytes = read_bytes(&opts.ksr, opts.ksr_bytes.as_ref(), opts.max_size)?;
    let target = super::out::check_out(opts, bytes.len())?;
    Ok((bytes, target))
}

/// Step 1 up to the checks: parses the KSR, reads the previous SKR and
/// resolves the schema; nothing here needs the token.
fn load(opts: &SignOptions, (ksr_bytes, target): Preflight) -> Result<Read> {
    let (ksr, ksr_format) = parse_doc(&opts.ksr, &ksr_bytes, opts.max_size, true)?;
    if opts.cds && opts.dialect.unwrap_or(ksr_format) == Format::IanaXml {
        return Err(Error::Input(
            "--cds: IANA XML has no place for CDS and CDNSKEY records; write a text SKR (--dialect knot or bind)".into(),
        ));
    }
    require_kind(&opts.ksr, &ksr, Kind::Request, "the KSR to sign")?;
    // An SKR is a few times the size of its KSR (KSKs and their signatures added).
    let previous = match &opts.previous_skr {
        Some(p) => {
            let max = opts.max_size.max(xml::DEFAULT_MAX_SIZE).saturating_mul(4);
            let doc = read_doc(p, opts.previous_skr_bytes.as_ref(), max, false)?.1;
            require_kind(p, &doc, Kind::Response, "--previous-skr")?;
            Some(doc)
        }
        None => None,
    };
    let schema = opts.policy.schema(&opts.schema).ok_or_else(|| {
        Error::Input(format!(
            "unknown schema {:?}; built-in schemas are {} (the policy file may define more)",
            opts.schema,
            ksr::schema::Schema::builtin_names().join(", ")
        ))
    })?;
    skr::validate_labels(&schema, &opts.ksk_current, opts.ksk_next.as_deref())?;
    Ok(Read {
        target,
        ksr_bytes,
        ksr,
        ksr_format,
        previous,
        schema,
    })
}

/// What [`load`] read, before the checks.
struct Read {
    target: ksr::output::Target,
    ksr_bytes: Arc<Vec<u8>>,
    ksr: Document,
    ksr_format: Format,
    previous: Option<Document>,
    schema: ksr::schema::Schema,
}

/// The rest of step 1: runs every document check and shows the report. A KSR
/// that fails stops here, before the token is used (and before anyone types
/// a PIN).
fn check_loaded(opts: &SignOptions, read: Read, log: &mut dyn Write) -> Result<Loaded> {
    let (ksr, ksr_format) = (&read.ksr, read.ksr_format);
    let mut ctx = Context::new(&opts.policy, opts.at);
    if let Some(prev) = &read.previous {
        ctx = ctx.with_previous(prev);
    }
    let mut report: Report = check::check_ksr(ksr, &ctx);
    // What the text cannot state (ids, periods, proof of possession) is SKIP, with the reason.
    import::apply_text_dialect_limits(&mut report, ksr, ksr_format, None);
    report.results.push(check_key_ttl(ksr, &opts.policy));
    let schedule = if ksr_format.is_text() {
        let options = xml::ParseOptions {
            max_size: opts.max_size,
        };
        let text = format::read_text(&read.ksr_bytes, &opts.ksr.display().to_string(), &options)
            .map_err(|e| Error::Input(e.to_string()))?;
        Some(super::text::schedule(&text, &opts.policy)?)
    } else {
        None
    };
    writeln!(
        log,
        "Checks of {}:\n{}",
        opts.ksr.display(),
        report::render(&report)
    )
    .map_err(|e| Error::Io(format!("output: {e}")))?;
    refuse_failed(opts, &report)?;
    Ok(Loaded {
        read,
        schedule,
        report,
    })
}

fn refuse_failed(opts: &SignOptions, report: &Report) -> Result<()> {
    if report.failed() {
        return Err(Error::CheckFailed(format!(
            "{} failed {}; nothing was signed",
            opts.ksr.display(),
            report::failed_names(report)
        )));
    }
    Ok(())
}

/// Runs `sign-ksr`. `open` logs in to the token; `log` gets the report, the hashes
/// and progress. On success the SKR is at `opts.out`; on any error nothing is written.
pub fn sign_ksr<S: KeyStore + Send>(
    opts: &SignOptions,
    open: impl FnOnce() -> Result<S> + Send,
    confirmation: Confirmation,
    log: &mut dyn Write,
) -> Result<Signed> {
    let ready = preflight(opts)?;
    if !opts.open_during_checks {
        let loaded = check_loaded(opts, load(opts, ready)?, log)?;
        return sign_checked(opts, loaded, open()?, confirmation, log);
    }
    // The token starts up (module, session, login, key look-up) on another
    // core while the KSR is parsed and checked; it is taken only once every
    // check has passed.
    std::thread::scope(|scope| {
        let early = scope.spawn(open);
        let checked = load(opts, ready).and_then(|read| check_loaded(opts, read, log));
        let store = early.join().unwrap_or_else(|_| {
            Err(Error::Hsm(
                "the thread opening the token stopped unexpectedly".into(),
            ))
        });
        match (checked, store) {
            (Ok(loaded), Ok(store)) => sign_checked(opts, loaded, store, confirmation, log),
            (Ok(_), Err(e)) => Err(e),
            (Err(e), store) => {
                // A token that could not be opened either is said too: a
                // wrong PIN spends one of its tries, and the next run should
                // not spend another unawares.
                if let Err(t) = store {
                    let _ = writeln!(log, "The token could not be opened either: {t}");
                }
                Err(e)
            }
        }
    })
}

/// Steps 2 to 4, once the KSR has passed every check and the token is open.
fn sign_checked<S: KeyStore>(
    opts: &SignOptions,
    loaded: Loaded,
    mut store: S,
    confirmation: Confirmation,
    log: &mut dyn Write,
) -> Result<Signed> {
    let io = |e: std::io::Error| Error::Io(format!("output: {e}"));
    let Loaded {
        read:
            Read {
                target,
                ksr_bytes,
                ksr: ksr_doc,
                ksr_format,
                previous,
                schema,
            },
        schedule: timing,
        mut report,
    } = loaded;
    let mut ctx = Context::new(&opts.policy, opts.at);
    if let Some(prev) = &previous {
        ctx = ctx.with_previous(prev);
    }

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
    refuse_failed(opts, &report)?;
    skr::validate(&schema, &ksks)?;

    let ksr_digest = digest::sha256(&ksr_bytes);
    writeln!(
        log,
        "KSR {}\n{}",
        opts.ksr.display(),
        digest::read_aloud(&ksr_digest)
    )
    .map_err(io)?;
    let shown = opts.ksr.display().to_string();
    confirm::confirm(&confirm::Subject::ksr(&shown), &ksr_digest, confirmation)?;

    // A text KSR is signed per its planned snapshots (re-signing ones included).
    let to_sign = timing.as_ref().map(|t| &t.request).unwrap_or(&ksr_doc);
    let total = to_sign.bundles.len();
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
    let sessions = opts.sessions.unwrap_or_else(ksr::sign::cores);
    let mut skr_doc = skr::build_with(
        to_sign,
        &schema,
        &opts.policy,
        &ksks,
        &mut store,
        sessions,
        &mut |done, total| {
            if done % step == 0 && done < total {
                let _ = writeln!(log, "  signed {done} of {total} bundles");
                let _ = log.flush();
            }
        },
    )?;
    let mut signatures: usize = skr_doc.bundles.iter().map(|b| b.signatures.len()).sum();
    if let Some(t) = &timing {
        t.settle(&mut skr_doc);
    }
    let out_format = opts.dialect.unwrap_or(ksr_format);
    if out_format == Format::IanaXml && skr_doc.id.is_empty() {
        // XML needs an id the text KSR does not have: one from the KSR's hash.
        skr_doc.id = super::uuid_shaped(&ksr_digest);
    }
    let bytes = if opts.cds {
        let mut text = ksr::dialect::TextDocument::from_document(&skr_doc, out_format);
        ksr::sign::cds::add(
            &mut text,
            &ksks.used(&schema),
            &mut crate::keystore::Signer(&mut store),
        )
        .map_err(crate::keystore::from_sign_error)?;
        signatures = text
            .snapshots
            .iter()
            .flat_map(|s| &s.records)
            .filter(|r| matches!(r.data, ksr::dialect::RecordData::Rrsig(_)))
            .count();
        ksr::dialect::write(&text)
    } else {
        out_format.write(&skr_doc)
    };
    drop(store);
    writeln!(log, "Signed {total} bundles ({signatures} signatures, each verified); writing and re-checking the SKR")
        .map_err(io)?;

    let skr_digest = write_skr(
        target,
        (&skr_doc, out_format, bytes),
        (&ksr_doc, ksr_format),
        &ctx.with_schema(&schema),
        log,
    )?;
    writeln!(
        log,
        "Wrote {} ({}, {total} bundles, {signatures} signatures)",
        opts.out.display(),
        out_format.describe()
    )
    .map_err(io)?;
    writeln!(
        log,
        "SKR {}\n{}",
        opts.out.display(),
        digest::read_aloud(&skr_digest)
    )
    .map_err(io)?;
    if skr_doc.bundles.len() >= LONG {
        free_later((ksr_doc, skr_doc, timing, previous));
    }
    Ok(Signed {
        ksr_sha256: ksr_digest,
        skr_sha256: skr_digest,
        bundles: total,
        signatures,
    })
}

/// Step 4: writes `skr` to a temp file beside `out`, re-parses it, runs the SKR
/// checks on what was written and renames it into place only if all pass.
/// Every signature was verified once, when it was made: here SKR-VERIFY proves
/// that the file holds exactly those records and signature bytes, and the
/// other named checks run on the parsed document. The file must also answer
/// exactly the KSR that was signed (SKR-MATCHES-KSR: the importer runs the
/// same check before loading it). Returns the SHA-256 of the written bytes.
fn write_skr(
    target: ksr::output::Target,
    (skr, out_format, bytes): (&Document, Format, Vec<u8>),
    (ksr, ksr_format): (&Document, Format),
    ctx: &Context,
    log: &mut dyn Write,
) -> Result<[u8; 32]> {
    let reparse_limit = bytes.len().max(xml::DEFAULT_MAX_SIZE);
    let mut skr_report = Report::default();
    let out = &target.path().to_path_buf();
    let written = crate::file::write_target(target, &bytes, |tmp| {
        if out_format.is_text() {
            let written =
                std::fs::read(tmp).map_err(|e| Error::Io(format!("{}: {e}", tmp.display())))?;
            skr_report = super::text::check_written(
                &written,
                &out.display().to_string(),
                &bytes,
                skr,
                (ksr, ksr_format),
                ctx,
            )
            .map_err(|e| Error::CheckFailed(format!("SKR-VERIFY: {e}")))?;
            if skr_report.failed() {
                return Err(Error::CheckFailed(format!(
                    "the new SKR failed {}",
                    report::failed_names(&skr_report)
                )));
            }
            return Ok(());
        }
        let again = format::read_file(
            tmp,
            &xml::ParseOptions {
                max_size: reparse_limit,
            },
        )
        .map(|(doc, _)| doc)
        .map_err(|e| {
            Error::CheckFailed(format!(
                "SKR-VERIFY: the written SKR does not re-parse: {e}"
            ))
        })?;
        if again != *skr {
            return Err(Error::CheckFailed(
                "SKR-VERIFY: the written SKR re-parses to different content".into(),
            ));
        }
        // The named checks and the match with the KSR share nothing: one core
        // each for a long SKR.
        let matches = || import::matches_ksr(&again, Format::IanaXml, Some((ksr, ksr_format)));
        let matched = if again.bundles.len() < LONG {
            skr_report = check::check_skr_built(&again, ctx, skr);
            matches()
        } else {
            std::thread::scope(|scope| {
                let matched = scope.spawn(matches);
                skr_report = check::check_skr_built(&again, ctx, skr);
                matched.join()
            })
            .map_err(|_| {
                Error::CheckFailed("SKR-MATCHES-KSR: the check stopped unexpectedly".into())
            })?
        };
        if ksr_format.is_text() {
            import::apply_resigning_limits(&mut skr_report, again.bundles.len(), ksr.bundles.len());
        }
        if again.bundles.len() >= LONG {
            free_later(again);
        }
        skr_report.results.push(matched);
        if skr_report.failed() {
            return Err(Error::CheckFailed(format!(
                "the new SKR failed {}",
                report::failed_names(&skr_report)
            )));
        }
        Ok(())
    });
    // The report is shown whether or not the file was kept.
    writeln!(
        log,
        "Checks of the new SKR:\n{}",
        report::render(&skr_report)
    )
    .map_err(|e| Error::Io(format!("output: {e}")))?;
    written.map_err(|e| match e {
        Error::CheckFailed(m) => Error::CheckFailed(format!("{m}; nothing was written")),
        other => other,
    })?;
    Ok(digest::sha256(&bytes))
}

/// From this many bundles on, work that can share the cores does: below it
/// a thread costs more than it saves (the root's KSRs have 9 bundles).
const LONG: usize = 64;

/// Frees a long document on a thread of its own: 1,000 bundles are tens of
/// thousands of allocations, and the room waits for the result, not for their
/// release (which the process's exit makes moot anyway).
fn free_later<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .name("free".into())
        .spawn(move || drop(value));
}
