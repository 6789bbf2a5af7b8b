//! An interrupted run leaves nothing behind. Every named temporary file (an output being
//! written, stdin's spool) is [`Tracked`] here while it exists; on SIGINT, SIGTERM or
//! SIGHUP, [`remove_on_signal`]'s thread deletes them all and ends the process with 128 +
//! the signal's number, as a shell reports a process the signal killed. Anonymous
//! temporary files (spills, held records, stashed sets) need no help: the kernel frees
//! them with the process. A file is renamed into place ([`Tracked::persist`]) under the
//! same lock, so a signal finds each output either finished or gone, never half.
//!
//! Without [`remove_on_signal`] (the library used from another program) tracking costs a
//! lock per file and nothing happens on a signal.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// The named temporary files that exist now.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn live() -> MutexGuard<'static, Vec<PathBuf>> {
    // A thread that panicked holding the lock left a whole list: keep using it.
    LIVE.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A named temporary file, deleted when dropped, on a signal, or moved into place.
#[derive(Debug)]
pub struct Tracked(Option<tempfile::TempPath>);

impl Tracked {
    pub fn new(path: tempfile::TempPath) -> Tracked {
        live().push(path.to_path_buf());
        Tracked(Some(path))
    }

    pub fn path(&self) -> &Path {
        self.0.as_deref().expect("a tracked file until persisted")
    }

    /// Renames the file to `dest`.
    pub fn persist(mut self, dest: &Path) -> io::Result<()> {
        let mut live = live();
        let path = self.0.take().expect("a tracked file until persisted");
        forget(&mut live, &path);
        path.persist(dest).map_err(|e| e.error)
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let mut live = live();
            forget(&mut live, &path);
            drop(path);
        }
    }
}

fn forget(live: &mut Vec<PathBuf>, path: &Path) {
    if let Some(at) = live.iter().rposition(|p| p == path) {
        live.swap_remove(at);
    }
}

/// Starts the thread that waits for SIGINT, SIGTERM and SIGHUP, deletes every
/// [`Tracked`] file and exits with 128 + the signal. `message` is printed on stderr first
/// (after a line break when stderr is a terminal, which may hold a progress bar). A signal
/// the process was started ignoring stays ignored: SIGHUP under `nohup`, SIGINT in a
/// background job of a script.
#[cfg(unix)]
pub fn remove_on_signal(message: &'static str) -> io::Result<()> {
    use signal_hook::consts::signal::{SIGHUP, SIGINT, SIGTERM};
    use std::io::{IsTerminal, Write};
    let Some(ignored) = ignored_signals() else {
        return Ok(());
    };
    let wanted = [SIGINT, SIGTERM, SIGHUP];
    let wanted = wanted
        .into_iter()
        .filter(|&s| ignored & (1 << (s - 1)) == 0);
    let mut signals = signal_hook::iterator::Signals::new(wanted)?;
    std::thread::Builder::new()
        .name("deboil-signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                // Held until exit: no file is renamed into place after this.
                let live = live();
                for path in live.iter() {
                    let _ = std::fs::remove_file(path);
                }
                let lead = if io::stderr().is_terminal() { "\n" } else { "" };
                // Not `eprintln!`, which panics when stderr is closed: exit regardless.
                let _ = writeln!(io::stderr(), "{lead}{message}");
                std::process::exit(128 + signal);
            }
        })?;
    Ok(())
}

/// The signals this process ignores, bit `n - 1` for signal `n` (Linux's
/// `/proc/self/status`); `None` where that cannot be read, and then no signal is caught.
#[cfg(unix)]
fn ignored_signals() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_ignored(&status)
}

/// The `SigIgn:` mask of a `/proc/PID/status` text.
#[cfg(unix)]
fn parse_ignored(status: &str) -> Option<u64> {
    let line = status.lines().find_map(|l| l.strip_prefix("SigIgn:"))?;
    u64::from_str_radix(line.trim(), 16).ok()
}

/// Elsewhere a signal ends the process as it would without deboil.
#[cfg(not(unix))]
pub fn remove_on_signal(_message: &'static str) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(path: &Path) -> bool {
        live().iter().any(|p| p == path)
    }

    #[test]
    fn a_file_is_listed_until_dropped_and_deleted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let tmp = tempfile::NamedTempFile::new_in(dir.path()).expect("tempfile");
        let path = tmp.path().to_path_buf();
        let tracked = Tracked::new(tmp.into_temp_path());
        assert!(listed(&path));
        assert_eq!(tracked.path(), path);
        drop(tracked);
        assert!(!listed(&path));
        assert!(!path.exists());
    }

    #[cfg(unix)]
    #[test]
    fn ignored_signals_are_read_from_the_status_mask() {
        let status = "Name:\tdeboil\nSigBlk:\t0000000000000000\nSigIgn:\t0000000000000003\n";
        let mask = parse_ignored(status).expect("a mask");
        // SIGHUP (1) and SIGINT (2) ignored, SIGTERM (15) not.
        assert_eq!(mask & 1, 1);
        assert_eq!(mask & 2, 2);
        assert_eq!(mask & (1 << 14), 0);
        assert_eq!(parse_ignored("Name:\tdeboil\n"), None);
    }

    #[test]
    fn a_persisted_file_is_not_listed_and_stays() {
        let dir = tempfile::tempdir().expect("tempdir");
        let tmp = tempfile::NamedTempFile::new_in(dir.path()).expect("tempfile");
        let path = tmp.path().to_path_buf();
        let dest = dir.path().join("out.jsonl");
        Tracked::new(tmp.into_temp_path())
            .persist(&dest)
            .expect("rename");
        assert!(!listed(&path));
        assert!(dest.exists());
        assert!(!path.exists());
    }
}
