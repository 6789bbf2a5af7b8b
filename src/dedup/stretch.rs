//! The matched stretch: how alike a later document is to the run of an earlier one's
//! lines that matches it best, with the lines cleaning judged twice, a site's own lines
//! and the lines the model doubts weighed as the README's "Copies of documents" says.
//! Pure; needs both documents' shingle sets with their lines ([`super::ShingleSets`]).

use std::ops::Range;

use super::*;

/// The exact Jaccard similarity of `later`'s shingles with those of the run of `earlier`'s
/// lines that matches them best: the run that reaches `t` if any does (see below). What
/// cleaning left of the earlier page's own template, its comments and related links, sits
/// outside that run and does not count, while everything `later` holds does: the later
/// document goes only if nearly all of its text is in the earlier one. The run reaches
/// over a line `later` lacks to a line next to it that `later` holds, such as the title
/// above a dropped first paragraph (`reach_anchors`). On either side,
/// shingles the other does not hold on lines that are also on other pages of the same site
/// ([`DocPrint::site_lines`]) do not count either: they are that site's template; nor do
/// those on lines the other's cleaning removed, nor those that reach across such lines
/// from one line both hold to the next. `earlier` and `later` need their
/// [`DocPrint::shingle_lines`]; 0 without them.
pub fn span_jaccard(earlier: &DocPrint, later: &DocPrint, t: f64) -> f64 {
    span_of(
        earlier,
        (
            earlier.shingles(),
            earlier.shingle_lines(),
            earlier.shingle_reach(),
        ),
        later,
        t,
    )
}

/// The lines a shingle starting on `line` spans, when it reaches past that line and how
/// far is known ([`ShingleSets::reach`]).
fn across(line: u32, reach: Option<&u8>) -> Option<Range<u32>> {
    let reach = *reach.filter(|&&r| r > 0 && r < u8::MAX)?;
    Some(line..line + u32::from(reach) + 1)
}

/// Where each line of a document stands, by its fingerprint (the first of equal lines).
struct LineIndex(Vec<(u64, u32)>);

impl LineIndex {
    fn of(print: &DocPrint) -> LineIndex {
        let keys = print.line_keys().iter().enumerate();
        let mut index: Vec<(u64, u32)> = keys.map(|(i, &k)| (k, i as u32)).collect();
        index.sort_unstable();
        index.dedup_by_key(|x| x.0);
        LineIndex(index)
    }

    fn line(&self, key: u64) -> Option<u32> {
        let at = self.0.binary_search_by_key(&key, |x| x.0).ok()?;
        Some(self.0[at].1)
    }
}

