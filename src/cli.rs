//! The command line: argument parsing (clap) and one function per subcommand. This is the
//! binary's edge, so errors are `anyhow` with context naming the file or subcommand.

use std::fs::File;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use adscreen::classify::Model;
use adscreen::engine::Engine;
use adscreen::ingest::{self, Format};
use adscreen::output::{OutputFormat, Writer};
use adscreen::report::Explain;
use adscreen::rules::RuleSet;
use adscreen::score::{DEFAULT_HIGH, DEFAULT_MEDIUM, Level, Thresholds};

use crate::cli_scan::{self, Entry};

/// Exit code: every record was screened.
pub const EXIT_OK: u8 = 0;
/// Exit code: some records (or files) were bad and skipped; the rest were screened.
pub const EXIT_BAD_RECORDS: u8 = 1;
/// Exit code: nothing useful could be done (bad rules, no readable input, bad arguments).
pub const EXIT_ERROR: u8 = 2;

/// Screens job and marriage adverts for recruitment-risk indicators of human trafficking.
#[derive(Debug, Parser)]
#[command(name = "adscreen", version, about)]
pub struct Cli {
    /// Log format on stderr: `human` or `json`.
    #[arg(long, global = true, env = "ADSCREEN_LOG_FORMAT", default_value = "human", value_parser = ["human", "json"])]
    pub log_format: String,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Screen adverts from files (or stdin with `-`, or web addresses) and print a report per
    /// advert.
    Scan(ScanArgs),
    /// Fetch web pages or feeds once (politely: robots.txt, one request at a time per host) and
    /// screen them like `scan`.
    Fetch(FetchArgs),
    /// Train the classifier on the labelled corpus (and with `--real`, real adverts) and write
    /// the model file.
    Train(TrainArgs),
    /// Evaluate rules, classifier and both combined on the held-out test split.
    Eval(EvalArgs),
    /// Screen real job postings (cv.lv export) and report the share flagged.
    Postings(PostingsArgs),
    /// Derive the market-pay reference from real job postings (cv.lv export).
    MarketPay(MarketPayArgs),
    /// Run the HTTP API (and the web page) over a durable index.
    Serve(crate::cli_service::ServeArgs),
    /// Manage API keys of a server's data directory.
    Keys {
        /// What to do with keys.
        #[command(subcommand)]
        command: crate::cli_service::KeysCommand,
    },
    /// The overview report of a server's data directory (HTML with charts, printable).
    Report(crate::cli_report::ReportArgs),
    /// Reviewed adverts of a server's data directory as labelled data.
    Feedback {
        /// What to do.
        #[command(subcommand)]
        command: crate::cli_feedback::FeedbackCommand,
    },
    /// Work with rule files.
    Rules {
        /// What to do with the rules.
        #[command(subcommand)]
        command: RulesCommand,
    },
}

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

/// Options of `train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Folder of labelled `*.jsonl` files.
    #[arg(long, default_value = "corpus/labelled")]
    pub corpus: PathBuf,
    /// Where to write the model.
    #[arg(long, default_value = "models/classifier.json")]
    pub out: PathBuf,
    /// Rule folder for the report features (default: the rules built into the binary).
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Seed recorded in the model.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Folder of real adverts written by others (`*.jsonl`, see
    /// `../shared/data/real-adverts/README.md`) to train with as well; each file is a source.
    #[arg(long)]
    pub real: Option<PathBuf>,
}

