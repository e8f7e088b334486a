//! `ksr verify`: every applicable named check, one line each. The importer
//! checks (SKR-MATCHES-KSR, SKR-KSK-PINNED, SKR-SIG-WINDOW) join an SKR's
//! report when an importer option or `--at` is given.

use super::{load, CheckArgs, EXIT_CHECK_FAILED, EXIT_OK};
use ksr::check::import;
use ksr::check::{self, anchor, Context, Outcome, Report};
use ksr::format::Format;
use ksr::model::{Document, Kind, Time};
use ksr::policy::Policy;
use ksr::timefmt::{format_time, parse_at, parse_duration};
use std::path::Path;

/// A document with its format and the report of every check that applied.
pub struct Evaluation {
    pub doc: Document,
    pub format: Format,
    pub report: Report,
    pub at: Time,
}

impl Evaluation {
    /// `IANA XML SKR`, `Knot text dialect KSR`.
    pub fn describe(&self) -> String {
        let kind = if self.doc.kind == Kind::Request {
            "KSR"
        } else {
            "SKR"
        };
        format!("{} {kind}", self.format.describe())
    }
}

/// Loads `file` and the documents the options name, and runs the checks.
/// Errors are unusable input or usage (exit 2).
pub fn evaluate(file: &Path, args: &CheckArgs) -> Result<Evaluation, String> {
    let at = match &args.at {
        Some(s) => parse_at(s).map_err(|e| format!("--at {s:?}: {e}"))?,
        None => time::OffsetDateTime::now_utc(),
    };
    let policy = match &args.policy {
        Some(p) => Policy::from_toml_file(p)?,
        None => Policy::root(),
    };
    let min_remaining = match &args.min_remaining {
        Some(s) => {
            let d = parse_duration(s)
                .map_err(|e| format!("--min-remaining {s:?}: not an xsd:duration: {e}"))?;
            if d < 0 {
                return Err(format!("--min-remaining {s:?} is negative"));
            }
            d
        }
        None => policy.min_signature_remaining,
    };
    let schema = match &args.schema {
        Some(name) => Some(policy.schema(name).ok_or_else(|| {
            let mut names: Vec<String> = policy.schemas.iter().map(|s| s.name.clone()).collect();
            names.extend(
                ksr::schema::Schema::builtin_names()
                    .iter()
                    .map(|s| s.to_string()),
            );
            format!(
                "--schema {name:?}: no such schema (known: {})",
                names.join(", ")
            )
        })?),
        None => None,
    };
    let (doc, format) = load(file, args.max_size)?;
    let previous = match &args.previous_skr {
        Some(p) => Some(load_kind(
            p,
            args.max_size,
            Kind::Response,
            "--previous-skr",
        )?),
        None => None,
    };
    let importer = args.request.is_some()
        || !args.ksk_tags.is_empty()
        || args.trust_anchor.is_some()
        || args.min_remaining.is_some();
    if doc.kind != Kind::Response {
        if schema.is_some() {
            return Err("--schema applies to SKRs only".into());
        }
        if importer {
            return Err(format!(
                "{} is a KSR: --request, --ksk-tag, --trust-anchor and --min-remaining check an SKR",
                file.display()
            ));
        }
    }
    let request = match &args.request {
        Some(p) => Some(load_kind(p, args.max_size, Kind::Request, "--request")?),
        None => None,
    };
    let trust_anchor = match &args.trust_anchor {
        Some(p) => Some(anchor::read_file(p)?),
        None => None,
    };
    let mut ctx = Context::new(&policy, at);
    if let Some((prev, _)) = &previous {
        ctx = ctx.with_previous(prev);
    }
    if let Some(s) = &schema {
        ctx = ctx.with_schema(s);
    }
    let mut report = check::check(&doc, &ctx);
    import::apply_text_dialect_limits(&mut report, &doc, format, previous.as_ref().map(|p| p.1));
    if doc.kind == Kind::Response && (importer || args.at.is_some()) {
        report.results.push(import::matches_ksr(
            &doc,
            format,
            request.as_ref().map(|(r, f)| (r, *f)),
        ));
        report.results.push(import::ksk_pinned(
            &doc,
            &args.ksk_tags,
            trust_anchor.as_ref(),
        ));
        report
            .results
            .push(import::sig_window(&doc, at, min_remaining));
    }
    Ok(Evaluation {
        doc,
        format,
        report,
        at,
    })
}

/// Loads the file an option names and insists on its kind (a previous SKR must
/// be a Response, a request a Request).
fn load_kind(
    path: &Path,
    max_size: usize,
    want: Kind,
    option: &str,
) -> Result<(Document, Format), String> {
    let (doc, format) = load(path, max_size)?;
    if doc.kind != want {
        let (is, wanted) = match want {
            Kind::Response => ("a KSR (Request)", "an SKR"),
            Kind::Request => ("an SKR (Response)", "a KSR"),
        };
        return Err(format!(
            "{option} {}: this is {is}, not {wanted}",
            path.display()
        ));
    }
    Ok((doc, format))
}

/// How many checks passed, failed and were skipped.
pub fn tally(report: &Report) -> String {
    let count = |o: Outcome| report.results.iter().filter(|r| r.outcome == o).count();
    format!(
        "{} passed, {} failed, {} skipped",
        count(Outcome::Pass),
        count(Outcome::Fail),
        count(Outcome::Skip)
    )
}

pub fn run(file: &Path, args: &CheckArgs, json: bool) -> Result<i32, String> {
    let ev = evaluate(file, args)?;
    if json {
        let out = serde_json::json!({
            "file": file.display().to_string(),
            "kind": if ev.doc.kind == Kind::Request { "KSR" } else { "SKR" },
            "format": ev.format,
            "at": format_time(ev.at),
            "failed": ev.report.failed(),
            "results": ev.report.results,
        });
        let json = serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?;
        super::write_stdout(&format!("{json}\n"))?;
    } else {
        let mut text = ev.report.lines().join("\n");
        text.push('\n');
        super::write_stdout(&text)?;
    }
    eprintln!(
        "ksr verify: {} (read as {}): {}",
        file.display(),
        ev.describe(),
        tally(&ev.report)
    );
    Ok(if ev.report.failed() {
        EXIT_CHECK_FAILED
    } else {
        EXIT_OK
    })
}
