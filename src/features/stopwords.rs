//! Function words of the commonest languages of the web, to tell running text ("the cat
//! sat on the mat") from labels and menus ("Home Sports Weather").
//!
//! Words are compared after [`crate::normalize`] (lower case, punctuation gone), packed
//! into a `u64` (every entry is at most 8 bytes of UTF-8), and looked up in a hash table.
//! For scripts written without spaces each character is a word, so the list holds the
//! commonest Chinese and Japanese function characters: a Chinese sentence is about one
//! quarter such characters, a Chinese menu almost none.

use std::ops::Range;
use std::sync::OnceLock;

#[rustfmt::skip]
const WORDS: &[&str] = &[
    // English
    "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be",
    "because", "been", "before", "being", "between", "both", "but", "by", "can", "could",
    "did", "do", "does", "down", "during", "each", "even", "few", "for", "from", "had",
    "has", "have", "having", "he", "her", "here", "hers", "him", "his", "how", "i", "if",
    "in", "into", "is", "it", "its", "itself", "just", "many", "may", "me", "might",
    "more", "most", "much", "must", "my", "no", "nor", "not", "now", "of", "off", "on",
    "once", "only", "or", "other", "our", "out", "over", "own", "said", "same", "she",
    "should", "since", "so", "some", "such", "than", "that", "the", "their", "them",
    "then", "there", "these", "they", "this", "those", "though", "through", "to", "too",
    "under", "until", "up", "very", "was", "we", "were", "what", "when", "where",
    "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your",
    // German
    "aber", "als", "auch", "auf", "aus", "bei", "bis", "das", "dass", "dem", "den",
    "der", "des", "die", "doch", "durch", "ein", "eine", "einem", "einen", "einer",
    "er", "es", "für", "hat", "ich", "ihr", "ist", "mit", "nach", "nicht", "noch",
    "nur", "oder", "sich", "sie", "sind", "über", "und", "uns", "von", "war", "wie",
    "wir", "wird", "zu", "zum", "zur",
    // French
    "au", "aux", "avec", "ce", "ces", "cette", "dans", "de", "du", "elle", "en", "est",
    "et", "il", "ils", "la", "le", "les", "leur", "lui", "mais", "ne", "nous", "ou",
    "par", "pas", "plus", "pour", "qu", "que", "qui", "sa", "se", "ses", "son", "sont",
    "sur", "un", "une", "vous", "à", "été", "être",
    // Spanish, Italian, Portuguese
    "al", "como", "con", "del", "el", "ella", "es", "esta", "este", "fue", "hay", "las",
    "lo", "los", "más", "muy", "para", "pero", "por", "se", "sin", "su", "sus", "una",
    "y", "che", "di", "gli", "il", "nel", "non", "per", "sono", "della", "dos", "das",
    "não", "na", "no", "os", "uma", "ao", "em",
    // Dutch
    "het", "een", "van", "dat", "niet", "zijn", "op", "voor", "met", "ook", "maar",
    // Chinese and Japanese function characters
    "的", "了", "是", "在", "和", "有", "也", "就", "不", "都", "而", "及", "与", "对",
    "被", "将", "其", "这", "那", "之", "于", "以", "为", "中", "他", "她", "们", "我",
    "你", "从", "到", "说", "会", "还", "并", "但", "已", "个", "の", "に", "は", "を",
    "が", "で", "と", "た", "し", "て", "も", "な",
];

/// `word`'s bytes as a little-endian `u64`, or `None` when it is longer than 8 bytes
/// (no stopword is).
fn pack(word: &[u8]) -> Option<u64> {
    if word.is_empty() || word.len() > 8 {
        return None;
    }
    let mut bytes = [0u8; 8];
    bytes[..word.len()].copy_from_slice(word);
    Some(u64::from_le_bytes(bytes))
}

/// Open addressing over packed words: 2048 home slots for about 300 words, each word
/// within [`PROBES`] slots of its home (the table is built so, without wrapping round), so
/// that a look-up reads those slots and compares without a branch. Whether a word is a
/// stopword is as unpredictable as the text; a branch on it would be mispredicted about
/// once in three words, and this runs for every word of the corpus.
const SLOTS: usize = 2048;
const PROBES: usize = 4;

type Table = [u64; SLOTS + PROBES - 1];

fn slot(packed: u64) -> usize {
    (packed.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - SLOTS.trailing_zeros())) as usize
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Box<Table>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = Box::new([0u64; SLOTS + PROBES - 1]);
        for p in WORDS.iter().filter_map(|w| pack(w.as_bytes())) {
            let home = slot(p);
            let free = (home..home + PROBES)
                .find(|&i| t[i] == 0 || t[i] == p)
                .expect("every stopword within PROBES slots of its home");
            t[free] = p;
        }
        t
    })
}

