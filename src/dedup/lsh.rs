//! MinHash signatures and the candidate pairs they propose: one-permutation MinHash
//! with optimal densification, band keys hashed into buckets (bands in parallel), and the
//! pairs where one document holds most of the other's sampled shingles. Which candidates
//! are copies is decided in the parent module ([`super::find`]).

use std::collections::HashMap;

use nohash_hasher::BuildNoHashHasher;
use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64_with_seed;

use super::*;

const BAND_SEED: u64 = 0x6465_626f_696c_4208;
const PROBE_SEED: u64 = 0x6465_626f_696c_5009;

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
/// Samples held by more than [`MAX_SAMPLE_DOCS`] documents do not count.
///
/// Counting every pair of documents under every sample costs the square of a sample's
/// documents, and text written without spaces (Chinese, Japanese) has many samples that
/// dozens of documents share: common phrases. So pairs are found by prefix filtering, as
/// set-similarity joins do. Each document's counted samples are ordered rarest first; the
/// pair needs `t` of the smaller document's samples (the least of 2 and half of all its
/// samples), so it shares one of that document's first `counted - t + 1`, its prefix. Only
/// a sample in the prefix of the smaller of two documents proposes them, and each proposed
/// pair is then counted exactly: the answer is that of counting every pair.
pub fn held_pairs(prints: &[DocPrint], exact_of: &[Option<usize>]) -> Vec<(u32, u32)> {
    let live = |i: usize| exact_of[i].is_none();
    // How many live documents hold each sample (at most MAX_SAMPLE_DOCS + 1), beside each
    // document's samples, found a quarter of the sample values at a time (by their top two
    // bits), so that only a quarter of the (sample, document) entries is in memory.
    // Document i's are `df[at[i]..at[i + 1]]`.
    let mut at: Vec<usize> = Vec::with_capacity(prints.len() + 1);
    at.push(0);
    for (i, p) in prints.iter().enumerate() {
        at.push(at[i] + if live(i) { p.samples.len() } else { 0 });
    }
    let mut df: Vec<u8> = vec![0; at[prints.len()]];
    const OVER: u8 = MAX_SAMPLE_DOCS as u8 + 1;
    let mut entries: Vec<(u64, u32)> = Vec::new();
    for part in 0..4u32 {
        sample_entries(prints, exact_of, part, &mut entries);
        for docs in entries.chunk_by(|a, b| a.0 >> 32 == b.0 >> 32) {
            let n = docs.len().min(usize::from(OVER)) as u8;
            for &(entry, k) in docs {
                df[at[entry as u32 as usize] + k as usize] = n;
            }
        }
    }
    let df_of = |i: usize| &df[at[i]..at[i + 1]];
    // Each document's size (its samples, counted or not), and the last key (df << 32 |
    // sample) of its prefix; none when it cannot be the smaller of a pair.
    let size = |i: usize| (prints[i].samples.len(), i);
    let last_of_prefix: Vec<Option<u64>> = (prints.par_iter().enumerate())
        .map(|(i, p)| {
            let df = df_of(i);
            let mut keys: Vec<u64> = (p.samples.iter().zip(df))
                .filter(|&(_, &d)| d != 0 && d < OVER)
                .map(|(&s, &d)| u64::from(d) << 32 | u64::from(s))
                .collect();
            let need = 2.max(p.samples.len().div_ceil(2));
            let prefix = (keys.len() + 1).checked_sub(need).filter(|&n| n > 0)?;
            keys.sort_unstable();
            Some(keys[prefix - 1])
        })
        .collect();
    let last_of_prefix = &last_of_prefix;
    let mut proposed: Vec<u64> = Vec::new();
    for part in 0..4u32 {
        sample_entries(prints, exact_of, part, &mut entries);
        let posting: Vec<&[(u64, u32)]> = entries
            .chunk_by(|a, b| a.0 >> 32 == b.0 >> 32)
            .filter(|docs| docs.len() <= MAX_SAMPLE_DOCS)
            .collect();
        proposed.par_extend(posting.par_iter().flat_map_iter(|&docs| {
            let key = (docs.len() as u64) << 32 | docs[0].0 >> 32;
            let smaller = docs
                .iter()
                .map(|&(e, _)| e as u32 as usize)
                .filter(move |&a| last_of_prefix[a].is_some_and(|last| key <= last));
            smaller.flat_map(move |a| {
                (docs.iter().map(|&(e, _)| e as u32 as usize))
                    .filter(move |&b| size(b) > size(a))
                    .map(move |b| (a.min(b) as u64) << 32 | a.max(b) as u64)
            })
        }));
        proposed.par_sort_unstable();
        proposed.dedup();
    }
    // Each proposed pair, counted: samples both hold that few enough documents hold.
    (proposed.par_iter())
        .filter_map(|&pair| {
            let (earlier, later) = ((pair >> 32) as usize, pair as u32 as usize);
            let (a, b) = (&prints[earlier], &prints[later]);
            let n = shared_counted(&a.samples, df_of(earlier), &b.samples, OVER);
            let fewer = a.samples.len().min(b.samples.len());
            (n >= 2 && 2 * n >= fewer && !b.same_site(a)).then_some((earlier as u32, later as u32))
        })
        .collect()
}

