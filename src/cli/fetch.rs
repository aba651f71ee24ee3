//! `adscreen fetch`: pages and feeds fetched once and screened like `scan`'s inputs.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use clap::Args;

use adscreen::ingest::Format;

use super::remote::{FetchOptionsArgs, url_of};
use super::scan::{ScanArgs, ScreenArgs};

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

/// Runs `adscreen fetch`: every argument must be an address.
pub(super) fn fetch(args: FetchArgs) -> Result<u8> {
    for url in &args.urls {
        if url_of(Path::new(url)).is_none() {
            bail!("{url:?} is not an http:// or https:// address (files are read by `scan`)");
        }
    }
    super::scan::scan(ScanArgs {
        files: args.urls.iter().map(PathBuf::from).collect(),
        input_format: args.input_format,
        fetch: args.fetch,
        screen: args.screen,
    })
}