/// Whether the packed word `p` (not 0) is in the table.
fn find(t: &Table, p: u64) -> bool {
    let home = slot(p);
    let probes: &[u64; PROBES] = t[home..home + PROBES].try_into().expect("PROBES slots");
    probes.iter().fold(false, |found, &e| found | (e == p))
}

/// Whether a normalized word is a stopword.
pub fn is_stopword(word: &[u8]) -> bool {
    pack(word).is_some_and(|p| find(table(), p))
}

/// How many of the `words` (byte ranges) of a normalized line are stopwords; the same as
/// testing each with [`is_stopword`], without copying any word.
pub fn count_in(line: &[u8], words: impl IntoIterator<Item = Range<usize>>) -> usize {
    let t = table();
    words
        .into_iter()
        .map(|word| usize::from(stop_at(t, line, word)))
        .sum()
}

/// How many words of an ASCII normalized line are stopwords: [`count_in`] over its
/// words, given where each ends (as the normalizer records them, or
/// `crate::fingerprint::ascii_word_ends` finds them), without collecting the words. Long
/// lines of running text are most of a corpus's words.
pub fn count_at_ends(line: &[u8], ends: &[u32]) -> usize {
    let t = table();
    let mut start = 0;
    let mut count = 0;
    for &end in ends {
        let end = end as usize;
        count += usize::from(stop_at(t, line, start..end));
        start = end + 1;
    }
    count
}

/// Whether the `word` of `line` is a stopword, without a branch on the answer.
fn stop_at(t: &Table, line: &[u8], word: Range<usize>) -> bool {
    let len = word.len();
    let fits = len.wrapping_sub(1) < 8;
    // Eight bytes from the word's start, the bytes after it masked off.
    let bytes = match line.get(word.start..word.start + 8) {
        Some(window) => u64::from_le_bytes(window.try_into().expect("eight bytes")),
        None => {
            let mut last = [0u8; 8];
            last.iter_mut()
                .zip(line.get(word.start..).unwrap_or_default())
                .for_each(|(d, &b)| *d = b);
            u64::from_le_bytes(last)
        }
    };
    let p = bytes & (u64::MAX >> (8 * (8 - len.clamp(1, 8))));
    fits & find(t, p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fingerprint::ascii_word_ends;

    /// [`count_at_ends`] with the ends found by scanning the line.
    fn count_ascii(line: &[u8], ends: &mut Vec<u32>) -> usize {
        count_at_ends(line, ascii_word_ends(line, ends))
    }

    #[test]
    fn every_entry_fits_and_is_found() {
        for w in WORDS {
            assert!(w.len() <= 8, "{w} is longer than 8 bytes");
            assert!(is_stopword(w.as_bytes()), "{w}");
        }
    }

    #[test]
    fn counting_a_line_is_testing_each_word() {
        for line in [
            "the cat sat on the mat",
            "der hund und die katze",
            "extraordinarily long words then of",
            "of",
            "",
            "a  b",
            "home sports weather and",
        ] {
            let each = line
                .split(' ')
                .filter(|w| is_stopword(w.as_bytes()))
                .count();
            let words = crate::fingerprint::split_at_spaces(line);
            assert_eq!(count_in(line.as_bytes(), words), each, "{line:?}");
            let ascii = count_ascii(line.as_bytes(), &mut Vec::new());
            assert_eq!(ascii, each, "{line:?}");
        }
    }

    #[test]
    fn content_words_and_near_misses_are_not_stopwords() {
        for w in [
            "home", "sports", "weather", "th", "thee", "", "andrew", "新闻", "新",
        ] {
            assert!(!is_stopword(w.as_bytes()), "{w}");
        }
    }

    proptest::proptest! {
        /// Lines of single-spaced words around eight bytes long, stopwords among them.
        #[test]
        fn counting_ascii_lines_is_counting_their_words(
            words in proptest::collection::vec("(the|of|and|a|[a-z]{1,10})", 1..40)
        ) {
            let line = words.join(" ");
            let each = words.iter().filter(|w| is_stopword(w.as_bytes())).count();
            proptest::prop_assert_eq!(count_ascii(line.as_bytes(), &mut Vec::new()), each);
        }

        /// Any run of spaces, even more than four in eight bytes: the words between them.
        #[test]
        fn counting_ascii_lines_with_any_spaces(line in "(the|a| |[a-z]{1,3}){0,40}") {
            let each = line.split(' ').filter(|w| is_stopword(w.as_bytes())).count();
            proptest::prop_assert_eq!(count_ascii(line.as_bytes(), &mut Vec::new()), each);
        }
    }
}
