//! Document deduplication in `deboil clean`: an agency article syndicated to six sites,
//! each copy under its own site's template (testdata/dedup/syndicated.jsonl: the original,
//! two exact copies, a word changed, a paragraph dropped, a sentence added).

mod util;

use util::{Dir, deboil, jsonl, repo, run};

const ORIGINAL: &str = "northbank-times-solar";

/// [`util::clean_into`] with sites from the `site` field and the clusters in
/// clusters.jsonl.
fn clean(dir: &Dir, inputs: &[std::path::PathBuf], extra: &[&str]) -> util::Run {
    clean_sites(dir, inputs, extra, true)
}

/// [`clean`], with sites from the `site` field or (`sites` false) without any.
fn clean_sites(dir: &Dir, inputs: &[std::path::PathBuf], extra: &[&str], sites: bool) -> util::Run {
    let inputs: Vec<&std::path::Path> = inputs.iter().map(|p| p.as_path()).collect();
    let clusters = dir.path("clusters.jsonl");
    let mut flags = vec![
        "--quiet",
        "--clusters",
        clusters.to_str().expect("UTF-8 path"),
    ];
    if sites {
        flags.extend_from_slice(&["--site-field", "site"]);
    }
    flags.extend_from_slice(extra);
    util::clean_into(dir, &inputs, &flags)
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

/// The original keeps every agency line, and every copy is rejected with the original as
/// its survivor: the exact copies as `duplicate` when `exact_copies_stay_exact`, else as
/// either kind. Panics at the first difference.
/// Cleaned with sites from the `site` field, or (`sites` false) without any.
fn original_whole_and_copies_gone(extra: &[&str], exact_copies_stay_exact: bool, sites: bool) {
    let dir = Dir::new();
    let r = clean_sites(&dir, &[syndicated()], extra, sites);
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
    if exact_copies_stay_exact {
        assert_eq!(
            (exact.0.as_str(), exact.1.as_str(), exact.2),
            ("duplicate", ORIGINAL, 1.0)
        );
    } else {
        assert!(["duplicate", "near-duplicate"].contains(&exact.0.as_str()));
        assert_eq!(exact.1, ORIGINAL);
        assert!((0.8..=1.0).contains(&exact.2), "exact: {}", exact.2);
    }
    for edited in ["word", "drop", "add"] {
        let (why, survivor, similarity) = reason(edited);
        assert_eq!(
            (why.as_str(), survivor.as_str()),
            ("near-duplicate", ORIGINAL)
        );
        assert!((0.8..1.0).contains(&similarity), "{edited}: {similarity}");
    }
    // Nothing lost: every input is clean or rejected, and every line is in the clean
    // output, the audit or a rejected copy (which carries its cleaned text).
    assert_eq!(clean.len() + rejected.len(), 24);
    let report: serde_json::Value = serde_json::from_str(&dir.read("report.json")).expect("report");
    let nonblank = |text: &serde_json::Value| {
        text.as_str()
            .expect("text")
            .lines()
            .filter(|l| !l.trim().is_empty())
            .count() as u64
    };
    let in_copies: u64 = rejected
        .iter()
        .map(|r| nonblank(&r["record"]["text"]))
        .sum();
    assert!(in_copies > 0);
    assert_eq!(report["lines"]["in_rejected_documents"], in_copies);
    assert_eq!(report["lines"]["accounted"], true);
    let audited = dir.read("audit.jsonl").lines().count() as u64;
    let out: u64 = clean.iter().map(|d| nonblank(&d["text"])).sum();
    assert_eq!(report["lines"]["out"], out);
    assert_eq!(report["lines"]["in"], out + audited + in_copies);

    let clusters = jsonl(&dir.read("clusters.jsonl"));
    assert_eq!(clusters.len(), 1);
    assert_eq!(clusters[0]["survivor"], ORIGINAL);
    assert_eq!(clusters[0]["size"], 6);
    assert_eq!(clusters[0]["members"][0]["id"], ORIGINAL);
    assert!(clusters[0]["members"][0]["reason"].is_null());
}

/// The frequency stages remove each site's template whole (every line is on 4 of its 4
/// pages), so copies that differed only in their templates come out byte-identical.
#[test]
fn copies_under_other_templates_go_and_the_original_stays_whole() {
    original_whole_and_copies_gone(&["--no-model"], true, true);
}

/// The line model judges the templates by score, so a template line it keeps can turn an
/// exact copy into a near one; the article stays whole and every copy still goes.
#[test]
fn with_the_line_model_the_original_stays_whole_and_every_copy_goes() {
    original_whole_and_copies_gone(&[], false, true);
}

/// Without sites (text files, a corpus without URLs), the agency's lines are in six
/// documents, as a footer printed on every page would be. Each copy is nearly all the
/// article, so each keeps it (the frequency stages would have removed it from all six, the
/// original with them), and deduplication keeps the original alone. The templates stay
/// (each outlet's is on four pages, too few to be the corpus's), so no copy is exact.
#[test]
fn without_sites_the_original_stays_whole_and_every_copy_goes() {
    for model in [&["--no-model"][..], &[]] {
        original_whole_and_copies_gone(model, false, false);
    }
}

#[test]
fn without_line_cleaning_the_templates_hide_most_copies_from_minhash_over_every_line() {
    let dir = Dir::new();
    let r = clean(
        &dir,
        &[syndicated()],
        &["--keep-lines", "--dedup-min-words", "0"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let found = jsonl(&dir.read("rejected.jsonl")).len();
    assert!(found < 5, "{found} of 5 copies found with the templates on");
    // Judged by their prose lines (the default), the copies are found even with the
    // templates on: the templates' menus, bylines and footers are short lines.
    let r = clean(&dir, &[syndicated()], &["--keep-lines"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let found = jsonl(&dir.read("rejected.jsonl")).len();
    assert_eq!(found, 5, "copies judged by their prose lines");
}

/// The ids of JSONL records, in order.
fn ids(records: &[serde_json::Value]) -> Vec<String> {
    records.iter().map(|r| r["id"].to_string()).collect()
}

fn id_strs(records: &[serde_json::Value]) -> Vec<&str> {
    records
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect()
}

fn path_str(path: &std::path::Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// Cleans `inputs` into `dir` with `--signatures`, which it returns: signatures.jsonl.
fn signed_run(dir: &Dir, inputs: &[std::path::PathBuf]) -> std::path::PathBuf {
    let signatures = dir.path("signatures.jsonl");
    let r = clean(dir, inputs, &["--signatures", path_str(&signatures)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    signatures
}

#[test]
fn signatures_line_up_with_the_clean_output_and_compare_across_runs() {
    let dir = Dir::new();
    let signatures = signed_run(&dir, &[syndicated()]);
    let clean_docs = jsonl(&dir.read("clean.jsonl"));
    let signed = jsonl(&std::fs::read_to_string(signatures).expect("signatures"));
    assert_eq!(
        ids(&signed),
        ids(&clean_docs),
        "one line per clean document, in order"
    );
    for s in &signed {
        assert_eq!(
            s["scheme"], "xxh3-64/oph normalize=1 doc=2 words=5 prose-words=10 bins=120",
            "{s}"
        );
        assert_eq!(s["minhash"].as_array().expect("bins").len(), 120, "{s}");
        let exact = s["exact"].as_str().expect("exact");
        assert!(
            exact.len() == 16 && u64::from_str_radix(exact, 16).is_ok(),
            "{exact}"
        );
    }
    let (at, original) = clean_docs
        .iter()
        .enumerate()
        .find(|(_, d)| d["id"] == ORIGINAL)
        .expect("the original");

    // Another run, on the original's cleaned text alone under another id, kept as it is:
    // the same fingerprint and bins.
    let again = Dir::new();
    let record = serde_json::json!({"id": "again", "text": original["text"]});
    let input = again.write("again.jsonl", format!("{record}\n"));
    let theirs = again.path("signatures.jsonl");
    let r = util::clean_into(
        &again,
        &[&input],
        &["--quiet", "--keep-lines", "--signatures", path_str(&theirs)],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let theirs = jsonl(&again.read("signatures.jsonl"));
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0]["id"], "again");
    assert_eq!(theirs[0]["exact"], signed[at]["exact"]);
    assert_eq!(theirs[0]["minhash"], signed[at]["minhash"]);
}

/// The site pages and the original in a first run; the same site pages and the five
/// copies in a second run, against the first run's signatures.
#[test]
fn a_later_run_rejects_copies_of_what_an_earlier_run_kept() {
    let text = std::fs::read_to_string(syndicated()).expect("fixture");
    let lines: Vec<&str> = text.lines().collect();
    let (pages, original, copies) = (&lines[..18], lines[18], &lines[19..]);
    assert!(original.contains(ORIGINAL));
    let first = Dir::new();
    let input = first.write("first.jsonl", format!("{}\n{original}\n", pages.join("\n")));
    let signatures = signed_run(&first, &[input]);
    assert_eq!(jsonl(&first.read("clean.jsonl")).len(), 19);

    let second = Dir::new();
    let input = second.write(
        "second.jsonl",
        format!("{}\n{}\n", pages.join("\n"), copies.join("\n")),
    );
    let against = ["--against", path_str(&signatures)];
    let r = clean(&second, std::slice::from_ref(&input), &against);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Every document was kept by the first run, or copies one it kept.
    assert_eq!(second.read("clean.jsonl"), "");
    let rejected = jsonl(&second.read("rejected.jsonl"));
    assert_eq!(rejected.len(), 23, "nothing lost");
    for r in &rejected {
        let id = r["id"].as_str().expect("id");
        let survivor = if id.ends_with("-solar") { ORIGINAL } else { id };
        assert_eq!(r["survivor"], survivor, "{r}");
        assert!(
            r["detail"]
                .as_str()
                .expect("detail")
                .contains("earlier run"),
            "{r}"
        );
        let j = r["similarity"].as_f64().expect("similarity");
        assert!(j >= 0.8, "{r}");
    }
    let report: serde_json::Value =
        serde_json::from_str(&second.read("report.json")).expect("report");
    assert_eq!(report["dedup"]["earlier_documents"], 19);
    assert_eq!(report["dedup"]["earlier_copies"], 23);
    let clusters = jsonl(&second.read("clusters.jsonl"));
    let of_original = clusters
        .iter()
        .find(|c| c["survivor"] == ORIGINAL)
        .expect("the original's cluster");
    assert_eq!(of_original["earlier"], true);
    assert_eq!(of_original["size"], 6);

    // Without the first run's signatures the copies are found among themselves.
    let alone = Dir::new();
    let r = clean(&alone, &[input], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(jsonl(&alone.read("clean.jsonl")).len(), 19);
}

#[test]
fn signatures_of_another_scheme_or_a_broken_line_stop_the_run() {
    let dir = Dir::new();
    let signatures = signed_run(&dir, &[syndicated()]);
    let sig = path_str(&signatures);

    let later = Dir::new();
    let r = clean(
        &later,
        &[syndicated()],
        &["--against", sig, "--dedup-words", "4"],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("{sig}:1: signatures made as")) && r.stderr.contains("words=4"),
        "{}",
        r.stderr
    );
    assert!(!later.exists("clean.jsonl"), "nothing written");

    let mut text = dir.read("signatures.jsonl");
    text.push_str("{\"id\": \"x\", \"exact\": \"12\"}\n");
    let broken = dir.write("broken.jsonl", &text);
    let n = text.lines().count();
    let r = clean(&later, &[syndicated()], &["--against", path_str(&broken)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let at = format!("{}:{n}: not a signature line", broken.display());
    assert!(r.stderr.contains(&at), "{}", r.stderr);

    for (flags, says) in [
        (
            ["--dedup", "exact", "--signatures", "s.jsonl"],
            "--signatures needs --dedup near",
        ),
        (
            ["--dedup", "none", "--against", sig],
            "--against needs --dedup exact or near",
        ),
    ] {
        let r = clean(&later, &[syndicated()], &flags);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stderr.contains(says), "{}", r.stderr);
    }
}

/// `n` prose lines of 15 distinct words, `salt` apart from other texts.
fn prose(salt: &str, n: usize) -> Vec<String> {
    (0..n)
        .map(|l| {
            (0..15)
                .map(|w| format!("{salt}{}", util::letters(l * 15 + w)))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// Writes `(id, site, lines)` pages to corpus.jsonl in `dir`.
fn write_pages(dir: &Dir, docs: &[(&str, &str, Vec<String>)]) -> std::path::PathBuf {
    let corpus: String = docs
        .iter()
        .map(|(id, site, lines)| {
            serde_json::json!({"id": id, "site": site, "text": lines.join("\n")}).to_string() + "\n"
        })
        .collect();
    dir.write("corpus.jsonl", corpus)
}

/// Writes `(id, site, lines)` pages as JSONL and cleans them into `dir` without the line
/// model, a line being the site's when it is on 3 of its pages (`--site-min-pages 3`).
fn clean_pages_of_sites(dir: &Dir, docs: &[(&str, &str, Vec<String>)]) {
    let input = write_pages(dir, docs);
    let r = clean(dir, &[input], &["--no-model", "--site-min-pages", "3"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// A copy on site b of site a's article, with a promotion of site b's own that cleaning
/// keeps (`--site-min-pages 3`: it is on 2 pages). The copy is only about 0.77 alike to
/// the article as a whole; the promotion is on another page of its site, so it is the
/// site's, and the copy goes. On no other page of b, it is the copy's own text, and the
/// copy stays.
#[test]
fn what_a_copy_shares_with_its_own_site_does_not_keep_it() {
    for promotion_elsewhere in [true, false] {
        let dir = Dir::new();
        let article = prose("art", 10);
        let promotion = prose("promo", 3);
        let mut docs = vec![("a0", "a.example", article.clone())];
        docs.push(("a1", "a.example", prose("alpha", 6)));
        let other = if promotion_elsewhere {
            [prose("bee", 6), promotion.clone()].concat()
        } else {
            prose("bee", 6)
        };
        docs.push(("b0", "b.example", other));
        docs.push(("b1", "b.example", prose("beta", 6)));
        docs.push(("b2", "b.example", [article, promotion].concat()));
        clean_pages_of_sites(&dir, &docs);
        let clean_ids: Vec<String> = jsonl(&dir.read("clean.jsonl"))
            .iter()
            .map(|d| d["id"].as_str().expect("id").to_string())
            .collect();
        let rejected = jsonl(&dir.read("rejected.jsonl"));
        if promotion_elsewhere {
            assert_eq!(clean_ids, ["a0", "a1", "b0", "b1"]);
            assert_eq!(rejected.len(), 1);
            assert_eq!(rejected[0]["id"], "b2");
            assert_eq!(rejected[0]["survivor"], "a0");
            assert_eq!(rejected[0]["reason"], "near-duplicate");
        } else {
            assert_eq!(clean_ids, ["a0", "a1", "b0", "b1", "b2"]);
            assert!(rejected.is_empty(), "{rejected:?}");
        }
    }
}

/// The original's site prints one of the article's paragraphs on its other pages too, so
/// cleaning removes it there as the site's (`--site-min-pages 3`), while its copy on site b
/// keeps it. The copy holds a paragraph the original does not show, but the original had
/// it: that line counts on neither side, and the copy goes.
#[test]
fn a_line_the_original_had_removed_does_not_keep_its_copy() {
    let dir = Dir::new();
    let article = prose("art", 4);
    let quoted = article[2].clone();
    let docs = [
        ("a0", "a.example", article.clone()),
        (
            "a1",
            "a.example",
            [prose("alpha", 4), vec![quoted.clone()]].concat(),
        ),
        (
            "a2",
            "a.example",
            [prose("gamma", 4), vec![quoted]].concat(),
        ),
        ("b0", "b.example", prose("beta", 4)),
        ("b1", "b.example", article),
    ];
    clean_pages_of_sites(&dir, &docs);
    // The paragraph went from the three pages of site a, and stayed on b1.
    let removed: Vec<String> = jsonl(&dir.read("audit.jsonl"))
        .iter()
        .map(|a| a["id"].as_str().expect("id").to_string())
        .collect();
    assert_eq!(removed, ["a0", "a1", "a2"]);
    let rejected = jsonl(&dir.read("rejected.jsonl"));
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    assert_eq!(rejected[0]["id"], "b1");
    assert_eq!(rejected[0]["survivor"], "a0");
    assert!(rejected[0]["similarity"].as_f64().expect("similarity") >= 0.8);
}

/// An article stored five times in a corpus without sites, and a page fetched twice on
/// its site: each text is counted once in pass 1, so its lines are neither in five
/// documents (corpus boilerplate) nor on two pages of the site (the site's), and the
/// first copy keeps all of it while the others go as `duplicate`. Counted as often as
/// stored, every line went from every copy, the first with them.
#[test]
fn a_text_stored_many_times_is_counted_once_and_its_first_copy_stays_whole() {
    let article = prose("art", 6);
    for model in [&["--no-model"][..], &[]] {
        // Without sites: the article five times among three other documents.
        let dir = Dir::new();
        let mut corpus = String::new();
        for i in 0..8 {
            let text = if i < 5 {
                article.clone()
            } else {
                prose(&format!("other{}", util::letters(i)), 6)
            };
            corpus += &(serde_json::json!({"id": format!("d{i}"), "text": text.join("\n")})
                .to_string()
                + "\n");
        }
        let input = dir.write("corpus.jsonl", corpus);
        let mut flags = vec!["--quiet"];
        flags.extend_from_slice(model);
        let r = util::clean_into(&dir, &[input.as_path()], &flags);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let kept = jsonl(&dir.read("clean.jsonl"));
        assert_eq!(id_strs(&kept), ["d0", "d5", "d6", "d7"], "{model:?}");
        assert_eq!(kept[0]["text"], article.join("\n"), "{model:?}");
        let rejected = jsonl(&dir.read("rejected.jsonl"));
        assert_eq!(id_strs(&rejected), ["d1", "d2", "d3", "d4"]);
        assert!(
            rejected
                .iter()
                .all(|r| r["reason"] == "duplicate" && r["survivor"] == "d0")
        );
        let report: serde_json::Value =
            serde_json::from_str(&dir.read("report.json")).expect("report");
        assert_eq!(report["tables"]["repeated_texts"], 4, "{report}");

        // With sites: a page fetched twice, among three other pages of its site that
        // share a header; the header goes as the site's, the article stays.
        let dir = Dir::new();
        let page = |body: Vec<String>| [vec!["Alpha Gazette home page".to_string()], body].concat();
        let mut docs = vec![("a0", "a.example", page(article.clone()))];
        docs.push(("a0-again", "a.example", page(article.clone())));
        for i in 1..4 {
            docs.push((
                "a-other",
                "a.example",
                page(prose(&format!("alpha{}", util::letters(i)), 6)),
            ));
        }
        let input = write_pages(&dir, &docs);
        let r = clean(&dir, &[input], model);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let kept = jsonl(&dir.read("clean.jsonl"));
        assert_eq!(kept[0]["id"], "a0");
        assert_eq!(kept[0]["text"], article.join("\n"), "{model:?}");
        let rejected = jsonl(&dir.read("rejected.jsonl"));
        assert_eq!(id_strs(&rejected), ["a0-again"]);
        assert_eq!(rejected[0]["reason"], "duplicate");
    }
}

/// A page fetched twice on its site, the second time with a changed sidebar: the texts
/// differ, so both are counted, and the article is on two of the site's seven pages, as a
/// site's own line would be. Each copy is nearly all article, so each keeps it; the
/// first stays whole and the second goes as its near duplicate. Before, without the
/// model, both lost every article line as the site's.
#[test]
fn a_page_fetched_twice_with_another_sidebar_keeps_its_article_once() {
    let article: Vec<String> = prose("art", 8).into_iter().map(|l| l + ".").collect();
    let page = |body: Vec<String>, sidebar: &str| {
        [
            vec!["Alpha Gazette home page".to_string()],
            body,
            vec![format!("Most read: {sidebar}")],
        ]
        .concat()
    };
    for model in [&["--no-model"][..], &[]] {
        let dir = Dir::new();
        let mut docs = vec![(
            "a0",
            "a.example",
            page(article.clone(), "the harbour bridge"),
        )];
        for i in 1..6 {
            let body = prose(&format!("alpha{}", util::letters(i)), 6);
            docs.push(("a-other", "a.example", page(body, "the harbour bridge")));
        }
        docs.push((
            "a0-again",
            "a.example",
            page(article.clone(), "the new ferry"),
        ));
        let input = write_pages(&dir, &docs);
        let r = clean(&dir, &[input], model);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let kept = jsonl(&dir.read("clean.jsonl"));
        assert_eq!(kept[0]["id"], "a0");
        let text = kept[0]["text"].as_str().expect("text");
        for line in &article {
            assert!(text.contains(line.as_str()), "{model:?}: a0 lost {line:?}");
        }
        let rejected = jsonl(&dir.read("rejected.jsonl"));
        assert_eq!(id_strs(&rejected), ["a0-again"], "{model:?}");
        assert_eq!(rejected[0]["survivor"], "a0");
    }
}

/// An agency's article on one page of each of six outlets, in a corpus without sites,
/// under heavy templates: each outlet's two-line masthead, a sidebar of six sentences it
/// prints on all four of its pages, a cookie notice every page prints and a footer. The
/// article is in six documents, as often as a footer, and less than half of its page, so
/// nothing in the counts tells it from template but the mastheads: it is on one page of
/// each, the sidebars on all. The first copy keeps every article line and the five others
/// go as its near duplicates; the cookie notice goes from every page. Before, the article
/// went from all six pages as corpus boilerplate, and no copy was found.
#[test]
fn without_sites_an_article_under_heavy_templates_stays_in_its_first_copy() {
    let sentences = |salt: &str, n: usize| -> Vec<String> {
        prose(salt, n).into_iter().map(|l| l + ".").collect()
    };
    let article = sentences("agency", 8);
    let cookie = sentences("cookie", 3);
    let mut pages: Vec<(String, Vec<String>)> = Vec::new();
    for o in 0..6 {
        let outlet = format!("outlet{}", util::letters(o));
        let top = vec![
            format!("The {outlet} Gazette"),
            format!("{outlet} news | {outlet} sport | {outlet} weather"),
        ];
        let sidebar = sentences(&format!("{outlet}side"), 6);
        let footer = sentences(&format!("{outlet}foot"), 2);
        let page = |headline: &str, body: &[String]| {
            [
                top.clone(),
                vec![headline.to_string()],
                body.to_vec(),
                vec!["Most read".to_string()],
                sidebar.clone(),
                cookie.clone(),
                footer.clone(),
            ]
            .concat()
        };
        let agency = page(
            "Scientists find a new way to store the heat of summer",
            &article,
        );
        pages.push((format!("{outlet}-agency"), agency));
        for p in 0..3 {
            let body = sentences(&format!("{outlet}body{}", util::letters(p)), 6);
            pages.push((format!("{outlet}-{p}"), page("Local news", &body)));
        }
    }
    let corpus: String = pages
        .iter()
        .map(|(id, lines)| {
            serde_json::json!({"id": id, "text": lines.join("\n")}).to_string() + "\n"
        })
        .collect();
    for model in [&["--no-model"][..], &[]] {
        let dir = Dir::new();
        let input = dir.write("corpus.jsonl", corpus.clone());
        let r = clean_sites(&dir, &[input], model, false);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let kept = jsonl(&dir.read("clean.jsonl"));
        let first = kept
            .iter()
            .find(|d| d["id"] == "outleta-agency")
            .expect("the first copy is kept");
        let text = first["text"].as_str().expect("text");
        for line in &article {
            assert!(text.contains(line.as_str()), "{model:?}: lost {line:?}");
        }
        for d in &kept {
            let text = d["text"].as_str().expect("text");
            assert!(!text.contains(cookie[0].as_str()), "{model:?}: {}", d["id"]);
        }
        let rejected = jsonl(&dir.read("rejected.jsonl"));
        let copies: Vec<&str> = id_strs(&rejected);
        assert_eq!(
            copies,
            [
                "outletb-agency",
                "outletc-agency",
                "outletd-agency",
                "outlete-agency",
                "outletf-agency"
            ],
            "{model:?}"
        );
        assert!(
            rejected
                .iter()
                .all(|r| r["reason"] == "near-duplicate" && r["survivor"] == "outleta-agency"),
            "{model:?}: {rejected:?}"
        );
    }
}

#[test]
fn modes_none_and_exact() {
    let dir = Dir::new();
    let r = clean(&dir, &[syndicated()], &["--dedup", "none"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(jsonl(&dir.read("clean.jsonl")).len(), 24);
    assert_eq!(dir.read("clusters.jsonl"), "", "no clusters without dedup");

    let r = clean(&dir, &[syndicated()], &["--dedup", "exact", "--no-model"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rejected = jsonl(&dir.read("rejected.jsonl"));
    assert_eq!(rejected.len(), 2);
    assert!(rejected.iter().all(|r| r["reason"] == "duplicate"));
}

#[test]
fn verified_pairs_give_exact_similarities_by_default() {
    let dir = Dir::new();
    let similarities = |flags: &[&str]| -> Vec<f64> {
        let r = clean(&dir, &[syndicated()], flags);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let rejected = jsonl(&dir.read("rejected.jsonl"));
        assert_eq!(rejected.len(), 5, "{flags:?}");
        let added = rejected
            .iter()
            .find(|r| r["record"]["copy"] == "add")
            .expect("the copy with a sentence added");
        // One sentence of 17 words added to 164 words of shingles: a share of the union.
        let j = added["similarity"].as_f64().expect("similarity");
        assert!((0.85..0.95).contains(&j), "{flags:?}: {j}");
        rejected
            .iter()
            .map(|r| r["similarity"].as_f64().expect("similarity"))
            .collect()
    };
    let exact = similarities(&[]);
    assert_eq!(similarities(&["--verify"]), exact);
    // Estimates are shares of 120 bins; the exact values here are not.
    let estimated = similarities(&["--no-verify"]);
    let of_bins = |j: f64| ((j * 120.0).round() / 120.0 - j).abs() < 0.0006;
    assert!(estimated.iter().all(|&j| of_bins(j)), "{estimated:?}");
    assert!(exact.iter().any(|&j| !of_bins(j)), "{exact:?}");
}

#[test]
fn same_result_for_any_thread_count_and_any_split_into_files() {
    // With sites, and without them (each page then under its masthead).
    for sites in [true, false] {
        let whole = Dir::new();
        let signed = |d: &Dir| {
            d.path("signatures.jsonl")
                .to_str()
                .expect("UTF-8")
                .to_string()
        };
        let r = clean_sites(
            &whole,
            &[syndicated()],
            &["--threads", "1", "--signatures", &signed(&whole)],
            sites,
        );
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
            let r = clean_sites(
                &split,
                std::slice::from_ref(&folder),
                &["--threads", threads, "--signatures", &signed(&split)],
                sites,
            );
            assert_eq!(r.code, 0, "{}", r.stderr);
            assert_eq!(split.read("clean.jsonl"), whole.read("clean.jsonl"));
            let signatures = split.read("signatures.jsonl");
            assert_eq!(signatures, whole.read("signatures.jsonl"));
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
            assert_eq!(strip(&split), strip(&whole), "sites: {sites}");
        }
    }
}

/// Shingle sets kept out of memory (`--verify-memory 0`: every set goes to the temporary
/// file, and only the two being compared are read back) give the same result.
#[test]
fn sets_kept_in_a_temporary_file_give_the_same_result() {
    let in_memory = Dir::new();
    let r = clean(&in_memory, &[syndicated()], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let stashed = Dir::new();
    let r = clean(&stashed, &[syndicated()], &["--verify-memory", "0"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for file in [
        "clean.jsonl",
        "rejected.jsonl",
        "clusters.jsonl",
        "audit.jsonl",
    ] {
        assert_eq!(stashed.read(file), in_memory.read(file), "{file}");
    }
    let dedup = |d: &Dir| -> serde_json::Value {
        serde_json::from_str::<serde_json::Value>(&d.read("report.json")).expect("report")["dedup"]
            .clone()
    };
    let (kept, out) = (dedup(&in_memory), dedup(&stashed));
    let verified = kept["verified_documents"].as_u64().expect("count");
    assert!(verified >= 6, "{kept}");
    assert_eq!(kept["stashed_sets"], 0);
    assert_eq!(out["verified_documents"], verified);
    assert_eq!(out["stashed_sets"], verified);
    assert!(out["sets_read_back"].as_u64() >= Some(verified), "{out}");
    // The stash is deleted: nothing is left beside the outputs.
    let mut left: Vec<String> = std::fs::read_dir(stashed.path("."))
        .expect("folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        [
            "audit.jsonl",
            "clean.jsonl",
            "clusters.jsonl",
            "rejected.jsonl",
            "report.json"
        ]
    );
}

/// A labelled set of 30 pages on 3 sites, each page an 80-word story under its site's
/// two header and two footer lines.
fn labelled_set(dir: &Dir) -> (std::path::PathBuf, std::path::PathBuf) {
    let word = util::letters;
    let (mut docs, mut labels) = (String::new(), String::new());
    for p in 0..30 {
        let site = format!("site{}.example", word(p % 3));
        let body: Vec<String> = (0..4)
            .map(|l| {
                (0..20)
                    .map(|w| word(1000 + p * 97 + l * 20 + w))
                    .collect::<Vec<_>>()
                    .join(" ")
                    + "."
            })
            .collect();
        let mut lines = vec![
            format!("{site} front page"),
            "Home | News | Sport".to_string(),
        ];
        lines.extend(body);
        lines.push(format!("Copyright {site}, all rights reserved"));
        lines.push("About | Contact | Privacy".to_string());
        let text = lines.join("\n");
        docs.push_str(
            &serde_json::json!({"id": format!("p{p}"), "site": site, "text": text}).to_string(),
        );
        docs.push('\n');
        labels.push_str(
            &serde_json::json!({"id": format!("p{p}"), "line_labels": [0, 0, 1, 1, 1, 1, 0, 0]})
                .to_string(),
        );
        labels.push('\n');
    }
    (
        dir.write("docs.jsonl", docs),
        dir.write("labels.jsonl", labels),
    )
}

/// `deboil plant` on a labelled set, with `extra` options, into `out`.
fn plant(
    (docs, labels): &(std::path::PathBuf, std::path::PathBuf),
    extra: &[&str],
    out: &std::path::Path,
) -> util::Run {
    run(deboil()
        .arg("plant")
        .arg("--docs")
        .arg(docs)
        .arg("--labels")
        .arg(labels)
        .args(extra)
        .arg("-o")
        .arg(out))
}

/// `deboil eval-dedup --json` of `runs` (name, clean output) on `corpus`, with `extra`
/// arguments: the rows it prints.
fn eval_dedup(
    corpus: &std::path::Path,
    runs: &[(&str, std::path::PathBuf)],
    extra: &[&std::ffi::OsStr],
) -> serde_json::Value {
    let mut cmd = deboil();
    cmd.args(["eval-dedup", "--json", "--corpus"]).arg(corpus);
    for (name, output) in runs {
        cmd.arg("--run").arg(format!("{name}={}", output.display()));
    }
    let r = run(cmd.args(extra));
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).expect("JSON")
}

#[test]
fn planted_copies_are_scored_by_eval_dedup() {
    let dir = Dir::new();
    let set = labelled_set(&dir);
    let planted = dir.path("planted.jsonl");
    let r = plant(&set, &["--seed", "5"], &planted);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let corpus = jsonl(&dir.read("planted.jsonl"));
    let copies = corpus.iter().filter(|d| !d["of"].is_null()).count();
    assert!(copies >= 3, "{copies} copies planted");
    for (name, extra) in [
        ("verify", &["--dedup", "near"][..]),
        ("whole", &["--no-match-span"][..]),
        ("raw", &["--keep-lines", "--dedup-min-words", "0"][..]),
    ] {
        let r = run(deboil()
            .arg("clean")
            .arg(&planted)
            .args(["--site-field", "site", "--quiet", "-o"])
            .arg(dir.path(&format!("{name}.jsonl")))
            .arg("--clusters")
            .arg(dir.path(&format!("{name}.clusters.jsonl")))
            .args(extra));
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let runs = ["verify", "whole", "raw"].map(|n| (n, dir.path(&format!("{n}.jsonl"))));
    let scores = eval_dedup(&planted, &runs, &[]);
    let row = |name: &str| {
        scores
            .as_array()
            .expect("rows")
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("{name}"))
            .clone()
    };
    // Judged against whole documents, every copy is found and every claim is true.
    let content = row("whole, content");
    assert!(content["true_pairs"].as_u64().expect("pairs") >= 1);
    assert_eq!(content["found"], content["true_pairs"], "{content}");
    assert_eq!(content["claimed_true"], content["claimed"], "{content}");
    // Judged against the stretch of the survivor they match (the default), every copy is
    // found too; a claim beyond the true pairs can only be a copy whose text is all in
    // its survivor: one with a line dropped (at an end of these four-line pages).
    let spans = row("verify, content");
    assert_eq!(spans["found"], spans["true_pairs"], "{spans}");
    let by_id: std::collections::HashMap<&str, &serde_json::Value> = corpus
        .iter()
        .map(|d| (d["id"].as_str().expect("id"), d))
        .collect();
    let mut contained = 0;
    for cluster in jsonl(&dir.read("verify.clusters.jsonl")) {
        for member in cluster["members"]
            .as_array()
            .expect("members")
            .iter()
            .skip(1)
        {
            let copy = by_id[member["id"].as_str().expect("id")];
            if copy["of"] == cluster["survivor"] && copy["kind"] == "line-dropped" {
                contained += 1;
            }
        }
    }
    let claimed = spans["claimed"].as_u64().expect("claimed");
    let claimed_true = spans["claimed_true"].as_u64().expect("claimed true");
    assert!(claimed - claimed_true <= contained, "{spans}, {contained}");
    // With the templates on and every line shingled, copies of a story look less alike.
    let raw = row("raw, content");
    assert!(raw["found"].as_u64() < content["found"].as_u64(), "{raw}");
}

#[test]
fn eval_dedup_scores_runs_that_cleaned_another_field() {
    // Deduplicating the labelled content itself: the "cleaned" rows compare the clusters
    // with that field, so its true pairs are the content's and every one is found.
    let dir = Dir::new();
    let set = labelled_set(&dir);
    let planted = dir.path("planted.jsonl");
    assert_eq!(plant(&set, &["--seed", "5"], &planted).code, 0);
    let r = run(deboil()
        .arg("clean")
        .arg(&planted)
        .args([
            "--site-field",
            "site",
            "--text-field",
            "content",
            "--keep-lines",
        ])
        .args(["--dedup-min-words", "0", "--no-match-span", "--quiet", "-o"])
        .arg(dir.path("labelled.jsonl"))
        .arg("--clusters")
        .arg(dir.path("labelled.clusters.jsonl")));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rows = |field: &str| {
        let runs = [("labelled", dir.path("labelled.jsonl"))];
        let extra = ["--text-field", field].map(std::ffi::OsStr::new);
        eval_dedup(&planted, &runs, &extra)
            .as_array()
            .expect("rows")
            .clone()
    };
    let by_content = rows("content");
    let (content, cleaned) = (&by_content[0], &by_content[1]);
    assert!(content["true_pairs"].as_u64().expect("pairs") >= 1);
    assert_eq!(content["found"], content["true_pairs"], "{content}");
    assert_eq!(content["claimed_true"], content["claimed"], "{content}");
    assert_eq!(cleaned["true_pairs"], content["true_pairs"], "{cleaned}");
    assert_eq!(cleaned["found"], cleaned["true_pairs"], "{cleaned}");
    // The field is what the cleaned rows read: a field no record has leaves no text.
    let by_none = rows("no-such-field");
    assert_eq!(by_none[1]["true_pairs"], 0, "{}", by_none[1]);
    assert_eq!(by_none[0], *content, "the content rows do not depend on it");
}

#[test]
fn planted_fold_by_fold_each_copy_and_its_host_are_in_the_fold() {
    let dir = Dir::new();
    let set = labelled_set(&dir);
    let (mut pages, mut copies) = (Vec::new(), 0);
    for fold in 0..2 {
        let path = dir.path(&format!("fold{fold}.jsonl"));
        let extra = ["--seed", "5", "--folds", "2", "--fold", &fold.to_string()];
        let r = plant(&set, &extra, &path);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let corpus = jsonl(&dir.read(&format!("fold{fold}.jsonl")));
        let site_of: std::collections::HashMap<&str, &str> = corpus
            .iter()
            .map(|d| {
                (
                    d["id"].as_str().expect("id"),
                    d["site"].as_str().expect("site"),
                )
            })
            .collect();
        for d in &corpus {
            assert_eq!(d["fold"], fold, "{d}");
            let site = d["site"].as_str().expect("site");
            assert_eq!(deboil::learn::fold_of(Some(site), 2), fold, "{d}");
            match d["of"].as_str() {
                // A copy's page is in the fold too, and on another site than its host.
                Some(of) => {
                    assert_ne!(site_of[of], site, "{d}");
                    copies += 1;
                }
                None => pages.push(d["id"].as_str().expect("id").to_string()),
            }
        }
    }
    // Every page is planted in exactly one fold, and a fold of two sites gets copies.
    assert_eq!(pages.len(), 30);
    pages.sort();
    pages.dedup();
    assert_eq!(pages.len(), 30);
    assert!(copies > 0);
    let r = plant(&set, &["--fold", "1"], &dir.path("bad.jsonl"));
    assert_eq!(r.code, 2, "--fold needs --folds");
}

#[test]
fn eval_dedup_scores_a_pair_only_within_its_fold() {
    let dir = Dir::new();
    let story = (0..40).map(util::letters).collect::<Vec<_>>().join(" ");
    let corpus = |folds: [u32; 2]| {
        let docs: Vec<String> = folds
            .iter()
            .enumerate()
            .map(|(i, fold)| {
                serde_json::json!({"id": format!("d{i}"), "site": format!("s{i}"), "text": story,
                    "content": story, "kind": "page", "fold": fold})
                .to_string()
            })
            .collect();
        docs.join("\n") + "\n"
    };
    dir.write("run.jsonl", "");
    dir.write("run.clusters.jsonl", "");
    dir.write("run.rejected.jsonl", "");
    for (folds, pairs) in [([0, 0], 1), ([0, 1], 0)] {
        let path = dir.write("corpus.jsonl", corpus(folds));
        let scores = eval_dedup(&path, &[("run", dir.path("run.jsonl"))], &[]);
        assert_eq!(scores[0]["name"], "run, content");
        assert_eq!(scores[0]["true_pairs"], pairs, "folds {folds:?}: {scores}");
    }
}

#[test]
fn eval_dedup_lists_the_pairs_a_run_got_wrong() {
    let dir = Dir::new();
    let story = (0..40).map(util::letters).collect::<Vec<_>>().join(" ");
    let other = (100..140).map(util::letters).collect::<Vec<_>>().join(" ");
    let doc = |id: &str, site: &str, text: &str, content: &str| {
        serde_json::json!({"id": id, "site": site, "text": text, "content": content,
            "kind": "page"})
        .to_string()
    };
    // d1 carries d0's content under a header; d2 is d0's page again, labelled otherwise;
    // d3 is another story.
    let corpus = [
        doc("d0", "a", &story, &story),
        doc("d1", "b", &format!("header\n{story}"), &story),
        doc("d2", "a", &story, "a caption only"),
        doc("d3", "c", &other, &other),
    ]
    .join("\n")
        + "\n";
    let path = dir.write("corpus.jsonl", corpus);
    dir.write("run.jsonl", "");
    dir.write("run.rejected.jsonl", "");
    // The run joins d1 to d0, wrongly d3 too, and misses d2.
    let member = |id: &str, sim: f64| serde_json::json!({"id": id, "similarity": sim});
    let cluster = serde_json::json!({"survivor": "d0", "size": 3,
        "members": [member("d0", 1.0), member("d1", 0.9), member("d3", 0.85)]});
    dir.write("run.clusters.jsonl", format!("{cluster}\n"));
    let errors = dir.path("errors.jsonl");
    let extra = [std::ffi::OsStr::new("--errors"), errors.as_os_str()];
    let scores = eval_dedup(&path, &[("run", dir.path("run.jsonl"))], &extra);
    // d0–d1 by content, d0–d2 by identical texts.
    assert_eq!(scores[0]["true_pairs"], 2, "{scores}");
    assert_eq!(scores[0]["found"], 1, "{scores}");
    assert_eq!(
        (&scores[0]["claimed"], &scores[0]["claimed_true"]),
        (&2.into(), &1.into())
    );
    let rows = jsonl(&dir.read("errors.jsonl"));
    let summary: Vec<(String, String, String, f64)> = rows
        .iter()
        .map(|e| {
            (
                e["error"].as_str().expect("error").to_string(),
                e["a"]["id"].as_str().expect("a").to_string(),
                e["b"]["id"].as_str().expect("b").to_string(),
                e["content_jaccard"].as_f64().expect("jaccard"),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("missed".into(), "d0".into(), "d2".into(), 1.0),
            ("wrong-claim".into(), "d3".into(), "d0".into(), 0.0),
        ]
    );
    assert_eq!(rows[1]["a"]["similarity"], 0.85, "what the run said");
    assert_eq!(rows[1]["a"]["survivor"], "d0");
    assert_eq!(rows[0]["b"]["survivor"], serde_json::Value::Null);
    assert_eq!(
        rows[0]["a"]["similarity"],
        serde_json::Value::Null,
        "a survivor"
    );
}
