//! Clean records held back in pass 2 until pass 3 knows which of them are copies.
//!
//! Each record is written once, back to back with the others. When the clean output is a
//! plain file, that is its own temporary file, and [`Held::finish`] cuts the copies out of
//! it in place: the bytes after each copy move down over it, in the page cache. Otherwise
//! (a compressed output, stdout) they go to an anonymous temporary file, and
//! [`Held::finish`] writes what is not cut through the output's encoder. Either way no
//! clean record is written to a new file twice, and an interrupted run leaves no output.

use std::fs::File;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::ops::Range;
use std::path::Path;

use super::write::Output;
use super::writeback::Writeback;
use super::{read_exact_at, temp_file};

const BUFFER_BYTES: usize = 1 << 20;

/// Records written so far, and where.
pub struct Held {
    out: Output,
    /// `None` when the records go straight into `out`'s file.
    spill: Option<BufWriter<File>>,
    len: u64,
}

impl Held {
    /// Holds records for `out`: in its own file when it is a plain file, else in a
    /// temporary file in `spill_dir` (the system's when `None`).
    pub fn new(out: Output, spill_dir: Option<&Path>) -> io::Result<Held> {
        let (out, spill) = if out.plain_file().is_some() {
            (out.hold(), None)
        } else {
            let file = temp_file(spill_dir)?;
            (out, Some(BufWriter::with_capacity(BUFFER_BYTES, file)))
        };
        Ok(Held { out, spill, len: 0 })
    }

    /// Appends a record; returns where it starts.
    pub fn push(&mut self, record: &[u8]) -> io::Result<u64> {
        match &mut self.spill {
            Some(spill) => spill.write_all(record)?,
            None => self.out.write_all(record)?,
        }
        let at = self.len;
        self.len += record.len() as u64;
        Ok(at)
    }

    /// Bytes held.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Writes out what is buffered, so that [`Held::read_at`] sees every record pushed.
    pub fn seal(&mut self) -> io::Result<()> {
        match &mut self.spill {
            Some(spill) => spill.flush(),
            None => self.out.flush(),
        }
    }

    /// Fills `buf` with the held bytes from `offset` on (after [`Held::seal`]).
    pub fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        let file = match &self.spill {
            Some(spill) => spill.get_ref(),
            None => (self.out.plain_file()).ok_or_else(|| io::Error::other("no held file"))?,
        };
        read_exact_at(file, buf, offset)
    }

    /// The output holding every record but the bytes in `cut` (ascending, disjoint ranges
    /// of what was pushed), still to be finished.
    pub fn finish(mut self, cut: &[Range<u64>]) -> io::Result<Output> {
        check_cuts(cut, self.len)?;
        self.seal()?;
        match self.spill.take() {
            None => {
                let file =
                    (self.out.plain_file_mut()).ok_or_else(|| io::Error::other("no held file"))?;
                let len = cut_in_place(file, self.len, cut)?;
                file.set_len(len)?;
                file.seek(SeekFrom::Start(len))?;
            }
            Some(spill) => {
                let file = spill.into_inner().map_err(io::IntoInnerError::into_error)?;
                let mut buf = vec![0; BUFFER_BYTES];
                for range in kept(cut, self.len) {
                    copy_range(&file, range, &mut buf, |bytes, _| self.out.write_all(bytes))?;
                }
            }
        }
        Ok(self.out)
    }
}

fn check_cuts(cut: &[Range<u64>], len: u64) -> io::Result<()> {
    let mut end = 0;
    for r in cut {
        if r.start < end || r.end < r.start || r.end > len {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("cut {r:?} is not ascending within {len} held bytes"),
            ));
        }
        end = r.end;
    }
    Ok(())
}

/// The ranges of `0..len` outside `cut`, in order.
fn kept(cut: &[Range<u64>], len: u64) -> impl Iterator<Item = Range<u64>> + '_ {
    let starts = std::iter::once(0).chain(cut.iter().map(|r| r.end));
    let ends = cut.iter().map(|r| r.start).chain(std::iter::once(len));
    starts
        .zip(ends)
        .map(|(a, b)| a..b)
        .filter(|r| !r.is_empty())
}

/// Reads `range` of `file` a buffer at a time, handing each piece and its offset to `put`.
fn copy_range(
    file: &File,
    range: Range<u64>,
    buf: &mut [u8],
    mut put: impl FnMut(&[u8], u64) -> io::Result<()>,
) -> io::Result<()> {
    let mut at = range.start;
    while at < range.end {
        let n = buf.len().min((range.end - at) as usize);
        read_exact_at(file, &mut buf[..n], at)?;
        put(&buf[..n], at)?;
        at += n as u64;
    }
    Ok(())
}

/// Writes at an offset, as [`read_exact_at`] reads.
fn write_all_at(file: &File, buf: &[u8], at: u64) -> io::Result<()> {
    #[cfg(unix)]
    return std::os::unix::fs::FileExt::write_all_at(file, buf, at);
    #[cfg(not(unix))]
    {
        let mut file = file;
        file.seek(SeekFrom::Start(at))?;
        file.write_all(buf)
    }
}

