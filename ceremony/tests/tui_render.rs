//! The terminal UI's frames, drawn on ratatui's `TestBackend` at 80x24 and
//! 120x40: step list and current highlight, the hash word grid, checks with
//! FAIL first, the typed confirmation prompt, the too-small message.

use ceremony::engine::state::{
    ArtifactView, CheckView, Instructions, PersonView, Progress, RoleView, SignOffMethod,
    SignOffView, StepView, TokenStatus,
};
use ceremony::engine::{Awaiting, Command, DeviationRequest, State, StepStatus};
use ceremony::tui::{view, Answer, App, Msg, Snapshot, Tab};
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
    if w == 0 {
        return Vec::new();
    }
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

fn step(id: &str, title: &str, status: StepStatus) -> StepView {
    StepView {
        id: id.into(),
        title: title.into(),
        kind: "operation",
        op: None,
        irreversible: false,
        status,
        line: 1,
        finished: None,
    }
}

fn person(name: &str) -> PersonView {
    PersonView {
        name: name.into(),
        enrolled_key: false,
    }
}

fn check(name: &str, passed: bool, detail: &str) -> CheckView {
    CheckView {
        name: name.into(),
        passed,
        detail: detail.into(),
    }
}

/// A signing ceremony in its fourth step, the SKR just written.
fn signing() -> State {
    let d = digest("skr");
    State {
        title: "KSR signing 2026 Q4".into(),
        zone: "example.test.".into(),
        script: "ksr-signing.toml".into(),
        audit_log: "ceremony.log".into(),
        steps: vec![
            step("open", "Open the room", StepStatus::Done),
            step("activate", "Activate the HSM", StepStatus::Done),
            step("ksr-hash", "Compare KSR hash", StepStatus::Done),
            step("sign", "Sign the KSR", StepStatus::Active),
            step("skr-hash", "Read SKR hash", StepStatus::Pending),
            step("close", "Close the log", StepStatus::Pending),
        ],
        current: Some(3),
        roles: vec![
            RoleView {
                id: "co".into(),
                name: "Crypto officers".into(),
                people: vec![person("Alice"), person("Bob")],
            },
            RoleView {
                id: "iw".into(),
                name: "Witnesses".into(),
                people: vec![person("Carol")],
            },
        ],
        signoffs: vec![
            SignOffView {
                step: "sign".into(),
                role: "co".into(),
                person: "Alice".into(),
                method: SignOffMethod::Key {
                    key_sha256: "00".into(),
                },
                time: "2026-11-30T20:00:00Z".into(),
            },
            SignOffView {
                step: "sign".into(),
                role: "iw".into(),
                person: "Carol".into(),
                method: SignOffMethod::Name,
                time: "2026-11-30T20:00:00Z".into(),
            },
        ],
        tokens: vec![TokenStatus {
            name: "hsm".into(),
            label: "ksk-hsm".into(),
            state: "logged in".into(),
            keys: vec!["ksk-2026".into()],
        }],
        instructions: Instructions {
            title: "Sign the KSR".into(),
            text: "Sign every bundle of the KSR with the KSK.".into(),
            checklist: vec!["The HSM display shows the KSK label".into()],
        },
        awaiting: Awaiting::Nothing,
        artifacts: vec![ArtifactView {
            name: "skr".into(),
            path: "skr.xml".into(),
            sha256: hex::encode(d),
            pgp_words: ksr::digest::pgp_words(&d).join(" "),
            step: Some("sign".into()),
        }],
        checks: vec![
            check("bundle-count", true, ""),
            check(
                "signature-validity",
                false,
                "bundle 3 expires before inception",
            ),
            check("key-tags", true, ""),
        ],
        deviations: vec![],
        progress: Some(Progress {
            what: "Bundles signed".into(),
            done: 3,
            total: 9,
        }),
        head: String::new(),
        head_words: String::new(),
        messages: vec![],
    }
}

fn snap(state: State) -> Box<Snapshot> {
    Box::new(Snapshot {
        state,
        bundles: None,
    })
}

fn app_with(state: State) -> App {
    let mut app = App::new();
    app.update(Msg::View(snap(state)));
    app
}

