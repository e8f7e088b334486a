//! The UI's state and its update function, apart from drawing (the layout of
//! ratatui's own application examples): keys and engine messages come in as
//! [`Msg`], answers for the engine go out as [`Answer`].

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use zeroize::Zeroizing;

use super::model::CeremonyView;

/// Bytes reserved for what is typed at a prompt; input stops there.
pub const INPUT_CAPACITY: usize = 256;

/// What the engine asks the people at the terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prompt {
    /// A line of text (a typed-back hash, a name).
    Line { text: String },
    /// A secret (a PIN): masked, never echoed, not kept after it is sent.
    Secret { text: String },
    /// An irreversible operation: Enter is accepted only once exactly
    /// `expected` (a word or a key label) was typed.
    Confirm { text: String, expected: String },
}

impl Prompt {
    pub fn text(&self) -> &str {
        match self {
            Prompt::Line { text } | Prompt::Secret { text } | Prompt::Confirm { text, .. } => text,
        }
    }
}

/// What the UI sends back to the engine.
#[derive(Debug, PartialEq, Eq)]
pub enum Answer {
    Line(String),
    /// Zeroized when dropped by whoever holds it last.
    Secret(Zeroizing<String>),
    /// The person pressed Esc: the engine refuses the operation.
    Cancelled,
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
    /// The engine published a new snapshot.
    View(CeremonyView),
    /// The engine asks a question and waits for the [`Answer`].
    Ask(Prompt),
    /// The engine ended with this exit code.
    Finished(i32),
}

/// The UI's whole state.
#[derive(Debug, Default)]
pub struct App {
    pub view: CeremonyView,
    pub prompt: Option<Prompt>,
    /// What is typed at the prompt; for a secret, zeroized when cleared.
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

    /// Applies one message; returns the answer to send to the engine, if any.
    pub fn update(&mut self, msg: Msg) -> Option<Answer> {
        match msg {
            Msg::View(view) => {
                if view.current != self.view.current {
                    self.scroll = 0;
                }
                self.view = view;
                None
            }
            Msg::Ask(prompt) => {
                self.clear_input();
                self.notice = None;
                self.prompt = Some(prompt);
                None
            }
            Msg::Finished(code) => {
                self.exit = Some(code);
                self.prompt = None;
                self.clear_input();
                None
            }
            Msg::Key(key) if key.kind == KeyEventKind::Press => self.key(key),
            Msg::Key(_) => None,
        }
    }

    fn key(&mut self, key: KeyEvent) -> Option<Answer> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('c') if ctrl => {
                // Leaving mid-ceremony refuses whatever was asked; the engine
                // records it and the run can be resumed.
                self.quit = true;
                return self.prompt.take().map(|_| {
                    self.clear_input();
                    Answer::Cancelled
                });
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
            KeyCode::Esc => {
                self.prompt = None;
                self.clear_input();
                Some(Answer::Cancelled)
            }
            KeyCode::Enter => self.submit(),
            _ => None,
        }
    }

    fn submit(&mut self) -> Option<Answer> {
        if self.confirmation_matches() == Some(false) {
            self.notice = Some("does not match: type exactly the word shown, or Esc".into());
            return None;
        }
        let answer = match self.prompt.take()? {
            Prompt::Secret { .. } => {
                // Move the secret out; the buffer left behind is empty, and
                // the one handed over is zeroized when dropped.
                let secret = Zeroizing::new(std::mem::take(&mut *self.input));
                Answer::Secret(secret)
            }
            Prompt::Line { .. } | Prompt::Confirm { .. } => {
                Answer::Line(std::mem::take(&mut *self.input))
            }
        };
        self.notice = None;
        Some(answer)
    }

    fn clear_input(&mut self) {
        // Replacing drops the old buffer, which Zeroizing wipes.
        self.input = Zeroizing::new(String::with_capacity(INPUT_CAPACITY));
    }

    /// The raw input, for tests of what is kept after a secret is sent.
    pub fn input_len(&self) -> usize {
        self.input.len()
    }
}
