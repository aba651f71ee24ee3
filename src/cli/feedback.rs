//! `adscreen feedback export`: the adverts inspectors decided on, as labelled JSON Lines that
//! `adscreen eval --real` and `adscreen train --real` read, so a deployment can measure itself
//! and retrain on its own decisions.

use std::io::{self, Write};
use std::path::PathBuf;

use adscreen::store::review::Status;
use anyhow::{Context, Result};
use clap::{Args, Subcommand};

/// `feedback` subcommands.
#[derive(Debug, Subcommand)]
pub enum FeedbackCommand {
    /// Write every advert with a decision as a labelled line: a false alarm is `benign`, a
    /// confirmed or referred one is `risky` with the indicators its reasons name.
    Export(ExportArgs),
}

/// Options of `feedback export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Data directory of the server.
    #[arg(long, env = "ADSCREEN_DATA_DIR", default_value = "adscreen-data")]
    pub data_dir: PathBuf,
    /// Where to write (default: standard output). Put it in a folder of its own to use it with
    /// `eval --real FOLDER` or `train --real FOLDER`.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Runs a `feedback` subcommand; returns the exit code.
pub fn run(command: FeedbackCommand) -> Result<u8> {
    let FeedbackCommand::Export(args) = command;
    let index = args.data_dir.join("index");
    let reviewed = adscreen::store::reviewed_adverts(&index)
        .with_context(|| format!("reading {}", index.display()))?;
    let mut out: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
        )),
        None => Box::new(io::BufWriter::new(io::stdout().lock())),
    };
    let (mut risky, mut benign) = (0, 0);
    for (stored, review) in &reviewed {
        let label = match review.status {
            Status::FalseAlarm => "benign",
            Status::Confirmed | Status::Referred => "risky",
            Status::New | Status::Reviewed => continue,
        };
        let mut indicators: Vec<&str> = Vec::new();
        if label == "risky" {
            for r in stored.report.reasons.iter().filter(|r| r.weight > 0) {
                if r.indicator != "classifier" && !indicators.contains(&r.indicator.as_str()) {
                    indicators.push(&r.indicator);
                }
            }
            risky += 1;
        } else {
            benign += 1;
        }
        let a = &stored.advert;
        let line = serde_json::json!({
            "id": a.id,
            "kind": stored.report.kind,
            "lang": stored.report.language,
            "title": a.title,
            "text": a.text,
            "source": a.source,
            "posted_at": a.posted_at,
            "label": label,
            "label_indicators": indicators,
            "label_why": review.note,
            "reviewed_by": review.by,
            "reviewed_at": review.at,
        });
        serde_json::to_writer(&mut out, &line)?;
        writeln!(out)?;
    }
    out.flush()?;
    eprintln!("exported {risky} risky and {benign} benign adverts");
    Ok(0)
}
