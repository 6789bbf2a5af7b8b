//! Pure hashing stage: stable, seeded xxh3-64 fingerprints of normalized lines, of word
//! shingles inside a line, and of sites.
//!
//! Every fingerprint that leaves a process (count tables, audits) comes from here, so the
//! seeds and the algorithm are constants. Splitting and normalizing live in
//! [`crate::normalize`]; what the fingerprints are counted for lives in [`crate::count`].

use std::ops::Range;

use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::features::stopwords;
use crate::normalize::{LineSpan, Normalizer, split_lines};

/// Written into every table or audit that stores fingerprints.
pub const HASH_ALGORITHM: &str = "xxh3-64";

const LINE_SEED: u64 = 0x6465_626f_696c_4c01;
const SHINGLE_SEED: u64 = 0x6465_626f_696c_5302;
const SITE_SEED: u64 = 0x6465_626f_696c_5703;
const PAIR_SEED: u64 = 0x6465_626f_696c_5004;
const DIGITS_SEED: u64 = 0x6465_626f_696c_4405;
const MASTHEAD_SEED: u64 = 0x6465_626f_696c_4d0a;

/// How lines are cut into shingles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShingleParams {
    /// Words per shingle.
    pub words: usize,
    /// Lines with more words than this get no shingles: boilerplate lines are short, and a
    /// long paragraph that shares its wording with other pages is a copy, not a template.
    pub max_line_words: usize,
    /// Count each line's stopwords, a feature of the line model (not needed without it).
    pub stopwords: bool,
}

/// The fingerprints of one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinePrint {
    pub span: LineSpan,
    /// Fingerprint of the normalized line; `None` for a line with no words (blank, or only
    /// punctuation), which is never counted.
    pub key: Option<u64>,
    /// `key` refined by the line's digits, which normalizing folds away: two lines with the
    /// same `exact` key differ at most in case, punctuation and spacing. Used for repeats
    /// inside one document, where "Total reviews: 628" and "Total reviews: 255" differ.
    pub exact: Option<u64>,
    /// Words in the normalized line (each character of a script written without spaces
    /// counts as one).
    pub words: u32,
    /// How many of those words are stopwords ([`crate::features::stopwords`]).
    pub stopwords: u32,
    /// This line's shingles, as a range into [`Prepared::shingles`].
    pub shingles: Range<usize>,
}

impl LinePrint {
    /// Nothing but white space: layout, not content; never judged or audited.
    pub fn is_blank(&self, text: &str) -> bool {
        self.key.is_none() && crate::normalize::is_blank(self.span.content(text))
    }
}

/// A document cut into fingerprinted lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prepared {
    pub lines: Vec<LinePrint>,
    pub shingles: Vec<u64>,
}

impl Prepared {
    pub fn shingles_of(&self, line: &LinePrint) -> &[u64] {
        &self.shingles[line.shingles.clone()]
    }

    /// Appends a compact form without the spans, which [`Prepared::decode`] recomputes
    /// from the text (splitting is cheap; normalizing and hashing are not). The text's
    /// length and line count come first, so that a frame is never applied to another text.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.reserve(12 + self.lines.len() * 29 + self.shingles.len() * 8);
        let text_bytes = self.lines.last().map_or(0, |l| l.span.next) as u64;
        out.extend_from_slice(&text_bytes.to_le_bytes());
        out.extend_from_slice(&(self.lines.len() as u32).to_le_bytes());
        for line in &self.lines {
            match (line.key, line.exact) {
                (Some(key), Some(exact)) => {
                    out.push(1);
                    out.extend_from_slice(&key.to_le_bytes());
                    out.extend_from_slice(&exact.to_le_bytes());
                    out.extend_from_slice(&line.words.to_le_bytes());
                    out.extend_from_slice(&line.stopwords.to_le_bytes());
                    out.extend_from_slice(&(line.shingles.len() as u32).to_le_bytes());
                }
                _ => out.push(0),
            }
        }
        for s in &self.shingles {
            out.extend_from_slice(&s.to_le_bytes());
        }
    }

    /// Rebuilds what [`Prepared::encode`] wrote for `text`; `None` when the bytes do not
    /// fit the text (then the caller fingerprints it again).
    pub fn decode(text: &str, bytes: &[u8]) -> Option<Prepared> {
        let mut r = Reader(bytes);
        if r.u64()? != text.len() as u64 {
            return None;
        }
        let spans = split_lines(text);
        if r.u32()? as usize != spans.len() {
            return None;
        }
        let mut lines = Vec::with_capacity(spans.len());
        let mut next_shingle = 0;
        for span in spans {
            let line = if r.u8()? == 1 {
                let (key, exact, words, stopwords) = (r.u64()?, r.u64()?, r.u32()?, r.u32()?);
                let n = r.u32()? as usize;
                next_shingle += n;
                LinePrint {
                    span,
                    key: Some(key),
                    exact: Some(exact),
                    words,
                    stopwords,
                    shingles: next_shingle - n..next_shingle,
                }
            } else {
                LinePrint {
                    span,
                    key: None,
                    exact: None,
                    words: 0,
                    stopwords: 0,
                    shingles: next_shingle..next_shingle,
                }
            };
            lines.push(line);
        }
        let shingles = (0..next_shingle)
            .map(|_| r.u64())
            .collect::<Option<Vec<u64>>>()?;
        r.0.is_empty().then_some(Prepared { lines, shingles })
    }
}

