//! Command-line arguments become a validated [`CleanConfig`] here, once. Every default lives
//! in this file; deeper code never sees clap types.
//!
//! The thresholds' defaults were measured with `make eval` on the labelled pages in
//! `../shared/eval/` (figures in BENCHMARKS.md and the README).

use std::path::{Path, PathBuf};

use crate::cli::{CleanArgs, DedupMode};
use crate::decide::Params;
use crate::document::{Fields, SiteFrom};
use crate::fingerprint::ShingleParams;
use crate::io::write::{Codec, folder_of, is_stream, resolved};
use crate::model::{DEFAULT_MODEL, DEFAULT_MODEL_PATH, Model, ModelError};
use crate::rules::{RuleErrors, RuleSet};

/// A line in this many documents is corpus boilerplate.
pub const DEFAULT_MIN_DOCS: u32 = 5;
/// A line on this many pages of one site is that site's boilerplate.
pub const DEFAULT_SITE_MIN_PAGES: u32 = 2;
/// ...when that is also this share of the site's pages.
pub const DEFAULT_SITE_MIN_SHARE: f64 = 0.0;
/// Share of a line's shingles that must be frequent for the line to count as frequent.
pub const DEFAULT_NEAR_SHARE: f64 = 0.9;
pub const DEFAULT_SHINGLE_WORDS: usize = 3;
/// Lines longer than this (in words) are not shingled: see [`ShingleParams`]. 12 and 24
/// score the same on both labelled sets (char-F1 0.813 / 0.573); 12 counts fewer shingles
/// (13% less time on the synthetic corpus).
pub const DEFAULT_SHINGLE_MAX_LINE_WORDS: usize = 12;
pub const DEFAULT_BLOCK_MAX_GAP_LINES: usize = 2;
pub const DEFAULT_BLOCK_GAP_MAX_WORDS: u32 = 6;
pub const DEFAULT_BLOCK_HEADING_MIN_LINES: usize = 3;
pub const DEFAULT_BLOCK_HEADING_MAX_WORDS: u32 = 5;
pub const DEFAULT_MAX_RECORD_BYTES: usize = 64 << 20;
/// A training line weighs its characters to this power: the metric counts characters.
pub const DEFAULT_WEIGHT_POWER: f32 = 1.0;
/// Records are processed in batches of about this many bytes (results do not depend on it).
pub const BATCH_BYTES: usize = 8 << 20;
/// Memory for the shingle sets of exact verification, in MiB (`--verify-memory`).
pub const DEFAULT_VERIFY_MEMORY_MIB: u64 = 1024;

/// A configuration that cannot run; nothing has been read or written.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Rules(#[from] RuleErrors),
    #[error(transparent)]
    Model(#[from] ModelError),
}

/// Everything `deboil clean` needs, validated.
#[derive(Debug, Clone)]
pub struct CleanConfig {
    pub inputs: Vec<PathBuf>,
    /// Signatures of documents an earlier run kept (`--against`).
    pub against: Vec<PathBuf>,
    pub outputs: Outputs,
    pub fields: Fields,
    pub rules: RuleSet,
    pub params: Params,
    pub shingles: ShingleParams,
    pub dedup: crate::dedup::Params,
    /// Keep every line (`--keep-lines`): only copies of documents are removed.
    pub keep_lines: bool,
    pub threads: usize,
    /// Where pass 1's fingerprints wait for pass 2: beside the output, or the system's
    /// temporary folder when the output is stdout or another stream ([`is_stream`]).
    pub spill_dir: Option<PathBuf>,
    /// Memory for the shingle sets exact verification compares (`--verify-memory`): half
    /// for the sets kept from the start, half for those read back from a temporary file.
    pub verify_memory_bytes: usize,
    pub max_record_bytes: usize,
    pub batch_bytes: usize,
    /// Draw a progress bar (stderr is a terminal and not `--quiet`).
    pub progress: bool,
    /// Print the summary on stderr.
    pub summary: bool,
}

/// Where each output goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outputs {
    pub clean: PathBuf,
    pub rejected: Option<PathBuf>,
    pub audit: Option<PathBuf>,
    pub report: Option<PathBuf>,
    pub clusters: Option<PathBuf>,
    pub signatures: Option<PathBuf>,
}

