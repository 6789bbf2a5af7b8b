//! The five seed articles cleaned together: what must go, what must stay, and that the
//! fingerprint stages find the footers and link lists without any rule.

mod util;

use std::collections::HashMap;

use util::{Dir, deboil, jsonl, repo, run};

struct Cleaned {
    /// Cleaned text by seed number ("000".."004"); missing when rejected.
    text: HashMap<String, String>,
    /// (seed, line text) → reason, for every removed line.
    removed: HashMap<(String, String), String>,
}

fn clean_seeds(extra: &[&str]) -> Cleaned {
    let dir = Dir::new();
    let r = run(deboil()
        .arg("clean")
        .arg(repo("testdata/seeds"))
        .arg("-o")
        .arg(dir.path("clean.jsonl"))
        .arg("--audit")
        .arg(dir.path("audit.jsonl"))
        .arg("--quiet")
        .args(extra));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let seed = |id: &serde_json::Value| id.as_str().expect("id")[..3].to_string();
    let text = jsonl(&dir.read("clean.jsonl"))
        .iter()
        .map(|v| {
            (
                seed(&v["id"]),
                v["text"].as_str().expect("text").to_string(),
            )
        })
        .collect();
    let removed = jsonl(&dir.read("audit.jsonl"))
        .iter()
        .map(|v| {
            (
                (
                    seed(&v["id"]),
                    v["text"].as_str().expect("text").to_string(),
                ),
                v["reason"].as_str().expect("reason").to_string(),
            )
        })
        .collect();
    Cleaned { text, removed }
}

fn seed_lines(n: &str) -> Vec<String> {
    let dir = repo("testdata/seeds");
    let file = std::fs::read_dir(&dir)
        .expect("seeds")
        .map(|e| e.expect("entry").path())
        .find(|p| {
            p.file_name()
                .is_some_and(|f| f.to_string_lossy().starts_with(n))
        })
        .expect("seed file");
    std::fs::read_to_string(file)
        .expect("read")
        .lines()
        .map(str::to_string)
        .collect()
}

fn assert_gone(c: &Cleaned, seed: &str, starts: &str, copies: usize) {
    let original = seed_lines(seed)
        .into_iter()
        .filter(|l| l.starts_with(starts))
        .count();
    assert_eq!(
        original, copies,
        "seed {seed} has {copies} lines starting {starts:?}"
    );
    let text = &c.text[seed];
    assert!(
        !text.lines().any(|l| l.starts_with(starts)),
        "seed {seed}: {starts:?} should be removed"
    );
}

fn assert_kept(c: &Cleaned, seed: &str, line: &str) {
    assert!(
        c.text[seed].lines().any(|l| l == line),
        "seed {seed}: {line:?} should be kept"
    );
}

const SHARED_003: &str = "Moscow and Pyongyang have denied such intentions.";

const LEAD_001: &str = "Developing relations with Moscow is the top priority for Pyongyang, Kim Jong Un, top leader of the Democratic People's Republic of Korea, said Wednesday, according to the Kremlin.";

#[test]
fn seeds_lose_their_footers_and_lists_and_keep_their_articles() {
    let c = clean_seeds(&[]);
    assert_eq!(c.text.len(), 5);

    // 001: the licence block printed twice, the link bar, the repeated lead.
    assert_gone(&c, "001", "沪ICP证", 2);
    assert_gone(&c, "001", "沪公网安备 31010602001940号", 2);
    assert_gone(&c, "001", "Copyright 20", 2);
    assert_gone(&c, "001", "About Us  |  Contact Us", 1);
    assert_eq!(
        c.text["001"].lines().filter(|l| *l == LEAD_001).count(),
        1,
        "the lead keeps exactly its first copy"
    );
    assert_eq!(c.removed[&("001".into(), LEAD_001.into())], "repeat");

    // 002: "Read more:" and "Search Trends".
    assert_gone(
        &c,
        "002",
        "Read more: Vladimir Putin, Kim Jong Un hold talks",
        1,
    );
    assert_gone(&c, "002", "Search Trends", 1);

    // 004: the whole "More From KCNA.kp" list.
    assert_gone(&c, "004", "More From KCNA.kp (En)", 1);
    assert_gone(&c, "004", "Pyongyang, March 1", 40);
    assert_gone(&c, "004", "March 1", 20);
    assert_gone(&c, "004", "More Articles", 1);

    // Kept: every line of 000 and 003, the bodies of 001, 002 and 004.
    for seed in ["000", "003"] {
        let original: Vec<String> = seed_lines(seed)
            .into_iter()
            .filter(|l| !l.trim().is_empty())
            .collect();
        let kept: Vec<&str> = c.text[seed]
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect();
        assert_eq!(kept, original, "seed {seed} keeps every line");
    }
    // 003's closing line is also printed by 002: shared text, not a template.
    assert_kept(&c, "003", SHARED_003);
    assert_kept(&c, "001", LEAD_001);
    assert_kept(
        &c,
        "001",
        "Kim Jong Un says relations with Russia top priority for DPRK: Kremlin",
    );
    assert_kept(
        &c,
        "001",
        "The talks between Kim and Putin took place in a meeting room on the first floor of an engineering complex for the space rocket Soyuz-2.",
    );
    assert_kept(
        &c,
        "002",
        "Putin accepts Kim Jong Un's invitation to visit DPRK: KCNA",
    );
    assert_kept(&c, "002", "Kim visits Russia's rocket launch site");
    assert_kept(
        &c,
        "002",
        "Russian Foreign Minister Sergei Lavrov will visit Pyongyang for more talks next month, the Kremlin said.",
    );
    let first_004 = &seed_lines("004")[0];
    assert!(
        first_004.starts_with("Pyongyang, September 14 (KCNA) -- Kim Jong Un , general secretary")
    );
    assert_kept(&c, "004", first_004);
    assert_kept(
        &c,
        "004",
        "The talks proceeded in a comradely and constructive atmosphere. -0-",
    );
    // Every body paragraph (long line) of 001, 002 and 004 survives once.
    for seed in ["001", "002", "004"] {
        for line in seed_lines(seed) {
            let is_body = line.split_whitespace().count() >= 12
                && line.trim_end().ends_with(['.', '"', '”', '?', '!'])
                && !line.starts_with("Pyongyang, March 1");
            if is_body {
                assert_kept(&c, seed, &line);
            }
        }
    }
}

#[test]
fn fingerprints_find_the_footers_without_rules() {
    let c = clean_seeds(&["--no-default-rules"]);
    assert_gone(&c, "001", "沪ICP证", 2);
    assert_gone(&c, "001", "沪公网安备 31010602001940号", 2);
    assert_gone(&c, "001", "Copyright 20", 2);
    assert_gone(&c, "004", "More From KCNA.kp (En)", 1);
    assert_gone(&c, "004", "Pyongyang, March 1", 40);
    assert_gone(&c, "004", "March 1", 20);
    assert_gone(&c, "004", "More Articles", 1);
    assert!(c.removed.values().all(|reason| reason != "rule"));
    assert_kept(&c, "001", LEAD_001);
    assert_kept(
        &c,
        "004",
        "The talks proceeded in a comradely and constructive atmosphere. -0-",
    );
}
