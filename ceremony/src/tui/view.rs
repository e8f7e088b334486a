//! Drawing the [`App`] into a frame. Nothing here changes state.

use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Gauge, Paragraph, Wrap};
use ratatui::Frame;

use super::app::{App, Prompt, Tab};
use super::model::Snapshot;
use super::widgets::{self, esc};
use crate::engine::State;

/// The smallest terminal the layout is made for.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// Draws the whole screen.
pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, area);
        return;
    }
    let Some(snap) = &app.view else {
        frame.render_widget(
            Paragraph::new("Starting the ceremony…").block(Block::bordered()),
            area,
        );
        return;
    };
    let state = &snap.state;
    let prompt_h = prompt_height(app, area.width, area.height);
    let [header, gauge, body, prompt, help] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(prompt_h),
        Constraint::Length(1),
    ])
    .areas(area);
    render_header(app, state, frame, header);
    render_gauge(state, frame, gauge);
    // 22 columns at 80 leave the hash grid's widest row (55) room on the right.
    let left_w = (area.width / 4).max(22);
    let [steps, right] =
        Layout::horizontal([Constraint::Length(left_w), Constraint::Min(40)]).areas(body);
    // Keep the current step in sight in a long script.
    let visible = steps.height.saturating_sub(2);
    let top = state
        .current
        .map_or(0, |i| (i as u16).saturating_sub(visible.saturating_sub(3)));
    frame.render_widget(
        Paragraph::new(widgets::step_lines(state))
            .scroll((top, 0))
            .block(Block::bordered().title(" Steps ")),
        steps,
    );
    let room_lines = widgets::room_lines(state);
    let room_cap = if area.height >= 40 { 10 } else { 3 };
    // At 80x24 the room gets a top rule only: the rows go to the hash grid.
    let room_block = if area.height >= 40 {
        Block::bordered()
    } else {
        Block::new().borders(Borders::TOP)
    };
    let room_h =
        (room_lines.len() as u16).clamp(1, room_cap) + if area.height >= 40 { 2 } else { 1 };
    let [room, detail] =
        Layout::vertical([Constraint::Length(room_h), Constraint::Fill(1)]).areas(right);
    frame.render_widget(
        Paragraph::new(room_lines)
            .wrap(Wrap { trim: true })
            .block(room_block.title(" Roles, sign-offs and tokens ")),
        room,
    );
    render_detail(app, snap, frame, detail, area.height >= 40);
    render_prompt(app, state, frame, prompt);
    frame.render_widget(
        Paragraph::new(help_text(app)).style(Style::new().add_modifier(Modifier::DIM)),
        help,
    );
}

fn too_small(frame: &mut Frame, area: Rect) {
    frame.render_widget(Clear, area);
    let text = vec![
        Line::from("terminal too small"),
        Line::from(format!(
            "{}x{}, need {MIN_WIDTH}x{MIN_HEIGHT}",
            area.width, area.height
        )),
    ];
    let y = area.height.saturating_sub(2) / 2;
    let centre = Rect::new(
        area.x,
        area.y + y,
        area.width,
        area.height.saturating_sub(y).min(2),
    );
    frame.render_widget(
        Paragraph::new(text)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        centre,
    );
}

