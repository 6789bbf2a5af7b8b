//! Pass 1: in how many documents of the corpus, and on how many pages of the same site,
//! each line and each shingle occurs; without a site, on how many pages of the same
//! masthead each prose line occurs ([`DocKeys::masthead`]).
//!
//! Tables hold fingerprints and counts, never strings. Each document contributes every
//! fingerprint once, so counts are document frequencies. Adding is commutative, so the
//! tables are identical whatever the thread count or batch boundaries. The tables are
//! sharded by the fingerprint's top bits so that a batch is merged by all threads at once.
//!
//! Each entry is one `u64`: the fingerprint's top 48 bits and a 16-bit count that
//! saturates at 65,535 documents (thresholds are far below it; the audit's evidence says
//! 65,535 for anything more). Two distinct lines share an entry only if their fingerprints
//! agree in 48 bits: about one pair among 10 million distinct lines.

use std::collections::{HashMap, HashSet};

use nohash_hasher::BuildNoHashHasher;
use rayon::prelude::*;
use xxhash_rust::xxh3::Xxh3;

use crate::decide::SHARED_MIN_WORDS;
use crate::fingerprint::{Prepared, masthead, on_site, site_hash};

/// Fingerprints are already uniform hashes, so the table does not hash them again.
type FpMap = HashMap<u64, u32, BuildNoHashHasher<u64>>;

const COUNT_BITS: u32 = 16;
const COUNT_MAX: u64 = (1 << COUNT_BITS) - 1;

/// Fingerprint → saturating count, packed into one `u64` per entry, in an open-addressed
/// table with linear probing (0 marks an empty slot: a held entry counts at least one).
///
/// The tables outgrow the caches, so nearly every look-up waits for memory. A batch is
/// added with the slots of a group of keys read together ([`CountTable::add_ones`]), so
/// that the waits overlap instead of coming one after another.
#[derive(Debug, Clone, Default)]
struct CountTable {
    /// A power of two long, or empty.
    slots: Vec<u64>,
    len: usize,
    /// The keys of a batch, gathered by [`CountTable::add_ones`]; kept for the next.
    scratch: Vec<u64>,
}

/// Slots of a table's first allocation.
const MIN_SLOTS: usize = 1 << 10;

/// Keys whose slots are read together before they are added.
const READ_GROUP: usize = 32;

impl CountTable {
    fn tag(key: u64) -> u64 {
        key >> COUNT_BITS
    }

    /// The table's hash of a tag: its bits spread again, because all tags of one shard
    /// share their top bits, and the home slot comes from the top bits.
    fn hash(tag: u64) -> u64 {
        tag.wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }

    /// Where the search for `tag` starts; the table is not empty.
    #[inline]
    fn home(&self, tag: u64) -> usize {
        (Self::hash(tag) >> (64 - self.slots.len().trailing_zeros())) as usize
    }

