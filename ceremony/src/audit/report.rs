//! `ceremony audit report LOG --out FILE.md|FILE.html`: a ceremony's audit log
//! as a printable report for the people in the room: deviations first, then
//! participants, every step with its time and result, the artifacts with
//! hashes and PGP words, the sign-offs (key-proven or by name only), and the
//! closing head hash with lines for the witnesses' signatures. The HTML is
//! self-contained (no scripts, fonts or images from anywhere).

use std::fmt::Write as _;

use serde_json::Value;

use super::{Event, Record};

/// One step's line in the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepLine {
    pub id: String,
    pub time: String,
    pub result: String,
    pub actors: Vec<String>,
}

/// The report's content, read from a verified log.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Report {
    pub title: String,
    pub zone: String,
    pub script: String,
    pub script_sha256: String,
    /// (role name, people)
    pub roles: Vec<(String, Vec<String>)>,
    pub steps: Vec<StepLine>,
    /// (name, path, sha256, PGP words)
    pub artifacts: Vec<(String, String, String, String)>,
    /// (step, reason, quorum, approved by, instead, time)
    pub deviations: Vec<[String; 6]>,
    /// (step, role, person, method text, time)
    pub signoffs: Vec<[String; 5]>,
    pub closed: Option<String>,
    pub head: String,
    pub head_words: String,
    pub records: usize,
}