/// [`span_jaccard`] with `e`, `lines` and `reach` in place of `earlier`'s shingles, the
/// line each starts on (numbered as its [`DocPrint::shingle_lines`]) and how far it
/// reaches.
pub(super) fn span_of(
    earlier: &DocPrint,
    (e, lines, reach): (&[u64], &[u32], &[u8]),
    later: &DocPrint,
    t: f64,
) -> f64 {
    let l = later.shingles();
    if l.is_empty() || lines.len() != e.len() || e.is_empty() {
        return 0.0;
    }
    // Which shingles of each the other holds (both are sorted).
    let (mut e_held, mut l_held) = (vec![false; e.len()], vec![false; l.len()]);
    let (mut i, mut j) = (0, 0);
    while i < e.len() && j < l.len() {
        match e[i].cmp(&l[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                (e_held[i], l_held[j]) = (true, true);
                i += 1;
                j += 1;
            }
        }
    }
    let on_site = |print: &DocPrint, line: u32| print.site_lines.binary_search(&line).is_ok();
    // A line the other document's cleaning removed: cleaning judged it twice, differently.
    let removed_by = |print: &DocPrint, other: &DocPrint, line: u32| {
        (print.line_keys().get(line as usize))
            .is_some_and(|key| other.removed().binary_search(key).is_ok())
    };
    let aside = |print: &DocPrint, other: &DocPrint, line: u32| {
        on_site(print, line) || removed_by(print, other, line)
    };
    let (e_lines, l_lines) = (LineIndex::of(earlier), LineIndex::of(later));
    // A shingle across lines whose lines not set aside are all held whole by the other
    // document, in the same order, with nothing between them there but lines set aside
    // there: the two differ only by what one's cleaning removed or its site repeats
    // between them, so it counts on neither side. (Across a line one holds and the other
    // does not, a dropped or added paragraph, it counts.)
    let junction = |print: &DocPrint, other: &DocPrint, in_other: &LineIndex, lines: Range<u32>| {
        let mut before: Option<u32> = None;
        for line in lines {
            if aside(print, other, line) {
                continue;
            }
            let Some(at) = (print.line_keys().get(line as usize)).and_then(|k| in_other.line(*k))
            else {
                return false;
            };
            if let Some(b) = before
                && (at <= b || !(b + 1..at).all(|between| aside(other, print, between)))
            {
                return false;
            }
            before = Some(at);
        }
        true
    };
    // (held, counted) per line of `earlier`. An unheld shingle counts in full on a line
    // `later` holds part of; on a line it holds none of, as much as the line is likely
    // content (see [`DOUBT_POWER`]); and not at all on a site line or a line `later` had
    // removed.
    let n_lines = lines.iter().max().map_or(0, |&m| m as usize + 1);
    let mut held_unheld = vec![(0u32, 0u32); n_lines];
    for (k, (&line, &held)) in lines.iter().zip(&e_held).enumerate() {
        let c = &mut held_unheld[line as usize];
        if held {
            c.0 += 1;
        } else if !aside(earlier, later, line)
            && !(across(line, reach.get(k)))
                .is_some_and(|lines| junction(earlier, later, &l_lines, lines))
        {
            c.1 += 1;
        }
    }
    let weight_of = |line: usize| {
        (earlier.line_weights.get(line)).map_or(1.0, |&w| (f64::from(w) / 255.0).powi(DOUBT_POWER))
    };
    let per_line: Vec<(u32, f64)> = (held_unheld.iter().enumerate())
        .map(|(line, &(held, unheld))| {
            let w = if held > 0 { 1.0 } else { weight_of(line) };
            (held, f64::from(held) + w * f64::from(unheld))
        })
        .collect();
    if later.shingle_lines().len() != l.len() {
        return 0.0;
    }
    let l_reach = later.shingle_reach();
    let later_counted = (l_held.iter().zip(later.shingle_lines()).enumerate())
        .filter(|&(k, (&held, &line))| {
            held || !(aside(later, earlier, line)
                || (across(line, l_reach.get(k)))
                    .is_some_and(|lines| junction(later, earlier, &e_lines, lines)))
        })
        .count();
    // A stretch of `both` held shingles among `span` counted ones reaches Jaccard `t` when
    // both / (span + later_counted - both) >= t, that is when the sum over its lines of
    // (1 + t) held - t counted is at least t later_counted: the stretch with the greatest
    // sum (Kadane; the earliest of equals) reaches `t` if any does.
    let weight = |&(held, counted): &(u32, f64)| (1.0 + t) * f64::from(held) - t * counted;
    let (mut best, mut best_range) = (0.0, None);
    let (mut sum, mut start) = (0.0, 0);
    for (i, c) in per_line.iter().enumerate() {
        if sum <= 0.0 {
            (sum, start) = (0.0, i);
        }
        sum += weight(c);
        if sum > best {
            (best, best_range) = (sum, Some(start..i + 1));
        }
    }
    let Some(range) = best_range else {
        return 0.0;
    };
    let range = reach_anchors(range, &per_line, earlier, (later, &l_lines));
    let (both, span) = per_line[range]
        .iter()
        .fold((0.0, 0.0), |(b, s), &(held, counted)| {
            (b + f64::from(held), s + counted)
        });
    both / (span + later_counted as f64 - both)
}

/// Widens the stretch `range` of `earlier`'s lines that best matches `later` (see
/// [`span_of`]; `per_line` holds each line's held shingles first) over lines just outside
/// it that are anchored: a line next to the stretch, or one line past it, that `later`
/// holds a shingle of or holds whole, or a short line ([`ShingleSets::short_lines`]) that
/// `later` holds whole just past a line next to it. What the stretch leaves out at either
/// end is what cleaning left of the earlier page's template, which the later one does not
/// carry; a paragraph between the title both hold and the stretch is one the later copy
/// dropped, and counts against it. `in_later` indexes `later`'s lines, as [`span_of`]
/// made it.
fn reach_anchors(
    range: Range<usize>,
    per_line: &[(u32, f64)],
    earlier: &DocPrint,
    (later, in_later): (&DocPrint, &LineIndex),
) -> Range<usize> {
    // A line the later page's cleaning removed was on it too.
    let holds = |key: &u64| {
        in_later.line(*key).is_some()
            || later.short_lines().iter().any(|(_, short)| short == key)
            || later.removed().binary_search(key).is_ok()
    };
    let anchor =
        |line: usize| per_line[line].0 > 0 || earlier.line_keys().get(line).is_some_and(holds);
    // A short line held whole just before line `line` (after the line before it).
    let short_before = |line: usize| {
        (earlier.short_lines().iter()).any(|(at, key)| *at as usize == line && holds(key))
    };
    let (mut start, mut end) = (range.start, range.end);
    loop {
        if start > 0 && (anchor(start - 1) || short_before(start - 1)) {
            start -= 1;
        } else if start > 1 && anchor(start - 2) {
            start -= 2;
        } else {
            break;
        }
    }
    let n = per_line.len();
    loop {
        if end < n && (anchor(end) || short_before(end + 1)) {
            end += 1;
        } else if end + 1 < n && anchor(end + 1) {
            end += 2;
        } else {
            break;
        }
    }
    start..end
}
