//! Pure text stage: split a document into lines with byte spans, and reduce each line to
//! the key that fingerprints compare.
//!
//! Nothing here hashes, counts or decides; [`crate::fingerprint`] consumes what this module
//! produces. Offsets are byte offsets into the document text.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick, is_nfkc_quick};
use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

/// Bumped whenever [`Normalizer`] changes what it produces, because every stored
/// fingerprint depends on it.
pub const NORMALIZE_VERSION: u32 = 1;

/// One line of a document, as byte offsets into its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineSpan {
    /// First byte of the line.
    pub start: usize,
    /// One past the last byte of the line's content (before `\r\n` or `\n`).
    pub end: usize,
    /// One past the line terminator (equal to `end` for a last line without one).
    pub next: usize,
}

impl LineSpan {
    /// The line's content, without its terminator.
    pub fn content<'t>(&self, text: &'t str) -> &'t str {
        &text[self.start..self.end]
    }
}

/// Han ideographs, kana and Hangul syllables: letters with no case and no combining class,
/// which NFC and NFKC leave as they are, and most of the text of Chinese, Japanese and
/// Korean pages. They are told by their ranges, without the tables of general categories,
/// of case and of the normalization quick checks (whose answers for them a test holds them
/// to). A character left out of a quick check is one that check passes, and a starter, so
/// leaving it out can only turn a pass into the slow path, never the reverse.
pub fn is_caseless_letter(c: char) -> bool {
    matches!(
        c as u32,
        0x3041..=0x3096 | 0x30A1..=0x30FA | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7A3
    )
}

/// The ASCII character NFKC makes of a full-width form (U+FF01 to U+FF5E) or of the
/// ideographic space, in which Chinese and Japanese pages print their punctuation, and
/// often digits and Latin letters. Each is one character, a starter, that composes with
/// nothing before it; a line where a mark after it would compose with what it becomes
/// fails the quick check for that mark, and is normalized whole.
fn fullwidth_ascii(c: char) -> Option<u8> {
    match c as u32 {
        0xFF01..=0xFF5E => Some((c as u32 - 0xFEE0) as u8),
        0x3000 => Some(b' '),
        _ => None,
    }
}

/// Splits `text` on `\n` (a preceding `\r` is not content). An empty text has no lines;
/// a text ending in `\n` has no empty line after it.
pub fn split_lines(text: &str) -> Vec<LineSpan> {
    let bytes = text.as_bytes();
    let mut spans = Vec::with_capacity(bytes.len() / 48 + 1);
    let mut start = 0;
    for nl in memchr::memchr_iter(b'\n', bytes) {
        let end = if nl > start && bytes[nl - 1] == b'\r' {
            nl - 1
        } else {
            nl
        };
        spans.push(LineSpan {
            start,
            end,
            next: nl + 1,
        });
        start = nl + 1;
    }
    if start < bytes.len() {
        spans.push(LineSpan {
            start,
            end: bytes.len(),
            next: bytes.len(),
        });
    }
    spans
}

/// True when the line holds nothing but white space.
pub fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// Normalizes lines into reused buffers.
///
/// Unicode NFKC, lower case, every run of digits becomes one `0` (so "March 9" and
/// "March 16" agree, as do copyright years), punctuation, symbols and format characters
/// are removed, and white space collapses to single spaces with none at either end.
/// An empty result means the line carries no words (a rule of dashes, a lone `|`).
/// The digits folded away are kept aside, so that callers can tell "Total: 628" from
/// "Total: 255" when they need to.
#[derive(Debug, Default)]
pub struct Normalizer {
    /// The key is `key[..key_len]`: the ASCII path writes into the buffer as it stands,
    /// so that it is not zeroed again for every line.
    key: Vec<u8>,
    key_len: usize,
    /// The digits are `digits[..digits_len]`, as with the key.
    digits: Vec<u8>,
    digits_len: usize,
    ascii: bool,
    /// Words of an ASCII key (counted while normalizing); `None` otherwise.
    ascii_words: Option<usize>,
    /// Where each word of an ASCII key ends, found while normalizing: the first
    /// `ascii_words` entries count.
    ends: Vec<u32>,
}

/// What a byte of ASCII text does in a normalized key.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Drop = 0,
    Letter = 1,
    Digit = 2,
    Space = 3,
}

const ASCII_CLASS: [Class; 128] = {
    let mut table = [Class::Drop; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = if c.is_ascii_alphabetic() {
            Class::Letter
        } else if c.is_ascii_digit() {
            Class::Digit
        } else if c.is_ascii_whitespace() {
            Class::Space
        } else {
            Class::Drop
        };
        b += 1;
    }
    table
};

