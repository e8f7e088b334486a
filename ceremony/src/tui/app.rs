//! The UI's state and its update function, apart from drawing (the layout of
//! ratatui's own application examples): keys and engine messages come in as
//! [`Msg`], answers for the engine go out as [`Answer`].

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use zeroize::Zeroizing;

use super::model::Snapshot;
use crate::engine::state::Progress;
use crate::engine::{Awaiting, Command, DeviationRequest};

/// Bytes reserved for what is typed at a prompt; input stops there.
pub const INPUT_CAPACITY: usize = 256;

/// The fields of a deviation, asked one after the other.
pub const DEVIATION_FIELDS: [&str; 4] = [
    "Reason for the deviation",
    "Quorum that approved it (its id in the script)",
    "Approved by (names, comma separated)",
    "What was done instead",
];

/// What the people at the terminal are asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prompt {
    /// A line asked by an operation (a typed-back hash, a label).
    Line { text: String },
    /// A secret (a PIN): masked, never echoed, not kept after it is sent.
    Secret { text: String },
    /// The step's typed confirmation: Enter is accepted only once exactly
    /// `expected` (`yes`, or a key label for an irreversible operation) was typed.
    Confirm {
        text: String,
        expected: String,
        irreversible: bool,
    },
    /// A verify step's out-of-band value.
    Answer { question: String },
    /// Who signs off: one of `choices` by number.
    SignOff {
        need: usize,
        choices: Vec<(String, String)>,
    },
    /// A deviation being entered; `fields` holds the answers so far.
    Deviation { why: String, fields: Vec<String> },
}

impl Prompt {
    /// The prompt for what the engine awaits, `None` when it awaits no one.
    pub fn for_awaiting(awaiting: &Awaiting, step_title: &str) -> Option<Prompt> {
        Some(match awaiting {
            Awaiting::Nothing | Awaiting::Closed => return None,
            Awaiting::Confirm {
                phrase,
                irreversible,
            } => Prompt::Confirm {
                text: format!("{step_title}\nType {phrase} and press Enter to go ahead."),
                expected: phrase.clone(),
                irreversible: *irreversible,
            },
            Awaiting::Answer { question } => Prompt::Answer {
                question: question.clone(),
            },
            Awaiting::SignOff { missing, need } => Prompt::SignOff {
                need: *need,
                choices: missing
                    .iter()
                    .flat_map(|(role, people)| people.iter().map(|p| (role.clone(), p.clone())))
                    .collect(),
            },
            Awaiting::Deviation { why } => Prompt::Deviation {
                why: why.clone(),
                fields: Vec::new(),
            },
        })
    }

    /// The question, as lines to show above the input.
    pub fn text(&self) -> String {
        match self {
            Prompt::Line { text } | Prompt::Secret { text } | Prompt::Confirm { text, .. } => {
                text.clone()
            }
            Prompt::Answer { question } => question.clone(),
            Prompt::SignOff { need, choices } => {
                let mut t = if *need > 0 {
                    format!("{need} more sign-off(s) needed. Type the number of who signs:\n")
                } else {
                    "Sign-offs missing. Type the number of who signs:\n".to_string()
                };
                for (i, (role, person)) in choices.iter().enumerate() {
                    t.push_str(&format!("{:>2} {person} ({role})\n", i + 1));
                }
                t
            }
            Prompt::Deviation { why, fields } => {
                let field = DEVIATION_FIELDS.get(fields.len()).copied().unwrap_or("");
                format!("{why}\nDeviation, {} of 4: {field}", fields.len() + 1)
            }
        }
    }

    /// Whether answering goes to the engine as a step command (not to an
    /// operation's prompter question).
    pub fn is_step(&self) -> bool {
        !matches!(self, Prompt::Line { .. } | Prompt::Secret { .. })
    }
}

/// What the UI sends back to the engine.
#[derive(Debug, PartialEq, Eq)]
pub enum Answer {
    Line(String),
    /// Zeroized when dropped by whoever holds it last.
    Secret(Zeroizing<String>),
    /// The person pressed Esc at an operation's question: it is refused.
    Cancelled,
    /// A command for the current step.
    Command(Command),
}

/// The detail pane's views.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    /// The current step's instructions and outputs.
    #[default]
    Step,
    Checks,
    Bundles,
}

impl Tab {
    pub const ALL: [Tab; 3] = [Tab::Step, Tab::Checks, Tab::Bundles];

