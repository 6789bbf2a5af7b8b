//! Reading: which files the command line names, how each is decoded, and the records in
//! them, in input order.
//!
//! Folders are walked recursively in sorted order (hidden entries skipped, and the run's
//! own outputs, which a run before it may have left there); `-` is stdin,
//! spooled to a temporary file so that the second pass can read it again, as is a named
//! input that is not a regular file (a pipe). gzip and zstd are recognised by their magic
//! bytes whatever the file is called. A `.jsonl`, `.json` or `.ndjson` file holds one JSON
//! record per line; a `.txt` file is one document; any other file is JSONL when its first
//! non-blank byte is `{`, and one document otherwise.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use flate2::read::MultiGzDecoder;

use crate::document::RecordError;

const READ_BUFFER_BYTES: usize = 256 << 10;

/// A command-line input that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// `error` is not a `source`: the message already says it, and `{:#}` would say it twice.
    #[error("{path}: {error}")]
    Unreadable { path: String, error: io::Error },
    #[error("{path}: {message}")]
    Walk { path: String, message: String },
    #[error("reading stdin: {0}")]
    Stdin(io::Error),
    #[error("no input files found")]
    NoFiles,
}

/// How a file's records are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One JSON record per line.
    Jsonl,
    /// The whole file is one document.
    Text,
}

/// One input file.
#[derive(Debug, Clone)]
pub struct InputFile {
    /// Where to read it.
    pub path: PathBuf,
    /// How errors name it (`<stdin>` for stdin).
    pub display: String,
    /// The id of a text document: the path relative to the folder given, or as given.
    pub id: String,
    /// Size on disk (compressed), for progress.
    pub bytes: u64,
    /// When the file was last changed, as found; `None` for a copy of stdin or a pipe,
    /// which nothing else changes.
    pub modified: Option<SystemTime>,
}

/// All input files, in input order.
#[derive(Debug)]
pub struct Inputs {
    pub files: Vec<InputFile>,
    /// Files found in a folder that are outputs of this run (their flag and path as
    /// found), left out.
    pub skipped: Vec<(&'static str, String)>,
    /// Keeps the spool files of stdin and of pipes alive until the run ends.
    _spooled: Vec<super::interrupt::Tracked>,
}

impl Inputs {
    pub fn total_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.bytes).sum()
    }

    /// The files whose size or time of change is no longer what it was when they were
    /// found: changed (a crawler still writing, a file replaced) while the passes read
    /// them, so that the passes may have read different records.
    pub fn changed(&self) -> Vec<&InputFile> {
        (self.files.iter())
            .filter(|f| {
                f.modified.is_some_and(|then| {
                    std::fs::metadata(&f.path).map_or(true, |m| {
                        m.len() != f.bytes || m.modified().ok() != Some(then)
                    })
                })
            })
            .collect()
    }
}

