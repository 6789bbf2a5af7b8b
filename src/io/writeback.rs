//! Early writeback: an output's pages start going to disk while the run goes on, so that
//! the flush before its rename waits for little.
//!
//! Every output is flushed to disk (`sync_all`) before it is renamed into place. Left to
//! itself, the kernel writes nothing of a fresh file for 30 seconds, so that flush finds
//! the whole output dirty and both cores wait for the disk: 0.5 s for the 900 MB clean
//! output of the 1 GB benchmark. A [`Writeback`] tells the kernel, from a thread of its
//! own, to start writing each finished stretch of the file as soon as there is
//! `CHUNK` of it (`posix_fadvise(DONTNEED)`, which starts writing dirty pages and drops
//! none of them). It is advice: a failure changes nothing but the speed, and the bytes
//! are the same. On systems other than Linux it does nothing.

use std::fs::File;

/// Bytes of finished file between two requests.
#[cfg(not(test))]
const CHUNK: u64 = 32 << 20;
/// Small in tests, so that they exercise the thread.
#[cfg(test)]
const CHUNK: u64 = 4 << 10;

/// Requests to write finished stretches of one file.
pub struct Writeback {
    /// The file (a second handle), until the first request starts the thread.
    #[cfg(target_os = "linux")]
    file: Option<File>,
    #[cfg(target_os = "linux")]
    worker: Option<Worker>,
    /// Everything before this was requested already.
    requested: u64,
}

#[cfg(target_os = "linux")]
struct Worker {
    tx: std::sync::mpsc::Sender<(u64, u64)>,
    thread: std::thread::JoinHandle<()>,
}

#[cfg(target_os = "linux")]
impl Worker {
    /// A thread that asks for each stretch it receives to be written. It is advice:
    /// without the thread the run is slower, not wrong.
    fn start(file: File) -> Option<Worker> {
        let (tx, rx) = std::sync::mpsc::channel::<(u64, u64)>();
        let thread = std::thread::Builder::new()
            .name("deboil-writeback".into())
            .spawn(move || {
                for (offset, len) in rx {
                    let len = std::num::NonZeroU64::new(len);
                    let _ = rustix::fs::fadvise(&file, offset, len, rustix::fs::Advice::DontNeed);
                }
            })
            .ok()?;
        Some(Worker { tx, thread })
    }
}

impl Writeback {
    /// Writeback for `file`, from its first byte.
    pub fn new(file: &File) -> Writeback {
        #[cfg(target_os = "linux")]
        return Writeback {
            file: file.try_clone().ok(),
            worker: None,
            requested: 0,
        };
        #[cfg(not(target_os = "linux"))]
        {
            let _ = file;
            Writeback { requested: 0 }
        }
    }

    /// The file's bytes before `end` are written (to the kernel) and will not change:
    /// once there is `CHUNK` of them not yet requested, asks for them to go to disk.
    pub fn written(&mut self, end: u64) {
        if end < self.requested + CHUNK {
            return;
        }
        #[cfg(target_os = "linux")]
        {
            if self.worker.is_none() {
                self.worker = self.file.take().and_then(Worker::start);
            }
            if let Some(worker) = &self.worker {
                let _ = worker.tx.send((self.requested, end - self.requested));
            }
        }
        self.requested = end;
    }

    /// Waits until every request has been made (not until the disk has the bytes: the
    /// flush before the rename does that).
    pub fn finish(self) {
        #[cfg(target_os = "linux")]
        if let Some(Worker { tx, thread }) = self.worker {
            drop(tx);
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Seek, Write};

    /// Requests go out a chunk at a time, from a thread started by the first, and leave
    /// the file's bytes as they were written.
    #[test]
    fn finished_stretches_are_requested_a_chunk_at_a_time() {
        let mut file = tempfile::tempfile().expect("tempfile");
        let bytes: Vec<u8> = (0..3 * CHUNK + 100).map(|i| (i % 251) as u8).collect();
        let mut wb = Writeback::new(&file);
        file.write_all(&bytes[..CHUNK as usize - 1]).expect("write");
        wb.written(CHUNK - 1);
        assert_eq!(wb.requested, 0);
        #[cfg(target_os = "linux")]
        assert!(wb.worker.is_none(), "no thread before the first request");
        file.write_all(&bytes[CHUNK as usize - 1..]).expect("write");
        wb.written(CHUNK);
        assert_eq!(wb.requested, CHUNK);
        #[cfg(target_os = "linux")]
        assert!(wb.worker.is_some());
        wb.written(2 * CHUNK + 1);
        assert_eq!(wb.requested, 2 * CHUNK + 1);
        wb.written(3 * CHUNK);
        assert_eq!(
            wb.requested,
            2 * CHUNK + 1,
            "less than a chunk since the last"
        );
        wb.finish();
        file.sync_all().expect("sync");
        let mut back = Vec::new();
        file.rewind().expect("rewind");
        file.read_to_end(&mut back).expect("read");
        assert!(back == bytes, "the bytes are unchanged");
    }
}
