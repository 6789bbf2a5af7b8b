//! Pass 2's pure core: given a document's fingerprinted lines, the corpus counts and the
//! rules, say for every line whether it stays, and if not, why.
//!
//! Nothing here reads files, formats output or knows about threads; [`crate::pipeline`]
//! calls [`decide`] for each document and [`crate::report`] writes what it returns.
//!
//! The order of evidence, strongest first:
//! 1. `rule`: a rule matched (a `cut` rule removes the rest of the document too);
//! 2. `corpus`: the line, or most of its shingles, occurs in many documents of the corpus;
//! 3. `site`: the line, or most of its shingles, occurs on many pages of the document's site;
//! 4. `repeat`: a later copy of a line seen earlier in the same document;
//! 5. `block`: a line inside a run of removed or repeated lines at the end of the document
//!    (or of removed lines at its start): footers, link lists, navigation.
//!
//! A content line that is merely repeated keeps its first copy; boilerplate loses every
//! copy, because its first copy is caught by one of the other stages.
//!
//! Text a copy shares is kept from stages 2 and 3 (and from the model): a run of prose
//! held by other documents and on one page of its site, or without a site of its
//! masthead ([`Site::masthead`]), and a document that is nearly all text held elsewhere
//! (`keep_copied_text`). Deduplication then judges the copies, and the first stays whole.
//!
//! With a line model ([`Params::model`], the default), stages 2 to 5 become evidence
//! instead of verdicts: [`crate::features`] turns them, the line's surface and its
//! neighbours into a row, the model scores it, and a line scoring at or above the
//! threshold is removed with reason `model`. Rules still decide first.

use std::collections::{HashMap, HashSet};

use nohash_hasher::BuildNoHashHasher;

use std::sync::Arc;

use crate::count::Counts;
use crate::features::{Facts, Row, ends_sentence, extract, position};
use crate::fingerprint::{LinePrint, Prepared};
use crate::model::{Scorer, logit};
use crate::rules::{Action, RuleCache, RuleSet};

/// Thresholds of the decision stage. Defaults live in [`crate::config`].
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    /// A line in at least this many documents is corpus boilerplate.
    pub corpus_min_docs: u32,
    /// A line on at least this many pages of its site is site boilerplate...
    pub site_min_pages: u32,
    /// ...provided that is also at least this share of the site's pages.
    pub site_min_share: f64,
    /// A line whose shingles are at least this share frequent counts as frequent itself.
    pub near_min_share: f64,
    /// A block may bridge this many consecutive short lines that are not removed.
    pub block_max_gap_lines: usize,
    /// Lines of at most this many words may be bridged inside a block.
    pub block_gap_max_words: u32,
    /// A trailing block of at least this many removed lines also takes the short heading
    /// line just above it ("More from …", "Related").
    pub block_heading_min_lines: usize,
    /// A heading has at most this many words and no sentence-final punctuation.
    pub block_heading_max_words: u32,
    /// The line model; `None` decides by the stages alone.
    pub model: Option<Arc<Scorer>>,
    /// A line whose model score is at least this is removed.
    pub threshold: f32,
    /// Record the model's score of every removed line in its evidence (for the audit);
    /// otherwise lines are scored only as far as their verdict needs.
    pub scores: bool,
    /// Record the model's score of every kept line too (deduplication weighs a line by
    /// how likely it is to be content).
    pub kept_scores: bool,
}

/// Why a line was removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    Rule,
    Corpus,
    Site,
    Repeat,
    Block,
    Model,
}

impl Reason {
    pub const ALL: [Reason; 6] = [
        Reason::Rule,
        Reason::Corpus,
        Reason::Site,
        Reason::Repeat,
        Reason::Block,
        Reason::Model,
    ];

    /// Position in [`Reason::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Rule => "rule",
            Reason::Corpus => "corpus",
            Reason::Site => "site",
            Reason::Repeat => "repeat",
            Reason::Block => "block",
            Reason::Model => "model",
        }
    }
}

/// What was known about a line when it was judged.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Evidence {
    /// Documents of the corpus holding the line.
    pub docs: u32,
    /// Pages of the document's site holding the line (0 without a site).
    pub site_pages: u32,
    /// Pages of the document's site in the corpus (0 without a site).
    pub site_size: u32,
    /// Without a site, pages of the document's masthead holding the line, for a line of
    /// prose ([`Site::masthead`]; 0 otherwise). Deduplication takes a line on two of them
    /// for the site's, as it does `site_pages`; the audit does not show it.
    pub masthead_pages: u32,
    /// Copies of the line in its own document.
    pub copies: u32,
    /// Share of the line's shingles that are frequent, when that decided.
    pub near_share: Option<f32>,
    /// Index of the matching rule in the [`RuleSet`].
    pub rule: Option<usize>,
    /// The line model's score, when a model judged the line.
    pub score: Option<f32>,
}

/// The verdict on one line. Blank lines get `removed: None`; whether they are written
/// depends on their neighbours (see [`keep_mask`]).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LineVerdict {
    pub removed: Option<Reason>,
    pub evidence: Evidence,
    /// Text a copy shares with pages of other sites (`shared_copy`): kept by the
    /// frequency stages and the model alike.
    pub shared: bool,
}

/// A line of prose (at least [`SHARED_MIN_WORDS`] words) held by pages of other sites but
/// not repeated on its own site's pages is evidence that the page is a copy of an article
/// (syndicated, reposted), not template: it is kept, so that the article survives whole
/// in one document and deduplication can see the copies. `pages` counts the pages of its
/// site holding the line, or without a site those of its masthead ([`Site::masthead`]).
/// Without either there is no such evidence (see [`keep_copied_text`] for what there is).
fn shared_copy(line: &LinePrint, docs: u32, pages: u32, params: &Params) -> bool {
    line.words >= SHARED_MIN_WORDS && docs > pages && pages < params.site_min_pages
}

/// Words a shared line needs to count as prose rather than a widget.
pub const SHARED_MIN_WORDS: u32 = 8;

/// Shared lines count only in a run of at least this many (non-blank lines, in a row): an
/// article's copy shares paragraph after paragraph, a cookie notice or a widget a line or
/// two.
pub const SHARED_MIN_RUN: usize = 3;

/// Words a shared run needs under a masthead, where a widget several sites print (a
/// comment form's three sentences) can be on one page of it: an article's copy shares
/// paragraphs.
pub const MASTHEAD_MIN_RUN_WORDS: u32 = 60;

