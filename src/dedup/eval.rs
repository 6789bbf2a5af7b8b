//! `make eval-dedup`: a corpus of real pages with planted copies, and the score of a run's
//! clusters against the exact Jaccard similarity of every pair.
//!
//! [`plant`] takes the labelled pages (their lines and which are content) and appends
//! copies of a seeded sample of them: the content exactly, with a share of its words
//! replaced, with lines dropped or added, each placed under the template (the lines above
//! the first and below the last content line) of a page of another site that has at least
//! [`HOST_MIN_PAGES`] pages, as a syndicated article is. [`true_pairs`] finds every pair
//! of documents whose *content* (5-word shingles of the normalized content lines) has an
//! exact Jaccard similarity of at least 0.8; [`score`] compares a run's clusters with them.

use std::collections::{BTreeMap, HashMap, HashSet};

use nohash_hasher::BuildNoHashHasher;
use serde::Serialize;

use super::jaccard;
use crate::rng::SplitMix;

/// Pages a site needs to lend its template to a copy (so that its template repeats).
pub const HOST_MIN_PAGES: usize = 3;

/// A shingle held by more documents than this is not used to find candidate pairs (a pair
/// with Jaccard ≥ 0.8 shares many rarer shingles).
const MAX_POSTING: usize = 200;

/// A labelled page.
#[derive(Debug, Clone)]
pub struct Page {
    pub id: String,
    pub site: String,
    pub lines: Vec<String>,
    /// 1 = content, 0 = boilerplate, one per line.
    pub labels: Vec<u8>,
}

impl Page {
    fn content(&self) -> Vec<String> {
        self.lines
            .iter()
            .zip(&self.labels)
            .filter(|(l, c)| **c == 1 && !l.trim().is_empty())
            .map(|(l, _)| l.clone())
            .collect()
    }

    /// Lines above the first content line and below the last.
    fn template(&self) -> (Vec<String>, Vec<String>) {
        let first = self.labels.iter().position(|&c| c == 1);
        let last = self.labels.iter().rposition(|&c| c == 1);
        match (first, last) {
            (Some(f), Some(l)) => (self.lines[..f].to_vec(), self.lines[l + 1..].to_vec()),
            _ => (self.lines.clone(), Vec::new()),
        }
    }
}

/// A document of the planted corpus.
#[derive(Debug, Clone, Serialize)]
pub struct Planted {
    pub id: String,
    pub site: String,
    pub text: String,
    /// The content lines: what the copy is a copy of.
    pub content: String,
    /// `page` for a page as it was, else how the copy was made.
    pub kind: &'static str,
    /// For a copy: the id of the page copied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub of: Option<String>,
    /// The fold of sites the document was planted in (`deboil plant --fold`): corpora of
    /// several folds are scored together, each pair within its fold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fold: Option<usize>,
}

/// How copies are made: name, share of words replaced, lines dropped, lines added.
const KINDS: [(&str, f64, usize, usize); 7] = [
    ("exact", 0.0, 0, 0),
    ("words-2%", 0.02, 0, 0),
    ("words-5%", 0.05, 0, 0),
    ("words-10%", 0.10, 0, 0),
    ("words-25%", 0.25, 0, 0),
    ("line-dropped", 0.0, 1, 0),
    ("lines-added", 0.0, 0, 2),
];

/// Pages copied: about one in four of those with at least this many content words.
const MIN_CONTENT_WORDS: usize = 60;

