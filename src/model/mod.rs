//! The line model: gradient-boosted decision trees over [`crate::features`], read from and
//! written to a plain text file that people can read and diff.
//!
//! A model turns a line's row into a score between 0 and 1, the probability that the line
//! is boilerplate; lines scoring at or above the threshold are removed with reason
//! `model`. The file carries the feature names it was trained with (a model for another
//! list is refused) and its default threshold.
//!
//! ```text
//! deboil-model 1
//! threshold 0.5
//! features log_chars words ends_sentence …
//! base -0.41
//! tree 0
//! 0 ends_sentence < 0.5 ? 1 : 2
//! 1 leaf 0.18
//! 2 leaf -0.2
//! ```
//!
//! Node `n` of a tree sends a row to `left` when `row[feature] < threshold`, else to
//! `right`; the score is the logistic of `base` plus one leaf value per tree.

pub mod train;

use std::fmt::Write as _;

use thiserror::Error;

use crate::features::{COUNT, MISSING, NAMES, Row};

/// The model shipped with deboil, trained by `make model`.
pub const DEFAULT_MODEL: &str = include_str!("../../rules/line.model");
/// Where [`DEFAULT_MODEL`] lives in the repository.
pub const DEFAULT_MODEL_PATH: &str = "rules/line.model";

const MAGIC: &str = "deboil-model 1";

#[derive(Debug, Clone, Copy, PartialEq)]
enum Node {
    Split {
        feature: u16,
        threshold: f32,
        left: u32,
        right: u32,
    },
    Leaf(f32),
}

/// One regression tree; node 0 is the root.
#[derive(Debug, Clone, PartialEq)]
pub struct Tree {
    nodes: Vec<Node>,
}

impl Tree {
    /// Splits on the longest path from the root (children come after their parent, which
    /// [`Model::parse`] checks).
    fn depth(&self) -> usize {
        let mut depth = vec![0usize; self.nodes.len()];
        for (i, node) in self.nodes.iter().enumerate() {
            if let Node::Split { left, right, .. } = *node {
                depth[left as usize] = depth[i] + 1;
                depth[right as usize] = depth[i] + 1;
            }
        }
        depth.into_iter().max().unwrap_or(0)
    }

    fn value(&self, row: &Row) -> f32 {
        let mut i = 0usize;
        loop {
            match self.nodes[i] {
                Node::Leaf(v) => return v,
                Node::Split {
                    feature,
                    threshold,
                    left,
                    right,
                } => {
                    i = if row[feature as usize] < threshold {
                        left
                    } else {
                        right
                    } as usize;
                }
            }
        }
    }
}

/// A loaded line model.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Default threshold on the score.
    pub threshold: f32,
    base: f32,
    trees: Vec<Tree>,
    /// Comment lines written at the top of the file (how it was trained).
    pub comments: Vec<String>,
}

/// A model file that cannot be used, with the line at fault.
#[derive(Debug, Error, PartialEq)]
#[error("{path}{}: {why}", at_line(*.line))]
pub struct ModelError {
    pub path: String,
    /// From 1; 0 for the file as a whole (it cannot be read), shown as `path: …`.
    pub line: usize,
    pub why: String,
}

/// `:line`, or nothing for line 0 (the file as a whole).
fn at_line(line: usize) -> String {
    if line > 0 {
        format!(":{line}")
    } else {
        String::new()
    }
}

impl Model {
    /// The probability that a line with this row is boilerplate.
    pub fn score(&self, row: &Row) -> f32 {
        sigmoid(self.margin(row))
    }

    /// The score before the logistic function.
    pub fn margin(&self, row: &Row) -> f32 {
        self.trees
            .iter()
            .fold(self.base, |sum, tree| sum + tree.value(row))
    }

    pub fn trees(&self) -> usize {
        self.trees.len()
    }

