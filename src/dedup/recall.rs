//! Shingle sets kept within a memory budget: [`find_with`](super::find_with) asks a
//! [`SetSource`] for the sets of each pair it compares, so the caller can keep some sets
//! out of memory and bring them back when needed. [`Recalled`] is such a source: it loads
//! a set through a function the caller gives (pass 3 reads it from a temporary file) and
//! keeps the most recently used ones up to a number of bytes.
//!
//! Pure: the bytes a set is written as ([`ShingleSets::encode`], [`ShingleSets::decode`])
//! and which sets to let go live here; reading and writing the file is the caller's.

use std::collections::{BTreeMap, HashMap};

use super::{DocPrint, PlacedShingles, Repeat, ShingleSets};
use crate::fingerprint::Reader;

/// Where [`find_with`](super::find_with) gets the shingle sets of the documents it
/// compares.
pub trait SetSource {
    type Error;
    /// Makes sure the documents of `pair` (indices into `prints`) carry the sets they
    /// have ([`DocPrint::sets`]); may take other documents' sets out to make room.
    fn fill(&mut self, prints: &mut [DocPrint], pair: [usize; 2]) -> Result<(), Self::Error>;
}

/// Sets loaded on demand by `load` (`None` for a document it has no set for), the most
/// recently used kept while they take at most `cap_bytes` ([`ShingleSets::heap_bytes`]);
/// the two of the pair being compared are always kept. Sets filled in some other way
/// are never taken out.
pub struct Recalled<F> {
    load: F,
    cap_bytes: usize,
    bytes: usize,
    clock: u64,
    /// Loaded documents: when each was last used, and its bytes.
    loaded: HashMap<usize, (u64, usize)>,
    /// The loaded documents by when they were last used.
    by_use: BTreeMap<u64, usize>,
    /// Sets loaded, counting each loading of one set again.
    loads: u64,
}

impl<F, E> Recalled<F>
where
    F: FnMut(usize) -> Result<Option<ShingleSets>, E>,
{
    pub fn new(cap_bytes: usize, load: F) -> Self {
        Recalled {
            load,
            cap_bytes,
            bytes: 0,
            clock: 0,
            loaded: HashMap::new(),
            by_use: BTreeMap::new(),
            loads: 0,
        }
    }

    /// Sets loaded so far, counting each loading again of one let go.
    pub fn loads(&self) -> u64 {
        self.loads
    }

    /// Marks a loaded document as used now (a just loaded one has `used` 0, which no
    /// entry of `by_use` has: the clock is 1 at its first use).
    fn touch(&mut self, i: usize) {
        self.clock += 1;
        if let Some((used, _)) = self.loaded.get_mut(&i) {
            self.by_use.remove(used);
            *used = self.clock;
            self.by_use.insert(self.clock, i);
        }
    }
}

impl<F, E> SetSource for Recalled<F>
where
    F: FnMut(usize) -> Result<Option<ShingleSets>, E>,
{
    type Error = E;

    fn fill(&mut self, prints: &mut [DocPrint], pair: [usize; 2]) -> Result<(), E> {
        for i in pair {
            if prints[i].sets.is_none()
                && let Some(sets) = (self.load)(i)?
            {
                let bytes = sets.heap_bytes();
                self.bytes += bytes;
                self.loads += 1;
                self.loaded.insert(i, (0, bytes));
                prints[i].sets = Some(Box::new(sets));
            }
            self.touch(i);
        }
        while self.bytes > self.cap_bytes {
            let Some((&used, &j)) = self.by_use.iter().find(|(_, j)| !pair.contains(j)) else {
                break;
            };
            self.by_use.remove(&used);
            let (_, bytes) = self.loaded.remove(&j).unwrap_or_default();
            self.bytes -= bytes;
            prints[j].sets = None;
        }
        Ok(())
    }
}

impl PlacedShingles {
    fn heap_bytes(&self) -> usize {
        self.shingles.len() * 4
            + self.lines.len() * 4
            + self.reach.len()
            + self.repeats.len() * std::mem::size_of::<Repeat>()
    }

    fn encode(&self, out: &mut Vec<u8>) {
        put_all(out, &self.shingles, |o, &x| put_u32(o, x));
        put_all(out, &self.lines, |o, &x| put_u32(o, x));
        put_all(out, &self.reach, |o, &x| o.push(x));
        put_all(out, &self.repeats, |o, &(k, line, reach)| {
            put_u32(o, k);
            put_u32(o, line);
            o.push(reach);
        });
    }

