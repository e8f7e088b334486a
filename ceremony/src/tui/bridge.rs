//! The link between the engine's thread and the UI's: the engine publishes
//! snapshots and asks questions through a [`Prompter`]; it never sees the
//! terminal. Answers come back over a channel.

use std::io;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Mutex;

use ksr::env::Prompter;

use super::app::{Answer, Msg, Prompt};
use super::model::Snapshot;
use crate::engine::Command;

/// The engine's end: publish snapshots, ask questions.
pub struct EngineSide {
    to_ui: Sender<Msg>,
    answers: Mutex<Receiver<Answer>>,
}

/// The UI's end: messages to apply, and where answers go.
pub struct UiSide {
    pub from_engine: Receiver<Msg>,
    pub answers: Sender<Answer>,
}

/// A connected pair.
pub fn link() -> (EngineSide, UiSide) {
    let (to_ui, from_engine) = channel();
    let (answers_tx, answers_rx) = channel();
    (
        EngineSide {
            to_ui,
            answers: Mutex::new(answers_rx),
        },
        UiSide {
            from_engine,
            answers: answers_tx,
        },
    )
}

fn gone() -> io::Error {
    io::Error::new(io::ErrorKind::UnexpectedEof, "the terminal UI was closed")
}

impl EngineSide {
    /// Shows a new snapshot. A closed UI is not an error here: the next
    /// question reports it.
    pub fn publish(&self, snap: Snapshot) {
        let _ = self.to_ui.send(Msg::View(Box::new(snap)));
    }

    /// Tells the operator something (a refused command, an error).
    pub fn notice(&self, text: String) {
        let _ = self.to_ui.send(Msg::Notice(text));
    }

    /// A sink for the engine's progress reports while an operation runs
    /// (the engine is busy then and publishes no state).
    pub fn progress_sink(&self) -> crate::engine::progress::ProgressSink {
        let to_ui = self.to_ui.clone();
        Box::new(move |p| {
            let _ = to_ui.send(Msg::Progress(p.clone()));
        })
    }

    /// Tells the UI the engine ended with `code`.
    pub fn finish(&self, code: i32) {
        let _ = self.to_ui.send(Msg::Finished(code));
    }

    /// Asks an operation's question and waits for the answer.
    pub fn ask(&self, prompt: Prompt) -> io::Result<Answer> {
        let answers = self.answers.lock().map_err(|_| gone())?;
        self.to_ui.send(Msg::Ask(prompt)).map_err(|_| gone())?;
        answers.recv().map_err(|_| gone())
    }

    /// Shows `snap` and waits for the command its step awaits.
    pub fn command(&self, snap: Snapshot) -> io::Result<Command> {
        let answers = self.answers.lock().map_err(|_| gone())?;
        self.to_ui
            .send(Msg::Await(Box::new(snap)))
            .map_err(|_| gone())?;
        loop {
            // Only a command answers a step; anything else is stale.
            if let Answer::Command(c) = answers.recv().map_err(|_| gone())? {
                return Ok(c);
            }
        }
    }
}

fn refused() -> io::Error {
    io::Error::new(
        io::ErrorKind::Interrupted,
        "refused at the terminal UI (Esc)",
    )
}

impl Prompter for EngineSide {
    fn line(&self, prompt: &str) -> io::Result<String> {
        match self.ask(Prompt::Line {
            text: prompt.to_string(),
        })? {
            Answer::Line(s) => Ok(s),
            Answer::Secret(mut s) => Ok(std::mem::take(&mut *s)),
            Answer::Cancelled | Answer::Command(_) => Err(refused()),
        }
    }

    fn secret(&self, prompt: &str) -> io::Result<String> {
        match self.ask(Prompt::Secret {
            text: prompt.to_string(),
        })? {
            // The caller wraps it at once (`crate::hsm::pin`); the emptied
            // buffer left here is dropped as the Zeroizing was.
            Answer::Secret(mut s) => Ok(std::mem::take(&mut *s)),
            Answer::Line(s) => Ok(s),
            Answer::Cancelled | Answer::Command(_) => Err(refused()),
        }
    }

    fn interactive(&self) -> bool {
        true
    }
}
