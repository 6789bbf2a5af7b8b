//! The only place besides [`crate::pipeline`] that touches files: reading inputs (codec by
//! magic bytes, folders, stdin), writing outputs (temporary file, explicit finish,
//! rename), the spill file that carries fingerprints from pass 1 to pass 2, the clean
//! records held from pass 2 to pass 3, the shingle sets stashed for pass 3 when they
//! outgrow their memory, early writeback of outputs (a thread that only asks the kernel
//! to start writing), and the temporary files a signal removes (a thread that waits for
//! it).

use std::fs::File;
use std::io;
use std::path::Path;

pub mod held;
pub mod interrupt;
pub mod read;
pub mod spill;
pub mod stash;
pub mod write;
pub mod writeback;

/// An anonymous temporary file in `dir` (the system's temporary folder when `None`),
/// deleted when closed.
fn temp_file(dir: Option<&Path>) -> io::Result<File> {
    match dir {
        Some(dir) => tempfile::tempfile_in(dir),
        None => tempfile::tempfile(),
    }
}

/// Reads at an offset: `pread` on Unix, elsewhere a seek and a read (pass 3 reads held
/// records and stashed sets from one thread, and nothing is written to either file then;
/// [`held::Held::finish`] seeks to the end it leaves).
fn read_exact_at(file: &File, buf: &mut [u8], at: u64) -> io::Result<()> {
    #[cfg(unix)]
    return std::os::unix::fs::FileExt::read_exact_at(file, buf, at);
    #[cfg(not(unix))]
    {
        use std::io::{Read, Seek, SeekFrom};
        let mut file = file;
        file.seek(SeekFrom::Start(at))?;
        file.read_exact(buf)
    }
}
