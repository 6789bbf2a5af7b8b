//! What a run did: counters merged in input order, the JSON summary, the human summary on
//! stderr, and the record formats of the audit and rejected outputs.
//!
//! Everything here is deterministic: no timings, no thread counts, ties broken by text.

use std::collections::{BTreeMap, HashMap};

use nohash_hasher::BuildNoHashHasher;
use serde::Serialize;
use serde_json::value::RawValue;

use crate::count::TableStats;
use crate::decide::{Evidence, Reason};
use crate::fingerprint::HASH_ALGORITHM;
use crate::normalize::NORMALIZE_VERSION;

/// How many of the most often removed lines the summary lists.
pub const TOP_REMOVED: usize = 20;

/// Lines and characters removed for one reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Removed {
    pub lines: u64,
    pub chars: u64,
}

/// Counters of a run, or of one document; merged in input order.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub docs_in: u64,
    pub docs_out: u64,
    /// Rejected documents by reason code.
    pub rejected: BTreeMap<&'static str, u64>,
    /// Records that could not be read or parsed (a subset of the rejected).
    pub bad_records: u64,
    pub lines_in: u64,
    pub lines_out: u64,
    pub chars_in: u64,
    pub chars_out: u64,
    /// Removals by reason, indexed by [`Reason::index`].
    pub removed: [Removed; Reason::ALL.len()],
    /// The lines and characters a document rejected whole still held when it went: all of
    /// a document a `drop-doc` rule matched, the cleaned text of a copy. They are in the
    /// rejected output, not the audit.
    pub in_rejected: Removed,
    /// Documents in a candidate pair of near copies, shingled again for exact Jaccard,
    /// their distinct shingles, and the bytes their sets take
    /// ([`crate::dedup::ShingleSets::heap_bytes`]).
    pub verified_docs: u64,
    pub verified_shingles: u64,
    pub verified_set_bytes: u64,
    /// Of those, the sets kept in a temporary file past `--verify-memory`, and how many
    /// times one was read back.
    pub stashed_sets: u64,
    pub sets_read_back: u64,
    /// Documents of an earlier run (`--against`), and documents of this one found to copy
    /// one of them.
    pub earlier_docs: u64,
    pub earlier_copies: u64,
    top: TopLines,
}

/// Removed lines by fingerprint: how often, and the first text seen. A document's own
/// removals are only noted (one buffer for all their texts); they are counted into the
/// table when merged, so that a line's text is copied once per run, not once per copy.
///
/// Memory is bounded: when the table holds twice [`TOP_LINES_KEPT`] lines, it keeps the
/// [`TOP_LINES_KEPT`] removed most often so far (fewer where counts tie) and forgets the
/// rest, most of them lines removed once (what the model removes is mostly text of one
/// page). A line kept is counted exactly from its first removal; one forgotten and seen
/// again starts over, so a count is never more than the truth. Stats are merged in input
/// order, so what is forgotten does not depend on the threads.
#[derive(Debug, Clone)]
struct TopLines {
    counted: HashMap<u64, (u64, String), BuildNoHashHasher<u64>>,
    noted: Vec<(u64, usize)>,
    noted_text: String,
    /// Lines kept at each pruning ([`TOP_LINES_KEPT`]; smaller in tests).
    kept: usize,
}

impl Default for TopLines {
    fn default() -> Self {
        TopLines {
            counted: HashMap::default(),
            noted: Vec::new(),
            noted_text: String::new(),
            kept: TOP_LINES_KEPT,
        }
    }
}

/// How many lines the report's table of lines removed most often keeps when it prunes.
/// With at most [`TOP_LINE_BYTES`] of text each, the table (twice as many lines
/// before it prunes, in a hash table of 2^19 slots) stays under 100 MB however large the
/// corpus (about 40 MB where removed lines average 50 bytes).
pub const TOP_LINES_KEPT: usize = 1 << 17;

/// The most of a removed line's text the report keeps (cut at a character, then `…`):
/// enough to tell a footer or a menu, and a bound on the table's memory.
pub const TOP_LINE_BYTES: usize = 256;

