//! Documents an earlier run kept, known only by the signatures it wrote (`--signatures`):
//! a document of this run that copies one of them goes, with it as its survivor, as if the
//! earlier run's documents came first in input order. Without their shingle sets, near
//! copies are judged by the estimate (the share of equal bins, about ±0.04 at 0.8).

use std::collections::HashMap;

use nohash_hasher::BuildNoHashHasher;

use super::{DocPrint, Kind, Params, band_keys, estimate};

/// The earlier documents' fingerprints, signatures and LSH buckets.
#[derive(Debug, Default)]
pub struct Earlier {
    /// The first earlier document with each exact fingerprint.
    exact: HashMap<u64, u32, BuildNoHashHasher<u64>>,
    /// Every document's bins, `bins` each (zeros for a text without words).
    bins: Vec<u32>,
    /// (band key, document) for every band of every signed document, sorted once
    /// [`Earlier::seal`]ed.
    buckets: Vec<(u64, u32)>,
    len: usize,
    sealed: bool,
}

/// Which earlier document a document copies, how, and how alike the two are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EarlierCopy {
    /// The earlier document's index, in the order [`Earlier::push`] took them.
    pub of: usize,
    pub kind: Kind,
    pub similarity: f64,
}

impl Earlier {
    /// Adds the next earlier document: its exact fingerprint and its signature (empty for
    /// a text without words, else `params.bins()` values).
    pub fn push(&mut self, exact: u64, minhash: &[u32], params: &Params) -> Result<(), String> {
        let bins = params.bins();
        if !minhash.is_empty() && minhash.len() != bins {
            return Err(format!(
                "a signature of {} bins, where this run makes {bins}",
                minhash.len()
            ));
        }
        let doc = u32::try_from(self.len).map_err(|_| "more than 2^32 documents".to_string())?;
        let first = *self.exact.entry(exact).or_insert(doc) == doc;
        // An exact copy of an earlier document has its bins: the first answers for both,
        // and the buckets stay as small as the distinct texts.
        if minhash.is_empty() || !first {
            self.bins.resize(self.bins.len() + bins, 0);
        } else {
            self.bins.extend_from_slice(minhash);
            let keys = band_keys(minhash, params);
            self.buckets.extend(keys.into_iter().map(|k| (k, doc)));
        }
        self.len += 1;
        self.sealed = false;
        Ok(())
    }

    /// Sorts the buckets: call once every document is pushed.
    pub fn seal(&mut self) {
        self.buckets.sort_unstable();
        self.buckets.dedup();
        self.sealed = true;
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The earlier document a print copies: the first with its exact fingerprint, else, of
    /// those sharing a band with it, the most alike by the estimate if that reaches
    /// `min_jaccard` (the earliest of equals). The print needs its signature
    /// ([`Params::keep_signatures`]) to be judged a near copy.
    pub fn copy_of(&self, print: &DocPrint, params: &Params) -> Option<EarlierCopy> {
        debug_assert!(self.sealed, "Earlier::seal before Earlier::copy_of");
        if let Some(&of) = self.exact.get(&print.exact) {
            return Some(EarlierCopy {
                of: of as usize,
                kind: Kind::Duplicate,
                similarity: 1.0,
            });
        }
        if params.mode != super::Mode::Near || print.signature.is_empty() {
            return None;
        }
        let bins = params.bins();
        let mut best: Option<(f64, u32)> = None;
        for &key in &print.bands {
            let from = self.buckets.partition_point(|&(k, _)| k < key);
            for &(_, doc) in self.buckets[from..].iter().take_while(|&&(k, _)| k == key) {
                let theirs = &self.bins[doc as usize * bins..(doc as usize + 1) * bins];
                let j = estimate(&print.signature, theirs);
                let better = match best {
                    None => true,
                    Some((b, d)) => j > b || (j == b && doc < d),
                };
                if better {
                    best = Some((j, doc));
                }
            }
        }
        best.filter(|&(j, _)| j >= params.min_jaccard)
            .map(|(similarity, of)| EarlierCopy {
                of: of as usize,
                kind: Kind::NearDuplicate,
                similarity,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedup::{fingerprint, tests::words};

    fn params() -> Params {
        Params {
            keep_signatures: true,
            ..Params::default()
        }
    }

    fn earlier_of(texts: &[String], p: &Params) -> Earlier {
        let mut earlier = Earlier::default();
        for t in texts {
            let print = fingerprint(t, p);
            earlier
                .push(print.exact, &print.signature, p)
                .expect("a signature of this run's size");
        }
        earlier.seal();
        earlier
    }

    #[test]
    fn exact_and_near_copies_of_earlier_documents_are_found() {
        let p = params();
        let a = words(200, "a").join(" ");
        let b = words(200, "b").join(" ");
        let earlier = earlier_of(&[a.clone(), b.clone(), b.clone()], &p);
        assert_eq!(earlier.len(), 3);
        assert_eq!(
            earlier.buckets.len(),
            2 * p.bands,
            "two distinct texts in the buckets"
        );

        // The same text: the first earlier document with it.
        let copy = earlier.copy_of(&fingerprint(&b, &p), &p).expect("a copy");
        assert_eq!(
            (copy.of, copy.kind, copy.similarity),
            (1, Kind::Duplicate, 1.0)
        );

        // Two words of 200 changed: a near copy of `a`, by the estimate.
        let mut edited = words(200, "a");
        edited[50] = "changed".into();
        edited[150] = "twice".into();
        let copy = earlier
            .copy_of(&fingerprint(&edited.join(" "), &p), &p)
            .expect("a near copy");
        assert_eq!((copy.of, copy.kind), (0, Kind::NearDuplicate));
        assert!((0.85..1.0).contains(&copy.similarity), "{copy:?}");

        // Unrelated text, and a near copy when only exact copies are looked for.
        let other = words(200, "c").join(" ");
        assert_eq!(earlier.copy_of(&fingerprint(&other, &p), &p), None);
        let exact_only = Params {
            mode: crate::dedup::Mode::Exact,
            ..p
        };
        let print = fingerprint(&edited.join(" "), &p);
        assert_eq!(earlier.copy_of(&print, &exact_only), None);
    }

    #[test]
    fn a_half_copy_is_not_a_near_copy() {
        let p = params();
        let a = words(200, "a");
        let earlier = earlier_of(&[a.join(" ")], &p);
        let half: Vec<String> = a[..100].iter().cloned().chain(words(100, "z")).collect();
        assert_eq!(earlier.copy_of(&fingerprint(&half.join(" "), &p), &p), None);
    }

    #[test]
    fn signatures_of_another_size_are_refused() {
        let p = params();
        let mut earlier = Earlier::default();
        let err = earlier.push(1, &[7; 64], &p).expect_err("64 bins, not 120");
        assert!(err.contains("64 bins") && err.contains("120"), "{err}");
        assert!(earlier.is_empty());
        // A text without words has no signature and is still an exact original.
        earlier.push(9, &[], &p).expect("no bins");
        earlier.seal();
        let print = DocPrint {
            exact: 9,
            ..DocPrint::default()
        };
        assert_eq!(earlier.copy_of(&print, &p).map(|c| c.of), Some(0));
    }
}