    pub fn name(self) -> &'static str {
        match self {
            Tab::Step => "Step",
            Tab::Checks => "Checks",
            Tab::Bundles => "Bundles",
        }
    }

    fn next(self) -> Tab {
        match self {
            Tab::Step => Tab::Checks,
            Tab::Checks => Tab::Bundles,
            Tab::Bundles => Tab::Step,
        }
    }
}

/// An input from outside the state.
#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    /// The engine's state changed.
    View(Box<Snapshot>),
    /// An operation asks a question (through the prompter) and waits.
    Ask(Prompt),
    /// The engine awaits a command for the current step of this snapshot.
    Await(Box<Snapshot>),
    /// A long operation's progress while the engine is busy with it.
    Progress(Progress),
    /// Something to tell the operator (a refused command, an error).
    Notice(String),
    /// The engine ended with this exit code.
    Finished(i32),
}

/// The UI's whole state.
#[derive(Debug, Default)]
pub struct App {
    pub view: Option<Snapshot>,
    pub prompt: Option<Prompt>,
    /// What is typed at the prompt; zeroized whenever it is cleared.
    input: Zeroizing<String>,
    pub tab: Tab,
    /// Lines scrolled down in the detail pane.
    pub scroll: u16,
    /// A short notice under the prompt (a confirmation that did not match).
    pub notice: Option<String>,
    /// The engine's exit code once it finished.
    pub exit: Option<i32>,
    /// Set when the UI should close.
    pub quit: bool,
}

impl App {
    pub fn new() -> App {
        App::default()
    }

    /// What the prompt line shows of the input: a secret only as `*`.
    pub fn shown_input(&self) -> String {
        match self.prompt {
            Some(Prompt::Secret { .. }) => "*".repeat(self.input.chars().count()),
            _ => self.input.as_str().to_string(),
        }
    }

    /// Whether the typed confirmation matches the word asked for.
    pub fn confirmation_matches(&self) -> Option<bool> {
        match &self.prompt {
            Some(Prompt::Confirm { expected, .. }) => Some(self.input.as_str() == expected),
            _ => None,
        }
    }

    /// Bytes held at the prompt (a test checks nothing is kept after a secret).
    pub fn input_len(&self) -> usize {
        self.input.len()
    }

    fn set_view(&mut self, snap: Snapshot) {
        let old = self.view.as_ref().and_then(|v| v.state.current);
        if old != snap.state.current {
            self.scroll = 0;
        }
        self.view = Some(snap);
    }

    fn ask(&mut self, prompt: Option<Prompt>) {
        self.clear_input();
        self.prompt = prompt;
    }

    /// Applies one message; returns the answer to send to the engine, if any.
    pub fn update(&mut self, msg: Msg) -> Option<Answer> {
        match msg {
            Msg::View(snap) => self.set_view(*snap),
            Msg::Await(snap) => {
                let title = snap
                    .state
                    .current
                    .and_then(|i| snap.state.steps.get(i))
                    .map(|s| s.title.clone())
                    .unwrap_or_default();
                let prompt = Prompt::for_awaiting(&snap.state.awaiting, &title);
                self.set_view(*snap);
                self.ask(prompt);
            }
            Msg::Ask(prompt) => self.ask(Some(prompt)),
            Msg::Notice(n) => self.notice = Some(n),
            Msg::Progress(p) => {
                if let Some(v) = self.view.as_mut() {
                    v.state.progress = Some(p);
                }
            }
            Msg::Finished(code) => {
                self.exit = Some(code);
                self.ask(None);
            }
            Msg::Key(key) if key.kind == KeyEventKind::Press => return self.key(key),
            Msg::Key(_) => {}
        }
        None
    }

