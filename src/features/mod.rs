//! What a line looks like, how often it repeats, and what surrounds it, as a row of numbers
//! for the line model ([`crate::model`]).
//!
//! Pure: [`crate::decide`] gathers the per-line facts it already knows from the counts
//! (documents holding the line, pages of its site, copies in the document, the share of
//! its shingles that are frequent, what the rules and the frequency stages said) and
//! [`extract`] adds the line's surface (length, sentence punctuation, stopwords, digits,
//! capitals, separators) and the same facts for its neighbours, so that a short real line
//! inside an article and a short menu entry inside a menu get different rows.
//!
//! Every feature is general: nothing here knows a site, a page or a string other than
//! the stopword lists and a handful of separator characters. A value that does not apply
//! (no site, no shingles, no neighbour) is [`MISSING`], which trees treat as its own value.

pub mod stopwords;

use std::sync::OnceLock;

use memchr::memmem::Finder;

use crate::fingerprint::LinePrint;
use crate::normalize::is_caseless_letter;

/// A value that does not apply.
pub const MISSING: f32 = -1.0;

/// What the decision stage knows about one line before the model runs.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Facts {
    /// Documents of the corpus holding the line.
    pub docs: u32,
    /// Pages of the line's site holding it, and pages of the site (0 without a site).
    pub site_pages: u32,
    pub site_size: u32,
    /// Copies in the document (digits must match), and copies with digits folded.
    pub copies: u32,
    pub loose_copies: u32,
    /// A copy of a line higher up in the document.
    pub later_copy: bool,
    /// Share of the line's word shingles held by many documents; `None` without shingles.
    pub shingle_share: Option<f32>,
    /// A rule removed the line.
    pub rule: bool,
    /// The frequency stages (`corpus`, `site`, `repeat`) would remove it.
    pub frequent: bool,
    /// It sits in the head or tail block of the document.
    pub block: bool,
}

/// The features, in row order. A model file names them, so a model trained with another
/// list is refused rather than misread.
pub const NAMES: [&str; COUNT] = [
    "log_chars",
    "words",
    "ends_sentence",
    "stopword_share",
    "digit_share",
    "upper_share",
    "symbol_share",
    "title_share",
    "separators",
    "starts_lower",
    "link_like",
    "position",
    "chars_before",
    "log_doc_lines",
    "copies",
    "loose_copies",
    "later_copy",
    "log_docs",
    "site_share",
    "log_site_size",
    "shingle_share",
    "rule",
    "frequent",
    "block",
    "prev2_log_chars",
    "prev2_ends_sentence",
    "prev2_stopword_share",
    "prev2_log_docs",
    "prev2_flagged",
    "prev1_log_chars",
    "prev1_ends_sentence",
    "prev1_stopword_share",
    "prev1_log_docs",
    "prev1_flagged",
    "next1_log_chars",
    "next1_ends_sentence",
    "next1_stopword_share",
    "next1_log_docs",
    "next1_flagged",
    "next2_log_chars",
    "next2_ends_sentence",
    "next2_stopword_share",
    "next2_log_docs",
    "next2_flagged",
    "window_prose",
    "window_flagged",
    "window_log_chars",
    "prose_above",
    "prose_below",
    "doc_prose_share",
    "near_prose_chars",
    "far_prose_chars",
    "from_core",
    "in_core",
    "window_repeated",
];

/// Number of features.
pub const COUNT: usize = 55;

/// One line's features.
pub type Row = [f32; COUNT];