/// `text`, cut to [`TOP_LINE_BYTES`] at a character boundary with `…` after the cut.
fn clipped(text: &str) -> String {
    if text.len() <= TOP_LINE_BYTES {
        return text.to_string();
    }
    let mut end = TOP_LINE_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

impl TopLines {
    fn note(&mut self, key: u64, text: &str) {
        self.noted_text.push_str(text);
        self.noted.push((key, self.noted_text.len()));
    }

    fn count(&mut self, key: u64, n: u64, text: &str) {
        self.counted
            .entry(key)
            .or_insert_with(|| (0, clipped(text)))
            .0 += n;
        if self.counted.len() >= 2 * self.kept {
            self.prune();
        }
    }

    /// Keeps the `kept` lines counted most often (fewer where counts tie at the cut).
    fn prune(&mut self) {
        let mut counts: Vec<u64> = self.counted.values().map(|&(n, _)| n).collect();
        let Some(cut) = counts.len().checked_sub(self.kept + 1) else {
            return;
        };
        // The count of the most frequent line that goes: every line above it stays.
        let (_, &mut below, _) = counts.select_nth_unstable(cut);
        self.counted.retain(|_, &mut (n, _)| n > below);
    }

    /// The noted lines, in order: each note ends where the next begins.
    fn notes<'a>(noted: &'a [(u64, usize)], text: &'a str) -> impl Iterator<Item = (u64, &'a str)> {
        let mut start = 0;
        noted.iter().map(move |&(key, end)| {
            let line = &text[start..end];
            start = end;
            (key, line)
        })
    }

    /// Counts this table's own notes.
    fn flush(&mut self) {
        let noted = std::mem::take(&mut self.noted);
        let text = std::mem::take(&mut self.noted_text);
        for (key, line) in Self::notes(&noted, &text) {
            self.count(key, 1, line);
        }
    }

    fn merge(&mut self, later: TopLines) {
        self.flush();
        for (key, (n, text)) in later.counted {
            self.count(key, n, &text);
        }
        for (key, line) in Self::notes(&later.noted, &later.noted_text) {
            self.count(key, 1, line);
        }
    }
}

impl Stats {
    pub fn reject(&mut self, reason: &'static str) {
        *self.rejected.entry(reason).or_insert(0) += 1;
    }

    pub fn remove_line(&mut self, reason: Reason, key: u64, text: &str) {
        let r = &mut self.removed[reason.index()];
        r.lines += 1;
        r.chars += text.chars().count() as u64;
        self.top.note(key, text.trim());
    }

    /// Adds `later`, which comes after `self` in input order.
    pub fn merge(&mut self, later: Stats) {
        self.docs_in += later.docs_in;
        self.docs_out += later.docs_out;
        self.bad_records += later.bad_records;
        for (k, v) in later.rejected {
            *self.rejected.entry(k).or_insert(0) += v;
        }
        self.lines_in += later.lines_in;
        self.lines_out += later.lines_out;
        self.chars_in += later.chars_in;
        self.chars_out += later.chars_out;
        self.verified_docs += later.verified_docs;
        self.verified_shingles += later.verified_shingles;
        self.verified_set_bytes += later.verified_set_bytes;
        self.stashed_sets += later.stashed_sets;
        self.sets_read_back += later.sets_read_back;
        self.earlier_docs += later.earlier_docs;
        self.earlier_copies += later.earlier_copies;
        for (mine, theirs) in self.removed.iter_mut().zip(later.removed) {
            mine.lines += theirs.lines;
            mine.chars += theirs.chars;
        }
        self.in_rejected.lines += later.in_rejected.lines;
        self.in_rejected.chars += later.in_rejected.chars;
        self.top.merge(later.top);
    }

    pub fn docs_rejected(&self) -> u64 {
        self.rejected.values().sum()
    }

    /// The most often removed lines, most first, ties by text.
    pub fn top_removed(&self, n: usize) -> Vec<TopLine> {
        let mut top = self.top.clone();
        top.flush();
        let mut all: Vec<TopLine> = top
            .counted
            .values()
            .map(|(count, text)| TopLine {
                count: *count,
                text: text.clone(),
            })
            .collect();
        all.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.text.cmp(&b.text)));
        all.truncate(n);
        all
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopLine {
    pub count: u64,
    pub text: String,
}

