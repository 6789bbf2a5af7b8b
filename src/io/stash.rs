//! A temporary file of byte strings, each written once and read back by its place any
//! number of times, in any order: the shingle sets pass 3 keeps out of memory once they
//! outgrow `--verify-memory` ([`crate::dedup::Recalled`] decides which to read back). It
//! lives beside the output (or in the system's temporary folder for stdout) and is
//! deleted when dropped.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use super::read_exact_at;

const BUFFER_BYTES: usize = 1 << 20;

/// Where a stashed string is: its offset and length in bytes.
pub type Place = (u64, u32);

/// Strings being written.
pub struct Stash {
    file: BufWriter<File>,
    bytes: u64,
}

impl Stash {
    /// Creates an anonymous temporary file in `dir` (the system's when `None`).
    pub fn create(dir: Option<&Path>) -> io::Result<Stash> {
        let file = super::temp_file(dir)?;
        Ok(Stash {
            file: BufWriter::with_capacity(BUFFER_BYTES, file),
            bytes: 0,
        })
    }

    /// Appends `bytes`; returns where they are.
    pub fn push(&mut self, bytes: &[u8]) -> io::Result<Place> {
        let len = u32::try_from(bytes.len()).map_err(|_| {
            io::Error::new(io::ErrorKind::InvalidInput, "stashed string over 4 GiB")
        })?;
        self.file.write_all(bytes)?;
        let at = self.bytes;
        self.bytes += u64::from(len);
        Ok((at, len))
    }

    /// Bytes written so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Flushes, for reading back.
    pub fn seal(self) -> io::Result<Sealed> {
        let file = self
            .file
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        Ok(Sealed { file })
    }
}

/// Strings written, to read back.
pub struct Sealed {
    file: File,
}

impl Sealed {
    /// The string at `place`, into `buf` (resized to it).
    pub fn read(&self, (at, len): Place, buf: &mut Vec<u8>) -> io::Result<()> {
        buf.resize(len as usize, 0);
        read_exact_at(&self.file, buf, at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_come_back_by_place_in_any_order() {
        let strings: Vec<Vec<u8>> = (0..300u32)
            .map(|i| (0..(i * 53 % 9000)).map(|j| (i ^ j) as u8).collect())
            .collect();
        let mut stash = Stash::create(None).expect("create");
        let places: Vec<Place> = (strings.iter())
            .map(|s| stash.push(s).expect("push"))
            .collect();
        let total: usize = strings.iter().map(Vec::len).sum();
        assert_eq!(stash.bytes(), total as u64);
        let sealed = stash.seal().expect("seal");
        let mut buf = vec![1, 2, 3];
        for i in (0..strings.len()).rev().chain([7, 7, 0]) {
            sealed.read(places[i], &mut buf).expect("read");
            assert!(buf == strings[i], "string {i}");
        }
        // A place past the end is an error, not a short string.
        assert!(sealed.read((total as u64 - 2, 5), &mut buf).is_err());
    }
}