    /// Parses a model file; `path` names it in errors.
    pub fn parse(text: &str, path: &str) -> Result<Model, ModelError> {
        let mut p = Parser {
            path,
            lines: text.lines().enumerate(),
            comments: Vec::new(),
        };
        let (n, magic) = p.next_line()?.ok_or_else(|| p.error(1, "empty file"))?;
        if magic != MAGIC {
            return Err(p.error(n, &format!("not a deboil model (expected `{MAGIC}`)")));
        }
        let threshold = p.keyed("threshold")?;
        let (n, features) = p.expect("features")?;
        let names: Vec<&str> = features.split_whitespace().collect();
        if names != NAMES {
            return Err(p.error(
                n,
                &format!(
                    "the model's {} features are not the {COUNT} this deboil computes; \
                     retrain it with `deboil train`",
                    names.len()
                ),
            ));
        }
        let base = p.keyed("base")?;
        let mut trees: Vec<Tree> = Vec::new();
        let mut current: Option<(usize, Tree)> = None;
        while let Some((n, line)) = p.next_line()? {
            if let Some(rest) = line.strip_prefix("tree ") {
                if let Some((at, tree)) = current.take() {
                    trees.push(p.check(at, tree)?);
                }
                if rest.trim() != trees.len().to_string() {
                    return Err(p.error(n, &format!("expected `tree {}`", trees.len())));
                }
                current = Some((n, Tree { nodes: Vec::new() }));
                continue;
            }
            let Some((_, tree)) = current.as_mut() else {
                return Err(p.error(n, "a node outside a tree"));
            };
            let node = parse_node(line, tree.nodes.len()).map_err(|why| p.error(n, &why))?;
            tree.nodes.push(node);
        }
        if let Some((at, tree)) = current.take() {
            trees.push(p.check(at, tree)?);
        }
        Ok(Model {
            threshold,
            base,
            trees,
            comments: p.comments,
        })
    }

    /// The model as text; [`Model::parse`] reads back exactly this model.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for c in &self.comments {
            let _ = writeln!(out, "# {c}");
        }
        let _ = writeln!(out, "{MAGIC}");
        let _ = writeln!(out, "threshold {}", self.threshold);
        let _ = writeln!(out, "features {}", NAMES.join(" "));
        let _ = writeln!(out, "base {}", self.base);
        for (t, tree) in self.trees.iter().enumerate() {
            let _ = writeln!(out, "tree {t}");
            for (i, node) in tree.nodes.iter().enumerate() {
                match *node {
                    Node::Leaf(v) => {
                        let _ = writeln!(out, "{i} leaf {v}");
                    }
                    Node::Split {
                        feature,
                        threshold,
                        left,
                        right,
                    } => {
                        let name = NAMES[feature as usize];
                        let _ = writeln!(out, "{i} {name} < {threshold} ? {left} : {right}");
                    }
                }
            }
        }
        out
    }
}

/// The deepest tree a model may hold: a complete tree of this depth has 63 splits and 64
/// leaves, the fixed layout [`Scorer`] walks.
pub const MAX_DEPTH: usize = 6;

const SLOTS: usize = 1 << MAX_DEPTH;
const _: () = assert!(COUNT <= SLOTS, "a row must fit the padded layout");
const _: () = assert!(2 * SLOTS <= 256, "a leaf's slot must fit a u8");

/// A feature's row padded to [`SLOTS`] values, so that every index a tree holds is in it.
type Padded = [f32; SLOTS];

fn padded(row: &Row) -> Padded {
    let mut p = [MISSING; SLOTS];
    p[..COUNT].copy_from_slice(row);
    p
}

/// One tree as a complete binary tree of depth [`MAX_DEPTH`], in heap order counted from
/// 1: the split at slot `i` (1 to 63) sends a row to slot `2i` (below its threshold) or
/// `2i + 1`, and the walk ends at a leaf's slot (64 to 127). Slots are `u8` and the arrays
/// hold 256, so that no index into a tree needs a check or a mask.
#[derive(Debug, Clone)]
struct Complete {
    features: [u8; 256],
    /// A split's threshold, or a leaf's value.
    nodes: [f32; 256],
}

/// A model laid out for fast scoring: every tree as a complete binary tree of depth
/// [`MAX_DEPTH`] (a shallower leaf is padded with splits that always go left, to copies
/// of the leaf), walked without branches or bounds checks, tree by tree over all of a
/// document's lines. Margins are exactly those of [`Model::margin`], summed in the same
/// order.
#[derive(Debug, Clone)]
pub struct Scorer {
    model: Model,
    trees: Vec<Complete>,
}

/// Two scorers are equal when their models are: the rest is derived from the model.
impl PartialEq for Scorer {
    fn eq(&self, other: &Self) -> bool {
        self.model == other.model
    }
}

