//! Loading a PKCS#11 module. The path comes from `--module`, else the
//! `PKCS11_MODULE` environment variable, else Debian's SoftHSM2 module.

use std::path::{Path, PathBuf};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::slot::Slot;

use crate::error::{Error, Result};

/// Debian's `softhsm2` package installs its module here.
pub const DEFAULT_MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";

/// The module path to use: explicit, else `from_env` (the value of
/// `PKCS11_MODULE`, read by the caller from its environment), else [`DEFAULT_MODULE`].
pub fn resolve(explicit: Option<&Path>, from_env: Option<&str>) -> PathBuf {
    if let Some(p) = explicit {
        return p.to_path_buf();
    }
    match from_env {
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
    pub fn load(path: &Path) -> Result<Module> {
        if !path.is_file() {
            return Err(Error::ModuleLoad(format!(
                "{}: no such file; give the module with --module or PKCS11_MODULE",
                path.display()
            )));
        }
        let init_err = |source| Error::ModuleInit {
            path: path.display().to_string(),
            source,
        };
        // The module may hold keys in this process's memory (SoftHSM does):
        // no core file may ever be written from here on.
        crate::process::no_dump::disable_core_dumps()?;
        let ctx = Pkcs11::new(path).map_err(init_err)?;
        // A process that loads the module twice (a UI, in-process tests) finds it
        // initialised already; PKCS#11 v2.40 section 5.4 makes that a benign answer.
        match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
            Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
            Err(e) => return Err(init_err(e)),
        }
        Ok(Module {
            ctx,
            path: path.to_path_buf(),
        })
    }

    /// Labels of every initialised token, with their slots, in slot order.
    pub fn tokens(&self) -> Result<Vec<(Slot, String)>> {
        let slots = self
            .ctx
            .get_slots_with_initialized_token()
            .map_err(|e| Error::pkcs11(e, "listing slots"))?;
        let mut out = Vec::new();
        for slot in slots {
            let info = self
                .ctx
                .get_token_info(slot)
                .map_err(|e| Error::pkcs11(e, &format!("reading token info of slot {slot}")))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_path_precedence() {
        let explicit = Path::new("/x.so");
        assert_eq!(resolve(Some(explicit), Some("/y.so")), explicit);
        assert_eq!(resolve(None, Some("/y.so")), Path::new("/y.so"));
        assert_eq!(resolve(None, Some("")), Path::new(DEFAULT_MODULE));
        assert_eq!(resolve(None, None), Path::new(DEFAULT_MODULE));
        let e = Module::load(Path::new("/nonexistent/m.so")).err().unwrap();
        assert!(e.to_string().contains("no such file"), "{e}");
    }
}
