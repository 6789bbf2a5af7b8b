//! Pure text stage: split a document into lines with byte spans, and reduce each line to
//! the key that fingerprints compare.
//!
//! Nothing here hashes, counts or decides; [`crate::fingerprint`] consumes what this module
//! produces. Offsets are byte offsets into the document text.

use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

/// Bumped whenever [`normalize_into`] changes what it produces, because every stored
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

/// Writes the normalized key of `line` into `out` (cleared first).
///
/// Unicode NFKC, lower case, every run of digits becomes one `0` (so "March 9" and
/// "March 16" agree, as do copyright years), punctuation, symbols and format characters
/// are removed, and white space collapses to single spaces with none at either end.
/// An empty result means the line carries no words (a rule of dashes, a lone `|`).
pub fn normalize_into(line: &str, out: &mut String) {
    out.clear();
    let mut state = State::default();
    if line.is_ascii() {
        for &b in line.as_bytes() {
            state.push_ascii(b, out);
        }
    } else {
        for c in line.nfkc() {
            if c.is_ascii() {
                state.push_ascii(c as u8, out);
            } else {
                state.push_char(c, out);
            }
        }
        // Removing a symbol can leave combining marks out of canonical order.
        if !out.is_ascii() {
            *out = out.nfc().collect();
        }
    }
}

/// Convenience wrapper around [`normalize_into`].
pub fn normalize(line: &str) -> String {
    let mut out = String::new();
    normalize_into(line, &mut out);
    out
}

#[derive(Default)]
struct State {
    /// A space is owed before the next kept character.
    pending_space: bool,
    /// The last thing written was a digit run's `0`.
    in_digits: bool,
}

impl State {
    fn push_ascii(&mut self, b: u8, out: &mut String) {
        if b.is_ascii_alphabetic() {
            self.emit(b.to_ascii_lowercase() as char, out);
        } else if b.is_ascii_digit() {
            self.emit_digit(out);
        } else if b.is_ascii_whitespace() {
            self.space(out);
        }
        // ASCII punctuation, symbols and controls vanish without separating words.
    }

    fn push_char(&mut self, c: char, out: &mut String) {
        match c.general_category_group() {
            GeneralCategoryGroup::Letter | GeneralCategoryGroup::Mark => {
                for lower in c.to_lowercase() {
                    self.emit(lower, out);
                }
            }
            GeneralCategoryGroup::Number => self.emit_digit(out),
            GeneralCategoryGroup::Separator => self.space(out),
            GeneralCategoryGroup::Punctuation
            | GeneralCategoryGroup::Symbol
            | GeneralCategoryGroup::Other => {}
        }
    }

    fn emit(&mut self, c: char, out: &mut String) {
        if self.pending_space && !out.is_empty() {
            out.push(' ');
        }
        self.pending_space = false;
        self.in_digits = false;
        out.push(c);
    }

    fn emit_digit(&mut self, out: &mut String) {
        if self.in_digits && !self.pending_space {
            return;
        }
        self.emit('0', out);
        self.in_digits = true;
    }

    fn space(&mut self, _out: &mut String) {
        self.pending_space = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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

    proptest! {
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
