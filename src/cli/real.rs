//! The real-adverts part of `adscreen eval --real DIR`: screening the folder (the figures are
//! `learning::real`'s), the table or JSON, the list of flagged ordinary adverts, and the floors
//! with their exit code.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;
use serde::Serialize;

use adscreen::engine::Engine;
use adscreen::learning::eval::Evaluation;
use adscreen::learning::real::{self, FileResult, Floors, RealEvaluation};

use super::exit::{EXIT_BAD_RECORDS, EXIT_OK};

/// The options of `eval` about real adverts.
#[derive(Debug, Args)]
pub struct RealOptions {
    /// Also screen every `*.jsonl` file of this folder of real adverts and report each file.
    #[arg(id = "real", long = "real", value_name = "DIR")]
    pub dir: Option<PathBuf>,
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

/// Screens every file of the folder and writes `--flagged-out`, if asked.
pub fn evaluate(dir: &Path, engine: &Engine, args: &RealOptions) -> Result<RealEvaluation> {
    let evaluation = real::evaluate_dir(dir, engine)
        .with_context(|| format!("real adverts in {}", dir.display()))?;
    if let Some(path) = &args.flagged_out {
        if let Some(parent) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        let write = || -> io::Result<()> {
            let mut file = io::BufWriter::new(std::fs::File::create(path)?);
            real::write_flagged(&mut file, &evaluation)?;
            file.flush()
        };
        write().with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(evaluation)
}

/// The JSON of `eval --json` with `--real`: the written corpus's fields as without `--real` (none
/// with `--real-only`), and `real`.
#[derive(Serialize)]
struct Both<'a> {
    #[serde(flatten)]
    written: Option<&'a Evaluation>,
    real: &'a RealEvaluation,
}

/// Prints the real adverts' table (or, with `--json`, the whole JSON: `written` is the written
/// corpus's evaluation, if measured), then checks the floors: each broken one is said on stderr
/// and the exit code is 1.
pub fn report(
    evaluation: &RealEvaluation,
    written: Option<&Evaluation>,
    args: &RealOptions,
    json: bool,
    medium: u8,
) -> Result<u8> {
    let mut out = io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(
            &mut out,
            &Both {
                written,
                real: evaluation,
            },
        )?;
        writeln!(out)?;
    } else {
        table(&mut out, evaluation, args, medium)?;
    }
    out.flush()?;
    let floors = Floors {
        max_flagged: args.max_flagged,
        min_recall: args.min_recall,
        min_auc: args.min_auc,
    };
    let broken = real::check_floors(evaluation, &floors);
    for b in &broken {
        eprintln!("adscreen: floor broken: {b}");
    }
    Ok(if broken.is_empty() {
        EXIT_OK
    } else {
        EXIT_BAD_RECORDS
    })
}

fn table(
    out: &mut impl Write,
    e: &RealEvaluation,
    args: &RealOptions,
    medium: u8,
) -> io::Result<()> {
    let opt = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.3}"));
    writeln!(
        out,
        "\nreal adverts in {} (flagged from score {medium}); ordinary = unlabelled, benign or legitimate\n{:<22} {:>5} {:>8} {:>7} {:>7} {:>6} {:>4}   {:>5} {:>6} {:>7}   {:>7}",
        e.dir,
        "file",
        "rows",
        "ordinary",
        "flagged",
        "share",
        "medium",
        "high",
        "risky",
        "recall",
        "ind-rec",
        "ROC-AUC"
    )?;
    for f in &e.files {
        writeln!(
            out,
            "{:<22} {:>5} {:>8} {:>7} {:>7} {:>6} {:>4}   {:>5} {:>6} {:>7}   {:>7}",
            f.file,
            f.rows,
            f.ordinary,
            f.flagged_ordinary,
            f.flagged_ordinary_share
                .map_or("-".into(), |s| format!("{:.2}%", s * 100.0)),
            f.flagged_ordinary_medium,
            f.flagged_ordinary_high,
            f.risky.as_ref().map_or("-".into(), |r| r.rows.to_string()),
            opt(f.risky.as_ref().map(|r| r.recall)),
            opt(f.risky.as_ref().map(|r| r.indicator_recall)),
            opt(f.fraud.as_ref().and_then(|x| x.roc_auc)),
        )?;
    }
    if let Some(r) = &e.risky {
        writeln!(
            out,
            "risky adverts, all files: {} of {} flagged (recall {:.3}); {} with a labelled indicator among the reasons ({:.3})",
            r.flagged, r.rows, r.recall, r.right_indicator, r.indicator_recall
        )?;
    }
    for f in &e.files {
        notes(out, f)?;
    }
    if let Some(path) = &args.flagged_out {
        writeln!(
            out,
            "{} flagged ordinary adverts written to {}",
            e.flagged().count(),
            path.display()
        )?;
    }
    Ok(())
}

fn notes(out: &mut impl Write, f: &FileResult) -> io::Result<()> {
    if let Some(x) = &f.fraud {
        writeln!(
            out,
            "{}: flagged {} of {} fraudulent ({:.2}%) and {} of {} legitimate ({:.2}%)",
            f.file,
            x.flagged_fraudulent,
            x.fraudulent,
            x.flagged_fraudulent_share * 100.0,
            x.flagged_legitimate,
            x.legitimate,
            x.flagged_legitimate_share * 100.0
        )?;
    }
    if f.unsure > 0 {
        writeln!(out, "{}: {} unsure rows left out", f.file, f.unsure)?;
    }
    Ok(())
}
