//! What the terminal UI shows: a snapshot of the ceremony as the engine owns
//! it, in plain data. The UI never changes it; the engine publishes a new one
//! after every change. Strings may come from input files (the script, a KSR):
//! the view escapes them when it draws them.

/// Where a step stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepStatus {
    Pending,
    Current,
    Done,
    Failed,
    /// Replaced by a recorded deviation.
    Deviated,
}

impl StepStatus {
    /// A symbol and a word, so the status never rests on colour alone.
    pub fn marker(self) -> &'static str {
        match self {
            StepStatus::Pending => "  ",
            StepStatus::Current => "▶ ",
            StepStatus::Done => "✓ ",
            StepStatus::Failed => "✗ ",
            StepStatus::Deviated => "! ",
        }
    }

    /// The word shown after the title where there is room.
    pub fn word(self) -> &'static str {
        match self {
            StepStatus::Pending => "",
            StepStatus::Current => "[now]",
            StepStatus::Done => "[done]",
            StepStatus::Failed => "[FAIL]",
            StepStatus::Deviated => "[deviation]",
        }
    }
}

/// One step of the script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepView {
    pub id: String,
    pub title: String,
    /// `instruction`, `sign-ksr`, `verify`, `sign-off` ...
    pub kind: String,
    pub status: StepStatus,
}

/// One person in the room under a role, and whether they signed off the
/// current step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonView {
    pub role: String,
    pub name: String,
    pub present: bool,
    pub signed_off: bool,
}

/// A token the ceremony uses (the HSM, a backup token, a personal card).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenView {
    pub label: String,
    /// `not found`, `present`, `logged in` ...: words, shown as they are.
    pub status: String,
}

/// A file a step produced or compared, with its SHA-256 to read aloud.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputView {
    pub name: String,
    pub path: String,
    pub sha256: Option<[u8; 32]>,
}

/// One named check and its outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckView {
    pub name: String,
    pub passed: bool,
    pub detail: String,
}

/// A long operation under way: `done` of `total` units (bundles signed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressView {
    pub what: String,
    pub done: u64,
    pub total: u64,
}

/// One row of the bundle table, as `ksr inspect` prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleRow {
    pub slot: usize,
    pub short_id: String,
    pub inception: String,
    pub expiration: String,
    /// ZSK key tags, comma separated, `-` for none.
    pub zsk: String,
    /// KSK cells (`R19164/S`), comma separated, `-` for none.
    pub ksk: String,
}

/// The whole ceremony as the UI draws it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CeremonyView {
    pub title: String,
    pub zone: String,
    pub steps: Vec<StepView>,
    /// Index into `steps` of the step being worked on.
    pub current: Option<usize>,
    pub people: Vec<PersonView>,
    pub tokens: Vec<TokenView>,
    /// The current step's instructions, one paragraph per entry.
    pub instructions: Vec<String>,
    pub outputs: Vec<OutputView>,
    pub checks: Vec<CheckView>,
    pub progress: Option<ProgressView>,
    pub bundles: Vec<BundleRow>,
    /// Set when the ceremony ended: the closing words (result, head hash).
    pub finished: Option<String>,
}

impl CeremonyView {
    /// Steps done (or replaced by a deviation) of all steps.
    pub fn steps_done(&self) -> (usize, usize) {
        let done = self
            .steps
            .iter()
            .filter(|s| matches!(s.status, StepStatus::Done | StepStatus::Deviated))
            .count();
        (done, self.steps.len())
    }

    /// The checks with every failure before every pass, each group in its
    /// original order.
    pub fn checks_fail_first(&self) -> Vec<&CheckView> {
        let (fail, pass): (Vec<&CheckView>, Vec<&CheckView>) =
            self.checks.iter().partition(|c| !c.passed);
        fail.into_iter().chain(pass).collect()
    }
}

/// The bundle table of a KSR or SKR, as `ksr inspect` lays it out.
pub fn bundle_rows(doc: &ksr::model::Document) -> Vec<BundleRow> {
    doc.bundles
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let signs = |k: &ksr::Key| {
                b.signatures
                    .iter()
                    .any(|s| s.key_identifier == k.key_identifier && s.key_tag == k.key_tag)
            };
            let zsk: Vec<String> = b
                .keys
                .iter()
                .filter(|k| !k.is_ksk())
                .map(|k| k.key_tag.to_string())
                .collect();
            let ksk: Vec<String> = b
                .keys
                .iter()
                .filter(|k| k.is_ksk())
                .map(|k| {
                    format!(
                        "{}{}/{}",
                        if k.is_revoked() { "R" } else { "" },
                        k.key_tag,
                        if signs(k) { "S" } else { "P" }
                    )
                })
                .collect();
            let or_dash = |v: Vec<String>| if v.is_empty() { "-".into() } else { v.join(",") };
            BundleRow {
                slot: i + 1,
                short_id: ksr::check::short_id(&b.id).to_string(),
                inception: ksr::timefmt::format_human(b.inception),
                expiration: ksr::timefmt::format_human(b.expiration),
                zsk: or_dash(zsk),
                ksk: or_dash(ksk),
            }
        })
        .collect()
}
