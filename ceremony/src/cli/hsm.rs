//! `ceremony hsm ...` (owner: ceremony-hsm work). STUB.
use crate::error::{Error, Result};

#[derive(Debug, clap::Subcommand)]
pub enum HsmCommand {
    /// Show module, token, slots and DNSSEC mechanisms.
    Info,
}

pub fn run(_c: HsmCommand) -> Result<()> {
    Err(Error::Input("not yet implemented".into()))
}