/// The JSON summary written by `--report`.
#[derive(Debug, Serialize)]
pub struct Report {
    pub deboil: &'static str,
    pub hash: &'static str,
    pub normalize_version: u32,
    pub documents: DocumentCounts,
    pub lines: LineCounts,
    pub chars: InOut,
    pub removed: BTreeMap<&'static str, Removed>,
    pub top_removed: Vec<TopLine>,
    pub tables: TableStats,
    pub dedup: DedupCounts,
}

/// What exact verification of near copies held in memory, and what it kept out of it.
#[derive(Debug, Serialize)]
pub struct DedupCounts {
    /// Documents in a candidate pair, shingled again from their clean records.
    pub verified_documents: u64,
    /// Their distinct shingles.
    pub verified_shingles: u64,
    /// The bytes their sets take: the shingle keys, where each shingle stands, the lines'
    /// fingerprints.
    pub verified_set_bytes: u64,
    /// Sets kept in a temporary file, past `--verify-memory`.
    pub stashed_sets: u64,
    /// Times a set was read back from that file (counting a set read again).
    pub sets_read_back: u64,
    /// Documents an earlier run kept, read from `--against`.
    pub earlier_documents: u64,
    /// Documents of this run rejected as copies of those.
    pub earlier_copies: u64,
}

#[derive(Debug, Serialize)]
pub struct DocumentCounts {
    #[serde(rename = "in")]
    pub docs_in: u64,
    #[serde(rename = "out")]
    pub docs_out: u64,
    pub rejected: u64,
    pub rejected_by_reason: BTreeMap<&'static str, u64>,
    pub bad_records: u64,
    /// `in == out + rejected`: every document is accounted for.
    pub accounted: bool,
}

#[derive(Debug, Serialize)]
pub struct InOut {
    #[serde(rename = "in")]
    pub count_in: u64,
    #[serde(rename = "out")]
    pub count_out: u64,
    /// In documents rejected whole after they were read ([`Stats::in_rejected`]).
    pub in_rejected_documents: u64,
}

/// Non-blank lines in and out, and where the others went.
#[derive(Debug, Serialize)]
pub struct LineCounts {
    #[serde(flatten)]
    pub counts: InOut,
    /// `in == out + removed (all reasons) + in_rejected_documents`: every line is in the
    /// clean output, the audit or a rejected document.
    pub accounted: bool,
}

impl Report {
    pub fn new(stats: &Stats, tables: TableStats) -> Report {
        let rejected = stats.docs_rejected();
        Report {
            deboil: env!("CARGO_PKG_VERSION"),
            hash: HASH_ALGORITHM,
            normalize_version: NORMALIZE_VERSION,
            documents: DocumentCounts {
                docs_in: stats.docs_in,
                docs_out: stats.docs_out,
                rejected,
                rejected_by_reason: stats.rejected.clone(),
                bad_records: stats.bad_records,
                accounted: stats.docs_in == stats.docs_out + rejected,
            },
            lines: LineCounts {
                counts: InOut {
                    count_in: stats.lines_in,
                    count_out: stats.lines_out,
                    in_rejected_documents: stats.in_rejected.lines,
                },
                accounted: stats.lines_in
                    == stats.lines_out
                        + stats.removed.iter().map(|r| r.lines).sum::<u64>()
                        + stats.in_rejected.lines,
            },
            chars: InOut {
                count_in: stats.chars_in,
                count_out: stats.chars_out,
                in_rejected_documents: stats.in_rejected.chars,
            },
            removed: Reason::ALL
                .iter()
                .map(|r| (r.as_str(), stats.removed[r.index()]))
                .collect(),
            top_removed: stats.top_removed(TOP_REMOVED),
            tables,
            dedup: DedupCounts {
                verified_documents: stats.verified_docs,
                verified_shingles: stats.verified_shingles,
                verified_set_bytes: stats.verified_set_bytes,
                stashed_sets: stats.stashed_sets,
                sets_read_back: stats.sets_read_back,
                earlier_documents: stats.earlier_docs,
                earlier_copies: stats.earlier_copies,
            },
        }
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("a report always serializes");
        s.push('\n');
        s
    }

