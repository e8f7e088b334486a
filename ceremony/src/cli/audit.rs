//! `ceremony audit verify|show`, and `--audit-log` around any other command.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use ksr::env::Env;

use super::Out;
use crate::audit::Clock;
use crate::error::{Error, Result};
use crate::ops::audit::{self as op, short, ShowInput, ShowReport, VerifyInput, VerifyReport};
use crate::ops::Operation;

#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Re-compute the hash chain; print the counts and the head hash to read aloud.
    Verify(VerifyArgs),
    /// Print the records as a table (the chain is verified first).
    Show(ShowArgs),
    /// Write a ceremony's printable report (Markdown or self-contained HTML, by --out's extension).
    Report(ReportArgs),
    /// Cut off a last record that a full disk or a crash left incomplete (the
    /// only repair there is): the partial bytes are kept in FILE.partial-LINE
    /// and a note record documents the repair. Any other defect is refused.
    Repair(ShowArgs),
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The audit log of a ceremony run.
    pub file: PathBuf,
    /// FILE.md or FILE.html (absent, or a regular file with --force).
    #[arg(long)]
    pub out: PathBuf,
    /// Replace an existing regular file at --out (never anything else).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The audit log (JSON Lines).
    pub file: PathBuf,
    /// The head hash the witnesses wrote down; catches records removed from the end.
    #[arg(long, value_name = "HEX")]
    pub expect_head: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The audit log (JSON Lines).
    pub file: PathBuf,
}

/// Audit records are stamped with the env's clock.
struct EnvClock<'a>(&'a dyn Env);

impl Clock for EnvClock<'_> {
    fn now(&self) -> time::OffsetDateTime {
        self.0.now()
    }
}

/// Runs `job` (the operation `op`) under the audit log `log`; returns the exit
/// code. `secrets` are argument values that may be a mistyped PIN: they never
/// reach a record.
///
/// The exit code is always the command's own: when the command finished but
/// its `end` record could not be appended (a full disk), its report is printed
/// as usual, the failed append is rolled back to the last whole record, and
/// stderr says so (`audit log: end record not written: ...`); the next command
/// that opens the log records the `begin` as `interrupted`.
pub(super) fn run_audited(
    out: &Out,
    log: &Path,
    secrets: &[String],
    op: &Operation,
    job: impl FnOnce() -> Result<()>,
) -> i32 {
    let env = out.env;
    let session = match op::begin(log, EnvClock(env), op) {
        Ok(s) => s,
        Err(e) => return super::fail(env, &Error::Io(e.to_string())),
    };
    let result = crate::process::interrupt::stop_cleanly(
        env,
        |signal, removed| {
            Some(match session.interrupted(signal, removed) {
                Ok(seq) => format!("audit: record {seq} in {}: interrupted", log.display()),
                Err(e) => format!("ceremony: audit log: interrupted record not written: {e}"),
            })
        },
        job,
    );
    let done = session.end(op, secrets, result);
    let code = super::finish(env, done.result);
    match done.end {
        Ok(seq) => {
            out.stderr(&format!(
                "audit: record {seq} in {}, head {}\n",
                done.log.display(),
                short(&done.head)
            ));
        }
        Err(e) => out.stderr(&format!(
            "ceremony: audit log: end record not written: {e}\n\
             ceremony: the command itself finished with exit {code} (see above); the log ends at record {} (this command's begin), which the next command records as interrupted: note this outcome on paper, free space and run `ceremony audit verify {}`\n",
            done.seq,
            done.log.display()
        )),
    }
    code
}

pub(super) fn run(c: AuditCommand, out: &Out) -> i32 {
    let result = match c {
        AuditCommand::Verify(a) => verify(a, out),
        AuditCommand::Show(a) => show(a, out),
        AuditCommand::Report(a) => report(a, out),
        AuditCommand::Repair(a) => repair(a, out),
    };
    super::finish(out.env, result)
}

fn repair(a: ShowArgs, out: &Out) -> Result<()> {
    match crate::audit::repair::repair(&a.file, EnvClock(out.env)) {
        Ok(None) => out.stdout(&format!(
            "{}: the log verifies; nothing to repair\n",
            a.file.display()
        )),
        Ok(Some(r)) => out.stdout(&format!(
            "{}: removed the incomplete record at line {} ({} bytes, kept in {}); recorded as note {}\n",
            a.file.display(),
            r.line,
            r.bytes,
            r.saved.display(),
            r.note
        )),
        Err(crate::audit::AppendError::Broken(p, b)) => Err(Error::AuditLogBroken(format!(
            "{}:{}: {}; this is not an incomplete last record, nothing was repaired",
            p.display(),
            b.line,
            b.message
        ))),
        Err(e) => Err(Error::Io(e.to_string())),
    }
}

fn report(a: ReportArgs, out: &Out) -> Result<()> {
    let bytes = std::fs::read(&a.file)
        .map_err(|e| Error::Input(format!("cannot read {}: {e}", a.file.display())))?;
    let summary = crate::audit::verify(&bytes).map_err(|b| {
        Error::AuditLogBroken(format!("{}:{}: {}", a.file.display(), b.line, b.message))
    })?;
    let r = crate::audit::report::build(&summary.records, &summary.head);
    let text = match a.out.extension().and_then(|x| x.to_str()) {
        Some("md") => crate::audit::report::markdown(&r),
        Some("html") | Some("htm") => crate::audit::report::html(&r),
        _ => {
            return Err(Error::Input(format!(
                "--out {}: name a .md or .html file",
                a.out.display()
            )))
        }
    };
    let target = crate::file::prepare("--out", &a.out, a.force, text.len() as u64)?;
    crate::file::write_target(target, text.as_bytes(), |_| Ok(()))?;
    out.stdout(&format!(
        "wrote {} ({} steps, {} deviations, {} sign-offs)\nhead {}\n{}\n",
        a.out.display(),
        r.steps.len(),
        r.deviations.len(),
        r.signoffs.len(),
        r.head,
        r.head_words
    ))
}

