//! Document deduplication, after line cleaning: exact copies by a fingerprint of the
//! normalized text, near copies by MinHash signatures, banded LSH and union-find.
//!
//! Pure: [`fingerprint`] turns one cleaned text into a [`DocPrint`] (run in parallel by the
//! pipeline); [`find`] takes every kept document's print, in input order, and says which
//! are copies and of what. The survivor of each cluster is its earliest document.
//!
//! Signatures are one-permutation MinHash with optimal densification (Shrivastava, ICML
//! 2017): each shingle is hashed once with xxh3 (a fixed seed, so signatures of two runs
//! compare), its hash picks a bin and the bin keeps its least value; empty bins borrow a
//! filled bin's value along a fixed probe sequence. The share of equal bins estimates the
//! Jaccard similarity of two documents' shingle sets, as with `bins` independent
//! permutations, at the cost of one hash per shingle instead of `bins`.
//!
//! A pair becomes a candidate when all `rows` values of any of `bands` bands agree. With
//! the default 20 bands of 6 rows the chance of that for a pair of Jaccard `j` is
//! `1 - (1 - j^6)^20`: 0.27 at 0.5, 0.62 at 0.6, 0.92 at 0.7, 0.998 at 0.8, 1.000 at 0.9.
//! Candidates join their clusters when every document of the later cluster has an exact
//! (with `verify`, the default) or estimated Jaccard of at least `min_jaccard` (0.8) with
//! the earlier cluster's survivor.
//!
//! With `verify` and `match_span` (the defaults), a later document that falls short is
//! also judged against the stretch of the survivor it matches best ([`span_jaccard`]), and
//! pairs also come from sampled shingles the earlier document holds of the later one
//! ([`held_pairs`]): an article inside a page three times its size shares too few bins.
//!
//! Exact Jaccard needs shingle sets, and only documents in some candidate pair need them:
//! [`candidates`] says which, the caller fills in their [`DocPrint::shingles`] (with
//! [`shingle_set`] of the same cleaned text), then [`find`] joins. So memory grows with
//! the documents that have a likely copy, not with the corpus.

use std::collections::HashMap;
use std::ops::Range;

use nohash_hasher::BuildNoHashHasher;
use rayon::prelude::*;
use xxhash_rust::xxh3::{Xxh3, xxh3_64_with_seed};

use crate::fingerprint::{LinePrint, ascii_tokens, exact_key, line_hash, word_tokens};
use crate::normalize::{Normalizer, is_blank, split_lines};

pub mod earlier;
pub mod eval;

const SHINGLE_SEED: u64 = 0x6465_626f_696c_5d06;
const DOC_SEED: u64 = 0x6465_626f_696c_4407;
const BAND_SEED: u64 = 0x6465_626f_696c_4208;
const PROBE_SEED: u64 = 0x6465_626f_696c_5009;

pub const DEFAULT_SHINGLE_WORDS: usize = 5;
/// Near copies are judged on the lines of at least this many words (a sentence, a
/// paragraph) when they hold at least [`PROSE_MIN_SHARE`] of the document.
pub const DEFAULT_PROSE_MIN_WORDS: usize = 10;
/// Share of a document's words its prose lines must hold to stand for it.
pub const PROSE_MIN_SHARE: f64 = 0.5;

/// In the stretch test, a line of the earlier document that the later one holds none of
/// counts as the line model's confidence that it is content raised to this power: a
/// line the model rates 0.9 counts 0.59, one it rates 0.6 counts 0.08. Kept lines the
/// model doubts are mostly captions, teasers and what is left of the template, which a
/// copy on another site does not carry; a line the copy does hold part of is shared
/// text, and counts in full.
pub const DOUBT_POWER: i32 = 5;
/// Words a line needs to mark, held whole by a copy, where the copy reaches in the earlier
/// document (see [`span_jaccard`]): a title or a subhead, not a lone "Share" or a date.
pub const ANCHOR_MIN_WORDS: usize = 4;
/// How a document is read for deduplication, in [`Params::scheme`]: raised when its
/// `exact` fingerprint or the lines its shingles come from change for the same text. 2:
/// `exact` hashes each line's [`LinePrint::exact`], and prose lines stand for a text
/// when they hold half of its words (1 hashed the normalized bytes, and weighed bytes).
pub const DOC_PRINT_VERSION: u32 = 2;
pub const DEFAULT_BANDS: usize = 20;
pub const DEFAULT_ROWS: usize = 6;
pub const DEFAULT_MIN_JACCARD: f64 = 0.8;

/// Which copies to remove.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Keep every document.
    None,
    /// Remove documents whose cleaned, normalized text equals an earlier one's.
    Exact,
    /// Also remove near copies (MinHash-LSH).
    Near,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    pub mode: Mode,
    /// Words per shingle (characters, for scripts written without spaces).
    pub shingle_words: usize,
    /// Shingle only lines of at least this many words (tokens) when they hold at least
    /// [`PROSE_MIN_SHARE`] of the text; 0 shingles every line.
    pub prose_min_words: usize,
    pub bands: usize,
    pub rows: usize,
    /// Accept a candidate pair by the exact Jaccard of its shingle sets, not the estimate
    /// (the shingle sets of [`candidates`] must then be filled in before [`find`]).
    pub verify: bool,
    /// With `verify`: a document whose Jaccard with an earlier one of another site falls
    /// short is still its copy when it is that alike to the stretch of the earlier one it
    /// matches best (see [`span_jaccard`]); pairs then also come from shared samples
    /// ([`held_pairs`]).
    pub match_span: bool,
    /// Keep each print's [`DocPrint::signature`] (to write it out); estimates without
    /// `verify` keep it anyway.
    pub keep_signatures: bool,
    pub min_jaccard: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            mode: Mode::Near,
            shingle_words: DEFAULT_SHINGLE_WORDS,
            prose_min_words: DEFAULT_PROSE_MIN_WORDS,
            bands: DEFAULT_BANDS,
            rows: DEFAULT_ROWS,
            verify: true,
            match_span: true,
            keep_signatures: false,
            min_jaccard: DEFAULT_MIN_JACCARD,
        }
    }
}

impl Params {
    pub fn bins(&self) -> usize {
        self.bands * self.rows
    }

    /// What makes two runs' signatures comparable: the hash, the normalization, the
    /// shingles and the number of bins. `--signatures` writes it on every line, and
    /// `--against` reads only signatures of its own scheme.
    pub fn scheme(&self) -> String {
        format!(
            "{}/oph normalize={} doc={} words={} prose-words={} bins={}",
            crate::fingerprint::HASH_ALGORITHM,
            crate::normalize::NORMALIZE_VERSION,
            DOC_PRINT_VERSION,
            self.shingle_words,
            self.prose_min_words,
            self.bins()
        )
    }

    /// Whether near copies are also judged by the matched stretch (and proposed by held
    /// pairs): exact verification with [`Params::match_span`].
    pub fn spans(&self) -> bool {
        self.mode == Mode::Near && self.verify && self.match_span
    }
}

/// What deduplication needs of one document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocPrint {
    /// Fingerprint of the normalized text (digits kept).
    pub exact: u64,
    /// The LSH bucket of each band of the MinHash signature; empty in exact mode or for a
    /// text without words.
    pub bands: Vec<u64>,
    /// The MinHash signature, kept only to estimate Jaccard without `verify` or with
    /// [`Params::keep_signatures`].
    pub signature: Vec<u32>,
    /// What exact verification compares: filled in for `verify` ([`ShingleSets::fill`])
    /// for the documents in a candidate pair only, so the others pay 8 bytes for it.
    pub sets: Option<Box<ShingleSets>>,
    /// The sampled shingles ([`samples`]), sorted: how a document held in another is
    /// found when the two are not alike as wholes. Empty unless the matched stretch is on.
    pub samples: Vec<u32>,
    /// The hash of the document's site, when it has one: the matched stretch is a test
    /// for copies on other sites.
    pub site: Option<u64>,
    /// The lines (numbered as [`DocPrint::shingle_lines`]) that are also on other pages of
    /// the document's site (see [`fingerprint_on_site`]), ascending. Empty unless the
    /// matched stretch is on.
    pub site_lines: Vec<u32>,
    /// How likely each line (numbered as [`DocPrint::shingle_lines`]) is to be content, in
    /// 255ths (see [`KeptLine::content`]); empty when every line is (no line model, or the
    /// matched stretch is off).
    pub line_weights: Vec<u8>,
    /// Whether the document is judged on its prose lines (they hold [`PROSE_MIN_SHARE`] of
    /// its text), not on every line.
    pub prose: bool,
}

/// The shingles of a document's prose lines alone, for a document judged on every line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProseShingles {
    /// Sorted and distinct, as [`DocPrint::shingles`].
    pub shingles: Vec<u64>,
    /// For each, the line it first starts on, numbered among *every* line as
    /// [`DocPrint::shingle_lines`] is, so that [`DocPrint::site_lines`] and
    /// [`DocPrint::line_weights`] apply to it.
    pub lines: Vec<u32>,
    /// For each, how many lines past its first it reaches ([`ShingleSets::reach`]).
    pub reach: Vec<u8>,
}

/// What cleaning knows of one line it kept.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KeptLine {
    /// The line is also on other pages of the document's site.
    pub on_site: bool,
    /// How likely the line is to be content: 1 minus the line model's score (1 when no
    /// model judged it). In the span test a line of the earlier document that the later
    /// one does not hold counts this much: it is expected content the copy lacks.
    pub content: f32,
    /// The line's fingerprints, when cleaning has them: then a line the print does not
    /// shingle is not normalized again.
    pub print: Option<LineFacts>,
}

impl Default for KeptLine {
    fn default() -> Self {
        KeptLine {
            on_site: false,
            content: 1.0,
            print: None,
        }
    }
}

/// What fingerprinting found of a line ([`LinePrint`]) that deduplication needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineFacts {
    /// [`LinePrint::exact`]: `None` for a line with no words.
    pub exact: Option<u64>,
    /// [`LinePrint::words`].
    pub words: u32,
}

impl From<&LinePrint> for LineFacts {
    fn from(line: &LinePrint) -> Self {
        LineFacts {
            exact: line.exact,
            words: line.words,
        }
    }
}

/// Whether the prose lines, of `prose` words among the text's `all`, stand for it.
fn prose_stands(prose: usize, all: usize) -> bool {
    prose > 0 && prose as f64 >= PROSE_MIN_SHARE * all as f64
}

impl DocPrint {
    /// The sorted shingle set, when filled in ([`DocPrint::sets`]); else empty.
    pub fn shingles(&self) -> &[u64] {
        self.sets.as_ref().map_or(&[], |s| &s.shingles)
    }

    /// For each of [`DocPrint::shingles`], the line it first starts on, when filled in.
    pub fn shingle_lines(&self) -> &[u32] {
        self.sets.as_ref().map_or(&[], |s| &s.lines)
    }

    fn shingle_reach(&self) -> &[u8] {
        self.sets.as_ref().map_or(&[], |s| &s.reach)
    }

    fn line_keys(&self) -> &[u64] {
        self.sets.as_ref().map_or(&[], |s| &s.line_keys)
    }

    fn short_lines(&self) -> &[(u32, u64)] {
        self.sets.as_ref().map_or(&[], |s| &s.short_lines)
    }

    fn removed(&self) -> &[u64] {
        self.sets.as_ref().map_or(&[], |s| &s.removed)
    }

    /// Whether the two are known to be pages of one site.
    fn same_site(&self, other: &DocPrint) -> bool {
        matches!((self.site, other.site), (Some(a), Some(b)) if a == b)
    }
}

/// The print of one cleaned text, without its shingle set.
pub fn fingerprint(text: &str, params: &Params) -> DocPrint {
    fingerprint_on_site(text, &[], params)
}