fn s(v: &Value, k: &str) -> String {
    v.get(k)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn words(hex_digest: &str) -> String {
    hex::decode(hex_digest)
        .map(|b| ksr::digest::pgp_words(&b).join(" "))
        .unwrap_or_default()
}

/// Builds the report from the records of a verified log and its head.
pub fn build(records: &[Record], head: &str) -> Report {
    let mut r = Report {
        head: head.to_string(),
        head_words: words(head),
        records: records.len(),
        ..Report::default()
    };
    let mut results: std::collections::BTreeMap<String, String> = Default::default();
    // begin seq -> step, and the steps a crash interrupted (with when).
    let mut begins: std::collections::BTreeMap<u64, String> = Default::default();
    let mut interrupted: std::collections::BTreeMap<String, String> = Default::default();
    for rec in records {
        let c = rec.ceremony.clone().unwrap_or(Value::Null);
        let step = s(&c, "step");
        match rec.event {
            Event::CeremonyStart => {
                r.title = s(&c, "title");
                r.zone = s(&c, "zone");
                r.script = s(&c, "script");
                r.script_sha256 = s(&c, "script_sha256");
                for role in c
                    .get("roles")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let people = role
                        .get("people")
                        .and_then(Value::as_array)
                        .map(|a| {
                            a.iter()
                                .filter_map(|p| p.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default();
                    r.roles.push((s(role, "name"), people));
                }
                for f in &rec.files {
                    if let Some(h) = &f.sha256 {
                        r.artifacts.push((
                            format!("{} (input)", f.role),
                            f.path.clone(),
                            h.clone(),
                            words(h),
                        ));
                    }
                }
            }
            Event::End if !step.is_empty() => {
                let o = rec.outcome.clone().unwrap_or(super::Outcome {
                    exit: 2,
                    error: None,
                });
                let mut text = match o.error {
                    None => format!("{} succeeded", rec.command),
                    Some(e) => format!("{} FAILED: {e}", rec.command),
                };
                // sign-ksr --first-in-chain: the officers' statement, said again.
                if c.pointer("/result/chain").and_then(Value::as_str) == Some("first-in-chain") {
                    text.push_str(" (first in chain: no previous SKR, the chain was NOT checked)");
                }
                results.insert(step.clone(), text);
                if o.exit == 0 {
                    for f in &rec.files {
                        if let Some(h) = &f.sha256 {
                            r.artifacts
                                .push((f.role.clone(), f.path.clone(), h.clone(), words(h)));
                        }
                    }
                }
            }
            Event::Begin if !step.is_empty() => {
                begins.insert(rec.seq, step);
            }
            Event::Interrupted => {
                if let Some(st) = rec.begin.and_then(|b| begins.get(&b)) {
                    interrupted.insert(st.clone(), rec.time.clone());
                }
            }
            Event::Step if !step.is_empty() => {
                let text = match c.get("matched").and_then(Value::as_bool) {
                    Some(true) => {
                        format!("{} matched SHA-256 {}", s(&c, "artifact"), s(&c, "sha256"))
                    }
                    Some(false) => format!(
                        "{} did NOT match (SHA-256 {})",
                        s(&c, "artifact"),
                        s(&c, "sha256")
                    ),
                    None => "confirmed".to_string(),
                };
                results.insert(step.clone(), text);
            }
            Event::SignOff => {
                let method = if s(&c, "method") == "key" {
                    format!("signed with enrolled key {}", s(&c, "key_sha256"))
                } else {
                    "by name only (no key)".to_string()
                };
                r.signoffs.push([
                    step,
                    s(&c, "role"),
                    s(&c, "person"),
                    method,
                    rec.time.clone(),
                ]);
            }
            Event::Deviation => {
                let approvers = c
                    .get("approved_by")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default();
                r.deviations.push([
                    step.clone(),
                    s(&c, "reason"),
                    s(&c, "quorum"),
                    approvers,
                    s(&c, "instead"),
                    rec.time.clone(),
                ]);
                r.steps.push(StepLine {
                    id: step,
                    time: rec.time.clone(),
                    result: "DEVIATION (see above)".into(),
                    actors: Vec::new(),
                });
            }
            Event::StepDone => {
                let actors = c
                    .get("actors")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|p| p.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                let mut result = results.get(&step).cloned().unwrap_or_else(|| "done".into());
                if let Some(t) = interrupted.get(&step) {
                    result = format!("{result} (run again after an interruption recorded at {t})");
                }
                r.steps.push(StepLine {
                    id: step,
                    time: rec.time.clone(),
                    result,
                    actors,
                });
            }
            Event::Close => r.closed = Some(rec.time.clone()),
            _ => {}
        }
    }
    r
}

/// Markdown.
pub fn markdown(r: &Report) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# {}\n", md(&r.title));
    let _ = writeln!(
        o,
        "Zone `{}`; script `{}` (SHA-256 `{}`).\n",
        code(&r.zone),
        code(&r.script),
        code(&r.script_sha256)
    );
    let _ = writeln!(o, "## Deviations\n");
    if r.deviations.is_empty() {
        let _ = writeln!(o, "None: every step was done as scripted.\n");
    }
    for [step, reason, quorum, by, instead, time] in &r.deviations {
        let _ = writeln!(
            o,
            "- **{}** at {}: {}. Instead: {}. Approved by quorum {}: {}.",
            md(step),
            md(time),
            md(reason),
            md(instead),
            md(quorum),
            md(by)
        );
    }
    let _ = writeln!(o, "\n## Participants\n");
    for (role, people) in &r.roles {
        let _ = writeln!(o, "- {}: {}", md(role), md(&people.join(", ")));
    }
    let _ = writeln!(
        o,
        "\n## Steps\n\n| Step | Time | Result | Signed off by |\n|---|---|---|---|"
    );
    for st in &r.steps {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} |",
            md(&st.id),
            md(&st.time),
            md(&st.result),
            md(&st.actors.join(", "))
        );
    }
    let _ = writeln!(o, "\n## Artifacts\n");
    for (name, path, sha, w) in &r.artifacts {
        let _ = writeln!(
            o,
            "- **{}** `{}`\n  - SHA-256 `{}`\n  - {}",
            md(name),
            code(path),
            code(sha),
            md(w)
        );
    }
    let _ = writeln!(
        o,
        "\n## Sign-offs\n\n| Step | Role | Person | How | Time |\n|---|---|---|---|---|"
    );
    for [step, role, person, how, time] in &r.signoffs {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} |",
            md(step),
            md(role),
            md(person),
            md(how),
            md(time)
        );
    }
    let _ = writeln!(o, "\n## Closing\n");
    match &r.closed {
        Some(t) => {
            let _ = writeln!(o, "Closed at {} after {} records.", md(t), r.records);
        }
        None => {
            let _ = writeln!(o, "NOT CLOSED: the log ends after {} records.", r.records);
        }
    }
    let _ = writeln!(
        o,
        "\nHead hash `{}`\n\n{}\n",
        code(&r.head),
        md(&r.head_words)
    );
    let _ = writeln!(o, "## Witnesses\n");
    for (role, people) in &r.roles {
        for p in people.iter().filter(|_| {
            role.to_lowercase().contains("witness") || role.to_lowercase().contains("auditor")
        }) {
            let _ = writeln!(
                o,
                "{} ({}): signature ______________________  date __________\n",
                md(p),
                md(role)
            );
        }
    }
    o
}