fn verify(a: VerifyArgs, out: &Out) -> Result<()> {
    let r = op::verify(&VerifyInput {
        file: a.file,
        expect_head: a.expect_head,
    })?;
    // The text rendering carries the FAIL line of a broken chain or head.
    out.report(&r, render_verify)?;
    if r.broken.is_some() {
        return Err(Error::AuditLogBroken(r.file.display().to_string()));
    }
    if r.head_matches == Some(false) {
        return Err(Error::CheckFailed(format!(
            "{}: the head is not the one given with --expect-head",
            r.file.display()
        )));
    }
    Ok(())
}

fn render_verify(r: &VerifyReport) -> String {
    let mut o = String::new();
    if let Some(b) = &r.broken {
        let _ = writeln!(o, "{}:{}: FAIL: {}", r.file.display(), b.line, b.message);
        return o;
    }
    // A head other than the one the witnesses wrote down fails the log: say
    // so first, never "chain verifies" above it (issue 11, item 14).
    let head_fail = format!(
        "FAIL: head {} is not the expected {}: records were removed from the end, added, or this is another log",
        r.head,
        r.expected_head.as_deref().unwrap_or_default()
    );
    if r.head_matches == Some(false) {
        let _ = writeln!(o, "{}: {head_fail}", r.file.display());
        let _ = writeln!(
            o,
            "the records link to one another, but the log does not end where the witnesses wrote down"
        );
    } else {
        let _ = writeln!(o, "{}: chain verifies", r.file.display());
    }
    let _ = writeln!(o, "records:     {}", r.records);
    let _ = writeln!(
        o,
        "commands:    {} ({} failed, {} interrupted, {} without end)",
        r.commands,
        r.failed,
        r.interrupted.len(),
        r.without_end.len()
    );
    for (what, list) in [
        ("interrupted", &r.interrupted),
        ("without end", &r.without_end),
    ] {
        for u in list {
            let _ = writeln!(o, "{what}: record {}, {} at {}", u.begin, u.command, u.time);
        }
    }
    let _ = writeln!(o, "first:       {}", r.first.as_deref().unwrap_or(""));
    let _ = writeln!(o, "last:        {}", r.last.as_deref().unwrap_or(""));
    let _ = writeln!(o, "head (record {}), to read aloud:", r.records);
    let head = hex::decode(&r.head).expect("heads are hex");
    o.push_str(&ksr::digest::read_aloud(&head));
    match r.head_matches {
        Some(false) => {
            let _ = writeln!(o, "{head_fail}");
        }
        Some(true) => {
            let _ = writeln!(o, "PASS: head matches --expect-head");
        }
        None => {}
    }
    o
}

fn show(a: ShowArgs, out: &Out) -> Result<()> {
    let r = op::show(&ShowInput { file: a.file })?;
    if let Some(b) = &r.broken {
        // JSON: the report says where the chain breaks; text: the FAIL line.
        out.report(&r, |r| {
            format!("{}:{}: FAIL: {}\n", r.file.display(), b.line, b.message)
        })?;
        return Err(Error::AuditLogBroken(r.file.display().to_string()));
    }
    if out.json {
        // The records as a JSON array: the same form the log lines carry.
        let mut text = serde_json::to_string_pretty(&r.records).expect("records serialise");
        text.push('\n');
        out.stdout(&text)
    } else {
        out.stdout(&render_show(&r))
    }
}

fn render_show(r: &ShowReport) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{:>4}  {:<20}  {:<11}  {:<20}  {:<14}  detail",
        "seq", "time", "event", "command", "token"
    );
    for r in &r.records {
        let mut detail = Vec::new();
        if let Some(b) = r.begin {
            detail.push(format!("begin {b}"));
        }
        if let Some(oc) = &r.outcome {
            detail.push(match &oc.error {
                None => format!("exit {}", oc.exit),
                Some(e) => format!("exit {}: {e}", oc.exit),
            });
        }
        if !r.keys.is_empty() {
            detail.push(format!("keys {}", r.keys.join(",")));
        }
        for f in &r.files {
            detail.push(match &f.sha256 {
                Some(h) => format!("{} {} sha256 {}", f.role, f.path, short(h)),
                None => format!(
                    "{} {} unreadable: {}",
                    f.role,
                    f.path,
                    f.error.as_deref().unwrap_or("")
                ),
            });
        }
        if let Some(n) = &r.note {
            detail.push(n.clone());
        }
        let _ = writeln!(
            o,
            "{:>4}  {:<20}  {:<11}  {:<20}  {:<14}  {}",
            r.seq,
            r.time,
            r.event.as_str(),
            r.command,
            r.token.as_deref().unwrap_or("-"),
            detail.join("; ")
        );
    }
    let _ = writeln!(o, "head {}", r.head);
    o
}
