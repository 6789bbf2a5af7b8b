//! `make bench`: throughput and peak memory of `deboil clean` on a named synthetic corpus.
//!
//! The corpus ("synth-news", about `BENCH_BYTES` bytes, 1 GB by default) is generated from a
//! fixed seed: thousands of sites, each with its own header, navigation, footer and related
//! links; shared widgets across sites; articles syndicated to other sites. It is written
//! once to `target/bench/` and reused. The release binary is then run at one thread and at
//! every core, and the figures printed as rows for BENCHMARKS.md. This is a benchmark, not
//! a test: it asserts nothing about time. When the labelled pages of `EVAL_DIR`
//! (`../shared/eval` by default) are there, the same binary also runs on them ("real-pages"):
//! real text, whose curly quotes, dashes and accents take other paths than ASCII does.
//! A third corpus ("synth-copies", `BENCH_COPIES_BYTES`, 400 MB by default) is the start
//! of synth-news with every article followed by a copy, 1% of its words replaced: the
//! worst case for the memory of exact verification, run at several `--verify-memory`.
//! A fourth ("synth-cjk", `BENCH_CJK_BYTES`, 200 MB by default) is the start of
//! synth-news written as Chinese and Japanese pages are: Han and kana, no spaces between
//! words, full-width punctuation.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use deboil::rng::SplitMix as Rng;

#[path = "common/synth.rs"]
mod synth;

/// Peak resident memory of a running process (VmHWM), in KiB.
fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// CPU time a process has used so far, in seconds, as (user, system): fields 14 and 15 of
/// `/proc/PID/stat`, in clock ticks of 1/100 s (Linux's USER_HZ). A process that has
/// exited but is not yet reaped still shows its final times.
fn cpu_seconds(pid: u32) -> Option<(f64, f64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<u64>().ok();
    Some((ticks(11)? as f64 / 100.0, ticks(12)? as f64 / 100.0))
}

struct Measured {
    threads: usize,
    seconds: f64,
    user_seconds: f64,
    system_seconds: f64,
    peak_mib: f64,
    report: serde_json::Value,
}

impl Measured {
    fn cpu_seconds(&self) -> f64 {
        self.user_seconds + self.system_seconds
    }
}

/// The median and the minimum of one figure over a configuration's runs.
fn median_min(ms: &[Measured], f: impl Fn(&Measured) -> f64) -> (f64, f64) {
    let mut v: Vec<f64> = ms.iter().map(f).collect();
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[0])
}

fn run(bin: &Path, corpus: &Path, dir: &Path, threads: usize, extra: &[&str]) -> Measured {
    let report = dir.join("report.json");
    // Each run writes new outputs, as a batch job does: replacing the last run's 860 MB
    // clean output made its rename wait 0.15 s for the file system to free the old one.
    for old in ["clean.jsonl", "clean.rejected.jsonl", "report.json"] {
        let _ = std::fs::remove_file(dir.join(old));
    }
    let start = Instant::now();
    let mut child = Command::new(bin)
        .arg("clean")
        .arg(corpus)
        .arg("-o")
        .arg(dir.join("clean.jsonl"))
        .arg("--report")
        .arg(&report)
        .args(["--quiet", "--threads", &threads.to_string()])
        .args(extra)
        .stdin(Stdio::null())
        .spawn()
        .expect("start deboil");
    let (mut peak, mut cpu) = (0, (0.0, 0.0));
    let status = loop {
        if let Some(kib) = peak_kib(child.id()) {
            peak = peak.max(kib);
        }
        if let Some(t) = cpu_seconds(child.id()) {
            cpu = t;
        }
        match child.try_wait().expect("wait") {
            Some(status) => break status,
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    let seconds = start.elapsed().as_secs_f64();
    assert!(status.success(), "deboil failed: {status}");
    let report = serde_json::from_str(&std::fs::read_to_string(report).expect("report"))
        .expect("report is JSON");
    Measured {
        threads,
        seconds,
        user_seconds: cpu.0,
        system_seconds: cpu.1,
        peak_mib: peak as f64 / 1024.0,
        report,
    }
}

/// The labelled pages of `eval_dir` (every `*/docs.jsonl.gz` under it, in name order)
/// decompressed into one JSONL file at `path`, once: real text, whose prose carries curly
/// quotes, dashes and accented letters that the synthetic corpus does not. `None` when
/// there are none. Returns the share of the text's bytes on lines that are not ASCII.
fn real_pages(eval_dir: &Path, path: &Path) -> Option<f64> {
    let mut sets: Vec<PathBuf> = std::fs::read_dir(eval_dir)
        .ok()?
        .filter_map(|e| Some(e.ok()?.path().join("docs.jsonl.gz")))
        .filter(|p| p.exists())
        .collect();
    sets.sort();
    if sets.is_empty() {
        return None;
    }
    if !path.exists() {
        let mut all = Vec::new();
        for set in &sets {
            let file = File::open(set).expect("open a set of labelled pages");
            std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(file), &mut all)
                .expect("read a set of labelled pages");
        }
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, &all).expect("write the real pages");
        std::fs::rename(&tmp, path).expect("rename the real pages");
    }
    let all = std::fs::read_to_string(path).expect("read the real pages");
    let (mut text, mut other) = (0usize, 0usize);
    for record in all.lines() {
        let value: serde_json::Value = serde_json::from_str(record).expect("a JSON page");
        for line in value["text"].as_str().unwrap_or_default().lines() {
            text += line.len();
            other += if line.is_ascii() { 0 } else { line.len() };
        }
    }
    Some(other as f64 / text.max(1) as f64)
}

