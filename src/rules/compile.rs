//! From files to a [`RuleSet`]: parse each file, check every rule (known indicator, one matcher,
//! sensible weight, lv and en explanations, regexes written in normalised form), then compile all
//! phrases into one automaton and the regex prefilter and prefix literals along with them (see `literals`).

use std::collections::{HashMap, HashSet};

use super::error::{RuleError, line_of, line_of_rule};
use super::file::{IndicatorFile, RawRule, RuleFile};
use super::{CompiledRegex, LiteralUses, Matcher, PhraseRef, Rule, RuleSet, literals};
use crate::dialect;
use crate::market::MarketPay;
use crate::normalise::Normalised;
use crate::phrase::{PhraseSet, normalise_phrase};
use sha2::{Digest, Sha256};

/// The name of the indicator list in a rule folder.
pub const INDICATORS_FILE: &str = "indicators.toml";
/// The name of the pay reference in a rule folder.
pub const MARKET_FILE: &str = "market_pay.toml";

fn syntax(file: &str, text: &str, e: &toml::de::Error) -> RuleError {
    RuleError::Syntax {
        file: file.to_string(),
        line: e.span().map_or(1, |s| line_of(text, s.start)),
        message: e.message().to_string(),
    }
}

/// Compiles a rule folder given as (file name, contents) pairs. Files other than `*.toml` are
/// ignored; `indicators.toml` and `market_pay.toml` must be present.
pub fn compile(files: &[(String, String)]) -> Result<RuleSet, RuleError> {
    let find = |name: &str| {
        files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.as_str())
    };
    let indicators_text = find(INDICATORS_FILE).ok_or_else(|| RuleError::Reference {
        file: INDICATORS_FILE.into(),
        message: "missing from the rule folder".into(),
    })?;
    let indicators: IndicatorFile = toml::from_str(indicators_text)
        .map_err(|e| syntax(INDICATORS_FILE, indicators_text, &e))?;
    let market_text = find(MARKET_FILE).ok_or_else(|| RuleError::Reference {
        file: MARKET_FILE.into(),
        message: "missing from the rule folder".into(),
    })?;
    let market = MarketPay::parse(market_text).map_err(|e| RuleError::Reference {
        file: MARKET_FILE.into(),
        message: e.to_string(),
    })?;
    let mut index = HashMap::new();
    for (i, ind) in indicators.indicators.iter().enumerate() {
        if ind.quotes && !ind.mitigating {
            return Err(RuleError::Reference {
                file: INDICATORS_FILE.into(),
                message: format!(
                    "indicator {}: only a mitigating indicator may mark quoted text",
                    ind.id
                ),
            });
        }
        let rated = ind.strength.is_some() && ind.dimension.is_some();
        if ind.mitigating == (ind.strength.is_some() || ind.dimension.is_some())
            || !(ind.mitigating || rated)
        {
            return Err(RuleError::Reference {
                file: INDICATORS_FILE.into(),
                message: format!(
                    "indicator {}: a risk sign needs a strength and a dimension, a mitigating one has neither",
                    ind.id
                ),
            });
        }
        if index.insert(ind.id.clone(), i).is_some() {
            return Err(RuleError::Reference {
                file: INDICATORS_FILE.into(),
                message: format!("indicator {} is listed twice", ind.id),
            });
        }
    }

    let mut errors = Vec::new();
    let mut rules = Vec::new();
    let mut seen = HashSet::new();
    let mut rule_files: Vec<&(String, String)> = files
        .iter()
        .filter(|(n, _)| n.ends_with(".toml") && n != INDICATORS_FILE && n != MARKET_FILE)
        .collect();
    rule_files.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, text) in rule_files {
        let parsed: RuleFile = match toml::from_str(text) {
            Ok(f) => f,
            Err(e) => {
                errors.push(syntax(name, text, &e));
                continue;
            }
        };
        for raw in parsed.rules {
            let line = line_of_rule(text, &raw.id);
            let fail = |message: String| RuleError::Rule {
                file: name.clone(),
                line,
                rule: raw.id.clone(),
                message,
            };
            if !seen.insert(raw.id.clone()) {
                errors.push(fail("the id is used by another rule".into()));
                continue;
            }
            match check_rule(&raw, &index, &indicators) {
                Ok((indicator, matcher)) => rules.push(Rule {
                    id: raw.id.clone(),
                    indicator,
                    langs: raw.langs.clone(),
                    weight: raw.weight,
                    checkable: raw.checkable,
                    negatable: raw.negatable,
                    explain: std::sync::Arc::new(raw.explain.clone()),
                    explain_marriage: raw.explain_marriage.clone().map(std::sync::Arc::new),
                    when: raw.when.clone(),
                    matcher,
                    unless: raw.unless.clone(),
                    examples: raw.examples.clone(),
                    file: name.clone(),
                    line,
                }),
                Err(message) => errors.push(fail(message)),
            }
        }
    }
    if !errors.is_empty() {
        return Err(if errors.len() == 1 {
            errors.remove(0)
        } else {
            RuleError::Many(errors)
        });
    }
    let mut hashed: Vec<&(String, String)> =
        files.iter().filter(|(n, _)| n.ends_with(".toml")).collect();
    hashed.sort_by(|a, b| a.0.cmp(&b.0));
    let mut sha = Sha256::new();
    for (name, text) in hashed {
        sha.update(name.as_bytes());
        sha.update([0]);
        sha.update(text.as_bytes());
    }
    let hash = sha.finalize().iter().map(|b| format!("{b:02x}")).collect();
    build(indicators, market, rules, hash)
}