/// The pages as they are, then the copies in a shuffled order.
pub fn plant(pages: &[Page], seed: u64) -> Vec<Planted> {
    let mut rng = SplitMix(seed);
    let mut out: Vec<Planted> = pages
        .iter()
        .map(|p| Planted {
            id: p.id.clone(),
            site: p.site.clone(),
            text: p.lines.join("\n"),
            content: p.content().join("\n"),
            kind: "page",
            of: None,
            fold: None,
        })
        .collect();
    let mut by_site: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, p) in pages.iter().enumerate() {
        by_site.entry(&p.site).or_default().push(i);
    }
    let hosts: Vec<usize> = by_site
        .values()
        .filter(|pages| pages.len() >= HOST_MIN_PAGES)
        .flat_map(|pages| pages.iter().copied())
        .filter(|&i| pages[i].labels.contains(&1))
        .collect();
    let vocabulary: Vec<&str> = pages
        .iter()
        .flat_map(|p| p.lines.iter())
        .flat_map(|l| l.split_whitespace())
        .filter(|w| w.chars().all(char::is_alphabetic))
        .take(200_000)
        .collect();
    let mut copies = Vec::new();
    for page in pages {
        let content = page.content();
        let words: usize = content.iter().map(|l| l.split_whitespace().count()).sum();
        if words < MIN_CONTENT_WORDS || hosts.is_empty() || !rng.chance(0.25) {
            continue;
        }
        let n = if rng.chance(0.3) { 2 } else { 1 };
        for c in 0..n {
            let (kind, share, drop, add) = KINDS[rng.below(KINDS.len())];
            let mut lines = content.clone();
            for _ in 0..drop.min(lines.len().saturating_sub(1)) {
                let at = rng.below(lines.len());
                lines.remove(at);
            }
            for _ in 0..add {
                let other = &pages[rng.below(pages.len())].content();
                if let Some(line) = other.get(rng.below(other.len())) {
                    let at = rng.below(lines.len() + 1);
                    lines.insert(at, line.clone());
                }
            }
            if share > 0.0 {
                for line in &mut lines {
                    let replaced: Vec<String> = line
                        .split_whitespace()
                        .map(|w| {
                            if rng.chance(share) {
                                vocabulary[rng.below(vocabulary.len())].to_string()
                            } else {
                                w.to_string()
                            }
                        })
                        .collect();
                    *line = replaced.join(" ");
                }
            }
            // A host of another site.
            let mut host = &pages[hosts[rng.below(hosts.len())]];
            for _ in 0..8 {
                if host.site != page.site {
                    break;
                }
                host = &pages[hosts[rng.below(hosts.len())]];
            }
            if host.site == page.site {
                continue; // no other site lends a template (a fold with one host site)
            }
            let (head, foot) = host.template();
            let text = head
                .iter()
                .chain(&lines)
                .chain(&foot)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n");
            copies.push(Planted {
                id: format!("{}~copy{c}", page.id),
                site: host.site.clone(),
                text,
                content: lines.join("\n"),
                kind,
                of: Some(page.id.clone()),
                fold: None,
            });
        }
    }
    // Shuffle the copies (Fisher–Yates), so that they are not next to each other.
    for i in (1..copies.len()).rev() {
        let j = rng.below(i + 1);
        copies.swap(i, j);
    }
    out.extend(copies);
    out
}

/// Every pair of documents (indices, lower first) whose sorted shingle sets have an exact
/// Jaccard similarity of at least `min`, with that similarity.
pub fn true_pairs(sets: &[Vec<u64>], min: f64) -> Vec<(usize, usize, f64)> {
    let mut postings: HashMap<u64, Vec<u32>, BuildNoHashHasher<u64>> = HashMap::default();
    for (i, set) in sets.iter().enumerate() {
        for &s in set {
            postings.entry(s).or_default().push(i as u32);
        }
    }
    let mut candidates: HashSet<(u32, u32)> = HashSet::new();
    for docs in postings.values() {
        if docs.len() > MAX_POSTING {
            continue;
        }
        for (a, &x) in docs.iter().enumerate() {
            for &y in &docs[a + 1..] {
                candidates.insert((x, y));
            }
        }
    }
    let mut pairs: Vec<(usize, usize, f64)> = candidates
        .into_iter()
        .filter_map(|(a, b)| {
            let (a, b) = (a as usize, b as usize);
            if sets[a].is_empty() || sets[b].is_empty() {
                return None;
            }
            let j = jaccard(&sets[a], &sets[b]);
            (j >= min).then_some((a, b, j))
        })
        .collect();
    pairs.sort_by_key(|&(a, b, _)| (a, b));
    pairs
}

/// `pairs` (as [`true_pairs`] gives them) with every pair of documents whose whole texts
/// are identical added at Jaccard 1: such documents are copies whatever their labels say.
/// A labelled set can hold one page twice with its content marked differently, and a run
/// that finds the two is right.
pub fn with_identical_texts(
    mut pairs: Vec<(usize, usize, f64)>,
    texts: &[String],
) -> Vec<(usize, usize, f64)> {
    let mut by_text: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, t) in texts.iter().enumerate() {
        by_text.entry(t.as_str()).or_default().push(i);
    }
    for docs in by_text.values().filter(|d| d.len() > 1) {
        for (k, &a) in docs.iter().enumerate() {
            pairs.extend(docs[k + 1..].iter().map(|&b| (a, b, 1.0)));
        }
    }
    // A stable sort keeps a pair found by its content ahead of its identical-text twin.
    pairs.sort_by_key(|&(a, b, _)| (a, b));
    pairs.dedup_by_key(|&mut (a, b, _)| (a, b));
    pairs
}

