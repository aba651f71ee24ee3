//! Service configuration: one TOML file, then environment variables and flags on top. Every
//! setting has a default that works on a local machine.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::auth::{Scope, StoredKey};

/// Everything `adscreen serve` can be told.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address to listen on.
    pub addr: SocketAddr,
    /// Where the index and the key file live.
    pub data_dir: PathBuf,
    /// A rule folder; the bundled rules when absent.
    pub rules: Option<PathBuf>,
    /// A model file; the bundled model when absent.
    pub model: Option<PathBuf>,
    /// Screen with rules alone.
    pub no_model: bool,
    /// Request limits.
    pub limits: Limits,
    /// Who may do what.
    pub auth: Auth,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("adscreen-data"),
            rules: None,
            model: None,
            no_model: false,
            limits: Limits::default(),
            auth: Auth::default(),
        }
    }
}

/// Sizes, times and rates.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest request body, except NDJSON streams to `/v1/adverts`.
    pub body_bytes: usize,
    /// Largest NDJSON stream to `/v1/adverts`.
    pub stream_bytes: u64,
    /// Longest time a request may take, in seconds, except ingest.
    pub request_timeout_secs: u64,
    /// Longest time an ingest request may take, in seconds.
    pub ingest_timeout_secs: u64,
    /// Requests per second allowed per API key (or per client address without a key); 0 turns
    /// rate limiting off.
    pub rate_per_second: u32,
    /// Requests allowed in a burst above that rate.
    pub rate_burst: u32,
    /// Wrong keys allowed per client address within `auth_window_secs`; after that the address
    /// gets 429 for every request with a key until the window has passed. 0 turns this off.
    pub auth_failures: u32,
    /// The window of `auth_failures`, in seconds.
    pub auth_window_secs: u64,
    /// Longest time a client may take to send a request's headers, in seconds; a connection
    /// that trickles them is closed.
    pub header_timeout_secs: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            body_bytes: 8 * 1024 * 1024,
            stream_bytes: 2 * 1024 * 1024 * 1024,
            request_timeout_secs: 30,
            ingest_timeout_secs: 3600,
            rate_per_second: 200,
            rate_burst: 400,
            auth_failures: 20,
            auth_window_secs: 60,
            header_timeout_secs: 10,
        }
    }
}

/// API keys and which scopes need none.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Auth {
    /// Scopes anyone may use without a key. By default only `screen`, so a counsellor's page on
    /// a local machine works without one.
    pub open_scopes: Vec<Scope>,
    /// Keys given in the config file (hashed, as `adscreen keys add` stores them).
    pub keys: Vec<StoredKey>,
}

impl Default for Auth {
    fn default() -> Auth {
        Auth {
            open_scopes: vec![Scope::Screen],
            keys: Vec::new(),
        }
    }
}

/// Why the configuration could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid.
    #[error("config file {path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, with line and column.
        message: String,
    },
}

impl Config {
    /// Reads a config file.
    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| ConfigError::Invalid {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_work_out_of_the_box() {
        let c = Config::default();
        assert_eq!(c.addr.to_string(), "127.0.0.1:8080");
        assert_eq!(c.auth.open_scopes, vec![Scope::Screen]);
    }

    #[test]
    fn a_partial_file_keeps_other_defaults_and_unknown_keys_are_refused() {
        let c: Config = toml::from_str("addr = \"127.0.0.1:9000\"\n[limits]\nbody_bytes = 1024\n")
            .expect("parses");
        assert_eq!(c.addr.port(), 9000);
        assert_eq!(c.limits.body_bytes, 1024);
        assert_eq!(c.limits.request_timeout_secs, 30);
        assert!(toml::from_str::<Config>("adress = \"x\"").is_err());
    }
}
