//! End-to-end behaviour of `deboil clean`: stages on a multi-site corpus, determinism,
//! accounting, bad input, exit codes, codecs, stdin and stdout.

mod util;

use std::io::{Read, Write};
use std::process::Stdio;

use util::{Dir, clean_into, deboil, jsonl, repo, run, run_within};

#[test]
fn corpus_and_site_stages_remove_templates_but_keep_shared_quotes() {
    // The frequency stages by themselves (the model turns their verdicts into features).
    let dir = Dir::new();
    let input = repo("testdata/corpus/news.jsonl");
    let r = clean_into(&dir, &[&input], &["--quiet", "--no-model"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.is_empty(), "--quiet prints nothing: {}", r.stderr);

    let audit = jsonl(&dir.read("audit.jsonl"));
    let reason_of = |text: &str| -> Vec<&str> {
        audit
            .iter()
            .filter(|a| a["text"] == text)
            .map(|a| a["reason"].as_str().expect("reason"))
            .collect()
    };
    // On six pages of three sites: corpus boilerplate.
    assert_eq!(
        reason_of("Powered by the NewsWire syndication network"),
        ["corpus"; 6]
    );
    let wire = audit
        .iter()
        .find(|a| a["reason"] == "corpus")
        .expect("a corpus removal");
    assert_eq!(wire["docs"], 6);
    // On every page of one site: site boilerplate, with the site's evidence.
    assert_eq!(reason_of("THE HILLTOP HERALD"), ["site"; 4]);
    let herald = audit
        .iter()
        .find(|a| a["text"] == "THE HILLTOP HERALD")
        .expect("herald");
    assert_eq!(
        (herald["site_pages"].as_u64(), herald["site_size"].as_u64()),
        (Some(4), Some(4))
    );
    assert_eq!(
        reason_of("Listen live on 98.4 FM every weekday morning"),
        ["site"; 2]
    );

    // A sentence quoted by two outlets is content on both.
    let quote =
        "“We will rebuild the bridge before the first snow,” Mayor Ellen Park said on Tuesday.";
    let clean = dir.read("clean.jsonl");
    let out = jsonl(&clean);
    assert_eq!(out.len(), 10);
    let with_quote = out
        .iter()
        .filter(|d| {
            d["text"]
                .as_str()
                .expect("text")
                .lines()
                .any(|l| l == quote)
        })
        .count();
    assert_eq!(with_quote, 2);
    // Titles and bodies stay; nothing of the templates does.
    let first = out[0]["text"].as_str().expect("text");
    assert!(first.starts_with("Council approves budget for the new library wing\n"));
    assert!(!clean.contains("tips@riverside-gazette.example"));

    // Every other field is kept, in order, byte for byte.
    let original = std::fs::read_to_string(&input).expect("input");
    let strip_text = |line: &str| {
        let v: serde_json::Value = serde_json::from_str(line).expect("json");
        let start = line.find("\"text\": ").expect("text field");
        (line[..start].to_string(), v["crawl"].clone())
    };
    for (a, b) in original.lines().zip(clean.lines()) {
        assert_eq!(strip_text(a), strip_text(b));
        assert!(b.ends_with(&a[a.find("\"crawl\"").expect("crawl")..]));
    }
}

fn mixed_inputs(dir: &Dir) -> Vec<std::path::PathBuf> {
    let bad = dir.write(
        "in/bad.jsonl",
        [
            &b"{\"id\": \"ok-1\", \"text\": \"A fine first document.\\nShare\"}\n"[..],
            b"{\"id\": \"broken\", \"text\": \n",
            b"{\"id\": \"utf8\", \"text\": \"caf\xe9\"}\n",
            b"{\"id\": \"notext\", \"body\": \"x\"}\n",
            b"\n",
            b"{\"id\": \"all-gone\", \"text\": \"Read more: elsewhere\"}\n",
            b"{\"id\": \"ok-2\", \"text\": \"Another fine document with words.\"}\n",
        ]
        .concat(),
    );
    let empty = dir.write("in/empty.txt", "");
    let bad_txt = dir.write("in/latin1.txt", b"line one\nline two \xff\n");
    vec![bad, empty, bad_txt]
}

#[test]
fn bad_records_are_named_routed_aside_and_exit_1() {
    let dir = Dir::new();
    let inputs = mixed_inputs(&dir);
    let paths: Vec<&std::path::Path> = inputs.iter().map(|p| p.as_path()).collect();
    let r = clean_into(&dir, &paths, &["--quiet"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let bad = inputs[0].display().to_string();
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 5, "{}", r.stderr);
    assert!(lines[0].starts_with(&format!("{bad}:2: invalid JSON:")));
    assert_eq!(lines[1], format!("{bad}:3: invalid UTF-8 at byte 27"));
    assert_eq!(lines[2], format!("{bad}:4: missing field \"text\""));
    assert_eq!(lines[3], format!("{}:1: empty file", inputs[1].display()));
    assert_eq!(
        lines[4],
        format!("{}:2: invalid UTF-8 at byte 18", inputs[2].display())
    );

    let clean = jsonl(&dir.read("clean.jsonl"));
    let ids: Vec<&str> = clean
        .iter()
        .map(|d| d["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, ["ok-1", "ok-2"]);
    let rejected = jsonl(&dir.read("rejected.jsonl"));
    let reasons: Vec<&str> = rejected
        .iter()
        .map(|d| d["reason"].as_str().expect("r"))
        .collect();
    assert_eq!(
        reasons,
        [
            "invalid-json",
            "invalid-utf8",
            "missing-field",
            "empty",
            "empty-file",
            "invalid-utf8"
        ]
    );
    // Nothing is lost: the rejected record carries the original.
    assert_eq!(rejected[2]["record"]["body"], "x");
    assert_eq!(rejected[3]["record"]["text"], "Read more: elsewhere");
    assert_eq!(rejected[3]["source"], format!("{bad}:6"));
    assert!(
        rejected[0]["raw"]
            .as_str()
            .expect("raw")
            .starts_with("{\"id\": \"broken\"")
    );

    let report: serde_json::Value = serde_json::from_str(&dir.read("report.json")).expect("report");
    let docs = &report["documents"];
    assert_eq!(
        (
            docs["in"].as_u64(),
            docs["out"].as_u64(),
            docs["rejected"].as_u64()
        ),
        (Some(8), Some(2), Some(6))
    );
    assert_eq!(docs["accounted"], true);
    assert_eq!(docs["bad_records"], 5);
}

#[test]
fn every_document_is_accounted_for() {
    let dir = Dir::new();
    let seeds = repo("testdata/seeds");
    let corpus = repo("testdata/corpus");
    let r = clean_into(&dir, &[&seeds, &corpus], &["--quiet"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let clean = jsonl(&dir.read("clean.jsonl")).len();
    let rejected = jsonl(&dir.read("rejected.jsonl")).len();
    assert_eq!(clean + rejected, 15);
    let report: serde_json::Value = serde_json::from_str(&dir.read("report.json")).expect("report");
    assert_eq!(report["documents"]["accounted"], true);
    assert_eq!(report["documents"]["in"], 15);
    assert_eq!(report["lines"]["accounted"], true);
}

#[test]
fn a_run_again_into_its_input_folder_leaves_its_last_outputs_out() {
    let dir = Dir::new();
    let corpus = repo("testdata/corpus");
    for file in std::fs::read_dir(&corpus).expect("corpus") {
        let file = file.expect("entry").path();
        let name = file
            .file_name()
            .expect("name")
            .to_string_lossy()
            .to_string();
        dir.write(&format!("data/{name}"), std::fs::read(&file).expect("read"));
    }
    let run = || {
        run(deboil()
            .arg("clean")
            .arg(dir.path("data"))
            .arg("-o")
            .arg(dir.path("data/clean.jsonl"))
            .arg("--audit")
            .arg(dir.path("data/audit/removed.jsonl"))
            .arg("--quiet"))
    };
    std::fs::create_dir_all(dir.path("data/audit")).expect("mkdir");
    let first = run();
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert_eq!(first.stderr, "");
    let outputs = ["clean.jsonl", "clean.rejected.jsonl", "audit/removed.jsonl"];
    let before: Vec<String> = outputs
        .iter()
        .map(|f| dir.read(&format!("data/{f}")))
        .collect();
    let again = run();
    assert_eq!(again.code, 0, "{}", again.stderr);
    let data = dir.path("data");
    let data = data.display();
    assert_eq!(
        again.stderr,
        format!(
            "deboil: {data}/audit/removed.jsonl: left out, it is this run's --audit\n\
             deboil: {data}/clean.jsonl: left out, it is this run's --output\n\
             deboil: {data}/clean.rejected.jsonl: left out, it is this run's --rejected\n"
        )
    );
    for (f, was) in outputs.iter().zip(&before) {
        assert_eq!(&dir.read(&format!("data/{f}")), was, "{f} changed");
    }
}

#[test]
fn output_is_identical_for_any_thread_count() {
    let dir = Dir::new();
    let mut inputs = mixed_inputs(&dir);
    inputs.push(repo("testdata/seeds"));
    inputs.push(repo("testdata/corpus"));
    let paths: Vec<&std::path::Path> = inputs.iter().map(|p| p.as_path()).collect();
    let mut runs = Vec::new();
    for threads in ["1", "2", "8"] {
        let r = clean_into(&dir, &paths, &["--quiet", "--threads", threads]);
        assert_eq!(r.code, 1);
        runs.push(
            [
                "clean.jsonl",
                "rejected.jsonl",
                "audit.jsonl",
                "report.json",
            ]
            .map(|f| dir.read(f)),
        );
    }
    assert!(!runs[0][2].is_empty());
    assert_eq!(runs[0], runs[1]);
    assert_eq!(runs[0], runs[2]);
}

/// A property of the frequency stages; the line model may judge a line again once its
/// neighbours are gone, so it is not claimed with the model on.
#[test]
fn cleaning_twice_changes_nothing() {
    let dir = Dir::new();
    let r = clean_into(
        &dir,
        &[&repo("testdata/corpus"), &repo("testdata/seeds")],
        &["-q", "--no-model"],
    );
    assert_eq!(r.code, 0);
    let once = dir.read("clean.jsonl");
    std::fs::rename(dir.path("clean.jsonl"), dir.path("once.jsonl")).expect("mv");
    let r = clean_into(&dir, &[&dir.path("once.jsonl")], &["-q", "--no-model"]);
    assert_eq!(r.code, 0);
    assert_eq!(dir.read("clean.jsonl"), once);
}

#[test]
fn plain_gzip_and_zstd_agree_in_and_out() {
    let dir = Dir::new();
    let bytes = std::fs::read(repo("testdata/corpus/news.jsonl")).expect("read");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&bytes).expect("gz");
    let inputs = [
        dir.write("plain.jsonl", &bytes),
        dir.write("gz.jsonl.gz", gz.finish().expect("gz")),
        dir.write(
            "zst.jsonl.zst",
            zstd::encode_all(&bytes[..], 3).expect("zstd"),
        ),
        dir.write(
            "no-extension",
            zstd::encode_all(&bytes[..], 3).expect("zstd"),
        ),
    ];
    let mut outs = Vec::new();
    for (input, out) in inputs
        .iter()
        .zip(["a.jsonl", "b.jsonl.gz", "c.jsonl.zst", "d.jsonl"])
    {
        let r = run(deboil()
            .args(["clean", "-q", "-o"])
            .arg(dir.path(out))
            .arg(input));
        assert_eq!(r.code, 0, "{}", r.stderr);
        let mut text = String::new();
        deboil::io::read::open_decoded(&dir.path(out), Default::default())
            .expect("open")
            .read_to_string(&mut text)
            .expect("decode");
        outs.push(text);
    }
    assert!(outs[0].contains("Council approves budget"));
    assert!(outs.iter().all(|o| *o == outs[0]));
}

#[test]
fn stdin_to_stdout() {
    let mut child = deboil()
        .args(["clean", "-", "-o", "-", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let input = std::fs::read(repo("testdata/corpus/news.jsonl")).expect("read");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(&input).expect("write");
    drop(stdin);
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(0));
    let docs = jsonl(&String::from_utf8(out.stdout).expect("utf8"));
    assert_eq!(docs.len(), 10);
    assert_eq!(docs[0]["id"], "news-00");
}

#[test]
fn summary_goes_to_stderr_and_no_bar_in_a_pipe() {
    let dir = Dir::new();
    let r = run(deboil()
        .args(["clean", "-o"])
        .arg(dir.path("c.jsonl"))
        .arg(repo("testdata/seeds")));
    assert_eq!(r.code, 0);
    assert!(
        r.stderr.starts_with("documents: 5 in, 5 out, 0 rejected\n"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("removed by reason:"));
    assert!(r.stderr.contains("most removed lines:"));
    assert!(
        !r.stderr.contains('\r') && !r.stderr.contains("\u{1b}["),
        "no progress bar"
    );
}

#[test]
fn usage_errors_and_unreadable_inputs_exit_2_and_write_nothing() {
    let dir = Dir::new();
    let out = dir.path("c.jsonl");
    let cases: Vec<Vec<String>> = vec![
        vec!["clean".into(), "--no-such-flag".into()],
        vec![
            "clean".into(),
            "/no/such/input".into(),
            "-o".into(),
            out.display().to_string(),
        ],
        vec![
            "clean".into(),
            repo("testdata/seeds").display().to_string(),
            "-o".into(),
            out.display().to_string(),
            "--min-docs".into(),
            "1".into(),
        ],
        vec![
            "clean".into(),
            repo("testdata/seeds").display().to_string(),
            "-o".into(),
            out.display().to_string(),
            "--audit".into(),
            out.display().to_string(),
        ],
        vec![
            "clean".into(),
            repo("testdata/seeds").display().to_string(),
            "-o".into(),
            out.display().to_string(),
            "--text-field".into(),
            String::new(),
        ],
        vec![
            "clean".into(),
            repo("testdata/seeds").display().to_string(),
            "-o".into(),
            dir.path("").display().to_string(),
        ],
    ];
    for args in cases {
        let r = run(deboil().args(&args));
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(!r.stderr.is_empty());
        assert_eq!(
            dir.listing(),
            Vec::<String>::new(),
            "{args:?} wrote something"
        );
    }
    let r = run(deboil().args(["clean", "/no/such/input", "-o", "-"]));
    assert!(
        r.stderr.starts_with("deboil: /no/such/input: "),
        "{}",
        r.stderr
    );
    // The system's reason once, not again as the error's cause.
    assert_eq!(r.stderr.matches("(os error").count(), 1, "{}", r.stderr);
}

#[test]
fn a_text_field_no_record_has_is_named() {
    let dir = Dir::new();
    let corpus = repo("testdata/corpus");
    let r = clean_into(&dir, &[&corpus], &["--quiet", "--text-field", "body"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.ends_with(
            "deboil: no record has a \"body\" field: name the field that holds the text \
             with --text-field\n"
        ),
        "{}",
        r.stderr
    );
    let ok = clean_into(&dir, &[&corpus], &["--quiet"]);
    assert_eq!((ok.code, ok.stderr.as_str()), (0, ""));
}

#[test]
fn bad_rules_stop_the_run_before_any_input_is_read() {
    let dir = Dir::new();
    let rules = dir.write(
        "my.rules",
        "# mine\nok.rule drop ^fine$\nbroken.rule drop (unclosed\nno.action\n",
    );
    let r = run(deboil()
        .args(["clean", "-o"])
        .arg(dir.path("c.jsonl"))
        .arg("--rules")
        .arg(&rules)
        .arg("/no/such/input"));
    assert_eq!(r.code, 2);
    let name = rules.display().to_string();
    assert!(
        r.stderr
            .contains(&format!("{name}:3: broken.rule: bad regex:")),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains(&format!("{name}:4: no.action: missing action and regex"))
    );
    assert!(
        !r.stderr.contains("/no/such/input"),
        "rules are checked first"
    );
    assert!(!dir.exists("c.jsonl"));
}

#[test]
fn a_rules_or_model_file_that_cannot_be_read_is_named_without_a_line() {
    for (flag, path) in [("--rules", "/no/such.rules"), ("--model", "/no/such.model")] {
        let r = run(deboil().args(["clean", "-o", "-", flag, path, "testdata/seeds"]));
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(
            r.stderr.contains(&format!("{path}: cannot ")),
            "{}",
            r.stderr
        );
        assert!(!r.stderr.contains(&format!("{path}:0")), "{}", r.stderr);
    }
}

#[test]
fn extra_rules_and_drop_doc() {
    let dir = Dir::new();
    let rules = dir.write(
        "my.rules",
        "t.sponsor drop (?i)^sponsored by\nt.quiz drop-doc (?i)^take our quiz$\n",
    );
    let input = dir.write(
        "in.jsonl",
        "{\"id\":1,\"text\":\"A real story about rivers.\\nSponsored by Acme\"}\n{\"id\":2,\"text\":\"Take our quiz\\nQ1\"}\n",
    );
    let r = clean_into(
        &dir,
        &[&input],
        &["-q", "--rules", rules.to_str().expect("utf8")],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        dir.read("clean.jsonl"),
        "{\"id\":1,\"text\":\"A real story about rivers.\"}\n"
    );
    let rejected = jsonl(&dir.read("rejected.jsonl"));
    assert_eq!(rejected[0]["reason"], "rule");
    assert_eq!(rejected[0]["detail"], "rule t.quiz matched line 1");
    let audit = jsonl(&dir.read("audit.jsonl"));
    assert_eq!(audit[0]["rule"], "t.sponsor");
    assert_eq!(
        (
            audit[0]["line"].as_u64(),
            audit[0]["start"].as_u64(),
            audit[0]["end"].as_u64()
        ),
        (Some(2), Some(27), Some(44))
    );
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let dir = Dir::new();
    let input = distinct_documents(20_000);
    let input = dir.write("big.jsonl", input);
    let mut child = deboil()
        .args(["clean", "-q", "-o", "-"])
        .arg(&input)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = [0u8; 16];
    stdout.read_exact(&mut first).expect("some output");
    drop(stdout);
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Documents with distinct words, so that no line is corpus boilerplate.
fn distinct_documents(n: usize) -> String {
    let word = |mut n: usize| {
        let mut w = String::new();
        for _ in 0..4 {
            w.push((b'a' + (n % 26) as u8) as char);
            n /= 26;
        }
        w
    };
    (0..n)
        .map(|i| {
            format!(
                "{{\"text\": \"Story {} tells of {} and {}.\"}}\n",
                word(i),
                word(i * 7 + 3),
                word(i * 13 + 5)
            )
        })
        .collect()
}

/// A run stopped by SIGTERM while its outputs are being written exits with 143 (128 + 15)
/// and leaves no file, not even a hidden temporary one. The clean output goes to a pipe
/// nobody reads, so the run waits there with the rejected output and the audit begun,
/// whatever the machine's speed.
#[cfg(target_os = "linux")]
#[test]
fn a_signal_removes_the_unfinished_outputs() {
    use rustix::process::{Pid, Signal, kill_process};
    use std::time::{Duration, Instant};
    let dir = Dir::new();
    let input = dir.write("in.jsonl", distinct_documents(40_000));
    let child = deboil()
        .args(["clean", "-q", "-o", "-", "--rejected"])
        .arg(dir.path("rejected.jsonl"))
        .arg("--audit")
        .arg(dir.path("audit.jsonl.gz"))
        .arg(&input)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let temporary = || dir.listing().iter().filter(|n| n.ends_with(".tmp")).count();
    let deadline = Instant::now() + Duration::from_secs(300);
    while temporary() < 2 {
        assert!(
            Instant::now() < deadline,
            "no outputs begun: {:?}",
            dir.listing()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    kill_process(Pid::from_child(&child), Signal::TERM).expect("kill");
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(128 + 15), "{stderr}");
    assert_eq!(dir.listing(), ["in.jsonl"]);
    assert!(stderr.contains("interrupted"), "{stderr}");
}

/// A named pipe (or a process substitution, `<(zcat a.gz)`) is read once and cleaned like
/// the same bytes in a file, though every pass reads its input again; a bad record in it
/// is named by the pipe's path.
#[cfg(target_os = "linux")]
#[test]
fn a_named_pipe_is_cleaned_like_a_file() {
    use rustix::fs::{CWD, FileType, Mode, mknodat};
    let dir = Dir::new();
    let mut input = distinct_documents(300);
    input.push_str("{\"text\": broken\n");
    let file = dir.write("file.jsonl", &input);
    let pipe = dir.path("pipe.jsonl");
    mknodat(CWD, &pipe, FileType::Fifo, Mode::from_raw_mode(0o600), 0).expect("mkfifo");
    let writer = {
        let (pipe, input) = (pipe.clone(), input.clone());
        std::thread::spawn(move || std::fs::write(pipe, input))
    };
    // A run that opens the pipe twice waits for a second writer: bounded, not hung.
    let from_pipe = run_within(
        deboil()
            .args(["clean", "-q", "-o"])
            .arg(dir.path("a.jsonl"))
            .arg(&pipe),
        120,
    );
    writer.join().expect("writer").expect("write the pipe");
    let from_file = run(deboil()
        .args(["clean", "-q", "-o"])
        .arg(dir.path("b.jsonl"))
        .arg(&file));
    assert_eq!((from_pipe.code, from_file.code), (1, 1));
    assert!(
        from_pipe.stderr.contains("pipe.jsonl:301: invalid JSON"),
        "{}",
        from_pipe.stderr
    );
    assert_eq!(dir.read("a.jsonl"), dir.read("b.jsonl"));
    assert_eq!(jsonl(&dir.read("a.jsonl")).len(), 300);
}

/// An output that is a named pipe (or `/dev/null`, or `>(zstd -o x.zst)`) is written to
/// as a stream, like stdout: not replaced by a renamed regular file (as root that would
/// have replaced `/dev/null` itself), and with no default rejected output beside it.
#[cfg(target_os = "linux")]
#[test]
fn an_output_that_is_a_pipe_is_written_to_not_replaced() {
    use rustix::fs::{CWD, FileType, Mode, mknodat};
    use std::os::unix::fs::FileTypeExt;
    let dir = Dir::new();
    let mut input = distinct_documents(300);
    input.push_str(&input.clone());
    let file = dir.write("in/file.jsonl", &input);
    let pipe = dir.path("out/pipe.jsonl");
    std::fs::create_dir_all(dir.path("out")).expect("mkdir");
    mknodat(CWD, &pipe, FileType::Fifo, Mode::from_raw_mode(0o600), 0).expect("mkfifo");
    let reader = {
        let pipe = pipe.clone();
        std::thread::spawn(move || {
            let mut got = String::new();
            std::fs::File::open(pipe)
                .and_then(|mut f| f.read_to_string(&mut got))
                .map(|_| got)
        })
    };
    let streamed = run_within(
        deboil().args(["clean", "-q", "-o"]).arg(&pipe).arg(&file),
        120,
    );
    // Checked first: a reader of a replaced pipe would wait for a writer for ever.
    let kind = std::fs::metadata(&pipe).expect("stat").file_type();
    assert!(kind.is_fifo(), "the pipe was replaced: {kind:?}");
    let got = reader.join().expect("reader").expect("read the pipe");
    assert_eq!(streamed.code, 0, "{}", streamed.stderr);
    assert_eq!(
        streamed.stderr,
        "deboil: 300 rejected documents were not written: the output is a stream, and no \
         --rejected PATH was given\n"
    );
    let to_file = run(deboil()
        .args(["clean", "-q", "-o"])
        .arg(dir.path("file.jsonl"))
        .arg(&file));
    assert_eq!(to_file.code, 0, "{}", to_file.stderr);
    assert_eq!(got, dir.read("file.jsonl"));
    assert_eq!(jsonl(&got).len(), 300);
    let beside: Vec<_> = std::fs::read_dir(dir.path("out"))
        .expect("ls")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(beside, ["pipe.jsonl"], "nothing written beside the pipe");
}

#[test]
fn help_explains_the_command() {
    let r = run(deboil().args(["clean", "--help"]));
    assert_eq!(r.code, 0);
    for flag in [
        "--output",
        "--audit",
        "--rejected",
        "--site-from-url",
        "--no-default-rules",
        "--threads",
        "Examples:",
    ] {
        assert!(r.stdout.contains(flag), "--help mentions {flag}");
    }
    let r = run(deboil().arg("--help"));
    assert!(r.stdout.contains("Exit codes: 0"));
}

/// Every option of `clean` whose default the library holds names that default in
/// `--help`, and the same value.
#[test]
fn help_names_the_defaults_the_library_uses() {
    use deboil::config::{
        DEFAULT_MIN_DOCS, DEFAULT_NEAR_SHARE, DEFAULT_SHINGLE_WORDS, DEFAULT_SITE_MIN_PAGES,
        DEFAULT_SITE_MIN_SHARE,
    };
    use deboil::dedup;
    let r = run(deboil().args(["clean", "--help"]));
    assert_eq!(r.code, 0);
    // An option's text: from its flag to the next option.
    let text = |flag: &str| -> String {
        let at = r.stdout.find(&format!("      {flag} ")).expect(flag);
        let rest = &r.stdout[at + 6..];
        let end = rest.find("\n      -").unwrap_or(rest.len());
        rest[..end].split_whitespace().collect::<Vec<_>>().join(" ")
    };
    for (flag, default) in [
        ("--min-docs", DEFAULT_MIN_DOCS.to_string()),
        ("--site-min-pages", DEFAULT_SITE_MIN_PAGES.to_string()),
        ("--site-min-share", DEFAULT_SITE_MIN_SHARE.to_string()),
        ("--near-share", DEFAULT_NEAR_SHARE.to_string()),
        ("--shingle-words", DEFAULT_SHINGLE_WORDS.to_string()),
        ("--min-jaccard", dedup::DEFAULT_MIN_JACCARD.to_string()),
        ("--dedup-words", dedup::DEFAULT_SHINGLE_WORDS.to_string()),
        (
            "--dedup-min-words",
            dedup::DEFAULT_PROSE_MIN_WORDS.to_string(),
        ),
        ("--bands", dedup::DEFAULT_BANDS.to_string()),
        ("--rows", dedup::DEFAULT_ROWS.to_string()),
    ] {
        let text = text(flag);
        assert!(
            text.contains(&format!("[default: {default}]")),
            "{flag}: {text}"
        );
    }
}
