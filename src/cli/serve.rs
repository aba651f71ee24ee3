//! `adscreen serve` and `adscreen keys`: the command-line side of the HTTP service.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};

use adscreen::service::auth::{KeyFile, Scope};
use adscreen::service::{Config, serve};

/// Arguments of `serve`. Flags and environment variables override the config file.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Config file (TOML); see docs/service.md for its keys.
    #[arg(long, env = "ADSCREEN_CONFIG")]
    pub config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "ADSCREEN_ADDR")]
    pub addr: Option<std::net::SocketAddr>,
    /// Data directory: the index and the key file [default: ./adscreen-data].
    #[arg(long, env = "ADSCREEN_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Rule folder instead of the bundled rules (reloaded by POST /v1/admin/reload).
    #[arg(long, env = "ADSCREEN_RULES")]
    pub rules: Option<PathBuf>,
    /// Model file instead of the bundled model.
    #[arg(long, env = "ADSCREEN_MODEL")]
    pub model: Option<PathBuf>,
    /// Screen with rules alone.
    #[arg(long)]
    pub no_model: bool,
}

/// `keys` subcommands.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key; prints it once (only its hash is stored).
    Add {
        /// Data directory of the server.
        #[arg(long, env = "ADSCREEN_DATA_DIR", default_value = "adscreen-data")]
        data_dir: PathBuf,
        /// Scopes, comma-separated: screen, read, write, admin.
        #[arg(long, value_delimiter = ',', value_parser = parse_scope, required = true)]
        scope: Vec<Scope>,
        /// What the key is for (shown by `keys list`).
        #[arg(long, default_value = "")]
        name: String,
    },
    /// List keys (ids, names, scopes; never the keys).
    List {
        /// Data directory of the server.
        #[arg(long, env = "ADSCREEN_DATA_DIR", default_value = "adscreen-data")]
        data_dir: PathBuf,
    },
    /// Revoke a key by id; a running server refuses it from the next request.
    Revoke {
        /// The key's id (from `keys list`).
        id: String,
        /// Data directory of the server.
        #[arg(long, env = "ADSCREEN_DATA_DIR", default_value = "adscreen-data")]
        data_dir: PathBuf,
    },
}

fn parse_scope(s: &str) -> std::result::Result<Scope, String> {
    Scope::parse(s).ok_or_else(|| format!("{s:?} is not one of screen, read, write, admin"))
}

/// Runs the server until Ctrl-C or SIGTERM.
pub fn run_serve(args: ServeArgs) -> Result<u8> {
    let mut config = match &args.config {
        Some(path) => Config::from_file(path)?,
        None => Config::default(),
    };
    if let Some(addr) = args.addr {
        config.addr = addr;
    }
    if let Some(dir) = args.data_dir {
        config.data_dir = dir;
    }
    if args.rules.is_some() {
        config.rules = args.rules;
    }
    if args.model.is_some() {
        config.model = args.model;
    }
    config.no_model |= args.no_model;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let served = runtime.block_on(serve(config));
    // Work on the blocking pool (a screening, a page being read) is not waited for without end.
    runtime.shutdown_timeout(std::time::Duration::from_secs(10));
    served?;
    Ok(super::exit::EXIT_OK)
}

/// Runs a `keys` subcommand.
pub fn run_keys(command: KeysCommand) -> Result<u8> {
    match command {
        KeysCommand::Add {
            data_dir,
            scope,
            name,
        } => {
            let path = KeyFile::path(&data_dir);
            let mut file = KeyFile::load(&path)?;
            let key = file.add(&name, scope)?;
            file.save(&path)?;
            println!("{key}");
            eprintln!(
                "Key created; this is the only time it is shown. Send it as `Authorization: Bearer <key>`."
            );
        }
        KeysCommand::List { data_dir } => {
            let file = KeyFile::load(&KeyFile::path(&data_dir))?;
            println!(
                "{:<10} {:<8} {:<26} {:<22} name",
                "id", "state", "scopes", "created"
            );
            for k in &file.keys {
                let scopes: Vec<&str> = k.scopes.iter().map(|s| s.as_str()).collect();
                println!(
                    "{:<10} {:<8} {:<26} {:<22} {}",
                    k.id,
                    if k.revoked { "revoked" } else { "active" },
                    scopes.join(","),
                    k.created,
                    k.name
                );
            }
        }
        KeysCommand::Revoke { id, data_dir } => {
            let path = KeyFile::path(&data_dir);
            let mut file = KeyFile::load(&path)?;
            if !path.exists() {
                bail!("no key file in {}", data_dir.display());
            }
            file.revoke(&id)?;
            file.save(&path)?;
            eprintln!("key {id} revoked");
        }
    }
    Ok(super::exit::EXIT_OK)
}