// Indices of the line's own features.
const LOG_CHARS: usize = 0;
const WORDS: usize = 1;
const ENDS_SENTENCE: usize = 2;
const STOPWORD_SHARE: usize = 3;
const DIGIT_SHARE: usize = 4;
const UPPER_SHARE: usize = 5;
const SYMBOL_SHARE: usize = 6;
const TITLE_SHARE: usize = 7;
const SEPARATORS: usize = 8;
const STARTS_LOWER: usize = 9;
const LINK_LIKE: usize = 10;
const POSITION: usize = 11;
const CHARS_BEFORE: usize = 12;
const LOG_DOC_LINES: usize = 13;
const COPIES: usize = 14;
const LOOSE_COPIES: usize = 15;
const LATER_COPY: usize = 16;
const LOG_DOCS: usize = 17;
const SITE_SHARE: usize = 18;
const LOG_SITE_SIZE: usize = 19;
const SHINGLE_SHARE: usize = 20;
const RULE: usize = 21;
const FREQUENT: usize = 22;
const BLOCK: usize = 23;
/// Where the neighbours' features start: for each of prev2, prev1, next1, next2,
/// [`NEIGHBOUR`] values.
const NEIGHBOURS: usize = 24;
const NEIGHBOUR: [usize; 5] = [LOG_CHARS, ENDS_SENTENCE, STOPWORD_SHARE, LOG_DOCS, FLAGGED];
/// Not a column of its own: "rule, frequent or block" for a neighbour.
const FLAGGED: usize = usize::MAX;
const WINDOW_PROSE: usize = 44;
const WINDOW_FLAGGED: usize = 45;
const WINDOW_LOG_CHARS: usize = 46;
const PROSE_ABOVE: usize = 47;
const PROSE_BELOW: usize = 48;
const DOC_PROSE_SHARE: usize = 49;
const NEAR_PROSE_CHARS: usize = 50;
const FAR_PROSE_CHARS: usize = 51;
const FROM_CORE: usize = 52;
const IN_CORE: usize = 53;
const WINDOW_REPEATED: usize = 54;
/// Lines on either side for the near and far prose densities.
const NEAR: usize = 10;
const FAR: usize = 30;

/// Lines on either side that the window features look at.
const WINDOW: usize = 5;
/// Distances to the nearest prose line are capped here.
const MAX_DISTANCE: usize = 20;

/// Where a line sits among its document's non-blank lines, 0 (first) to 1 (last).
pub fn position(row: &Row) -> f32 {
    row[POSITION]
}

/// A line of running text: a sentence of some length with function words in it.
fn is_prose(row: &Row) -> bool {
    row[ENDS_SENTENCE] > 0.0 && row[WORDS] >= 8.0 && row[STOPWORD_SHARE] >= 0.15
}

fn flagged(row: &Row) -> f32 {
    f32::from(row[RULE] > 0.0 || row[FREQUENT] > 0.0 || row[BLOCK] > 0.0)
}

/// Counts below this are looked up in tables.
const SMALL: usize = 1024;

/// `ln(1 + x)`, from a table for the small counts that most lines have (the same values:
/// the table is filled by the same function).
fn ln1p(x: u32) -> f32 {
    static TABLE: OnceLock<Box<[f32; SMALL]>> = OnceLock::new();
    let table = TABLE.get_or_init(|| Box::new(std::array::from_fn(|i| (i as f32).ln_1p())));
    match table.get(x as usize) {
        Some(&v) => v,
        None => (x as f32).ln_1p(),
    }
}

/// `exp(ln(1 + x)) - 1` as the density features have always computed it from
/// [`LOG_CHARS`] (not exactly `x` in `f32`), from a table for short lines.
fn unlog_chars(x: u32) -> f32 {
    static TABLE: OnceLock<Box<[f32; SMALL]>> = OnceLock::new();
    let table = TABLE.get_or_init(|| Box::new(std::array::from_fn(|i| ln1p(i as u32).exp_m1())));
    match table.get(x as usize) {
        Some(&v) => v,
        None => ln1p(x).exp_m1(),
    }
}