impl Scorer {
    /// Lays out a parsed model ([`Model::parse`] refuses trees deeper than [`MAX_DEPTH`]).
    pub fn new(model: Model) -> Scorer {
        let deepest = model.trees.iter().map(Tree::depth).max().unwrap_or(0);
        assert!(deepest <= MAX_DEPTH, "a tree deeper than {MAX_DEPTH}");
        let mut trees = Vec::with_capacity(model.trees.len());
        for tree in &model.trees {
            let mut c = Complete {
                features: [0; 256],
                nodes: [f32::INFINITY; 256],
            };
            // (node in the tree, slot in the complete tree, depth of the slot)
            let mut stack = vec![(0usize, 1usize, 0usize)];
            while let Some((node, slot, d)) = stack.pop() {
                match tree.nodes[node] {
                    Node::Split {
                        feature,
                        threshold,
                        left,
                        right,
                    } => {
                        c.features[slot] = u8::try_from(feature).expect("a feature index");
                        c.nodes[slot] = threshold;
                        stack.push((left as usize, 2 * slot, d + 1));
                        stack.push((right as usize, 2 * slot + 1, d + 1));
                    }
                    Node::Leaf(v) => {
                        // Every leaf below this slot holds the value.
                        let width = 1usize << (MAX_DEPTH - d);
                        let first = slot << (MAX_DEPTH - d);
                        c.nodes[first..first + width].fill(v);
                    }
                }
            }
            trees.push(c);
        }
        Scorer { model, trees }
    }

    /// The model this scorer was built from.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The next slot of a walk: a `u8` slot indexes the 256-slot arrays unchecked, and
    /// the feature index is masked into the padded row, which it never leaves.
    fn step(tree: &Complete, row: &Padded, slot: u8) -> u8 {
        let at = usize::from(slot);
        let value = row[usize::from(tree.features[at]) % SLOTS];
        2 * slot + u8::from(value >= tree.nodes[at])
    }

    /// The value of the leaf a walk of [`MAX_DEPTH`] steps ended at.
    fn leaf(tree: &Complete, slot: u8) -> f32 {
        tree.nodes[usize::from(slot)]
    }

    /// One line's margin (as [`Model::margin`]).
    pub fn margin(&self, row: &Row) -> f32 {
        self.margins([row])[0]
    }

    /// Each line's margin, the same as [`Model::margin`]'s. One walk down a tree is a
    /// chain of dependent loads, so the walk goes tree by tree over a block of `BLOCK`
    /// lines, `LANES` lines side by side (half as many in a block's last group), level
    /// by level.
    pub fn margins<'r>(&self, rows: impl IntoIterator<Item = &'r Row>) -> Vec<f32> {
        let mut rows: Vec<Padded> = rows.into_iter().map(padded).collect();
        let n = rows.len();
        // The last group is filled with missing rows, walked and dropped: a walk alone is
        // a chain of dependent loads, several times slower per line than a group's.
        rows.resize(n.next_multiple_of(LANES / 2), [MISSING; SLOTS]);
        let mut margins = vec![self.model.base; rows.len()];
        // A block of rows stays in the first-level cache while every tree walks it.
        for (block, sums) in rows.chunks(BLOCK).zip(margins.chunks_mut(BLOCK)) {
            for tree in &self.trees {
                let mut groups = block.chunks_exact(LANES);
                let mut group_sums = sums.chunks_exact_mut(LANES);
                for (group, sum) in (&mut groups).zip(&mut group_sums) {
                    Self::walk::<LANES>(tree, group, sum);
                }
                // Half a group left (the block is a multiple of half of one).
                let (rest, rest_sums) = (groups.remainder(), group_sums.into_remainder());
                if !rest.is_empty() {
                    debug_assert_eq!(rest.len(), LANES / 2);
                    Self::walk::<{ LANES / 2 }>(tree, rest, rest_sums);
                }
            }
        }
        margins.truncate(n);
        margins
    }

    /// Walks `tree` for the `L` rows of `group` side by side, adding each leaf to `sum`.
    fn walk<const L: usize>(tree: &Complete, group: &[Padded], sum: &mut [f32]) {
        let mut slots = [1u8; L];
        for _ in 0..MAX_DEPTH {
            for (slot, row) in slots.iter_mut().zip(group) {
                *slot = Self::step(tree, row, *slot);
            }
        }
        for (m, &slot) in sum.iter_mut().zip(&slots) {
            *m += Self::leaf(tree, slot);
        }
    }
}

/// Lines walked side by side by [`Scorer::margins`].
const LANES: usize = 16;

/// Rows walked by every tree before the next rows (64 padded rows are 16 KiB).
const BLOCK: usize = 64;
const _: () = assert!(BLOCK % LANES == 0, "a block's last group is whole or half");