/// `make bench`'s second corpus: the labelled real pages (see [`real_pages`]), default
/// settings with their `site` field, at one thread and at every core, `repeats` times
/// each, interleaved. Prints one row per thread count.
fn bench_real_pages(bin: &Path, dir: &Path, cores: usize, repeats: usize) {
    let eval_dir = PathBuf::from(std::env::var("EVAL_DIR").unwrap_or("../shared/eval".into()));
    let eval_dir = if eval_dir.is_relative() {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(eval_dir)
    } else {
        eval_dir
    };
    let corpus = dir.join("real-pages.jsonl");
    let Some(other_share) = real_pages(&eval_dir, &corpus) else {
        println!(
            "(no labelled pages under {}: real-pages skipped)",
            eval_dir.display()
        );
        return;
    };
    let mb = std::fs::metadata(&corpus).expect("corpus").len() as f64 / 1e6;
    println!();
    println!(
        "corpus: {} ({mb:.1} MB of the labelled pages under {}; {:.0}% of the text's bytes on lines that are not ASCII)",
        corpus.display(),
        eval_dir.display(),
        100.0 * other_share
    );
    bench_table(bin, dir, &corpus, &["--site-field", "site"], cores, repeats);
}

/// Runs `corpus` with `extra` arguments at one thread and at every core, `repeats` times
/// each, interleaved, and prints one row per thread count.
fn bench_table(
    bin: &Path,
    dir: &Path,
    corpus: &Path,
    extra: &[&str],
    cores: usize,
    repeats: usize,
) {
    let mb = std::fs::metadata(corpus).expect("corpus").len() as f64 / 1e6;
    let threads: Vec<usize> = if cores > 1 { vec![1, cores] } else { vec![1] };
    let mut measured: Vec<Vec<Measured>> = threads.iter().map(|_| Vec::new()).collect();
    for _ in 0..repeats {
        for (&t, m) in threads.iter().zip(&mut measured) {
            m.push(run(bin, corpus, dir, t, extra));
        }
    }
    println!(
        "| threads | seconds (median of {repeats}) | every run | CPU s (median) | MB/s | MB/s per core | MB per CPU-second | peak RSS MiB |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for mut ms in measured {
        let every: Vec<String> = ms.iter().map(|m| format!("{:.2}", m.seconds)).collect();
        let (cpu, _) = median_min(&ms, Measured::cpu_seconds);
        ms.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
        let m = &ms[ms.len() / 2];
        println!(
            "| {} | {:.2} | {} | {:.2} | {:.1} | {:.1} | {:.1} | {:.0} |",
            m.threads,
            m.seconds,
            every.join(", "),
            cpu,
            mb / m.seconds,
            mb / m.seconds / m.threads as f64,
            mb / cpu,
            ms.iter().map(|m| m.peak_mib).fold(0.0, f64::max),
        );
    }
}

/// The words of `text` (split on spaces, lines kept), each replaced with chance `p` by a
/// word of its own (letters only: the normalizer folds digits).
fn with_words_replaced(rng: &mut Rng, text: &str, p: f64) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        for (j, word) in line.split(' ').enumerate() {
            if j > 0 {
                out.push(' ');
            }
            if rng.chance(p) {
                out.push_str("zq");
                let mut n = rng.below(1 << 20);
                loop {
                    out.push(char::from(b'a' + (n % 26) as u8));
                    n /= 26;
                    if n == 0 {
                        break;
                    }
                }
            } else {
                out.push_str(word);
            }
        }
    }
    out
}