/// Options of `eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Folder of labelled `*.jsonl` files.
    #[arg(long, default_value = "corpus/labelled")]
    pub corpus: PathBuf,
    /// Rule folder (default: the rules built into the binary).
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Classifier model file (default: the model built into the binary).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Where to write the precision-recall curve (SVG).
    #[arg(long, default_value = "docs/pr-curve.svg")]
    pub pr_curve: PathBuf,
    /// Also screen every `*.jsonl` file of this folder of real adverts and report each file.
    #[arg(long, value_name = "DIR")]
    pub real: Option<PathBuf>,
    /// Report only the real adverts: skip the written corpus (and the PR curve).
    #[arg(long, requires = "real")]
    pub real_only: bool,
    /// Write every flagged ordinary real advert here (JSON Lines), for a person to read.
    #[arg(long, value_name = "FILE", requires = "real")]
    pub flagged_out: Option<PathBuf>,
    /// Fail (exit 1) when a file of real adverts flags more than this share of its ordinary ones.
    #[arg(long, value_name = "F", requires = "real")]
    pub max_flagged: Option<f64>,
    /// Fail (exit 1) when recall on the risky real adverts (all files together) is below this.
    #[arg(long, value_name = "R", requires = "real")]
    pub min_recall: Option<f64>,
    /// Fail (exit 1) when a file of fraudulent/legitimate real adverts has a lower ROC-AUC.
    #[arg(long, value_name = "A", requires = "real")]
    pub min_auc: Option<f64>,
}

/// Options of `postings`.
#[derive(Debug, Args)]
pub struct PostingsArgs {
    /// The postings CSV.
    pub file: PathBuf,
    /// Fail (exit 1) when more than this share is flagged.
    #[arg(long, default_value_t = 0.02)]
    pub max_flagged: f64,
}

/// Options of `market-pay`.
#[derive(Debug, Args)]
pub struct MarketPayArgs {
    /// The postings CSV.
    pub file: PathBuf,
    /// Rule folder whose `market_pay.toml` to compare with (default: built in).
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Fail (exit 1) when a derived figure differs from the reference.
    #[arg(long)]
    pub check: bool,
}

/// Options of `scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Inputs: files, `-` for stdin, or http(s) addresses (fetched as `adscreen fetch` does).
    /// Format by extension: .json (a Telegram export too), .jsonl/.ndjson, .csv, .html/.htm,
    /// .rss/.atom/.xml, else text; stdin and fetched answers by content: `[` JSON, `{` NDJSON
    /// (an object may spread over lines) or a Telegram export, `<` a web page or a feed, else
    /// text. A guessed format is said on stderr.
    #[arg(default_value = "-")]
    pub files: Vec<PathBuf>,
    /// Read every input in this format, whatever its extension or content.
    #[arg(long, value_enum)]
    pub input_format: Option<Format>,
    /// How addresses are fetched.
    #[command(flatten)]
    pub fetch: FetchOptionsArgs,
    /// How adverts are screened and reported.
    #[command(flatten)]
    pub screen: ScreenArgs,
}

/// Options of `fetch`.
#[derive(Debug, Args)]
pub struct FetchArgs {
    /// Pages or feeds to fetch once and screen (http:// or https://).
    #[arg(required = true, value_name = "URL")]
    pub urls: Vec<String>,
    /// Read every answer in this format, whatever its content.
    #[arg(long, value_enum)]
    pub input_format: Option<Format>,
    /// How addresses are fetched.
    #[command(flatten)]
    pub fetch: FetchOptionsArgs,
    /// How adverts are screened and reported.
    #[command(flatten)]
    pub screen: ScreenArgs,
}

/// How pages and feeds are fetched.
#[derive(Debug, Clone, Args)]
pub struct FetchOptionsArgs {
    /// A contact for site owners (e-mail or web address), sent in the User-Agent.
    #[arg(long, env = "ADSCREEN_CONTACT")]
    pub contact: Option<String>,
    /// Longest wait for one answer.
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration)]
    pub timeout: std::time::Duration,
    /// Least time between two requests to one host.
    #[arg(long, default_value = "2s", value_parser = humantime::parse_duration)]
    pub min_delay: std::time::Duration,
}

