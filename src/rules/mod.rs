//! Rules: the indicator list, the rule files, and matching them against an advert.
//!
//! A [`RuleSet`] is loaded from a folder of TOML files (or the copy built into the binary),
//! checked once ([`compile`]), and then matched many times ([`RuleSet::hits`]): one Aho-Corasick
//! pass for every phrase of every rule (which also finds the literals the regexes need, so each
//! regex runs only where it can match), and the conditions over extracted facts. Turning hits into a score is `score`'s job.

mod check;
mod compile;
mod error;
mod file;
mod literals;
mod matcher;

use std::path::Path;

use include_dir::{Dir, include_dir};
use regex::Regex;

pub use check::{ExampleFailure, RuleStats};
pub use compile::{INDICATORS_FILE, MARKET_FILE, compile};
pub use error::RuleError;
pub use file::{Condition, Examples, Help, Indicator, Link, Texts, When};
pub use matcher::{FieldPass, Hit};

use crate::advert::Lang;
use crate::market::MarketPay;
use crate::phrase::PhraseSet;

/// The rule folder built into the binary.
pub static BUNDLED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/rules");

/// The text of one bundled rule file.
pub fn bundled_file(name: &str) -> Option<&'static str> {
    BUNDLED.get_file(name).and_then(|f| f.contents_utf8())
}

/// How a rule finds its evidence.
#[derive(Debug, Clone)]
pub enum Matcher {
    /// Whole-word phrases.
    Phrases(Vec<String>),
    /// A regex over the normalised text.
    Regex(String),
    /// A condition over extracted facts.
    Condition(Condition),
}

/// A checked rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Unique id.
    pub id: String,
    /// Index of its indicator in [`RuleSet::indicators`].
    pub indicator: usize,
    /// Languages its matcher is written in.
    pub langs: Vec<Lang>,
    /// Weight (negative for mitigating indicators).
    pub weight: i32,
    /// Mitigating evidence a person can check (a registration or licence number, an awareness
    /// post): the only kind that may lower an advert with a strong sign below `medium`.
    pub checkable: bool,
    /// Whether a negation just before a hit cancels it (see `context`).
    pub negatable: bool,
    /// Explanation for people.
    pub explain: std::sync::Arc<Texts>,
    /// The explanation for a marriage/partner advert, when it differs.
    pub explain_marriage: Option<std::sync::Arc<Texts>>,
    /// Facts that must hold for the rule to count.
    pub when: Vec<When>,
    /// How it matches.
    pub matcher: Matcher,
    /// Phrases that cancel an overlapping hit.
    pub unless: Vec<String>,
    /// Texts it must and must not fire on.
    pub examples: Examples,
    /// The file it came from.
    pub file: String,
    /// The line of its id in that file.
    pub line: usize,
}

/// What a pattern in the shared automaton stands for.
#[derive(Debug, Clone, Copy)]
pub(crate) enum PhraseRef {
    /// A phrase of a phrase rule.
    Phrase(usize),
    /// An `unless` phrase of a rule.
    Unless(usize),
    /// A regex literal: `index` into `RuleSet::literal_prefilters` and `literal_starts`, with
    /// what it is used as (known without reading those).
    Literal {
        index: usize,
        /// It is a prefilter literal of some regex.
        prefilter: bool,
        /// It is a prefix literal of some regex.
        starts: bool,
        /// None of the regexes it is a prefix literal of can start where it occurs unless a word
        /// boundary is there (see [`CompiledRegex::may_start_at`]).
        at_boundary: bool,
    },
    /// A keyword of a category of work in the pay reference (index into
    /// [`MarketPay::categories`]): found in the same pass, for `pay_above_market`.
    Category(usize),
    /// A phrase of the extractors' word lists ([`crate::extract::word_lists`]): found in the
    /// same pass, and handed to extraction.
    Word(crate::extract::Word),
}

/// What one distinct regex literal stands for: regexes share many literals (a digit, "no "), and
/// each literal is one pattern of the automaton, however many regexes use it.
#[derive(Debug, Clone, Default)]
pub(crate) struct LiteralUses {
    /// (regex, bit): the literal belongs to the prefilter set with bit `.1` of regex `.0` (an
    /// index into `RuleSet::regexes`).
    pub(super) prefilter: Vec<(usize, u8)>,
    /// The regexes it is a prefix literal of: each is tried, anchored, where the literal starts.
    pub(super) starts: Vec<usize>,
}

/// Lists of lists stored side by side in one vector: the uses of thousands of literals are read
/// for every advert, and scattered small vectors cost a cache miss each.
#[derive(Debug, Clone)]
pub(crate) struct Ragged<T> {
    items: Vec<T>,
    /// Where list `i` ends in `items` (it starts where list `i - 1` ends).
    ends: Vec<usize>,
}

impl<T> Ragged<T> {
    /// List `i`.
    pub(crate) fn get(&self, i: usize) -> &[T] {
        let start = i.checked_sub(1).map_or(0, |j| self.ends[j]);
        &self.items[start..self.ends[i]]
    }

    /// The number of lists.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }
}

impl<T> FromIterator<Vec<T>> for Ragged<T> {
    fn from_iter<I: IntoIterator<Item = Vec<T>>>(lists: I) -> Self {
        let mut ragged = Ragged {
            items: Vec::new(),
            ends: Vec::new(),
        };
        for list in lists {
            ragged.items.extend(list);
            ragged.ends.push(ragged.items.len());
        }
        ragged
    }
}