impl Normalizer {
    /// A normalizer whose buffers already hold the longest of `lines`, so that
    /// normalizing a document's lines does not grow them line by line.
    pub fn for_lines(lines: &[LineSpan]) -> Normalizer {
        let longest = lines.iter().map(|l| l.end - l.start).max().unwrap_or(0);
        Normalizer {
            key: Vec::with_capacity(longest + 1),
            digits: Vec::with_capacity(longest + 1),
            ends: Vec::with_capacity(longest / 2 + 2),
            ..Normalizer::default()
        }
    }

    /// Normalizes `line`; the result is valid UTF-8.
    pub fn normalize(&mut self, line: &str) -> &[u8] {
        if line.is_ascii() {
            self.ascii = true;
            // The key and the digits are at most one byte longer than the line, and there
            // is at most one word end per two bytes of the key.
            let room = line.len() + 1;
            for buf in [&mut self.key, &mut self.digits] {
                if buf.len() < room {
                    buf.resize(room, 0);
                }
            }
            let ends = line.len() / 2 + 2;
            if self.ends.len() < ends {
                self.ends.resize(ends, 0);
            }
            let (n, dn, words) = normalize_ascii(
                line.as_bytes(),
                &mut self.key,
                &mut self.digits,
                &mut self.ends,
            );
            (self.key_len, self.digits_len) = (n, dn);
            self.ascii_words = Some(words);
        } else {
            self.ascii_words = None;
            // Most lines are NFKC already (curly quotes, dashes, accented letters): the
            // quick check's table lookups cost far less than decomposing and composing.
            // Caseless letters pass the check, and full-width forms are folded on the way.
            let checked = |&c: &char| !is_caseless_letter(c) && fullwidth_ascii(c).is_none();
            // Whether a character went the general way, which can put a mark in the key.
            let mut general = true;
            if is_nfkc_quick(line.chars().filter(checked)) == IsNormalized::Yes {
                general = self.normalize_nfkc(line);
            } else {
                self.key.clear();
                self.digits.clear();
                let mut state = State::default();
                for c in line.nfkc() {
                    if c.is_ascii() {
                        state.push_ascii(c as u8, &mut self.key, &mut self.digits);
                    } else {
                        state.push_char(c, &mut self.key, &mut self.digits);
                    }
                }
            }
            self.ascii = self.key.is_ascii();
            // Removing a symbol can leave combining marks out of canonical order. A key of
            // ASCII and caseless letters alone holds no mark.
            if !self.ascii && general {
                let key = self.as_str_of(self.key.len());
                if is_nfc_quick(key.chars().filter(|&c| !is_caseless_letter(c)))
                    != IsNormalized::Yes
                {
                    let recomposed: String = key.nfc().collect();
                    self.key = recomposed.into_bytes();
                }
            }
            (self.key_len, self.digits_len) = (self.key.len(), self.digits.len());
        }
        self.key()
    }

    /// [`Normalizer::normalize`] of a line that is not ASCII but is NFKC already: its
    /// ASCII runs take the ASCII lines' path ([`ascii_run`]), the other characters
    /// [`State::push_char`], the state carried from one to the other. Fills `key` and
    /// `digits` to their lengths. Returns whether a character went to
    /// [`State::push_char`]: with none, the key is ASCII and caseless letters.
    fn normalize_nfkc(&mut self, line: &str) -> bool {
        let mut general = false;
        let bytes = line.as_bytes();
        self.key.clear();
        self.digits.clear();
        let mut state = State::default();
        let mut i = 0;
        while i < bytes.len() {
            let run = (bytes[i..].iter())
                .position(|b| !b.is_ascii())
                .unwrap_or(bytes.len() - i);
            if run > 0 {
                let (n, dn) = (self.key.len(), self.digits.len());
                // Room as `ascii_run` asks, past what is written, and for a space owed.
                self.key.resize(n + run + 1, 0);
                self.digits.resize(dn + run, 0);
                if self.ends.len() < run / 2 + 2 {
                    self.ends.resize(run / 2 + 2, 0);
                }
                let from = Progress::after(&state, n, dn);
                if from.n > n {
                    self.key[n] = b' ';
                }
                // Word ends are not kept for such a line: each run counts from 0.
                let at = ascii_run(
                    &bytes[i..i + run],
                    (&mut self.key, &mut self.digits, &mut self.ends),
                    from,
                );
                state = at.state(state);
                self.key
                    .truncate(at.n - usize::from(at.last == Last::Space as usize));
                self.digits.truncate(at.dn);
                i += run;
            }
            let Some(c) = line[i..].chars().next() else {
                break;
            };
            if is_caseless_letter(c) {
                // A run of caseless letters steps as one letter: only its first can follow
                // an owed space, and each is kept as it is.
                let end = (line[i..].char_indices())
                    .find(|&(_, c)| !is_caseless_letter(c))
                    .map_or(bytes.len(), |(k, _)| i + k);
                state.step(Class::Letter, &bytes[i..end], &mut self.key);
                i = end;
                continue;
            }
            match fullwidth_ascii(c) {
                Some(b) => state.push_ascii(b, &mut self.key, &mut self.digits),
                None => {
                    general = true;
                    state.push_char(c, &mut self.key, &mut self.digits);
                }
            }
            i += c.len_utf8();
        }
        general
    }