/// "synth-copies": the records of `news` up to half of `target_bytes`, each followed by a
/// copy (id `…~c`) with 1% of its words replaced.
fn generate_copies(news: &Path, path: &Path, target_bytes: u64) -> std::io::Result<u64> {
    use std::io::BufRead;
    let mut rng = Rng(synth::SEED ^ 0xc0c0);
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let (mut written, mut docs) = (0u64, 0u64);
    for line in std::io::BufReader::new(File::open(news)?).lines() {
        if 2 * written >= target_bytes {
            break;
        }
        let line = line?;
        let mut record: serde_json::Value = serde_json::from_str(&line)?;
        let id = record["id"].as_str().unwrap_or_default().to_string();
        let text = record["text"].as_str().unwrap_or_default().to_string();
        record["id"] = format!("{id}~c").into();
        record["text"] = with_words_replaced(&mut rng, &text, 0.01).into();
        writeln!(out, "{line}")?;
        serde_json::to_writer(&mut out, &record)?;
        writeln!(out)?;
        written += line.len() as u64 + 1;
        docs += 2;
    }
    out.flush()?;
    Ok(docs)
}

/// "synth-cjk": the records of `news` up to `target_bytes`, each word of their texts
/// written as one to three Han or kana characters ([`cjk_word`]) with no space between two
/// such words, and the punctuation after a word in its full-width or ideographic form:
/// text as Chinese and Japanese pages print it, with synth-news's templates, repeats and
/// copies, since a word is always written the same way.
fn generate_cjk(news: &Path, path: &Path, target_bytes: u64) -> std::io::Result<u64> {
    use std::io::BufRead;
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let (mut written, mut docs) = (0u64, 0u64);
    let mut text = String::new();
    for line in std::io::BufReader::new(File::open(news)?).lines() {
        if written >= target_bytes {
            break;
        }
        let mut record: serde_json::Value = serde_json::from_str(&line?)?;
        text.clear();
        for (i, line) in record["text"]
            .as_str()
            .unwrap_or_default()
            .split('\n')
            .enumerate()
        {
            if i > 0 {
                text.push('\n');
            }
            // (whether a token was written on the line, whether it was written in Han or kana)
            let (mut any, mut last_cjk) = (false, false);
            for token in line.split(' ').filter(|t| !t.is_empty()) {
                let word = token.trim_end_matches([',', '.', ':', ';', '!', '?']);
                let cjk = !word.is_empty() && word.chars().all(|c| c.is_ascii_alphabetic());
                if any && !(cjk && last_cjk) {
                    text.push(' ');
                }
                any = true;
                if cjk {
                    cjk_word(word, &mut text);
                } else {
                    text.push_str(word);
                }
                for p in token[word.len()..].chars() {
                    text.push(match p {
                        '.' => '。',
                        ',' => '，',
                        ':' => '：',
                        ';' => '；',
                        '!' => '！',
                        _ => '？',
                    });
                }
                last_cjk = cjk;
            }
        }
        record["text"] = text.as_str().into();
        let bytes = serde_json::to_vec(&record)?;
        out.write_all(&bytes)?;
        writeln!(out)?;
        written += bytes.len() as u64 + 1;
        docs += 1;
    }
    out.flush()?;
    Ok(docs)
}

/// One to three Han or kana characters for an ASCII word, the same for the same word
/// whatever its case.
fn cjk_word(word: &str, out: &mut String) {
    let h = xxhash_rust::xxh3::xxh3_64(word.to_ascii_lowercase().as_bytes());
    for k in 0..1 + h % 3 {
        let v = (h >> (8 + 16 * k)) & 0xffff;
        let c = if v % 5 == 0 {
            0x3041 + v % 86
        } else {
            0x4E00 + v % 20_902
        };
        out.push(char::from_u32(c as u32).unwrap_or('字'));
    }
}

/// `make bench`'s fourth corpus, "synth-cjk" (see [`generate_cjk`]), default settings at
/// one thread and at every core.
fn bench_cjk(bin: &Path, dir: &Path, news: &Path, cores: usize, repeats: usize) {
    let target_bytes: u64 = synth::env_or("BENCH_CJK_BYTES", 200_000_000);
    let corpus = dir.join(format!("synth-cjk-{target_bytes}.jsonl"));
    if !corpus.exists() {
        let tmp = corpus.with_extension("tmp");
        generate_cjk(news, &tmp, target_bytes).expect("generate synth-cjk");
        std::fs::rename(&tmp, &corpus).expect("rename synth-cjk");
    }
    let mb = std::fs::metadata(&corpus).expect("corpus").len() as f64 / 1e6;
    println!();
    println!(
        "corpus: {} ({mb:.0} MB: synth-news with each word as Han or kana characters, no spaces between them, full-width punctuation)",
        corpus.display()
    );
    bench_table(bin, dir, &corpus, &[], cores, repeats);
}

