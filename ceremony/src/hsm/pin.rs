//! PINs: read from a file or asked for without echo through the caller's
//! [`Prompter`], held as a `secrecy` secret that never prints, and wiped from
//! memory when dropped. No PIN ever comes from argv or the environment, and no
//! error message carries one (only the file's path).

use std::path::{Path, PathBuf};

use cryptoki::types::AuthPin;
use ksr::env::Prompter;
use serde::Serialize;
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

/// Where a PIN comes from. Audit records name only the kind (`file`/`prompt`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinSource {
    /// A PIN file, read by `ksr::secret::read_pin_file` (mode 0600 or
    /// stricter, one optional trailing newline, nothing else around the PIN).
    File(PathBuf),
    /// Typed without echo at the prompter.
    Prompt,
}

impl PinSource {
    /// A file if one was given, else the prompt.
    pub fn from_file(file: Option<PathBuf>) -> PinSource {
        file.map_or(PinSource::Prompt, PinSource::File)
    }

    /// `file` or `prompt`: all an audit record may say about a PIN.
    pub fn kind(&self) -> PinKind {
        match self {
            PinSource::File(_) => PinKind::File,
            PinSource::Prompt => PinKind::Prompt,
        }
    }
}

/// The kind of a [`PinSource`], without its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PinKind {
    File,
    Prompt,
}

/// Reads a PIN from `source`: a PIN file through `ksr::secret::read_pin_file`
/// (which refuses a file others may read, more than 256 bytes, a byte order
/// mark or trailing white space, so a malformed PIN never costs a `C_Login`
/// try), or the prompter's secret answer without its line end. An empty PIN
/// is refused: it is always a set-up mistake.
pub fn read(
    source: &PinSource,
    role: Role,
    token: &str,
    prompter: &dyn Prompter,
) -> Result<AuthPin> {
    let mut text = match source {
        PinSource::File(path) => read_file(path, role)?,
        PinSource::Prompt => prompter
            .secret(&format!("{} for token {token:?}: ", role.name()))
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
        let from = match source {
            PinSource::File(p) => format!("the file {}", p.display()),
            PinSource::Prompt => "the prompt".to_string(),
        };
        return Err(Error::Input(format!(
            "the {} from {from} is empty",
            role.name()
        )));
    }
    Ok(AuthPin::from(pin))
}

/// The PIN file's content, checked; errors name the path, never the content.
fn read_file(path: &Path, role: Role) -> Result<String> {
    let pin = ksr::secret::read_pin_file(path)
        .map_err(|e| Error::Input(format!("{}: {e}", role.name())))?;
    // A line break inside would be sent as part of the PIN: refused, not cut.
    if pin.contains(['\r', '\n']) {
        return Err(Error::Input(format!(
            "{}: PIN file {} holds more than one line; it must hold only the PIN",
            role.name(),
            path.display()
        )));
    }
    Ok(pin.as_str().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ksr::env::FakeEnv;
    use secrecy::ExposeSecret;

    fn private_file(path: &Path, content: &str) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::write(path, content).unwrap();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }

    #[test]
    fn pin_file_without_its_one_newline() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("pin");
        private_file(&f, "s3cret-pin\n");
        let env = FakeEnv::new();
        let pin = read(&PinSource::File(f.clone()), Role::User, "t", &env).unwrap();
        assert_eq!(pin.expose_secret(), "s3cret-pin");
        // Debug output of the secret never shows the value.
        assert!(!format!("{pin:?}").contains("s3cret"));
        assert!(env.prompts().is_empty(), "a PIN file means no prompt");
        // A second line, a CR, a trailing space: refused, naming the file only.
        for (bad, why) in [
            ("s3cret-pin\r\nignored\n", "more than one line"),
            ("s3cret-pin \n", "white space"),
            ("s3cret-pin\r\n", "white space"),
            ("s3cret-pin\n\n", "white space"),
        ] {
            private_file(&f, bad);
            let e = read(&PinSource::File(f.clone()), Role::User, "t", &env)
                .unwrap_err()
                .to_string();
            assert!(e.contains(why) && e.contains("pin"), "{e}");
            assert!(!e.contains("s3cret"), "{e}");
        }
        // Readable by others: refused before anything else.
        private_file(&f, "s3cret-pin\n");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = read(&PinSource::File(f), Role::User, "t", &env).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("chmod 600"), "{e}");
    }

    #[test]
    fn empty_and_missing_files_are_refused_without_content() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("pin");
        private_file(&f, "\n");
        let env = FakeEnv::new();
        let e = read(&PinSource::File(f), Role::SecurityOfficer, "t", &env)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("security officer PIN") && e.contains("empty"),
            "{e}"
        );
        let e = read(
            &PinSource::File(dir.path().join("nope")),
            Role::User,
            "t",
            &env,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("nope"), "{e}");
    }

    #[test]
    fn prompted_pins_go_through_the_secret_prompt() {
        let env = FakeEnv::new().secret("typed-pin");
        let pin = read(&PinSource::Prompt, Role::User, "tok", &env).unwrap();
        assert_eq!(pin.expose_secret(), "typed-pin");
        assert_eq!(env.prompts(), vec!["user PIN for token \"tok\": "]);
        // Nobody there to answer: a usage error naming the way out, no PIN in it.
        let e = read(&PinSource::Prompt, Role::User, "tok", &env).unwrap_err();
        assert!(e.to_string().contains("PIN file option"), "{e}");
        assert_eq!(PinSource::Prompt.kind(), PinKind::Prompt);
    }
}