/// Keeps the shared lines of long enough runs ([`SHARED_MIN_RUN`] lines) from the
/// frequency stages (`corpus`, `site`), and forgets that the lines of shorter runs were
/// shared. Under a masthead of `masthead` pages (0 for none), where only sentences are
/// shared, a run also needs [`MASTHEAD_MIN_RUN_WORDS`], and takes the line just above it
/// when that is [`held_elsewhere`]: its headline.
fn keep_shared_runs(
    lines: &[LinePrint],
    nonblank: &[usize],
    masthead: u32,
    verdicts: &mut [LineVerdict],
) {
    let min_words = if masthead > 0 {
        MASTHEAD_MIN_RUN_WORDS
    } else {
        0
    };
    let mut k = 0;
    while k < nonblank.len() {
        if !verdicts[nonblank[k]].shared {
            k += 1;
            continue;
        }
        let end = (k..nonblank.len())
            .find(|&e| !verdicts[nonblank[e]].shared)
            .unwrap_or(nonblank.len());
        let words: u32 = nonblank[k..end].iter().map(|&i| lines[i].words).sum();
        let long = end - k >= SHARED_MIN_RUN && words >= min_words;
        for &i in &nonblank[k..end] {
            if long {
                keep_shared(&mut verdicts[i]);
            } else {
                verdicts[i].shared = false;
            }
        }
        if let Some(&above) = k.checked_sub(1).and_then(|a| nonblank.get(a))
            && long
            && masthead > 0
            && verdicts[above].removed != Some(Reason::Rule)
            && held_elsewhere(&lines[above], &verdicts[above].evidence, masthead)
        {
            keep_shared(&mut verdicts[above]);
        }
        k = end;
    }
}

/// Marks a line as text a copy shares, and takes back a frequency stage's removal.
fn keep_shared(v: &mut LineVerdict) {
    v.shared = true;
    if matches!(v.removed, Some(Reason::Corpus | Reason::Site)) {
        v.removed = None;
        v.evidence.near_share = None;
    }
}

/// A document that is nearly all text held elsewhere keeps it when at least this share of
/// its words is one run of such sentences (`keep_copied_text`). At half, pages that were
/// mostly a long legal footer kept it (measured on `make eval-dedup`'s planted pages
/// cleaned without their sites).
pub const COPY_MIN_SHARE: f64 = 0.8;

/// Whether a line is held elsewhere the way a copy's text is: by other documents, and on
/// a site by at most half of its pages (a template's lines are on most of them); without
/// a site, by at most half of the `masthead` pages of its masthead ([`Site::masthead`]; 0
/// without one).
fn held_elsewhere(line: &LinePrint, ev: &Evidence, masthead: u32) -> bool {
    let (pages, size) = if ev.site_size > 0 {
        (ev.site_pages, ev.site_size)
    } else {
        (ev.masthead_pages, masthead)
    };
    line.words >= SHARED_MIN_WORDS && ev.docs > 1 && (size == 0 || pages <= 1 || 2 * pages <= size)
}

/// Keeps the text of a document that is a copy: one run of at least [`SHARED_MIN_RUN`]
/// sentences [`held_elsewhere`], making up at least [`COPY_MIN_SHARE`] of its words. The
/// run may pass over one line of prose not held elsewhere (a copy's edit: a word changed,
/// a sentence added), and the line held elsewhere just above it is its headline.
///
/// This is the evidence there is without a site, where an article held by five documents
/// and a footer printed on five pages look alike to the counts: a copy under a light
/// template is nearly all article, a footer a part of each page. On a site it keeps a page
/// stored twice with a changed sidebar, whose article is on two of its site's pages. Either
/// way deduplication then judges the copies, and the first stays whole.
fn keep_copied_text(
    text: &str,
    lines: &[LinePrint],
    nonblank: &[usize],
    masthead: u32,
    verdicts: &mut [LineVerdict],
) {
    let held = |i: usize| {
        verdicts[i].removed != Some(Reason::Rule)
            && held_elsewhere(&lines[i], &verdicts[i].evidence, masthead)
    };
    // A headline in a list of teasers is not a sentence.
    let member = |i: usize| held(i) && ends_sentence(lines[i].span.content(text));
    let bridges = |i: usize| lines[i].words >= SHARED_MIN_WORDS;
    let words = |idx: &[usize]| idx.iter().map(|&i| u64::from(lines[i].words)).sum::<u64>();
    // The longest run (by the words of all its lines): the lines it keeps, and its words.
    let mut longest: Option<(Vec<usize>, u64)> = None;
    let mut k = 0;
    while k < nonblank.len() {
        if !member(nonblank[k]) {
            k += 1;
            continue;
        }
        let from = match k.checked_sub(1) {
            Some(above) if held(nonblank[above]) => above,
            _ => k,
        };
        let mut sentences = 0;
        let mut end = k;
        while end < nonblank.len() {
            let i = nonblank[end];
            if member(i) {
                sentences += 1;
            } else if !(bridges(i) && nonblank.get(end + 1).is_some_and(|&n| member(n))) {
                break;
            }
            end += 1;
        }
        let span = &nonblank[from..end];
        let w = words(span);
        if sentences >= SHARED_MIN_RUN && longest.as_ref().is_none_or(|(_, l)| w > *l) {
            longest = Some((span.iter().copied().filter(|&i| held(i)).collect(), w));
        }
        k = end;
    }
    if let Some((run, w)) = longest
        && w as f64 >= COPY_MIN_SHARE * words(nonblank) as f64
    {
        for i in run {
            keep_shared(&mut verdicts[i]);
        }
    }
}

/// The verdict on a document.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// One verdict per line of the document.
    Lines(Vec<LineVerdict>),
    /// A `drop-doc` rule matched `line` (0-based).
    DropDoc { rule: usize, line: usize },
}

/// The site of a document, as counted in pass 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Site {
    pub hash: u64,
    pub pages: u32,
    /// The document has no site, and this is its masthead ([`crate::fingerprint::masthead`]),
    /// printed by `pages` documents (at least [`MASTHEAD_MIN_PAGES`]). Pass 1 counted only
    /// its prose lines on it, and it serves only to tell a copy's text from template
    /// (`shared_copy`, `held_elsewhere`, and deduplication's lines of a site): the
    /// `site` stage, the audit's evidence and the model see a document without a site.
    pub masthead: bool,
}

/// A masthead stands for a site when at least this many documents print it: a first line
/// no other document has is a page's own title, not a site's name.
pub const MASTHEAD_MIN_PAGES: u32 = 2;

