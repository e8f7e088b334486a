//! The terminal UI's frames, drawn on ratatui's `TestBackend` at 80x24 and
//! 120x40: step list and current highlight, the hash word grid, checks with
//! FAIL first, the typed confirmation prompt, the too-small message.

use ceremony::tui::model::{
    CeremonyView, CheckView, OutputView, PersonView, ProgressView, StepStatus, StepView, TokenView,
};
use ceremony::tui::{view, App, Msg, Prompt, Tab};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Modifier;
use ratatui::Terminal;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn draw(app: &App, w: u16, h: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| view::render(app, f)).unwrap();
    terminal.backend().buffer().clone()
}

fn rows(buf: &Buffer) -> Vec<String> {
    let w = buf.area.width as usize;
    buf.content()
        .chunks(w)
        .map(|row| row.iter().map(|c| c.symbol()).collect::<String>())
        .collect()
}

fn screen(buf: &Buffer) -> String {
    rows(buf).join("\n")
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        assert_eq!(app.update(key(KeyCode::Char(c))), None);
    }
}

fn digest(name: &str) -> [u8; 32] {
    ksr::digest::sha256(name.as_bytes())
}

fn step(title: &str, status: StepStatus) -> StepView {
    StepView {
        id: title.to_lowercase().replace(' ', "-"),
        title: title.to_string(),
        kind: "instruction".into(),
        status,
    }
}

/// A signing ceremony in its fourth step, the SKR just written.
fn signing() -> CeremonyView {
    CeremonyView {
        title: "KSR signing 2026 Q4".into(),
        zone: "example.test.".into(),
        steps: vec![
            step("Open the room", StepStatus::Done),
            step("Activate the HSM", StepStatus::Done),
            step("Compare KSR hash", StepStatus::Done),
            step("Sign the KSR", StepStatus::Current),
            step("Read SKR hash", StepStatus::Pending),
            step("Close the log", StepStatus::Pending),
        ],
        current: Some(3),
        people: vec![
            PersonView {
                role: "Crypto officers".into(),
                name: "Alice".into(),
                present: true,
                signed_off: true,
            },
            PersonView {
                role: "Crypto officers".into(),
                name: "Bob".into(),
                present: true,
                signed_off: false,
            },
            PersonView {
                role: "Witnesses".into(),
                name: "Carol".into(),
                present: true,
                signed_off: true,
            },
        ],
        tokens: vec![TokenView {
            label: "ksk-hsm".into(),
            status: "logged in".into(),
        }],
        instructions: vec!["Sign every bundle of the KSR with the KSK.".into()],
        outputs: vec![OutputView {
            name: "skr".into(),
            path: "skr.xml".into(),
            sha256: Some(digest("skr")),
        }],
        checks: vec![
            CheckView {
                name: "bundle-count".into(),
                passed: true,
                detail: String::new(),
            },
            CheckView {
                name: "signature-validity".into(),
                passed: false,
                detail: "bundle 3 expires before inception".into(),
            },
            CheckView {
                name: "key-tags".into(),
                passed: true,
                detail: String::new(),
            },
        ],
        progress: Some(ProgressView {
            what: "Bundles signed".into(),
            done: 3,
            total: 9,
        }),
        bundles: vec![],
        finished: None,
    }
}

fn app_with(view: CeremonyView) -> App {
    let mut app = App::new();
    app.update(Msg::View(view));
    app
}