/// The app with the engine awaiting `awaiting` at the signing step.
fn awaiting(awaiting: Awaiting) -> App {
    let mut s = signing();
    s.awaiting = awaiting;
    let mut app = App::new();
    app.update(Msg::Await(snap(s)));
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
            assert!(
                screen(&buf).contains(done),
                "{w}x{h}: {done}\n{}",
                screen(&buf)
            );
        }
        let pending = lines.iter().find(|l| l.contains(" 5 Read SKR")).unwrap();
        assert!(!pending.contains('▶') && !pending.contains('✓'));
        // Progress of the long operation, in words.
        assert!(screen(&buf).contains("Bundles signed 3 of 9"), "{w}x{h}");
        // Who signed off, by symbol; the token's state in words.
        let text = screen(&buf);
        assert!(
            text.contains("Crypto officers 1/2 signed: [✓key] Alice [ ] Bob"),
            "{w}x{h}\n{text}"
        );
        assert!(
            text.contains("Witnesses 1/1 signed: [✓name] Carol"),
            "{w}x{h}"
        );
        assert!(text.contains("hsm (ksk-hsm) [logged in]"), "{w}x{h}");
        assert!(text.contains("step 4 of 6 ▶ Sign the KSR"), "{w}x{h}");
    }
}

#[test]
fn hash_words_are_numbered_rows_of_four() {
    let d = digest("skr");
    let words = ksr::digest::pgp_words(&d);
    // Also with a verify step's question open below: all 32 words stay in sight.
    let question = Awaiting::Answer {
        question: "Read the SKR's words aloud; type the first and last".into(),
    };
    // A typed-back confirmation of 16 words or more asks in several lines:
    // the grid must still show all 32 words at 80x24 without scrolling.
    let long_question = Awaiting::Answer {
        question: "Read the SKR's words aloud, all 32 of them, slowly.\n\
                   Then type back the words at positions 2, 5, 7, 8, 11, 13, 14, 17,\n\
                   19, 20, 22, 25, 26, 28, 30 and 31, separated by spaces."
            .into(),
    };
    for ((w, h), app, long) in SIZES.into_iter().flat_map(|s| {
        [
            (s, app_with(signing()), false),
            (s, awaiting(question.clone()), false),
            (s, awaiting(long_question.clone()), true),
        ]
    }) {
        let buf = draw(&app, w, h);
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
        // The hex is in sight too, except where the words took its room: then
        // it follows them, a PgDn away.
        let hex = hex::encode(d);
        let hex_line = format!("SHA-256 {} {}", &hex[..8], &hex[8..16]);
        if long && h < 40 {
            assert!(!screen(&buf).contains(&hex_line), "{w}x{h}: words first");
            let mut app = app;
            app.update(key(KeyCode::PageDown));
            let below = screen(&draw(&app, w, h));
            assert!(
                below.contains(&hex_line),
                "{w}x{h}: PgDn shows the hex\n{below}"
            );
        } else {
            assert!(
                screen(&buf).contains(&hex_line),
                "{w}x{h}\n{}",
                screen(&buf)
            );
        }
    }
}

#[test]
fn checks_list_failures_first_and_in_words() {
    for (w, h) in SIZES {
        let mut app = app_with(signing());
        app.update(key(KeyCode::Tab));
        assert_eq!(app.tab, Tab::Checks);
        let text = screen(&draw(&app, w, h));
        let fail = text
            .find("[FAIL] signature-validity: bundle 3 expires")
            .expect(&text);
        let first_ok = text.find("[ ok ] bundle-count").expect(&text);
        let second_ok = text.find("[ ok ] key-tags").expect(&text);
        assert!(fail < first_ok && first_ok < second_ok, "{w}x{h}\n{text}");
        assert!(text.contains("1 failed, 2 passed"));
        assert!(text.contains("Checks [FAIL]"), "the tab names the failure");
    }
}

