//! `ceremony keygen|inventory|backup|restore|delete` (owner: ceremony-hsm work). STUB.
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct KeygenArgs {}
#[derive(Debug, clap::Args)]
pub struct InventoryArgs {}
#[derive(Debug, clap::Args)]
pub struct BackupArgs {}
#[derive(Debug, clap::Args)]
pub struct RestoreArgs {}
#[derive(Debug, clap::Args)]
pub struct DeleteArgs {}

pub fn keygen(_a: KeygenArgs) -> Result<()> {
    Err(Error::Input("not yet implemented".into()))
}
pub fn inventory(_a: InventoryArgs) -> Result<()> {
    Err(Error::Input("not yet implemented".into()))
}
pub fn backup(_a: BackupArgs) -> Result<()> {
    Err(Error::Input("not yet implemented".into()))
}
pub fn restore(_a: RestoreArgs) -> Result<()> {
    Err(Error::Input("not yet implemented".into()))
}
pub fn delete(_a: DeleteArgs) -> Result<()> {
    Err(Error::Input("not yet implemented".into()))
}
