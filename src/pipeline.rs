//! The only module that knows every stage: it owns the thread pool, the reader and writer
//! threads, batching and ordering.
//!
//! ```text
//! reader thread ──batches──▶ pool: parse → prepare → DocKeys ──▶ Counts      (pass 1)
//!                                             └──▶ spill file (fingerprints, in order)
//! reader thread ──batches──▶ pool: parse → spill → decide → bytes ──▶ writer thread
//!                                     └──▶ dedup print            (pass 2, in order)
//! dedup::find(prints) ──▶ copies cut out of the clean output ──▶ rejected   (pass 3)
//! ```
//!
//! Pass 2 writes every clean record once, into the clean output ([`Held`]); pass 3 reads
//! back the records it needs (to verify candidate pairs, to reject a copy) and cuts the
//! copies out. Shingle sets past half of `--verify-memory` wait in a temporary file
//! ([`crate::io::stash`]) and are read back as `dedup::find_with` compares them. With
//! `--dedup none` there is no pass 3. With
//! `--against`, an earlier run's signatures are read before pass 1 and pass 3 first takes
//! out the copies of its documents ([`dedup::earlier`]).
//!
//! Batches keep input order; the pool maps each batch in parallel and collects it in
//! order, so output never depends on `--threads`. Counting is a commutative sum, so pass 1
//! does not depend on it either; it counts and spills each batch while the pool prepares
//! the next.

use std::io::{BufRead, Write};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::sync::mpsc::{Receiver, sync_channel};
use std::thread;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use serde_json::value::RawValue;

use crate::config::CleanConfig;
use crate::count::{Counts, DocKeys};
use crate::decide::{
    Described, LineVerdict, Site, Verdict, clean_text, decide, describe, keep_mask, model_judges,
};
use crate::dedup::earlier::{Earlier, EarlierCopy};
use crate::dedup::{self, DocPrint, KeptLine, Mode};
use crate::document::{Document, RecordError, parse_json, parse_text, unescape};
use crate::fingerprint::LinePrint;
use crate::fingerprint::{Prepared, prepare, site_hash};
use crate::io::held::Held;
use crate::io::read::{Inputs, Layout, RawRecord, discover, open_decoded, read_records};
use crate::io::spill::{SpillReader, SpillWriter};
use crate::io::stash::{Place, Sealed, Stash};
use crate::io::write::{Output, write_file};
use crate::normalize::LineSpan;
use crate::report::{AuditRecord, RejectedRecord, Removed, Report, Stats, push_jsonl};
use crate::rules::RuleCache;

/// Bad records reported one by one on stderr; the rest are only counted.
const MAX_REPORTED_BAD_RECORDS: u64 = 100;

/// Clean records shingled together when copies are verified.
const SHINGLE_BATCH_BYTES: usize = 16 << 20;

/// What a finished run did.
#[derive(Debug)]
pub struct Outcome {
    pub report: Report,
}

impl Outcome {
    pub fn bad_records(&self) -> u64 {
        self.report.documents.bad_records
    }
}

/// Runs `deboil clean`. An `Err` means nothing was written.
pub fn clean(cfg: &CleanConfig) -> Result<Outcome> {
    let pool = worker_pool(cfg.threads)?;
    let inputs = discover(&cfg.inputs, &cfg.outputs.files())?;
    for (flag, path) in &inputs.skipped {
        note(format_args!("{path}: left out, it is this run's {flag}"));
    }
    // Read before the passes, so that a bad file stops the run before any work.
    let earlier = load_earlier(cfg)?;

    let passes = || -> Result<_> {
        let (counts, prints) = count_pass(cfg, &inputs, &pool)?;
        let stats = clean_pass(cfg, &inputs, &pool, &counts, prints, earlier)?;
        Ok((counts, stats))
    };
    let (counts, stats) = passes().map_err(|e| where_full(e, cfg.spill_dir.as_deref()))?;

    let report = Report::new(&stats, counts.stats());
    notes_after_run(cfg, &inputs, &report);
    if let Some(path) = &cfg.outputs.report {
        write_file(path, report.to_json().as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(Outcome { report })
}

/// One line on stderr, after `deboil: `: something the user should know that is not an
/// error.
fn note(message: std::fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr().lock(), "deboil: {message}");
}

/// What a finished run should tell beside its summary: inputs that changed while they
/// were read, a text field no record has, rejected documents with nowhere to go.
fn notes_after_run(cfg: &CleanConfig, inputs: &Inputs, report: &Report) {
    for file in inputs.changed() {
        note(format_args!(
            "{}: changed while it was read; the outputs hold what the passes read of it",
            file.display
        ));
    }
    let docs = &report.documents;
    if docs.docs_in > 0 && docs.rejected_by_reason.get("missing-field") == Some(&docs.docs_in) {
        note(format_args!(
            "no record has a {:?} field: name the field that holds the text with --text-field",
            cfg.fields.text
        ));
    }
    if cfg.outputs.rejected.is_none() && docs.rejected > 0 {
        note(format_args!(
            "{} rejected documents were not written: the output is a stream, and no \
             --rejected PATH was given",
            docs.rejected
        ));
    }
}

/// A full disk is named: the temporary files are beside the clean output, or in the
/// system's temporary folder when it goes to stdout.
fn where_full(e: anyhow::Error, spill_dir: Option<&std::path::Path>) -> anyhow::Error {
    let full = e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::StorageFull)
    });
    if !full {
        return e;
    }
    let dir = spill_dir.map_or_else(std::env::temp_dir, std::path::Path::to_path_buf);
    e.context(format!(
        "the disk is full: the clean output and the temporary files go to {}",
        dir.display()
    ))
}

fn worker_pool(threads: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("deboil-worker-{i}"))
        .build()
        .context("starting worker threads")
}

/// The next `n` frames of pass 1's spill. A missing frame (an input that changed since
/// pass 1) is left empty, and the record is fingerprinted again.
fn read_frames(prints: &mut SpillReader, n: usize) -> Result<Vec<Vec<u8>>> {
    let mut frames = vec![Vec::new(); n];
    for frame in &mut frames {
        prints.next_into(frame).context("reading the spill file")?;
    }
    Ok(frames)
}