/// How adverts are screened and reported.
#[derive(Debug, Args)]
pub struct ScreenArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "jsonl")]
    pub format: OutputFormat,
    /// Rule folder (default: the rules built into the binary).
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Lowest score that is `medium` (default: the model's, chosen on dev; 40 without a model).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=100))]
    pub medium: Option<u8>,
    /// Lowest score that is `high` (default: the model's; 70 without a model).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=100))]
    pub high: Option<u8>,
    /// Classifier model file (default: the model built into the binary).
    #[arg(long, conflicts_with = "no_model")]
    pub model: Option<PathBuf>,
    /// Screen with the rules alone.
    #[arg(long)]
    pub no_model: bool,
    /// Lowest level that is flagged: medium or high.
    #[arg(long, default_value = "medium", value_parser = parse_level)]
    pub flag_level: Level,
    /// Print only flagged adverts.
    #[arg(long)]
    pub only_flagged: bool,
    /// Explanations in JSON Lines: `none` (ids, weights and evidence only; the texts are in
    /// `adscreen rules show`), `lv`, `en` or `ru` (one string per reason), or `all` (every
    /// language).
    #[arg(long, default_value = "none", value_parser = parse_explain)]
    pub explain: Explain,
    /// Add the extracted facts (phones, e-mails, pay, places, ...) to each JSON Lines report.
    #[arg(long)]
    pub entities: bool,
    /// The index named in `--format opensearch-bulk` actions.
    #[arg(long, default_value = adscreen::output::bulk::DEFAULT_INDEX)]
    pub bulk_index: String,
}

fn parse_explain(s: &str) -> std::result::Result<Explain, String> {
    Explain::parse(s).ok_or_else(|| format!("{s:?} is not none, lv, en, ru or all"))
}

fn parse_level(s: &str) -> std::result::Result<Level, String> {
    Level::parse(s).ok_or_else(|| format!("{s:?} is not low, medium or high"))
}

/// Runs a parsed command line; returns the exit code.
pub fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Scan(args) => scan(args),
        Command::Fetch(args) => crate::cli_fetch::fetch(args),
        Command::Train(args) => train(args),
        Command::Eval(args) => eval(args),
        Command::Postings(args) => postings(args),
        Command::MarketPay(args) => market_pay(args),
        Command::Serve(args) => crate::cli_service::run_serve(args),
        Command::Keys { command } => crate::cli_service::run_keys(command),
        Command::Feedback { command } => crate::cli_feedback::run(command),
        Command::Report(args) => crate::cli_report::run(args),
        Command::Rules {
            command: RulesCommand::Check { rules },
        } => rules_check(rules.as_deref()),
        Command::Rules {
            command: RulesCommand::Show { rules, lang },
        } => rules_show(rules.as_deref(), lang),
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

fn load_rules(dir: Option<&Path>) -> Result<RuleSet> {
    match dir {
        Some(d) => RuleSet::load(d).with_context(|| format!("rules in {}", d.display())),
        None => RuleSet::bundled().context("built-in rules"),
    }
}