impl Site {
    /// The masthead of a document without a site ([`Site::masthead`]), when at least
    /// [`MASTHEAD_MIN_PAGES`] of the documents pass 1 counted print it.
    pub fn of_masthead(doc: &Prepared, counts: &Counts) -> Option<Site> {
        let hash = crate::fingerprint::masthead(doc)?;
        let pages = counts.masthead_pages(hash);
        (pages >= MASTHEAD_MIN_PAGES).then_some(Site {
            hash,
            pages,
            masthead: true,
        })
    }
}

/// Judges every line of one document.
pub fn decide(
    text: &str,
    doc: &Prepared,
    site: Option<Site>,
    counts: &Counts,
    rules: (&RuleSet, &mut RuleCache),
    params: &Params,
) -> Verdict {
    let with_facts = params.model.is_some() && model_judges(text, &doc.lines);
    match (
        &params.model,
        describe(text, doc, site, counts, rules, params, with_facts),
    ) {
        (_, Described::DropDoc { rule, line }) => Verdict::DropDoc { rule, line },
        (Some(model), Described::Lines { mut verdicts, rows }) if with_facts => {
            apply_model(text, &doc.lines, &mut verdicts, &rows, model, params);
            Verdict::Lines(verdicts)
        }
        (_, Described::Lines { verdicts, .. }) => Verdict::Lines(verdicts),
    }
}

/// Documents with fewer non-blank lines than this are judged by the stages alone. The
/// model is fitted on pages (the shortest labelled page has 6 non-blank lines), and its
/// features read a window of two lines above and below: a line of a two-line note, a
/// title and a sentence, is outside anything it has seen.
pub const MODEL_MIN_LINES: usize = 5;

/// Whether the model judges a document of these lines ([`MODEL_MIN_LINES`]).
pub fn model_judges(text: &str, lines: &[LinePrint]) -> bool {
    lines
        .iter()
        .filter(|l| !l.is_blank(text))
        .nth(MODEL_MIN_LINES - 1)
        .is_some()
}

/// What the stages found before any model: verdicts by the stages alone, and each line's
/// features for the model.
#[derive(Debug, Clone, PartialEq)]
pub enum Described {
    Lines {
        verdicts: Vec<LineVerdict>,
        /// One row per line, or none when the model does not judge the document
        /// ([`model_judges`]).
        rows: Vec<Row>,
    },
    DropDoc {
        rule: usize,
        line: usize,
    },
}

/// Replaces the stages' verdicts by the model's on every line not
/// [`judged_before_model`]: a non-blank line is removed (reason `model`) when its score is
/// at least `threshold`. Then copies: a later copy of a line that a rule or a block
/// removed goes too (`repeat`: a footer printed twice); a kept line whose first copy
/// stands at the top of the page ([`LEAD_MAX_POSITION`]) keeps only that copy.
pub fn apply_model(
    text: &str,
    lines: &[LinePrint],
    verdicts: &mut [LineVerdict],
    rows: &[Row],
    model: &Scorer,
    params: &Params,
) {
    let target = logit(params.threshold);
    let scored =
        |(v, line): (&LineVerdict, &LinePrint)| !judged_before_model(v) && !line.is_blank(text);
    let margins = model.margins(
        verdicts
            .iter()
            .zip(lines)
            .zip(rows)
            .filter(|&(vl, _)| scored(vl))
            .map(|(_, row)| row),
    );
    let mut margins = margins.into_iter();
    for (v, line) in verdicts.iter_mut().zip(lines) {
        if !scored((v, line)) {
            continue;
        }
        let margin = margins.next().expect("one margin per scored line");
        let removed = margin >= target;
        let recorded = if removed {
            params.scores
        } else {
            params.kept_scores
        };
        v.evidence.score = recorded.then(|| crate::model::sigmoid(margin));
        v.evidence.near_share = None;
        v.removed = removed.then_some(Reason::Model);
    }
    // The fate of each line's first copy (removed by a rule or a block, or kept) and where
    // it stands.
    let mut first: HashMap<u64, (Option<Reason>, f32), BuildNoHashHasher<u64>> =
        HashMap::with_capacity_and_hasher(lines.len(), BuildNoHashHasher::default());
    for ((v, line), row) in verdicts.iter_mut().zip(lines).zip(rows) {
        let Some(exact) = line.exact else { continue };
        match first.get(&exact) {
            None => {
                first.insert(exact, (v.removed, position(row)));
            }
            Some((Some(Reason::Rule | Reason::Block), _)) if !judged_before_model(v) => {
                repeat(v);
            }
            Some((None, at))
                if v.removed.is_none()
                    && *at < LEAD_MAX_POSITION
                    && position(row) < LEAD_COPY_MAX_POSITION =>
            {
                repeat(v);
            }
            Some(_) => {}
        }
    }
}

/// Removes a line as `repeat`; a score recorded because the model kept it goes with it
/// (the audit gives the score only of lines the model removed).
fn repeat(v: &mut LineVerdict) {
    if v.removed.is_none() {
        v.evidence.score = None;
    }
    v.removed = Some(Reason::Repeat);
}

/// A kept line printed again further down is removed as `repeat` when its first copy
/// stands in this top fifth of the page's non-blank lines and the copy above
/// [`LEAD_COPY_MAX_POSITION`]: a standfirst or lead printed above the story and again as
/// its first paragraph. Elsewhere (comment threads quoting each other, a summary repeated
/// at the foot of a long page) every copy is content to a reader, and so to the model.
pub const LEAD_MAX_POSITION: f32 = 0.2;

/// How far down the page the second copy of a lead may stand (share of non-blank lines).
pub const LEAD_COPY_MAX_POSITION: f32 = 0.4;

/// Verdicts the model does not revisit: a rule's, a block's, and a shared copy's.
pub fn judged_before_model(v: &LineVerdict) -> bool {
    v.shared || matches!(v.removed, Some(Reason::Rule | Reason::Block))
}

/// Each line's document count and, on a known site, its page count there (0 for a line
/// without words). The look-ups miss the cache, so they run in loops of their own, where
/// the next ones need not wait for the last.
fn look_up(lines: &[LinePrint], site: Option<Site>, counts: &Counts) -> (Vec<u32>, Vec<u32>) {
    let keys: Vec<Option<u64>> = lines.iter().map(|l| l.key).collect();
    let docs = counts.line_docs_each(&keys);
    let site_pages = match site {
        Some(s) => {
            // A line in one document is on one page of its site: most lines, no look-up.
            // A masthead counted only prose lines.
            let counted = |l: &LinePrint| !s.masthead || l.words >= SHARED_MIN_WORDS;
            let shared: Vec<Option<u64>> = (keys.iter().zip(&docs).zip(lines))
                .map(|((k, &d), l)| k.filter(|_| d > 1 && counted(l)))
                .collect();
            let pages = counts.site_line_pages_each(s.hash, &shared);
            (pages.iter().zip(&docs))
                .map(|(&p, &d)| if d > 1 { p } else { d })
                .collect()
        }
        None => Vec::new(),
    };
    (docs, site_pages)
}