impl CleanConfig {
    pub fn from_args(args: CleanArgs, stderr_is_terminal: bool) -> Result<Self, ConfigError> {
        let usage = |m: String| Err(ConfigError::Usage(m));
        let params = Params {
            corpus_min_docs: args.min_docs.unwrap_or(DEFAULT_MIN_DOCS),
            site_min_pages: args.site_min_pages.unwrap_or(DEFAULT_SITE_MIN_PAGES),
            site_min_share: args.site_min_share.unwrap_or(DEFAULT_SITE_MIN_SHARE),
            near_min_share: args.near_share.unwrap_or(DEFAULT_NEAR_SHARE),
            block_max_gap_lines: DEFAULT_BLOCK_MAX_GAP_LINES,
            block_gap_max_words: DEFAULT_BLOCK_GAP_MAX_WORDS,
            block_heading_min_lines: DEFAULT_BLOCK_HEADING_MIN_LINES,
            block_heading_max_words: DEFAULT_BLOCK_HEADING_MAX_WORDS,
            model: None,
            threshold: 0.5,
            scores: args.audit.is_some(),
            kept_scores: false,
        };
        let mut params = params;
        if params.corpus_min_docs < 2 {
            return usage("--min-docs must be at least 2 (every line is in one document)".into());
        }
        if params.site_min_pages < 2 {
            return usage("--site-min-pages must be at least 2".into());
        }
        for (flag, v) in [
            ("--site-min-share", params.site_min_share),
            ("--near-share", params.near_min_share),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return usage(format!("{flag} must be between 0 and 1, not {v}"));
            }
        }
        let shingles = ShingleParams {
            words: args.shingle_words.unwrap_or(DEFAULT_SHINGLE_WORDS),
            max_line_words: DEFAULT_SHINGLE_MAX_LINE_WORDS,
            stopwords: !args.no_model,
        };
        if shingles.words == 0 {
            return usage("--shingle-words must be at least 1".into());
        }
        let dedup = crate::dedup::Params {
            mode: match args.dedup {
                DedupMode::None => crate::dedup::Mode::None,
                DedupMode::Exact => crate::dedup::Mode::Exact,
                DedupMode::Near => crate::dedup::Mode::Near,
            },
            shingle_words: args
                .dedup_words
                .unwrap_or(crate::dedup::DEFAULT_SHINGLE_WORDS),
            prose_min_words: args
                .dedup_min_words
                .unwrap_or(crate::dedup::DEFAULT_PROSE_MIN_WORDS),
            bands: args.bands.unwrap_or(crate::dedup::DEFAULT_BANDS),
            rows: args.rows.unwrap_or(crate::dedup::DEFAULT_ROWS),
            verify: !args.no_verify,
            match_span: !args.no_match_span,
            // Near copies of an earlier run's documents are judged by estimates.
            keep_signatures: args.signatures.is_some() || !args.against.is_empty(),
            min_jaccard: args
                .min_jaccard
                .unwrap_or(crate::dedup::DEFAULT_MIN_JACCARD),
        };
        for (flag, v) in [
            ("--dedup-words", dedup.shingle_words),
            ("--bands", dedup.bands),
            ("--rows", dedup.rows),
        ] {
            if v == 0 {
                return usage(format!("{flag} must be at least 1"));
            }
        }
        if !(0.0..=1.0).contains(&dedup.min_jaccard) {
            return usage(format!(
                "--min-jaccard must be between 0 and 1, not {}",
                dedup.min_jaccard
            ));
        }
        if args.signatures.is_some() && dedup.mode != crate::dedup::Mode::Near {
            return usage("--signatures needs --dedup near: only near copies are signed".into());
        }
        if !args.against.is_empty() && dedup.mode == crate::dedup::Mode::None {
            return usage("--against needs --dedup exact or near".into());
        }
        if dedup.bins() > 4096 {
            return usage("--bands times --rows must be at most 4096".into());
        }
        let threads = match args.threads {
            Some(0) => return usage("--threads must be at least 1".into()),
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, usize::from),
        };
        let max_record_bytes = args.max_record_bytes.unwrap_or(DEFAULT_MAX_RECORD_BYTES);
        if max_record_bytes == 0 {
            return usage("--max-record-bytes must be at least 1".into());
        }
        // 0 keeps only the two sets being compared.
        let verify_memory_bytes = (args.verify_memory.unwrap_or(DEFAULT_VERIFY_MEMORY_MIB))
            .saturating_mul(1 << 20)
            .try_into()
            .unwrap_or(usize::MAX);

        let named = [
            ("--text-field", Some(&args.text_field)),
            ("--id-field", Some(&args.id_field)),
            ("--site-field", args.site_field.as_ref()),
            ("--site-from-url", args.site_from_url.as_ref()),
        ];
        if let Some((flag, _)) = named.iter().find(|(_, f)| f.is_some_and(|f| f.is_empty())) {
            return usage(format!("{flag} needs a field name"));
        }
        let site = match (args.site_field, args.site_from_url) {
            (Some(f), _) => SiteFrom::Field(f),
            (None, Some(f)) => SiteFrom::UrlField(f),
            (None, None) => SiteFrom::Auto,
        };
        let fields = Fields {
            text: args.text_field,
            id: args.id_field,
            site,
        };

        let rejected = args
            .rejected
            .or_else(|| default_rejected_path(&args.output));
        let outputs = Outputs {
            clean: args.output,
            rejected,
            audit: args.audit,
            report: args.report,
            clusters: args.clusters,
            signatures: args.signatures,
        };
        let read: Vec<PathBuf> = args.inputs.iter().chain(&args.against).cloned().collect();
        check_outputs(&outputs, &read)?;
        let spill_dir = (!is_stream(&outputs.clean))
            .then(|| folder_of(&resolved(&outputs.clean)).to_path_buf());

        if let Some(t) = args.threshold
            && !(t > 0.0 && t <= 1.0)
        {
            return usage(format!(
                "--threshold must be above 0 and at most 1, not {t}"
            ));
        }
        let rules = load_rules(!args.no_default_rules, &args.rule_files)?;
        if !args.no_model {
            let model = load_model(args.model.as_deref())?;
            params.threshold = args.threshold.unwrap_or(model.threshold);
            params.model = Some(std::sync::Arc::new(crate::model::Scorer::new(model)));
            params.kept_scores = dedup.spans();
        }
        Ok(CleanConfig {
            inputs: args.inputs,
            against: args.against,
            outputs,
            fields,
            rules,
            params,
            shingles,
            dedup,
            keep_lines: args.keep_lines,
            threads,
            spill_dir,
            verify_memory_bytes,
            max_record_bytes,
            batch_bytes: BATCH_BYTES,
            progress: stderr_is_terminal && !args.quiet,
            summary: !args.quiet,
        })
    }
}

