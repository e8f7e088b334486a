//! The real terminal: raw mode and the alternate screen on entry, restored on
//! every way out (return, error, panic), and the loop that feeds keys and
//! engine messages to [`App::update`] and draws after each.

use std::io;
use std::sync::mpsc::TryRecvError;
use std::time::Duration;

use ratatui::crossterm::event::{self, Event};
use ratatui::DefaultTerminal;

use super::app::{App, Msg};
use super::bridge::{link, EngineSide, UiSide};
use super::view;

/// Restores the terminal when dropped, so an early return or an unwinding
/// panic leaves a usable shell. (`ratatui::try_init` also installs a panic
/// hook that restores before the panic message is printed.)
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        ACTIVE.store(false, std::sync::atomic::Ordering::SeqCst);
        ratatui::restore();
    }
}

/// Whether the UI holds the terminal (raw mode, alternate screen).
static ACTIVE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// For a process stopping on a signal: gives the terminal back if the UI
/// holds it (raw mode off, main screen), as a normal exit does.
pub fn restore_if_active() {
    if ACTIVE.swap(false, std::sync::atomic::Ordering::SeqCst) {
        ratatui::restore();
    }
}

/// Runs the UI on its own thread and `engine` on this one with the engine's
/// end of the link (so the engine need not be `Send`), until the engine ended
/// and the user closed the screen. Returns the engine's exit code.
pub fn run<F>(engine: F) -> io::Result<i32>
where
    F: FnOnce(&EngineSide) -> i32,
{
    let (engine_side, ui_side) = link();
    let mut terminal = ratatui::try_init()?;
    ACTIVE.store(true, std::sync::atomic::Ordering::SeqCst);
    std::thread::scope(|scope| {
        let ui = scope.spawn(move || {
            let _restore = Restore;
            event_loop(&mut terminal, ui_side)
        });
        // An engine that panics still ends the UI (its hook has restored
        // the terminal already); the panic goes on once the UI is closed.
        let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| engine(&engine_side)));
        let code = *ran.as_ref().unwrap_or(&ksr::env::exit::UNUSABLE);
        engine_side.finish(code);
        // A UI closed early made the engine's next question fail, so the
        // engine is done here either way; wait for the user to close.
        let shown = ui.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
        if let Err(p) = ran {
            std::panic::resume_unwind(p);
        }
        shown.map(|_| code)
    })
}

fn event_loop(terminal: &mut DefaultTerminal, ui: UiSide) -> io::Result<()> {
    let mut app = App::new();
    loop {
        terminal.draw(|frame| view::render(&app, frame))?;
        if event::poll(Duration::from_millis(50))? {
            // Resize events need nothing but the redraw at the loop's top.
            if let Event::Key(key) = event::read()? {
                if let Some(answer) = app.update(Msg::Key(key)) {
                    let _ = ui.answers.send(answer);
                }
            }
        }
        loop {
            match ui.from_engine.try_recv() {
                Ok(msg) => {
                    app.update(msg);
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    if app.exit.is_none() {
                        app.update(Msg::Finished(ksr::env::exit::UNUSABLE));
                    }
                    break;
                }
            }
        }
        if app.quit {
            return Ok(());
        }
    }
}
