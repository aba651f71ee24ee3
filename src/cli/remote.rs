//! Addresses among `scan`'s inputs: pages and feeds fetched once, politely (see
//! `adscreen::fetch`), then read like files.

use std::path::Path;

use anyhow::{Context, Result};
use clap::Args;

use adscreen::fetch::{FetchOptions, Fetcher, Outcome, Validators};
use adscreen::ingest::Format;

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

/// The address an input names, if it is one.
pub(super) fn url_of(path: &Path) -> Option<&str> {
    let s = path.to_str()?;
    let lower = s.get(..8).unwrap_or(s).to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://")).then_some(s)
}

/// A fetched input: its body, format and the address it was answered from.
pub(super) struct Remote {
    /// The body, UTF-8.
    pub body: Vec<u8>,
    /// Its format (by content unless forced).
    pub format: Format,
    /// The address after redirects.
    pub url: String,
}

/// Fetches inputs one after another with one client, so robots.txt and the per-host delay hold
/// across them.
pub(super) struct Remotes {
    runtime: tokio::runtime::Runtime,
    fetcher: Fetcher,
}

impl Remotes {
    /// A client with the command line's options.
    pub(super) fn new(options: &FetchOptionsArgs) -> Result<Remotes> {
        let hour = std::time::Duration::from_secs(3600);
        if options.min_delay > hour || options.timeout > hour || options.timeout.is_zero() {
            anyhow::bail!(
                "--min-delay and --timeout must be at most an hour (and a timeout more than zero)"
            );
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("starting the HTTP client")?;
        let fetcher = Fetcher::new(FetchOptions {
            contact: options.contact.clone(),
            timeout: options.timeout,
            min_delay: options.min_delay,
            ..FetchOptions::default()
        })?;
        Ok(Remotes { runtime, fetcher })
    }

    /// Fetches `url`; the message says why not when it cannot be.
    pub(super) fn get(&self, url: &str, forced: Option<Format>) -> Result<Remote, String> {
        let outcome = self
            .runtime
            .block_on(self.fetcher.fetch(url, &Validators::default()))
            .map_err(|e| e.to_string())?;
        match outcome {
            Outcome::Fetched(fetched) => Ok(Remote {
                format: forced.unwrap_or_else(|| fetched.format()),
                url: fetched.url,
                body: fetched.body,
            }),
            Outcome::Disallowed => Err(format!("robots.txt of its site does not allow {url}")),
            Outcome::NotModified => Err(format!("{url} answered 304 to a plain request")),
        }
    }
}