/// Checks one rule; returns its indicator index and matcher.
fn check_rule(
    raw: &RawRule,
    index: &HashMap<String, usize>,
    indicators: &IndicatorFile,
) -> Result<(usize, Matcher), String> {
    let &indicator = index
        .get(&raw.indicator)
        .ok_or_else(|| format!("unknown indicator {:?}", raw.indicator))?;
    let mitigating = indicators.indicators[indicator].mitigating;
    if raw.weight == 0 || raw.weight.abs() > 100 {
        return Err("weight must be between -100 and 100 and not 0".into());
    }
    if raw.checkable && !mitigating {
        return Err("only mitigating rules may be checkable".into());
    }
    if mitigating != (raw.weight < 0) {
        return Err(if mitigating {
            "a mitigating indicator needs a negative weight".into()
        } else {
            "only mitigating indicators may have a negative weight".into()
        });
    }
    let empty = |t: &crate::rules::Texts| t.lv.trim().is_empty() || t.en.trim().is_empty();
    if empty(&raw.explain) || raw.explain_marriage.as_ref().is_some_and(empty) {
        return Err("explain needs lv and en texts".into());
    }
    if raw.langs.is_empty() {
        return Err("langs is empty".into());
    }
    let matcher = match (&raw.phrases, &raw.regex, &raw.condition) {
        (Some(p), None, None) => {
            if p.is_empty() {
                return Err("phrases is empty".into());
            }
            for phrase in p {
                normalise_phrase(phrase).map_err(|e| e.to_string())?;
            }
            Matcher::Phrases(p.clone())
        }
        (None, Some(r), None) => {
            check_regex_is_normalised(r)?;
            dialect::build(r).map_err(|e| format!("bad regex: {e}"))?;
            Matcher::Regex(r.clone())
        }
        (None, None, Some(c)) => Matcher::Condition(*c),
        _ => return Err("give exactly one of phrases, regex, condition".into()),
    };
    if !raw.unless.is_empty() && matches!(matcher, Matcher::Condition(_)) {
        return Err("unless works only with phrases and regexes".into());
    }
    for phrase in &raw.unless {
        normalise_phrase(phrase).map_err(|e| e.to_string())?;
    }
    Ok((indicator, matcher))
}

/// Refuses regexes with letters that normalisation would change: they could never match.
fn check_regex_is_normalised(regex: &str) -> Result<(), String> {
    let mut escaped = false;
    for c in regex.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        if c == '\\' {
            escaped = true;
            continue;
        }
        if c.is_alphabetic() {
            let norm = Normalised::basic(c.encode_utf8(&mut [0; 4]));
            if norm.as_str() != c.to_string() {
                return Err(format!(
                    "regex contains {c:?}, which never occurs in normalised text; write {:?}",
                    norm.as_str()
                ));
            }
        }
    }
    Ok(())
}

/// The distinct regex literals, in order of first use, with what each stands for.
#[derive(Default)]
struct LiteralTable {
    index: HashMap<String, usize>,
    names: Vec<String>,
    uses: Vec<LiteralUses>,
}

impl LiteralTable {
    /// The uses of a literal, added when new.
    fn uses(&mut self, literal: String) -> &mut LiteralUses {
        let k = match self.index.get(&literal) {
            Some(&k) => k,
            None => {
                self.index.insert(literal.clone(), self.names.len());
                self.names.push(literal);
                self.uses.push(LiteralUses::default());
                self.uses.len() - 1
            }
        };
        &mut self.uses[k]
    }
}

