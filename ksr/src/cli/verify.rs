//! `ksr verify`: every applicable named check, one line each.

use super::{load, EXIT_CHECK_FAILED, EXIT_OK};
use ksr::check::{self, Context, Outcome};
use ksr::model::Kind;
use ksr::policy::Policy;
use ksr::timefmt::{format_time, parse_at};
use std::path::PathBuf;

pub struct Args {
    pub file: PathBuf,
    pub previous_skr: Option<PathBuf>,
    pub policy: Option<PathBuf>,
    pub at: Option<String>,
    pub schema: Option<String>,
    pub json: bool,
    pub max_size: usize,
}

pub fn run(args: Args) -> Result<i32, String> {
    let at = match &args.at {
        Some(s) => parse_at(s).map_err(|e| format!("--at {s:?}: {e}"))?,
        None => time::OffsetDateTime::now_utc(),
    };
    let policy = match &args.policy {
        Some(p) => Policy::from_toml_file(p)?,
        None => Policy::root(),
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
    let doc = load(&args.file, args.max_size)?;
    let previous = match &args.previous_skr {
        Some(p) => {
            let prev = load(p, args.max_size)?;
            if prev.kind != Kind::Response {
                return Err(format!(
                    "--previous-skr {}: this is a KSR (Request), not an SKR",
                    p.display()
                ));
            }
            Some(prev)
        }
        None => None,
    };
    if schema.is_some() && doc.kind != Kind::Response {
        return Err("--schema applies to SKRs only".into());
    }
    let mut ctx = Context::new(&policy, at);
    if let Some(prev) = &previous {
        ctx = ctx.with_previous(prev);
    }
    if let Some(s) = &schema {
        ctx = ctx.with_schema(s);
    }
    let report = check::check(&doc, &ctx);
    if args.json {
        let out = serde_json::json!({
            "file": args.file.display().to_string(),
            "kind": if doc.kind == Kind::Request { "KSR" } else { "SKR" },
            "at": format_time(at),
            "failed": report.failed(),
            "results": report.results,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?
        );
    } else {
        for line in report.lines() {
            println!("{line}");
        }
    }
    let count = |o: Outcome| report.results.iter().filter(|r| r.outcome == o).count();
    eprintln!(
        "ksr verify: {}: {} passed, {} failed, {} skipped",
        args.file.display(),
        count(Outcome::Pass),
        count(Outcome::Fail),
        count(Outcome::Skip)
    );
    Ok(if report.failed() {
        EXIT_CHECK_FAILED
    } else {
        EXIT_OK
    })
}