/// Little-endian reads that fail instead of panicking on short input; the bytes not read
/// yet are `.0`. (Also what [`crate::dedup::ShingleSets::decode`] reads with.)
pub(crate) struct Reader<'a>(pub(crate) &'a [u8]);

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.0.split_first_chunk::<N>()?;
        self.0 = rest;
        Some(*head)
    }

    pub(crate) fn u8(&mut self) -> Option<u8> {
        self.take::<1>().map(|[b]| b)
    }

    pub(crate) fn u32(&mut self) -> Option<u32> {
        self.take().map(u32::from_le_bytes)
    }

    pub(crate) fn u64(&mut self) -> Option<u64> {
        self.take().map(u64::from_le_bytes)
    }
}

/// Splits, normalizes and fingerprints every line of `text`.
pub fn prepare(text: &str, params: &ShingleParams) -> Prepared {
    let spans = split_lines(text);
    let mut lines = Vec::with_capacity(spans.len());
    let mut shingles = Vec::new();
    let mut norm = Normalizer::for_lines(&spans);
    let mut tokens = Vec::new();
    for span in spans {
        norm.normalize(span.content(text));
        let key_bytes = norm.key();
        let first_shingle = shingles.len();
        let (key, exact, words, stopwords) = if key_bytes.is_empty() {
            (None, None, 0, 0)
        } else {
            let key = key_hash(key_bytes);
            let words = norm.ascii_words().unwrap_or_else(|| {
                tokenize(norm.as_str(), &mut tokens);
                tokens.len()
            });
            let shingled = words <= params.max_line_words;
            // An ASCII key's word ends were found while normalizing.
            let ascii_ends = norm.ascii_word_ends();
            if let (Some(ends), true) = (ascii_ends, shingled) {
                ascii_tokens(ends, &mut tokens);
            }
            let stopwords = match (params.stopwords, ascii_ends.filter(|_| !shingled)) {
                (false, _) => 0,
                // A long line's words are counted without being collected.
                (true, Some(ends)) => stopwords::count_at_ends(key_bytes, ends),
                (true, None) => stopwords::count_in(key_bytes, tokens.iter().cloned()),
            };
            if shingled {
                push_shingles(key_bytes, &tokens, params.words, &mut shingles);
            }
            let exact = exact_key(key, norm.digits());
            (Some(key), Some(exact), words as u32, stopwords as u32)
        };
        lines.push(LinePrint {
            span,
            key,
            exact,
            words,
            stopwords,
            shingles: first_shingle..shingles.len(),
        });
    }
    Prepared { lines, shingles }
}

/// A line's [`LinePrint::exact`]: the fingerprint of its normalized text (`key`) refined
/// by the digits normalizing folded away.
pub fn exact_key(key: u64, digits: &[u8]) -> u64 {
    match digits {
        [] => key,
        digits => pair(xxh3_64_with_seed(digits, DIGITS_SEED), key),
    }
}

/// Fingerprint of a normalized line.
pub fn line_hash(normalized: &str) -> u64 {
    key_hash(normalized.as_bytes())
}

/// [`line_hash`] of a normalized line's bytes ([`Normalizer::key`]).
pub fn key_hash(key: &[u8]) -> u64 {
    xxh3_64_with_seed(key, LINE_SEED)
}

/// Fingerprint of a site name (already lower-cased by whoever extracted it).
pub fn site_hash(site: &str) -> u64 {
    xxh3_64_with_seed(site.as_bytes(), SITE_SEED)
}

/// Lines with words that make a [`masthead`].
pub const MASTHEAD_LINES: usize = 2;

