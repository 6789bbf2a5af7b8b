//! Training and cross-validating the line model on labelled pages.
//!
//! [`crate::pipeline::describe_corpus`] turns each labelled set into rows of features
//! (counted over that set alone, as `deboil clean` would count it); this module joins the
//! rows with their labels, fits [`crate::model::train`] and scores held-out pages with the
//! metric of [`crate::eval`]. Cross-validation keeps every page of a site in one fold, so
//! no page of a test site is ever seen in training.
//!
//! A held-out page is judged exactly as `deboil clean` judges it: the stages' verdicts,
//! rules first, then [`apply_model`], [`keep_mask`] and [`clean_text`].

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use xxhash_rust::xxh3::xxh3_64;

use crate::decide::{Described, Params, apply_model, clean_text, judged_before_model, keep_mask};
use crate::eval::{Scores, read_labels, score_document};
use crate::model::train::{Example, TrainParams, fit};
use crate::model::{Model, Scorer};
use crate::pipeline::DescribedDoc;

/// A labelled set: described documents and their per-line labels (1 content, 0
/// boilerplate), in the same order.
pub struct Labelled {
    pub name: String,
    pub docs: Vec<DescribedDoc>,
    pub labels: Vec<Vec<u8>>,
    /// The decision parameters the set was described with.
    pub params: Params,
}

impl Labelled {
    /// Joins documents with the labels file by id; every document needs one label per line.
    pub fn join(
        name: &str,
        docs: Vec<DescribedDoc>,
        labels: &Path,
        params: Params,
    ) -> Result<Labelled> {
        let mut by_id: HashMap<String, Vec<u8>> = read_labels(labels)?;
        let mut out = Vec::with_capacity(docs.len());
        for d in &docs {
            let l = by_id
                .remove(&d.id)
                .with_context(|| format!("{}: no labels for {}", labels.display(), d.id))?;
            if l.len() != d.lines.len() {
                bail!(
                    "{}: {} has {} labels for {} lines",
                    labels.display(),
                    d.id,
                    l.len(),
                    d.lines.len()
                );
            }
            out.push(l);
        }
        Ok(Labelled {
            name: name.to_string(),
            docs,
            labels: out,
            params,
        })
    }
}

/// How examples are weighted: a line weighs `chars ^ power` (1 = by characters, as the
/// metric counts; 0 = every line alike).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weighting {
    pub power: f32,
}

/// The examples of some documents of a set: every non-blank line left for the model.
pub fn examples<'a>(
    set: &'a Labelled,
    docs: impl Iterator<Item = usize>,
    weighting: Weighting,
    out: &mut Vec<Example<'a>>,
) {
    for d in docs {
        let doc = &set.docs[d];
        let Described::Lines { verdicts, rows } = &doc.described else {
            continue;
        };
        if rows.is_empty() {
            continue; // too short for the model
        }
        for (i, line) in doc.lines.iter().enumerate() {
            if line.is_blank(&doc.text) || judged_before_model(&verdicts[i]) {
                continue;
            }
            let chars = line.span.content(&doc.text).trim().chars().count().max(1);
            out.push(Example {
                row: &rows[i],
                boilerplate: set.labels[d][i] == 0,
                weight: (chars as f32).powf(weighting.power),
            });
        }
    }
}

/// The cleaned text of a described document under `model`, or `None` when nothing is
/// left (the document would be rejected).
pub fn clean_with(doc: &DescribedDoc, model: &Scorer, params: &Params) -> Option<String> {
    let Described::Lines { verdicts, rows } = &doc.described else {
        return None;
    };
    let mut verdicts = verdicts.clone();
    if !rows.is_empty() {
        apply_model(&doc.text, &doc.lines, &mut verdicts, rows, model, params);
    }
    let keep = keep_mask(&doc.text, &doc.lines, &verdicts);
    let kept_any = doc
        .lines
        .iter()
        .zip(&keep)
        .any(|(l, &k)| k && !l.is_blank(&doc.text));
    kept_any.then(|| clean_text(&doc.text, &doc.lines, &keep))
}

/// The fold of a site: a fixed hash, so folds do not depend on input order.
pub fn fold_of(site: Option<&str>, folds: usize) -> usize {
    (xxh3_64(site.unwrap_or("").as_bytes()) % folds as u64) as usize
}

/// A fold of sites (see [`fold_of`]): `fold` of `folds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fold {
    pub fold: usize,
    pub folds: usize,
}

impl Fold {
    /// Whether a page of `site` is in this fold.
    pub fn holds(&self, site: Option<&str>) -> bool {
        fold_of(site, self.folds) == self.fold
    }
}