/// [`fingerprint`] of a page with what cleaning knows of its lines (indexed as
/// [`split_lines`] finds them; missing ones are [`KeptLine::default`]). Lines also on other
/// pages of its site are left out of its samples and, when the other page does not hold
/// them, of the span test ([`span_jaccard`]): they are its site's template, which cleaning
/// kept (the line model did not score them as boilerplate), not its article. Lines the
/// model found less likely to be content weigh less there ([`DOUBT_POWER`]).
pub fn fingerprint_on_site(text: &str, kept: &[KeptLine], params: &Params) -> DocPrint {
    let near = params.mode == Mode::Near;
    let joined = Joined::of(text, near.then_some(params.prose_min_words), kept);
    let mut print = DocPrint {
        exact: joined.exact,
        prose: joined.prose,
        ..DocPrint::default()
    };
    if near && !joined.text.is_empty() {
        let sampled = params.spans();
        let shingles = joined.shingles(params.shingle_words);
        if sampled {
            print.samples = joined.own_samples(&shingles);
        }
        let signature = signature(&shingles, params.bins());
        print.bands = band_keys(&signature, params);
        if !params.verify || params.keep_signatures {
            print.signature = signature;
        }
        if sampled {
            print.site_lines = joined.site_lines;
            if joined.weights.iter().any(|&w| w < u8::MAX) {
                print.line_weights = joined.weights;
            }
        }
    }
    print
}

/// One shingle in this many is sampled (by its hash, so the same in every document).
pub const SAMPLE_EVERY: u64 = 32;

/// The sampled shingles of a document, sorted and distinct: those whose hash has bits 32
/// to 36 clear (the bins of [`signature`] use the top bits), as their low 32 bits. A
/// document held in another has its samples in the other's.
pub fn samples(shingles: &[u64]) -> Vec<u32> {
    sorted_samples(shingles.iter().copied().filter(|&h| is_sample(h)))
}

/// Whether a shingle is one of the samples (see [`samples`]).
fn is_sample(shingle: u64) -> bool {
    (shingle >> 32) % SAMPLE_EVERY == 0
}

fn sorted_samples(sampled: impl Iterator<Item = u64>) -> Vec<u32> {
    let mut samples: Vec<u32> = sampled.map(|h| h as u32).collect();
    samples.sort_unstable();
    samples.dedup();
    samples
}

/// The sorted, distinct shingles of a text, as [`fingerprint`] sees them: of its prose
/// lines when they stand for it (see [`Params::prose_min_words`]), else of every line.
pub fn shingle_set(text: &str, params: &Params) -> Vec<u64> {
    sorted_shingles(text, params.shingle_words, params.prose_min_words)
}

/// The sorted, distinct shingles of every line of a text.
pub fn shingle_set_of_every_line(text: &str, k: usize) -> Vec<u64> {
    sorted_shingles(text, k, 0)
}

fn sorted_shingles(text: &str, k: usize, prose_min_words: usize) -> Vec<u64> {
    let joined = Joined::of(text, Some(prose_min_words), &[]);
    if joined.text.is_empty() {
        return Vec::new();
    }
    let mut set = joined.shingles(k);
    set.sort_unstable();
    set.dedup();
    set
}

/// What exact verification compares of a document in a candidate pair
/// ([`DocPrint::sets`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ShingleSets {
    /// The sorted shingle set ([`shingle_set`]).
    pub shingles: Vec<u64>,
    /// For each of `shingles`, the line it first starts on, counting the lines the set is
    /// made of (the prose lines when they stand for the text); empty unless the matched
    /// stretch is on.
    pub lines: Vec<u32>,
    /// For each of `shingles`, how many lines past its first it reaches (0 within one
    /// line; [`u8::MAX`] for that many or more, which is taken as unknown).
    pub reach: Vec<u8>,
    /// For a document judged on every line that has prose lines: the shingles of those
    /// alone. A copy judged on its prose lines is also tried against this stretch (see
    /// `likeness`).
    pub prose_only: Option<Box<ProseShingles>>,
    /// The fingerprint ([`crate::fingerprint::line_hash`]) of each line numbered as
    /// `lines` numbers them.
    pub line_keys: Vec<u64>,
    /// For a document judged on its prose lines: the lines too short to be prose but of
    /// at least [`ANCHOR_MIN_WORDS`] words (a title, a subhead), each as the number of
    /// prose lines before it and its fingerprint. In the stretch test a line of the
    /// earlier document that the later one holds whole marks where its copy reaches (see
    /// [`span_jaccard`]).
    pub short_lines: Vec<(u32, u64)>,
    /// The fingerprints of the lines cleaning removed from the document, sorted (which the
    /// caller knows, not the text). In the stretch test, a line that one document of a
    /// pair kept and the other's cleaning removed counts on neither side (see
    /// [`span_jaccard`]).
    pub removed: Vec<u64>,
}

impl ShingleSets {
    /// Fills them into the document's print.
    pub fn fill(self, print: &mut DocPrint) {
        print.sets = Some(Box::new(self));
    }
}

/// [`shingle_set`] with, for each shingle, the line it first starts on and each line's
/// fingerprint, and, when the text is judged on every line and has prose lines, the set of
/// its prose lines alone ([`ShingleSets::prose_only`]). The caller fills in
/// [`ShingleSets::removed`].
pub fn shingle_sets_with_lines(text: &str, params: &Params) -> ShingleSets {
    let (mut joined, prose) = Joined::views(text, Some(params.prose_min_words), &[], true);
    let sorted = |joined: &Joined| -> (Vec<u64>, Vec<u32>, Vec<u8>) {
        if joined.text.is_empty() {
            return (Vec::new(), Vec::new(), Vec::new());
        }
        let mut triples = joined.shingles_with_lines(params.shingle_words);
        // Sorted by hash, then line: the first of equal hashes holds the earliest line.
        triples.sort_unstable();
        triples.dedup_by_key(|p| p.0);
        let n = triples.len();
        let mut out = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        for (h, l, e) in triples {
            out.0.push(h);
            out.1.push(l);
            out.2.push(u8::try_from(e - l).unwrap_or(u8::MAX));
        }
        out
    };
    let prose_only = prose.map(|prose| {
        let (shingles, lines, reach) = sorted(&prose);
        Box::new(ProseShingles {
            shingles,
            lines,
            reach,
        })
    });
    let (shingles, lines, reach) = sorted(&joined);
    ShingleSets {
        shingles,
        lines,
        reach,
        prose_only,
        // Empty unless the prose lines stand for the text (only they gather short lines).
        short_lines: std::mem::take(&mut joined.short_lines),
        line_keys: std::mem::take(&mut joined.keys),
        removed: Vec::new(),
    }
}

/// A text as deduplication reads it.
struct Joined {
    /// The fingerprint of the normalized lines (digits kept).
    exact: u64,
    /// The normalized lines near copies are judged on, joined by spaces (empty unless
    /// asked for).
    text: String,
    /// The byte offset in `text` where each joined line starts.
    starts: Vec<usize>,
    /// The joined lines that were flagged as on other pages of the site, ascending.
    site_lines: Vec<u32>,
    /// Each joined line's [`KeptLine::content`], in 255ths.
    weights: Vec<u8>,
    /// The word tokens of `text` ([`word_tokens`]), gathered line by line.
    tokens: Vec<Range<usize>>,
    /// Whether these are the prose lines, standing for the text.
    prose: bool,
    /// For the prose lines of a text judged on every line: where each joined line is
    /// among every line, so that shingles are numbered as the whole text's are. Empty
    /// otherwise (lines are numbered as joined).
    origin: Vec<u32>,
    /// Each joined line's fingerprint ([`crate::fingerprint::line_hash`]), when asked for.
    keys: Vec<u64>,
    /// For the prose lines, when keys are asked for: [`ShingleSets::short_lines`].
    short_lines: Vec<(u32, u64)>,
}

impl Joined {
    /// The fingerprint of a text's normalized lines and, with `join`, the normalized lines
    /// that near copies are judged on: those of at least `join` words when they hold
    /// [`PROSE_MIN_SHARE`] of the text, else every line. A syndicated article keeps its
    /// paragraphs on every site, while what cleaning left of each site's template is
    /// mostly short lines (bylines, dates, menus) that differ. `kept` describes lines of
    /// `text` as [`split_lines`] finds them (see [`fingerprint_on_site`]).
    fn of(text: &str, join: Option<usize>, kept: &[KeptLine]) -> Joined {
        match Joined::known(text, join, kept) {
            Some(joined) => joined,
            None => Joined::views(text, join, kept, false).0,
        }
    }

    /// [`Joined::of`] from what `kept` says of every line ([`KeptLine::print`]), which
    /// decides which lines are joined before any is normalized: only those are. `None`
    /// when `kept` does not describe each line of `text`.
    fn known(text: &str, join: Option<usize>, kept: &[KeptLine]) -> Option<Joined> {
        let spans = split_lines(text);
        if kept.len() != spans.len() {
            return None;
        }
        let facts: Vec<LineFacts> = kept.iter().map(|k| k.print).collect::<Option<_>>()?;
        let mut exact = Xxh3::with_seed(DOC_SEED);
        let (mut prose_words, mut all_words) = (0, 0);
        for f in &facts {
            let Some(key) = f.exact else { continue };
            exact.update(&key.to_le_bytes());
            all_words += f.words as usize;
            if join.is_some_and(|min| min > 0 && f.words as usize >= min) {
                prose_words += f.words as usize;
            }
        }
        let Some(min_words) = join else {
            return Some(Joined {
                exact: exact.digest(),
                ..Joined::with_capacity((0, 0))
            });
        };
        let prose = prose_stands(prose_words, all_words);
        let mut joined = Joined::with_capacity((text.len(), spans.len()));
        let mut norm = Normalizer::for_lines(&spans);
        let mut tokens = Vec::new();
        let lines = spans.iter().map(|s| s.content(text));
        for ((line, f), note) in lines.zip(&facts).zip(kept) {
            if f.exact.is_none() || (prose && (f.words as usize) < min_words) {
                continue;
            }
            norm.normalize(line);
            let line = norm.as_str();
            match norm.ascii_word_ends() {
                Some(ends) => ascii_tokens(ends, &mut tokens),
                None => tokens = word_tokens(line),
            }
            debug_assert_eq!(tokens.len(), f.words as usize, "{line}");
            joined.push(line, &tokens, *note);
        }
        joined.prose = prose;
        joined.exact = exact.digest();
        Some(joined)
    }

    /// [`Joined::of`], and, when that is every line and some are prose lines, the prose
    /// lines alone, numbered among every line ([`Joined::origin`]). `keys`: fill in
    /// [`Joined::keys`].
    fn views(
        text: &str,
        join: Option<usize>,
        kept: &[KeptLine],
        keys: bool,
    ) -> (Joined, Option<Joined>) {
        let spans = split_lines(text);
        let mut norm = Normalizer::for_lines(&spans);
        let mut exact = Xxh3::with_seed(DOC_SEED);
        let room = |bytes: usize| join.map_or((0, 0), |_| (bytes, spans.len()));
        let mut all = Joined::with_capacity(room(text.len()));
        let mut prose = Joined::with_capacity(room(text.len()));
        let mut tokens = Vec::new();
        for (i, line) in spans.iter().map(|s| s.content(text)).enumerate() {
            if is_blank(line) {
                continue;
            }
            norm.normalize(line);
            if norm.key().is_empty() {
                continue;
            }
            let key = exact_key(line_hash(norm.as_str()), norm.digits());
            exact.update(&key.to_le_bytes());
            if let Some(min_words) = join {
                let line = norm.as_str();
                // An ASCII key's words were found while normalizing it.
                match norm.ascii_word_ends() {
                    Some(ends) => ascii_tokens(ends, &mut tokens),
                    None => tokens = word_tokens(line),
                }
                let note = kept.get(i).copied().unwrap_or_default();
                all.push(line, &tokens, note);
                let key = keys.then(|| line_hash(line));
                all.keys.extend(key);
                if min_words > 0 && tokens.len() >= min_words {
                    prose.push(line, &tokens, note);
                    prose.origin.push(all.starts.len() as u32 - 1);
                    prose.keys.extend(key);
                } else if let Some(key) = key
                    && tokens.len() >= ANCHOR_MIN_WORDS
                {
                    prose.short_lines.push((prose.starts.len() as u32, key));
                }
            }
        }
        let (mut joined, prose_only) = if prose_stands(prose.tokens.len(), all.tokens.len()) {
            prose.origin.clear();
            prose.prose = true;
            (prose, None)
        } else {
            (all, (!prose.text.is_empty()).then_some(prose))
        };
        joined.exact = exact.digest();
        (joined, prose_only)
    }