#[test]
fn step_list_marks_the_current_step_by_symbol_and_reverse_video() {
    for (w, h) in SIZES {
        let buf = draw(&app_with(signing()), w, h);
        let lines = rows(&buf);
        let (y, line) = lines
            .iter()
            .enumerate()
            .find(|(_, l)| l.contains("▶  4 Sign the KSR"))
            .unwrap_or_else(|| panic!("{w}x{h}: no current step\n{}", screen(&buf)));
        let x = line.chars().position(|c| c == '▶').unwrap() as u16;
        assert!(
            buf[(x, y as u16)].modifier.contains(Modifier::REVERSED),
            "{w}x{h}: the current step is not highlighted"
        );
        for done in ["✓  1 Open", "✓  2 Activate", "✓  3 Compare"] {
            assert!(screen(&buf).contains(done), "{w}x{h}: {done}\n{}", screen(&buf));
        }
        let pending = lines.iter().find(|l| l.contains(" 5 Read SKR")).unwrap();
        assert!(!pending.contains('▶') && !pending.contains('✓'));
        // Progress of the long operation, in words.
        assert!(screen(&buf).contains("Bundles signed 3 of 9"), "{w}x{h}");
        // Who signed off, by symbol; the token's state in words.
        assert!(screen(&buf).contains("[✓] Alice"), "{w}x{h}\n{}", screen(&buf));
        assert!(screen(&buf).contains("[ ] Bob"), "{w}x{h}");
        assert!(screen(&buf).contains("ksk-hsm [logged in]"), "{w}x{h}");
    }
}

#[test]
fn hash_words_are_numbered_rows_of_four() {
    let d = digest("skr");
    let words = ksr::digest::pgp_words(&d);
    for (w, h) in SIZES {
        let buf = draw(&app_with(signing()), w, h);
        let lines = rows(&buf);
        for row in 0..8 {
            let want: Vec<String> = (0..4)
                .map(|c| format!("{:>2} {}", row * 4 + c + 1, words[row * 4 + c]))
                .collect();
            let line = lines
                .iter()
                .find(|l| l.contains(&want[0]))
                .unwrap_or_else(|| panic!("{w}x{h}: row {row} missing\n{}", screen(&buf)));
            let mut at = 0;
            for cell in &want {
                let found = line[at..]
                    .find(cell.as_str())
                    .unwrap_or_else(|| panic!("{w}x{h}: {cell:?} not on row {row}: {line}"));
                at += found + cell.len();
            }
        }
        let hex = hex::encode(d);
        assert!(screen(&buf).contains(&format!("SHA-256 {} {}", &hex[..8], &hex[8..16])));
    }
}

#[test]
fn checks_list_failures_first_and_in_words() {
    for (w, h) in SIZES {
        let mut app = app_with(signing());
        app.update(key(KeyCode::Tab));
        assert_eq!(app.tab, Tab::Checks);
        let text = screen(&draw(&app, w, h));
        let fail = text.find("[FAIL] signature-validity: bundle 3 expires").expect(&text);
        let first_ok = text.find("[ ok ] bundle-count").expect(&text);
        let second_ok = text.find("[ ok ] key-tags").expect(&text);
        assert!(fail < first_ok && first_ok < second_ok, "{w}x{h}\n{text}");
        assert!(text.contains("1 failed, 2 passed"));
        assert!(text.contains("Checks [FAIL]"), "the tab names the failure");
    }
}

#[test]
fn irreversible_operation_needs_the_typed_word() {
    let mut app = app_with(signing());
    app.update(Msg::Ask(Prompt::Confirm {
        text: "About to delete key pair \"ksk-2026\" from token \"ksk-hsm\".".into(),
        expected: "ksk-2026".into(),
    }));
    for (w, h) in SIZES {
        let text = screen(&draw(&app, w, h));
        assert!(text.contains("IRREVERSIBLE: type ksk-2026 to confirm"), "{w}x{h}\n{text}");
        assert!(text.contains("About to delete key pair"));
    }
    typed(&mut app, "ksk-202");
    assert_eq!(app.update(key(KeyCode::Enter)), None, "a prefix is not enough");
    let text = screen(&draw(&app, 80, 24));
    assert!(text.contains("> ksk-202  [does not match yet]"), "{text}");
    assert!(text.contains("! does not match"), "{text}");
    typed(&mut app, "6");
    assert!(screen(&draw(&app, 80, 24)).contains("[matches: Enter to proceed]"));
    assert_eq!(
        app.update(key(KeyCode::Enter)),
        Some(ceremony::tui::Answer::Line("ksk-2026".into()))
    );
    assert!(app.prompt.is_none());
}

