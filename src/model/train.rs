//! Fits a [`Model`]: gradient boosting of depth-limited regression trees on the logistic
//! loss, with features cut into at most [`TrainParams::bins`] quantile bins.
//!
//! Deterministic: no sampling, features and bins are searched in order and ties keep the
//! first, and every sum runs over rows in input order (histograms of different features
//! are built in parallel, but each by one thread), so the same rows give the same file.

use rayon::prelude::*;

use super::{Model, Node, Tree};
use crate::features::{COUNT, Row};

/// How trees are grown.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainParams {
    pub trees: usize,
    pub depth: usize,
    pub learning_rate: f64,
    /// A leaf needs at least this much hessian weight.
    pub min_child_weight: f64,
    /// L2 penalty on leaf values.
    pub lambda: f64,
    /// Bins per feature (at most 256).
    pub bins: usize,
}

impl Default for TrainParams {
    fn default() -> Self {
        TrainParams {
            trees: 40,
            depth: 6,
            learning_rate: 0.2,
            min_child_weight: 5.0,
            lambda: 1.0,
            bins: 64,
        }
    }
}

/// One labelled line.
#[derive(Debug, Clone, Copy)]
pub struct Example<'a> {
    pub row: &'a Row,
    pub boilerplate: bool,
    pub weight: f32,
}

/// Cut points of one feature: bin `b` holds values `v` with `cuts[b-1] <= v < cuts[b]`.
fn cuts_of(values: &mut [f32], bins: usize) -> Vec<f32> {
    values.sort_unstable_by(f32::total_cmp);
    let mut distinct: Vec<f32> = values.to_vec();
    distinct.dedup();
    let candidates: Vec<f32> = if distinct.len() <= bins {
        distinct
    } else {
        let mut q: Vec<f32> = (0..bins).map(|j| values[j * values.len() / bins]).collect();
        q.dedup();
        q
    };
    // The smallest value needs no cut: everything is at least it.
    candidates.into_iter().skip(1).collect()
}

fn bin_of(cuts: &[f32], v: f32) -> u8 {
    cuts.partition_point(|&c| c <= v) as u8
}

#[derive(Clone, Copy, Default)]
struct Sums {
    g: f64,
    h: f64,
}

impl Sums {
    fn add(&mut self, g: f64, h: f64) {
        self.g += g;
        self.h += h;
    }

    fn score(&self, lambda: f64) -> f64 {
        self.g * self.g / (self.h + lambda)
    }
}

struct Split {
    feature: usize,
    bin: usize,
    gain: f64,
}

