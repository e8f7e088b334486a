//! Drawing the [`App`] into a frame. Nothing here changes state.

use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Gauge, Paragraph, Tabs, Wrap};
use ratatui::Frame;

use super::app::{App, Prompt, Tab};
use super::widgets::{self, esc};

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
    let prompt_h = prompt_height(app, area.height);
    let [header, gauge, body, prompt, help] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(8),
        Constraint::Length(prompt_h),
        Constraint::Length(1),
    ])
    .areas(area);
    render_header(app, frame, header);
    render_gauge(app, frame, gauge);
    let left_w = (area.width / 4).max(19);
    let [steps, right] =
        Layout::horizontal([Constraint::Length(left_w), Constraint::Min(40)]).areas(body);
    frame.render_widget(
        Paragraph::new(widgets::step_lines(&app.view)).block(Block::bordered().title(" Steps ")),
        steps,
    );
    let room_lines = widgets::room_lines(&app.view);
    let room_cap = if area.height >= 40 { 10 } else { 5 };
    let room_h = (room_lines.len() as u16).clamp(1, room_cap) + 2;
    let [room, detail] =
        Layout::vertical([Constraint::Length(room_h), Constraint::Min(5)]).areas(right);
    frame.render_widget(
        Paragraph::new(room_lines)
            .wrap(Wrap { trim: true })
            .block(Block::bordered().title(" Roles, sign-offs and tokens ")),
        room,
    );
    render_detail(app, frame, detail, area.height >= 40);
    render_prompt(app, frame, prompt);
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
    let centre = Rect::new(area.x, area.y + y, area.width, area.height.saturating_sub(y).min(2));
    frame.render_widget(
        Paragraph::new(text)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        centre,
    );
}

fn render_header(app: &App, frame: &mut Frame, area: Rect) {
    let v = &app.view;
    let (done, total) = v.steps_done();
    let current = v
        .current
        .and_then(|i| v.steps.get(i).map(|s| format!(" ▶ {} {}", i + 1, esc(&s.title))))
        .unwrap_or_default();
    let mut spans = vec![
        Span::raw(esc(&v.title)).bold(),
        Span::raw(format!("  zone {}  ", esc(&v.zone))),
        Span::raw(format!("step {} of {total}", (done + 1).min(total.max(1)))),
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
fn render_gauge(app: &App, frame: &mut Frame, area: Rect) {
    let (label, done, total) = match &app.view.progress {
        Some(p) => (
            format!("{} {} of {}", esc(&p.what), p.done, p.total),
            p.done,
            p.total,
        ),
        None => {
            let (d, t) = app.view.steps_done();
            (format!("Steps done {d} of {t}"), d as u64, t as u64)
        }
    };
    let ratio = if total == 0 {
        0.0
    } else {
        (done as f64 / total as f64).clamp(0.0, 1.0)
    };
    frame.render_widget(Gauge::default().ratio(ratio).label(label), area);
}

fn render_detail(app: &App, frame: &mut Frame, area: Rect, roomy: bool) {
    let titles: Vec<String> = Tab::ALL
        .iter()
        .map(|t| match t {
            Tab::Checks if app.view.checks.iter().any(|c| !c.passed) => {
                format!("{} [FAIL]", t.name())
            }
            _ => t.name().to_string(),
        })
        .collect();
    let selected = Tab::ALL.iter().position(|t| *t == app.tab).unwrap_or(0);
    let block = Block::bordered();
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [tabs, content] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner);
    frame.render_widget(
        Tabs::new(titles)
            .select(selected)
            .highlight_style(Style::new().add_modifier(Modifier::REVERSED)),
        tabs,
    );
    match app.tab {
        Tab::Step => frame.render_widget(
            Paragraph::new(widgets::step_detail(&app.view, roomy))
                .wrap(Wrap { trim: false })
                .scroll((app.scroll, 0)),
            content,
        ),
        Tab::Checks => frame.render_widget(
            Paragraph::new(widgets::check_lines(&app.view))
                .wrap(Wrap { trim: false })
                .scroll((app.scroll, 0)),
            content,
        ),
        Tab::Bundles if app.view.bundles.is_empty() => frame.render_widget(
            Paragraph::new(Line::from("(no KSR or SKR loaded yet)").dim()),
            content,
        ),
        Tab::Bundles => {
            frame.render_widget(widgets::bundle_table(&app.view.bundles, app.scroll), content)
        }
    }
}

/// The prompt box grows with its question, up to half the screen.
fn prompt_height(app: &App, height: u16) -> u16 {
    let lines = match &app.prompt {
        Some(p) => p.text().trim_end().lines().count() as u16 + 2,
        None => 1,
    };
    (lines + 2).min(height / 2)
}

fn render_prompt(app: &App, frame: &mut Frame, area: Rect) {
    let Some(prompt) = &app.prompt else {
        let text = match (app.exit, &app.view.finished) {
            (Some(_), Some(words)) => format!("{}  (q: close)", esc(words)),
            (Some(0), None) => "Ceremony finished. (q: close)".to_string(),
            (Some(code), None) => format!("Ceremony stopped (exit {code}). (q: close)"),
            (None, _) => "Working… nothing to answer yet.".to_string(),
        };
        frame.render_widget(
            Paragraph::new(text)
                .wrap(Wrap { trim: true })
                .block(Block::bordered().title(" Status ")),
            area,
        );
        return;
    };
    let title = match prompt {
        Prompt::Line { .. } => " Answer ".to_string(),
        Prompt::Secret { .. } => " PIN (hidden) ".to_string(),
        Prompt::Confirm { expected, .. } => {
            format!(" IRREVERSIBLE: type {} to confirm ", esc(expected))
        }
    };
    let mut lines: Vec<Line> = prompt
        .text()
        .trim_end()
        .lines()
        .map(|l| Line::from(esc(l)))
        .collect();
    let mut input = vec![Span::raw("> ").bold(), Span::raw(app.shown_input())];
    match app.confirmation_matches() {
        Some(true) => input.push(Span::raw("  [matches: Enter to proceed]").bold()),
        Some(false) => input.push(Span::raw("  [does not match yet]")),
        None => {}
    }
    lines.push(Line::from(input));
    if let Some(n) = &app.notice {
        lines.push(Line::from(format!("! {n}")).bold());
    }
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

fn help_text(app: &App) -> &'static str {
    match (&app.prompt, app.exit) {
        (Some(_), _) => "Enter: answer  Esc: refuse  Tab: view  PgUp/PgDn: scroll  Ctrl-C: leave",
        (None, Some(_)) => "q: close  Tab: view  PgUp/PgDn: scroll",
        (None, None) => "Tab: view  PgUp/PgDn: scroll  Ctrl-C: leave",
    }
}