/// The rows of every line of a document; blank lines get a row of [`MISSING`] and are
/// never scored.
pub fn extract(text: &str, lines: &[LinePrint], facts: &[Facts]) -> Vec<Row> {
    let nonblank: Vec<usize> = (0..lines.len())
        .filter(|&i| !lines[i].is_blank(text))
        .collect();
    let mut rows = vec![[MISSING; COUNT]; lines.len()];
    let surfaces: Vec<Surface> = nonblank
        .iter()
        .map(|&i| Surface::of(lines[i].span.content(text).trim()))
        .collect();
    let total_chars: usize = surfaces.iter().map(|s| s.chars as usize).sum();
    let n = nonblank.len();
    let mut chars_before = 0usize;
    for (k, &i) in nonblank.iter().enumerate() {
        let line = &lines[i];
        let f = &facts[i];
        let content = line.span.content(text).trim();
        let s = &surfaces[k];
        let r = &mut rows[i];
        r[LOG_CHARS] = ln1p(s.chars);
        r[WORDS] = line.words as f32;
        r[ENDS_SENTENCE] = f32::from(u8::from(ends_sentence(content)));
        r[STOPWORD_SHARE] = share(line.stopwords, line.words);
        r[DIGIT_SHARE] = share(s.digits, s.visible);
        r[UPPER_SHARE] = share(s.upper, s.letters);
        r[SYMBOL_SHARE] = share(s.symbols, s.visible);
        r[TITLE_SHARE] = share(s.capitalized_words, s.words);
        r[SEPARATORS] = s.separators as f32;
        r[STARTS_LOWER] = f32::from(u8::from(s.starts_lower));
        r[LINK_LIKE] = f32::from(u8::from(s.link_like));
        r[POSITION] = if n > 1 {
            k as f32 / (n - 1) as f32
        } else {
            0.0
        };
        r[CHARS_BEFORE] = if total_chars > 0 {
            chars_before as f32 / total_chars as f32
        } else {
            0.0
        };
        chars_before += s.chars as usize;
        r[LOG_DOC_LINES] = ln1p(n as u32);
        r[COPIES] = f.copies as f32;
        r[LOOSE_COPIES] = f.loose_copies as f32;
        r[LATER_COPY] = f32::from(u8::from(f.later_copy));
        r[LOG_DOCS] = ln1p(f.docs);
        r[SITE_SHARE] = if f.site_size >= 2 {
            f.site_pages as f32 / f.site_size as f32
        } else {
            MISSING
        };
        r[LOG_SITE_SIZE] = ln1p(f.site_size);
        r[SHINGLE_SHARE] = f.shingle_share.unwrap_or(MISSING);
        r[RULE] = f32::from(u8::from(f.rule));
        r[FREQUENT] = f32::from(u8::from(f.frequent));
        r[BLOCK] = f32::from(u8::from(f.block));
    }

    // Neighbours, among non-blank lines.
    let prose: Vec<bool> = nonblank.iter().map(|&i| is_prose(&rows[i])).collect();
    let prose_chars: f32 = surfaces
        .iter()
        .zip(&prose)
        .filter(|(_, p)| **p)
        .map(|(s, _)| s.chars as f32)
        .sum();
    let doc_prose_share = if total_chars > 0 {
        prose_chars / total_chars as f32
    } else {
        0.0
    };
    let distances = |order: &mut dyn Iterator<Item = usize>| {
        let mut out = vec![MAX_DISTANCE as f32; n];
        let mut last: Option<usize> = None;
        for k in order {
            if let Some(l) = last {
                out[k] = (k.abs_diff(l)).min(MAX_DISTANCE) as f32;
            }
            if prose[k] {
                last = Some(k);
            }
        }
        out
    };
    // Prose density: the share of characters in prose lines within NEAR and FAR lines. The
    // core is the run of lines around the densest place whose near density stays at least
    // half the peak: the article body, wherever the page put it.
    let chars: Vec<f32> = surfaces.iter().map(|s| unlog_chars(s.chars)).collect();
    let mut prefix_all = vec![0.0f64; n + 1];
    let mut prefix_prose = vec![0.0f64; n + 1];
    for k in 0..n {
        prefix_all[k + 1] = prefix_all[k] + f64::from(chars[k]);
        prefix_prose[k + 1] = prefix_prose[k] + if prose[k] { f64::from(chars[k]) } else { 0.0 };
    }
    let density = |k: usize, w: usize| {
        let (lo, hi) = (k.saturating_sub(w), (k + w + 1).min(n));
        let all = prefix_all[hi] - prefix_all[lo];
        if all > 0.0 {
            ((prefix_prose[hi] - prefix_prose[lo]) / all) as f32
        } else {
            0.0
        }
    };
    let near: Vec<f32> = (0..n).map(|k| density(k, NEAR)).collect();
    let peak = (0..n).fold(0, |best, k| if near[k] > near[best] { k } else { best });
    let (mut core_lo, mut core_hi) = (peak, peak);
    if n > 0 && near[peak] > 0.0 {
        while core_lo > 0 && near[core_lo - 1] >= near[peak] / 2.0 {
            core_lo -= 1;
        }
        while core_hi + 1 < n && near[core_hi + 1] >= near[peak] / 2.0 {
            core_hi += 1;
        }
    }
    let above = distances(&mut (0..n));
    let below = distances(&mut (0..n).rev());
    // Per line once: whether it is flagged, and running counts of prose, flagged and
    // repeated lines for the window sums (whole numbers, so the same in any order).
    let flags: Vec<f32> = nonblank.iter().map(|&i| flagged(&rows[i])).collect();
    let mut running = vec![[0u32; 3]; n + 1];
    for k in 0..n {
        let other = &rows[nonblank[k]];
        let [p, fl, rep] = running[k];
        running[k + 1] = [
            p + u32::from(prose[k]),
            fl + u32::from(flags[k] > 0.0),
            rep + u32::from(other[LOOSE_COPIES] > 1.0),
        ];
    }
    for k in 0..n {
        let mut row = rows[nonblank[k]];
        for (slot, offset) in [-2isize, -1, 1, 2].into_iter().enumerate() {
            let at = k as isize + offset;
            let base = NEIGHBOURS + slot * NEIGHBOUR.len();
            if at < 0 || at >= n as isize {
                continue;
            }
            let other = &rows[nonblank[at as usize]];
            for (j, &feature) in NEIGHBOUR.iter().enumerate() {
                row[base + j] = if feature == FLAGGED {
                    flags[at as usize]
                } else {
                    other[feature]
                };
            }
        }
        let lo = k.saturating_sub(WINDOW);
        let hi = (k + WINDOW + 1).min(n);
        let others = (hi - lo - 1) as f32;
        if others > 0.0 {
            let mut lc = 0.0;
            for j in (lo..hi).filter(|&j| j != k) {
                lc += rows[nonblank[j]][LOG_CHARS];
            }
            // The window's counts, the line itself taken out.
            let own = running[k + 1];
            let [p, fl, rep] = [0, 1, 2]
                .map(|c| (running[hi][c] - running[lo][c] - (own[c] - running[k][c])) as f32);
            row[WINDOW_PROSE] = p / others;
            row[WINDOW_FLAGGED] = fl / others;
            row[WINDOW_LOG_CHARS] = lc / others;
            row[WINDOW_REPEATED] = rep / others;
        }
        row[PROSE_ABOVE] = above[k];
        row[PROSE_BELOW] = below[k];
        row[DOC_PROSE_SHARE] = doc_prose_share;
        row[NEAR_PROSE_CHARS] = near[k];
        row[FAR_PROSE_CHARS] = density(k, FAR);
        let has_core = near.get(peak).is_some_and(|&d| d > 0.0);
        row[FROM_CORE] = if !has_core {
            MISSING
        } else if k < core_lo {
            (core_lo - k) as f32 / n as f32
        } else if k > core_hi {
            (k - core_hi) as f32 / n as f32
        } else {
            0.0
        };
        row[IN_CORE] = if has_core {
            f32::from(u8::from((core_lo..=core_hi).contains(&k)))
        } else {
            MISSING
        };
        rows[nonblank[k]] = row;
    }
    rows
}