    /// The last normalized line.
    pub fn as_str(&self) -> &str {
        self.as_str_of(self.key_len)
    }

    /// The first `len` bytes of the key buffer as text.
    fn as_str_of(&self, len: usize) -> &str {
        // Only whole UTF-8 sequences are ever written to the key.
        simdutf8::basic::from_utf8(&self.key[..len]).unwrap_or_default()
    }

    /// The last normalized line, as bytes.
    pub fn key(&self) -> &[u8] {
        &self.key[..self.key_len]
    }

    /// Words of the last line when it was ASCII (spaces in the key, plus one).
    pub fn ascii_words(&self) -> Option<usize> {
        self.ascii_words
    }

    /// Where each word of the last line ends when it was ASCII (its last word ends at the
    /// key's length), as `crate::fingerprint::ascii_word_ends` finds them.
    pub fn ascii_word_ends(&self) -> Option<&[u32]> {
        self.ascii_words.map(|words| &self.ends[..words])
    }

    /// Whether the last normalized line is ASCII.
    pub fn is_ascii(&self) -> bool {
        self.ascii
    }

    /// The digits of the last line, in order, as they were before folding.
    pub fn digits(&self) -> &[u8] {
        &self.digits[..self.digits_len]
    }
}

/// Lower-case letter for a letter, `0` for a digit, a space for white space; other bytes
/// are never written.
const ASCII_MAP: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = if c.is_ascii_digit() {
            b'0'
        } else if c.is_ascii_whitespace() {
            b' '
        } else {
            c.to_ascii_lowercase()
        };
        b += 1;
    }
    table
};

/// The normalizer as a transition table. A state is three bits: a space is
/// pending (1), the last thing written was a digit run's `0` (2), something was written
/// (4). An entry is: keep the byte (1), write a space before it (2), next state (<< 2).
const ASCII_STEP: [u8; 32] = {
    let mut table = [0u8; 32];
    let mut state = 0;
    while state < 8 {
        let (pending, in_digits, started) = (state & 1 != 0, state & 2 != 0, state & 4 != 0);
        let mut class = 0;
        while class < 4 {
            let (keep, next) = match class {
                // Letter.
                1 => (true, 4),
                // Digit: a run of digits is one `0`.
                2 => (!in_digits || pending, 2 | 4),
                // White space.
                3 => (false, state | 1),
                // Anything else vanishes without separating words.
                _ => (false, state),
            };
            let next = if class == 2 && !keep { state } else { next };
            let space = keep && pending && started;
            table[state * 4 + class] = (keep as u8) | ((space as u8) << 1) | ((next as u8) << 2);
            class += 1;
        }
        state += 1;
    }
    table
};

/// The hot path: [`State`] for ASCII lines, eight bytes a step ([`ascii_run`]). A
/// space left at the end is taken back. Where each word ends goes into `ends` (where each
/// space is written, then the key's length), which needs room for every word and one
/// more. `buf` and `dbuf` need room for the line; whatever they hold is overwritten.
/// Returns the key's length, the digits' length and the word count.
fn normalize_ascii(
    line: &[u8],
    buf: &mut [u8],
    dbuf: &mut [u8],
    ends: &mut [u32],
) -> (usize, usize, usize) {
    let Progress {
        mut n,
        dn,
        mut spaces,
        last,
    } = ascii_run(line, (buf, dbuf, ends), Progress::default());
    // A space is owed only to a word that follows.
    if last == Last::Space as usize {
        n -= 1;
        spaces -= 1;
    }
    if n == 0 {
        (0, dn, 0)
    } else {
        ends[spaces] = n as u32;
        (n, dn, spaces + 1)
    }
}

