//! Nothing is ever half-written, and nothing but a regular file is ever
//! replaced: outputs go to a temp file in the target's directory, are
//! verified, then renamed into place.
//!
//! [`Target::prepare`] is the one preflight every output option goes through
//! before any work: the path must be absent or a regular file (a device node,
//! a FIFO, a symlink or a directory is refused), an existing file is replaced
//! only when the user said `--force`, and the directory must take a new file
//! and have room for it. [`Target::write_verified`] then writes temp → verify
//! → re-check the target → rename.

use std::fs::FileType;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The least free space a target's directory must have before the work
/// starts; callers that know more pass a larger estimate.
pub const MIN_ROOM: u64 = 1 << 20;

/// An output path that passed the preflight; its temp file already exists
/// beside it, so the directory is known to take new files.
#[derive(Debug)]
pub struct Target {
    path: PathBuf,
    force: bool,
    tmp: Temp,
    swept: Vec<PathBuf>,
}

/// Why an output path was refused before any work was done.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error("{path} is {what}, not a regular file; refusing to replace it (give a path to a regular file or to a new file)")]
    NotRegular { path: String, what: &'static str },
    #[error("{path} exists; refusing to replace it without --force")]
    Exists { path: String },
    #[error("cannot write in the directory of {path}: {source}")]
    Directory {
        path: String,
        source: std::io::Error,
    },
    #[error("no room for {path}: its file system has {free} bytes free, {need} are needed; free some space or write elsewhere")]
    NoRoom { path: String, free: u64, need: u64 },
}

impl Target {
    /// The preflight with the default room ([`MIN_ROOM`]).
    pub fn prepare(path: &Path, force: bool) -> Result<Target, TargetError> {
        Target::prepare_with_room(path, force, MIN_ROOM)
    }

