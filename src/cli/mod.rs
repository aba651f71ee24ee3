//! The command line: argument parsing (clap) and one module per command. This is the binary's
//! edge, so errors are `anyhow` with context naming the file or subcommand. The command modules
//! use `exit`, `setup` and each other in one direction only; this module uses them all.

mod exit;
mod feedback;
mod fetch;
mod model;
mod real;
mod remote;
mod report;
mod rules;
mod scan;
mod screen_loop;
mod serve;
mod setup;

use anyhow::Result;
use clap::{Parser, Subcommand};

pub use exit::{EXIT_ERROR, EXIT_OK};

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
    Scan(scan::ScanArgs),
    /// Fetch web pages or feeds once (politely: robots.txt, one request at a time per host) and
    /// screen them like `scan`.
    Fetch(fetch::FetchArgs),
    /// Train the classifier on the labelled corpus (and with `--real`, real adverts) and write
    /// the model file.
    Train(model::TrainArgs),
    /// Evaluate rules, classifier and both combined on the held-out test split.
    Eval(model::EvalArgs),
    /// Screen real job postings (cv.lv export) and report the share flagged.
    Postings(model::PostingsArgs),
    /// Derive the market-pay reference from real job postings (cv.lv export).
    MarketPay(model::MarketPayArgs),
    /// Run the HTTP API (and the web page) over a durable index.
    Serve(serve::ServeArgs),
    /// Manage API keys of a server's data directory.
    Keys {
        /// What to do with keys.
        #[command(subcommand)]
        command: serve::KeysCommand,
    },
    /// The overview report of a server's data directory (HTML with charts, printable).
    Report(report::ReportArgs),
    /// Reviewed adverts of a server's data directory as labelled data.
    Feedback {
        /// What to do.
        #[command(subcommand)]
        command: feedback::FeedbackCommand,
    },
    /// Work with rule files.
    Rules {
        /// What to do with the rules.
        #[command(subcommand)]
        command: rules::RulesCommand,
    },
}

/// Runs a parsed command line; returns the exit code.
pub fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Scan(args) => scan::scan(args),
        Command::Fetch(args) => fetch::fetch(args),
        Command::Train(args) => model::train(args),
        Command::Eval(args) => model::eval(args),
        Command::Postings(args) => model::postings(args),
        Command::MarketPay(args) => model::market_pay(args),
        Command::Serve(args) => serve::run_serve(args),
        Command::Keys { command } => serve::run_keys(command),
        Command::Feedback { command } => feedback::run(command),
        Command::Report(args) => report::run(args),
        Command::Rules { command } => rules::run(command),
    }
}