/// Text from the log in Markdown: HTML escaped (renderers pass HTML through),
/// the characters that start emphasis, code or a link, or end a table cell
/// (and the backslash itself),
/// behind a backslash, and line breaks and other controls as `\u{..}` (a
/// field never opens a heading or a list item of its own).
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in ksr::escape::terminal(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // A backslash of the text's own would escape the one put before
            // the next character, and reopen it.
            '\\' | '|' | '`' | '*' | '_' | '~' | '[' | ']' | '#' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Text from the log inside a Markdown code span, where nothing but a
/// backtick (which would end the span) has a meaning: backticks become
/// quotes, controls `\u{..}`.
fn code(s: &str) -> String {
    ksr::escape::terminal(s).replace('`', "'")
}

/// Self-contained printable HTML.
pub fn html(r: &Report) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\n<style>\
body{{font-family:serif;margin:2em;}} table{{border-collapse:collapse;width:100%;}}\
td,th{{border:1px solid #444;padding:4px;text-align:left;vertical-align:top;font-size:10pt;}}\
code,.hash{{font-family:monospace;word-break:break-all;}} .words{{font-size:13pt;}}\
.sig{{margin-top:2.5em;border-top:1px solid #000;width:60%;}} h2{{page-break-after:avoid;}}\
</style></head><body>\n",
        ksr::escape::markup(&r.title)
    );
    let _ = writeln!(o, "<h1>{}</h1>", ksr::escape::markup(&r.title));
    let _ = writeln!(
        o,
        "<p>Zone <code>{}</code>; script <code>{}</code>, SHA-256 <code>{}</code>.</p>",
        ksr::escape::markup(&r.zone),
        ksr::escape::markup(&r.script),
        ksr::escape::markup(&r.script_sha256)
    );
    let _ = writeln!(o, "<h2>Deviations</h2>");
    if r.deviations.is_empty() {
        let _ = writeln!(o, "<p>None: every step was done as scripted.</p>");
    } else {
        let _ = writeln!(o, "<table><tr><th>Step</th><th>Time</th><th>Reason</th><th>Done instead</th><th>Approved by</th></tr>");
        for [step, reason, quorum, by, instead, time] in &r.deviations {
            let _ = writeln!(
                o,
                "<tr><td>DEVIATION {}</td><td>{}</td><td>{}</td><td>{}</td><td>{} ({})</td></tr>",
                ksr::escape::markup(step),
                ksr::escape::markup(time),
                ksr::escape::markup(reason),
                ksr::escape::markup(instead),
                ksr::escape::markup(by),
                ksr::escape::markup(quorum)
            );
        }
        let _ = writeln!(o, "</table>");
    }
    let _ = writeln!(o, "<h2>Participants</h2><ul>");
    for (role, people) in &r.roles {
        let _ = writeln!(
            o,
            "<li>{}: {}</li>",
            ksr::escape::markup(role),
            ksr::escape::markup(&people.join(", "))
        );
    }
    let _ = writeln!(o, "</ul><h2>Steps</h2><table><tr><th>Step</th><th>Time</th><th>Result</th><th>Signed off by</th></tr>");
    for st in &r.steps {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            ksr::escape::markup(&st.id),
            ksr::escape::markup(&st.time),
            ksr::escape::markup(&st.result),
            ksr::escape::markup(&st.actors.join(", "))
        );
    }
    let _ = writeln!(
        o,
        "</table><h2>Artifacts</h2><table><tr><th>Artifact</th><th>SHA-256 and PGP words</th></tr>"
    );
    for (name, path, sha, w) in &r.artifacts {
        let _ = writeln!(o, "<tr><td>{}<br><code>{}</code></td><td><span class=\"hash\">{}</span><br><span class=\"words\">{}</span></td></tr>", ksr::escape::markup(name), ksr::escape::markup(path), ksr::escape::markup(sha), ksr::escape::markup(w));
    }
    let _ = writeln!(o, "</table><h2>Sign-offs</h2><table><tr><th>Step</th><th>Role</th><th>Person</th><th>How</th><th>Time</th></tr>");
    for [step, role, person, how, time] in &r.signoffs {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            ksr::escape::markup(step),
            ksr::escape::markup(role),
            ksr::escape::markup(person),
            ksr::escape::markup(how),
            ksr::escape::markup(time)
        );
    }
    let _ = writeln!(o, "</table><h2>Closing</h2>");
    match &r.closed {
        Some(t) => {
            let _ = writeln!(
                o,
                "<p>Closed at {} after {} records.</p>",
                ksr::escape::markup(t),
                r.records
            );
        }
        None => {
            let _ = writeln!(
                o,
                "<p>NOT CLOSED: the log ends after {} records.</p>",
                r.records
            );
        }
    }
    let _ = writeln!(
        o,
        "<p>Head hash <span class=\"hash\">{}</span></p><p class=\"words\">{}</p>",
        ksr::escape::markup(&r.head),
        ksr::escape::markup(&r.head_words)
    );
    let _ = writeln!(o, "<h2>Witnesses</h2>");
    for (role, people) in &r.roles {
        let l = role.to_lowercase();
        if l.contains("witness") || l.contains("auditor") {
            for p in people {
                let _ = writeln!(
                    o,
                    "<div class=\"sig\">{} ({}), signature and date</div>",
                    ksr::escape::markup(p),
                    ksr::escape::markup(role)
                );
            }
        }
    }
    let _ = writeln!(o, "</body></html>");
    o
}

#[cfg(test)]
mod tests {
    use super::md;

    #[test]
    fn a_backslash_of_the_text_cannot_reopen_a_link_or_emphasis() {
        assert_eq!(
            md(r"Mallory \[ok\](https://evil.example) \*\*x\*\* ~~y~~"),
            r"Mallory \\\[ok\\\](https://evil.example) \\\*\\\*x\\\*\\\* \~\~y\~\~"
        );
        assert_eq!(md("a|b<c>&"), r"a\|b&lt;c&gt;&amp;");
    }
}