    fn decode(r: &mut Reader<'_>) -> Option<PlacedShingles> {
        Some(PlacedShingles {
            shingles: read_all(r, Reader::u32)?,
            lines: read_all(r, Reader::u32)?,
            reach: read_all(r, Reader::u8)?,
            repeats: read_all(r, |r| Some((r.u32()?, r.u32()?, r.u8()?)))?,
        })
    }
}

impl ShingleSets {
    /// The bytes its vectors hold (what keeping it costs, less a few dozen bytes of
    /// headers).
    pub fn heap_bytes(&self) -> usize {
        self.set.heap_bytes()
            + self.prose_only.as_ref().map_or(0, |p| p.heap_bytes())
            + self.line_keys.len() * 8
            + self.short_lines.len() * std::mem::size_of::<(u32, u64)>()
            + self.removed.len() * 8
    }

    /// Appends it to `out` as bytes that [`ShingleSets::decode`] reads back.
    pub fn encode(&self, out: &mut Vec<u8>) {
        self.set.encode(out);
        match &self.prose_only {
            Some(p) => {
                out.push(1);
                p.encode(out);
            }
            None => out.push(0),
        }
        put_all(out, &self.line_keys, |o, &x| put_u64(o, x));
        put_all(out, &self.short_lines, |o, &(at, key)| {
            put_u32(o, at);
            put_u64(o, key);
        });
        put_all(out, &self.removed, |o, &x| put_u64(o, x));
    }

    /// What [`ShingleSets::encode`] wrote; `None` for bytes it did not write.
    pub fn decode(bytes: &[u8]) -> Option<ShingleSets> {
        let r = &mut Reader(bytes);
        let set = PlacedShingles::decode(r)?;
        let prose_only = match r.u8()? {
            0 => None,
            1 => Some(Box::new(PlacedShingles::decode(r)?)),
            _ => return None,
        };
        let sets = ShingleSets {
            set,
            prose_only,
            line_keys: read_all(r, Reader::u64)?,
            short_lines: read_all(r, |r| Some((r.u32()?, r.u64()?)))?,
            removed: read_all(r, Reader::u64)?,
        };
        r.0.is_empty().then_some(sets)
    }
}

fn put_u32(out: &mut Vec<u8>, x: u32) {
    out.extend_from_slice(&x.to_le_bytes());
}

fn put_u64(out: &mut Vec<u8>, x: u64) {
    out.extend_from_slice(&x.to_le_bytes());
}

/// A count (a vector in a set never holds 2^32 items: a shingle key is a `u32`), then
/// each item.
fn put_all<T>(out: &mut Vec<u8>, items: &[T], mut put: impl FnMut(&mut Vec<u8>, &T)) {
    put_u32(out, items.len() as u32);
    for x in items {
        put(out, x);
    }
}

