//! The README's examples that run on the repository's own test data are run here, from a
//! folder that holds `testdata/` and an empty `out/`, exactly as written.

mod util;

use util::{Dir, deboil, repo, run};

fn readme_commands() -> Vec<Vec<String>> {
    let readme = std::fs::read_to_string(repo("README.md")).expect("README.md");
    readme
        .lines()
        .filter(|l| l.starts_with("deboil clean testdata/"))
        .map(|l| l.split_whitespace().skip(1).map(str::to_string).collect())
        .collect()
}

#[test]
fn readme_examples_on_testdata_run() {
    let commands = readme_commands();
    assert!(commands.len() >= 2, "the README shows examples on testdata");
    let dir = Dir::new();
    std::os::unix::fs::symlink(repo("testdata"), dir.path("testdata")).expect("symlink");
    std::fs::create_dir(dir.path("out")).expect("mkdir");
    for args in commands {
        let r = run(deboil().current_dir(dir.tmp.path()).args(&args));
        assert_eq!(r.code, 0, "deboil {}: {}", args.join(" "), r.stderr);
        let outputs = args
            .windows(2)
            .filter(|w| matches!(w[0].as_str(), "-o" | "--audit" | "--report" | "--rejected"));
        for w in outputs {
            assert!(
                dir.path(&w[1]).exists(),
                "deboil {} wrote {}",
                args.join(" "),
                w[1]
            );
        }
    }
}