/// `make bench`'s third corpus, "synth-copies" (see [`generate_copies`]), at every core:
/// the default `--verify-memory`, two smaller ones and `--no-verify`, `repeats` times
/// each, interleaved. Prints one row per setting.
fn bench_copies(bin: &Path, dir: &Path, news: &Path, cores: usize, repeats: usize) {
    let target_bytes: u64 = synth::env_or("BENCH_COPIES_BYTES", 400_000_000);
    let corpus = dir.join(format!("synth-copies-{target_bytes}.jsonl"));
    if !corpus.exists() {
        eprintln!("generating {}…", corpus.display());
        let tmp = corpus.with_extension("tmp");
        let docs = generate_copies(news, &tmp, target_bytes).expect("generate copies");
        std::fs::rename(&tmp, &corpus).expect("rename corpus");
        eprintln!("{docs} documents");
    }
    let mb = std::fs::metadata(&corpus).expect("corpus").len() as f64 / 1e6;
    println!();
    println!(
        "corpus: {} ({mb:.0} MB: each article of synth-news followed by a copy with 1% of its words replaced)",
        corpus.display()
    );
    let settings: [&[&str]; 4] = [
        &[],
        &["--verify-memory", "128"],
        &["--verify-memory", "0"],
        &["--no-verify"],
    ];
    let mut measured: Vec<Vec<Measured>> = settings.iter().map(|_| Vec::new()).collect();
    for _ in 0..repeats {
        for (extra, m) in settings.iter().zip(&mut measured) {
            m.push(run(bin, &corpus, dir, cores, extra));
        }
    }
    println!(
        "| threads | setting | seconds (median of {repeats}) | every run | user s (median) | system s (median) | MB/s per core | peak RSS MiB | set MB | sets stashed | sets read back | copies rejected |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (extra, mut ms) in settings.iter().zip(measured) {
        let every: Vec<String> = ms.iter().map(|m| format!("{:.2}", m.seconds)).collect();
        let (user, _) = median_min(&ms, |m| m.user_seconds);
        let (system, _) = median_min(&ms, |m| m.system_seconds);
        ms.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
        let m = &ms[ms.len() / 2];
        let d = &m.report["dedup"];
        let rejected = &m.report["documents"]["rejected_by_reason"];
        let copies = ["duplicate", "near-duplicate"]
            .iter()
            .map(|k| rejected[k].as_u64().unwrap_or(0))
            .sum::<u64>();
        let setting = if extra.is_empty() {
            "default".to_string()
        } else {
            format!("`{}`", extra.join(" "))
        };
        println!(
            "| {} | {setting} | {:.2} | {} | {user:.2} | {system:.2} | {:.1} | {:.0} | {:.0} | {} | {} | {copies} |",
            m.threads,
            m.seconds,
            every.join(", "),
            mb / m.seconds / m.threads as f64,
            ms.iter().map(|m| m.peak_mib).fold(0.0, f64::max),
            d["verified_set_bytes"].as_u64().unwrap_or(0) as f64 / 1e6,
            d["stashed_sets"],
            d["sets_read_back"],
        );
    }
}

