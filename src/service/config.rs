//! Service configuration: one TOML file, then environment variables and flags on top. Every
//! setting has a default that works on a local machine.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

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
    /// How sources are polled.
    pub watch: Watch,
    /// Pages and feeds the server polls (`[[source]]` tables).
    #[serde(rename = "source")]
    pub sources: Vec<Source>,
}

/// How the watcher fetches (shared by every source).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Watch {
    /// A contact for site owners (e-mail or web address), sent in the User-Agent.
    pub contact: Option<String>,
    /// Least time between two requests to one host.
    #[serde(with = "duration")]
    pub min_delay: Duration,
    /// Longest wait for one answer.
    #[serde(with = "duration")]
    pub timeout: Duration,
    /// Longest wait between polls of a failing source (the wait doubles with each failure).
    #[serde(with = "duration")]
    pub backoff_max: Duration,
    /// How long a host's robots.txt is trusted before it is read again.
    #[serde(with = "duration")]
    pub robots_ttl: Duration,
}

impl Default for Watch {
    fn default() -> Watch {
        let fetch = crate::fetch::FetchOptions::default();
        Watch {
            contact: None,
            min_delay: fetch.min_delay,
            timeout: fetch.timeout,
            backoff_max: Duration::from_secs(6 * 3600),
            robots_ttl: fetch.robots_ttl,
        }
    }
}

/// The shortest polling interval (tests poll this often; real sources far less).
const MIN_EVERY: Duration = Duration::from_millis(100);

/// The longest interval or wait the watcher takes.
const MAX_WAIT: Duration = Duration::from_secs(30 * 86_400);

/// A page or feed to poll.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Its name: the `source` of every advert read from it.
    pub name: String,
    /// The address (http or https).
    pub url: String,
    /// How often it is polled.
    #[serde(with = "duration")]
    pub every: Duration,
    /// The kind of its adverts (`job`, `marriage`, `other`) when the source is of one kind.
    #[serde(default)]
    pub kind: Option<String>,
    /// Its format, when it is not to be recognised by content (`html`, `rss`, `telegram`, ...).
    #[serde(default)]
    pub format: Option<String>,
}

/// Durations written as people write them: "90s", "15m", "1h 30m".
mod duration {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer};

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let text = String::deserialize(d)?;
        humantime::parse_duration(&text).map_err(|e| {
            serde::de::Error::custom(format!(
                "{text:?} is not a duration like \"90s\" or \"15m\": {e}"
            ))
        })
    }
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
            watch: Watch::default(),
            sources: Vec::new(),
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
        let config: Config = toml::from_str(&text).map_err(|e| ConfigError::Invalid {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        config
            .check_sources()
            .map_err(|message| ConfigError::Invalid {
                path: path.to_path_buf(),
                message,
            })?;
        Ok(config)
    }

    /// Checks what TOML cannot: names unique, addresses http(s), kinds and formats known, a
    /// polling interval above zero.
    pub fn check_sources(&self) -> Result<(), String> {
        let watch = &self.watch;
        for (key, value) in [
            ("min_delay", watch.min_delay),
            ("timeout", watch.timeout),
            ("backoff_max", watch.backoff_max),
            ("robots_ttl", watch.robots_ttl),
        ] {
            if value > MAX_WAIT {
                return Err(format!(
                    "[watch] {key} is longer than {} days",
                    MAX_WAIT.as_secs() / 86_400
                ));
            }
        }
        if watch.timeout.is_zero() {
            return Err("[watch] timeout must be more than zero".into());
        }
        let mut names = std::collections::HashSet::new();
        for source in &self.sources {
            let name = &source.name;
            if name.trim().is_empty() {
                return Err("a [[source]] has an empty name".into());
            }
            if !names.insert(name.as_str()) {
                return Err(format!("two [[source]] entries are named {name:?}"));
            }
            let lower = source.url.to_ascii_lowercase();
            if !(lower.starts_with("http://") || lower.starts_with("https://")) {
                return Err(format!(
                    "source {name:?}: url {:?} is not an http:// or https:// address",
                    source.url
                ));
            }
            if source.every < MIN_EVERY || source.every > MAX_WAIT {
                return Err(format!(
                    "source {name:?}: every must be between {MIN_EVERY:?} and {} days",
                    MAX_WAIT.as_secs() / 86_400
                ));
            }
            if let Some(kind) = &source.kind
                && crate::advert::Kind::parse(kind).is_none()
            {
                return Err(format!(
                    "source {name:?}: kind {kind:?} is not job, marriage or other"
                ));
            }
            if let Some(format) = &source.format {
                use clap::ValueEnum;
                if crate::ingest::Format::from_str(format, true).is_err() {
                    return Err(format!(
                        "source {name:?}: format {format:?} is not json, ndjson, csv, text, html, \
                         rss or telegram"
                    ));
                }
            }
        }
        Ok(())
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

    #[test]
    fn sources_are_read_and_checked() {
        let c: Config = toml::from_str(
            "[watch]\ncontact = \"vdi@example.lv\"\nmin_delay = \"500ms\"\n\
             [[source]]\nname = \"a\"\nurl = \"https://example.lv/rss\"\nevery = \"15m\"\n\
             [[source]]\nname = \"b\"\nurl = \"http://127.0.0.1/x\"\nevery = \"1h 30m\"\nkind = \"marriage\"\n",
        )
        .expect("parses");
        assert_eq!(c.watch.min_delay, Duration::from_millis(500));
        assert_eq!(c.watch.timeout, Duration::from_secs(30), "defaults kept");
        assert_eq!(c.sources[1].every, Duration::from_secs(5400));
        assert_eq!(c.check_sources(), Ok(()));
        let broken = |extra: &str| {
            let text = format!(
                "[[source]]\nname = \"a\"\nurl = \"https://x.lv\"\nevery = \"1m\"\n{extra}"
            );
            toml::from_str::<Config>(&text)
                .map_err(|e| e.to_string())
                .and_then(|c| c.check_sources())
        };
        assert_eq!(broken(""), Ok(()));
        assert!(broken("kind = \"jobs\"").is_err_and(|e| e.contains("kind")));
        let fast = "[[source]]\nname = \"a\"\nurl = \"https://x.lv\"\nevery = \"1ms\"\n";
        assert!(
            toml::from_str::<Config>(fast)
                .expect("parses")
                .check_sources()
                .is_err()
        );
        let slow = "[watch]\nmin_delay = \"100 years\"\n";
        assert!(
            toml::from_str::<Config>(slow)
                .expect("parses")
                .check_sources()
                .is_err()
        );
        assert!(broken("format = \"pdf\"").is_err_and(|e| e.contains("format")));
        assert!(
            broken("[[source]]\nname = \"a\"\nurl = \"https://y.lv\"\nevery = \"1m\"")
                .is_err_and(|e| e.contains("two"))
        );
        let bad_every = "[[source]]\nname = \"a\"\nurl = \"https://x.lv\"\nevery = \"soon\"\n";
        assert!(
            toml::from_str::<Config>(bad_every).is_err_and(|e| e.to_string().contains("duration"))
        );
        let bad_url = "[[source]]\nname = \"a\"\nurl = \"ftp://x.lv\"\nevery = \"1m\"\n";
        assert!(
            toml::from_str::<Config>(bad_url)
                .expect("parses")
                .check_sources()
                .is_err()
        );
    }
}