    /// The preflight, requiring `need` bytes free in the target's file system.
    pub fn prepare_with_room(path: &Path, force: bool, need: u64) -> Result<Target, TargetError> {
        let shown = path.display().to_string();
        // A lookup that fails for another reason than absence (a parent that
        // is a file, a search permission) is the directory's problem.
        if let Some(kind) = existing_kind(path).map_err(|source| TargetError::Directory {
            path: shown.clone(),
            source,
        })? {
            refuse_unless_regular(&shown, kind)?;
            if !force {
                return Err(TargetError::Exists { path: shown });
            }
        }
        let dir = dir_of(path);
        let swept = sweep_stale_temps(path);
        let tmp = temp_beside(path, dir).map_err(|source| TargetError::Directory {
            path: shown.clone(),
            source,
        })?;
        let free = free_bytes(dir).map_err(|source| TargetError::Directory {
            path: shown.clone(),
            source,
        })?;
        if free < need {
            return Err(TargetError::NoRoom {
                path: shown,
                free,
                need,
            });
        }
        Ok(Target {
            path: path.to_path_buf(),
            force,
            tmp,
            swept,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Stale temp files of this target (left by processes that are gone)
    /// that the preflight removed; the caller reports them.
    pub fn swept(&self) -> &[PathBuf] {
        &self.swept
    }

    /// Writes `bytes` to the temp file, runs `verify` on its path, re-checks
    /// the target (still absent, or a regular file and `--force`), and renames
    /// the temp file into place. On any error the temp file is removed and the
    /// target is untouched.
    pub fn write_verified<E, F>(self, bytes: &[u8], verify: F) -> Result<(), OutputError<E>>
    where
        F: FnOnce(&Path) -> Result<(), E>,
    {
        let Target {
            path, force, tmp, ..
        } = self;
        finish(&path, tmp, bytes, verify, force)
    }
}

/// Writes `bytes` to a temp file beside `path`, runs `verify` on the temp file's
/// path, and renames it to `path` only if `verify` succeeds. On any error the temp
/// file is removed and `path` is untouched. An existing regular file is
/// replaced; anything else at `path` (device, FIFO, symlink, directory) is
/// refused, before the write and again just before the rename.
///
/// Like the preflight, it first sweeps the stale temp files of `path`
/// ([`sweep_stale_temps`]); it returns what it removed, for the caller to
/// report.
pub fn write_verified<E, F>(
    path: &Path,
    bytes: &[u8],
    verify: F,
) -> Result<Vec<PathBuf>, OutputError<E>>
where
    F: FnOnce(&Path) -> Result<(), E>,
{
    let io = |source: std::io::Error| OutputError::Io {
        path: path.display().to_string(),
        source,
    };
    recheck(path, true).map_err(io)?;
    let swept = sweep_stale_temps(path);
    let tmp = temp_beside(path, dir_of(path)).map_err(io)?;
    finish(path, tmp, bytes, verify, true)?;
    Ok(swept)
}

/// Writes `bytes` to `path` through a temp file, for outputs with nothing to
/// re-check (the rename is still atomic); returns the stale temp files it
/// swept, as [`write_verified`] does.
pub fn write_atomically(
    path: &Path,
    bytes: &[u8],
) -> Result<Vec<PathBuf>, OutputError<std::convert::Infallible>> {
    write_verified(path, bytes, |_| Ok(()))
}

#[derive(Debug, thiserror::Error)]
pub enum OutputError<E> {
    #[error("cannot write {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("verification of the new file failed; nothing was written")]
    Verify(E),
}

fn finish<E, F>(
    path: &Path,
    mut tmp: Temp,
    bytes: &[u8],
    verify: F,
    force: bool,
) -> Result<(), OutputError<E>>
where
    F: FnOnce(&Path) -> Result<(), E>,
{
    let io = |source: std::io::Error| OutputError::Io {
        path: path.display().to_string(),
        source,
    };
    let file = tmp.file();
    file.write_all(bytes).map_err(io)?;
    file.flush().map_err(io)?;
    // A large file reaches the disk while `verify` reads it back from the
    // page cache (a small one is quicker in line than through a thread);
    // both must succeed before the rename.
    let (synced, verified) = if bytes.len() < SYNC_BESIDE_FROM {
        let synced = file.as_file().sync_all();
        (synced, verify(file.path()))
    } else {
        let syncing = file.as_file().try_clone().map_err(io)?;
        std::thread::scope(|scope| {
            let sync = scope.spawn(move || syncing.sync_all());
            let verified = verify(file.path());
            let synced = sync
                .join()
                .unwrap_or_else(|_| Err(std::io::Error::other("fsync thread panicked")));
            (synced, verified)
        })
    };
    verified.map_err(OutputError::Verify)?;
    synced.map_err(io)?;
    // The target may have changed while we worked: check it again.
    recheck(path, force).map_err(io)?;
    persist(path, tmp, force).map_err(io)
}

/// Outputs from this size on are synced on a thread of their own.
const SYNC_BESIDE_FROM: usize = 64 * 1024;

/// Renames the verified temp file into place, durably.
fn persist(path: &Path, tmp: Temp, force: bool) -> std::io::Result<()> {
    tmp.persist(path, force)?;
    // Make the rename itself durable.
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir_of(path)) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The target's directory (`.` for a bare file name).
fn dir_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// A temp file in `dir` named after `path` and this process
/// (`.NAME.PID.RANDOM.tmp`: same directory, so the final rename is atomic;
/// the PID lets a later run tell a stale one). Registered as live until it is
/// renamed or dropped (dropping deletes it, which covers every early return).
fn temp_beside(path: &Path, dir: &Path) -> std::io::Result<Temp> {
    let mut live = live();
    let file = tempfile::Builder::new()
        .prefix(&format!("{}{}.", temp_prefix(path), std::process::id()))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    live.push(file.path().to_path_buf());
    Ok(Temp(Some(file)))
}

/// What is at `path`, without following a symlink; `None` when nothing is.
/// The kind half of the preflight, for a file a later step writes: absent or
/// a regular file (whether it may be replaced is that step's question).
pub fn check_kind(path: &Path) -> Result<(), TargetError> {
    let shown = path.display().to_string();
    match existing_kind(path) {
        Ok(Some(kind)) => refuse_unless_regular(&shown, kind),
        Ok(None) => Ok(()),
        Err(source) => Err(TargetError::Directory {
            path: shown,
            source,
        }),
    }
}

/// Whether `a` and `b` name one file: the same device and inode when both
/// exist, else the same path once the directories are resolved (`..`,
/// symbolic links).
pub fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return x.dev() == y.dev() && x.ino() == y.ino();
        }
    }
    let resolved = |p: &Path| {
        let dir = std::fs::canonicalize(dir_of(p)).ok()?;
        Some(dir.join(p.file_name()?))
    };
    match (resolved(a), resolved(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

fn existing_kind(path: &Path) -> std::io::Result<Option<FileType>> {
    match std::fs::symlink_metadata(path) {
        Ok(m) => Ok(Some(m.file_type())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// The name of a file type for messages.
fn kind_name(kind: FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_char_device() {
            return "a character device";
        }
        if kind.is_block_device() {
            return "a block device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_symlink() {
        "a symbolic link"
    } else if kind.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

fn refuse_unless_regular(shown: &str, kind: FileType) -> Result<(), TargetError> {
    if kind.is_file() {
        Ok(())
    } else {
        Err(TargetError::NotRegular {
            path: shown.to_string(),
            what: kind_name(kind),
        })
    }
}

/// The rule again, as an I/O error, just before the rename.
fn recheck(path: &Path, force: bool) -> std::io::Result<()> {
    let shown = path.display().to_string();
    match existing_kind(path)? {
        None => Ok(()),
        Some(kind) => {
            if let Err(e) = refuse_unless_regular(&shown, kind) {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    e.to_string(),
                ));
            }
            if force {
                Ok(())
            } else {
                Err(std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    TargetError::Exists { path: shown }.to_string(),
                ))
            }
        }
    }
}

/// Bytes an unprivileged writer may still use in `dir`'s file system.
#[cfg(unix)]
fn free_bytes(dir: &Path) -> std::io::Result<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    // SAFETY: `c` is a valid NUL-terminated path and `st` a zeroed statvfs
    // that the call fills in; nothing is retained after it returns.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    #[allow(clippy::unnecessary_cast)]
    Ok((st.f_bavail as u64).saturating_mul(st.f_frsize as u64))
}

#[cfg(not(unix))]
fn free_bytes(_dir: &Path) -> std::io::Result<u64> {
    Ok(u64::MAX)
}

/// `.NAME.`: the start of every temp file name for `path`.
fn temp_prefix(path: &Path) -> String {
    format!(
        ".{}.",
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output".into())
    )
}

/// Temp files this process has open, so a signal can remove them.
static LIVE: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

fn live() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    LIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// A registered temp file: renamed into place, or deleted on drop; either
/// way unregistered under the same lock, so [`abandon_temps`] never races a
/// rename.
#[derive(Debug)]
struct Temp(Option<tempfile::NamedTempFile>);

impl Temp {
    fn file(&mut self) -> &mut tempfile::NamedTempFile {
        self.0.as_mut().expect("a live temp file")
    }

    fn persist(mut self, path: &Path, force: bool) -> std::io::Result<()> {
        let mut live = live();
        let file = self.0.take().expect("a live temp file");
        let tmp = file.path().to_path_buf();
        let done = if force {
            file.persist(path).map(drop).map_err(|e| e.error)
        } else {
            // Without --force nothing may be replaced: link-then-unlink fails
            // atomically if anything appeared at the path meanwhile.
            file.persist_noclobber(path).map(drop).map_err(|e| e.error)
        };
        live.retain(|p| *p != tmp);
        done
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        if let Some(file) = self.0.take() {
            let mut live = live();
            let tmp = file.path().to_path_buf();
            drop(file);
            live.retain(|p| *p != tmp);
        }
    }
}

/// For a process about to exit on a signal: removes every temp file it has
/// open and returns their paths. It keeps the registry locked, so no temp file
/// is created or renamed into place after this; the caller must exit.
pub fn abandon_temps() -> Vec<PathBuf> {
    let mut live = live();
    let removed: Vec<PathBuf> = live
        .drain(..)
        .filter(|p| std::fs::remove_file(p).is_ok())
        .collect();
    std::mem::forget(live);
    removed
}

/// Removes temp files of `path` (`.NAME.PID.*.tmp` beside it) that a process
/// which is no longer running left behind (killed by SIGKILL, or a machine
/// that stopped), if this user owns them; returns what it removed, for the
/// caller to report. Temp files of running processes are left alone.
pub fn sweep_stale_temps(path: &Path) -> Vec<PathBuf> {
    let prefix = temp_prefix(path);
    let Ok(entries) = std::fs::read_dir(dir_of(path)) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name
            .to_str()
            .and_then(|n| n.strip_prefix(&prefix))
            .and_then(|n| n.strip_suffix(".tmp"))
        else {
            continue;
        };
        let Some(pid) = rest.split('.').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if pid == std::process::id() || process_alive(pid) {
            continue;
        }
        let p = entry.path();
        if owned_regular_file(&p) && std::fs::remove_file(&p).is_ok() {
            removed.push(p);
        }
    }
    removed.sort();
    removed
}

/// Whether a process with this id exists (one we may not signal counts).
#[cfg(unix)]
fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: signal 0 only checks that the process exists.
    let sent = unsafe { libc::kill(pid, 0) } == 0;
    sent || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

#[cfg(not(unix))]
fn process_alive(_pid: u32) -> bool {
    true
}

/// A regular file (not a link) owned by this process's user.
#[cfg(unix)]
fn owned_regular_file(p: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid cannot fail.
    let me = unsafe { libc::geteuid() };
    std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_file() && m.uid() == me)
}

#[cfg(not(unix))]
fn owned_regular_file(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_files_carry_the_pid_are_registered_and_unregistered() {
        let d = tempfile::tempdir().unwrap();
        let target = d.path().join("out.skr");
        let t = Target::prepare(&target, false).unwrap();
        let tmp = t.tmp.0.as_ref().unwrap().path().to_path_buf();
        let name = tmp.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with(&format!(".out.skr.{}.", std::process::id()))
                && name.ends_with(".tmp"),
            "{name}"
        );
        assert!(live().contains(&tmp));
        t.write_verified(b"x", |_| Ok::<(), ()>(())).unwrap();
        assert!(!live().contains(&tmp) && !tmp.exists());
        assert_eq!(std::fs::read(&target).unwrap(), b"x");
        let t = Target::prepare(&target, true).unwrap();
        let tmp = t.tmp.0.as_ref().unwrap().path().to_path_buf();
        drop(t);
        assert!(!live().contains(&tmp) && !tmp.exists());
    }