/// A compiled rule regex.
#[derive(Debug, Clone)]
pub(crate) struct CompiledRegex {
    /// The regex itself (searched anchored at prefix literals, or over the whole field).
    exact: regex_automata::meta::Regex,
    /// For a regex without prefix literals: a fast superset, tried over the field first.
    filter: Option<Regex>,
    /// For a regex with a long counted gap: a superset on the same view, tried anchored at a
    /// prefix literal before the exact regex (see [`crate::dialect::build_anchorable_filter`]).
    anchored_filter: Option<regex_automata::meta::Regex>,
    /// Every match starts at a word boundary (`\b` leads every alternative): a prefix literal
    /// found where there is none is not worth a search.
    starts_at_boundary: bool,
    /// Every match that starts with a word character starts at a word boundary
    /// ([`literals::word_starts_at_word_boundary`]).
    word_starts_at_boundary: bool,
}

impl CompiledRegex {
    /// Whether a match can start at byte `at` of `view` (a field's words view as
    /// [`crate::dialect::ascii_words::encode`] writes it), as far as word boundaries tell.
    fn may_start_at(&self, view: &str, at: usize) -> bool {
        let needs_boundary = self.starts_at_boundary
            || (self.word_starts_at_boundary
                && view
                    .as_bytes()
                    .get(at)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_'));
        !needs_boundary || crate::dialect::ascii_words::word_boundary_at(view, at)
    }
}

/// The compiled rules with their indicators and pay reference.
#[derive(Debug, Clone)]
pub struct RuleSet {
    /// SHA-256 of the rule files (names and contents, in name order).
    hash: String,
    indicators: Vec<Indicator>,
    help: Help,
    market: MarketPay,
    rules: Vec<Rule>,
    phrases: PhraseSet<PhraseRef>,
    /// The rule regexes.
    regexes: Vec<CompiledRegex>,
    regex_rules: Vec<usize>,
    /// For each regex literal in the automaton (see [`PhraseRef::Literal`]), its
    /// [`LiteralUses::prefilter`].
    literal_prefilters: Ragged<(usize, u8)>,
    /// For each regex literal in the automaton, its [`LiteralUses::starts`].
    literal_starts: Ragged<usize>,
    /// For each regex, one bit mask of prefilter sets per branch: it runs when a literal of
    /// every set of some branch occurred.
    literal_masks: Ragged<u64>,
    /// For each regex, whether it is tried on every field (it has no prefilter).
    always_tried: Vec<bool>,
    /// Regexes without a literal prefilter: they run on every advert.
    unfiltered: Vec<usize>,
    condition_rules: Vec<usize>,
}

impl RuleSet {
    /// The rules built into the binary.
    pub fn bundled() -> Result<RuleSet, RuleError> {
        let files: Vec<(String, String)> = BUNDLED
            .files()
            .filter_map(|f| {
                let name = f.path().file_name()?.to_str()?.to_string();
                Some((name, f.contents_utf8()?.to_string()))
            })
            .collect();
        compile(&files)
    }

    /// Loads and checks every `*.toml` file of a folder.
    pub fn load(dir: &Path) -> Result<RuleSet, RuleError> {
        let io = |path: &Path, source| RuleError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(|e| io(dir, e))? {
            let path = entry.map_err(|e| io(dir, e))?.path();
            if path.extension().and_then(|e| e.to_str()) != Some("toml") {
                continue;
            }
            let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            files.push((name, text));
        }
        compile(&files)
    }

    /// SHA-256 of the rule files it was compiled from, as hex.
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// All indicators, in file order.
    pub fn indicators(&self) -> &[Indicator] {
        &self.indicators
    }

    /// Help-lines and links.
    pub fn help(&self) -> &Help {
        &self.help
    }

    /// The pay reference.
    pub fn market(&self) -> &MarketPay {
        &self.market
    }

    /// All rules.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Regex rules without a literal prefilter (they run on every advert).
    pub fn unfiltered_regex_rules(&self) -> impl Iterator<Item = &Rule> {
        self.unfiltered
            .iter()
            .map(|&i| &self.rules[self.regex_rules[i]])
    }

    /// The indicator a rule belongs to.
    pub fn indicator_of(&self, rule: &Rule) -> &Indicator {
        &self.indicators[rule.indicator]
    }

    /// Every rule's explanation, for readers of reports written without them (`adscreen rules
    /// show`, `GET /v1/indicators`): a reason's `rule` is the key.
    pub fn explanations(&self) -> Vec<RuleExplanation<'_>> {
        self.rules
            .iter()
            .map(|r| RuleExplanation {
                rule: &r.id,
                indicator: &self.indicator_of(r).id,
                weight: r.weight,
                explanation: &r.explain,
                explanation_marriage: r.explain_marriage.as_deref(),
            })
            .collect()
    }
}

/// A rule's id, indicator, weight and explanation.
#[derive(Debug, serde::Serialize)]
pub struct RuleExplanation<'a> {
    /// Rule id.
    pub rule: &'a str,
    /// Its indicator's id.
    pub indicator: &'a str,
    /// Its weight.
    pub weight: i32,
    /// Why a hit is a sign, in plain words.
    pub explanation: &'a Texts,
    /// The same for a marriage/partner advert, when it differs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation_marriage: Option<&'a Texts>,
}

#[cfg(test)]
pub(crate) mod tests;
