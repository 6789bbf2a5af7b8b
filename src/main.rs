//! The `deboil` binary: parse the command line, run, map the outcome to an exit code.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use deboil::cli::{Cli, Command};
use deboil::config::CleanConfig;
use deboil::eval::{Scores, score};
use deboil::pipeline;
use deboil::{EXIT_BAD_RECORDS, EXIT_FAILURE, EXIT_OK};

// glibc's allocator spends a tenth of the run growing and freeing per-document buffers;
// mimalloc keeps them in thread-local pages (measured in BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
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
                println!("{}\n{}", Scores::header(), scores.row());
            }
            Ok(EXIT_OK)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
