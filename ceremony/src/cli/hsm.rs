//! `ceremony hsm init|info`.

use std::fmt::Write as _;
use std::path::PathBuf;

use ksr::env::Env;

use super::Out;
use crate::error::Result;
use crate::hsm::PinSource;
use crate::ops::hsm::{self as op, InfoInput, InfoReport, InitInput, InitReport};
use crate::ops::Operation;

#[derive(Debug, clap::Subcommand)]
pub enum HsmCommand {
    /// Create a SoftHSM2 token directory and initialise a token in it.
    Init(InitArgs),
    /// Show module, library, slots, tokens, DNSSEC mechanisms and login state.
    Info(InfoArgs),
}

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Directory for softhsm2.conf and the token store (created if missing).
    #[arg(long, value_name = "DIR")]
    pub softhsm: PathBuf,
    /// Label of the new token.
    #[arg(long)]
    pub label: String,
    /// File holding the new security officer PIN.
    #[arg(long)]
    pub so_pin_file: PathBuf,
    /// File holding the new user PIN.
    #[arg(long)]
    pub pin_file: PathBuf,
    /// PKCS#11 module (default: $PKCS11_MODULE, else Debian's SoftHSM2 module).
    #[arg(long)]
    pub module: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct InfoArgs {
    /// PKCS#11 module (default: $PKCS11_MODULE, else Debian's SoftHSM2 module).
    #[arg(long)]
    pub module: Option<PathBuf>,
    /// Only this token (default: every initialised token).
    #[arg(long)]
    pub token: Option<String>,
    /// File holding the user PIN: with --token, also try a login and report it.
    #[arg(long, requires = "token")]
    pub pin_file: Option<PathBuf>,
}

pub(super) enum Job {
    Init(InitInput),
    Info(InfoInput),
}

pub(super) fn prepare(c: HsmCommand, env: &dyn Env) -> Result<Job> {
    Ok(match c {
        HsmCommand::Init(a) => Job::Init(InitInput {
            module: super::module_path(a.module.as_deref(), env),
            softhsm: a.softhsm,
            label: a.label,
            so_pin: PinSource::File(a.so_pin_file),
            pin: PinSource::File(a.pin_file),
        }),
        HsmCommand::Info(a) => Job::Info(InfoInput {
            module: super::module_path(a.module.as_deref(), env),
            token: a.token,
            pin: a.pin_file.map(PinSource::File),
            softhsm2_conf: env.var("SOFTHSM2_CONF"),
        }),
    })
}

impl Job {
    pub(super) fn operation(&self) -> Operation {
        match self {
            Job::Init(i) => i.operation(),
            Job::Info(i) => i.operation(),
        }
    }

    pub(super) fn run(self, out: &Out) -> Result<()> {
        let prompter = out.env.prompter();
        match self {
            Job::Init(i) => {
                let r = op::init(&i, prompter)?;
                out.stderr(&format!(
                    "initialised token {:?} (serial {}) in {}\n",
                    r.label,
                    r.serial,
                    r.token_dir.display()
                ));
                out.report(&r, render_init)
            }
            Job::Info(i) => out.report(&op::info(&i, prompter)?, render_info),
        }
    }
}

fn render_init(r: &InitReport) -> String {
    format!("SOFTHSM2_CONF={}\n", r.conf.display())
}

fn yes(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn render_info(r: &InfoReport) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "module:           {}", r.module.display());
    let _ = writeln!(o, "cryptoki version: {}", r.cryptoki_version);
    let _ = writeln!(o, "manufacturer:     {}", r.manufacturer);
    let _ = writeln!(o, "library:          {}", r.library);
    if let Some(conf) = &r.softhsm2_conf {
        let _ = writeln!(o, "SOFTHSM2_CONF:    {conf}");
    }
    let _ = writeln!(o, "slots:            {}", r.slot_count);
    for s in &r.slots {
        let _ = writeln!(o, "\nslot {}: {}", s.id, s.description);
        let Some(t) = &s.token else {
            let _ = writeln!(o, "  no token present");
            continue;
        };
        if !t.initialized {
            let _ = writeln!(o, "  token not initialised (free)");
            continue;
        }
        let _ = writeln!(o, "  token label:    {}", t.label);
        let _ = writeln!(o, "  manufacturer:   {}", t.manufacturer);
        let _ = writeln!(o, "  model:          {}", t.model);
        let _ = writeln!(o, "  serial:         {}", t.serial);
        let _ = writeln!(o, "  login required: {}", yes(t.login_required));
        let _ = writeln!(o, "  user PIN set:   {}", yes(t.user_pin_set));
        let pin_state = match t.user_pin_state {
            "locked" => "LOCKED",
            "final-try" => "final try",
            "count-low" => "count low (a wrong PIN was given since the last login)",
            other => other,
        };
        let _ = writeln!(o, "  user PIN state: {pin_state}");
        let so = if t.so_pin_locked { "LOCKED" } else { "ok" };
        let _ = writeln!(o, "  SO PIN state:   {so}");
        let _ = writeln!(
            o,
            "  PIN length:     {}..{}",
            t.min_pin_length, t.max_pin_length
        );
        let _ = writeln!(o, "  mechanisms relevant to DNSSEC:");
        for m in &t.mechanisms {
            let size = match (m.min_key_size, m.max_key_size) {
                (Some(a), Some(b)) if a != 0 || b != 0 => format!("{a}..{b}"),
                _ => "-".into(),
            };
            let _ = writeln!(
                o,
                "    {:<24} {:<8} {:<14} {:<50} {}",
                m.name,
                if m.present { "yes" } else { "MISSING" },
                size,
                m.purpose,
                m.flags.join(",")
            );
        }
    }
    match &r.login {
        Some(state) => {
            let _ = writeln!(o, "\nlogin state: user login succeeded ({state})");
        }
        None => {
            let _ = writeln!(
                o,
                "\nlogin state: not logged in (give --token and --pin-file to test a login)"
            );
        }
    }
    o
}