fn main() {
    // `cargo bench` passes `--bench`; nothing here is filtered.
    let target_bytes: u64 = synth::env_or("BENCH_BYTES", 1_000_000_000);
    let corpus = synth::corpus(target_bytes);
    let dir = corpus.parent().expect("target/bench").to_path_buf();
    let bytes = std::fs::metadata(&corpus).expect("corpus").len();
    let mb = bytes as f64 / 1e6;
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_deboil"));
    let cores = std::thread::available_parallelism().map_or(1, usize::from);

    // Runs on a shared host vary by up to 25%, so each configuration runs `BENCH_RUNS`
    // times (5 by default), the configurations interleaved, and rows show the median.
    let repeats: usize = synth::env_or("BENCH_RUNS", 5usize).max(1);

    println!("corpus: {} ({mb:.0} MB)", corpus.display());
    // (threads, line model, dedup mode)
    let mut runs = vec![(1, true, "near")];
    if cores > 1 {
        runs.push((cores, true, "near"));
    }
    // The same run without the model, and without dedup (what MinHash and the third pass
    // cost). Scoring alone is the model's extra with dedup off in both runs, because with
    // dedup on, the model-on run also signs the text the model keeps and the other does not.
    runs.push((cores, false, "near"));
    runs.push((cores, true, "none"));
    runs.push((cores, false, "none"));
    let mut measured: Vec<Vec<Measured>> = runs.iter().map(|_| Vec::new()).collect();
    for _ in 0..repeats {
        for ((threads, model, dedup), m) in runs.iter().zip(&mut measured) {
            let mut extra = vec!["--dedup", dedup];
            if !model {
                extra.push("--no-model");
            }
            m.push(run(&bin, &corpus, &dir, *threads, &extra));
        }
    }
    println!(
        "| threads | line model | dedup | seconds (median of {repeats}) | every run | CPU s (median) | user s: median, least | system s: median, least | MB/s | MB/s per core | peak RSS MiB | docs | copies rejected | distinct lines | table bytes per distinct entry |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    // Medians of (wall, CPU) and the least user time, per two-thread configuration.
    let mut at_cores = std::collections::HashMap::new();
    for ((threads, model, dedup), mut ms) in runs.into_iter().zip(measured) {
        let every: Vec<String> = ms.iter().map(|m| format!("{:.1}", m.seconds)).collect();
        let (cpu, _) = median_min(&ms, Measured::cpu_seconds);
        let (user, least_user) = median_min(&ms, |m| m.user_seconds);
        let (system, least_system) = median_min(&ms, |m| m.system_seconds);
        ms.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
        let m = &ms[ms.len() / 2];
        if threads == cores {
            at_cores.insert((model, dedup), (m.seconds, cpu, least_user));
        }
        let t = &m.report["tables"];
        let entries = ["distinct_lines", "distinct_shingles", "distinct_site_lines"]
            .iter()
            .map(|k| t[k].as_u64().unwrap_or(0))
            .sum::<u64>()
            .max(1);
        let table_bytes = t["table_bytes"].as_u64().unwrap_or(0);
        let rejected = &m.report["documents"]["rejected_by_reason"];
        let copies = ["duplicate", "near-duplicate"]
            .iter()
            .map(|k| rejected[k].as_u64().unwrap_or(0))
            .sum::<u64>();
        println!(
            "| {} | {} | {} | {:.1} | {} | {:.1} | {:.1}, {:.1} | {:.1}, {:.1} | {:.1} | {:.1} | {:.0} | {} | {} | {} | {:.1} |",
            m.threads,
            if model { "on" } else { "off" },
            dedup,
            m.seconds,
            every.join(", "),
            cpu,
            user,
            least_user,
            system,
            least_system,
            mb / m.seconds,
            mb / m.seconds / m.threads as f64,
            ms.iter().map(|m| m.peak_mib).fold(0.0, f64::max),
            m.report["documents"]["in"],
            copies,
            t["distinct_lines"],
            table_bytes as f64 / entries as f64,
        );
    }
    let (full, full_cpu, full_user) = at_cores[&(true, "near")];
    let (without_model, without_model_cpu, without_model_user) = at_cores[&(false, "near")];
    let (without_dedup, _, scoring_user) = at_cores[&(true, "none")];
    let (_, _, bare_user) = at_cores[&(false, "none")];
    println!(
        "dedup (signatures, LSH, third pass) share of the run at {cores} threads: {:.1}% ({:.1} s of {:.1} s; the rest {:.1} s)",
        100.0 * (full - without_dedup) / full,
        full - without_dedup,
        full,
        without_dedup
    );
    println!(
        "line model, whole extra (model on minus --no-model, default dedup) at {cores} threads: {:.1}% of wall time, {:.1}% of CPU time ({:.1} of {:.1} CPU s) by medians; {:.1}% of user time by least user times ({:.1} of {:.1} s)",
        100.0 * (full - without_model) / full,
        100.0 * (full_cpu - without_model_cpu) / full_cpu,
        full_cpu - without_model_cpu,
        full_cpu,
        100.0 * (full_user - without_model_user) / full_user,
        full_user - without_model_user,
        full_user,
    );
    // The work features and scoring add is user-mode work; system time (the kernel copying
    // files into and out of the page cache) is the same work in both runs but varies the
    // most from run to run on a virtual machine, and noise only ever adds time, so the
    // least user time of each configuration is the steadiest measure of its work.
    println!(
        "line model, features and scoring alone (model on minus --no-model, both --dedup none, least user times): {:.1} s = {:.1}% of the default run's user time ({:.1} s)",
        scoring_user - bare_user,
        100.0 * (scoring_user - bare_user) / full_user,
        full_user,
    );
    bench_real_pages(&bin, &dir, cores, repeats);
    bench_copies(&bin, &dir, &corpus, cores, repeats);
    bench_cjk(&bin, &dir, &corpus, cores, repeats);
}