    /// The human summary printed on stderr.
    pub fn to_text(&self) -> String {
        let d = &self.documents;
        let pct = |a: u64, b: u64| {
            if b == 0 {
                0.0
            } else {
                100.0 * a as f64 / b as f64
            }
        };
        let mut s = format!(
            "documents: {} in, {} out, {} rejected{}\n",
            d.docs_in,
            d.docs_out,
            d.rejected,
            if d.accounted {
                ""
            } else {
                " (NOT ACCOUNTED FOR)"
            }
        );
        if !d.rejected_by_reason.is_empty() {
            let parts: Vec<String> = d
                .rejected_by_reason
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect();
            s += &format!("  rejected: {}\n", parts.join(", "));
        }
        if self.dedup.earlier_documents > 0 {
            s += &format!(
                "  of them copies of an earlier run's documents (--against): {} (of {} read)\n",
                self.dedup.earlier_copies, self.dedup.earlier_documents
            );
        }
        s += &format!(
            "lines: {} in, {} out ({:.1}% removed)\nchars: {} in, {} out ({:.1}% removed)\n",
            self.lines.counts.count_in,
            self.lines.counts.count_out,
            pct(
                self.lines.counts.count_in - self.lines.counts.count_out,
                self.lines.counts.count_in
            ),
            self.chars.count_in,
            self.chars.count_out,
            pct(
                self.chars.count_in.saturating_sub(self.chars.count_out),
                self.chars.count_in
            ),
        );
        s += "removed by reason:\n";
        for (reason, r) in &self.removed {
            s += &format!("  {reason:<7} {:>9} lines {:>11} chars\n", r.lines, r.chars);
        }
        let whole = (
            self.lines.counts.in_rejected_documents,
            self.chars.in_rejected_documents,
        );
        if whole.0 > 0 {
            s += &format!(
                "in rejected documents (copies, drop-doc): {} lines, {} chars\n",
                whole.0, whole.1
            );
        }
        if !self.lines.accounted {
            s += "lines: NOT ACCOUNTED FOR (out + removed + in rejected documents != in)\n";
        }
        if !self.top_removed.is_empty() {
            s += "most removed lines:\n";
            for t in &self.top_removed {
                s += &format!("  {:>7}  {}\n", t.count, ellipsize(&t.text, 90));
            }
        }
        s
    }
}

fn ellipsize(s: &str, max_chars: usize) -> String {
    if s.chars().count() <= max_chars {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max_chars - 1).collect();
        cut + "…"
    }
}

/// One line of the audit output.
#[derive(Debug, Serialize)]
pub struct AuditRecord<'a> {
    pub id: &'a RawValue,
    /// 1-based line number in the original text.
    pub line: usize,
    /// Byte span of the line in the original text.
    pub start: usize,
    pub end: usize,
    pub reason: &'static str,
    pub docs: u32,
    pub copies: u32,
    #[serde(skip_serializing_if = "is_zero")]
    pub site_pages: u32,
    #[serde(skip_serializing_if = "is_zero")]
    pub site_size: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub near_share: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<&'a str>,
    /// The line model's score (probability of boilerplate), when a model judged it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f32>,
    /// Last, so that a line's evidence reads before its (possibly long) text.
    pub text: &'a str,
}

impl<'a> AuditRecord<'a> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: &'a RawValue,
        line: usize,
        span: (usize, usize),
        reason: Reason,
        text: &'a str,
        evidence: &Evidence,
        rule: Option<&'a str>,
    ) -> Self {
        AuditRecord {
            id,
            line,
            start: span.0,
            end: span.1,
            reason: reason.as_str(),
            text,
            docs: evidence.docs,
            copies: evidence.copies,
            site_pages: evidence.site_pages,
            site_size: evidence.site_size,
            near_share: evidence.near_share,
            rule,
            score: evidence.score,
        }
    }
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// One line of the rejected output: where the document came from, why it went, and the
/// document itself (or, for a record that is not JSON, its bytes as text).
#[derive(Debug, Serialize)]
pub struct RejectedRecord<'a> {
    pub source: &'a str,
    pub reason: &'static str,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<&'a RawValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<&'a RawValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw: Option<&'a str>,
    /// For a copy: the id of the document that survives in its place.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub survivor: Option<&'a RawValue>,
    /// For a copy: its Jaccard similarity to the survivor (1 for an exact copy).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub similarity: Option<f64>,
}