/// An engine over the rules and (unless `None`) a model; thresholds not given on the command line
/// come from the model (chosen on dev) or are the defaults.
fn build_engine(
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

fn load_model(path: Option<&Path>, none: bool) -> Result<Option<Model>> {
    if none {
        return Ok(None);
    }
    Ok(Some(match path {
        Some(p) => Model::load(p).with_context(|| format!("model {}", p.display()))?,
        None => Model::bundled().context("built-in model")?,
    }))
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

/// A metric that may be missing, to three places.
fn show(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{v:.3}"))
}

fn train(args: TrainArgs) -> Result<u8> {
    use adscreen::classify::real::training_adverts;
    use adscreen::classify::train::{TrainOptions, corpus_hash_of_dir, written_adverts};
    let corpus = adscreen::corpus::load_dir(&args.corpus)
        .with_context(|| format!("corpus in {}", args.corpus.display()))?;
    let hash = corpus_hash_of_dir(&args.corpus)?;
    let mut adverts = written_adverts(&corpus);
    let mut real_hash = None;
    if let Some(dir) = &args.real {
        adverts.extend(
            training_adverts(dir).with_context(|| format!("real adverts in {}", dir.display()))?,
        );
        real_hash = Some(corpus_hash_of_dir(dir)?);
    }
    let engine = Engine::new(load_rules(args.rules.as_deref())?, Thresholds::default());
    let options = TrainOptions {
        seed: args.seed,
        ..TrainOptions::default()
    };
    let model = adscreen::classify::train::train(&adverts, hash, real_hash, &engine, &options)
        .context("training")?;
    model
        .save(&args.out)
        .with_context(|| format!("writing {}", args.out.display()))?;
    let m = &model.metadata;
    println!(
        "trained on {} adverts ({} features, alpha {}): dev ROC-AUC {} PR-AUC {}; test ROC-AUC {} PR-AUC {}; medium from {}; written to {}",
        adverts.len(),
        model.features.len(),
        m.alpha,
        show(m.dev.roc_auc),
        show(m.dev.pr_auc),
        show(m.test.roc_auc),
        show(m.test.pr_auc),
        m.thresholds.medium,
        args.out.display()
    );
    if !m.leave_one_source_out.is_empty() {
        println!("each source scored by a model trained without it:");
        println!(
            "{:<16} {:>6} {:>8} {:>9} {:>9} {:>9} {:>7}",
            "source", "risky", "ordinary", "model AUC", "comb. AUC", "ord. flag", "recall"
        );
        for (f, c) in m.leave_one_source_out.iter().zip(&m.sources) {
            println!(
                "{:<16} {:>6} {:>8} {:>9} {:>9} {:>9} {:>7}",
                f.source,
                c.risky,
                c.ordinary,
                show(f.model_roc_auc),
                show(f.combined_roc_auc),
                show(f.ordinary_flagged),
                show(f.recall)
            );
        }
    }
    if let Some(p) = m.provenance {
        println!(
            "written vs real, same label (dev+test; 0.5 = cannot tell who wrote it): ordinary ROC-AUC {}, risky ROC-AUC {}",
            show(p.ordinary_roc_auc),
            show(p.risky_roc_auc)
        );
    }
    Ok(EXIT_OK)
}

fn eval(args: EvalArgs) -> Result<u8> {
    use adscreen::classify::eval::{Comparison, evaluate, pr_curve_svg};
    // `--real-only` leaves the written corpus unread.
    let corpus = if args.real_only {
        None
    } else {
        Some(
            adscreen::corpus::load_dir(&args.corpus)
                .with_context(|| format!("corpus in {}", args.corpus.display()))?,
        )
    };
    let model = load_model(args.model.as_deref(), false)?.context("a model is needed")?;
    let chosen = model.metadata.thresholds;
    let engine = build_engine(
        args.rules.as_deref(),
        Some(model),
        None,
        None,
        Level::Medium,
    )?;
    let real = match &args.real {
        Some(dir) => Some(crate::cli_real::evaluate(dir, &engine, &args)?),
        None => None,
    };
    let Some(corpus) = corpus else {
        let real = real.context("--real-only needs --real")?;
        return crate::cli_real::report(&real, None, &args, chosen.medium);
    };
    let report = evaluate(&corpus, &engine);
    if let Some(dir) = args.pr_curve.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(
        &args.pr_curve,
        pr_curve_svg(
            &report.pr_curve,
            "Combined score, test split: precision against recall",
        ),
    )
    .with_context(|| format!("writing {}", args.pr_curve.display()))?;
    if let Some(real) = &real
        && args.json
    {
        return crate::cli_real::report(real, Some(&report), &args, chosen.medium);
    }
    let mut out = io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
        return Ok(EXIT_OK);
    }
    let line = |out: &mut io::StdoutLock<'_>, name: &str, c: &Comparison| -> io::Result<()> {
        for (what, s) in [
            ("rules", &c.rules),
            ("classifier", &c.classifier),
            ("combined", &c.combined),
        ] {
            writeln!(
                out,
                "{name:<10} {what:<11} {:>5} {:>6.3} {:>6.3} {:>6.3} {:>6.3} {:>7} {:>7}   {:>3} {:>3} {:>3} {:>3}",
                s.adverts,
                s.precision,
                s.recall,
                s.f1,
                s.false_positive_rate,
                s.roc_auc.map_or("-".into(), |v| format!("{v:.3}")),
                s.pr_auc.map_or("-".into(), |v| format!("{v:.3}")),
                s.true_positives,
                s.false_positives,
                s.false_negatives,
                s.true_negatives
            )?;
        }
        Ok(())
    };
    writeln!(
        out,
        "test split; combined flags from score {} (chosen on dev)\n{:<10} {:<11} {:>5} {:>6} {:>6} {:>6} {:>6} {:>7} {:>7}   {:>3} {:>3} {:>3} {:>3}",
        chosen.medium,
        "group",
        "scorer",
        "n",
        "prec",
        "recall",
        "F1",
        "FPR",
        "ROC-AUC",
        "PR-AUC",
        "TP",
        "FP",
        "FN",
        "TN"
    )?;
    line(&mut out, "all", &report.overall)?;
    let at = |s: &adscreen::classify::eval::Scores| {
        s.recall_at_5_percent_fpr
            .map_or("-".into(), |v| format!("{v:.3}"))
    };
    writeln!(
        out,
        "{:<10} recall at a false-positive rate of at most 0.05: rules {}, classifier {}, combined {}",
        "",
        at(&report.overall.rules),
        at(&report.overall.classifier),
        at(&report.overall.combined)
    )?;
    for (k, c) in &report.per_language {
        line(&mut out, k, c)?;
    }
    for (k, c) in &report.per_kind {
        line(&mut out, k, c)?;
    }
    writeln!(
        out,
        "\nindicator recall (labelled indicator among the reasons):"
    )?;
    for (k, v) in &report.indicator_recall {
        writeln!(out, "  {k:<24} {v:.3}")?;
    }
    writeln!(
        out,
        "flagged risky adverts with a labelled indicator among their reasons: {:.3}\nPR curve written to {}",
        report.right_indicator_share,
        args.pr_curve.display()
    )?;
    drop(out);
    match &real {
        Some(real) => crate::cli_real::report(real, None, &args, chosen.medium),
        None => Ok(EXIT_OK),
    }
}

