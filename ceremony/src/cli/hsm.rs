//! `ceremony hsm init|info`.

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::hsm::{mechanisms, module, pin, softhsm, Module, Token};

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

pub fn run(c: HsmCommand) -> Result<()> {
    match c {
        HsmCommand::Init(a) => init(a),
        HsmCommand::Info(a) => info(a),
    }
}

fn init(a: InitArgs) -> Result<()> {
    let so = pin::read(Some(&a.so_pin_file), pin::Role::SecurityOfficer, &a.label)?;
    let user = pin::read(Some(&a.pin_file), pin::Role::User, &a.label)?;
    let done = softhsm::init(&a.softhsm, a.module.as_deref(), &a.label, &so, &user)?;
    eprintln!(
        "initialised token {:?} (serial {}) in {}",
        done.label,
        done.serial,
        done.token_dir.display()
    );
    println!("SOFTHSM2_CONF={}", done.conf.display());
    Ok(())
}

fn yes(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn info(a: InfoArgs) -> Result<()> {
    let path = module::resolve(a.module.as_deref());
    let m = Module::load(Some(&path))?;
    let lib = m
        .ctx
        .get_library_info()
        .map_err(|e| Error::Hsm(format!("C_GetInfo failed: {e}")))?;
    println!("module:           {}", m.path.display());
    println!("cryptoki version: {}", lib.cryptoki_version());
    println!("manufacturer:     {}", lib.manufacturer_id().trim());
    println!(
        "library:          {} {}",
        lib.library_description().trim(),
        lib.library_version()
    );
    if let Some(conf) = std::env::var_os("SOFTHSM2_CONF") {
        println!("SOFTHSM2_CONF:    {}", PathBuf::from(conf).display());
    }
    let slots = m
        .ctx
        .get_all_slots()
        .map_err(|e| Error::Hsm(format!("cannot list slots: {e}")))?;
    println!("slots:            {}", slots.len());
    let wanted = match &a.token {
        Some(l) => Some(m.find_token(l)?),
        None => None,
    };
    for slot in slots {
        if wanted.is_none_or(|w| w == slot) {
            print_slot(&m, slot)?;
        }
    }
    if let (Some(label), Some(pin_file)) = (&a.token, &a.pin_file) {
        let token = Token::open(m, label)?;
        let p = pin::read(Some(pin_file), pin::Role::User, label)?;
        token.login_user(&p)?;
        let state = token
            .session()
            .get_session_info()
            .map_err(|e| Error::Hsm(format!("C_GetSessionInfo failed: {e}")))?
            .session_state();
        println!();
        println!("login state: user login succeeded ({state:?})");
    } else {
        println!();
        println!("login state: not logged in (give --token and --pin-file to test a login)");
    }
    Ok(())
}

/// One slot: its token, PIN state and the DNSSEC mechanisms it offers.
fn print_slot(m: &Module, slot: cryptoki::slot::Slot) -> Result<()> {
    let si = m
        .ctx
        .get_slot_info(slot)
        .map_err(|e| Error::Hsm(format!("slot {slot}: {e}")))?;
    println!();
    println!("slot {slot}: {}", si.slot_description().trim());
    let Ok(ti) = m.ctx.get_token_info(slot) else {
        println!("  no token present");
        return Ok(());
    };
    if !ti.token_initialized() {
        println!("  token not initialised (free)");
        return Ok(());
    }
    println!("  token label:    {}", ti.label().trim());
    println!("  manufacturer:   {}", ti.manufacturer_id().trim());
    println!("  model:          {}", ti.model().trim());
    println!("  serial:         {}", ti.serial_number().trim());
    println!("  login required: {}", yes(ti.login_required()));
    println!("  user PIN set:   {}", yes(ti.user_pin_initialized()));
    let pin_state = if ti.user_pin_locked() {
        "LOCKED"
    } else if ti.user_pin_final_try() {
        "final try"
    } else if ti.user_pin_count_low() {
        "count low (a wrong PIN was given since the last login)"
    } else {
        "ok"
    };
    println!("  user PIN state: {pin_state}");
    println!(
        "  SO PIN state:   {}",
        if ti.so_pin_locked() { "LOCKED" } else { "ok" }
    );
    println!(
        "  PIN length:     {}..{}",
        ti.min_pin_length(),
        ti.max_pin_length()
    );
    println!("  mechanisms relevant to DNSSEC:");
    for o in mechanisms::relevant(m, slot)? {
        let size = match (o.min_key_size, o.max_key_size) {
            (Some(a), Some(b)) if a != 0 || b != 0 => format!("{a}..{b}"),
            _ => "-".into(),
        };
        println!(
            "    {:<24} {:<8} {:<14} {:<50} {}",
            o.name,
            if o.present { "yes" } else { "MISSING" },
            size,
            o.purpose,
            o.flags.join(",")
        );
    }
    Ok(())
}