/// Appends `value` as one JSONL line.
pub fn push_jsonl(value: &impl Serialize, out: &mut Vec<u8>) {
    serde_json::to_writer(&mut *out, value).expect("audit and rejected records always serialize");
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_lines_count_and_break_ties_by_text() {
        let mut a = Stats::default();
        a.remove_line(Reason::Corpus, 1, "Share");
        a.remove_line(Reason::Corpus, 2, "Home");
        let mut b = Stats::default();
        b.remove_line(Reason::Site, 1, "share");
        b.remove_line(Reason::Site, 3, "About");
        a.merge(b);
        let top = a.top_removed(2);
        assert_eq!(
            top[0],
            TopLine {
                count: 2,
                text: "Share".into()
            }
        );
        assert_eq!(top[1].text, "About");
        assert_eq!(a.removed[Reason::Site.index()].lines, 2);
    }

    #[test]
    fn removed_lines_are_counted_in_bounded_memory() {
        // One line in four is a footer; the rest are each removed once.
        let stream = |stats: &mut Stats, kept: usize| {
            stats.top.kept = kept;
            let mut most = 0;
            for i in 0..4000u64 {
                let mut doc = Stats::default();
                if i % 4 == 0 {
                    doc.remove_line(Reason::Corpus, 0, "Copyright Example Ltd");
                } else {
                    doc.remove_line(Reason::Model, i + 1, &format!("teaser {i}"));
                }
                stats.merge(doc);
                most = most.max(stats.top.counted.len());
            }
            most
        };
        let mut bounded = Stats::default();
        let most = stream(&mut bounded, 8);
        assert!(most <= 16, "held {most} lines at once, for 8 kept");
        let mut whole = Stats::default();
        stream(&mut whole, usize::MAX / 2);
        assert_eq!(whole.top.counted.len(), 3001);
        // The footer, counted from its first removal, is exact; so is the order.
        let top = bounded.top_removed(1);
        assert_eq!(top, whole.top_removed(1));
        assert_eq!(top[0].count, 1000);
        // No count above the truth.
        for line in bounded.top_removed(20) {
            assert!(
                line.count
                    <= whole
                        .top
                        .counted
                        .values()
                        .find(|v| v.1 == line.text)
                        .map_or(0, |v| v.0)
            );
        }
    }

    #[test]
    fn long_removed_lines_are_kept_clipped_at_a_character() {
        let mut s = Stats::default();
        let long = "é".repeat(200);
        s.remove_line(Reason::Model, 7, &long);
        let top = s.top_removed(1);
        assert_eq!(top[0].text, format!("{}…", "é".repeat(128)));
        assert_eq!(clipped("Share"), "Share");
    }

    #[test]
    fn report_says_whether_every_document_is_accounted_for() {
        let mut s = Stats {
            docs_in: 3,
            docs_out: 2,
            ..Stats::default()
        };
        s.reject("empty");
        let r = Report::new(&s, crate::count::Counts::default().stats());
        assert!(r.documents.accounted);
        assert!(
            r.to_text()
                .starts_with("documents: 3 in, 2 out, 1 rejected\n")
        );
        assert!(
            !r.to_text().contains("--against"),
            "no earlier run, no line"
        );
        s.earlier_docs = 19;
        s.earlier_copies = 1;
        let r = Report::new(&s, crate::count::Counts::default().stats());
        assert!(
            r.to_text()
                .contains("copies of an earlier run's documents (--against): 1 (of 19 read)\n"),
            "{}",
            r.to_text()
        );
        s.docs_in = 4;
        assert!(
            !Report::new(&s, crate::count::Counts::default().stats())
                .documents
                .accounted
        );
    }

    #[test]
    fn report_says_where_every_line_went() {
        let mut s = Stats {
            lines_in: 10,
            lines_out: 5,
            ..Stats::default()
        };
        s.remove_line(Reason::Rule, 1, "Share");
        s.merge(Stats {
            in_rejected: Removed {
                lines: 4,
                chars: 120,
            },
            ..Stats::default()
        });
        let r = Report::new(&s, crate::count::Counts::default().stats());
        assert!(r.lines.accounted);
        assert_eq!(r.chars.in_rejected_documents, 120);
        assert!(
            r.to_text()
                .contains("in rejected documents (copies, drop-doc): 4 lines, 120 chars\n"),
            "{}",
            r.to_text()
        );
        s.lines_in = 11;
        let r = Report::new(&s, crate::count::Counts::default().stats());
        assert!(!r.lines.accounted);
        assert!(r.to_text().contains("lines: NOT ACCOUNTED FOR"));
    }
}