/// A document's site as pass 1 counted it; without one, its masthead when enough
/// documents print it ([`Site::masthead`]).
fn site_of(doc: &Document<'_>, prepared: &Prepared, counts: &Counts) -> Option<Site> {
    if let Some(s) = doc.site.as_deref() {
        let hash = site_hash(s);
        return Some(Site {
            hash,
            pages: counts.site_pages(hash),
            masthead: false,
        });
    }
    Site::of_masthead(prepared, counts)
}

fn progress_bar(cfg: &CleanConfig, inputs: &Inputs, label: &'static str) -> ProgressBar {
    if !cfg.progress {
        return ProgressBar::hidden();
    }
    let bar =
        ProgressBar::with_draw_target(Some(inputs.total_bytes()), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{prefix:>8} [{bar:30}] {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} eta {eta}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(label);
    bar
}

/// A spinner for pass 3, whose steps have no known size; hidden as the bars are.
fn spinner(cfg: &CleanConfig) -> ProgressBar {
    if !cfg.progress {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{prefix:>8} {spinner} {msg} ({elapsed})") {
        bar.set_style(style);
    }
    bar.set_prefix("copies");
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

/// Runs the reader on its own thread, handing batches of records to `consume` in order.
fn for_each_batch(
    cfg: &CleanConfig,
    inputs: &Inputs,
    bar: &ProgressBar,
    mut consume: impl FnMut(Vec<RawRecord>) -> Result<()>,
) -> Result<()> {
    let (tx, rx) = sync_channel::<Vec<RawRecord>>(2);
    let counter = Arc::new(AtomicU64::new(0));
    thread::scope(|scope| {
        let reader_counter = counter.clone();
        let reader = thread::Builder::new().name("deboil-reader".into());
        reader.spawn_scoped(scope, move || {
            let mut batch = Vec::new();
            let mut batch_bytes = 0;
            let mut open = true;
            read_records(
                inputs,
                cfg.max_record_bytes,
                reader_counter.clone(),
                |record| {
                    if !open {
                        return;
                    }
                    batch_bytes += record.bytes.len() + 64;
                    batch.push(record);
                    if batch_bytes >= cfg.batch_bytes {
                        bar.set_position(reader_counter.load(std::sync::atomic::Ordering::Relaxed));
                        open = tx.send(std::mem::take(&mut batch)).is_ok();
                        batch_bytes = 0;
                    }
                },
            );
            if open && !batch.is_empty() {
                let _ = tx.send(batch);
            }
        })?;
        let result = drain(&rx, &mut consume);
        // Dropping the receiver stops the reader if consuming failed.
        drop(rx);
        result
    })?;
    bar.finish_and_clear();
    Ok(())
}

fn drain(
    rx: &Receiver<Vec<RawRecord>>,
    consume: &mut impl FnMut(Vec<RawRecord>) -> Result<()>,
) -> Result<()> {
    for batch in rx {
        consume(batch)?;
    }
    Ok(())
}

/// Pass 1: document frequencies of every line and shingle. Each record's fingerprints go
/// to a spill file, one frame per record in input order, for pass 2 to read back.
fn count_pass(
    cfg: &CleanConfig,
    inputs: &Inputs,
    pool: &rayon::ThreadPool,
) -> Result<(Counts, SpillReader)> {
    let bar = progress_bar(cfg, inputs, "counting");
    let mut counts = Counts::default();
    let mut spill =
        SpillWriter::create(cfg.spill_dir.as_deref()).context("creating the spill file")?;
    // Each batch is counted and spilled while the next one is prepared, so that the
    // threads need not wait for the slowest shard of the tables between batches.
    let mut last: Vec<(Option<DocKeys>, Vec<u8>)> = Vec::new();
    let mut count_and_spill = |done: Vec<(Option<DocKeys>, Vec<u8>)>| -> Result<()> {
        let (keys, frames): (Vec<Option<DocKeys>>, Vec<Vec<u8>>) = done.into_iter().unzip();
        let keys: Vec<DocKeys> = keys.into_iter().flatten().collect();
        let ((), spilled) = rayon::join(
            || counts.add_batch(&keys),
            || frames.iter().try_for_each(|frame| spill.push(frame)),
        );
        spilled.context("writing the spill file")
    };
    for_each_batch(cfg, inputs, &bar, |batch| {
        let done = std::mem::take(&mut last);
        let (next, counted) = pool.install(|| {
            rayon::join(
                || {
                    batch
                        .par_iter()
                        .map(|record| {
                            let Ok(doc) = parse(record, inputs, cfg) else {
                                return (None, Vec::new());
                            };
                            let prepared = prepare(&doc.text, &cfg.shingles);
                            let mut frame = Vec::new();
                            prepared.encode(&mut frame);
                            (Some(DocKeys::new(&prepared, doc.site.as_deref())), frame)
                        })
                        .collect()
                },
                || count_and_spill(done),
            )
        });
        last = next;
        counted
    })?;
    pool.install(|| count_and_spill(last))?;
    let prints = spill.into_reader().context("reading the spill file")?;
    counts.index_frequent_shingles(cfg.params.corpus_min_docs);
    Ok((counts, prints))
}

/// What pass 2 made of one record: bytes for each output, and its counters.
#[derive(Default)]
struct DocOutput {
    clean: Vec<u8>,
    rejected: Vec<u8>,
    audit: Vec<u8>,
    stats: Stats,
    /// `path:line: why`, for a bad record.
    complaint: Option<String>,
    /// For a cleaned document when copies are removed: what pass 3 needs of it.
    pending: Option<(Pending, DocPrint)>,
}

/// A cleaned document waiting for deduplication; its clean record waits in [`Held`].
struct Pending {
    /// The id, as JSON.
    id: String,
    file: usize,
    line: u64,
    lines_out: u64,
    chars_out: u64,
    /// Where the cleaned text's JSON string literal sits in the clean record.
    text_span: std::ops::Range<usize>,
    /// The clean record's length in [`DocOutput::clean`]; after it, with the matched
    /// stretch on, come the fingerprints of the lines cleaning removed
    /// ([`Pending::push_removed`]), which the writer spills apart.
    record_len: usize,
    /// Where the clean record starts in [`Held`] (set by the writer).
    offset: u64,
}

impl Pending {
    /// Appends to a spill frame, after the clean record, the fingerprints of the lines
    /// that cleaning removed (`keep` false), as little-endian `u64`s.
    fn push_removed(lines: &[LinePrint], keep: &[bool], frame: &mut Vec<u8>) {
        let removed = lines.iter().zip(keep).filter(|(_, k)| !**k);
        for key in removed.filter_map(|(l, _)| l.key) {
            frame.extend_from_slice(&key.to_le_bytes());
        }
    }

    /// The fingerprints [`Pending::push_removed`] wrote, sorted and distinct.
    fn removed(frame: &[u8]) -> Vec<u64> {
        let mut removed: Vec<u64> = frame
            .chunks_exact(8)
            .map(|b| u64::from_le_bytes(b.try_into().unwrap_or_default()))
            .collect();
        removed.sort_unstable();
        removed.dedup();
        removed
    }

    /// Where the clean record sits in [`Held`].
    fn range(&self) -> std::ops::Range<u64> {
        self.offset..self.offset + self.record_len as u64
    }
}

/// Where pass 2 writes clean records: the output, or (when copies are removed) [`Held`]
/// until pass 3 knows which are copies.
enum CleanSink {
    Output(Box<Output>),
    Pending(Box<Waiting>),
}

struct Writers {
    clean: CleanSink,
    rejected: Option<Output>,
    audit: Option<Output>,
}

/// Pass 2: decide every line, write every output in input order.
fn clean_pass(
    cfg: &CleanConfig,
    inputs: &Inputs,
    pool: &rayon::ThreadPool,
    counts: &Counts,
    mut prints: SpillReader,
    earlier: Option<EarlierRun>,
) -> Result<Stats> {
    let create = |p: &std::path::Path| {
        Output::create(p).with_context(|| format!("creating {}", p.display()))
    };
    let clean = if cfg.dedup.mode == Mode::None {
        CleanSink::Output(Box::new(create(&cfg.outputs.clean)?))
    } else {
        let spill_dir = cfg.spill_dir.as_deref();
        let held = Held::new(create(&cfg.outputs.clean)?, spill_dir)
            .context("creating a temporary file for clean records")?;
        let removed = (cfg.dedup.spans())
            .then(|| SpillWriter::create(spill_dir))
            .transpose()
            .context("creating a temporary file for removed lines")?;
        CleanSink::Pending(Box::new(Waiting {
            held,
            removed,
            pending: Vec::new(),
            prints: Vec::new(),
            earlier,
        }))
    };
    let writers = Writers {
        clean,
        rejected: cfg.outputs.rejected.as_deref().map(create).transpose()?,
        audit: cfg.outputs.audit.as_deref().map(create).transpose()?,
    };
    let bar = progress_bar(cfg, inputs, "cleaning");
    let (tx, rx) = sync_channel::<Vec<DocOutput>>(2);
    let writer = thread::Builder::new()
        .name("deboil-writer".into())
        .spawn(move || write_all(writers, rx))
        .context("starting the writer thread")?;
    let caches = cfg.rules.caches(pool.current_num_threads());
    let processed = for_each_batch(cfg, inputs, &bar, |batch| {
        let frames = read_frames(&mut prints, batch.len())?;
        let outputs: Vec<DocOutput> = pool.install(|| {
            batch
                .par_iter()
                .zip(&frames)
                .map_init(
                    || caches.get(),
                    |cache, (record, frame)| process(record, frame, inputs, cfg, counts, cache),
                )
                .collect()
        });
        tx.send(outputs)
            .map_err(|_| anyhow::anyhow!("the writer stopped"))
    });
    drop(tx);
    let written = writer
        .join()
        .map_err(|_| anyhow::anyhow!("the writer thread panicked"))?;
    // A write error explains a stopped writer better than the send failure does.
    let (stats, writers) = written?;
    processed?;
    let finish = |o: Output, p: &std::path::Path| {
        o.finish()
            .with_context(|| format!("writing {}", p.display()))
    };
    let mut stats = stats;
    let mut rejected = writers.rejected;
    match writers.clean {
        CleanSink::Output(o) => {
            finish(*o, &cfg.outputs.clean)?;
            // No copies looked for, none found: the file exists for whoever expects it.
            if let Some(path) = &cfg.outputs.clusters {
                finish(create(path)?, path)?;
            }
        }
        CleanSink::Pending(waiting) => {
            let clean = dedup_pass(cfg, inputs, pool, *waiting, &mut rejected, &mut stats)?;
            finish(clean, &cfg.outputs.clean)?;
        }
    }
    if let (Some(o), Some(p)) = (rejected, &cfg.outputs.rejected) {
        finish(o, p)?;
    }
    if let (Some(o), Some(p)) = (writers.audit, &cfg.outputs.audit) {
        finish(o, p)?;
    }
    Ok(stats)
}

fn write_all(mut w: Writers, rx: Receiver<Vec<DocOutput>>) -> Result<(Stats, Writers)> {
    let mut stats = Stats::default();
    let stderr = std::io::stderr();
    for batch in rx {
        for doc in batch {
            match &mut w.clean {
                CleanSink::Output(o) => o
                    .write_all(&doc.clean)
                    .context("writing the clean output")?,
                CleanSink::Pending(waiting) => {
                    if let Some((p, print)) = doc.pending {
                        waiting.push(p, print, &doc.clean)?;
                    }
                }
            }
            if let Some(r) = &mut w.rejected {
                r.write_all(&doc.rejected)
                    .context("writing the rejected output")?;
            }
            if let Some(a) = &mut w.audit {
                a.write_all(&doc.audit).context("writing the audit")?;
            }
            if let Some(complaint) = &doc.complaint {
                let seen = stats.bad_records;
                if seen < MAX_REPORTED_BAD_RECORDS {
                    let _ = writeln!(stderr.lock(), "{complaint}");
                } else if seen == MAX_REPORTED_BAD_RECORDS {
                    let _ = writeln!(
                        stderr.lock(),
                        "deboil: more bad records follow; only their count is reported"
                    );
                }
            }
            stats.merge(doc.stats);
        }
    }
    Ok((stats, w))
}

/// `path:line` of a record (a text file's line is 1).
fn location(record: &RawRecord, inputs: &Inputs) -> String {
    format!(
        "{}:{}",
        inputs.files[record.file].display,
        record.line.max(1)
    )
}

fn parse<'a>(
    record: &'a RawRecord,
    inputs: &Inputs,
    cfg: &CleanConfig,
) -> Result<Document<'a>, RecordError> {
    if let Some(e) = &record.error {
        return Err(e.clone());
    }
    match record.layout {
        Layout::Text => parse_text(&record.bytes, &inputs.files[record.file].id),
        Layout::Jsonl => parse_json(&record.bytes, &cfg.fields, || location(record, inputs)),
    }
}

