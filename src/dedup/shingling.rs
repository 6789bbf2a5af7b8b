//! What deduplication reads of a cleaned text: its normalized lines joined (its prose
//! lines when they stand for it), the hashes of their word shingles, the sampled shingles
//! that find a text held in a longer page, and the shingle sets, with the lines each
//! shingle starts on, that exact verification and the matched stretch compare. Pure; the
//! signatures made of the shingles live in `lsh`, the stretch test in `stretch`.

use std::ops::Range;

use xxhash_rust::xxh3::{Xxh3, xxh3_64_with_seed};

use super::*;
use crate::fingerprint::{ascii_tokens, exact_key, key_hash, word_tokens};
use crate::normalize::{LineSpan, Normalizer, is_blank, split_lines};

const SHINGLE_SEED: u64 = 0x6465_626f_696c_5d06;
const DOC_SEED: u64 = 0x6465_626f_696c_4407;

/// A shingle set with where each shingle stands among the document's lines: what the
/// matched stretch reads ([`ShingleSets::set`], [`ShingleSets::prose_only`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlacedShingles {
    /// Sorted and distinct: [`verify_key`] of each of [`shingle_set`]'s shingles.
    pub shingles: Vec<u32>,
    /// For each, the line it first starts on, counting the lines the document is judged
    /// on; those of [`ShingleSets::prose_only`] are numbered among *every* line, so that
    /// [`DocPrint::site_lines`] and [`DocPrint::line_weights`] apply to them. Empty unless
    /// the matched stretch is on.
    pub lines: Vec<u32>,
    /// For each, how many lines past its first it reaches (0 within one line; [`u8::MAX`]
    /// for that many or more, which is taken as unknown).
    pub reach: Vec<u8>,
    /// The later occurrences of shingles on other lines than their first, ascending:
    /// only a text printed twice on a page has them.
    pub repeats: Vec<Repeat>,
}

/// A later occurrence of a shingle on another line than its first (a lead paragraph
/// quoted in a teaser above the article, a pull quote): the shingle's index in its set,
/// the line it starts on there and how far it reaches ([`PlacedShingles::reach`]). A
/// repeated shingle is in a matched stretch when any of its lines is (see `span_of`).
pub type Repeat = (u32, u32, u8);

/// The least number of a line's shingles seen on an earlier line for them to be kept as
/// [`Repeat`]s: a passage of a dozen words printed twice, not a phrase two paragraphs
/// share ("if you are looking for a").
pub const REPEAT_MIN_SHINGLES: usize = 8;

/// Whether the prose lines, of `prose` words among the text's `all`, stand for it.
fn prose_stands(prose: usize, all: usize) -> bool {
    prose > 0 && prose as f64 >= PROSE_MIN_SHARE * all as f64
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
    verify_set(sampled)
}

/// What exact verification keeps of a shingle's hash: its low 32 bits (the signature's
/// bins and the samples are picked by the upper half), so that a shingle of a document in
/// a candidate pair takes 9 bytes (key, line, reach) instead of 13. Two distinct shingles
/// of documents of `n` and `m` shingles share a key with a chance of about `n·m / 2^32`
/// (1 in 9,000 for two news articles of 700), and such a match moves their Jaccard by
/// about one shingle of their union: on 400 MB of articles each printed twice, 3 of 47.9
/// M keys merged two shingles, and one of 40,000 similarities moved from 0.899 to 0.901.
pub fn verify_key(shingle: u64) -> u32 {
    shingle as u32
}

