//! PINs: read from a file or a no-echo prompt, held as a `secrecy` secret that
//! never prints, and wiped from memory when dropped. No PIN ever comes from argv or
//! the environment, and no error message carries one (only the file's path).

use std::path::Path;

use cryptoki::types::AuthPin;
use zeroize::Zeroize;

use crate::error::{Error, Result};

/// Which PIN is asked for; only used to word the prompt and errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    User,
    SecurityOfficer,
}

impl Role {
    fn name(self) -> &'static str {
        match self {
            Role::User => "user PIN",
            Role::SecurityOfficer => "security officer PIN",
        }
    }
}

/// Reads a PIN from `file` (first line, without the line end), else prompts on the
/// terminal without echo. An empty PIN is refused: it is always a set-up mistake.
pub fn read(file: Option<&Path>, role: Role, token: &str) -> Result<AuthPin> {
    let mut text = match file {
        Some(path) => std::fs::read_to_string(path).map_err(|e| {
            Error::Input(format!(
                "cannot read the {} file {}: {e}",
                role.name(),
                path.display()
            ))
        })?,
        None => rpassword::prompt_password(format!("{} for token {token:?}: ", role.name()))
            .map_err(|e| {
                Error::Input(format!(
                    "cannot prompt for the {} ({e}); give it with a PIN file option",
                    role.name()
                ))
            })?,
    };
    let end = text.find(['\r', '\n']).unwrap_or(text.len());
    let pin: String = text[..end].to_string();
    text.zeroize();
    if pin.is_empty() {
        let from = match file {
            Some(p) => format!("the file {}", p.display()),
            None => "the prompt".to_string(),
        };
        return Err(Error::Input(format!(
            "the {} from {from} is empty",
            role.name()
        )));
    }
    Ok(AuthPin::from(pin))
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn first_line_without_line_end() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("pin");
        std::fs::write(&f, "s3cret-pin\r\nignored\n").unwrap();
        let pin = read(Some(&f), Role::User, "t").unwrap();
        assert_eq!(pin.expose_secret(), "s3cret-pin");
        // Debug output of the secret never shows the value.
        assert!(!format!("{pin:?}").contains("s3cret"));
    }

    #[test]
    fn empty_and_missing_files_are_refused_without_content() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("pin");
        std::fs::write(&f, "\n").unwrap();
        let e = read(Some(&f), Role::SecurityOfficer, "t")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("security officer PIN") && e.contains("empty"),
            "{e}"
        );
        let e = read(Some(&dir.path().join("nope")), Role::User, "t")
            .unwrap_err()
            .to_string();
        assert!(e.contains("nope"), "{e}");
    }
}