#[test]
fn irreversible_operation_needs_the_typed_word() {
    let mut app = awaiting(Awaiting::Confirm {
        phrase: "ksk-2026".into(),
        irreversible: true,
    });
    for (w, h) in SIZES {
        let text = screen(&draw(&app, w, h));
        assert!(
            text.contains("IRREVERSIBLE: type ksk-2026 to confirm"),
            "{w}x{h}\n{text}"
        );
        assert!(
            text.contains("Type ksk-2026 and press Enter"),
            "{w}x{h}\n{text}"
        );
        assert!(text.contains("Ctrl-D: deviation"), "{w}x{h}\n{text}");
    }
    typed(&mut app, "ksk-202");
    assert_eq!(
        app.update(key(KeyCode::Enter)),
        None,
        "a prefix is not enough"
    );
    let text = screen(&draw(&app, 80, 24));
    assert!(text.contains("> ksk-202  [does not match yet]"), "{text}");
    assert!(text.contains("! does not match"), "{text}");
    typed(&mut app, "6");
    assert!(screen(&draw(&app, 80, 24)).contains("[matches: Enter to proceed]"));
    assert_eq!(
        app.update(key(KeyCode::Enter)),
        Some(Answer::Command(Command::Confirm {
            typed: "ksk-2026".into()
        }))
    );
    assert!(app.prompt.is_none());
}

#[test]
fn sign_off_is_picked_by_number_and_deviation_is_a_form() {
    let mut app = awaiting(Awaiting::SignOff {
        missing: vec![
            ("co".into(), vec!["Bob".into()]),
            ("iw".into(), vec!["Dan".into()]),
        ],
        need: 1,
    });
    let text = screen(&draw(&app, 80, 24));
    assert!(
        text.contains(" 1 Bob (co)") && text.contains(" 2 Dan (iw)"),
        "{text}"
    );
    typed(&mut app, "3");
    assert_eq!(app.update(key(KeyCode::Enter)), None);
    assert!(screen(&draw(&app, 80, 24)).contains("type a number from 1 to 2"));
    typed(&mut app, "2");
    assert_eq!(
        app.update(key(KeyCode::Enter)),
        Some(Answer::Command(Command::SignOff {
            role: "iw".into(),
            person: "Dan".into(),
            key: None
        }))
    );

    let mut app = awaiting(Awaiting::Deviation {
        why: "sign-ksr failed: token removed".into(),
    });
    for (i, field) in ["token pulled", "co-quorum", "Alice, Bob", "used the backup"]
        .iter()
        .enumerate()
    {
        let text = screen(&draw(&app, 80, 24));
        assert!(
            text.contains(&format!("Deviation, {} of 4", i + 1)),
            "{text}"
        );
        assert!(text.contains("DEVIATION"), "{text}");
        typed(&mut app, field);
        let answer = app.update(key(KeyCode::Enter));
        if i < 3 {
            assert_eq!(answer, None);
        } else {
            assert_eq!(
                answer,
                Some(Answer::Command(Command::Deviation(DeviationRequest {
                    reason: "token pulled".into(),
                    quorum: "co-quorum".into(),
                    approved_by: vec!["Alice".into(), "Bob".into()],
                    instead: "used the backup".into(),
                })))
            );
        }
    }
}

#[test]
fn pin_is_masked_and_gone_after_submission() {
    let mut app = app_with(signing());
    app.update(Msg::Ask(ceremony::tui::Prompt::Secret {
        text: "User PIN for token \"ksk-hsm\": ".into(),
    }));
    typed(&mut app, "s3cret-pin");
    for (w, h) in SIZES {
        let text = screen(&draw(&app, w, h));
        assert!(
            !text.contains("s3cret"),
            "{w}x{h}: the PIN is echoed\n{text}"
        );
        assert!(text.contains("> **********"), "{text}");
        assert!(text.contains("PIN (hidden)"));
    }
    match app.update(key(KeyCode::Enter)) {
        Some(Answer::Secret(s)) => assert_eq!(s.as_str(), "s3cret-pin"),
        other => panic!("{other:?}"),
    }
    assert_eq!(app.input_len(), 0);
    assert!(!format!("{app:?}").contains("s3cret"));
}