/// The sorted, distinct [`verify_key`]s of some shingles.
pub fn verify_set(shingles: impl IntoIterator<Item = u64>) -> Vec<u32> {
    let mut set: Vec<u32> = shingles.into_iter().map(verify_key).collect();
    set.sort_unstable();
    set.dedup();
    set
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
    let joined = Joined::of(text, &split_lines(text), Some(prose_min_words), &[]);
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
    /// The sorted keys ([`verify_key`]) of [`shingle_set`] (of the prose lines when they
    /// stand for the text), and where its shingles stand.
    pub set: PlacedShingles,
    /// For a document judged on every line that has prose lines: the shingles of those
    /// alone. A copy judged on its prose lines is also tried against this stretch (see
    /// `likeness`).
    pub prose_only: Option<Box<PlacedShingles>>,
    /// The fingerprint ([`crate::fingerprint::line_hash`]) of each line numbered as
    /// [`PlacedShingles::lines`] numbers them.
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
    let lines = split_lines(text);
    let (mut joined, prose) = Joined::views(text, &lines, Some(params.prose_min_words), &[], true);
    let sorted = |joined: &Joined| -> PlacedShingles {
        if joined.text.is_empty() {
            return PlacedShingles::default();
        }
        let mut triples = joined.shingles_with_lines(params.shingle_words, verify_key);
        // Sorted by key, then line: the first of equal keys holds the earliest line.
        triples.sort_unstable();
        let n = triples.len();
        let mut out = PlacedShingles {
            shingles: Vec::with_capacity(n),
            lines: Vec::with_capacity(n),
            reach: Vec::with_capacity(n),
            repeats: Vec::new(),
        };
        let reach = |l: u32, e: u32| u8::try_from(e - l).unwrap_or(u8::MAX);
        for (h, l, e) in triples {
            if out.shingles.last() != Some(&h) {
                out.shingles.push(h);
                out.lines.push(l);
                out.reach.push(reach(l, e));
                continue;
            }
            let k = out.shingles.len() as u32 - 1;
            let last_line = match out.repeats.last() {
                Some(&(at, line, _)) if at == k => line,
                _ => out.lines[k as usize],
            };
            if l != last_line {
                out.repeats.push((k, l, reach(l, e)));
            }
        }
        // A phrase two paragraphs share is not a passage printed twice.
        let lines = out
            .repeats
            .iter()
            .map(|r| r.1 as usize + 1)
            .max()
            .unwrap_or(0);
        let mut on_line = vec![0usize; lines];
        for r in &out.repeats {
            on_line[r.1 as usize] += 1;
        }
        out.repeats
            .retain(|r| on_line[r.1 as usize] >= REPEAT_MIN_SHINGLES);
        out
    };
    let prose_only = prose.map(|prose| Box::new(sorted(&prose)));
    ShingleSets {
        set: sorted(&joined),
        prose_only,
        // Empty unless the prose lines stand for the text (only they gather short lines).
        short_lines: std::mem::take(&mut joined.short_lines),
        line_keys: std::mem::take(&mut joined.keys),
        removed: Vec::new(),
    }
}

/// Each shingle hash of a text, whole, with the line it starts on, numbered as
/// [`shingle_sets_with_lines`] numbers them (for tests of what the hashes pick).
#[cfg(test)]
pub(super) fn hashes_with_lines(text: &str, params: &Params) -> Vec<(u64, u32)> {
    let lines = split_lines(text);
    let (joined, _) = Joined::views(text, &lines, Some(params.prose_min_words), &[], true);
    let hashes = joined.shingles_with_lines(params.shingle_words, |h| h);
    hashes.into_iter().map(|(h, line, _)| (h, line)).collect()
}

/// A text as deduplication reads it.
pub(super) struct Joined {
    /// The fingerprint of the normalized lines (digits kept).
    pub(super) exact: u64,
    /// The normalized lines near copies are judged on, joined by spaces (empty unless
    /// asked for). Bytes, not `str`: only hashed and cut at word ends, so an ASCII
    /// line goes in without a UTF-8 check.
    pub(super) text: Vec<u8>,
    /// The byte offset in `text` where each joined line starts.
    starts: Vec<usize>,
    /// The joined lines that were flagged as on other pages of the site, ascending.
    pub(super) site_lines: Vec<u32>,
    /// Each joined line's [`KeptLine::content`], in 255ths.
    pub(super) weights: Vec<u8>,
    /// The word tokens of `text` ([`word_tokens`]), gathered line by line.
    tokens: Vec<Range<usize>>,
    /// Whether these are the prose lines, standing for the text.
    pub(super) prose: bool,
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
    /// mostly short lines (bylines, dates, menus) that differ. The text is `lines` of
    /// `text` (all of them as [`split_lines`] finds them, or some), and `kept` describes
    /// each (see [`fingerprint_lines`]).
    pub(super) fn of(
        text: &str,
        lines: &[LineSpan],
        join: Option<usize>,
        kept: &[KeptLine],
    ) -> Joined {
        match Joined::known(text, lines, join, kept) {
            Some(joined) => joined,
            None => Joined::views(text, lines, join, kept, false).0,
        }
    }

