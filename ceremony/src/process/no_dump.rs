//! No core dumps from a process that holds a token open. SoftHSM (and any
//! PKCS#11 module) runs inside this process, so a core file written on a crash
//! would hold key material (a SIGABRT during signing left the KSK's RSA primes
//! in one). As ssh-agent does, the process makes itself non-dumpable
//! (`PR_SET_DUMPABLE` 0: no core file, and no ptrace or `/proc/PID/mem` for
//! processes of the same user) and sets `RLIMIT_CORE` to 0 (soft and hard, so
//! a child cannot raise it either). Called by `hsm::module::Module::load`
//! before the module is loaded: no path opens a token without it.

use crate::error::{Error, Result};

/// Disables core dumps for the rest of this process's life (idempotent).
pub fn disable_core_dumps() -> Result<()> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: PR_SET_DUMPABLE takes one integer argument and touches no memory.
        if unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) } != 0 {
            return Err(refused("prctl(PR_SET_DUMPABLE, 0)"));
        }
    }
    #[cfg(unix)]
    {
        let zero = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: `zero` is a valid rlimit that the call only reads.
        if unsafe { libc::setrlimit(libc::RLIMIT_CORE, &zero) } != 0 {
            return Err(refused("setrlimit(RLIMIT_CORE, 0)"));
        }
    }
    Ok(())
}

fn refused(call: &str) -> Error {
    Error::Io(format!(
        "cannot disable core dumps ({call}: {}); refusing to load a PKCS#11 module whose keys a core file could hold",
        std::io::Error::last_os_error()
    ))
}

#[cfg(test)]
mod tests {
    /// Loading a module (whether or not it then initialises) leaves the
    /// process non-dumpable with a zero core limit.
    #[test]
    fn loading_a_module_disables_core_dumps() {
        let _ = crate::hsm::module::Module::load(std::path::Path::new(
            crate::hsm::module::DEFAULT_MODULE,
        ));
        let mut lim = libc::rlimit {
            rlim_cur: 1,
            rlim_max: 1,
        };
        // SAFETY: `lim` is a valid rlimit for the call to fill in.
        assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_CORE, &mut lim) }, 0);
        assert_eq!((lim.rlim_cur, lim.rlim_max), (0, 0));
        // SAFETY: PR_GET_DUMPABLE takes no pointer.
        #[cfg(target_os = "linux")]
        assert_eq!(unsafe { libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0) }, 0);
    }
}