#[test]
fn pin_is_masked_and_gone_after_submission() {
    let mut app = app_with(signing());
    app.update(Msg::Ask(Prompt::Secret {
        text: "User PIN for token \"ksk-hsm\": ".into(),
    }));
    typed(&mut app, "s3cret-pin");
    for (w, h) in SIZES {
        let text = screen(&draw(&app, w, h));
        assert!(!text.contains("s3cret"), "{w}x{h}: the PIN is echoed\n{text}");
        assert!(text.contains("> **********"), "{text}");
        assert!(text.contains("PIN (hidden)"));
    }
    match app.update(key(KeyCode::Enter)) {
        Some(ceremony::tui::Answer::Secret(s)) => assert_eq!(s.as_str(), "s3cret-pin"),
        other => panic!("{other:?}"),
    }
    assert_eq!(app.input_len(), 0);
    assert!(!format!("{app:?}").contains("s3cret"));
}

#[test]
fn too_small_says_so_and_never_panics() {
    let app = app_with(signing());
    for (w, h) in [(79, 24), (80, 23), (40, 10), (20, 3), (1, 1), (0, 0), (5, 0)] {
        let text = screen(&draw(&app, w, h));
        if w >= 18 && h >= 1 {
            assert!(text.contains("terminal too small"), "{w}x{h}\n{text}");
        }
    }
    // Every size from tiny to large draws without a panic.
    for w in (0..=130).step_by(7) {
        for h in (0..=45).step_by(4) {
            draw(&app, w, h);
        }
    }
}

#[test]
fn text_from_files_is_escaped() {
    let mut v = signing();
    v.steps[3].title = "Sign\u{1b}[2J".into();
    v.instructions = vec!["evil \u{202e}txt".into()];
    let text = screen(&draw(&app_with(v), 120, 40));
    assert!(text.contains("Sign\\u{1b}[2J"), "{text}");
    assert!(text.contains("evil \\u{202e}txt"), "{text}");
}

#[test]
fn bundle_table_shows_what_ksr_inspect_shows() {
    let path = test_support::fixture("iana-root/skr-root-2017-q1-0.xml");
    let (doc, _) = ksr::format::read_file(&path, &Default::default()).unwrap();
    let bundles = ceremony::tui::model::bundle_rows(&doc);
    assert_eq!(bundles.len(), doc.bundles.len());
    let env = ksr::env::FakeEnv::new();
    let inspect = test_support::run_on(&env, &["ksr", "inspect", path.to_str().unwrap()], |a, e| {
        ksr::cli::run(a, e)
    });
    assert_eq!(inspect.code, 0, "{}", inspect.stderr);
    let mut v = signing();
    v.bundles = bundles.clone();
    let mut app = app_with(v);
    app.update(key(KeyCode::Tab));
    app.update(key(KeyCode::Tab));
    assert_eq!(app.tab, Tab::Bundles);
    let text = screen(&draw(&app, 120, 40));
    assert!(text.contains("slot bundle"), "{text}");
    for b in bundles.iter().take(5) {
        let cells = [
            b.slot.to_string(),
            b.short_id.clone(),
            b.inception.clone(),
            b.expiration.clone(),
            b.zsk.clone(),
            b.ksk.clone(),
        ];
        // The same cells, in the same order, on one line of `ksr inspect`
        // and on one line of the UI's table.
        for shown in [&inspect.stdout, &text] {
            let line = shown
                .lines()
                .find(|l| l.split_whitespace().any(|t| t == b.short_id))
                .unwrap_or_else(|| panic!("bundle {} missing\n{shown}", b.short_id));
            let mut at = 0;
            for c in &cells {
                at += line[at..].find(c.as_str()).unwrap_or_else(|| panic!("{c:?}: {line}"));
            }
        }
    }
}