fn render_header(app: &App, v: &State, frame: &mut Frame, area: Rect) {
    let (_, total) = v.completed();
    let current = v
        .current
        .and_then(|i| v.steps.get(i).map(|s| (i, s)))
        .map(|(i, s)| format!("step {} of {total} ▶ {}", i + 1, esc(&s.title)))
        .unwrap_or_else(|| format!("{total} steps"));
    let mut spans = vec![
        Span::raw(esc(&v.title)).bold(),
        Span::raw(format!("  zone {}  ", esc(&v.zone))),
        Span::raw(current),
    ];
    if let Some(code) = app.exit {
        spans.push(Span::raw(format!(
            "  [{}]",
            if code == 0 { "FINISHED" } else { "STOPPED" }
        )));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// A long operation's progress (bundles signed of total) while one runs,
/// otherwise the steps done of all steps.
fn render_gauge(state: &State, frame: &mut Frame, area: Rect) {
    let (label, done, total) = match &state.progress {
        Some(p) => (
            format!("{} {} of {}", esc(&p.what), p.done, p.total),
            p.done,
            p.total,
        ),
        None => {
            let (d, t) = state.completed();
            (format!("Steps done {d} of {t}"), d, t)
        }
    };
    let ratio = if total == 0 {
        0.0
    } else {
        (done as f64 / total as f64).clamp(0.0, 1.0)
    };
    frame.render_widget(Gauge::default().ratio(ratio).label(label), area);
}

fn render_detail(app: &App, snap: &Snapshot, frame: &mut Frame, area: Rect, roomy: bool) {
    let state = &snap.state;
    let titles: Vec<String> = Tab::ALL
        .iter()
        .map(|t| match t {
            Tab::Checks if state.checks.iter().any(|c| !c.passed) => {
                format!("{} [FAIL]", t.name())
            }
            _ => t.name().to_string(),
        })
        .collect();
    // The selected view in brackets as well as reversed: not by colour alone.
    let mut spans = vec![Span::raw(" ")];
    for (tab, name) in Tab::ALL.iter().zip(titles) {
        if *tab == app.tab {
            spans.push(Span::raw(format!("[{name}]")).add_modifier(Modifier::REVERSED));
        } else {
            spans.push(Span::raw(format!(" {name} ")));
        }
        spans.push(Span::raw(" "));
    }
    let block = Block::bordered().title(Line::from(spans));
    let content = block.inner(area);
    frame.render_widget(block, area);
    match app.tab {
        Tab::Step => frame.render_widget(
            Paragraph::new(widgets::step_detail(state, roomy, content.height as usize))
                .wrap(Wrap { trim: false })
                .scroll((app.scroll, 0)),
            content,
        ),
        Tab::Checks => frame.render_widget(
            Paragraph::new(widgets::check_lines(state))
                .wrap(Wrap { trim: false })
                .scroll((app.scroll, 0)),
            content,
        ),
        Tab::Bundles => match &snap.bundles {
            None => frame.render_widget(
                Paragraph::new(Line::from("(no KSR or SKR among the files yet)").dim()),
                content,
            ),
            Some(t) => {
                let [name, table] =
                    Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(content);
                frame.render_widget(
                    Paragraph::new(format!("{}: {} bundles", esc(&t.artifact), t.rows.len())),
                    name,
                );
                frame.render_widget(widgets::bundle_table(&t.rows, app.scroll), table);
            }
        },
    }
}

/// The prompt box grows with its question, up to half the screen.
fn prompt_height(app: &App, width: u16, height: u16) -> u16 {
    let rows = match &app.prompt {
        // The question, the input line, a notice, the border.
        Some(p) => {
            let notice = notice_lines(app, width).len();
            (question_lines(&p.text(), width).len() + 1 + notice) as u16 + 2
        }
        // Without a question: a status line (two at the end, for the head
        // hash) and a notice, no border.
        None => 1 + u16::from(app.exit.is_some()) + u16::from(app.notice.is_some()),
    };
    rows.min(height / 2)
}

fn render_prompt(app: &App, state: &State, frame: &mut Frame, area: Rect) {
    let Some(prompt) = &app.prompt else {
        let mut text = match app.exit {
            Some(code) if !state.head.is_empty() => format!(
                "Ceremony {} (exit {code}). Audit head {}  (q: close)",
                if code == 0 { "finished" } else { "stopped" },
                esc(&state.head),
            ),
            Some(0) => "Ceremony finished. (q: close)".to_string(),
            Some(code) => format!("Ceremony stopped (exit {code}). (q: close)"),
            None => state
                .messages
                .last()
                .map(|m| esc(m))
                .unwrap_or_else(|| "Working… nothing to answer yet.".to_string()),
        };
        if let Some(n) = &app.notice {
            text = format!("! {}\n{text}", esc(n));
        }
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }).bold(), area);
        return;
    };
    let title = match prompt {
        Prompt::Line { .. } => " Answer ".to_string(),
        Prompt::Secret { .. } => " PIN (hidden) ".to_string(),
        Prompt::Confirm {
            expected,
            irreversible: true,
            ..
        } => format!(" IRREVERSIBLE: type {} to confirm ", esc(expected)),
        Prompt::Confirm { expected, .. } => format!(" Confirm: type {} ", esc(expected)),
        Prompt::Answer { .. } => " Verify: compare and type ".to_string(),
        Prompt::SignOff { .. } => " Sign-off ".to_string(),
        Prompt::Deviation { .. } => " DEVIATION ".to_string(),
    };
    let mut lines: Vec<Line> = question_lines(&prompt.text(), area.width)
        .into_iter()
        .map(Line::from)
        .collect();
    let mut input = vec![Span::raw("> ").bold(), Span::raw(esc(&app.shown_input()))];
    match app.confirmation_matches() {
        Some(true) => input.push(Span::raw("  [matches: Enter to proceed]").bold()),
        Some(false) => input.push(Span::raw("  [does not match yet]")),
        None => {}
    }
    lines.push(Line::from(input));
    lines.extend(
        notice_lines(app, area.width)
            .into_iter()
            .map(|l| Line::from(l).bold()),
    );
    // Keep the input line in sight when the question is taller than the box.
    let visible = area.height.saturating_sub(2) as usize;
    let skip = lines.len().saturating_sub(visible) as u16;
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((skip, 0))
            .block(Block::bordered().title(title).bold()),
        area,
    );
}