    /// The slot holding `tag`, or the empty slot where it would go.
    #[inline]
    fn find(&self, tag: u64) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = self.home(tag);
        loop {
            let e = self.slots[i];
            if e == 0 || e >> COUNT_BITS == tag {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    /// The slot where a search for `key` starts (0 in an empty table), read only to
    /// bring it into the cache.
    fn peek(&self, key: u64) -> u64 {
        if self.slots.is_empty() {
            0
        } else {
            self.slots[self.home(Self::tag(key))]
        }
    }

    fn get(&self, key: u64) -> u32 {
        if self.slots.is_empty() {
            return 0;
        }
        (self.slots[self.find(Self::tag(key))] & COUNT_MAX) as u32
    }

    fn add(&mut self, key: u64, n: u64) {
        if n == 0 {
            return;
        }
        self.reserve(1);
        self.bump(key, n);
    }

    /// Adds `n` (at least one) to `key`'s count; the table has room for it.
    #[inline]
    fn bump(&mut self, key: u64, n: u64) {
        let tag = Self::tag(key);
        let i = self.find(tag);
        let e = self.slots[i];
        self.len += usize::from(e == 0);
        self.slots[i] = (tag << COUNT_BITS) | ((e & COUNT_MAX) + n).min(COUNT_MAX);
    }

    /// Adds one to every key of `runs`. The keys' home slots are read a group at a time
    /// first, so that the waits for memory overlap, and the group is then added from the
    /// cache.
    fn add_ones<'k>(&mut self, runs: impl Iterator<Item = &'k [u64]>) {
        let mut keys = std::mem::take(&mut self.scratch);
        keys.clear();
        for run in runs {
            keys.extend_from_slice(run);
        }
        self.reserve(keys.len());
        let mut sink = 0;
        for group in keys.chunks(READ_GROUP) {
            for &key in group {
                sink ^= self.slots[self.home(Self::tag(key))];
            }
            for &key in group {
                self.bump(key, 1);
            }
        }
        std::hint::black_box(sink);
        self.scratch = keys;
    }

    /// Room for `more` entries without growing (at most three slots in four held).
    fn reserve(&mut self, more: usize) {
        let need = self.len + more;
        if need * 4 <= self.slots.len() * 3 {
            return;
        }
        let mut slots = self.slots.len().max(MIN_SLOTS);
        while need * 4 > slots * 3 {
            slots *= 2;
        }
        // Zeroed by writing, not by a zeroed allocation: fresh pages of the latter map
        // the shared zero page, and the first write to each (in the rehash below) then
        // copies it and flushes the other threads' TLBs, one interrupt per 4 KiB.
        #[expect(
            clippy::slow_vector_initialization,
            reason = "zeroed by writing, on purpose"
        )]
        let fresh = {
            let mut fresh = Vec::with_capacity(slots);
            fresh.resize(slots, 0);
            fresh
        };
        let old = std::mem::replace(&mut self.slots, fresh);
        for e in old.into_iter().filter(|&e| e != 0) {
            let i = self.find(e >> COUNT_BITS);
            self.slots[i] = e;
        }
    }

    /// Every held entry.
    fn iter(&self) -> impl Iterator<Item = &u64> {
        self.slots.iter().filter(|&&e| e != 0)
    }

    /// Every entry as (a key with the entry's fingerprint bits, count).
    fn entries(self) -> impl Iterator<Item = (u64, u64)> {
        self.slots
            .into_iter()
            .filter(|&e| e != 0)
            .map(|e| ((e >> COUNT_BITS) << COUNT_BITS, e & COUNT_MAX))
    }
}

/// Seed of [`DocKeys::text`].
const TEXT_SEED: u64 = 0x6465_626f_696c_5406;

const SHARD_BITS: u32 = 4;
const SHARDS: usize = 1 << SHARD_BITS;

fn shard_of(key: u64) -> usize {
    (key >> (64 - SHARD_BITS)) as usize
}

/// The fingerprints one document contributes, each once, sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocKeys {
    pub lines: ShardedKeys,
    pub shingles: ShardedKeys,
    /// Line fingerprints combined with the site's, when the site is known. (Shingles are
    /// counted corpus-wide only: per site, near-repeats removed more content than
    /// boilerplate on the labelled pages.)
    pub site_lines: ShardedKeys,
    pub site: Option<u64>,
    /// Without a site, the document's [`masthead`]: its prose lines (the only ones a copy's
    /// text is judged by, see [`crate::decide`]) are counted on it in `site_lines`, so that
    /// a copy's article, on one page of its masthead, can be told from a footer printed on
    /// all of them.
    pub masthead: Option<u64>,
    /// The fingerprint of what the document contributes: its site and its distinct lines
    /// (which make its shingles). A second document with the same is not counted again
    /// ([`Counts::add_batch`]).
    pub text: u64,
}

impl DocKeys {
    pub fn new(prepared: &Prepared, site: Option<&str>) -> Self {
        let lines = ShardedKeys::new(prepared.lines.iter().filter_map(|l| l.key).collect());
        let shingles = ShardedKeys::new(prepared.shingles.clone());
        let site = site.map(site_hash);
        let masthead = if site.is_none() {
            masthead(prepared)
        } else {
            None
        };
        let site_lines = match (site, masthead) {
            (Some(s), _) => ShardedKeys::new(lines.keys.iter().map(|&k| on_site(s, k)).collect()),
            (None, Some(m)) => ShardedKeys::new(
                (prepared.lines.iter())
                    .filter(|l| l.words >= SHARED_MIN_WORDS)
                    .filter_map(|l| l.key.map(|k| on_site(m, k)))
                    .collect(),
            ),
            (None, None) => ShardedKeys::default(),
        };
        let mut text = Xxh3::with_seed(TEXT_SEED);
        text.update(&site.unwrap_or(0).to_le_bytes());
        for k in &lines.keys {
            text.update(&k.to_le_bytes());
        }
        let text = text.digest();
        DocKeys {
            lines,
            shingles,
            site_lines,
            site,
            masthead,
            text,
        }
    }
}

