//! Checking a rule set beyond compiling it: every rule's examples, and counts per indicator and
//! language for `adscreen rules check`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Matcher, RuleSet};
use crate::advert::Lang;

/// An example that did not behave as its rule says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExampleFailure {
    /// The rule's id.
    pub rule: String,
    /// Its file.
    pub file: String,
    /// Its line.
    pub line: usize,
    /// The example text.
    pub example: String,
    /// Whether the rule should have fired.
    pub should_match: bool,
}

impl std::fmt::Display for ExampleFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let verb = if self.should_match {
            "does not fire on its match example"
        } else {
            "fires on its no_match example"
        };
        write!(
            f,
            "{}:{}: rule {} {verb}: {:?}",
            self.file, self.line, self.rule, self.example
        )
    }
}

/// Counts of a rule set.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RuleStats {
    /// Rules in all.
    pub rules: usize,
    /// Phrase rules.
    pub phrase_rules: usize,
    /// Regex rules.
    pub regex_rules: usize,
    /// Condition rules.
    pub condition_rules: usize,
    /// Patterns in the automaton: phrases, `unless` phrases and regex prefilter literals.
    pub phrases: usize,
    /// Regex rules without a literal prefilter (they run on every advert: slow).
    pub unfiltered_regexes: usize,
    /// Examples in all.
    pub examples: usize,
    /// Rules per indicator and language.
    pub per_indicator: BTreeMap<String, BTreeMap<Lang, usize>>,
}

impl RuleSet {
    /// Counts rules, matchers and examples, per indicator and language.
    pub fn stats(&self) -> RuleStats {
        let mut s = RuleStats {
            rules: self.rules.len(),
            phrases: self.phrases.len(),
            unfiltered_regexes: self.unfiltered.len(),
            ..RuleStats::default()
        };
        for ind in &self.indicators {
            s.per_indicator.entry(ind.id.clone()).or_default();
        }
        for r in &self.rules {
            match r.matcher {
                Matcher::Phrases(_) => s.phrase_rules += 1,
                Matcher::Regex(_) => s.regex_rules += 1,
                Matcher::Condition(_) => s.condition_rules += 1,
            }
            s.examples += r.examples.matches.len() + r.examples.no_match.len();
            let langs = s
                .per_indicator
                .entry(self.indicators[r.indicator].id.clone())
                .or_default();
            for l in &r.langs {
                *langs.entry(*l).or_default() += 1;
            }
        }
        s
    }

    /// Runs every example through `fires` (which screens a text and returns the indices of the
    /// rules that fired) and returns the examples that misbehave.
    pub fn check_examples(&self, fires: impl Fn(&str) -> Vec<usize>) -> Vec<ExampleFailure> {
        let mut failures = Vec::new();
        for (i, r) in self.rules.iter().enumerate() {
            let cases = r
                .examples
                .matches
                .iter()
                .map(|e| (e, true))
                .chain(r.examples.no_match.iter().map(|e| (e, false)));
            for (example, should_match) in cases {
                if fires(example).contains(&i) != should_match {
                    failures.push(ExampleFailure {
                        rule: r.id.clone(),
                        file: r.file.clone(),
                        line: r.line,
                        example: example.clone(),
                        should_match,
                    });
                }
            }
        }
        failures
    }
}