    #[test]
    fn only_temp_files_of_gone_processes_are_swept() {
        let d = tempfile::tempdir().unwrap();
        let target = d.path().join("out.skr");
        let dead = format!(".out.skr.{}.AbCdEf.tmp", test_support::dead_pid());
        let live_other = ".out.skr.1.AbCdEf.tmp".to_string(); // init is running
        let mine = format!(".out.skr.{}.AbCdEf.tmp", std::process::id());
        let other_target = format!(".other.skr.{}.AbCdEf.tmp", test_support::dead_pid());
        let no_pid = ".out.skr.AbCdEf.tmp".to_string();
        for n in [&dead, &live_other, &mine, &other_target, &no_pid] {
            std::fs::write(d.path().join(n), b"partial").unwrap();
        }
        let link = format!(".out.skr.{}.Link00.tmp", test_support::dead_pid());
        std::os::unix::fs::symlink(d.path().join(&mine), d.path().join(&link)).unwrap();
        assert_eq!(sweep_stale_temps(&target), vec![d.path().join(&dead)]);
        for n in [&live_other, &mine, &other_target, &no_pid, &link] {
            assert!(
                std::fs::symlink_metadata(d.path().join(n)).is_ok(),
                "{n} kept"
            );
        }
        // The preflight sweeps too, and says what it removed.
        std::fs::write(d.path().join(&dead), b"partial").unwrap();
        let t = Target::prepare(&target, false).unwrap();
        assert_eq!(t.swept(), [d.path().join(&dead)]);
        drop(t);
        // So does the path-only writer, and says what it removed.
        std::fs::write(d.path().join(&dead), b"partial").unwrap();
        let swept = write_verified(&target, b"x", |_| Ok::<(), ()>(())).unwrap();
        assert_eq!(swept, [d.path().join(&dead)]);
        assert!(d.path().join(&mine).exists() && d.path().join(&live_other).exists());
        assert_eq!(std::fs::read(&target).unwrap(), b"x");
    }
}