    /// Room for `bytes` of text in `lines` lines, so that pushing them does not grow
    /// the buffers line by line (a word token per six bytes, about as many as prose has).
    fn with_capacity((bytes, lines): (usize, usize)) -> Joined {
        Joined {
            exact: 0,
            text: String::with_capacity(bytes),
            starts: Vec::with_capacity(lines),
            site_lines: Vec::new(),
            weights: Vec::with_capacity(lines),
            tokens: Vec::with_capacity(bytes / 6),
            prose: false,
            origin: Vec::new(),
            keys: Vec::new(),
            short_lines: Vec::new(),
        }
    }

    /// Appends a normalized line and its word tokens.
    fn push(&mut self, line: &str, tokens: &[Range<usize>], note: KeptLine) {
        if note.on_site {
            self.site_lines.push(self.starts.len() as u32);
        }
        self.weights
            .push((note.content.clamp(0.0, 1.0) * 255.0).round() as u8);
        if !self.text.is_empty() {
            self.text.push(' ');
        }
        let start = self.text.len();
        self.starts.push(start);
        self.text.push_str(line);
        self.tokens
            .extend(tokens.iter().map(|t| t.start + start..t.end + start));
    }

    /// [`shingles`] of the joined text.
    fn shingles(&self, k: usize) -> Vec<u64> {
        shingles_of(&self.text, &self.tokens, k)
    }

    /// [`samples`] of `shingles` (this text's, in order), leaving out those that start on
    /// one of [`Joined::site_lines`]: they are the site's template, not the page's own.
    fn own_samples(&self, shingles: &[u64]) -> Vec<u32> {
        if self.site_lines.is_empty() {
            return samples(shingles);
        }
        // Shingle i starts at token i (a text of fewer tokens is one shingle, on line 0).
        let mut line = 0;
        let own = shingles.iter().enumerate().filter(|&(i, &h)| {
            if !is_sample(h) {
                return false;
            }
            let start = self.tokens.get(i).map_or(0, |t| t.start);
            while line + 1 < self.starts.len() && self.starts[line + 1] <= start {
                line += 1;
            }
            let number = self.origin.get(line).map_or(line as u32, |&o| o);
            self.site_lines.binary_search(&number).is_err()
        });
        sorted_samples(own.map(|(_, &h)| h))
    }

    /// Every shingle (as [`shingles`]) with the lines it starts and ends on.
    fn shingles_with_lines(&self, k: usize) -> Vec<(u64, u32, u32)> {
        let tokens = &self.tokens;
        let k = k.max(1);
        let number = |line: usize| self.origin.get(line).map_or(line as u32, |&o| o);
        let last = self.starts.len().saturating_sub(1);
        if tokens.len() <= k {
            return vec![(
                xxh3_64_with_seed(self.text.as_bytes(), SHINGLE_SEED),
                number(0),
                number(last),
            )];
        }
        let (mut line, mut end) = (0, 0);
        tokens
            .windows(k)
            .map(|w| {
                while line + 1 < self.starts.len() && self.starts[line + 1] <= w[0].start {
                    line += 1;
                }
                while end + 1 < self.starts.len() && self.starts[end + 1] <= w[k - 1].start {
                    end += 1;
                }
                (run_hash(&self.text, w), number(line), number(end))
            })
            .collect()
    }
}

/// Hashes of every run of `k` tokens of a normalized text (one hash for a shorter text).
pub fn shingles(normalized: &str, k: usize) -> Vec<u64> {
    shingles_of(normalized, &word_tokens(normalized), k)
}

/// [`shingles`] of a text whose word tokens are known.
fn shingles_of(normalized: &str, tokens: &[Range<usize>], k: usize) -> Vec<u64> {
    let k = k.max(1);
    if tokens.len() <= k {
        return vec![xxh3_64_with_seed(normalized.as_bytes(), SHINGLE_SEED)];
    }
    tokens.windows(k).map(|w| run_hash(normalized, w)).collect()
}

/// The hash of one run of tokens of a normalized text: one shingle.
#[inline(always)]
fn run_hash(normalized: &str, run: &[std::ops::Range<usize>]) -> u64 {
    let bytes = &normalized.as_bytes()[run[0].start..run[run.len() - 1].end];
    xxh3_64_with_seed(bytes, SHINGLE_SEED)
}

/// One-permutation MinHash with optimal densification; `bins` values.
pub fn signature(shingles: &[u64], bins: usize) -> Vec<u32> {
    const EMPTY: u64 = u64::MAX;
    let mut mins = vec![EMPTY; bins];
    for &h in shingles {
        // The high bits choose the bin, the low 32 are the value.
        let bin = ((u128::from(h) * bins as u128) >> 64) as usize;
        let v = h & 0xffff_ffff;
        mins[bin] = mins[bin].min(v);
    }
    if shingles.is_empty() {
        return Vec::new();
    }
    if !mins.contains(&EMPTY) {
        return mins.into_iter().map(|v| v as u32).collect();
    }
    let filled: Vec<u64> = mins.clone();
    for (i, m) in mins.iter_mut().enumerate() {
        let mut attempt = 0u64;
        while *m == EMPTY {
            let mut key = [0u8; 16];
            key[..8].copy_from_slice(&(i as u64).to_le_bytes());
            key[8..].copy_from_slice(&attempt.to_le_bytes());
            let probe =
                ((u128::from(xxh3_64_with_seed(&key, PROBE_SEED)) * bins as u128) >> 64) as usize;
            *m = filled[probe];
            attempt += 1;
        }
    }
    mins.into_iter().map(|v| v as u32).collect()
}

/// The share of equal bins: an estimate of the Jaccard similarity.
pub fn estimate(a: &[u32], b: &[u32]) -> f64 {
    if a.is_empty() || a.len() != b.len() {
        return 0.0;
    }
    let equal = a.iter().zip(b).filter(|(x, y)| x == y).count();
    equal as f64 / a.len() as f64
}

/// The exact Jaccard similarity of two sorted, deduplicated sets.
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let (mut i, mut j, mut both) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    both as f64 / (a.len() + b.len() - both) as f64
}

/// Why a document was found to be a copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Duplicate,
    NearDuplicate,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::Duplicate => "duplicate",
            Kind::NearDuplicate => "near-duplicate",
        }
    }
}

/// A document found to be a copy: of which (the index of its cluster's survivor), how,
/// and how alike the two are (1 for an exact copy; estimated, or exact with `verify`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Copy {
    pub survivor: usize,
    pub kind: Kind,
    pub similarity: f64,
}

/// For each document, the earlier document whose normalized text it equals, if any (the
/// first of them: that one has `None`).
fn exact_copies(prints: &[DocPrint]) -> Vec<Option<usize>> {
    let mut first: HashMap<u64, usize, BuildNoHashHasher<u64>> = HashMap::default();
    prints
        .iter()
        .enumerate()
        .map(|(i, p)| match first.get(&p.exact) {
            Some(&j) => Some(j),
            None => {
                first.insert(p.exact, i);
                None
            }
        })
        .collect()
}

/// What [`find`] needs besides the prints: which documents need a shingle set for
/// `verify`, the pairs found held one in the other, and who shares a bucket with whom.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Candidates {
    /// Documents in a candidate pair (sharing a band with another document, or in one of
    /// `held`) that are not an exact copy, which stands in for them. All `false` unless
    /// near copies are verified.
    pub marked: Vec<bool>,
    /// Pairs (earlier, later), sorted, where most of the later document's samples are in
    /// the earlier's ([`held_pairs`]): copies of an article that the earlier page holds
    /// with more around it, which the bands, made for Jaccard of whole documents, miss.
    /// Empty unless the matched stretch is on.
    pub held: Vec<(u32, u32)>,
    /// For each band, each document that shares its bucket with an earlier one, and the
    /// latest such (document, earlier), in document order: the buckets [`find`] walks,
    /// found here in parallel. Empty unless near copies are looked for.
    pub links: Vec<Vec<(u32, u32)>>,
}

/// A sample held by more documents than this proposes no pair: it is a template that
/// cleaning left, or text that many documents quote.
pub const MAX_SAMPLE_DOCS: usize = 100;

/// A document is offered the clusters of at most this many of the nearest earlier
/// documents of each of its buckets. A bucket that large holds pages that are nearly the
/// same (one template, a word apart), which have joined few clusters by then; walking
/// all of it for every document would take time quadratic in its size.
pub const MAX_BUCKET_WALK: usize = 100;

/// Pairs (earlier, later) of documents that are not exact copies nor known pages of one
/// site where one holds at least 2 of the other's samples, and at least half of them (the
/// span test that judges them asks for 80% of the later one's shingles), sorted. The
/// earlier may be the one held: its cleaning may have removed what the later's kept, and
/// lines cleaning judged twice do not count in the span test (see [`span_jaccard`]).
pub fn held_pairs(prints: &[DocPrint], exact_of: &[Option<usize>]) -> Vec<(u32, u32)> {
    // Documents under each sample, a quarter of the sample values at a time (by their top
    // two bits), so that only a quarter of the (sample, document) entries is in memory.
    let mut shared: HashMap<u64, u32, BuildNoHashHasher<u64>> = HashMap::default();
    // (sample << 32 | document): sorted as one number, by sample, then document.
    let mut entries: Vec<u64> = Vec::new();
    for part in 0..4u32 {
        entries.clear();
        entries.par_extend(
            (prints.par_iter().zip(exact_of).enumerate())
                .filter(|(_, (_, exact))| exact.is_none())
                .flat_map_iter(|(i, (p, _))| {
                    let samples = p.samples.iter().filter(move |&&s| s >> 30 == part);
                    samples.map(move |&s| u64::from(s) << 32 | i as u64)
                }),
        );
        entries.par_sort_unstable();
        for docs in entries.chunk_by(|a, b| a >> 32 == b >> 32) {
            if docs.len() > MAX_SAMPLE_DOCS {
                continue;
            }
            for (k, &a) in docs.iter().enumerate() {
                let a = a as u32;
                for &b in &docs[k + 1..] {
                    let b = b as u32;
                    *shared.entry(u64::from(a) << 32 | u64::from(b)).or_default() += 1;
                }
            }
        }
    }
    let mut pairs: Vec<(u32, u32)> = shared
        .into_iter()
        .map(|(key, n)| ((key >> 32) as u32, key as u32, n))
        .filter(|&(earlier, later, n)| {
            let (earlier, later) = (&prints[earlier as usize], &prints[later as usize]);
            let fewer = later.samples.len().min(earlier.samples.len());
            n >= 2 && 2 * n as usize >= fewer && !later.same_site(earlier)
        })
        .map(|(a, b, _)| (a, b))
        .collect();
    pairs.sort_unstable();
    pairs
}