/// The question's lines, escaped and wrapped at blanks to the inside of a
/// bordered box `width` wide: a question wider than the terminal (the word
/// positions to type back, say) is never cut off.
/// The notice under a question, wrapped like the question (a swept temp
/// file's path is longer than a line).
fn notice_lines(app: &App, width: u16) -> Vec<String> {
    app.notice
        .as_ref()
        .map(|n| question_lines(&format!("! {n}"), width))
        .unwrap_or_default()
}

fn question_lines(text: &str, width: u16) -> Vec<String> {
    let inner = usize::from(width.saturating_sub(2)).max(1);
    let mut out = Vec::new();
    for line in text.trim_end().lines() {
        let line = esc(line);
        if line.chars().count() <= inner {
            out.push(line); // fits: kept as written, alignment included
            continue;
        }
        let mut cur = String::new();
        for word in line.split(' ') {
            let (cur_len, word_len) = (cur.chars().count(), word.chars().count());
            if cur_len > 0 && cur_len + 1 + word_len > inner {
                out.push(std::mem::take(&mut cur));
            } else if cur_len > 0 {
                cur.push(' ');
            }
            // A word longer than the box (a hex digest) is cut into pieces.
            let mut rest: Vec<char> = word.chars().collect();
            while cur.is_empty() && rest.len() > inner {
                out.push(rest.drain(..inner).collect());
            }
            cur.extend(rest);
        }
        out.push(cur);
    }
    out
}

fn help_text(app: &App) -> &'static str {
    match (&app.prompt, app.exit) {
        (Some(p), _) if p.is_step() => {
            "Enter: answer  Ctrl-D: deviation  Tab: view  PgUp/PgDn: scroll  Ctrl-C: leave"
        }
        (Some(_), _) => "Enter: answer  Esc: refuse  Tab: view  PgUp/PgDn: scroll  Ctrl-C: leave",
        (None, Some(_)) => "q: close  Tab: view  PgUp/PgDn: scroll",
        (None, None) => "Tab: view  PgUp/PgDn: scroll  Ctrl-C: leave",
    }
}
