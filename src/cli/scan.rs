//! `adscreen scan`: read the inputs (files, stdin, addresses), screen, write the reports.

use std::fs::File;
use std::io::{self, IsTerminal, Read};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use adscreen::ingest::{self, Format};
use adscreen::output::{OutputFormat, Writer};
use adscreen::report::Explain;
use adscreen::score::Level;

use super::exit::{EXIT_BAD_RECORDS, EXIT_ERROR, EXIT_OK};
use super::remote::{FetchOptionsArgs, Remotes, url_of};
use super::screen_loop::{self, Entry};
use super::setup::{build_engine, load_model};

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
        screen_loop::scan(&engine, &mut writer, &progress, options.only_flagged, read)?;
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
    let mut remotes: Option<Remotes> = None;
    for path in &args.files {
        let name: Arc<str> = if path.as_os_str() == "-" {
            "stdin".into()
        } else {
            path.display().to_string().into()
        };
        let mut origin = None;
        let (input, format): (Box<dyn Read + Send>, Format) = if let Some(url) = url_of(path) {
            let remotes = match &mut remotes {
                Some(r) => r,
                None => remotes.insert(Remotes::new(&args.fetch)?),
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
