//! `adscreen rules check` and `rules show`.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Subcommand;

use adscreen::engine::Engine;
use adscreen::score::Thresholds;

use super::exit::{EXIT_ERROR, EXIT_OK};
use super::setup::load_rules;

/// `rules` subcommands.
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Validate every rule file, run every rule's examples, print counts.
    Check {
        /// Rule folder (default: the rules built into the binary).
        #[arg(long)]
        rules: Option<PathBuf>,
    },
    /// Print every rule's indicator, weight and explanation, one JSON object per line: what a
    /// report written without explanations refers to by `rule`.
    Show {
        /// Rule folder (default: the rules built into the binary).
        #[arg(long)]
        rules: Option<PathBuf>,
        /// Only this language (`lv`, `en` or `ru`): the explanation as one string.
        #[arg(long, value_parser = parse_lang)]
        lang: Option<adscreen::advert::Lang>,
    },
}

fn parse_lang(s: &str) -> std::result::Result<adscreen::advert::Lang, String> {
    adscreen::advert::Lang::parse(s).ok_or_else(|| format!("{s:?} is not lv, en or ru"))
}

/// Runs a `rules` subcommand.
pub(super) fn run(command: RulesCommand) -> Result<u8> {
    match command {
        RulesCommand::Check { rules } => rules_check(rules.as_deref()),
        RulesCommand::Show { rules, lang } => rules_show(rules.as_deref(), lang),
    }
}

fn rules_show(dir: Option<&Path>, lang: Option<adscreen::advert::Lang>) -> Result<u8> {
    let rules = load_rules(dir)?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    for r in rules.explanations() {
        let line = match lang {
            Some(l) => serde_json::json!({
                "rule": r.rule,
                "indicator": r.indicator,
                "weight": r.weight,
                "explanation": r.explanation.get(l),
            }),
            None => serde_json::to_value(&r)?,
        };
        serde_json::to_writer(&mut out, &line)?;
        writeln!(out)?;
    }
    out.flush()?;
    Ok(0)
}

fn rules_check(dir: Option<&Path>) -> Result<u8> {
    let rules = load_rules(dir)?;
    let engine = Engine::new(rules, Thresholds::default());
    let failures = engine.check_examples();
    let stats = engine.rules().stats();
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "{:<26} {:>4} {:>4} {:>4} {:>5}",
        "indicator", "lv", "ru", "en", "rules"
    )?;
    for ind in engine.rules().indicators() {
        let langs = stats.per_indicator.get(&ind.id);
        let n = |l| langs.and_then(|m| m.get(&l)).copied().unwrap_or(0);
        let total = engine
            .rules()
            .rules()
            .iter()
            .filter(|r| engine.rules().indicator_of(r).id == ind.id)
            .count();
        use adscreen::advert::Lang;
        writeln!(
            out,
            "{:<26} {:>4} {:>4} {:>4} {:>5}",
            ind.id,
            n(Lang::Lv),
            n(Lang::Ru),
            n(Lang::En),
            total
        )?;
    }
    writeln!(
        out,
        "{} rules ({} phrase, {} regex, {} condition), {} automaton patterns, {} examples",
        stats.rules,
        stats.phrase_rules,
        stats.regex_rules,
        stats.condition_rules,
        stats.phrases,
        stats.examples
    )?;
    if stats.unfiltered_regexes > 0 {
        writeln!(
            out,
            "note: {} regex rules have no literal of 3+ bytes that every match contains; they run on every advert",
            stats.unfiltered_regexes
        )?;
        for r in engine.rules().unfiltered_regex_rules() {
            writeln!(out, "  {}:{}: {}", r.file, r.line, r.id)?;
        }
    }
    for f in &failures {
        writeln!(out, "{f}")?;
    }
    if failures.is_empty() {
        writeln!(out, "all examples pass")?;
        Ok(EXIT_OK)
    } else {
        writeln!(out, "{} examples fail", failures.len())?;
        Ok(EXIT_ERROR)
    }
}