/// The margin whose logistic is `p`.
pub fn logit(p: f32) -> f32 {
    (p / (1.0 - p)).ln()
}

pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

fn parse_node(line: &str, index: usize) -> Result<Node, String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    if words.first().copied() != Some(index.to_string().as_str()) {
        return Err(format!("expected node {index}"));
    }
    let float = |s: &str| {
        s.parse::<f32>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| format!("`{s}` is not a number"))
    };
    let child = |s: &str| s.parse::<u32>().map_err(|_| format!("`{s}` is not a node"));
    match words[1..] {
        ["leaf", v] => Ok(Node::Leaf(float(v)?)),
        [name, "<", t, "?", l, ":", r] => {
            let feature = NAMES
                .iter()
                .position(|&n| n == name)
                .ok_or_else(|| format!("unknown feature `{name}`"))?;
            let (left, right) = (child(l)?, child(r)?);
            if left as usize <= index || right as usize <= index {
                return Err("children must come after their parent".into());
            }
            Ok(Node::Split {
                feature: feature as u16,
                threshold: float(t)?,
                left,
                right,
            })
        }
        _ => Err("expected `N leaf VALUE` or `N FEATURE < THRESHOLD ? LEFT : RIGHT`".into()),
    }
}

struct Parser<'a, I> {
    path: &'a str,
    lines: I,
    comments: Vec<String>,
}

