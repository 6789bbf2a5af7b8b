//! Invariants of line cleaning on random corpora, through the library's stages:
//! cleaned lines are a subsequence of the original lines, cleaning twice changes nothing,
//! storing documents again changes no verdict, and the order of the corpus does not change
//! any document's verdict. All but the second hold with the shipped line model too;
//! cleaning twice changing nothing is a property of the frequency stages alone (a model
//! may judge a line again once its neighbours went).

use deboil::config::{
    DEFAULT_BLOCK_GAP_MAX_WORDS, DEFAULT_BLOCK_HEADING_MAX_WORDS, DEFAULT_BLOCK_HEADING_MIN_LINES,
    DEFAULT_BLOCK_MAX_GAP_LINES, DEFAULT_SHINGLE_MAX_LINE_WORDS, DEFAULT_SHINGLE_WORDS,
};
use deboil::count::{Counts, DocKeys};
use deboil::decide::{Params, Site, Verdict, clean_text, decide, keep_mask};
use deboil::fingerprint::{ShingleParams, prepare, site_hash};
use deboil::rules::RuleSet;
use proptest::prelude::*;

const SHINGLES: ShingleParams = ShingleParams {
    words: DEFAULT_SHINGLE_WORDS,
    max_line_words: DEFAULT_SHINGLE_MAX_LINE_WORDS,
    stopwords: true,
};

/// Compiled once: compiling the rules costs more than a test case in a debug build.
static RULES: std::sync::LazyLock<RuleSet> = std::sync::LazyLock::new(|| {
    RuleSet::compile(RuleSet::default_rules().expect("rules")).expect("compile")
});

/// The shipped line model, loaded once.
static MODEL: std::sync::LazyLock<std::sync::Arc<deboil::model::Scorer>> =
    std::sync::LazyLock::new(|| {
        let model = deboil::config::load_model(None).expect("shipped model");
        std::sync::Arc::new(deboil::model::Scorer::new(model))
    });

fn with_model() -> Params {
    Params {
        threshold: MODEL.model().threshold,
        model: Some(MODEL.clone()),
        ..params()
    }
}

fn params() -> Params {
    Params {
        // Small corpora: low thresholds so that every stage fires.
        corpus_min_docs: 3,
        site_min_pages: 2,
        site_min_share: 0.0,
        near_min_share: 0.9,
        block_max_gap_lines: DEFAULT_BLOCK_MAX_GAP_LINES,
        block_gap_max_words: DEFAULT_BLOCK_GAP_MAX_WORDS,
        block_heading_min_lines: DEFAULT_BLOCK_HEADING_MIN_LINES,
        block_heading_max_words: DEFAULT_BLOCK_HEADING_MAX_WORDS,
        model: None,
        threshold: 0.5,
        scores: false,
        kept_scores: false,
    }
}

/// (site, text) pairs in, cleaned texts out (`None`: nothing left or dropped).
fn clean(corpus: &[(Option<String>, String)], rules: &RuleSet) -> Vec<Option<String>> {
    clean_with(corpus, rules, &params())
}

fn clean_with(
    corpus: &[(Option<String>, String)],
    rules: &RuleSet,
    params: &Params,
) -> Vec<Option<String>> {
    let mut counts = Counts::default();
    let keys: Vec<DocKeys> = corpus
        .iter()
        .map(|(site, text)| DocKeys::new(&prepare(text, &SHINGLES), site.as_deref()))
        .collect();
    counts.add_batch(&keys);
    let mut cache = rules.cache();
    corpus
        .iter()
        .map(|(site, text)| {
            let doc = prepare(text, &SHINGLES);
            let site = site.as_deref().map(|s| {
                let hash = site_hash(s);
                Site {
                    hash,
                    pages: counts.site_pages(hash),
                    masthead: false,
                }
            });
            match decide(text, &doc, site, &counts, (rules, &mut cache), params) {
                Verdict::DropDoc { .. } => None,
                Verdict::Lines(v) => {
                    let keep = keep_mask(text, &doc.lines, &v);
                    let out = clean_text(text, &doc.lines, &keep);
                    (!out.trim().is_empty()).then_some(out)
                }
            }
        })
        .collect()
}

fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        // Template lines shared between pages.
        3 => prop::sample::select(vec![
            "Home | News | Sports".to_string(),
            "Share this article".to_string(),
            "Copyright 2024 Example Media".to_string(),
            "Read more: another story".to_string(),
            "Posted on March 3, 2024".to_string(),
            "Posted on March 14, 2025".to_string(),
        ]),
        // Content: sentences of random words.
        4 => prop::collection::vec("[a-z]{2,8}", 3..14)
            .prop_map(|w| format!("{}.", w.join(" "))),
        // Short lines and blank lines.
        2 => "[A-Za-z]{1,10}( [A-Za-z]{1,10})?",
        1 => Just(String::new()),
    ]
}

fn corpus() -> impl Strategy<Value = Vec<(Option<String>, String)>> {
    let doc = (
        prop::option::of(prop::sample::select(vec!["a.example", "b.example"])),
        prop::collection::vec(line(), 0..14),
        any::<bool>(),
    )
        .prop_map(|(site, lines, newline)| {
            let mut text = lines.join("\n");
            if newline {
                text.push('\n');
            }
            (site.map(str::to_string), text)
        });
    prop::collection::vec(doc, 1..8)
}

fn is_subsequence(cleaned: &str, original: &str) -> bool {
    let mut original = original.lines();
    cleaned.lines().all(|l| original.any(|o| o == l))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn cleaned_lines_are_a_subsequence_of_the_original(corpus in corpus()) {
        for params in [params(), with_model()] {
            for ((_, text), out) in corpus.iter().zip(clean_with(&corpus, &RULES, &params)) {
                if let Some(out) = out {
                    prop_assert!(is_subsequence(&out, text), "{out:?} from {text:?}");
                }
            }
        }
    }

    #[test]
    fn cleaning_twice_changes_nothing(corpus in corpus()) {
        let rules = &*RULES;
        let once: Vec<(Option<String>, String)> = corpus
            .iter()
            .zip(clean(&corpus, rules))
            .filter_map(|((site, _), out)| out.map(|o| (site.clone(), o)))
            .collect();
        let twice = clean(&once, rules);
        for ((_, first), second) in once.iter().zip(twice) {
            prop_assert_eq!(Some(first.clone()), second);
        }
    }

    #[test]
    fn storing_documents_again_changes_no_verdict(
        corpus in corpus(),
        again in prop::collection::vec(any::<prop::sample::Index>(), 1..4),
    ) {
        // Pass 1 counts a text once: copies of documents (same site, same text) leave
        // every document's verdict as it was, and each copy is cleaned as its original.
        let rules = RuleSet::empty();
        let again: Vec<usize> = again.iter().map(|i| i.index(corpus.len())).collect();
        let mut stored = corpus.clone();
        stored.extend(again.iter().map(|&i| corpus[i].clone()));
        for params in [params(), with_model()] {
            let once = clean_with(&corpus, &rules, &params);
            let out = clean_with(&stored, &rules, &params);
            prop_assert_eq!(&out[..corpus.len()], &once[..]);
            for (k, &i) in again.iter().enumerate() {
                prop_assert_eq!(&out[corpus.len() + k], &once[i]);
            }
        }
    }

    #[test]
    fn corpus_order_does_not_change_a_verdict(corpus in corpus()) {
        let rules = RuleSet::empty();
        for params in [params(), with_model()] {
            let forward = clean_with(&corpus, &rules, &params);
            let reversed: Vec<_> = corpus.iter().rev().cloned().collect();
            let mut backward = clean_with(&reversed, &rules, &params);
            backward.reverse();
            prop_assert_eq!(forward, backward);
        }
    }
}