/// The masthead of a document without a site: the fingerprint of its first
/// [`MASTHEAD_LINES`] lines with words, which the pages of one site print alike (its
/// name, its menu) and pages of other sites do not. One line is not enough: "Skip to
/// content" opens pages of many sites. `None` for a document with no words. It never
/// equals a [`site_hash`] but by chance.
pub fn masthead(prepared: &Prepared) -> Option<u64> {
    let mut keys = prepared
        .lines
        .iter()
        .filter_map(|l| l.key)
        .take(MASTHEAD_LINES);
    let first = keys.next()?;
    Some(keys.fold(pair(MASTHEAD_SEED, first), pair))
}

/// Combines a site and a line or shingle fingerprint into the key of "this text on this
/// site".
pub fn on_site(site: u64, key: u64) -> u64 {
    pair(site, key)
}

fn pair(a: u64, key: u64) -> u64 {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&a.to_le_bytes());
    bytes[8..].copy_from_slice(&key.to_le_bytes());
    xxh3_64_with_seed(&bytes, PAIR_SEED)
}

/// Word tokens of a normalized text, as byte ranges (see `tokenize`).
pub fn word_tokens(norm: &str) -> Vec<Range<usize>> {
    let mut tokens = Vec::new();
    if norm.is_ascii() {
        if !norm.is_empty() {
            let mut ends = Vec::new();
            ascii_tokens(ascii_word_ends(norm.as_bytes(), &mut ends), &mut tokens);
        }
    } else {
        tokenize(norm, &mut tokens);
    }
    tokens
}

/// Word tokens of a normalized line, as byte ranges. Characters of scripts written without
/// spaces (Han, kana, Thai…) are a token each, so Chinese lines shingle by character.
fn tokenize(norm: &str, tokens: &mut Vec<Range<usize>>) {
    tokens.clear();
    let mut start: Option<usize> = None;
    for (i, c) in norm.char_indices() {
        if c == ' ' {
            if let Some(s) = start.take() {
                tokens.push(s..i);
            }
        } else if is_unspaced_script(c) {
            if let Some(s) = start.take() {
                tokens.push(s..i);
            }
            tokens.push(i..i + c.len_utf8());
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        tokens.push(s..norm.len());
    }
}

/// The words of an ASCII key (single spaces between words) as byte ranges, from where
/// each ends.
pub(crate) fn ascii_tokens(ends: &[u32], tokens: &mut Vec<Range<usize>>) {
    tokens.clear();
    let mut start = 0;
    tokens.extend(ends.iter().map(|&end| {
        let word = start..end as usize;
        start = end as usize + 1;
        word
    }));
}

/// Where each word of an ASCII key ends (its last word ends at the key's length), written
/// into `ends` and returned as a slice of it. Found eight bytes at a time and without a
/// branch on where the spaces fall: a key has single spaces between words, so at most four
/// in eight bytes, and four slots are written for every eight bytes, the cursor advancing
/// past real ends only. More spaces (not from a key) are still split at.
pub(crate) fn ascii_word_ends<'e>(norm: &[u8], ends: &'e mut Vec<u32>) -> &'e [u32] {
    ends.clear();
    ends.resize(norm.len() + 4, 0);
    let mut words = 0;
    let mut at = 0;
    while let Some(eight) = norm.get(at..at + 8) {
        let mut spaces = space_bits(u64::from_le_bytes(eight.try_into().expect("eight bytes")));
        for _ in 0..4 {
            ends[words] = (at + spaces.trailing_zeros() as usize / 8) as u32;
            words += usize::from(spaces != 0);
            spaces &= spaces.wrapping_sub(1);
        }
        while spaces != 0 {
            ends.push(0);
            ends[words] = (at + spaces.trailing_zeros() as usize / 8) as u32;
            words += 1;
            spaces &= spaces - 1;
        }
        at += 8;
    }
    for (i, &b) in norm.iter().enumerate().skip(at) {
        if b == b' ' {
            ends.push(0);
            ends[words] = i as u32;
            words += 1;
        }
    }
    ends.push(0);
    ends[words] = norm.len() as u32;
    &ends[..=words]
}

/// The byte ranges between every two spaces of `line` (and its ends): what splitting
/// words should give, for tests.
#[cfg(test)]
pub(crate) fn split_at_spaces(line: &str) -> Vec<Range<usize>> {
    let mut start = 0;
    line.split(' ')
        .map(|w| {
            start += w.len() + 1;
            start - w.len() - 1..start - 1
        })
        .collect()
}

/// The top bit of each byte of `word` that is a space, and no other bit.
fn space_bits(word: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let x = word ^ 0x2020_2020_2020_2020;
    // A byte's top bit is set here when the byte of `x` is not zero.
    let nonzero = ((x & LOW7) + LOW7) | x;
    !nonzero & !LOW7
}

