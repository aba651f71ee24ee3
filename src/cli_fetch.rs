//! `adscreen fetch`, and the addresses among `scan`'s inputs: pages and feeds fetched once,
//! politely (see `adscreen::fetch`), then screened like files.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use adscreen::fetch::{FetchOptions, Fetcher, Outcome, Validators};
use adscreen::ingest::Format;

use crate::cli::{FetchArgs, FetchOptionsArgs, ScanArgs};

/// Runs `adscreen fetch`: every argument must be an address.
pub(crate) fn fetch(args: FetchArgs) -> Result<u8> {
    for url in &args.urls {
        if url_of(Path::new(url)).is_none() {
            bail!("{url:?} is not an http:// or https:// address (files are read by `scan`)");
        }
    }
    crate::cli::scan(ScanArgs {
        files: args.urls.iter().map(PathBuf::from).collect(),
        input_format: args.input_format,
        fetch: args.fetch,
        screen: args.screen,
    })
}

/// The address an input names, if it is one.
pub(crate) fn url_of(path: &Path) -> Option<&str> {
    let s = path.to_str()?;
    let lower = s.get(..8).unwrap_or(s).to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://")).then_some(s)
}

/// A fetched input: its body, format and the address it was answered from.
pub(crate) struct Remote {
    /// The body, UTF-8.
    pub body: Vec<u8>,
    /// Its format (by content unless forced).
    pub format: Format,
    /// The address after redirects.
    pub url: String,
}

/// Fetches inputs one after another with one client, so robots.txt and the per-host delay hold
/// across them.
pub(crate) struct Remotes {
    runtime: tokio::runtime::Runtime,
    fetcher: Fetcher,
}

impl Remotes {
    /// A client with the command line's options.
    pub(crate) fn new(options: &FetchOptionsArgs) -> Result<Remotes> {
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
    pub(crate) fn get(&self, url: &str, forced: Option<Format>) -> Result<Remote, String> {
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
