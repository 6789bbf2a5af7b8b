//! The `deboil` binary: parse the command line, run, map the outcome to an exit code.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use deboil::cli::{Cli, Command, LearnArgs};
use deboil::config::CleanConfig;
use deboil::dedup::eval::DedupScores;
use deboil::eval::{Scores, score};
use deboil::learn::{Fold, Labelled, Weighting, cross_validate, train};
use deboil::model::train::TrainParams;
use deboil::pipeline;
use deboil::{EXIT_BAD_RECORDS, EXIT_FAILURE, EXIT_OK};

// glibc's allocator spends a tenth of the run growing and freeing per-document buffers;
// mimalloc keeps them in thread-local pages (measured in BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Ctrl-C, `kill` or a closed terminal: unfinished outputs are removed, not left half.
    let message = "deboil: interrupted: removed the unfinished outputs";
    if let Err(err) = deboil::io::interrupt::remove_on_signal(message) {
        eprintln!("deboil: warning: a signal will leave temporary files behind: {err}");
    }
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) if is_broken_pipe(&err) => ExitCode::from(EXIT_OK),
        Err(err) => {
            eprintln!("deboil: {err:#}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Clean(args) => {
            let config = CleanConfig::from_args(args, std::io::stderr().is_terminal())?;
            let outcome = pipeline::clean(&config)?;
            if config.summary {
                eprint!("{}", outcome.report.to_text());
            }
            Ok(if outcome.bad_records() > 0 {
                EXIT_BAD_RECORDS
            } else {
                EXIT_OK
            })
        }
        Command::Eval(args) => {
            let scores = score(&args.docs, &args.labels, &args.output, &args.name)?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&scores)?);
            } else {
                print_table(&Scores::header(), [scores.row()]);
            }
            Ok(EXIT_OK)
        }
        Command::Train(args) => {
            deboil::config::check_folder_of("--output", &args.output)?;
            let sets = labelled_sets(&args.learn)?;
            let (params, weighting) = learning(&args.learn);
            let threshold = match args.threshold {
                Some(t) => t,
                None => deboil::config::load_model(None)?.threshold,
            };
            let leave_out = fold(args.leave_out_fold, args.folds, "--leave-out-fold")?;
            let mut model = train(&sets, &params, weighting, threshold, leave_out);
            model.comments = deboil::learn::provenance(&sets, &params, weighting, leave_out);
            write(&args.output, model.to_text().as_bytes())?;
            Ok(EXIT_OK)
        }
        Command::Plant(args) => {
            deboil::config::check_folder_of("--output", &args.output)?;
            if args.docs.len() != args.labels.len() {
                anyhow::bail!("give --docs and --labels in pairs");
            }
            let mut pages = Vec::new();
            for (docs, labels) in args.docs.iter().zip(&args.labels) {
                pages.extend(deboil::eval::read_pages(docs, labels)?);
            }
            let fold = fold(args.fold, args.folds, "--fold")?;
            if let Some(f) = fold {
                pages.retain(|p| f.holds(Some(&p.site)));
            }
            let mut planted = deboil::dedup::eval::plant(&pages, args.seed);
            for doc in &mut planted {
                doc.fold = fold.map(|f| f.fold);
            }
            let mut bytes = Vec::new();
            for doc in &planted {
                deboil::report::push_jsonl(doc, &mut bytes);
            }
            write(&args.output, &bytes)?;
            let copies = planted.iter().filter(|p| p.of.is_some()).count();
            eprintln!(
                "deboil: {} pages and {copies} planted copies written to {}",
                planted.len() - copies,
                args.output.display()
            );
            Ok(EXIT_OK)
        }
        Command::EvalDedup(args) => {
            let runs = args
                .runs
                .iter()
                .map(|r| match r.split_once('=') {
                    Some((name, path)) => Ok((name.to_string(), PathBuf::from(path))),
                    None => Err(anyhow::anyhow!("--run {r}: expected NAME=PATH")),
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let scores = deboil::eval::score_dedup(
                &args.corpus,
                &runs,
                args.min_jaccard,
                &args.text_field,
                args.errors.as_deref(),
            )?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&scores)?);
            } else {
                print_table(&DedupScores::header(), scores.iter().map(|s| s.row()));
                println!(
                    "Errors on content by the Jaccard of the pair's cleaned texts (least {}):",
                    args.min_jaccard
                );
                for s in &scores {
                    if let Some(causes) = &s.causes {
                        println!("  {}", causes.line(&s.name));
                    }
                }
            }
            Ok(EXIT_OK)
        }
        Command::Cv(args) => {
            if let Some(dir) = &args.predictions {
                // Made before the folds run, so that a bad path fails at once.
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("--predictions {}", dir.display()))?;
            }
            let sets = labelled_sets(&args.learn)?;
            let (params, weighting) = learning(&args.learn);
            let thresholds = if args.thresholds.is_empty() {
                vec![deboil::config::load_model(None)?.threshold]
            } else {
                args.thresholds.clone()
            };
            let tested = if args.first_only { 1 } else { sets.len() };
            let mut all = Vec::new();
            for k in 0..tested {
                let extra: Vec<&Labelled> = if args.with_others {
                    sets.iter()
                        .enumerate()
                        .filter(|(j, _)| *j != k)
                        .map(|(_, s)| s)
                        .collect()
                } else {
                    Vec::new()
                };
                let mut dump = Vec::new();
                let scores = cross_validate(
                    &sets[k],
                    &extra,
                    args.folds,
                    &params,
                    weighting,
                    &thresholds,
                    |doc, labels, model| {
                        if args.predictions.is_some() {
                            deboil::learn::push_predictions(doc, labels, model, &mut dump);
                        }
                    },
                );
                if let Some(dir) = &args.predictions {
                    let path = dir.join(format!("{}.predictions.jsonl", sets[k].name));
                    write(&path, &dump)?;
                }
                all.extend(scores);
            }
            if args.json {
                println!("{}", serde_json::to_string_pretty(&all)?);
            } else {
                print_table(&Scores::header(), all.iter().map(Scores::row));
            }
            Ok(EXIT_OK)
        }
    }
}

