//! The pieces the view is made of. Every string that may come from a file
//! (the script, a KSR) passes through [`esc`] on its way to the screen, and no
//! state is shown by colour alone: symbols and words carry it.

use ksr::digest::pgp_words;
use ratatui::layout::Constraint;
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table};

use super::model::BundleRow;
use crate::engine::state::{ArtifactView, CheckView, SignOffMethod};
use crate::engine::{State, StepStatus};

/// Text from an input file, made safe for the terminal.
pub fn esc(s: &str) -> String {
    ksr::escape::terminal(s).into_owned()
}

/// A symbol for a step's status; the word comes from the engine.
fn marker(status: StepStatus) -> &'static str {
    match status {
        StepStatus::Pending => " ",
        StepStatus::Active | StepStatus::Running => "▶",
        StepStatus::Done => "✓",
        StepStatus::Failed => "✗",
        StepStatus::Interrupted => "!",
        StepStatus::Deviated => "~",
    }
}

/// The step list: marker, number and title, and the status in words for all
/// but pending and done steps; the current step reversed and marked `▶`.
pub fn step_lines(state: &State) -> Vec<Line<'static>> {
    state
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let word = match s.status {
                StepStatus::Pending | StepStatus::Done => String::new(),
                other => format!(" [{}]", other.word()),
            };
            let text = format!("{} {:>2} {}{word}", marker(s.status), i + 1, esc(&s.title));
            let current = state.current == Some(i);
            let style = match s.status {
                _ if current => Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
                StepStatus::Failed | StepStatus::Interrupted => Style::new().red().bold(),
                StepStatus::Done => Style::new().green(),
                StepStatus::Deviated => Style::new().yellow(),
                _ => Style::new(),
            };
            Line::styled(text, style)
        })
        .collect()
}

/// Each role with who signed off the current step (`[✓key]` proven by an
/// enrolled key, `[✓name]` by name only), then the tokens and their state.
pub fn room_lines(state: &State) -> Vec<Line<'static>> {
    let step = state
        .current
        .and_then(|i| state.steps.get(i))
        .map(|s| s.id.as_str());
    let mut lines: Vec<Line> = state
        .roles
        .iter()
        .map(|role| {
            let signed: Vec<_> = state
                .signoffs
                .iter()
                .filter(|s| Some(s.step.as_str()) == step && s.role == role.id)
                .collect();
            let mut spans = vec![Span::raw(format!(
                "{} {}/{} signed:",
                esc(&role.name),
                signed.len(),
                role.people.len()
            ))
            .bold()];
            for p in &role.people {
                let mark = match signed.iter().find(|s| s.person == p.name) {
                    Some(s) if matches!(s.method, SignOffMethod::Key { .. }) => "[✓key]",
                    Some(_) => "[✓name]",
                    None => "[ ]",
                };
                spans.push(Span::raw(format!(" {mark} {}", esc(&p.name))));
            }
            Line::from(spans)
        })
        .collect();
    if !state.tokens.is_empty() {
        let mut spans = vec![Span::raw("Tokens:").bold()];
        for t in &state.tokens {
            spans.push(Span::raw(format!(
                " {} ({}) [{}]",
                esc(&t.name),
                esc(&t.label),
                esc(&t.state)
            )));
        }
        lines.push(Line::from(spans));
    }
    lines
}

/// A digest to read aloud: the hex in groups of eight, then the PGP words in
/// numbered rows of four, bold, each row's columns aligned. `spaced` puts a
/// blank line between rows where there is room.
pub fn hash_lines(digest: &[u8; 32], spaced: bool) -> Vec<Line<'static>> {
    let (mut hex, mut words) = hash_parts(digest, spaced);
    hex.append(&mut words);
    hex
}

/// [`hash_lines`] with the word rows first and the hex after them: where the
/// pane is too short for both (80x24 under a question of several lines), all
/// 32 words stay in sight and the hex is what scrolls out (PgDn).
pub fn hash_lines_words_first(digest: &[u8; 32], spaced: bool) -> Vec<Line<'static>> {
    let (mut hex, mut words) = hash_parts(digest, spaced);
    words.append(&mut hex);
    words
}

