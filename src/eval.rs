//! `deboil eval`: scores a cleaned output against per-line labels, with the metric of
//! `../shared/eval/README.md`.
//!
//! Boilerplate (label 0) is the positive class: a removed boilerplate line is a true
//! positive, a removed content line a false positive. Blank lines are ignored. Kept lines
//! are a subsequence of the input lines, so input and output are walked together. A
//! document missing from the output counts as all lines removed.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Serialize;
use serde_json::Value;

use crate::dedup::eval::{
    Causes, DedupScores, Page, PairError, pair_errors, score as score_pairs, true_pairs,
    with_identical_texts,
};
use crate::io::read::open_decoded;

/// Counts behind the scores, weighted by characters and by lines.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Scores {
    pub name: String,
    pub docs: u64,
    pub docs_missing: u64,
    pub chars: Confusion,
    pub lines: Confusion,
}

/// True/false positives/negatives; boilerplate is the positive class.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Confusion {
    /// Boilerplate removed.
    pub tp: u64,
    /// Content removed.
    pub fp: u64,
    /// Boilerplate kept.
    #[serde(rename = "fn")]
    pub fn_: u64,
    /// Content kept.
    pub tn: u64,
}

impl Confusion {
    fn add(&mut self, boilerplate: bool, removed: bool, weight: u64) {
        match (boilerplate, removed) {
            (true, true) => self.tp += weight,
            (false, true) => self.fp += weight,
            (true, false) => self.fn_ += weight,
            (false, false) => self.tn += weight,
        }
    }

    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }

    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }

    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    /// Content kept / all content.
    pub fn content_kept(&self) -> f64 {
        ratio(self.tn, self.tn + self.fp)
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Adds one document's counts: `original` with its labels, `cleaned` its cleaned text
/// (`None` when the document is missing from the output).
pub fn score_document(original: &str, labels: &[u8], cleaned: Option<&str>, scores: &mut Scores) {
    let kept: Vec<&str> = cleaned.map(|c| c.split('\n').collect()).unwrap_or_default();
    let mut next = 0;
    for (line, &label) in original.split('\n').zip(labels) {
        let removed = if next < kept.len() && kept[next] == line {
            next += 1;
            false
        } else {
            true
        };
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        let boilerplate = label == 0;
        scores
            .chars
            .add(boilerplate, removed, trimmed.chars().count() as u64);
        scores.lines.add(boilerplate, removed, 1);
    }
    scores.docs += 1;
    if cleaned.is_none() {
        scores.docs_missing += 1;
    }
}

fn for_each_json(path: &Path, mut f: impl FnMut(Value) -> Result<()>) -> Result<()> {
    let reader = open_decoded(path, Default::default())
        .with_context(|| format!("opening {}", path.display()))?;
    for (i, line) in reader.lines().enumerate() {
        let line = line.with_context(|| format!("{}:{}", path.display(), i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(&line)
            .with_context(|| format!("{}:{}: invalid JSON", path.display(), i + 1))?;
        f(value).with_context(|| format!("{}:{}", path.display(), i + 1))?;
    }
    Ok(())
}

fn id_of(v: &Value) -> Result<String> {
    match v.get("id") {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Ok(other.to_string()),
        None => bail!("no id"),
    }
}

/// Reads a labels file: id → one label per line (1 content, 0 boilerplate).
pub fn read_labels(labels: &Path) -> Result<HashMap<String, Vec<u8>>> {
    let mut label_map: HashMap<String, Vec<u8>> = HashMap::new();
    for_each_json(labels, |v| {
        let labels = v
            .get("line_labels")
            .and_then(Value::as_array)
            .context("no line_labels")?
            .iter()
            .map(|l| l.as_u64().map(|n| n as u8).context("a label is not 0 or 1"))
            .collect::<Result<Vec<u8>>>()?;
        label_map.insert(id_of(&v)?, labels);
        Ok(())
    })?;
    Ok(label_map)
}

/// Scores `output` against the labelled `docs`.
pub fn score(docs: &Path, labels: &Path, output: &Path, name: &str) -> Result<Scores> {
    let label_map = read_labels(labels)?;
    let mut cleaned: HashMap<String, String> = HashMap::new();
    for_each_json(output, |v| {
        let text = v.get("text").and_then(Value::as_str).context("no text")?;
        cleaned.insert(id_of(&v)?, text.to_string());
        Ok(())
    })?;
    let mut scores = Scores {
        name: name.to_string(),
        ..Scores::default()
    };
    for_each_json(docs, |v| {
        let id = id_of(&v)?;
        let text = v.get("text").and_then(Value::as_str).context("no text")?;
        let labels = label_map
            .get(&id)
            .with_context(|| format!("no labels for {id}"))?;
        if labels.len() != text.split('\n').count() {
            bail!(
                "{id}: {} labels for {} lines",
                labels.len(),
                text.split('\n').count()
            );
        }
        score_document(
            text,
            labels,
            cleaned.get(&id).map(String::as_str),
            &mut scores,
        );
        Ok(())
    })?;
    Ok(scores)
}

impl Scores {
    /// One table row: name, char P / R / F1, content kept, line P / R / F1.
    pub fn row(&self) -> String {
        let c = &self.chars;
        let l = &self.lines;
        format!(
            "{:<18} {:>6} {:>8.3} {:>8.3} {:>8.3} {:>8.3} {:>8.3} {:>8.3} {:>8.3}",
            self.name,
            self.docs,
            c.precision(),
            c.recall(),
            c.f1(),
            c.content_kept(),
            l.precision(),
            l.recall(),
            l.f1()
        )
    }

    pub fn header() -> String {
        format!(
            "{:<18} {:>6} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
            "set", "docs", "char-P", "char-R", "char-F1", "kept", "line-P", "line-R", "line-F1"
        )
    }
}

/// Reads labelled pages: `docs` (`{"id", "site", "text"}`) with their `labels`.
pub fn read_pages(docs: &Path, labels: &Path) -> Result<Vec<Page>> {
    let label_map = read_labels(labels)?;
    let mut pages = Vec::new();
    for_each_json(docs, |v| {
        let id = id_of(&v)?;
        let text = v.get("text").and_then(Value::as_str).context("no text")?;
        let site = v.get("site").and_then(Value::as_str).unwrap_or_default();
        let labels = label_map
            .get(&id)
            .with_context(|| format!("no labels for {id}"))?;
        let lines: Vec<String> = text.split('\n').map(str::to_string).collect();
        if labels.len() != lines.len() {
            bail!("{id}: {} labels for {} lines", labels.len(), lines.len());
        }
        pages.push(Page {
            id,
            site: site.to_string(),
            lines,
            labels: labels.clone(),
        });
        Ok(())
    })?;
    Ok(pages)
}

/// Scores each run's `--clusters` file against the true pairs of a planted corpus;
/// `text_field` is the field the runs cleaned. With `errors`, every wrong claim and missed
/// pair of the content scores is written there as JSONL.
pub fn score_dedup(
    corpus: &Path,
    runs: &[(String, std::path::PathBuf)],
    min_jaccard: f64,
    text_field: &str,
    errors: Option<&Path>,
) -> Result<Vec<DedupScores>> {
    let mut error_rows: Vec<u8> = Vec::new();
    let mut kinds: Vec<String> = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    let mut contents: Vec<String> = Vec::new();
    let mut texts: Vec<String> = Vec::new();
    let mut of: Vec<Option<String>> = Vec::new();
    let mut folds: Vec<Option<u64>> = Vec::new();
    for_each_json(corpus, |v| {
        ids.push(id_of(&v)?);
        contents.push(
            v.get("content")
                .and_then(Value::as_str)
                .context("no content (not a corpus written by deboil plant)")?
                .to_string(),
        );
        texts.push(
            v.get("text")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        );
        of.push(v.get("of").and_then(Value::as_str).map(str::to_string));
        folds.push(v.get("fold").and_then(Value::as_u64));
        kinds.push(
            v.get("kind")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        );
        Ok(())
    })?;
    let index: HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let copy_of: Vec<Option<usize>> = of
        .iter()
        .map(|o| o.as_deref().and_then(|o| index.get(o).copied()))
        .collect();
    let k = crate::dedup::DEFAULT_SHINGLE_WORDS;
    let sets: Vec<Vec<u64>> = contents
        .iter()
        .map(|c| crate::dedup::shingle_set_of_every_line(c, k))
        .collect();
    // Corpora planted fold by fold (`deboil plant --fold`) were each cleaned on their own:
    // a pair is scored within its fold.
    let in_folds = |mut pairs: Vec<(usize, usize, f64)>| {
        pairs.retain(|&(a, b, _)| folds[a] == folds[b]);
        pairs
    };
    // Pages the labelled set holds twice are copies of each other, whatever their labels.
    let truth = in_folds(with_identical_texts(true_pairs(&sets, min_jaccard), &texts));
    let mut scores = Vec::new();
    for (name, output) in runs {
        let beside = |kind: &str| {
            crate::config::beside(output, kind)
                .with_context(|| format!("--run {name}: name the clean output file, not stdout"))
        };
        let clusters_path = beside("clusters")?;
        let mut clusters = Vec::new();
        // What the run said of each copy: its similarity to its survivor.
        let mut said: HashMap<usize, f64> = HashMap::new();
        for_each_json(&clusters_path, |v| {
            let at = |id: &Value| -> Result<usize> {
                let id = match id {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                index
                    .get(id.as_str())
                    .copied()
                    .with_context(|| format!("{id} is not in {}", corpus.display()))
            };
            let survivor = at(v.get("survivor").context("no survivor")?)?;
            let members = v
                .get("members")
                .and_then(Value::as_array)
                .context("no members")?
                .iter()
                .map(|m| {
                    let i = at(m.get("id").unwrap_or(&Value::Null))?;
                    if let Some(sim) = m.get("similarity").and_then(Value::as_f64)
                        && i != survivor
                    {
                        said.insert(i, sim);
                    }
                    Ok(i)
                })
                .collect::<Result<Vec<usize>>>()?;
            clusters.push((survivor, members));
            Ok(())
        })?;
        let mut content = score_pairs(&format!("{name}, content"), &truth, &clusters, &copy_of);
        // The same clusters against the texts the run deduplicated: its clean output and
        // the cleaned texts of the copies it rejected.
        let mut cleaned: Vec<String> = vec![String::new(); ids.len()];
        let mut put = |v: &Value| -> Result<()> {
            if let Some(&i) = index.get(id_of(v)?.as_str()) {
                cleaned[i] = v
                    .get(text_field)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .into();
            }
            Ok(())
        };
        for_each_json(output, |v| put(&v))?;
        for_each_json(&beside("rejected")?, |v| match v.get("record") {
            Some(r) if v.get("survivor").is_some() => put(r),
            _ => Ok(()),
        })?;
        // As deduplication sees them (prose lines, when they stand for the text).
        let params = crate::dedup::Params::default();
        let cleaned_sets: Vec<Vec<u64>> = cleaned
            .iter()
            .map(|c| crate::dedup::shingle_set(c, &params))
            .collect();
        let truth_cleaned = in_folds(true_pairs(&cleaned_sets, min_jaccard));
        let content_errors: Vec<(PairError, f64)> = (pair_errors(&truth, &clusters, &sets))
            .into_iter()
            .map(|e| {
                let (PairError::WrongClaim(a, b, _) | PairError::Missed(a, b, _)) = e;
                (e, crate::dedup::jaccard(&cleaned_sets[a], &cleaned_sets[b]))
            })
            .collect();
        content.causes = Some(Causes::count(content_errors.iter().copied(), min_jaccard));
        scores.push(content);
        if errors.is_some() {
            let survivor_of: HashMap<usize, usize> = clusters
                .iter()
                .flat_map(|(s, members)| members.iter().map(move |&m| (m, *s)))
                .collect();
            for (e, cleaned_j) in content_errors {
                let (error, a, b, j) = match e {
                    PairError::WrongClaim(a, b, j) => ("wrong-claim", a, b, j),
                    PairError::Missed(a, b, j) => ("missed", a, b, j),
                };
                let doc = |i: usize| {
                    serde_json::json!({
                        "id": ids[i],
                        "kind": kinds[i],
                        "survivor": survivor_of.get(&i).map(|&s| &ids[s]),
                        "similarity": said.get(&i),
                    })
                };
                let row = serde_json::json!({
                    "run": name,
                    "error": error,
                    "a": doc(a),
                    "b": doc(b),
                    "content_jaccard": round3(j),
                    "cleaned_jaccard": round3(cleaned_j),
                });
                serde_json::to_writer(&mut error_rows, &row)?;
                error_rows.push(b'\n');
            }
        }
        scores.push(score_pairs(
            &format!("{name}, cleaned"),
            &truth_cleaned,
            &clusters,
            &copy_of,
        ));
    }
    if let Some(path) = errors {
        crate::io::write::write_file(path, &error_rows)
            .with_context(|| format!("--errors {}", path.display()))?;
    }
    Ok(scores)
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_kept_lines_in_order() {
        let mut s = Scores::default();
        // Lines: nav (bp), body (content), "" (blank), footer (bp), body (content, a copy).
        let original = "nav\nbody text\n\nfooter\nbody text";
        score_document(original, &[0, 1, 1, 0, 0], Some("body text\n"), &mut s);
        assert_eq!(
            s.lines,
            Confusion {
                tp: 3,
                fp: 0,
                fn_: 0,
                tn: 1
            }
        );
        assert_eq!(s.chars.tp, 3 + 6 + 9);
        assert_eq!(s.chars.content_kept(), 1.0);
    }

    #[test]
    fn missing_document_is_all_removed() {
        let mut s = Scores::default();
        score_document("a\nbb", &[1, 0], None, &mut s);
        assert_eq!(
            s.chars,
            Confusion {
                tp: 2,
                fp: 1,
                fn_: 0,
                tn: 0
            }
        );
        assert_eq!(s.docs_missing, 1);
        assert!((s.chars.f1() - 0.8).abs() < 1e-9);
    }
}
