//! `deboil train` and `deboil cv` end to end on a small labelled corpus: the model file is
//! the same bytes for any thread count, `clean` uses it, and bad input is named.

mod util;

use util::{Dir, clean_into, deboil, jsonl, repo, run};

fn train(dir: &Dir, name: &str, extra: &[&str]) -> util::Run {
    run(deboil()
        .arg("train")
        .arg("--docs")
        .arg(repo("testdata/corpus/news.jsonl"))
        .arg("--labels")
        .arg(repo("testdata/labelled/labels.jsonl"))
        .args(["--trees", "8", "--depth", "3"])
        .arg("-o")
        .arg(dir.path(name))
        .args(extra))
}

/// The run exited 2 (nothing written) and said `says`.
fn refused(r: &util::Run, says: &str) {
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains(says), "{says:?} not in {}", r.stderr);
}

#[test]
fn training_is_deterministic_and_clean_uses_the_model() {
    let dir = Dir::new();
    let one = train(&dir, "one.model", &["-j", "1", "--threshold", "0.5"]);
    assert_eq!(one.code, 0, "{}", one.stderr);
    let two = train(&dir, "two.model", &["-j", "2", "--threshold", "0.5"]);
    assert_eq!(two.code, 0, "{}", two.stderr);
    let model = dir.read("one.model");
    assert_eq!(model, dir.read("two.model"), "same bytes at -j 1 and -j 2");
    assert!(
        model.contains("\ndeboil-model 1\nthreshold 0.5\n"),
        "{model}"
    );
    assert!(
        model.contains("corpus: 10 pages"),
        "provenance is written: {model}"
    );
    assert_eq!(model.matches("\ntree ").count(), 8);

    let model = dir.path("one.model");
    let model = model.to_str().expect("a UTF-8 path");
    let r = clean_into(
        &dir,
        &[&repo("testdata/corpus/news.jsonl")],
        &["--model", model, "--quiet"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let audit_text = dir.read("audit.jsonl");
    let audit = jsonl(&audit_text);
    let by_model: Vec<_> = audit.iter().filter(|a| a["reason"] == "model").collect();
    assert!(!by_model.is_empty(), "the model removed lines");
    for a in &by_model {
        let score = a["score"]
            .as_f64()
            .expect("a model removal carries its score");
        assert!(score >= 0.5, "{a}");
    }
    // Deduplication reads the scores of kept lines; the audit is the same without it.
    let r = clean_into(
        &dir,
        &[&repo("testdata/corpus/news.jsonl")],
        &["--model", model, "--quiet", "--dedup", "none"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(dir.read("audit.jsonl"), audit_text);
    for a in audit.iter().filter(|a| a["reason"] != "model") {
        assert!(a.get("score").is_none(), "{a}");
    }
    // The template lines the fixture labels boilerplate go; the story lines stay.
    let clean = dir.read("clean.jsonl");
    assert!(!clean.contains("Home  Local  Sports"), "{clean}");
    assert!(clean.contains("Council approves budget for the new library wing"));
    assert!(clean.contains("Engineers closed the Elm Street bridge"));
}

#[test]
fn a_higher_threshold_removes_no_more() {
    let dir = Dir::new();
    assert_eq!(train(&dir, "m.model", &[]).code, 0);
    let model = dir.path("m.model");
    let model = model.to_str().expect("a UTF-8 path");
    let removed = |t: &str| {
        let input = repo("testdata/corpus/news.jsonl");
        let r = clean_into(
            &dir,
            &[&input],
            &["--model", model, "--threshold", t, "--quiet"],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        dir.read("audit.jsonl").lines().count()
    };
    assert!(removed("0.2") >= removed("0.5"));
    assert!(removed("0.5") >= removed("0.95"));
}

#[test]
fn a_fold_left_out_of_training_is_every_page_of_its_sites() {
    let dir = Dir::new();
    let pages = |name: &str| -> usize {
        let model = dir.read(name);
        let line = model
            .lines()
            .find(|l| l.contains("corpus: "))
            .unwrap_or_else(|| panic!("{model}"));
        let n = line
            .split("corpus: ")
            .nth(1)
            .and_then(|r| r.split(' ').next());
        n.and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{line}"))
    };
    let mut trained = Vec::new();
    for fold in ["0", "1"] {
        let name = format!("without{fold}.model");
        let r = train(&dir, &name, &["--folds", "2", "--leave-out-fold", fold]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(
            dir.read(&name).contains(&format!(
                "left out: the pages of the sites in fold {fold} of 2"
            )),
            "{}",
            dir.read(&name)
        );
        trained.push(pages(&name));
    }
    // The 10 pages of 3 sites: each page is left out of exactly one of the two models.
    assert_eq!(trained.iter().sum::<usize>(), 10, "{trained:?}");
    assert!(trained.iter().all(|&n| 0 < n && n < 10), "{trained:?}");
    assert_ne!(dir.read("without0.model"), dir.read("without1.model"));
    let r = train(
        &dir,
        "bad.model",
        &["--folds", "2", "--leave-out-fold", "2"],
    );
    refused(&r, "--leave-out-fold 2: folds are numbered 0 to 1");
    assert!(!dir.exists("bad.model"));
}

#[test]
fn cross_validation_reports_scores_per_threshold() {
    let dir = Dir::new();
    let r = run(deboil()
        .arg("cv")
        .arg("--docs")
        .arg(repo("testdata/corpus/news.jsonl"))
        .arg("--labels")
        .arg(repo("testdata/labelled/labels.jsonl"))
        .args([
            "--folds",
            "2",
            "--trees",
            "5",
            "--thresholds",
            "0.3,0.7",
            "--json",
        ])
        .arg("--predictions")
        .arg(dir.path("new/predictions")));
    assert_eq!(r.code, 0, "{}", r.stderr);
    // The predictions folder is made; one held-out score per labelled line.
    let labels =
        jsonl(&std::fs::read_to_string(repo("testdata/labelled/labels.jsonl")).expect("labels"));
    let lines: usize = labels
        .iter()
        .map(|l| l["line_labels"].as_array().expect("labels").len())
        .sum();
    let predictions = jsonl(&dir.read("new/predictions/corpus.predictions.jsonl"));
    assert_eq!(predictions.len(), lines);
    let scores: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    let scores = scores.as_array().expect("a list");
    assert_eq!(scores.len(), 2);
    for s in scores {
        assert_eq!(s["docs"], 10);
        let c = &s["chars"];
        let total: u64 = ["tp", "fp", "fn", "tn"]
            .iter()
            .map(|k| c[k].as_u64().expect("count"))
            .sum();
        assert!(total > 1000, "every labelled character is counted: {s}");
    }
}

#[test]
fn bad_labels_and_unpaired_sets_are_named() {
    let dir = Dir::new();
    let r = run(deboil()
        .arg("train")
        .arg("--docs")
        .arg(repo("testdata/corpus/news.jsonl"))
        .arg("--docs")
        .arg(repo("testdata/corpus/news.jsonl"))
        .arg("--labels")
        .arg(repo("testdata/labelled/labels.jsonl"))
        .arg("-o")
        .arg(dir.path("m.model")));
    refused(&r, "in pairs");

    let labels = dir.write(
        "labels.jsonl",
        std::fs::read_to_string(repo("testdata/labelled/labels.jsonl"))
            .expect("labels")
            .replacen("[0, 0, 1", "[0, 1", 1),
    );
    let r = run(deboil()
        .arg("train")
        .arg("--docs")
        .arg(repo("testdata/corpus/news.jsonl"))
        .arg("--labels")
        .arg(&labels)
        .arg("-o")
        .arg(dir.path("m.model")));
    refused(&r, "labels.jsonl: news-00 has 8 labels for 9 lines");
    assert!(!dir.exists("m.model"), "nothing written");
}

#[test]
fn a_missing_output_folder_is_named_before_any_work() {
    let dir = Dir::new();
    let r = train(&dir, "missing/m.model", &[]);
    refused(&r, "--output");
    refused(&r, "missing does not exist");
}

#[test]
fn a_broken_model_file_is_named_with_its_line() {
    let dir = Dir::new();
    let model = dir.write("m.model", "deboil-model 1\nthreshold 0.5\nfeatures a b\n");
    let model = model.to_str().expect("a UTF-8 path");
    let r = clean_into(
        &dir,
        &[&repo("testdata/corpus/news.jsonl")],
        &["--model", model],
    );
    refused(&r, "m.model:3:");
    refused(&r, "retrain");
    for output in [
        "clean.jsonl",
        "rejected.jsonl",
        "audit.jsonl",
        "report.json",
    ] {
        assert!(!dir.exists(output), "{output} written");
    }
}
