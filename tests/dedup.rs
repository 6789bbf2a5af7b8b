//! Document deduplication in `deboil clean`: an agency article syndicated to six sites,
//! each copy under its own site's template (testdata/dedup/syndicated.jsonl: the original,
//! two exact copies, a word changed, a paragraph dropped, a sentence added).

mod util;

use util::{Dir, deboil, jsonl, repo, run};

const ORIGINAL: &str = "northbank-times-solar";

fn clean(dir: &Dir, inputs: &[std::path::PathBuf], extra: &[&str]) -> util::Run {
    run(deboil()
        .arg("clean")
        .args(inputs)
        .args(["--site-field", "site", "--quiet", "-o"])
        .arg(dir.path("clean.jsonl"))
        .arg("--rejected")
        .arg(dir.path("rejected.jsonl"))
        .arg("--clusters")
        .arg(dir.path("clusters.jsonl"))
        .args(extra))
}

fn syndicated() -> std::path::PathBuf {
    repo("testdata/dedup/syndicated.jsonl")
}

fn agency_lines() -> Vec<String> {
    let original = jsonl(&std::fs::read_to_string(syndicated()).expect("fixture"))
        .into_iter()
        .find(|d| d["id"] == ORIGINAL)
        .expect("the original");
    let text = original["text"].as_str().expect("text").to_string();
    // The site's two header lines and two footer lines frame the article.
    let lines: Vec<&str> = text.lines().collect();
    lines[2..lines.len() - 2]
        .iter()
        .map(|l| l.to_string())
        .collect()
}

#[test]
fn copies_under_other_templates_go_and_the_original_stays_whole() {
    let dir = Dir::new();
    let r = clean(&dir, &[syndicated()], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    let clean = jsonl(&dir.read("clean.jsonl"));
    let original = clean
        .iter()
        .find(|d| d["id"] == ORIGINAL)
        .expect("the original survives");
    let kept = original["text"].as_str().expect("text");
    for line in agency_lines() {
        assert!(kept.contains(&line), "the original lost {line:?}");
    }
    assert!(
        clean
            .iter()
            .all(|d| d["copy"].is_null() || d["id"] == ORIGINAL),
        "only the original of the syndicated copies is in the clean output"
    );

    let rejected = jsonl(&dir.read("rejected.jsonl"));
    let reason = |copy: &str| -> (String, String, f64) {
        let r = rejected
            .iter()
            .find(|r| r["record"]["copy"] == copy)
            .unwrap_or_else(|| panic!("{copy} is rejected"));
        (
            r["reason"].as_str().expect("reason").into(),
            r["survivor"].as_str().expect("survivor").into(),
            r["similarity"].as_f64().expect("similarity"),
        )
    };
    let exact = reason("exact");
    assert_eq!(
        (exact.0.as_str(), exact.1.as_str(), exact.2),
        ("duplicate", ORIGINAL, 1.0)
    );
    for edited in ["word", "drop", "add"] {
        let (why, survivor, similarity) = reason(edited);
        assert_eq!(
            (why.as_str(), survivor.as_str()),
            ("near-duplicate", ORIGINAL)
        );
        assert!((0.8..1.0).contains(&similarity), "{edited}: {similarity}");
    }
    // Nothing lost: every input is clean or rejected.
    assert_eq!(clean.len() + rejected.len(), 24);

    let clusters = jsonl(&dir.read("clusters.jsonl"));
    assert_eq!(clusters.len(), 1);
    assert_eq!(clusters[0]["survivor"], ORIGINAL);
    assert_eq!(clusters[0]["size"], 6);
    assert_eq!(clusters[0]["members"][0]["id"], ORIGINAL);
    assert!(clusters[0]["members"][0]["reason"].is_null());
}

#[test]
fn without_line_cleaning_the_templates_hide_most_copies() {
    let dir = Dir::new();
    let r = clean(&dir, &[syndicated()], &["--keep-lines"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let found = jsonl(&dir.read("rejected.jsonl")).len();
    assert!(found < 5, "{found} of 5 copies found with the templates on");
}

#[test]
fn modes_none_and_exact() {
    let dir = Dir::new();
    let r = clean(&dir, &[syndicated()], &["--dedup", "none"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(jsonl(&dir.read("clean.jsonl")).len(), 24);
    assert_eq!(dir.read("clusters.jsonl"), "", "no clusters without dedup");

    let r = clean(&dir, &[syndicated()], &["--dedup", "exact"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rejected = jsonl(&dir.read("rejected.jsonl"));
    assert_eq!(rejected.len(), 2);
    assert!(rejected.iter().all(|r| r["reason"] == "duplicate"));
}

#[test]
fn verified_pairs_give_exact_similarities() {
    let dir = Dir::new();
    let r = clean(&dir, &[syndicated()], &["--verify"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rejected = jsonl(&dir.read("rejected.jsonl"));
    assert_eq!(rejected.len(), 5);
    let added = rejected
        .iter()
        .find(|r| r["record"]["copy"] == "add")
        .expect("the copy with a sentence added");
    // One sentence of 17 words added to 164 words of shingles: a share of the union.
    let j = added["similarity"].as_f64().expect("similarity");
    assert!((0.85..0.95).contains(&j), "{j}");
}

#[test]
fn same_result_for_any_thread_count_and_any_split_into_files() {
    let whole = Dir::new();
    let r = clean(&whole, &[syndicated()], &["--threads", "1"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = std::fs::read_to_string(syndicated()).expect("fixture");
    let lines: Vec<&str> = text.lines().collect();
    let parts = Dir::new();
    // Folders are read in name order, so the order of documents is the same.
    let a = parts.write("in/a.jsonl", lines[..10].join("\n") + "\n");
    parts.write("in/b.jsonl", lines[10..].join("\n") + "\n");
    let folder = a.parent().expect("folder").to_path_buf();
    for threads in ["1", "2", "4"] {
        let split = Dir::new();
        let r = clean(
            &split,
            std::slice::from_ref(&folder),
            &["--threads", threads],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(split.read("clean.jsonl"), whole.read("clean.jsonl"));
        assert_eq!(split.read("clusters.jsonl"), whole.read("clusters.jsonl"));
        // Rejected records name their source file; everything else is the same.
        let strip = |d: &Dir| -> Vec<serde_json::Value> {
            jsonl(&d.read("rejected.jsonl"))
                .into_iter()
                .map(|mut r| {
                    r["source"] = serde_json::Value::Null;
                    r
                })
                .collect()
        };
        assert_eq!(strip(&split), strip(&whole));
    }
}