/// How far [`ascii_run`] has got: bytes of the key and of the digits written, spaces
/// written (each a word's end), and what was written last ([`Last`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Progress {
    n: usize,
    dn: usize,
    spaces: usize,
    last: usize,
}

impl Progress {
    /// Where a run of ASCII starts after characters that left `state`, with `n` bytes of
    /// key and `dn` of digits written: a space owed is written at once (one byte more of
    /// key, which the caller writes).
    fn after(state: &State, n: usize, dn: usize) -> Progress {
        let (owed, in_digits, started) = (state.0 & 1 != 0, state.0 & 2 != 0, state.0 & 4 != 0);
        let last = match (started, owed, in_digits) {
            (false, _, _) => Last::Nothing,
            (true, true, _) => Last::Space,
            (true, false, true) => Last::Zero,
            (true, false, false) => Last::Letter,
        };
        Progress {
            n: n + usize::from(last == Last::Space),
            dn,
            spaces: 0,
            last: last as usize,
        }
    }

    /// The [`State`] after the run (whose space written last, if any, is to be taken back
    /// and owed instead); `before` if it wrote nothing.
    fn state(&self, before: State) -> State {
        // By what was written last: a letter, a digit run's `0`, a space (now owed).
        const AFTER: [usize; 4] = [0, 4, 4 | 2, 4 | 1];
        if self.last == Last::Nothing as usize {
            before
        } else {
            State(AFTER[self.last % 4])
        }
    }
}

/// [`State`] for a run of ASCII, eight bytes a step, from `at`. A step's eight bytes are
/// read whatever they hold, so that no load waits for the last step's result: eight
/// letters and single spaces (most of a line of prose) are stored whole, lower-cased
/// ([`prose_block`]), and anything else takes eight steps of [`EAGER_STEP`], which have
/// no branch that depends on the text. Spaces are written as they come, where one is
/// owed, so a kept byte or a space replaces one input byte and the key never runs ahead
/// of the input read: `buf` needs room for `at.n` and the run, `dbuf` for `at.dn` and the
/// run, `ends` for `at.spaces` and one more than the run's words.
fn ascii_run(
    line: &[u8],
    (buf, dbuf, ends): (&mut [u8], &mut [u8], &mut [u32]),
    at: Progress,
) -> Progress {
    let Progress {
        mut n,
        mut dn,
        mut spaces,
        mut last,
    } = at;
    let mut blocks = line.chunks_exact(8);
    for block in &mut blocks {
        let chunk = u64::from_le_bytes(block.try_into().unwrap_or_default());
        if let Some((lowered, mut at, ends_in_space)) = prose_block(chunk, last) {
            buf[n..n + 8].copy_from_slice(&lowered.to_le_bytes());
            // Eight letters and single spaces hold at most four spaces. All four slots
            // are written whatever their count, so that no branch waits on it (a slot
            // past the count gets `n + 8`, and is overwritten later or never read); the
            // count sums the spaces' high bits into the top byte by a multiplication
            // (the default x86-64 target has no popcount instruction). The slots fit in
            // the room asked for: the `j`th block of the run follows at most `4 j`
            // spaces, and the run, of `8 j + 8` bytes or more, has room for `4 j + 4`.
            let count = (((at >> 7).wrapping_mul(0x0101_0101_0101_0101)) >> 56) as usize;
            for slot in &mut ends[spaces..spaces + 4] {
                *slot = (n + at.trailing_zeros() as usize / 8) as u32;
                at &= at.wrapping_sub(1);
            }
            spaces += count;
            n += 8;
            last = if ends_in_space {
                Last::Space
            } else {
                Last::Letter
            } as usize;
            continue;
        }
        for &b in block {
            eager_step(
                b,
                (buf, dbuf, ends),
                (&mut n, &mut dn, &mut spaces),
                &mut last,
            );
        }
    }
    for &b in blocks.remainder() {
        eager_step(
            b,
            (buf, dbuf, ends),
            (&mut n, &mut dn, &mut spaces),
            &mut last,
        );
    }
    Progress {
        n,
        dn,
        spaces,
        last,
    }
}

/// What [`ascii_run`] wrote last.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Last {
    Nothing = 0,
    Letter = 1,
    /// A run of digits' `0`.
    Zero = 2,
    Space = 3,
}