/// Runs the stages on one document and, when `with_facts`, gathers each line's [`Facts`]
/// and turns them into its row of features (else `rows` is empty).
pub fn describe(
    text: &str,
    doc: &Prepared,
    site: Option<Site>,
    counts: &Counts,
    rules: (&RuleSet, &mut RuleCache),
    params: &Params,
    with_facts: bool,
) -> Described {
    let (rules, cache) = rules;
    let lines = &doc.lines;
    let mut verdicts = vec![LineVerdict::default(); lines.len()];

    // Rules first: a drop-doc anywhere decides the whole document.
    let mut cut: Option<(usize, usize)> = None;
    for (i, line) in lines.iter().enumerate() {
        if line.is_blank(text) {
            continue;
        }
        let content = line.span.content(text);
        let Some(rule) = rules.first_match(content, cache) else {
            continue;
        };
        match rules.rule(rule).action {
            Action::DropDoc => return Described::DropDoc { rule, line: i },
            Action::Cut => {
                cut.get_or_insert((i, rule));
            }
            Action::Drop => {
                verdicts[i].removed = Some(Reason::Rule);
                verdicts[i].evidence.rule = Some(rule);
            }
        }
    }
    if let Some((from, rule)) = cut {
        for (v, line) in verdicts[from..].iter_mut().zip(&lines[from..]) {
            if !line.is_blank(text) {
                v.removed = Some(Reason::Rule);
                v.evidence.rule = Some(rule);
            }
        }
    }

    let copies = copies_in_document(lines.len(), lines.iter().filter_map(|l| l.exact));
    // A masthead tells copies' text from footers, and is no site for anything else.
    let (grouped, site) = (site, site.filter(|s| !s.masthead));
    let site_size = site.map_or(0, |s| s.pages);
    let site_counts = site.filter(|s| s.pages >= params.site_min_pages);
    let mut seen: HashSet<u64, BuildNoHashHasher<u64>> =
        HashSet::with_capacity_and_hasher(lines.len(), BuildNoHashHasher::default());
    let mut facts = Vec::new();
    if with_facts {
        facts = vec![Facts::default(); lines.len()];
    }
    let (docs, site_pages) = look_up(lines, grouped, counts);
    for (i, line) in lines.iter().enumerate() {
        let (Some(_), Some(exact)) = (line.key, line.exact) else {
            continue;
        };
        let first_copy = seen.insert(exact);
        let mut frequent = None;
        let v = &mut verdicts[i];
        let ev = &mut v.evidence;
        ev.docs = docs[i];
        if with_facts {
            let f = &mut facts[i];
            f.later_copy = !first_copy;
            frequent = frequent_shingles(doc.shingles_of(line), ev.docs, counts, params);
            f.shingle_share = frequent.map(|(k, n)| k as f32 / n as f32);
        }
        ev.copies = copies.get(&exact).copied().unwrap_or(1);
        ev.site_size = site_size;
        if site.is_some() {
            ev.site_pages = site_pages[i];
        } else if grouped.is_some() {
            ev.masthead_pages = site_pages[i];
        }
        if v.removed.is_some() {
            continue;
        }
        // Under a masthead, which may be several sites' ("Home", "Menu"), only sentences:
        // widgets sites share (a comment form, an archive list) are lines of another kind.
        if grouped.is_some_and(|g| !g.masthead || ends_sentence(line.span.content(text)))
            && shared_copy(line, ev.docs, site_pages[i], params)
        {
            v.shared = true;
        }
        let site_frequent =
            |pages: u32| site_counts.is_some_and(|s| site_frequent(pages, s.pages, params));
        v.removed = if ev.docs >= params.corpus_min_docs {
            Some(Reason::Corpus)
        } else if site_frequent(ev.site_pages) {
            Some(Reason::Site)
        } else if let Some(share) = if with_facts {
            // Counted already for the features: no second look-up of the shingles.
            frequent.and_then(|(k, n)| near_share(k, n, params))
        } else {
            near_repeat(doc.shingles_of(line), counts, params)
        } {
            ev.near_share = Some(share);
            Some(Reason::Corpus)
        } else if !first_copy {
            Some(Reason::Repeat)
        } else {
            None
        };
    }

    let nonblank: Vec<usize> = (0..lines.len())
        .filter(|&i| !lines[i].is_blank(text))
        .collect();
    let masthead = grouped.filter(|g| g.masthead).map_or(0, |g| g.pages);
    keep_shared_runs(lines, &nonblank, masthead, &mut verdicts);
    keep_copied_text(text, lines, &nonblank, masthead, &mut verdicts);

    let before_blocks: Vec<Option<Reason>> = if with_facts {
        verdicts.iter().map(|v| v.removed).collect()
    } else {
        Vec::new()
    };
    // Copies with digits folded: "Copyright 2019" printed under "Copyright 2020" is one
    // footer printed twice.
    let loose = copies_in_document(lines.len(), lines.iter().filter_map(|l| l.key));
    mark_blocks(text, lines, &nonblank, &loose, &mut verdicts, params);
    let mut rows = Vec::new();
    if with_facts {
        for (i, f) in facts.iter_mut().enumerate() {
            let (v, line) = (&verdicts[i], &lines[i]);
            let ev = &v.evidence;
            f.docs = ev.docs;
            f.site_pages = ev.site_pages;
            f.site_size = ev.site_size;
            f.copies = ev.copies;
            f.loose_copies = line.key.and_then(|k| loose.get(&k).copied()).unwrap_or(0);
            f.rule = v.removed == Some(Reason::Rule);
            f.frequent = matches!(
                before_blocks[i],
                Some(Reason::Corpus | Reason::Site | Reason::Repeat)
            );
            f.block = v.removed == Some(Reason::Block);
        }
    }
    if with_facts {
        rows = extract(text, lines, &facts);
    }
    Described::Lines { verdicts, rows }
}

