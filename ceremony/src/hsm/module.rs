//! Loading a PKCS#11 module. The path comes from `--module`, else the
//! `PKCS11_MODULE` environment variable, else Debian's SoftHSM2 module.

use std::path::{Path, PathBuf};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::slot::Slot;

use crate::error::{Error, Result};

/// Debian's `softhsm2` package installs its module here.
pub const DEFAULT_MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";

/// The module path to use: explicit, else `$PKCS11_MODULE`, else [`DEFAULT_MODULE`].
pub fn resolve(explicit: Option<&Path>) -> PathBuf {
    if let Some(p) = explicit {
        return p.to_path_buf();
    }
    match std::env::var_os("PKCS11_MODULE") {
        Some(v) if !v.is_empty() => PathBuf::from(v),
        _ => PathBuf::from(DEFAULT_MODULE),
    }
}

/// A loaded and initialised module.
pub struct Module {
    pub ctx: Pkcs11,
    pub path: PathBuf,
}

impl Module {
    pub fn load(explicit: Option<&Path>) -> Result<Module> {
        let path = resolve(explicit);
        if !path.is_file() {
            return Err(Error::ModuleLoad(format!(
                "{}: no such file; give the module with --module or PKCS11_MODULE",
                path.display()
            )));
        }
        let ctx = Pkcs11::new(&path)
            .map_err(|e| Error::ModuleLoad(format!("{}: {e}", path.display())))?;
        ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
            .map_err(|e| {
                Error::ModuleLoad(format!("{}: C_Initialize failed: {e}", path.display()))
            })?;
        Ok(Module { ctx, path })
    }

    /// Labels of every initialised token, with their slots, in slot order.
    pub fn tokens(&self) -> Result<Vec<(Slot, String)>> {
        let slots = self
            .ctx
            .get_slots_with_initialized_token()
            .map_err(|e| Error::Hsm(format!("cannot list slots: {e}")))?;
        let mut out = Vec::new();
        for slot in slots {
            let info = self
                .ctx
                .get_token_info(slot)
                .map_err(|e| Error::Hsm(format!("cannot read token info of slot {slot}: {e}")))?;
            out.push((slot, info.label().trim_end().to_string()));
        }
        Ok(out)
    }

    /// The slot holding the token labelled `label`.
    pub fn find_token(&self, label: &str) -> Result<Slot> {
        let matching: Vec<Slot> = self
            .tokens()?
            .into_iter()
            .filter(|(_, l)| l == label)
            .map(|(s, _)| s)
            .collect();
        match matching.as_slice() {
            [] => Err(Error::TokenNotFound(label.to_string())),
            [one] => Ok(*one),
            _ => Err(Error::Input(format!(
                "{} tokens are labelled {label:?}; relabel one so the ceremony cannot pick the wrong token",
                matching.len()
            ))),
        }
    }
}
