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
//! [`candidates`] says which, the caller fills in their [`DocPrint::shingles`] (the
//! [`verify_key`]s of [`shingle_set`] of the same cleaned text), then [`find`] joins. So
//! memory grows with the documents that have a likely copy, not with the corpus; to bound
//! it, [`find_with`] asks a [`SetSource`] for each pair's sets as it compares them
//! ([`Recalled`] reads them back from where the caller stashed them).
//!
//! Here live the prints, [`find`] and its union-find; `shingling` reads a cleaned text
//! into shingles, samples and shingle sets, `lsh` makes signatures and candidate pairs,
//! `stretch` holds the matched-stretch test, `recall` the sets' bytes and which sets
//! to keep in memory.

use std::collections::HashMap;

use nohash_hasher::BuildNoHashHasher;

use crate::fingerprint::LinePrint;
use crate::normalize::{LineSpan, split_lines};

pub mod earlier;
pub mod eval;
mod lsh;
mod recall;
mod shingling;
mod stretch;

use lsh::band_keys;
pub use lsh::{
    Candidates, MAX_BUCKET_WALK, MAX_SAMPLE_DOCS, candidates, estimate, held_pairs, signature,
};
pub use recall::{Recalled, SetSource};
use shingling::Joined;
pub use shingling::{
    PlacedShingles, Repeat, SAMPLE_EVERY, ShingleSets, samples, shingle_set,
    shingle_set_of_every_line, shingle_sets_with_lines, shingles, verify_key, verify_set,
};
pub use stretch::span_jaccard;
use stretch::span_of;

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

impl DocPrint {
    /// The sorted set of shingle keys ([`verify_key`]), when filled in
    /// ([`DocPrint::sets`]); else empty.
    pub fn shingles(&self) -> &[u32] {
        self.sets.as_ref().map_or(&[], |s| &s.set.shingles)
    }

    /// For each of [`DocPrint::shingles`], the line it first starts on, when filled in.
    pub fn shingle_lines(&self) -> &[u32] {
        self.sets.as_ref().map_or(&[], |s| &s.set.lines)
    }

