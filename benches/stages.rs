//! `make bench-stages`: the pure stages of `deboil clean`, each timed alone on one core.
//!
//! A whole run on a shared virtual machine varies by several percent from one run to the
//! next, more than most changes to one stage move it. Each stage here runs over the same
//! documents in memory (the start of "synth-news", `STAGE_BYTES`, 50 MB by default, or
//! the JSONL file `STAGE_CORPUS`), `STAGE_RUNS` times (7 by default); the best run is
//! shown, as MB of document text per second. A benchmark, not a test: it asserts nothing
//! about time.

use std::hint::black_box;
use std::io::BufRead;
use std::path::PathBuf;
use std::time::Instant;

use deboil::dedup::{self, KeptLine};
use deboil::document::{Fields, SiteFrom, parse_json};
use deboil::features::{Facts, extract};
use deboil::fingerprint::{ShingleParams, prepare};
use deboil::model::{DEFAULT_MODEL, DEFAULT_MODEL_PATH, Model, Scorer};
use deboil::normalize::{LineSpan, Normalizer, split_lines};
use deboil::rules::RuleSet;

#[path = "common/synth.rs"]
mod synth;

use synth::env_or;

/// The best of `runs` timings of `work`, in seconds.
fn best(runs: usize, mut work: impl FnMut() -> u64) -> f64 {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            black_box(work());
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let bytes: u64 = env_or("STAGE_BYTES", 50_000_000);
    let runs: usize = env_or("STAGE_RUNS", 7usize).max(1);
    let corpus = match std::env::var_os("STAGE_CORPUS") {
        Some(path) => PathBuf::from(path),
        None => synth::corpus(env_or("BENCH_BYTES", 1_000_000_000)),
    };
    let fields = Fields {
        text: "text".into(),
        id: "id".into(),
        site: SiteFrom::UrlField("url".into()),
    };
    let file = std::fs::File::open(&corpus).expect("corpus");
    let mut records: Vec<Vec<u8>> = Vec::new();
    let mut read = 0u64;
    for line in std::io::BufReader::new(file).split(b'\n') {
        let line = line.expect("read corpus");
        read += line.len() as u64 + 1;
        records.push(line);
        if read >= bytes {
            break;
        }
    }
    let texts: Vec<String> = (records.iter())
        .filter_map(|r| parse_json(r, &fields, String::new).ok())
        .map(|d| d.text.into_owned())
        .collect();
    let text_mb = texts.iter().map(String::len).sum::<usize>() as f64 / 1e6;
    let lines: usize = texts.iter().map(|t| split_lines(t).len()).sum();
    println!(
        "corpus: {} (first {:.0} MB: {} documents, {} lines, {text_mb:.1} MB of text); best of {runs} runs, one core",
        corpus.display(),
        read as f64 / 1e6,
        texts.len(),
        lines,
    );
    println!("| stage | what it does to each document | MB/s of text | ns per line |");
    println!("|---|---|---|---|");
    let row = |stage: &str, what: &str, seconds: f64| {
        println!(
            "| {stage} | {what} | {:.0} | {:.0} |",
            text_mb / seconds,
            seconds * 1e9 / lines as f64
        );
    };

    let s = best(runs, || {
        (records.iter())
            .filter_map(|r| parse_json(r, &fields, String::new).ok())
            .map(|d| d.text.len() as u64)
            .sum()
    });
    row("parse", "the JSON record, its text unescaped", s);

    let s = best(runs, || {
        texts.iter().map(|t| split_lines(t).len() as u64).sum()
    });
    row("split lines", "every line's span found", s);

    let s = best(runs, || {
        let mut sum = 0u64;
        for text in &texts {
            let spans = split_lines(text);
            let mut norm = Normalizer::for_lines(&spans);
            for span in &spans {
                sum += norm.normalize(span.content(text)).len() as u64;
            }
        }
        sum
    });
    row(
        "normalize",
        "every line (NFKC, case, digits, punctuation)",
        s,
    );

    let params = ShingleParams {
        words: 3,
        max_line_words: 12,
        stopwords: true,
    };
    let s = best(runs, || {
        (texts.iter())
            .map(|t| prepare(t, &params).lines.len() as u64)
            .sum()
    });
    row(
        "fingerprint (pass 1)",
        "every line normalized, hashed; short lines' shingles; stopwords",
        s,
    );

    let rules = RuleSet::compile(RuleSet::default_rules().expect("built-in rules"))
        .expect("built-in rules compile");
    let mut cache = rules.cache();
    let s = best(runs, || {
        let mut hits = 0u64;
        for text in &texts {
            for span in split_lines(text) {
                hits += u64::from(rules.first_match(span.content(text), &mut cache).is_some());
            }
        }
        hits
    });
    row("rules", "every line against the built-in rules", s);

    // Each line as if it were held by one document and no stage had judged it.
    let prepared: Vec<_> = texts.iter().map(|t| prepare(t, &params)).collect();
    let longest = prepared.iter().map(|p| p.lines.len()).max().unwrap_or(0);
    let facts = vec![
        Facts {
            docs: 1,
            copies: 1,
            ..Facts::default()
        };
        longest
    ];
    let s = best(runs, || {
        (texts.iter().zip(&prepared))
            .map(|(t, p)| extract(t, &p.lines, &facts[..p.lines.len()]).len() as u64)
            .sum()
    });
    row(
        "features",
        "every line's row for the model: its surface, its neighbours', the page's prose",
        s,
    );

    let rows: Vec<_> = (texts.iter().zip(&prepared))
        .map(|(t, p)| extract(t, &p.lines, &facts[..p.lines.len()]))
        .collect();
    let model = Model::parse(DEFAULT_MODEL, DEFAULT_MODEL_PATH).expect("shipped model");
    let scorer = Scorer::new(model);
    let s = best(runs, || {
        // Lines scored more likely boilerplate than not: a sum that needs every margin.
        let likelier = rows
            .iter()
            .flat_map(|r| scorer.margins(r))
            .filter(|&m| m > 0.0);
        likelier.count() as u64
    });
    row(
        "model",
        "every line's margin from the shipped model's trees",
        s,
    );

    // As if cleaning kept every line: what pass 2 signs for near copies.
    let kept: Vec<(Vec<LineSpan>, Vec<KeptLine>)> = (texts.iter())
        .map(|t| {
            let prepared = prepare(t, &params);
            (prepared.lines.iter())
                .map(|line| {
                    let kept = KeptLine {
                        print: Some(line.into()),
                        ..KeptLine::default()
                    };
                    (line.span, kept)
                })
                .unzip()
        })
        .collect();
    let near = dedup::Params::default();
    let s = best(runs, || {
        (texts.iter().zip(&kept))
            .map(|(t, (spans, k))| dedup::fingerprint_lines(t, spans, k, &near).bands.len() as u64)
            .sum()
    });
    row(
        "dedup print (pass 2)",
        "kept lines normalized again, 5-word shingles hashed, samples, MinHash, band keys",
        s,
    );
}