fn postings(args: PostingsArgs) -> Result<u8> {
    let postings = adscreen::postings::read(&args.file)?;
    let engine = build_engine(None, load_model(None, false)?, None, None, Level::Medium)?;
    let mut flagged = Vec::new();
    for p in &postings {
        let report = engine.screen(&p.advert());
        if report.flagged {
            flagged.push((p, report.score));
        }
    }
    let share = flagged.len() as f64 / postings.len().max(1) as f64;
    println!(
        "{} of {} real postings flagged ({:.2}%; at most {:.2}% allowed)",
        flagged.len(),
        postings.len(),
        share * 100.0,
        args.max_flagged * 100.0
    );
    for (p, score) in flagged.iter().take(20) {
        println!("  {score:>3}  {}  {} / {}", p.id, p.title, p.employer);
    }
    Ok(if share > args.max_flagged {
        EXIT_BAD_RECORDS
    } else {
        EXIT_OK
    })
}

fn market_pay(args: MarketPayArgs) -> Result<u8> {
    let postings = adscreen::postings::read(&args.file)?;
    let rules = load_rules(args.rules.as_deref())?;
    let derived = adscreen::postings::derive_market_pay(&postings, rules.market());
    let mut differ = 0;
    println!("{:<22} {:>9} {:>11}", "category", "derived", "reference");
    for (id, value, reference) in &derived {
        let mark = if (value - reference).abs() > 0.5 {
            differ += 1;
            "  <- differs"
        } else {
            ""
        };
        println!("{id:<22} {value:>9.0} {reference:>11.0}{mark}");
    }
    Ok(if args.check && differ > 0 {
        EXIT_BAD_RECORDS
    } else {
        EXIT_OK
    })
}