    fn shingle_reach(&self) -> &[u8] {
        self.sets.as_ref().map_or(&[], |s| &s.set.reach)
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
/// [`split_lines`] finds them; missing ones are [`KeptLine::default`]). Lines also on
/// other pages of its site are left out of its samples and, when the other page does not
/// hold them, of the span test ([`span_jaccard`]): they are its site's template, which
/// cleaning kept (the line model did not score them as boilerplate), not its article.
/// Lines the model found less likely to be content weigh less there ([`DOUBT_POWER`]).
pub fn fingerprint_on_site(text: &str, kept: &[KeptLine], params: &Params) -> DocPrint {
    fingerprint_lines(text, &split_lines(text), kept, params)
}

/// [`fingerprint_on_site`] of the text made of `lines` of `text` (some of its lines, as
/// [`split_lines`] finds them, in order), each described by the same place of `kept`: the
/// print of a cleaned text, from the page and the lines cleaning kept, without splitting
/// the cleaned text again.
pub fn fingerprint_lines(
    text: &str,
    lines: &[LineSpan],
    kept: &[KeptLine],
    params: &Params,
) -> DocPrint {
    let near = params.mode == Mode::Near;
    let joined = Joined::of(text, lines, near.then_some(params.prose_min_words), kept);
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

/// The exact Jaccard similarity of two sorted, deduplicated sets.
pub fn jaccard<T: Ord>(a: &[T], b: &[T]) -> f64 {
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

/// For each document (by its `exact` fingerprint), the earlier document whose normalized
/// text it equals, if any (the first of them: that one has `None`).
fn exact_copies(exact: &[u64]) -> Vec<Option<usize>> {
    let mut first: HashMap<u64, usize, BuildNoHashHasher<u64>> = HashMap::default();
    exact
        .iter()
        .enumerate()
        .map(|(i, &e)| match first.get(&e) {
            Some(&j) => Some(j),
            None => {
                first.insert(e, i);
                None
            }
        })
        .collect()
}

/// Which documents are copies: `None` for a survivor or a document with no copy. With
/// `verify`, the documents [`candidates`] marks must carry their shingle sets; `found` is
/// what [`candidates`] found of these prints.
pub fn find(prints: &[DocPrint], found: &Candidates, params: &Params) -> Vec<Option<Copy>> {
    let exact: Vec<u64> = prints.iter().map(|p| p.exact).collect();
    let alike = |a: usize, b: usize| {
        Ok::<_, std::convert::Infallible>(likeness(&prints[a], &prints[b], params))
    };
    match join(&exact, found, params, alike) {
        Ok(copies) => copies,
        Err(never) => match never {},
    }
}

/// [`find`], with the shingle sets of the documents it compares filled in by `source`
/// as it compares them, which may take others out: memory for the sets can be bounded.
pub fn find_with<S: SetSource>(
    prints: &mut [DocPrint],
    found: &Candidates,
    params: &Params,
    source: &mut S,
) -> Result<Vec<Option<Copy>>, S::Error> {
    let exact: Vec<u64> = prints.iter().map(|p| p.exact).collect();
    join(&exact, found, params, |a, b| {
        source.fill(prints, [a, b])?;
        Ok(likeness(&prints[a], &prints[b], params))
    })
}

/// [`find`] for documents of these `exact` fingerprints, where `alike(a, b)` is
/// [`likeness`] of documents `a` (the later) and `b`.
fn join<E>(
    exact: &[u64],
    found: &Candidates,
    params: &Params,
    mut alike: impl FnMut(usize, usize) -> Result<f64, E>,
) -> Result<Vec<Option<Copy>>, E> {
    let n = exact.len();
    let mut sets = UnionFind::new(n);
    let exact_of = if params.mode == Mode::None {
        vec![None; n]
    } else {
        exact_copies(exact)
    };
    for (i, of) in exact_of.iter().enumerate() {
        if let Some(j) = *of {
            sets.union(i, j);
        }
    }
    // How alike each document is to its cluster's survivor, set when its cluster joins.
    let mut similarity = vec![f64::NAN; n];
    if params.mode == Mode::Near {
        // An exact copy's shingles are those of the first document with its text.
        let first = |i: usize| exact_of[i].unwrap_or(i);
        let alike = |a: usize, b: usize| alike(first(a), first(b));
        near_pairs(n, found, params, &mut sets, alike, &mut similarity)?;
    }
    Ok((0..n)
        .map(|i| {
            let survivor = sets.find(i);
            if survivor == i {
                return None;
            }
            Some(if exact[i] == exact[survivor] {
                Copy {
                    survivor,
                    kind: Kind::Duplicate,
                    similarity: 1.0,
                }
            } else {
                Copy {
                    survivor,
                    kind: Kind::NearDuplicate,
                    similarity: similarity[i],
                }
            })
        })
        .collect())
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
            .max(span_of(survivor, prose, later, t)),
        _ => span,
    }
}

/// Joins clusters through candidate pairs (same values in one band, or `held`). Each
/// document, in input order, is offered the clusters of the earlier documents it is a
/// candidate with (the nearest [`MAX_BUCKET_WALK`] of each bucket), earliest survivor
/// first, so that a copy goes to the earliest document it resembles, not to whichever its
/// bands happened to reach first. Two clusters are
/// joined when every document of the one whose survivor comes later is at least
/// `min_jaccard` alike to the other's survivor (by `alike`), so that every copy is that
/// alike to the document it is rejected for: no chains of copies drifting away from their
/// survivor. Those likenesses go to `similarity`.
/// Exact copies stand in for each other in the buckets: only the first of them is hashed.
fn near_pairs<E>(
    n: usize,
    found: &Candidates,
    params: &Params,
    sets: &mut UnionFind,
    mut alike: impl FnMut(usize, usize) -> Result<f64, E>,
    similarity: &mut [f64],
) -> Result<(), E> {
    // Members of each cluster, under its survivor (exact copies are already joined).
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); n];
    for i in 0..n {
        let root = sets.find(i);
        members[root].push(i as u32);
    }
    let mut apart: std::collections::HashSet<(usize, usize)> = Default::default();
    let mut alike_each: Vec<f64> = Vec::new();
    let mut offer = |sets: &mut UnionFind, i: usize, other: usize| -> Result<(), E> {
        let (a, b) = (sets.find(i), sets.find(other));
        let pair = (a.min(b), a.max(b));
        if a == b || apart.contains(&pair) {
            return Ok(());
        }
        let (survivor, absorbed) = pair;
        alike_each.clear();
        for &m in &members[absorbed] {
            let s = alike(m as usize, survivor)?;
            if s < params.min_jaccard {
                // Clusters only grow, so a pair of them found apart stays apart.
                apart.insert(pair);
                return Ok(());
            }
            alike_each.push(s);
        }
        sets.union(survivor, absorbed);
        let moved = std::mem::take(&mut members[absorbed]);
        for (&m, &s) in moved.iter().zip(&alike_each) {
            similarity[m as usize] = s;
        }
        members[survivor].extend(moved);
        Ok(())
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
    for i in 0..n as u32 {
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
            offer(sets, i as usize, other)?;
        }
    }
    Ok(())
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

    pub(super) fn near() -> Params {
        Params::default()
    }

    /// [`find`] with what [`candidates`] found, as the pipeline calls it, checked against
    /// [`find_with`] loading each set when it is compared and keeping none past the pair.
    fn find_in(prints: &[DocPrint], p: &Params) -> Vec<Option<Copy>> {
        let found = candidates(prints, p);
        let copies = find(prints, &found, p);
        let mut bare = prints.to_vec();
        let sets: Vec<Option<ShingleSets>> = (bare.iter_mut())
            .map(|print| print.sets.take().map(|s| *s))
            .collect();
        let load = |i: usize| Ok::<_, std::convert::Infallible>(sets[i].clone());
        let Ok(recalled) = find_with(&mut bare, &found, p, &mut Recalled::new(0, load));
        assert_eq!(recalled, copies);
        copies
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
    fn exact_jaccard_of_sorted_sets() {
        assert_eq!(jaccard(&[1u64, 2, 3], &[2, 3, 4]), 0.5);
        assert_eq!(jaccard(&[1u32], &[2]), 0.0);
        assert_eq!(jaccard::<u32>(&[], &[]), 1.0);
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
    pub(super) fn prose_lines(from: usize, n: usize, salt: &str) -> Vec<String> {
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
    fn a_lead_quoted_in_a_teaser_above_the_article_counts_as_the_articles() {
        // The original page prints the article's long first paragraph twice: in a teaser
        // line above the article (with words of its own) and as the article's first line,
        // with a line of its template between them. Its shingle set holds each shingle
        // once, first seen in the teaser; the stretch is also sought with each on its last
        // line, so the copy, which holds the article alone, is found.
        let p = every_pair_a_candidate();
        let first = words(45, "f").join(" ");
        let teaser = format!("{first} {}", words(30, "t").join(" "));
        let rest = prose_lines(0, 2, "a");
        let between = prose_lines(0, 1, "b");
        let article = [std::slice::from_ref(&first), &rest[..]].concat();
        let original = [std::slice::from_ref(&teaser), &between, &article].concat();
        let prints = prints_of(&[original.join("\n"), article.join("\n")], &p);
        let sets = prints[0].sets.as_ref().expect("the original's sets");
        // The 41 shingles within the first paragraph repeat on line 2.
        assert_eq!(sets.set.repeats.len(), 41);
        assert!(
            sets.set
                .repeats
                .iter()
                .all(|&(_, line, reach)| (line, reach) == (2, 0))
        );
        // The stretch is the article's lines: the copy's 71 shingles, all held.
        assert_eq!(span_jaccard(&prints[0], &prints[1], p.min_jaccard), 1.0);
        assert_eq!(find_in(&prints, &p)[1].map(|c| c.survivor), Some(0));
        // Quoted below the article instead (related links), the first occurrence is the
        // article's already; its last line's four shingles into the next count against it.
        let below = [&article[..], &between, std::slice::from_ref(&teaser)].concat();
        let prints = prints_of(&[below.join("\n"), article.join("\n")], &p);
        let span = span_jaccard(&prints[0], &prints[1], p.min_jaccard);
        assert!((span - 71.0 / 75.0).abs() < 1e-9, "{span}");
        // A line of chrome inside the article, printed again below it, counts inside the
        // stretch whichever of its lines the stretch was sought with: 82 of the copy's 86
        // shingles held (not the four across the chrome), and 23 of the stretch's not (the
        // chrome's 11, the 4 into it and out of it, and the 4 into the line below).
        let chrome = prose_lines(0, 1, "x");
        let article = prose_lines(0, 6, "a");
        let original = [&article[..3], &chrome, &article[3..], &between, &chrome].concat();
        let prints = prints_of(&[original.join("\n"), article.join("\n")], &p);
        assert!(
            !prints[0]
                .sets
                .as_ref()
                .expect("sets")
                .set
                .repeats
                .is_empty()
        );
        let span = span_jaccard(&prints[0], &prints[1], p.min_jaccard);
        assert!((span - 82.0 / 109.0).abs() < 1e-9, "{span}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

        /// Pages made of a few paragraphs, some printed more than once (so that shingles
        /// repeat on several lines), and a later page made of some of those paragraphs: the
        /// stretch test stays a Jaccard (0 to 1), gives 1 for a page against itself, and
        /// reaches `min_jaccard` whenever the whole pages do.
        #[test]
        fn the_stretch_is_a_jaccard_whatever_repeats(
            earlier in proptest::collection::vec(0usize..6, 1..14),
            later in proptest::collection::vec(0usize..6, 1..8),
        ) {
            let p = every_pair_a_candidate();
            let paragraphs = prose_lines(0, 6, "p");
            let page = |at: &[usize]| {
                let lines: Vec<&str> = at.iter().map(|&i| paragraphs[i].as_str()).collect();
                lines.join("\n")
            };
            let (e, l) = (page(&earlier), page(&later));
            let prints: Vec<DocPrint> = [e.clone(), e, l]
                .iter()
                .map(|t| {
                    let mut print = fingerprint(t, &p);
                    shingle_sets_with_lines(t, &p).fill(&mut print);
                    print
                })
                .collect();
            let same = span_jaccard(&prints[0], &prints[1], p.min_jaccard);
            proptest::prop_assert_eq!(same, 1.0);
            let span = span_jaccard(&prints[0], &prints[2], p.min_jaccard);
            proptest::prop_assert!((0.0..=1.0).contains(&span), "{}", span);
            let whole = jaccard(prints[0].shingles(), prints[2].shingles());
            proptest::prop_assert!(
                whole < p.min_jaccard || span >= p.min_jaccard,
                "{} < {}",
                span,
                whole
            );
        }
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
            let own: Vec<u64> = shingling::hashes_with_lines(&copy, &p)
                .into_iter()
                .filter(|&(_, line)| !on_site || line < 10)
                .map(|(h, _)| h)
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