/// Distinct fingerprints in ascending order, so that each shard's are one run, and where
/// each run starts: adding a batch to a shard reads only its own runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShardedKeys {
    keys: Vec<u64>,
    /// Where shard `s`'s run starts (and `s - 1`'s ends); the last is `keys.len()`.
    starts: [u32; SHARDS + 1],
}

impl ShardedKeys {
    pub fn new(mut keys: Vec<u64>) -> Self {
        keys.sort_unstable();
        keys.dedup();
        let mut starts = [0; SHARDS + 1];
        let mut at = 0;
        for (shard, start) in starts.iter_mut().enumerate().skip(1) {
            at += keys[at..].partition_point(|&k| shard_of(k) < shard);
            *start = at as u32;
        }
        starts[SHARDS] = keys.len() as u32;
        ShardedKeys { keys, starts }
    }

    pub fn keys(&self) -> &[u64] {
        &self.keys
    }

    fn shard(&self, shard: usize) -> &[u64] {
        &self.keys[self.starts[shard] as usize..self.starts[shard + 1] as usize]
    }
}

/// A sharded fingerprint → document-count table.
#[derive(Debug, Clone)]
struct Table {
    shards: Vec<CountTable>,
}

impl Default for Table {
    fn default() -> Self {
        Table {
            shards: (0..SHARDS).map(|_| CountTable::default()).collect(),
        }
    }
}

impl Table {
    fn get(&self, key: u64) -> u32 {
        self.shards[shard_of(key)].get(key)
    }

    /// [`Table::get`] of each key (0 for `None`). The slots of a group of keys are read
    /// together first, so that their waits for memory overlap.
    fn get_each(&self, keys: &[Option<u64>]) -> Vec<u32> {
        let mut counts = Vec::with_capacity(keys.len());
        let mut sink = 0;
        for group in keys.chunks(READ_GROUP) {
            for &key in group.iter().flatten() {
                sink ^= self.shards[shard_of(key)].peek(key);
            }
            counts.extend(group.iter().map(|k| k.map_or(0, |k| self.get(k))));
        }
        std::hint::black_box(sink);
        counts
    }

    /// Adds one to every key of every document; `keys` picks which sorted list of a
    /// document to add.
    fn add_batch(&mut self, batch: &[&DocKeys], keys: fn(&DocKeys) -> &ShardedKeys) {
        self.shards
            .par_iter_mut()
            .enumerate()
            .for_each(|(shard, map)| map.add_ones(batch.iter().map(|d| keys(d).shard(shard))));
    }

    fn merge(&mut self, other: Table) {
        self.shards
            .par_iter_mut()
            .zip(other.shards)
            .for_each(|(mine, theirs)| {
                for (k, n) in theirs.entries() {
                    mine.add(k, n);
                }
            });
    }

    fn len(&self) -> usize {
        self.shards.iter().map(|s| s.len).sum()
    }

    fn capacity(&self) -> usize {
        self.shards.iter().map(|s| s.slots.len()).sum()
    }
}

/// Document frequencies of every fingerprint in the corpus.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    docs: u64,
    /// [`DocKeys::text`] of every document counted.
    texts: HashSet<u64, BuildNoHashHasher<u64>>,
    /// Documents not counted: an earlier one of their site had the same lines.
    repeats: u64,
    lines: Table,
    shingles: Table,
    site_lines: Table,
    site_pages: FpMap,
    /// Pages counted under each [`DocKeys::masthead`].
    masthead_pages: FpMap,
    frequent: Option<FrequentFilter>,
}

/// A filter of the shingles held by at least `min_docs` documents, small enough to stay in
/// cache: a shingle it does not hold is not frequent, one it holds is looked up. Pass 2
/// asks about every shingle of every short line, and most are rare, so most questions end
/// here instead of in the shingle table. It answers only for `min_docs`.
#[derive(Debug, Clone)]
struct FrequentFilter {
    min_docs: u32,
    /// Two bits per shingle, both in one word (a blocked Bloom filter).
    words: Vec<u64>,
}

/// Filter bits per frequent shingle: about one rare shingle in 50 passes the filter.
const FILTER_BITS_PER_KEY: usize = 16;

