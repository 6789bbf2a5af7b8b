//! Rule files: the grammar, its errors, and the compiled set every line is matched against.
//!
//! A rule file holds one rule per line, `ID ACTION REGEX`, with `#` comments and blank
//! lines ignored. The regex is the rest of the line; it is matched against each line of a
//! document with white space trimmed from both ends. Every bad line of every file is
//! reported together, as `file:line: ID: why`, before any input is read. Rules never see
//! counts; combining a rule hit with other evidence is [`crate::decide`]'s job.

use std::fmt;
use std::io::Read;
use std::sync::{Mutex, MutexGuard};

use regex_automata::meta::{Cache, Regex};
use regex_automata::util::prefilter::Prefilter;
use regex_automata::{Input, MatchKind};
use regex_syntax::hir::Hir;

/// The rule files under `rules/`, built into the binary so that it works from anywhere.
pub const DEFAULT_RULE_FILES: &[(&str, &str)] =
    &[("rules/web.rules", include_str!("../../rules/web.rules"))];

/// Compiled rule sets larger than this are refused (the regex crate's own limit is 10 MiB
/// per pattern; a rule set is many patterns).
const SET_SIZE_LIMIT_BYTES: usize = 64 << 20;

/// What a matching rule does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// Remove the matching line.
    Drop,
    /// Remove the matching line and every line after it.
    Cut,
    /// Send the whole document to the rejected output.
    DropDoc,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Drop => "drop",
            Action::Cut => "cut",
            Action::DropDoc => "drop-doc",
        }
    }

    fn parse(word: &str) -> Option<Action> {
        match word {
            "drop" => Some(Action::Drop),
            "cut" => Some(Action::Cut),
            "drop-doc" => Some(Action::DropDoc),
            _ => None,
        }
    }
}

/// One parsed rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub action: Action,
    pub pattern: String,
    /// `file:line` where the rule was written.
    pub origin: String,
    regex: Regex,
    /// Every match starts at the start of the line (see [`RuleSet`]).
    anchored: bool,
    /// The pattern's syntax tree, whose literals screen a floating rule (see [`RuleSet`]).
    hir: Hir,
}

/// A bad line in a rule file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub file: String,
    /// From 1; 0 for the file (or the rule set) as a whole, shown as `file: …`.
    pub line: usize,
    pub id: Option<String>,
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        match &self.id {
            Some(id) => write!(f, ": {}: {}", id, self.message),
            None => write!(f, ": {}", self.message),
        }
    }
}

/// Every bad line found, in file and line order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RuleErrors(pub Vec<RuleError>);

impl fmt::Display for RuleErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(f, "{n} bad rule{}", if n == 1 { "" } else { "s" })?;
        for e in &self.0 {
            write!(f, "\n  {e}")?;
        }
        Ok(())
    }
}

/// Parses one rule file. `file` names it in errors.
pub fn parse(mut reader: impl Read, file: &str) -> Result<Vec<Rule>, RuleErrors> {
    let mut bytes = Vec::new();
    if let Err(e) = reader.read_to_end(&mut bytes) {
        return Err(RuleErrors(vec![RuleError {
            file: file.to_string(),
            line: 0,
            id: None,
            message: format!("cannot read: {e}"),
        }]));
    }
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let line_no = i + 1;
        let err = |id: Option<&str>, message: String| RuleError {
            file: file.to_string(),
            line: line_no,
            id: id.map(str::to_string),
            message,
        };
        let Ok(line) = std::str::from_utf8(raw) else {
            errors.push(err(None, "not valid UTF-8".into()));
            continue;
        };
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match parse_line(line) {
            Ok((id, action, pattern)) => match compile_one(pattern) {
                Ok((regex, anchored, hir)) => rules.push(Rule {
                    id: id.to_string(),
                    action,
                    pattern: pattern.to_string(),
                    origin: format!("{file}:{line_no}"),
                    regex,
                    anchored,
                    hir,
                }),
                Err(message) => errors.push(err(Some(id), message)),
            },
            Err((id, message)) => errors.push(err(id, message)),
        }
    }
    if errors.is_empty() {
        Ok(rules)
    } else {
        Err(RuleErrors(errors))
    }
}

