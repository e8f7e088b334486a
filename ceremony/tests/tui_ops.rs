//! A real operation on real SoftHSM answered through the terminal UI's state:
//! the PIN typed at the masked prompt, the label typed back, the key gone
//! from the token; a wrong label deletes nothing.

mod common;
use common::*;

use ceremony::hsm::{module, PinSource, TokenSpec};
use ceremony::ops;
use ceremony::tui::{link, App, Msg, Prompt};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Runs `delete` on the engine's end and answers every question by typing at
/// the UI: the PIN at a secret prompt, `label_typed` at the line prompt.
/// Returns the operation's result and the prompts the UI showed.
fn delete_through_ui(
    token: &str,
    label: &str,
    label_typed: &str,
) -> (
    ceremony::error::Result<ops::keys::DeleteReport>,
    Vec<Prompt>,
) {
    // The module is process-wide: one operation at a time (the CLI helpers
    // take the same lock, so it is not held around them).
    let _serial = lock();
    let (engine, ui) = link();
    let input = ops::keys::DeleteInput {
        token: TokenSpec {
            module: module::resolve(None, None),
            token: token.into(),
            pin: PinSource::Prompt,
        },
        label: label.into(),
        confirm: None,
    };
    let worker = std::thread::spawn(move || {
        let r = ops::keys::delete(&input, &engine);
        engine.finish(0);
        r
    });
    let mut app = App::new();
    let mut asked = Vec::new();
    while app.exit.is_none() {
        app.update(ui.from_engine.recv().unwrap());
        let Some(prompt) = app.prompt.clone() else {
            continue;
        };
        let text = match &prompt {
            Prompt::Secret { .. } => hsm().pin.clone(),
            _ => label_typed.to_string(),
        };
        for c in text.chars().chain(['\n']) {
            let code = if c == '\n' {
                KeyCode::Enter
            } else {
                KeyCode::Char(c)
            };
            if let Some(answer) = app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))) {
                ui.answers.send(answer).unwrap();
            }
        }
        asked.push(prompt);
    }
    (worker.join().unwrap(), asked)
}

#[test]
fn delete_on_softhsm_answered_at_the_ui() {
    let t = token("tui-ops");
    keygen(t, "doomed", "ecdsap256sha256", &[]);
    assert!(key_entry(t, "doomed").is_object());

    let (r, asked) = delete_through_ui(t, "doomed", "doome");
    let e = r.unwrap_err();
    assert!(e.to_string().contains("does not match"), "{e}");
    assert!(
        key_entry(t, "doomed").is_object(),
        "a wrong label deleted the key"
    );
    assert!(matches!(asked[0], Prompt::Secret { .. }), "{asked:?}");
    assert!(
        asked[1].text().contains("Type the label again"),
        "{asked:?}"
    );

    let (r, _) = delete_through_ui(t, "doomed", "doomed");
    assert_eq!(r.unwrap().label, "doomed");
    let inv = inventory(t, ".");
    assert!(
        !inv["keys"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["label"] == "doomed"),
        "{inv}"
    );
}
