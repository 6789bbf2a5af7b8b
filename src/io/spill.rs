//! A temporary file of length-prefixed frames, written in pass 1 and read back in the
//! same order in pass 2, so that pass 2 does not fingerprint every line again. It lives
//! beside the output (or in the system's temporary folder for stdout) and is deleted when
//! dropped.
//!
//! Frames are read once: on Linux, what has been read is given back as the reading goes
//! (a hole is punched in the file every `DISCARD_BYTES`), so that its pages are free
//! for the outputs pass 2 writes, and are never written to disk (the kernel writes a
//! dirty page after 30 seconds, even of a file that is about to be deleted).

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

const BUFFER_BYTES: usize = 1 << 20;

/// Bytes read between two holes (a multiple of the page size).
#[cfg(not(test))]
const DISCARD_BYTES: u64 = 32 << 20;
/// Small in tests, so that they punch holes.
#[cfg(test)]
const DISCARD_BYTES: u64 = 8 << 10;

/// Frames being written.
pub struct SpillWriter {
    file: BufWriter<File>,
    bytes: u64,
}

impl SpillWriter {
    /// Creates an anonymous temporary file in `dir` (the system's when `None`).
    pub fn create(dir: Option<&Path>) -> io::Result<SpillWriter> {
        let file = super::temp_file(dir)?;
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
            read: 0,
            discarded: 0,
        })
    }
}

/// Frames being read back, once, in order.
pub struct SpillReader {
    file: BufReader<File>,
    /// Bytes of the file passed so far.
    read: u64,
    /// Bytes at the start of the file given back (a multiple of the page size).
    discarded: u64,
}

impl SpillReader {
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
        self.passed(len);
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
        self.passed(len);
        Ok(true)
    }

    /// Counts a frame of `len` bytes passed, and gives back what was read once there is
    /// `DISCARD_BYTES` of it: every byte before `read` is in memory or past, so
    /// nothing that is still to be read is lost. A file system that cannot punch holes
    /// keeps the bytes; nothing else changes.
    fn passed(&mut self, len: u32) {
        self.read += 4 + u64::from(len);
        if self.read < self.discarded + DISCARD_BYTES {
            return;
        }
        let upto = self.read / DISCARD_BYTES * DISCARD_BYTES;
        #[cfg(target_os = "linux")]
        {
            use rustix::fs::{FallocateFlags, fallocate};
            let flags = FallocateFlags::PUNCH_HOLE | FallocateFlags::KEEP_SIZE;
            let _ = fallocate(
                self.file.get_ref(),
                flags,
                self.discarded,
                upto - self.discarded,
            );
        }
        self.discarded = upto;
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
        w.push(b"four").expect("push");
        assert_eq!(w.bytes(), 4 + 3 + 4 + 4 + 70_000 + 4 + 4);
        let mut r = w.into_reader().expect("reader");
        let mut frame = Vec::new();
        assert!(r.next_into(&mut frame).expect("read"));
        assert_eq!(frame, b"one");
        assert!(r.skip().expect("skip"));
        assert!(r.skip().expect("skip"));
        assert!(r.next_into(&mut frame).expect("read"));
        assert_eq!(frame, b"four");
        assert!(!r.next_into(&mut frame).expect("read"));
        assert!(!r.skip().expect("skip"));
    }

    /// Whether the system's temporary folder can punch holes (a file system that cannot
    /// keeps the bytes, and only the test of what is given back has nothing to see).
    #[cfg(target_os = "linux")]
    fn punches_holes() -> bool {
        use rustix::fs::{FallocateFlags, fallocate};
        let file = tempfile::tempfile().expect("tempfile");
        let flags = FallocateFlags::PUNCH_HOLE | FallocateFlags::KEEP_SIZE;
        std::io::Write::write_all(&mut &file, &[1; 8192]).expect("write");
        fallocate(&file, flags, 0, 4096).is_ok()
    }

    /// Frames of every size, read or skipped, come back whole while what was read is
    /// given back: the file ends up holding (almost) nothing on disk.
    #[test]
    fn what_was_read_is_given_back_and_the_rest_is_whole() {
        let frames: Vec<Vec<u8>> = (0..400u32)
            .map(|i| (0..(i * 37 % 3000)).map(|j| (i + j) as u8).collect())
            .collect();
        let mut w = SpillWriter::create(None).expect("create");
        for f in &frames {
            w.push(f).expect("push");
        }
        let total = w.bytes();
        let mut r = w.into_reader().expect("reader");
        let mut frame = Vec::new();
        for (i, f) in frames.iter().enumerate() {
            if i % 5 == 4 {
                assert!(r.skip().expect("skip"));
            } else {
                assert!(r.next_into(&mut frame).expect("read"));
                assert!(&frame == f, "frame {i}");
            }
        }
        assert!(!r.next_into(&mut frame).expect("read"));
        assert_eq!(r.discarded, total / DISCARD_BYTES * DISCARD_BYTES);
        #[cfg(target_os = "linux")]
        if punches_holes() {
            use std::os::unix::fs::MetadataExt;
            let on_disk = r.file.get_ref().metadata().expect("stat").blocks() * 512;
            assert!(
                on_disk <= total - r.discarded + 4096,
                "{on_disk} bytes on disk of {total}, {} given back",
                r.discarded
            );
        }
    }
}