    fn key(&mut self, key: KeyEvent) -> Option<Answer> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('c') if ctrl => {
                // Leaving mid-ceremony stops the engine at its next question;
                // the log stays as it is and the run can be resumed.
                self.quit = true;
                let was_question = matches!(
                    self.prompt,
                    Some(Prompt::Line { .. } | Prompt::Secret { .. })
                );
                self.ask(None);
                return was_question.then_some(Answer::Cancelled);
            }
            KeyCode::Char('d') if ctrl => {
                if self.prompt.as_ref().is_some_and(Prompt::is_step) {
                    self.ask(Some(Prompt::Deviation {
                        why: "A deviation asked for at the table.".into(),
                        fields: Vec::new(),
                    }));
                }
                return None;
            }
            KeyCode::Tab => {
                self.tab = self.tab.next();
                self.scroll = 0;
                return None;
            }
            KeyCode::PageDown => {
                self.scroll = self.scroll.saturating_add(5);
                return None;
            }
            KeyCode::PageUp => {
                self.scroll = self.scroll.saturating_sub(5);
                return None;
            }
            _ => {}
        }
        if self.prompt.is_none() {
            if self.exit.is_some() && matches!(key.code, KeyCode::Char('q') | KeyCode::Enter) {
                self.quit = true;
            }
            return None;
        }
        match key.code {
            KeyCode::Char(c) => {
                // Never grow past the capacity reserved up front: a
                // reallocation would leave a copy of a PIN in freed memory.
                if self.input.len() + c.len_utf8() <= self.input.capacity() {
                    self.input.push(c);
                }
                self.notice = None;
                None
            }
            KeyCode::Backspace => {
                self.input.pop();
                None
            }
            KeyCode::Esc => self.escape(),
            KeyCode::Enter => self.submit(),
            _ => None,
        }
    }

    /// Esc refuses an operation's question; at a step it only clears what
    /// was typed, and leaves a deviation form for the step's own prompt.
    fn escape(&mut self) -> Option<Answer> {
        match &self.prompt {
            Some(Prompt::Line { .. } | Prompt::Secret { .. }) => {
                self.ask(None);
                Some(Answer::Cancelled)
            }
            Some(Prompt::Deviation { .. }) => {
                let back = self.view.as_ref().and_then(|v| {
                    let title = v
                        .state
                        .current
                        .and_then(|i| v.state.steps.get(i))
                        .map(|s| s.title.as_str())
                        .unwrap_or("");
                    Prompt::for_awaiting(&v.state.awaiting, title)
                });
                if let Some(p) = back {
                    self.ask(Some(p));
                }
                None
            }
            _ => {
                self.clear_input();
                None
            }
        }
    }

    fn submit(&mut self) -> Option<Answer> {
        let answer = match self.prompt.as_mut()? {
            Prompt::Secret { .. } => {
                // Move the secret out; the buffer left behind is empty, and
                // the one handed over is zeroized when dropped.
                Answer::Secret(Zeroizing::new(std::mem::take(&mut *self.input)))
            }
            Prompt::Line { .. } => Answer::Line(std::mem::take(&mut *self.input)),
            Prompt::Confirm { expected, .. } => {
                if self.input.as_str() != expected {
                    self.notice = Some("does not match: type exactly the word shown".to_string());
                    return None;
                }
                Answer::Command(Command::Confirm {
                    typed: self.input.as_str().to_string(),
                })
            }
            Prompt::Answer { .. } => Answer::Command(Command::Answer {
                text: self.input.trim().to_string(),
            }),
            Prompt::SignOff { choices, .. } => {
                let pick = self
                    .input
                    .trim()
                    .parse::<usize>()
                    .ok()
                    .and_then(|n| n.checked_sub(1));
                match pick.and_then(|i| choices.get(i)) {
                    Some((role, person)) => Answer::Command(Command::SignOff {
                        role: role.clone(),
                        person: person.clone(),
                        key: None,
                    }),
                    None => {
                        self.notice = Some(format!("type a number from 1 to {}", choices.len()));
                        self.clear_input();
                        return None;
                    }
                }
            }
            Prompt::Deviation { fields, .. } => {
                let value = self.input.trim().to_string();
                if value.is_empty() {
                    self.notice = Some("a deviation needs every field".into());
                    return None;
                }
                fields.push(value);
                if fields.len() < DEVIATION_FIELDS.len() {
                    self.clear_input();
                    return None;
                }
                let f = std::mem::take(fields);
                Answer::Command(Command::Deviation(DeviationRequest {
                    reason: f[0].clone(),
                    quorum: f[1].clone(),
                    approved_by: f[2]
                        .split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect(),
                    instead: f[3].clone(),
                }))
            }
        };
        self.notice = None;
        self.ask(None);
        Some(answer)
    }

    fn clear_input(&mut self) {
        // Replacing drops the old buffer, which Zeroizing wipes.
        self.input = Zeroizing::new(String::with_capacity(INPUT_CAPACITY));
    }
}