/// Which documents need a shingle set, the pairs held one in the other, and who shares
/// a bucket with whom (see [`Candidates`]). Runs on the current rayon pool.
pub fn candidates(prints: &[DocPrint], params: &Params) -> Candidates {
    let mut marked = vec![false; prints.len()];
    if params.mode != Mode::Near {
        return Candidates {
            marked,
            ..Candidates::default()
        };
    }
    let exact_of = exact_copies(prints);
    // Held pairs beside the bands: its sorting and counting leave a core idle.
    let (held, links) = rayon::join(
        || {
            if params.verify && params.spans() {
                held_pairs(prints, &exact_of)
            } else {
                Vec::new()
            }
        },
        || band_links(prints, &exact_of, params.bands),
    );
    if params.verify {
        for &(a, b) in held.iter().chain(links.iter().flatten()) {
            marked[a as usize] = true;
            marked[b as usize] = true;
        }
    }
    Candidates {
        marked,
        held,
        links,
    }
}

/// For each band (in parallel, each with its own buckets), every document that shares a
/// bucket with an earlier one, with the latest such: `(later, earlier)`. Exact copies are
/// left out.
fn band_links(
    prints: &[DocPrint],
    exact_of: &[Option<usize>],
    bands: usize,
) -> Vec<Vec<(u32, u32)>> {
    let mut latest: Vec<HashMap<u64, u32, BuildNoHashHasher<u64>>> =
        (0..bands).map(|_| HashMap::default()).collect();
    let mut links: Vec<Vec<(u32, u32)>> = vec![Vec::new(); bands];
    // Each band walks every document: its keys are laid out band by band, a chunk of
    // documents at a time, so that the walk reads them in order rather than chasing
    // every document's own list of keys once per band.
    let mut keys: Vec<u64> = Vec::new();
    let mut has: Vec<usize> = Vec::new();
    for (c, chunk) in prints.chunks(BAND_CHUNK).enumerate() {
        let (first, len) = (c * BAND_CHUNK, chunk.len());
        keys.clear();
        keys.resize(bands * len, 0);
        has.clear();
        for (j, p) in chunk.iter().enumerate() {
            let own = if exact_of[first + j].is_none() {
                p.bands.len().min(bands)
            } else {
                0
            };
            has.push(own);
            for (band, &key) in p.bands[..own].iter().enumerate() {
                keys[band * len + j] = key;
            }
        }
        (latest.par_iter_mut().zip(&mut links).enumerate()).for_each(|(band, (latest, links))| {
            let keys = &keys[band * len..(band + 1) * len];
            for (j, (&key, &own)) in keys.iter().zip(&has).enumerate() {
                if band >= own {
                    continue;
                }
                let i = (first + j) as u32;
                if let Some(earlier) = latest.insert(key, i) {
                    links.push((i, earlier));
                }
            }
        });
    }
    links
}

/// Documents whose band keys [`band_links`] lays out at a time (8 bytes a band each).
const BAND_CHUNK: usize = 1 << 16;

/// The bucket of each band of `rows` values of a signature (none for an empty one).
fn band_keys(signature: &[u32], params: &Params) -> Vec<u64> {
    let mut bytes = Vec::with_capacity(4 * params.rows);
    signature
        .chunks_exact(params.rows)
        .enumerate()
        .map(|(band, values)| {
            bytes.clear();
            for v in values {
                bytes.extend_from_slice(&v.to_le_bytes());
            }
            xxh3_64_with_seed(&bytes, BAND_SEED ^ band as u64)
        })
        .collect()
}

/// Which documents are copies: `None` for a survivor or a document with no copy. With
/// `verify`, the documents [`candidates`] marks must carry their shingle sets; `found` is
/// what [`candidates`] found of these prints.
pub fn find(prints: &[DocPrint], found: &Candidates, params: &Params) -> Vec<Option<Copy>> {
    let n = prints.len();
    let mut sets = UnionFind::new(n);
    let exact_of = if params.mode == Mode::None {
        vec![None; n]
    } else {
        exact_copies(prints)
    };
    for (i, of) in exact_of.iter().enumerate() {
        if let Some(j) = *of {
            sets.union(i, j);
        }
    }
    // An exact copy's shingles are those of the first document with its text.
    let print = |i: usize| &prints[exact_of[i].unwrap_or(i)];
    if params.mode == Mode::Near {
        near_pairs(prints, &exact_of, found, params, &mut sets);
    }
    (0..n)
        .map(|i| {
            let survivor = sets.find(i);
            if survivor == i {
                return None;
            }
            let (a, b) = (print(i), print(survivor));
            Some(if a.exact == b.exact {
                Copy {
                    survivor,
                    kind: Kind::Duplicate,
                    similarity: 1.0,
                }
            } else {
                Copy {
                    survivor,
                    kind: Kind::NearDuplicate,
                    similarity: likeness(a, b, params),
                }
            })
        })
        .collect()
}

/// A cluster of copies: its survivor and every member (the survivor first, with no
/// [`Copy`](struct@Copy)), in input order.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    pub survivor: usize,
    pub members: Vec<(usize, Option<Copy>)>,
}

/// The clusters of [`find`]'s answer, in the order of their survivors.
pub fn clusters(copies: &[Option<Copy>]) -> Vec<Cluster> {
    let mut by_survivor: std::collections::BTreeMap<usize, Vec<(usize, Option<Copy>)>> =
        std::collections::BTreeMap::new();
    for (i, c) in copies.iter().enumerate() {
        if let Some(c) = c {
            by_survivor
                .entry(c.survivor)
                .or_default()
                .push((i, Some(*c)));
        }
    }
    by_survivor
        .into_iter()
        .map(|(survivor, rest)| {
            let mut members = vec![(survivor, None)];
            members.extend(rest);
            Cluster { survivor, members }
        })
        .collect()
}

fn similarity(a: &DocPrint, b: &DocPrint, params: &Params) -> f64 {
    if params.verify {
        jaccard(a.shingles(), b.shingles())
    } else {
        estimate(&a.signature, &b.signature)
    }
}

/// How alike a later document is to the survivor of an earlier cluster: their Jaccard, or,
/// when that falls short of `min_jaccard`, [`Params::match_span`] is on and the two are not
/// pages of one site, their [`span_jaccard`] if higher. Text two pages of a site share
/// beyond their article is the site's own (a comment policy, a category blurb) that
/// cleaning kept; across sites it is the copy.
fn likeness(later: &DocPrint, survivor: &DocPrint, params: &Params) -> f64 {
    let j = similarity(later, survivor, params);
    if j >= params.min_jaccard || !params.spans() || later.same_site(survivor) {
        return j;
    }
    let t = params.min_jaccard;
    let span = j.max(span_jaccard(survivor, later, t));
    match survivor.sets.as_ref().and_then(|s| s.prose_only.as_ref()) {
        // A copy judged on its prose lines, of a survivor judged on every line: its short
        // lines are not in its set, so the survivor's are left out too.
        Some(prose) if span < t && later.prose => span
            .max(jaccard(&prose.shingles, later.shingles()))
            .max(span_of(
                survivor,
                (&prose.shingles, &prose.lines, &prose.reach),
                later,
                t,
            )),
        _ => span,
    }
}

/// The exact Jaccard similarity of `later`'s shingles with those of the run of `earlier`'s
/// lines that matches them best: the run that reaches `t` if any does (see below). What
/// cleaning left of the earlier page's own template, its comments and related links, sits
/// outside that run and does not count, while everything `later` holds does: the later
/// document goes only if nearly all of its text is in the earlier one. The run reaches
/// over a line `later` lacks to a line next to it that `later` holds, such as the title
/// above a dropped first paragraph (`reach_anchors`). On either side,
/// shingles the other does not hold on lines that are also on other pages of the same site
/// ([`DocPrint::site_lines`]) do not count either: they are that site's template; nor do
/// those on lines the other's cleaning removed, nor those that reach across such lines
/// from one line both hold to the next. `earlier` and `later` need their
/// [`DocPrint::shingle_lines`]; 0 without them.
pub fn span_jaccard(earlier: &DocPrint, later: &DocPrint, t: f64) -> f64 {
    span_of(
        earlier,
        (
            earlier.shingles(),
            earlier.shingle_lines(),
            earlier.shingle_reach(),
        ),
        later,
        t,
    )
}

/// The lines a shingle starting on `line` spans, when it reaches past that line and how
/// far is known ([`ShingleSets::reach`]).
fn across(line: u32, reach: Option<&u8>) -> Option<Range<u32>> {
    let reach = *reach.filter(|&&r| r > 0 && r < u8::MAX)?;
    Some(line..line + u32::from(reach) + 1)
}

/// Where each line of a document stands, by its fingerprint (the first of equal lines).
struct LineIndex(Vec<(u64, u32)>);

impl LineIndex {
    fn of(print: &DocPrint) -> LineIndex {
        let keys = print.line_keys().iter().enumerate();
        let mut index: Vec<(u64, u32)> = keys.map(|(i, &k)| (k, i as u32)).collect();
        index.sort_unstable();
        index.dedup_by_key(|x| x.0);
        LineIndex(index)
    }

    fn line(&self, key: u64) -> Option<u32> {
        let at = self.0.binary_search_by_key(&key, |x| x.0).ok()?;
        Some(self.0[at].1)
    }
}

/// [`span_jaccard`] with `e`, `lines` and `reach` in place of `earlier`'s shingles, the
/// line each starts on (numbered as its [`DocPrint::shingle_lines`]) and how far it
/// reaches.
fn span_of(
    earlier: &DocPrint,
    (e, lines, reach): (&[u64], &[u32], &[u8]),
    later: &DocPrint,
    t: f64,
) -> f64 {
    let l = later.shingles();
    if l.is_empty() || lines.len() != e.len() || e.is_empty() {
        return 0.0;
    }
    // Which shingles of each the other holds (both are sorted).
    let (mut e_held, mut l_held) = (vec![false; e.len()], vec![false; l.len()]);
    let (mut i, mut j) = (0, 0);
    while i < e.len() && j < l.len() {
        match e[i].cmp(&l[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                (e_held[i], l_held[j]) = (true, true);
                i += 1;
                j += 1;
            }
        }
    }
    let on_site = |print: &DocPrint, line: u32| print.site_lines.binary_search(&line).is_ok();
    // A line the other document's cleaning removed: cleaning judged it twice, differently.
    let removed_by = |print: &DocPrint, other: &DocPrint, line: u32| {
        (print.line_keys().get(line as usize))
            .is_some_and(|key| other.removed().binary_search(key).is_ok())
    };
    let aside = |print: &DocPrint, other: &DocPrint, line: u32| {
        on_site(print, line) || removed_by(print, other, line)
    };
    let (e_lines, l_lines) = (LineIndex::of(earlier), LineIndex::of(later));
    // A shingle across lines whose lines not set aside are all held whole by the other
    // document, in the same order, with nothing between them there but lines set aside
    // there: the two differ only by what one's cleaning removed or its site repeats
    // between them, so it counts on neither side. (Across a line one holds and the other
    // does not, a dropped or added paragraph, it counts.)
    let junction = |print: &DocPrint, other: &DocPrint, in_other: &LineIndex, lines: Range<u32>| {
        let mut before: Option<u32> = None;
        for line in lines {
            if aside(print, other, line) {
                continue;
            }
            let Some(at) = (print.line_keys().get(line as usize)).and_then(|k| in_other.line(*k))
            else {
                return false;
            };
            if let Some(b) = before
                && (at <= b || !(b + 1..at).all(|between| aside(other, print, between)))
            {
                return false;
            }
            before = Some(at);
        }
        true
    };
    // (held, counted) per line of `earlier`. An unheld shingle counts in full on a line
    // `later` holds part of; on a line it holds none of, as much as the line is likely
    // content (see [`DOUBT_POWER`]); and not at all on a site line or a line `later` had
    // removed.
    let n_lines = lines.iter().max().map_or(0, |&m| m as usize + 1);
    let mut held_unheld = vec![(0u32, 0u32); n_lines];
    for (k, (&line, &held)) in lines.iter().zip(&e_held).enumerate() {
        let c = &mut held_unheld[line as usize];
        if held {
            c.0 += 1;
        } else if !aside(earlier, later, line)
            && !(across(line, reach.get(k)))
                .is_some_and(|lines| junction(earlier, later, &l_lines, lines))
        {
            c.1 += 1;
        }
    }
    let weight_of = |line: usize| {
        (earlier.line_weights.get(line)).map_or(1.0, |&w| (f64::from(w) / 255.0).powi(DOUBT_POWER))
    };
    let per_line: Vec<(u32, f64)> = (held_unheld.iter().enumerate())
        .map(|(line, &(held, unheld))| {
            let w = if held > 0 { 1.0 } else { weight_of(line) };
            (held, f64::from(held) + w * f64::from(unheld))
        })
        .collect();
    if later.shingle_lines().len() != l.len() {
        return 0.0;
    }
    let l_reach = later.shingle_reach();
    let later_counted = (l_held.iter().zip(later.shingle_lines()).enumerate())
        .filter(|&(k, (&held, &line))| {
            held || !(aside(later, earlier, line)
                || (across(line, l_reach.get(k)))
                    .is_some_and(|lines| junction(later, earlier, &e_lines, lines)))
        })
        .count();
    // A stretch of `both` held shingles among `span` counted ones reaches Jaccard `t` when
    // both / (span + later_counted - both) >= t, that is when the sum over its lines of
    // (1 + t) held - t counted is at least t later_counted: the stretch with the greatest
    // sum (Kadane; the earliest of equals) reaches `t` if any does.
    let weight = |&(held, counted): &(u32, f64)| (1.0 + t) * f64::from(held) - t * counted;
    let (mut best, mut best_range) = (0.0, None);
    let (mut sum, mut start) = (0.0, 0);
    for (i, c) in per_line.iter().enumerate() {
        if sum <= 0.0 {
            (sum, start) = (0.0, i);
        }
        sum += weight(c);
        if sum > best {
            (best, best_range) = (sum, Some(start..i + 1));
        }
    }
    let Some(range) = best_range else {
        return 0.0;
    };
    let range = reach_anchors(range, &per_line, earlier, (later, &l_lines));
    let (both, span) = per_line[range]
        .iter()
        .fold((0.0, 0.0), |(b, s), &(held, counted)| {
            (b + f64::from(held), s + counted)
        });
    both / (span + later_counted as f64 - both)
}