/// How many of a line's shingles are held by at least `corpus_min_docs` documents, and
/// of how many (`None` without shingles). A line held by that many documents needs no
/// look-up: every document holding it holds its shingles.
fn frequent_shingles(
    shingles: &[u64],
    docs: u32,
    counts: &Counts,
    params: &Params,
) -> Option<(usize, usize)> {
    if shingles.is_empty() {
        return None;
    }
    if docs >= params.corpus_min_docs {
        return Some((shingles.len(), shingles.len()));
    }
    let frequent = shingles
        .iter()
        .filter(|&&s| counts.shingle_is_frequent(s, params.corpus_min_docs))
        .count();
    Some((frequent, shingles.len()))
}

fn site_frequent(pages: u32, site_pages: u32, params: &Params) -> bool {
    pages >= params.site_min_pages
        && f64::from(pages) >= params.site_min_share * f64::from(site_pages)
}

/// How many times each key occurs among `keys` (at most `capacity` of them).
fn copies_in_document(
    capacity: usize,
    keys: impl Iterator<Item = u64>,
) -> HashMap<u64, u32, BuildNoHashHasher<u64>> {
    let mut copies: HashMap<u64, u32, BuildNoHashHasher<u64>> =
        HashMap::with_capacity_and_hasher(capacity, BuildNoHashHasher::default());
    for key in keys {
        *copies.entry(key).or_insert(0) += 1;
    }
    copies
}

/// When most of a line's shingles are frequent in the corpus, the line is a variant of a
/// frequent line ("Posted by `<name>` on `<date>`"). Stops looking as soon as the share can no
/// longer be reached, since most lines are content and their shingles rare.
fn near_repeat(shingles: &[u64], counts: &Counts, params: &Params) -> Option<f32> {
    if shingles.is_empty() {
        return None;
    }
    let n = shingles.len() as f64;
    let mut frequent = 0usize;
    for (i, &s) in shingles.iter().enumerate() {
        if counts.shingle_is_frequent(s, params.corpus_min_docs) {
            frequent += 1;
        } else if (frequent + shingles.len() - i - 1) as f64 / n < params.near_min_share {
            return None;
        }
    }
    near_share(frequent, shingles.len(), params)
}

/// The share of frequent shingles when it makes the line a near repeat.
fn near_share(frequent: usize, of: usize, params: &Params) -> Option<f32> {
    let share = frequent as f64 / of as f64;
    (share >= params.near_min_share).then_some(share as f32)
}

/// Removes the head and tail blocks: runs of removed lines at either end of the document,
/// bridging short lines that sit between them. At the tail, first copies of lines that
/// repeat in the document count as removed too, because a page's footer and link lists are
/// where text is printed twice; at the head they do not, because a title printed again in
/// the body is still the title.
fn mark_blocks(
    text: &str,
    lines: &[LinePrint],
    nonblank: &[usize],
    loose: &HashMap<u64, u32, BuildNoHashHasher<u64>>,
    verdicts: &mut [LineVerdict],
    params: &Params,
) {
    // A short line that is not a sentence ("More Articles", "Home") may sit inside a block.
    let is_short = |i: usize| {
        lines[i].words <= params.block_gap_max_words && !ends_sentence(lines[i].span.content(text))
    };

    // Tail. Copies here are counted with digits folded (`loose`).
    let repeated = |i: usize| {
        lines[i]
            .key
            .is_some_and(|k| loose.get(&k).is_some_and(|&n| n > 1))
    };
    let tail_candidate = |i: usize| verdicts[i].removed.is_some() || repeated(i);
    let tail = scan(
        nonblank.iter().rev().copied(),
        tail_candidate,
        is_short,
        true,
        params,
    );
    if let Some((inner, found)) = tail {
        let pos = nonblank.iter().position(|&i| i == inner).unwrap_or(0);
        let mut from = pos;
        if found >= params.block_heading_min_lines && pos > 0 {
            let above = nonblank[pos - 1];
            if verdicts[above].removed.is_none() && is_heading(text, &lines[above], params) {
                from = pos - 1;
            }
        }
        for &i in &nonblank[from..] {
            verdicts[i].removed.get_or_insert(Reason::Block);
        }
    }

    // Head.
    let head_candidate = |i: usize| verdicts[i].removed.is_some();
    let head = scan(
        nonblank.iter().copied(),
        head_candidate,
        is_short,
        false,
        params,
    );
    if let Some((inner, _)) = head {
        for &i in nonblank.iter().take_while(|&&i| i <= inner) {
            verdicts[i].removed.get_or_insert(Reason::Block);
        }
    }
}

/// Walks from an edge of the document inwards; returns the innermost candidate line that is
/// still connected to the edge, and how many candidates were passed. `edge_gap` lets short
/// lines stand between the edge and the first candidate ("More Articles" under a list).
fn scan(
    order: impl Iterator<Item = usize>,
    candidate: impl Fn(usize) -> bool,
    short: impl Fn(usize) -> bool,
    edge_gap: bool,
    params: &Params,
) -> Option<(usize, usize)> {
    let mut inner = None;
    let mut found = 0;
    let mut gap = 0;
    for i in order {
        if candidate(i) {
            inner = Some(i);
            found += 1;
            gap = 0;
        } else if short(i) && gap < params.block_max_gap_lines && (edge_gap || inner.is_some()) {
            gap += 1;
        } else {
            break;
        }
    }
    inner.map(|i| (i, found))
}

fn is_heading(text: &str, line: &LinePrint, params: &Params) -> bool {
    line.words > 0
        && line.words <= params.block_heading_max_words
        && !ends_sentence(line.span.content(text))
}

/// Which lines are written: every line not removed, and blank lines only where they stand
/// before a kept line with another kept line somewhere above (so removing a header or a
/// footer leaves no empty lines at either end, and paragraphs stay apart).
pub fn keep_mask(text: &str, lines: &[LinePrint], verdicts: &[LineVerdict]) -> Vec<bool> {
    let blank = |i: usize| lines[i].is_blank(text);
    let mut keep: Vec<bool> = verdicts.iter().map(|v| v.removed.is_none()).collect();
    let mut kept_above = false;
    for (i, k) in keep.iter_mut().enumerate() {
        if !blank(i) {
            kept_above |= *k;
        } else if !kept_above {
            *k = false;
        }
    }
    let mut next_kept = false;
    for (i, k) in keep.iter_mut().enumerate().rev() {
        if !blank(i) {
            next_kept = *k;
        } else if !next_kept {
            *k = false;
        }
    }
    keep
}