/// [`ASCII_STEP`] with spaces written as they come: by the last thing written and the
/// byte's [`Class`], whether the byte is kept (1), whether it is a space (2), and what
/// is then the last thing written (<< 2).
const EAGER_STEP: [u8; 16] = {
    let mut table = [0u8; 16];
    let mut last = 0;
    while last < 4 {
        let mut class = 0;
        while class < 4 {
            let (keep, next) = match class {
                1 => (true, Last::Letter as usize),
                // One `0` for a run of digits, however it is broken by marks.
                2 => (last != Last::Zero as usize, Last::Zero as usize),
                // One space between words, none before the first.
                3 => {
                    let owed = last == Last::Letter as usize || last == Last::Zero as usize;
                    (owed, if owed { Last::Space as usize } else { last })
                }
                _ => (false, last),
            };
            let space = keep && class == 3;
            table[last * 4 + class] = (keep as u8) | ((space as u8) << 1) | ((next as u8) << 2);
            class += 1;
        }
        last += 1;
    }
    table
};

/// One byte of [`ascii_run`] by [`EAGER_STEP`], writing speculatively.
#[inline(always)]
fn eager_step(
    b: u8,
    (buf, dbuf, ends): (&mut [u8], &mut [u8], &mut [u32]),
    (n, dn, spaces): (&mut usize, &mut usize, &mut usize),
    last: &mut usize,
) {
    let class = ASCII_CLASS[usize::from(b & 0x7f)] as usize;
    let step = usize::from(EAGER_STEP[(*last << 2) | class]);
    buf[*n] = ASCII_MAP[usize::from(b & 0x7f)];
    ends[*spaces] = *n as u32;
    *n += step & 1;
    *spaces += (step >> 1) & 1;
    dbuf[*dn] = b;
    *dn += usize::from(class == Class::Digit as usize);
    *last = step >> 2;
}

/// Eight ASCII bytes (the first in the low byte) that are letters and single spaces, with
/// no space first unless one is owed (`last`): the bytes lower-cased, the high bit of
/// each space, and whether the last byte is one. `None` for any other eight bytes.
#[inline(always)]
fn prose_block(chunk: u64, last: usize) -> Option<(u64, u64, bool)> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Every byte is below 0x80, so no addition carries into the next byte; ASCII
    // letters differ from their lower case in bit 5 only.
    let lowered = chunk | (0x20 * ONES);
    let at_least_a = lowered + (0x80 - u64::from(b'a')) * ONES;
    let past_z = lowered + (0x80 - u64::from(b'z') - 1) * ONES;
    let letters = at_least_a & !past_z & HIGH;
    // A byte is a space when it XORs to zero with one.
    let spaces = !((chunk ^ (u64::from(b' ') * ONES)) + 0x7f * ONES) & HIGH;
    let owed = last == Last::Letter as usize || last == Last::Zero as usize;
    let unowed_first = u64::from(!owed) * 0x80;
    let fits = (letters | spaces) == HIGH && spaces & ((spaces << 8) | unowed_first) == 0;
    fits.then_some((lowered, spaces, spaces >> 63 == 1))
}

/// Normalizes one line into a new string (see [`Normalizer`]).
pub fn normalize(line: &str) -> String {
    let mut n = Normalizer::default();
    n.normalize(line);
    n.as_str().to_string()
}

/// The normalizer between two characters: an index into [`ASCII_STEP`], which is where the
/// rules (spaces owed, digit runs, nothing before the first word) are written down once.
#[derive(Default)]
struct State(usize);

impl State {
    /// One step for a character of `class`: a space first if one is owed, then `kept` if
    /// the character is kept.
    #[inline]
    fn step(&mut self, class: Class, kept: &[u8], out: &mut Vec<u8>) {
        let step = ASCII_STEP[(self.0 << 2) | class as usize];
        if step & 2 != 0 {
            out.push(b' ');
        }
        if step & 1 != 0 {
            out.extend_from_slice(kept);
        }
        self.0 = usize::from(step >> 2);
    }

    #[inline]
    fn push_ascii(&mut self, b: u8, out: &mut Vec<u8>, digits: &mut Vec<u8>) {
        let class = ASCII_CLASS[usize::from(b & 0x7f)];
        if class == Class::Digit {
            digits.push(b);
        }
        self.step(class, &[ASCII_MAP[usize::from(b & 0x7f)]], out);
    }