/// A URL, a web address or an e-mail address in the line (searchers built once: most
/// lines are short, and building one costs about as much as searching them).
fn link_like(line: &str) -> bool {
    static FINDERS: OnceLock<[Finder<'static>; 2]> = OnceLock::new();
    let [http, www] = FINDERS.get_or_init(|| [Finder::new("http"), Finder::new("www.")]);
    let bytes = line.as_bytes();
    memchr::memchr(b'@', bytes).is_some() || http.find(bytes).is_some() || www.find(bytes).is_some()
}

fn share(part: u32, whole: u32) -> f32 {
    if whole == 0 {
        0.0
    } else {
        part as f32 / whole as f32
    }
}

/// Ends in sentence punctuation, perhaps followed by closing quotes or brackets.
pub fn ends_sentence(line: &str) -> bool {
    let end = line
        .trim_end()
        .trim_end_matches(['"', '\'', '”', '’', '»', ')', ']', '」', '』']);
    end.ends_with(['.', '!', '?', '…', '。', '！', '？'])
}

/// Character classes of a line, counted in one walk.
#[derive(Debug, Default, PartialEq)]
struct Surface {
    chars: u32,
    /// Characters that are not white space.
    visible: u32,
    letters: u32,
    upper: u32,
    digits: u32,
    /// Neither letter, digit nor white space.
    symbols: u32,
    /// Runs of non-space characters, and those that start with a capital letter.
    words: u32,
    capitalized_words: u32,
    /// Characters that separate menu entries and breadcrumbs, or mark a footer.
    separators: u32,
    starts_lower: bool,
    link_like: bool,
}

/// Per-byte tallies of an ASCII line, kept in `u8` lanes over at most [`TALLY_RUN`] bytes
/// so that the loop vectorizes.
#[derive(Default)]
struct Tally {
    spaces: u32,
    upper: u32,
    lower: u32,
    digits: u32,
    separators: u32,
    /// Non-space bytes after a space (or at the start), and those that are capitals.
    starts: u32,
    capital_starts: u32,
}

const TALLY_RUN: usize = 255;

/// [`u8::is_ascii_whitespace`], without branches.
fn is_space(b: u8) -> bool {
    (b == b' ') | (b.wrapping_sub(b'\t') < 2) | (b.wrapping_sub(0x0c) < 2)
}

impl Tally {
    /// Adds the bytes of `cur`, each with the byte before it in `prev`.
    fn add(&mut self, prev: &[u8], cur: &[u8]) {
        debug_assert!(cur.len() <= TALLY_RUN && prev.len() == cur.len());
        let mut t = [0u8; 7];
        for (&p, &c) in prev.iter().zip(cur) {
            let space = is_space(c);
            let upper = c.wrapping_sub(b'A') < 26;
            let start = is_space(p) & !space;
            t[0] += u8::from(space);
            t[1] += u8::from(upper);
            t[2] += u8::from(c.wrapping_sub(b'a') < 26);
            t[3] += u8::from(c.wrapping_sub(b'0') < 10);
            t[4] += u8::from((c == b'|') | (c == b'>') | (c == b'/'));
            t[5] += u8::from(start);
            t[6] += u8::from(start & upper);
        }
        self.spaces += u32::from(t[0]);
        self.upper += u32::from(t[1]);
        self.lower += u32::from(t[2]);
        self.digits += u32::from(t[3]);
        self.separators += u32::from(t[4]);
        self.starts += u32::from(t[5]);
        self.capital_starts += u32::from(t[6]);
    }
}

impl Surface {
    fn of(line: &str) -> Surface {
        let mut s = Surface::default();
        if line.is_ascii() {
            s.ascii(line.as_bytes());
        } else {
            s.unicode(line);
        }
        s.link_like = link_like(line);
        s
    }

    /// Branch-free tallies of each byte and the byte before it (a space before the first).
    fn ascii(&mut self, line: &[u8]) {
        let Some(&first) = line.first() else {
            return;
        };
        let mut t = Tally::default();
        t.add(b" ", &[first]);
        let (prev, cur) = (&line[..line.len() - 1], &line[1..]);
        for (p, c) in prev.chunks(TALLY_RUN).zip(cur.chunks(TALLY_RUN)) {
            t.add(p, c);
        }
        // Every byte is ASCII, so each is one character and a symbol is what is left.
        self.chars = line.len() as u32;
        self.visible = self.chars - t.spaces;
        self.letters = t.upper + t.lower;
        self.upper = t.upper;
        self.digits = t.digits;
        self.symbols = self.visible - self.letters - t.digits;
        self.separators = t.separators;
        self.words = t.starts;
        self.capitalized_words = t.capital_starts;
        self.starts_lower = line
            .iter()
            .find(|&&b| !is_space(b))
            .is_some_and(u8::is_ascii_lowercase);
    }

    fn unicode(&mut self, line: &str) {
        let mut in_word = false;
        for c in line.chars() {
            self.chars += 1;
            if is_caseless_letter(c) {
                self.visible += 1;
                self.words += u32::from(!in_word);
                in_word = true;
                self.letters += 1;
                continue;
            }
            if c.is_whitespace() {
                in_word = false;
                continue;
            }
            self.visible += 1;
            let word_start = !in_word;
            in_word = true;
            if word_start {
                self.words += 1;
            }
            if c.is_alphabetic() {
                self.letters += 1;
                if c.is_uppercase() {
                    self.upper += 1;
                    if word_start {
                        self.capitalized_words += 1;
                    }
                } else if self.visible == 1 && c.is_lowercase() {
                    self.starts_lower = true;
                }
            } else if c.is_numeric() {
                self.digits += 1;
            } else {
                self.symbols += 1;
                if matches!(
                    c,
                    '|' | '»'
                        | '«'
                        | '›'
                        | '‹'
                        | '·'
                        | '•'
                        | '©'
                        | '®'
                        | '™'
                        | '→'
                        | '>'
                        | '/'
                ) {
                    self.separators += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fingerprint::{ShingleParams, prepare};

    const SHINGLES: ShingleParams = ShingleParams {
        words: 3,
        max_line_words: 12,
        stopwords: true,
    };

    fn rows(text: &str) -> Vec<Row> {
        let doc = prepare(text, &SHINGLES);
        let facts = vec![Facts::default(); doc.lines.len()];
        extract(text, &doc.lines, &facts)
    }

    #[test]
    fn names_match_the_indices() {
        assert_eq!(NAMES.len(), COUNT);
        assert_eq!(NAMES[LOG_CHARS], "log_chars");
        assert_eq!(NAMES[BLOCK], "block");
        assert_eq!(NAMES[NEIGHBOURS], "prev2_log_chars");
        assert_eq!(NAMES[WINDOW_PROSE], "window_prose");
        assert_eq!(NAMES[DOC_PROSE_SHARE], "doc_prose_share");
        assert_eq!(NAMES[IN_CORE], "in_core");
        let mut sorted = NAMES.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), COUNT, "feature names are unique");
    }

    #[test]
    fn surface_counts_classes() {
        let s = Surface::of("Home | News © 2024");
        assert_eq!(s.chars, 18);
        assert_eq!(s.words, 5);
        assert_eq!(s.capitalized_words, 2);
        assert_eq!(s.digits, 4);
        assert_eq!(s.separators, 2);
        assert!(!s.starts_lower);
        assert!(Surface::of("and then").starts_lower);
        assert!(Surface::of("see www.example.com").link_like);
    }

    fn unicode_walk(line: &str) -> Surface {
        let mut slow = Surface::default();
        slow.unicode(line);
        slow.link_like = line.contains("http") || line.contains("www.") || line.contains('@');
        slow
    }

    #[test]
    fn ascii_and_unicode_walks_agree() {
        for line in [
            "Home | News © 2024",
            "and then",
            "A/B > C  x9 ",
            "",
            "Élan vital | ok",
            &"Long line, Of words. ".repeat(40),
        ] {
            if line.is_ascii() {
                assert_eq!(Surface::of(line), unicode_walk(line), "{line:?}");
            }
        }
    }

    #[test]
    fn caseless_letters_count_as_letters() {
        // Han and Hangul among other letters, digits, spaces and a separator.
        let line = "北京 2024年 Ünited 서울시 |";
        let s = Surface::of(line);
        assert_eq!((s.chars, s.visible, s.words), (21, 17, 5));
        assert_eq!((s.letters, s.upper, s.capitalized_words), (12, 1, 1));
        assert_eq!((s.digits, s.symbols, s.separators), (4, 1, 1));
    }

    #[test]
    fn ln1p_table_is_the_function() {
        for x in (0..1100).chain([4096, 65_535, u32::MAX]) {
            assert_eq!(ln1p(x).to_bits(), (x as f32).ln_1p().to_bits(), "{x}");
            let back = (x as f32).ln_1p().exp_m1();
            assert_eq!(unlog_chars(x).to_bits(), back.to_bits(), "{x}");
        }
    }

    proptest::proptest! {
        /// Any ASCII line but vertical tab (white space to `char`, not to `u8`), at lengths
        /// around the tally runs.
        #[test]
        fn ascii_walk_is_the_unicode_walk(line in "[\\x00-\\x0a\\x0c-\\x7f]{0,600}") {
            proptest::prop_assert_eq!(Surface::of(&line), unicode_walk(&line));
        }

        /// Lines made of the bytes that links are made of.
        #[test]
        fn links_are_found_as_by_contains(line in "[htpw.@ a]{0,40}") {
            proptest::prop_assert_eq!(Surface::of(&line), unicode_walk(&line));
        }
    }

    #[test]
    fn prose_and_menu_lines_differ() {
        let text = "Home\nNews\n\nThe minister said on Monday that the talks would go on for a week.\nContact us";
        let r = rows(text);
        let (menu, blank, prose, last) = (&r[0], &r[2], &r[3], &r[4]);
        assert_eq!(blank, &[MISSING; COUNT], "blank lines are not described");
        assert_eq!(prose[ENDS_SENTENCE], 1.0);
        assert!(prose[STOPWORD_SHARE] > 0.3, "{}", prose[STOPWORD_SHARE]);
        assert_eq!(menu[STOPWORD_SHARE], 0.0);
        // Neighbours skip blank lines; the first line has none above.
        assert_eq!(menu[NEIGHBOURS], MISSING);
        assert_eq!(
            r[1][NEIGHBOURS + 2 * NEIGHBOUR.len() + 1],
            1.0,
            "next1 ends a sentence"
        );
        assert_eq!(menu[PROSE_BELOW], 2.0);
        assert_eq!(last[PROSE_ABOVE], 1.0);
        assert_eq!(menu[POSITION], 0.0);
        assert_eq!(last[POSITION], 1.0);
    }

    #[test]
    fn chinese_prose_has_function_characters() {
        let r = rows("新闻 首页 视频\n这是我们在上海的记者发回的报道。");
        assert_eq!(r[0][STOPWORD_SHARE], 0.0);
        assert!(r[1][STOPWORD_SHARE] > 0.2, "{}", r[1][STOPWORD_SHARE]);
    }
}