fn process(
    record: &RawRecord,
    frame: &[u8],
    inputs: &Inputs,
    cfg: &CleanConfig,
    counts: &Counts,
    cache: &mut RuleCache,
) -> DocOutput {
    let mut out = DocOutput::default();
    out.stats.docs_in = 1;
    let doc = match parse(record, inputs, cfg) {
        Ok(doc) => doc,
        Err(e) => {
            bad_record(record, inputs, &e, &mut out);
            return out;
        }
    };
    let prepared =
        Prepared::decode(&doc.text, frame).unwrap_or_else(|| prepare(&doc.text, &cfg.shingles));
    let site = site_of(&doc, &prepared, counts);
    // Ids come from a parsed record or were serialized by us, so they are valid JSON;
    // `null` stands in should that ever change.
    let id: &RawValue = serde_json::from_str(&doc.id_json).unwrap_or(RawValue::NULL);
    let text = doc.text.as_ref();
    let lines_in = count_nonblank(&prepared, text);
    out.stats.lines_in = lines_in;
    out.stats.chars_in = text.chars().count() as u64;

    let rules = (&cfg.rules, cache);
    let verdicts = if cfg.keep_lines {
        Verdict::Lines(vec![LineVerdict::default(); prepared.lines.len()])
    } else {
        decide(text, &prepared, site, counts, rules, &cfg.params)
    };
    let verdicts = match verdicts {
        Verdict::DropDoc { rule, line } => {
            let rule = cfg.rules.rule(rule);
            let detail = format!("rule {} matched line {}", rule.id, line + 1);
            out.stats.in_rejected = Removed {
                lines: lines_in,
                chars: out.stats.chars_in,
            };
            reject(
                &doc,
                &location(record, inputs),
                id,
                "rule",
                detail,
                &mut out,
            );
            return out;
        }
        Verdict::Lines(v) => v,
    };

    for (i, (line, v)) in prepared.lines.iter().zip(&verdicts).enumerate() {
        let Some(reason) = v.removed else { continue };
        let content = line.span.content(text);
        let rule = v.evidence.rule.map(|r| cfg.rules.rule(r).id.as_str());
        let key = line
            .key
            .unwrap_or_else(|| crate::fingerprint::line_hash(content.trim()));
        out.stats.remove_line(reason, key, content);
        if cfg.outputs.audit.is_some() {
            let audit = AuditRecord::new(
                id,
                i + 1,
                (line.span.start, line.span.end),
                reason,
                content,
                &v.evidence,
                rule,
            );
            push_jsonl(&audit, &mut out.audit);
        }
    }

    let keep = keep_mask(text, &prepared.lines, &verdicts);
    let cleaned = clean_text(text, &prepared.lines, &keep);
    let lines_out = prepared
        .lines
        .iter()
        .zip(&keep)
        .filter(|(l, k)| **k && !l.is_blank(text))
        .count() as u64;
    if lines_out == 0 {
        let detail = if lines_in == 0 {
            "no text".to_string()
        } else {
            format!("all {lines_in} lines removed")
        };
        reject(
            &doc,
            &location(record, inputs),
            id,
            "empty",
            detail,
            &mut out,
        );
        return out;
    }
    out.stats.docs_out = 1;
    out.stats.lines_out = lines_out;
    out.stats.chars_out = cleaned.chars().count() as u64;
    let span = doc.write_with_text(&cleaned, &mut out.clean);
    if cfg.dedup.mode != Mode::None {
        let pending = Pending {
            id: id.get().to_string(),
            file: record.file,
            line: record.line,
            lines_out,
            chars_out: out.stats.chars_out,
            text_span: span,
            record_len: out.clean.len(),
            offset: 0,
        };
        if cfg.dedup.spans() {
            Pending::push_removed(&prepared.lines, &keep, &mut out.clean);
        }
        // One per line of the cleaned text, which is these lines of the page: where it
        // stands in the page, and its fingerprints, so that deduplication normalizes only
        // the lines it shingles, whether it is on other pages of the site (or masthead)
        // too and how likely the model found it to be content (these two only the
        // matched stretch reads).
        let (spans, kept): (Vec<LineSpan>, Vec<KeptLine>) =
            (prepared.lines.iter().zip(&verdicts).zip(&keep))
                .filter(|(_, k)| **k)
                .map(|((line, v), _)| {
                    let kept = KeptLine {
                        on_site: v.evidence.site_pages.max(v.evidence.masthead_pages) >= 2,
                        content: v.evidence.score.map_or(1.0, |s| 1.0 - s),
                        print: Some(line.into()),
                    };
                    (line.span, kept)
                })
                .unzip();
        let print = DocPrint {
            site: doc.site.as_deref().map(site_hash),
            ..dedup::fingerprint_lines(text, &spans, &kept, &cfg.dedup)
        };
        out.pending = Some((pending, print));
    }
    out
}