impl FrequentFilter {
    fn new(min_docs: u32, tags: &[u64]) -> Self {
        let bits = (tags.len() * FILTER_BITS_PER_KEY)
            .next_power_of_two()
            .max(64);
        let mut f = FrequentFilter {
            min_docs,
            words: vec![0; bits / 64],
        };
        for &tag in tags {
            let (word, mask) = f.probe(tag);
            f.words[word] |= mask;
        }
        f
    }

    /// The word of `tag` and its two bits in it.
    fn probe(&self, tag: u64) -> (usize, u64) {
        let h = tag.wrapping_mul(0xff51_afd7_ed55_8ccd);
        let word = (h >> 32) as usize & (self.words.len() - 1);
        (word, 1 << (h & 63) | 1 << ((h >> 6) & 63))
    }

    fn may_hold(&self, tag: u64) -> bool {
        let (word, mask) = self.probe(tag);
        self.words[word] & mask == mask
    }
}

/// Size of the tables, for the report and the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct TableStats {
    pub distinct_lines: u64,
    pub distinct_shingles: u64,
    pub distinct_site_lines: u64,
    pub sites: u64,
    /// Documents not counted, because one counted before had the same site and lines.
    pub repeated_texts: u64,
    /// Approximate heap bytes held by all tables.
    pub table_bytes: u64,
}

impl Counts {
    /// Adds a batch of documents. Documents within a batch may come in any order.
    ///
    /// A document with the same lines as one counted before on its site (or, without
    /// sites, anywhere) is not counted again: the same page fetched twice, or an article
    /// stored five times, is one text, and its lines are not on "many pages" because it
    /// was copied. Counted twice, every line of a page crawled twice is on two pages of
    /// its site, and every line of an article stored five times is in five documents:
    /// all of it would go as boilerplate, from every copy, and the original with them.
    /// Which of the copies is counted makes no difference, as they add the same keys.
    pub fn add_batch(&mut self, batch: &[DocKeys]) {
        self.docs += batch.len() as u64;
        let texts = &mut self.texts;
        let all = batch.len();
        let batch: Vec<&DocKeys> = batch.iter().filter(|d| texts.insert(d.text)).collect();
        self.repeats += (all - batch.len()) as u64;
        self.lines.add_batch(&batch, |d| &d.lines);
        self.shingles.add_batch(&batch, |d| &d.shingles);
        self.site_lines.add_batch(&batch, |d| &d.site_lines);
        for site in batch.iter().filter_map(|d| d.site) {
            *self.site_pages.entry(site).or_insert(0) += 1;
        }
        for masthead in batch.iter().filter_map(|d| d.masthead) {
            *self.masthead_pages.entry(masthead).or_insert(0) += 1;
        }
    }

    /// Adds another table (a shard of the corpus counted elsewhere). The two are taken to
    /// hold different documents: one with the same lines in both is counted in each.
    pub fn merge(&mut self, other: Counts) {
        self.docs += other.docs;
        self.repeats += other.repeats;
        self.texts.extend(other.texts);
        self.lines.merge(other.lines);
        self.shingles.merge(other.shingles);
        self.site_lines.merge(other.site_lines);
        for (k, v) in other.site_pages {
            *self.site_pages.entry(k).or_insert(0) += v;
        }
        for (k, v) in other.masthead_pages {
            *self.masthead_pages.entry(k).or_insert(0) += v;
        }
    }

    /// Documents added, repeats (not counted in the tables) included.
    pub fn docs(&self) -> u64 {
        self.docs
    }

    /// Documents holding the line.
    pub fn line_docs(&self, key: u64) -> u32 {
        self.lines.get(key)
    }

    /// [`Counts::line_docs`] of each line (0 for `None`), faster than one by one.
    pub fn line_docs_each(&self, keys: &[Option<u64>]) -> Vec<u32> {
        self.lines.get_each(keys)
    }

    /// [`Counts::site_line_pages`] of each line (0 for `None`), faster than one by one.
    pub fn site_line_pages_each(&self, site: u64, keys: &[Option<u64>]) -> Vec<u32> {
        let keys: Vec<Option<u64>> = keys.iter().map(|k| k.map(|k| on_site(site, k))).collect();
        self.site_lines.get_each(&keys)
    }