/// Widens the stretch `range` of `earlier`'s lines that best matches `later` (see
/// [`span_of`]; `per_line` holds each line's held shingles first) over lines just outside
/// it that are anchored: a line next to the stretch, or one line past it, that `later`
/// holds a shingle of or holds whole, or a short line ([`ShingleSets::short_lines`]) that
/// `later` holds whole just past a line next to it. What the stretch leaves out at either
/// end is what cleaning left of the earlier page's template, which the later one does not
/// carry; a paragraph between the title both hold and the stretch is one the later copy
/// dropped, and counts against it. `in_later` indexes `later`'s lines, as [`span_of`]
/// made it.
fn reach_anchors(
    range: Range<usize>,
    per_line: &[(u32, f64)],
    earlier: &DocPrint,
    (later, in_later): (&DocPrint, &LineIndex),
) -> Range<usize> {
    // A line the later page's cleaning removed was on it too.
    let holds = |key: &u64| {
        in_later.line(*key).is_some()
            || later.short_lines().iter().any(|(_, short)| short == key)
            || later.removed().binary_search(key).is_ok()
    };
    let anchor =
        |line: usize| per_line[line].0 > 0 || earlier.line_keys().get(line).is_some_and(holds);
    // A short line held whole just before line `line` (after the line before it).
    let short_before = |line: usize| {
        (earlier.short_lines().iter()).any(|(at, key)| *at as usize == line && holds(key))
    };
    let (mut start, mut end) = (range.start, range.end);
    loop {
        if start > 0 && (anchor(start - 1) || short_before(start - 1)) {
            start -= 1;
        } else if start > 1 && anchor(start - 2) {
            start -= 2;
        } else {
            break;
        }
    }
    let n = per_line.len();
    loop {
        if end < n && (anchor(end) || short_before(end + 1)) {
            end += 1;
        } else if end + 1 < n && anchor(end + 1) {
            end += 2;
        } else {
            break;
        }
    }
    start..end
}

/// Joins clusters through candidate pairs (same values in one band, or `held`). Each
/// document, in input order, is offered the clusters of the earlier documents it is a
/// candidate with (the nearest [`MAX_BUCKET_WALK`] of each bucket), earliest survivor
/// first, so that a copy goes to the earliest document it resembles, not to whichever its
/// bands happened to reach first. Two clusters are
/// joined when every document of the one whose survivor comes later is at least
/// `min_jaccard` alike to the other's survivor, so that every copy is that alike to the
/// document it is rejected for: no chains of copies drifting away from their survivor.
/// Exact copies stand in for each other in the buckets: only the first of them is hashed.
fn near_pairs(
    prints: &[DocPrint],
    exact_of: &[Option<usize>],
    found: &Candidates,
    params: &Params,
    sets: &mut UnionFind,
) {
    // Members of each cluster, under its survivor (exact copies are already joined).
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); prints.len()];
    for i in 0..prints.len() {
        let root = sets.find(i);
        members[root].push(i as u32);
    }
    // An exact copy's shingles are those of the first document with its text.
    let print = |i: usize| &prints[exact_of[i].unwrap_or(i)];
    let mut apart: std::collections::HashSet<(usize, usize)> = Default::default();
    let mut offer = |sets: &mut UnionFind, i: usize, other: usize| {
        let (a, b) = (sets.find(i), sets.find(other));
        let pair = (a.min(b), a.max(b));
        if a == b || apart.contains(&pair) {
            return;
        }
        let (survivor, absorbed) = pair;
        let alike = members[absorbed]
            .iter()
            .all(|&m| likeness(print(m as usize), print(survivor), params) >= params.min_jaccard);
        if !alike {
            // Clusters only grow, so a pair of them found apart stays apart.
            apart.insert(pair);
        } else {
            sets.union(survivor, absorbed);
            let moved = std::mem::take(&mut members[absorbed]);
            members[survivor].extend(moved);
        }
    };
    // Each band's links are in document order: the earlier bucket mate of a document is
    // found by a binary search, and its bucket is walked back from there.
    let earlier_in = |links: &[(u32, u32)], i: u32| {
        (links.binary_search_by_key(&i, |&(later, _)| later).ok()).map(|k| links[k].1)
    };
    // The held pairs as (later, earlier), walked along with the documents.
    let mut held: Vec<(u32, u32)> = found.held.iter().map(|&(a, b)| (b, a)).collect();
    held.sort_unstable();
    let mut held = held.into_iter().peekable();
    let mut others: Vec<usize> = Vec::new();
    for i in 0..prints.len() as u32 {
        others.clear();
        for links in &found.links {
            let mut j = earlier_in(links, i);
            for _ in 0..MAX_BUCKET_WALK {
                let Some(earlier) = j else { break };
                others.push(earlier as usize);
                j = earlier_in(links, earlier);
            }
        }
        while let Some((_, earlier)) = held.next_if(|&(later, _)| later == i) {
            others.push(earlier as usize);
        }
        // Earliest survivor first: the clusters these documents are in, by their roots.
        for other in others.iter_mut() {
            *other = sets.find(*other);
        }
        others.sort_unstable();
        others.dedup();
        for &other in &others {
            offer(sets, i as usize, other);
        }
    }
}

