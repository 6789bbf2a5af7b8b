//! The command line, as clap derive structs and nothing else. Defaults and validation live
//! in [`crate::config`], which turns these into the types the pipeline uses.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "deboil",
    version,
    about = "Clean scraped text corpora: remove boilerplate lines, with a reason for each.",
    long_about = "Clean scraped text corpora for dataset preparation.\n\n\
        deboil reads text files, folders and JSONL (plain, gzip or zstd, or stdin), finds \
        the lines that are page chrome rather than content (footers and licence lines that \
        repeat across the corpus or a site, lines printed twice in one page, link lists at \
        the end of a page, lines that match a rule) and writes clean JSONL, with every \
        other field of each record kept as it was. Every removed line can be written to an \
        audit with its reason and evidence; every dropped document to a rejected output.\n\n\
        Exit codes: 0 clean run; 1 finished, but some records were bad (reported as \
        path:line: why and written to the rejected output); 2 nothing written (usage error, \
        unreadable input, bad rule, an output folder no file can be made in, or a failure while \
        writing); 128 + N stopped by signal N \
        (130 for Ctrl-C), with the unfinished outputs removed."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once per run, so the size of the larger variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Remove boilerplate lines from a corpus and write clean JSONL.
    Clean(CleanArgs),
    /// Score a cleaned output against per-line labels (see ../shared/eval/README.md).
    Eval(EvalArgs),
    /// Fit a line model on labelled pages and write it as a model file.
    Train(TrainArgs),
    /// Cross-validate the line model on labelled pages, keeping each site in one fold.
    Cv(CvArgs),
    /// Write labelled pages with planted copies (a corpus for `eval-dedup`).
    Plant(PlantArgs),
    /// Score clusters of copies (`clean --clusters`) on a planted corpus.
    EvalDedup(EvalDedupArgs),
}

#[derive(Debug, Args)]
pub struct PlantArgs {
    /// Labelled documents (`{"id", "site", "text"}` JSONL, any codec); repeat with
    /// `--labels` in pairs.
    #[arg(long, required = true, value_name = "PATH")]
    pub docs: Vec<PathBuf>,

    /// Per-line labels for the `--docs` before it (1 = content).
    #[arg(long, required = true, value_name = "PATH")]
    pub labels: Vec<PathBuf>,

    /// Seed of the sample of pages copied and of the edits.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    /// With `--fold`: split the sites into this many folds, as `deboil cv` does.
    #[arg(long, value_name = "K", requires = "fold", value_parser = clap::value_parser!(u32).range(2..))]
    pub folds: Option<u32>,

    /// Plant among the pages of this fold's sites only (0 to K-1), with hosts from the
    /// same fold, so that a model trained with `deboil train --leave-out-fold` has seen
    /// neither a copy's page nor its host. Each document records its fold.
    #[arg(long, value_name = "N", requires = "folds")]
    pub fold: Option<u32>,

    /// Where to write the corpus: `{"id", "site", "text", "content", "kind", "of"}` JSONL.
    #[arg(short, long, value_name = "PATH")]
    pub output: PathBuf,
}

#[derive(Debug, Args)]
pub struct EvalDedupArgs {
    /// The corpus written by `deboil plant`.
    #[arg(long, value_name = "PATH")]
    pub corpus: PathBuf,

    /// A run to score, as NAME=PATH of its clean output `X.jsonl`; its clusters are read
    /// from `X.clusters.jsonl` and its rejected output from `X.rejected.jsonl`
    /// (repeatable).
    #[arg(long = "run", required = true, value_name = "NAME=PATH")]
    pub runs: Vec<String>,

    /// Least content Jaccard of a true pair.
    #[arg(long, default_value_t = 0.8)]
    pub min_jaccard: f64,

    /// The field the runs cleaned (as their `clean --text-field`): the "cleaned" rows
    /// compare clusters with it. `content` scores deduplication of the labelled content
    /// itself, as if cleaning had matched the labels.
    #[arg(long, default_value = "text", value_name = "FIELD")]
    pub text_field: String,

    /// Write every wrong claim and every missed true pair of the runs (scored on content)
    /// to PATH as JSONL: both documents (id, kind, survivor, the similarity the run gave a
    /// copy), their content Jaccard (1 for identical texts) and the Jaccard of their
    /// cleaned texts.
    #[arg(long, value_name = "PATH")]
    pub errors: Option<PathBuf>,