    /// Documents holding the shingle.
    pub fn shingle_docs(&self, key: u64) -> u32 {
        self.shingles.get(key)
    }

    /// Whether at least `min_docs` documents hold the shingle: the same as comparing
    /// [`Counts::shingle_docs`], faster once [`Counts::index_frequent_shingles`] has run
    /// for `min_docs`.
    pub fn shingle_is_frequent(&self, key: u64, min_docs: u32) -> bool {
        match &self.frequent {
            Some(f) if f.min_docs == min_docs && !f.may_hold(CountTable::tag(key)) => false,
            _ => self.shingles.get(key) >= min_docs,
        }
    }

    /// Builds the filter that [`Counts::shingle_is_frequent`] consults for `min_docs`;
    /// returns how many shingles it holds.
    pub fn index_frequent_shingles(&mut self, min_docs: u32) -> usize {
        let tags: Vec<u64> = self
            .shingles
            .shards
            .iter()
            .flat_map(|s| s.iter())
            .filter(|&&e| (e & COUNT_MAX) >= u64::from(min_docs))
            .map(|&e| e >> COUNT_BITS)
            .collect();
        self.frequent = Some(FrequentFilter::new(min_docs, &tags));
        tags.len()
    }

    /// Pages of `site` holding the line.
    pub fn site_line_pages(&self, site: u64, key: u64) -> u32 {
        self.site_lines.get(on_site(site, key))
    }

    /// Pages counted for `site`.
    pub fn site_pages(&self, site: u64) -> u32 {
        self.site_pages.get(&site).copied().unwrap_or(0)
    }

    /// Pages without a site counted under `masthead` ([`DocKeys::masthead`]).
    pub fn masthead_pages(&self, masthead: u64) -> u32 {
        self.masthead_pages.get(&masthead).copied().unwrap_or(0)
    }