/// Disjoint sets whose representative is always the least member.
struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n).collect(),
        }
    }

    fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        let (lo, hi) = (ra.min(rb), ra.max(rb));
        self.parent[hi] = lo;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `i` in letters: the normalizer folds digits, so words must not differ by them.
    fn letters(mut i: usize) -> String {
        let mut s = String::new();
        loop {
            s.push((b'a' + (i % 26) as u8) as char);
            i /= 26;
            if i == 0 {
                return s;
            }
        }
    }

    pub(super) fn words(n: usize, salt: &str) -> Vec<String> {
        (0..n).map(|i| format!("w{salt}{}", letters(i))).collect()
    }

    fn near() -> Params {
        Params::default()
    }

    /// [`find`] with what [`candidates`] found, as the pipeline calls it.
    fn find_in(prints: &[DocPrint], p: &Params) -> Vec<Option<Copy>> {
        find(prints, &candidates(prints, p), p)
    }

    /// Prints as the pipeline makes them: fingerprints, then shingle sets for the
    /// documents [`candidates`] marks.
    fn prints_of<T: AsRef<str>>(texts: &[T], p: &Params) -> Vec<DocPrint> {
        prints_on_site(texts, &[], p)
    }

    /// [`prints_of`] with what cleaning knows of each text's lines (none past `kept`).
    fn prints_on_site<T: AsRef<str>>(
        texts: &[T],
        kept: &[Vec<KeptLine>],
        p: &Params,
    ) -> Vec<DocPrint> {
        let mut prints: Vec<DocPrint> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| fingerprint_on_site(t.as_ref(), kept.get(i).map_or(&[], |k| k), p))
            .collect();
        for (i, marked) in candidates(&prints, p).marked.into_iter().enumerate() {
            if marked {
                shingle_sets_with_lines(texts[i].as_ref(), p).fill(&mut prints[i]);
            }
        }
        prints
    }

    #[test]
    fn exact_copies_differ_only_in_case_punctuation_and_spacing() {
        let p = near();
        let a = fingerprint("The cat sat.\n\nOn the mat!", &p);
        let b = fingerprint("the CAT sat\non   the mat", &p);
        let c = fingerprint("The cat sat.\nOn the hat!", &p);
        assert_eq!(a.exact, b.exact);
        assert_ne!(a.exact, c.exact);
        // Digits count for exact copies.
        assert_ne!(
            fingerprint("Total 628", &p).exact,
            fingerprint("Total 255", &p).exact
        );
    }

    #[test]
    fn estimate_tracks_exact_jaccard() {
        // Two sets sharing `shared` of `n` elements each.
        for (n, shared) in [(400usize, 360usize), (400, 300), (400, 200), (50, 45)] {
            let a: Vec<u64> = (0..n as u64)
                .map(|i| xxh3_64_with_seed(&i.to_le_bytes(), 1))
                .collect();
            let b: Vec<u64> = (0..n as u64)
                .map(|i| {
                    let i = if (i as usize) < shared {
                        i
                    } else {
                        i + 1_000_000
                    };
                    xxh3_64_with_seed(&i.to_le_bytes(), 1)
                })
                .collect();
            let truth = shared as f64 / (2 * n - shared) as f64;
            let est = estimate(&signature(&a, 120), &signature(&b, 120));
            assert!(
                (est - truth).abs() < 0.12,
                "n {n} shared {shared}: {est} vs {truth}"
            );
        }
        assert_eq!(signature(&[], 120), Vec::<u32>::new());
        let one = signature(&[42], 120);
        assert_eq!(one.len(), 120);
        assert!(one.iter().all(|&v| v == 42));
    }

    #[test]
    fn exact_jaccard_of_sorted_sets() {
        assert_eq!(jaccard(&[1, 2, 3], &[2, 3, 4]), 0.5);
        assert_eq!(jaccard(&[1], &[2]), 0.0);
        assert_eq!(jaccard(&[], &[]), 1.0);
    }

    /// `base` with every `step`-th word changed.
    fn edited(base: &[String], step: usize) -> Vec<String> {
        let mut edited = base.to_vec();
        for i in (0..base.len()).step_by(step) {
            edited[i] = format!("changed{}", letters(i));
        }
        edited
    }

    #[test]
    fn a_document_is_offered_every_earlier_one_in_its_bucket() {
        let p = near();
        let base = words(200, "a");
        let texts = [
            base.join(" "),
            words(200, "b").join(" "),
            edited(&base, 67).join(" "),
        ];
        let mut prints: Vec<DocPrint> = texts.iter().map(|t| fingerprint(t, &p)).collect();
        // One bucket in one band for all three, none elsewhere: the copy's latest bucket
        // mate (1) is not alike, the one before it (0) is.
        for (i, print) in prints.iter_mut().enumerate() {
            for (band, key) in print.bands.iter_mut().enumerate() {
                *key = if band == 3 {
                    7
                } else {
                    (i * 1000 + band) as u64
                };
            }
        }
        let found = candidates(&prints, &p);
        assert_eq!(found.links[3], vec![(1, 0), (2, 1)]);
        assert!(
            found
                .links
                .iter()
                .enumerate()
                .all(|(b, l)| b == 3 || l.is_empty())
        );
        assert_eq!(found.marked, vec![true; 3]);
        for (print, text) in prints.iter_mut().zip(&texts) {
            shingle_sets_with_lines(text, &p).fill(print);
        }
        // The bands alone, without the held pairs (which find this copy too).
        let bands_only = Candidates {
            held: Vec::new(),
            ..found
        };
        let copies = find(&prints, &bands_only, &p);
        assert_eq!(copies[1], None);
        assert_eq!(copies[2].map(|c| c.survivor), Some(0));
    }

    #[test]
    fn near_copies_cluster_and_the_first_survives() {
        let base = words(200, "a");
        let edited = edited(&base, 67);
        let other = words(200, "b");
        let texts = [
            other.join(" "),
            base.join(" "),
            edited.join(" "),
            base.join(" ").to_uppercase(),
        ];
        for verify in [false, true] {
            let p = Params { verify, ..near() };
            let prints = prints_of(&texts, &p);
            let found = find_in(&prints, &p);
            assert_eq!(found[0], None);
            assert_eq!(found[1], None);
            let near = found[2].expect("the edited copy");
            assert_eq!((near.survivor, near.kind), (1, Kind::NearDuplicate));
            assert!(near.similarity > 0.8 && near.similarity < 1.0, "{near:?}");
            let exact = found[3].expect("the upper-case copy");
            assert_eq!((exact.survivor, exact.kind), (1, Kind::Duplicate));
        }
        // Exact mode leaves the edited copy.
        let p = Params {
            mode: Mode::Exact,
            ..near()
        };
        let prints: Vec<DocPrint> = texts.iter().map(|t| fingerprint(t, &p)).collect();
        let found = find_in(&prints, &p);
        assert_eq!(found[2], None);
        assert_eq!(found[3].map(|c| c.survivor), Some(1));
    }

    /// Texts a, b and c, where b is a's text with its last tenth replaced and c is b's
    /// with another tenth: a~b and b~c are about 0.8 alike, a~c is not; and the
    /// parameters that judge them at 0.75.
    fn drifting_copies() -> ([String; 3], Params) {
        let a = words(400, "a");
        let mut b = a.clone();
        for (i, w) in b.iter_mut().enumerate().skip(360) {
            *w = format!("bee{}", letters(i));
        }
        let mut c = b.clone();
        for (i, w) in c.iter_mut().enumerate().take(40) {
            *w = format!("cee{}", letters(i));
        }
        let p = Params {
            verify: true,
            min_jaccard: 0.75,
            ..near()
        };
        ([a.join(" "), b.join(" "), c.join(" ")], p)
    }

    #[test]
    fn a_copy_of_a_copy_is_not_chained_to_a_survivor_it_does_not_resemble() {
        let ([a, b, c], p) = drifting_copies();
        let prints = prints_of(&[a, b, c], &p);
        let ab = jaccard(prints[0].shingles(), prints[1].shingles());
        let bc = jaccard(prints[1].shingles(), prints[2].shingles());
        let ac = jaccard(prints[0].shingles(), prints[2].shingles());
        assert!(ab >= 0.75 && bc >= 0.75 && ac < 0.75, "{ab} {bc} {ac}");
        let found = find_in(&prints, &p);
        assert_eq!(found[1].map(|c| c.survivor), Some(0));
        assert_eq!(found[2], None, "c is not joined to a through b");
    }

    #[test]
    fn a_copy_goes_to_the_earliest_document_it_resembles_whichever_band_finds_it_first() {
        // c comes before b: b resembles both earlier documents and goes to the earliest,
        // a. The first band that pairs b pairs it with c; a later band pairs it with a.
        let ([a, b, c], p) = drifting_copies();
        let texts = [a, c, b];
        let mut prints: Vec<DocPrint> = texts.iter().map(|t| fingerprint(t, &p)).collect();
        for (i, print) in prints.iter_mut().enumerate() {
            for (band, key) in print.bands.iter_mut().enumerate() {
                *key = match (band, i) {
                    (3, 1 | 2) => 7,
                    (5, 0 | 2) => 8,
                    _ => (i * 1000 + band) as u64,
                };
            }
        }
        let found = candidates(&prints, &p);
        assert_eq!(
            (&found.links[3], &found.links[5]),
            (&vec![(2, 1)], &vec![(2, 0)])
        );
        for (print, text) in prints.iter_mut().zip(&texts) {
            shingle_sets_with_lines(text, &p).fill(print);
        }
        let alike = |x: usize, y: usize| likeness(&prints[x], &prints[y], &p) >= 0.75;
        assert!(alike(2, 0) && alike(2, 1) && !alike(1, 0));
        let copies = find(&prints, &found, &p);
        assert_eq!(copies[1], None, "c is not a's copy");
        assert_eq!(copies[2].map(|c| c.survivor), Some(0));
    }

    #[test]
    fn pages_a_word_apart_past_the_bucket_walk_all_join_the_first() {
        // More pages than a document walks back in a bucket, each the same text with one
        // word of its own: the nearest earlier pages have joined the first's cluster, so
        // every page reaches it through them.
        let base = words(300, "a");
        let texts: Vec<String> = (0..MAX_BUCKET_WALK + 50)
            .map(|i| {
                let mut page = base.clone();
                page[150] = format!("own{}", letters(i));
                page.join(" ")
            })
            .collect();
        let p = Params {
            verify: true,
            ..near()
        };
        let prints = prints_of(&texts, &p);
        let found = candidates(&prints, &p);
        assert!(found.links.iter().any(|l| l.len() > MAX_BUCKET_WALK));
        let copies = find(&prints, &found, &p);
        assert_eq!(copies[0], None);
        assert!(
            copies[1..]
                .iter()
                .all(|c| c.is_some_and(|c| c.survivor == 0))
        );
    }

    /// Near copies with bands so many and short that every pair sharing a few shingles is
    /// a candidate: the tests below then judge the acceptance alone.
    fn every_pair_a_candidate() -> Params {
        Params {
            bands: 60,
            rows: 2,
            ..near()
        }
    }

    /// `n` lines of 15 words each, numbered from `from`.
    fn prose_lines(from: usize, n: usize, salt: &str) -> Vec<String> {
        let all = words((from + n) * 15, salt);
        all.chunks(15).skip(from).map(|l| l.join(" ")).collect()
    }

    /// An original page: `article` with the first `above` lines of `around` above it and
    /// the rest below, as cleaning leaves comments and related links.
    fn wrapped(article: &[String], around: &[String], above: usize) -> String {
        [&around[..above], article, &around[above..]]
            .concat()
            .join("\n")
    }

    #[test]
    fn shingles_with_lines_are_the_shingle_set_and_its_first_lines() {
        let p = near();
        let mut lines = prose_lines(0, 6, "a");
        lines.push("a short line".into());
        lines.push(lines[1].clone());
        lines.extend(prose_lines(6, 1, "a"));
        let text = lines.join("\n");
        let ShingleSets {
            shingles: set,
            lines: at,
            ..
        } = shingle_sets_with_lines(&text, &p);
        assert_eq!(set, shingle_set(&text, &p));
        assert_eq!(at.len(), set.len());
        // Eight prose lines stand for the text (the short line is not one of them). A
        // shingle belongs to the line it starts on: 15 on each line but the last (11).
        // The repeat of line 1 (line 6) adds only the 4 that reach into line 7.
        let on = |line: u32| at.iter().filter(|&&l| l == line).count();
        assert_eq!(
            (0..8).map(on).collect::<Vec<_>>(),
            [15, 15, 15, 15, 15, 15, 4, 11]
        );
    }

    #[test]
    fn a_copy_judged_on_its_prose_lines_is_compared_with_the_prose_lines_of_its_original() {
        // The original kept two short lines (photo credits, teasers) after each paragraph,
        // more text than its paragraphs, so it is judged on every line; its copy elsewhere
        // has the paragraphs and a short byline of its own, and is judged on its prose.
        let p = every_pair_a_candidate();
        let article = prose_lines(0, 6, "a");
        // Short lines of 8 words (prose lines have at least 10).
        let shorts: Vec<String> = words(96, "s").chunks(8).map(|w| w.join(" ")).collect();
        let original: Vec<String> = article
            .iter()
            .zip(shorts.chunks(2))
            .flat_map(|(line, s)| [line.clone(), s[0].clone(), s[1].clone()])
            .collect();
        let (original, copy) = (original.join("\n"), format!("by z\n{}", article.join("\n")));
        let prints = prints_of(&[original.clone(), copy.clone()], &p);
        assert!(!prints[0].prose && prints[1].prose);
        let sets = prints[0].sets.as_ref().expect("the original's sets");
        let prose = sets.prose_only.as_ref().expect("its prose lines");
        // Its prose shingles are numbered among all its lines: paragraph k is line 3k.
        let first_lines: std::collections::BTreeSet<u32> = prose.lines.iter().copied().collect();
        assert_eq!(
            first_lines.into_iter().collect::<Vec<_>>(),
            [0, 3, 6, 9, 12, 15]
        );
        // Against every line of the original, even its best stretch falls short.
        assert!(span_jaccard(&prints[0], &prints[1], p.min_jaccard) < 0.8);
        let found = find_in(&prints, &p)[1].expect("the copy");
        assert_eq!((found.survivor, found.similarity), (0, 1.0));
        // A later document judged on every line is not compared so: its short lines count.
        let listed = format!(
            "{copy}\n{}",
            words(160, "t")
                .chunks(8)
                .map(|w| w.join(" "))
                .collect::<Vec<_>>()
                .join("\n")
        );
        let prints = prints_of(&[original.clone(), listed], &p);
        assert!(!prints[1].prose);
        assert_eq!(find_in(&prints, &p)[1], None);
        // Nor is a survivor judged on its prose lines given a second set.
        let prints = prints_of(&[copy.clone(), original], &p);
        let sets = prints[0].sets.as_ref().expect("the copy's sets");
        assert!(prints[0].prose && sets.prose_only.is_none());
    }

    /// Tells a candidate's print that its cleaning removed `lines`, as pass 2 would.
    fn set_removed(print: &mut DocPrint, lines: &[&str]) {
        let mut removed: Vec<u64> = (lines.iter())
            .map(|l| crate::fingerprint::line_hash(&crate::normalize::normalize(l)))
            .collect();
        removed.sort_unstable();
        print.sets.as_mut().expect("sets of a candidate").removed = removed;
    }

    #[test]
    fn a_line_one_document_kept_and_the_other_had_removed_counts_on_neither_side() {
        // Cleaning removed the third paragraph from the original page and kept it on its
        // copy elsewhere: the copy holds text the original does not show.
        let p = every_pair_a_candidate();
        let article = prose_lines(0, 4, "a");
        let shown: Vec<String> = [&article[..2], &article[3..]].concat();
        let texts = [shown.join("\n"), article.join("\n")];
        let mut prints = prints_of(&texts, &p);
        assert!(span_jaccard(&prints[0], &prints[1], p.min_jaccard) < 0.8);
        assert_eq!(find_in(&prints, &p)[1], None);
        // Told which lines the original had removed, the stretch test sets that one aside,
        // and the shingles that reach into it from the line before.
        set_removed(&mut prints[0], &[&article[2]]);
        let found = find_in(&prints, &p)[1].expect("the copy");
        assert_eq!(found.survivor, 0);
        assert!(found.similarity > 0.8, "{found:?}");
        // And the same when the copy came first and is the one whose cleaning removed it.
        let texts = [article.join("\n"), shown.join("\n")];
        let mut prints = prints_of(&texts, &p);
        assert_eq!(find_in(&prints, &p)[1], None);
        set_removed(&mut prints[1], &[&article[2]]);
        assert_eq!(find_in(&prints, &p)[1].map(|c| c.survivor), Some(0));
        // A removed line the other document does not hold changes nothing.
        let mut prints = prints_of(&[shown.join("\n"), article.join("\n")], &p);
        set_removed(&mut prints[0], &["another line"]);
        assert_eq!(find_in(&prints, &p)[1], None);
    }

    #[test]
    fn shingles_across_lines_the_other_removed_count_on_neither_side() {
        // A list of short lines, judged on every line: its copy's cleaning removed three
        // of them, so most shingles of the original that reach into them, and the copy's
        // that reach across where they stood, are not the other's.
        let p = every_pair_a_candidate();
        let list: Vec<String> = words(90, "l").chunks(3).map(|l| l.join(" ")).collect();
        let gone = [5, 12, 20];
        let shown: Vec<&String> = (list.iter().enumerate())
            .filter(|(i, _)| !gone.contains(i))
            .map(|(_, l)| l)
            .collect();
        let texts = [
            list.join("\n"),
            shown
                .iter()
                .map(|l| l.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
        ];
        let mut prints = prints_of(&texts, &p);
        assert!(!prints[0].prose && !prints[1].prose);
        // Missing from the copy, the three lines are a difference: across them too.
        assert!(span_jaccard(&prints[0], &prints[1], p.min_jaccard) < 0.7);
        assert_eq!(find_in(&prints, &p)[1], None);
        // Removed by the copy's cleaning, they and every shingle across them are set aside.
        let removed: Vec<&str> = gone.iter().map(|&i| list[i].as_str()).collect();
        set_removed(&mut prints[1], &removed);
        assert_eq!(span_jaccard(&prints[0], &prints[1], p.min_jaccard), 1.0);
        assert_eq!(find_in(&prints, &p)[1].map(|c| c.survivor), Some(0));
    }

    #[test]
    fn a_copy_is_judged_against_the_stretch_of_the_original_it_matches() {
        // The original page kept what cleaning left of its comments; its copy elsewhere
        // has the article alone.
        let p = every_pair_a_candidate();
        let article = prose_lines(0, 12, "a");
        let comments = prose_lines(0, 5, "c");
        let original = wrapped(&article, &comments, 2);
        let copy = article.join("\n");
        let prints = prints_of(&[original.clone(), copy.clone()], &p);
        let whole = jaccard(prints[0].shingles(), prints[1].shingles());
        assert!(whole < 0.8, "{whole}");
        let found = find_in(&prints, &p)[1].expect("the copy");
        assert_eq!((found.survivor, found.kind), (0, Kind::NearDuplicate));
        assert!(found.similarity > 0.95, "{found:?}");
        assert_eq!(
            found.similarity,
            span_jaccard(&prints[0], &prints[1], p.min_jaccard)
        );
        // Without span matching, or with estimates only, it stays.
        for p in [
            Params {
                match_span: false,
                ..p
            },
            Params { verify: false, ..p },
        ] {
            let prints = prints_of(&[original.clone(), copy.clone()], &p);
            assert_eq!(find_in(&prints, &p)[1], None);
        }
        // The earlier document is the one trimmed: a later one that adds comments of its
        // own holds text the earlier does not, and stays.
        let prints = prints_of(&[copy.clone(), original.clone()], &p);
        assert_eq!(find_in(&prints, &p), vec![None, None]);
        // So does a later document that adds lines at its own ends.
        let padded = [prose_lines(0, 4, "d"), article[..10].to_vec()].concat();
        let prints = prints_of(&[original.clone(), padded.join("\n")], &p);
        assert_eq!(find_in(&prints, &p)[1], None);
        assert!(span_jaccard(&prints[0], &prints[1], p.min_jaccard) < 0.8);
    }

    #[test]
    fn samples_are_one_in_thirty_two_and_a_held_text_has_its_samples_in_the_other() {
        let long = words(3000, "a").join(" ");
        let part = words(1500, "a").join(" ");
        let (all, half) = (shingles(&long, 5), shingles(&part, 5));
        let (a, b) = (samples(&all), samples(&half));
        // 2,996 shingles: about 94 sampled.
        assert!((65..125).contains(&a.len()), "{}", a.len());
        assert!(b.iter().all(|s| a.binary_search(s).is_ok()));
        assert!(b.len() < a.len());
    }

    #[test]
    fn a_copy_held_in_a_longer_page_is_a_candidate_the_bands_would_miss() {
        // The original kept long comments above and below the article; the copy is the
        // article alone, about a third of the original.
        let p = near();
        let article = prose_lines(0, 10, "a");
        let comments = prose_lines(0, 20, "c");
        let original = wrapped(&article, &comments, 10);
        let texts = [
            original,
            article.join("\n"),
            prose_lines(0, 10, "z").join("\n"),
        ];
        let prints = prints_of(&texts, &p);
        let whole = jaccard(prints[0].shingles(), prints[1].shingles());
        assert!(
            whole < 0.4,
            "{whole}: the bands propose this pair 1 time in 100"
        );
        assert_eq!(candidates(&prints, &p).held, vec![(0, 1)]);
        let found = find_in(&prints, &p);
        assert_eq!(found[1].map(|c| c.survivor), Some(0));
        assert_eq!(found[2], None);
        // The article first, then a page holding it among five times as much: the pair is
        // proposed all the same, and the page goes only if nearly all of its text is in
        // the article, which it is not.
        let page = wrapped(&article, &prose_lines(0, 50, "c"), 25);
        let reversed = prints_of(&[&texts[1], &page, &texts[2]], &p);
        assert!(4 * reversed[0].samples.len() <= reversed[1].samples.len());
        assert_eq!(candidates(&reversed, &p).held, vec![(0, 1)]);
        assert_eq!(find_in(&reversed, &p), vec![None; 3]);
        // Two pages of one site: what they share is the site's, not a copy.
        let mut same = prints.clone();
        for print in &mut same {
            print.site = Some(7);
        }
        assert!(candidates(&same, &p).held.is_empty());
        let held = Candidates {
            held: vec![(0, 1)],
            ..candidates(&same, &p)
        };
        assert_eq!(find(&same, &held, &p)[1], None);
        // Without the matched stretch there are no samples and no held pairs.
        let whole_only = Params {
            match_span: false,
            ..p
        };
        let prints = prints_of(&texts, &whole_only);
        assert!(prints.iter().all(|d| d.samples.is_empty()));
        assert!(candidates(&prints, &whole_only).held.is_empty());
    }

    #[test]
    fn the_best_stretch_leaves_out_a_far_block_between_matched_lines() {
        // The copy holds the article and one comment; the original holds the article, a
        // long block of its own, then that comment. First to last matched line would
        // take the block in; the best stretch is the article alone.
        let p = every_pair_a_candidate();
        let article = prose_lines(0, 12, "a");
        let comment = prose_lines(0, 1, "c");
        let block = prose_lines(0, 15, "b");
        let original = [article.clone(), block, comment.clone()]
            .concat()
            .join("\n");
        let copy = [article, comment].concat().join("\n");
        let prints = prints_of(&[original, copy], &p);
        let span = span_jaccard(&prints[0], &prints[1], p.min_jaccard);
        // The stretch holds 180 shingles (15 per line), 176 of them the copy's (the last
        // four run into the block); the copy has 191: 176 / (180 + 191 - 176).
        assert!((span - 176.0 / 195.0).abs() < 1e-9, "{span}");
        assert_eq!(find_in(&prints, &p)[1].map(|c| c.survivor), Some(0));
    }

    #[test]
    fn a_paragraph_between_a_title_both_hold_and_the_stretch_was_dropped_by_the_copy() {
        // The original: a title, a first paragraph, then three more. A copy that holds
        // the title but not the first paragraph dropped it: the stretch reaches back to
        // the title and the paragraph counts. A copy under another title, or an original
        // without one, leaves the first paragraph outside the stretch, as what cleaning
        // left of the page's template.
        let p = every_pair_a_candidate();
        let title = "the six words of its title".to_string();
        let first = prose_lines(0, 1, "f");
        let rest = prose_lines(0, 3, "a");
        let span = |original: &[&[String]], copy: &[&[String]]| {
            let prints = prints_of(
                &[original.concat().join("\n"), copy.concat().join("\n")],
                &p,
            );
            let span = span_jaccard(&prints[0], &prints[1], p.min_jaccard);
            (span, find_in(&prints, &p)[1].map(|c| c.survivor))
        };
        let titled = [std::slice::from_ref(&title), &first, &rest];
        let (dropped, found) = span(&titled, &[std::slice::from_ref(&title), &rest]);
        // The copy's 45 prose words make 41 shingles, all held; the stretch's 60 make 56.
        assert!((dropped - 41.0 / 56.0).abs() < 1e-9, "{dropped}");
        assert_eq!(found, None);
        let other_title = ["another title of six words".to_string()];
        for (original, copy) in [
            (&titled[..], [&other_title[..], &rest]),
            (
                &[&first[..], &rest][..],
                [std::slice::from_ref(&title), &rest],
            ),
        ] {
            let (left_out, found) = span(original, &copy);
            assert!((left_out - 1.0).abs() < 1e-9, "{left_out}");
            assert_eq!(found, Some(0));
        }
    }

    #[test]
    fn lines_of_the_original_the_model_doubts_weigh_less_in_the_stretch() {
        // The original prints teasers in the middle of its article; the copy has the
        // article alone. Counted in full, the teasers keep the copy; counted as the line
        // model's doubt that they are content, they do not.
        let p = every_pair_a_candidate();
        let article = prose_lines(0, 12, "a");
        let teasers = prose_lines(0, 4, "t");
        let original = [&article[..6], &teasers, &article[6..]].concat().join("\n");
        let copy = article.join("\n");
        let judged = |teaser_content: f32| {
            let kept: Vec<KeptLine> = (0..16)
                .map(|i| KeptLine {
                    on_site: false,
                    content: if (6..10).contains(&i) {
                        teaser_content
                    } else {
                        1.0
                    },
                    print: None,
                })
                .collect();
            let prints = prints_on_site(&[&original, &copy], &[kept], &p);
            let span = span_jaccard(&prints[0], &prints[1], p.min_jaccard);
            (
                span,
                prints[0].line_weights.clone(),
                find_in(&prints, &p)[1],
            )
        };
        let (full, weights, found) = judged(1.0);
        assert!(weights.is_empty(), "all lines content: no weights kept");
        assert!(full < 0.8, "{full}");
        assert_eq!(found, None);
        let (doubted, weights, found) = judged(0.1);
        assert_eq!(
            weights.iter().filter(|&&w| w == 26).count(),
            4,
            "{weights:?}"
        );
        assert!(doubted > 0.9, "{doubted}");
        assert_eq!(found.map(|c| c.survivor), Some(0));
        // A copy that lacks lines the model trusts (a paragraph dropped) stays.
        let (_, _, found) = judged(0.9);
        assert_eq!(found, None);
    }

    #[test]
    fn a_line_the_copy_holds_part_of_counts_in_full_however_the_model_doubts_it() {
        // A copy with one word changed on every other line. The shingles the change
        // breaks are the copy's edit, not a caption it lacks: doubted or not, every line
        // counts in full, and the best stretch is the whole Jaccard.
        let p = every_pair_a_candidate();
        let article = prose_lines(0, 12, "a");
        let edited: Vec<String> = (article.iter().enumerate())
            .map(|(i, line)| {
                let mut words: Vec<&str> = line.split(' ').collect();
                if i % 2 == 1 {
                    words[7] = "wedited";
                }
                words.join(" ")
            })
            .collect();
        let doubted = vec![
            KeptLine {
                on_site: false,
                content: 0.1,
                print: None,
            };
            12
        ];
        let prints = prints_on_site(&[article.join("\n"), edited.join("\n")], &[doubted], &p);
        assert!(!prints[0].line_weights.is_empty());
        let whole = jaccard(prints[0].shingles(), prints[1].shingles());
        let span = span_jaccard(&prints[0], &prints[1], p.min_jaccard);
        assert!((span - whole).abs() < 1e-9, "{span} {whole}");
        assert!(whole < 0.75, "{whole}");
        assert_eq!(find_in(&prints, &p)[1], None);
    }

    #[test]
    fn lines_the_later_page_shares_with_its_own_site_do_not_count_against_it() {
        // A copy of the article under a site that kept a promotion it prints on another
        // of its pages: flagged, those lines are the site's, not the copy's.
        let p = near();
        let article = prose_lines(0, 10, "a");
        let promotion = prose_lines(0, 4, "p");
        let copy = [article.clone(), promotion].concat().join("\n");
        let flags = |on_site: bool| -> Vec<KeptLine> {
            (0..14)
                .map(|i| KeptLine {
                    on_site: on_site && i >= 10,
                    ..KeptLine::default()
                })
                .collect()
        };
        for on_site in [true, false] {
            let mut prints = vec![
                fingerprint(&article.join("\n"), &p),
                fingerprint_on_site(&copy, &flags(on_site), &p),
            ];
            assert_eq!(
                prints[1].site_lines,
                if on_site {
                    vec![10, 11, 12, 13]
                } else {
                    vec![]
                }
            );
            let texts = [article.join("\n"), copy.clone()];
            for (print, text) in prints.iter_mut().zip(&texts) {
                shingle_sets_with_lines(text, &p).fill(print);
            }
            let whole = jaccard(prints[0].shingles(), prints[1].shingles());
            assert!(whole < 0.8, "{whole}");
            let held = Candidates {
                held: vec![(0, 1)],
                ..candidates(&prints, &p)
            };
            let found = find(&prints, &held, &p)[1];
            assert_eq!(found.is_some(), on_site, "{found:?}");
            // The samples leave out the shingles that start on the site's lines.
            let own: Vec<u64> = prints[1]
                .shingles()
                .iter()
                .zip(prints[1].shingle_lines())
                .filter(|&(_, &line)| !on_site || line < 10)
                .map(|(&h, _)| h)
                .collect();
            assert_eq!(prints[1].samples, samples(&own));
        }
    }

    #[test]
    fn sharing_one_paragraph_is_not_a_copy() {
        let p = every_pair_a_candidate();
        let one = prose_lines(0, 12, "a");
        let two = [prose_lines(0, 10, "b"), one[5..7].to_vec()].concat();
        let prints = prints_of(&[one.join("\n"), two.join("\n")], &p);
        let span = span_jaccard(&prints[0], &prints[1], p.min_jaccard);
        assert!(span > 0.0 && span < 0.3, "{span}");
        assert_eq!(find_in(&prints, &p), vec![None, None]);
    }

    #[test]
    fn dissimilar_texts_are_not_joined() {
        let p = near();
        let a = words(300, "a");
        let mut b = a.clone();
        for (i, w) in b.iter_mut().enumerate() {
            if i % 3 == 0 {
                *w = format!("other{}", letters(i));
            }
        }
        let prints = prints_of(&[a.join(" "), b.join(" ")], &p);
        assert_eq!(find_in(&prints, &p), vec![None, None]);
    }

    #[test]
    fn only_documents_in_a_candidate_pair_need_shingles_and_exact_copies_borrow_them() {
        let base = words(300, "a");
        let edited = edited(&base, 100);
        let texts = [
            base.join(" "),
            words(300, "b").join(" "),
            edited.join(" "),
            // An exact copy of the edited copy: judged with the edited copy's shingles.
            edited.join(" ").to_uppercase(),
        ];
        let p = near();
        assert!(p.verify, "exact verification is the default");
        let prints: Vec<DocPrint> = texts.iter().map(|t| fingerprint(t, &p)).collect();
        assert!(prints.iter().all(|d| d.sets.is_none()));
        assert_eq!(
            candidates(&prints, &p).marked,
            vec![true, false, true, false]
        );
        let unverified = Params {
            verify: false,
            ..near()
        };
        assert_eq!(candidates(&prints, &unverified).marked, vec![false; 4]);
        let found = find_in(&prints_of(&texts, &p), &p);
        let truth = jaccard(&shingle_set(&texts[2], &p), &shingle_set(&texts[0], &p));
        for i in [2, 3] {
            let copy = found[i].expect("a near copy of the first");
            assert_eq!((copy.survivor, copy.kind), (0, Kind::NearDuplicate));
            assert_eq!(copy.similarity, truth, "document {i}");
        }
        assert_eq!(found[1], None);
    }

    #[test]
    fn prose_lines_stand_for_a_text_when_they_hold_half_of_its_words() {
        let p = near();
        // Two prose lines of short words (20 words, 39 bytes normalized) and three short
        // lines of long words (18 words, 3 times the bytes): half of the words.
        let prose = ["a b c d e f g h i j", "k l m n o p q r s t"].map(str::to_string);
        let short = (0..3).map(|i| {
            let word = |w: usize| format!("{}{}", letters(i + 26), letters(w).repeat(5));
            (0..6).map(word).collect::<Vec<_>>().join(" ")
        });
        let short: Vec<String> = short.collect();
        let text = format!("{}\n{}", prose.join("\n"), short.join("\n"));
        assert!(fingerprint(&text, &p).prose);
        assert_eq!(shingle_set(&text, &p), shingle_set(&prose.join("\n"), &p));
        // Two more short words each on two of them, and the prose holds less than half.
        let more = format!("{}\n{}", prose.join("\n"), short.join(" xx yy\n"));
        assert!(!fingerprint(&more, &p).prose);
    }

    #[test]
    fn prose_lines_stand_for_a_text_only_when_they_hold_half_of_it() {
        let p = near();
        let sentence = |salt: &str| words(30, salt).join(" ");
        let short = |salt: &str, n: usize| -> Vec<String> {
            (0..n).map(|i| format!("{salt} {}", letters(i))).collect()
        };
        // One article under two templates of short lines: judged by the article alone.
        let article = [sentence("a"), sentence("b"), sentence("c")].join("\n");
        let one = format!("{}\n{article}\n{}", short("home", 4).join("\n"), "by x");
        let two = format!("{}\n{article}\n{}", short("menu", 5).join("\n"), "by y");
        assert_eq!(shingle_set(&one, &p), shingle_set(&two, &p));
        assert_ne!(
            shingle_set_of_every_line(&one, 5),
            shingle_set_of_every_line(&two, 5)
        );
        // One shared paragraph among many short lines that differ: every line counts.
        let list = |salt: &str| short(salt, 60).join("\n");
        let a = format!("{}\n{}", sentence("shared"), list("alpha"));
        let b = format!("{}\n{}", sentence("shared"), list("beta"));
        assert_eq!(shingle_set(&a, &p), shingle_set_of_every_line(&a, 5));
        let prints = prints_of(&[a, b], &p);
        assert_eq!(find_in(&prints, &p), vec![None, None]);
        // 0 words judges by every line.
        let every = Params {
            prose_min_words: 0,
            ..near()
        };
        assert_eq!(
            shingle_set(&one, &every),
            shingle_set_of_every_line(&one, 5)
        );
    }

    #[test]
    fn chinese_text_shingles_by_character() {
        let s = shingles("我们今天去北京", 5);
        assert_eq!(s.len(), 3);
    }

    proptest::proptest! {
        /// The tokens gathered line by line (from the normalizer's word ends, or split
        /// again for lines that are not ASCII) are those of the joined text.
        #[test]
        fn joined_tokens_are_the_joined_texts(
            text in "([A-Za-z0-9 ,.]{0,40}|[a-zé 我们北京]{0,20})(\n([A-Za-z0-9 ,.]{0,40}|[a-zé 我们北京]{0,20})){0,6}",
            join in 0usize..4,
        ) {
            let joined = Joined::of(&text, Some(join), &[]);
            proptest::prop_assert_eq!(&joined.tokens, &word_tokens(&joined.text));
        }

        /// A print made from what fingerprinting found of each line (which normalizes
        /// only the lines it shingles) is the print made by normalizing every line, in
        /// exact and near mode, with the notes of the matched stretch or without.
        #[test]
        fn prints_from_line_facts_are_prints_from_the_text(
            lines in proptest::collection::vec(
                (
                    "([A-Za-z0-9]{1,8}[ ,.!]{1,2}){0,14}|[ .|-]{0,3}|[a-zé’“ 我们北京\u{2026}]{0,24}",
                    proptest::bool::ANY,
                    0u8..=255,
                ),
                0..25,
            ),
            join in 0usize..6,
            exact in proptest::bool::ANY,
        ) {
            let text = lines.iter().map(|(l, _, _)| l.as_str()).collect::<Vec<_>>().join("\n");
            let p = Params {
                mode: if exact { Mode::Exact } else { Mode::Near },
                prose_min_words: join,
                ..Params::default()
            };
            let shingles = crate::fingerprint::ShingleParams {
                words: 3,
                max_line_words: 24,
                stopwords: false,
            };
            let prepared = crate::fingerprint::prepare(&text, &shingles);
            proptest::prop_assert_eq!(prepared.lines.len(), split_lines(&text).len());
            let notes = |with_facts: bool| -> Vec<KeptLine> {
                (lines.iter().zip(&prepared.lines))
                    .map(|((_, on_site, content), line)| KeptLine {
                        on_site: *on_site,
                        content: f32::from(*content) / 255.0,
                        print: with_facts.then(|| line.into()),
                    })
                    .collect()
            };
            let (facts, without) = (notes(true), notes(false));
            // Without the facts the text is normalized (nothing to normalize without lines).
            let known = Joined::known(&text, Some(join), &without).is_some();
            proptest::prop_assert_eq!(known, without.is_empty());
            proptest::prop_assert_eq!(
                fingerprint_on_site(&text, &facts, &p),
                fingerprint_on_site(&text, &without, &p)
            );
        }

        #[test]
        fn own_samples_are_the_samples_of_shingles_not_starting_on_a_site_line(
            lines in proptest::collection::vec(
                ("[a-z]{1,6}( [a-z]{1,6}){0,19}", proptest::bool::ANY),
                1..30,
            ),
            join in 0usize..6,
        ) {
            let text = lines.iter().map(|(l, _)| l.as_str()).collect::<Vec<_>>().join("\n");
            let kept: Vec<KeptLine> = lines
                .iter()
                .map(|&(_, on_site)| KeptLine { on_site, ..KeptLine::default() })
                .collect();
            let joined = Joined::of(&text, Some(join), &kept);
            let own: Vec<u64> = joined
                .shingles_with_lines(3)
                .into_iter()
                .filter(|(_, line, _)| joined.site_lines.binary_search(line).is_err())
                .map(|(h, _, _)| h)
                .collect();
            proptest::prop_assert_eq!(joined.own_samples(&joined.shingles(3)), samples(&own));
        }
    }

    #[test]
    fn union_find_keeps_the_least_member() {
        let mut u = UnionFind::new(5);
        u.union(4, 3);
        u.union(3, 1);
        u.union(2, 4);
        assert_eq!(
            (0..5).map(|i| u.find(i)).collect::<Vec<_>>(),
            vec![0, 1, 1, 1, 1]
        );
    }
}
