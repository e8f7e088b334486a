//! `ceremony sign-ksr|request|trust-anchor` (owner: ceremony-sign work). STUB.
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct SignKsrArgs {}
#[derive(Debug, clap::Args)]
pub struct RequestArgs {}
#[derive(Debug, clap::Args)]
pub struct TrustAnchorArgs {}

pub fn sign_ksr(_a: SignKsrArgs) -> Result<()> {
    Err(Error::Input("not yet implemented".into()))
}
pub fn request(_a: RequestArgs) -> Result<()> {
    Err(Error::Input("not yet implemented".into()))
}
pub fn trust_anchor(_a: TrustAnchorArgs) -> Result<()> {
    Err(Error::Input("not yet implemented".into()))
}