    /// [`Joined::of`] from what `kept` says of every line ([`KeptLine::print`]), which
    /// decides which lines are joined before any is normalized: only those are. `None`
    /// when `kept` does not describe each line.
    fn known(
        text: &str,
        spans: &[LineSpan],
        join: Option<usize>,
        kept: &[KeptLine],
    ) -> Option<Joined> {
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
        let mut joined = Joined::with_capacity((bytes_of(spans), spans.len()));
        let mut norm = Normalizer::for_lines(spans);
        let mut tokens = Vec::new();
        let lines = spans.iter().map(|s| s.content(text));
        for ((line, f), note) in lines.zip(&facts).zip(kept) {
            if f.exact.is_none() || (prose && (f.words as usize) < min_words) {
                continue;
            }
            norm.normalize(line);
            match norm.ascii_word_ends() {
                Some(ends) => ascii_tokens(ends, &mut tokens),
                None => tokens = word_tokens(norm.as_str()),
            }
            debug_assert_eq!(tokens.len(), f.words as usize, "{}", norm.as_str());
            joined.push(norm.key(), &tokens, *note);
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
        spans: &[LineSpan],
        join: Option<usize>,
        kept: &[KeptLine],
        keys: bool,
    ) -> (Joined, Option<Joined>) {
        let mut norm = Normalizer::for_lines(spans);
        let mut exact = Xxh3::with_seed(DOC_SEED);
        let room = join.map_or((0, 0), |_| (bytes_of(spans), spans.len()));
        let mut all = Joined::with_capacity(room);
        let mut prose = Joined::with_capacity(room);
        let mut tokens = Vec::new();
        for (i, line) in spans.iter().map(|s| s.content(text)).enumerate() {
            if is_blank(line) {
                continue;
            }
            norm.normalize(line);
            if norm.key().is_empty() {
                continue;
            }
            let line = norm.key();
            let key = exact_key(key_hash(line), norm.digits());
            exact.update(&key.to_le_bytes());
            if let Some(min_words) = join {
                // An ASCII key's words were found while normalizing it.
                match norm.ascii_word_ends() {
                    Some(ends) => ascii_tokens(ends, &mut tokens),
                    None => tokens = word_tokens(norm.as_str()),
                }
                let note = kept.get(i).copied().unwrap_or_default();
                all.push(line, &tokens, note);
                let key = keys.then(|| key_hash(line));
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
            text: Vec::with_capacity(bytes),
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
    fn push(&mut self, line: &[u8], tokens: &[Range<usize>], note: KeptLine) {
        if note.on_site {
            self.site_lines.push(self.starts.len() as u32);
        }
        self.weights
            .push((note.content.clamp(0.0, 1.0) * 255.0).round() as u8);
        if !self.text.is_empty() {
            self.text.push(b' ');
        }
        let start = self.text.len();
        self.starts.push(start);
        self.text.extend_from_slice(line);
        self.tokens
            .extend(tokens.iter().map(|t| t.start + start..t.end + start));
    }

    /// [`shingles`] of the joined text.
    pub(super) fn shingles(&self, k: usize) -> Vec<u64> {
        shingles_of(&self.text, &self.tokens, k)
    }

    /// [`samples`] of `shingles` (this text's, in order), leaving out those that start on
    /// one of [`Joined::site_lines`]: they are the site's template, not the page's own.
    pub(super) fn own_samples(&self, shingles: &[u64]) -> Vec<u32> {
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

    /// Every shingle (as [`shingles`], taken through `key`) with the lines it starts and
    /// ends on.
    fn shingles_with_lines<T>(&self, k: usize, key: impl Fn(u64) -> T) -> Vec<(T, u32, u32)> {
        let tokens = &self.tokens;
        let k = k.max(1);
        let number = |line: usize| self.origin.get(line).map_or(line as u32, |&o| o);
        let last = self.starts.len().saturating_sub(1);
        if tokens.len() <= k {
            return vec![(
                key(xxh3_64_with_seed(&self.text, SHINGLE_SEED)),
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
                (key(run_hash(&self.text, w)), number(line), number(end))
            })
            .collect()
    }
}

/// The bytes of `lines` with a terminator each: room for their normalized text.
fn bytes_of(lines: &[LineSpan]) -> usize {
    lines.iter().map(|l| l.end - l.start + 1).sum()
}

/// Hashes of every run of `k` tokens of a normalized text (one hash for a shorter text).
pub fn shingles(normalized: &str, k: usize) -> Vec<u64> {
    shingles_of(normalized.as_bytes(), &word_tokens(normalized), k)
}

/// [`shingles`] of a text whose word tokens are known.
fn shingles_of(normalized: &[u8], tokens: &[Range<usize>], k: usize) -> Vec<u64> {
    let k = k.max(1);
    if tokens.len() <= k {
        return vec![xxh3_64_with_seed(normalized, SHINGLE_SEED)];
    }
    tokens.windows(k).map(|w| run_hash(normalized, w)).collect()
}

/// The hash of one run of tokens of a normalized text: one shingle.
#[inline(always)]
fn run_hash(normalized: &[u8], run: &[std::ops::Range<usize>]) -> u64 {
    xxh3_64_with_seed(
        &normalized[run[0].start..run[run.len() - 1].end],
        SHINGLE_SEED,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedup::tests::{near, prose_lines, words};
    use crate::fingerprint::Prepared;

    #[test]
    fn shingles_with_lines_are_the_shingle_set_and_its_first_lines() {
        let p = near();
        let mut lines = prose_lines(0, 6, "a");
        lines.push("a short line".into());
        lines.push(lines[1].clone());
        lines.extend(prose_lines(6, 1, "a"));
        let text = lines.join("\n");
        let PlacedShingles {
            shingles: set,
            lines: at,
            repeats,
            ..
        } = shingle_sets_with_lines(&text, &p).set;
        // The 11 shingles within line 1 are seen again on line 6.
        assert_eq!(repeats.len(), 11);
        assert!(
            repeats
                .iter()
                .all(|&(k, line, reach)| { (line, reach) == (6, 0) && at[k as usize] == 1 })
        );
        assert_eq!(set, verify_set(shingle_set(&text, &p)));
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
    fn a_phrase_two_lines_share_is_not_a_repeat_but_a_passage_is() {
        let p = near();
        let line = |salt: &str, shared: &[String]| {
            let mut w = words(10, salt);
            w.splice(3..3, shared.iter().cloned());
            w.join(" ")
        };
        // Eight shared words make four shared shingles: a phrase.
        let phrase = words(8, "s");
        let text = [line("a", &phrase), line("b", &phrase)].join("\n");
        assert!(shingle_sets_with_lines(&text, &p).set.repeats.is_empty());
        // Twelve make eight: a passage printed twice.
        let passage = words(12, "s");
        let text = [line("a", &passage), line("b", &passage)].join("\n");
        let repeats = shingle_sets_with_lines(&text, &p).set.repeats;
        assert_eq!(repeats.len(), REPEAT_MIN_SHINGLES);
        assert!(repeats.iter().all(|r| r.1 == 1));
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
    fn chinese_text_shingles_by_character() {
        let s = shingles("我们今天去北京", 5);
        assert_eq!(s.len(), 3);
    }

    /// Exact or near deduplication judging prose lines of `join` words, and what
    /// fingerprinting finds of each line of `text`.
    fn mode_and_lines(text: &str, join: usize, exact: bool) -> (Params, Prepared) {
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
        (p, crate::fingerprint::prepare(text, &shingles))
    }

    proptest::proptest! {
        /// The tokens gathered line by line (from the normalizer's word ends, or split
        /// again for lines that are not ASCII) are those of the joined text.
        #[test]
        fn joined_tokens_are_the_joined_texts(
            text in "([A-Za-z0-9 ,.]{0,40}|[a-zé 我们北京]{0,20})(\n([A-Za-z0-9 ,.]{0,40}|[a-zé 我们北京]{0,20})){0,6}",
            join in 0usize..4,
        ) {
            let joined = Joined::of(&text, &split_lines(&text), Some(join), &[]);
            let joined_text = std::str::from_utf8(&joined.text);
            proptest::prop_assert!(joined_text.is_ok(), "the joined bytes are UTF-8");
            proptest::prop_assert_eq!(&joined.tokens, &word_tokens(joined_text.unwrap_or_default()));
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
            let (p, prepared) = mode_and_lines(&text, join, exact);
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
            let known = Joined::known(&text, &split_lines(&text), Some(join), &without).is_some();
            proptest::prop_assert_eq!(known, without.is_empty());
            proptest::prop_assert_eq!(
                fingerprint_on_site(&text, &facts, &p),
                fingerprint_on_site(&text, &without, &p)
            );
        }

        /// The print of some lines of a page, from the page and their spans (as pass 2
        /// makes it), is the print of the cleaned text made of them.
        #[test]
        fn a_print_of_kept_lines_is_the_print_of_the_cleaned_text(
            lines in proptest::collection::vec(
                (
                    "([A-Za-z0-9]{1,8}[ ,.!]{1,2}){0,14}|[ .|-]{0,3}|[a-zé’“ 我们北京]{0,24}",
                    proptest::bool::ANY,
                    proptest::bool::ANY,
                    0u8..=255,
                ),
                0..25,
            ),
            join in 0usize..6,
            ending in proptest::sample::select(vec!["", "\n", "\r\n"]),
            exact in proptest::bool::ANY,
        ) {
            let mut text = lines.iter().map(|(l, _, _, _)| l.as_str()).collect::<Vec<_>>().join("\n");
            text.push_str(ending);
            let (p, prepared) = mode_and_lines(&text, join, exact);
            // A text ending in a line break has no empty line after it, and an empty
            // text no line: each line the page has takes its notes by number.
            let note = |i: usize| lines.get(i).map_or((true, false, 255), |l| (l.1, l.2, l.3));
            let keep: Vec<bool> = (0..prepared.lines.len()).map(|i| note(i).0).collect();
            let (spans, kept): (Vec<LineSpan>, Vec<KeptLine>) = (prepared.lines.iter().enumerate())
                .filter(|&(i, _)| keep[i])
                .map(|(i, line)| {
                    let (_, on_site, content) = note(i);
                    let kept = KeptLine {
                        on_site,
                        content: f32::from(content) / 255.0,
                        print: Some(line.into()),
                    };
                    (line.span, kept)
                })
                .unzip();
            let cleaned = crate::decide::clean_text(&text, &prepared.lines, &keep);
            proptest::prop_assert_eq!(
                fingerprint_lines(&text, &spans, &kept, &p),
                fingerprint_on_site(&cleaned, &kept, &p)
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
            let joined = Joined::of(&text, &split_lines(&text), Some(join), &kept);
            let own: Vec<u64> = joined
                .shingles_with_lines(3, |h| h)
                .into_iter()
                .filter(|(_, line, _)| joined.site_lines.binary_search(line).is_err())
                .map(|(h, _, _)| h)
                .collect();
            proptest::prop_assert_eq!(joined.own_samples(&joined.shingles(3)), samples(&own));
        }
    }
}