#[test]
fn too_small_says_so_and_never_panics() {
    let app = app_with(signing());
    for (w, h) in [
        (79, 24),
        (80, 23),
        (40, 10),
        (20, 3),
        (1, 1),
        (0, 0),
        (5, 0),
    ] {
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
    v.instructions.text = "evil \u{202e}txt".into();
    let text = screen(&draw(&app_with(v), 120, 40));
    assert!(text.contains("Sign\\u{1b}[2J"), "{text}");
    assert!(text.contains("evil \\u{202e}txt"), "{text}");
}

#[test]
fn bundle_table_shows_what_ksr_inspect_shows() {
    let path = test_support::fixture("iana-root/skr-root-2017-q1-0.xml");
    let (doc, _) = ksr::format::read_file(&path, &Default::default()).unwrap();
    // The adapter finds the newest artifact that reads as a KSR or SKR.
    let mut state = signing();
    state.artifacts[0].path = path.display().to_string();
    state.artifacts[0].sha256 = test_support::sha256_hex(&path);
    let snapshot = ceremony::tui::BundleCache::default().snapshot(&state);
    let table = snapshot.bundles.clone().expect("the SKR's bundle table");
    assert_eq!(table.artifact, "skr");
    let bundles = table.rows;
    assert_eq!(bundles.len(), doc.bundles.len());
    let env = ksr::env::FakeEnv::new();
    let inspect =
        test_support::run_on(&env, &["ksr", "inspect", path.to_str().unwrap()], |a, e| {
            ksr::cli::run(a, e)
        });
    assert_eq!(inspect.code, 0, "{}", inspect.stderr);
    let mut app = App::new();
    app.update(Msg::View(Box::new(snapshot)));
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
                at += line[at..]
                    .find(c.as_str())
                    .unwrap_or_else(|| panic!("{c:?}: {line}"));
            }
        }
    }
}

#[test]
fn progress_while_the_engine_is_busy_updates_the_gauge() {
    let mut app = app_with(signing());
    app.update(Msg::Progress(Progress {
        what: "Bundles signed".into(),
        done: 7,
        total: 9,
    }));
    for (w, h) in SIZES {
        let text = screen(&draw(&app, w, h));
        assert!(text.contains("Bundles signed 7 of 9"), "{w}x{h}\n{text}");
    }
}

#[test]
fn ctrl_c_at_a_pin_refuses_it_and_leaves() {
    let mut app = app_with(signing());
    app.update(Msg::Ask(ceremony::tui::Prompt::Secret {
        text: "User PIN: ".into(),
    }));
    typed(&mut app, "12");
    let answer = app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('c'),
        KeyModifiers::CONTROL,
    )));
    assert_eq!(answer, Some(Answer::Cancelled));
    assert!(app.quit);
    assert_eq!(app.input_len(), 0);
}

/// Whether `text` (a screen) shows `words` one after another, however they
/// wrap across lines and box borders.
fn shows_in_order(text: &str, words: &[&str]) -> bool {
    let shown: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == '│')
        .filter(|s| !s.is_empty())
        .collect();
    shown.windows(words.len()).any(|win| win == words)
}

#[test]
fn a_question_wider_than_the_terminal_wraps_instead_of_being_cut() {
    let question =
        "Read the SHA-256 of ksr from the out-of-band copy: type it as hex or as its PGP words";
    let app = awaiting(Awaiting::Answer {
        question: question.into(),
    });
    for (w, h) in SIZES {
        let text = screen(&draw(&app, w, h));
        // Every word of the question is on screen, and the input line too.
        let words: Vec<&str> = question.split(' ').collect();
        assert!(shows_in_order(&text, &words), "{w}x{h}\n{text}");
        assert!(text.contains("> "), "{w}x{h}\n{text}");
    }
}

#[test]
fn a_notice_wider_than_the_terminal_wraps_under_the_question() {
    let notice = "removed stale temp file /var/lib/ceremony/2026-q4/skr-root-2026-q4.xml.4242.AbCdEf.tmp (left by a run that was killed)";
    let mut app = awaiting(Awaiting::Confirm {
        phrase: "yes".into(),
        irreversible: false,
    });
    app.notice = Some(notice.into());
    for (w, h) in SIZES {
        let text = screen(&draw(&app, w, h));
        let words: Vec<&str> = std::iter::once("!").chain(notice.split(' ')).collect();
        assert!(shows_in_order(&text, &words), "{w}x{h}\n{text}");
    }
}
