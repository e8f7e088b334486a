//! The parsed ceremony script. Names are the script's own: roles and quorums by
//! id, files by artifact name; every step carries the line it starts on so
//! errors and the engine can point at the script.

use std::collections::BTreeMap;

use serde::Serialize;

/// A whole script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Script {
    pub title: String,
    /// The zone the keys are for, absolute (`.` for the root).
    pub zone: String,
    /// `${name}` values substituted into strings (the command line may override).
    pub vars: BTreeMap<String, String>,
    pub roles: Vec<RoleDecl>,
    pub quorums: BTreeMap<String, Quorum>,
    pub tokens: BTreeMap<String, TokenDecl>,
    /// Every file the ceremony reads or writes, by artifact name.
    pub files: BTreeMap<String, ArtifactSource>,
    pub steps: Vec<Step>,
}

/// A role (`crypto-officer`) and the people named for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleDecl {
    pub id: String,
    pub name: String,
    pub people: Vec<Person>,
    pub line: usize,
}

/// A person named for a role; with an enrolled sign-off key their sign-off is
/// a signature by that key, else it is by name only (and marked so).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub name: String,
    /// The token holding the sign-off key (a [`TokenDecl`] name).
    pub token: Option<String>,
    /// Label of the sign-off key on that token.
    pub key_label: Option<String>,
    /// Hex SHA-256 of the sign-off key's DNSKEY public key field (enrolment).
    pub key_sha256: Option<String>,
}

/// "`need` of the people of `role`".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quorum {
    pub role: String,
    pub need: usize,
    pub line: usize,
}

/// A PKCS#11 token the script uses. PINs come from the named files or the
/// no-echo prompt, never from the script or the answers file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenDecl {
    pub label: String,
    pub pin_file: Option<String>,
    pub so_pin_file: Option<String>,
    /// SoftHSM token directory, for `init` on SoftHSM.
    pub softhsm: Option<String>,
    pub line: usize,
}

/// Where an artifact's path comes from and whether it exists before the ceremony.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArtifactSource {
    pub path: String,
    /// Brought to the ceremony (a KSR): exists before step 1.
    pub external: bool,
}

/// What happens when the log shows a step begun but never ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InterruptRule {
    /// Run it again (only for repeatable steps).
    Retry,
    /// Stop: a deviation must be recorded before the ceremony goes on.
    Deviation,
}

/// One step of the script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    pub id: String,
    pub title: String,
    /// Instructions read out at the table.
    pub text: String,
    pub kind: StepKind,
    /// Artifacts read, by the operation's role for them (`ksr` -> artifact).
    pub inputs: BTreeMap<String, String>,
    /// Artifacts written, by the operation's role for them (`skr` -> artifact).
    pub outputs: BTreeMap<String, String>,
    /// Roles of which one person each must sign off when the step is done.
    pub signoff_roles: Vec<String>,
    /// A quorum that must sign off when the step is done.
    pub signoff_quorum: Option<String>,
    /// What to type to confirm the step (irreversible operations always ask).
    pub confirm: Option<String>,
    pub on_interrupt: InterruptRule,
    pub line: usize,
}

/// What a step does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum StepKind {
    /// Read the text aloud; confirm it was done.
    Instruction,
    /// Confirm each item.
    Checklist { items: Vec<String> },
    /// An HSM operation.
    Operation(OpStep),
    /// Compare a file's SHA-256 (and PGP words) with an out-of-band value:
    /// `expect` when the script has it, else typed in by an officer.
    Verify {
        artifact: String,
        expect: Option<String>,
    },
    /// Only sign-offs.
    SignOff,
}

/// An HSM operation, mapped by the engine onto `crate::ops`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpStep {
    pub op: OpKind,
    /// A [`TokenDecl`] name.
    pub token: String,
    /// Operation arguments (`label`, `algorithm`, `bits`...), `${vars}` expanded at run time.
    pub args: BTreeMap<String, String>,
}