/// Pass 3: finds the copies among the cleaned documents, then copies each waiting clean
/// record to the output, or, for a copy, to the rejected output (after pass 2's
/// rejections) with its survivor and similarity. Writes `--clusters` and `--signatures`
/// too.
fn dedup_pass(
    cfg: &CleanConfig,
    inputs: &Inputs,
    pool: &rayon::ThreadPool,
    waiting: Waiting,
    rejected: &mut Option<Output>,
    stats: &mut Stats,
) -> Result<Output> {
    let Waiting {
        mut held,
        removed,
        pending,
        prints,
        earlier,
    } = waiting;
    held.seal().context("writing the clean output")?;
    let mut removed = (removed.map(SpillWriter::into_reader).transpose())
        .context("reading the temporary file of removed lines")?;
    let n = pending.len();
    let bar = spinner(cfg);
    let (copies, signed) = find_copies(
        cfg,
        pool,
        (&held, removed.as_mut()),
        &pending,
        prints,
        earlier.as_ref(),
        (stats, &bar),
    )?;
    let mut signatures = match &cfg.outputs.signatures {
        Some(path) => {
            let out =
                Output::create(path).with_context(|| format!("creating {}", path.display()))?;
            Some((out, path))
        }
        None => None,
    };
    let earlier_ids: &[Box<RawValue>] = earlier.as_ref().map_or(&[], |e| &e.ids);
    let id_of = |i: usize| -> &str {
        if i < n {
            &pending[i].id
        } else {
            earlier_ids[i - n].get()
        }
    };
    if let Some((out, path)) = signatures.as_mut() {
        let scheme = cfg.dedup.scheme();
        let mut line = Vec::new();
        for ((p, copy), (exact, minhash)) in pending.iter().zip(&copies).zip(&signed) {
            if copy.is_some() {
                continue;
            }
            line.clear();
            push_jsonl(
                &SignatureRecord {
                    id: serde_json::from_str(&p.id).unwrap_or(RawValue::NULL),
                    exact: &format!("{exact:016x}"),
                    scheme: &scheme,
                    minhash,
                },
                &mut line,
            );
            out.write_all(&line)
                .with_context(|| format!("writing {}", path.display()))?;
        }
    }
    let found: Vec<(&Pending, &dedup::Copy)> = (pending.iter().zip(&copies))
        .filter_map(|(p, copy)| copy.as_ref().map(|c| (p, c)))
        .collect();
    bar.set_message(format!(
        "writing {} copies to the rejected output",
        found.len()
    ));
    // The clean records of copies, cut out of the clean output at the end.
    let mut cut = Vec::with_capacity(found.len());
    for (p, copy) in &found {
        cut.push(p.range());
        stats.docs_out -= 1;
        stats.lines_out -= p.lines_out;
        stats.chars_out -= p.chars_out;
        stats.in_rejected.lines += p.lines_out;
        stats.in_rejected.chars += p.chars_out;
        stats.reject(copy.kind.code());
    }
    if let Some(out) = rejected.as_mut() {
        // Read back and written out in parallel batches, in order.
        for batch in found.chunks(REJECTED_BATCH) {
            let lines: Vec<Result<Vec<u8>>> = pool.install(|| {
                (batch.par_iter())
                    .map(|&(p, copy)| {
                        rejected_copy(inputs, &held, p, copy, id_of(copy.survivor), n)
                    })
                    .collect()
            });
            for line in lines {
                out.write_all(&line?)
                    .context("writing the rejected output")?;
            }
        }
    }
    if let Some((out, path)) = signatures {
        out.finish()
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = &cfg.outputs.clusters {
        write_clusters(path, &copies, &id_of, n)?;
    }
    bar.set_message(format!(
        "taking {} copies out of the clean output",
        cut.len()
    ));
    let clean = held
        .finish(&cut)
        .context("taking the copies out of the clean output");
    bar.finish_and_clear();
    clean
}

/// Copies whose rejected lines are built side by side, in [`dedup_pass`].
const REJECTED_BATCH: usize = 1024;

/// The rejected output's line for a copy found in pass 3: its clean record, read back
/// from `held`, with its survivor (`survivor_id`; an earlier run's when `copy.survivor`
/// is `n` or more) and similarity.
fn rejected_copy(
    inputs: &Inputs,
    held: &Held,
    p: &Pending,
    copy: &dedup::Copy,
    survivor_id: &str,
    n: usize,
) -> Result<Vec<u8>> {
    let mut record = vec![0; p.record_len];
    held.read_at(p.offset, &mut record)
        .context("reading back the clean output")?;
    let reason = copy.kind.code();
    let id: Option<&RawValue> = serde_json::from_str(&p.id).ok();
    let survivor: Option<&RawValue> = serde_json::from_str(survivor_id).ok();
    let as_json: Option<&RawValue> = crate::document::utf8(&record)
        .ok()
        .and_then(|r| serde_json::from_str(r.trim_end()).ok());
    let source = format!("{}:{}", inputs.files[p.file].display, p.line.max(1));
    let detail = if copy.survivor < n {
        format!(
            "{reason} of {survivor_id} (Jaccard {:.3}), judged on the cleaned text",
            copy.similarity
        )
    } else {
        let estimated = match copy.kind {
            dedup::Kind::NearDuplicate => "estimated ",
            dedup::Kind::Duplicate => "",
        };
        format!(
            "{reason} of {survivor_id}, a document of an earlier run (--against; \
             {estimated}Jaccard {:.3}), judged on the cleaned text",
            copy.similarity
        )
    };
    let mut line = Vec::new();
    push_jsonl(
        &RejectedRecord {
            source: &source,
            reason,
            detail,
            id,
            record: as_json,
            raw: None,
            survivor,
            similarity: Some(round3(copy.similarity)),
        },
        &mut line,
    );
    Ok(line)
}

/// A document's exact fingerprint and MinHash signature, for `--signatures`.
type Signed = (u64, Vec<u32>);

/// Which documents are copies (survivors numbered over this run's documents, then the
/// earlier run's), and, with `--signatures`, each document's exact fingerprint and
/// signature (empty for a copy of an earlier run's document). Copies of an earlier run's
/// documents are taken out first; the rest are deduplicated among themselves.
fn find_copies(
    cfg: &CleanConfig,
    pool: &rayon::ThreadPool,
    records: (&Held, Option<&mut SpillReader>),
    pending: &[Pending],
    all: Vec<DocPrint>,
    earlier: Option<&EarlierRun>,
    (stats, bar): (&mut Stats, &ProgressBar),
) -> Result<(Vec<Option<dedup::Copy>>, Vec<Signed>)> {
    let n = all.len();
    bar.set_message(format!("pairing {n} documents"));
    let of_earlier: Vec<Option<EarlierCopy>> = match earlier {
        Some(e) => pool.install(|| {
            all.par_iter()
                .map(|p| e.index.copy_of(p, &cfg.dedup))
                .collect()
        }),
        None => vec![None; n],
    };
    stats.earlier_docs = earlier.map_or(0, |e| e.ids.len() as u64);
    stats.earlier_copies = of_earlier.iter().flatten().count() as u64;
    // The rest, `prints`, numbered in `rest`.
    let rest: Vec<usize> = (0..n).filter(|&i| of_earlier[i].is_none()).collect();
    let mut prints: Vec<DocPrint> = all
        .into_iter()
        .zip(&of_earlier)
        .filter(|(_, e)| e.is_none())
        .map(|(p, _)| p)
        .collect();
    let candidates = pool.install(|| dedup::candidates(&prints, &cfg.dedup));
    // The samples have found their pairs: free them before the shingle sets come in.
    for p in &mut prints {
        p.samples = Vec::new();
    }
    let mut stashed = None;
    let marked_docs = candidates.marked.iter().filter(|&&m| m).count();
    if marked_docs > 0 {
        bar.set_message(format!(
            "shingling the {marked_docs} documents in candidate pairs"
        ));
        let marked = (rest.as_slice(), candidates.marked.as_slice());
        stashed = shingle_candidates(cfg, pool, records, pending, marked, &mut prints, stats)
            .context("reading back the clean records")?;
    }
    let mut copies: Vec<Option<dedup::Copy>> = of_earlier
        .iter()
        .map(|e| {
            e.map(|e| dedup::Copy {
                survivor: n + e.of,
                kind: e.kind,
                similarity: e.similarity,
            })
        })
        .collect();
    bar.set_message(format!("joining {} documents into clusters", prints.len()));
    let found = match &stashed {
        None => dedup::find(&prints, &candidates, &cfg.dedup),
        Some(stashed) => {
            let mut buf = Vec::new();
            let load = |k: usize| stashed.load(k, &mut buf);
            let mut source = dedup::Recalled::new(cfg.verify_memory_bytes / 2, load);
            let found = dedup::find_with(&mut prints, &candidates, &cfg.dedup, &mut source)
                .context("reading back the temporary file of shingle sets")?;
            stats.sets_read_back = source.loads();
            found
        }
    };
    for (k, copy) in found.into_iter().enumerate() {
        copies[rest[k]] = copy.map(|c| dedup::Copy {
            survivor: rest[c.survivor],
            ..c
        });
    }
    let mut signed = Vec::new();
    if cfg.outputs.signatures.is_some() {
        signed = vec![(0, Vec::new()); n];
        for (&i, p) in rest.iter().zip(&mut prints) {
            signed[i] = (p.exact, std::mem::take(&mut p.signature));
        }
    }
    Ok((copies, signed))
}

/// What pass 2 leaves for pass 3: the clean records held, the fingerprints of the lines
/// cleaning removed, what is known of each record, their prints, and the documents of an
/// earlier run (`--against`).
struct Waiting {
    held: Held,
    /// With the matched stretch on, the fingerprints of the lines cleaning removed, one
    /// frame per held record.
    removed: Option<SpillWriter>,
    pending: Vec<Pending>,
    prints: Vec<DocPrint>,
    earlier: Option<EarlierRun>,
}

impl Waiting {
    /// Holds a cleaned document: `bytes` is its [`DocOutput::clean`] (the record, then the
    /// fingerprints of its removed lines).
    fn push(&mut self, mut p: Pending, print: DocPrint, bytes: &[u8]) -> Result<()> {
        let (record, removed) = bytes.split_at(p.record_len);
        p.offset = (self.held.push(record)).context("writing the clean output")?;
        if let Some(spill) = &mut self.removed {
            (spill.push(removed)).context("writing a temporary file of removed lines")?;
        }
        self.pending.push(p);
        self.prints.push(print);
        Ok(())
    }
}

/// Documents an earlier run kept (`--against`): their signatures and ids.
struct EarlierRun {
    index: Earlier,
    ids: Vec<Box<RawValue>>,
}

/// One line of a `--signatures` file, as `--against` reads it.
#[derive(serde::Deserialize)]
struct SignatureLine {
    id: Box<RawValue>,
    exact: String,
    scheme: String,
    minhash: Vec<u32>,
}

/// Reads the `--against` files. A line that is not a signature of this run's scheme is an
/// error naming its file and line.
fn load_earlier(cfg: &CleanConfig) -> Result<Option<EarlierRun>> {
    if cfg.against.is_empty() {
        return Ok(None);
    }
    let scheme = cfg.dedup.scheme();
    let mut run = EarlierRun {
        index: Earlier::default(),
        ids: Vec::new(),
    };
    let mut bytes = Vec::new();
    for path in &cfg.against {
        let reading = || format!("reading {}", path.display());
        let mut reader = open_decoded(path, Arc::new(AtomicU64::new(0))).with_context(reading)?;
        for n in 1.. {
            bytes.clear();
            if reader.read_until(b'\n', &mut bytes).with_context(reading)? == 0 {
                break;
            }
            if bytes.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let at = format!("{}:{n}", path.display());
            let line: SignatureLine = serde_json::from_slice(&bytes)
                .with_context(|| format!("{at}: not a signature line of `--signatures`"))?;
            if line.scheme != scheme {
                anyhow::bail!(
                    "{at}: signatures made as {:?}, where this run makes {scheme:?} \
                     (--dedup-words, --dedup-min-words and --bands × --rows must match)",
                    line.scheme
                );
            }
            let exact = Some(&line.exact)
                .filter(|e| e.len() == 16)
                .and_then(|e| u64::from_str_radix(e, 16).ok())
                .with_context(|| format!("{at}: `exact` is not 16 hex digits"))?;
            run.index
                .push(exact, &line.minhash, &cfg.dedup)
                .map_err(|why| anyhow::anyhow!("{at}: {why}"))?;
            run.ids.push(line.id);
        }
    }
    run.index.seal();
    Ok(Some(run))
}

/// One line of `--signatures`.
#[derive(serde::Serialize)]
struct SignatureRecord<'a> {
    id: &'a RawValue,
    /// The fingerprint of the normalized text, as 16 hex digits: equal for exact copies.
    exact: &'a str,
    scheme: &'a str,
    /// The MinHash bins (empty for a text without words).
    minhash: &'a [u32],
}

