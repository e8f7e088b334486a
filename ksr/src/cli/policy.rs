//! `ksr policy show`: a policy as TOML, the built-in one or a file as read.

use crate::env::{exit, Env};
use crate::error::{Error, Result};
use crate::policy::Policy;
use std::path::Path;

pub fn show(env: &dyn Env, path: Option<&Path>) -> Result<i32> {
    let policy = match path {
        Some(p) => Policy::from_toml_file(p).map_err(Error::Input)?,
        None => Policy::root(),
    };
    super::print(env, &policy.to_toml())?;
    Ok(exit::OK)
}