/// How a run's clusters compare with the true pairs.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DedupScores {
    pub name: String,
    /// Pairs with Jaccard ≥ 0.8 (of their content, or of their cleaned texts).
    pub true_pairs: usize,
    /// Of those, pairs whose two documents share a cluster.
    pub found: usize,
    /// (copy, survivor) pairs the run claims.
    pub claimed: usize,
    /// Of those, true pairs.
    pub claimed_true: usize,
    /// Planted pairs (copy, page copied) with Jaccard ≥ 0.8, and how many were found.
    pub planted: usize,
    pub planted_found: usize,
    /// For a row scored on content: how alike the cleaned texts of its errors are, which
    /// tells a miss of cleaning from one of deduplication ([`Causes::count`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub causes: Option<Causes>,
}

/// A run's errors on content by the Jaccard of the two documents' cleaned texts (as
/// deduplication shingles them), against the least Jaccard `t` of a true pair.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Causes {
    /// Missed pairs at least `t` alike once cleaned: deduplication's own misses.
    pub missed_alike: usize,
    /// Missed pairs less than [`NEAR_BELOW`] under `t` once cleaned: what cleaning left
    /// (or took) on one side pulled them just under.
    pub missed_near: usize,
    /// Missed pairs further apart once cleaned: cleaning parted them.
    pub missed_apart: usize,
    /// Wrong claims at least `t` alike once cleaned: cleaning made them alike.
    pub wrong_alike: usize,
    /// Wrong claims less alike once cleaned: deduplication joined them (the matched
    /// stretch).
    pub wrong_unlike: usize,
}

/// How far under the least Jaccard a missed pair's cleaned texts count as near it.
pub const NEAR_BELOW: f64 = 0.1;

impl Causes {
    /// Counts `errors`, each with the Jaccard of its two cleaned texts.
    pub fn count(errors: impl IntoIterator<Item = (PairError, f64)>, t: f64) -> Causes {
        let mut c = Causes::default();
        for (e, cleaned) in errors {
            let slot = match e {
                PairError::Missed(..) if cleaned >= t => &mut c.missed_alike,
                PairError::Missed(..) if t - cleaned < NEAR_BELOW => &mut c.missed_near,
                PairError::Missed(..) => &mut c.missed_apart,
                PairError::WrongClaim(..) if cleaned >= t => &mut c.wrong_alike,
                PairError::WrongClaim(..) => &mut c.wrong_unlike,
            };
            *slot += 1;
        }
        c
    }

    /// One line for a row named `name`.
    pub fn line(&self, name: &str) -> String {
        let missed = self.missed_alike + self.missed_near + self.missed_apart;
        let wrong = self.wrong_alike + self.wrong_unlike;
        format!(
            "{name}: {missed} missed ({} alike once cleaned, {} less than {NEAR_BELOW} under, {} \
             further apart); {wrong} wrong claims ({} alike once cleaned, {} not)",
            self.missed_alike,
            self.missed_near,
            self.missed_apart,
            self.wrong_alike,
            self.wrong_unlike
        )
    }
}

impl DedupScores {
    pub fn recall(&self) -> f64 {
        ratio(self.found, self.true_pairs)
    }

    pub fn precision(&self) -> f64 {
        ratio(self.claimed_true, self.claimed)
    }

    pub fn planted_recall(&self) -> f64 {
        ratio(self.planted_found, self.planted)
    }

    pub fn header() -> String {
        format!(
            "{:<28} {:>10} {:>8} {:>10} {:>9} {:>8} {:>14}",
            "run", "true pairs", "found", "claimed", "precision", "recall", "planted recall"
        )
    }

    pub fn row(&self) -> String {
        format!(
            "{:<28} {:>10} {:>8} {:>10} {:>9.4} {:>8.4} {:>14.4}",
            self.name,
            self.true_pairs,
            self.found,
            self.claimed,
            self.precision(),
            self.recall(),
            self.planted_recall()
        )
    }
}