/// Compiles one pattern with the regex crate's syntax, or says why it cannot; also says
/// whether every match starts at the start of the line, and its syntax tree.
fn compile_one(pattern: &str) -> Result<(Regex, bool, Hir), String> {
    // The syntax parser's errors point at the bad spot; the builder's do not.
    let hir = regex_syntax::Parser::new()
        .parse(pattern)
        .map_err(|e| format!("bad regex: {}", one_line(&e)))?;
    let anchored = hir
        .properties()
        .look_set_prefix()
        .contains(regex_syntax::hir::Look::Start);
    let regex = Regex::new(pattern).map_err(|e| format!("bad regex: {}", one_line(&e)))?;
    Ok((regex, anchored, hir))
}

fn one_line(e: &impl fmt::Display) -> String {
    e.to_string()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

type LineError<'a> = (Option<&'a str>, String);

fn parse_line(line: &str) -> Result<(&str, Action, &str), LineError<'_>> {
    let (id, rest) = split_word(line);
    if !is_valid_id(id) {
        return Err((
            None,
            format!("rule id {id:?} must be letters, digits, '.', '_' or '-'"),
        ));
    }
    let (action, pattern) = split_word(rest);
    if action.is_empty() {
        return Err((Some(id), "missing action and regex".into()));
    }
    let Some(action) = Action::parse(action) else {
        return Err((
            Some(id),
            format!("unknown action {action:?} (expected drop, cut or drop-doc)"),
        ));
    };
    if pattern.is_empty() {
        return Err((Some(id), "missing regex".into()));
    }
    Ok((id, action, pattern))
}

fn split_word(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    match s.find(char::is_whitespace) {
        Some(i) => (&s[..i], s[i..].trim()),
        None => (s, ""),
    }
}

fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// All rules compiled into sets. When several rules match a line, the one written first
/// wins, so verdicts do not depend on the regex engine's order.
///
/// Most lines match no rule. Rules anchored at the start of the line go into one set,
/// which says so within a few bytes. A floating rule reads the whole line, fast only when
/// the engine can skip ahead to a literal it needs; a set of floating rules has no such
/// literal in common and reads every byte (measured: 13% of a run for three rules), so
/// each floating rule is asked on its own, but for those whose every match starts with
/// one of a few literals: one search for all of their literals screens them together,
/// and they are asked only when it finds one (a call to the engine costs about 30 ns
/// however short the line).
#[derive(Debug, Clone)]
pub struct RuleSet {
    rules: Vec<Rule>,
    anchored: Option<Regex>,
    floating: Vec<usize>,
    /// Floating rules that [`RuleSet::screen`] screens, and the search for their literals.
    screened: Vec<usize>,
    screen: Option<Prefilter>,
}

/// Scratch space for matching, one per thread (see [`RuleSet::cache`]).
#[derive(Debug, Clone)]
pub struct RuleCache {
    anchored: Option<Cache>,
    rules: Vec<Cache>,
}

/// A [`RuleCache`] for each worker of a thread pool, kept from batch to batch. A cache is
/// not only scratch space: the engine builds the states of its lazy DFA in it as lines
/// need them, so a cache made afresh for every rayon job (hundreds per 100 MB) builds the
/// same states again and again.
#[derive(Debug)]
pub struct RuleCaches {
    slots: Vec<Mutex<RuleCache>>,
    empty: RuleCache,
}

/// A worker's cache from [`RuleCaches::get`], or a fresh one.
pub enum PooledCache<'a> {
    Kept(MutexGuard<'a, RuleCache>),
    Fresh(Box<RuleCache>),
}

impl RuleCaches {
    /// The calling worker's cache (by [`rayon::current_thread_index`]), or a fresh one
    /// on a thread outside the pool or while the worker's is in use.
    pub fn get(&self) -> PooledCache<'_> {
        let slot = rayon::current_thread_index().and_then(|i| self.slots.get(i));
        match slot.map(Mutex::try_lock) {
            Some(Ok(cache)) => PooledCache::Kept(cache),
            _ => PooledCache::Fresh(Box::new(self.empty.clone())),
        }
    }
}

