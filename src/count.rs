//! Pass 1: in how many documents of the corpus, and on how many pages of the same site,
//! each line and each shingle occurs.
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

use std::collections::HashMap;

use nohash_hasher::BuildNoHashHasher;
use rayon::prelude::*;

use crate::fingerprint::{Prepared, on_site, site_hash};

/// Fingerprints are already uniform hashes, so the table does not hash them again.
type FpMap = HashMap<u64, u32, BuildNoHashHasher<u64>>;

const COUNT_BITS: u32 = 16;
const COUNT_MAX: u64 = (1 << COUNT_BITS) - 1;

/// Fingerprint → saturating count, packed into one `u64` per entry.
#[derive(Debug, Clone, Default)]
struct CountTable(hashbrown::HashTable<u64>);

impl CountTable {
    fn tag(key: u64) -> u64 {
        key >> COUNT_BITS
    }

    /// The table's hash of a tag: its bits spread again, because all tags of one shard
    /// share their top bits and hashbrown reads the top bits.
    fn hash(tag: u64) -> u64 {
        tag.wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }

    fn get(&self, key: u64) -> u32 {
        let tag = Self::tag(key);
        self.0
            .find(Self::hash(tag), |&e| e >> COUNT_BITS == tag)
            .map_or(0, |&e| (e & COUNT_MAX) as u32)
    }

    fn add(&mut self, key: u64, n: u64) {
        let tag = Self::tag(key);
        let hash = Self::hash(tag);
        match self.0.find_mut(hash, |&e| e >> COUNT_BITS == tag) {
            Some(e) => *e = (tag << COUNT_BITS) | ((*e & COUNT_MAX) + n).min(COUNT_MAX),
            None => {
                self.0
                    .insert_unique(hash, (tag << COUNT_BITS) | n.min(COUNT_MAX), |&e| {
                        Self::hash(e >> COUNT_BITS)
                    });
            }
        }
    }

    /// Every entry as (a key with the entry's fingerprint bits, count).
    fn entries(self) -> impl Iterator<Item = (u64, u64)> {
        self.0
            .into_iter()
            .map(|e| ((e >> COUNT_BITS) << COUNT_BITS, e & COUNT_MAX))
    }
}

const SHARD_BITS: u32 = 4;
const SHARDS: usize = 1 << SHARD_BITS;

fn shard_of(key: u64) -> usize {
    (key >> (64 - SHARD_BITS)) as usize
}

/// The fingerprints one document contributes, each once, sorted (so each shard's keys are
/// one contiguous run).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocKeys {
    pub lines: Vec<u64>,
    pub shingles: Vec<u64>,
    /// Line fingerprints combined with the site's, when the site is known. (Shingles are
    /// counted corpus-wide only: per site, near-repeats removed more content than
    /// boilerplate on the labelled pages.)
    pub site_lines: Vec<u64>,
    pub site: Option<u64>,
}

impl DocKeys {
    pub fn new(prepared: &Prepared, site: Option<&str>) -> Self {
        let mut lines: Vec<u64> = prepared.lines.iter().filter_map(|l| l.key).collect();
        let mut shingles = prepared.shingles.clone();
        sort_unique(&mut lines);
        sort_unique(&mut shingles);
        let site = site.map(site_hash);
        let site_lines = match site {
            Some(s) => {
                let mut sl: Vec<u64> = lines.iter().map(|&k| on_site(s, k)).collect();
                sort_unique(&mut sl);
                sl
            }
            None => Vec::new(),
        };
        DocKeys {
            lines,
            shingles,
            site_lines,
            site,
        }
    }
}

fn sort_unique(keys: &mut Vec<u64>) {
    keys.sort_unstable();
    keys.dedup();
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

    /// Adds one to every key of every document; `keys` picks which sorted list of a
    /// document to add.
    fn add_batch(&mut self, batch: &[DocKeys], keys: fn(&DocKeys) -> &[u64]) {
        self.shards
            .par_iter_mut()
            .enumerate()
            .for_each(|(shard, map)| {
                for doc in batch {
                    let all = keys(doc);
                    let lo = all.partition_point(|&k| shard_of(k) < shard);
                    let hi = all.partition_point(|&k| shard_of(k) <= shard);
                    for &k in &all[lo..hi] {
                        map.add(k, 1);
                    }
                }
            });
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
        self.shards.iter().map(|s| s.0.len()).sum()
    }

    fn capacity(&self) -> usize {
        self.shards.iter().map(|s| s.0.capacity()).sum()
    }
}

/// Document frequencies of every fingerprint in the corpus.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    docs: u64,
    lines: Table,
    shingles: Table,
    site_lines: Table,
    site_pages: FpMap,
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
    /// Approximate heap bytes held by all tables.
    pub table_bytes: u64,
}

impl Counts {
    /// Adds a batch of documents. Documents within a batch may come in any order.
    pub fn add_batch(&mut self, batch: &[DocKeys]) {
        self.docs += batch.len() as u64;
        self.lines.add_batch(batch, |d| &d.lines);
        self.shingles.add_batch(batch, |d| &d.shingles);
        self.site_lines.add_batch(batch, |d| &d.site_lines);
        for site in batch.iter().filter_map(|d| d.site) {
            *self.site_pages.entry(site).or_insert(0) += 1;
        }
    }

    /// Adds another table (a shard of the corpus counted elsewhere).
    pub fn merge(&mut self, other: Counts) {
        self.docs += other.docs;
        self.lines.merge(other.lines);
        self.shingles.merge(other.shingles);
        self.site_lines.merge(other.site_lines);
        for (k, v) in other.site_pages {
            *self.site_pages.entry(k).or_insert(0) += v;
        }
    }

    /// Documents counted.
    pub fn docs(&self) -> u64 {
        self.docs
    }

    /// Documents holding the line.
    pub fn line_docs(&self, key: u64) -> u32 {
        self.lines.get(key)
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
            .flat_map(|s| s.0.iter())
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

    pub fn stats(&self) -> TableStats {
        // A bucket is one u64 and one control byte.
        let entry = std::mem::size_of::<u64>() + 1;
        let tables = [&self.lines, &self.shingles, &self.site_lines];
        let buckets: usize =
            tables.iter().map(|t| t.capacity()).sum::<usize>() * 8 / 7 + self.site_pages.capacity();
        TableStats {
            distinct_lines: self.lines.len() as u64,
            distinct_shingles: self.shingles.len() as u64,
            distinct_site_lines: self.site_lines.len() as u64,
            sites: self.site_pages.len() as u64,
            table_bytes: (buckets * entry + self.frequent.as_ref().map_or(0, |f| f.words.len() * 8))
                as u64,
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
    fn the_frequent_filter_answers_as_the_table_does() {
        let mut counts = Counts::default();
        // Shingle keys held by 1 to 4 documents.
        let docs: Vec<DocKeys> = (0..4u64)
            .map(|d| DocKeys {
                shingles: (0..5000u64)
                    .filter(|k| k % 4 >= d)
                    .map(|k| k.wrapping_mul(0x9e37_79b9_7f4a_7c15))
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect(),
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
        assert_eq!(t.0.len(), 1);
    }

    #[test]
    fn batches_and_merges_agree() {
        let docs: Vec<DocKeys> = (0..50)
            .map(|i| keys(&format!("line {}\nshared footer\nx{}", i % 7, i % 3), None))
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
            for &k in &doc.lines {
                assert_eq!(whole.line_docs(k), left.line_docs(k));
            }
        }
        assert_eq!(whole.line_docs(line_hash("shared footer")), 50);
    }
}