    pub fn stats(&self) -> TableStats {
        // A slot is one u64; a site's bucket is a (u64, u32) and a control byte.
        let tables = [&self.lines, &self.shingles, &self.site_lines];
        let slots: usize = tables.iter().map(|t| t.capacity()).sum();
        let site_buckets = (self.site_pages.capacity() + self.masthead_pages.capacity()) * 8 / 7;
        let site_bucket = std::mem::size_of::<(u64, u32)>() + 1;
        let filter = self.frequent.as_ref().map_or(0, |f| f.words.len());
        TableStats {
            distinct_lines: self.lines.len() as u64,
            distinct_shingles: self.shingles.len() as u64,
            distinct_site_lines: self.site_lines.len() as u64,
            sites: self.site_pages.len() as u64,
            repeated_texts: self.repeats,
            table_bytes: ((slots + filter) * 8 + site_buckets * site_bucket) as u64
                + (self.texts.capacity() * 8 / 7 * 9) as u64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fingerprint::{ShingleParams, line_hash, prepare};

    const PARAMS: ShingleParams = ShingleParams {
        words: 3,
        max_line_words: 40,
        stopwords: true,
    };

    fn keys(text: &str, site: Option<&str>) -> DocKeys {
        DocKeys::new(&prepare(text, &PARAMS), site)
    }

    #[test]
    fn a_line_counts_once_per_document() {
        let mut counts = Counts::default();
        counts.add_batch(&[
            keys("footer\nfooter\nbody one", Some("a.com")),
            keys("footer\nbody two", Some("a.com")),
            keys("footer", Some("b.com")),
        ]);
        let footer = line_hash("footer");
        assert_eq!(counts.docs(), 3);
        assert_eq!(counts.line_docs(footer), 3);
        assert_eq!(counts.line_docs(line_hash("body one")), 1);
        let a = site_hash("a.com");
        assert_eq!(counts.site_pages(a), 2);
        assert_eq!(counts.site_line_pages(a, footer), 2);
        assert_eq!(counts.site_line_pages(site_hash("b.com"), footer), 1);
    }

    #[test]
    fn a_text_counts_once_per_site() {
        let page = "Gazette header\nThe council met on 12 May to vote on the budget.";
        let mut counts = Counts::default();
        counts.add_batch(&[
            keys(page, Some("a.com")),
            // The same page fetched again, its date changed: digits are folded away.
            keys(&page.replace("12 May", "13 May"), Some("a.com")),
            keys("Gazette header\nAnother story", Some("a.com")),
            keys(page, Some("b.com")),
            keys(page, None),
        ]);
        // Later batches too; a page with no words is one page of its site however often.
        counts.add_batch(&[
            keys(page, None),
            keys("", Some("c.com")),
            keys("--", Some("c.com")),
        ]);
        let line = |i: usize| prepare(page, &PARAMS).lines[i].key.expect("words");
        let (header, body) = (line(0), line(1));
        assert_eq!(counts.docs(), 8);
        assert_eq!(counts.stats().repeated_texts, 3);
        assert_eq!(counts.site_pages(site_hash("c.com")), 1);
        assert_eq!(
            counts.line_docs(body),
            3,
            "once on a.com, once on b.com, once without"
        );
        assert_eq!(counts.line_docs(header), 4);
        let a = site_hash("a.com");
        assert_eq!(counts.site_pages(a), 2);
        assert_eq!(counts.site_line_pages(a, body), 1);
        assert_eq!(counts.site_line_pages(a, header), 2);
    }

    /// Without a site, a document's prose lines are counted on its masthead (its first
    /// two lines), and its short lines are not; with a site there is no masthead.
    #[test]
    fn without_a_site_prose_lines_count_on_the_masthead() {
        let top = "Northbank Times\nNews | Sport";
        let prose = "The council met on Monday to vote on the budget for next year.";
        let page = |body: &str| format!("{top}\n{body}\n{prose}");
        let mut counts = Counts::default();
        counts.add_batch(&[
            keys(&page("First story"), None),
            keys(&page("Second story"), None),
            keys(&format!("Eastfield Post\nNews | Sport\n{prose}"), None),
            keys(&page("On a site"), Some("a.com")),
        ]);
        // Another shard, merged: its masthead's pages add up.
        let mut shard = Counts::default();
        shard.add_batch(&[keys(&page("Third story"), None)]);
        counts.merge(shard);
        let doc = prepare(&page("First story"), &PARAMS);
        let m = masthead(&doc).expect("words");
        let key = |i: usize| doc.lines[i].key.expect("words");
        assert_eq!(counts.masthead_pages(m), 3);
        assert_eq!(counts.site_line_pages(m, key(3)), 3, "the prose line");
        assert_eq!(
            counts.site_line_pages(m, key(0)),
            0,
            "short lines are not counted"
        );
        assert_eq!(counts.line_docs(key(3)), 5);
        let other = prepare(&format!("Eastfield Post\nNews | Sport\n{prose}"), &PARAMS);
        assert_ne!(masthead(&other), Some(m), "the first line differs");
        assert_eq!(counts.masthead_pages(masthead(&other).expect("words")), 1);
        assert_eq!(keys(&page("On a site"), Some("a.com")).masthead, None);
        assert_eq!(counts.stats().sites, 1, "mastheads are not sites");
    }

    #[test]
    fn the_frequent_filter_answers_as_the_table_does() {
        let mut counts = Counts::default();
        // Shingle keys held by 1 to 4 documents.
        let docs: Vec<DocKeys> = (0..4u64)
            .map(|d| DocKeys {
                text: d,
                shingles: ShardedKeys::new(
                    (0..5000u64)
                        .filter(|k| k % 4 >= d)
                        .map(|k| k.wrapping_mul(0x9e37_79b9_7f4a_7c15))
                        .collect(),
                ),
                ..DocKeys::default()
            })
            .collect();
        counts.add_batch(&docs);
        let held = counts.index_frequent_shingles(3);
        assert_eq!(held, 2500);
        let absent = (5000..20_000u64).map(|k| k.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        for key in (0..5000u64)
            .map(|k| k.wrapping_mul(0x9e37_79b9_7f4a_7c15))
            .chain(absent)
        {
            for min in [2, 3, 4] {
                assert_eq!(
                    counts.shingle_is_frequent(key, min),
                    counts.shingle_docs(key) >= min,
                    "{key:x} at {min}"
                );
            }
        }
    }

    #[test]
    fn counts_saturate_instead_of_wrapping() {
        let mut t = CountTable::default();
        t.add(42 << COUNT_BITS, COUNT_MAX - 1);
        t.add(42 << COUNT_BITS, 5);
        assert_eq!(t.get(42 << COUNT_BITS), COUNT_MAX as u32);
        assert_eq!(t.get(43 << COUNT_BITS), 0);
        assert_eq!(t.len, 1);
    }

    #[test]
    fn batches_and_merges_agree() {
        // Digits are folded away: the documents differ in letters.
        let word = |i: u8| format!("{}{}", char::from(b'a' + i / 26), char::from(b'a' + i % 26));
        let docs: Vec<DocKeys> = (0..50)
            .map(|i| {
                keys(
                    &format!("line {}\nshared footer\nx{}", word(i), word(i % 3)),
                    None,
                )
            })
            .collect();
        let mut whole = Counts::default();
        whole.add_batch(&docs);
        let mut left = Counts::default();
        left.add_batch(&docs[..20]);
        let mut right = Counts::default();
        right.add_batch(&docs[20..]);
        left.merge(right);
        let (w, l) = (whole.stats(), left.stats());
        assert_eq!(w.distinct_lines, l.distinct_lines);
        assert_eq!(w.distinct_shingles, l.distinct_shingles);
        for doc in &docs {
            for &k in doc.lines.keys() {
                assert_eq!(whole.line_docs(k), left.line_docs(k));
            }
        }
        assert_eq!(whole.line_docs(line_hash("shared footer")), 50);
    }

    proptest::proptest! {
        /// The table against a map of tags: every count, saturation, growth past its first
        /// allocation, and the batch paths (`add_ones`, `get_each`) against the plain ones.
        #[test]
        fn the_table_counts_as_a_map_of_tags_does(
            adds in proptest::collection::vec((0u64..3000, 1u64..4), 0..4000),
            ones in proptest::collection::vec(0u64..3000, 0..3000),
            big in 0u64..3000,
        ) {
            // Keys spread over the shard bits and the tag bits; the low 16 bits are not
            // part of the tag, so keys differing only there are one entry.
            let key = |k: u64| k.wrapping_mul(0x9e37_79b9_7f4a_7c15) & !0xffff | (k & 3);
            let mut table = CountTable::default();
            let mut model: HashMap<u64, u64> = HashMap::new();
            for &(k, n) in &adds {
                table.add(key(k), n);
                *model.entry(key(k) >> COUNT_BITS).or_insert(0) += n;
            }
            table.add(key(big), COUNT_MAX + 7);
            *model.entry(key(big) >> COUNT_BITS).or_insert(0) += COUNT_MAX + 7;
            let ones: Vec<u64> = ones.iter().map(|&k| key(k)).collect();
            table.add_ones(ones.chunks(7));
            for &k in &ones {
                *model.entry(k >> COUNT_BITS).or_insert(0) += 1;
            }
            proptest::prop_assert_eq!(table.len, model.len());
            proptest::prop_assert!(table.len * 4 <= table.slots.len() * 3);
            let probe: Vec<Option<u64>> =
                (0..3500).map(|k| (k % 5 != 0).then(|| key(k))).collect();
            let mut sharded = Table::default();
            sharded.shards[0] = table.clone();
            for (k, each) in probe.iter().zip(sharded.get_each(&probe)) {
                let want = k.map_or(0, |k| model.get(&(k >> COUNT_BITS)).copied().unwrap_or(0));
                let want = want.min(COUNT_MAX) as u32;
                if let Some(k) = k {
                    proptest::prop_assert_eq!(table.get(*k), want);
                }
                // `get_each` looks in the shard of the key's top bits: shard 0 only.
                if k.is_none_or(|k| shard_of(k) == 0) {
                    proptest::prop_assert_eq!(each, want);
                }
            }
            let total: u64 = table.entries().map(|(_, n)| n).sum();
            let want: u64 = model.values().map(|&n| n.min(COUNT_MAX)).sum();
            proptest::prop_assert_eq!(total, want);
        }

        /// Each shard's run holds exactly the distinct keys of that shard, in order.
        #[test]
        fn sharded_keys_split_at_the_shard_bits(keys in proptest::collection::vec(proptest::num::u64::ANY, 0..200)) {
            let sharded = ShardedKeys::new(keys.clone());
            let mut want = keys;
            want.sort_unstable();
            want.dedup();
            proptest::prop_assert_eq!(sharded.keys(), want.as_slice());
            let mut joined = Vec::new();
            for shard in 0..SHARDS {
                let run = sharded.shard(shard);
                proptest::prop_assert!(run.iter().all(|&k| shard_of(k) == shard));
                joined.extend_from_slice(run);
            }
            proptest::prop_assert_eq!(joined, want);
        }
    }
}
