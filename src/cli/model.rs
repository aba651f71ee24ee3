//! Commands about the classifier and the pay reference: `train`, `eval`, `postings`,
//! `market-pay`.

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use adscreen::engine::Engine;
use adscreen::score::{Level, Thresholds};

use super::exit::{EXIT_BAD_RECORDS, EXIT_OK};
use super::real::RealOptions;
use super::setup::{build_engine, load_model, load_rules};

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
    /// Real adverts written by others.
    #[command(flatten)]
    pub real: RealOptions,
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

/// A metric that may be missing, to three places.
fn show(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{v:.3}"))
}

pub(super) fn train(args: TrainArgs) -> Result<u8> {
    use adscreen::learning::real::training_adverts;
    use adscreen::learning::train::{TrainOptions, corpus_hash_of_dir, written_adverts};
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
    let model = adscreen::learning::train::train(&adverts, hash, real_hash, &engine, &options)
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

pub(super) fn eval(args: EvalArgs) -> Result<u8> {
    use adscreen::learning::eval::{Comparison, evaluate, pr_curve_svg};
    // `--real-only` leaves the written corpus unread.
    let corpus = if args.real.real_only {
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
    let real = match &args.real.dir {
        Some(dir) => Some(super::real::evaluate(dir, &engine, &args.real)?),
        None => None,
    };
    let Some(corpus) = corpus else {
        let real = real.context("--real-only needs --real")?;
        return super::real::report(&real, None, &args.real, args.json, chosen.medium);
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
        return super::real::report(real, Some(&report), &args.real, args.json, chosen.medium);
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
    let at = |s: &adscreen::learning::eval::Scores| {
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
        Some(real) => super::real::report(real, None, &args.real, args.json, chosen.medium),
        None => Ok(EXIT_OK),
    }
}

pub(super) fn postings(args: PostingsArgs) -> Result<u8> {
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

pub(super) fn market_pay(args: MarketPayArgs) -> Result<u8> {
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