/// Reads and describes every labelled set named on the command line.
/// `--fold`-like option N of `--folds` K, checked.
fn fold(n: Option<u32>, k: Option<u32>, name: &str) -> anyhow::Result<Option<Fold>> {
    match (n, k) {
        (Some(n), Some(k)) if n < k => Ok(Some(Fold {
            fold: n as usize,
            folds: k as usize,
        })),
        (Some(n), Some(k)) => anyhow::bail!("{name} {n}: folds are numbered 0 to {}", k - 1),
        _ => Ok(None),
    }
}

fn labelled_sets(args: &LearnArgs) -> anyhow::Result<Vec<Labelled>> {
    if args.docs.len() != args.labels.len() {
        anyhow::bail!(
            "{} --docs but {} --labels: give them in pairs",
            args.docs.len(),
            args.labels.len()
        );
    }
    let mut sets = Vec::new();
    for (docs, labels) in args.docs.iter().zip(&args.labels) {
        let cfg = CleanConfig::for_labelled(docs, args.site_field.clone(), args.threads)?;
        let described = pipeline::describe_corpus(&cfg)?;
        let name = docs.parent().and_then(|p| p.file_name()).map_or_else(
            || docs.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        sets.push(Labelled::join(
            &name,
            described,
            labels,
            cfg.params.clone(),
        )?);
    }
    Ok(sets)
}

fn learning(args: &LearnArgs) -> (TrainParams, Weighting) {
    let d = TrainParams::default();
    let params = TrainParams {
        trees: args.trees.unwrap_or(d.trees),
        depth: args.depth.map_or(d.depth, usize::from),
        learning_rate: args.learning_rate.unwrap_or(d.learning_rate),
        ..d
    };
    let weighting = Weighting {
        power: args
            .weight_power
            .unwrap_or(deboil::config::DEFAULT_WEIGHT_POWER),
    };
    (params, weighting)
}

/// Writes a whole file, naming it in the error.
fn write(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    deboil::io::write::write_file(path, bytes)
        .with_context(|| format!("writing {}", path.display()))
}

fn print_table(header: &str, rows: impl IntoIterator<Item = String>) {
    println!("{header}");
    for row in rows {
        println!("{row}");
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