/// The operations a script may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OpKind {
    Init,
    Login,
    Keygen,
    Inventory,
    Prove,
    SignKsr,
    Request,
    TransportKey,
    Backup,
    Restore,
    TrustAnchor,
    Delete,
}

impl OpKind {
    pub const ALL: [OpKind; 12] = [
        OpKind::Init,
        OpKind::Login,
        OpKind::Keygen,
        OpKind::Inventory,
        OpKind::Prove,
        OpKind::SignKsr,
        OpKind::Request,
        OpKind::TransportKey,
        OpKind::Backup,
        OpKind::Restore,
        OpKind::TrustAnchor,
        OpKind::Delete,
    ];

    pub fn name(self) -> &'static str {
        match self {
            OpKind::Init => "init",
            OpKind::Login => "login",
            OpKind::Keygen => "keygen",
            OpKind::Inventory => "inventory",
            OpKind::Prove => "prove",
            OpKind::SignKsr => "sign-ksr",
            OpKind::Request => "request",
            OpKind::TransportKey => "transport-key",
            OpKind::Backup => "backup",
            OpKind::Restore => "restore",
            OpKind::TrustAnchor => "trust-anchor",
            OpKind::Delete => "delete",
        }
    }

    pub fn from_name(s: &str) -> Option<OpKind> {
        OpKind::ALL.into_iter().find(|o| o.name() == s)
    }

    /// Changes the token so that running it twice is not the same as once
    /// (a second key, a wiped token): never repeated by a resume, and typed
    /// confirmation before it runs.
    pub fn irreversible(self) -> bool {
        matches!(
            self,
            OpKind::Init | OpKind::Keygen | OpKind::TransportKey | OpKind::Restore | OpKind::Delete
        )
    }

    /// Argument names the operation accepts, and which of them it requires.
    pub fn args(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            OpKind::Init | OpKind::Login | OpKind::Inventory => (&[], &[]),
            OpKind::Keygen => (
                &["label", "algorithm", "bits", "flags", "backup", "ttl", "at"],
                &["label"],
            ),
            OpKind::Prove => (&["label", "at"], &["label"]),
            OpKind::SignKsr => (
                &[
                    "ksk",
                    "ksk-next",
                    "schema",
                    "at",
                    "max-size",
                    "first-in-chain",
                ],
                &["ksk"],
            ),
            OpKind::Request => (&["zsks", "from", "to", "serial"], &["zsks", "from", "to"]),
            OpKind::TransportKey => (&["label"], &["label"]),
            OpKind::Backup => (&["label"], &["label"]),
            OpKind::Restore => (&["label", "at"], &[]),
            OpKind::TrustAnchor => (&["ksk", "valid-from", "source"], &["ksk"]),
            OpKind::Delete => (&["label"], &["label"]),
        }
    }

    /// File roles the operation reads (`required`, `optional`).
    pub fn input_roles(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            OpKind::SignKsr => (&["ksr"], &["previous-skr", "policy"]),
            OpKind::Request => (&[], &["policy"]),
            OpKind::Backup => (&["transport"], &[]),
            OpKind::Restore => (&["backup"], &[]),
            _ => (&[], &[]),
        }
    }

    /// File roles the operation writes (`required`, `optional`).
    pub fn output_roles(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            OpKind::SignKsr => (&["skr"], &[]),
            OpKind::Request => (&["ksr"], &[]),
            OpKind::TransportKey => (&["transport"], &[]),
            OpKind::Backup => (&["backup"], &[]),
            OpKind::TrustAnchor => (&[], &["trust-anchor"]),
            _ => (&[], &[]),
        }
    }
}

impl Script {
    pub fn role(&self, id: &str) -> Option<&RoleDecl> {
        self.roles.iter().find(|r| r.id == id)
    }

    /// The step's index by id.
    pub fn step_index(&self, id: &str) -> Option<usize> {
        self.steps.iter().position(|s| s.id == id)
    }
}

impl Step {
    /// Whether a resume must not run this step again once it has begun.
    pub fn irreversible(&self) -> bool {
        matches!(&self.kind, StepKind::Operation(o) if o.op.irreversible())
    }
}