    fn push_char(&mut self, c: char, out: &mut Vec<u8>, digits: &mut Vec<u8>) {
        let mut buf = [0u8; 4];
        if is_caseless_letter(c) {
            self.step(Class::Letter, c.encode_utf8(&mut buf).as_bytes(), out);
            return;
        }
        match c.general_category_group() {
            GeneralCategoryGroup::Letter | GeneralCategoryGroup::Mark => {
                for lower in c.to_lowercase() {
                    self.step(Class::Letter, lower.encode_utf8(&mut buf).as_bytes(), out);
                }
            }
            GeneralCategoryGroup::Number => {
                digits.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                self.step(Class::Digit, b"0", out);
            }
            GeneralCategoryGroup::Separator => self.step(Class::Space, b"", out),
            GeneralCategoryGroup::Punctuation
            | GeneralCategoryGroup::Symbol
            | GeneralCategoryGroup::Other => {
                if c.is_whitespace() {
                    self.step(Class::Space, b"", out);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn caseless_letters_are_what_the_tables_say() {
        use unicode_normalization::char::canonical_combining_class;
        let caseless = (0..=0x10_ffff_u32)
            .filter_map(char::from_u32)
            .filter(|&c| is_caseless_letter(c));
        let mut n = 0;
        for c in caseless {
            n += 1;
            assert_eq!(
                c.general_category_group(),
                GeneralCategoryGroup::Letter,
                "{c:?}"
            );
            assert!(
                c.is_alphabetic() && !c.is_numeric() && !c.is_whitespace(),
                "{c:?}"
            );
            assert!(!c.is_uppercase() && !c.is_lowercase(), "{c:?}");
            assert!(c.to_lowercase().eq([c]), "{c:?}");
            assert_eq!(canonical_combining_class(c), 0, "{c:?}");
            let one = || std::iter::once(c);
            assert_eq!(is_nfkc_quick(one()), IsNormalized::Yes, "{c:?}");
            assert_eq!(is_nfc_quick(one()), IsNormalized::Yes, "{c:?}");
        }
        assert_eq!(n, 86 + 90 + 6592 + 20992 + 11172);
    }

    #[test]
    fn fullwidth_forms_fold_to_what_nfkc_makes_of_them() {
        use unicode_normalization::char::canonical_combining_class;
        let forms = (0xFF01..=0xFF5E_u32)
            .chain([0x3000])
            .filter_map(char::from_u32);
        for c in forms {
            let b = fullwidth_ascii(c).expect("a full-width form");
            assert_eq!(
                c.nfkc().collect::<String>(),
                char::from(b).to_string(),
                "{c:?}"
            );
            assert_eq!(canonical_combining_class(c), 0, "{c:?}");
        }
        assert_eq!(fullwidth_ascii('\u{FF00}'), None);
        assert_eq!(fullwidth_ascii('\u{FF5F}'), None);
        assert_eq!(fullwidth_ascii('a'), None);
        // A mark after one composes with what it becomes: the line is normalized whole.
        assert_eq!(normalize("Ａ\u{301}Ｂ，"), "áb");
    }

    #[test]
    fn copyright_years_and_punctuation_agree() {
        assert_eq!(
            normalize("Copyright 2020 © Shanghai Daily. All Rights Reserved."),
            normalize("Copyright 2019 © Shanghai Daily All Rights Reserved.")
        );
        assert_eq!(
            normalize("Copyright 2020 © Shanghai Daily. All Rights Reserved."),
            "copyright 0 shanghai daily all rights reserved"
        );
    }

    #[test]
    fn dates_of_any_day_agree() {
        assert_eq!(normalize("March 16, 2026"), normalize("March 9, 2026"));
        assert_eq!(normalize("March 16, 2026"), "march 0 0");
    }

    #[test]
    fn nfkc_and_case_fold() {
        // Full-width letters and digits fold to ASCII under NFKC.
        assert_eq!(normalize("ＡＢＣ　１２３"), "abc 0");
        assert_eq!(normalize("ÉCOLE"), "école");
    }

    #[test]
    fn chinese_licence_line_keeps_its_letters() {
        assert_eq!(normalize("沪公网安备 31010602001940号"), "沪公网安备 0号");
        assert_eq!(
            normalize("沪ICP证：沪ICP备05050403号-5"),
            "沪icp证沪icp备0号0"
        );
    }

    #[test]
    fn digits_are_kept_aside() {
        let mut n = Normalizer::default();
        assert_eq!(n.normalize("Total: 1,628 (２ items)"), b"total 0 0 items");
        assert_eq!(n.digits(), b"16282");
        assert!(n.is_ascii());
        n.normalize("沪公网安备");
        assert!(!n.is_ascii());
    }

    #[test]
    fn lines_of_only_punctuation_are_empty() {
        assert_eq!(normalize("  |  —— *** "), "");
        assert_eq!(normalize("-0-"), "0");
    }

    #[test]
    fn split_keeps_byte_spans() {
        let text = "a\r\nbb\n\nccc";
        let spans = split_lines(text);
        let lines: Vec<&str> = spans.iter().map(|s| s.content(text)).collect();
        assert_eq!(lines, ["a", "bb", "", "ccc"]);
        assert_eq!(spans[0].next, 3);
        assert_eq!(spans[3].next, text.len());
        assert!(split_lines("").is_empty());
        assert_eq!(split_lines("x\n").len(), 1);
    }

    #[test]
    fn blank_lines() {
        assert!(is_blank(""));
        assert!(is_blank(" \t "));
        assert!(is_blank("\u{3000}"));
        assert!(!is_blank(" x "));
    }

    /// The table path one byte at a time, as the general (non-ASCII) path steps.
    fn ascii_by_steps(s: &str) -> (Vec<u8>, Vec<u8>) {
        let mut slow = (Vec::new(), Vec::new());
        let mut state = State::default();
        for &b in s.as_bytes() {
            state.push_ascii(b, &mut slow.0, &mut slow.1);
        }
        slow
    }

    #[test]
    fn blocks_of_letters_and_single_spaces_are_taken_whole() {
        let after = |s: &[u8; 8], last: Last| prose_block(u64::from_le_bytes(*s), last as usize);
        let (lowered, spaces, ends_in_space) =
            after(b"Hello Wo", Last::Letter).expect("letters and a space");
        assert_eq!(&lowered.to_le_bytes(), b"hello wo");
        assert_eq!(spaces, 0x80 << (8 * 5), "the space's high bit");
        assert!(!ends_in_space);
        assert_eq!(after(b"rld and ", Last::Letter).map(|b| b.2), Some(true));
        assert_eq!(
            after(b" and the", Last::Zero).map(|b| b.1),
            Some(0x80 | 0x80 << 32)
        );
        // A space that nothing before it owes, two spaces, a mark, a digit, a tab.
        assert_eq!(after(b" and the", Last::Nothing), None);
        assert_eq!(after(b" and the", Last::Space), None);
        assert_eq!(after(b"and  the", Last::Letter), None);
        assert_eq!(after(b"Hello, W", Last::Letter), None);
        assert_eq!(after(b"ab9cdefg", Last::Letter), None);
        assert_eq!(after(b"ab\tcdefg", Last::Letter), None);
        // The bytes around a-z and A-Z are not letters.
        for edge in [b'@', b'[', b'`', b'{'] {
            let mut block = *b"abcdefgh";
            block[3] = edge;
            assert_eq!(after(&block, Last::Letter), None, "{}", edge as char);
        }
    }

    /// [`normalize_ascii`] writes what the byte-at-a-time steps write, counts the words
    /// and finds where each ends as [`crate::fingerprint::ascii_word_ends`] does.
    fn fast_path_agrees(s: &str) -> Result<(), proptest::test_runner::TestCaseError> {
        // Leftovers of a longer line, which must not show through.
        let mut fast = (vec![b'x'; s.len() + 9], vec![b'7'; s.len() + 9]);
        let mut ends = vec![0; s.len() / 2 + 2];
        let (n, dn, words) = normalize_ascii(s.as_bytes(), &mut fast.0, &mut fast.1, &mut ends);
        fast.0.truncate(n);
        fast.1.truncate(dn);
        let mut scratch = Vec::new();
        let found = crate::fingerprint::ascii_word_ends(&fast.0, &mut scratch);
        prop_assert_eq!(&ends[..words], if words == 0 { &[][..] } else { found });
        let expected = if fast.0.is_empty() {
            0
        } else {
            fast.0.split(|&b| b == b' ').count()
        };
        prop_assert_eq!(words, expected);
        prop_assert_eq!(fast, ascii_by_steps(s));
        Ok(())
    }

    #[test]
    fn one_letter_words_fill_every_word_end() {
        for len in 0..64 {
            let line = "a ".repeat(len);
            fast_path_agrees(&line).unwrap_or_else(|e| panic!("{len}: {e}"));
            let mut n = Normalizer::default();
            n.normalize(&line);
            let ends: Vec<u32> = (0..len as u32).map(|i| 2 * i + 1).collect();
            assert_eq!(n.ascii_word_ends(), Some(&ends[..]), "{len}");
        }
    }

    /// What [`Normalizer::normalize`] gives a line that is not ASCII, by the plainest
    /// route: NFKC of the whole line, one character at a time, then NFC again.
    fn by_nfkc(line: &str) -> (String, Vec<u8>) {
        let (mut key, mut digits, mut state) = (Vec::new(), Vec::new(), State::default());
        for c in line.nfkc() {
            if c.is_ascii() {
                state.push_ascii(c as u8, &mut key, &mut digits);
            } else {
                state.push_char(c, &mut key, &mut digits);
            }
        }
        let key = String::from_utf8(key).unwrap_or_default();
        (key.nfc().collect(), digits)
    }

    #[test]
    fn lines_in_nfkc_take_ascii_runs_whole() {
        let line = "Don’t miss it — 2 more “quoted” words, café and naïve; 沪ICP备05050403号";
        assert_eq!(is_nfkc_quick(line.chars()), IsNormalized::Yes);
        let mut n = Normalizer::default();
        n.normalize(line);
        assert_eq!(
            n.as_str(),
            "dont miss it 0 more quoted words café and naïve 沪icp备0号"
        );
        assert_eq!(n.digits(), b"205050403");
        let (key, digits) = by_nfkc(line);
        assert_eq!((n.as_str(), n.digits()), (key.as_str(), digits.as_slice()));
    }

    proptest! {
        #[test]
        fn ascii_fast_path_agrees_with_the_general_path_on_prose(
            s in "([A-Za-z]{1,14}[ ,.;:'\t0-9-]{1,3}){0,12}[A-Za-z]{0,20}"
        ) {
            fast_path_agrees(&s)?;
        }

        #[test]
        fn ascii_fast_path_agrees_with_the_general_path(s in "[ -~\t]{0,60}") {
            fast_path_agrees(&s)?;
        }

        /// Words of one or two letters put up to four spaces in a block of eight, and
        /// near the end of a line the blind writes of word ends reach furthest.
        #[test]
        fn ascii_fast_path_agrees_on_short_words(s in "([A-Za-z]{1,2} ){0,40}[A-Za-z]{0,2}") {
            fast_path_agrees(&s)?;
        }

        /// One normalizer reused across lines (long, short, ASCII or not, as a document's
        /// lines come) gives each line what a fresh one gives it: nothing of an earlier
        /// line shows through.
        #[test]
        fn a_reused_normalizer_forgets_the_last_line(
            lines in proptest::collection::vec("[ -~]{0,50}|\\PC{0,20}", 1..8)
        ) {
            let mut reused = Normalizer::default();
            for line in &lines {
                reused.normalize(line);
                let mut fresh = Normalizer::default();
                fresh.normalize(line);
                prop_assert_eq!(reused.key(), fresh.key());
                prop_assert_eq!(reused.digits(), fresh.digits());
                prop_assert_eq!(reused.ascii_word_ends(), fresh.ascii_word_ends());
                prop_assert_eq!(reused.is_ascii(), fresh.is_ascii());
            }
        }

        /// Lines of ASCII prose with curly quotes, dashes, accents, combining marks and
        /// characters NFKC changes (a ligature, a no-break space, full-width forms, an
        /// ellipsis) mixed in: whichever path a line takes, its key and digits are those
        /// of NFKC one character at a time.
        #[test]
        fn every_path_agrees_with_nfkc_one_character_at_a_time(
            s in "([A-Za-z]{1,9}[ ,.;'0-9-]{0,2}|[’“”—–…éÉñßİǅⅫ①ﬁ\u{a0}\u{301}\u{308}\u{327}\u{3000}沪北京㐀鿿ＡＢ１２ᄀ가힣서\u{1161}\u{11a8}かガヷゞ\u{3099}，！（）Ｚｚ０＠]){0,14}",
            any in "\\PC{0,30}",
        ) {
            for line in [&s, &any] {
                let mut n = Normalizer::default();
                n.normalize(line);
                if !line.is_ascii() {
                    let (key, digits) = by_nfkc(line);
                    prop_assert_eq!(n.as_str(), key.as_str());
                    prop_assert_eq!(n.digits(), digits.as_slice());
                }
                prop_assert_eq!(n.is_ascii(), n.key().is_ascii());
            }
        }

        #[test]
        fn normalizing_is_idempotent(s in "\\PC{0,40}") {
            let once = normalize(&s);
            prop_assert_eq!(normalize(&once), once.clone());
        }

        #[test]
        fn spans_cover_the_text(s in "[a-c\\r\\n]{0,30}") {
            let spans = split_lines(&s);
            let mut at = 0;
            for span in &spans {
                prop_assert_eq!(span.start, at);
                prop_assert!(span.end <= span.next);
                at = span.next;
            }
            prop_assert_eq!(at, s.len());
        }
    }
}
