//! Writing: an output file appears only when it is complete. Each output is written to a
//! temporary file beside its destination, its encoder is finished explicitly, and it is
//! renamed into place by [`Output::finish`]. An output dropped unfinished leaves nothing,
//! nor does a run stopped by a signal ([`super::interrupt`]).
//!
//! The codec is chosen by the destination's name: `.gz` is gzip, `.zst` is zstd, anything
//! else is plain; `-` is standard output.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use flate2::write::GzEncoder;

use super::interrupt::Tracked;
use super::writeback::Writeback;

const WRITE_BUFFER_BYTES: usize = 256 << 10;

/// Compression of an output, from its file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    Plain,
    Gzip,
    Zstd,
}

impl Codec {
    pub fn for_path(path: &Path) -> Codec {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("gz") => Codec::Gzip,
            Some(e) if e.eq_ignore_ascii_case("zst") || e.eq_ignore_ascii_case("zstd") => {
                Codec::Zstd
            }
            _ => Codec::Plain,
        }
    }
}

enum Sink {
    Plain(BufWriter<File>),
    Gzip(GzEncoder<BufWriter<File>>),
    Zstd(zstd::Encoder<'static, BufWriter<File>>),
    Stdout(BufWriter<io::Stdout>),
}

impl Sink {
    /// `file` written through `codec`.
    fn over(file: File, codec: Codec) -> io::Result<Sink> {
        let buffered = BufWriter::with_capacity(WRITE_BUFFER_BYTES, file);
        Ok(match codec {
            Codec::Plain => Sink::Plain(buffered),
            Codec::Gzip => Sink::Gzip(GzEncoder::new(buffered, flate2::Compression::new(6))),
            Codec::Zstd => Sink::Zstd(zstd::Encoder::new(buffered, 3)?),
        })
    }
}

/// Whether writing `path` means writing a stream rather than a file deboil makes: stdout
/// (`-`), or a path that exists and is neither a regular file nor a folder (a device such
/// as `/dev/null`, a named pipe, a process substitution's `/dev/fd/N`).
pub fn is_stream(path: &Path) -> bool {
    path.as_os_str() == "-" || std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// `path`, or the file it leads to when it is a symbolic link: an output written through a
/// link replaces the file the link points to (in that file's folder), not the link.
pub fn resolved(path: &Path) -> PathBuf {
    if !path.is_symlink() {
        return path.to_path_buf();
    }
    std::fs::canonicalize(path).unwrap_or_else(|_| {
        // A link to a file not made yet: the path it names, from the link's folder.
        match (std::fs::read_link(path), path.parent()) {
            (Ok(target), Some(folder)) => folder.join(target),
            (Ok(target), None) => target,
            (Err(_), _) => path.to_path_buf(),
        }
    })
}

/// The folder `path` is in (`.` for a bare name): where its temporary file is made.
pub fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// An output being written.
pub struct Output {
    sink: Sink,
    /// The temporary file and where it goes; `None` for stdout.
    target: Option<(Tracked, PathBuf)>,
    /// Bytes written to a plain file's buffer.
    written: u64,
    /// Sends a plain file's finished stretches to disk as they come ([`Output::hold`]
    /// stops it).
    writeback: Option<Writeback>,
}

impl Output {
    /// Starts writing `path` (or stdout for `-`). A path that exists and is not a regular
    /// file (`/dev/null`, a named pipe, `>(zstd -o x.zst)`) is a stream: written to
    /// directly, like stdout, never replaced by a renamed file.
    pub fn create(path: &Path) -> io::Result<Output> {
        if path.as_os_str() == "-" {
            return Ok(Output {
                sink: Sink::Stdout(BufWriter::with_capacity(WRITE_BUFFER_BYTES, io::stdout())),
                target: None,
                written: 0,
                writeback: None,
            });
        }
        if is_stream(path) {
            let file = std::fs::OpenOptions::new().write(true).open(path)?;
            return Ok(Output {
                sink: Sink::over(file, Codec::for_path(path))?,
                target: None,
                written: 0,
                writeback: None,
            });
        }
        let path = &resolved(path);
        let dir = folder_of(path);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        // A temporary file is private (0600); the output it becomes is created as
        // `File::create` would (0666 less the umask), like any other file of a batch job.
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let tmp = builder.tempfile_in(dir)?;
        let (file, tmp_path) = tmp.into_parts();
        let codec = Codec::for_path(path);
        let writeback = (codec == Codec::Plain).then(|| Writeback::new(&file));
        Ok(Output {
            sink: Sink::over(file, codec)?,
            target: Some((Tracked::new(tmp_path), path.to_path_buf())),
            written: 0,
            writeback,
        })
    }

    /// Keeps what is written in the page cache, not sent to disk early: for a file that
    /// is read back and changed before it is finished ([`super::held::Held`]).
    pub fn hold(mut self) -> Output {
        self.writeback = None;
        self
    }

    /// Counts `n` more bytes written and passes on what reached the file.
    fn wrote(&mut self, n: usize) {
        self.written += n as u64;
        if let (Some(wb), Sink::Plain(w)) = (&mut self.writeback, &self.sink) {
            wb.written(self.written - w.buffer().len() as u64);
        }
    }

    /// The file a plain output is written to (not a compressed one, nor a stream). What
    /// it holds lags what was written by the buffer until [`Write::flush`].
    pub fn plain_file(&self) -> Option<&File> {
        match (&self.sink, &self.target) {
            (Sink::Plain(w), Some(_)) => Some(w.get_ref()),
            _ => None,
        }
    }

    /// [`Output::plain_file`], to change what was written (after [`Write::flush`]).
    pub fn plain_file_mut(&mut self) -> Option<&mut File> {
        match (&mut self.sink, &self.target) {
            (Sink::Plain(w), Some(_)) => Some(w.get_mut()),
            _ => None,
        }
    }

    /// Finishes the encoder, flushes, and renames the file into place.
    pub fn finish(mut self) -> io::Result<()> {
        if let Some(wb) = self.writeback.take() {
            wb.finish();
        }
        let file = match self.sink {
            Sink::Plain(w) => Some(w.into_inner().map_err(io::IntoInnerError::into_error)?),
            Sink::Gzip(w) => Some(
                w.finish()?
                    .into_inner()
                    .map_err(io::IntoInnerError::into_error)?,
            ),
            Sink::Zstd(w) => Some(
                w.finish()?
                    .into_inner()
                    .map_err(io::IntoInnerError::into_error)?,
            ),
            Sink::Stdout(mut w) => {
                w.flush()?;
                None
            }
        };
        if let (Some(file), Some((tmp, dest))) = (file, self.target) {
            file.sync_all()?;
            drop(file);
            tmp.persist(&dest)?;
        }
        Ok(())
    }
}

/// Writes `bytes` as the whole of `path` (or stdout for `-`), through [`Output`].
pub fn write_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut out = Output::create(path)?;
    out.write_all(bytes)?;
    out.finish()
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.sink {
            Sink::Plain(w) => {
                let n = w.write(buf)?;
                self.wrote(n);
                Ok(n)
            }
            Sink::Gzip(w) => w.write(buf),
            Sink::Zstd(w) => w.write(buf),
            Sink::Stdout(w) => w.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &mut self.sink {
            Sink::Plain(w) => {
                w.write_all(buf)?;
                self.wrote(buf.len());
                Ok(())
            }
            Sink::Gzip(w) => w.write_all(buf),
            Sink::Zstd(w) => w.write_all(buf),
            Sink::Stdout(w) => w.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.sink {
            Sink::Plain(w) => w.flush(),
            Sink::Gzip(w) => w.flush(),
            Sink::Zstd(w) => w.flush(),
            Sink::Stdout(w) => w.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn output_appears_only_when_finished() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out.jsonl");
        let mut out = Output::create(&path).expect("create");
        out.write_all(b"{}\n").expect("write");
        assert!(!path.exists());
        out.finish().expect("finish");
        assert_eq!(std::fs::read(&path).expect("read"), b"{}\n");

        let abandoned = dir.path().join("gone.jsonl");
        let mut out = Output::create(&abandoned).expect("create");
        out.write_all(b"half").expect("write");
        drop(out);
        assert!(!abandoned.exists());
        assert_eq!(std::fs::read_dir(dir.path()).expect("ls").count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn an_output_through_a_link_replaces_what_it_points_to() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (real, links) = (dir.path().join("real"), dir.path().join("links"));
        std::fs::create_dir_all(&real).expect("mkdir");
        std::fs::create_dir_all(&links).expect("mkdir");
        std::fs::write(real.join("old.jsonl"), "stale\n").expect("write");
        std::os::unix::fs::symlink("../real/old.jsonl", links.join("old.jsonl")).expect("link");
        // A link to a file not made yet.
        std::os::unix::fs::symlink("../real/new.jsonl", links.join("new.jsonl")).expect("link");
        for name in ["old.jsonl", "new.jsonl"] {
            let link = links.join(name);
            let mut out = Output::create(&link).expect("create");
            out.write_all(b"{}\n").expect("write");
            out.finish().expect("finish");
            assert!(link.is_symlink(), "{name}: the link was replaced");
            assert_eq!(std::fs::read(real.join(name)).expect("read"), b"{}\n");
        }
        let names = |d: &Path| std::fs::read_dir(d).expect("ls").count();
        assert_eq!(
            (names(&real), names(&links)),
            (2, 2),
            "no temporary file left"
        );
    }

    #[cfg(unix)]
    #[test]
    fn outputs_get_the_permissions_of_any_new_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let mode = |p: &Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
        let plain = dir.path().join("plain.txt");
        std::fs::File::create(&plain).expect("create");
        let path = dir.path().join("out.jsonl");
        Output::create(&path)
            .expect("create")
            .finish()
            .expect("finish");
        // 0644 under umask 022, where a temporary file is 0600.
        assert_eq!(mode(&path), mode(&plain));
    }

    /// A plain output large enough for early writeback holds what was written, whether
    /// through `write` or `write_all`.
    #[test]
    fn an_output_sent_to_disk_early_holds_what_was_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("big.jsonl");
        let mut out = Output::create(&path).expect("create");
        let mut want = Vec::new();
        for i in 0..5000u32 {
            let line = format!(
                "{{\"n\":{i},\"pad\":\"{}\"}}\n",
                "x".repeat(i as usize % 300)
            );
            if i % 2 == 0 {
                out.write_all(line.as_bytes()).expect("write_all");
                want.extend_from_slice(line.as_bytes());
            } else {
                let n = out.write(line.as_bytes()).expect("write");
                want.extend_from_slice(&line.as_bytes()[..n]);
            }
        }
        assert!(want.len() > 2 * WRITE_BUFFER_BYTES, "past the write buffer");
        out.finish().expect("finish");
        assert!(std::fs::read(&path).expect("read") == want);
    }

    #[test]
    fn compressed_outputs_round_trip() {
        let dir = tempfile::tempdir().expect("tempdir");
        for name in ["o.jsonl.gz", "o.jsonl.zst"] {
            let path = dir.path().join(name);
            let mut out = Output::create(&path).expect("create");
            out.write_all(b"hello\n").expect("write");
            out.finish().expect("finish");
            let mut text = String::new();
            crate::io::read::open_decoded(&path, Default::default())
                .expect("open")
                .read_to_string(&mut text)
                .expect("decode");
            assert_eq!(text, "hello\n", "{name}");
        }
    }
}