/// Moves the bytes of `file`'s first `len` outside `cut` down over the cut ones; returns
/// how many there are. What comes before the first cut does not move. What is final is
/// sent to disk as the cut goes ([`Writeback`]).
fn cut_in_place(file: &File, len: u64, cut: &[Range<u64>]) -> io::Result<u64> {
    // Nothing moves: the flush that follows writes it all, with nothing to overlap.
    let Some(first) = cut.first() else {
        return Ok(len);
    };
    let mut writeback = Writeback::new(file);
    let mut to = first.start;
    writeback.written(to);
    let mut buf = vec![0; BUFFER_BYTES];
    for range in kept(cut, len).filter(|r| r.start >= first.end) {
        // Every read is ahead of every write so far, so nothing is overwritten unread.
        let shift = range.start - to;
        copy_range(file, range.clone(), &mut buf, |bytes, at| {
            write_all_at(file, bytes, at - shift)?;
            writeback.written(at - shift + bytes.len() as u64);
            Ok(())
        })?;
        to += range.end - range.start;
    }
    writeback.finish();
    Ok(to)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::io::Read;

    /// Holds `records` for an output named `name`, cuts those `cut_these` flags, finishes,
    /// and returns what the output holds (and what read_at saw before the cut).
    fn run(name: &str, records: &[Vec<u8>], cut_these: &[bool]) -> (Vec<u8>, Vec<Vec<u8>>) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(name);
        let mut held =
            Held::new(Output::create(&path).expect("create"), Some(dir.path())).expect("held");
        let mut ranges = Vec::new();
        for r in records {
            let at = held.push(r).expect("push");
            ranges.push(at..at + r.len() as u64);
        }
        assert_eq!(held.len(), ranges.last().map_or(0, |r| r.end));
        held.seal().expect("seal");
        let read_back: Vec<Vec<u8>> = ranges
            .iter()
            .map(|r| {
                let mut buf = vec![0; (r.end - r.start) as usize];
                held.read_at(r.start, &mut buf).expect("read_at");
                buf
            })
            .collect();
        let cut: Vec<Range<u64>> = (ranges.iter().zip(cut_these))
            .filter(|(_, c)| **c)
            .map(|(r, _)| r.clone())
            .collect();
        held.finish(&cut)
            .expect("finish")
            .finish()
            .expect("finish output");
        let mut got = Vec::new();
        crate::io::read::open_decoded(&path, Default::default())
            .expect("open")
            .read_to_end(&mut got)
            .expect("read");
        // Nothing else is left behind: the output's and the spill's temporary files are gone.
        assert_eq!(std::fs::read_dir(dir.path()).expect("ls").count(), 1);
        (got, read_back)
    }

    #[test]
    fn copies_are_cut_out_of_plain_and_compressed_outputs() {
        let records: Vec<Vec<u8>> = ["{\"a\":1}\n", "{\"b\":2}\n", "{\"c\":3}\n", "{\"d\":4}\n"]
            .iter()
            .map(|s| s.as_bytes().to_vec())
            .collect();
        for name in ["o.jsonl", "o.jsonl.gz", "o.jsonl.zst"] {
            let (got, read_back) = run(name, &records, &[false, true, false, true]);
            assert_eq!(got, b"{\"a\":1}\n{\"c\":3}\n", "{name}");
            assert_eq!(read_back, records, "{name}");
            let (got, _) = run(name, &records, &[true, false, false, false]);
            assert_eq!(got, b"{\"b\":2}\n{\"c\":3}\n{\"d\":4}\n", "{name}");
            let (got, _) = run(name, &records, &[false; 4]);
            assert_eq!(got, records.concat(), "{name}");
            let (got, _) = run(name, &records, &[true; 4]);
            assert!(got.is_empty(), "{name}");
        }
    }

    #[test]
    fn cuts_must_be_ascending_and_within_what_is_held() {
        let dir = tempfile::tempdir().expect("tempdir");
        let backwards = Range { start: 3, end: 2 };
        for cut in [vec![2..4, 1..2], vec![0..4, 6..9], vec![backwards]] {
            let out = Output::create(&dir.path().join("o.jsonl")).expect("create");
            let mut held = Held::new(out, None).expect("held");
            held.push(b"12345678").expect("push");
            let e = held.finish(&cut).err().expect("refused");
            assert_eq!(e.kind(), io::ErrorKind::InvalidInput, "{cut:?}");
        }
        // Nothing was finished, so nothing appeared.
        assert_eq!(std::fs::read_dir(dir.path()).expect("ls").count(), 0);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// Records longer than the copy buffer too, so that moves cross buffer bounds.
        #[test]
        fn what_is_left_is_the_uncut_records_in_order(
            recs in proptest::collection::vec(
                (0usize..3 * BUFFER_BYTES / 2, any::<u8>(), any::<bool>()), 0..6)
        ) {
            let records: Vec<Vec<u8>> = recs.iter().map(|&(n, b, _)| {
                let n = if n % 3 == 0 { n } else { n % 50 };
                (0..n).map(|i| b.wrapping_add(i as u8)).collect()
            }).collect();
            let cut_these: Vec<bool> = recs.iter().map(|r| r.2).collect();
            let want: Vec<u8> = records.iter().zip(&cut_these)
                .filter(|(_, c)| !**c).flat_map(|(r, _)| r.clone()).collect();
            for name in ["o.jsonl", "o.jsonl.zst"] {
                let (got, read_back) = run(name, &records, &cut_these);
                prop_assert_eq!(&got, &want);
                prop_assert_eq!(&read_back, &records);
            }
        }
    }
}