impl CleanConfig {
    /// The configuration `deboil clean` would use to read one labelled set, with default
    /// rules and thresholds; nothing is written.
    pub fn for_labelled(
        docs: &Path,
        site_field: Option<String>,
        threads: Option<usize>,
    ) -> Result<Self, ConfigError> {
        let args = CleanArgs {
            inputs: vec![docs.to_path_buf()],
            output: PathBuf::from("-"),
            rejected: None,
            audit: None,
            report: None,
            text_field: "text".into(),
            id_field: "id".into(),
            site_field,
            site_from_url: None,
            rule_files: Vec::new(),
            no_default_rules: false,
            min_docs: None,
            site_min_pages: None,
            site_min_share: None,
            near_share: None,
            model: None,
            no_model: true,
            threshold: None,
            shingle_words: None,
            dedup: DedupMode::None,
            min_jaccard: None,
            dedup_words: None,
            dedup_min_words: None,
            bands: None,
            rows: None,
            verify: false,
            no_verify: false,
            verify_memory: None,
            no_match_span: false,
            clusters: None,
            signatures: None,
            against: Vec::new(),
            keep_lines: false,
            threads,
            max_record_bytes: None,
            quiet: true,
        };
        let mut cfg = Self::from_args(args, false)?;
        // The model is not applied, but it is trained or tested on these lines.
        cfg.shingles.stopwords = true;
        Ok(cfg)
    }
}

/// `out/clean.jsonl.zst` → `out/clean.rejected.jsonl.zst`; none for a stream.
pub fn default_rejected_path(output: &Path) -> Option<PathBuf> {
    beside(output, "rejected")
}

