//! A temporary file of length-prefixed frames, written in pass 1 and read back in the
//! same order in pass 2, so that pass 2 does not fingerprint every line again. It lives
//! beside the output (or in the system's temporary folder for stdout) and is deleted when
//! dropped.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

const BUFFER_BYTES: usize = 1 << 20;

/// Frames being written.
pub struct SpillWriter {
    file: BufWriter<File>,
    bytes: u64,
}

impl SpillWriter {
    /// Creates an anonymous temporary file in `dir` (the system's when `None`).
    pub fn create(dir: Option<&Path>) -> io::Result<SpillWriter> {
        let file = match dir {
            Some(dir) => tempfile::tempfile_in(dir)?,
            None => tempfile::tempfile()?,
        };
        Ok(SpillWriter {
            file: BufWriter::with_capacity(BUFFER_BYTES, file),
            bytes: 0,
        })
    }

    /// Appends one frame.
    pub fn push(&mut self, frame: &[u8]) -> io::Result<()> {
        let len = u32::try_from(frame.len())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "spill frame over 4 GiB"))?;
        self.file.write_all(&len.to_le_bytes())?;
        self.file.write_all(frame)?;
        self.bytes += 4 + frame.len() as u64;
        Ok(())
    }

    /// Bytes written so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Flushes and rewinds, for reading the frames back in order.
    pub fn into_reader(self) -> io::Result<SpillReader> {
        let mut file = self
            .file
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        file.seek(SeekFrom::Start(0))?;
        Ok(SpillReader {
            file: BufReader::with_capacity(BUFFER_BYTES, file),
        })
    }
}

/// Frames being read back.
pub struct SpillReader {
    file: BufReader<File>,
}

impl SpillReader {
    /// Starts again from the first frame.
    pub fn rewind(&mut self) -> io::Result<()> {
        self.file.seek(SeekFrom::Start(0)).map(|_| ())
    }

    /// The next frame's length; `None` at the end.
    fn next_len(&mut self) -> io::Result<Option<u32>> {
        let mut len = [0u8; 4];
        match self.file.read_exact(&mut len) {
            Ok(()) => Ok(Some(u32::from_le_bytes(len))),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Passes over the next frame without reading it; `false` at the end.
    pub fn skip(&mut self) -> io::Result<bool> {
        let Some(len) = self.next_len()? else {
            return Ok(false);
        };
        self.file.seek_relative(i64::from(len))?;
        Ok(true)
    }

    /// The next frame, into `frame` (cleared first); `false` at the end.
    pub fn next_into(&mut self, frame: &mut Vec<u8>) -> io::Result<bool> {
        frame.clear();
        let Some(len) = self.next_len()? else {
            return Ok(false);
        };
        frame.resize(len as usize, 0);
        self.file.read_exact(frame)?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_come_back_in_order() {
        let mut w = SpillWriter::create(None).expect("create");
        w.push(b"one").expect("push");
        w.push(b"").expect("push");
        w.push(&[7u8; 70_000]).expect("push");
        assert_eq!(w.bytes(), 4 + 3 + 4 + 4 + 70_000);
        let mut r = w.into_reader().expect("reader");
        let mut frame = Vec::new();
        assert!(r.next_into(&mut frame).expect("read"));
        assert_eq!(frame, b"one");
        assert!(r.next_into(&mut frame).expect("read"));
        assert!(frame.is_empty());
        assert!(r.next_into(&mut frame).expect("read"));
        assert_eq!(frame.len(), 70_000);
        assert!(!r.next_into(&mut frame).expect("read"));
        r.rewind().expect("rewind");
        assert!(r.skip().expect("skip"));
        assert!(r.skip().expect("skip"));
        assert!(r.next_into(&mut frame).expect("read"));
        assert_eq!(frame.len(), 70_000);
        assert!(!r.skip().expect("skip"));
        r.rewind().expect("rewind");
        assert!(r.next_into(&mut frame).expect("read"));
        assert_eq!(frame, b"one");
    }
}
