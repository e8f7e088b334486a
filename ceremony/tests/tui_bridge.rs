//! The engine's end of the UI link as a `Prompter` on its own thread, and the
//! UI's state answering it through key presses: what the engine receives is
//! what was typed, a refusal is an error, and a closed UI stops the engine.

use ceremony::tui::{link, Answer, App, Msg, Prompt};
use ksr::env::Prompter;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn press(app: &mut App, code: KeyCode) -> Option<Answer> {
    app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn type_and_enter(app: &mut App, text: &str) -> Answer {
    for c in text.chars() {
        assert!(press(app, KeyCode::Char(c)).is_none());
    }
    press(app, KeyCode::Enter).expect("Enter answers")
}

#[test]
fn engine_questions_are_answered_by_keys() {
    let (engine, ui) = link();
    let worker = std::thread::spawn(move || {
        let pin = engine.secret("User PIN for token \"ksk-hsm\": ").unwrap();
        let hash = engine.line("Read the first and last word: ").unwrap();
        let refused = engine.line("Anything else? ");
        engine.finish(0);
        (pin, hash, refused.map_err(|e| e.kind()))
    });
    let mut app = App::new();
    let mut answered = 0;
    while app.exit.is_none() {
        let msg = ui.from_engine.recv().unwrap();
        app.update(msg);
        let answer = match app.prompt.clone() {
            None => continue,
            Some(Prompt::Secret { .. }) => type_and_enter(&mut app, "1234"),
            Some(Prompt::Line { text }) if text.starts_with("Read") => {
                type_and_enter(&mut app, "music waffle")
            }
            Some(Prompt::Line { .. }) => press(&mut app, KeyCode::Esc).unwrap(),
            Some(other) => panic!("an operation asked {other:?}"),
        };
        answered += 1;
        ui.answers.send(answer).unwrap();
    }
    let (pin, hash, refused) = worker.join().unwrap();
    assert_eq!(answered, 3);
    assert_eq!(pin, "1234");
    assert_eq!(hash, "music waffle");
    assert_eq!(refused, Err(std::io::ErrorKind::Interrupted));
    assert_eq!(app.exit, Some(0));
}

#[test]
fn a_closed_ui_stops_the_engine_instead_of_hanging() {
    let (engine, ui) = link();
    drop(ui);
    let err = engine.secret("PIN: ").unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
    assert!(engine.interactive());
}