    /// Print the scores as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    deboil clean pages/ -o clean.jsonl.zst --audit audit.jsonl\n  \
    zcat crawl.jsonl.gz | deboil clean - -o - --site-from-url url > clean.jsonl\n  \
    deboil clean crawl/*.jsonl.gz -o clean.jsonl --rules my.rules --report report.json")]
pub struct CleanArgs {
    /// Files or folders to read (folders are walked recursively, sorted; hidden entries are
    /// skipped), or `-` for stdin. gzip and zstd are detected by their first bytes. stdin and
    /// pipes (`<(zcat a.gz)`) are copied to a temporary file first.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Where to write the clean JSONL: `.gz` or `.zst` compresses, `-` is stdout. A path
    /// that is not a regular file (`/dev/null`, a named pipe) is written to as a stream.
    #[arg(short, long, value_name = "PATH")]
    pub output: PathBuf,

    /// Where to write documents dropped whole, with their reason [default: beside the
    /// output, as NAME.rejected.jsonl; none when the output is stdout or another stream].
    #[arg(long, value_name = "PATH")]
    pub rejected: Option<PathBuf>,

    /// Where to write one record per removed line: id, line, byte span, text, reason and
    /// evidence.
    #[arg(long, value_name = "PATH")]
    pub audit: Option<PathBuf>,

    /// Where to write the JSON summary.
    #[arg(long, value_name = "PATH")]
    pub report: Option<PathBuf>,

    /// JSON field holding the text.
    #[arg(long, default_value = "text", value_name = "FIELD")]
    pub text_field: String,

    /// JSON field holding the document id (a record without one gets `path:line`).
    #[arg(long, default_value = "id", value_name = "FIELD")]
    pub id_field: String,

    /// JSON field naming the document's site [default: the host of a `url` field].
    #[arg(long, value_name = "FIELD", conflicts_with = "site_from_url")]
    pub site_field: Option<String>,

    /// JSON field holding a URL whose host (without `www.`) is the document's site.
    #[arg(long, value_name = "FIELD")]
    pub site_from_url: Option<String>,

    /// A rule file to load as well as the built-in rules (repeatable).
    #[arg(long = "rules", value_name = "PATH")]
    pub rule_files: Vec<PathBuf>,

    /// Do not load the built-in rules under rules/.
    #[arg(long)]
    pub no_default_rules: bool,

    /// A line held by at least this many documents is removed (reason `corpus`) [default: 5].
    #[arg(long, value_name = "N")]
    pub min_docs: Option<u32>,

    /// A line on at least this many pages of its site is removed (reason `site`) [default:
    /// 2].
    #[arg(long, value_name = "K")]
    pub site_min_pages: Option<u32>,

    /// ...and on at least this share (0 to 1) of its site's pages [default: 0].
    #[arg(long, value_name = "SHARE")]
    pub site_min_share: Option<f64>,

    /// A line whose word shingles are at least this share (0 to 1) frequent is treated as
    /// frequent itself [default: 0.9].
    #[arg(long, value_name = "SHARE")]
    pub near_share: Option<f64>,

    /// A line model to use instead of the shipped one (written by `deboil train`).
    #[arg(long, value_name = "PATH", conflicts_with = "no_model")]
    pub model: Option<PathBuf>,

    /// Decide by the frequency stages alone (reasons corpus, site, repeat, block), without
    /// the line model.
    #[arg(long)]
    pub no_model: bool,

    /// A line whose model score (0 to 1, the probability it is boilerplate) is at least
    /// this is removed (reason `model`). Lower removes more [default: the model's own,
    /// chosen to keep at least 97% of content on the labelled sets].
    #[arg(long, value_name = "SCORE", conflicts_with = "no_model")]
    pub threshold: Option<f32>,

    /// Words per shingle of a line of 12 words or fewer, whose frequent shingles
    /// `--near-share` counts [default: 3].
    #[arg(long, value_name = "K")]
    pub shingle_words: Option<usize>,

    /// Remove copies of documents, judged on their cleaned text: `exact` (same normalized
    /// text), `near` (also MinHash-LSH near copies) or `none`. The first document in input
    /// order survives; copies go to the rejected output as `duplicate` or `near-duplicate`,
    /// with the survivor's id and their similarity.
    #[arg(long, value_enum, default_value = "near", value_name = "MODE")]
    pub dedup: DedupMode,

    /// Near copies: least Jaccard similarity of two documents' shingle sets [default: 0.8].
    #[arg(long, value_name = "J")]
    pub min_jaccard: Option<f64>,

    /// Near copies: words per shingle (characters for Chinese, Japanese, Thai…) [default: 5].
    #[arg(long, value_name = "K")]
    pub dedup_words: Option<usize>,

    /// Near copies: judge documents by their lines of at least N words when those hold at
    /// least half of the words (what is left of a template is mostly short lines that
    /// differ from site to site); 0 judges by every line [default: 10].
    #[arg(long, value_name = "N")]
    pub dedup_min_words: Option<usize>,

    /// Near copies: LSH bands [default: 20]. More bands find more candidates (the
    /// detection curve is in the README).
    #[arg(long, value_name = "B")]
    pub bands: Option<usize>,

    /// Near copies: values per LSH band [default: 6]. More rows find fewer candidates.
    #[arg(long, value_name = "R")]
    pub rows: Option<usize>,

    /// Near copies: accept a candidate pair by the exact Jaccard of its shingle sets (the
    /// default). Only documents in a candidate pair are shingled again, from the cleaned
    /// records, so memory grows with them, not with the corpus.
    #[arg(long, overrides_with = "no_verify")]
    pub verify: bool,

    /// Near copies: accept a candidate pair by the signatures' estimate of its Jaccard
    /// (about ±0.04 at 0.8) instead of the exact value: no second read of the candidates.
    #[arg(long, overrides_with = "verify")]
    pub no_verify: bool,

    /// Near copies, with exact verification: memory for the shingle sets of the documents
    /// in a candidate pair, in MiB [default: 1024]. Past half of it, the rest of the sets
    /// go to a temporary file beside the output and are read back when compared, the
    /// most recently used kept in the other half. The result is the same for any value.
    #[arg(long, value_name = "MIB")]
    pub verify_memory: Option<u64>,

    /// Near copies: judge a later document against the whole earlier one only, and take
    /// candidate pairs from LSH alone. By default, with exact verification, a later
    /// document whose Jaccard falls short is still a copy when it is as alike to the
    /// stretch of lines of an earlier page of another site that it matches best: comments
    /// and related links left on the original page then do not hide its copy, while
    /// everything the later document holds still counts (but for lines that are also on
    /// another page of its own site, which are that site's). Pairs are also proposed when
    /// the earlier page holds most of the later one's sampled shingles.
    #[arg(long)]
    pub no_match_span: bool,

    /// Where to write each cluster of copies: survivor, members and similarities (JSONL).
    #[arg(long, value_name = "PATH")]
    pub clusters: Option<PathBuf>,

    /// Where to write the MinHash signature of every document of the clean output, one
    /// JSON line each and in the same order: its id, the fingerprint of its normalized
    /// text and its bins (needs `--dedup near`). Hashes have fixed seeds, so signatures of
    /// two runs with the same `scheme` compare: the share of equal bins estimates the
    /// Jaccard similarity of two documents' shingle sets.
    #[arg(long, value_name = "PATH")]
    pub signatures: Option<PathBuf>,

    /// Signatures an earlier run wrote (`--signatures`; repeatable): a document of this
    /// run that copies one of those documents goes to the rejected output with its id as
    /// the survivor, as if the earlier run's documents came first. Near copies are judged
    /// by the estimate (the share of equal bins), having no shingle sets to verify.
    /// Needs `--dedup exact` or `near`, and signatures of the same scheme.
    #[arg(long, value_name = "PATH")]
    pub against: Vec<PathBuf>,

    /// Keep every line: only remove copies of documents (to compare with cleaning).
    #[arg(long)]
    pub keep_lines: bool,

    /// Worker threads [default: all cores]. Output is identical for any value.
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,

    /// A record (JSONL line or text file) longer than this is rejected unread.
    #[arg(long, value_name = "BYTES")]
    pub max_record_bytes: Option<usize>,

    /// No progress bar and no summary on stderr (bad records are still reported).
    #[arg(short, long)]
    pub quiet: bool,
}

/// `--dedup`: which copies of documents to remove.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DedupMode {
    /// Keep every document.
    None,
    /// Documents whose cleaned, normalized text equals an earlier one's.
    Exact,
    /// Exact copies and near copies (MinHash-LSH).
    Near,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The labelled documents (`{"id", "text"}` JSONL, any codec).
    #[arg(long, value_name = "PATH")]
    pub docs: PathBuf,

    /// Per-line labels (`{"id", "line_labels": [1, 0, …]}`; 1 = content, 0 = boilerplate).
    #[arg(long, value_name = "PATH")]
    pub labels: PathBuf,

    /// The cleaned output to score.
    #[arg(value_name = "OUTPUT")]
    pub output: PathBuf,

    /// A name for the figures (shown in the table).
    #[arg(long, default_value = "")]
    pub name: String,

    /// Print the scores as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Labelled sets and how to learn from them, shared by `train` and `cv`.
#[derive(Debug, Args)]
pub struct LearnArgs {
    /// Labelled documents (`{"id", "site", "text"}` JSONL, any codec). Repeat `--docs` and
    /// `--labels` in pairs for several sets; each set is counted as its own corpus.
    #[arg(long, required = true, value_name = "PATH")]
    pub docs: Vec<PathBuf>,

    /// Per-line labels for the `--docs` in the same position (`{"id", "line_labels"}`,
    /// 1 = content, 0 = boilerplate).
    #[arg(long, required = true, value_name = "PATH")]
    pub labels: Vec<PathBuf>,

    /// JSON field naming a document's site [default: the host of a `url` field].
    #[arg(long, value_name = "FIELD")]
    pub site_field: Option<String>,

    /// Trees to grow.
    #[arg(long, value_name = "N")]
    pub trees: Option<usize>,

    /// Depth of each tree (1 to 6).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=6))]
    pub depth: Option<u8>,

    /// Shrinkage of each tree's values.
    #[arg(long, value_name = "RATE")]
    pub learning_rate: Option<f64>,

    /// A line weighs its characters to this power (1 = as the metric counts).
    #[arg(long, value_name = "POWER")]
    pub weight_power: Option<f32>,

    /// Worker threads [default: all cores]. The model is identical for any value.
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
}

#[derive(Debug, Args)]
#[command(after_help = "Example:\n  \
    deboil train --docs a/docs.jsonl.gz --labels a/labels.jsonl.gz \\\n    \
    --docs b/docs.jsonl.gz --labels b/labels.jsonl.gz --site-field site -o rules/line.model")]
pub struct TrainArgs {
    #[command(flatten)]
    pub learn: LearnArgs,

    /// Where to write the model.
    #[arg(short, long, value_name = "PATH")]
    pub output: PathBuf,

    /// The threshold written into the model as its default.
    #[arg(long, value_name = "SCORE")]
    pub threshold: Option<f32>,

    /// With `--leave-out-fold`: split the sites into this many folds, as `deboil cv` does.
    #[arg(long, value_name = "K", requires = "leave_out_fold", value_parser = clap::value_parser!(u32).range(2..))]
    pub folds: Option<u32>,

    /// Train without the pages of this fold's sites (0 to K-1), for an evaluation on them
    /// (`deboil plant --fold`).
    #[arg(long, value_name = "N", requires = "folds")]
    pub leave_out_fold: Option<u32>,
}

#[derive(Debug, Args)]
pub struct CvArgs {
    #[command(flatten)]
    pub learn: LearnArgs,

    /// Folds; every page of a site lands in the same fold.
    #[arg(long, default_value_t = 5, value_name = "K")]
    pub folds: usize,

    /// Thresholds to score, comma-separated [default: the shipped model's].
    #[arg(long, value_name = "SCORES", value_delimiter = ',')]
    pub thresholds: Vec<f32>,

    /// Cross-validate the first set only.
    #[arg(long)]
    pub first_only: bool,

    /// Train each fold on the other sets too (their pages of the test fold's sites left
    /// out), as the shipped model is trained on every set.
    #[arg(long)]
    pub with_others: bool,

    /// Write each set's held-out scores, one line per labelled line (id, line, label,
    /// score, text), to FOLDER/SET.predictions.jsonl.
    #[arg(long, value_name = "FOLDER")]
    pub predictions: Option<PathBuf>,

    /// Print the scores as JSON.
    #[arg(long)]
    pub json: bool,
}