/// `out/clean.jsonl.zst` → `out/clean.KIND.jsonl.zst`: another output of the run that
/// writes `output`; none for stdout or another stream ([`is_stream`]: `/dev/null` has no
/// folder to write beside it in). Only the last extension (and a compression extension
/// after it) moves behind `KIND`, so dots inside the name stay: `t0.6.jsonl` →
/// `t0.6.KIND.jsonl`. A name without an extension gets `.jsonl`.
pub fn beside(output: &Path, kind: &str) -> Option<PathBuf> {
    if is_stream(output) {
        return None;
    }
    let name = output.file_name()?.to_string_lossy().into_owned();
    // An extension is a dot that neither starts the name nor ends it.
    let last_dot = |s: &str| s.rfind('.').filter(|&i| i > 0 && i + 1 < s.len());
    let mut cut = name.len();
    if let Some(i) = last_dot(&name) {
        if Codec::for_path(Path::new(&name)) != Codec::Plain {
            cut = i;
        }
    }
    if let Some(i) = last_dot(&name[..cut]) {
        cut = i;
    }
    let (stem, ext) = name.split_at(cut);
    Some(output.with_file_name(format!(
        "{stem}.{kind}{}",
        if ext.is_empty() { ".jsonl" } else { ext }
    )))
}

/// Checks, before any work is done for it, that an output of option `flag` can be
/// written: it is not a folder, and its folder exists and takes a new file (the output's
/// temporary file is made there). A stream ([`is_stream`]) is written as it is.
pub fn check_folder_of(flag: &str, path: &Path) -> Result<(), ConfigError> {
    if is_stream(path) {
        return Ok(());
    }
    // Refused now, not after the whole run when the rename fails.
    if path.is_dir() {
        return Err(ConfigError::Usage(format!(
            "{flag} {} is a folder: name a file in it",
            path.display()
        )));
    }
    let target = resolved(path);
    let dir = folder_of(&target);
    if !dir.is_dir() {
        return Err(ConfigError::Usage(format!(
            "{flag} {}: folder {} does not exist",
            path.display(),
            dir.display()
        )));
    }
    // Refused now, not when the output is begun or, for the report, after the whole run.
    match tempfile::Builder::new()
        .prefix(".deboil-check.")
        .tempfile_in(dir)
    {
        Ok(_) => Ok(()),
        Err(e) => Err(ConfigError::Usage(format!(
            "{flag} {}: cannot write in folder {}: {e}",
            path.display(),
            dir.display(),
        ))),
    }
}

impl Outputs {
    /// Each output asked for, with the flag that names it (`--rejected` also for the
    /// default beside the clean output); stdout (`-`) too.
    fn named(&self) -> [(&'static str, Option<&PathBuf>); 6] {
        [
            ("--output", Some(&self.clean)),
            ("--rejected", self.rejected.as_ref()),
            ("--audit", self.audit.as_ref()),
            ("--report", self.report.as_ref()),
            ("--clusters", self.clusters.as_ref()),
            ("--signatures", self.signatures.as_ref()),
        ]
    }

    /// The outputs written to files, with their flags.
    pub fn files(&self) -> Vec<(&'static str, &Path)> {
        (self.named().into_iter())
            .filter_map(|(flag, p)| p.map(|p| (flag, p.as_path())))
            .filter(|(_, p)| p.as_os_str() != "-")
            .collect()
    }
}

fn check_outputs(outputs: &Outputs, inputs: &[PathBuf]) -> Result<(), ConfigError> {
    let named = outputs.named();
    let files = outputs.files();
    for (i, (flag, path)) in files.iter().enumerate() {
        if let Some((other, _)) = files[..i].iter().find(|(_, p)| same_path(p, path)) {
            return Err(ConfigError::Usage(format!(
                "{other} and {flag} both name {}",
                path.display()
            )));
        }
        if inputs.iter().any(|input| same_path(input, path)) {
            return Err(ConfigError::Usage(format!(
                "{flag} {} is also an input",
                path.display()
            )));
        }
        check_folder_of(flag, path)?;
    }
    let stdout = named
        .iter()
        .filter(|(_, p)| p.is_some_and(|p| p.as_os_str() == "-"))
        .count();
    if stdout > 1 {
        return Err(ConfigError::Usage(
            "only one output can be stdout (-)".into(),
        ));
    }
    Ok(())
}

fn same_path(a: &Path, b: &Path) -> bool {
    a == b
        || matches!(
            (a.canonicalize(), b.canonicalize()),
            (Ok(x), Ok(y)) if x == y
        )
}

/// Loads a model file, or the shipped one.
pub fn load_model(path: Option<&Path>) -> Result<Model, ConfigError> {
    let Some(path) = path else {
        return Ok(Model::parse(DEFAULT_MODEL, DEFAULT_MODEL_PATH)?);
    };
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ModelError {
        path: name.clone(),
        line: 0,
        why: format!("cannot read: {e}"),
    })?;
    Ok(Model::parse(&text, &name)?)
}

