//! `adscreen report`: the overview report of a server's data directory as one HTML file.

use std::path::PathBuf;

use adscreen::advert::Lang;
use adscreen::overview::Overview;
use adscreen::rules::RuleSet;
use anyhow::{Context, Result, bail};
use clap::Args;

/// Options of `report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Data directory of the server.
    #[arg(long, env = "ADSCREEN_DATA_DIR", default_value = "adscreen-data")]
    pub data_dir: PathBuf,
    /// First day (`YYYY-MM-DD`, inclusive; default: the earliest advert).
    #[arg(long)]
    pub from: Option<String>,
    /// Last day (inclusive; default: the latest advert).
    #[arg(long)]
    pub to: Option<String>,
    /// Language of the report: lv, en or ru.
    #[arg(long, default_value = "lv")]
    pub lang: String,
    /// Rule folder whose indicators name the signs (default: the built-in rules).
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Where to write the HTML.
    #[arg(long, default_value = "report.html")]
    pub out: PathBuf,
}

/// Writes the report; returns the exit code.
pub fn run(args: ReportArgs) -> Result<u8> {
    let Some(lang) = Lang::parse(&args.lang) else {
        bail!("--lang {:?} is not lv, en or ru", args.lang);
    };
    for (name, day) in [("--from", &args.from), ("--to", &args.to)] {
        if let Some(day) = day {
            adscreen::store::parse_date(day).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        }
    }
    let rules = match &args.rules {
        Some(dir) => RuleSet::load(dir).with_context(|| format!("rules in {}", dir.display()))?,
        None => RuleSet::bundled().context("built-in rules")?,
    };
    let index = args.data_dir.join("index");
    let (adverts, reviews) = adscreen::store::read_all(&index)
        .with_context(|| format!("reading {}", index.display()))?;
    let overview = Overview::of(
        &adverts,
        &|id| reviews.current(id),
        args.from.as_deref(),
        args.to.as_deref(),
    );
    std::fs::write(&args.out, overview.html(lang, rules.indicators()))
        .with_context(|| format!("writing {}", args.out.display()))?;
    eprintln!(
        "report of {} adverts ({} flagged) written to {}",
        overview.screened,
        overview.flagged,
        args.out.display()
    );
    Ok(0)
}