/// Fits a model on whole sets, or on every page outside the sites of `leave_out`.
pub fn train(
    sets: &[Labelled],
    params: &TrainParams,
    weighting: Weighting,
    threshold: f32,
    leave_out: Option<Fold>,
) -> Model {
    let mut ex = Vec::new();
    for set in sets {
        let kept = (0..set.docs.len())
            .filter(|&d| leave_out.is_none_or(|f| !f.holds(set.docs[d].site.as_deref())));
        examples(set, kept, weighting, &mut ex);
    }
    fit(&ex, params, threshold)
}

/// Grouped k-fold cross-validation: scores of the out-of-fold predictions at each of
/// `thresholds`, with the pages of `extra` sets outside the test fold's sites in training.
pub fn cross_validate(
    set: &Labelled,
    extra: &[&Labelled],
    folds: usize,
    params: &TrainParams,
    weighting: Weighting,
    thresholds: &[f32],
    mut on_score: impl FnMut(&DescribedDoc, &[u8], &Model),
) -> Vec<Scores> {
    let fold: Vec<usize> = set
        .docs
        .iter()
        .map(|d| fold_of(d.site.as_deref(), folds))
        .collect();
    let mut scores: Vec<Scores> = thresholds
        .iter()
        .map(|t| Scores {
            name: format!("{} t={t}", set.name),
            ..Scores::default()
        })
        .collect();
    for k in 0..folds {
        let mut ex = Vec::new();
        examples(
            set,
            (0..set.docs.len()).filter(|&d| fold[d] != k),
            weighting,
            &mut ex,
        );
        // A site of the test fold is held out of the other sets too (sites may recur).
        for e in extra {
            let train =
                (0..e.docs.len()).filter(|&d| fold_of(e.docs[d].site.as_deref(), folds) != k);
            examples(e, train, weighting, &mut ex);
        }
        let model = Scorer::new(fit(&ex, params, 0.5));
        for d in (0..set.docs.len()).filter(|&d| fold[d] == k) {
            let doc = &set.docs[d];
            on_score(doc, &set.labels[d], model.model());
            for (s, &t) in scores.iter_mut().zip(thresholds) {
                let p = Params {
                    threshold: t,
                    ..set.params.clone()
                };
                let cleaned = clean_with(doc, &model, &p);
                score_document(&doc.text, &set.labels[d], cleaned.as_deref(), s);
            }
        }
    }
    scores
}

/// Comment lines for a model file: what it was trained on and how.
pub fn provenance(
    sets: &[Labelled],
    params: &TrainParams,
    weighting: Weighting,
    leave_out: Option<Fold>,
) -> Vec<String> {
    let mut out = vec![
        "deboil line model: gradient-boosted trees over the features in src/features/mod.rs."
            .to_string(),
        "A line scoring at or above the threshold is boilerplate (reason `model`).".to_string(),
        "Rebuild with `make model`; trained by `deboil train` on:".to_string(),
    ];
    for set in sets {
        let trained = || {
            set.docs
                .iter()
                .filter(|d| leave_out.is_none_or(|f| !f.holds(d.site.as_deref())))
        };
        let lines: usize = trained().map(|d| d.lines.len()).sum();
        out.push(format!(
            "  {}: {} pages, {lines} lines",
            set.name,
            trained().count()
        ));
    }
    if let Some(f) = leave_out {
        out.push(format!(
            "left out: the pages of the sites in fold {} of {} (deboil train --leave-out-fold)",
            f.fold, f.folds
        ));
    }
    out.push(format!(
        "trees {} depth {} learning_rate {} min_child_weight {} lambda {} bins {} weight_power {}",
        params.trees,
        params.depth,
        params.learning_rate,
        params.min_child_weight,
        params.lambda,
        params.bins,
        weighting.power
    ));
    out
}

/// Appends one JSON line per non-blank line of `doc`: its held-out score under `model`
/// (none for a line the model does not judge), its label and its text.
pub fn push_predictions(doc: &DescribedDoc, labels: &[u8], model: &Model, out: &mut Vec<u8>) {
    #[derive(serde::Serialize)]
    struct Prediction<'a> {
        id: &'a str,
        line: usize,
        label: u8,
        score: Option<f32>,
        text: &'a str,
    }
    let judged = match &doc.described {
        Described::Lines { verdicts, rows } if !rows.is_empty() => Some((verdicts, rows)),
        Described::Lines { .. } | Described::DropDoc { .. } => None,
    };
    for (i, line) in doc.lines.iter().enumerate() {
        if line.is_blank(&doc.text) {
            continue;
        }
        // No score for a line the model does not judge (a rule's, a block's, a short or a dropped
        // document's).
        let score = judged
            .filter(|(v, _)| !judged_before_model(&v[i]))
            .map(|(_, rows)| model.score(&rows[i]));
        let p = Prediction {
            id: &doc.id,
            line: i + 1,
            label: labels[i],
            score,
            text: line.span.content(&doc.text),
        };
        crate::report::push_jsonl(&p, out);
    }
}
