//! The pieces the view is made of. Every string that may come from a file
//! (the script, a KSR) passes through [`esc`] on its way to the screen, and no
//! state is shown by colour alone: symbols and words carry it.

use ksr::digest::pgp_words;
use ratatui::layout::Constraint;
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table};

use super::model::{BundleRow, CeremonyView, CheckView, OutputView, StepStatus};

/// Text from an input file, made safe for the terminal.
pub fn esc(s: &str) -> String {
    ksr::escape::terminal(s).into_owned()
}

/// The step list: number, marker and title; the current step reversed and
/// marked `▶`.
pub fn step_lines(view: &CeremonyView) -> Vec<Line<'static>> {
    view.steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let text = format!("{}{:>2} {} {}", s.status.marker(), i + 1, esc(&s.title), s.status.word());
            let style = match s.status {
                StepStatus::Current => Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
                StepStatus::Failed => Style::new().red().bold(),
                StepStatus::Done => Style::new().green(),
                StepStatus::Deviated => Style::new().yellow(),
                StepStatus::Pending => Style::new(),
            };
            Line::styled(text.trim_end().to_string(), style)
        })
        .collect()
}

/// Who is in the room by role, who has signed off, and the tokens.
pub fn room_lines(view: &CeremonyView) -> Vec<Line<'static>> {
    let mut roles: Vec<&str> = Vec::new();
    for p in &view.people {
        if !roles.contains(&p.role.as_str()) {
            roles.push(&p.role);
        }
    }
    let mut lines: Vec<Line> = roles
        .iter()
        .map(|role| {
            let people: Vec<_> = view.people.iter().filter(|p| p.role == *role).collect();
            let signed = people.iter().filter(|p| p.signed_off).count();
            let mut spans = vec![Span::raw(format!("{} {signed}/{} signed:", esc(role), people.len())).bold()];
            for p in people {
                let mark = if p.signed_off {
                    "[✓]"
                } else if p.present {
                    "[ ]"
                } else {
                    "[absent]"
                };
                spans.push(Span::raw(format!(" {mark} {}", esc(&p.name))));
            }
            Line::from(spans)
        })
        .collect();
    if !view.tokens.is_empty() {
        let mut spans = vec![Span::raw("Tokens:").bold()];
        for t in &view.tokens {
            spans.push(Span::raw(format!(" {} [{}]", esc(&t.label), esc(&t.status))));
        }
        lines.push(Line::from(spans));
    }
    lines
}

/// A digest to read aloud: the hex in groups of eight, then the PGP words in
/// numbered rows of four, bold, each row's columns aligned. `spaced` puts a
/// blank line between rows where there is room.
pub fn hash_lines(digest: &[u8; 32], spaced: bool) -> Vec<Line<'static>> {
    let hex = hex::encode(digest);
    let groups: Vec<&str> = (0..8).map(|i| &hex[i * 8..i * 8 + 8]).collect();
    let mut lines = vec![
        Line::from(format!("SHA-256 {}", groups[..4].join(" "))),
        Line::from(format!("        {}", groups[4..].join(" "))),
    ];
    let words = pgp_words(digest);
    let widths: Vec<usize> = (0..4)
        .map(|col| words.iter().skip(col).step_by(4).map(|w| w.len()).max().unwrap_or(0))
        .collect();
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
    lines
}

/// The current step's instructions, then its outputs with their hashes.
pub fn step_detail(view: &CeremonyView, spaced: bool) -> Vec<Line<'static>> {
    let mut lines: Vec<Line> = Vec::new();
    for para in &view.instructions {
        for l in para.lines() {
            lines.push(Line::from(esc(l)));
        }
    }
    for out in &view.outputs {
        lines.push(Line::default());
        lines.extend(output_lines(out, spaced));
    }
    if lines.is_empty() {
        lines.push(Line::from("(no instructions for this step)").dim());
    }
    lines
}

fn output_lines(out: &OutputView, spaced: bool) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(vec![
        Span::raw("Output ").bold(),
        Span::raw(esc(&out.name)).bold(),
        Span::raw(format!("  {}", esc(&out.path))),
    ])];
    if let Some(d) = &out.sha256 {
        lines.extend(hash_lines(d, spaced));
    }
    lines
}

/// Check results, every failure first, each labelled `[FAIL]` or `[ ok ]`.
pub fn check_lines(view: &CeremonyView) -> Vec<Line<'static>> {
    if view.checks.is_empty() {
        return vec![Line::from("(no checks run yet)").dim()];
    }
    let failed = view.checks.iter().filter(|c| !c.passed).count();
    let mut lines = vec![Line::from(format!(
        "{failed} failed, {} passed",
        view.checks.len() - failed
    ))
    .bold()];
    lines.extend(view.checks_fail_first().into_iter().map(check_line));
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