/// Resolves the command line's inputs. Every named path must exist and be readable.
/// stdin (`-`) and any named input that is not a regular file (a named pipe, a process
/// substitution such as `<(zcat a.gz)`, `/dev/stdin`) are read once into a temporary file,
/// since the passes read each input twice; errors still name them as given.
///
/// A file in a folder that is one of `outputs` (flag, path) is left out and listed in
/// [`Inputs::skipped`]: run again, a command whose output sits in its input folder would
/// otherwise read its last output (and clean it into the file it is reading).
pub fn discover(args: &[PathBuf], outputs: &[(&'static str, &Path)]) -> Result<Inputs, InputError> {
    let outputs = OwnOutputs::of(outputs);
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let mut spooled = Vec::new();
    let mut stdin_read = false;
    for arg in args {
        if arg.as_os_str() == "-" {
            if std::mem::replace(&mut stdin_read, true) {
                continue;
            }
            let (spool, bytes) = spool(&mut io::stdin().lock()).map_err(InputError::Stdin)?;
            files.push(InputFile {
                path: spool.path().to_path_buf(),
                display: "<stdin>".into(),
                id: "stdin".into(),
                bytes,
                modified: None,
            });
            spooled.push(spool);
            continue;
        }
        let display = arg.display().to_string();
        let unreadable = |error| InputError::Unreadable {
            path: display.clone(),
            error,
        };
        let meta = std::fs::metadata(arg).map_err(unreadable)?;
        if meta.is_dir() {
            walk(arg, &outputs, &mut files, &mut skipped)?;
        } else if meta.is_file() {
            check_readable(arg, &display)?;
            files.push(InputFile {
                path: arg.clone(),
                display: display.clone(),
                id: display,
                bytes: meta.len(),
                modified: meta.modified().ok(),
            });
        } else {
            let (spool, bytes) = File::open(arg)
                .and_then(|mut f| spool(&mut f))
                .map_err(unreadable)?;
            files.push(InputFile {
                path: spool.path().to_path_buf(),
                display: display.clone(),
                id: display,
                bytes,
                modified: None,
            });
            spooled.push(spool);
        }
    }
    if files.is_empty() {
        return Err(InputError::NoFiles);
    }
    Ok(Inputs {
        files,
        skipped,
        _spooled: spooled,
    })
}

/// The run's outputs that exist already, by what file they are, with their flags.
struct OwnOutputs {
    found: Vec<(&'static str, FileId)>,
}

/// What file a path leads to, whatever the path: a link or another name for an output is
/// still the output.
#[cfg(unix)]
type FileId = (u64, u64);

#[cfg(unix)]
fn file_id(_: &Path, meta: &std::fs::Metadata) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
type FileId = PathBuf;

#[cfg(not(unix))]
fn file_id(path: &Path, _: &std::fs::Metadata) -> Option<FileId> {
    path.canonicalize().ok()
}

impl OwnOutputs {
    fn of(outputs: &[(&'static str, &Path)]) -> OwnOutputs {
        let found = (outputs.iter())
            .filter_map(|&(flag, path)| {
                let meta = std::fs::metadata(path).ok()?;
                Some((flag, file_id(path, &meta)?))
            })
            .collect();
        OwnOutputs { found }
    }

    /// The flag of the output the file at `path` (of metadata `meta`) is, if it is one.
    fn flag_of(&self, path: &Path, meta: &std::fs::Metadata) -> Option<&'static str> {
        if self.found.is_empty() {
            return None;
        }
        let id = file_id(path, meta)?;
        let (flag, _) = self.found.iter().find(|(_, found)| *found == id)?;
        Some(flag)
    }
}

/// Copies `from` to a temporary file in the system's temporary folder, removed when the run
/// ends or is stopped by a signal; returns it and the bytes copied.
fn spool(from: &mut impl Read) -> io::Result<(super::interrupt::Tracked, u64)> {
    let (mut file, path) = tempfile::NamedTempFile::new()?.into_parts();
    let spool = super::interrupt::Tracked::new(path);
    let bytes = io::copy(from, &mut file)?;
    Ok((spool, bytes))
}

fn walk(
    root: &Path,
    outputs: &OwnOutputs,
    files: &mut Vec<InputFile>,
    skipped: &mut Vec<(&'static str, String)>,
) -> Result<(), InputError> {
    let walker = walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let entry = entry.map_err(|e| InputError::Walk {
            path: e.path().unwrap_or(root).display().to_string(),
            message: e.to_string(),
        })?;
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path().to_path_buf();
        let display = path.display().to_string();
        let meta = entry.metadata().ok();
        if let Some(flag) = meta.as_ref().and_then(|m| outputs.flag_of(&path, m)) {
            skipped.push((flag, display));
            continue;
        }
        check_readable(&path, &display)?;
        let id = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        files.push(InputFile {
            path,
            display,
            id,
            bytes: meta.as_ref().map_or(0, |m| m.len()),
            modified: meta.and_then(|m| m.modified().ok()),
        });
    }
    Ok(())
}

fn check_readable(path: &Path, display: &str) -> Result<(), InputError> {
    File::open(path)
        .map(drop)
        .map_err(|error| InputError::Unreadable {
            path: display.to_string(),
            error,
        })
}

/// Counts the bytes read from a file, for the progress bar.
struct Counting<R> {
    inner: R,
    counter: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counter.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Opens a file and decodes gzip or zstd by its first bytes. A UTF-8 byte order mark at
/// the start of the text (as some Windows tools write) is skipped: it is not part of the
/// first record, and a JSON parser refuses it.
pub fn open_decoded(path: &Path, counter: Arc<AtomicU64>) -> io::Result<Box<dyn BufRead + Send>> {
    let mut decoded = open_codec(path, counter)?;
    if decoded.fill_buf()?.starts_with(BOM) {
        decoded.consume(BOM.len());
    }
    Ok(decoded)
}

/// The UTF-8 encoding of U+FEFF, the byte order mark.
const BOM: &[u8] = b"\xef\xbb\xbf";

fn open_codec(path: &Path, counter: Arc<AtomicU64>) -> io::Result<Box<dyn BufRead + Send>> {
    let file = File::open(path)?;
    let mut raw = BufReader::with_capacity(
        READ_BUFFER_BYTES,
        Counting {
            inner: file,
            counter,
        },
    );
    let head = raw.fill_buf()?;
    Ok(if head.starts_with(&[0x1f, 0x8b]) {
        Box::new(BufReader::with_capacity(
            READ_BUFFER_BYTES,
            MultiGzDecoder::new(raw),
        ))
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Box::new(BufReader::with_capacity(
            READ_BUFFER_BYTES,
            zstd::stream::read::Decoder::with_buffer(raw)?,
        ))
    } else {
        Box::new(raw)
    })
}

/// Decides a file's layout from its name, or else from its first bytes.
fn layout_of(path: &Path, reader: &mut dyn BufRead) -> io::Result<Layout> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let stem = ["gz", "gzip", "zst", "zstd"]
        .iter()
        .find_map(|ext| name.strip_suffix(&format!(".{ext}")))
        .unwrap_or(&name);
    if [".jsonl", ".json", ".ndjson"]
        .iter()
        .any(|e| stem.ends_with(e))
    {
        return Ok(Layout::Jsonl);
    }
    if stem.ends_with(".txt") {
        return Ok(Layout::Text);
    }
    let head = reader.fill_buf()?;
    let first = head.iter().find(|b| !b.is_ascii_whitespace());
    Ok(if first == Some(&b'{') {
        Layout::Jsonl
    } else {
        Layout::Text
    })
}

/// One record's bytes and where it came from.
#[derive(Debug, Clone)]
pub struct RawRecord {
    /// Index into [`Inputs::files`].
    pub file: usize,
    /// 1-based line of a JSONL record; 0 for a whole text file.
    pub line: u64,
    pub layout: Layout,
    pub bytes: Vec<u8>,
    /// Set when the record could not even be read whole.
    pub error: Option<RecordError>,
}

/// Reads every record of every input, in order, handing each to `sink`. Records longer
/// than `max_record_bytes` are not held in memory: they arrive with an error and no bytes.
pub fn read_records(
    inputs: &Inputs,
    max_record_bytes: usize,
    counter: Arc<AtomicU64>,
    mut sink: impl FnMut(RawRecord),
) {
    for (file, input) in inputs.files.iter().enumerate() {
        let failed = |line: u64, layout: Layout, e: io::Error| RawRecord {
            file,
            line,
            layout,
            bytes: Vec::new(),
            error: Some(RecordError::Read(e.to_string())),
        };
        let mut reader = match open_decoded(&input.path, counter.clone()) {
            Ok(r) => r,
            Err(e) => {
                sink(failed(0, Layout::Text, e));
                continue;
            }
        };
        let layout = match layout_of(&input.path, &mut reader) {
            Ok(l) => l,
            Err(e) => {
                sink(failed(0, Layout::Text, e));
                continue;
            }
        };
        match layout {
            Layout::Text => {
                let mut bytes = Vec::new();
                let limit = max_record_bytes as u64 + 1;
                match (&mut reader).take(limit).read_to_end(&mut bytes) {
                    Err(e) => sink(failed(0, layout, e)),
                    Ok(n) if n > max_record_bytes => {
                        let total = n as u64 + drain(&mut reader).unwrap_or(0);
                        sink(too_long(file, 0, layout, total));
                    }
                    Ok(_) => sink(RawRecord {
                        file,
                        line: 0,
                        layout,
                        bytes,
                        error: None,
                    }),
                }
            }
            Layout::Jsonl => read_lines(file, &mut reader, max_record_bytes, &mut sink),
        }
    }
}

fn read_lines(
    file: usize,
    reader: &mut dyn BufRead,
    max_record_bytes: usize,
    sink: &mut impl FnMut(RawRecord),
) {
    let mut line = 0u64;
    loop {
        line += 1;
        let mut bytes = Vec::new();
        match read_line(reader, max_record_bytes + 1, &mut bytes) {
            Ok(0) => return,
            Ok(n) => {
                if n > max_record_bytes && bytes.last() != Some(&b'\n') {
                    let rest = skip_line(reader).unwrap_or(0);
                    sink(too_long(file, line, Layout::Jsonl, n as u64 + rest));
                    continue;
                }
                if bytes.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                sink(RawRecord {
                    file,
                    line,
                    layout: Layout::Jsonl,
                    bytes,
                    error: None,
                });
            }
            Err(e) => {
                sink(RawRecord {
                    file,
                    line,
                    layout: Layout::Jsonl,
                    bytes: Vec::new(),
                    error: Some(RecordError::Read(e.to_string())),
                });
                return;
            }
        }
    }
}

fn too_long(file: usize, line: u64, layout: Layout, bytes: u64) -> RawRecord {
    RawRecord {
        file,
        line,
        layout,
        bytes: Vec::new(),
        error: Some(RecordError::TooLong(bytes as usize)),
    }
}

/// Appends to `bytes` up to the next `\n` (included) or `limit` bytes, whichever comes
/// first; returns how many were appended (0 at the end), as `take(limit).read_until`
/// does, but it finds the `\n` with the `memchr` crate's SIMD search rather than the
/// standard library's portable one: every record is read so, twice.
fn read_line(reader: &mut dyn BufRead, limit: usize, bytes: &mut Vec<u8>) -> io::Result<usize> {
    let mut read = 0;
    while read < limit {
        let buf = match reader.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            break;
        }
        let buf = &buf[..buf.len().min(limit - read)];
        let (taken, done) = match memchr::memchr(b'\n', buf) {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        bytes.extend_from_slice(&buf[..taken]);
        reader.consume(taken);
        read += taken;
        if done {
            break;
        }
    }
    Ok(read)
}

/// Skips to the end of the current line without keeping it; returns the bytes skipped.
fn skip_line(reader: &mut dyn BufRead) -> io::Result<u64> {
    let mut skipped = 0u64;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(skipped);
        }
        match memchr::memchr(b'\n', buf) {
            Some(i) => {
                reader.consume(i + 1);
                return Ok(skipped + i as u64 + 1);
            }
            None => {
                let n = buf.len();
                reader.consume(n);
                skipped += n as u64;
            }
        }
    }
}

fn drain(reader: &mut dyn BufRead) -> io::Result<u64> {
    io::copy(reader, &mut io::sink())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn collect(inputs: &Inputs, max: usize) -> Vec<RawRecord> {
        let mut out = Vec::new();
        read_records(inputs, max, Arc::default(), |r| out.push(r));
        out
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(bytes).expect("gz");
        gz.finish().expect("gz")
    }

    #[test]
    fn walks_folders_sorted_and_reads_every_codec_alike() {
        let dir = tempfile::tempdir().expect("tempdir");
        let jsonl = b"{\"text\":\"a\"}\n\n{\"text\":\"b\"}\n";
        std::fs::write(dir.path().join("b.jsonl"), jsonl).expect("write");
        std::fs::write(dir.path().join("c.data"), gzip(jsonl)).expect("write");
        let zst = zstd::encode_all(&jsonl[..], 1).expect("zstd");
        std::fs::write(dir.path().join("d.jsonl.zst"), zst).expect("write");
        std::fs::create_dir(dir.path().join("a")).expect("mkdir");
        std::fs::write(dir.path().join("a/page.txt"), "{not json}\n").expect("write");
        std::fs::write(dir.path().join(".hidden"), "x").expect("write");

        let inputs = discover(&[dir.path().to_path_buf()], &[]).expect("inputs");
        let ids: Vec<&str> = inputs.files.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, ["a/page.txt", "b.jsonl", "c.data", "d.jsonl.zst"]);
        let records = collect(&inputs, 1 << 20);
        assert_eq!(records[0].layout, Layout::Text);
        assert_eq!(records[0].bytes, b"{not json}\n");
        for file in 1..=3 {
            let mine: Vec<_> = records.iter().filter(|r| r.file == file).collect();
            assert_eq!(mine.len(), 2, "file {file}");
            assert_eq!(mine[0].bytes, b"{\"text\":\"a\"}\n");
            assert_eq!((mine[0].line, mine[1].line), (1, 3));
        }
    }

    #[test]
    fn files_changed_since_they_were_found_are_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        for name in ["a.jsonl", "b.jsonl", "c.jsonl"] {
            std::fs::write(dir.path().join(name), "{\"text\":\"a\"}\n").expect("write");
        }
        let inputs = discover(&[dir.path().to_path_buf()], &[]).expect("inputs");
        assert!(inputs.changed().is_empty());
        let mut grown = File::options()
            .append(true)
            .open(dir.path().join("a.jsonl"))
            .expect("open");
        grown.write_all(b"{\"text\":\"b\"}\n").expect("append");
        // The same size, written again: told by its time of change.
        let rewritten = File::options()
            .write(true)
            .open(dir.path().join("c.jsonl"))
            .expect("open");
        let earlier = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
        rewritten.set_modified(earlier).expect("set the time");
        let changed: Vec<&str> = inputs.changed().iter().map(|f| f.id.as_str()).collect();
        assert_eq!(changed, ["a.jsonl", "c.jsonl"]);
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_first_record() {
        let dir = tempfile::tempdir().expect("tempdir");
        let jsonl = b"\xef\xbb\xbf{\"text\":\"a\"}\n{\"text\":\"\xef\xbb\xbfb\"}\n";
        // No telling name: the layout is read from the first bytes, past the mark.
        std::fs::write(dir.path().join("a.data"), jsonl).expect("write");
        std::fs::write(dir.path().join("b.gz"), gzip(jsonl)).expect("write");
        std::fs::write(dir.path().join("c.txt"), b"\xef\xbb\xbfA page.\n").expect("write");
        let inputs = discover(&[dir.path().to_path_buf()], &[]).expect("inputs");
        let records = collect(&inputs, 1 << 20);
        let seen: Vec<(Layout, &[u8])> = (records.iter())
            .map(|r| (r.layout, r.bytes.as_slice()))
            .collect();
        let (first, second) = (
            &b"{\"text\":\"a\"}\n"[..],
            &b"{\"text\":\"\xef\xbb\xbfb\"}\n"[..],
        );
        assert_eq!(
            seen,
            [
                (Layout::Jsonl, first),
                // Only the text's first bytes are a mark: one inside a record stays.
                (Layout::Jsonl, second),
                (Layout::Jsonl, first),
                (Layout::Jsonl, second),
                (Layout::Text, &b"A page.\n"[..]),
            ]
        );
    }

    #[test]
    fn the_runs_own_outputs_are_left_out_of_folders_by_what_they_are() {
        let dir = tempfile::tempdir().expect("tempdir");
        for name in ["in.jsonl", "out.jsonl", "sub/out.jsonl", "sub/log.jsonl"] {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().expect("folder")).expect("mkdir");
            std::fs::write(path, "{\"text\":\"a\"}\n").expect("write");
        }
        let out = dir.path().join("out.jsonl");
        // Named another way (through `sub/..`): the same file.
        let log = dir.path().join("sub/../sub/log.jsonl");
        let missing = dir.path().join("never.jsonl");
        let outputs = [
            ("--output", out.as_path()),
            ("--audit", log.as_path()),
            ("--report", missing.as_path()),
        ];
        // A link of another name to the output leads to the output.
        #[cfg(unix)]
        std::os::unix::fs::symlink(&out, dir.path().join("alias.jsonl")).expect("link");
        let inputs = discover(&[dir.path().to_path_buf()], &outputs).expect("inputs");
        let ids: Vec<&str> = inputs.files.iter().map(|f| f.id.as_str()).collect();
        // `sub/out.jsonl` has the output's name, not its place: it is read.
        assert_eq!(ids, ["in.jsonl", "sub/out.jsonl"]);
        let skipped: Vec<(&str, &str)> = (inputs.skipped.iter())
            .map(|(flag, path)| (*flag, path.as_str()))
            .collect();
        let shown = |name: &str| dir.path().join(name).display().to_string();
        let mut expected = vec![
            ("--output", shown("out.jsonl")),
            ("--audit", shown("sub/log.jsonl")),
        ];
        if cfg!(unix) {
            expected.insert(0, ("--output", shown("alias.jsonl")));
        }
        let expected: Vec<(&str, &str)> = (expected.iter())
            .map(|(flag, path)| (*flag, path.as_str()))
            .collect();
        assert_eq!(skipped, expected);
    }

    proptest::proptest! {
        /// Lines read across buffer boundaries and at the limit are those that
        /// `take(limit).read_until` reads.
        #[test]
        fn read_line_reads_what_read_until_reads(
            text in proptest::collection::vec(proptest::prop_oneof![
                proptest::strategy::Just(b'\n'), proptest::num::u8::ANY], 0..60),
            capacity in 1usize..9,
            limit in 1usize..12,
        ) {
            let mut ours = io::BufReader::with_capacity(capacity, &text[..]);
            let mut std = io::BufReader::with_capacity(capacity, &text[..]);
            loop {
                let (mut a, mut b) = (Vec::new(), Vec::new());
                let n = read_line(&mut ours, limit, &mut a).expect("in memory");
                let m = (&mut std).take(limit as u64).read_until(b'\n', &mut b).expect("in memory");
                proptest::prop_assert_eq!((n, &a), (m, &b));
                if n == 0 {
                    break;
                }
            }
        }
    }

    #[test]
    fn over_long_records_are_reported_not_held() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("x.jsonl");
        std::fs::write(&path, format!("{}\n{{\"text\":\"ok\"}}\n", "x".repeat(100))).expect("w");
        let inputs = discover(&[path], &[]).expect("inputs");
        let records = collect(&inputs, 50);
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].error, Some(RecordError::TooLong(101)));
        assert_eq!(records[1].line, 2);
        assert!(records[1].error.is_none());
    }

    #[test]
    fn missing_inputs_are_named() {
        let err = discover(&[PathBuf::from("/no/such/file.jsonl")], &[]).expect_err("missing");
        assert!(err.to_string().starts_with("/no/such/file.jsonl: "));
    }
}