/// A pair a run got wrong, by document index (lower first for a miss, the copy first for a
/// wrong claim) and with the exact Jaccard of the two documents' shingle sets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PairError {
    /// A copy the run put under a survivor it is less than the least Jaccard alike to.
    WrongClaim(usize, usize, f64),
    /// A true pair the run left in different clusters (or in none).
    Missed(usize, usize, f64),
}

/// Every wrong claim and every missed true pair of a run's clusters (as in [`score`]):
/// the pairs behind its precision and recall, in the order of their documents.
pub fn pair_errors(
    truth: &[(usize, usize, f64)],
    clusters: &[(usize, Vec<usize>)],
    sets: &[Vec<u64>],
) -> Vec<PairError> {
    let (same, is_true) = (same_cluster(clusters), is_true_pair(truth));
    let mut errors: Vec<PairError> = Vec::new();
    for (survivor, members) in clusters {
        for &m in members.iter().filter(|&&m| m != *survivor) {
            if !is_true(m, *survivor) {
                let j = jaccard(&sets[m], &sets[*survivor]);
                errors.push(PairError::WrongClaim(m, *survivor, j));
            }
        }
    }
    for &(a, b, j) in truth.iter().filter(|&&(a, b, _)| !same(a, b)) {
        errors.push(PairError::Missed(a, b, j));
    }
    let first = |e: &PairError| match *e {
        PairError::WrongClaim(a, b, _) | PairError::Missed(a, b, _) => (a.min(b), a.max(b)),
    };
    errors.sort_by_key(first);
    errors
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// Whether two documents share one of `clusters`.
fn same_cluster(clusters: &[(usize, Vec<usize>)]) -> impl Fn(usize, usize) -> bool {
    let mut cluster_of: HashMap<usize, usize> = HashMap::new();
    for (c, (_, members)) in clusters.iter().enumerate() {
        for &m in members {
            cluster_of.insert(m, c);
        }
    }
    move |a, b| matches!((cluster_of.get(&a), cluster_of.get(&b)), (Some(x), Some(y)) if x == y)
}

/// Whether two documents (in either order) are one of the true pairs.
fn is_true_pair(truth: &[(usize, usize, f64)]) -> impl Fn(usize, usize) -> bool {
    let pairs: HashSet<(usize, usize)> = truth.iter().map(|&(a, b, _)| (a, b)).collect();
    move |a, b| pairs.contains(&(a.min(b), a.max(b)))
}

/// Scores clusters (each a survivor index and member indices) against the true pairs.
/// `copy_of[i]`: the index of the page document i copies, for a planted copy.
pub fn score(
    name: &str,
    truth: &[(usize, usize, f64)],
    clusters: &[(usize, Vec<usize>)],
    copy_of: &[Option<usize>],
) -> DedupScores {
    let (same, is_true) = (same_cluster(clusters), is_true_pair(truth));
    let mut s = DedupScores {
        name: name.to_string(),
        true_pairs: truth.len(),
        ..DedupScores::default()
    };
    s.found = truth.iter().filter(|&&(a, b, _)| same(a, b)).count();
    for (survivor, members) in clusters {
        for &m in members.iter().filter(|&&m| m != *survivor) {
            s.claimed += 1;
            s.claimed_true += usize::from(is_true(m, *survivor));
        }
    }
    for (i, of) in copy_of.iter().enumerate() {
        if let Some(p) = *of
            && is_true(i, p)
        {
            s.planted += 1;
            s.planted_found += usize::from(same(i, p));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(id: &str, site: &str, body: &[&str]) -> Page {
        let mut lines = vec![format!("{site} header"), "Home | News".to_string()];
        lines.extend(body.iter().map(|s| s.to_string()));
        lines.push(format!("Copyright {site}"));
        let mut labels = vec![0, 0];
        labels.extend(body.iter().map(|_| 1));
        labels.push(0);
        Page {
            id: id.into(),
            site: site.into(),
            lines,
            labels,
        }
    }

    #[test]
    fn planted_copies_carry_their_content_under_another_template() {
        let body: Vec<String> = (0..12)
            .map(|i| format!("sentence {i} of the story tells about apples pears and plums"))
            .collect();
        let body: Vec<&str> = body.iter().map(String::as_str).collect();
        let mut pages = Vec::new();
        for (s, site) in ["a.example", "b.example", "c.example"].iter().enumerate() {
            for p in 0..4 {
                pages.push(page(&format!("{site}-{p}"), site, &body[s..s + 8]));
            }
        }
        let planted = plant(&pages, 7);
        assert_eq!(
            planted[..pages.len()]
                .iter()
                .filter(|p| p.kind == "page")
                .count(),
            12
        );
        let copies: Vec<&Planted> = planted.iter().filter(|p| p.of.is_some()).collect();
        assert!(!copies.is_empty());
        for c in copies {
            let of = pages
                .iter()
                .find(|p| Some(&p.id) == c.of.as_ref())
                .expect("page");
            assert_ne!(c.site, of.site, "{}", c.id);
            assert!(
                c.text.contains(&format!("Copyright {}", c.site)),
                "under the host's template"
            );
            if c.kind == "exact" {
                assert_eq!(c.content, of.content().join("\n"));
            }
        }
        // The same seed plants the same corpus.
        let again = plant(&pages, 7);
        assert_eq!(
            planted.iter().map(|p| &p.text).collect::<Vec<_>>(),
            again.iter().map(|p| &p.text).collect::<Vec<_>>()
        );
    }

    #[test]
    fn true_pairs_and_scores() {
        let words = |n: usize, from: usize| -> String {
            (from..from + n)
                .map(|i| {
                    format!(
                        "w{}",
                        char::from(b'a' + (i % 26) as u8)
                            .to_string()
                            .repeat(1 + i / 26)
                    )
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        let a = words(100, 0);
        let b = words(100, 0) + " extra";
        let c = words(100, 50);
        let sets: Vec<Vec<u64>> = [&a, &b, &c]
            .iter()
            .map(|t| crate::dedup::shingle_set_of_every_line(t, 5))
            .collect();
        let truth = true_pairs(&sets, 0.8);
        assert_eq!(truth.len(), 1);
        assert_eq!((truth[0].0, truth[0].1), (0, 1));
        // A run that joins 0 and 1, and wrongly 2.
        let s = score("run", &truth, &[(0, vec![0, 1, 2])], &[None, Some(0), None]);
        assert_eq!((s.found, s.claimed, s.claimed_true), (1, 2, 1));
        assert_eq!((s.planted, s.planted_found), (1, 1));
        assert_eq!(s.precision(), 0.5);
        assert_eq!(s.recall(), 1.0);
        // Identical texts are a true pair whatever their content; the rest stay.
        let texts: Vec<String> = ["same", "other", "same"].map(String::from).to_vec();
        assert_eq!(
            with_identical_texts(truth.clone(), &texts),
            vec![truth[0], (0, 2, 1.0)]
        );
        let texts: Vec<String> = ["a", "a", "c"].map(String::from).to_vec();
        assert_eq!(with_identical_texts(truth.clone(), &texts), truth);
        // The wrong claim is named with its Jaccard; a run that joins nothing misses 0–1.
        let j02 = jaccard(&sets[0], &sets[2]);
        assert!(j02 < 0.8);
        assert_eq!(
            pair_errors(&truth, &[(0, vec![0, 1, 2])], &sets),
            vec![PairError::WrongClaim(2, 0, j02)]
        );
        assert_eq!(
            pair_errors(&truth, &[], &sets),
            vec![PairError::Missed(0, 1, truth[0].2)]
        );
    }

    #[test]
    fn errors_are_told_apart_by_how_alike_their_cleaned_texts_are() {
        let (missed, wrong) = (
            PairError::Missed(0, 1, 0.9),
            PairError::WrongClaim(2, 0, 0.5),
        );
        let errors = [
            (missed, 0.8),
            (missed, 0.75),
            (missed, 0.71),
            (missed, 0.7),
            (missed, 0.0),
            (wrong, 0.8),
            (wrong, 0.79),
        ];
        let c = Causes::count(errors, 0.8);
        assert_eq!(
            c,
            Causes {
                missed_alike: 1,
                missed_near: 2,
                missed_apart: 2,
                wrong_alike: 1,
                wrong_unlike: 1,
            }
        );
        assert_eq!(
            c.line("run"),
            "run: 5 missed (1 alike once cleaned, 2 less than 0.1 under, 2 further apart); \
             2 wrong claims (1 alike once cleaned, 1 not)"
        );
    }
}