/// The cleaned text: the kept lines with their own terminators. A text that did not end in
/// a newline does not gain one.
pub fn clean_text(text: &str, lines: &[LinePrint], keep: &[bool]) -> String {
    let mut out = String::with_capacity(text.len());
    for (line, &k) in lines.iter().zip(keep) {
        if k {
            out.push_str(&text[line.span.start..line.span.next]);
        }
    }
    if !text.ends_with('\n') && out.ends_with('\n') {
        out.pop();
        if out.ends_with('\r') {
            out.pop();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::count::DocKeys;
    use crate::fingerprint::{ShingleParams, prepare};
    use crate::rules::parse;

    const SHINGLES: ShingleParams = ShingleParams {
        words: 3,
        max_line_words: 24,
        stopwords: true,
    };

    fn params() -> Params {
        Params {
            corpus_min_docs: 3,
            site_min_pages: 2,
            site_min_share: 0.0,
            near_min_share: 0.8,
            block_max_gap_lines: 2,
            block_gap_max_words: 6,
            block_heading_min_lines: 3,
            block_heading_max_words: 5,
            model: None,
            threshold: 0.5,
            scores: false,
            kept_scores: false,
        }
    }

    fn counted(docs: &[&str]) -> Counts {
        let mut counts = Counts::default();
        let keys: Vec<DocKeys> = docs
            .iter()
            .map(|d| DocKeys::new(&prepare(d, &SHINGLES), None))
            .collect();
        counts.add_batch(&keys);
        counts
    }

    fn clean(text: &str, counts: &Counts, rules: &RuleSet) -> (String, Vec<Option<Reason>>) {
        let doc = prepare(text, &SHINGLES);
        match decide(
            text,
            &doc,
            None,
            counts,
            (rules, &mut rules.cache()),
            &params(),
        ) {
            Verdict::Lines(v) => {
                let keep = keep_mask(text, &doc.lines, &v);
                (
                    clean_text(text, &doc.lines, &keep),
                    v.iter().map(|l| l.removed).collect(),
                )
            }
            Verdict::DropDoc { .. } => panic!("dropped"),
        }
    }

    /// A model of no trees whose score is always `sigmoid(base)`, at threshold 0.5.
    fn constant_model(base: f32) -> Params {
        let names = crate::features::NAMES.join(" ");
        let text = format!("deboil-model 1\nthreshold 0.5\nfeatures {names}\nbase {base}\n");
        let model = crate::model::Model::parse(&text, "constant.model").expect("model");
        Params {
            model: Some(Arc::new(Scorer::new(model))),
            ..params()
        }
    }

    /// A model whose score is always 0.27: it keeps every line.
    fn keep_all_model() -> Params {
        constant_model(-1.0)
    }

    /// A model whose score is always 0.73: it removes every line it judges.
    fn remove_all_model() -> Params {
        constant_model(1.0)
    }

    #[test]
    fn documents_shorter_than_a_page_are_left_to_the_stages() {
        let params = remove_all_model();
        // Four non-blank lines, blanks between them: the stages keep all.
        let short = "A title\n\nA first sentence of a note.\n\nA second one.\nThe end.\n";
        let reasons = reasons_with(short, &params);
        assert!(reasons.iter().all(Option::is_none), "{reasons:?}");
        // A fifth line makes it a page for the model.
        let page = format!("{short}A signature.\n");
        let reasons = reasons_with(&page, &params);
        let removed = reasons.iter().filter(|r| **r == Some(Reason::Model));
        assert_eq!(removed.count(), 5, "{reasons:?}");
    }

    fn reasons_with(text: &str, params: &Params) -> Vec<Option<Reason>> {
        verdicts_with(text, params)
            .iter()
            .map(|l| l.removed)
            .collect()
    }

    fn verdicts_with(text: &str, params: &Params) -> Vec<LineVerdict> {
        let doc = prepare(text, &SHINGLES);
        let counts = counted(&[text]);
        let rules = RuleSet::empty();
        match decide(
            text,
            &doc,
            None,
            &counts,
            (&rules, &mut rules.cache()),
            params,
        ) {
            Verdict::Lines(v) => v,
            Verdict::DropDoc { .. } => panic!("dropped"),
        }
    }

    #[test]
    fn under_the_model_a_lead_printed_twice_keeps_one_copy_and_a_late_copy_stays() {
        let words = ["red", "green", "blue", "amber", "violet"];
        let body: Vec<String> = (0..20)
            .map(|i| {
                let (a, b) = (words[i % 5], words[i / 5]);
                format!("A paragraph of the story about {a} and {b} things, with its own words.")
            })
            .collect();
        let lead = "The lead says what happened, in one sentence.";
        // The lead on line 0, again on line 2; a quote on line 3, again on line 16 of 25.
        let quote = "A reader quoted near the top of the page.";
        let mut lines = vec![lead.to_string(), body[0].clone(), lead.to_string()];
        lines.push(quote.to_string());
        lines.extend(body[1..13].iter().cloned());
        lines.push(quote.to_string());
        lines.extend(body[13..].iter().cloned());
        let text = lines.join("\n");
        let reasons = reasons_with(&text, &keep_all_model());
        assert_eq!(reasons[0], None);
        assert_eq!(reasons[2], Some(Reason::Repeat), "the lead's second copy");
        assert_eq!(reasons[3], None);
        assert_eq!(reasons[16], None, "a copy further down stays");
        assert_eq!(reasons.iter().filter(|r| r.is_some()).count(), 1);
        // Scores of kept lines, for deduplication: the repeat, removed, has none (the
        // audit gives scores only of lines the model removed).
        let params = Params {
            kept_scores: true,
            ..keep_all_model()
        };
        let scores: Vec<Option<f32>> = verdicts_with(&text, &params)
            .iter()
            .map(|v| v.evidence.score)
            .collect();
        assert!((scores[0].expect("kept, scored") - 0.2689).abs() < 1e-3);
        assert_eq!(scores[2], None);
        assert_eq!(
            scores.iter().filter(|s| s.is_some()).count(),
            23,
            "of 24 lines"
        );
    }

    #[test]
    fn repeated_body_line_keeps_its_first_copy() {
        let text = "Lead paragraph of the story, long enough to be real.\nPhoto caption here.\nLead paragraph of the story, long enough to be real.\nA closing paragraph that says something else entirely.\n";
        let (out, reasons) = clean(text, &counted(&[text]), &RuleSet::empty());
        assert_eq!(
            out,
            "Lead paragraph of the story, long enough to be real.\nPhoto caption here.\nA closing paragraph that says something else entirely.\n"
        );
        assert_eq!(reasons[2], Some(Reason::Repeat));
    }

    #[test]
    fn footer_printed_twice_loses_both_copies() {
        let text = "A long article body paragraph that carries the actual story being told.\nFooter licence 123\nCopyright line\n\nFooter licence 123\nCopyright line";
        let (out, reasons) = clean(text, &counted(&[text]), &RuleSet::empty());
        assert_eq!(
            out,
            "A long article body paragraph that carries the actual story being told."
        );
        assert_eq!(
            reasons,
            [
                None,
                Some(Reason::Block),
                Some(Reason::Block),
                None,
                Some(Reason::Repeat),
                Some(Reason::Repeat)
            ]
        );
    }

    #[test]
    fn corpus_frequent_lines_go_everywhere() {
        let docs = [
            "Story one is about rain in the north.\nShare this page",
            "Story two is about sun in the south.\nShare this page",
            "Story three is about wind.\nShare this page",
        ];
        let counts = counted(&docs);
        let (out, reasons) = clean(docs[0], &counts, &RuleSet::empty());
        assert_eq!(out, "Story one is about rain in the north.");
        assert_eq!(reasons[1], Some(Reason::Corpus));
    }

    const ARTICLE: [&str; 5] = [
        "Scientists announce a new way to store the sun's energy for weeks",
        "Researchers said on Tuesday they had built a battery that stores solar heat.",
        "The device uses a salt solution that absorbs heat during the day.",
        "In tests lasting three months the battery kept nearly all of its energy.",
        "The team plans to open a small pilot plant in the north next year.",
    ];

    /// Without a site, an article copied under three outlets' headers is in every
    /// document, as a footer would be: the copies are nearly all that article, so each
    /// keeps it whole for deduplication to judge: the headline (not a sentence), and in the
    /// edited copy the sentences on both sides of its edit.
    #[test]
    fn without_a_site_a_copy_keeps_the_article_it_shares() {
        let edited = "In tests lasting four months the battery kept nearly all of its energy.";
        let docs = [
            format!("Northbank Times\n{}", ARTICLE.join("\n")),
            format!("EASTFIELD POST\n{}", ARTICLE.join("\n")).replace(ARTICLE[3], edited),
            format!(
                "Coastline Daily\n{}\nA sentence the third outlet added here.",
                ARTICLE.join("\n")
            ),
        ];
        let refs: Vec<&str> = docs.iter().map(String::as_str).collect();
        let counts = counted(&refs);
        for doc in &docs {
            let (out, reasons) = clean(doc, &counts, &RuleSet::empty());
            for line in ARTICLE.iter().filter(|l| doc.contains(*l)) {
                assert!(
                    out.contains(line),
                    "{line:?} went from {doc:?}: {reasons:?}"
                );
            }
        }
    }

    /// Held elsewhere: a line of prose in other documents, on a site on at most half of its
    /// pages (or on this one alone, the others being other sites'); a template's line is on
    /// most of them.
    #[test]
    fn held_elsewhere_means_other_documents_and_few_of_the_sites_pages() {
        let prose = prepare("one two three four five six seven eight", &SHINGLES).lines[0].clone();
        let short = prepare("one two three", &SHINGLES).lines[0].clone();
        let ev = |docs, site_pages, site_size| Evidence {
            docs,
            site_pages,
            site_size,
            ..Evidence::default()
        };
        assert!(held_elsewhere(&prose, &ev(5, 0, 0), 0));
        assert!(!held_elsewhere(&prose, &ev(1, 0, 0), 0));
        assert!(!held_elsewhere(&short, &ev(5, 0, 0), 0));
        assert!(held_elsewhere(&prose, &ev(2, 2, 7), 0));
        assert!(held_elsewhere(&prose, &ev(6, 1, 3), 0));
        assert!(!held_elsewhere(&prose, &ev(7, 7, 7), 0));
        assert!(!held_elsewhere(&prose, &ev(4, 4, 7), 0));
        // Without a site, the masthead's pages count as a site's would.
        let under = |docs, masthead_pages| Evidence {
            docs,
            masthead_pages,
            ..Evidence::default()
        };
        assert!(held_elsewhere(&prose, &under(5, 1), 3));
        assert!(!held_elsewhere(&prose, &under(5, 3), 3));
        assert!(held_elsewhere(&prose, &under(5, 3), 6));
    }

    /// Without a site, sentences every document prints are still removed when they are a
    /// part of each document rather than nearly all of it: a footer, not a copy.
    #[test]
    fn without_a_site_a_footer_of_sentences_still_goes() {
        let footer = "Northbank Times is published every morning by the river city press.\n\
            Reproduction of any part of this page is forbidden without written consent.\n\
            Send your letters and your corrections to the editor at the quay office.";
        let docs: Vec<String> = ["rain", "sun", "wind"]
            .iter()
            .map(|w| {
                format!(
                    "The {w} came to the valley on Monday and stayed for most of the week.\n\
                     Farmers said the {w} had changed their plans for the harvest this year.\n\
                     Officials in the town expect more {w} before the end of the month.\n{footer}"
                )
            })
            .collect();
        let refs: Vec<&str> = docs.iter().map(String::as_str).collect();
        let counts = counted(&refs);
        let (out, reasons) = clean(&docs[0], &counts, &RuleSet::empty());
        assert!(!out.contains("Reproduction"), "{out}");
        assert_eq!(reasons[3..], [Some(Reason::Corpus); 3]);
    }

    /// The pages of three outlets without sites, each opening with its outlet's two-line
    /// masthead and closing with a sidebar of three sentences the outlet prints on every
    /// page; one page of each carries an agency's article (`article`), and one a comment
    /// form of three short sentences that all three outlets print on one page. Every line
    /// of a sentence is in three documents (`corpus`, at the tests' `corpus_min_docs`).
    fn outlets(article: &str) -> Vec<String> {
        let form = "Your comment will appear after a moderator reads it.\n\
            Please keep your words kind and stay on the topic.\n\
            Comments that break these rules will be removed quickly.";
        let mut pages = Vec::new();
        for outlet in ["Northbank", "Eastfield", "Coastline"] {
            let masthead = format!("{outlet} Times\nNews | Sport | Weather | Letters");
            let sidebar = format!(
                "{outlet} readers voted the harbour walk the best place to spend a Sunday.\n\
                 The {outlet} choir will sing at the cathedral on the first night of spring.\n\
                 Subscribe to the {outlet} morning letter for the news before breakfast."
            );
            for (i, body) in [article, form, "The council met.\nNothing was decided."]
                .iter()
                .enumerate()
            {
                pages.push(format!("{masthead}\nStory {outlet} {i}\n{body}\n{sidebar}"));
            }
        }
        pages
    }

    /// Judges `text` as the pipeline does without a site: under its masthead when enough
    /// of the counted documents print it.
    fn clean_under_masthead(text: &str, counts: &Counts) -> (String, Vec<LineVerdict>) {
        let doc = prepare(text, &SHINGLES);
        let site = Site::of_masthead(&doc, counts);
        let none = RuleSet::empty();
        let v = match decide(
            text,
            &doc,
            site,
            counts,
            (&none, &mut none.cache()),
            &params(),
        ) {
            Verdict::Lines(v) => v,
            Verdict::DropDoc { .. } => panic!("dropped"),
        };
        let keep = keep_mask(text, &doc.lines, &v);
        (clean_text(text, &doc.lines, &keep), v)
    }

    /// Without sites, an agency's article on one page of each of three outlets is in
    /// three documents, as the outlet's sidebar is. What tells them apart is the
    /// masthead: the article is on one page of each outlet's, the sidebar on all of them.
    /// The article stays on every page, with its headline; the sidebar and a comment form
    /// too short to be an article go; the masthead gives no `site` evidence.
    #[test]
    fn without_a_site_an_article_on_one_page_of_its_masthead_stays() {
        let more = [
            "Engineers from two universities worked on the design for more than four years.",
            "The first homes could be heated this way before the end of the decade.",
        ];
        let article: Vec<&str> = ARTICLE.iter().chain(&more).copied().collect();
        let sentences = prepare(&article[1..].join("\n"), &SHINGLES);
        let words: u32 = sentences.lines.iter().map(|l| l.words).sum();
        assert!(words >= MASTHEAD_MIN_RUN_WORDS, "{words}");
        let article = article.join("\n");
        let pages = outlets(&article);
        let refs: Vec<&str> = pages.iter().map(String::as_str).collect();
        let counts = counted(&refs);
        for page in pages.iter().step_by(3) {
            let (out, verdicts) = clean_under_masthead(page, &counts);
            for line in ARTICLE.iter().chain(&more) {
                assert!(out.contains(line), "{line:?} went: {out}");
            }
            assert!(!out.contains("choir"), "{out}");
            assert!(verdicts.iter().all(|v| v.evidence.site_pages == 0));
            assert!(verdicts.iter().all(|v| v.evidence.site_size == 0));
            assert!(verdicts.iter().all(|v| v.removed != Some(Reason::Site)));
            // Without it, the article and the sidebar are alike held elsewhere, and kept
            // together as a copy's text.
            let (out, _) = clean(page, &counts, &RuleSet::empty());
            assert!(out.contains(ARTICLE[1]) && out.contains("choir"), "{out}");
        }
        for page in pages.iter().skip(1).step_by(3) {
            let (out, _) = clean_under_masthead(page, &counts);
            assert!(!out.contains("moderator"), "{out}");
        }
    }

    #[test]
    fn near_repeats_by_shingles() {
        let docs = [
            "Body one.\nposted by the staff writer team of the daily news desk alpha",
            "Body two.\nposted by the staff writer team of the daily news desk beta",
            "Body three.\nposted by the staff writer team of the daily news desk gamma",
        ];
        let counts = counted(&docs);
        let doc = prepare(docs[0], &SHINGLES);
        let none = RuleSet::empty();
        let Verdict::Lines(v) = decide(
            docs[0],
            &doc,
            None,
            &counts,
            (&none, &mut none.cache()),
            &params(),
        ) else {
            panic!("dropped")
        };
        assert_eq!(v[1].removed, Some(Reason::Corpus));
        assert!(v[1].evidence.near_share.expect("near") >= 0.8);
    }

    #[test]
    fn rules_drop_cut_and_drop_doc() {
        let rules = RuleSet::compile(
            parse(
                &b"t.drop drop ^Read more:\nt.cut cut ^-END-$\nt.doc drop-doc ^404$\n"[..],
                "t.rules",
            )
            .expect("parse"),
        )
        .expect("compile");
        let text = "Body stays here as a full sentence.\nRead more: other story\nSecond body line stays too.\n-END-\nnav one\nnav two\n";
        let (out, reasons) = clean(text, &counted(&[text]), &rules);
        assert_eq!(
            out,
            "Body stays here as a full sentence.\nSecond body line stays too.\n"
        );
        assert_eq!(reasons[1], Some(Reason::Rule));
        assert_eq!(reasons[5], Some(Reason::Rule));
        let doc = prepare("x\n404\n", &SHINGLES);
        let verdict = decide(
            "x\n404\n",
            &doc,
            None,
            &Counts::default(),
            (&rules, &mut rules.cache()),
            &params(),
        );
        assert_eq!(verdict, Verdict::DropDoc { rule: 2, line: 1 });
    }

    #[test]
    fn tail_list_takes_its_heading_but_not_the_last_sentence() {
        let text = "The talks proceeded in a comradely and constructive atmosphere. -0-\nMore From Agency\nteaser one\nMay 1\nteaser one\nteaser two\nMay 1\nteaser two\nMore Articles\n";
        let (out, _) = clean(text, &counted(&[text]), &RuleSet::empty());
        assert_eq!(
            out,
            "The talks proceeded in a comradely and constructive atmosphere. -0-\n"
        );
    }

    #[test]
    fn title_repeated_in_body_is_kept_at_the_head() {
        let text = "Big news today\nBig news today\nThe story itself follows in a long paragraph of text.\n";
        let (out, _) = clean(text, &counted(&[text]), &RuleSet::empty());
        assert_eq!(
            out,
            "Big news today\nThe story itself follows in a long paragraph of text.\n"
        );
    }

    #[test]
    fn kept_lines_are_a_subsequence_and_no_newline_is_invented() {
        let text = "keep one\n\nbad\n\nkeep two";
        let doc = prepare(text, &SHINGLES);
        let mut v = vec![LineVerdict::default(); doc.lines.len()];
        v[2].removed = Some(Reason::Rule);
        let keep = keep_mask(text, &doc.lines, &v);
        assert_eq!(keep, [true, false, false, true, true]);
        assert_eq!(clean_text(text, &doc.lines, &keep), "keep one\n\nkeep two");
        v[4].removed = Some(Reason::Rule);
        let keep = keep_mask(text, &doc.lines, &v);
        assert_eq!(clean_text(text, &doc.lines, &keep), "keep one");
    }
}