/// The live documents' samples whose top two bits are `part`, as (sample << 32 |
/// document, the sample's place among the document's), sorted into `entries`: by sample,
/// then document.
fn sample_entries(
    prints: &[DocPrint],
    exact_of: &[Option<usize>],
    part: u32,
    entries: &mut Vec<(u64, u32)>,
) {
    entries.clear();
    entries.par_extend(
        (prints.par_iter().zip(exact_of).enumerate())
            .filter(|(_, (_, exact))| exact.is_none())
            .flat_map_iter(|(i, (p, _))| {
                let samples = (p.samples.iter().enumerate()).filter(move |(_, s)| *s >> 30 == part);
                samples.map(move |(k, &s)| (u64::from(s) << 32 | i as u64, k as u32))
            }),
    );
    entries.par_sort_unstable();
}

/// Samples in both sorted lists whose count of documents (`df`, beside `a`'s) is below `over`.
fn shared_counted(a: &[u32], df: &[u8], b: &[u32], over: u8) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += usize::from(df[i] < over);
                i += 1;
                j += 1;
            }
        }
    }
    n
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
    let exact: Vec<u64> = prints.iter().map(|p| p.exact).collect();
    let exact_of = exact_copies(&exact);
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
pub(super) fn band_keys(signature: &[u32], params: &Params) -> Vec<u64> {
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

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// Prefix filtering finds the pairs counting every pair finds: documents drawing
        /// their samples from few values (so that some are held by more documents than
        /// count, across the four parts of the sample values), some exact copies, some of
        /// one site.
        #[test]
        fn prefix_filtering_finds_what_counting_every_pair_finds(
            docs in proptest::collection::vec(
                (
                    proptest::collection::vec(0u32..1000, 0..24),
                    proptest::option::of(0u64..3),
                    0u8..10,
                ),
                0..160,
            ),
            values in 6u32..120,
        ) {
            use proptest::prelude::*;
            // Few values, spread over the four parts (the top two bits).
            let samples = |drawn: &[u32]| -> Vec<u32> {
                let set: std::collections::BTreeSet<u32> =
                    drawn.iter().map(|v| (v % values).rotate_right(2)).collect();
                set.into_iter().collect()
            };
            let prints: Vec<DocPrint> = (docs.iter())
                .map(|(drawn, site, _)| DocPrint {
                    samples: samples(drawn),
                    site: *site,
                    ..DocPrint::default()
                })
                .collect();
            let exact_of: Vec<Option<usize>> = (docs.iter().enumerate())
                .map(|(i, (_, _, c))| i.checked_sub(1).filter(|_| *c == 0))
                .collect();
            let found = held_pairs(&prints, &exact_of);
            prop_assert_eq!(&found, &held_pairs_by_counting_every_pair(&prints, &exact_of));
        }
    }

    /// The held pairs as they were found before prefix filtering: every pair under every
    /// sample counted.
    fn held_pairs_by_counting_every_pair(
        prints: &[DocPrint],
        exact_of: &[Option<usize>],
    ) -> Vec<(u32, u32)> {
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
}