/// Shingle sets past half of `--verify-memory`, in a temporary file: where each
/// document's is (numbered as the prints are).
struct Stashed {
    file: Sealed,
    places: Vec<Option<Place>>,
}

impl Stashed {
    /// Document `k`'s set, when it was stashed.
    fn load(&self, k: usize, buf: &mut Vec<u8>) -> std::io::Result<Option<dedup::ShingleSets>> {
        let Some(place) = self.places[k] else {
            return Ok(None);
        };
        self.file.read(place, buf)?;
        let sets = dedup::ShingleSets::decode(buf).ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "a shingle set changed on disk",
            )
        })?;
        Ok(Some(sets))
    }
}

/// Fills in the shingle sets of the documents in a candidate pair (for exact Jaccard), from
/// their clean records, in parallel batches of about [`SHINGLE_BATCH_BYTES`]. `prints`
/// are the documents numbered in `rest` (ascending record numbers), `marked` says which
/// of them need a set. Sets are filled in while they take at most half of
/// `--verify-memory`; the others are stashed in a temporary file, returned.
fn shingle_candidates(
    cfg: &CleanConfig,
    pool: &rayon::ThreadPool,
    (held, mut removed): (&Held, Option<&mut SpillReader>),
    pending: &[Pending],
    (rest, marked): (&[usize], &[bool]),
    prints: &mut [DocPrint],
    stats: &mut Stats,
) -> Result<Option<Stashed>> {
    let keep_bytes = cfg.verify_memory_bytes / 2;
    let mut kept_bytes = 0;
    let mut stash: Option<(Stash, Vec<Option<Place>>)> = None;
    let mut encoded = Vec::new();
    // (document, clean record, removed lines' frame)
    type Item = (usize, Vec<u8>, Vec<u8>);
    let mut batch: Vec<Item> = Vec::new();
    let mut batch_bytes = 0;
    let mut flush = |batch: &mut Vec<Item>| -> Result<()> {
        let sets: Vec<Result<dedup::ShingleSets>> = pool.install(|| {
            batch
                .par_iter()
                .map(|(k, record, removed)| {
                    let p = &pending[rest[*k]];
                    let changed = || anyhow::anyhow!("a clean record changed on disk");
                    let text = (record.get(p.text_span.clone()))
                        .and_then(|literal| crate::document::utf8(literal).ok())
                        .and_then(unescape)
                        .ok_or_else(changed)?;
                    Ok(if cfg.dedup.spans() {
                        dedup::ShingleSets {
                            removed: Pending::removed(removed),
                            ..dedup::shingle_sets_with_lines(&text, &cfg.dedup)
                        }
                    } else {
                        dedup::ShingleSets {
                            set: dedup::PlacedShingles {
                                shingles: dedup::verify_set(dedup::shingle_set(&text, &cfg.dedup)),
                                ..Default::default()
                            },
                            ..Default::default()
                        }
                    })
                })
                .collect()
        });
        for ((k, _, _), set) in batch.drain(..).zip(sets) {
            let set = set?;
            let bytes = set.heap_bytes();
            // A text without words has nothing to compare.
            stats.verified_docs += u64::from(!set.set.shingles.is_empty());
            stats.verified_shingles += set.set.shingles.len() as u64;
            stats.verified_set_bytes += bytes as u64;
            if kept_bytes + bytes <= keep_bytes {
                kept_bytes += bytes;
                set.fill(&mut prints[k]);
                continue;
            }
            let (file, places) = match &mut stash {
                Some(s) => s,
                None => stash.insert((
                    Stash::create(cfg.spill_dir.as_deref())
                        .context("creating a temporary file of shingle sets")?,
                    vec![None; prints.len()],
                )),
            };
            encoded.clear();
            set.encode(&mut encoded);
            places[k] =
                Some((file.push(&encoded)).context("writing a temporary file of shingle sets")?);
            stats.stashed_sets += 1;
        }
        Ok(())
    };
    let ended = || anyhow::anyhow!("the temporary file of removed lines ended early");
    // `rest` is ascending: walk the records, taking the marked ones of `rest`.
    let mut k = 0;
    for (i, p) in pending.iter().enumerate() {
        let at = (rest.get(k) == Some(&i)).then_some(k);
        k += usize::from(at.is_some());
        let Some(k) = at.filter(|&k| marked[k]) else {
            if let Some(r) = removed.as_mut()
                && !r.skip()?
            {
                return Err(ended());
            }
            continue;
        };
        let mut record = vec![0; p.record_len];
        held.read_at(p.offset, &mut record)?;
        let mut frame = Vec::new();
        if let Some(r) = removed.as_mut()
            && !r.next_into(&mut frame)?
        {
            return Err(ended());
        }
        batch_bytes += record.len();
        batch.push((k, record, frame));
        if batch_bytes >= SHINGLE_BATCH_BYTES {
            flush(&mut batch)?;
            batch_bytes = 0;
        }
    }
    flush(&mut batch)?;
    let Some((file, places)) = stash else {
        return Ok(None);
    };
    let file = file
        .seal()
        .context("writing a temporary file of shingle sets")?;
    Ok(Some(Stashed { file, places }))
}