impl<'a, I: Iterator<Item = (usize, &'a str)>> Parser<'a, I> {
    fn error(&self, line: usize, why: &str) -> ModelError {
        ModelError {
            path: self.path.to_string(),
            line,
            why: why.to_string(),
        }
    }

    /// The next line that is neither blank nor a comment, with its 1-based number.
    fn next_line(&mut self) -> Result<Option<(usize, &'a str)>, ModelError> {
        for (i, line) in self.lines.by_ref() {
            let line = line.trim();
            if let Some(c) = line.strip_prefix('#') {
                self.comments.push(c.trim().to_string());
            } else if !line.is_empty() {
                return Ok(Some((i + 1, line)));
            }
        }
        Ok(None)
    }

    fn expect(&mut self, key: &str) -> Result<(usize, &'a str), ModelError> {
        match self.next_line()? {
            Some((n, line)) => match line.strip_prefix(key) {
                Some(rest) if rest.starts_with(' ') => Ok((n, rest.trim())),
                _ => Err(self.error(n, &format!("expected `{key} …`"))),
            },
            None => Err(self.error(0, &format!("ends before `{key}`"))),
        }
    }

    fn keyed(&mut self, key: &str) -> Result<f32, ModelError> {
        let (n, value) = self.expect(key)?;
        value
            .parse::<f32>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| self.error(n, &format!("`{value}` is not a number")))
    }

    /// A tree is usable when every child it names exists (so scoring never indexes out of
    /// bounds or loops: children come after their parents).
    fn check(&self, at: usize, tree: Tree) -> Result<Tree, ModelError> {
        let n = tree.nodes.len() as u32;
        let ok = n > 0
            && tree.nodes.iter().all(|node| match *node {
                Node::Split { left, right, .. } => left < n && right < n,
                Node::Leaf(_) => true,
            });
        if !ok {
            return Err(self.error(at, "a tree names a node it does not have"));
        }
        if tree.depth() > MAX_DEPTH {
            return Err(self.error(
                at,
                &format!("a tree deeper than {MAX_DEPTH}, the deepest deboil scores"),
            ));
        }
        Ok(tree)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::MISSING;

    fn tiny() -> Model {
        Model {
            threshold: 0.5,
            base: -0.25,
            trees: vec![Tree {
                nodes: vec![
                    Node::Split {
                        feature: 2,
                        threshold: 0.5,
                        left: 1,
                        right: 2,
                    },
                    Node::Leaf(1.5),
                    Node::Leaf(-1.0),
                ],
            }],
            comments: vec!["a test model".into()],
        }
    }

    #[test]
    fn text_round_trips_exactly() {
        let m = tiny();
        let text = m.to_text();
        assert!(text.contains("0 ends_sentence < 0.5 ? 1 : 2\n"), "{text}");
        let back = Model::parse(&text, "m").expect("parses");
        assert_eq!(back, m);
        assert_eq!(back.to_text(), text);
    }

    #[test]
    fn scores_follow_the_tree() {
        let m = tiny();
        let mut row = [MISSING; COUNT];
        row[2] = 0.0;
        assert!((m.margin(&row) - 1.25).abs() < 1e-6);
        row[2] = 1.0;
        assert!((m.margin(&row) + 1.25).abs() < 1e-6);
        assert!(m.score(&row) < 0.5);
        // A shallow tree walks the scorer's full depth to copies of its leaves.
        let scorer = Scorer::new(m.clone());
        for v in [-1.0, 0.0, 0.4, 0.5, 1.0, 7.0] {
            row[2] = v;
            assert_eq!(scorer.margin(&row), m.margin(&row), "feature 2 at {v}");
        }
    }

    #[test]
    fn the_fast_scorer_agrees_with_the_tree_walk() {
        let m = Model::parse(DEFAULT_MODEL, DEFAULT_MODEL_PATH).expect("shipped model");
        let scorer = Scorer::new(m.clone());
        // Rows from a simple generator that reaches many leaves.
        let mut x = 0x9e37_79b9_u64;
        let mut rows = Vec::new();
        for _ in 0..2000 {
            let mut row = [MISSING; COUNT];
            for v in row.iter_mut() {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                *v = ((x >> 40) % 200) as f32 / 20.0 - 1.0;
            }
            assert_eq!(scorer.margin(&row), m.margin(&row));
            rows.push(row);
        }
        // Side by side, in any number: the same margins, each at its own row, whether
        // the last group is whole, half or padded, in one block or several.
        let (l, b) = (LANES, BLOCK);
        let sizes = [
            0,
            1,
            7,
            l / 2,
            l / 2 + 1,
            l - 1,
            l,
            l + 1,
            l + l / 2,
            b - 1,
            b,
            b + 1,
        ];
        for n in sizes
            .into_iter()
            .chain([b + l / 2 + 3, 3 * b + 5, rows.len()])
        {
            let each: Vec<f32> = rows[..n].iter().map(|r| m.margin(r)).collect();
            assert_eq!(scorer.margins(&rows[..n]), each, "{n} rows");
        }
    }

    #[test]
    fn the_shipped_model_loads() {
        let m = Model::parse(DEFAULT_MODEL, DEFAULT_MODEL_PATH).expect("shipped model");
        assert!(m.trees() > 0);
        assert!(m.threshold > 0.0 && m.threshold < 1.0);
    }

    #[test]
    fn broken_files_name_the_line() {
        let text = tiny().to_text();
        let bad = text.replace("1 leaf 1.5", "1 leaf x");
        let e = Model::parse(&bad, "m.model").expect_err("bad number");
        assert_eq!(e.to_string(), "m.model:8: `x` is not a number");
        let bad = text.replace("? 1 : 2", "? 1 : 9");
        let e = Model::parse(&bad, "m.model").expect_err("missing node");
        assert!(e.why.contains("does not have"), "{e}");
        let bad = text.replace("ends_sentence", "ends_sentense");
        let e = Model::parse(&bad, "m.model").expect_err("feature list");
        assert!(e.why.contains("retrain"), "{e}");
        assert!(Model::parse("hello\n", "m").is_err());
        // A child above its parent would make the tree a loop.
        let bad = text.replace("? 1 : 2", "? 0 : 2");
        let e = Model::parse(&bad, "m.model").expect_err("loop");
        assert!(e.why.contains("after their parent"), "{e}");
    }

    #[test]
    fn trees_deeper_than_the_scorer_are_refused() {
        // A chain of splits, each with a leaf on its left: depth `n`.
        let chain = |n: u32| {
            let mut nodes = Vec::new();
            for d in 0..n {
                nodes.push(Node::Split {
                    feature: 0,
                    threshold: d as f32,
                    left: 2 * d + 1,
                    right: 2 * d + 2,
                });
                nodes.push(Node::Leaf(d as f32));
            }
            nodes.push(Node::Leaf(-1.0));
            let mut m = tiny();
            m.trees = vec![Tree { nodes }];
            m
        };
        let ok = chain(MAX_DEPTH as u32);
        assert_eq!(Model::parse(&ok.to_text(), "m").expect("depth 6"), ok);
        let mut row = [MISSING; COUNT];
        row[0] = 100.0;
        assert_eq!(Scorer::new(ok.clone()).margin(&row), ok.margin(&row));
        let e =
            Model::parse(&chain(MAX_DEPTH as u32 + 1).to_text(), "m.model").expect_err("depth 7");
        assert!(e.why.contains("deeper than 6"), "{e}");
    }
}