impl std::ops::Deref for PooledCache<'_> {
    type Target = RuleCache;

    fn deref(&self) -> &RuleCache {
        match self {
            PooledCache::Kept(c) => c,
            PooledCache::Fresh(c) => c,
        }
    }
}

impl std::ops::DerefMut for PooledCache<'_> {
    fn deref_mut(&mut self) -> &mut RuleCache {
        match self {
            PooledCache::Kept(c) => c,
            PooledCache::Fresh(c) => c,
        }
    }
}

impl RuleSet {
    /// Compiles rules from several files; duplicate ids are errors.
    pub fn compile(rules: Vec<Rule>) -> Result<RuleSet, RuleErrors> {
        let mut errors = Vec::new();
        let mut seen = std::collections::HashMap::new();
        for rule in &rules {
            if let Some(first) = seen.insert(rule.id.as_str(), rule.origin.as_str()) {
                let (file, line) = split_origin(&rule.origin);
                errors.push(RuleError {
                    file,
                    line,
                    id: Some(rule.id.clone()),
                    message: format!("duplicate rule id (first defined at {first})"),
                });
            }
        }
        if !errors.is_empty() {
            return Err(RuleErrors(errors));
        }
        let (anchored, floating): (Vec<usize>, Vec<usize>) =
            (0..rules.len()).partition(|&i| rules[i].anchored);
        let anchored = if anchored.is_empty() {
            None
        } else {
            let patterns: Vec<&str> = anchored
                .iter()
                .map(|&i| rules[i].pattern.as_str())
                .collect();
            let set = Regex::builder()
                .configure(
                    Regex::config()
                        .nfa_size_limit(Some(SET_SIZE_LIMIT_BYTES))
                        .match_kind(regex_automata::MatchKind::All),
                )
                .build_many(&patterns)
                .map_err(|e| {
                    RuleErrors(vec![RuleError {
                        file: "rules".into(),
                        line: 0,
                        id: None,
                        message: format!("rule set too large to compile: {}", one_line(&e)),
                    }])
                })?;
            Some(set)
        };
        let (screen, screened, floating) = screen(&rules, floating);
        Ok(RuleSet {
            rules,
            anchored,
            floating,
            screened,
            screen,
        })
    }

    /// Fresh scratch space for [`RuleSet::first_match`].
    pub fn cache(&self) -> RuleCache {
        RuleCache {
            anchored: self.anchored.as_ref().map(Regex::create_cache),
            rules: self.rules.iter().map(|r| r.regex.create_cache()).collect(),
        }
    }

    /// A cache for each of `threads` workers (see [`RuleCaches`]).
    pub fn caches(&self, threads: usize) -> RuleCaches {
        RuleCaches {
            slots: (0..threads).map(|_| Mutex::new(self.cache())).collect(),
            empty: self.cache(),
        }
    }

    /// The built-in rules under `rules/`.
    pub fn default_rules() -> Result<Vec<Rule>, RuleErrors> {
        let mut all = Vec::new();
        for (name, text) in DEFAULT_RULE_FILES {
            all.extend(parse(text.as_bytes(), name)?);
        }
        Ok(all)
    }