/// The hex lines and the word rows of a digest.
fn hash_parts(digest: &[u8; 32], spaced: bool) -> (Vec<Line<'static>>, Vec<Line<'static>>) {
    let hex = hex::encode(digest);
    let groups: Vec<&str> = (0..8).map(|i| &hex[i * 8..i * 8 + 8]).collect();
    let hex_lines = vec![
        Line::from(format!("SHA-256 {}", groups[..4].join(" "))),
        Line::from(format!("        {}", groups[4..].join(" "))),
    ];
    let words = pgp_words(digest);
    let widths: Vec<usize> = (0..4)
        .map(|col| {
            words
                .iter()
                .skip(col)
                .step_by(4)
                .map(|w| w.len())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut lines = Vec::new();
    for (row, chunk) in words.chunks(4).enumerate() {
        if spaced && row > 0 {
            lines.push(Line::default());
        }
        let mut spans = Vec::new();
        for (col, word) in chunk.iter().enumerate() {
            let n = row * 4 + col + 1;
            spans.push(Span::raw(format!("{n:>2} ")).dim());
            spans.push(Span::raw(format!("{word:<w$}", w = widths[col])).bold());
            if col < 3 {
                spans.push(Span::raw(" "));
            }
        }
        lines.push(Line::from(spans));
    }
    (hex_lines, lines)
}

/// The current step's instructions and checklist, then its outputs (or,
/// before it has any, the newest artifact) with their hashes; the outputs
/// first when both do not fit in `height` lines, so the words to read aloud
/// are in sight.
pub fn step_detail(state: &State, spaced: bool, height: usize) -> Vec<Line<'static>> {
    let mut lines: Vec<Line> = Vec::new();
    let ins = &state.instructions;
    if !ins.title.is_empty() {
        lines.push(Line::from(esc(&ins.title)).bold());
    }
    for l in ins.text.lines() {
        lines.push(Line::from(esc(l)));
    }
    for item in &ins.checklist {
        lines.push(Line::from(format!("- [ ] {}", esc(item))));
    }
    let step = state
        .current
        .and_then(|i| state.steps.get(i))
        .map(|s| s.id.clone());
    let mut shown: Vec<&ArtifactView> = state
        .artifacts
        .iter()
        .filter(|a| a.step.is_some() && a.step == step)
        .collect();
    if shown.is_empty() {
        shown.extend(state.artifacts.last());
    }
    let closed = state.current.is_none() && !state.head.is_empty();
    if closed {
        shown.clear();
    }
    let files_with = |words_first: bool| {
        let hash = |d: &[u8; 32]| {
            if words_first {
                hash_lines_words_first(d, spaced)
            } else {
                hash_lines(d, spaced)
            }
        };
        let mut files: Vec<Line> = Vec::new();
        if closed {
            // Closed: the log's head hash is what is read aloud and written down.
            files.push(Line::default());
            files.push(Line::from("Audit log head (closed)").bold());
            match digest_of(&state.head) {
                Some(d) => files.extend(hash(&d)),
                None => files.push(Line::from(format!(
                    "{}  {}",
                    esc(&state.head),
                    esc(&state.head_words)
                ))),
            }
        }
        for a in &shown {
            files.push(Line::default());
            files.push(Line::from(vec![
                Span::raw("File ").bold(),
                Span::raw(esc(&a.name)).bold(),
                Span::raw(format!("  {}", esc(&a.path))),
            ]));
            match digest_of(&a.sha256) {
                Some(d) => files.extend(hash(&d)),
                None => files.push(Line::from(format!("SHA-256 {}", esc(&a.sha256)))),
            }
        }
        files
    };
    let mut files = files_with(false);
    if lines.len() + files.len() > height && !files.is_empty() {
        // Too short for everything: the files first; and if even they do not
        // fit, their words before their hex.
        if files.len() - 1 > height {
            files = files_with(true);
        }
        files.remove(0);
        files.push(Line::default());
        files.append(&mut lines);
        lines = files;
    } else {
        lines.append(&mut files);
    }
    if lines.is_empty() {
        lines.push(Line::from("(no instructions for this step)").dim());
    }
    lines
}

/// A SHA-256 given in hex, as bytes (`None` when it is not 64 hex digits).
fn digest_of(hex_digest: &str) -> Option<[u8; 32]> {
    hex::decode(hex_digest)
        .ok()
        .and_then(|v| <[u8; 32]>::try_from(v).ok())
}

/// Check results, every failure first, each labelled `[FAIL]` or `[ ok ]`.
pub fn check_lines(state: &State) -> Vec<Line<'static>> {
    if state.checks.is_empty() {
        return vec![Line::from("(no checks run yet)").dim()];
    }
    let failed = state.checks.iter().filter(|c| !c.passed).count();
    let mut lines = vec![Line::from(format!(
        "{failed} failed, {} passed",
        state.checks.len() - failed
    ))
    .bold()];
    lines.extend(state.checks_fail_first().into_iter().map(check_line));
    lines
}

fn check_line(c: &CheckView) -> Line<'static> {
    let (label, style) = if c.passed {
        ("[ ok ]", Style::new().green())
    } else {
        ("[FAIL]", Style::new().red().bold())
    };
    let mut text = format!("{label} {}", esc(&c.name));
    if !c.detail.is_empty() {
        text.push_str(": ");
        text.push_str(&esc(&c.detail));
    }
    Line::styled(text, style)
}

/// The bundle table with the columns of `ksr inspect`.
pub fn bundle_table(rows: &[BundleRow], scroll: u16) -> Table<'static> {
    let header = Row::new(["slot", "bundle", "inception", "expiration", "ZSK", "KSK"]).bold();
    let body: Vec<Row> = rows
        .iter()
        .skip(scroll as usize)
        .map(|b| {
            Row::new([
                Cell::from(b.slot.to_string()),
                Cell::from(esc(&b.short_id)),
                Cell::from(esc(&b.inception)),
                Cell::from(esc(&b.expiration)),
                Cell::from(esc(&b.zsk)),
                Cell::from(esc(&b.ksk)),
            ])
        })
        .collect();
    Table::new(
        body,
        [
            Constraint::Length(4),
            Constraint::Length(8),
            Constraint::Length(20),
            Constraint::Length(20),
            Constraint::Min(5),
            Constraint::Min(8),
        ],
    )
    .header(header)
    .column_spacing(1)
}
