//! Loading what the commands screen with: rules, model, engine.

use std::path::Path;

use anyhow::{Context, Result, bail};

use adscreen::classify::Model;
use adscreen::engine::Engine;
use adscreen::rules::RuleSet;
use adscreen::score::{DEFAULT_HIGH, DEFAULT_MEDIUM, Level, Thresholds};

pub(super) fn load_rules(dir: Option<&Path>) -> Result<RuleSet> {
    match dir {
        Some(d) => RuleSet::load(d).with_context(|| format!("rules in {}", d.display())),
        None => RuleSet::bundled().context("built-in rules"),
    }
}

/// An engine over the rules and (unless `None`) a model; thresholds not given on the command line
/// come from the model (chosen on dev) or are the defaults.
pub(super) fn build_engine(
    rules: Option<&Path>,
    model: Option<Model>,
    medium: Option<u8>,
    high: Option<u8>,
    flag: Level,
) -> Result<Engine> {
    let chosen = model.as_ref().map(|m| m.metadata.thresholds);
    let thresholds = Thresholds {
        medium: medium
            .or(chosen.map(|t| t.medium))
            .unwrap_or(DEFAULT_MEDIUM),
        // A `--medium` above the model's `high` moves `high` up with it.
        high: high
            .or(chosen.map(|t| t.high.max(medium.map_or(0, |m| m.saturating_add(1)))))
            .unwrap_or(DEFAULT_HIGH)
            .min(100),
        flag,
    };
    if thresholds.medium >= thresholds.high {
        bail!(
            "--medium ({}) must be below --high ({})",
            thresholds.medium,
            thresholds.high
        );
    }
    let engine = Engine::new(load_rules(rules)?, thresholds);
    Ok(match model {
        Some(m) => engine.with_model(m),
        None => engine,
    })
}

pub(super) fn load_model(path: Option<&Path>, none: bool) -> Result<Option<Model>> {
    if none {
        return Ok(None);
    }
    Ok(Some(match path {
        Some(p) => Model::load(p).with_context(|| format!("model {}", p.display()))?,
        None => Model::bundled().context("built-in model")?,
    }))
}