    pub fn empty() -> RuleSet {
        RuleSet {
            rules: Vec::new(),
            anchored: None,
            floating: Vec::new(),
            screened: Vec::new(),
            screen: None,
        }
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The first rule (in file order) that matches `line`, by index.
    pub fn first_match(&self, line: &str, cache: &mut RuleCache) -> Option<usize> {
        let input = Input::new(line.trim()).earliest(true);
        let anchored = match (&self.anchored, &mut cache.anchored) {
            (Some(set), Some(c)) => set.is_match_with(c, &input),
            _ => false,
        };
        let mut ask = |rules: &[usize]| {
            (rules.iter()).any(|&i| {
                self.rules[i]
                    .regex
                    .is_match_with(&mut cache.rules[i], &input)
            })
        };
        let screened = || {
            (self.screen.as_ref())
                .is_some_and(|pre| pre.find(input.haystack(), input.get_span()).is_some())
        };
        let hit = anchored || ask(&self.floating) || (screened() && ask(&self.screened));
        if !hit {
            return None;
        }
        // Rare: asking each rule in order is cheaper than a set's search for all matches.
        self.rules
            .iter()
            .zip(&mut cache.rules)
            .position(|(r, c)| r.regex.is_match_with(c, &input))
    }

    pub fn rule(&self, index: usize) -> &Rule {
        &self.rules[index]
    }
}

/// Splits the floating rules into those a search for literals screens (every match of
/// theirs starts with one of a few literals, which the regex engine finds) and the rest;
/// returns the search, the screened rules and the rest.
fn screen(rules: &[Rule], floating: Vec<usize>) -> (Option<Prefilter>, Vec<usize>, Vec<usize>) {
    let (screened, rest): (Vec<usize>, Vec<usize>) = (floating.into_iter())
        .partition(|&i| Prefilter::from_hir_prefix(MatchKind::All, &rules[i].hir).is_some());
    let hirs: Vec<&Hir> = screened.iter().map(|&i| &rules[i].hir).collect();
    // Fewer than two rules gain nothing from a shared search.
    match Prefilter::from_hirs_prefix(MatchKind::All, &hirs) {
        Some(pre) if screened.len() >= 2 => (Some(pre), screened, rest),
        _ => {
            let mut all = rest;
            all.extend(screened);
            all.sort_unstable();
            (None, Vec::new(), all)
        }
    }
}

fn split_origin(origin: &str) -> (String, usize) {
    match origin.rsplit_once(':') {
        Some((file, line)) => (file.to_string(), line.parse().unwrap_or(0)),
        None => (origin.to_string(), 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rules_and_skips_comments() {
        let rules = parse(
            &b"# footers\n\nweb.a drop ^Read more:\nweb.b  cut   (?i)^comments$  \nweb.c drop-doc ^404$\n"[..],
            "t.rules",
        )
        .expect("valid");
        assert_eq!(rules.len(), 3);
        assert_eq!(rules[1].action, Action::Cut);
        assert_eq!(rules[1].pattern, "(?i)^comments$");
        assert_eq!(rules[2].origin, "t.rules:5");
    }

    #[test]
    fn reports_every_bad_line_with_file_line_and_id() {
        let err = parse(
            &b"ok drop x\nbad.regex drop (unclosed\nno.action\nweird zap x\nb@d drop x\n"[..],
            "rules/web.rules",
        )
        .expect_err("invalid");
        let lines: Vec<String> = err.0.iter().map(ToString::to_string).collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[0].starts_with("rules/web.rules:2: bad.regex: bad regex:"));
        assert_eq!(
            lines[1],
            "rules/web.rules:3: no.action: missing action and regex"
        );
        assert!(lines[2].starts_with("rules/web.rules:4: weird: unknown action"));
        assert!(lines[3].starts_with("rules/web.rules:5: rule id"));
    }

    #[test]
    fn duplicate_ids_are_refused() {
        let mut rules = parse(&b"a drop x\n"[..], "one.rules").expect("valid");
        rules.extend(parse(&b"a drop y\n"[..], "two.rules").expect("valid"));
        let err = RuleSet::compile(rules).expect_err("duplicate");
        assert_eq!(
            err.0[0].to_string(),
            "two.rules:1: a: duplicate rule id (first defined at one.rules:1)"
        );
    }

    #[test]
    fn first_written_rule_wins() {
        let rules = parse(&b"late drop more\nearly drop ^Read\n"[..], "t").expect("valid");
        let set = RuleSet::compile(rules).expect("compiles");
        let cache = &mut set.cache();
        assert_eq!(set.first_match("  Read more  ", cache), Some(0));
        assert_eq!(set.first_match("Reading", cache), Some(1));
        assert_eq!(set.first_match("nothing", cache), None);
    }

    fn anchored_at_start(pattern: &str) -> bool {
        compile_one(pattern).expect("valid").1
    }

    #[test]
    fn anchoring_is_read_from_the_pattern() {
        assert!(anchored_at_start("^Read more"));
        assert!(anchored_at_start("(?i)^(a|b)c"));
        assert!(!anchored_at_start("(?i)(^a|b)"));
        assert!(!anchored_at_start("cookies"));
        let rules = parse(&b"f drop cookies\na drop ^Accept cookies$\n"[..], "t").expect("valid");
        let set = RuleSet::compile(rules).expect("compiles");
        assert!(set.anchored.is_some());
        assert_eq!(set.floating, [0]);
        let cache = &mut set.cache();
        assert_eq!(set.first_match("Accept cookies", cache), Some(0));
        assert_eq!(set.first_match("no", cache), None);
    }

    /// Two floating rules with literals (screened together), one without, one anchored.
    fn screened_set() -> RuleSet {
        let rules = parse(
            "licence drop ICP\\s*(证|备)\ncookie drop ([Ww]e|[Tt]his site) uses? cookies\n\
             rights drop (^|[^[:alpha:]])[Aa]ll rights reserved\\W{0,3}$\nstart drop ^Read more\n"
                .as_bytes(),
            "t",
        )
        .expect("valid");
        RuleSet::compile(rules).expect("compiles")
    }

    /// [`RuleSet::first_match`] the long way: every rule in order.
    fn first_by_each(set: &RuleSet, line: &str) -> Option<usize> {
        (set.rules.iter()).position(|r| r.regex.is_match(line.trim()))
    }

    #[test]
    fn floating_rules_with_literals_are_screened_together() {
        let set = screened_set();
        assert_eq!(
            (&set.screened[..], &set.floating[..]),
            (&[0, 1][..], &[2][..])
        );
        assert!(set.screen.is_some() && set.anchored.is_some());
        let cache = &mut set.cache();
        for (line, rule) in [
            ("沪ICP备05050403号", Some(0)),
            ("We use cookies to improve it", Some(1)),
            ("and then this site uses cookies", Some(1)),
            ("2024 All rights reserved.", Some(2)),
            ("Read more about ICP证", Some(0)),
            ("Read more", Some(3)),
            ("We used cookies, ICP and all rights", None),
            ("", None),
        ] {
            assert_eq!(set.first_match(line, cache), rule, "{line}");
            assert_eq!(first_by_each(&set, line), rule, "{line}");
        }
    }

    proptest::proptest! {
        /// Screening changes no answer: lines made of the rules' literals and near misses.
        #[test]
        fn screened_rules_answer_as_each_rule_does(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "ICP", "证", "备", " ", "  ", "We", "we", "This site", "use", "uses",
                " cookies", "cookie", "All rights reserved", "all Rights reserved", ".", "x",
                "Read more", "2024",
            ]), 0..8)
        ) {
            let set = screened_set();
            let cache = &mut set.cache();
            let line = parts.concat();
            proptest::prop_assert_eq!(set.first_match(&line, cache), first_by_each(&set, &line));
        }
    }

    #[test]
    fn each_worker_keeps_its_cache_and_a_second_taker_gets_a_fresh_one() {
        let set = RuleSet::compile(parse("a drop ^x\n".as_bytes(), "t").unwrap()).unwrap();
        let caches = set.caches(2);
        assert!(
            matches!(caches.get(), PooledCache::Fresh(_)),
            "outside a pool"
        );
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        pool.install(|| {
            let mut first = caches.get();
            assert!(matches!(first, PooledCache::Kept(_)));
            assert!(
                matches!(caches.get(), PooledCache::Fresh(_)),
                "while in use"
            );
            assert_eq!(set.first_match("x1", &mut first), Some(0));
            drop(first);
            let mut again = caches.get();
            assert!(matches!(again, PooledCache::Kept(_)), "given back");
            assert_eq!(set.first_match("y", &mut again), None);
        });
    }

    #[test]
    fn default_rules_compile() {
        let set = RuleSet::compile(RuleSet::default_rules().expect("parse")).expect("compile");
        assert!(set.len() >= 10);
    }
}