/// `--clusters`: one JSON line per cluster of copies, in the order of their survivors
/// (numbered as [`dedup_pass`] numbers them: this run's `n` documents, then an earlier
/// run's).
fn write_clusters<'a>(
    path: &std::path::Path,
    copies: &[Option<dedup::Copy>],
    id_of: &dyn Fn(usize) -> &'a str,
    n: usize,
) -> Result<()> {
    let id = |i: usize| serde_json::from_str(id_of(i)).unwrap_or(RawValue::NULL);
    let mut out = Output::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut line = Vec::new();
    for cluster in dedup::clusters(copies) {
        line.clear();
        let members: Vec<ClusterMember> = cluster
            .members
            .iter()
            .map(|&(i, copy)| ClusterMember {
                id: id(i),
                reason: copy.map(|c| c.kind.code()),
                similarity: copy.map_or(1.0, |c| round3(c.similarity)),
            })
            .collect();
        push_jsonl(
            &ClusterRecord {
                survivor: id(cluster.survivor),
                earlier: cluster.survivor >= n,
                size: members.len(),
                members,
            },
            &mut line,
        );
        out.write_all(&line)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    out.finish()
        .with_context(|| format!("writing {}", path.display()))
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// One line of `--clusters`.
#[derive(serde::Serialize)]
struct ClusterRecord<'a> {
    survivor: &'a RawValue,
    /// The survivor is a document of an earlier run (`--against`), not of this one.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    earlier: bool,
    size: usize,
    members: Vec<ClusterMember<'a>>,
}

#[derive(serde::Serialize)]
struct ClusterMember<'a> {
    id: &'a RawValue,
    /// `duplicate` or `near-duplicate`; absent for the survivor.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
    /// Jaccard similarity to the survivor.
    similarity: f64,
}