fn build(
    indicators: IndicatorFile,
    market: MarketPay,
    rules: Vec<Rule>,
    hash: String,
) -> Result<RuleSet, RuleError> {
    let mut phrase_items: Vec<(String, PhraseRef)> = Vec::new();
    let mut literals = LiteralTable::default();
    let mut unfiltered = Vec::new();
    let mut literal_masks = Vec::new();
    let mut regex_sources = Vec::new();
    let mut anchored = Vec::new();
    let mut regex_rules = Vec::new();
    let mut condition_rules = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        phrase_items.extend(
            rule.unless
                .iter()
                .map(|s| (s.clone(), PhraseRef::Unless(i))),
        );
        match &rule.matcher {
            Matcher::Phrases(p) => {
                phrase_items.extend(p.iter().map(|s| (s.clone(), PhraseRef::Phrase(i))));
            }
            Matcher::Regex(r) => {
                let index = regex_sources.len();
                let branches = literals::required_literal_branches(r);
                let rewritten = dialect::rewrite(r);
                let prefixes = literals::prefix_literals(&rewritten);
                if branches.is_empty() && prefixes.is_none() {
                    unfiltered.push(index);
                }
                let mut masks = Vec::with_capacity(branches.len());
                let mut bit = 0u8;
                for sets in branches {
                    let mut mask = 0u64;
                    for set in sets {
                        mask |= 1 << bit;
                        for l in set {
                            literals.uses(l).prefilter.push((index, bit));
                        }
                        bit += 1;
                    }
                    masks.push(mask);
                }
                literal_masks.push(masks);
                anchored.push((
                    prefixes.is_some(),
                    literals::starts_at_word_boundary(&rewritten),
                    literals::word_starts_at_word_boundary(&rewritten),
                ));
                for l in prefixes.into_iter().flatten() {
                    literals.uses(l).starts.push(index);
                }
                regex_sources.push(r.clone());
                regex_rules.push(i);
            }
            Matcher::Condition(_) => condition_rules.push(i),
        }
    }
    let internal = |message: String| RuleError::Reference {
        file: "rules".into(),
        message,
    };
    phrase_items.extend(
        market
            .keywords()
            .map(|(k, c)| (k.to_string(), PhraseRef::Category(c))),
    );
    phrase_items
        .extend(crate::extract::word_lists().map(|(p, w)| (p.to_string(), PhraseRef::Word(w))));
    let literal_items = literals.names.iter().zip(&literals.uses).enumerate();
    let literal_items = literal_items.map(|(index, (l, uses))| {
        // In the view the regexes run on, a letter outside ASCII is written as ASCII letters.
        let view = dialect::ascii_words::encode(l);
        let word = view
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
        let at_boundary = uses.starts.iter().all(|&r| {
            let (_, starts_at_boundary, word_starts_at_boundary) = anchored[r];
            starts_at_boundary || (word_starts_at_boundary && word)
        });
        let value = PhraseRef::Literal {
            index,
            prefilter: !uses.prefilter.is_empty(),
            starts: !uses.starts.is_empty(),
            at_boundary,
        };
        (l.clone(), value)
    });
    let phrases = PhraseSet::with_literals(phrase_items, literal_items)
        .map_err(|e| internal(e.to_string()))?;
    let regexes = regex_sources
        .iter()
        .zip(anchored)
        .map(
            |(r, (anchored, starts_at_boundary, word_starts_at_boundary))| {
                let filter = match anchored {
                    true => None,
                    false => Some(dialect::filter(r).map_err(|e| internal(e.to_string()))?),
                };
                let exact = dialect::build_anchorable(r).map_err(|e| internal(e.to_string()))?;
                let anchored_filter = match anchored {
                    true => {
                        dialect::build_anchorable_filter(r).map_err(|e| internal(e.to_string()))?
                    }
                    false => None,
                };
                Ok(CompiledRegex {
                    exact,
                    filter,
                    anchored_filter,
                    starts_at_boundary,
                    word_starts_at_boundary,
                })
            },
        )
        .collect::<Result<Vec<_>, RuleError>>()?;
    Ok(RuleSet {
        hash,
        indicators: indicators.indicators,
        help: indicators.help,
        market,
        rules,
        phrases,
        regexes,
        regex_rules,
        literal_prefilters: literals.uses.iter().map(|u| u.prefilter.clone()).collect(),
        literal_starts: literals.uses.into_iter().map(|u| u.starts).collect(),
        always_tried: literal_masks.iter().map(Vec::is_empty).collect(),
        literal_masks: literal_masks.into_iter().collect(),
        unfiltered,
        condition_rules,
    })
}