/// A count written by [`put_all`], then that many items.
fn read_all<'a, T>(
    r: &mut Reader<'a>,
    mut item: impl FnMut(&mut Reader<'a>) -> Option<T>,
) -> Option<Vec<T>> {
    let n = r.u32()? as usize;
    // A count the bytes left cannot hold is not one encode wrote.
    if n > r.0.len() {
        return None;
    }
    (0..n).map(|_| item(r)).collect()
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use super::*;
    use crate::dedup::{Params, shingle_sets_with_lines};

    fn sets_of(text: &str) -> ShingleSets {
        ShingleSets {
            removed: vec![7, 3 << 40],
            ..shingle_sets_with_lines(text, &Params::default())
        }
    }

    const PAGE: &str = "Home\nA title of four words\nThe first paragraph of the article has a good many words in it.\n\
        Share this\nThe second paragraph of the article has a good many words in it too.";

    #[test]
    fn sets_read_back_as_written() {
        for text in [PAGE, "", "one two three", "short\nlines\nonly here"] {
            let sets = sets_of(text);
            let mut bytes = Vec::new();
            sets.encode(&mut bytes);
            assert_eq!(ShingleSets::decode(&bytes), Some(sets), "{text:?}");
        }
        // A set judged on every line that has prose lines carries both.
        let list = "red green blue\n".repeat(6);
        let both = sets_of(&format!(
            "{list}The one paragraph of this page has a good many words in it."
        ));
        assert!(both.prose_only.is_some());
        let mut bytes = Vec::new();
        both.encode(&mut bytes);
        assert_eq!(ShingleSets::decode(&bytes), Some(both));
    }

    fn placed(
        (shingles, lines, reach, repeats): (Vec<u32>, Vec<u32>, Vec<u8>, Vec<Repeat>),
    ) -> PlacedShingles {
        PlacedShingles {
            shingles,
            lines,
            reach,
            repeats,
        }
    }

    proptest::proptest! {
        /// Any sets, of any sizes (the fields need not agree in length), read back as
        /// written, and every strict prefix of their bytes is refused.
        #[test]
        fn any_sets_read_back_as_written(
            set in (
                proptest::collection::vec(proptest::num::u32::ANY, 0..40),
                proptest::collection::vec(proptest::num::u32::ANY, 0..40),
                proptest::collection::vec(proptest::num::u8::ANY, 0..40),
                proptest::collection::vec(proptest::arbitrary::any::<(u32, u32, u8)>(), 0..8),
            ),
            prose in proptest::option::of((
                proptest::collection::vec(proptest::num::u32::ANY, 0..20),
                proptest::collection::vec(proptest::num::u32::ANY, 0..20),
                proptest::collection::vec(proptest::num::u8::ANY, 0..20),
                proptest::collection::vec(proptest::arbitrary::any::<(u32, u32, u8)>(), 0..4),
            )),
            line_keys in proptest::collection::vec(proptest::num::u64::ANY, 0..20),
            short_lines in proptest::collection::vec(proptest::arbitrary::any::<(u32, u64)>(), 0..8),
            removed in proptest::collection::vec(proptest::num::u64::ANY, 0..20),
        ) {
            let sets = ShingleSets {
                set: placed(set),
                prose_only: prose.map(|p| Box::new(placed(p))),
                line_keys,
                short_lines,
                removed,
            };
            let mut bytes = Vec::new();
            sets.encode(&mut bytes);
            proptest::prop_assert_eq!(ShingleSets::decode(&bytes), Some(sets));
            for cut in 0..bytes.len() {
                proptest::prop_assert_eq!(ShingleSets::decode(&bytes[..cut]), None);
            }
        }
    }

    #[test]
    fn bytes_it_did_not_write_are_refused() {
        let mut bytes = Vec::new();
        sets_of(PAGE).encode(&mut bytes);
        assert_eq!(ShingleSets::decode(&bytes[..bytes.len() - 1]), None);
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(ShingleSets::decode(&longer), None);
        assert_eq!(ShingleSets::decode(&[0xff; 64]), None);
        assert_eq!(ShingleSets::decode(&[]), None);
    }

    #[test]
    fn recalled_keeps_the_latest_used_within_its_bytes() {
        let sets = sets_of(PAGE);
        let each = sets.heap_bytes();
        assert!(each > 0);
        let mut prints = vec![DocPrint::default(); 5];
        let mut asked = Vec::new();
        // Room for three sets; document 4 has none to load.
        let mut source = Recalled::new(3 * each, |i| {
            asked.push(i);
            Ok::<_, Infallible>((i < 4).then(|| sets.clone()))
        });
        source.fill(&mut prints, [1, 0]).unwrap();
        source.fill(&mut prints, [2, 0]).unwrap();
        assert!(prints[..3].iter().all(|p| p.sets.is_some()));
        // Loading 3 lets go of 1, the least recently used (0 was used after it).
        source.fill(&mut prints, [3, 0]).unwrap();
        let held: Vec<bool> = prints.iter().map(|p| p.sets.is_some()).collect();
        assert_eq!(held, [true, false, true, true, false]);
        // 1 comes back, and 2 goes; a document without a set is asked each time.
        source.fill(&mut prints, [1, 4]).unwrap();
        source.fill(&mut prints, [4, 3]).unwrap();
        let held: Vec<bool> = prints.iter().map(|p| p.sets.is_some()).collect();
        assert_eq!(held, [true, true, false, true, false]);
        assert_eq!(source.loads(), 5);
        drop(source);
        assert_eq!(asked, [1, 0, 2, 3, 1, 4, 4]);
    }

    #[test]
    fn the_pair_stays_even_over_the_bytes() {
        let sets = sets_of(PAGE);
        let mut prints = vec![DocPrint::default(); 3];
        let mut source = Recalled::new(0, |_| Ok::<_, Infallible>(Some(sets.clone())));
        source.fill(&mut prints, [0, 1]).unwrap();
        assert!(prints[0].sets.is_some() && prints[1].sets.is_some());
        source.fill(&mut prints, [2, 1]).unwrap();
        let held: Vec<bool> = prints.iter().map(|p| p.sets.is_some()).collect();
        assert_eq!(held, [false, true, true]);
    }
}