/// Loads the built-in rules (unless turned off) and the named files; every bad line of
/// every file is reported together.
pub fn load_rules(defaults: bool, files: &[PathBuf]) -> Result<RuleSet, ConfigError> {
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    if defaults {
        match RuleSet::default_rules() {
            Ok(r) => rules.extend(r),
            Err(e) => errors.extend(e.0),
        }
    }
    for path in files {
        let name = path.display().to_string();
        let parsed = std::fs::File::open(path)
            .map_err(|e| {
                RuleErrors(vec![crate::rules::RuleError {
                    file: name.clone(),
                    line: 0,
                    id: None,
                    message: format!("cannot open: {e}"),
                }])
            })
            .and_then(|f| crate::rules::parse(std::io::BufReader::new(f), &name));
        match parsed {
            Ok(r) => rules.extend(r),
            Err(e) => errors.extend(e.0),
        }
    }
    if !errors.is_empty() {
        return Err(RuleErrors(errors).into());
    }
    if rules.is_empty() {
        return Ok(RuleSet::empty());
    }
    Ok(RuleSet::compile(rules)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejected_path_sits_beside_the_output() {
        assert_eq!(
            default_rejected_path(Path::new("out/clean.jsonl.zst")),
            Some(PathBuf::from("out/clean.rejected.jsonl.zst"))
        );
        assert_eq!(
            default_rejected_path(Path::new("clean")),
            Some(PathBuf::from("clean.rejected.jsonl"))
        );
        assert_eq!(default_rejected_path(Path::new("-")), None);
        // Dots inside the name are part of the stem.
        for (output, rejected) in [
            ("out/t0.6.jsonl", "out/t0.6.rejected.jsonl"),
            ("news.2026-11.jsonl.gz", "news.2026-11.rejected.jsonl.gz"),
            ("clean.gz", "clean.rejected.gz"),
            (".hidden", ".hidden.rejected.jsonl"),
            ("trailing.", "trailing..rejected.jsonl"),
        ] {
            assert_eq!(
                default_rejected_path(Path::new(output)),
                Some(PathBuf::from(rejected)),
                "{output}"
            );
        }
    }

    #[test]
    fn outputs_must_differ_and_not_overwrite_inputs() {
        let o = |clean: &str, audit: Option<&str>| Outputs {
            clean: clean.into(),
            rejected: None,
            audit: audit.map(PathBuf::from),
            report: None,
            clusters: None,
            signatures: None,
        };
        assert!(check_outputs(&o("a.jsonl", Some("a.jsonl")), &[]).is_err());
        assert!(check_outputs(&o("in.jsonl", None), &["in.jsonl".into()]).is_err());
        assert!(check_outputs(&o("-", Some("-")), &[]).is_err());
        assert!(check_outputs(&o("a.jsonl", Some("b.jsonl")), &[]).is_ok());
        assert!(check_outputs(&o("/no/such/dir/a.jsonl", None), &[]).is_err());
        let dir = tempfile::tempdir().expect("tempdir");
        let folder = dir.path().to_str().expect("UTF-8");
        let err = check_outputs(&o("a.jsonl", Some(folder)), &[]).expect_err("a folder");
        assert_eq!(
            err.to_string(),
            format!("--audit {folder} is a folder: name a file in it")
        );
        // A folder no file can be made in (even by root): refused before the run.
        #[cfg(target_os = "linux")]
        {
            let err = check_outputs(&o("a.jsonl", Some("/sys/a.jsonl")), &[]).expect_err("/sys");
            assert!(
                err.to_string()
                    .starts_with("--audit /sys/a.jsonl: cannot write in folder /sys: "),
                "{err}"
            );
        }
        assert!(
            !dir.path().read_dir().expect("ls").any(|_| true),
            "no probe left"
        );
        check_outputs(&o(&format!("{folder}/a.jsonl"), None), &[]).expect("a folder to write in");
        assert!(
            !dir.path().read_dir().expect("ls").any(|_| true),
            "no probe left"
        );
    }
}
