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
/// from one line both hold to the next. A passage `earlier` prints twice (a lead quoted in
/// a teaser, [`PlacedShingles::repeats`]) is in a stretch when either of its lines is.
/// `earlier` and `later` need their
/// [`DocPrint::shingle_lines`]; 0 without them.
pub fn span_jaccard(earlier: &DocPrint, later: &DocPrint, t: f64) -> f64 {
    (earlier.sets.as_ref()).map_or(0.0, |sets| span_of(earlier, &sets.set, later, t))
}

/// The lines a shingle starting on `line` spans, when it reaches past that line and how
/// far is known ([`PlacedShingles::reach`]).
fn across(line: u32, reach: u8) -> Option<Range<u32>> {
    (reach > 0 && reach < u8::MAX).then(|| line..line + u32::from(reach) + 1)
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

/// [`span_jaccard`] with `e` in place of `earlier`'s shingles and where they stand.
pub(super) fn span_of(earlier: &DocPrint, e: &PlacedShingles, later: &DocPrint, t: f64) -> f64 {
    let l = later.shingles();
    if l.is_empty() || e.lines.len() != e.shingles.len() || e.shingles.is_empty() {
        return 0.0;
    }
    // Which shingles of each the other holds (both are sorted).
    let (mut e_held, mut l_held) = (vec![false; e.shingles.len()], vec![false; l.len()]);
    let (mut i, mut j) = (0, 0);
    while i < e.shingles.len() && j < l.len() {
        match e.shingles[i].cmp(&l[j]) {
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
    if later.shingle_lines().len() != l.len() {
        return 0.0;
    }
    let l_reach = later.shingle_reach();
    let later_counted = (l_held.iter().zip(later.shingle_lines()).enumerate())
        .filter(|&(k, (&held, &line))| {
            held || !(aside(later, earlier, line)
                || (l_reach.get(k).and_then(|&r| across(line, r)))
                    .is_some_and(|lines| junction(later, earlier, &e_lines, lines)))
        })
        .count();
    let n_lines = (e.lines.iter().chain(e.repeats.iter().map(|r| &r.1)))
        .max()
        .map_or(0, |&m| m as usize + 1);
    let weight_of = |line: usize| {
        (earlier.line_weights.get(line)).map_or(1.0, |&w| (f64::from(w) / 255.0).powi(DOUBT_POWER))
    };
    // (held, counted) per line of `earlier`, each shingle on the occurrence `at` picks. An
    // unheld shingle counts in full on a line `later` holds part of; on a line it holds
    // none of, as much as the line is likely content (see [`DOUBT_POWER`]); and not at all
    // on a site line or a line `later` had removed.
    let tally = |at: &dyn Fn(usize) -> (u32, u8)| -> Vec<(u32, f64)> {
        let mut held_unheld = vec![(0u32, 0u32); n_lines];
        for (k, &held) in e_held.iter().enumerate() {
            let (line, reach) = at(k);
            let c = &mut held_unheld[line as usize];
            if held {
                c.0 += 1;
            } else if !aside(earlier, later, line)
                && !across(line, reach)
                    .is_some_and(|lines| junction(earlier, later, &l_lines, lines))
            {
                c.1 += 1;
            }
        }
        (held_unheld.iter().enumerate())
            .map(|(line, &(held, unheld))| {
                let w = if held > 0 { 1.0 } else { weight_of(line) };
                (held, f64::from(held) + w * f64::from(unheld))
            })
            .collect()
    };
    let first = |k: usize| (e.lines[k], e.reach.get(k).copied().unwrap_or(u8::MAX));
    let stretch = |at: &dyn Fn(usize) -> (u32, u8)| {
        best_stretch(&tally(at), earlier, (later, &l_lines), later_counted, t)
    };
    let Some((jaccard, range)) = stretch(&first) else {
        return 0.0;
    };
    if e.repeats.is_empty() {
        return jaccard;
    }
    // A shingle the earlier page prints on several lines (a lead quoted in a teaser above
    // the article, a pull quote) is in a stretch when any of its lines is. The stretch is
    // sought with each shingle on its first line and again on its last, then judged with
    // each shingle on its first line within it.
    let occurrences = |k: usize| {
        let from = e.repeats.partition_point(|r| (r.0 as usize) < k);
        let more = e.repeats[from..]
            .iter()
            .take_while(move |r| r.0 as usize == k);
        std::iter::once(first(k)).chain(more.map(|&(_, line, reach)| (line, reach)))
    };
    let last = |k: usize| occurrences(k).last().unwrap_or(first(k));
    let judged = |range: Range<usize>| {
        let within = |k: usize| {
            (occurrences(k).find(|&(line, _)| range.contains(&(line as usize)))).unwrap_or(first(k))
        };
        let (both, span) = sums(&tally(&within)[range.clone()]);
        both / (span + later_counted as f64 - both)
    };
    let mut best = judged(range);
    if let Some((_, range)) = stretch(&last) {
        best = best.max(judged(range));
    }
    best
}

/// The held and counted shingles of a stretch's lines.
fn sums(per_line: &[(u32, f64)]) -> (f64, f64) {
    per_line
        .iter()
        .fold((0.0, 0.0), |(b, s), &(held, counted)| {
            (b + f64::from(held), s + counted)
        })
}

/// The Jaccard of the later document with the stretch of the earlier one's lines
/// (`per_line`: held and counted shingles of each) that matches it best, and that stretch.
fn best_stretch(
    per_line: &[(u32, f64)],
    earlier: &DocPrint,
    later: (&DocPrint, &LineIndex),
    later_counted: usize,
    t: f64,
) -> Option<(f64, Range<usize>)> {
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
    let range = reach_anchors(best_range?, per_line, earlier, later);
    let (both, span) = sums(&per_line[range.clone()]);
    Some((both / (span + later_counted as f64 - both), range))
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
