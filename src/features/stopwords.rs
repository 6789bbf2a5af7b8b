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

use crate::fingerprint::space_bits;

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

/// Open addressing over packed words: 2048 slots for about 300 words, so that a word that
/// is not a stopword (most are) usually meets an empty slot at once. This runs for every
/// word of the corpus.
const SLOTS: usize = 2048;

fn slot(packed: u64) -> usize {
    (packed.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - SLOTS.trailing_zeros())) as usize
}

fn table() -> &'static [u64; SLOTS] {
    static TABLE: OnceLock<Box<[u64; SLOTS]>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = Box::new([0u64; SLOTS]);
        for p in WORDS.iter().filter_map(|w| pack(w.as_bytes())) {
            let mut i = slot(p);
            while t[i] != 0 && t[i] != p {
                i = (i + 1) % SLOTS;
            }
            t[i] = p;
        }
        t
    })
}

fn find(t: &[u64; SLOTS], p: u64) -> bool {
    let mut i = slot(p);
    loop {
        // One branch, taken almost always at the first slot, whatever the answer: most
        // words of a text are either a stopword or meet an empty slot at once.
        let e = t[i];
        if e == p || e == 0 {
            return e == p;
        }
        i = (i + 1) % SLOTS;
    }
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

/// How many words of an ASCII normalized line (words split at single spaces) are
/// stopwords: [`count_in`] over its words, found eight bytes at a time without collecting
/// them. Long lines of running text are most of a corpus's words.
pub fn count_ascii(line: &[u8]) -> usize {
    let t = table();
    let (mut count, mut start, mut at) = (0, 0, 0);
    while let Some(eight) = line.get(at..at + 8) {
        let mut spaces = space_bits(u64::from_le_bytes(eight.try_into().expect("eight bytes")));
        while spaces != 0 {
            let end = at + spaces.trailing_zeros() as usize / 8;
            count += usize::from(stop_at(t, line, start..end));
            start = end + 1;
            spaces &= spaces - 1;
        }
        at += 8;
    }
    for (end, &b) in line.iter().enumerate().skip(at) {
        if b == b' ' {
            count += usize::from(stop_at(t, line, start..end));
            start = end + 1;
        }
    }
    count + usize::from(stop_at(t, line, start..line.len()))
}

/// Whether the `word` of `line` is a stopword.
fn stop_at(t: &[u64; SLOTS], line: &[u8], word: Range<usize>) -> bool {
    let len = word.len();
    if !(1..=8).contains(&len) {
        return false;
    }
    // Eight bytes from the word's start, the bytes after it masked off.
    let p = match line.get(word.start..word.start + 8) {
        Some(window) => {
            let bytes = u64::from_le_bytes(window.try_into().expect("eight bytes"));
            bytes & (u64::MAX >> (8 * (8 - len)))
        }
        None => pack(&line[word]).expect("one to eight bytes"),
    };
    find(t, p)
}

#[cfg(test)]
mod tests {
    use super::*;

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
            let mut start = 0;
            let words: Vec<Range<usize>> = line
                .split(' ')
                .map(|w| {
                    start += w.len() + 1;
                    start - w.len() - 1..start - 1
                })
                .collect();
            assert_eq!(count_in(line.as_bytes(), words), each, "{line:?}");
            if !line.contains("  ") {
                assert_eq!(count_ascii(line.as_bytes()), each, "{line:?}");
            }
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
            proptest::prop_assert_eq!(count_ascii(line.as_bytes()), each);
        }
    }
}
