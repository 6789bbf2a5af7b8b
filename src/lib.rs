//! deboil cleans scraped text corpora for dataset preparation.
//!
//! ```text
//! inputs ─▶ io::read ─▶ document ─▶ normalize ─▶ fingerprint ─┬▶ count    (pass 1)
//!                                                             └▶ decide ─▶ report, io::write
//!                                                                 ▲  (pass 2)
//!                                                   rules, features ─▶ model
//! ```
//!
//! Pass 1 counts, for every normalized line and word shingle, how many documents of the
//! corpus and how many pages of the same site hold it, and spills each document's
//! fingerprints to a temporary file. Pass 2 reads the input and the spill again and gives
//! every line a verdict with a reason (`rule`, `corpus`, `site`, `repeat`, `block`, and,
//! with the line model of [`model`] over the [`features`] of each line, `model`),
//! writing the rejected documents, an audit of removed lines and a summary; each cleaned
//! text gets a [`dedup`] print. Then exact and near copies are found among the cleaned
//! texts and pass 3 writes the clean JSONL, sending copies to the rejected output.
//! [`pipeline`] is the only module that knows all stages and owns the threads that work;
//! [`io`] the only other that touches files (its [`io::writeback`] keeps one helper
//! thread per large output, which only passes advice to the kernel, and
//! [`io::interrupt`] one that waits for a signal to remove the unfinished outputs). The
//! stages in between are pure.
//!
//! Invariants, each checked by a test:
//! - every input document is in the clean output or in the rejected output with a reason;
//! - the lines of a cleaned text are a subsequence of the original's lines;
//! - output, audit and report are byte-identical for any `--threads`;
//! - an output file exists only once it is complete, and a run stopped by a signal leaves
//!   no temporary file (on Linux).
//!
//! Exit codes: [`EXIT_OK`], [`EXIT_BAD_RECORDS`], [`EXIT_FAILURE`].

pub mod cli;
pub mod config;
pub mod count;
pub mod decide;
pub mod dedup;
pub mod document;
pub mod eval;
pub mod features;
pub mod fingerprint;
pub mod io;
pub mod learn;
pub mod model;
pub mod normalize;
pub mod pipeline;
pub mod report;
pub mod rng;
pub mod rules;

/// The run finished and every record was read.
pub const EXIT_OK: u8 = 0;
/// The run finished, but some records were bad; they are in the rejected output.
pub const EXIT_BAD_RECORDS: u8 = 1;
/// Nothing was written: a usage error, an unreadable input, a bad rule, or a failure.
pub const EXIT_FAILURE: u8 = 2;