/// Fits a model to `examples`; `threshold` is written as its default.
pub fn fit(examples: &[Example<'_>], params: &TrainParams, threshold: f32) -> Model {
    let bins = params.bins.clamp(2, 256);
    let n = examples.len();
    let cuts: Vec<Vec<f32>> = (0..COUNT)
        .into_par_iter()
        .map(|f| {
            let mut values: Vec<f32> = examples.iter().map(|e| e.row[f]).collect();
            cuts_of(&mut values, bins)
        })
        .collect();
    let binned: Vec<Vec<u8>> = (0..COUNT)
        .into_par_iter()
        .map(|f| {
            examples
                .iter()
                .map(|e| bin_of(&cuts[f], e.row[f]))
                .collect()
        })
        .collect();
    let y: Vec<f64> = examples
        .iter()
        .map(|e| f64::from(u8::from(e.boilerplate)))
        .collect();
    let w: Vec<f64> = examples.iter().map(|e| f64::from(e.weight)).collect();
    let total_w: f64 = w.iter().sum();
    let positive: f64 = y.iter().zip(&w).map(|(y, w)| y * w).sum();
    let p0 = (positive / total_w.max(f64::MIN_POSITIVE)).clamp(1e-6, 1.0 - 1e-6);
    let base = (p0 / (1.0 - p0)).ln();
    let mut margin = vec![base; n];
    let mut trees = Vec::with_capacity(params.trees);
    let mut g = vec![0.0; n];
    let mut h = vec![0.0; n];
    for _ in 0..params.trees {
        for i in 0..n {
            let p = 1.0 / (1.0 + (-margin[i]).exp());
            g[i] = (p - y[i]) * w[i];
            h[i] = (p * (1.0 - p)).max(1e-6) * w[i];
        }
        trees.push(grow(&binned, &cuts, &g, &h, params, &mut margin));
    }
    Model {
        threshold,
        base: base as f32,
        trees,
        comments: Vec::new(),
    }
}

/// Grows one tree and adds its value to each row's margin.
fn grow(
    binned: &[Vec<u8>],
    cuts: &[Vec<f32>],
    g: &[f64],
    h: &[f64],
    p: &TrainParams,
    margin: &mut [f64],
) -> Tree {
    let mut nodes = vec![Node::Leaf(0.0)];
    // (node, rows, depth)
    let mut queue = vec![(0usize, (0..g.len() as u32).collect::<Vec<u32>>(), 0usize)];
    let mut next = 0;
    while next < queue.len() {
        let (node, rows, depth) = std::mem::take(&mut queue[next]);
        next += 1;
        let mut total = Sums::default();
        for &r in &rows {
            total.add(g[r as usize], h[r as usize]);
        }
        let leaf = Node::Leaf((-total.g / (total.h + p.lambda) * p.learning_rate) as f32);
        let split = if depth < p.depth {
            best_split(binned, cuts, g, h, &rows, total, p)
        } else {
            None
        };
        let Some(split) = split else {
            if let Node::Leaf(v) = leaf {
                for &r in &rows {
                    margin[r as usize] += f64::from(v);
                }
            }
            nodes[node] = leaf;
            continue;
        };
        let (left_rows, right_rows): (Vec<u32>, Vec<u32>) = rows
            .iter()
            .partition(|&&r| (binned[split.feature][r as usize] as usize) < split.bin);
        let left = nodes.len();
        nodes.push(Node::Leaf(0.0));
        nodes.push(Node::Leaf(0.0));
        nodes[node] = Node::Split {
            feature: split.feature as u16,
            threshold: cuts[split.feature][split.bin - 1],
            left: left as u32,
            right: left as u32 + 1,
        };
        queue.push((left, left_rows, depth + 1));
        queue.push((left + 1, right_rows, depth + 1));
    }
    Tree { nodes }
}

/// The split with the largest gain: rows with bin < `bin` go left.
fn best_split(
    binned: &[Vec<u8>],
    cuts: &[Vec<f32>],
    g: &[f64],
    h: &[f64],
    rows: &[u32],
    total: Sums,
    p: &TrainParams,
) -> Option<Split> {
    let parent = total.score(p.lambda);
    let per_feature: Vec<Option<Split>> = (0..COUNT)
        .into_par_iter()
        .map(|f| {
            let nbins = cuts[f].len() + 1;
            if nbins < 2 {
                return None;
            }
            let mut hist = vec![Sums::default(); nbins];
            let col = &binned[f];
            for &r in rows {
                let r = r as usize;
                hist[col[r] as usize].add(g[r], h[r]);
            }
            let mut left = Sums::default();
            let mut best: Option<Split> = None;
            for (b, bin) in hist.iter().enumerate().take(nbins - 1) {
                left.add(bin.g, bin.h);
                let right = Sums {
                    g: total.g - left.g,
                    h: total.h - left.h,
                };
                if left.h < p.min_child_weight || right.h < p.min_child_weight {
                    continue;
                }
                let gain = left.score(p.lambda) + right.score(p.lambda) - parent;
                if gain > best.as_ref().map_or(1e-9, |s| s.gain) {
                    best = Some(Split {
                        feature: f,
                        bin: b + 1,
                        gain,
                    });
                }
            }
            best
        })
        .collect();
    per_feature
        .into_iter()
        .flatten()
        .fold(None, |best: Option<Split>, s| match best {
            Some(b) if b.gain >= s.gain => Some(b),
            _ => Some(s),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::MISSING;

    fn row(f0: f32, f1: f32) -> Row {
        let mut r = [MISSING; COUNT];
        r[0] = f0;
        r[1] = f1;
        r
    }

    #[test]
    fn cuts_are_quantiles_of_distinct_values() {
        assert_eq!(cuts_of(&mut [3.0, 1.0, 2.0, 2.0], 8), vec![2.0, 3.0]);
        assert_eq!(bin_of(&[2.0, 3.0], 1.0), 0);
        assert_eq!(bin_of(&[2.0, 3.0], 2.0), 1);
        assert_eq!(bin_of(&[2.0, 3.0], 9.0), 2);
        let mut many: Vec<f32> = (0..1000).map(|i| i as f32).collect();
        assert_eq!(cuts_of(&mut many, 4), vec![250.0, 500.0, 750.0]);
    }

    #[test]
    fn learns_a_rule_and_is_deterministic() {
        // Boilerplate iff feature 1 is below 5, whatever feature 0 says.
        let rows: Vec<Row> = (0..400)
            .map(|i| row((i % 7) as f32, (i % 10) as f32))
            .collect();
        let examples: Vec<Example<'_>> = rows
            .iter()
            .map(|r| Example {
                row: r,
                boilerplate: r[1] < 5.0,
                weight: 1.0,
            })
            .collect();
        let params = TrainParams {
            trees: 20,
            depth: 3,
            ..TrainParams::default()
        };
        let m = fit(&examples, &params, 0.5);
        for e in &examples {
            assert_eq!(m.score(e.row) >= 0.5, e.boilerplate, "{:?}", &e.row[..2]);
        }
        let again = fit(&examples, &params, 0.5);
        assert_eq!(again.to_text(), m.to_text());
        // Binned and float walks agree on every training row.
        let back = Model::parse(&m.to_text(), "m").expect("parses");
        for e in &examples {
            assert_eq!(back.score(e.row), m.score(e.row));
        }
    }
}