/// A document as the line model sees it: its lines, what the stages said, and a row of
/// features per line. Made by [`describe_corpus`] for training and cross-validation.
#[derive(Debug, Clone)]
pub struct DescribedDoc {
    /// The id as text (a JSON string's contents, else the JSON).
    pub id: String,
    pub site: Option<String>,
    pub text: String,
    pub lines: Vec<LinePrint>,
    /// The stages' verdicts and each line's features.
    pub described: Described,
}

/// Counts the corpus, then describes every document with the features the model scores.
/// A bad record is an error naming it: labelled data must be whole.
pub fn describe_corpus(cfg: &CleanConfig) -> Result<Vec<DescribedDoc>> {
    let pool = worker_pool(cfg.threads)?;
    let inputs = discover(&cfg.inputs, &[])?;
    let (counts, mut prints) = count_pass(cfg, &inputs, &pool)?;
    let bar = progress_bar(cfg, &inputs, "features");
    let mut docs = Vec::new();
    let caches = cfg.rules.caches(pool.current_num_threads());
    for_each_batch(cfg, &inputs, &bar, |batch| {
        let frames = read_frames(&mut prints, batch.len())?;
        let described: Vec<Result<DescribedDoc>> = pool.install(|| {
            batch
                .par_iter()
                .zip(&frames)
                .map_init(
                    || caches.get(),
                    |cache, (record, frame)| {
                        let doc = parse(record, &inputs, cfg)
                            .map_err(|e| anyhow::anyhow!("{}: {e}", location(record, &inputs)))?;
                        let prepared = Prepared::decode(&doc.text, frame)
                            .unwrap_or_else(|| prepare(&doc.text, &cfg.shingles));
                        let site = site_of(&doc, &prepared, &counts);
                        let text = doc.text.as_ref();
                        let rules = (&cfg.rules, &mut **cache);
                        let judged = model_judges(text, &prepared.lines);
                        let described =
                            describe(text, &prepared, site, &counts, rules, &cfg.params, judged);
                        let id = match serde_json::from_str::<serde_json::Value>(&doc.id_json) {
                            Ok(serde_json::Value::String(s)) => s,
                            _ => doc.id_json.to_string(),
                        };
                        Ok(DescribedDoc {
                            id,
                            site: doc.site.clone(),
                            text: text.to_string(),
                            lines: prepared.lines,
                            described,
                        })
                    },
                )
                .collect()
        });
        for d in described {
            docs.push(d?);
        }
        Ok(())
    })?;
    Ok(docs)
}