fn push_shingles(norm: &[u8], tokens: &[Range<usize>], k: usize, out: &mut Vec<u64>) {
    let k = k.max(1);
    if tokens.len() <= k {
        out.push(xxh3_64_with_seed(norm, SHINGLE_SEED));
        return;
    }
    for window in tokens.windows(k) {
        let span = window[0].start..window[k - 1].end;
        out.push(xxh3_64_with_seed(&norm[span], SHINGLE_SEED));
    }
}

fn is_unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF     // Thai, Lao
        | 0x1000..=0x109F   // Myanmar
        | 0x1780..=0x17FF   // Khmer
        | 0x3040..=0x30FF   // Hiragana, Katakana
        | 0x3400..=0x4DBF   // CJK extension A
        | 0x4E00..=0x9FFF   // CJK unified ideographs
        | 0xF900..=0xFAFF   // CJK compatibility ideographs
        | 0x20000..=0x3FFFF // CJK extensions B and later
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARAMS: ShingleParams = ShingleParams {
        words: 3,
        max_line_words: 40,
        stopwords: true,
    };

    #[test]
    fn fingerprints_are_stable_across_releases() {
        // Written to disk and compared across runs: a change here is a format change.
        assert_eq!(line_hash("read more"), 0x337f_969c_2330_6292);
    }

    #[test]
    fn equal_lines_after_normalizing_share_a_key() {
        let p = prepare(
            "Copyright 2020 © Shanghai Daily.\n\nCOPYRIGHT 2019 Shanghai Daily\n",
            &PARAMS,
        );
        assert_eq!(p.lines.len(), 3);
        assert_eq!(p.lines[0].key, p.lines[2].key);
        assert_eq!(p.lines[1].key, None);
        assert_eq!(p.lines[0].words, 4);
    }

    #[test]
    fn exact_keys_tell_numbers_apart() {
        let p = prepare("Total: 628\ntotal 628\nTotal: 255\nno digits", &PARAMS);
        let l = &p.lines;
        assert_eq!(l[0].key, l[2].key);
        assert_eq!(l[0].exact, l[1].exact);
        assert_ne!(l[0].exact, l[2].exact);
        assert_eq!(l[3].exact, l[3].key);
    }

    #[test]
    fn shingles_slide_over_words() {
        let p = prepare("one two three four five", &PARAMS);
        assert_eq!(p.shingles_of(&p.lines[0]).len(), 3);
        let short = prepare("one two", &PARAMS);
        assert_eq!(short.shingles_of(&short.lines[0]).len(), 1);
    }

    #[test]
    fn long_lines_get_no_shingles() {
        let params = ShingleParams {
            words: 3,
            max_line_words: 4,
            stopwords: true,
        };
        let p = prepare("a b c d e f", &params);
        assert!(p.shingles.is_empty());
        assert!(p.lines[0].key.is_some());
    }

    #[test]
    fn chinese_shingles_by_character() {
        let p = prepare("沪公网安备", &PARAMS);
        assert_eq!(p.lines[0].words, 5);
        assert_eq!(p.shingles_of(&p.lines[0]).len(), 3);
    }

    #[test]
    fn encoded_prints_decode_to_the_same_lines() {
        let text = "Copyright 2020 © Daily\n\n  |  \nthree words here and more\r\n沪公网安备 0号";
        let p = prepare(text, &PARAMS);
        let mut bytes = Vec::new();
        p.encode(&mut bytes);
        assert_eq!(Prepared::decode(text, &bytes).as_ref(), Some(&p));
        // Bytes that do not fit the text are refused, never misread: another text with as
        // many lines, or of the same length, is caught too.
        assert_eq!(Prepared::decode("other text", &bytes), None);
        let same_lines = "x\n\n\ny\nz";
        assert_eq!(split_lines(same_lines).len(), p.lines.len());
        assert_eq!(Prepared::decode(same_lines, &bytes), None);
        assert_eq!(Prepared::decode(text, &bytes[..bytes.len() - 1]), None);
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(Prepared::decode(text, &longer), None);
    }

    #[test]
    fn site_pairs_differ_by_site() {
        let line = line_hash("share this");
        assert_ne!(
            on_site(site_hash("a.com"), line),
            on_site(site_hash("b.com"), line)
        );
    }

    proptest::proptest! {
        /// Words of keys around eight bytes long, and of lines with any runs of spaces:
        /// the ranges that splitting at every space gives.
        #[test]
        fn ascii_words_are_split_at_every_space(line in "(a| |[a-z]{1,9}){0,40}") {
            let mut tokens = Vec::new();
            ascii_tokens(ascii_word_ends(line.as_bytes(), &mut Vec::new()), &mut tokens);
            proptest::prop_assert_eq!(tokens, split_at_spaces(&line));
        }
    }
}
