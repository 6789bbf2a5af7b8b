//! One fixture per rule: every built-in rule fires on its `+` cases (as the first rule to
//! match) and stays quiet on its `-` cases, as listed in testdata/rules/web.cases.

use std::collections::BTreeMap;

use deboil::rules::RuleSet;
use regex::Regex;

#[test]
fn every_builtin_rule_fires_and_holds_back_on_its_cases() {
    let rules = RuleSet::default_rules().expect("built-in rules parse");
    let set = RuleSet::compile(rules.clone()).expect("built-in rules compile");
    let cache = &mut set.cache();
    let cases = include_str!("../testdata/rules/web.cases");
    let mut seen: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    for (n, line) in cases.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.splitn(3, ' ');
        let (Some(id), Some(sign), Some(text)) = (parts.next(), parts.next(), parts.next()) else {
            panic!("web.cases:{}: expected `ID +|- LINE`", n + 1);
        };
        let index = rules
            .iter()
            .position(|r| r.id == id)
            .unwrap_or_else(|| panic!("web.cases:{}: no rule {id}", n + 1));
        let counts = seen.entry(id).or_default();
        let ok = match sign {
            "+" => {
                counts.0 += 1;
                set.first_match(text, cache) == Some(index)
            }
            "-" => {
                counts.1 += 1;
                let own = Regex::new(&rules[index].pattern).expect("compiles");
                !own.is_match(text.trim())
            }
            other => panic!("web.cases:{}: sign {other:?} is not + or -", n + 1),
        };
        if !ok {
            failures.push(format!("web.cases:{}: {id} {sign} {text:?}", n + 1));
        }
    }
    assert!(
        failures.is_empty(),
        "failing cases:\n{}",
        failures.join("\n")
    );
    for rule in &rules {
        let (fires, quiet) = seen.get(rule.id.as_str()).copied().unwrap_or_default();
        assert!(
            fires > 0 && quiet > 0,
            "rule {} needs + and - cases",
            rule.id
        );
    }
}