fn count_nonblank(prepared: &Prepared, text: &str) -> u64 {
    prepared.lines.iter().filter(|l| !l.is_blank(text)).count() as u64
}

fn reject(
    doc: &Document<'_>,
    source: &str,
    id: &RawValue,
    reason: &'static str,
    detail: String,
    out: &mut DocOutput,
) {
    let mut original = Vec::new();
    doc.write_original(&mut original);
    let record: Option<&RawValue> = std::str::from_utf8(&original)
        .ok()
        .and_then(|s| serde_json::from_str(s).ok());
    push_jsonl(
        &RejectedRecord {
            source,
            reason,
            detail,
            id: Some(id),
            record,
            raw: None,
            survivor: None,
            similarity: None,
        },
        &mut out.rejected,
    );
    out.stats.reject(reason);
}

fn bad_record(record: &RawRecord, inputs: &Inputs, e: &RecordError, out: &mut DocOutput) {
    let mut source = location(record, inputs);
    if let (Layout::Text, RecordError::InvalidUtf8(at)) = (record.layout, e) {
        // Name the line of a text file where the bad byte is.
        let line = record.bytes[..*at].iter().filter(|&&b| b == b'\n').count() + 1;
        source = format!("{}:{line}", inputs.files[record.file].display);
    }
    let raw = String::from_utf8_lossy(&record.bytes);
    let raw = raw.trim_end_matches(['\n', '\r']);
    // A record that is JSON but lacks its text is kept as JSON; anything else as text.
    let as_json: Option<&RawValue> = serde_json::from_str(raw).ok();
    push_jsonl(
        &RejectedRecord {
            source: &source,
            reason: e.code(),
            detail: e.to_string(),
            id: None,
            record: as_json,
            raw: (as_json.is_none() && !raw.is_empty()).then_some(raw),
            survivor: None,
            similarity: None,
        },
        &mut out.rejected,
    );
    out.complaint = Some(format!("{source}: {e}"));
    out.stats.reject(e.code());
    out.stats.bad_records = 1;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_is_named_and_other_errors_are_left_alone() {
        let full = std::io::Error::from(std::io::ErrorKind::StorageFull);
        let e = anyhow::Error::new(full).context("writing the spill file");
        let named = format!(
            "{:#}",
            where_full(e, Some(std::path::Path::new("/data/out")))
        );
        assert!(named.starts_with("the disk is full"), "{named}");
        assert!(named.contains("/data/out"), "{named}");
        assert!(named.contains("writing the spill file"), "{named}");
        let other = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let e = anyhow::Error::new(other).context("creating out.jsonl");
        let left = format!("{:#}", where_full(e, None));
        assert!(left.starts_with("creating out.jsonl"), "{left}");
    }
}