pub(crate) fn scan(args: ScanArgs) -> Result<u8> {
    let options = &args.screen;
    let model = load_model(options.model.as_deref(), options.no_model)?;
    let engine = build_engine(
        options.rules.as_deref(),
        model,
        options.medium,
        options.high,
        options.flag_level,
    )?;
    let stdout = io::stdout();
    let color = stdout.is_terminal() && options.format == OutputFormat::Table;
    let mut writer = Writer::new(io::BufWriter::new(stdout.lock()), options.format, color)
        .with_detail(options.explain, options.entities)
        .with_bulk_index(&options.bulk_index);
    let progress = progress_bar(&args.files);
    writer.begin()?;
    let read = |send: &dyn Fn(Entry) -> bool| read_inputs(&args, &progress, send);
    let (summary, write_error) =
        cli_scan::scan(&engine, &mut writer, &progress, options.only_flagged, read)?;
    if let Some(e) = write_error {
        if e.kind() == io::ErrorKind::BrokenPipe {
            return Ok(EXIT_OK);
        }
        return Err(e).context("writing output");
    }
    progress.finish_and_clear();
    match writer.finish() {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(EXIT_OK),
        other => other.context("writing output")?,
    }
    eprintln!(
        "adscreen: screened {} adverts: {} flagged ({} high, {} medium); {} bad records skipped{}",
        summary.screened,
        summary.flagged,
        summary.high,
        summary.medium,
        summary.bad,
        if summary.unreadable > 0 {
            format!("; {} files could not be opened", summary.unreadable)
        } else {
            String::new()
        }
    );
    Ok(if summary.unreadable == args.files.len() {
        EXIT_ERROR
    } else if summary.bad > 0 || summary.unreadable > 0 {
        EXIT_BAD_RECORDS
    } else {
        EXIT_OK
    })
}

/// Reads every input of a scan in order and hands over its records (and the inputs that cannot
/// be read); stops early once `send` says nothing more is wanted.
fn read_inputs(
    args: &ScanArgs,
    progress: &ProgressBar,
    send: &dyn Fn(Entry) -> bool,
) -> Result<()> {
    let mut remotes: Option<crate::cli_fetch::Remotes> = None;
    for path in &args.files {
        let name: Arc<str> = if path.as_os_str() == "-" {
            "stdin".into()
        } else {
            path.display().to_string().into()
        };
        let mut origin = None;
        let (input, format): (Box<dyn Read + Send>, Format) =
            if let Some(url) = crate::cli_fetch::url_of(path) {
                let remotes = match &mut remotes {
                    Some(r) => r,
                    None => remotes.insert(crate::cli_fetch::Remotes::new(&args.fetch)?),
                };
                match remotes.get(url, args.input_format) {
                    Ok(remote) => {
                        if args.input_format.is_none()
                            && !send(Entry::Note(format!(
                                "{url} read as {} from its content; --input-format chooses",
                                remote.format.describe()
                            )))
                        {
                            return Ok(());
                        }
                        origin = Some(remote.url);
                        (Box::new(io::Cursor::new(remote.body)), remote.format)
                    }
                    Err(e) => {
                        if !send(Entry::Unreadable(format!(
                            "cannot fetch {url}: {e}; skipped"
                        ))) {
                            return Ok(());
                        }
                        continue;
                    }
                }
            } else if path.as_os_str() == "-" {
                let stdin = io::BufReader::new(io::stdin());
                match args.input_format {
                    Some(format) => (Box::new(stdin), format),
                    None => {
                        let (format, input) = ingest::sniff(stdin).context("reading stdin")?;
                        // The guess is said, never made silently.
                        if !send(Entry::Note(format!(
                            "stdin read as {} from its first character; --input-format chooses",
                            format.describe()
                        ))) {
                            return Ok(());
                        }
                        (Box::new(input), format)
                    }
                }
            } else {
                match File::open(path) {
                    Ok(file) => {
                        let format = args.input_format.unwrap_or_else(|| Format::from_path(path));
                        (Box::new(file), format)
                    }
                    Err(e) => {
                        // One unreadable file does not stop the others.
                        if !send(Entry::Unreadable(format!(
                            "cannot open {name}: {e}; skipped"
                        ))) {
                            return Ok(());
                        }
                        continue;
                    }
                }
            };
        let mut wanted = true;
        let ids = ingest::DefaultId::Named(&name);
        let input = progress.wrap_read(input);
        let result = ingest::read_from(input, format, ids, origin.as_deref(), |record| {
            wanted = wanted && send(Entry::Record(name.clone(), record));
        });
        if let Err(e) = result {
            wanted = wanted && send(Entry::Failed(format!("{name}: {e}; input skipped")));
        }
        if !wanted {
            return Ok(());
        }
    }
    Ok(())
}

/// A byte progress bar over the input files, drawn only when stderr is a terminal.
fn progress_bar(files: &[PathBuf]) -> ProgressBar {
    let total: u64 = files
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if !io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}
