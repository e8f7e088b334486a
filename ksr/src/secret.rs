//! PIN files: the one reader every tool should use for `--pin-file` and
//! `--so-pin-file`, so a wrong PIN never reaches `C_Login` (where it costs a
//! try on a real HSM) for a reason the file itself shows.
//!
//! Like OpenSSH with private keys, a file that others may read is refused.
//! At most [`MAX_PIN_FILE`] bytes are read (a PIN file pointed at
//! `/dev/zero` must not grow), exactly one trailing newline is removed, and a
//! byte order mark or any other trailing white space is refused: editors add
//! them silently, and they would be sent as part of the PIN. Errors name the
//! file, never its content.

use std::io::Read;
use std::path::Path;
use zeroize::Zeroizing;

/// The most bytes a PIN file may hold (PKCS#11 PINs are far shorter).
pub const MAX_PIN_FILE: usize = 256;

#[derive(Debug, thiserror::Error)]
pub enum PinFileError {
    #[error("cannot read PIN file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("PIN file {path} is accessible by group or others (mode {mode:03o}); run `chmod 600 {path}`")]
    Permissions { path: String, mode: u32 },
    #[error("PIN file {path} holds more than {MAX_PIN_FILE} bytes; it must hold only the PIN")]
    TooLong { path: String },
    #[error("PIN file {path} is empty")]
    Empty { path: String },
    #[error("PIN file {path} starts with a byte order mark; save it as plain UTF-8 without one")]
    Bom { path: String },
    #[error("PIN file {path} is not UTF-8 text")]
    NotUtf8 { path: String },
    #[error("PIN file {path} ends in white space other than one newline (a second line, a space, a tab or a Windows CR); remove it")]
    TrailingWhitespace { path: String },
}

/// Reads the PIN in `path`: refuses a file others can access, reads at most
/// [`MAX_PIN_FILE`] bytes, strips exactly one trailing `\n`, and refuses a
/// byte order mark, trailing white space and an empty PIN. The buffers that
/// held the PIN are zeroized when dropped.
pub fn read_pin_file(path: &Path) -> Result<Zeroizing<String>, PinFileError> {
    let shown = path.display().to_string();
    let io = |source| PinFileError::Io {
        path: shown.clone(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    // The mode of what was opened, not of the path (which could be swapped).
    let meta = file.metadata().map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(PinFileError::Permissions { path: shown, mode });
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    // Room for one byte more than allowed, reserved up front so the buffer
    // never reallocates (which would leave an unzeroized copy behind).
    let mut buf = Zeroizing::new(Vec::with_capacity(MAX_PIN_FILE + 1));
    file.take(MAX_PIN_FILE as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(io)?;
    if buf.len() > MAX_PIN_FILE {
        return Err(PinFileError::TooLong { path: shown });
    }
    if buf.starts_with(b"\xEF\xBB\xBF") {
        return Err(PinFileError::Bom { path: shown });
    }
    let text = std::str::from_utf8(&buf).map_err(|_| PinFileError::NotUtf8 {
        path: shown.clone(),
    })?;
    let pin = text.strip_suffix('\n').unwrap_or(text);
    if pin.ends_with(char::is_whitespace) {
        return Err(PinFileError::TrailingWhitespace { path: shown });
    }
    if pin.is_empty() {
        return Err(PinFileError::Empty { path: shown });
    }
    Ok(Zeroizing::new(pin.to_string()))
}
